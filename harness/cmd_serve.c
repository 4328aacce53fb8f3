/* vhost-cts serve: run the fake vhost-user back-end for a real front-end,
 * judge it live, print findings as they happen, write reports at the end. */
#include "harness/cli.h"
#include "fakes/vhost-user/fake.h"
#include "vcts/engine.h"
#include "vcts/fileio.h"
#include "vcts/outfile.h"
#include "vcts/report.h"
#include "vcts/wire.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void serve_usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts serve --socket PATH [OPTIONS]\n"
		"  --socket PATH        unix socket: listen on it (default) or connect to it\n"
		"  --client             connect to PATH (front-end is the server); reconnects\n"
		"                       after each disconnect unless --once\n"
		"  --profile NAME       net (default), blk or generic\n"
		"  --queues N           net: queue pairs; blk/generic: virtqueues (default 1)\n"
		"  --features SPEC      override offered features: 0xMASK, or +NAME,-NAME,+BIT\n"
		"  --protocol-features SPEC   same for protocol features (e.g. -STATUS)\n"
		"  --mtu N              net: offer NET_MTU\n"
		"  --disk-size SIZE     blk: capacity of the in-memory disk (zeros until written;\n"
		"                       default 64M)\n"
		"  --fault SPEC         inject a fault (repeatable; see fakes/vhost-user/README.md):\n"
		"                         disconnect@msg=N | disconnect@req=NAME[#K]\n"
		"                         drop-feature=NAME[,..] | drop-protocol-feature=NAME[,..]\n"
		"                         delay-reply=MS@req=NAME[#K]\n"
		"                         reply-flags@req=NAME | reply-size@req=NAME | reply-request@req=NAME\n"
		"                         close-backend-channel[@req=NAME]\n"
		"                         backend-req=CONFIG_CHANGE_MSG|VRING_CALL|VRING_ERR@req=NAME\n"
		"                       a deliberately broken back-end (each makes a driver's check fail):\n"
		"                         lax=CLASS[,CLASS..]  accept what that refusal class refuses:\n"
		"                           version reply-bit unknown-request short-eof oversize\n"
		"                           extra-fds missing-fd region-count region-bounds overlap\n"
		"                           ring-index ring-num started-ring ring-addr log-size ungated\n"
		"                           (groups: regions, all; drive's names: lax=num-started, ...)\n"
		"                         crash@msg=N | crash@req=NAME[#K]   die by SIGSEGV there\n"
		"                         hang@msg=N | hang@req=NAME[#K]     never answer that connection again\n"
		"                         leak-fds@msg=N | leak-fds@req=NAME[#K]   keep that message's fds open\n"
		"                         reply-fds=N[@msg=N|@req=NAME[#K]]   attach N extra fds (1..252)\n"
		"                           to that reply, or to every reply without a trigger\n"
		"                         packed-used-zero     packed GET_VRING_BASE: used half 0/0 (as DPDK 22.11)\n"
		"                         vring-base-zero      split GET_VRING_BASE answers 0 (as rust-vmm once)\n"
		"                         vring-base-other-ring split GET_VRING_BASE answers ring index^1's\n"
		"                         stopped-ring-runs    GET_VRING_BASE does not stop the ring\n"
		"                         log-skip-used        used-ring writes are not dirty-logged\n"
		"                         start-on-kick        a ring waits for a kick after SET_VRING_KICK\n"
		"                         ignore-sigterm       SIGTERM is ignored (SIGINT still ends serve)\n"
		"                         vring-base-high      split GET_VRING_BASE sets bit 16 (VU-RVAL-01)\n"
		"                         postcopy-no-ufd      POSTCOPY_ADVISE passes an eventfd (VU-RVAL-03)\n"
		"                         shmem-count          GET_SHMEM_CONFIG counts a region it gives no size\n"
		"                         inflight-no-fd       GET_INFLIGHT_FD sizes an area, passes no fd\n"
		"                         suspended-msg        CONFIG_CHANGE_MSG once every ring is stopped\n"
		"                         backend-bad=KIND@req=NAME[#K]   a malformed back-end request before\n"
		"                           that reply: call-num ungated fds notifier-size shmem-flags\n"
		"                           shmem-unmap iotlb-type (VU-BCH-01..07)\n"
		"                         no-auto-enable       SET_FEATURES without bit 30 enables no ring\n"
		"                         disabled-ring-idle   a started, disabled ring is not processed\n"
		"                         enable-lost-while-stopped  SET_VRING_ENABLE on a stopped ring ignored\n"
		"                         log-skip-data        descriptor-buffer writes are not dirty-logged\n"
		"                         reset-owner-resets   RESET_OWNER resets rings and device state\n"
		"                         daemonize            fork once listening; the started process exits\n"
		"                           (the daemon ends with its first served connection, or after 30 s)\n"
		"                         bad-capabilities     --print-capabilities prints no JSON object\n"
		"                         inflight-kept        used split heads stay marked in flight\n"
		"                         config-writable      SET_CONFIG with flags 0 writes read-only fields\n"
		"                         inband-accepted      INBAND_NOTIFICATIONS kept without BACKEND_REQ+REPLY_ACK\n"
		"                         postcopy-end-fails   POSTCOPY_END answers 1\n"
		"                         state-error-with-fd  SET_DEVICE_STATE_FD: an error with an fd (VU-RVAL-02)\n"
		"                         state-check-ok       CHECK_DEVICE_STATE answers 0 though the state\n"
		"                           did not go through whole (VU-BE-25)\n"
		"                       each optionally followed by ,conn=K (K-th connection only)\n"
		"  --fuzz SEED          answer with mutated replies and unprompted back-end\n"
		"                       requests (PRNG seeded with SEED: the same front-end run\n"
		"                       with the same SEED replays it); rules the fake then\n"
		"                       breaks itself are waived\n"
		"  --fuzz-rate N        mutate N of every 1000 chances (default 50)\n"
		"  --record FILE        native capture of every event (re-check with 'check');\n"
		"                       FILE.waive lists the rules the faults make the fake break\n"
		"  --json FILE, --junit FILE   reports, written when serving ends\n"
		"  --once               end after the first connection closes\n"
		"  --print-capabilities print the capabilities as JSON (vhost-user.rst, Backend\n"
		"                       program conventions) and exit; other options are ignored\n"
		"  --timeout S          quiet seconds before a front-end that owes an ack (or waits\n"
		"                       for one nobody owes) is reported (default 10, 0 = never)\n"
		"  --duration S         stop serving after S seconds (as on SIGTERM)\n"
		"  --no-null-device     do not process rings (no used buffers returned)\n"
		"  --device-state-own-fd  with DEVICE_STATE: SET_DEVICE_STATE_FD returns the fake's own\n"
		"                       pipe end (bit 8 clear) instead of using the front-end's\n"
		"  --rules GLOB[,GLOB]  only rules whose ID matches\n"
		"  --strict             SHOULD findings fail the run too\n"
		"  --keep-sessions N    the report keeps the last N ended connections apart\n"
		"                       (default 1000); older ones fold into one session\n"
		"                       (verdicts merged, findings only printed live), so a\n"
		"                       long-running serve holds steady\n"
		"  -q, --quiet          no live finding lines\n"
		"  -v, --verbose        also list rules that were not applicable\n"
		"Ends on SIGINT/SIGTERM (or --once/--duration), then prints the report.\n"
		"exit status: 0 clean, 1 findings, 2 usage error or no front-end connected\n");
}

static struct vfu_server *g_srv;
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
	if (g_srv)
		vfu_wake(g_srv);
}

struct live_out {
	struct vfu_server *srv;
	bool quiet;
};

static void on_finding(const struct vc_finding *f, void *opaque)
{
	struct live_out *o = opaque;
	if (o->quiet || !o->srv)
		return;
	vc_report_finding_line(stdout, f, vfu_session_name(o->srv, f->session));
	fflush(stdout);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_secs(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || v < 0 || v > 86400.0 * 365)
		return -1;
	*out = (int64_t)(v * 1000.0);
	return 0;
}

/* FILE.waive: the rules the injected faults make the fake break, in the
 * format of 'check --waive', so the offline check agrees with the run. */
static int write_waivers(const char *path, const struct vfu_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return -1;
	fprintf(m, "# rules the fake back-end broke on purpose (--fault, --fuzz)\n");
	if (cfg->fuzz)
		fprintf(m, "%s fuzz\n", vfu_fuzz_waives());
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const char *w = vfu_fault_waives(&cfg->faults[i]);
		if (*w)
			fprintf(m, "%s %s\n", w, vfu_fault_kind_name(cfg->faults[i].kind));
	}
	fclose(m);
	char err[512];
	int rc = vc_write_file_atomic(path, buf, len, err, sizeof err);
	if (rc)
		fprintf(stderr, "vhost-cts: %s\n", err);
	free(buf);
	return rc;
}

/* --print-capabilities: the conventions' JSON, every other option
 * ignored but --profile (the type) and --fault bad-capabilities. */
static int print_capabilities(int argc, char **argv)
{
	const char *profile = "net";
	bool bad = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--profile"))
			profile = v;
		else if (!strncmp(a, "--profile=", 10))
			profile = a + 10;
		else if ((!strcmp(a, "--fault") && !strcmp(v, "bad-capabilities")) ||
			 !strcmp(a, "--fault=bad-capabilities"))
			bad = true;
	}
	/* Printed inside a JSON string: only a profile the fake knows. */
	struct vfu_profile known;
	if (vfu_profile_init(&known, profile, 1))
		return cli_usage_error("serve: unknown --profile '%s' (net, blk, generic)", profile);
	/* vhost-user.json's VHostUserBackendType names virtio-blk "block". */
	const char *type = !strcmp(profile, "blk") ? "block" : profile;
	if (bad)
		printf("{ \"type\": %s }\n", type); /* the fault: a bare word */
	else
		printf("{\n  \"type\": \"%s\"\n}\n", type);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_USAGE;
}

/* --fault daemonize: what the conventions forbid. The started process
 * forks and exits once its child has read a first message (so a driver
 * sees it go while it is served); the child ends with the first
 * connection that carried messages, or after 30 s, so a test leaves
 * nothing behind. Returns the child's end of the pipe (-1 none). */
static int daemonize(void)
{
	int pfd[2];
	fflush(NULL);
	if (pipe(pfd))
		return -1;
	pid_t p = fork();
	if (p > 0) {
		char b;
		close(pfd[1]);
		ssize_t n = read(pfd[0], &b, 1);
		(void)n;
		_exit(0);
	}
	close(pfd[0]);
	if (p < 0) {
		close(pfd[1]);
		return -1;
	}
	setsid();
	alarm(30);
	return pfd[1];
}

int cmd_serve(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--print-capabilities"))
			return print_capabilities(argc, argv);
	bool daemon_fault = false;
	static const struct option opts[] = {
		{ "socket", required_argument, 0, 'S' },   { "client", no_argument, 0, 'c' },
		{ "profile", required_argument, 0, 'p' },  { "queues", required_argument, 0, 'Q' },
		{ "features", required_argument, 0, 'F' }, { "protocol-features", required_argument, 0, 'P' },
		{ "mtu", required_argument, 0, 'M' },      { "disk-size", required_argument, 0, 'D' },
		{ "fault", required_argument, 0, 'f' },    { "record", required_argument, 0, 'R' },
		{ "json", required_argument, 0, 'j' },     { "junit", required_argument, 0, 'u' },
		{ "once", no_argument, 0, 'o' },           { "timeout", required_argument, 0, 't' },
		{ "duration", required_argument, 0, 'd' }, { "no-null-device", no_argument, 0, 'n' },
		{ "rules", required_argument, 0, 'r' },    { "strict", no_argument, 0, 's' },
		{ "quiet", no_argument, 0, 'q' },          { "verbose", no_argument, 0, 'v' },
		{ "fuzz", required_argument, 0, 'z' },     { "fuzz-rate", required_argument, 0, 'Z' },
		{ "keep-sessions", required_argument, 0, 'K' },
		{ "device-state-own-fd", no_argument, 0, 'O' },
		{ "help", no_argument, 0, 'h' },           { 0, 0, 0, 0 },
	};
	const char *sock = NULL, *profile = "net", *features = NULL, *pfeatures = NULL;
	const char *record = NULL, *json = NULL, *junit = NULL, *rules = NULL;
	bool client = false, once = false, strict = false, quiet = false, verbose = false;
	bool null_device = true;
	bool device_state_own_fd = false;
	int64_t queues = 1, mtu = 0, disk = -1, stall_ms = 10000, duration_ms = 0;
	int64_t keep_sessions = 1000;
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	char err[512];
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'S': sock = optarg; break;
		case 'c': client = true; break;
		case 'p': profile = optarg; break;
		case 'Q':
			queues = cli_parse_size(optarg);
			if (queues < 1 || queues > VFU_MAX_QUEUES)
				return cli_usage_error("serve: --queues wants 1..%u", VFU_MAX_QUEUES);
			break;
		case 'F': features = optarg; break;
		case 'P': pfeatures = optarg; break;
		case 'M':
			mtu = cli_parse_size(optarg);
			if (mtu < 68 || mtu > 65535)
				return cli_usage_error("serve: --mtu wants 68..65535");
			break;
		case 'D':
			disk = cli_parse_size(optarg);
			if (disk < 512)
				return cli_usage_error("serve: bad --disk-size '%s'", optarg);
			break;
		case 'f':
			if (cfg.nfaults == VFU_MAX_FAULTS)
				return cli_usage_error("serve: at most %u --fault options", VFU_MAX_FAULTS);
			if (vfu_fault_parse(optarg, &cfg.faults[cfg.nfaults], err, sizeof err))
				return cli_usage_error("serve: %s", err);
			cfg.nfaults++;
			break;
		case 'z': {
			char *end;
			errno = 0;
			cfg.fuzz_seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg)
				return cli_usage_error("serve: --fuzz wants a number (the seed), got '%s'", optarg);
			cfg.fuzz = true;
			if (!cfg.fuzz_permille)
				cfg.fuzz_permille = 50;
			break;
		}
		case 'Z': {
			int64_t r = cli_parse_size(optarg);
			if (r < 1 || r > 1000)
				return cli_usage_error("serve: --fuzz-rate wants 1..1000");
			cfg.fuzz_permille = (uint32_t)r;
			break;
		}
		case 'K':
			keep_sessions = cli_parse_size(optarg);
			if (keep_sessions < 1 || keep_sessions > 1000000)
				return cli_usage_error("serve: --keep-sessions wants 1..1000000");
			break;
		case 'R': record = optarg; break;
		case 'j': json = optarg; break;
		case 'u': junit = optarg; break;
		case 'o': once = true; break;
		case 't':
			if (parse_secs(optarg, &stall_ms))
				return cli_usage_error("serve: bad --timeout '%s'", optarg);
			break;
		case 'd':
			if (parse_secs(optarg, &duration_ms) || duration_ms == 0)
				return cli_usage_error("serve: bad --duration '%s'", optarg);
			break;
		case 'n': null_device = false; break;
		case 'O': device_state_own_fd = true; break;
		case 'r': rules = optarg; break;
		case 's': strict = true; break;
		case 'q': quiet = true; break;
		case 'v': verbose = true; break;
		case 'h': serve_usage(stdout); return EXIT_CLEAN;
		default: serve_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!sock) {
		serve_usage(stderr);
		return cli_usage_error("serve: --socket is required");
	}
	if (!*sock)
		return cli_usage_error("serve: --socket is empty (a path is required)");
	if (optind < argc)
		return cli_usage_error("serve: unexpected argument '%s'", argv[optind]);
	if (vfu_profile_init(&cfg.profile, profile, (uint32_t)queues))
		return cli_usage_error("serve: unknown --profile '%s' (net, blk, generic)", profile);
	if (mtu) {
		cfg.profile.mtu = (uint16_t)mtu;
		cfg.profile.features |= VU_BIT(VU_F_NET_MTU);
	}
	if (disk > 0)
		cfg.profile.disk_bytes = (uint64_t)disk;
	if (features && vfu_features_override(&cfg.profile.features, features, false, err, sizeof err))
		return cli_usage_error("serve: --features: %s", err);
	if (pfeatures &&
	    vfu_features_override(&cfg.profile.protocol_features, pfeatures, true, err, sizeof err))
		return cli_usage_error("serve: --protocol-features: %s", err);
	vfu_profile_refresh(&cfg.profile);
	if (rules) {
		bool any = false;
		struct vc_engine_opts o = { .rules_glob = rules };
		for (unsigned r = 0; r < VC_RULE_COUNT && !any; r++)
			any = vc_rule_enabled(&o, r);
		if (!any)
			return cli_usage_error("serve: --rules '%s' matches no rule", rules);
	}

	/* Every output is checked now, not when serving ends; the capture is
	 * opened now (a file: under a temporary name, renamed at the end). */
	char waive_path[4096] = "";
	if (record) {
		if (!strcmp(record, "-"))
			return cli_usage_error("serve: --record - : stdout carries the findings; name a file");
		snprintf(waive_path, sizeof waive_path, "%s.waive", record);
	}
	const struct cli_path outs[] = { { "--record", record }, { "--record's waiver file", record ? waive_path : NULL },
					 { "--json", json }, { "--junit", junit } };
	const struct cli_path ins[] = { { "--socket", sock } };
	if (cli_check_paths("serve", outs, 4, ins, 1))
		return EXIT_USAGE;
	struct vc_out *recout = NULL;
	FILE *rec = NULL;
	if (record) {
		if (!(recout = vc_out_open(record, err, sizeof err)))
			return cli_usage_error("serve: --record %s", err);
		rec = vc_out_stream(recout);
	}
	struct live_out lo = { .quiet = quiet };
	cfg.null_device = null_device;
	cfg.device_state_own_fd = device_state_own_fd;
	cfg.stall_ms = stall_ms;
	cfg.engine.strict = strict;
	cfg.engine.keep_sessions = (uint32_t)keep_sessions;
	cfg.engine.rules_glob = rules;
	cfg.engine.on_finding = on_finding;
	cfg.engine.opaque = &lo;
	cfg.record = rec;
	cfg.source_name = record ? record : "live";
	cfg.label = "serve";
	cfg.reconnect = client && !once;
	cfg.max_accepts = once ? 1 : 0;
	cfg.log = stderr;
	struct vfu_server *srv = vfu_new(&cfg, err, sizeof err);
	if (!srv) {
		vc_out_discard(recout);
		return cli_usage_error("serve: %s", err);
	}
	lo.srv = srv;
	int rc = client ? vfu_connect(srv, sock, err, sizeof err) : vfu_listen(srv, sock, err, sizeof err);
	if (rc) {
		vfu_free(srv);
		vc_out_discard(recout);
		return cli_usage_error("serve: %s", err);
	}
	char fb[256], pb[256];
	fprintf(stderr, "vhost-cts serve: %s %s, profile %s, %u queue%s (%u rings), features 0x%llx (%s), protocol features 0x%llx (%s)%s\n",
		client ? "connected to" : "listening on", sock, cfg.profile.name, cfg.profile.queues,
		cfg.profile.queues == 1 ? "" : "s", cfg.profile.rings,
		(unsigned long long)cfg.profile.features, vu_features_str(cfg.profile.features, fb, sizeof fb),
		(unsigned long long)cfg.profile.protocol_features,
		vu_protocol_features_str(cfg.profile.protocol_features, pb, sizeof pb),
		cfg.nfaults ? ", faults armed" : "");
	if (cfg.fuzz)
		fprintf(stderr, "vhost-cts serve: fuzz mode, seed %llu, %u/1000 (replay: --fuzz %llu --fuzz-rate %u)\n",
			(unsigned long long)cfg.fuzz_seed, cfg.fuzz_permille,
			(unsigned long long)cfg.fuzz_seed, cfg.fuzz_permille);
	g_srv = srv;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* --fault ignore-sigterm: a back-end that breaks the program
	 * conventions (a driver's sigterm scenario fails VU-BE-11). */
	for (unsigned i = 0; i < cfg.nfaults; i++) {
		if (cfg.faults[i].kind == VFU_FAULT_IGNORE_SIGTERM)
			signal(SIGTERM, SIG_IGN);
		daemon_fault |= cfg.faults[i].kind == VFU_FAULT_DAEMONIZE;
	}
	int daemon_pipe = daemon_fault && !client ? daemonize() : -1;
	bool daemon_child = daemon_pipe >= 0;

	int64_t deadline = duration_ms ? mono_ms() + duration_ms : 0;
	while (!g_stop) {
		int wait = -1;
		if (deadline) {
			int64_t left = deadline - mono_ms();
			if (left <= 0)
				break;
			wait = left > 1000 ? 1000 : (int)left;
		}
		if (vfu_dispatch(srv, wait) < 0) {
			fprintf(stderr, "vhost-cts: serve: event loop failed: %s\n", strerror(errno));
			break;
		}
		struct vfu_stats st;
		vfu_get_stats(srv, &st);
		if (once && st.sessions_ended >= 1 && st.open_connections == 0)
			break;
		if (daemon_pipe >= 0 && st.messages_in > 0) {
			/* the parent may go now */
			ssize_t n = write(daemon_pipe, "x", 1);
			(void)n;
			close(daemon_pipe);
			daemon_pipe = -1;
		}
		if (daemon_child && st.messages_in > 0 && st.open_connections == 0)
			break;
	}
	g_srv = NULL;
	vfu_close_all(srv);
	struct vfu_stats st;
	vfu_get_stats(srv, &st);
	fprintf(stderr,
		"vhost-cts serve: %llu connection(s), %llu messages in, %llu out, %llu kicks, %llu chains done, %llu chain errors, %llu regions refused, %llu requests refused, %llu stalls\n",
		(unsigned long long)st.connections, (unsigned long long)st.messages_in,
		(unsigned long long)st.messages_out, (unsigned long long)st.kicks,
		(unsigned long long)st.chains_done, (unsigned long long)st.chain_errors,
		(unsigned long long)st.bad_regions, (unsigned long long)st.refused, (unsigned long long)st.stalls);
	const struct vc_results *res = vc_engine_finish(vfu_engine(srv));
	const char *inputs[1] = { sock };
	struct vc_report_meta meta = { .tool = "vhost-cts serve", .version = VCTS_VERSION,
				       .inputs = inputs, .ninputs = 1, .strict = strict };
	vc_report_text(stdout, res, &meta, verbose ? VC_TEXT_VERBOSE : 0);
	rc = vc_results_exit_status(res, strict);
	if (cli_write_reports(json, junit, res, &meta) != 0)
		rc = EXIT_USAGE;
	bool rec_failed = vfu_record_close(srv) != 0;
	vfu_free(srv);
	if (recout) {
		if (rec_failed) {
			fprintf(stderr, "vhost-cts: serve: --record %s: write failed\n", record);
			vc_out_discard(recout);
			rc = EXIT_USAGE;
		} else if (vc_out_commit(recout, err, sizeof err) != 0) {
			fprintf(stderr, "vhost-cts: serve: --record %s\n", err);
			rc = EXIT_USAGE;
		} else if (write_waivers(waive_path, &cfg) != 0) {
			rc = EXIT_USAGE;
		}
	}
	if (st.connections == 0) {
		fprintf(stderr, "vhost-cts: serve: no front-end connected\n");
		rc = EXIT_USAGE;
	}
	fflush(stdout);
	return rc;
}
