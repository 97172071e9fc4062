// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: lexical helpers (numbers, addresses, keys, names) and the
 * "is this address ours" check used to pick an SA's direction.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "espah.h"

/* ip(8)-style abbreviation: @word is a non-empty prefix of @full. */
bool matches(const char *word, const char *full)
{
	size_t n = strlen(word);

	return n && strncmp(word, full, n) == 0;
}

const char *next_arg(struct args *a, const char *what)
{
	if (a->argc <= 0)
		syntax("%s: missing %s", a->ctx, what);
	a->argc--;
	return *a->argv++;
}

/* The command takes no (more) words. */
void no_args(struct args *a)
{
	if (a->argc > 0)
		syntax("%s: unknown word \"%s\"", a->ctx, a->argv[0]);
}

bool peek_is(const struct args *a, const char *word)
{
	return a->argc > 0 && strcmp(a->argv[0], word) == 0;
}

static uint64_t parse_num(const char *s, const char *what, uint64_t max)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		syntax("invalid %s \"%s\"", what, s);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		syntax("invalid %s \"%s\"", what, s);
	if (v > max)
		syntax("%s \"%s\" out of range (max %" PRIu64 ")", what, s, max);
	return v;
}

uint64_t parse_u64(const char *s, const char *what)
{
	return parse_num(s, what, UINT64_MAX);
}

uint32_t parse_u32(const char *s, const char *what)
{
	return parse_num(s, what, UINT32_MAX);
}

/*
 * ip xfrm's "mark V[/M]" and "mark V mask M" (also output-mark): the
 * value and its mask (0xffffffff when not given). The module judges the
 * pair (a mask of 0 with a value, value bits outside the mask), so that
 * its message names the attribute.
 */
void parse_mark_arg(struct args *a, const char *what, struct mark *m)
{
	const char *s = next_arg(a, what);
	char buf[64], what_mask[48];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		syntax("%s \"%s\": too long", what, s);
	snprintf(what_mask, sizeof(what_mask), "%s mask", what);
	strcpy(buf, s);
	m->m = 0xffffffff;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		m->m = parse_u32(slash + 1, what_mask);
	} else if (peek_is(a, "mask")) {
		next_arg(a, what_mask);
		m->m = parse_u32(next_arg(a, what_mask), what_mask);
	}
	m->v = parse_u32(buf, what);
	m->set = true;
}

uint16_t parse_u16(const char *s, const char *what)
{
	return parse_num(s, what, UINT16_MAX);
}

uint8_t parse_u8(const char *s, const char *what)
{
	return parse_num(s, what, UINT8_MAX);
}

static bool try_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		a->len = 4;
	} else if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		a->len = 16;
	} else {
		return false;
	}
	a->plen = a->len * 8;
	return true;
}

void parse_addr(const char *s, const char *what, struct addr *a)
{
	if (!try_addr(s, a))
		syntax("invalid %s address \"%s\"", what, s);
}

/* ADDR[/PLEN], or "any"/"default" (family decided later). */
void parse_prefix(const char *s, const char *what, struct addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;

	if (!strcmp(s, "any") || !strcmp(s, "default") || !strcmp(s, "all")) {
		memset(a, 0, sizeof(*a));
		return;
	}
	if (strlen(s) >= sizeof(buf))
		syntax("invalid %s prefix \"%s\"", what, s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!try_addr(buf, a))
		syntax("invalid %s prefix \"%s\"", what, s);
	if (slash) {
		char *end;
		unsigned long p;

		/* digits only: strtoul() would take " 8", "+8" and "-0" */
		if (!isdigit((unsigned char)slash[1]))
			syntax("invalid %s prefix length in \"%s\"", what, s);
		errno = 0;
		p = strtoul(slash + 1, &end, 10);
		if (*end || errno || p > a->len * 8U)
			syntax("invalid %s prefix length in \"%s\" (max %u)", what, s,
			       a->len * 8U);
		a->plen = p;
	}
}

static const struct {
	const char *name;
	uint8_t num;
} upper_protos[] = {
	{ "any", 0 },	{ "icmp", 1 },	{ "igmp", 2 },	{ "ipip", 4 },
	{ "tcp", 6 },	{ "udp", 17 },	{ "ipv6", 41 },	{ "gre", 47 },
	{ "esp", 50 },	{ "ah", 51 },	{ "ipv6-icmp", 58 }, { "icmpv6", 58 },
	{ "sctp", 132 }, { "dccp", 33 }, { "udplite", 136 },
	{ "mobility-header", 135 }, { "comp", 108 },
};

uint8_t parse_upper_proto(const char *s)
{
	struct protoent *pe;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(upper_protos); i++)
		if (!strcmp(s, upper_protos[i].name))
			return upper_protos[i].num;
	if (isdigit((unsigned char)*s))
		return parse_u8(s, "protocol");
	pe = getprotobyname(s);
	if (!pe || pe->p_proto < 0 || pe->p_proto > 255)
		syntax("unknown protocol \"%s\"", s);
	return pe->p_proto;
}

const char *upper_proto_name(uint8_t p, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(upper_protos); i++)
		if (upper_protos[i].num == p)
			return upper_protos[i].name;
	snprintf(buf, len, "%u", p);
	return buf;
}

uint8_t parse_ipsec_proto(const char *s)
{
	if (!strcmp(s, "esp"))
		return IPPROTO_ESP;
	if (!strcmp(s, "ah"))
		return IPPROTO_AH;
	if (!strcmp(s, "comp") || !strcmp(s, "route2") || !strcmp(s, "hao"))
		syntax("proto \"%s\" is not supported by espah (esp or ah)", s);
	syntax("invalid proto \"%s\" (expected esp or ah)", s);
}

const char *ipsec_proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	default:
		return "?";
	}
}

uint8_t parse_mode(const char *s)
{
	if (!strcmp(s, "transport"))
		return ESPAH_MODE_TRANSPORT;
	if (!strcmp(s, "tunnel"))
		return ESPAH_MODE_TUNNEL;
	if (!strcmp(s, "beet") || !strcmp(s, "ro") || !strcmp(s, "in_trigger"))
		syntax("mode \"%s\" is not supported by espah (transport or tunnel)", s);
	syntax("invalid mode \"%s\" (expected transport or tunnel)", s);
}

const char *mode_name(uint8_t m)
{
	return m == ESPAH_MODE_TUNNEL ? "tunnel" :
	       m == ESPAH_MODE_TRANSPORT ? "transport" : "?";
}

const char *df_name(uint8_t df)
{
	switch (df) {
	case ESPAH_DF_COPY:
		return "copy";
	case ESPAH_DF_CLEAR:
		return "clear";
	case ESPAH_DF_SET:
		return "set";
	}
	return "?";
}

const char *dir_name(uint8_t d)
{
	switch (d) {
	case ESPAH_DIR_IN:
		return "in";
	case ESPAH_DIR_OUT:
		return "out";
	case ESPAH_DIR_FWD:
		return "fwd";
	default:
		return "?";
	}
}

const char *family_name(uint16_t f)
{
	return f == AF_INET ? "inet" : f == AF_INET6 ? "inet6" : "unspec";
}

const char *addr_ntop(uint16_t family, const void *raw, size_t len, char *buf,
		      size_t buflen)
{
	if (!family)
		family = len == 16 ? AF_INET6 : AF_INET;
	if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)) {
		if (inet_ntop(family, raw, buf, buflen))
			return buf;
	}
	snprintf(buf, buflen, "?");
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * ALGO-KEYMAT as ip-xfrm(8) takes it: "0x" followed by an even number of hex
 * digits, or any other string used verbatim as the key bytes ("" is the
 * empty key of a null algorithm).
 */
size_t parse_key(const char *s, const char *what, uint8_t *key, size_t max)
{
	size_t n, i;

	if (!strcmp(s, KEY_PLACEHOLDER))
		syntax("%s key is the placeholder \"%s\" of \"espah save\": put the key there",
		       what, KEY_PLACEHOLDER);
	/* as ip-xfrm(8): "0x" alone is not hex but the two bytes "0x" */
	if (strlen(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n = strlen(s);
		if (n % 2)
			syntax("invalid %s key: odd number of hex digits", what);
		if (n / 2 > max)
			syntax("%s key too long (max %zu bytes)", what, max);
		for (i = 0; i < n / 2; i++) {
			int hi = hexval((unsigned char)s[2 * i]);
			int lo = hexval((unsigned char)s[2 * i + 1]);

			if (hi < 0 || lo < 0)
				syntax("invalid %s key: bad hex digit", what);
			key[i] = hi << 4 | lo;
		}
		return n / 2;
	}
	n = strlen(s);
	if (n > max)
		syntax("%s key too long (max %zu bytes)", what, max);
	memcpy(key, s, n);
	return n;
}

/*
 * An algorithm name goes to the kernel as it is; one longer than the
 * kernel takes is refused here, by name, rather than by the kernel's
 * attribute policy.
 */
const char *check_alg_name(const char *s, const char *what)
{
	size_t n = strlen(s);

	if (!n)
		syntax("%s name is empty", what);
	if (n > ALG_NAME_MAX)
		syntax("%s name too long (%zu bytes, max %d): \"%.*s...\"", what, n,
		       ALG_NAME_MAX, 32, s);
	return s;
}

/* "limit ..." words of ip-xfrm(8): recognised, then refused. */
void reject_limit(struct args *a)
{
	static const char *const words[] = {
		"time-soft", "time-hard", "time-use-soft", "time-use-hard",
		"byte-soft", "byte-hard", "packet-soft", "packet-hard",
	};
	const char *w = next_arg(a, "limit type");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(w, words[i]))
			break;
	if (i == ARRAY_SIZE(words))
		syntax("invalid limit \"%s\"", w);
	parse_u64(next_arg(a, "limit value"), w);
	die("limit %s: lifetimes are not supported yet", w);
}

/* Is @a assigned to an interface of the current network namespace? */
bool addr_is_local(const struct addr *a)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		die("getifaddrs: %s", strerror(errno));
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
			continue;
		if (a->family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)i->ifa_addr;

			found = !memcmp(&sin->sin_addr, a->bytes, 4);
		} else {
			const struct sockaddr_in6 *sin6 = (const void *)i->ifa_addr;

			found = !memcmp(&sin6->sin6_addr, a->bytes, 16);
		}
	}
	freeifaddrs(ifa);
	return found;
}
