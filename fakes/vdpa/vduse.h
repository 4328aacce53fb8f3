/* VDUSE transport of the fake device (fakes/vdpa/vduse.c): a virtio-blk
 * device with a RAM disk, served from userspace through the kernel's VDUSE
 * (drivers/vdpa/vdpa_user), so clients reach it through the real
 * vhost-vdpa (/dev/vhost-vdpa-N once `vdpa dev add mgmtdev vduse name NAME`
 * attached it): real mmap, real IOTLB path, real errnos. Linux 6.1's VDUSE
 * (API version 0) creates only virtio-blk devices. */
#ifndef VCTS_FAKE_VDPA_VDUSE_H
#define VCTS_FAKE_VDPA_VDUSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fakes/vdpa/vdpa.h"

/* Misbehaviours that certify --datapath must catch. */
enum {
	VDUSE_BAD_CORRUPT = 1u << 0, /* flip a bit of every sector read back */
	VDUSE_BAD_DROP = 1u << 1,    /* consume requests, never complete them */
};

struct vduse_fake_opts {
	const char *name;       /* /dev/vduse/NAME and the vdpa device's name */
	uint64_t sectors;       /* RAM disk size in 512-byte sectors (0: 2048) */
	unsigned bad;           /* VDUSE_BAD_* */
	FILE *log;              /* one line per control request and summary, or NULL */
	/* Written (and flushed) once the device exists and waits to be
	 * attached: "vduse: ready NAME". NULL: stdout. */
	FILE *ready;
	/* What the kernel relays, as the events of the client behind it
	 * (vduse_relay.h), or NULL. Called from the serving thread. */
	vdpa_observer observe;
	void *observe_opaque;
};

/* What the device saw, for the report and the tests. */
struct vduse_fake_stats {
	uint64_t requests;      /* control requests answered */
	uint64_t status_sets, iotlb_updates, vq_state_gets;
	uint64_t blk_in, blk_out, blk_other, blk_bad; /* virtio-blk requests served */
	uint64_t dma_faults;    /* descriptor addresses the IOTLB did not map */
	uint8_t last_status;
};

/* Create the device, serve it until SIGINT/SIGTERM, destroy it. 0 on a
 * clean end, -1 with a one-line reason (no VDUSE, not root, bad API). */
int vduse_fake_run(const struct vduse_fake_opts *o, struct vduse_fake_stats *st, char *err,
		   size_t errlen);

#endif
