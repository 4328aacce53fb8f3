/* QEMU trace logs: one session per connection (lib/trace/qemu_trace.c,
 * issue #14 class 1). traces/qemu-reconnect is a real run (two devices,
 * the back-end restarted); the other logs are small hand-made ones in the
 * shapes QEMU 7.2 prints, for the cases that run does not cover. */
#include "harness/tests/common/testutil.h"
#include "lib/trace/qemu_log.h"
#include "vcts/fileio.h"
#include "vcts/wire.h"

#include <stdlib.h>
#include <string.h>

struct loaded {
	struct vc_trace t;
	struct vc_error err;
	int rc;
};

static void load_buf(struct loaded *l, const char *name, const char *buf, size_t n)
{
	char *b = malloc(n ? n : 1); /* exact size: ASan sees a read past n */
	memcpy(b, buf, n);
	memset(l, 0, sizeof *l);
	vc_trace_init(&l->t, name, VC_FMT_QEMU_TRACE);
	l->rc = vc_import_qemu_trace(&l->t, b, n, &l->err);
	free(b);
}

static void load_file(struct loaded *l, const char *rel)
{
	char *buf, msg[256];
	size_t len;
	ck_assert_msg(vc_read_file(vc_test_path(rel), 16u << 20, &buf, &len, msg, sizeof msg) == 0,
		      "%s", msg);
	load_buf(l, "x.log", buf, len);
	free(buf);
}

/* Messages with request req in session s; gap events in s. */
static unsigned count(const struct loaded *l, uint32_t s, uint32_t req, bool gaps)
{
	unsigned n = 0;
	for (size_t i = 0; i < l->t.nevents; i++) {
		const struct vc_event *e = &l->t.events[i];
		if (e->session != s)
			continue;
		if (gaps ? e->kind == VC_EV_GAP
			 : e->kind == VC_EV_VU_MSG && e->dir == VC_DIR_FE_TO_BE && e->u.vu.request == req)
			n++;
	}
	return n;
}

static bool warned(const struct loaded *l, const char *what)
{
	for (size_t i = 0; i < l->t.nwarnings; i++)
		if (strstr(l->t.warnings[i], what))
			return true;
	return false;
}

/* QEMU's negotiation of one vhost-user-net connection (QEMU 7.2). */
#define NEGOTIATION                                                                       \
	"vhost_user_write req:1 flags:0x1\nvhost_user_read req:1 flags:0x5\n"               \
	"vhost_user_write req:15 flags:0x1\nvhost_user_read req:15 flags:0x5\n"             \
	"vhost_user_write req:16 flags:0x1\nvhost_user_write req:17 flags:0x1\n"            \
	"vhost_user_read req:17 flags:0x5\nvhost_user_write req:3 flags:0x1\n"

START_TEST(real_reconnect_two_devices)
{
	struct loaded l;
	load_file(&l, "traces/qemu-reconnect/qemu-trace.log");
	ck_assert_int_eq(l.rc, 0);
	ck_assert_uint_eq(l.t.nsessions, 4);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu");
	ck_assert_str_eq(l.t.sessions[1].name, "qemu connection 2 (chr1)");
	ck_assert_str_eq(l.t.sessions[2].name, "qemu connection 3 (chr0)");
	ck_assert_str_eq(l.t.sessions[3].name, "qemu connection 4 (chr1)");
	for (uint32_t s = 0; s < 4; s++) {
		ck_assert_uint_eq(count(&l, s, VU_SET_OWNER, false), 1);
		ck_assert_uint_eq(count(&l, s, VU_GET_QUEUE_NUM, false), 1);
		ck_assert_uint_eq(count(&l, s, 0, true), 0);
	}
	ck_assert(warned(&l, "a second connection opens while another is open"));
	vc_trace_free(&l.t);
}
END_TEST

/* A real run with two devices that a guest starts: each negotiation is
 * told apart by its chardev event, the first vhost_dev_start is not: both
 * connections get a gap there, with the warning. */
START_TEST(real_two_devices_started)
{
	struct loaded l;
	load_file(&l, "traces/qemu-two-devices/qemu-trace.log");
	ck_assert_int_eq(l.rc, 0);
	ck_assert_uint_ge(l.t.nsessions, 3);
	ck_assert_str_eq(l.t.sessions[0].name, "qemu");
	ck_assert_str_eq(l.t.sessions[1].name, "qemu connection 2 (chr1)");
	for (uint32_t s = 0; s < 3; s++)
		ck_assert_uint_eq(count(&l, s, 0, true), 1);
	for (uint32_t s = 0; s < 2; s++)
		ck_assert_uint_eq(count(&l, s, VU_SET_OWNER, false), 1);
	ck_assert(warned(&l, "seen first with 2 connections open"));
	vc_trace_free(&l.t);
}
END_TEST

/* The same device unplugged and plugged again: its vhost_dev is cleaned
 * up, then the chardev opens anew (the real log of one run, twice). */
START_TEST(replug_after_cleanup)
{
	char *buf, msg[256];
	size_t len;
	ck_assert(vc_read_file(vc_test_path("traces/qemu-dpdk-net/qemu-trace.log"), 16u << 20, &buf,
			       &len, msg, sizeof msg) == 0);
	char *two = malloc(2 * len);
	memcpy(two, buf, len);
	memcpy(two + len, buf, len);
	struct loaded l;
	load_buf(&l, "x.log", two, 2 * len);
	ck_assert_uint_eq(l.t.nsessions, 2);
	for (uint32_t s = 0; s < 2; s++) {
		ck_assert_uint_eq(count(&l, s, VU_SET_OWNER, false), 1);
		ck_assert_uint_eq(l.t.sessions[s].messages, 84);
	}
	ck_assert_uint_eq(l.t.nwarnings, 0);
	vc_trace_free(&l.t);
	free(two);
	free(buf);
}
END_TEST

/* Queue pairs of one net device are two vhost_devs on one connection. */
START_TEST(real_mq_one_connection)
{
	struct loaded l;
	load_file(&l, "traces/qemu-dpdk-net-mq/qemu-trace.log");
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_uint_eq(count(&l, 0, 0, true), 0);
	ck_assert_uint_eq(l.t.nwarnings, 0);
	vc_trace_free(&l.t);
}
END_TEST

/* vhost-user-blk traces no chardev event: its vhost_dev's cleanup ends the
 * connection, and the next message starts another. */
START_TEST(blk_cleanup_ends_connection)
{
	static const char log[] = NEGOTIATION
		"vhost_dev_start 0x10:virtio-blk vrings:1\n"
		"vhost_user_write req:2 flags:0x1\n"
		"vhost_dev_stop 0x10:virtio-blk vrings:1\n"
		"vhost_dev_cleanup 0x10\n" NEGOTIATION;
	struct loaded l;
	load_buf(&l, "blk.log", log, sizeof log - 1);
	ck_assert_uint_eq(l.t.nsessions, 2);
	ck_assert_uint_eq(count(&l, 0, VU_SET_OWNER, false), 1);
	ck_assert_uint_eq(count(&l, 1, VU_SET_OWNER, false), 1);
	ck_assert_uint_eq(count(&l, 0, VU_SET_FEATURES, false), 1);
	vc_trace_free(&l.t);
}
END_TEST

/* CHR_EVENT_CLOSED (4) ends the connection even with no OPENED after it. */
START_TEST(closed_then_messages)
{
	static const char log[] = "vhost_user_event chr: chr0 got event: 1\n" NEGOTIATION
				  "vhost_user_event chr: chr0 got event: 4\n" NEGOTIATION;
	struct loaded l;
	load_buf(&l, "c.log", log, sizeof log - 1);
	ck_assert_uint_eq(l.t.nsessions, 2);
	ck_assert_str_eq(l.t.sessions[1].name, "qemu connection 2");
	vc_trace_free(&l.t);
}
END_TEST

/* Nothing in the log delimits connections: a second SET_OWNER may be a
 * reconnect or a resend; the session gets a gap there, with a warning,
 * rather than a VU-ONCE-01 finding or a guess. */
START_TEST(no_events_second_owner)
{
	static const char log[] = NEGOTIATION NEGOTIATION;
	struct loaded l;
	load_buf(&l, "n.log", log, sizeof log - 1);
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_uint_eq(count(&l, 0, 0, true), 1);
	ck_assert(warned(&l, "n.log:16: SET_OWNER again with no connection event"));
	vc_trace_free(&l.t);
	/* with the chardev traced, the same SET_OWNER twice on one
	 * connection is left to VU-ONCE-01 */
	static const char log2[] = "vhost_user_event chr: chr0 got event: 1\n" NEGOTIATION
				   "vhost_user_write req:3 flags:0x1\n";
	load_buf(&l, "n2.log", log2, sizeof log2 - 1);
	ck_assert_uint_eq(l.t.nsessions, 1);
	ck_assert_uint_eq(count(&l, 0, VU_SET_OWNER, false), 2);
	ck_assert_uint_eq(count(&l, 0, 0, true), 0);
	vc_trace_free(&l.t);
}
END_TEST

/* Two devices started by a guest: a vhost_dev first seen with two
 * connections open could use either. Both get a gap (not judged further)
 * and a warning; what follows is a session of its own, from a gap. */
START_TEST(two_devices_ambiguous)
{
	static const char log[] = "vhost_user_event chr: chr0 got event: 1\n" NEGOTIATION
				  "vhost_user_event chr: chr1 got event: 1\n" NEGOTIATION
				  "vhost_dev_start 0xa0:virtio-net vrings:0\n"
				  "vhost_user_write req:2 flags:0x1\n";
	struct loaded l;
	load_buf(&l, "d.log", log, sizeof log - 1);
	ck_assert_uint_eq(l.t.nsessions, 3);
	ck_assert_uint_eq(count(&l, 0, 0, true), 1);
	ck_assert_uint_eq(count(&l, 1, 0, true), 1);
	ck_assert_uint_eq(count(&l, 2, 0, true), 1);
	ck_assert_uint_eq(count(&l, 2, VU_SET_FEATURES, false), 1);
	ck_assert(warned(&l, "d.log:19: vhost_dev 0xa0 seen first with 2 connections open"));
	/* the gap comes before the message in the new session */
	const struct vc_event *last = &l.t.events[l.t.nevents - 1];
	ck_assert_int_eq(last->kind, VC_EV_VU_MSG);
	ck_assert_int_eq(l.t.events[l.t.nevents - 2].kind, VC_EV_GAP);
	vc_trace_free(&l.t);
}
END_TEST

/* A hostile log opening connections it never closes: at most 16 stay
 * open per process, the oldest gets a gap, and the table stays small. */
START_TEST(open_connections_bounded)
{
	size_t cap = 100000 * 96, n = 0;
	char *buf = malloc(cap);
	for (int i = 0; i < 100000; i++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "vhost_user_event chr: c%d got event: 1\nvhost_user_write req:3 flags:0x1\n", i);
	struct loaded l;
	load_buf(&l, "h.log", buf, n);
	ck_assert_uint_eq(l.t.nsessions, 100000);
	size_t gaps = 0;
	for (size_t i = 0; i < l.t.nevents; i++)
		gaps += l.t.events[i].kind == VC_EV_GAP;
	ck_assert_uint_eq(gaps, 100000 - 16);
	ck_assert(warned(&l, "h.log:33: more than 16 connections open at once"));
	vc_trace_free(&l.t);
	free(buf);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("qemu_conn");
	TCase *tc = tcase_create("connections");
	tcase_add_test(tc, real_reconnect_two_devices);
	tcase_add_test(tc, real_two_devices_started);
	tcase_add_test(tc, replug_after_cleanup);
	tcase_add_test(tc, real_mq_one_connection);
	tcase_add_test(tc, blk_cleanup_ends_connection);
	tcase_add_test(tc, closed_then_messages);
	tcase_add_test(tc, no_events_second_owner);
	tcase_add_test(tc, two_devices_ambiguous);
	tcase_add_test(tc, open_connections_bounded);
	suite_add_tcase(s, tc);
	return s;
}
