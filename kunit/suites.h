/* SPDX-License-Identifier: GPL-2.0 */
/* Every KUnit suite of espah; kunit/main.c registers each of them. */
#ifndef _ESPAH_KUNIT_SUITES_H
#define _ESPAH_KUNIT_SUITES_H

#include <kunit/test.h>

extern struct kunit_suite espah_replay_suite;
extern struct kunit_suite espah_crypto_suite;
extern struct kunit_suite espah_esp_suite;
extern struct kunit_suite espah_spd_suite;
extern struct kunit_suite espah_ah_suite;
extern struct kunit_suite espah_life_suite;
extern struct kunit_suite espah_mss_suite;
extern struct kunit_suite espah_xfrm_suite;
extern struct kunit_suite espah_natt_suite;
extern struct kunit_suite espah_tunhdr_suite;
extern struct kunit_suite espah_dummy_suite;

#endif
