/* lib/sock.c: messages with fds over a socketpair; partial reads and
 * writes, an oversized size, control data the kernel cuts, EOF in a
 * message, and no fd left open on any path. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"
#include "harness/tests/common/vu_client.h"
#include "vcts/sock.h"
#include "vcts/sockpath.h"

static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

START_TEST(fds_pass_with_message)
{
	int base = vc_test_count_fds();
	int sv[2];
	pair(sv);
	int ev[3];
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(ev[i] = eventfd(0, EFD_CLOEXEC), 0);
	const uint8_t pl[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 12, 0x9, 8, pl, 8, ev, 3, 1000), 0);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_MSG);
	ck_assert_uint_eq(m.req, 12);
	ck_assert_uint_eq(m.flags, 0x9);
	ck_assert_uint_eq(m.size, 8);
	ck_assert_uint_eq(m.len, 8);
	ck_assert_mem_eq(m.payload, pl, 8);
	ck_assert_uint_eq(m.nfds, 3);
	ck_assert_uint_eq(m.ntotal, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(m.info[i].kind, VC_FD_EVENTFD);
		ck_assert(fd_open(m.fds[i]));
		ck_assert_int_eq(fcntl(m.fds[i], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	}
	/* The same eventfd: what one side writes the other reads. */
	uint64_t one = 1, got = 0;
	ck_assert_int_eq(write(ev[1], &one, sizeof one), (ssize_t)sizeof one);
	ck_assert_int_eq(read(m.fds[1], &got, sizeof got), (ssize_t)sizeof got);
	ck_assert_uint_eq(got, 1);
	/* Nothing more now. */
	struct vc_sock_msg m2;
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m2), VC_RX_AGAIN);
	int kept[3] = { m.fds[0], m.fds[1], m.fds[2] };
	vc_sock_msg_free(&m);
	for (int i = 0; i < 3; i++)
		ck_assert(!fd_open(kept[i]));
	ck_assert_uint_eq(rx.fds_in, 3);
	ck_assert_uint_eq(rx.fds_closed, 0);
	for (int i = 0; i < 3; i++)
		close(ev[i]);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(vc_test_count_fds(), base);
}
END_TEST

/* Two messages back to back, fds on the second only: each message gets
 * its own (a read never runs past a message's end). */
START_TEST(fds_stay_with_their_message)
{
	int sv[2];
	pair(sv);
	int e = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 1, 1, 0, NULL, 0, NULL, 0, 1000), 0);
	uint8_t u[8] = { 0 };
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 13, 1, 8, u, 8, &e, 1, 1000), 0);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg a, b;
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &a), VC_RX_MSG);
	ck_assert_uint_eq(a.req, 1);
	ck_assert_uint_eq(a.ntotal, 0);
	ck_assert_ptr_null(a.payload);
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &b), VC_RX_MSG);
	ck_assert_uint_eq(b.req, 13);
	ck_assert_uint_eq(b.ntotal, 1);
	vc_sock_msg_free(&a);
	vc_sock_msg_free(&b);
	close(e);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Bytes that come one at a time: AGAIN until the message is whole, the
 * bytes so far told by vc_sock_rx_pending. */
START_TEST(partial_reads)
{
	int sv[2];
	pair(sv);
	uint8_t buf[VU_HDR_SIZE + 5];
	vu_wr32(buf, 24);
	vu_wr32(buf + 4, 1);
	vu_wr32(buf + 8, 5);
	memcpy(buf + VU_HDR_SIZE, "abcde", 5);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	for (size_t i = 0; i < sizeof buf; i++) {
		ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_AGAIN);
		ck_assert_uint_eq(vc_sock_rx_pending(&rx), i);
		ck_assert_int_eq(write(sv[0], buf + i, 1), 1);
	}
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_MSG);
	ck_assert_uint_eq(m.req, 24);
	ck_assert_uint_eq(m.len, 5);
	ck_assert_mem_eq(m.payload, "abcde", 5);
	ck_assert_uint_eq(vc_sock_rx_pending(&rx), 0);
	vc_sock_msg_free(&m);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A size over the cap: the header and the fd count come back, no
 * payload is allocated, the fds are closed, the reader stays finished. */
START_TEST(oversized_size)
{
	int base = vc_test_count_fds();
	int sv[2];
	pair(sv);
	int e[2] = { eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC) };
	uint8_t junk[32] = { 0 };
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 5, 1, 0xfffffff0u, junk, sizeof junk, e, 2, 1000), 0);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 64);
	struct vc_sock_msg m;
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_OVERSIZE);
	ck_assert_uint_eq(m.req, 5);
	ck_assert_uint_eq(m.size, 0xfffffff0u);
	ck_assert_ptr_null(m.payload);
	ck_assert_uint_eq(m.nfds, 0);
	ck_assert_uint_eq(m.ntotal, 2);
	ck_assert_uint_eq(m.info[0].kind, VC_FD_EVENTFD);
	ck_assert_uint_eq(rx.fds_in, 2);
	ck_assert_uint_eq(rx.fds_closed, 2);
	ck_assert_uint_eq(vc_sock_rx_pending(&rx), VU_HDR_SIZE);
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_OVERSIZE);
	/* A size at the cap is read. */
	struct vc_sock_rx rx2;
	vc_sock_rx_init(&rx2, 32);
	int sw[2];
	pair(sw);
	ck_assert_int_eq(vc_sock_send_msg(sw[0], 5, 1, 32, junk, 32, NULL, 0, 1000), 0);
	ck_assert_int_eq(vc_sock_recv(sw[1], &rx2, &m), VC_RX_MSG);
	vc_sock_msg_free(&m);
	close(e[0]);
	close(e[1]);
	close(sv[0]);
	close(sv[1]);
	close(sw[0]);
	close(sw[1]);
	ck_assert_int_eq(vc_test_count_fds(), base);
}
END_TEST

/* EOF inside a message: the bytes cut are told, the fds that came with
 * them are closed. */
START_TEST(eof_mid_message)
{
	int base = vc_test_count_fds();
	int sv[2];
	pair(sv);
	int e = eventfd(0, EFD_CLOEXEC);
	uint8_t buf[VU_HDR_SIZE + 3];
	vu_wr32(buf, 12);
	vu_wr32(buf + 4, 1);
	vu_wr32(buf + 8, 8);
	memset(buf + VU_HDR_SIZE, 0, 3);
	ck_assert_int_eq(vc_sock_send(sv[0], buf, sizeof buf, &e, 1, 1000), 0);
	close(e);
	close(sv[0]);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_EOF);
	ck_assert_uint_eq(vc_sock_rx_pending(&rx), VU_HDR_SIZE + 3);
	ck_assert_uint_eq(rx.fds_in, 1);
	ck_assert_uint_eq(rx.fds_closed, 1);
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_EOF);
	close(sv[1]);
	ck_assert_int_eq(vc_test_count_fds(), base);

	/* At a message boundary: nothing cut. */
	pair(sv);
	close(sv[0]);
	vc_sock_rx_init(&rx, 0);
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_EOF);
	ck_assert_uint_eq(vc_sock_rx_pending(&rx), 0);
	close(sv[1]);
}
END_TEST

/* The kernel cuts the control data when it cannot install every fd
 * (here: RLIMIT_NOFILE leaves room for two of five). What did arrive is
 * closed, and the message is not handed on with a wrong count. */
START_TEST(ctrunc_closes_what_came)
{
	int sv[2];
	pair(sv);
	int e[5];
	for (int i = 0; i < 5; i++)
		e[i] = eventfd(0, EFD_CLOEXEC);
	uint8_t u[8] = { 0 };
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 5, 1, 8, u, 8, e, 5, 1000), 0);
	int base = vc_test_count_fds();
	struct rlimit old;
	vc_test_fd_room(2, &old);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	enum vc_sock_rx_status st = vc_sock_recv(sv[1], &rx, &m);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(st, VC_RX_CTRUNC);
	ck_assert_uint_eq(rx.fds_in, 2);
	ck_assert_uint_eq(rx.fds_closed, 2);
	ck_assert_int_eq(vc_test_count_fds(), base);
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_CTRUNC);
	for (int i = 0; i < 5; i++)
		close(e[i]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* More fds than a message keeps: the first VC_EVENT_MAX_FDS are kept,
 * the rest counted and closed at once. */
START_TEST(fd_flood_counted)
{
	int base = vc_test_count_fds();
	int sv[2];
	pair(sv);
	int e = eventfd(0, EFD_CLOEXEC);
	int many[VC_SOCK_MAX_FDS];
	for (unsigned i = 0; i < VC_SOCK_MAX_FDS; i++)
		many[i] = e;
	uint8_t u[8] = { 0 };
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 5, 1, 8, u, 8, many, VC_SOCK_MAX_FDS, 1000), 0);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	ck_assert_int_eq(vc_sock_recv(sv[1], &rx, &m), VC_RX_MSG);
	ck_assert_uint_eq(m.ntotal, VC_SOCK_MAX_FDS);
	ck_assert_uint_eq(m.nfds, VC_EVENT_MAX_FDS);
	ck_assert_uint_eq(rx.fds_closed, VC_SOCK_MAX_FDS - VC_EVENT_MAX_FDS);
	vc_sock_msg_free(&m);
	/* One more than the kernel passes is refused before sending. */
	int over[VC_SOCK_MAX_FDS + 1];
	for (unsigned i = 0; i <= VC_SOCK_MAX_FDS; i++)
		over[i] = e;
	errno = 0;
	ck_assert_int_eq(vc_sock_send(sv[0], u, 8, over, VC_SOCK_MAX_FDS + 1, 1000), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* fds need a byte to ride on. */
	ck_assert_int_eq(vc_sock_send(sv[0], u, 0, &e, 1, 1000), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(e);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(vc_test_count_fds(), base);
}
END_TEST

struct big_reader {
	int sock;
	struct vc_sock_msg m;
	enum vc_sock_rx_status st;
};

static void *read_big(void *arg)
{
	struct big_reader *b = arg;
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	b->st = vc_sock_recv_wait(b->sock, &rx, &b->m, 10000);
	return NULL;
}

/* A message larger than the socket buffer goes out in several writes
 * (the fd once, with the first); the reader gets it whole. */
START_TEST(partial_writes)
{
	int sv[2];
	pair(sv);
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	const uint32_t len = 300000;
	uint8_t *pl = malloc(len);
	for (uint32_t i = 0; i < len; i++)
		pl[i] = (uint8_t)(i * 7);
	int e = eventfd(0, EFD_CLOEXEC);
	struct big_reader b = { .sock = sv[1] };
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, read_big, &b), 0);
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 25, 1, len, pl, len, &e, 1, 10000), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(b.st, VC_RX_MSG);
	ck_assert_uint_eq(b.m.len, len);
	ck_assert_int_eq(memcmp(b.m.payload, pl, len), 0);
	ck_assert_uint_eq(b.m.ntotal, 1);
	vc_sock_msg_free(&b.m);
	free(pl);
	close(e);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A peer that never reads: the send gives up at its timeout; a peer
 * gone: EPIPE, no SIGPIPE. */
START_TEST(send_timeout_and_peer_gone)
{
	int sv[2];
	pair(sv);
	int small = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	const uint32_t len = 200000;
	uint8_t *pl = calloc(1, len);
	errno = 0;
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 25, 1, len, pl, len, NULL, 0, 50), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	close(sv[1]);
	errno = 0;
	ck_assert_int_eq(vc_sock_send_msg(sv[0], 1, 1, 0, NULL, 0, NULL, 0, 50), -1);
	ck_assert(errno == EPIPE || errno == ECONNRESET);
	/* The blocking read gives up at its timeout too. */
	int sw[2];
	pair(sw);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	ck_assert_int_eq(vc_sock_recv_wait(sw[1], &rx, &m, 20), VC_RX_AGAIN);
	free(pl);
	close(sv[0]);
	close(sw[0]);
	close(sw[1]);
}
END_TEST

/* Listen and connect by path: a message goes through; a live listener's
 * path is not taken over; a path too long is refused, never cut short. */
START_TEST(listen_and_connect)
{
	int base = vc_test_count_fds();
	const char *path = vc_test_tmppath("sock-listen");
	char err[256] = "";
	int l = vc_sock_listen(path, 4, SOCK_NONBLOCK, err, sizeof err);
	ck_assert_msg(l >= 0, "%s", err);
	ck_assert_int_eq(fcntl(l, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	ck_assert_int_eq(fcntl(l, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	int c = vc_sock_connect(path, 0);
	ck_assert_int_ge(c, 0);
	int a = accept(l, NULL, NULL);
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(vc_sock_send_msg(c, 1, 1, 0, NULL, 0, NULL, 0, 1000), 0);
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	struct vc_sock_msg m;
	ck_assert_int_eq(vc_sock_recv_wait(a, &rx, &m, 1000), VC_RX_MSG);
	ck_assert_uint_eq(m.req, 1);
	/* someone listens: the path is not claimed */
	ck_assert_int_lt(vc_sock_listen(path, 4, 0, err, sizeof err), 0);
	ck_assert_msg(strstr(err, "socket in use") != NULL, "%s", err);
	close(a);
	close(c);
	close(l);
	/* the listener gone, its file is stale: taken over */
	l = vc_sock_listen(path, 4, 0, err, sizeof err);
	ck_assert_msg(l >= 0, "%s", err);
	close(l);
	unlink(path);
	errno = 0;
	ck_assert_int_lt(vc_sock_connect(path, 0), 0);
	ck_assert_int_eq(errno, ENOENT);
	char longp[200];
	memset(longp, 'x', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = '\0';
	errno = 0;
	ck_assert_int_lt(vc_sock_connect(longp, 0), 0);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_lt(vc_sock_listen(longp, 4, 0, err, sizeof err), 0);
	ck_assert_msg(strstr(err, "too long") != NULL, "%s", err);
	ck_assert_int_eq(vc_test_count_fds(), base);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("sock");
	TCase *t = tcase_create("sock");
	tcase_add_test(t, fds_pass_with_message);
	tcase_add_test(t, fds_stay_with_their_message);
	tcase_add_test(t, partial_reads);
	tcase_add_test(t, oversized_size);
	tcase_add_test(t, eof_mid_message);
	tcase_add_test(t, ctrunc_closes_what_came);
	tcase_add_test(t, fd_flood_counted);
	tcase_add_test(t, partial_writes);
	tcase_add_test(t, send_timeout_and_peer_gone);
	tcase_add_test(t, listen_and_connect);
	suite_add_tcase(s, t);
	return s;
}
