// SPDX-License-Identifier: GPL-2.0
/*
 * The test rig's own canaries, in their own module (espah_rig.ko).
 * scripts/selfcheck.sh loads it with one of these set and expects `make
 * test`'s machinery to report the failure: a failed case, a kernel warning
 * (panic_on_warn), a leak (kmemleak). With no parameter set, every case
 * passes.
 *
 * On 6.1, suites registered with kunit_test_suites() run while the module
 * is COMING, before its parameters are parsed; so this module runs its
 * suite itself from module_init, when the parameters are set.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

static bool rig_fail;
module_param(rig_fail, bool, 0444);
MODULE_PARM_DESC(rig_fail, "make the rig canary case fail (rig self-check)");

static bool rig_warn;
module_param(rig_warn, bool, 0444);
MODULE_PARM_DESC(rig_warn, "raise a kernel warning (rig self-check)");

static bool rig_leak;
module_param(rig_leak, bool, 0444);
MODULE_PARM_DESC(rig_leak, "leak one allocation (rig self-check)");

/*
 * kmemleak finds a block through any stale copy of its address, and the
 * stacks of exited threads are cached, not freed: allocate in a frame of
 * its own, then overwrite that part of the stack before returning.
 */
static noinline void rig_leak_one(void)
{
	void *p = kmalloc(4242, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
}

static noinline void rig_wipe_stack(void)
{
	u8 buf[512];

	memset(buf, 0, sizeof(buf));
	barrier_data(buf);
}

static void rig_canary(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, rig_fail, "rig_fail=1: failing on purpose");
}

static void rig_kernel_reports(struct kunit *test)
{
	WARN(rig_warn, "espah rig_warn=1: warning on purpose\n");
	if (rig_leak) {
		int i;

		for (i = 0; i < 4; i++)
			rig_leak_one();
		rig_wipe_stack();
	}
	KUNIT_EXPECT_FALSE(test, rig_warn && rig_leak);
}

static struct kunit_case rig_cases[] = {
	KUNIT_CASE(rig_canary),
	KUNIT_CASE(rig_kernel_reports),
	{}
};

static struct kunit_suite rig_suite = {
	.name = "espah_rig",
	.test_cases = rig_cases,
};

static struct kunit_suite *rig_suites[] = { &rig_suite };

static int __init rig_init(void)
{
	return __kunit_test_suites_init(rig_suites, ARRAY_SIZE(rig_suites));
}

static void __exit rig_exit(void)
{
	__kunit_test_suites_exit(rig_suites, ARRAY_SIZE(rig_suites));
}

module_init(rig_init);
module_exit(rig_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("espah test-rig canaries (rig self-check)");
