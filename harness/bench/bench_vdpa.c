/* The fake vDPA device: IOTLB updates per second through an in-process
 * call, through the LD_PRELOAD shim (a child process that write()s to the
 * fake node), and certification start/stop cycles per second. Every
 * figure is printed beside a baseline measured in the same run: write() of
 * the same 72 bytes to /dev/null (one real system call). Best of 3. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakes/vdpa/certify.h"
#include "fakes/vdpa/live.h"
#include "fakes/vdpa/port.h"
#include "fakes/vdpa/vdpa.h"
#include "vcts/vdpa_uapi.h"

#define N_MSGS 200000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void msg(uint8_t *m, uint8_t type, uint64_t iova, uint64_t size, const void *ua)
{
	memset(m, 0, VDPA_MSG_V2_SIZE);
	uint32_t t = VDPA_MSG_TYPE_IOTLB_V2;
	uint64_t u = (uint64_t)(uintptr_t)ua;
	memcpy(m, &t, 4);
	memcpy(m + 8, &iova, 8);
	memcpy(m + 16, &size, 8);
	memcpy(m + 24, &u, 8);
	m[32] = VDPA_ACCESS_RW;
	m[33] = type;
}

/* n UPDATE/INVALIDATE pairs through write() on fd; messages per second. */
static double write_loop(int fd, const void *mem, int n)
{
	uint8_t up[VDPA_MSG_V2_SIZE], inv[VDPA_MSG_V2_SIZE];
	msg(up, VDPA_IOTLB_UPDATE, 0x100000, 0x1000, mem);
	msg(inv, VDPA_IOTLB_INVALIDATE, 0x100000, 0x1000, NULL);
	double t0 = now();
	for (int i = 0; i < n; i++)
		if (write(fd, up, sizeof up) != (ssize_t)sizeof up || write(fd, inv, sizeof inv) != (ssize_t)sizeof inv) {
			fprintf(stderr, "bench: write: %s\n", strerror(errno));
			exit(2);
		}
	return 2.0 * n / (now() - t0);
}

static double baseline(void)
{
	int fd = open("/dev/null", O_WRONLY);
	static char mem[4096];
	double best = 0;
	for (int r = 0; r < 3; r++) {
		double x = write_loop(fd, mem, N_MSGS);
		best = x > best ? x : best;
	}
	close(fd);
	return best;
}

static double in_process(bool judged)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	static char mem[4096];
	double best = 0;
	for (int r = 0; r < 3; r++) {
		struct vdpa_dev *d = vdpa_dev_new(&c);
		struct vdpa_live *l = judged ? vdpa_live_new("bench", NULL, NULL) : NULL;
		if (l)
			vdpa_live_attach(l, d);
		vdpa_dev_open(d, 3);
		uint64_t bf = (1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH);
		vdpa_dev_ioctl(d, &vdpa_mem_self, VDPA_REQ_SET_OWNER, 0);
		vdpa_dev_ioctl(d, &vdpa_mem_self, VDPA_REQ_SET_BACKEND_FEATURES, (uint64_t)(uintptr_t)&bf);
		uint8_t up[VDPA_MSG_V2_SIZE], inv[VDPA_MSG_V2_SIZE];
		msg(up, VDPA_IOTLB_UPDATE, 0x100000, 0x1000, mem);
		msg(inv, VDPA_IOTLB_INVALIDATE, 0x100000, 0x1000, NULL);
		double t0 = now();
		for (int i = 0; i < N_MSGS; i++) {
			vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)up, sizeof up);
			vdpa_dev_write(d, &vdpa_mem_self, (uint64_t)(uintptr_t)inv, sizeof inv);
		}
		double x = 2.0 * N_MSGS / (now() - t0);
		best = x > best ? x : best;
		vdpa_dev_release(d);
		if (l) {
			vdpa_live_finish(l);
			vdpa_dev_set_observer(d, NULL, NULL);
			vdpa_live_free(l);
		}
		vdpa_dev_free(d);
	}
	return best;
}

/* Child side of the shim figure: runs with LD_PRELOAD set. */
static int shim_child(void)
{
	int fd = open("/dev/vhost-vdpa-fake0", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "bench: shim open: %s\n", strerror(errno));
		return 2;
	}
	uint64_t bf = (1ull << VDPA_BF_IOTLB_MSG_V2) | (1ull << VDPA_BF_IOTLB_BATCH);
	extern int ioctl(int, unsigned long, ...);
	ioctl(fd, VDPA_REQ_SET_OWNER, 0);
	ioctl(fd, VDPA_REQ_SET_BACKEND_FEATURES, &bf);
	static char mem[4096];
	double best = 0;
	for (int r = 0; r < 3; r++) {
		double x = write_loop(fd, mem, N_MSGS);
		best = x > best ? x : best;
	}
	close(fd);
	printf("%.0f\n", best);
	return 0;
}

static double through_shim(const char *self)
{
	const char *shim = "build/libvcts-vdpa-preload.so";
	if (access(shim, R_OK) != 0)
		return -1;
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		char abs[4096];
		if (!realpath(shim, abs))
			_exit(2);
		setenv("LD_PRELOAD", abs, 1);
		setenv("VCTS_VDPA_QUIET", "1", 1);
		setenv("VCTS_VDPA_TEXT", "/dev/null", 1);
		execl(self, self, "--shim-child", (char *)NULL);
		_exit(2);
	}
	close(p[1]);
	char buf[64] = { 0 };
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return n > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? atof(buf) : -1;
}

static double certify_cycles(void)
{
	struct vdpa_cfg c;
	vdpa_cfg_default(&c);
	double best = 0;
	for (int r = 0; r < 3; r++) {
		double t[2];
		unsigned cycles[2] = { 1, 2001 };
		for (int k = 0; k < 2; k++) {
			struct vdpa_dev *d = vdpa_dev_new(&c);
			struct vdpa_port port;
			vdpa_port_model(&port, d);
			struct vc_engine_opts eo = { .rules_glob = VDPA_CERTIFY_RULES };
			struct vc_engine *e = vc_engine_new(&eo);
			struct vc_session s = { .traced_side = VC_SIDE_LIVE, .name = "bench" };
			uint32_t sid = vc_engine_add_session(e, &s);
			struct vdpa_certify_opts co = { .cycles = cycles[k] };
			char err[128];
			double t0 = now();
			vdpa_certify(&port, e, sid, &co, err, sizeof err);
			t[k] = now() - t0;
			vc_engine_free(e);
			vdpa_dev_free(d);
		}
		double x = (cycles[1] - cycles[0]) / (t[1] - t[0]);
		best = x > best ? x : best;
	}
	return best;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--shim-child"))
		return shim_child();
	double base = baseline();
	printf("baseline: write() of 72 bytes to /dev/null     %12.0f /s\n", base);
	double a = in_process(false);
	printf("IOTLB messages, in-process call (model only)    %12.0f /s  %6.2fx baseline\n", a, a / base);
	double b = in_process(true);
	printf("IOTLB messages, in-process call + live rules    %12.0f /s  %6.2fx baseline\n", b, b / base);
	double s = through_shim(argv[0]);
	if (s > 0)
		printf("IOTLB messages, write() through the shim        %12.0f /s  %6.2fx baseline\n", s, s / base);
	else
		printf("IOTLB messages through the shim: skipped (build/libvcts-vdpa-preload.so not built)\n");
	double cy = certify_cycles();
	printf("certify start/stop cycles (VDPA-DEV-07), in-process %8.0f /s  (1 cycle = %.1f baseline writes)\n",
	       cy, base / cy);
	return 0;
}
