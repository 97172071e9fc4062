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
#include <sys/wait.h>
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
"OBJECT := { state | policy | stats | save | features | xfrm | monitor | help }\n"
"OPTIONS := { -s[tatistics] | -j[son] | -n[etns] NAME | -b[atch] FILE | --atomic |\n"
"             --dry-run | -V[ersion] }\n"
"  -s         per-SA counters in \"state list\"\n"
"  -j         JSON output (one document; \"monitor\": one document per line)\n"
"  -n NAME    run in network namespace /run/netns/NAME\n"
"  -b FILE    read commands from FILE (\"-\": stdin), one per line; stop at\n"
"             the first error\n"
"  --atomic   with -b: all or nothing: every line is parsed, then the batch\n"
"             is rehearsed in a scratch network namespace, then applied; on\n"
"             a failure SAs it added are deleted and the policies restored\n"
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
	if (!strcmp(obj, "save"))
		return do_save(&a);
	if (matches(obj, "features"))
		return do_features(&a);
	if (!strcmp(obj, "xfrm"))
		return do_xfrm(&a);
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
void run_batch(FILE *f, const char *name)
{
	static char line[BATCH_LINE_MAX + 1];

	batch_line = 0;
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
	batch_line = 0;
}

static int do_batch(const char *name)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;

	if (!f)
		die("%s: %s", name, strerror(errno));
	run_batch(f, name);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* --atomic                                                                */

enum stage { STAGE_PARSE, STAGE_REHEARSE, STAGE_APPLY, STAGE_CAPTURE_IDS,
	     STAGE_CAPTURE_POLICIES, STAGE_CAPTURE_KEYED };

struct text {
	char *buf;
	size_t len;
};

/*
 * Run one stage in a child process (die() ends a process, and a stage must
 * not end the batch): the batch @in, or a capture of the tables into @cap.
 * Returns the child's exit status.
 */
static int run_stage(enum stage st, const struct text *in, const char *name,
		     struct text *cap)
{
	int pfd[2] = { -1, -1 }, status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (cap && pipe(pfd) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		FILE *f;

		if (cap) {
			close(pfd[0]);
			dup2(pfd[1], STDOUT_FILENO);
		} else if (null >= 0) {
			dup2(null, STDOUT_FILENO);
		}
		switch (st) {
		case STAGE_PARSE:
			opt.dry_run = true;
			break;
		case STAGE_REHEARSE:
			if (unshare(CLONE_NEWNET) < 0)
				die("rehearsal: new network namespace: %s", strerror(errno));
			break;
		case STAGE_CAPTURE_IDS:
			save_print(SAVE_IDS, false);
			exit(0);
		case STAGE_CAPTURE_POLICIES:
			save_print(SAVE_POLICIES, false);
			exit(0);
		case STAGE_CAPTURE_KEYED:
			/* refused unless key_export is set: not an error */
			if (null >= 0)
				dup2(null, STDERR_FILENO);
			save_print(SAVE_SAS, true);
			exit(0);
		default:
			break;
		}
		if (!in->len)
			exit(0);
		f = fmemopen(in->buf, in->len, "r");
		if (!f)
			die("fmemopen: %s", strerror(errno));
		run_batch(f, name);
		fflush(stdout);
		exit(0);
	}
	if (cap) {
		FILE *m = open_memstream(&cap->buf, &cap->len);
		char chunk[4096];
		ssize_t n;

		close(pfd[1]);
		if (!m)
			die("open_memstream: %s", strerror(errno));
		while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
			fwrite(chunk, 1, n, m);
		close(pfd[0]);
		fclose(m);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split @t into its lines (in place), sorted; returns their count. */
static size_t text_lines(struct text *t, char ***lines)
{
	size_t n = 0, i;
	char *p, *save = NULL;

	for (i = 0; i < t->len; i++)
		n += t->buf[i] == '\n';
	*lines = calloc(n + 1, sizeof(char *));
	if (!*lines)
		die("out of memory");
	n = 0;
	for (p = strtok_r(t->buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
		(*lines)[n++] = p;
	qsort(*lines, n, sizeof(char *), cmp_str);
	return n;
}

static bool has_line(char **lines, size_t n, const char *s)
{
	return bsearch(&s, lines, n, sizeof(char *), cmp_str);
}

/* The "state add" line of the SA whose "state delete" line is @del, in
 * the keyed snapshot @keyed (sorted lines), or NULL.
 */
static const char *keyed_line(char **keyed, size_t nk, const char *del)
{
	const char *id = del + strlen("state delete ");
	size_t i, n = strlen(id);

	for (i = 0; i < nk; i++)
		if (!strncmp(keyed[i], "state add ", 10) &&
		    !strncmp(keyed[i] + 10, id, n) && keyed[i][10 + n] == ' ')
			return keyed[i];
	return NULL;
}

/*
 * Undo a failed batch: delete the SAs that were not there before, add back
 * those it deleted, and put the policy table back as it was (policies hold
 * no secrets: the snapshot has all of them). An SA the batch deleted comes
 * back only from the keyed snapshot, which the module gives only with
 * key_export set when the SA was added; an outbound one continues its
 * sequence numbers after the deleted SA's (the SAD remembers them). SAs
 * the batch updated keep the update. The rehearsal catches most of what
 * would come to this.
 */
static int rollback(struct text *ids_before, struct text *pols_before,
		    struct text *keyed_before)
{
	struct text now = { 0 }, undo = { 0 };
	char **before, **cur, **keyed = NULL;
	size_t nb, nc, nk = 0, i, gone = 0;
	const char *line;
	FILE *m;
	int rc;

	if (run_stage(STAGE_CAPTURE_IDS, NULL, NULL, &now)) {
		warnx("rollback: cannot list the SAs");
		return 1;
	}
	nb = text_lines(ids_before, &before);
	nc = text_lines(&now, &cur);
	if (keyed_before->len)
		nk = text_lines(keyed_before, &keyed);
	m = open_memstream(&undo.buf, &undo.len);
	if (!m)
		die("open_memstream: %s", strerror(errno));
	for (i = 0; i < nc; i++)
		if (!has_line(before, nb, cur[i]))
			fprintf(m, "%s\n", cur[i]);
	for (i = 0; i < nb; i++) {
		if (has_line(cur, nc, before[i]))
			continue;
		line = keyed_line(keyed, nk, before[i]);
		if (line && !strstr(line, KEY_PLACEHOLDER))
			fprintf(m, "%s\n", line);
		else
			gone++;
	}
	fwrite(pols_before->buf, 1, pols_before->len, m);
	fclose(m);
	rc = run_stage(STAGE_APPLY, &undo, "rollback", NULL);
	explicit_bzero(undo.buf, undo.len);
	if (gone)
		warnx("rollback: %zu SAs the batch deleted cannot be restored (their keys were not kept: module parameter key_export)",
		      gone);
	free(before);
	free(cur);
	free(keyed);
	free(now.buf);
	free(undo.buf);
	return rc;
}

static int do_atomic_batch(const char *name)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	struct text in = { 0 }, ids = { 0 }, pols = { 0 }, keyed = { 0 };
	FILE *m = open_memstream(&in.buf, &in.len);
	char chunk[4096];
	size_t n;
	int rc;

	if (!f)
		die("%s: %s", name, strerror(errno));
	if (!m)
		die("open_memstream: %s", strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (ferror(f))
		die("%s: %s", name, strerror(errno));
	explicit_bzero(chunk, sizeof(chunk));
	fclose(m);
	if (f != stdin)
		fclose(f);

	if (run_stage(STAGE_PARSE, &in, name, NULL))
		die("%s: not applied (syntax)", name);
	if (opt.dry_run)
		return 0;
	if (run_stage(STAGE_REHEARSE, &in, name, NULL))
		die("%s: not applied (refused in the rehearsal, a scratch network namespace)",
		    name);
	if (run_stage(STAGE_CAPTURE_IDS, NULL, NULL, &ids) ||
	    run_stage(STAGE_CAPTURE_POLICIES, NULL, NULL, &pols))
		die("%s: not applied (cannot save the current tables)", name);
	/* the SAs with their keys, if the module keeps them (key_export) */
	if (run_stage(STAGE_CAPTURE_KEYED, NULL, NULL, &keyed))
		keyed.len = 0;
	if (!run_stage(STAGE_APPLY, &in, name, NULL)) {
		explicit_bzero(in.buf, in.len);
		explicit_bzero(keyed.buf, keyed.len);
		return 0;
	}
	explicit_bzero(in.buf, in.len);
	rc = rollback(&ids, &pols, &keyed);
	explicit_bzero(keyed.buf, keyed.len);
	if (rc)
		die("%s: failed, and the rollback failed too: the tables are partly changed",
		    name);
	die("%s: failed; rolled back", name);
}

int main(int argc, char **argv)
{
	const char *env, *batch_file = NULL;
	bool atomic = false;

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
		} else if (!strcmp(o, "-atomic")) {
			atomic = true;
		} else if (!strcmp(o, "-dry-run")) {
			opt.dry_run = true;
		} else if (matches(o, "-netns")) {
			if (argc < 2)
				syntax("option \"%s\" needs a namespace name", argv[0]);
			opt.netns = netns_path(argv[1]);
			argc--;
			argv++;
		} else if (matches(o, "-batch")) {
			/* -batch --atomic FILE */
			if (argc > 2 &&
			    (!strcmp(argv[1], "--atomic") || !strcmp(argv[1], "-atomic"))) {
				atomic = true;
				argc--;
				argv++;
			}
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

	if (atomic && !batch_file)
		syntax("--atomic goes with -batch FILE");
	if (batch_file)
		return atomic ? do_atomic_batch(batch_file) : do_batch(batch_file);
	return dispatch(argc, argv);
}
