// SPDX-License-Identifier: GPL-2.0
/*
 * espah KUnit test module: all suites.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "suites.h"

kunit_test_suites(ESPAH_KUNIT_SUITES);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("espah KUnit suites");
MODULE_IMPORT_NS(ESPAH_KUNIT);
