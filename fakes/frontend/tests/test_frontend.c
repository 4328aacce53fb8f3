/* The fake front-end (driver) in-process: against the fake back-end on a
 * thread (every positive scenario served), with nobody listening; the
 * VU-BE-04 check on synthesized streams; the results filter; the matrix
 * page from JSON reports (hostile peers: test_frontend_hostile.c). No
 * timed assertions: timeouts only bound the waits. */
#include "conformance/vu_be.h"
#include "fakes/frontend/fe_int.h"
#include "fakes/frontend/frontend.h"
#include "fakes/frontend/tests/drive_util.h"
#include "fakes/vhost-user/fake.h"
#include "harness/tests/common/testutil.h"
#include "reports/html.h"
#include "vcts/sock.h"
#include "vcts/engine.h"
#include "vcts/report.h"
#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/vu_stream.h"
#include "vcts/wire.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- the fake back-end on its own thread ---- */

static struct vfu_server *start_fake_faults(const char *profile, uint32_t queues, const char *fault)
{
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, profile, queues), 0);
	cfg.null_device = true;
	char err[256];
	if (fault) {
		ck_assert_msg(vfu_fault_parse(fault, &cfg.faults[0], err, sizeof err) == 0, "%s", err);
		cfg.nfaults = 1;
	}
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_msg(vfu_listen(s, sock_path, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(vfu_start(s), 0);
	return s;
}

static struct vfu_server *start_fake(const char *profile, uint32_t queues)
{
	return start_fake_faults(profile, queues, NULL);
}

START_TEST(fake_serves_every_positive_scenario)
{
	fresh_path("pos");
	int fds0 = vc_test_count_fds();
	struct vfu_server *s = start_fake(_i ? "blk" : "net", 2);
	struct vfe_run *r = new_run("replay,lifecycle,memory,migration,inflight,datapath,ring-state,reset",
				    _i ? VFE_DEV_BLK : VFE_DEV_NET, 3000);
	char err[256];
	ck_assert_int_gt(vfe_run_all(r, err, sizeof err), 0);
	size_t n;
	const struct vfe_scenario_result *x = vfe_run_scenarios(r, &n);
	unsigned ran = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(x[i].outcome == VFE_PASS || x[i].outcome == VFE_SKIPPED, "%s: %s (%s)", x[i].name,
			      vfe_outcome_name(x[i].outcome), x[i].detail);
		ran += x[i].outcome == VFE_PASS;
	}
	ck_assert_uint_ge(ran, 8);
	const struct vc_results *res = vfe_run_results(r);
	/* net: the TX frame is consumed; blk: the fake's disk keeps the
	 * sector written and reads it back (VU-BE-06 holds). */
	ck_assert_int_eq(find(r, "datapath")->outcome, VFE_PASS);
	ck_assert_int_eq(res->sessions[find(r, "datapath")->session].rules[VC_R_VU_BE_06].verdict, VC_PASS);
	/* GET_VRING_BASE after traffic: the true next avail index (VU-BE-07). */
	ck_assert_int_eq(res->sessions[find(r, "datapath")->session].rules[VC_R_VU_BE_07].verdict, VC_PASS);
	/* net: the rings run across the LOG_ALL toggles and the fake logs its
	 * used-ring writes (VU-BE-06, -09); blk offers no LOG_SHMFD */
	if (!_i) {
		const struct vc_session_result *ls = &res->sessions[find(r, "log-on-off")->session];
		ck_assert_int_eq(ls->rules[VC_R_VU_BE_06].verdict, VC_PASS);
		ck_assert_uint_eq(ls->rules[VC_R_VU_BE_06].checks, 3);
		ck_assert_int_eq(ls->rules[VC_R_VU_BE_09].verdict, VC_PASS);
	}
	/* a stopped ring kicked stays untouched (VU-BE-08) */
	ck_assert_int_eq(find(r, "stopped-quiet")->outcome, VFE_PASS);
	ck_assert_int_eq(res->sessions[find(r, "stopped-quiet")->session].rules[VC_R_VU_BE_08].verdict, VC_PASS);
	/* a suspended device writes no guest memory (VU-BE-16) */
	ck_assert_int_eq(res->sessions[find(r, "stopped-quiet")->session].rules[VC_R_VU_BE_16].verdict, VC_PASS);
	/* the enabled state of Ring states (VU-BE-12, -13 net only, -14) */
	ck_assert_int_eq(find(r, "no-protocol-features")->outcome, VFE_PASS);
	ck_assert_int_eq(res->sessions[find(r, "no-protocol-features")->session].rules[VC_R_VU_BE_12].verdict, VC_PASS);
	ck_assert_int_eq(find(r, "enable-while-stopped")->outcome, VFE_PASS);
	ck_assert_int_eq(res->sessions[find(r, "enable-while-stopped")->session].rules[VC_R_VU_BE_14].verdict, VC_PASS);
	ck_assert_int_eq(find(r, "disabled-ring")->outcome, _i ? VFE_SKIPPED : VFE_PASS);
	/* RESET_OWNER only disables the rings; RESET_DEVICE (blk offers it)
	 * keeps the owner (VU-BE-17, -18) */
	ck_assert_int_eq(res->sessions[find(r, "reset-owner")->session].rules[VC_R_VU_BE_18].verdict, VC_PASS);
	ck_assert_int_eq(find(r, "reset-device")->outcome, _i ? VFE_PASS : VFE_SKIPPED);
	if (!_i)
		ck_assert_int_eq(res->sessions[find(r, "disabled-ring")->session].rules[VC_R_VU_BE_13].verdict, VC_PASS);
	/* what was available before SET_VRING_KICK is used unkicked (VU-BE-10) */
	ck_assert_int_eq(find(r, "start-without-kick")->outcome, VFE_PASS);
	ck_assert_int_eq(res->sessions[find(r, "start-without-kick")->session].rules[VC_R_VU_BE_10].verdict, VC_PASS);
	ck_assert_uint_eq(res->findings_by_level[VC_MUST], 0);
	/* Front-end-only rules are not the back-end's: not applicable. */
	for (size_t k = 0; k < res->nsessions; k++)
		ck_assert_int_eq(res->sessions[k].rules[VC_R_VU_RING_09].verdict, VC_NA);
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* A back-end that attaches 250 fds to every reply: the driver receives
 * them all (no cut control buffer), judges VU-FD-06 on each reply, keeps
 * only the fd GET_INFLIGHT_FD's reply may carry (the inflight scenario
 * still maps it) and closes the rest: its own fd count is back at the
 * end. */
START_TEST(reply_fds_are_judged_and_closed)
{
	fresh_path("rfds");
	int fds0 = vc_test_count_fds();
	struct vfu_server *s = start_fake_faults("blk", 1, "reply-fds=250");
	struct vfe_run *r = new_run("replay-qemu-blk,inflight", VFE_DEV_BLK, 3000);
	char err[256];
	/* replay-qemu-blk, and the group inflight: inflight, inflight-repeat
	 * (32 replies of 251 fds each). */
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 3);
	size_t n;
	const struct vfe_scenario_result *x = vfe_run_scenarios(r, &n);
	const struct vc_results *res = vfe_run_results(r);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(x[i].outcome == VFE_FINDINGS, "%s: %s (%s)", x[i].name,
			      vfe_outcome_name(x[i].outcome), x[i].detail);
		const struct vc_session_result *sr = &res->sessions[x[i].session];
		ck_assert_int_eq(sr->rules[VC_R_VU_FD_06].verdict, VC_FAIL);
		/* Every reply broke it, nothing else did. */
		ck_assert_uint_eq(sr->rules[VC_R_VU_FD_06].failures, sr->rules[VC_R_VU_FD_06].checks);
		ck_assert_int_eq(sr->rules[VC_R_VU_BE_05].verdict, VC_PASS);
	}
	bool saw = false;
	for (size_t i = 0; i < res->nfindings; i++) {
		ck_assert_int_eq(res->findings[i].rule, VC_R_VU_FD_06);
		saw |= strstr(res->findings[i].message, "GET_INFLIGHT_FD carries 251 fds, takes at most 1") != NULL;
	}
	ck_assert(saw);
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* A fake offering RING_PACKED (with the packed-used-zero fault in the
 * second half of the loop, as DPDK 22.11 answers) on its own thread. */
static struct vfu_server *start_packed_fake(const char *profile, bool used_zero)
{
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, profile, 1), 0);
	cfg.profile.features |= VU_BIT(VU_F_RING_PACKED);
	vfu_profile_refresh(&cfg.profile);
	cfg.null_device = true;
	char err[256];
	if (used_zero) {
		ck_assert_int_eq(vfu_fault_parse("packed-used-zero", &cfg.faults[0], err, sizeof err), 0);
		cfg.nfaults = 1;
	}
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_msg(vfu_listen(s, sock_path, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(vfu_start(s), 0);
	return s;
}

/* Packed rings both ways: the driver lays them out and the fake serves
 * them (net TX consumed, blk sector written and read back, 8-entry rings
 * run past their wrap twice and restarted from GET_VRING_BASE's word); the
 * word is the driver's positions (VU-PACK-04). With the used half zeroed
 * the driver's checks fail, and the restart breaks the data path. */
START_TEST(packed_rings_both_ways)
{
	bool blk = _i & 1, used_zero = _i & 2;
	fresh_path("packed");
	int fds0 = vc_test_count_fds();
	struct vfu_server *s = start_packed_fake(blk ? "blk" : "net", used_zero);
	struct vfe_run *r = new_run("packed-*", blk ? VFE_DEV_BLK : VFE_DEV_NET, 1000);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 2);
	const struct vc_results *res = vfe_run_results(r);
	const struct vfe_scenario_result *dp = find(r, "packed-datapath"), *sr = find(r, "packed-stop-resume");
	const struct vc_session_result *dps = &res->sessions[dp->session], *srs = &res->sessions[sr->session];
	if (!used_zero) {
		ck_assert_msg(dp->outcome == VFE_PASS, "%s", dp->detail);
		ck_assert_msg(sr->outcome == VFE_PASS, "%s", sr->detail);
		ck_assert_int_eq(dps->rules[VC_R_VU_PACK_04].verdict, VC_PASS);
		ck_assert_int_eq(srs->rules[VC_R_VU_PACK_04].verdict, VC_PASS);
		ck_assert_int_eq(srs->rules[VC_R_VU_BE_06].verdict, VC_PASS);
		ck_assert_int_eq(srs->rules[VC_R_VU_PACK_03].verdict, VC_PASS);
		ck_assert_uint_eq(res->findings_by_level[VC_MUST], 0);
	} else {
		ck_assert_int_eq(dp->outcome, VFE_FINDINGS);
		ck_assert_int_eq(sr->outcome, VFE_FINDINGS);
		ck_assert_int_eq(dps->rules[VC_R_VU_PACK_04].verdict, VC_FAIL);
		/* the used half 0/0 after traffic on the first lap: decidable */
		ck_assert_int_eq(dps->rules[VC_R_VU_PACK_03].verdict, VC_FAIL);
		ck_assert_int_eq(srs->rules[VC_R_VU_PACK_04].verdict, VC_FAIL);
		/* restarted from the wrong used half: nothing seen used */
		ck_assert_int_eq(srs->rules[VC_R_VU_BE_06].verdict, VC_FAIL);
	}
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* GET_VRING_BASE answering 0 (rust-vmm once) or another ring's index
 * after the data path: VU-BE-07 fails (net: RX 0 used, TX 1; blk: 2 used
 * on ring 0, ring 1 never set up). Without traffic 0 is right. */
START_TEST(vring_base_faults_are_caught)
{
	bool blk = _i & 1, other = _i & 2;
	fresh_path("vbase");
	int fds0 = vc_test_count_fds();
	struct vfu_server *s =
		start_fake_faults(blk ? "blk" : "net", 1, other ? "vring-base-other-ring" : "vring-base-zero");
	struct vfe_run *r = new_run("datapath,init-start-stop-qemu", blk ? VFE_DEV_BLK : VFE_DEV_NET, 3000);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 2);
	const struct vc_results *res = vfe_run_results(r);
	const struct vfe_scenario_result *dp = find(r, "datapath"), *iss = find(r, "init-start-stop-qemu");
	bool caught = true;
	ck_assert_int_eq(dp->outcome, caught ? VFE_FINDINGS : VFE_PASS);
	ck_assert_int_eq(res->sessions[dp->session].rules[VC_R_VU_BE_07].verdict, caught ? VC_FAIL : VC_PASS);
	ck_assert_int_eq(res->sessions[dp->session].rules[VC_R_VU_BE_06].verdict, VC_PASS);
	/* no traffic: 0 is the true index, whichever ring it came from */
	ck_assert_int_eq(iss->outcome, VFE_PASS);
	ck_assert_int_eq(res->sessions[iss->session].rules[VC_R_VU_BE_07].verdict, VC_PASS);
	char want[64];
	/* net: the TX frame used (ring 1), the RX buffers wait for a packet */
	snprintf(want, sizeof want, "split ring %u stopped: GET_VRING_BASE %u,", !blk && !other, !blk && other);
	bool saw = false;
	for (size_t i = 0; i < res->nfindings; i++) {
		ck_assert_int_eq(res->findings[i].rule, VC_R_VU_BE_07);
		saw |= strstr(res->findings[i].message, want) != NULL;
	}
	ck_assert(saw);
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* A fake whose rings keep running after GET_VRING_BASE: the buffer made
 * available on a stopped ring is used and called (VU-BE-08). */
START_TEST(stopped_ring_that_runs_is_caught)
{
	fresh_path("stopq");
	int fds0 = vc_test_count_fds();
	struct vfu_server *s = start_fake_faults(_i ? "blk" : "net", 1, "stopped-ring-runs");
	struct vfe_run *r = new_run("stopped-quiet", _i ? VFE_DEV_BLK : VFE_DEV_NET, 3000);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 1);
	const struct vc_results *res = vfe_run_results(r);
	const struct vfe_scenario_result *x = find(r, "stopped-quiet");
	ck_assert_int_eq(x->outcome, VFE_FINDINGS);
	ck_assert_int_eq(res->sessions[x->session].rules[VC_R_VU_BE_08].verdict, VC_FAIL);
	ck_assert_int_eq(res->sessions[x->session].rules[VC_R_VU_BE_07].verdict, VC_PASS);
	/* net: the TX ring (the fake's null device leaves RX buffers alone) */
	char want[96];
	snprintf(want, sizeof want, "stopped ring %d: a buffer made available and kicked after GET_VRING_BASE was processed",
		 _i ? 0 : 1);
	/* and guest memory written while suspended (VU-BE-16) */
	ck_assert_int_eq(res->sessions[x->session].rules[VC_R_VU_BE_16].verdict, VC_FAIL);
	ck_assert_uint_eq(res->nfindings, 2);
	bool saw = false;
	for (size_t k = 0; k < res->nfindings; k++)
		saw |= res->findings[k].rule == VC_R_VU_BE_08 && strstr(res->findings[k].message, want);
	ck_assert_msg(saw, "%s", res->findings[0].message);
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* Each ring-state fault of the fake fails its scenario on its rule
 * alone among the new ones: no-auto-enable VU-BE-12 (blk: a net ring
 * left disabled still consumes TX), disabled-ring-idle VU-BE-13,
 * enable-lost-while-stopped VU-BE-14 (blk), log-skip-data VU-BE-15 (blk
 * offered LOG_ALL and LOG_SHMFD: the null net device writes no buffer),
 * a close at RESET_DEVICE VU-BE-17, reset-owner-resets VU-BE-18,
 * inflight-kept VU-BE-21 (blk offers INFLIGHT_SHMFD), config-writable
 * VU-BE-22, inband-accepted VU-BE-23 (INBAND_NOTIFICATIONS offered),
 * postcopy-end-fails VU-BE-24 (PAGEFAULT offered; root or
 * vm.unprivileged_userfaultfd for the fake's userfaultfd). */
static const struct {
	const char *fault, *scenario, *profile;
	enum vc_rule_id rule;
} ring_faults[] = {
	{ "no-auto-enable", "no-protocol-features", "blk", VC_R_VU_BE_12 },
	{ "disabled-ring-idle", "disabled-ring", "net", VC_R_VU_BE_13 },
	{ "enable-lost-while-stopped", "enable-while-stopped", "blk", VC_R_VU_BE_14 },
	{ "log-skip-data", "log-on-off", "blk", VC_R_VU_BE_15 },
	{ "disconnect@req=RESET_DEVICE", "reset-device", "blk", VC_R_VU_BE_17 },
	{ "reset-owner-resets", "reset-owner", "net", VC_R_VU_BE_18 },
	{ "reset-owner-resets", "reset-owner", "blk", VC_R_VU_BE_18 },
	{ "inflight-kept", "inflight", "blk", VC_R_VU_BE_21 },
	{ "config-writable", "config-readonly", "blk", VC_R_VU_BE_22 },
	{ "inband-accepted", "inband-without-channel", "net", VC_R_VU_BE_23 },
	{ "postcopy-end-fails", "postcopy", "net", VC_R_VU_BE_24 },
};

START_TEST(ring_state_faults_are_caught)
{
	fresh_path("rsf");
	int fds0 = vc_test_count_fds();
	bool blk = !strcmp(ring_faults[_i].profile, "blk");
	for (int with_fault = 0; with_fault < 2; with_fault++) {
		struct vfu_config cfg;
		memset(&cfg, 0, sizeof cfg);
		ck_assert_int_eq(vfu_profile_init(&cfg.profile, ring_faults[_i].profile, blk ? 1 : 2), 0);
		cfg.null_device = true;
		char err[256];
		if (blk) {
			/* blk offers no dirty log by default */
			cfg.profile.features |= VU_BIT(VU_F_LOG_ALL);
			cfg.profile.protocol_features |= VU_BIT(VU_PF_LOG_SHMFD);
		}
		/* offered only on request */
		if (ring_faults[_i].rule == VC_R_VU_BE_23)
			cfg.profile.protocol_features |= VU_BIT(VU_PF_INBAND_NOTIFICATIONS);
		if (ring_faults[_i].rule == VC_R_VU_BE_24)
			cfg.profile.protocol_features |= VU_BIT(VU_PF_PAGEFAULT);
		if (with_fault) {
			ck_assert(vfu_fault_parse(ring_faults[_i].fault, &cfg.faults[0], err, sizeof err) == 0);
			cfg.nfaults = 1;
		}
		struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
		ck_assert_msg(s != NULL, "%s", err);
		ck_assert_int_eq(vfu_listen(s, sock_path, err, sizeof err), 0);
		ck_assert_int_eq(vfu_start(s), 0);
		struct vfe_run *r = new_run(ring_faults[_i].scenario, blk ? VFE_DEV_BLK : VFE_DEV_NET, 2000);
		ck_assert_int_ge(vfe_run_all(r, err, sizeof err), 1); /* "inflight" is a family too */
		const struct vc_results *res = vfe_run_results(r);
		const struct vfe_scenario_result *x = find(r, ring_faults[_i].scenario);
		const struct vc_rule_result *rr = &res->sessions[x->session].rules[ring_faults[_i].rule];
		ck_assert_msg(x->outcome == (with_fault ? VFE_FINDINGS : VFE_PASS), "%s %s: %s (%s)",
			      ring_faults[_i].fault, x->name, vfe_outcome_name(x->outcome), x->detail);
		ck_assert_int_eq(rr->verdict, with_fault ? VC_FAIL : VC_PASS);
		ck_assert_uint_ge(rr->checks, 1);
		for (enum vc_rule_id k = VC_R_VU_BE_12; k <= VC_R_VU_BE_24; k++)
			if (k != ring_faults[_i].rule)
				ck_assert_int_ne(res->sessions[x->session].rules[k].verdict, VC_FAIL);
		vfe_run_free(r);
		vfu_stop(s);
		vfu_free(s);
		unlink(sock_path);
	}
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

START_TEST(negative_scenarios_have_a_verdict)
{
	fresh_path("neg");
	struct vfu_server *s = start_fake("net", 1);
	struct vfe_run *r = new_run("neg-*", VFE_DEV_NET, 3000);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), (int)vfe_scn_nneg);
	size_t n;
	const struct vfe_scenario_result *x = vfe_run_scenarios(r, &n);
	for (size_t i = 0; i < n; i++)
		/* The fake refuses every one of them (fakes/vhost-user/README.md). */
		ck_assert_msg(x[i].outcome == VFE_REJECTED || x[i].outcome == VFE_SKIPPED, "%s: %s (%s)",
			      x[i].name, vfe_outcome_name(x[i].outcome), x[i].detail);
	/* The fake closes on what it cannot frame or count. */
	ck_assert_int_eq(find(r, "neg-unknown-request")->outcome, VFE_REJECTED);
	ck_assert_int_eq(find(r, "neg-short-eof")->outcome, VFE_REJECTED);
	ck_assert_int_eq(find(r, "neg-extra-fds")->outcome, VFE_REJECTED);
	/* An accepted malformed request is a VU-REPLY-04 finding, and one
	 * acked as done (0) is VU-BE-04 as well; a refusal is neither. */
	const struct vc_results *res = vfe_run_results(r);
	for (size_t i = 0; i < n; i++) {
		const struct vc_session_result *sr = &res->sessions[x[i].session];
		if (x[i].outcome == VFE_ACCEPTED)
			ck_assert_int_eq(sr->rules[VC_R_VU_REPLY_04].verdict, VC_FAIL);
		if (x[i].outcome == VFE_REJECTED) {
			ck_assert_int_eq(sr->rules[VC_R_VU_REPLY_04].verdict, VC_PASS);
			ck_assert_int_ne(sr->rules[VC_R_VU_BE_04].verdict, VC_FAIL);
			/* The probe left unanswered by a refusing close is not VU-REPLY-01. */
			ck_assert_int_ne(sr->rules[VC_R_VU_REPLY_01].verdict, VC_FAIL);
		}
		if (!strncmp(x[i].detail, "acked as done", 13) && x[i].name[4] != 'l')
			ck_assert_msg(sr->rules[VC_R_VU_BE_04].verdict == VC_FAIL, "%s", x[i].name);
	}
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
}
END_TEST

START_TEST(nobody_listens)
{
	fresh_path("none");
	struct vfe_run *r = new_run(NULL, VFE_DEV_NET, 200);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "nobody listens"), "%s", err);
	vfe_run_free(r);
	struct vfe_run *r2 = new_run("no-such-scenario", VFE_DEV_NET, 200);
	ck_assert_int_eq(vfe_run_all(r2, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "selects no scenario"), "%s", err);
	vfe_run_free(r2);
}
END_TEST

/* ---- VU-BE-04 from a stream ---- */

static const struct vc_results *judge(struct vc_engine *e, struct vc_trace *t)
{
	uint32_t sid = vc_engine_add_session(e, &t->sessions[0]);
	for (size_t i = 0; i < t->nevents; i++) {
		struct vc_event ev = t->events[i];
		ev.session = sid;
		vc_engine_feed(e, &ev);
	}
	return vc_engine_finish(e);
}

START_TEST(be04_ack_of_malformed_request)
{
	for (int ack = 0; ack < 2; ack++) {
		struct vc_trace t;
		vc_trace_init(&t, "synth", VC_FMT_NATIVE);
		struct vc_synth s;
		vs_begin(&s, &t, "be04", VC_SIDE_LIVE);
		struct vs_profile p;
		vs_default_profile(&p);
		vs_init(&s, &p);
		uint8_t pl[8];
		vu_wr32(pl, 0);
		vu_wr32(pl + 4, 100); /* not a power of two: VU-RING-02 */
		vs_req(&s, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, pl, sizeof pl, 0);
		uint8_t a[8];
		vu_wr64(a, ack ? 1 : 0);
		vs_reply(&s, VU_SET_VRING_NUM, a, sizeof a);
		struct vc_engine *e = vc_engine_new(NULL);
		const struct vc_results *r = judge(e, &t);
		ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_BE_04].verdict, ack ? VC_PASS : VC_FAIL);
		vc_engine_free(e);
		vc_trace_free(&t);
	}
	/* live verdicts land on the session */
	struct vc_engine *e = vc_engine_new(NULL);
	struct vc_session ss = { .traced_side = VC_SIDE_LIVE, .name = "x" };
	uint32_t sid = vc_engine_add_session(e, &ss);
	vc_engine_live_verdict(e, sid, NULL, VC_R_VU_BE_01, false, "killed by signal 11");
	vc_engine_live_verdict(e, sid, NULL, VC_R_VU_BE_02, true, "");
	const struct vc_results *r = vc_engine_finish(e);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_BE_01].verdict, VC_FAIL);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_BE_02].verdict, VC_PASS);
	ck_assert_str_eq(r->findings[0].message, "killed by signal 11");
	vc_engine_free(e);
}
END_TEST

/* lax=region-bounds takes a region larger than its memfd (B6) but must not
 * crash: the fake runs on this thread's process, so a SIGBUS from the ring
 * the scenario places past the memfd would kill the test. The table is
 * acked (accepted: the lax class fails its scenario), the ring is halted. */
START_TEST(lax_region_bounds_never_crashes)
{
	fresh_path("b6");
	int fds0 = vc_test_count_fds();
	struct vfu_server *s = start_fake_faults("net", 1, "lax=region-bounds");
	struct vfe_run *r = new_run("neg-region-past-fd-ring,neg-region-past-fd", VFE_DEV_NET, 1000);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 2);
	const struct vfe_scenario_result *x = find(r, "neg-region-past-fd-ring");
	ck_assert_msg(x->outcome == VFE_ACCEPTED, "%s (%s)", vfe_outcome_name(x->outcome), x->detail);
	ck_assert_int_eq(find(r, "neg-region-past-fd")->outcome, VFE_ACCEPTED);
	const struct vc_results *res = vfe_run_results(r);
	ck_assert_int_eq(res->sessions[x->session].rules[VC_R_VU_BE_04].verdict, VC_FAIL);
	ck_assert_int_ne(res->sessions[x->session].rules[VC_R_VU_BE_01].verdict, VC_FAIL);
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* Without REPLY_ACK the driver waits for a GET_FEATURES reply before the
 * logged data path: otherwise the fake could take the kick before the
 * SET_VRING_ADDR that turns logging on, and VU-BE-09 failed in 9 runs of 10. */
START_TEST(log_on_off_without_reply_ack)
{
	fresh_path("noack");
	struct vfu_server *s = start_fake_faults("net", 1, "drop-protocol-feature=REPLY_ACK");
	struct vfe_run *r = new_run("log-on-off", VFE_DEV_NET, 3000);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 1);
	const struct vfe_scenario_result *x = find(r, "log-on-off");
	ck_assert_msg(x->outcome == VFE_PASS, "%s (%s)", vfe_outcome_name(x->outcome), x->detail);
	ck_assert_int_eq(vfe_run_results(r)->sessions[x->session].rules[VC_R_VU_BE_09].verdict, VC_PASS);
	vfe_run_free(r);
	vfu_stop(s);
	vfu_free(s);
	unlink(sock_path);
}
END_TEST

/* Guest memory is sealed against shrinking: a back-end that truncates the
 * fd it was given cannot make the driver's own reads take SIGBUS. */
START_TEST(guest_memory_cannot_shrink)
{
	struct vfe_conn *c = calloc(1, sizeof *c);
	ck_assert_int_eq(vfe_mem_add(c, 0, VFE_MEM_SIZE), 0);
	ck_assert_int_ne(ftruncate(c->mem[0].fd, 0), 0);
	ck_assert_int_eq(c->mem[0].map[VFE_MEM_SIZE - 1], 0);
	vfe_mem_free_all(c);
	free(c);
}
END_TEST

/* ---- the driver's own tables conform: neg-region-past-fd(-ring) ---- */

/* The B6 table claims 64 MiB of a 1 MiB memfd. With only the memfd mapped,
 * mmap put it just below region 0 in some runs, and the claim then covered
 * region 0's user addresses (VU-MEM-03, serve sessions #29/#30 in about
 * half the runs). This test forces that layout: region 0 at Q + 1 MiB and
 * region 1 asked for at Q, the hole below it; the table must still break
 * VU-MEM-04 only. */
START_TEST(past_fd_table_overlaps_nothing)
{
	uint64_t lo = VFE_RING_AREA, total = VFE_PAST_FD_CLAIM + VFE_MEM_SIZE;
	uint8_t *q = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ck_assert_ptr_ne(q, MAP_FAILED);
	munmap(q, total);
	struct vfe_conn *c = calloc(1, sizeof *c);
	ck_assert_int_eq(vfe_mem_add_span(c, 0, VFE_MEM_SIZE, VFE_MEM_SIZE, q + lo), 0);
	ck_assert_ptr_eq(c->mem[0].map, q + lo); /* the layout is the one forced */
	uint8_t pl[VFE_PAST_FD_TABLE];
	int fds[2];
	ck_assert_int_eq(vfe_past_fd_table(c, VFE_MEM_SIZE, q, pl, fds), 0);
	/* every claimed user address is the driver's own, none region 0's */
	unsigned char vec[VFE_PAST_FD_CLAIM / 4096];
	ck_assert_int_eq(mincore(c->mem[1].map, VFE_PAST_FD_CLAIM, vec), 0);
	struct vc_trace t;
	vc_trace_init(&t, "synth", VC_FMT_NATIVE);
	struct vc_synth sy;
	vs_begin(&sy, &t, "past-fd", VC_SIDE_LIVE);
	struct vs_profile p;
	vs_default_profile(&p);
	vs_init(&sy, &p);
	struct vc_event *ev = vs_req(&sy, VU_SET_MEM_TABLE, 0, pl, sizeof pl, 2);
	ev->fds[0].size = (int64_t)VFE_MEM_SIZE;
	ev->fds[1].size = (int64_t)VFE_RING_AREA;
	struct vc_engine *e = vc_engine_new(NULL);
	const struct vc_results *r = judge(e, &t);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_MEM_03].verdict, VC_PASS);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_MEM_04].verdict, VC_FAIL);
	vc_engine_free(e);
	vc_trace_free(&t);
	vfe_mem_free_all(c);
	free(c);
}
END_TEST

/* ---- the matrix page ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

START_TEST(matrix_page)
{
	char dir[64], j1[128], j2[128], bad[128];
	snprintf(dir, sizeof dir, "/tmp/vcts-html-%d", (int)getpid());
	mkdir(dir, 0755);
	snprintf(j1, sizeof j1, "%s/impl-a.json", dir);
	snprintf(j2, sizeof j2, "%s/impl<b>.json", dir);
	snprintf(bad, sizeof bad, "%s/bad.json", dir);
	/* Two reports: a crash in one, a clean run in the other. */
	for (int k = 0; k < 2; k++) {
		struct vc_engine *e = vc_engine_new(NULL);
		struct vc_session ss = { .traced_side = VC_SIDE_LIVE };
		snprintf(ss.name, sizeof ss.name, "neg-<script>");
		uint32_t sid = vc_engine_add_session(e, &ss);
		vc_engine_live_verdict(e, sid, NULL, VC_R_VU_BE_01, k == 1, "killed by signal 11 <&>");
		vc_engine_live_verdict(e, sid, NULL, VC_R_VU_BE_02, true, "");
		const struct vc_results *r = vc_engine_finish(e);
		const char *in[] = { "x" };
		struct vc_report_meta m = { .tool = "vhost-cts drive", .inputs = in, .ninputs = 1 };
		char err[256];
		ck_assert_int_eq(vc_report_json(k ? j2 : j1, r, &m, err, sizeof err), 0);
		vc_engine_free(e);
	}
	const char *ins[] = { j1, j2 };
	char err[512];
	ck_assert_msg(vc_report_html(dir, ins, 2, err, sizeof err) == 0, "%s", err);
	char page[256];
	snprintf(page, sizeof page, "%s/index.html", dir);
	const char *h = slurp(page);
	ck_assert_ptr_nonnull(strstr(h, "<table id=\"rule-matrix\">"));
	ck_assert_ptr_nonnull(strstr(h, "data-impl=\"impl-a\" data-rule=\"VU-BE-01\"><a href=\"#d-impl-a-VU-BE-01\">fail 1</a>"));
	ck_assert_ptr_nonnull(strstr(h, "data-impl=\"impl&lt;b&gt;\" data-rule=\"VU-BE-01\">pass"));
	ck_assert_ptr_nonnull(strstr(h, "id=\"d-impl-a-VU-BE-01\""));
	ck_assert_ptr_nonnull(strstr(h, ">crashed<"));
	ck_assert_ptr_null(strstr(h, "<script"));
	ck_assert_ptr_nonnull(strstr(h, "killed by signal 11 &lt;&amp;&gt;"));
	ck_assert_ptr_null(strstr(h, "http"));
	/* Bad input: one line naming the file and what was wrong. */
	FILE *f = fopen(bad, "w");
	fputs("{\"schema\": \"vhost-cts-report/1\", \"sessions\": [", f);
	fclose(f);
	const char *b[] = { j1, bad };
	ck_assert_int_eq(vc_report_html(dir, b, 2, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "bad.json: offset") && !strchr(err, '\n'), "%s", err);
	f = fopen(bad, "w");
	fputs("{\"schema\": \"other/2\"}", f);
	fclose(f);
	ck_assert_int_eq(vc_report_html(dir, b, 2, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "not a vhost-cts-report/1"), "%s", err);
	ck_assert_int_eq(vc_report_html(dir, b, 0, err, sizeof err), -1);
	unlink(j1);
	unlink(j2);
	unlink(bad);
	unlink(page);
	rmdir(dir);
}
END_TEST

START_TEST(catalogue)
{
	ck_assert_uint_eq(vfe_scenario_count(), vfe_scn_nbasic + vfe_scn_nneg);
	for (size_t i = 0; i < vfe_scenario_count(); i++) {
		ck_assert_ptr_nonnull(vfe_scenario_name(i));
		ck_assert_ptr_nonnull(vfe_scenario_text(i));
	}
	ck_assert_ptr_null(vfe_scenario_name(vfe_scenario_count()));
	/* every negative scenario names the MUST/SHOULD rule it breaks */
	for (unsigned i = 0; i < vfe_scn_nneg; i++)
		ck_assert(vc_rule(vfe_scn_neg[i].rule)->sides & VC_SIDES_FE);
	ck_assert_int_eq(vfe_device_by_name("blk"), VFE_DEV_BLK);
	ck_assert_int_eq(vfe_device_by_name("scsi"), -1);
	ck_assert_str_eq(vfe_device_name(VFE_DEV_GPU), "gpu");
	ck_assert_str_eq(vfe_outcome_name(VFE_CRASHED), "crashed");
	ck_assert_str_eq(vfe_outcome_name(VFE_OUTCOME_COUNT), "?");
}
END_TEST

Suite *vc_test_suite(void)
{
	ignore_sigpipe();
	Suite *s = suite_create("frontend");
	TCase *t = tcase_create("drive");
	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, fake_serves_every_positive_scenario, 0, 2);
	tcase_add_test(t, reply_fds_are_judged_and_closed);
	tcase_add_loop_test(t, packed_rings_both_ways, 0, 4);
	tcase_add_loop_test(t, vring_base_faults_are_caught, 0, 4);
	tcase_add_loop_test(t, stopped_ring_that_runs_is_caught, 0, 2);
	tcase_add_loop_test(t, ring_state_faults_are_caught, 0, sizeof ring_faults / sizeof ring_faults[0]);
	tcase_add_test(t, negative_scenarios_have_a_verdict);
	tcase_add_test(t, nobody_listens);
	tcase_add_test(t, be04_ack_of_malformed_request);
	tcase_add_test(t, past_fd_table_overlaps_nothing);
	tcase_add_test(t, lax_region_bounds_never_crashes);
	tcase_add_loop_test(t, log_on_off_without_reply_ack, 0, 5);
	tcase_add_test(t, matrix_page);
	tcase_add_test(t, catalogue);
	tcase_add_test(t, guest_memory_cannot_shrink);
	suite_add_tcase(s, t);
	return s;
}
