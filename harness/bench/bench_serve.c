/* Request/reply round trips per second through the fake back-end, against
 * two references measured in the same run: a bare socketpair echo (the
 * physical limit of one round trip over a unix socket between two
 * threads) and, when dpdk-testpmd is installed, DPDK's net_vhost back-end
 * answering the same stream (GET_FEATURES, one u64 reply each). */
#include "fakes/vhost-user/fake.h"
#include "vcts/sockpath.h"
#include "vcts/wire.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 200000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_full(int fd, void *b, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)b + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* The front-end side: GET_FEATURES, read the u64 reply; rounds/s. */
static double drive(int fd, int rounds)
{
	uint8_t req[VU_HDR_SIZE], rep[VU_HDR_SIZE + 8];
	vu_wr32(req, VU_GET_FEATURES);
	vu_wr32(req + 4, VU_VERSION);
	vu_wr32(req + 8, 0);
	int rsz = vu_payload_fixed_size(VU_PL_U64);
	double t0 = now_s();
	for (int i = 0; i < rounds; i++) {
		if (write(fd, req, sizeof req) != (ssize_t)sizeof req ||
		    read_full(fd, rep, VU_HDR_SIZE + (size_t)rsz) != 0 || vu_rd32(rep) != VU_GET_FEATURES)
			return -1;
	}
	return rounds / (now_s() - t0);
}

/* The best of three equal slices of ROUNDS on one connection: every path
 * here is bound by thread wake-ups on a small machine, and a slice that
 * lost its core to something else says nothing about the path. */
static double best_of_3(int fd)
{
	double best = -1;
	for (int i = 0; i < 3; i++) {
		double r = drive(fd, ROUNDS / 3);
		if (r < 0)
			return -1;
		if (r > best)
			best = r;
	}
	return best;
}

static void *echo_thread(void *arg)
{
	int fd = *(int *)arg;
	uint8_t b[VU_HDR_SIZE + 8] = { 0 };
	int rsz = vu_payload_fixed_size(VU_PL_U64);
	for (;;) {
		if (read_full(fd, b, VU_HDR_SIZE) != 0)
			break;
		vu_wr32(b + 4, VU_VERSION | VU_FLAG_REPLY);
		vu_wr32(b + 8, (uint32_t)rsz);
		if (write(fd, b, VU_HDR_SIZE + (size_t)rsz) < 0)
			break;
	}
	return NULL;
}

static double bench_echo(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	pthread_t t;
	pthread_create(&t, NULL, echo_thread, &sv[1]);
	double r = best_of_3(sv[0]);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
	return r;
}

static double bench_fake(FILE *rec)
{
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	vfu_profile_init(&cfg.profile, "net", 1);
	cfg.null_device = true;
	cfg.record = rec;
	char err[256];
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	int sv[2];
	if (!s || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) || vfu_adopt(s, sv[1], err, sizeof err) ||
	    vfu_start(s)) {
		fprintf(stderr, "bench_serve: %s\n", err);
		return -1;
	}
	double r = best_of_3(sv[0]);
	close(sv[0]);
	while (vfu_sessions_ended(s) < 1)
		usleep(1000);
	vfu_free(s);
	return r;
}

/* DPDK's vhost library as the back-end: testpmd with net_vhost listening
 * on a socket, this process as the front-end. */
static double bench_dpdk(void)
{
	if (access("/usr/bin/dpdk-testpmd", X_OK) != 0)
		return -2;
	char sock[108], vdev[160], prefix[64];
	snprintf(sock, sizeof sock, "/tmp/vcts-bench-%d.sock", (int)getpid());
	snprintf(vdev, sizeof vdev, "net_vhost0,iface=%s,queues=1", sock);
	snprintf(prefix, sizeof prefix, "vcts-bench-%d", (int)getpid());
	unlink(sock);
	pid_t pid = fork();
	if (pid == 0) {
		int dn = open("/dev/null", 0);
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		execl("/usr/bin/timeout", "timeout", "-s", "INT", "120", "/usr/bin/dpdk-testpmd", "--no-huge",
		      "--no-pci", "-m", "512", "--file-prefix", prefix, "--vdev", vdev, "--", "--nb-cores=1",
		      "--total-num-mbufs=16384", "--stats-period", "60", (char *)NULL);
		_exit(127);
	}
	int fd = -1;
	for (int i = 0; i < 300 && fd < 0; i++) {
		usleep(100000);
		fd = vc_sock_connect(sock, 0);
	}
	double r = -1;
	if (fd >= 0) {
		drive(fd, 1000); /* DPDK's first reply comes late; warm up */
		r = best_of_3(fd);
		close(fd);
	}
	kill(pid, SIGINT);
	waitpid(pid, NULL, 0);
	unlink(sock);
	return r;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	double echo = bench_echo();
	double fake = bench_fake(NULL);
	FILE *devnull = fopen("/dev/null", "w");
	double fake_rec = bench_fake(devnull);
	fclose(devnull);
	double dpdk = bench_dpdk();
	printf("request/reply round trips (GET_FEATURES -> u64 reply), %d each, best third:\n", ROUNDS);
	printf("  bare socketpair echo (baseline)   %10.0f /s\n", echo);
	printf("  fake back-end, live engine        %10.0f /s   %.2f x echo\n", fake, fake / echo);
	printf("  fake back-end, engine + capture   %10.0f /s   %.2f x echo\n", fake_rec, fake_rec / echo);
	if (dpdk > 0)
		printf("  dpdk-testpmd net_vhost            %10.0f /s   %.2f x echo; fake/DPDK %.2f\n", dpdk,
		       dpdk / echo, fake / dpdk);
	else
		printf("  dpdk-testpmd net_vhost            %s\n",
		       dpdk == -2 ? "not installed (dpdk-dev)" : "did not answer");
	printf("target: fake >= 0.5 x echo (%s), fake >= DPDK (%s)\n", fake >= 0.5 * echo ? "met" : "MISSED",
	       dpdk > 0 ? (fake >= dpdk ? "met" : "MISSED") : "n/a");
	return echo > 0 && fake > 0 ? 0 : 1;
}
