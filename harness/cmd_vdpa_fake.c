/* vhost-cts vdpa-fake: the fake vDPA device as a character device (CUSE)
 * or a VDUSE device behind the kernel's vhost-vdpa, judging its client
 * live. */
#include "harness/cli.h"
#include "vcts/report.h"
#include "fakes/vdpa/cuse.h"
#include "fakes/vdpa/live.h"
#include "fakes/vdpa/vdpa.h"
#include "fakes/vdpa/vduse.h"
#include "fakes/vdpa/vduse_relay.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fake_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts vdpa-fake --cuse NAME [--opts SPEC] [--json F] [--junit F] [--strict]\n"
		"       vhost-cts vdpa-fake --vduse NAME [--sectors N] [--bad corrupt|drop] [-v]\n"
		"                           [--json F] [--junit F] [--strict]\n"
		"Serve the fake vDPA device as /dev/NAME (CUSE; root, the cuse module) until\n"
		"SIGINT/SIGTERM, judge every client that opens it, then write the reports.\n"
		"NAME should start with vhost-vdpa (DPDK picks its back-end by that name in\n"
		"/proc/devices). Without CUSE, use the LD_PRELOAD shim\n"
		"(build/libvcts-vdpa-preload.so, VCTS_VDPA_PATH/OPTS/REPORT/TEXT).\n"
		"  --opts SPEC   device options:\n%s\n"
		"--vduse NAME serves a virtio-blk RAM disk (--sectors, default 2048) through the\n"
		"kernel's VDUSE (/dev/vduse/control; Linux 6.1 makes only virtio-blk devices);\n"
		"`vdpa dev add mgmtdev vduse name NAME` then gives /dev/vhost-vdpa-N. It prints\n"
		"'vduse: ready NAME' when it waits to be attached. --bad corrupt flips a bit of\n"
		"each sector read, --bad drop never completes a request (certify --datapath\n"
		"must fail both). It judges the client behind the kernel on what the kernel\n"
		"relays (" VDUSE_RELAY_RULES ";\n"
		"the other rules cannot be seen from VDUSE) and writes the reports at exit.\n"
		"exit status: 0 clean, 1 findings, 2 usage error or no CUSE\n",
		vdpa_cfg_help());
}

int cmd_vdpa_fake(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cuse", required_argument, 0, 'c' }, { "opts", required_argument, 0, 'o' },
		{ "json", required_argument, 0, 'j' }, { "junit", required_argument, 0, 'u' },
		{ "strict", no_argument, 0, 's' }, { "help", no_argument, 0, 'h' },
		{ "vduse", required_argument, 0, 'V' }, { "sectors", required_argument, 0, 'S' },
		{ "bad", required_argument, 0, 'b' }, { "verbose", no_argument, 0, 'v' }, { 0, 0, 0, 0 },
	};
	const char *name = NULL, *opts = "", *json = NULL, *junit = NULL, *vduse = NULL;
	bool strict = false, verbose = false;
	uint64_t sectors = 0;
	unsigned bad = 0;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "hv", lo, NULL)) != -1) {
		switch (opt) {
		case 'V': vduse = optarg; break;
		case 'v': verbose = true; break;
		case 'S': {
			int64_t n = cli_parse_size(optarg);
			if (n < 8 || n > (1 << 21))
				return cli_usage_error("--sectors: expected 8..2097152, got '%s'", optarg);
			sectors = (uint64_t)n;
			break;
		}
		case 'b':
			if (!strcmp(optarg, "corrupt"))
				bad |= VDUSE_BAD_CORRUPT;
			else if (!strcmp(optarg, "drop"))
				bad |= VDUSE_BAD_DROP;
			else
				return cli_usage_error("--bad: expected corrupt or drop, got '%s'", optarg);
			break;
		case 'c': name = optarg; break;
		case 'o': opts = optarg; break;
		case 'j': json = optarg; break;
		case 'u': junit = optarg; break;
		case 's': strict = true; break;
		case 'h': fake_usage(stdout); return EXIT_CLEAN;
		default: fake_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("vdpa-fake: unexpected argument '%s'", argv[optind]);
	const struct cli_path outs[] = { { "--json", json }, { "--junit", junit } };
	if (cli_check_paths("vdpa-fake", outs, 2, NULL, 0))
		return EXIT_USAGE;
	if (vduse) {
		if (name)
			return cli_usage_error("vdpa-fake: --cuse and --vduse exclude each other");
		char vname[128];
		snprintf(vname, sizeof vname, "VDUSE %s (what the kernel relays)", vduse);
		struct vc_engine_opts eo = { .strict = strict, .rules_glob = VDUSE_RELAY_RULES };
		struct vdpa_live *vl = vdpa_live_new(vname, &eo, stderr);
		struct vduse_fake_opts vo = { .name = vduse, .sectors = sectors, .bad = bad,
					      .log = verbose ? stderr : NULL, .observe = vdpa_live_feed,
					      .observe_opaque = vl };
		struct vduse_fake_stats st;
		char verr[512];
		if (vduse_fake_run(&vo, &st, verr, sizeof verr) != 0) {
			fprintf(stderr, "vhost-cts: %s\n", verr);
			vdpa_live_free(vl);
			return EXIT_USAGE;
		}
		printf("vduse %s: %llu control requests (%llu SET_STATUS, %llu UPDATE_IOTLB, %llu GET_VQ_STATE), "
		       "blk %llu reads %llu writes %llu other %llu malformed, %llu DMA faults, last status 0x%x\n",
		       vduse, (unsigned long long)st.requests, (unsigned long long)st.status_sets,
		       (unsigned long long)st.iotlb_updates, (unsigned long long)st.vq_state_gets,
		       (unsigned long long)st.blk_in, (unsigned long long)st.blk_out,
		       (unsigned long long)st.blk_other, (unsigned long long)st.blk_bad,
		       (unsigned long long)st.dma_faults, st.last_status);
		const struct vc_results *res = vdpa_live_finish(vl);
		const char *inputs[1] = { vname };
		struct vc_report_meta meta = { .tool = "vhost-cts vdpa-fake", .version = VCTS_VERSION,
					       .inputs = inputs, .ninputs = 1, .strict = strict };
		int vrc = vc_results_exit_status(res, strict);
		vc_report_text(stdout, res, &meta, 0);
		if (cli_write_reports(json, junit, res, &meta) != 0)
			vrc = EXIT_USAGE;
		vdpa_live_free(vl);
		return vrc;
	}
	if (!name)
		return cli_usage_error("vdpa-fake: --cuse NAME is required (or --vduse NAME)");
	struct vdpa_cfg cfg;
	vdpa_cfg_default(&cfg);
	char err[512];
	if (vdpa_cfg_parse(&cfg, opts, err, sizeof err) != 0)
		return cli_usage_error("--opts: %s", err);
	struct vdpa_dev *dev = vdpa_dev_new(&cfg);
	char path[128];
	snprintf(path, sizeof path, "/dev/%s", name);
	struct vc_engine_opts eo = { .strict = strict };
	struct vdpa_live *live = vdpa_live_new(path, &eo, stderr);
	vdpa_live_attach(live, dev);
	int rc = EXIT_CLEAN;
	fprintf(stderr, "vhost-cts: serving %s (CUSE)\n", path);
	if (vdpa_cuse_run(dev, name, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	const struct vc_results *res = vdpa_live_finish(live);
	const char *inputs[1] = { path };
	struct vc_report_meta meta = { .tool = "vhost-cts vdpa-fake", .version = VCTS_VERSION,
				       .inputs = inputs, .ninputs = 1, .strict = strict };
	rc = vc_results_exit_status(res, strict);
	vc_report_text(stdout, res, &meta, 0);
	if (cli_write_reports(json, junit, res, &meta) != 0)
		rc = EXIT_USAGE;
out:
	vdpa_dev_set_observer(dev, NULL, NULL);
	vdpa_live_free(live);
	vdpa_dev_free(dev);
	return rc;
}
