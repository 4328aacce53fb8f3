/* The vhost-cts command line against the real recordings in traces/ and
 * against bad input: verdicts, exit statuses, one-line errors. */
#include <check.h>
#include <stdarg.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/wire.h"

/* The verdict documented in traces/README.md for each recording. */
static const struct {
	const char *file;
	int exit_status;
	const char *findings; /* "RULE xN ..." sorted, "" for none */
} real[] = {
	{ "traces/qemu-dpdk-net/qemu.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net/testpmd.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-mq/qemu.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-mq/testpmd.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	/* 2 queue pairs offered, the guest uses one: rings 2-3 started and
	 * disabled on purpose are no VU-RING-10 (issue #14 class 3). */
	{ "traces/qemu-dpdk-net-mq1/qemu.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-mq1/testpmd.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-mq1/qemu-trace.log", 0, "" },
	{ "traces/dpdk-virtio-user/frontend.strace", 1, "VU-RING-11x1" },
	{ "traces/dpdk-virtio-user/backend.strace", 1, "VU-RING-11x1" },
	/* packed_vq=1: virtio-user starts both rings at 0x00008000 (used wrap
	 * counter 0), DPDK vhost returns the used half as 0/0 after traffic. */
	{ "traces/dpdk-virtio-user-packed/frontend.strace", 1, "VU-PACK-02x2 VU-PACK-03x2 VU-RING-11x1" },
	{ "traces/dpdk-virtio-user-packed/backend.strace", 1, "VU-PACK-02x2 VU-PACK-03x2 VU-RING-11x1" },
	/* packed=on: QEMU starts each ring at 0x80008000 (VU-PACK-01/02
	 * pass); DPDK's GET_VRING_BASE replies leave the used half 0/0. */
	{ "traces/qemu-dpdk-net-packed/qemu.strace", 1, "VU-ONCE-04x1 VU-PACK-03x4 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-packed/testpmd.strace", 1, "VU-ONCE-04x1 VU-PACK-03x4 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-packed/qemu-trace.log", 0, "" },
	{ "traces/qemu-blk-qsd/qemu.strace", 0, "" },
	{ "traces/qemu-blk-qsd/qsd.strace", 0, "" },
	{ "traces/qemu-dpdk-net/qemu-trace.log", 0, "" },
	{ "traces/qemu-dpdk-net/qemu-trace-timestamps.log", 0, "" },
	{ "traces/qemu-dpdk-net-mq/qemu-trace.log", 0, "" },
	{ "traces/qemu-blk-qsd/qemu-trace.log", 0, "" },
	/* pc-dimm plugged and unplugged while the rings run: two more tables
	 * (3 regions, then 2 again), both keep the rings mapped (VU-RING-08
	 * passes); the findings are those of qemu-dpdk-net. */
	{ "traces/qemu-hotplug/qemu.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-hotplug/testpmd.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-hotplug/qemu-trace.log", 0, "" },
	/* two devices, the back-end restarted (reconnect=1): four connections
	 * of one QEMU, each negotiated once. The trace log was one session
	 * (VU-ONCE-01 x3, VU-ONCE-02 x6) until sessions were split per
	 * connection (issue #14, class 1). */
	{ "traces/qemu-reconnect/qemu.strace", 0, "" },
	{ "traces/qemu-reconnect/testpmd-1.strace", 0, "" },
	{ "traces/qemu-reconnect/testpmd-2.strace", 0, "" },
	{ "traces/qemu-reconnect/qemu-trace.log", 0, "" },
	/* two devices a guest starts and stops twice: per device the findings
	 * of qemu-dpdk-net. The trace log cannot tell which device a
	 * vhost_dev_start is (it gave FAIL VU-ONCE-01 as one session): both
	 * connections are incomplete from there, with a warning. */
	{ "traces/qemu-two-devices/qemu.strace", 0, "VU-ONCE-04x2 VU-RING-09x4 VU-STS-01x4" },
	{ "traces/qemu-two-devices/testpmd.strace", 0, "VU-ONCE-04x2 VU-RING-09x4 VU-STS-01x4" },
	{ "traces/qemu-two-devices/qemu-trace.log", 0, "" },
	/* live migration (exec:) between two QEMUs, each with its own testpmd:
	 * the source's dirty log (SET_LOG_BASE with LOG_SHMFD, rings with
	 * VHOST_VRING_F_LOG) passes VU-LOG-01/03 and VU-ONCE-03; one stop on
	 * the source, the two of qemu-dpdk-net on the destination. */
	{ "traces/qemu-migrate/src-qemu.strace", 0, "VU-RING-09x1 VU-STS-01x1" },
	{ "traces/qemu-migrate/src-testpmd.strace", 0, "VU-RING-09x1 VU-STS-01x1" },
	{ "traces/qemu-migrate/src-qemu-trace.log", 0, "" },
	{ "traces/qemu-migrate/dst-qemu.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-migrate/dst-testpmd.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-migrate/dst-qemu-trace.log", 0, "" },
	{ "traces/qemu-migrate-packed/src-qemu.strace", 1, "VU-PACK-03x2 VU-RING-09x1 VU-STS-01x1" },
	{ "traces/qemu-migrate-packed/src-testpmd.strace", 1, "VU-PACK-03x2 VU-RING-09x1 VU-STS-01x1" },
	{ "traces/qemu-migrate-packed/src-qemu-trace.log", 0, "" },
	{ "traces/qemu-migrate-packed/dst-qemu.strace", 1, "VU-ONCE-04x1 VU-PACK-01x2 VU-PACK-03x4 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-migrate-packed/dst-testpmd.strace", 1, "VU-ONCE-04x1 VU-PACK-01x2 VU-PACK-03x4 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-migrate-packed/dst-qemu-trace.log", 0, "" },
	/* vhost-user-blk num-queues=4 on both sides, a 4-vCPU guest writing and
	 * reading on each queue: clean, as the one-queue run */
	{ "traces/qemu-blk-qsd-mq/qemu.strace", 0, "" },
	{ "traces/qemu-blk-qsd-mq/qsd.strace", 0, "" },
	{ "traces/qemu-blk-qsd-mq/qemu-trace.log", 0, "" },
	/* vhost-user-fs against QEMU 7.2's virtiofsd, the guest mounting and
	 * writing: clean */
	{ "traces/qemu-virtiofsd/qemu.strace", 0, "" },
	{ "traces/qemu-virtiofsd/virtiofsd.strace", 0, "" },
	{ "traces/qemu-virtiofsd/qemu-trace.log", 0, "" },
	/* the running device unplugged over QMP (device_del, netdev_del) and
	 * plugged back (chardev-add, netdev_add, device_add): two connections,
	 * each one start and one stop (B13 at each stop) */
	{ "traces/qemu-replug/qemu.strace", 0, "VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-replug/testpmd.strace", 0, "VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-replug/qemu-trace.log", 0, "" },
	/* 4 queue pairs, the guest uses 1 then 4 (twice): SET_STATUS(0) when
	 * rings 0-5 are stopped and 6-7 still run (B13, as qemu-dpdk-net-mq) */
	{ "traces/qemu-dpdk-net-mq4/qemu.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-mq4/testpmd.strace", 0, "VU-ONCE-04x1 VU-RING-09x2 VU-STS-01x2" },
	{ "traces/qemu-dpdk-net-mq4/qemu-trace.log", 0, "" },
};

static int run(char **out, ...)
{
	char *argv[32];
	int n = 0;
	va_list ap;
	va_start(ap, out);
	argv[n++] = "vhost-cts";
	for (char *a; n < 31 && (a = va_arg(ap, char *));)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return vc_test_run(argv, out);
}

/* "RULExN ..." of a JSON report, sorted by rule ID. */
static void findings_summary(const char *json_path, char *buf, size_t len)
{
	json_object *root = json_object_from_file(json_path);
	ck_assert_msg(root != NULL, "%s does not parse", json_path);
	json_object *arr;
	ck_assert(json_object_object_get_ex(root, "findings", &arr));
	unsigned counts[VC_RULE_COUNT] = { 0 };
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *f = json_object_array_get_idx(arr, i), *r;
		ck_assert(json_object_object_get_ex(f, "rule", &r));
		const struct vc_rule *rule = vc_rule_by_id(json_object_get_string(r));
		ck_assert_ptr_nonnull(rule);
		counts[rule->num]++;
	}
	json_object_put(root);
	/* Sorted by ID string: the catalog order is by family, so sort here. */
	const char *ids[VC_RULE_COUNT];
	size_t n = 0;
	for (unsigned k = 0; k < VC_RULE_COUNT; k++)
		if (counts[k])
			ids[n++] = vc_rule(k)->id;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(ids[j], ids[i]) < 0) {
				const char *t = ids[i];
				ids[i] = ids[j];
				ids[j] = t;
			}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t o = strlen(buf);
		snprintf(buf + o, len - o, "%s%sx%u", i ? " " : "", ids[i], counts[vc_rule_by_id(ids[i])->num]);
	}
}

START_TEST(real_recording_verdicts)
{
	char *out;
	const char *json = vc_test_tmppath("real.json");
	int rc = run(&out, "check", "--json", json, (char *)vc_test_path(real[_i].file), NULL);
	ck_assert_msg(rc == real[_i].exit_status, "%s: exit %d, want %d\n%s", real[_i].file, rc,
		      real[_i].exit_status, out);
	char got[512];
	findings_summary(json, got, sizeof got);
	ck_assert_msg(!strcmp(got, real[_i].findings), "%s: findings '%s', want '%s'", real[_i].file,
		      got, real[_i].findings);
	ck_assert_ptr_nonnull(strstr(out, rc ? "verdict: FAIL" : "verdict: PASS"));
	free(out);
	unlink(json);
}
END_TEST

/* convert is lossless: the native capture of a recording gets the same verdict. */
START_TEST(convert_round_trip)
{
	char *out;
	const char *nat = vc_test_tmppath("conv.jsonl"), *j1 = vc_test_tmppath("c1.json"),
		   *j2 = vc_test_tmppath("c2.json");
	const char *src = vc_test_path(real[_i].file);
	ck_assert_int_eq(run(&out, "convert", "-o", nat, (char *)src, NULL), 0);
	free(out);
	int a = run(&out, "check", "--json", j1, (char *)src, NULL);
	free(out);
	int b = run(&out, "check", "--json", j2, (char *)nat, NULL);
	free(out);
	ck_assert_int_eq(a, b);
	char s1[512], s2[512];
	findings_summary(j1, s1, sizeof s1);
	findings_summary(j2, s2, sizeof s2);
	ck_assert_str_eq(s1, s2);
	unlink(nat);
	unlink(j1);
	unlink(j2);
}
END_TEST

/* decode of the strace recording agrees with QEMU's own vhost_user_write /
 * vhost_user_read trace events of the same run: same requests, same
 * directions, same flags, in the same order. */
START_TEST(decode_matches_qemu_trace)
{
	static const char *const runs[][2] = {
		{ "traces/qemu-dpdk-net/qemu.strace", "traces/qemu-dpdk-net/qemu-trace.log" },
		{ "traces/qemu-dpdk-net-mq/qemu.strace", "traces/qemu-dpdk-net-mq/qemu-trace.log" },
		{ "traces/qemu-dpdk-net-mq1/qemu.strace", "traces/qemu-dpdk-net-mq1/qemu-trace.log" },
		{ "traces/qemu-blk-qsd/qemu.strace", "traces/qemu-blk-qsd/qemu-trace.log" },
		{ "traces/qemu-hotplug/qemu.strace", "traces/qemu-hotplug/qemu-trace.log" },
		{ "traces/qemu-dpdk-net-packed/qemu.strace", "traces/qemu-dpdk-net-packed/qemu-trace.log" },
		{ "traces/qemu-migrate/src-qemu.strace", "traces/qemu-migrate/src-qemu-trace.log" },
		{ "traces/qemu-migrate/dst-qemu.strace", "traces/qemu-migrate/dst-qemu-trace.log" },
		{ "traces/qemu-migrate-packed/src-qemu.strace", "traces/qemu-migrate-packed/src-qemu-trace.log" },
		{ "traces/qemu-migrate-packed/dst-qemu.strace", "traces/qemu-migrate-packed/dst-qemu-trace.log" },
		{ "traces/qemu-blk-qsd-mq/qemu.strace", "traces/qemu-blk-qsd-mq/qemu-trace.log" },
		{ "traces/qemu-virtiofsd/qemu.strace", "traces/qemu-virtiofsd/qemu-trace.log" },
		{ "traces/qemu-replug/qemu.strace", "traces/qemu-replug/qemu-trace.log" },
		{ "traces/qemu-dpdk-net-mq4/qemu.strace", "traces/qemu-dpdk-net-mq4/qemu-trace.log" },
	};
	struct vc_trace a, b;
	struct vc_error err;
	char msg[1024];
	ck_assert_msg(vc_trace_load(&a, vc_test_path(runs[_i][0]), VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_msg(vc_trace_load(&b, vc_test_path(runs[_i][1]), VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(a.format, VC_FMT_STRACE);
	ck_assert_int_eq(b.format, VC_FMT_QEMU_TRACE);
	size_t i = 0, j = 0, n = 0;
	for (;; i++, j++) {
		while (i < a.nevents && (a.events[i].kind != VC_EV_VU_MSG || a.events[i].u.vu.chan != VU_CHAN_MAIN))
			i++;
		while (j < b.nevents && (b.events[j].kind != VC_EV_VU_MSG || b.events[j].u.vu.chan != VU_CHAN_MAIN))
			j++;
		if (i >= a.nevents || j >= b.nevents)
			break;
		const struct vc_event *x = &a.events[i], *y = &b.events[j];
		ck_assert_msg(x->dir == y->dir && x->u.vu.request == y->u.vu.request &&
				      x->u.vu.flags == y->u.vu.flags,
			      "message %zu: strace %s req %u flags 0x%x, QEMU trace %s req %u flags 0x%x", n,
			      vc_dir_name(x->dir), x->u.vu.request, x->u.vu.flags, vc_dir_name(y->dir),
			      y->u.vu.request, y->u.vu.flags);
		n++;
	}
	ck_assert_msg(i >= a.nevents && j >= b.nevents, "one side has more messages (%zu compared)", n);
	ck_assert_uint_gt(n, 40);
	vc_trace_free(&a);
	vc_trace_free(&b);
}
END_TEST

START_TEST(strict_and_waivers)
{
	char *out;
	const char *q = vc_test_path("traces/qemu-dpdk-net/qemu.strace");
	ck_assert_int_eq(run(&out, "check", "--strict", (char *)q, NULL), 1);
	free(out);
	const char *w = vc_test_tmpfile("# QEMU 7.2 known issue (B13)\nVU-RING-09 SET_STATUS(0) first\n", 56, ".waive");
	ck_assert_int_eq(run(&out, "check", "--strict", "--waive", (char *)w, (char *)q, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "WAIVED"));
	free(out);
	const char *d = vc_test_path("traces/dpdk-virtio-user/frontend.strace");
	ck_assert_int_eq(run(&out, "check", "--rules", "VU-HDR-*", (char *)d, NULL), 0);
	free(out);
	unlink(w);
}
END_TEST

/* --quiet prints the full report's summary and verdict lines, nothing
 * else, with the same exit status. */
START_TEST(quiet_is_the_summary)
{
	const char *q = vc_test_path("traces/qemu-dpdk-net/qemu.strace");
	for (int strict = 0; strict < 2; strict++) {
		char *full, *quiet;
		char *st = strict ? "--strict" : "--rules=*";
		int rf = run(&full, "check", st, (char *)q, NULL);
		int rq = run(&quiet, "check", "--quiet", st, (char *)q, NULL);
		ck_assert_int_eq(rf, rq);
		ck_assert_int_eq(rf, strict);
		ck_assert_int_eq(strncmp(quiet, "summary: ", 9), 0);
		char *nl = strchr(quiet, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_str_eq(nl + 1, strict ? "verdict: FAIL\n" : "verdict: PASS\n");
		size_t fl = strlen(full), ql = strlen(quiet);
		ck_assert_uint_gt(fl, ql + 1);
		ck_assert_str_eq(full + fl - ql, quiet);
		ck_assert_int_eq(full[fl - ql - 1], '\n');
		free(full);
		free(quiet);
	}
}
END_TEST

/* Every bad input: exit 2 and one line naming the file (and line). */
static void bad(const char *data, size_t len, const char *suffix, const char *want)
{
	const char *p = vc_test_tmpfile(data, len, suffix);
	char *out;
	int rc = run(&out, "check", (char *)p, NULL);
	ck_assert_msg(rc == 2, "%s: exit %d\n%s", want, rc, out);
	ck_assert_msg(strstr(out, p) && strstr(out, want), "want '%s' naming %s, got:\n%s", want, p, out);
	ck_assert_msg(!strstr(out, "summary:"), "no partial report on bad input:\n%s", out);
	ck_assert_int_eq((int)(strchr(out, '\n') - out + 1), (int)strlen(out)); /* one line */
	free(out);
	unlink(p);
}

START_TEST(bad_inputs)
{
	bad("", 0, ".strace", "empty file");
	bad("\x7f" "ELF\x02\x01\x01\0\0\0\0\0", 12, ".bin", "binary data");
	bad("hello world\nthis is not a trace\n", 32, ".txt", ":1: unrecognised format");
	const char *noise = "12:00:00.000001 write(1</dev/pts/0>, \"hi\\n\", 3) = 3\n"
			    "12:00:00.000002 read(0</dev/null>, \"\", 10) = 0\n";
	bad(noise, strlen(noise), ".strace", "no vhost-user socket traffic found");
	bad("{\"format\":\"vhost-cts-capture\",\"version\":99}\n", 43, ".jsonl", "version");
}
END_TEST

START_TEST(huge_and_missing_files)
{
	char *out;
	/* A 1 GB file (sparse): refused by size before reading. */
	char path[] = "/tmp/vcts-huge-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_eq(ftruncate(fd, 1ll << 30), 0);
	close(fd);
	ck_assert_int_eq(run(&out, "check", path, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "too large"));
	ck_assert_ptr_nonnull(strstr(out, path));
	free(out);
	unlink(path);
	ck_assert_int_eq(run(&out, "check", "/nonexistent/x.strace", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "/nonexistent/x.strace: cannot open"));
	free(out);
	ck_assert_int_eq(run(&out, "check", "/tmp", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "is a directory"));
	free(out);
	ck_assert_int_eq(run(&out, "check", "--max-input", "1K",
			     (char *)vc_test_path("traces/qemu-dpdk-net/qemu-trace.log"), NULL), 2);
	free(out);
}
END_TEST

/* A garbled line inside a usable log is skipped with a warning naming it. */
START_TEST(garbled_line_is_a_warning)
{
	struct vc_trace t;
	struct vc_error err;
	ck_assert_int_eq(vc_trace_load(&t, vc_test_path("traces/qemu-dpdk-net/testpmd.strace"),
				       VC_FMT_AUTO, 0, &err), 0);
	ck_assert_uint_eq(t.warnings_total, 0);
	vc_trace_free(&t);
	/* Cut one sendmsg line of a real log in half. */
	char *buf;
	size_t len;
	FILE *f = fopen(vc_test_path("traces/qemu-dpdk-net/testpmd.strace"), "r");
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(len + 1);
	ck_assert_uint_eq(fread(buf, 1, len, f), len);
	fclose(f);
	char *line = strstr(buf, "recvmsg(");
	ck_assert_ptr_nonnull(line);
	char *eol = strchr(line, '\n');
	size_t cut = (size_t)(eol - line) / 2;
	memmove(line + cut, eol, len - (size_t)(eol - buf) + 1);
	len -= (size_t)(eol - line) - cut;
	const char *p = vc_test_tmpfile(buf, len, ".strace");
	free(buf);
	char *out;
	int rc = run(&out, "check", (char *)p, NULL);
	ck_assert_msg(rc == 0 || rc == 1, "exit %d:\n%s", rc, out);
	ck_assert_ptr_nonnull(strstr(out, "warning:"));
	ck_assert_ptr_nonnull(strstr(out, "summary:"));
	free(out);
	unlink(p);
}
END_TEST

START_TEST(usage_errors)
{
	char *out;
	const char *q = vc_test_path("traces/qemu-dpdk-net/qemu-trace.log");
	ck_assert_int_eq(run(&out, "check", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--bogus", (char *)q, NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--format", "pcap", (char *)q, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "unknown --format 'pcap'"));
	free(out);
	ck_assert_int_eq(run(&out, "check", "--rules", "NOPE-*", (char *)q, NULL), 2);
	free(out);
	const char *w = vc_test_tmpfile("VU-HDR-01\nVU-NOPE-99\n", 21, ".waive");
	ck_assert_int_eq(run(&out, "check", "--waive", (char *)w, (char *)q, NULL), 2);
	ck_assert_msg(strstr(out, ":2: 'VU-NOPE-99' matches no rule ID"), "%s", out);
	free(out);
	unlink(w);
	ck_assert_int_eq(run(&out, "frobnicate", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--json", "/nonexistent/dir/r.json", (char *)q, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "/nonexistent/dir/r.json"));
	free(out);
}
END_TEST

/* The catalog in ../shared/spec is the contract: every ID there exists. */
START_TEST(catalog_matches_spec)
{
	char *out;
	ck_assert_int_eq(run(&out, "rules", "--json", NULL), 0);
	json_object *arr = json_tokener_parse(out);
	ck_assert_ptr_nonnull(arr);
	ck_assert_int_eq((int)json_object_array_length(arr), VC_RULE_COUNT);
	json_object_put(arr);
	free(out);
	FILE *f = fopen(vc_test_path("../shared/spec/rules-vhost-user.md"), "r");
	if (!f)
		return; /* not beside this checkout */
	char line[2048];
	unsigned seen = 0;
	while (fgets(line, sizeof line, f)) {
		char id[32];
		if (sscanf(line, "| %31[A-Z0-9-] |", id) == 1 && !strncmp(id, "VU-", 3)) {
			ck_assert_msg(vc_rule_by_id(id) != NULL, "catalog rule %s is not implemented", id);
			seen++;
		}
	}
	fclose(f);
	ck_assert_uint_ge(seen, 50);
}
END_TEST

START_TEST(decode_prints_a_table)
{
	char *out;
	ck_assert_int_eq(run(&out, "decode", (char *)vc_test_path("traces/qemu-dpdk-net/testpmd.strace"), NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "traced back-end"));
	ck_assert_ptr_nonnull(strstr(out, "SET_MEM_TABLE"));
	ck_assert_ptr_nonnull(strstr(out, "memfd"));
	ck_assert_ptr_nonnull(strstr(out, "GET_VRING_BASE"));
	/* split rings: the number alone */
	ck_assert_ptr_null(strstr(out, "wrap"));
	free(out);
	/* packed rings: both indexes and wrap counters beside the number */
	ck_assert_int_eq(run(&out, "decode",
			     (char *)vc_test_path("traces/dpdk-virtio-user-packed/frontend.strace"), NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "ring 0 num 32768 = 0x00008000: avail 0 wrap 1 used 0 wrap 0"));
	ck_assert_ptr_nonnull(strstr(out, "ring 1 num 32924 = 0x0000809c: avail 156 wrap 1 used 0 wrap 0"));
	/* the GET_VRING_BASE request's num is no state word */
	ck_assert_ptr_null(strstr(out, "num 0 = "));
	free(out);
}
END_TEST


/* certify against the in-process fake: passes; a fake broken one way
 * fails exactly that check; bad arguments are usage errors. */
START_TEST(certify_fake)
{
	char *out;
	const char *json = vc_test_tmppath("cert.json");
	ck_assert_int_eq(run(&out, "certify", "--fake", "", "--cycles", "5", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "verdict: PASS"));
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--fake", "bad=overlap", "--cycles", "5", "--json", json, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "verdict: FAIL"));
	free(out);
	char got[256];
	findings_summary(json, got, sizeof got);
	ck_assert_str_eq(got, "VDPA-DEV-04x1");
	unlink(json);
	ck_assert_int_eq(run(&out, "certify", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "exactly one of --device PATH or --fake SPEC"));
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--device", "/nonexistent/vdpa", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "/nonexistent/vdpa: cannot open"));
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--fake", "bogus=1", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "bad device option 'bogus=1'"));
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--help", NULL), 0);
	free(out);
}
END_TEST

/* vdpa-fake needs CUSE: without it (this host), a clear error, exit 2. */
START_TEST(vdpa_fake_usage)
{
	char *out;
	ck_assert_int_eq(run(&out, "vdpa-fake", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--cuse NAME is required"));
	free(out);
	if (access("/dev/cuse", F_OK) != 0) {
		ck_assert_int_eq(run(&out, "vdpa-fake", "--cuse", "vhost-vdpa-cli-test", NULL), 2);
		ck_assert_ptr_nonnull(strstr(out, "cannot create /dev/vhost-vdpa-cli-test"));
		free(out);
	}
	ck_assert_int_eq(run(&out, "vdpa-fake", "--help", NULL), 0);
	free(out);
	/* --vduse: without /dev/vduse/control (this host), a clear error */
	if (access("/dev/vduse/control", F_OK) != 0) {
		ck_assert_int_eq(run(&out, "vdpa-fake", "--vduse", "cli-test", NULL), 2);
		ck_assert_ptr_nonnull(strstr(out, "/dev/vduse/control: "));
		free(out);
	}
	ck_assert_int_eq(run(&out, "vdpa-fake", "--vduse", "x", "--bad", "nope", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--bad: expected corrupt or drop"));
	free(out);
	/* its reports are checked before the device is made */
	ck_assert_int_eq(run(&out, "vdpa-fake", "--vduse", "x", "--json", "/", NULL), 2);
	ck_assert_ptr_null(strstr(out, "/dev/vduse/control"));
	free(out);
}
END_TEST

/* fuzz-device and certify --steps: usage errors and unopenable devices. */
START_TEST(fuzz_device_usage)
{
	char *out;
	ck_assert_int_eq(run(&out, "fuzz-device", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--device PATH is required"));
	free(out);
	ck_assert_int_eq(run(&out, "fuzz-device", "--device", "/nonexistent/vdpa", "--iterations", "1", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "/nonexistent/vdpa: No such file or directory"));
	free(out);
	ck_assert_int_eq(run(&out, "fuzz-device", "--device", "/dev/null", "--steps", "0", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--steps: bad number '0'"));
	free(out);
	ck_assert_int_eq(run(&out, "fuzz-device", "--device", "/dev/null", "--replay", "/nonexistent/r.bin", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--replay: /nonexistent/r.bin: No such file or directory"));
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--fake", "", "--steps", "/nonexistent/dir/s.txt", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--steps /nonexistent/dir/s.txt: cannot create"));
	free(out);
}
END_TEST

/* convert, decode and rules: options and their errors. */
START_TEST(convert_decode_rules_options)
{
	char *out;
	const char *q = vc_test_path("traces/qemu-dpdk-net/testpmd.strace");
	ck_assert_int_eq(run(&out, "convert", (char *)q, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "need exactly one INPUT and -o OUTPUT"));
	free(out);
	ck_assert_int_eq(run(&out, "convert", "--format", "pcap", "-o", (char *)vc_test_tmppath("x"), (char *)q, NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "convert", "-o", "/nonexistent/dir/x.jsonl", (char *)q, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "/nonexistent/dir/x.jsonl"));
	free(out);
	ck_assert_int_eq(run(&out, "convert", "--max-input", "1K", "-o", (char *)vc_test_tmppath("x"), (char *)q, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "too large"));
	free(out);
	ck_assert_int_eq(run(&out, "convert", "--help", NULL), 0);
	free(out);
	/* decode one session of a two-format pair, with an explicit format */
	ck_assert_int_eq(run(&out, "decode", "--format", "strace", "--session", "0", (char *)q, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "s0 "));
	ck_assert_ptr_nonnull(strstr(out, "GET_FEATURES"));
	free(out);
	ck_assert_int_eq(run(&out, "decode", "--format", "qemu-trace",
			     (char *)vc_test_path("traces/qemu-dpdk-net/qemu-trace.log"), NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "(no payload recorded)"));
	free(out);
	ck_assert_int_eq(run(&out, "decode", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "decode", "--format", "x", (char *)q, NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "decode", "/nonexistent.strace", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "rules", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "VU-RING-09"));
	ck_assert_ptr_nonnull(strstr(out, "VDPA-BAT-01"));
	ck_assert_ptr_nonnull(strstr(out, "MEM-11"));
	/* every rule's reference, on the line under it */
	for (unsigned r = 0; r < VC_RULE_COUNT; r++) {
		char want[512];
		snprintf(want, sizeof want, "%s\n%33sref: %s\n", vc_rule(r)->text, "", vc_rule(r)->ref);
		ck_assert_msg(strstr(out, want) != NULL, "no reference line under %s", vc_rule(r)->id);
	}
	free(out);
	ck_assert_int_eq(run(&out, "rules", "--bogus", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "--version", NULL), 0);
	free(out);
	ck_assert_int_eq(run(&out, "--help", NULL), 0);
	free(out);
	ck_assert_int_eq(run(&out, NULL), 2);
	free(out);
}
END_TEST

/* serve's usage errors: one line, exit 2, before any socket exists. */
START_TEST(serve_usage)
{
	char *out;
	ck_assert_int_eq(run(&out, "serve", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--profile", "disk", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--queues", "0", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--queues wants"));
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--mtu", "10", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--fault", "explode", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--fuzz", "x", NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--fuzz wants a number"));
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--fuzz-rate", "5000", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--features", "+NOPE", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", (char *)vc_test_tmppath("u.sock"), "--timeout", "x", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "--fuzz SEED"));
	free(out);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("real");
	tcase_set_timeout(tc, 120);
	int n = (int)(sizeof real / sizeof real[0]);
	tcase_add_loop_test(tc, real_recording_verdicts, 0, n);
	tcase_add_loop_test(tc, convert_round_trip, 0, n);
	tcase_add_loop_test(tc, decode_matches_qemu_trace, 0, 5);
	tcase_add_test(tc, strict_and_waivers);
	tcase_add_test(tc, quiet_is_the_summary);
	tcase_add_test(tc, decode_prints_a_table);
	suite_add_tcase(s, tc);
	TCase *bad_tc = tcase_create("bad");
	tcase_set_timeout(bad_tc, 60);
	tcase_add_test(bad_tc, bad_inputs);
	tcase_add_test(bad_tc, huge_and_missing_files);
	tcase_add_test(bad_tc, garbled_line_is_a_warning);
	tcase_add_test(bad_tc, usage_errors);
	tcase_add_test(bad_tc, catalog_matches_spec);
	tcase_add_test(bad_tc, certify_fake);
	tcase_add_test(bad_tc, vdpa_fake_usage);
	tcase_add_test(bad_tc, fuzz_device_usage);
	tcase_add_test(bad_tc, convert_decode_rules_options);
	tcase_add_test(bad_tc, serve_usage);
	suite_add_tcase(s, bad_tc);
	return s;
}
