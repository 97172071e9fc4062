/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ESPAH_PERNET_H
#define _ESPAH_PERNET_H

#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/**
 * struct espah_net - espah's state in one network namespace
 * @net: the namespace
 */
struct espah_net {
	struct net *net;
};

extern unsigned int espah_net_id;

static inline struct espah_net *espah_pernet(const struct net *net)
{
	return net_generic(net, espah_net_id);
}

int espah_pernet_init(void);
void espah_pernet_exit(void);

#endif /* _ESPAH_PERNET_H */
