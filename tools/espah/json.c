// SPDX-License-Identifier: GPL-2.0
/*
 * espah tool: a tiny streaming JSON writer (compact output, to `out`).
 * Values are written as they come, so a dump of 100 000 SAs needs no tree
 * in memory. Nesting deeper than JW_DEPTH is a programming error.
 */
#include <inttypes.h>
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

/* Separator and key of the next value; @key is ignored inside arrays. */
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

void jw_begin_obj(const char *key)
{
	jw_member(key);
	jw_push('{');
}

void jw_begin_arr(const char *key)
{
	jw_member(key);
	jw_push('[');
}

void jw_end_obj(void)
{
	fputc('}', out);
	depth--;
}

void jw_end_arr(void)
{
	fputc(']', out);
	depth--;
}

void jw_str(const char *key, const char *val)
{
	jw_member(key);
	jw_escape(val);
}

void jw_u64(const char *key, uint64_t v)
{
	jw_member(key);
	fprintf(out, "%" PRIu64, v);
}

void jw_bool(const char *key, bool v)
{
	jw_member(key);
	fputs(v ? "true" : "false", out);
}

void jw_newline(void)
{
	fputc('\n', out);
	depth = 0;
	need_comma[0] = false;
}
