/* SPDX-License-Identifier: GPL-2.0 */
/*
 * espah: user-space tool for the espah generic netlink family.
 * Shared declarations of the tool's translation units.
 */
#ifndef ESPAH_TOOL_H
#define ESPAH_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/espah.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Like mnl_attr_for_each_payload(), with a named cursor. */
#define for_each_attr(na, payload, len)					\
	for ((na) = (const struct nlattr *)(payload);			\
	     mnl_attr_ok((na), (const char *)(payload) + (len) -	\
			 (const char *)(na));				\
	     (na) = mnl_attr_next(na))

/* ---- global options (espah.c) ---- */
struct opts {
	int stats;	/* -s, repeatable */
	bool json;	/* -j */
	bool dry_run;	/* --dry-run or ESPAH_DRY_RUN=1 */
	const char *netns;
};

extern struct opts opt;

/* Output stream: stdout, or a memory buffer while a dump may be retried. */
extern FILE *out;

/* ---- diagnostics (espah.c) ---- */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void syntax(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- argument cursor and lexical helpers (parse.c) ---- */
struct args {
	int argc;
	char **argv;
	const char *ctx;	/* "state add", for messages */
};

bool matches(const char *word, const char *full);
const char *next_arg(struct args *a, const char *what);
bool peek_is(const struct args *a, const char *word);
void no_args(struct args *a);

/* An address or prefix: family 0 means "any" of the family yet unknown. */
struct addr {
	uint16_t family;	/* AF_INET, AF_INET6 or 0 */
	uint8_t len;		/* 4 or 16 bytes */
	uint8_t plen;
	uint8_t bytes[16];
};

struct selector {
	struct addr src, dst;
	bool has_src, has_dst, has_proto;
	bool has_sport, has_dport, has_type, has_code;
	uint8_t proto;
	uint16_t sport, sport_max;	/* ICMP: type */
	uint16_t dport, dport_max;	/* ICMP: code */
};

/* selectors (sel.c) */
struct req;
bool parse_sel_word(struct args *a, struct selector *s);
void check_sel(const struct selector *s);
void req_put_selector(struct req *r, uint16_t type, const struct selector *s,
		      uint16_t default_family);

void parse_addr(const char *s, const char *what, struct addr *a);
void parse_prefix(const char *s, const char *what, struct addr *a);
uint32_t parse_u32(const char *s, const char *what);

/* a mark and its mask, as given ("mark V[/M]") */
struct mark {
	uint32_t v;
	uint32_t m;
	bool set;
};

void parse_mark_arg(struct args *a, const char *what, struct mark *m);
void put_mark(struct req *r, unsigned int v, unsigned int m,
	      const struct mark *mk);
void print_mark(const struct nlattr **tb, unsigned int v, unsigned int m,
		const char *key, const char *fmt);
uint64_t parse_u64(const char *s, const char *what);
uint16_t parse_u16(const char *s, const char *what);
uint8_t parse_u8(const char *s, const char *what);
uint8_t parse_ipsec_proto(const char *s);
uint8_t parse_upper_proto(const char *s);
uint8_t parse_mode(const char *s);
size_t parse_key(const char *s, const char *what, uint8_t *key, size_t max);
const char *check_alg_name(const char *s, const char *what);
void reject_limit(struct args *a);
bool addr_is_local(const struct addr *a);

const char *ipsec_proto_name(uint8_t p);
const char *upper_proto_name(uint8_t p, char *buf, size_t len);
const char *mode_name(uint8_t m);
const char *df_name(uint8_t df);
const char *dir_name(uint8_t d);
const char *family_name(uint16_t f);
const char *addr_ntop(uint16_t family, const void *raw, size_t len, char *buf,
		      size_t buflen);

/* ---- requests (attr.c) and netlink plumbing (nl.c) ---- */
#define REQ_BUF_SIZE 8192
/*
 * Longest algorithm name (without its NUL) the kernel takes in
 * ESPAH_A_SA_AEAD, _ENC and _AUTH: its NLA_NUL_STRING policy length.
 */
#define ALG_NAME_MAX 63

struct req {
	char buf[REQ_BUF_SIZE];
	struct nlmsghdr *nlh;
	uint8_t cmd;
};

typedef int (*msg_cb_t)(const struct nlmsghdr *nlh, void *data);

void req_init(struct req *r, uint8_t cmd, uint16_t flags);
/*
 * Attribute writers: each checks that the attribute fits in the request
 * buffer and exits with an error if not, instead of writing past it.
 */
void req_put(struct req *r, uint16_t type, size_t len, const void *data);
void req_put_u8(struct req *r, uint16_t type, uint8_t v);
void req_put_u16(struct req *r, uint16_t type, uint16_t v);
void req_put_u32(struct req *r, uint16_t type, uint32_t v);
void req_put_u64(struct req *r, uint16_t type, uint64_t v);
void req_put_strz(struct req *r, uint16_t type, const char *s);
struct nlattr *req_nest_start(struct req *r, uint16_t type);
void req_put_addr(struct req *r, uint16_t type, const struct addr *a);

/*
 * nl.c (replay.c in espah-replay, the printers' self-test).
 * Send @r (ACK requested) and feed every reply message to @cb. Exits on an
 * error reported by the kernel. In dry-run mode, prints the request instead.
 */
void nl_transact(struct req *r, msg_cb_t cb, void *data);
/*
 * Dump with retries on NLM_F_DUMP_INTR; @begin is called before each
 * attempt (e.g. to reset the output), output goes to `out`.
 */
void nl_dump(struct req *r, msg_cb_t cb, void *data,
	     void (*begin)(void *data), void (*end)(void *data));
/* Subscribe to the multicast groups and call @cb for every event; never returns. */
void nl_monitor(msg_cb_t cb, void *data) __attribute__((noreturn));

/* ---- attributes (attr.c) ---- */
/* Attribute description, for validation, dry-run printing and debugging. */
enum atype {
	AT_NONE, AT_U8, AT_U16, AT_U32, AT_U64, AT_BE16, AT_BE32,
	AT_STR, AT_BIN, AT_ADDR, AT_KEY, AT_NEST, AT_FLAG,
};

struct adesc {
	const char *name;
	enum atype type;
	const struct adesc *nest;
	unsigned int nest_max;
};

extern const struct adesc top_attrs[ESPAH_A_MAX + 1];
extern const struct adesc sel_attrs[ESPAH_SEL_MAX + 1];
extern const struct adesc tmpl_attrs[ESPAH_TMPL_MAX + 1];
extern const struct adesc encap_attrs[ESPAH_ENCAP_MAX + 1];
extern const struct adesc mapping_attrs[ESPAH_MAPPING_MAX + 1];
extern const struct adesc sa_stat_attrs[ESPAH_SA_STAT_MAX + 1];
extern const struct adesc stat_attrs[ESPAH_STAT_MAX + 1];
extern const struct adesc alg_attrs[ESPAH_ALG_MAX + 1];
extern const struct adesc lft_attrs[ESPAH_LFT_MAX + 1];
extern const struct adesc reorder_attrs[ESPAH_REORDER_ATTR_MAX + 1];
const char *cmd_name(unsigned int cmd);

/*
 * Fill @tb (size @max + 1) from the attributes in [@payload, +@len), after
 * checking each known attribute's length against @desc. Unknown or malformed
 * attributes are skipped (malformed ones with a warning).
 */
void attrs_parse(const void *payload, size_t len, const struct adesc *desc,
		 unsigned int max, const struct nlattr **tb);
void attrs_parse_nest(const struct nlattr *nest, const struct adesc *desc,
		      unsigned int max, const struct nlattr **tb);
void attrs_parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb);
void attrs_print(FILE *f, const void *payload, size_t len,
		 const struct adesc *desc, unsigned int max, int indent);
uint8_t genl_cmd(const struct nlmsghdr *nlh);

/* ---- output (print.c) ---- */
/*
 * Where a value goes: text, JSON or both. Each call names the value once,
 * with its JSON key and its text format; the mode (opt.json) picks one.
 */
enum print_to {
	PRINT_TEXT = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_TEXT | PRINT_JSON,
};

void open_obj(const char *key);		/* JSON only; @key NULL in arrays */
void close_obj(void);
void open_arr(const char *key);		/* JSON only */
void close_arr(void);
void print_str(enum print_to to, const char *key, const char *fmt, const char *v);
void print_u64(enum print_to to, const char *key, const char *fmt, uint64_t v);
void print_bool(enum print_to to, const char *key, const char *fmt, bool v);
/* both: text fprintf(@fmt, @key, @v), JSON "key":v (counters, limits) */
void print_named_u64(const char *fmt, const char *key, uint64_t v);
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_nl(void);		/* text only */
void print_end_doc(void);	/* JSON: ends a top-level document */
void print_list_begin(void *data);	/* nl_dump() begin/end: a JSON array */
void print_list_end(void *data);

/* ---- commands, each with its usage text ---- */
int do_state(struct args *a);
int do_policy(struct args *a);
int do_stats(struct args *a);
int do_features(struct args *a);
int do_monitor(struct args *a);
int do_save(struct args *a);
int do_xfrm(struct args *a);
/* save.c: print to stdout; SAVE_IDS: "state delete ID" for every SA */
enum save_what { SAVE_ALL, SAVE_SAS, SAVE_POLICIES, SAVE_IDS };
void save_print(enum save_what what, bool keys);

/* what "espah save" prints for a key; parse_key() refuses it */
#define KEY_PLACEHOLDER "@KEY@"

/* ---- batches (espah.c) ---- */
/* Run the commands of @f, one per line; exits at the first error. */
void run_batch(FILE *f, const char *name);

/* ---- SA reorder statistics (state.c) ---- */
/* Fill @hist (ESPAH_REORDER_BUCKETS) from the nest; returns the bucket count. */
unsigned int reorder_get(const struct nlattr *nest, uint64_t *max, uint64_t *hist);
extern const char *const reorder_names[ESPAH_REORDER_BUCKETS];

/* ---- printers of the objects, shared with "monitor" ---- */
/* @prefix: text before the first line ("Added " in monitor), or NULL */
void print_sa(const struct nlattr **tb, const char *prefix);
/* @nlh: the message, for its repeated ESPAH_A_POL_TMPL attributes */
void print_policy(const struct nlmsghdr *nlh, const struct nlattr **tb,
		  const char *prefix);
void print_sel(const struct nlattr *nest, uint16_t family);

#endif /* ESPAH_TOOL_H */
