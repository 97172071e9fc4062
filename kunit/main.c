// SPDX-License-Identifier: GPL-2.0
/*
 * espah KUnit test module: all suites.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "suites.h"

kunit_test_suites(&espah_replay_suite, &espah_crypto_suite, &espah_esp_suite,
		  &espah_spd_suite, &espah_ah_suite, &espah_life_suite,
		  &espah_mss_suite, &espah_xfrm_suite, &espah_natt_suite,
		  &espah_tunhdr_suite, &espah_dummy_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("espah KUnit suites");
MODULE_IMPORT_NS(ESPAH_KUNIT);
