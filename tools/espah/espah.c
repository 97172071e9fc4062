// SPDX-License-Identifier: GPL-2.0
/*
 * espah: configure the espah IPsec module's SAD and SPD over generic
 * netlink, in the words of ip-xfrm(8). See espah(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "espah.h"

#define ESPAH_TOOL_VERSION "1"

struct opts opt;
FILE *out;
static unsigned long batch_line;

/*
 * Batch lines: the longest command (two keys of 512 bytes in hex, names,
 * selector) is a few KiB; a longer line is refused, not cut.
 */
#define BATCH_LINE_MAX 16384
#define BATCH_WORDS_MAX 256

static void msg_prefix(void)
{
	fputs("espah: ", stderr);
	if (batch_line)
		fprintf(stderr, "line %lu: ", batch_line);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	msg_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	msg_prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Syntax errors: same exit status as every other error, 1. */
void syntax(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	msg_prefix();
	fputs("syntax error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage_main(FILE *f)
{
	fprintf(f,
"Usage: espah [ OPTIONS ] OBJECT { COMMAND | help }\n"
"OBJECT := { state | policy | stats | features | monitor | help }\n"
"OPTIONS := { -s[tatistics] | -j[son] | -n[etns] NAME | -b[atch] FILE | --dry-run |\n"
"             -V[ersion] }\n"
"  -s         per-SA counters in \"state list\"\n"
"  -j         JSON output (one document; \"monitor\": one document per line)\n"
"  -n NAME    run in network namespace /run/netns/NAME\n"
"  -b FILE    read commands from FILE (\"-\": stdin), one per line; stop at\n"
"             the first error\n"
"  --dry-run  print the netlink request instead of sending it\n"
"             (also: environment ESPAH_DRY_RUN=1)\n"
"Exit status: 0 on success, 1 on any error (syntax or kernel).\n"
"See espah(8), \"espah state help\", \"espah policy help\".\n");
}

/*
 * "-n NAME": /run/netns/NAME, or NAME itself if it has a slash. Checked
 * when the option is read, so that a dry run refuses what a real run would.
 */
static const char *netns_path(const char *name)
{
	static char path[256];
	int n;

	if (!*name)
		syntax("netns name is empty");
	if (strchr(name, '/'))
		n = snprintf(path, sizeof(path), "%s", name);
	else
		n = snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (n < 0 || (size_t)n >= sizeof(path))
		syntax("netns name too long (%zu bytes, max %zu with its path)",
		       strlen(name), sizeof(path) - 1);
	return path;
}

static void enter_netns(const char *path)
{
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("netns %s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0)
		die("setns %s: %s", path, strerror(errno));
	close(fd);
}

static int dispatch(int argc, char **argv)
{
	struct args a;
	const char *obj = argv[0];

	a.argc = argc - 1;
	a.argv = argv + 1;
	a.ctx = obj;
	/* abbreviations as in ip(8): the first match in this order wins */
	if (matches(obj, "state") || !strcmp(obj, "sa"))
		return do_state(&a);
	if (matches(obj, "policy"))
		return do_policy(&a);
	if (matches(obj, "stats"))
		return do_stats(&a);
	if (matches(obj, "features"))
		return do_features(&a);
	if (matches(obj, "monitor"))
		return do_monitor(&a);
	if (matches(obj, "help")) {
		usage_main(stdout);
		return 0;
	}
	syntax("unknown object \"%s\" (try \"espah help\")", obj);
}

/* Split @line in place into words; quotes group, backslash escapes. */
static int split_line(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			break;
		if (argc == max)
			syntax("too many words (max %d)", max);
		argv[argc++] = w;
		while (*r && (quote || !strchr(" \t\n\r", *r))) {
			if (!quote && (*r == '\'' || *r == '"')) {
				quote = *r++;
			} else if (quote && *r == quote) {
				quote = 0;
				r++;
			} else if (*r == '\\' && r[1] && quote != '\'') {
				r++;
				*w++ = *r++;
			} else {
				*w++ = *r++;
			}
		}
		if (quote)
			syntax("unterminated quote");
		if (*r)
			r++;
		*w++ = '\0';
	}
	return argc;
}

/*
 * Read one line (without its newline) into @buf of BATCH_LINE_MAX + 1
 * bytes. Returns false at the end of the file. A line too long or with a
 * NUL byte is an error, not cut short: the rest of it would be lost.
 */
static bool read_line(FILE *f, const char *name, char *buf)
{
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (!c)
			syntax("NUL byte in the line");
		if (n == BATCH_LINE_MAX)
			syntax("line longer than %d bytes", BATCH_LINE_MAX);
		buf[n++] = c;
	}
	if (ferror(f))
		die("%s: %s", name, strerror(errno));
	buf[n] = '\0';
	return c != EOF || n;
}

/* ip -batch: one command per line, stop at the first error. */
static int do_batch(const char *name)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	static char line[BATCH_LINE_MAX + 1];

	if (!f)
		die("%s: %s", name, strerror(errno));
	for (;;) {
		char *argv[BATCH_WORDS_MAX];
		int argc;

		batch_line++;
		if (!read_line(f, name, line))
			break;
		argc = split_line(line, argv, ARRAY_SIZE(argv));
		if (argc)
			dispatch(argc, argv);
		/* the line may have held a key */
		explicit_bzero(line, sizeof(line));
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *env, *batch_file = NULL;

	out = stdout;
	env = getenv("ESPAH_DRY_RUN");
	if (env && *env && strcmp(env, "0"))
		opt.dry_run = true;

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		const char *o = argv[0];

		if (o[1] == '-')
			o++;	/* --json == -json */
		if (!strcmp(o, "-"))
			break;
		if (matches(o, "-Version")) {
			printf("espah tool %s (genl family \"%s\" version %d)\n",
			       ESPAH_TOOL_VERSION, ESPAH_GENL_NAME, ESPAH_GENL_VERSION);
			return 0;
		}
		if (matches(o, "-help")) {
			usage_main(stdout);
			return 0;
		}
		if (matches(o, "-statistics")) {
			opt.stats++;
		} else if (matches(o, "-json")) {
			opt.json = true;
		} else if (!strcmp(o, "-dry-run")) {
			opt.dry_run = true;
		} else if (matches(o, "-netns")) {
			if (argc < 2)
				syntax("option \"%s\" needs a namespace name", argv[0]);
			opt.netns = netns_path(argv[1]);
			argc--;
			argv++;
		} else if (matches(o, "-batch")) {
			if (argc < 2)
				syntax("option \"%s\" needs a file name", argv[0]);
			batch_file = argv[1];
			argc--;
			argv++;
		} else {
			syntax("unknown option \"%s\"", argv[0]);
		}
		argc--;
		argv++;
	}
	if (argc <= 0 && !batch_file) {
		usage_main(stderr);
		return 1;
	}
	if (batch_file && argc > 0)
		syntax("-batch takes no command on the command line (\"%s\")", argv[0]);
	if (opt.netns && !opt.dry_run)
		enter_netns(opt.netns);

	if (batch_file)
		return do_batch(batch_file);
	return dispatch(argc, argv);
}
