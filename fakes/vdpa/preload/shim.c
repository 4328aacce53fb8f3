/* LD_PRELOAD shim: the fake vDPA device for unmodified clients (QEMU,
 * dpdk-testpmd) on machines without CUSE. It intercepts the calls a client
 * makes on the configured device path and routes them to the in-process
 * model; everything else goes to libc.
 *
 *   VCTS_VDPA_PATH     device path (default /dev/vhost-vdpa-fake0)
 *   VCTS_VDPA_OPTS     device options (vhost-cts certify --help lists them)
 *   VCTS_VDPA_REPORT   JSON report written at exit
 *   VCTS_VDPA_TEXT     text report written at exit (default: summary on stderr)
 *   VCTS_VDPA_MAJOR    major number the fake node claims (default 511)
 *   VCTS_VDPA_CAPTURE  native capture of every event (vhost-cts check can re-judge it)
 *
 * The outputs go through vcts/outfile.h like every writer of the tool: a
 * file is replaced atomically, a device or FIFO written through; one that
 * is refused (a directory, a socket, the same file as another output) is
 * reported on stderr at start and not written: the host process runs on.
 *
 * The open file is a real fd (of /dev/null) so poll, close and fork work;
 * stat() of the path and /proc/devices say it is a "vhost-vdpa" character
 * device, which is how DPDK's virtio-user picks its vhost-vdpa back-end.
 * Doorbell mmaps are served with a shared anonymous page. Only the
 * symbols below are exported; the library is hidden inside. */
#include "fakes/vdpa/vdpa.h"
#include "fakes/vdpa/live.h"
#include "vcts/outfile.h"
#include "vcts/report.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))
#define MAX_FDS 4096
#define MAX_DOORBELLS 256

static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct vdpa_dev *dev;
static struct vdpa_live *live;
static char path[256] = "/dev/vhost-vdpa-fake0";
static unsigned major_no = 511;
static bool ours[MAX_FDS];
static unsigned nrefs;             /* fds naming the open file */
static struct vc_out *capout;     /* VCTS_VDPA_CAPTURE, committed at exit */
static const char *json_out, *text_out; /* the reports, NULL when refused */
/* Set while init() runs on this thread: the library's own open/stat calls
 * made from init come back through our wrappers and must not wait for
 * the initialisation they are part of. */
static __thread bool in_init;
static struct {
	void *addr;
	size_t len;
	uint64_t off;
} bells[MAX_DOORBELLS];

static int (*r_open)(const char *, int, ...);
static int (*r_open64)(const char *, int, ...);
static int (*r_openat)(int, const char *, int, ...);
static int (*r_openat64)(int, const char *, int, ...);
static int (*r_close)(int);
static int (*r_ioctl)(int, unsigned long, ...);
static ssize_t (*r_write)(int, const void *, size_t);
static void *(*r_mmap)(void *, size_t, int, int, int, off_t);
static void *(*r_mmap64)(void *, size_t, int, int, int, off_t);
static int (*r_munmap)(void *, size_t);
static int (*r_dup)(int);
static int (*r_dup2)(int, int);
static int (*r_dup3)(int, int, int);
static int (*r_fcntl)(int, int, ...);
static int (*r_stat)(const char *, struct stat *);
static int (*r_lstat)(const char *, struct stat *);
static int (*r_fstat)(int, struct stat *);
static int (*r_fstatat)(int, const char *, struct stat *, int);
static FILE *(*r_fopen)(const char *, const char *);
static FILE *(*r_fopen64)(const char *, const char *);

static void finish(void)
{
	if (!live)
		return;
	/* Never call into the model holding lk: it closes its eventfds
	 * through close(), which is ours. */
	pthread_mutex_lock(&lk);
	bool open_left = nrefs != 0;
	nrefs = 0;
	memset(ours, 0, sizeof ours);
	pthread_mutex_unlock(&lk);
	if (open_left)
		vdpa_dev_release(dev);
	const struct vc_results *res = vdpa_live_finish(live);
	char err[512];
	if (capout && vc_out_commit(capout, err, sizeof err) != 0)
		fprintf(stderr, "vhost-cts shim: VCTS_VDPA_CAPTURE %s\n", err);
	capout = NULL;
	const char *inputs[1] = { path };
	struct vc_report_meta meta = { .tool = "vhost-cts vdpa shim", .version = "0.1.0",
				       .inputs = inputs, .ninputs = 1 };
	if (json_out && vc_report_json(json_out, res, &meta, err, sizeof err) != 0)
		fprintf(stderr, "vhost-cts shim: VCTS_VDPA_REPORT %s\n", err);
	struct vc_out *t = text_out ? vc_out_open(text_out, err, sizeof err) : NULL;
	if (text_out && !t)
		fprintf(stderr, "vhost-cts shim: VCTS_VDPA_TEXT %s\n", err);
	if (t) {
		vc_report_text(vc_out_stream(t), res, &meta, 0);
		if (vc_out_commit(t, err, sizeof err) != 0)
			fprintf(stderr, "vhost-cts shim: VCTS_VDPA_TEXT %s\n", err);
	} else {
		fprintf(stderr, "vhost-cts shim: %s: %zu sessions, %llu MUST and %llu SHOULD findings\n", path,
			res->nsessions, (unsigned long long)res->findings_by_level[VC_MUST],
			(unsigned long long)res->findings_by_level[VC_SHOULD]);
	}
	vdpa_live_free(live);
	live = NULL;
	vdpa_dev_free(dev);
	dev = NULL;
}

/* The outputs named in the environment, checked before the client runs:
 * a refused one gets one line on stderr and is not written. */
static const char *cap_path;
static void check_outputs(void)
{
	static const char *const names[3] = { "VCTS_VDPA_CAPTURE", "VCTS_VDPA_REPORT", "VCTS_VDPA_TEXT" };
	const char *p[3];
	char err[512];
	for (int i = 0; i < 3; i++) {
		p[i] = getenv(names[i]);
		if (p[i] && !*p[i])
			p[i] = NULL;
		enum vc_out_kind kind;
		if (p[i] && vc_out_check(p[i], &kind, NULL, err, sizeof err) != 0) {
			fprintf(stderr, "vhost-cts shim: %s %s; not written\n", names[i], err);
			p[i] = NULL;
		}
		for (int j = 0; j < i && p[i]; j++)
			if (p[j] && vc_path_same(p[i], p[j])) {
				fprintf(stderr, "vhost-cts shim: %s and %s name the same file %s; %s not written\n",
					names[j], names[i], p[i], names[i]);
				p[i] = NULL;
			}
	}
	cap_path = p[0];
	json_out = p[1];
	text_out = p[2];
}

static void init(void)
{
	in_init = true;
#define R(n) r_##n = dlsym(RTLD_NEXT, #n)
	R(open); R(open64); R(openat); R(openat64); R(close); R(ioctl); R(write); R(mmap);
	R(mmap64); R(munmap); R(dup); R(dup2); R(dup3); R(fcntl); R(stat); R(lstat); R(fstat);
	R(fstatat); R(fopen); R(fopen64);
#undef R
	const char *p = getenv("VCTS_VDPA_PATH");
	if (p && *p)
		snprintf(path, sizeof path, "%s", p);
	const char *mj = getenv("VCTS_VDPA_MAJOR");
	if (mj && atoi(mj) > 0 && atoi(mj) < 4096)
		major_no = (unsigned)atoi(mj);
	struct vdpa_cfg cfg;
	vdpa_cfg_default(&cfg);
	const char *o = getenv("VCTS_VDPA_OPTS");
	char err[512];
	if (o && vdpa_cfg_parse(&cfg, o, err, sizeof err) != 0) {
		fprintf(stderr, "vhost-cts shim: VCTS_VDPA_OPTS: %s\n", err);
		_exit(2);
	}
	dev = vdpa_dev_new(&cfg);
	live = vdpa_live_new(path, NULL, getenv("VCTS_VDPA_QUIET") ? NULL : stderr);
	vdpa_live_attach(live, dev);
	check_outputs();
	if (cap_path) {
		if (!(capout = vc_out_open(cap_path, err, sizeof err))) {
			fprintf(stderr, "vhost-cts shim: VCTS_VDPA_CAPTURE %s; no capture written\n", err);
		} else if (vdpa_live_capture(live, vc_out_stream(capout)) != 0) {
			fprintf(stderr, "vhost-cts shim: VCTS_VDPA_CAPTURE %s: cannot start the capture\n", cap_path);
			vc_out_discard(capout);
			capout = NULL;
		}
	}
	atexit(finish);
	in_init = false;
}

static void ensure(void)
{
	if (in_init)
		return;
	pthread_once(&once, init);
}

static bool is_path(const char *p)
{
	return p && strcmp(p, path) == 0;
}

static bool is_ours(int fd)
{
	if (fd < 0 || fd >= MAX_FDS)
		return false;
	pthread_mutex_lock(&lk);
	bool r = ours[fd];
	pthread_mutex_unlock(&lk);
	return r;
}

static int fail(int e)
{
	errno = e;
	return -1;
}

static int open_fake(int flags)
{
	int fd = r_open("/dev/null", O_RDWR | (flags & O_CLOEXEC));
	if (fd < 0)
		return -1;
	if (fd >= MAX_FDS) {
		r_close(fd);
		return fail(EMFILE);
	}
	int r = vdpa_dev_open(dev, fd);
	if (r < 0) {
		r_close(fd);
		return fail(-r);
	}
	pthread_mutex_lock(&lk);
	ours[fd] = true;
	nrefs++;
	pthread_mutex_unlock(&lk);
	return fd;
}

static void forget(int fd)
{
	bool last = false;
	pthread_mutex_lock(&lk);
	if (fd >= 0 && fd < MAX_FDS && ours[fd]) {
		ours[fd] = false;
		last = --nrefs == 0;
	}
	pthread_mutex_unlock(&lk);
	if (last)
		vdpa_dev_release(dev);
}

static int adopt(int oldfd, int newfd)
{
	if (newfd < 0)
		return newfd;
	if (newfd >= MAX_FDS) {
		r_close(newfd);
		return fail(EMFILE);
	}
	pthread_mutex_lock(&lk);
	if (oldfd != newfd && !ours[newfd]) {
		ours[newfd] = true;
		nrefs++;
	}
	pthread_mutex_unlock(&lk);
	return newfd;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

/* The mode argument of an open call, present only when flags want one. */
#define OPEN_MODE(m, flags)                                                                        \
	va_list ap;                                                                                \
	va_start(ap, flags);                                                                       \
	mode_t m = mode_arg(flags, ap);                                                            \
	va_end(ap)

enum open_call { OC_OPEN, OC_OPEN64, OC_OPENAT, OC_OPENAT64 };

/* Every open entry point: the device path opens the fake, anything else
 * goes to the real call the program made. */
static int open_route(enum open_call call, int dirfd, const char *p, int flags, mode_t m)
{
	ensure();
	if (is_path(p))
		return open_fake(flags);
	switch (call) {
	case OC_OPEN:
		return r_open(p, flags, m);
	case OC_OPEN64:
		return r_open64(p, flags, m);
	case OC_OPENAT:
		return r_openat(dirfd, p, flags, m);
	default:
		return r_openat64(dirfd, p, flags, m);
	}
}

API int open(const char *p, int flags, ...)
{
	OPEN_MODE(m, flags);
	return open_route(OC_OPEN, AT_FDCWD, p, flags, m);
}

API int open64(const char *p, int flags, ...)
{
	OPEN_MODE(m, flags);
	return open_route(OC_OPEN64, AT_FDCWD, p, flags, m);
}

API int openat(int dirfd, const char *p, int flags, ...)
{
	OPEN_MODE(m, flags);
	return open_route(OC_OPENAT, dirfd, p, flags, m);
}

API int openat64(int dirfd, const char *p, int flags, ...)
{
	OPEN_MODE(m, flags);
	return open_route(OC_OPENAT64, dirfd, p, flags, m);
}

API int __open_2(const char *p, int flags) { return open(p, flags); }
API int __open64_2(const char *p, int flags) { return open64(p, flags); }
API int __openat_2(int d, const char *p, int flags) { return openat(d, p, flags); }
API int __openat64_2(int d, const char *p, int flags) { return openat64(d, p, flags); }

API int close(int fd)
{
	ensure();
	if (is_ours(fd))
		forget(fd);
	return r_close(fd);
}

API int ioctl(int fd, unsigned long req, ...)
{
	ensure();
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (!is_ours(fd))
		return r_ioctl(fd, req, arg);
	long r = vdpa_dev_ioctl(dev, &vdpa_mem_self, (uint32_t)req, (uint64_t)(uintptr_t)arg);
	return r < 0 ? fail((int)-r) : (int)r;
}

API ssize_t write(int fd, const void *buf, size_t len)
{
	ensure();
	if (!is_ours(fd))
		return r_write(fd, buf, len);
	long r = vdpa_dev_write(dev, &vdpa_mem_self, (uint64_t)(uintptr_t)buf, len);
	return r < 0 ? fail((int)-r) : r;
}

static void *map_fake(void *addr, size_t len, int prot, int flags, off_t off)
{
	if (off < 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	int r = vdpa_dev_mmap(dev, len, prot, flags, (uint64_t)off);
	if (r) {
		errno = -r;
		return MAP_FAILED;
	}
	int mf = (flags & (MAP_FIXED | MAP_POPULATE)) | MAP_SHARED | MAP_ANONYMOUS;
	void *a = r_mmap(addr, len, prot, mf, -1, 0);
	if (a == MAP_FAILED) {
		vdpa_dev_munmap(dev, len, (uint64_t)off);
		return a;
	}
	pthread_mutex_lock(&lk);
	for (unsigned i = 0; i < MAX_DOORBELLS; i++)
		if (!bells[i].addr) {
			bells[i].addr = a;
			bells[i].len = len;
			bells[i].off = (uint64_t)off;
			break;
		}
	pthread_mutex_unlock(&lk);
	return a;
}

API void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	ensure();
	return is_ours(fd) ? map_fake(addr, len, prot, flags, off) : r_mmap(addr, len, prot, flags, fd, off);
}

API void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	ensure();
	return is_ours(fd) ? map_fake(addr, len, prot, flags, off)
			   : r_mmap64(addr, len, prot, flags, fd, off);
}

API int munmap(void *addr, size_t len)
{
	ensure();
	bool bell = false;
	size_t blen = 0;
	uint64_t boff = 0;
	pthread_mutex_lock(&lk);
	for (unsigned i = 0; i < MAX_DOORBELLS; i++)
		if (bells[i].addr && bells[i].addr == addr) {
			bell = true;
			blen = bells[i].len;
			boff = bells[i].off;
			bells[i].addr = NULL;
			break;
		}
	pthread_mutex_unlock(&lk);
	if (bell && dev)
		vdpa_dev_munmap(dev, blen, boff);
	return r_munmap(addr, len);
}

API int dup(int fd)
{
	ensure();
	int n = r_dup(fd);
	return is_ours(fd) ? adopt(fd, n) : n;
}

API int dup2(int fd, int nfd)
{
	ensure();
	if (fd != nfd && is_ours(nfd))
		forget(nfd);
	int n = r_dup2(fd, nfd);
	return is_ours(fd) && n >= 0 ? adopt(fd, n) : n;
}

API int dup3(int fd, int nfd, int flags)
{
	ensure();
	if (fd != nfd && is_ours(nfd))
		forget(nfd);
	int n = r_dup3(fd, nfd, flags);
	return is_ours(fd) && n >= 0 ? adopt(fd, n) : n;
}

API int fcntl(int fd, int cmd, ...)
{
	ensure();
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int r = r_fcntl(fd, cmd, arg);
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && is_ours(fd) && r >= 0)
		return adopt(fd, r);
	return r;
}

/* The node is a character device whose major is named vhost-vdpa. */
static void fake_stat(struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_mode = S_IFCHR | 0600;
	st->st_rdev = makedev(major_no, 0);
	st->st_nlink = 1;
	st->st_blksize = 4096;
}

API int stat(const char *p, struct stat *st)
{
	ensure();
	if (is_path(p)) {
		fake_stat(st);
		return 0;
	}
	return r_stat(p, st);
}

API int lstat(const char *p, struct stat *st)
{
	ensure();
	if (is_path(p)) {
		fake_stat(st);
		return 0;
	}
	return r_lstat(p, st);
}

API int fstatat(int dirfd, const char *p, struct stat *st, int flags)
{
	ensure();
	if (is_path(p)) {
		fake_stat(st);
		return 0;
	}
	return r_fstatat(dirfd, p, st, flags);
}

/* struct stat64 is struct stat on x86_64. */
API int stat64(const char *p, struct stat64 *st) { return stat(p, (struct stat *)st); }
API int lstat64(const char *p, struct stat64 *st) { return lstat(p, (struct stat *)st); }
API int fstatat64(int dirfd, const char *p, struct stat64 *st, int flags)
{
	return fstatat(dirfd, p, (struct stat *)st, flags);
}

API int fstat(int fd, struct stat *st)
{
	ensure();
	if (is_ours(fd)) {
		fake_stat(st);
		return 0;
	}
	return r_fstat(fd, st);
}

API int fstat64(int fd, struct stat64 *st) { return fstat(fd, (struct stat *)st); }

/* /proc/devices with our major added. */
static FILE *proc_devices(const char *mode)
{
	FILE *real = r_fopen("/proc/devices", mode);
	FILE *t = tmpfile();
	if (!t)
		return real;
	fprintf(t, "Character devices:\n%3u vhost-vdpa\n", major_no);
	if (real) {
		char line[256];
		bool first = true;
		while (fgets(line, sizeof line, real)) {
			if (first && strncmp(line, "Character devices", 17) == 0) {
				first = false;
				continue;
			}
			first = false;
			fputs(line, t);
		}
		fclose(real);
	}
	rewind(t);
	return t;
}

API FILE *fopen(const char *p, const char *mode)
{
	ensure();
	if (p && strcmp(p, "/proc/devices") == 0)
		return proc_devices(mode);
	return r_fopen(p, mode);
}

API FILE *fopen64(const char *p, const char *mode)
{
	ensure();
	if (p && strcmp(p, "/proc/devices") == 0)
		return proc_devices(mode);
	return r_fopen64(p, mode);
}
