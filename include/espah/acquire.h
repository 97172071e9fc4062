/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Acquire events of protect policies that find no SA (net/acquire.c).
 */
#ifndef _ESPAH_ACQUIRE_H
#define _ESPAH_ACQUIRE_H

struct espah_flow;
struct espah_policy;
struct espah_tmpl;
struct net;

void espah_acquire(struct net *net, const struct espah_policy *pol,
		   const struct espah_tmpl *t, const struct espah_flow *fl);

#endif /* _ESPAH_ACQUIRE_H */
