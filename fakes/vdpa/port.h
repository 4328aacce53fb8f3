/* How a driver (the certification sequence, tests, benchmarks) talks to a
 * vhost-vdpa device: through real system calls on a device node (a real
 * /dev/vhost-vdpa-N, the CUSE fake, or the LD_PRELOAD shim), or straight
 * into an in-process model. Calls return >= 0 or -errno. */
#ifndef VCTS_FAKE_VDPA_PORT_H
#define VCTS_FAKE_VDPA_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vdpa_dev;

struct vdpa_port {
	int (*open)(struct vdpa_port *p);
	int (*close)(struct vdpa_port *p, int fd);
	long (*ioctl)(struct vdpa_port *p, int fd, uint32_t req, void *arg);
	long (*write)(struct vdpa_port *p, int fd, const void *buf, size_t len);
	/* *out = the mapping on success. */
	int (*mmap)(struct vdpa_port *p, int fd, size_t len, int prot, int flags, off_t off, void **out);
	int (*munmap)(struct vdpa_port *p, int fd, void *addr, size_t len, off_t off);
	const char *name;          /* device path or "in-process" */
	struct vdpa_dev *dev;      /* in-process model, else NULL */
};

/* System calls on path (O_RDWR). */
void vdpa_port_sys(struct vdpa_port *p, const char *path);
/* Calls into the model (fds are tokens, not real fds). */
void vdpa_port_model(struct vdpa_port *p, struct vdpa_dev *d);

#endif
