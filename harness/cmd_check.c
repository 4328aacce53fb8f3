/* vhost-cts check: judge recordings, print per-rule verdicts, write reports. */
#include "harness/cli.h"
#include "vcts/engine.h"
#include "vcts/report.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts check [OPTIONS] FILE...\n"
		"  --format auto|strace|qemu-trace|native   input format (default auto)\n"
		"  --strict            SHOULD findings fail the run too\n"
		"  --rules GLOB[,GLOB] only rules whose ID matches (e.g. 'VU-RING-*')\n"
		"  --waive FILE        rule IDs (globs) to waive, one per line, '#' comments\n"
		"  --json FILE         JSON report ('-' for stdout)\n"
		"  --junit FILE        JUnit XML report ('-' for stdout)\n"
		"  --queues N          queue count to judge ring indexes by when the trace has none\n"
		"  --max-input SIZE    largest input file read (default 512M)\n"
		"  -v, --verbose       also list rules that were not applicable\n"
		"  -q, --quiet         print only the summary\n");
}

/* Waiver file: "RULE-GLOB [reason...]" per line. */
static int load_waivers(const char *path, char ***out, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cli_usage_error("%s: cannot open waiver file: %m", path);
	char line[1024];
	unsigned long ln = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return cli_usage_error("%s:%lu: line too long", path, ln);
		}
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		char *e = p;
		while (*e && !isspace((unsigned char)*e))
			e++;
		*e = '\0';
		bool matches = false;
		for (unsigned r = 0; r < VC_RULE_COUNT && !matches; r++) {
			struct vc_engine_opts o = { .rules_glob = p };
			matches = vc_rule_enabled(&o, r);
		}
		if (!matches) {
			fclose(f);
			return cli_usage_error("%s:%lu: '%s' matches no rule ID", path, ln, p);
		}
		*out = realloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = strdup(p);
	}
	fclose(f);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, 0, 'f' }, { "strict", no_argument, 0, 's' },
		{ "rules", required_argument, 0, 'r' },  { "waive", required_argument, 0, 'w' },
		{ "json", required_argument, 0, 'j' },   { "junit", required_argument, 0, 'u' },
		{ "queues", required_argument, 0, 'Q' }, { "max-input", required_argument, 0, 'm' },
		{ "verbose", no_argument, 0, 'v' },      { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },         { 0, 0, 0, 0 },
	};
	int fmt = VC_FMT_AUTO;
	bool strict = false, verbose = false, quiet = false;
	const char *rules = NULL, *json = NULL, *junit = NULL;
	char **waive = NULL;
	size_t nwaive = 0;
	int64_t max_input = 0, queues = 0;
	int rc = EXIT_USAGE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = vc_format_by_name(optarg);
			if (fmt < 0) {
				cli_usage_error("check: unknown --format '%s'", optarg);
				goto out;
			}
			break;
		case 's': strict = true; break;
		case 'r': rules = optarg; break;
		case 'w':
			if (load_waivers(optarg, &waive, &nwaive))
				goto out;
			break;
		case 'j': json = optarg; break;
		case 'u': junit = optarg; break;
		case 'Q':
			queues = cli_parse_size(optarg);
			if (queues <= 0 || queues > 65536) {
				cli_usage_error("check: --queues wants 1..65536, got '%s'", optarg);
				goto out;
			}
			break;
		case 'm':
			max_input = cli_parse_size(optarg);
			if (max_input <= 0) {
				cli_usage_error("check: bad --max-input '%s'", optarg);
				goto out;
			}
			break;
		case 'v': verbose = true; break;
		case 'q': quiet = true; break;
		case 'h': check_usage(stdout); rc = EXIT_CLEAN; goto out;
		default: check_usage(stderr); goto out;
		}
	}
	if (optind >= argc) {
		check_usage(stderr);
		cli_usage_error("check: no input files");
		goto out;
	}
	if (rules) {
		bool any = false;
		struct vc_engine_opts o = { .rules_glob = rules };
		for (unsigned r = 0; r < VC_RULE_COUNT && !any; r++)
			any = vc_rule_enabled(&o, r);
		if (!any) {
			cli_usage_error("check: --rules '%s' matches no rule", rules);
			goto out;
		}
	}
	struct vc_engine_opts eo = {
		.strict = strict, .rules_glob = rules, .waive = (const char *const *)waive,
		.nwaive = nwaive, .queue_count = (uint32_t)queues,
	};
	struct vc_engine *eng = vc_engine_new(&eo);
	/* Every input is loaded before any verdict: a bad file is exit 2
	 * with no partial report. */
	int ninputs = argc - optind;
	struct vc_trace *traces = calloc((size_t)ninputs, sizeof *traces);
	for (int i = 0; i < ninputs; i++) {
		if (cli_load(&traces[i], argv[optind + i], (enum vc_format)fmt, (uint64_t)max_input)) {
			for (int k = 0; k <= i; k++)
				vc_trace_free(&traces[k]);
			free(traces);
			vc_engine_free(eng);
			goto out;
		}
	}
	for (int i = 0; i < ninputs; i++) {
		struct vc_trace *t = &traces[i];
		uint32_t *ids = calloc(t->nsessions + 1, sizeof *ids);
		for (size_t s = 0; s < t->nsessions; s++)
			ids[s] = vc_engine_add_session(eng, &t->sessions[s]);
		for (size_t k = 0; k < t->nevents; k++) {
			struct vc_event ev = t->events[k];
			if (ev.session >= t->nsessions)
				continue;
			ev.session = ids[ev.session];
			vc_engine_feed(eng, &ev);
		}
		for (size_t s = 0; s < t->nsessions; s++)
			vc_engine_end_session(eng, ids[s]);
		free(ids);
	}
	const struct vc_results *res = vc_engine_finish(eng);
	struct vc_report_meta meta = {
		.tool = "vhost-cts check", .version = VCTS_VERSION,
		.inputs = (const char *const *)(argv + optind), .ninputs = (size_t)ninputs,
		.strict = strict,
	};
	char err[512];
	rc = vc_results_exit_status(res, strict);
	bool stdout_report = (json && !strcmp(json, "-")) || (junit && !strcmp(junit, "-"));
	if (!stdout_report) {
		if (quiet) {
			/* Summary only: print into a buffer and keep the last lines. */
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);
			vc_report_text(m, res, &meta, false);
			fclose(m);
			char *s = strstr(buf, "summary:");
			fputs(s ? s : buf, stdout);
			free(buf);
		} else {
			vc_report_text(stdout, res, &meta, verbose);
		}
	}
	if (json && vc_report_json(json, res, &meta, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", err);
		rc = EXIT_USAGE;
	}
	if (junit && vc_report_junit(junit, res, &meta, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", err);
		rc = EXIT_USAGE;
	}
	vc_engine_free(eng);
	for (int i = 0; i < ninputs; i++)
		vc_trace_free(&traces[i]);
	free(traces);
out:
	for (size_t i = 0; i < nwaive; i++)
		free(waive[i]);
	free(waive);
	return rc;
}
