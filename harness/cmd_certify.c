/* vhost-cts certify: the VDPA-DEV certification sequence against a device
 * node (real /dev/vhost-vdpa-N, the CUSE fake, the LD_PRELOAD shim) or an
 * in-process fake (--fake SPEC). */
#include "harness/cli.h"
#include "vcts/outfile.h"
#include "vcts/report.h"
#include "fakes/vdpa/certify.h"
#include "fakes/vdpa/vdpa.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void certify_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts certify (--device PATH | --fake SPEC) [OPTIONS]\n"
		"Run the VDPA-DEV certification sequence against a vhost-vdpa device.\n"
		"  --device PATH     a vhost-vdpa device node (/dev/vhost-vdpa-0, a fake's node)\n"
		"  --fake SPEC       an in-process fake device configured by SPEC ('' = defaults):\n"
		"%s\n"
		"  --cycles N        start/stop cycles for VDPA-DEV-07 (default 100)\n"
		"  --generic         a plain vhost device (/dev/vhost-net): generic ioctls only\n"
		"                    (VDPA-DEV-01 features, VDPA-DEV-03 vring errors)\n"
		"  --json FILE       JSON report ('-' for stdout)\n"
		"  --junit FILE      JUnit XML report ('-' for stdout)\n"
		"  --steps FILE      write each call and its result, one a line (compare two\n"
		"                    devices with diff: the first differing line names the step)\n"
		"  --anon-memory     map the rings in private anonymous memory, not a shared\n"
		"                    memfd (virtual-address parents such as VDUSE map none of it)\n"
		"  --datapath        also the data path (VDPA-DEV-08/09): net, a TX frame must come\n"
		"                    back on RX (a loopback device such as vdpa_sim_net); block,\n"
		"                    4 KiB written and read back equal\n"
		"  -v, --verbose     print each step\n"
		"exit status: 0 certified, 1 a check failed, 2 usage error or no device\n",
		vdpa_cfg_help());
}

int cmd_certify(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, 0, 'd' }, { "fake", required_argument, 0, 'F' },
		{ "cycles", required_argument, 0, 'c' }, { "json", required_argument, 0, 'j' },
		{ "junit", required_argument, 0, 'u' }, { "verbose", no_argument, 0, 'v' },
		{ "generic", no_argument, 0, 'g' }, { "steps", required_argument, 0, 's' },
		{ "anon-memory", no_argument, 0, 'A' }, { "datapath", no_argument, 0, 'D' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *device = NULL, *fake = NULL, *json = NULL, *junit = NULL, *steps = NULL;
	bool verbose = false, generic = false, anon = false, datapath = false;
	unsigned cycles = 100;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (opt) {
		case 'd': device = optarg; break;
		case 'F': fake = optarg; break;
		case 'c': {
			int64_t n = cli_parse_size(optarg);
			if (n < 1 || n > 1000000)
				return cli_usage_error("--cycles: expected 1..1000000, got '%s'", optarg);
			cycles = (unsigned)n;
			break;
		}
		case 'j': json = optarg; break;
		case 'u': junit = optarg; break;
		case 'v': verbose = true; break;
		case 'g': generic = true; break;
		case 's': steps = optarg; break;
		case 'A': anon = true; break;
		case 'D': datapath = true; break;
		case 'h': certify_usage(stdout); return EXIT_CLEAN;
		default: certify_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("certify: unexpected argument '%s'", argv[optind]);
	if (!device == !fake)
		return cli_usage_error("certify: give exactly one of --device PATH or --fake SPEC");
	if (device) {
		/* The sequence writes to the device: on a regular file those
		 * writes would overwrite it. */
		struct stat st;
		if (stat(device, &st) != 0)
			return cli_usage_error("certify: --device %s: cannot open: %s", device, strerror(errno));
		if (!S_ISCHR(st.st_mode))
			return cli_usage_error("certify: --device %s: not a character device", device);
	}
	const struct cli_path outs[] = { { "--json", json }, { "--junit", junit }, { "--steps", steps } };
	const struct cli_path ins[] = { { "--device", device } };
	if (cli_check_paths("certify", outs, 3, ins, 1))
		return EXIT_USAGE;
	/* Written as the sequence runs, through the output module (a file
	 * is replaced only when the run ends, a device written through). */
	struct vc_out *stepo = NULL;
	FILE *stepf = NULL;
	if (steps) {
		char serr[512];
		if (!(stepo = vc_out_open(steps, serr, sizeof serr)))
			return cli_usage_error("certify: --steps %s", serr);
		stepf = vc_out_stream(stepo);
	}
	struct vdpa_port port;
	struct vdpa_dev *dev = NULL;
	char err[512];
	if (fake) {
		struct vdpa_cfg cfg;
		vdpa_cfg_default(&cfg);
		if (vdpa_cfg_parse(&cfg, fake, err, sizeof err) != 0) {
			if (stepo)
				vc_out_discard(stepo);
			return cli_usage_error("--fake: %s", err);
		}
		dev = vdpa_dev_new(&cfg);
		vdpa_port_model(&port, dev);
	} else {
		vdpa_port_sys(&port, device);
	}
	struct vc_engine_opts eo = { .rules_glob = generic ? "VDPA-DEV-01,VDPA-DEV-03" : VDPA_CERTIFY_RULES };
	struct vc_engine *eng = vc_engine_new(&eo);
	char name[VC_SESSION_NAME_MAX];
	snprintf(name, sizeof name, "certify %s", fake ? "in-process fake" : device);
	struct vc_session s = { .traced_side = VC_SIDE_LIVE, .source = fake ? "in-process" : device };
	snprintf(s.name, sizeof s.name, "%s", name);
	uint32_t sid = vc_engine_add_session(eng, &s);
	bool stdout_reports = (json && !strcmp(json, "-")) || (junit && !strcmp(junit, "-"));
	struct vdpa_certify_opts co = { .cycles = cycles, .log = verbose ? stdout : NULL, .generic = generic,
					.notes = stdout_reports ? stderr : stdout, .steps = stepf,
					.anon_memory = anon, .datapath = datapath };
	int rc;
	if (vdpa_certify(&port, eng, sid, &co, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	const struct vc_results *res = vc_engine_finish(eng);
	const char *inputs[1] = { fake ? "in-process fake" : device };
	struct vc_report_meta meta = { .tool = "vhost-cts certify", .version = VCTS_VERSION,
				       .inputs = inputs, .ninputs = 1 };
	rc = vc_results_exit_status(res, true);
	bool stdout_report = (json && !strcmp(json, "-")) || (junit && !strcmp(junit, "-"));
	if (!stdout_report)
		vc_report_text(stdout, res, &meta, verbose ? VC_TEXT_VERBOSE : 0);
	if (cli_write_reports(json, junit, res, &meta) != 0)
		rc = EXIT_USAGE;
out:
	if (stepo && vc_out_commit(stepo, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: certify: --steps %s\n", err);
		rc = EXIT_USAGE;
	}
	vc_engine_free(eng);
	vdpa_dev_free(dev);
	return rc;
}
