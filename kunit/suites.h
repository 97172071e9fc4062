/* SPDX-License-Identifier: GPL-2.0 */
/* Every KUnit suite of espah, registered by kunit/main.c. */
#ifndef _ESPAH_KUNIT_SUITES_H
#define _ESPAH_KUNIT_SUITES_H

#include <kunit/test.h>

extern struct kunit_suite espah_rig_suite;

#define ESPAH_KUNIT_SUITES &espah_rig_suite

#endif
