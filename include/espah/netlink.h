/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ESPAH_NETLINK_H
#define _ESPAH_NETLINK_H

int espah_netlink_init(void);
void espah_netlink_exit(void);

#endif /* _ESPAH_NETLINK_H */
