// SPDX-License-Identifier: GPL-2.0
/*
 * The test rig's own canary. scripts/selfcheck.sh loads the KUnit module
 * with rig_fail=1 and expects `make test`'s parser to see a failed case.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "suites.h"

static bool rig_fail;
module_param(rig_fail, bool, 0444);
MODULE_PARM_DESC(rig_fail, "make the rig canary case fail (rig self-check)");

static void rig_canary(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, rig_fail, "rig_fail=1: failing on purpose");
}

static struct kunit_case rig_cases[] = {
	KUNIT_CASE(rig_canary),
	{}
};

struct kunit_suite espah_rig_suite = {
	.name = "espah_rig",
	.test_cases = rig_cases,
};
