/* Private to the fake vDPA device model: the device's state and what
 * its parts share: model.c (device, events, open/close, IOTLB, doorbells),
 * model_ioctl.c (the ioctls), model_cfg.c (the spec string). */
#ifndef VCTS_FAKES_VDPA_MODEL_PRIV_H
#define VCTS_FAKES_VDPA_MODEL_PRIV_H

#include "fakes/vdpa/vdpa.h"
#include "vcts/vdpa_uapi.h"
#include "lib/ranges.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define MAX_VQS 64u       /* queue_pairs is capped so that 2 * qp + 1 <= MAX_VQS */
#define MAX_AS 16u
#define ARG_MAX_BYTES 4096u /* bytes of one ioctl argument kept for the event */

struct iotlb {
	bool alive;        /* allocated (first UPDATE or BATCH_BEGIN) */
	struct vc_ranges r; /* non-overlapping unless the fake is told to be bad */
};

struct vq {
	uint32_t num;
	uint32_t base;
	bool ready;
	uint64_t desc, avail, used, log;
	uint32_t addr_flags;
	int kick, call, err;   /* our dups, -1 none */
};

struct vdpa_dev {
	pthread_mutex_t lock;
	struct vdpa_cfg cfg;
	uint32_t nvqs;
	vdpa_observer obs;
	void *obs_opaque;
	/* the open file */
	bool opened;
	int client_fd;
	uint32_t session;
	uint64_t opens;
	bool owner;
	uint64_t backend_acked;
	/* the parent */
	uint8_t status;
	uint64_t driver_features;
	bool suspended;
	uint8_t config[VDPA_NETCFG_SIZE];
	struct vq vq[MAX_VQS];
	uint32_t group_asid[MAX_AS];
	int config_call;
	struct iotlb as[MAX_AS];
	bool in_batch;
	uint32_t batch_asid;
	uint32_t doorbells;
	uint64_t get_features_calls;
	uint64_t updates;
};

/* One call's argument bytes, as its event shows them. */
struct opctx {
	uint8_t in[ARG_MAX_BYTES], out[ARG_MAX_BYTES];
	uint32_t in_len, out_len;
	bool in_fault, out_fault;
};

void model_put_fd(int *fd);
/* vdpa_reset(): the parent forgets status, features and ring state. */
void model_reset(struct vdpa_dev *d);
/* The device reads (rd) or writes (wr, noted for the event) the caller's
 * memory: 0 or -EFAULT. */
int model_rd(struct opctx *x, const struct vdpa_mem *m, uint64_t addr, void *buf, size_t len);
int model_wr(struct opctx *x, const struct vdpa_mem *m, uint64_t addr, const void *buf, size_t len);
/* The argument an ioctl was called with, before the device looks at it. */
void model_capture_in(struct opctx *x, const struct vdpa_mem *m, uint32_t req, uint64_t arg);
/* The event of one operation and its result r (a -errno on failure). */
void model_emit_op(struct vdpa_dev *d, uint8_t kind, uint32_t req, long r, const struct opctx *x);
#endif
