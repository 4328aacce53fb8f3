/* The fake's device state transfer (fake_devstate.c), in-process over a
 * socketpair, as a hostile front-end would use it: a save read back and
 * loaded into a second connection (CHECK_DEVICE_STATE 0 both times); a
 * load cut short, too long, never closed, of garbage, or no load at all
 * (CHECK 1, nothing blocks); a save into a channel with no reader (CHECK
 * 1, the fake takes no SIGPIPE); SET_DEVICE_STATE_FD while a ring runs or
 * with an undefined direction (1 with bit 8, no fd); the fake's own
 * channel (--device-state-own-fd); and both faults. */
#include "fakes/vhost-user/fake.h"
#include "harness/tests/common/testutil.h"
#include "harness/tests/common/vu_client.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"
#include "vcts/wire_encode.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAGIC "VCTSDS01"

static void fe_send(int fd, uint32_t req, const void *pl, uint32_t len, const int *fds, unsigned nfds)
{
	ck_assert_int_eq(vc_sock_send_msg(fd, req, VU_VERSION, len, pl, len, fds, nfds, 10000), 0);
}

/* The u64 reply to req, its fd in *rfd (-1 none) when rfd is given. */
static uint64_t reply_u64(int fd, uint32_t req, int *rfd)
{
	uint32_t r = 0, flags = 0;
	uint64_t v = 0;
	int tmp = -1;
	ck_assert_int_eq(vc_test_vu_recv(fd, &r, &flags, &v, sizeof v, rfd ? rfd : &tmp, 5000), 8);
	ck_assert_uint_eq(r, req);
	if (!rfd && tmp >= 0)
		close(tmp);
	return v;
}

static uint64_t call_u64(int fd, uint32_t req)
{
	fe_send(fd, req, NULL, 0, NULL, 0);
	return reply_u64(fd, req, NULL);
}

static struct vfu_server *new_server(const char *profile, bool own_fd, const char *fault)
{
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, profile, 1), 0);
	cfg.profile.protocol_features |= VU_BIT(VU_PF_DEVICE_STATE);
	cfg.null_device = true;
	cfg.device_state_own_fd = own_fd;
	char err[256];
	if (fault) {
		ck_assert_msg(vfu_fault_parse(fault, &cfg.faults[0], err, sizeof err) == 0, "%s", err);
		cfg.nfaults = 1;
	}
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(vfu_start(s), 0);
	return s;
}

/* A connection with everything offered negotiated. */
static int connect_fake(struct vfu_server *s)
{
	int sv[2];
	char err[256];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(vfu_adopt(s, sv[1], err, sizeof err) == 0, "%s", err);
	uint64_t f = call_u64(sv[0], VU_GET_FEATURES);
	uint64_t pf = call_u64(sv[0], VU_GET_PROTOCOL_FEATURES);
	ck_assert(pf & VU_BIT(VU_PF_DEVICE_STATE));
	/* No REPLY_ACK: no acks to read between the requests. */
	pf &= ~VU_BIT(VU_PF_REPLY_ACK);
	fe_send(sv[0], VU_SET_PROTOCOL_FEATURES, &pf, 8, NULL, 0);
	fe_send(sv[0], VU_SET_FEATURES, &f, 8, NULL, 0);
	fe_send(sv[0], VU_SET_OWNER, NULL, 0, NULL, 0);
	return sv[0];
}

/* SET_DEVICE_STATE_FD with fd; the reply's value, its fd in *rfd. */
static uint64_t set_state_fd(int sock, uint32_t dir, uint32_t phase, int fd, int *rfd)
{
	uint8_t pl[8];
	struct vu_devstate_pl p = { dir, phase };
	ck_assert_uint_eq(vu_enc_devstate(pl, sizeof pl, &p), 8);
	fe_send(sock, VU_SET_DEVICE_STATE_FD, pl, 8, &fd, 1);
	return reply_u64(sock, VU_SET_DEVICE_STATE_FD, rfd);
}

/* A save through a new pipe: the state into buf (its length returned). */
static size_t save(int sock, uint8_t *buf, size_t cap)
{
	int pp[2], rfd = -1;
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	ck_assert_uint_eq(set_state_fd(sock, VU_DEVSTATE_SAVE, 0, pp[1], &rfd), VU_VRING_NOFD);
	ck_assert_int_eq(rfd, -1);
	close(pp[1]);
	size_t n = 0;
	ssize_t k;
	while ((k = read(pp[0], buf + n, cap - n)) > 0)
		n += (size_t)k;
	ck_assert_int_eq(k, 0);
	close(pp[0]);
	ck_assert_uint_eq(call_u64(sock, VU_CHECK_DEVICE_STATE), 0);
	return n;
}

/* A load of len bytes of p (close_it: the writer's end closed), then
 * CHECK_DEVICE_STATE's answer. */
static uint64_t load(int sock, const uint8_t *p, size_t len, bool close_it)
{
	int pp[2], rfd = -1;
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_uint_eq(set_state_fd(sock, VU_DEVSTATE_LOAD, 0, pp[0], &rfd), VU_VRING_NOFD);
	close(pp[0]);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(pp[1], p + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (close_it)
		close(pp[1]);
	uint64_t v = call_u64(sock, VU_CHECK_DEVICE_STATE);
	if (!close_it)
		close(pp[1]);
	return v;
}

START_TEST(test_save_then_load)
{
	static const char *const profiles[] = { "net", "blk", "generic" };
	struct vfu_server *s = new_server(profiles[_i], false, NULL);
	int a = connect_fake(s);
	uint8_t st[2048];
	size_t n = save(a, st, sizeof st);
	ck_assert_uint_ge(n, 32);
	ck_assert_int_eq(memcmp(st, MAGIC, 8), 0);
	int b = connect_fake(s);
	ck_assert_uint_eq(load(b, st, n, true), 0);
	/* Cut short by a byte, one byte too long, garbage, nothing. */
	ck_assert_uint_eq(load(b, st, n - 1, true), 1);
	st[n] = 0;
	ck_assert_uint_eq(load(b, st, n + 1, true), 1);
	uint8_t junk[1500];
	memset(junk, 0xa5, sizeof junk);
	ck_assert_uint_eq(load(b, junk, sizeof junk, true), 1);
	ck_assert_uint_eq(load(b, st, 0, true), 1);
	/* The writer still holds its end: not at end of file, no block. */
	ck_assert_uint_eq(load(b, st, n, false), 1);
	/* No transfer before it. */
	ck_assert_uint_eq(call_u64(b, VU_CHECK_DEVICE_STATE), 1);
	/* Still served: the state again. */
	ck_assert_uint_eq(save(b, st, sizeof st), n);
	close(a);
	close(b);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

START_TEST(test_save_without_reader)
{
	struct vfu_server *s = new_server("net", false, NULL);
	int a = connect_fake(s);
	int pp[2], rfd = -1;
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	close(pp[0]);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_SAVE, 0, pp[1], &rfd), VU_VRING_NOFD);
	close(pp[1]);
	ck_assert_uint_eq(call_u64(a, VU_CHECK_DEVICE_STATE), 1);
	uint8_t st[2048];
	ck_assert_uint_ge(save(a, st, sizeof st), 32);
	close(a);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

START_TEST(test_refused_unless_suspended_and_defined)
{
	struct vfu_server *s = new_server("net", false, NULL);
	int a = connect_fake(s);
	int pp[2], rfd = -1;
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	/* Undefined direction, then phase. */
	ck_assert_uint_eq(set_state_fd(a, 2, 0, pp[1], &rfd), 1 | VU_VRING_NOFD);
	ck_assert_int_eq(rfd, -1);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_SAVE, 1, pp[1], &rfd), 1 | VU_VRING_NOFD);
	ck_assert_uint_eq(call_u64(a, VU_CHECK_DEVICE_STATE), 1);
	/* Ring 0 started by its kick: not suspended. */
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(efd, 0);
	uint64_t idx = 0;
	fe_send(a, VU_SET_VRING_KICK, &idx, 8, &efd, 1);
	close(efd);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_SAVE, 0, pp[1], &rfd), 1 | VU_VRING_NOFD);
	ck_assert_int_eq(rfd, -1);
	/* The fake closed its copies: our end is the only writer left. */
	close(pp[1]);
	uint8_t b;
	ck_assert_int_eq(read(pp[0], &b, 1), 0);
	close(pp[0]);
	/* Stopped again: the save goes through. */
	uint8_t st8[8];
	struct vu_state_pl sp = { 0, 0 };
	ck_assert_uint_eq(vu_enc_state(st8, sizeof st8, &sp), 8);
	fe_send(a, VU_GET_VRING_BASE, st8, 8, NULL, 0);
	uint32_t r;
	ck_assert_int_eq(vc_test_vu_recv(a, &r, NULL, st8, sizeof st8, NULL, 5000), 8);
	uint8_t st[2048];
	ck_assert_uint_ge(save(a, st, sizeof st), 32);
	close(a);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

START_TEST(test_own_channel)
{
	struct vfu_server *s = new_server("blk", true, NULL);
	int a = connect_fake(s);
	int pp[2], rfd = -1;
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_SAVE, 0, pp[1], &rfd), 0);
	ck_assert_int_ge(rfd, 0);
	close(pp[1]);
	/* Ours is dropped: the fake wrote nothing into it. */
	uint8_t st[2048], b;
	ck_assert_int_eq(read(pp[0], &b, 1), 0);
	close(pp[0]);
	size_t n = 0;
	ssize_t k;
	while ((k = read(rfd, st + n, sizeof st - n)) > 0)
		n += (size_t)k;
	close(rfd);
	ck_assert_uint_ge(n, 32);
	ck_assert_uint_eq(call_u64(a, VU_CHECK_DEVICE_STATE), 0);
	/* Load through the fake's write end. */
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_LOAD, 0, pp[0], &rfd), 0);
	ck_assert_int_ge(rfd, 0);
	close(pp[0]);
	close(pp[1]);
	ck_assert_int_eq(write(rfd, st, n), (ssize_t)n);
	close(rfd);
	ck_assert_uint_eq(call_u64(a, VU_CHECK_DEVICE_STATE), 0);
	close(a);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

START_TEST(test_faults)
{
	struct vfu_server *s = new_server("net", false, "state-error-with-fd");
	int a = connect_fake(s);
	int pp[2], rfd = -1;
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_SAVE, 0, pp[1], &rfd), 1);
	ck_assert_int_ge(rfd, 0);
	close(rfd);
	close(pp[0]);
	close(pp[1]);
	close(a);
	vfu_stop(s);
	vfu_free(s);
	s = new_server("net", false, "state-check-ok");
	a = connect_fake(s);
	ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
	close(pp[0]);
	ck_assert_uint_eq(set_state_fd(a, VU_DEVSTATE_SAVE, 0, pp[1], &rfd), VU_VRING_NOFD);
	close(pp[1]);
	ck_assert_uint_eq(call_u64(a, VU_CHECK_DEVICE_STATE), 0);
	close(a);
	vfu_stop(s);
	vfu_free(s);
}
END_TEST

Suite *vc_test_suite(void)
{
	/* SIGPIPE stays at its default: the fake must not take one. */
	signal(SIGPIPE, SIG_DFL);
	Suite *s = suite_create("fake-vhost-user-devstate");
	TCase *tc = tcase_create("devstate");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_save_then_load, 0, 3);
	tcase_add_test(tc, test_save_without_reader);
	tcase_add_test(tc, test_refused_unless_suspended_and_defined);
	tcase_add_test(tc, test_own_channel);
	tcase_add_test(tc, test_faults);
	suite_add_tcase(s, tc);
	return s;
}
