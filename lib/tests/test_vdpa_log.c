/* The differential check of QEMU's vhost-vdpa listener lines
 * (lib/trace/qemu_vdpa_listener.c + conformance/mem_rules.c): QEMU
 * 7.2's own log matches the model, the derived pre-fix log (bug B16)
 * gives MEM-10 at each empty batch, the hand-made logs of
 * traces/scenarios/vdpa-logs/ each fire exactly their rule at the right
 * line, and hostile lines are skipped with a located warning. */
#include "harness/tests/common/testutil.h"
#include "vcts/model.h"
#include "vcts/engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LISTENER "QEMU vhost-vdpa memory listener"

struct run {
	struct vc_trace t;
	struct vc_engine *e;
	const struct vc_results *r;
	char findings[512];   /* "RULExN ..." in rule order, whole run */
};

static void judge(struct run *x)
{
	x->e = vc_engine_new(NULL);
	for (size_t s = 0; s < x->t.nsessions; s++)
		vc_engine_add_session(x->e, &x->t.sessions[s]);
	for (size_t i = 0; i < x->t.nevents; i++)
		vc_engine_feed(x->e, &x->t.events[i]);
	x->r = vc_engine_finish(x->e);
	unsigned n[VC_RULE_COUNT] = { 0 };
	for (size_t i = 0; i < x->r->nfindings; i++)
		n[x->r->findings[i].rule]++;
	x->findings[0] = '\0';
	for (unsigned k = 0; k < VC_RULE_COUNT; k++)
		if (n[k])
			snprintf(x->findings + strlen(x->findings), sizeof x->findings - strlen(x->findings), "%s%sx%u",
				 x->findings[0] ? " " : "", vc_rule(k)->id, n[k]);
}

static void load(struct run *x, const char *rel)
{
	struct vc_error err;
	char msg[700];
	ck_assert_msg(vc_trace_load(&x->t, vc_test_path(rel), VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(x->t.format, VC_FMT_QEMU_TRACE);
	judge(x);
}

/* A log given as bytes (no NUL after it: ASan sees any overread), after
 * one other vhost_vdpa_* line (so the IOTLB session exists too; a log of
 * listener lines alone is read as well, see listener_lines_alone). */
#define HEAD "vhost_vdpa_set_owner dev: 0x55d0c0d00000\n"
static void load_text(struct run *x, const char *text)
{
	size_t n = strlen(HEAD) + strlen(text);
	char *copy = malloc(n + 1);
	snprintf(copy, n + 1, "%s%s", HEAD, text);
	struct vc_error err;
	vc_trace_init(&x->t, "hand.log", VC_FMT_QEMU_TRACE);
	ck_assert_int_eq(vc_import_buffer(&x->t, VC_FMT_QEMU_TRACE, copy, n, &err), 0);
	free(copy);
	judge(x);
}

static void done(struct run *x)
{
	vc_engine_free(x->e);
	vc_trace_free(&x->t);
}

/* The listener sessions, and that each one's events are in line order. */
static unsigned listener_sessions(const struct run *x, size_t *which)
{
	unsigned n = 0;
	for (size_t s = 0; s < x->t.nsessions; s++)
		if (strstr(x->t.sessions[s].name, LISTENER)) {
			*which = s;
			n++;
			uint64_t last = 0;
			for (size_t i = 0; i < x->t.nevents; i++)
				if (x->t.events[i].session == s) {
					ck_assert_uint_ge(x->t.events[i].src.line, last);
					last = x->t.events[i].src.line;
				}
		}
	return n;
}

/* The first finding of a MEM rule (the run may also have VDPA-* ones). */
static const struct vc_finding *first_mem(const struct run *x)
{
	for (size_t i = 0; i < x->r->nfindings; i++)
		if (!strncmp(vc_rule(x->r->findings[i].rule)->id, "MEM-", 4))
			return &x->r->findings[i];
	ck_abort_msg("no MEM finding");
	return NULL;
}

static bool has_warning(const struct run *x, const char *what)
{
	for (size_t i = 0; i < x->t.nwarnings; i++)
		if (strstr(x->t.warnings[i], what))
			return true;
	return false;
}

START_TEST(qemu72_log_matches_the_model)
{
	struct run x;
	load(&x, "traces/qemu-vdpa-shim/qemu-trace.log");
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 1);
	ck_assert_ptr_nonnull(strstr(x.t.sessions[s].name, "vdpa:0x7f148b2ed190"));
	/* No difference: the only findings are the vhost-vdpa session's. */
	ck_assert_msg(!strcmp(x.findings, "VDPA-RING-07x4"), "%s", x.findings);
	const struct vc_session_result *sr = &x.r->sessions[s];
	/* 18 region_add + 18 region_del lines compared, 4 committed batches */
	ck_assert_int_eq(sr->rules[VC_R_MEM_09].verdict, VC_PASS);
	ck_assert_uint_eq(sr->rules[VC_R_MEM_09].checks, 36);
	ck_assert_int_eq(sr->rules[VC_R_MEM_10].verdict, VC_PASS);
	ck_assert_uint_eq(sr->rules[VC_R_MEM_10].checks, 4);
	ck_assert_int_eq(sr->rules[VC_R_MEM_07].verdict, VC_NA);
	ck_assert_uint_eq(x.t.warnings_total, 0);
	done(&x);
}
END_TEST

START_TEST(both_listeners_in_one_log)
{
	/* The same QEMU 7.2 run with -trace 'vhost_*': the generic vhost
	 * listener's lines (two vhost devices: the data queue pair and the
	 * control queue) and the vhost-vdpa listener's, each replayed through
	 * its model: no difference in any of the three listener sessions. */
	struct run x;
	load(&x, "traces/qemu-vdpa-shim/qemu-trace-vhost-all.log");
	ck_assert_msg(!strcmp(x.findings, "VDPA-RING-07x4"), "%s", x.findings);
	ck_assert_uint_eq(x.t.warnings_total, 0);
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 1);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_09].checks, 36);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_10].checks, 4);
	static const uint64_t changed[2] = { 201, 195 };
	unsigned k = 0;
	for (size_t i = 0; i < x.r->nsessions; i++) {
		if (!strstr(x.r->sessions[i].info.name, "QEMU vhost memory listener"))
			continue;
		ck_assert_uint_lt(k, 2);
		ck_assert_int_eq(x.r->sessions[i].rules[VC_R_MEM_02].verdict, VC_PASS);
		ck_assert_uint_eq(x.r->sessions[i].rules[VC_R_MEM_03].checks, 705);
		ck_assert_uint_eq(x.r->sessions[i].rules[VC_R_MEM_04].checks, changed[k]);
		k++;
	}
	ck_assert_uint_eq(k, 2);
	done(&x);
}
END_TEST

START_TEST(prefix_log_gives_mem10)
{
	/* mkprefix.py adds one empty BATCH_BEGIN/BATCH_END pair after each of
	 * the 4 commits: 4 transactions that map nothing, each a batch. */
	struct run x;
	load(&x, "traces/qemu-vdpa-shim/qemu-prefix-b16.trace.log");
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 1);
	ck_assert_msg(!strcmp(x.findings, "MEM-10x4 VDPA-BAT-01x4 VDPA-RING-07x4"), "%s", x.findings);
	static const uint64_t lines[4] = { 87, 120, 195, 228 };
	unsigned k = 0;
	for (size_t i = 0; i < x.r->nfindings; i++) {
		const struct vc_finding *f = &x.r->findings[i];
		if (f->rule != VC_R_MEM_10)
			continue;
		ck_assert_uint_eq(f->session, s);
		ck_assert_uint_lt(k, 4);
		ck_assert_uint_eq(f->src_line, lines[k]);
		char want[64];
		snprintf(want, sizeof want, "BATCH_BEGIN (line %" PRIu64 ")", lines[k] - 1);
		ck_assert_msg(!strncmp(f->message, "differential: ", 14) && strstr(f->message, want) &&
			      strstr(f->src_file, "qemu-prefix-b16.trace.log"), "%s", f->message);
		k++;
	}
	ck_assert_uint_eq(k, 4);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_10].checks, 8);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_09].checks, 36);
	done(&x);
}
END_TEST

/* traces/scenarios/vdpa-logs/: whole-run findings, and the line and words
 * of the first MEM finding. */
static const struct {
	const char *file;
	const char *findings;
	uint64_t line;
	const char *words;
} hand[] = {
	{ "clean.log", "", 0, NULL },
	/* a 64-bit BAR sizing section mapped, then unmapped */
	{ "map-bit63.log", "MEM-07x2", 13, "bit 63" },
	/* a RAM section traced but never mapped */
	{ "skipped-ram.log", "MEM-09x1", 3, "QEMU sent nothing for the region_add of line 3" },
	/* the raw, unaligned range mapped instead of the whole pages */
	{ "no-page-align.log", "MEM-09x1", 13, "whole pages, 0x10002000 + 0x3000" },
	/* a read-only section mapped read-write */
	{ "readonly-mapped-rw.log", "MEM-09x1", 13, "perm 0x3" },
	/* a region_del that did not unmap */
	{ "del-no-unmap.log", "MEM-09x1", 11, "QEMU sent nothing for the region_del of line 11" },
	/* an UPDATE outside a batch in a log that shows batching (the IOTLB
	 * session sees the lone BATCH_END too: VDPA-BAT-03) */
	{ "unbatched-update.log", "MEM-10x1 VDPA-BAT-03x1", 12, "no BATCH_BEGIN before it" },
};

START_TEST(hand_made_logs)
{
	char path[256];
	snprintf(path, sizeof path, "traces/scenarios/vdpa-logs/%s", hand[_i].file);
	struct run x;
	load(&x, path);
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 1);
	ck_assert_msg(!strcmp(x.findings, hand[_i].findings), "%s: want '%s', got '%s'", hand[_i].file,
		      hand[_i].findings, x.findings);
	ck_assert_uint_eq(x.t.warnings_total, 0);
	for (size_t i = 0; i < x.r->nfindings && hand[_i].words; i++) {
		const struct vc_finding *f = &x.r->findings[i];
		if (strncmp(vc_rule(f->rule)->id, "MEM-", 4))
			continue;
		ck_assert_uint_eq(f->session, s);
		ck_assert_msg(f->src_line == hand[_i].line && strstr(f->src_file, hand[_i].file) &&
			      !strncmp(f->message, "differential: ", 14) && strstr(f->message, hand[_i].words),
			      "%s: line %" PRIu64 ": %s", hand[_i].file, f->src_line, f->message);
		break;
	}
	done(&x);
}
END_TEST

#define P "0x55d0c0de1000"
#define ADD(i, e, v, ro) "vhost_vdpa_listener_region_add vdpa: " P " iova " i " llend " e " vaddr: " v " read-only: " ro "\n"
#define DEL(i, e) "vhost_vdpa_listener_region_del vdpa: " P " iova " i " llend " e "\n"
#define BEGIN "vhost_vdpa_listener_begin_batch vdpa:" P " fd: 3 msg_type: 2 type: 5\n"
#define COMMIT "vhost_vdpa_listener_commit vdpa:" P " fd: 3 msg_type: 2 type: 6\n"
#define MAP(i, s, v, p) "vhost_vdpa_dma_map vdpa:" P " fd: 3 msg_type: 2 iova: " i " size: " s " uaddr: " v " perm: " p " type: 2\n"
#define UNMAP(i, s) "vhost_vdpa_dma_unmap vdpa:" P " fd: 3 msg_type: 2 iova: " i " size: " s " type: 3\n"

START_TEST(held_begin_keeps_line_order)
{
	/* region_add, begin_batch, then another region_add: the first section
	 * got nothing (its record at line 2 comes before the BEGIN of line 3). */
	struct run x;
	load_text(&x, ADD("0x0", "0x1000", "0x7f0000000000", "0") BEGIN ADD("0x2000", "0x3000", "0x7f0000002000", "0")
		      MAP("0x2000", "0x1000", "0x7f0000002000", "0x3") COMMIT);
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 1);
	ck_assert_msg(!strcmp(x.findings, "MEM-09x1"), "%s", x.findings);
	ck_assert_uint_eq(first_mem(&x)->src_line, 2);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_10].checks, 1);
	done(&x);
}
END_TEST

START_TEST(empty_region_del_is_not_an_error)
{
	/* QEMU traces region_del before its emptiness test: llend < iova is
	 * a section inside one page, nothing is due. Unmapping it is a
	 * difference (MEM-09), at the dma_unmap line. */
	struct run x;
	load_text(&x, DEL("0x2000", "0x1000") DEL("0x5000", "0x5000"));
	ck_assert_msg(!strcmp(x.findings, ""), "%s", x.findings);
	ck_assert_uint_eq(x.t.warnings_total, 0);
	done(&x);
	load_text(&x, DEL("0x2000", "0x1000") BEGIN UNMAP("0x2000", "0xfffffffffffff000") COMMIT);
	ck_assert_msg(!strncmp(x.findings, "MEM-09x1", 8), "%s", x.findings);
	ck_assert_uint_eq(first_mem(&x)->src_line, 4);
	ck_assert_ptr_nonnull(strstr(first_mem(&x)->message, "holds no whole page"));
	done(&x);
}
END_TEST

START_TEST(batch_differences)
{
	struct run x;
	/* two BATCH_BEGINs in one transaction */
	load_text(&x, BEGIN ADD("0x0", "0x1000", "0x7f0000000000", "0") MAP("0x0", "0x1000", "0x7f0000000000", "0x3")
		      BEGIN COMMIT);
	ck_assert_msg(!strcmp(x.findings, "MEM-10x1 VDPA-BAT-01x1 VDPA-BAT-02x1"), "%s", x.findings);
	done(&x);
	/* the eager (pre-fix) BEGIN before a transaction with updates is fine */
	load_text(&x, BEGIN ADD("0x0", "0x1000", "0x7f0000000000", "0") MAP("0x0", "0x1000", "0x7f0000000000", "0x3")
		      COMMIT);
	ck_assert_msg(!strcmp(x.findings, ""), "%s", x.findings);
	done(&x);
	/* no batch lines at all: IOTLB_BATCH not in use, batching not judged */
	load_text(&x, ADD("0x0", "0x1000", "0x7f0000000000", "0") MAP("0x0", "0x1000", "0x7f0000000000", "0x3"));
	ck_assert_msg(!strcmp(x.findings, ""), "%s", x.findings);
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 1);
	ck_assert_int_eq(x.r->sessions[s].rules[VC_R_MEM_10].verdict, VC_NA);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_09].checks, 1);
	done(&x);
}
END_TEST

/* Hostile lines: each skipped with a warning naming its line, never a
 * crash, never a finding of the listener session. */
static const struct {
	const char *text;
	const char *warning;
} hostile[] = {
	{ "vhost_vdpa_listener_region_add vdpa: " P " iova 0x0 llend 0xa0000 vaddr: 0x7f00", "hand.log:2: malformed vhost_vdpa_listener_region_add" },
	{ "vhost_vdpa_listener_region_add vdpa: " P " iova 0xzz llend 0xa0000 vaddr: 0x7f0000000000 read-only: 0\n", "hand.log:2: malformed" },
	{ ADD("0x5000", "0x1000", "0x7f0000000000", "0"), "hand.log:2: malformed vhost_vdpa_listener_region_add" },
	{ ADD("0x1ffffffffffffffff", "0x2ffffffffffffffff", "0x7f0000000000", "0"), "hand.log:2: malformed" },
	{ ADD("0x0", "0x1000", "0x7f0000000000", "7"), "hand.log:2: malformed" },
	{ "vhost_vdpa_listener_region_del vdpa: nope iova 0x0 llend 0x1000\n", "hand.log:2: malformed vhost_vdpa_listener_region_del" },
	{ "vhost_vdpa_listener_region_del vdpa: " P " iova -0x1000 llend 0x1000\n", "hand.log:2: malformed" },
	{ "vhost_vdpa_listener_begin_batch\n", "hand.log:2: malformed vhost_vdpa_listener_begin_batch" },
	{ "vhost_vdpa_listener_commit vdpa:" P " fd: 3 msg_type: 2 type: 5\n", "hand.log:2: malformed vhost_vdpa_listener_commit" },
	{ ADD("0x0", "0x1000", "0x7f0000000000", "0") "vhost_vdpa_dma_map vdpa:" P " fd: 3 msg_type: 2 iova: 0x0 size: 0x1000 uaddr: 0x7f0000000000 perm: 0x3 type: 9\n",
	  "hand.log:3: malformed vhost_vdpa_dma_map" },
	{ ADD("0x0", "0x1000", "0x7f0000000000", "0") "vhost_vdpa_dma_map vdpa:" P " iova: 0x0 size: 0x1000 uaddr: 0x7f0000000000 perm: 0x1ff\n",
	  "hand.log:3: malformed vhost_vdpa_dma_map" },
	{ ADD("0x0", "0x1000", "0x7f0000000000", "0 a b c d e f g h i j k l m n o p q r s t u v w x y z"), "hand.log:2: malformed" },
	/* a region line whose decision the log never shows (cut) */
	{ ADD("0x0", "0x1000", "0x7f0000000000", "0") MAP("0x0", "0x1000", "0x7f0000000000", "0x3")
	  ADD("0x2000", "0x3000", "0x7f0000002000", "0"), "hand.log:4: the log ends before QEMU's decision" },
	/* dma lines that answer no region line (shadow virtqueue buffers) */
	{ ADD("0x0", "0x1000", "0x7f0000000000", "0") MAP("0x0", "0x1000", "0x7f0000000000", "0x3")
	  MAP("0x9000000", "0x1000", "0x7f1000000000", "0x3") UNMAP("0x9000000", "0x1000"),
	  "2 vhost_vdpa_dma_map/unmap lines answer no listener region line" },
};

START_TEST(hostile_lines)
{
	struct run x;
	load_text(&x, hostile[_i].text);
	ck_assert_msg(has_warning(&x, hostile[_i].warning), "case %d: no warning '%s' (%zu warnings%s%s)", _i,
		      hostile[_i].warning, x.t.nwarnings, x.t.nwarnings ? ", first: " : "",
		      x.t.nwarnings ? x.t.warnings[0] : "");
	for (size_t i = 0; i < x.t.nwarnings; i++)
		ck_assert_ptr_null(strchr(x.t.warnings[i], '\n'));
	for (size_t i = 0; i < x.r->nfindings; i++)
		ck_assert_msg(strncmp(vc_rule(x.r->findings[i].rule)->id, "MEM-", 4), "case %d: %s", _i,
			      x.r->findings[i].message);
	done(&x);
}
END_TEST

START_TEST(listener_lines_alone)
{
	/* The real hot-plug log cut down to the generic vhost listener's own
	 * events (as traced with -trace 'vhost_region*' -trace 'vhost_commit'
	 * ...): no vhost-user line, yet the listener lines are read and
	 * compared, with the verdicts of the whole log. */
	struct run x;
	memset(&x, 0, sizeof x);
	load(&x, "traces/scenarios/qemu-hotplug-listener-only.log");
	ck_assert_uint_ge(x.t.nsessions, 1);
	ck_assert_uint_gt(x.t.nevents, 1000);
	ck_assert_str_eq(x.findings, "");
	bool compared = false;
	for (size_t s = 0; s < x.r->nsessions; s++)
		compared |= x.r->sessions[s].rules[VC_R_MEM_04].verdict == VC_PASS;
	ck_assert(compared);
	done(&x);
}
END_TEST

/* The vhost-vdpa listener's lines without its decisions (no
 * vhost_vdpa_dma_* line anywhere: those events were not traced) are not
 * compared, with a warning saying why, instead of a difference for every
 * section. */
START_TEST(vdpa_decisions_not_traced)
{
	struct run x;
	memset(&x, 0, sizeof x);
	load_text(&x, ADD("0x0", "0x1fffffff", "0x7f0000000000", "0") DEL("0x0", "0x1fffffff"));
	size_t s;
	ck_assert_uint_eq(listener_sessions(&x, &s), 0);
	ck_assert(has_warning(&x, "without any vhost_vdpa_dma_map line"));
	ck_assert_str_eq(x.findings, "");
	done(&x);
}
END_TEST

/* A log with no line of any vhost-user, vhost-vdpa or listener event is
 * still refused with a one-line located error. */
START_TEST(no_vhost_lines_refused)
{
	static const char text[] = "vhost_dev_cleanup dev: 0x1\nsomething else\n";
	char *copy = malloc(sizeof text - 1);
	memcpy(copy, text, sizeof text - 1);
	struct vc_trace t;
	struct vc_error err;
	char msg[700];
	vc_trace_init(&t, "none.log", VC_FMT_AUTO);
	ck_assert_int_eq(vc_import_buffer(&t, VC_FMT_AUTO, copy, sizeof text - 1, &err), -1);
	vc_error_str(&err, msg, sizeof msg);
	ck_assert_msg(!strncmp(msg, "none.log", 8) && !strchr(msg, '\n'), "%s", msg);
	free(copy);
	vc_trace_free(&t);
}
END_TEST

START_TEST(huge_counts)
{
	/* 100,000 sections mapped in one transaction, then 70 listeners (6
	 * past the limit): linear, no finding, the excess warned once. */
	size_t cap = 100000u * 320u + 70u * 200u + 1000u, n = 0;
	char *buf = malloc(cap);
	n += (size_t)snprintf(buf + n, cap - n, BEGIN);
	for (unsigned i = 0; i < 100000; i++) {
		uint64_t iova = (uint64_t)i * 0x2000, hva = 0x7f0000000000ull + iova;
		n += (size_t)snprintf(buf + n, cap - n,
				      "vhost_vdpa_listener_region_add vdpa: " P " iova 0x%" PRIx64 " llend 0x%" PRIx64
				      " vaddr: 0x%" PRIx64 " read-only: 0\n"
				      "vhost_vdpa_dma_map vdpa:" P " fd: 3 msg_type: 2 iova: 0x%" PRIx64
				      " size: 0x1000 uaddr: 0x%" PRIx64 " perm: 0x3 type: 2\n",
				      iova, iova + 0x1000, hva, iova, hva);
	}
	n += (size_t)snprintf(buf + n, cap - n, COMMIT);
	for (unsigned i = 0; i < 70; i++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "vhost_vdpa_listener_region_add vdpa: 0x%x iova 0x%x llend 0x%x vaddr: 0x7f2000000000 read-only: 0\n"
				      "vhost_vdpa_dma_map vdpa:0x%x fd: 3 msg_type: 2 iova: 0x%x size: 0x1000 uaddr: 0x7f2000000000 perm: 0x3 type: 2\n",
				      0x1000 + i, 0x40000000 + i * 0x1000, 0x40001000 + i * 0x1000, 0x1000 + i,
				      0x40000000 + i * 0x1000);
	struct run x;
	struct vc_error err;
	vc_trace_init(&x.t, "big.log", VC_FMT_QEMU_TRACE);
	ck_assert_int_eq(vc_import_buffer(&x.t, VC_FMT_QEMU_TRACE, buf, n, &err), 0);
	free(buf);
	judge(&x);
	size_t s = 0;
	ck_assert_uint_eq(listener_sessions(&x, &s), 64);
	ck_assert_msg(!strstr(x.findings, "MEM-"), "%s", x.findings);
	for (s = 0; s < x.t.nsessions && !strstr(x.t.sessions[s].name, "vdpa:" P); s++)
		;
	ck_assert_uint_lt(s, x.t.nsessions);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_09].checks, 100000);
	ck_assert_uint_eq(x.r->sessions[s].rules[VC_R_MEM_10].checks, 1);
	/* 7 listeners past the limit (the first plus 63 others are kept),
	 * 2 lines each */
	ck_assert(has_warning(&x, "14 vhost-vdpa listener lines of more than 64 listeners skipped"));
	done(&x);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vdpa_log");
	TCase *tc = tcase_create("logs");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, qemu72_log_matches_the_model);
	tcase_add_test(tc, both_listeners_in_one_log);
	tcase_add_test(tc, prefix_log_gives_mem10);
	tcase_add_loop_test(tc, hand_made_logs, 0, sizeof hand / sizeof hand[0]);
	tcase_add_test(tc, held_begin_keeps_line_order);
	tcase_add_test(tc, empty_region_del_is_not_an_error);
	tcase_add_test(tc, batch_differences);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad-input");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, hostile_lines, 0, sizeof hostile / sizeof hostile[0]);
	tcase_add_test(tc, listener_lines_alone);
	tcase_add_test(tc, no_vhost_lines_refused);
	tcase_add_test(tc, vdpa_decisions_not_traced);
	tcase_add_test(tc, huge_counts);
	suite_add_tcase(s, tc);
	return s;
}
