/* What the kernel relays to a VDUSE device, as the vhost-vdpa events of
 * the client behind it (fakes/vdpa/vduse_relay.c), so the rule engine
 * judges a client of the real vhost-vdpa on what reached the device.
 *
 * Linux 6.1 relays little, and only what vhost-vdpa let through: a
 * SET_STATUS that passed vhost_vdpa_set_status (never one that clears
 * bits), one SET_STATUS 0 for every open, status reset and close (all
 * three are vdpa_reset), GET_VQ_STATE for each GET_VRING_BASE, and one
 * UPDATE_IOTLB [0, ~0] for every change of the IOTLB outside a batch and
 * for every BATCH_END (vduse_vdpa_set_map). Features, vring setup and
 * config are kept by the kernel and read back with VDUSE_DEV_GET_FEATURES
 * and VDUSE_VQ_GET_INFO; the IOTLB with VDUSE_IOTLB_GET_INFO, and it holds
 * only shared file-backed memory (vhost_vdpa_va_map skips the rest).
 * fakes/vdpa/README.md lists what each rule can be judged on. */
#ifndef VCTS_FAKE_VDPA_VDUSE_RELAY_H
#define VCTS_FAKE_VDPA_VDUSE_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fakes/vdpa/vdpa.h"

/* The client rules decidable from what VDUSE sees (engine rules_glob). */
#define VDUSE_RELAY_RULES \
	"VDPA-STS-02,VDPA-FEAT-01,VDPA-FEAT-04,VDPA-RING-02,VDPA-RING-03,VDPA-RING-05,VDPA-RING-06,VDPA-RING-07"

#define VDUSE_RELAY_MAX_VQS 16u
#define VDUSE_RELAY_MAX_MAPS 4096u

/* One vq as VDUSE_VQ_GET_INFO shows it. */
struct vduse_relay_vq {
	uint32_t num;
	uint64_t desc, driver, device; /* desc, avail, used */
	uint16_t avail_index;
	bool ready;
};

/* One IOTLB entry as VDUSE shows it. */
struct vduse_relay_map {
	uint64_t start, last;
	uint8_t perm; /* VDUSE_ACCESS_*, the same values as VHOST_ACCESS_* */
};

struct vduse_relay {
	vdpa_observer fn;
	void *opaque;
	uint32_t nvqs;
	uint8_t status;                /* the last status relayed */
	struct vduse_relay_map *maps;  /* the IOTLB as last seen, by start */
	size_t nmaps;
	uint64_t events;
	bool started;
};

/* The device exists: an open and what it offers (the kernel answers
 * GET_FEATURES, GET_VRING_NUM and GET_VQS_COUNT from these). */
void vduse_relay_start(struct vduse_relay *r, uint64_t features, uint32_t nvqs, uint16_t vq_max,
		       vdpa_observer fn, void *opaque);
/* A relayed SET_STATUS, with the driver features and the vqs as VDUSE
 * shows them now (vqs: nvqs entries; read only when FEATURES_OK or
 * DRIVER_OK is newly set). */
void vduse_relay_status(struct vduse_relay *r, uint8_t status, uint64_t driver_features,
			const struct vduse_relay_vq *vqs);
/* A relayed GET_VQ_STATE: the client asked GET_VRING_BASE of vq index. */
void vduse_relay_vq_state(struct vduse_relay *r, uint32_t index);
/* A relayed UPDATE_IOTLB: maps is the whole IOTLB now, n entries sorted by
 * start and disjoint (entries out of order are ignored). The difference
 * to the last one becomes INVALIDATE and UPDATE events. */
void vduse_relay_iotlb(struct vduse_relay *r, const struct vduse_relay_map *maps, size_t n);
/* The device goes away: the session ends. Frees what r holds. */
void vduse_relay_end(struct vduse_relay *r);

#endif
