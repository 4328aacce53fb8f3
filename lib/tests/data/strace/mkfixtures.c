/* Fixture generator for the strace importer tests (not part of the build).
 * Plays a tiny vhost-user front-end and back-end over a unix socket so
 * that `strace` records real syscall lines. See mkfixtures.sh. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define SOCK_PATH "/tmp/vcts-fixture.sock"

struct hdr {
	uint32_t req, flags, size;
};

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void xwrite(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		die("write");
}

static void xread(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r <= 0)
			die("read");
		got += (size_t)r;
	}
}

/* sendmsg with up to 2 iovecs and up to 4 fds */
static void send_fds(int fd, const void *a, size_t alen, const void *b, size_t blen,
		     const int *fds, int nfds)
{
	struct iovec iov[2] = { { (void *)a, alen }, { (void *)b, blen } };
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	struct msghdr m = { 0 };
	m.msg_iov = iov;
	m.msg_iovlen = blen ? 2 : 1;
	if (nfds) {
		memset(ctl, 0, sizeof ctl);
		m.msg_control = ctl;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (sendmsg(fd, &m, 0) < 0)
		die("sendmsg");
}

/* recvmsg exactly n bytes into p, returning up to 4 fds */
static int recv_fds(int fd, void *p, size_t n, int *fds, int flags)
{
	struct iovec iov = { p, n };
	char ctl[CMSG_SPACE(8 * sizeof(int))];
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof ctl;
	ssize_t r = recvmsg(fd, &m, flags);
	if (r < 0)
		die("recvmsg");
	int nf = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_type == SCM_RIGHTS) {
			nf = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), nf * sizeof(int));
		}
	return r == 0 ? -1 : nf;
}

static void reply_u64(int fd, uint32_t req, uint64_t v)
{
	struct hdr h = { req, 0x5, 8 };
	char buf[20];
	memcpy(buf, &h, 12);
	memcpy(buf + 12, &v, 8);
	xwrite(fd, buf, 20);
}

/* ---- back-end: reads header by recvmsg and payload by read (DPDK style) */
static int be_read(int fd, struct hdr *h, uint8_t *pl, int *fds)
{
	int nf = recv_fds(fd, h, 12, fds, 0);
	if (nf < 0)
		return -1;
	size_t got = 0;
	while (got < h->size) {
		ssize_t r = read(fd, pl + got, h->size - got);
		if (r <= 0)
			return -1; /* peer gone mid-message */
		got += (size_t)r;
	}
	return nf;
}

static void backend(int fd, int mode_partial, int stall)
{
	struct hdr h;
	uint8_t pl[512];
	int fds[8];
	int bfd = -1;
	if (mode_partial) {
		/* peek the header first, like a cautious back-end */
		char peek[12];
		if (recv(fd, peek, sizeof peek, MSG_PEEK) < 0)
			die("peek");
	}
	for (;;) {
		int nf = be_read(fd, &h, pl, fds);
		if (nf < 0)
			return;
		switch (h.req) {
		case 1: /* GET_FEATURES */
			reply_u64(fd, 1, (1ull << 32) | (1ull << 30));
			break;
		case 15: /* GET_PROTOCOL_FEATURES */
			reply_u64(fd, 15, (1ull << 3) | (1ull << 5) | (1ull << 9));
			break;
		case 16: /* SET_PROTOCOL_FEATURES, NEED_REPLY */
			if (h.flags & 0x8)
				reply_u64(fd, 16, 0);
			break;
		case 21: /* SET_BACKEND_REQ_FD */
			bfd = fds[0];
			break;
		case 11: /* GET_VRING_BASE */
			if (stall) {
				alarm(2); /* stay silent, then die */
				pause();
				return;
			}
			{
				/* back-end request on the back-end channel first */
				struct hdr bh = { 2, 0x9, 0 };
				struct hdr ack;
				uint64_t v;
				if (bfd >= 0) {
					xwrite(bfd, &bh, 12);
					xread(bfd, &ack, 12);
					xread(bfd, &v, 8);
				}
			}
			{
				struct hdr r = { 11, 0x5, 8 };
				uint32_t st[2] = { 0, 7 };
				struct iovec iov[2] = { { &r, 12 }, { st, 8 } };
				if (writev(fd, iov, 2) != 20)
					die("writev");
			}
			break;
		default:
			break;
		}
		for (int i = 0; i < nf; i++)
			if (fds[i] != bfd)
				close(fds[i]);
	}
}

/* ---- front-end: QEMU style, whole messages per sendmsg */
static void frontend(int fd, int partial)
{
	struct hdr h;
	uint64_t v;
	if (partial) {
		/* header of SET_VRING_ADDR (40 bytes) and only 10 bytes of it */
		struct hdr a = { 9, 0x1, 40 };
		uint8_t z[10] = { 0 };
		xwrite(fd, &a, 12);
		usleep(20000);
		xwrite(fd, z, 10);
		usleep(20000);
		return;
	}
	struct hdr gf = { 1, 0x1, 0 };
	xwrite(fd, &gf, 12);
	xread(fd, &h, 12);
	xread(fd, &v, 8);

	struct hdr sf = { 2, 0x1, 8 };
	uint64_t feat = (1ull << 32) | (1ull << 30);
	send_fds(fd, &sf, 12, &feat, 8, NULL, 0);

	/* two messages in one sendmsg: SET_OWNER + GET_PROTOCOL_FEATURES */
	struct hdr two[2] = { { 3, 0x1, 0 }, { 15, 0x1, 0 } };
	send_fds(fd, two, 24, NULL, 0, NULL, 0);
	{
		uint8_t r[20];
		xread(fd, r, 20); /* header and payload in one read */
	}

	struct hdr sp = { 16, 0x1 | 0x8, 8 };
	uint64_t pf = (1ull << 3) | (1ull << 5);
	send_fds(fd, &sp, 12, &pf, 8, NULL, 0);
	xread(fd, &h, 12);
	xread(fd, &v, 8);

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	struct hdr sb = { 21, 0x1, 0 };
	send_fds(fd, &sb, 12, NULL, 0, &sv[1], 1);
	close(sv[1]);

	int mfd = memfd_create("guest-ram", 0);
	if (mfd < 0 || ftruncate(mfd, 1 << 20) < 0)
		die("memfd");
	struct hdr mt = { 5, 0x1, 8 + 32 };
	uint8_t tab[40] = { 0 };
	tab[0] = 1;                        /* nregions */
	uint64_t gpa = 0, sz = 1 << 20, uva = 0x7f0000000000ull, off = 0;
	memcpy(tab + 8, &gpa, 8);
	memcpy(tab + 16, &sz, 8);
	memcpy(tab + 24, &uva, 8);
	memcpy(tab + 32, &off, 8);
	send_fds(fd, &mt, 12, tab, 40, &mfd, 1);

	int kfd = eventfd(0, 0);
	int cfd = eventfd(0, 0);
	struct hdr kk = { 12, 0x1, 8 };
	uint64_t idx = 0;
	send_fds(fd, &kk, 12, &idx, 8, &kfd, 1);
	struct hdr kc = { 13, 0x1, 8 };
	send_fds(fd, &kc, 12, &idx, 8, &cfd, 1);
	/* noise: kick the ring, talk on a pipe */
	uint64_t one = 1;
	xwrite(kfd, &one, 8);
	int pp[2];
	if (pipe(pp) < 0)
		die("pipe");
	xwrite(pp[1], "hello\n", 6);
	char tmp[8];
	xread(pp[0], tmp, 6);

	struct hdr gb = { 11, 0x1, 8 };
	uint32_t st[2] = { 0, 0 };
	send_fds(fd, &gb, 12, st, 8, NULL, 0);
	/* the back-end first asks on its channel (CONFIG_CHANGE_MSG, NEED_REPLY) */
	struct hdr bh;
	int dummy[8];
	if (recv_fds(sv[0], &bh, 12, dummy, 0) >= 0) {
		reply_u64(sv[0], bh.req, 0);
	}
	xread(fd, &h, 12);
	xread(fd, &v, 8);
}

static void stall_frontend(int fd)
{
	struct hdr gb = { 11, 0x1, 8 };
	uint32_t st[2] = { 0, 0 };
	send_fds(fd, &gb, 12, st, 8, NULL, 0);
	struct hdr h;
	xread(fd, &h, 12); /* blocks: killed by the alarm */
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fe";
	int be_traced = strcmp(mode, "be") == 0 || strcmp(mode, "be-partial") == 0;
	int partial = strcmp(mode, "be-partial") == 0;
	int stall = strcmp(mode, "stall") == 0;
	unlink(SOCK_PATH);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, SOCK_PATH);
	if (bind(ls, (void *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0)
		die("bind");
	pid_t pid = fork();
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (void *)&sa, sizeof sa) < 0)
			die("connect");
		if (be_traced)
			frontend(c, partial);
		else
			backend(c, 0, stall);
		_exit(0);
	}
	int s = accept(ls, NULL, NULL);
	if (s < 0)
		die("accept");
	if (stall) {
		alarm(1);
		stall_frontend(s);
	} else if (be_traced)
		backend(s, partial, 0);
	else
		frontend(s, 0);
	if (!stall) {
		close(s);
		waitpid(pid, NULL, 0);
	}
	unlink(SOCK_PATH);
	return 0;
}
