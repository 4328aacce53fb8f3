/* Every rule against a fixture that must trigger it, and only it.
 * Fixtures are built with lib/synth.c and committed as native captures in
 * traces/fixtures/ (so `vhost-cts check` runs on them too); this suite
 * checks the committed files still match their builders
 * (VCTS_REGEN_FIXTURES=1 rewrites them: `make fixtures`). The builders
 * live in fixtures_<family>.c; this file holds their one table. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/tests/fixtures.h"
#include "harness/tests/common/testutil.h"
#include "vcts/engine.h"
#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/vring.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

typedef void (*build_fn)(struct vc_synth *s, struct vs_profile *p);

struct fixture {
	const char *name;     /* file traces/fixtures/<name>.jsonl */
	const char *bug;      /* bugs.md id or NULL */
	const char *fires[4]; /* exactly these rules must fire */
	build_fn build;
	const char *what;
};

static const struct fixture fixtures[] = {
	{ "clean-default", NULL, { NULL }, clean_default, "init, start and stop of two rings" },
	{ "clean-status", NULL, { NULL }, clean_status, "with STATUS, in virtio order" },
	{ "clean-restart", NULL, { NULL }, clean_restart, "start, stop, start, stop" },
	{ "vu-hdr-01-version", NULL, { "VU-HDR-01" }, hdr01, "version bits 2" },
	{ "vu-hdr-02-reply-bit", NULL, { "VU-HDR-02" }, hdr02, "request with REPLY bit" },
	{ "vu-hdr-03-reply-flags", NULL, { "VU-HDR-03" }, hdr03, "reply without REPLY bit" },
	{ "vu-hdr-03-b23-wrong-ring", "B23", { "VU-HDR-03" }, hdr03_b23, "GET_VRING_BASE answered for the wrong ring" },
	{ "vu-hdr-04-reserved", NULL, { "VU-HDR-04" }, hdr04, "reserved flag bit 8" },
	{ "vu-hdr-05-unknown", NULL, { "VU-HDR-05" }, hdr05, "request 99" },
	{ "vu-hdr-06-truncated", NULL, { "VU-HDR-06" }, hdr06, "EOF 7 bytes into a message" },
	{ "vu-hdr-07-oversize", NULL, { "VU-HDR-07" }, hdr07, "SET_CONFIG of 5012 bytes" },
	{ "vu-hdr-08-b12-reset-owner", "B12", { "VU-HDR-08" }, hdr08_b12, "RESET_OWNER on device reset" },
	{ "vu-size-01-b5-add-mem-reg-36", "B5", { "VU-SIZE-01" }, size01_b5, "ADD_MEM_REG of 36 bytes" },
	{ "vu-size-02-short-reply", NULL, { "VU-SIZE-02" }, size02, "GET_FEATURES reply of 4 bytes" },
	{ "vu-fd-01-b20-extra-fds", "B20", { "VU-FD-01" }, fd01_b20, "SET_FEATURES with 2 fds" },
	{ "vu-fd-02-missing-fd", NULL, { "VU-FD-02" }, fd02, "2 regions, 1 fd" },
	{ "vu-fd-03-nofd-with-fd", NULL, { "VU-FD-03" }, fd03, "no-fd bit with an fd" },
	{ "vu-fd-04-backend-req-no-fd", NULL, { "VU-FD-04" }, fd04, "SET_BACKEND_REQ_FD without fd" },
	{ "vu-fd-05-high-bits", NULL, { "VU-FD-05" }, fd05, "vring file bit 12" },
	{ "vu-fd-06-reply-fds", NULL, { "VU-FD-06" }, fd06, "GET_FEATURES reply with 2 fds" },
	{ "clean-inflight-fd", NULL, { NULL }, clean_inflight, "GET_INFLIGHT_FD answered with its fd" },
	{ "vu-neg-01-unoffered", NULL, { "VU-NEG-01" }, neg01, "acks RING_PACKED never offered" },
	{ "vu-neg-02-no-bit30", NULL, { "VU-NEG-02" }, neg02, "GET_PROTOCOL_FEATURES without bit 30" },
	{ "vu-neg-03-unoffered-pf", NULL, { "VU-NEG-03" }, neg03, "acks PAGEFAULT never offered" },
	{ "vu-neg-04-queue-num-no-mq", NULL, { "VU-NEG-04", "VU-RVAL-05" }, neg04, "GET_QUEUE_NUM without MQ" },
	{ "vu-neg-05-rarp-ungated", NULL, { "VU-NEG-05" }, neg05, "SEND_RARP without RARP" },
	{ "vu-neg-06-b9-need-reply", "B9", { "VU-NEG-06" }, neg06_b9, "NEED_REPLY without REPLY_ACK" },
	{ "vu-neg-07-inband", NULL, { "VU-NEG-07" }, neg07, "INBAND_NOTIFICATIONS without BACKEND_REQ" },
	{ "vu-neg-08-features-while-running", NULL, { "VU-NEG-08" }, neg08, "drops EVENT_IDX while rings run" },
	{ "vu-once-01-set-owner-twice", NULL, { "VU-ONCE-01" }, once01, "SET_OWNER twice" },
	{ "vu-once-02-b3-backend-req-per-qp", "B3", { "VU-ONCE-02" }, once02_b3, "SET_BACKEND_REQ_FD per queue pair" },
	{ "vu-once-03-b2-log-base-per-qp", "B2", { "VU-ONCE-03" }, once03_b2, "SET_LOG_BASE per queue pair" },
	{ "clean-log-resize", NULL, { NULL }, clean_log_resize, "SET_LOG_BASE grown: a resize, not a burst" },
	{ "clean-offered-gates", NULL, { NULL }, clean_offered_gates, "requests gated by an offered protocol feature" },
	{ "clean-gpa-addresses", NULL, { NULL }, clean_gpa_addresses, "GPA_ADDRESSES: user address = guest address" },
	{ "clean-config-error", NULL, { NULL }, clean_config_error, "0-byte GET_CONFIG reply: the back-end's error" },
	{ "clean-mq-pair-disabled", NULL, { NULL }, clean_mq_pair_disabled, "rings 2-3 started and disabled on purpose" },
	{ "clean-live-disabled-kicked", NULL, { NULL }, clean_live_disabled_kicked, "kicks on a ring disabled on purpose" },
	{ "clean-live-compat-kick", NULL, { NULL }, clean_live_compat_kick, "one kick per ring before SET_VRING_ENABLE" },
	{ "clean-polling-rings", NULL, { NULL }, clean_polling_rings, "no-fd SET_VRING_KICK starts the ring" },
	{ "clean-skip-drain", NULL, { NULL }, clean_skip_drain, "GET_VRING_BASE_SKIP_DRAIN stops a ring" },
	{ "clean-shmem", NULL, { NULL }, clean_shmem, "2056-byte GET_SHMEM_CONFIG reply, SHMEM_MAP/UNMAP" },
	{ "clean-fd-replies", NULL, { NULL }, clean_fd_replies, "POSTCOPY_ADVISE, GET_SHARED_OBJECT: fd, no payload" },
	{ "clean-iotlb", NULL, { NULL }, clean_iotlb, "IOTLB_MSG always answered by a u64" },
	{ "clean-xen-mmap", NULL, { NULL }, clean_xen_mmap, "XEN_MMAP: 40-byte regions" },
	{ "clean-log-outside-table", NULL, { NULL }, clean_log_outside_table, "log_guest_addr outside the table, inside the log" },
	{ "vu-once-03-b4-reset-device-per-qp", "B4", { "VU-ONCE-03" }, once03_b4, "RESET_DEVICE per queue pair" },
	{ "vu-once-04-b15-same-table", "B15", { "VU-ONCE-04" }, once04_b15, "SET_MEM_TABLE resent unchanged" },
	{ "vu-once-05-no-wait", NULL, { "VU-ONCE-05" }, once05_nowait, "next request before the ack" },
	{ "vu-once-05-b1-stall", "B1", { "VU-ONCE-05" }, once05_b1, "waits for an ack nobody owes" },
	{ "vu-ring-01-b22-index", "B22", { "VU-RING-01" }, ring01_b22, "ring 5 of 2" },
	{ "vu-ring-02-num", NULL, { "VU-RING-02" }, ring02, "num 300" },
	{ "vu-ring-03-b21-num-while-started", "B21", { "VU-RING-03" }, ring03_b21, "SET_VRING_NUM on a started ring" },
	{ "vu-ring-04-b14-desc-zero", "B14", { "VU-RING-04" }, ring04_b14, "desc 0, outside the table" },
	{ "vu-ring-05-misaligned", NULL, { "VU-RING-05" }, ring05, "avail at an odd address" },
	{ "vu-ring-06-kick-before-addr", NULL, { "VU-RING-06" }, ring06, "kick fd before BASE/ADDR" },
	{ "vu-ring-07-b14-never-started", "B14", { "VU-RING-07" }, ring07_b14, "GET_VRING_BASE on a ring never started" },
	{ "vu-ring-08-unmapped", NULL, { "VU-RING-08" }, ring08_unmapped, "table change unmaps running rings" },
	{ "vu-ring-08-relocated", NULL, { "VU-RING-08" }, ring08_relocated, "table change moves running rings" },
	{ "vu-ring-09-b13-status-before-stop", "B13", { "VU-RING-09" }, ring09_b13, "SET_STATUS(0) before GET_VRING_BASE" },
	{ "vu-ring-10-b8-first-ring-only", "B8", { "VU-RING-10" }, ring10_b8, "only ring 0 enabled" },
	{ "vu-ring-11-base-num", NULL, { "VU-RING-11" }, ring11, "GET_VRING_BASE num 5" },
	{ "clean-packed", NULL, { NULL }, clean_packed, "packed ring 0x80008000, stopped at 0x80058005, restarted" },
	{ "clean-packed-wrapped", NULL, { NULL }, clean_packed_wrapped, "packed ring after a lap: avail 3 wrap 0, used 1 wrap 0" },
	{ "vu-pack-01-past-size", NULL, { "VU-PACK-01" }, pack01_past_size, "packed avail index 300 of 256" },
	{ "vu-pack-01-used-ahead", NULL, { "VU-PACK-01" }, pack01_used_ahead, "packed used 5 ahead of avail 3" },
	{ "vu-pack-01-forwarded-used-half-0", NULL, { "VU-PACK-01" }, pack01_forwarded, "destination started at 0x0000809c" },
	{ "vu-pack-02-dpdk-used-wrap-0", NULL, { "VU-PACK-02" }, pack02_dpdk, "packed ring started at 0x00008000" },
	{ "vu-pack-03-dpdk-used-half-0", NULL, { "VU-PACK-03" }, pack03_dpdk, "GET_VRING_BASE 0x0000809c: used half 0/0" },
	{ "vu-sts-01-order", NULL, { "VU-STS-01" }, sts01, "FEATURES_OK alone" },
	{ "vu-sts-02-clears", NULL, { "VU-STS-02" }, sts02, "clears DRIVER" },
	{ "vu-mem-01-nine-regions", NULL, { "VU-MEM-01" }, mem01_nine, "9 regions" },
	{ "vu-mem-02-b22b-empty-region", "B22b", { "VU-MEM-02" }, mem02_b22b, "region of size 0" },
	{ "vu-mem-03-overlap", NULL, { "VU-MEM-03" }, mem03, "overlapping regions" },
	{ "vu-mem-04-b6-offset-past-fd", "B6", { "VU-MEM-04" }, mem04_b6, "garbage mmap_offset" },
	{ "vu-mem-05-unaligned", NULL, { "VU-MEM-05" }, mem05, "region at 0x800" },
	{ "vu-reply-01-closed", NULL, { "VU-REPLY-01" }, reply01, "back-end closes instead of replying" },
	{ "vu-reply-01-refused-malformed", NULL, { "VU-SIZE-01" }, reply01_refused, "closing on a malformed request is no VU-REPLY-01" },
	{ "vu-reply-02-double", NULL, { "VU-REPLY-02" }, reply02, "value reply plus an ack" },
	{ "vu-reply-03-unsolicited", NULL, { "VU-REPLY-03" }, reply03, "reply nobody asked for" },
	{ "vu-log-01-b7-log-too-small", "B7", { "VU-LOG-01" }, log01_b7, "log sized in 4-byte units" },
	{ "vu-log-01-b22b-log-wraps", "B22b", { "VU-LOG-01" }, log01_b22b, "log offset + size wraps" },
	{ "vu-log-02-table-before-log", NULL, { "VU-LOG-02" }, log02, "bigger table before a bigger log" },
	{ "vu-log-03-used-ring-past-log", NULL, { "VU-LOG-03" }, log03, "used ring logged past the log's end" },
	{ "vu-size-02-config-short", NULL, { "VU-SIZE-02" }, size02_config_short, "GET_CONFIG reply shorter than asked" },
	{ "vu-size-02-shmem-config-72", NULL, { "VU-SIZE-02" }, size02_shmem_72, "GET_SHMEM_CONFIG reply of 72 bytes" },
	{ "vu-size-01-xen-narrow-region", NULL, { "VU-SIZE-01" }, size01_xen_narrow, "32-byte region with XEN_MMAP" },
	{ "vu-fd-07-rem-mem-reg-fd", NULL, { "VU-FD-07" }, fd06_rem_with_fd, "REM_MEM_REG with an fd" },
	{ "vu-ring-03-polling-started", NULL, { "VU-RING-03" }, ring03_polling, "SET_VRING_NUM on a polling ring" },
	{ "vu-ring-10-live-kicks", "B8", { "VU-RING-10" }, ring10_live_kicks, "ring never named by SET_VRING_ENABLE kicked twice" },
	{ "vu-ring-11-inflight-no-exemption", NULL, { "VU-RING-11" }, ring11_inflight, "num 1 with GET_VRING_BASE_INFLIGHT" },
	{ "vu-neg-05-mtu-unacked", NULL, { "VU-NEG-05" }, neg05_mtu_unacked, "NET_SET_MTU without VIRTIO_NET_F_MTU" },
	{ "vu-neg-05-postcopy-mem-slots", NULL, { "VU-NEG-05" }, neg05_postcopy_slots, "POSTCOPY_ADVISE with CONFIGURE_MEM_SLOTS" },
	{ "vu-mem-06-gpa-addresses", NULL, { "VU-MEM-06" }, mem06_gpa_addresses, "GPA_ADDRESSES with a host user address" },
	{ "vu-neg-09-skip-drain-alone", NULL, { "VU-NEG-09" }, neg09_skip_drain_alone, "SKIP_DRAIN without bits 20, 12" },
	{ "vu-neg-10-shmem-bit20", NULL, { "VU-NEG-10" }, neg10_shmem_bit20, "GET_SHMEM_CONFIG with bit 20, not 22" },
	{ "vu-reply-01-iotlb-unanswered", NULL, { "VU-REPLY-01" }, reply01_iotlb, "IOTLB_MSG without its u64" },
	{ "vu-size-03-iotlb-miss", NULL, { "VU-SIZE-03" }, size03_iotlb_miss, "IOTLB_MSG of type 1 (miss) from the front-end" },
	{ "vu-size-03-config-flags", NULL, { "VU-SIZE-03" }, size03_config_flags, "SET_CONFIG flags 2" },
	{ "vu-size-03-devstate-phase", NULL, { "VU-SIZE-03" }, size03_devstate_phase, "SET_DEVICE_STATE_FD phase 1" },
	{ "clean-enum-fields", NULL, { NULL }, clean_enum_fields, "IOTLB update/invalidate, config flags 0/1, state save and load" },
	{ "clean-bit30-before-set-features", NULL, { NULL }, clean_bit30_before_set_features, "QEMU: SET_BACKEND_REQ_FD, SET_VRING_ENABLE before SET_FEATURES" },
	{ "vu-neg-11-enable-without-bit30", NULL, { "VU-NEG-11" }, neg11_enable_without_bit30, "SET_VRING_ENABLE after SET_FEATURES without bit 30" },
	{ "clean-postcopy", NULL, { NULL }, clean_postcopy, "postcopy: table reply, empty SET_MEM_TABLE ack, rings running" },
	{ "vu-neg-12-listen-without-advise", NULL, { "VU-NEG-12" }, neg12_listen_without_advise, "POSTCOPY_LISTEN with no POSTCOPY_ADVISE" },
	{ "vu-mem-07-ack-need-reply", NULL, { "VU-MEM-07" }, mem07_ack_need_reply, "postcopy table ack with NEED_REPLY" },
	{ "clean-empty-table", NULL, { NULL }, clean_empty_table, "SET_MEM_TABLE with 0 regions" },
	{ "clean-inband-kick", NULL, { NULL }, clean_inband_kick, "VRING_KICK num 0 with NEED_REPLY, acked" },
	{ "vu-ring-12-kick-num", NULL, { "VU-RING-12" }, ring12_kick_num, "VRING_KICK num 1" },
	{ "vu-ring-12-kick-no-reply", NULL, { "VU-RING-12" }, ring12_kick_no_reply, "VRING_KICK without NEED_REPLY" },
	{ "clean-endian", NULL, { NULL }, clean_endian, "SET_VRING_ENDIAN 1 before each start, 0 after each stop (QEMU)" },
	{ "vu-ring-13-endian-value", NULL, { "VU-RING-13" }, ring13_endian_value, "SET_VRING_ENDIAN num 2" },
	{ "vu-ring-13-endian-started", NULL, { "VU-RING-13" }, ring13_endian_started, "SET_VRING_ENDIAN while ring 0 runs" },
	{ "vu-ring-14-split-high-bits", NULL, { "VU-RING-14" }, ring14_split_high_bits, "split SET_VRING_BASE 0x00010005" },
	{ "vu-mem-08-iotlb-outside", NULL, { "VU-MEM-08" }, mem08_iotlb_outside, "IOTLB update past the table's end" },
	{ "clean-rem-mem-reg", NULL, { NULL }, clean_rem_mem_reg, "REM_MEM_REG names the region added (mmap offset differs)" },
	{ "vu-mem-09-rem-other-uva", NULL, { "VU-MEM-09" }, mem09_rem_other_uva, "REM_MEM_REG with another user address" },
	{ "vu-mem-03-add-uva-overlap", NULL, { "VU-MEM-03" }, mem03_add_uva_overlap, "ADD_MEM_REG overlapping a region in user addresses only" },
	{ "clean-add-after-remove", NULL, { NULL }, clean_add_after_remove, "the overlapping region added after the first is removed" },
	{ "vu-mem-10-inflight-other-size", NULL, { "VU-MEM-10" }, mem10_inflight_other_size, "SET_INFLIGHT_FD of 8192 bytes, GET gave 4096" },
	{ "clean-inflight-reconnect", NULL, { NULL }, clean_inflight_reconnect, "SET_INFLIGHT_FD of an area kept from before, no GET" },
	{ "clean-live-kicked", NULL, { NULL }, clean_live_kicked, "live: each ring kicked after SET_VRING_KICK" },
	{ "vu-live-03-never-kicked", NULL, { "VU-LIVE-03" }, live03_never_kicked, "live: ring 1 stopped with no kick since its start" },
	{ "clean-live-polling", NULL, { NULL }, clean_live_polling, "live: polling rings (no kick fd) never kicked" },
	{ "vu-once-06-ring-before-owner", NULL, { "VU-ONCE-06" }, once06_ring_before_owner, "SET_VRING_CALL before SET_OWNER" },
	{ "vu-neg-12-check-without-transfer", NULL, { "VU-NEG-12" }, neg12_check_without_transfer, "CHECK_DEVICE_STATE with no SET_DEVICE_STATE_FD" },
	{ "clean-device-state-fd", NULL, { NULL }, clean_device_state_fd, "SET_DEVICE_STATE_FD: no fd with bit 8, an fd, an error" },
	{ "clean-backend-channel", NULL, { NULL }, clean_backend_channel, "every back-end request with its feature and fields" },
	{ "vu-rval-01-split-base-high-bits", NULL, { "VU-RVAL-01" }, rval01_split_base_high, "split GET_VRING_BASE reply 0x10005" },
	{ "vu-rval-02-error-with-fd", NULL, { "VU-RVAL-02" }, rval02_error_with_fd, "SET_DEVICE_STATE_FD error 1 with an fd" },
	{ "vu-rval-02-no-fd-flag-clear", NULL, { "VU-RVAL-02" }, rval02_no_fd_flag_clear, "SET_DEVICE_STATE_FD 0 without an fd" },
	{ "vu-rval-03-not-userfaultfd", NULL, { "VU-RVAL-03" }, rval03_not_userfaultfd, "POSTCOPY_ADVISE answered with an eventfd" },
	{ "vu-rval-04-shmem-count", NULL, { "VU-RVAL-04" }, rval04_shmem_count, "GET_SHMEM_CONFIG: 2 regions, 1 size" },
	{ "vu-rval-05-no-mq", NULL, { "VU-RVAL-05" }, rval05_no_mq, "GET_PROTOCOL_FEATURES without MQ" },
	{ "vu-rval-06-inflight-no-fd", NULL, { "VU-RVAL-06" }, rval06_inflight_no_fd, "GET_INFLIGHT_FD: 4096 bytes, no fd" },
	{ "vu-bch-01-call-num", NULL, { "VU-BCH-01" }, bch01_call_num, "BACKEND_VRING_CALL num 1" },
	{ "vu-bch-02-call-ungated", NULL, { "VU-BCH-02" }, bch02_call_ungated, "BACKEND_VRING_CALL without INBAND_NOTIFICATIONS" },
	{ "vu-bch-03-fd-without-send-fd", NULL, { "VU-BCH-03" }, bch03_fd_without_send_fd, "host notifier fd without BACKEND_SEND_FD" },
	{ "vu-bch-04-notifier-size", NULL, { "VU-BCH-04" }, bch04_notifier_size, "host notifier of 0x1800 bytes" },
	{ "vu-bch-05-shmem-flags", NULL, { "VU-BCH-05" }, bch05_shmem_flags, "SHMEM_MAP flags 2" },
	{ "vu-bch-06-unmap-part", NULL, { "VU-BCH-06" }, bch06_unmap_part, "SHMEM_UNMAP of half a mapping" },
	{ "vu-bch-07-iotlb-update", NULL, { "VU-BCH-07" }, bch07_iotlb_update, "back-end IOTLB_MSG of type 2 (update)" },
	{ "vu-bch-08-suspended", NULL, { "VU-BCH-08" }, bch08_suspended, "back-end recording: CONFIG_CHANGE_MSG while suspended" },
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static void build(const struct fixture *f, struct vc_trace *t)
{
	char src[256];
	snprintf(src, sizeof src, "traces/fixtures/%s.jsonl", f->name);
	vc_trace_init(t, src, VC_FMT_NATIVE);
	struct vc_synth s;
	struct vs_profile p;
	vs_default_profile(&p);
	vs_begin(&s, t, f->name, VC_SIDE_FRONTEND);
	f->build(&s, &p);
}

static char *serialise(const struct vc_trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	struct vc_native_writer *w = vc_native_open(m, "vhost-cts fixtures");
	for (size_t i = 0; i < t->nsessions; i++)
		vc_native_session(w, &t->sessions[i]);
	for (size_t i = 0; i < t->nevents; i++)
		vc_native_event(w, &t->events[i]);
	ck_assert_int_eq(vc_native_close(w), 0);
	fclose(m);
	return buf;
}

static const struct vc_results *judge(struct vc_engine *e, const struct vc_trace *t)
{
	for (size_t s = 0; s < t->nsessions; s++)
		vc_engine_add_session(e, &t->sessions[s]);
	for (size_t k = 0; k < t->nevents; k++)
		vc_engine_feed(e, &t->events[k]);
	return vc_engine_finish(e);
}

static bool expected(const struct fixture *f, const char *id)
{
	for (int i = 0; i < 4 && f->fires[i]; i++)
		if (!strcmp(f->fires[i], id))
			return true;
	return false;
}

/* The committed file equals its builder's output, and judging the file
 * fires exactly the expected rules. */
START_TEST(fixture_fires_exactly)
{
	const struct fixture *f = &fixtures[_i];
	struct vc_trace built;
	build(f, &built);
	size_t len;
	char *want = serialise(&built, &len);
	const char *path = vc_test_path(built.source);
	if (getenv("VCTS_REGEN_FIXTURES")) {
		FILE *o = fopen(path, "w");
		ck_assert_ptr_nonnull(o);
		fwrite(want, 1, len, o);
		fclose(o);
	}
	struct vc_trace t;
	struct vc_error err = { 0 };
	char msg[1024];
	int rc = vc_trace_load(&t, path, VC_FMT_AUTO, 0, &err);
	ck_assert_msg(rc == 0, "%s", vc_error_str(&err, msg, sizeof msg));
	FILE *fp = fopen(path, "r");
	char *have = calloc(1, len + 2);
	size_t n = fread(have, 1, len + 1, fp);
	fclose(fp);
	ck_assert_msg(n == len && memcmp(have, want, len) == 0,
		      "%s is out of date with its builder: run 'make fixtures'", path);
	free(have);
	free(want);

	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ 0 });
	const struct vc_results *r = judge(e, &t);
	for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
		const char *id = vc_rule(k)->id;
		uint64_t fails = 0;
		for (size_t s = 0; s < r->nsessions; s++)
			fails += r->sessions[s].rules[k].failures;
		if (expected(f, id))
			ck_assert_msg(fails > 0, "%s: %s did not fire", f->name, id);
		else if (fails) {
			const char *m = "";
			for (size_t i = 0; i < r->nfindings; i++)
				if (r->findings[i].rule == k)
					m = r->findings[i].message;
			ck_abort_msg("%s: unexpected %s: %s", f->name, id, m);
		}
	}
	vc_engine_free(e);
	vc_trace_free(&t);
	vc_trace_free(&built);
}
END_TEST

/* Every rule that a trace can decide has a fixture that triggers it. */
START_TEST(every_trace_rule_has_a_fixture)
{
	for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
		const struct vc_rule *r = vc_rule(k);
		if (r->needs == VC_NEEDS_LIVE && strcmp(r->id, "VU-MEM-04"))
			continue;
		if (!(r->sides & (VC_SIDES_FE | VC_SIDES_BE)))
			continue;
		bool found = false;
		for (size_t i = 0; i < NFIX && !found; i++)
			found = expected(&fixtures[i], r->id);
		ck_assert_msg(found, "no fixture triggers %s", r->id);
	}
}
END_TEST

/* Every bug of bugs.md that the vhost-user catalog covers has a fixture. */
START_TEST(every_bug_has_a_fixture)
{
	static const char *const bugs[] = { "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9",
					    "B12", "B13", "B14", "B15", "B20", "B21", "B22",
					    "B22b", "B23" };
	for (size_t b = 0; b < sizeof bugs / sizeof bugs[0]; b++) {
		bool found = false;
		for (size_t i = 0; i < NFIX && !found; i++)
			found = fixtures[i].bug && !strcmp(fixtures[i].bug, bugs[b]);
		ck_assert_msg(found, "no fixture reproduces %s", bugs[b]);
	}
}
END_TEST

/* The opposite direction: rules can be disabled and waived. */
START_TEST(rules_glob_and_waivers)
{
	struct vc_trace t;
	build(&fixtures[3], &t); /* VU-HDR-01 */
	const char *w[] = { "VU-HDR-0[1]" };
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ .waive = w, .nwaive = 1 });
	const struct vc_results *r = judge(e, &t);
	ck_assert_int_eq(r->findings_by_level[VC_MUST], 0);
	ck_assert_uint_ge(r->waived, 1);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_HDR_01].verdict, VC_WAIVED);
	ck_assert_int_eq(vc_results_exit_status(r, true), 0);
	vc_engine_free(e);
	e = vc_engine_new(&(struct vc_engine_opts){ .rules_glob = "VU-RING-*,VU-MEM-*" });
	r = judge(e, &t);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_HDR_01].verdict, VC_DISABLED);
	ck_assert_int_eq(r->findings_by_level[VC_MUST], 0);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, fixture_fires_exactly, 0, (int)NFIX);
	tcase_add_test(tc, every_trace_rule_has_a_fixture);
	tcase_add_test(tc, every_bug_has_a_fixture);
	tcase_add_test(tc, rules_glob_and_waivers);
	suite_add_tcase(s, tc);
	return s;
}
