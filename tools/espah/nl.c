// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: generic netlink plumbing. Family resolution, requests with
 * ACK and extended ACK, dumps with NLM_F_DUMP_INTR retries, multicast
 * subscription, and the dry run that shows a request instead of sending it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "espah.h"

#define RX_BUF_SIZE (1 << 16)	/* the kernel sends dump skbs of up to 32 KiB */
#define DUMP_TRIES 4

static void dry_run_print(const struct req *r)
{
	const struct nlmsghdr *nlh = r->nlh;

	printf("cmd %s flags request%s%s\n", cmd_name(r->cmd),
	       nlh->nlmsg_flags & NLM_F_ACK ? ",ack" : "",
	       nlh->nlmsg_flags & NLM_F_DUMP ? ",dump" : "");
	attrs_print(stdout, mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN),
		    mnl_nlmsg_get_payload_len(nlh) - GENL_HDRLEN,
		    top_attrs, ESPAH_A_MAX, 2);
	fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* socket                                                                  */

struct nlsock {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t grp[3];	/* sa, policy, acquire; 0 = absent */
};

static struct nlsock sock;
static char rxbuf[RX_BUF_SIZE];

static const char *const grp_names[3] = {
	ESPAH_MCGRP_SA, ESPAH_MCGRP_POLICY, ESPAH_MCGRP_ACQUIRE,
};

struct rx {
	msg_cb_t cb;
	void *data;
	const struct req *req;	/* to name the attribute of an OFFS */
	bool intr;
	bool done;
	int err;		/* positive errno from the kernel, or 0 */
	char msg[512];		/* extack message */
	char bad_attr[64];	/* attribute named by NLMSGERR_ATTR_OFFS */
	char missing[64];	/* attribute named by NLMSGERR_ATTR_MISS_TYPE */
};

/* Name the attribute at byte offset @off of the request, if we can. */
static bool find_attr_at(const void *payload, size_t len, size_t base, size_t off,
			 const struct adesc *desc, unsigned int max, char *out_name,
			 size_t out_len)
{
	const struct nlattr *na;

	for_each_attr(na, payload, len) {
		unsigned int t = mnl_attr_get_type(na);
		size_t at = base + ((const char *)na - (const char *)payload);
		const char *name = t <= max ? desc[t].name : NULL;

		if (at == off) {
			if (name)
				snprintf(out_name, out_len, "%s", name);
			else
				snprintf(out_name, out_len, "attribute %u", t);
			return true;
		}
		if (name && desc[t].type == AT_NEST && off > at &&
		    off < at + na->nla_len)
			return find_attr_at(mnl_attr_get_payload(na),
					    mnl_attr_get_payload_len(na),
					    at + MNL_ATTR_HDRLEN, off, desc[t].nest,
					    desc[t].nest_max, out_name, out_len);
	}
	return false;
}

static void parse_ext_ack(const struct nlmsghdr *nlh, const void *tlvs, size_t len,
			  struct rx *rx)
{
	const struct nlattr *na;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	for_each_attr(na, tlvs, len) {
		switch (mnl_attr_get_type(na)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(na, MNL_TYPE_NUL_STRING) == 0) {
				const char *m = mnl_attr_get_str(na);

				/* NL_SET_ERR_MSG_MOD() prefixes the module name */
				if (!strncmp(m, ESPAH_GENL_NAME ": ", strlen(ESPAH_GENL_NAME) + 2))
					m += strlen(ESPAH_GENL_NAME) + 2;
				snprintf(rx->msg, sizeof(rx->msg), "%s", m);
			}
			break;
		case NLMSGERR_ATTR_OFFS:
			if (rx->req && mnl_attr_get_payload_len(na) == 4) {
				size_t off = mnl_attr_get_u32(na);
				size_t base = NLMSG_HDRLEN + GENL_HDRLEN;
				const struct nlmsghdr *q = rx->req->nlh;

				find_attr_at(mnl_nlmsg_get_payload_offset(q, GENL_HDRLEN),
					     mnl_nlmsg_get_payload_len(q) - GENL_HDRLEN,
					     base, off, top_attrs, ESPAH_A_MAX,
					     rx->bad_attr, sizeof(rx->bad_attr));
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_get_payload_len(na) == 4) {
				unsigned int t = mnl_attr_get_u32(na);

				/* the nest is not reported unless MISS_NEST; guess top */
				if (t <= ESPAH_A_MAX && top_attrs[t].name)
					snprintf(rx->missing, sizeof(rx->missing), "%s",
						 top_attrs[t].name);
				else
					snprintf(rx->missing, sizeof(rx->missing),
						 "attribute %u", t);
			}
			break;
		}
	}
}

static void handle_err(const struct nlmsghdr *nlh, struct rx *rx)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t hlen = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		rx->err = EBADMSG;
		return;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - sizeof(e->msg);
	if (hlen <= mnl_nlmsg_get_payload_len(nlh))
		parse_ext_ack(nlh, (const char *)e + hlen,
			      mnl_nlmsg_get_payload_len(nlh) - hlen, rx);
	rx->err = -e->error;
}

static void handle_done(const struct nlmsghdr *nlh, struct rx *rx)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(int));
		parse_ext_ack(nlh, (const char *)mnl_nlmsg_get_payload(nlh) + sizeof(int),
			      mnl_nlmsg_get_payload_len(nlh) - sizeof(int), rx);
	}
	rx->err = err < 0 ? -err : 0;
}

/* Process one datagram; returns with rx->done set after ACK/DONE/error. */
static void rx_process(const char *buf, ssize_t n, unsigned int seq, struct rx *rx)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (seq && (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != sock.portid))
			continue;	/* stale answer to an abandoned request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rx->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			continue;
		case NLMSG_ERROR:
			handle_err(nlh, rx);
			rx->done = true;
			return;
		case NLMSG_DONE:
			handle_done(nlh, rx);
			rx->done = true;
			return;
		}
		if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
			continue;
		if (rx->cb && rx->cb(nlh, rx->data) < 0) {
			rx->done = true;
			return;
		}
	}
}

static void rx_report(const struct rx *rx)
{
	const char *errs = strerror(rx->err);

	if (rx->msg[0] && rx->bad_attr[0])
		warnx("%s: %s (attribute %s)", errs, rx->msg, rx->bad_attr);
	else if (rx->msg[0])
		warnx("%s: %s", errs, rx->msg);
	else if (rx->bad_attr[0])
		warnx("%s (attribute %s)", errs, rx->bad_attr);
	else if (rx->missing[0])
		warnx("%s (missing attribute %s)", errs, rx->missing);
	else
		warnx("%s", errs);
}

static void rx_run(struct rx *rx, unsigned int seq)
{
	while (!rx->done) {
		ssize_t n = mnl_socket_recvfrom(sock.nl, rxbuf, sizeof(rxbuf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("netlink receive: %s", strerror(errno));
		}
		rx_process(rxbuf, n, seq, rx);
	}
}

static void send_req(struct req *r)
{
	r->nlh->nlmsg_type = sock.family;
	r->nlh->nlmsg_seq = ++sock.seq;
	if (mnl_socket_sendto(sock.nl, r->nlh, r->nlh->nlmsg_len) < 0)
		die("netlink send: %s", strerror(errno));
}

/* CTRL_CMD_GETFAMILY reply: family id and multicast group ids. */
static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *na, *grp;

	(void)data;
	mnl_attr_for_each(na, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(na)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_get_payload_len(na) == 2)
				sock.family = mnl_attr_get_u16(na);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, na) {
				const struct nlattr *g;
				const char *name = NULL;
				uint32_t id = 0;
				size_t i;

				mnl_attr_for_each_nested(g, grp) {
					if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_NAME &&
					    mnl_attr_validate(g, MNL_TYPE_NUL_STRING) == 0)
						name = mnl_attr_get_str(g);
					if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_ID &&
					    mnl_attr_get_payload_len(g) == 4)
						id = mnl_attr_get_u32(g);
				}
				for (i = 0; name && i < ARRAY_SIZE(grp_names); i++)
					if (!strcmp(name, grp_names[i]))
						sock.grp[i] = id;
			}
			break;
		}
	}
	return MNL_CB_OK;
}

static void resolve_family(void)
{
	struct req r;
	struct rx rx = { .cb = family_cb };
	struct genlmsghdr *g;

	memset(r.buf, 0, sizeof(r.buf));
	r.nlh = mnl_nlmsg_put_header(r.buf);
	r.nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(r.nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(r.nlh, CTRL_ATTR_FAMILY_NAME, ESPAH_GENL_NAME);
	sock.family = GENL_ID_CTRL;
	send_req(&r);
	sock.family = 0;
	rx_run(&rx, sock.seq);
	if (rx.err == ENOENT || (!rx.err && !sock.family)) {
		warnx("module not loaded (generic netlink family '%s' not found)",
		      ESPAH_GENL_NAME);
		exit(1);
	}
	if (rx.err) {
		rx_report(&rx);
		exit(1);
	}
}

static void sock_open(bool need_family)
{
	int one = 1;

	if (sock.nl)
		return;
	sock.nl = mnl_socket_open(NETLINK_GENERIC);
	if (!sock.nl)
		die("netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(sock.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind: %s", strerror(errno));
	sock.portid = mnl_socket_get_portid(sock.nl);
	sock.seq = time(NULL);
	/* extack messages; CAP_ACK so the kernel does not echo our keys back */
	mnl_socket_setsockopt(sock.nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock.nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (need_family)
		resolve_family();
}

/* ---------------------------------------------------------------------- */
/* the three ways of talking                                               */

void nl_transact(struct req *r, msg_cb_t cb, void *data)
{
	struct rx rx = { .cb = cb, .data = data, .req = r };

	r->nlh->nlmsg_flags |= NLM_F_ACK;
	if (opt.dry_run) {
		dry_run_print(r);
		return;
	}
	sock_open(true);
	send_req(r);
	rx_run(&rx, sock.seq);
	if (rx.err) {
		rx_report(&rx);
		exit(1);
	}
	if (rx.msg[0])
		warnx("warning: %s", rx.msg);
}

void nl_dump(struct req *r, msg_cb_t cb, void *data,
	     void (*begin)(void *data), void (*end)(void *data))
{
	int try;

	r->nlh->nlmsg_flags |= NLM_F_DUMP;
	if (opt.dry_run) {
		dry_run_print(r);
		return;
	}
	sock_open(true);
	for (try = 1; try <= DUMP_TRIES; try++) {
		struct rx rx = { .cb = cb, .data = data, .req = r };
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);

		if (!mem)
			die("open_memstream: %s", strerror(errno));
		out = mem;
		if (begin)
			begin(data);
		send_req(r);
		rx_run(&rx, sock.seq);
		if (end)
			end(data);
		out = stdout;
		if (fclose(mem))
			die("output buffer: %s", strerror(errno));
		if (rx.err) {
			free(buf);
			rx_report(&rx);
			exit(1);
		}
		if (!rx.intr || try == DUMP_TRIES) {
			if (rx.intr)
				warnx("warning: dump interrupted %d times by concurrent changes, output may be inconsistent",
				      DUMP_TRIES);
			fwrite(buf, 1, len, stdout);
			free(buf);
			return;
		}
		free(buf);
	}
}

void nl_monitor(msg_cb_t cb, void *data)
{
	struct rx rx = { .cb = cb, .data = data };
	int bufsz = 4 << 20;
	size_t i;

	if (opt.dry_run) {
		printf("monitor groups %s,%s,%s\n", grp_names[0], grp_names[1],
		       grp_names[2]);
		exit(0);
	}
	sock_open(true);
	setsockopt(mnl_socket_get_fd(sock.nl), SOL_SOCKET, SO_RCVBUF, &bufsz,
		   sizeof(bufsz));
	for (i = 0; i < ARRAY_SIZE(grp_names); i++) {
		if (!sock.grp[i]) {
			warnx("warning: multicast group '%s' not offered by the module",
			      grp_names[i]);
			continue;
		}
		if (mnl_socket_setsockopt(sock.nl, NETLINK_ADD_MEMBERSHIP,
					  &sock.grp[i], sizeof(sock.grp[i])) < 0)
			die("join multicast group '%s': %s", grp_names[i],
			    strerror(errno));
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(sock.nl, rxbuf, sizeof(rxbuf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				warnx("warning: events lost (receive buffer overrun)");
				continue;
			}
			die("netlink receive: %s", strerror(errno));
		}
		rx.done = false;
		rx_process(rxbuf, n, 0, &rx);
		fflush(stdout);
	}
}
