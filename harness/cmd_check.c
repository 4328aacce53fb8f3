/* vhost-cts check: judge recordings, print per-rule verdicts, write reports. */
#include "harness/cli.h"
#include "vcts/engine.h"
#include "vcts/report.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	/* A directory opens, then reads as an error that fgets takes for
	 * the end: it would be an empty waiver list. */
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
		fclose(f);
		return cli_usage_error("%s: waiver file is a directory", path);
	}
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
	if (ferror(f)) {
		fclose(f);
		return cli_usage_error("%s:%lu: cannot read waiver file: %m", path, ln + 1);
	}
	fclose(f);
	return 0;
}

/* The engine side of a streamed import: trace sessions are registered in
 * their own order, each no later than its first event. */
struct feed {
	struct vc_engine *eng;
	uint32_t *ids;      /* engine id by trace session id */
	size_t nids, cap;
};

static void register_upto(struct feed *f, const struct vc_trace *t, size_t n)
{
	if (n > t->nsessions)
		n = t->nsessions;
	for (; f->nids < n; f->nids++) {
		if (f->nids == f->cap) {
			f->cap = f->cap ? 2 * f->cap : 16;
			f->ids = realloc(f->ids, f->cap * sizeof *f->ids);
			if (!f->ids)
				abort();
		}
		f->ids[f->nids] = vc_engine_add_session(f->eng, &t->sessions[f->nids]);
	}
}

static void feed_event(void *opaque, const struct vc_trace *t, const struct vc_event *ev)
{
	struct feed *f = opaque;
	if (ev->session >= t->nsessions)
		return;
	register_upto(f, t, (size_t)ev->session + 1);
	struct vc_event e = *ev;
	e.session = f->ids[ev->session];
	vc_engine_feed(f->eng, &e);
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
	const char *rules = NULL, *json = NULL, *junit = NULL, *waive_path = NULL;
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
			waive_path = optarg;
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
	{
		const struct cli_path outs[] = { { "--json", json }, { "--junit", junit } };
		int nin = argc - optind;
		struct cli_path *ins = calloc((size_t)nin + 1, sizeof *ins);
		if (!ins)
			abort();
		for (int i = 0; i < nin; i++)
			ins[i] = (struct cli_path){ "input", argv[optind + i] };
		ins[nin] = (struct cli_path){ "--waive file", waive_path };
		int bad = cli_check_paths("check", outs, 2, ins, (size_t)nin + 1);
		free(ins);
		if (bad)
			goto out;
	}
	struct vc_engine_opts eo = {
		.strict = strict, .rules_glob = rules, .waive = (const char *const *)waive,
		.nwaive = nwaive, .queue_count = (uint32_t)queues,
	};
	struct vc_engine *eng = vc_engine_new(&eo);
	/* Each input streams its events into the engine as they are imported
	 * (nothing is materialised). No verdict is printed until every input
	 * has loaded: a bad file is exit 2 with no partial report. */
	int ninputs = argc - optind;
	/* Input warnings go into the reports too (not only stderr): copied,
	 * since each trace is freed after its load. */
	struct vc_report_warning *warns = NULL;
	size_t nwarns = 0;
	uint64_t warns_total = 0;
	for (int i = 0; i < ninputs; i++) {
		struct feed feed = { .eng = eng };
		struct vc_event_sink sink = { .event = feed_event, .opaque = &feed };
		struct vc_trace t;
		int lrc = cli_load_stream(&t, argv[optind + i], (enum vc_format)fmt, (uint64_t)max_input, &sink);
		if (lrc == 0) {
			warns = realloc(warns, (nwarns + t.nwarnings + 1) * sizeof *warns);
			if (!warns)
				abort();
			for (size_t w = 0; w < t.nwarnings; w++)
				warns[nwarns++] = (struct vc_report_warning){ .source = argv[optind + i],
									   .text = strdup(t.warnings[w]) };
			warns_total += t.warnings_total > t.nwarnings ? t.warnings_total : t.nwarnings;
			register_upto(&feed, &t, t.nsessions);
			for (size_t s = 0; s < t.nsessions; s++) {
				vc_engine_rename_session(eng, feed.ids[s], &t.sessions[s]);
				vc_engine_end_session(eng, feed.ids[s]);
			}
		}
		free(feed.ids);
		vc_trace_free(&t);
		if (lrc) {
			vc_engine_free(eng);
			goto out_warns;
		}
	}
	const struct vc_results *res = vc_engine_finish(eng);
	struct vc_report_meta meta = {
		.tool = "vhost-cts check", .version = VCTS_VERSION,
		.inputs = (const char *const *)(argv + optind), .ninputs = (size_t)ninputs,
		.strict = strict, .warnings = warns, .nwarnings = nwarns, .warnings_total = warns_total,
	};
	rc = vc_results_exit_status(res, strict);
	bool stdout_report = (json && !strcmp(json, "-")) || (junit && !strcmp(junit, "-"));
	if (!stdout_report) {
		vc_report_text(stdout, res, &meta,
			       quiet ? VC_TEXT_SUMMARY_ONLY : verbose ? VC_TEXT_VERBOSE : 0);
	}
	if (cli_write_reports(json, junit, res, &meta) != 0)
		rc = EXIT_USAGE;
	vc_engine_free(eng);
out_warns:
	for (size_t w = 0; w < nwarns; w++)
		free((char *)warns[w].text);
	free(warns);
out:
	for (size_t i = 0; i < nwaive; i++)
		free(waive[i]);
	free(waive);
	return rc;
}
