/* CUSE transport of the fake vDPA device: /dev/NAME served from user space
 * (libfuse3's CUSE, loaded with dlopen so only this transport needs it).
 *
 * ioctls are unrestricted (CUSE_UNRESTRICTED_IOCTL): the kernel does not
 * know vhost's argument sizes, so each ioctl is retried with the argument
 * described from the ioctl table (fuse_reply_ioctl_retry); GET_CONFIG and
 * SET_CONFIG take one more round trip once the header says how long the
 * buffer is. A bad client pointer fails the retry copy: the client gets
 * EFAULT from its kernel, as from vhost-vdpa. Kick/call eventfds are the
 * client's fds, taken with pidfd_open + pidfd_getfd (needs ptrace rights
 * over the client: root). CUSE has no mmap: doorbell mmaps fail with
 * ENODEV, which certify reports as "doorbells not offered". */
#include "fakes/vdpa/cuse.h"
#include "fakes/vdpa/vdpa.h"
#include "vcts/vdpa_uapi.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#if __has_include(<fuse3/cuse_lowlevel.h>)
#define FUSE_USE_VERSION 31
#include <fuse3/cuse_lowlevel.h>

static struct {
	struct fuse_session *(*setup)(int, char **, const struct cuse_info *,
				      const struct cuse_lowlevel_ops *, int *, void *);
	void (*teardown)(struct fuse_session *);
	int (*loop)(struct fuse_session *);
	int (*reply_err)(fuse_req_t, int);
	int (*reply_open)(fuse_req_t, const struct fuse_file_info *);
	int (*reply_write)(fuse_req_t, size_t);
	int (*reply_ioctl)(fuse_req_t, int, const void *, size_t);
	int (*reply_retry)(fuse_req_t, const struct iovec *, size_t, const struct iovec *, size_t);
	void *(*userdata)(fuse_req_t);
	const struct fuse_ctx *(*ctx)(fuse_req_t);
} F;

static int load(char *err, size_t errlen)
{
	void *h = dlopen("libfuse3.so.3", RTLD_NOW);
	if (!h) {
		snprintf(err, errlen, "cannot load libfuse3.so.3 (package fuse3): %s", dlerror());
		return -1;
	}
#define L(field, sym)                                                                  \
	do {                                                                           \
		*(void **)&F.field = dlsym(h, sym);                                    \
		if (!F.field) {                                                        \
			snprintf(err, errlen, "libfuse3 has no %s", sym);               \
			return -1;                                                     \
		}                                                                      \
	} while (0)
	L(setup, "cuse_lowlevel_setup");
	L(teardown, "cuse_lowlevel_teardown");
	L(loop, "fuse_session_loop");
	L(reply_err, "fuse_reply_err");
	L(reply_open, "fuse_reply_open");
	L(reply_write, "fuse_reply_write");
	L(reply_ioctl, "fuse_reply_ioctl");
	L(reply_retry, "fuse_reply_ioctl_retry");
	L(userdata, "fuse_req_userdata");
	L(ctx, "fuse_req_ctx");
#undef L
	return 0;
}

/* The client's memory as the retried ioctl brought it: [arg, arg + in_len)
 * readable, [arg, arg + out_len) writable. */
struct cmem {
	uint64_t arg;
	const uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len;
	pid_t pid;
};

static int cm_read(void *o, uint64_t addr, void *buf, size_t len)
{
	struct cmem *m = o;
	if (addr < m->arg || addr - m->arg > m->in_len || len > m->in_len - (addr - m->arg))
		return -EFAULT;
	memcpy(buf, m->in + (addr - m->arg), len);
	return 0;
}

static int cm_write(void *o, uint64_t addr, const void *buf, size_t len)
{
	struct cmem *m = o;
	if (addr < m->arg || addr - m->arg > m->out_len || len > m->out_len - (addr - m->arg))
		return -EFAULT;
	memcpy(m->out + (addr - m->arg), buf, len);
	return 0;
}

/* The thread-group id of a thread (pidfd_open wants a process). */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "r");
	pid_t t = tid;
	if (!f)
		return t;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Tgid:", 5)) {
			t = (pid_t)atoi(line + 5);
			break;
		}
	fclose(f);
	return t;
}

static int cm_getfd(void *o, int fd)
{
	struct cmem *m = o;
	int pfd = (int)syscall(SYS_pidfd_open, tgid_of(m->pid), 0);
	if (pfd < 0)
		return -EBADF;
	int r = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	return r < 0 ? -EBADF : r;
}

static struct vdpa_dev *dev_of(fuse_req_t req)
{
	return F.userdata(req);
}

static void c_open(fuse_req_t req, struct fuse_file_info *fi)
{
	static int next = 1;
	int r = vdpa_dev_open(dev_of(req), 2000 + next++);
	if (r)
		F.reply_err(req, -r);
	else
		F.reply_open(req, fi);
}

static void c_release(fuse_req_t req, struct fuse_file_info *fi)
{
	(void)fi;
	vdpa_dev_release(dev_of(req));
	F.reply_err(req, 0);
}

/* A write: the message is in our buffer; the memory it maps (checked as
 * the kernel pins it) is the client's, read with process_vm_readv. */
struct wmem {
	const char *buf;
	size_t size;
	pid_t pid;
};

static int wm_read(void *o, uint64_t addr, void *out, size_t len)
{
	struct wmem *w = o;
	uint64_t b = (uint64_t)(uintptr_t)w->buf;
	if (addr >= b && addr - b <= w->size && len <= w->size - (addr - b)) {
		memcpy(out, w->buf + (addr - b), len);
		return 0;
	}
	struct iovec l = { out, len }, r = { (void *)(uintptr_t)addr, len };
	return process_vm_readv(w->pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static int wm_write(void *o, uint64_t addr, const void *buf, size_t len)
{
	(void)o;
	(void)addr;
	(void)buf;
	(void)len;
	return -EFAULT;
}

static int wm_getfd(void *o, int fd)
{
	(void)o;
	(void)fd;
	return -EBADF;
}

static void c_write(fuse_req_t req, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)off;
	(void)fi;
	struct wmem w = { buf, size, F.ctx(req)->pid };
	struct vdpa_mem m = { wm_read, wm_write, wm_getfd, &w };
	long r = vdpa_dev_write(dev_of(req), &m, (uint64_t)(uintptr_t)buf, size);
	if (r < 0)
		F.reply_err(req, (int)-r);
	else
		F.reply_write(req, (size_t)r);
}

static void c_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)size;
	(void)off;
	(void)fi;
	/* No IOTLB miss is ever queued: vhost_chr_read_iter would block. */
	F.reply_err(req, EAGAIN);
}

static void c_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi, unsigned flags,
		    const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	(void)fi;
	uint32_t req_no = (uint32_t)cmd;
	if (flags & FUSE_IOCTL_COMPAT) {
		F.reply_err(req, ENOSYS);
		return;
	}
	const struct vdpa_ioctl_info *ri = vdpa_ioctl(req_no);
	size_t need_in = 4, need_out = 0; /* unknown: the vring index is read first */
	if (ri) {
		need_in = (ri->dir & VDPA_IOC_W) ? ri->size : 0;
		need_out = (ri->dir & VDPA_IOC_R) ? ri->size : 0;
		if (ri->request == VDPA_REQ_GET_VRING_BASE || ri->request == VDPA_REQ_VDPA_GET_VRING_GROUP ||
		    ri->request == VDPA_REQ_VDPA_GET_VRING_DESC_GROUP)
			need_in = need_out = VDPA_SZ_VRING_STATE;
		if (ri->request == VDPA_REQ_VDPA_GET_CONFIG || ri->request == VDPA_REQ_VDPA_SET_CONFIG) {
			need_in = VDPA_SZ_CONFIG_HDR;
			need_out = 0;
			if (in_bufsz >= VDPA_SZ_CONFIG_HDR) {
				uint32_t h[2];
				memcpy(h, in_buf, 8);
				/* Only a request the device will take needs the buffer. */
				if (h[1] && h[1] <= 4096) {
					if (ri->request == VDPA_REQ_VDPA_GET_CONFIG)
						need_out = VDPA_SZ_CONFIG_HDR + h[1];
					else
						need_in = VDPA_SZ_CONFIG_HDR + h[1];
				}
			}
		}
	}
	if (arg && (in_bufsz < need_in || out_bufsz < need_out)) {
		struct iovec iin = { arg, need_in }, iout = { arg, need_out };
		F.reply_retry(req, need_in ? &iin : NULL, need_in ? 1 : 0, need_out ? &iout : NULL,
			      need_out ? 1 : 0);
		return;
	}
	uint8_t *out = need_out ? calloc(1, need_out) : NULL;
	struct cmem cm = { (uint64_t)(uintptr_t)arg, in_buf, arg ? in_bufsz : 0, out,
			   arg ? need_out : 0, F.ctx(req)->pid };
	struct vdpa_mem m = { cm_read, cm_write, cm_getfd, &cm };
	long r = vdpa_dev_ioctl(dev_of(req), &m, req_no, (uint64_t)(uintptr_t)arg);
	if (r < 0)
		F.reply_err(req, (int)-r);
	else
		F.reply_ioctl(req, (int)r, out, need_out);
	free(out);
}

int vdpa_cuse_run(struct vdpa_dev *d, const char *name, char *err, size_t errlen)
{
	if (!name || !*name || strlen(name) > 64 || strchr(name, '/')) {
		snprintf(err, errlen, "bad CUSE device name '%.64s'", name ? name : "");
		return -1;
	}
	if (load(err, errlen))
		return -1;
	char devname[96];
	snprintf(devname, sizeof devname, "DEVNAME=%s", name);
	const char *dev_info_argv[] = { devname };
	struct cuse_info ci = { 0 };
	ci.dev_info_argc = 1;
	ci.dev_info_argv = dev_info_argv;
	ci.flags = CUSE_UNRESTRICTED_IOCTL;
	static const struct cuse_lowlevel_ops ops = {
		.open = c_open, .read = c_read, .write = c_write, .release = c_release, .ioctl = c_ioctl,
	};
	char a0[] = "vhost-cts", a1[] = "-f", a2[] = "-s";
	char *argv[] = { a0, a1, a2, NULL };
	int mt = 0;
	struct fuse_session *se = F.setup(3, argv, &ci, &ops, &mt, d);
	if (!se) {
		snprintf(err, errlen, "cannot create /dev/%s (CUSE: is the cuse module loaded, /dev/cuse there, are we root?)",
			 name);
		return -1;
	}
	int r = F.loop(se);
	F.teardown(se);
	if (r < 0) {
		snprintf(err, errlen, "CUSE session for /dev/%s ended with %s", name, strerror(-r));
		return -1;
	}
	return 0;
}

#else

int vdpa_cuse_run(struct vdpa_dev *d, const char *name, char *err, size_t errlen)
{
	(void)d;
	(void)name;
	snprintf(err, errlen, "built without the fuse3 headers (package libfuse3-dev): no CUSE transport");
	return -1;
}

#endif
