/* vdpa_port: real system calls, or direct calls into the model. */
#include "fakes/vdpa/port.h"
#include "fakes/vdpa/vdpa.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int sys_open(struct vdpa_port *p)
{
	int fd = open(p->name, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int sys_close(struct vdpa_port *p, int fd)
{
	(void)p;
	return close(fd) ? -errno : 0;
}

static long sys_ioctl(struct vdpa_port *p, int fd, uint32_t req, void *arg)
{
	(void)p;
	int r = ioctl(fd, (unsigned long)req, arg);
	return r < 0 ? -errno : r;
}

static long sys_write(struct vdpa_port *p, int fd, const void *buf, size_t len)
{
	(void)p;
	ssize_t r = write(fd, buf, len);
	return r < 0 ? -errno : r;
}

static int sys_mmap(struct vdpa_port *p, int fd, size_t len, int prot, int flags, off_t off, void **out)
{
	(void)p;
	void *a = mmap(NULL, len, prot, flags, fd, off);
	if (a == MAP_FAILED)
		return -errno;
	*out = a;
	return 0;
}

static int sys_munmap(struct vdpa_port *p, int fd, void *addr, size_t len, off_t off)
{
	(void)p;
	(void)fd;
	(void)off;
	return munmap(addr, len) ? -errno : 0;
}

void vdpa_port_sys(struct vdpa_port *p, const char *path)
{
	*p = (struct vdpa_port){ sys_open, sys_close, sys_ioctl, sys_write, sys_mmap, sys_munmap,
				 path, NULL };
}

/* The model's file is exclusive; tokens only name it in events. */
#define MODEL_FD_BASE 1000

static int m_open(struct vdpa_port *p)
{
	static int next;
	int fd = MODEL_FD_BASE + (__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) & 0xffff);
	int r = vdpa_dev_open(p->dev, fd);
	return r < 0 ? r : fd;
}

static int m_close(struct vdpa_port *p, int fd)
{
	(void)fd;
	vdpa_dev_release(p->dev);
	return 0;
}

static long m_ioctl(struct vdpa_port *p, int fd, uint32_t req, void *arg)
{
	(void)fd;
	return vdpa_dev_ioctl(p->dev, &vdpa_mem_self, req, (uint64_t)(uintptr_t)arg);
}

static long m_write(struct vdpa_port *p, int fd, const void *buf, size_t len)
{
	(void)fd;
	return vdpa_dev_write(p->dev, &vdpa_mem_self, (uint64_t)(uintptr_t)buf, len);
}

static int m_mmap(struct vdpa_port *p, int fd, size_t len, int prot, int flags, off_t off, void **out)
{
	(void)fd;
	if (off < 0)
		return -EINVAL;
	int r = vdpa_dev_mmap(p->dev, len, prot, flags, (uint64_t)off);
	if (r)
		return r;
	/* The doorbell page: shared anonymous memory standing for the
	 * device's notification register. */
	void *a = mmap(NULL, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		vdpa_dev_munmap(p->dev, len, (uint64_t)off);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

static int m_munmap(struct vdpa_port *p, int fd, void *addr, size_t len, off_t off)
{
	(void)fd;
	vdpa_dev_munmap(p->dev, len, (uint64_t)off);
	return munmap(addr, len) ? -errno : 0;
}

void vdpa_port_model(struct vdpa_port *p, struct vdpa_dev *d)
{
	*p = (struct vdpa_port){ m_open, m_close, m_ioctl, m_write, m_mmap, m_munmap, "in-process", d };
}
