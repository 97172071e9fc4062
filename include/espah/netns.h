/* SPDX-License-Identifier: GPL-2.0 */
/*
 * espah in every network namespace: setup and teardown (net/netns.c).
 */
#ifndef _ESPAH_NETNS_H
#define _ESPAH_NETNS_H

int espah_netns_init(void);
void espah_netns_exit(void);

#endif /* _ESPAH_NETNS_H */
