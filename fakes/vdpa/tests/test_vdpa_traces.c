/* Offline verdicts on vhost-vdpa recordings (traces/qemu-vdpa-shim/):
 * QEMU 7.2's own vhost_vdpa_* trace log of a run on the fake, and the
 * pre-fix behaviour of bug B16 derived from it. The offline verdict of the
 * recording must equal what the shim judged live (live.json). */
#include "harness/tests/common/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "ID:n ..." of the rules with findings in a text report. */
static void findings(const char *out, char *buf, size_t len)
{
	buf[0] = '\0';
	for (const char *p = out; (p = strstr(p, "\n  ")); p++) {
		char verdict[8], id[32];
		unsigned n;
		const char *f;
		if (sscanf(p + 3, "%7s %31s", verdict, id) != 2 ||
		    (strcmp(verdict, "FAIL") && strcmp(verdict, "WARN") && strcmp(verdict, "INFO")))
			continue;
		const char *eol = strchr(p + 1, '\n');
		if (!(f = strstr(p, "(")) || (eol && f > eol))
			continue;
		const char *last = f;
		while ((f = strstr(last + 1, "(")) && (!eol || f < eol))
			last = f;
		if (sscanf(last, "(%u finding", &n) != 1)
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s:%u", l ? " " : "", id, n);
	}
}

static void expect(const char *file, const char *want, int rc_want)
{
	char *out = NULL;
	char *argv[] = { "vhost-cts", "check", (char *)vc_test_path(file), NULL };
	int rc = vc_test_run(argv, &out);
	char got[512];
	findings(out, got, sizeof got);
	ck_assert_msg(rc == rc_want && strcmp(got, want) == 0, "%s: rc %d, findings [%s], expected [%s]\n%s",
		      file, rc, got, want, out);
	free(out);
}

START_TEST(qemu72_fixed)
{
	/* QEMU 7.2 on the fake: it reads each ring's base while the device
	 * still runs (no SUSPEND before GET_VRING_BASE), at both stops. Its
	 * listener lines match the vhost-vdpa listener model: no MEM-*. */
	expect("traces/qemu-vdpa-shim/qemu-trace.log", "VDPA-RING-07:4", 0);
	/* A second run with -trace 'vhost_*': the generic vhost listener's
	 * lines too; same verdict, no listener difference. */
	expect("traces/qemu-vdpa-shim/qemu-trace-vhost-all.log", "VDPA-RING-07:4", 0);
}
END_TEST

START_TEST(qemu_prefix_b16)
{
	/* Before e6db5df7e2 every listener transaction was a batch, empty or
	 * not: VDPA-BAT-01 on each empty one (the IOTLB messages), and MEM-10
	 * on each from the differential check of the listener's decisions
	 * (session "QEMU vhost-vdpa memory listener"): the fixed listener
	 * sends no batch for a transaction that maps and unmaps nothing. */
	expect("traces/qemu-vdpa-shim/qemu-prefix-b16.trace.log", "VDPA-BAT-01:4 VDPA-RING-07:4 MEM-10:4", 0);
	char *out = NULL;
	char *argv[] = { "vhost-cts", "check", "--strict", (char *)vc_test_path("traces/qemu-vdpa-shim/qemu-prefix-b16.trace.log"), NULL };
	ck_assert_int_eq(vc_test_run(argv, &out), 1);
	free(out);
}
END_TEST

START_TEST(live_equals_offline)
{
	/* The shim's live report of the same run has the same findings. */
	FILE *f = fopen(vc_test_path("traces/qemu-vdpa-shim/live.json"), "r");
	ck_assert_ptr_nonnull(f);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	unsigned ring07 = 0, other = 0;
	for (const char *p = buf; (p = strstr(p, "\"rule\": \"")); p++) {
		if (!strncmp(p + 9, "VDPA-RING-07\"", 13))
			ring07++;
		else
			other++;
	}
	ck_assert_uint_eq(ring07, 4);
	ck_assert_uint_eq(other, 0);
}
END_TEST

START_TEST(strace_rendering)
{
	/* The same two runs as strace logs of QEMU (traces/vdpa-strace/,
	 * rendered by mkstrace.py): ioctl arguments are not in an strace log,
	 * so only the IOTLB and batching rules decide, and B16 shows. */
	expect("traces/vdpa-strace/qemu72-fixed.strace", "", 0);
	expect("traces/vdpa-strace/qemu-prefix-b16.strace", "VDPA-BAT-01:4", 0);
	/* A real strace of DPDK 22.11 dpdk-testpmd on the CUSE fake, recorded
	 * in the VM lane (harness/vm/init.sh): clean. */
	expect("traces/vdpa-strace/dpdk-testpmd-cuse.strace", "", 0);
	/* DPDK testpmd on the kernel's own vdpa_sim_net (the kernel vDPA
	 * lane, traces/record/vdpa-sim-testpmd.sh): forwarding the frames the
	 * device loops back, clean; and with the 256 MiB IOTLB UPDATE failing
	 * (EFAULT, RLIMIT_MEMLOCK): clean too, DPDK resets and closes
	 * (VDPA-IOTLB-06 needs the SET_STATUS values, which strace does not
	 * show: undecided here, decided live in test_vdpa_clients.py). */
	expect("traces/vdpa-strace/dpdk-testpmd-vdpa-sim.strace", "", 0);
	expect("traces/vdpa-strace/dpdk-testpmd-vdpa-sim-memlock.strace", "", 0);
}
END_TEST

/* Hostile strace input: the importer warns or skips, never crashes, and a
 * log with neither vhost-user nor vhost-vdpa is still exit 2. */
START_TEST(strace_hostile)
{
	static const char *const bad[] = {
		"1 10:00:00.000001 openat(AT_FDCWD, \"/dev/vhost-vdpa-0\", O_RDWR) = 99999999\n",
		"1 10:00:00.000001 openat(AT_FDCWD, \"/dev/vhost-vdpa-0\", O_RDWR) = 3\n"
		"1 10:00:00.000002 write(3, \"\\x02\\x00\", 2) = -1 EINVAL (Invalid argument)\n"
		"1 10:00:00.000003 write(3, \"\\x02\"..., 72) = 72\n"
		"1 10:00:00.000004 ioctl(3, _IOC(_IOC_READ, 0xaf, 0x7a, 0x4), 0x1) = 0\n"
		"1 10:00:00.000005 ioctl(3, VHOST_NOPE, 0x1) = 0\n"
		"1 10:00:00.000006 ioctl(3, 0xc008af12, 0x1) = -1 ENOBUFS (No buffer space available)\n"
		"1 10:00:00.000007 mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000\n"
		"1 10:00:00.000008 munmap(0x7f0000000000, 4096) = 0\n"
		"1 10:00:00.000009 ioctl(3, VHOST_SET_OWNER <unfinished ...>\n"
		"1 10:00:00.000010 mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 3\n"
		"1 10:00:00.000011 close(3) = 0\n"
		"1 10:00:00.000012 close(3) = 0\n",
		"[pid 7] 99999999999999999999.1 ioctl(3<\\x2fvhost-vdpa>, VHOST_GET_FEATURES, 0x1) = 0\n",
		"ioctl(((((((((((((((((\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *f = vc_test_tmpfile(bad[i], strlen(bad[i]), ".strace");
		char *out = NULL;
		char *argv[] = { "vhost-cts", "check", (char *)f, NULL };
		int rc = vc_test_run(argv, &out);
		ck_assert_msg(rc == 0 || rc == 1 || rc == 2, "case %zu: rc %d\n%s", i, rc, out);
		ck_assert_msg(!strstr(out, "Sanitizer") && !strstr(out, "runtime error"), "case %zu:\n%s", i, out);
		free(out);
	}
	/* Case 1: the 2-byte write is VDPA-IOTLB-01, the cut one is skipped. */
	const char *f = vc_test_tmpfile(bad[1], strlen(bad[1]), ".strace");
	char *out = NULL;
	char *argv[] = { "vhost-cts", "check", (char *)f, NULL };
	ck_assert_int_eq(vc_test_run(argv, &out), 1);
	char got[256];
	findings(out, got, sizeof got);
	ck_assert_msg(!strcmp(got, "VDPA-IOTLB-01:1"), "[%s]\n%s", got, out);
	free(out);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vdpa_traces");
	TCase *tc = tcase_create("qemu");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, qemu72_fixed);
	tcase_add_test(tc, qemu_prefix_b16);
	tcase_add_test(tc, live_equals_offline);
	tcase_add_test(tc, strace_rendering);
	tcase_add_test(tc, strace_hostile);
	suite_add_tcase(s, tc);
	return s;
}
