/* vhost-cts: conformance test suite for vhost implementations. */
#include "harness/cli.h"
#include "vcts/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "check", cmd_check, "judge recorded sessions against the rule catalog" },
	{ "decode", cmd_decode, "print a recorded session as a table of messages" },
	{ "rules", cmd_rules, "list the rule catalog" },
	{ "convert", cmd_convert, "write a recording in the native capture format" },
	{ "serve", cmd_serve, "fake vhost-user back-end: judge a real front-end live" },
	{ "drive", cmd_drive, "fake front-end: drive a real back-end through every scenario" },
	{ "fuzz-backend", cmd_fuzz_backend, "fake front-end: mutated request sequences against a real back-end" },
	{ "report", cmd_report, "render JSON reports of several implementations as a conformance matrix" },
	{ "certify", cmd_certify, "certify a vhost-vdpa device (VDPA-DEV sequence)" },
	{ "fuzz-device", cmd_fuzz_device, "mutated vhost-vdpa call sequences against a real device (kernel bugs, pinned-page leaks)" },
	{ "vdpa-fake", cmd_vdpa_fake, "fake vDPA device over CUSE: judge a vhost-vdpa client live" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vhost-cts COMMAND [OPTIONS] ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'vhost-cts COMMAND --help' for a command's options.\n"
		   "exit status: 0 clean, 1 conformance findings, 2 usage or input error\n");
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("vhost-cts: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int64_t cli_parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno)
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end || v > ((unsigned long long)INT64_MAX >> shift))
		return -1;
	return (int64_t)(v << shift);
}

int cli_load(struct vc_trace *t, const char *path, enum vc_format fmt, uint64_t max_input)
{
	return cli_load_stream(t, path, fmt, max_input, NULL);
}

int cli_load_stream(struct vc_trace *t, const char *path, enum vc_format fmt, uint64_t max_input,
		    const struct vc_event_sink *sink)
{
	struct vc_error err = { 0 };
	char msg[1024];
	if (vc_trace_load_stream(t, path, fmt, max_input, sink, &err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", vc_error_str(&err, msg, sizeof msg));
		return -1;
	}
	for (size_t i = 0; i < t->nwarnings; i++)
		fprintf(stderr, "vhost-cts: warning: %s\n", t->warnings[i]);
	if (t->warnings_total > t->nwarnings)
		fprintf(stderr, "vhost-cts: warning: %s: %llu more warnings not shown\n", path,
			(unsigned long long)(t->warnings_total - t->nwarnings));
	return 0;
}

int cli_write_reports(const char *json, const char *junit, const struct vc_results *res,
		      const struct vc_report_meta *meta)
{
	char err[512];
	int rc = 0;
	if (json && vc_report_json(json, res, meta, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", err);
		rc = -1;
	}
	if (junit && vc_report_junit(junit, res, meta, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", err);
		rc = -1;
	}
	return rc;
}

/* Everything the command printed must have reached stdout: a report cut
 * short (disk full, closed pipe) is an error, never a success. */
static int finish(int rc)
{
	errno = 0;
	bool bad = fflush(stdout) != 0;
	int e = errno;
	/* Not fclose: atexit handlers (the vDPA shim's, when this process
	 * hosts it) may still write a report there. */
	bad |= ferror(stdout) != 0;
	if (bad) {
		fprintf(stderr, "vhost-cts: stdout: write failed: %s\n", e ? strerror(e) : "an earlier write failed");
		return EXIT_USAGE;
	}
	return rc;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vhost-cts %s\n", VCTS_VERSION);
		return EXIT_CLEAN;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	usage(stderr);
	return cli_usage_error("unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
	return finish(dispatch(argc, argv));
}
