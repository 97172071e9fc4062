/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sec_path entries of decapsulated packets: which inbound SA binding
 * (protocol, mode, reqid, addresses) removed each transform (net/secpath.c).
 */
#ifndef _ESPAH_SECPATH_H
#define _ESPAH_SECPATH_H

#include <linux/types.h>

struct espah_mark;
struct espah_sa;
struct espah_tmpl;
struct net;
struct sec_path;
struct sk_buff;
struct xfrm_state;

struct espah_mark *espah_mark_get(struct net *net, const struct espah_sa *sa);
void espah_mark_put(struct espah_mark *m);
int espah_secpath_add(struct sk_buff *skb, const struct espah_mark *m);
bool espah_secpath_tunnel(const struct sec_path *sp);
bool espah_secpath_tmpl_ok(const struct xfrm_state *x,
			   const struct espah_tmpl *t);
void espah_secpath_module_exit(void);

#endif /* _ESPAH_SECPATH_H */
