/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols that the KUnit test module (espah_kunit.ko) calls directly.
 * They are exported, in their own namespace, only when the kernel has KUnit.
 */
#ifndef _ESPAH_KUNIT_H
#define _ESPAH_KUNIT_H

#include <linux/export.h>

#if IS_ENABLED(CONFIG_KUNIT)
#define ESPAH_EXPORT_FOR_KUNIT(sym) EXPORT_SYMBOL_NS_GPL(sym, ESPAH_KUNIT)
#else
#define ESPAH_EXPORT_FOR_KUNIT(sym)
#endif

#endif /* _ESPAH_KUNIT_H */
