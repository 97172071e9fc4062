// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: output. Every object has one printer that says each value
 * once, with its JSON key and its text format (the way iproute2's
 * print_uint(PRINT_ANY, ...) does); the mode (-j or not) picks which of the
 * two is written. JSON goes through a tiny streaming writer (compact, to
 * `out`): values are written as they come, so a dump of 100 000 SAs needs
 * no tree in memory. Nesting deeper than JW_DEPTH is a programming error.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "espah.h"

#define JW_DEPTH 16

static int depth;
static bool need_comma[JW_DEPTH];

static void jw_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* Separator and key of the next value; @key is NULL inside arrays. */
static void jw_member(const char *key)
{
	if (need_comma[depth])
		fputc(',', out);
	need_comma[depth] = true;
	if (key) {
		jw_escape(key);
		fputc(':', out);
	}
}

static void jw_push(char c)
{
	fputc(c, out);
	if (++depth >= JW_DEPTH) {
		fprintf(stderr, "espah: internal error: JSON nesting too deep\n");
		abort();
	}
	need_comma[depth] = false;
}

static void jw_pop(char c)
{
	fputc(c, out);
	depth--;
}

/* Is a value for @to written in the current mode? */
static bool here(enum print_to to)
{
	return to & (opt.json ? PRINT_JSON : PRINT_TEXT);
}

void open_obj(const char *key)
{
	if (opt.json) {
		jw_member(key);
		jw_push('{');
	}
}

void close_obj(void)
{
	if (opt.json)
		jw_pop('}');
}

void open_arr(const char *key)
{
	if (opt.json) {
		jw_member(key);
		jw_push('[');
	}
}

void close_arr(void)
{
	if (opt.json)
		jw_pop(']');
}

void print_str(enum print_to to, const char *key, const char *fmt, const char *v)
{
	if (!here(to))
		return;
	if (opt.json) {
		jw_member(key);
		jw_escape(v);
	} else if (fmt) {
		fprintf(out, fmt, v);
	}
}

void print_u64(enum print_to to, const char *key, const char *fmt, uint64_t v)
{
	if (!here(to))
		return;
	if (opt.json) {
		jw_member(key);
		fprintf(out, "%" PRIu64, v);
	} else if (fmt) {
		fprintf(out, fmt, v);
	}
}

void print_named_u64(const char *fmt, const char *key, uint64_t v)
{
	if (opt.json) {
		jw_member(key);
		fprintf(out, "%" PRIu64, v);
	} else {
		fprintf(out, fmt, key, v);
	}
}

void print_bool(enum print_to to, const char *key, const char *fmt, bool v)
{
	if (!here(to))
		return;
	if (opt.json) {
		jw_member(key);
		fputs(v ? "true" : "false", out);
	} else if (fmt) {
		fprintf(out, fmt, v);
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (opt.json)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

void print_nl(void)
{
	if (!opt.json)
		fputc('\n', out);
}

void print_end_doc(void)
{
	if (!opt.json)
		return;
	fputc('\n', out);
	depth = 0;
	need_comma[0] = false;
}

/* A dump's begin and end: one JSON array of the objects. */
void print_list_begin(void *data)
{
	(void)data;
	open_arr(NULL);
}

void print_list_end(void *data)
{
	(void)data;
	close_arr();
	print_end_doc();
}

/*
 * A mark attribute pair as ip xfrm prints it, FMT with "0x%x/0x%x" (text),
 * or an object KEY { "value", "mask" } (JSON); nothing if absent.
 */
void print_mark(const struct nlattr **tb, unsigned int v, unsigned int m,
		const char *key, const char *fmt)
{
	uint32_t val, mask;

	if (!tb[v])
		return;
	val = mnl_attr_get_u32(tb[v]);
	mask = tb[m] ? mnl_attr_get_u32(tb[m]) : 0xffffffff;
	if (opt.json) {
		open_obj(key);
		print_u64(PRINT_JSON, "value", NULL, val);
		print_u64(PRINT_JSON, "mask", NULL, mask);
		close_obj();
		return;
	}
	fprintf(out, fmt, val, mask);
}
