/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ESPAH_NETLINK_H
#define _ESPAH_NETLINK_H

#include <linux/types.h>

struct net;
struct espah_sa;
struct espah_policy;
struct espah_tmpl;
struct espah_flow;
union espah_addr;

int espah_netlink_init(void);
void espah_nl_sa_expire(struct net *net, struct espah_sa *sa, bool hard,
			u8 reason);
void espah_nl_acquire(struct net *net, const struct espah_policy *pol,
		      const struct espah_tmpl *t, const struct espah_flow *fl);
void espah_nl_xfrm_refused(struct net *net, __be32 spi, u8 proto, u16 family,
			   const union espah_addr *dst, u32 index,
			   const char *why);
struct espah_natt_src;
void espah_nl_sa_mapping(struct net *net, const struct espah_sa *sa,
			 const struct espah_natt_src *src, __be16 old_port,
			 bool updated);
void espah_netlink_exit(void);

#endif /* _ESPAH_NETLINK_H */
