/* vhost-cts fuzz-backend: mutated request sequences against a real
 * vhost-user back-end (fakes/frontend/befuzz*.c); crashes, hangs and
 * fd leaks are saved with a one-command reproducer; --minimise shrinks one. */
#include "harness/cli.h"
#include "fakes/frontend/befuzz.h"
#include "lib/parse_num.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void fb_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts fuzz-backend --socket PATH [OPTIONS]\n"
		"       vhost-cts fuzz-backend --minimise DIR/ID [--socket PATH] [--spawn CMD]\n"
		"  --socket PATH        the back-end's unix socket (it listens)\n"
		"  --spawn 'CMD ...'    start the back-end (sh -c; restarted when it dies); crash\n"
		"                       and fd-leak verdicts need it\n"
		"  --device D           net (default) or blk: base sequences and kicked buffers\n"
		"  --seed N             PRNG seed (default 1)\n"
		"  --iteration I        run only iteration I (a reproducer)\n"
		"  --first I            first iteration (default 0)\n"
		"  --iterations N       run N iterations\n"
		"  --duration S         run for S seconds (default: one iteration unless --iterations)\n"
		"  --steps LIST         only these steps of each plan, e.g. 0-5,9 (minimised cases)\n"
		"  --timeout S          seconds to wait for an owed answer (default 2)\n"
		"  --startup-timeout S  seconds for the back-end to listen (default 20)\n"
		"  --out DIR            save every crash, hang and leak under DIR/<kind>-s<seed>-i<iter>/\n"
		"  --record FILE        native capture of every iteration\n"
		"  --raw FILE           the raw main-channel bytes of every iteration\n"
		"  --print-plan         print the plan of the first iteration and exit\n"
		"  --minimise DIR/ID    shrink a saved finding (steps dropped while it persists)\n"
		"  -v, --verbose        a line per iteration\n"
		"  -q, --quiet          only the summary\n"
		"exit status: 0 no crash, hang or leak; 1 some; 2 usage error or no back-end\n");
}

static int parse_secs(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || v <= 0 || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

int cmd_fuzz_backend(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, 0, 'S' },   { "spawn", required_argument, 0, 'x' },
		{ "device", required_argument, 0, 'd' },   { "seed", required_argument, 0, 's' },
		{ "iteration", required_argument, 0, 'I' }, { "first", required_argument, 0, 'F' },
		{ "iterations", required_argument, 0, 'N' }, { "duration", required_argument, 0, 'D' },
		{ "steps", required_argument, 0, 'P' },    { "timeout", required_argument, 0, 't' },
		{ "startup-timeout", required_argument, 0, 'T' }, { "out", required_argument, 0, 'o' },
		{ "record", required_argument, 0, 'R' },   { "raw", required_argument, 0, 'W' },
		{ "print-plan", no_argument, 0, 'p' },     { "minimise", required_argument, 0, 'M' },
		{ "minimize", required_argument, 0, 'M' }, { "verbose", no_argument, 0, 'v' },
		{ "quiet", no_argument, 0, 'q' },          { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct vfz_options o = { .device = VFE_DEV_NET, .seed = 1, .timeout_ms = 2000, .startup_ms = 20000 };
	const char *minimise = NULL;
	bool quiet = false, print_plan = false, one = false;
	double secs;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'S': o.socket = optarg; break;
		case 'x': o.spawn = optarg; break;
		case 'd': {
			int d = vfe_device_by_name(optarg);
			if (d != VFE_DEV_NET && d != VFE_DEV_BLK)
				return cli_usage_error("fuzz-backend: unknown --device '%s' (net, blk)", optarg);
			o.device = (enum vfe_device)d;
			break;
		}
		case 's':
			if (!vc_parse_u64_str(optarg, &o.seed))
				return cli_usage_error("fuzz-backend: bad --seed '%s'", optarg);
			break;
		case 'I':
			if (!vc_parse_u64_str(optarg, &o.first))
				return cli_usage_error("fuzz-backend: bad --iteration '%s'", optarg);
			o.count = 1;
			one = true;
			break;
		case 'F':
			if (!vc_parse_u64_str(optarg, &o.first))
				return cli_usage_error("fuzz-backend: bad --first '%s'", optarg);
			break;
		case 'N':
			if (!vc_parse_u64_str(optarg, &o.count) || !o.count)
				return cli_usage_error("fuzz-backend: bad --iterations '%s'", optarg);
			break;
		case 'D':
			if (parse_secs(optarg, &o.duration_s))
				return cli_usage_error("fuzz-backend: bad --duration '%s'", optarg);
			break;
		case 'P': o.steps = optarg; break;
		case 't':
			if (parse_secs(optarg, &secs) || secs > 3600)
				return cli_usage_error("fuzz-backend: bad --timeout '%s'", optarg);
			o.timeout_ms = (int)(secs * 1000);
			break;
		case 'T':
			if (parse_secs(optarg, &secs) || secs > 3600)
				return cli_usage_error("fuzz-backend: bad --startup-timeout '%s'", optarg);
			o.startup_ms = (int)(secs * 1000);
			break;
		case 'o': o.out_dir = optarg; break;
		case 'R': o.record = optarg; break;
		case 'W': o.raw = optarg; break;
		case 'p': print_plan = true; break;
		case 'M': minimise = optarg; break;
		case 'v': o.verbose = true; break;
		case 'q': quiet = true; break;
		case 'h': fb_usage(stdout); return EXIT_CLEAN;
		default: fb_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("fuzz-backend: unexpected argument '%s'", argv[optind]);
	if (one && o.duration_s > 0)
		return cli_usage_error("fuzz-backend: --iteration and --duration exclude each other");
	const struct cli_path outs[] = { { "--record", o.record }, { "--raw", o.raw } };
	const struct cli_path ins[] = { { "--socket", o.socket }, { "--minimise", minimise } };
	if (cli_check_paths("fuzz-backend", outs, 2, ins, 2))
		return EXIT_USAGE;
	if (o.out_dir) {
		struct stat sb;
		if (stat(o.out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
			return cli_usage_error("fuzz-backend: --out %s: exists and is not a directory", o.out_dir);
	}
	o.exe = "/proc/self/exe";
	o.log = quiet ? NULL : stdout;
	if (print_plan) {
		vfz_print_plan(&o, stdout);
		return EXIT_CLEAN;
	}
	signal(SIGPIPE, SIG_IGN);
	char err[512];
	if (minimise) {
		o.timeout_ms = o.timeout_ms == 2000 ? 0 : o.timeout_ms;
		int r = vfz_minimise(minimise, &o, err, sizeof err);
		if (r < 0)
			return cli_usage_error("fuzz-backend: %s", err);
		return r == 0 ? EXIT_CLEAN : EXIT_FINDINGS;
	}
	if (!o.socket) {
		fb_usage(stderr);
		return cli_usage_error("fuzz-backend: --socket is required");
	}
	if (!*o.socket)
		return cli_usage_error("fuzz-backend: --socket is empty (a path is required)");
	struct vfz_stats st;
	if (o.log)
		fprintf(o.log, "fuzz-backend: %s, device %s, seed %llu, %s\n", o.spawn ? o.spawn : o.socket,
			vfe_device_name(o.device), (unsigned long long)o.seed,
			o.count ? "fixed iterations" : o.duration_s > 0 ? "for a duration" : "one iteration");
	if (vfz_run(&o, &st, err, sizeof err) < 0)
		return cli_usage_error("fuzz-backend: %s", err);
	uint64_t bad = st.findings[VFZ_CRASH] + st.findings[VFZ_HANG] + st.findings[VFZ_LEAK];
	char sum[600];
	snprintf(sum, sizeof sum,
		 "summary: seed %llu, iterations %llu-%llu (%llu), %.1f s, %llu messages, %llu reconnects, "
		 "back-end started %llu times; crash %llu, hang %llu, leak %llu",
		 (unsigned long long)o.seed, (unsigned long long)o.first,
		 (unsigned long long)(o.first + (st.iterations ? st.iterations - 1 : 0)), (unsigned long long)st.iterations,
		 st.seconds, (unsigned long long)st.steps_sent, (unsigned long long)st.reconnects,
		 (unsigned long long)st.respawns, (unsigned long long)st.findings[VFZ_CRASH],
		 (unsigned long long)st.findings[VFZ_HANG], (unsigned long long)st.findings[VFZ_LEAK]);
	printf("%s\n", sum);
	printf("outcomes:");
	for (int k = 0; k < VFE_OUTCOME_COUNT; k++)
		if (st.by_outcome[k])
			printf(" %llu %s", (unsigned long long)st.by_outcome[k], vfe_outcome_name((enum vfe_outcome)k));
	printf("\n");
	if (o.out_dir) {
		char path[4096];
		snprintf(path, sizeof path, "%s/summary.txt", o.out_dir);
		FILE *f = fopen(path, "a");
		if (f) {
			fprintf(f, "%s\n", sum);
			fclose(f);
		}
	}
	return bad ? EXIT_FINDINGS : EXIT_CLEAN;
}
