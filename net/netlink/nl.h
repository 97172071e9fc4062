/* SPDX-License-Identifier: GPL-2.0 */
/*
 * espah netlink, internal: what the files of net/netlink/ share.
 *
 * attr.c	addresses, selectors, refusals naming an attribute
 * notify.c	SA and policy messages: GET replies, dumps, notifications
 * sa.c		SA commands
 * pol.c	policy commands
 * family.c	the family, counters and features queries
 * xfrm.c	attaching to native XFRM (the bridge is net/xfrm/)
 * spec.[ch]	policies, operations, groups: generated from
 *		Documentation/netlink/specs/espah.yaml (scripts/nlspec.py)
 */
#ifndef _ESPAH_NL_H
#define _ESPAH_NL_H

#include <linux/socket.h>
#include <net/genetlink.h>
#include <uapi/linux/espah.h>

#include <espah/netlink.h>
#include <espah/pernet.h>
#include <espah/sa.h>
#include <espah/spd.h>
#include <espah/tunhdr.h>
#include <espah/xfrm.h>

#include "spec.h"

extern struct genl_family espah_nl_family;
/* Set while the family is registered; senders outside a request check it
 * in an RCU read section, which espah_netlink_exit() waits out.
 */
extern bool espah_nl_up;

/* Refuse @a with a literal message that names it; evaluates to -EINVAL. */
#define BAD(extack, a, msg) ({ NL_SET_ERR_MSG_ATTR(extack, a, msg); -EINVAL; })

bool espah_nl_missing(struct netlink_ext_ack *extack, const struct nlattr *nest,
		      struct nlattr **tb, unsigned int type, const char *msg);

/* True (and an extack naming it) if attribute @attr is missing from @tb. */
#define MISSING(extack, nest, tb, attr) \
	espah_nl_missing(extack, nest, tb, attr, #attr " is required")

/* The policies bound address families to AF_INET..AF_INET6; this refuses
 * the values between.
 */
static inline bool espah_nl_family_ok(u16 family)
{
	return family == AF_INET || family == AF_INET6;
}

bool espah_nl_addr_get(const struct nlattr *a, u16 family,
		       union espah_addr *out);
bool espah_nl_proto_has_ports(u8 proto);
int espah_nl_parse_sel(const struct nlattr *nest, struct espah_sel *sel,
		       struct netlink_ext_ack *extack);
int espah_nl_parse_fwmark(struct nlattr **tb, unsigned int v, unsigned int m,
			  struct espah_fwmark *out, const char *const msgs[3],
			  struct netlink_ext_ack *extack);

size_t espah_nl_sa_msg_size(void);
int espah_nl_fill_sa(struct sk_buff *msg, struct espah_sa *sa, u32 portid,
		     u32 seq, int flags, u8 cmd, struct netlink_callback *cb,
		     bool keys);
size_t espah_nl_pol_msg_size(void);
int espah_nl_fill_pol(struct sk_buff *msg, const struct espah_policy *pol,
		      u32 portid, u32 seq, int flags, u8 cmd,
		      struct netlink_callback *cb);
bool espah_nl_want_notify(struct genl_info *info, unsigned int group);
void espah_nl_notify_sa(struct genl_info *info, struct espah_sa *sa, u8 cmd);
void espah_nl_notify_flush(struct genl_info *info, unsigned int group, u8 cmd,
			   u8 proto, u32 count);

#endif /* _ESPAH_NL_H */
