/* CUSE transport of the fake vDPA device (fakes/vdpa/cuse.c). */
#ifndef VCTS_FAKE_VDPA_CUSE_H
#define VCTS_FAKE_VDPA_CUSE_H

#include <stddef.h>

struct vdpa_dev;

/* Serve d as /dev/NAME until SIGINT/SIGTERM/SIGHUP. 0 on a clean end, -1
 * with a one-line reason (no libfuse3, no /dev/cuse, not root). */
int vdpa_cuse_run(struct vdpa_dev *d, const char *name, char *err, size_t errlen);

#endif
