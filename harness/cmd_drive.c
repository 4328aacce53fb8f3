/* vhost-cts drive: play the front-end against a vhost-user back-end, run
 * the scenarios (positive and negative), judge every answer, print a
 * verdict per scenario and the findings, write reports. */
#include "harness/cli.h"
#include "fakes/frontend/frontend.h"
#include "vcts/engine.h"
#include "vcts/outfile.h"
#include "vcts/report.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void drive_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts drive --socket PATH [OPTIONS]\n"
		"  --socket PATH        the back-end's unix socket\n"
		"  --connect            connect to PATH (default: the back-end listens)\n"
		"  --listen             listen on PATH; the back-end connects (client mode)\n"
		"  --device D           net (default), blk, fs or gpu: rings and data path\n"
		"  --scenario GLOB[,GLOB]   only scenarios (or families) matching, e.g. 'neg-*'\n"
		"  --spawn 'CMD ...'    start the back-end under test (exec'd by sh; restarted\n"
		"                       when it exits); crash and fd-leak verdicts need it or --pid\n"
		"  --pid PID            watch an already running back-end process\n"
		"  --spawn-log FILE     the spawned back-end's stdout and stderr (default: discarded)\n"
		"  --queues N           net: queue pairs for the multiqueue scenario (default 2)\n"
		"  --timeout S          seconds to wait for each answer (default 3)\n"
		"  --startup-timeout S  seconds for the back-end to start listening (default 20)\n"
		"  --record FILE        native capture of every scenario (re-judge with 'check')\n"
		"  --json FILE, --junit FILE   reports (--json is what 'report --html' reads)\n"
		"  --strict             SHOULD findings fail the run too\n"
		"  --list               list the scenarios and exit\n"
		"  -q, --quiet          no per-scenario lines\n"
		"exit status: 0 clean, 1 findings (or a crash, hang, leak), 2 usage error or\n"
		"no back-end to drive\n");
}

static int parse_ms(const char *s, int *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || v <= 0 || v > 3600)
		return -1;
	*out = (int)(v * 1000.0);
	return *out > 0 ? 0 : -1;
}

int cmd_drive(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, 0, 'S' },   { "connect", no_argument, 0, 'c' },
		{ "listen", no_argument, 0, 'l' },         { "device", required_argument, 0, 'd' },
		{ "scenario", required_argument, 0, 'g' }, { "spawn", required_argument, 0, 'x' },
		{ "pid", required_argument, 0, 'p' },      { "spawn-log", required_argument, 0, 'L' },
		{ "queues", required_argument, 0, 'Q' },   { "timeout", required_argument, 0, 't' },
		{ "startup-timeout", required_argument, 0, 'T' },
		{ "record", required_argument, 0, 'R' },   { "json", required_argument, 0, 'j' },
		{ "junit", required_argument, 0, 'u' },    { "strict", no_argument, 0, 's' },
		{ "list", no_argument, 0, 'i' },           { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },           { 0, 0, 0, 0 },
	};
	struct vfe_options o = { .device = VFE_DEV_NET };
	const char *json = NULL, *junit = NULL, *record = NULL, *spawn_log = NULL;
	bool quiet = false, list = false, connect_opt = false, listen_opt = false;
	int c;
	int64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'S': o.socket = optarg; break;
		case 'c': connect_opt = true; break;
		case 'l': listen_opt = o.listen = true; break;
		case 'd': {
			int d = vfe_device_by_name(optarg);
			if (d < 0)
				return cli_usage_error("drive: unknown --device '%s' (net, blk, fs, gpu)", optarg);
			o.device = (enum vfe_device)d;
			break;
		}
		case 'g': o.scenario_glob = optarg; break;
		case 'x': o.spawn = optarg; break;
		case 'p':
			v = cli_parse_size(optarg);
			if (v <= 0 || v > INT32_MAX)
				return cli_usage_error("drive: bad --pid '%s'", optarg);
			o.pid = (pid_t)v;
			break;
		case 'L': spawn_log = optarg; break;
		case 'Q':
			v = cli_parse_size(optarg);
			if (v < 1 || v > 8)
				return cli_usage_error("drive: --queues wants 1..8");
			o.queues = (uint32_t)v;
			break;
		case 't':
			if (parse_ms(optarg, &o.timeout_ms))
				return cli_usage_error("drive: bad --timeout '%s'", optarg);
			break;
		case 'T':
			if (parse_ms(optarg, &o.startup_ms))
				return cli_usage_error("drive: bad --startup-timeout '%s'", optarg);
			break;
		case 'R': record = optarg; break;
		case 'j': json = optarg; break;
		case 'u': junit = optarg; break;
		case 's': o.strict = true; break;
		case 'i': list = true; break;
		case 'q': quiet = true; break;
		case 'h': drive_usage(stdout); return EXIT_CLEAN;
		default: drive_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("drive: unexpected argument '%s'", argv[optind]);
	if (connect_opt && listen_opt)
		return cli_usage_error("drive: --connect and --listen exclude each other");
	size_t nsel = 0;
	for (size_t i = 0; i < vfe_scenario_count(); i++)
		nsel += vfe_scenario_selected(o.scenario_glob, i);
	if (!nsel)
		return cli_usage_error("drive: --scenario '%s' matches no scenario ('drive --list' lists them)",
				       o.scenario_glob);
	if (list) {
		for (size_t i = 0; i < vfe_scenario_count(); i++)
			if (vfe_scenario_selected(o.scenario_glob, i))
				printf("%-24s %-8s %s\n", vfe_scenario_name(i),
				       vfe_scenario_negative(i) ? "negative" : "", vfe_scenario_text(i));
		return EXIT_CLEAN;
	}
	if (!o.socket) {
		drive_usage(stderr);
		return cli_usage_error("drive: --socket is required");
	}
	if (!*o.socket)
		return cli_usage_error("drive: --socket is empty (a path is required)");
	if (o.spawn && o.pid)
		return cli_usage_error("drive: --spawn and --pid exclude each other");
	/* Every output is checked, and the streamed ones opened, before the
	 * first scenario: a bad path must not cost a whole run. */
	const struct cli_path outs[] = { { "--record", record }, { "--spawn-log", spawn_log },
					 { "--json", json }, { "--junit", junit } };
	const struct cli_path ins[] = { { "--socket", o.socket } };
	if (cli_check_paths("drive", outs, 4, ins, 1))
		return EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	char err[512];
	struct vc_out *rec = NULL, *slog = NULL;
	if (record && !(rec = vc_out_open(record, err, sizeof err)))
		return cli_usage_error("drive: --record %s", err);
	if (spawn_log && !(slog = vc_out_open(spawn_log, err, sizeof err))) {
		vc_out_discard(rec);
		return cli_usage_error("drive: --spawn-log %s", err);
	}
	o.record = rec ? vc_out_stream(rec) : NULL;
	o.spawn_log = slog ? vc_out_stream(slog) : NULL;
	o.source_name = o.socket;
	o.log = quiet ? NULL : stdout;
	int rc = EXIT_USAGE;
	struct vfe_run *r = vfe_run_new(&o, err, sizeof err);
	if (!r) {
		cli_usage_error("drive: %s", err);
		goto out;
	}
	if (vfe_run_all(r, err, sizeof err) < 0) {
		cli_usage_error("drive: %s", err);
		vfe_run_free(r);
		goto out;
	}
	const struct vc_results *res = vfe_run_results(r);
	size_t ns;
	const struct vfe_scenario_result *sc = vfe_run_scenarios(r, &ns);
	unsigned counts[VFE_OUTCOME_COUNT] = { 0 };
	bool bad = false;
	for (size_t i = 0; i < ns; i++) {
		counts[sc[i].outcome]++;
		bad |= sc[i].outcome == VFE_CRASHED || sc[i].outcome == VFE_HUNG || sc[i].outcome == VFE_LEAKED;
	}
	if (!quiet && res->nfindings) {
		printf("\nfindings:\n");
		for (size_t i = 0; i < res->nfindings; i++)
			vc_report_finding_line(stdout, &res->findings[i], res->sessions[res->findings[i].session].info.name);
	}
	printf("\nsummary: %zu scenarios:", ns);
	for (int k = 0; k < VFE_OUTCOME_COUNT; k++)
		if (counts[k])
			printf(" %u %s", counts[k], vfe_outcome_name((enum vfe_outcome)k));
	printf("; findings MUST %llu, SHOULD %llu, INFO %llu\n",
	       (unsigned long long)res->findings_by_level[VC_MUST],
	       (unsigned long long)res->findings_by_level[VC_SHOULD],
	       (unsigned long long)res->findings_by_level[VC_INFO]);
	rc = vc_results_exit_status(res, o.strict) || bad ? EXIT_FINDINGS : EXIT_CLEAN;
	const char *inputs[] = { o.socket };
	struct vc_report_meta meta = { .tool = "vhost-cts drive", .version = VCTS_VERSION,
				       .inputs = inputs, .ninputs = 1, .strict = o.strict };
	if (cli_write_reports(json, junit, res, &meta) != 0)
		rc = EXIT_USAGE;
	vfe_run_free(r);
out:
	/* The capture and log of a run that could not start are kept too:
	 * they say why. */
	if (rec && vc_out_commit(rec, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: drive: --record %s\n", err);
		rc = EXIT_USAGE;
	}
	if (slog && vc_out_commit(slog, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: drive: --spawn-log %s\n", err);
		rc = EXIT_USAGE;
	}
	return rc;
}
