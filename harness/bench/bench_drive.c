/* Driver scenarios per second against the fake back-end (in-process, on
 * its own thread), against a baseline measured in the same run: a bare
 * connect + GET_FEATURES + close against the same fake (what one scenario
 * costs at the least: a connection and a round trip). Printed as
 * scenarios/s and as the ratio to the baseline's connections/s. */
#include "fakes/frontend/frontend.h"
#include "fakes/vhost-user/fake.h"
#include "vcts/sockpath.h"
#include "vcts/wire.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bare(const char *path)
{
	int fd = vc_sock_connect(path, 0);
	if (fd < 0)
		return -1;
	uint8_t h[VU_HDR_SIZE + 8];
	vu_wr32(h, VU_GET_FEATURES);
	vu_wr32(h + 4, VU_VERSION);
	vu_wr32(h + 8, 0);
	int rc = -1;
	if (write(fd, h, VU_HDR_SIZE) == (ssize_t)VU_HDR_SIZE) {
		size_t got = 0;
		while (got < sizeof h) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 2000) <= 0)
				break;
			ssize_t n = read(fd, h + got, sizeof h - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		rc = got == sizeof h ? 0 : -1;
	}
	close(fd);
	return rc;
}

int main(void)
{
	char path[108];
	snprintf(path, sizeof path, "/tmp/vcts-bench-drive-%d.sock", (int)getpid());
	unlink(path);
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	char err[256];
	if (vfu_profile_init(&cfg.profile, "net", 2)) {
		fprintf(stderr, "bench_drive: profile\n");
		return 1;
	}
	cfg.null_device = true;
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	if (!s || vfu_listen(s, path, err, sizeof err) || vfu_start(s)) {
		fprintf(stderr, "bench_drive: %s\n", err);
		return 1;
	}
	/* Baseline: connections with one round trip each. */
	const int nbare = 2000;
	double t0 = now_s();
	for (int i = 0; i < nbare; i++)
		if (bare(path)) {
			fprintf(stderr, "bench_drive: baseline round trip failed\n");
			return 1;
		}
	double base = nbare / (now_s() - t0);
	/* Every scenario, several rounds, best of 3. */
	static const char *const sets[] = { "init-start-stop-qemu", "replay-qemu-net", "neg-*", NULL };
	static const char *const label[] = { "init/start/stop (QEMU order)", "replay of QEMU 7.2 net recording",
					     "all negative scenarios" };
	printf("%-34s %10s %12s %8s\n", "scenario set", "scen/s", "msgs/scen", "ratio");
	printf("%-34s %10.0f %12s %8s\n", "baseline: connect+GET_FEATURES", base, "2", "1.0x");
	for (int k = 0; sets[k]; k++) {
		double best = 0, msgs = 0;
		for (int rep = 0; rep < 3; rep++) {
			struct vfe_options o = { .socket = path, .scenario_glob = sets[k], .timeout_ms = 2000 };
			double t = now_s();
			int ran = 0;
			uint64_t m = 0;
			for (int round = 0; round < 20; round++) {
				struct vfe_run *r = vfe_run_new(&o, err, sizeof err);
				int n = r ? vfe_run_all(r, err, sizeof err) : -1;
				if (n < 0) {
					fprintf(stderr, "bench_drive: %s\n", err);
					return 1;
				}
				ran += n;
				m += vfe_run_results(r)->messages;
				vfe_run_free(r);
			}
			double rate = ran / (now_s() - t);
			if (rate > best) {
				best = rate;
				msgs = (double)m / ran;
			}
		}
		printf("%-34s %10.0f %12.1f %7.2fx\n", label[k], best, msgs, best / base);
	}
	vfu_stop(s);
	vfu_free(s);
	unlink(path);
	return 0;
}
