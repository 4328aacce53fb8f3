/* Private to the memory-listener rules (MEM-*): the state of a session,
 * shared by mem_rules.c (vhost-user listener, dispatch) and mem_vdpa.c
 * (vhost-vdpa listener: IOTLB and the differential check). */
#ifndef VCTS_CONFORMANCE_MEM_PRIV_H
#define VCTS_CONFORMANCE_MEM_PRIV_H

#include "conformance/check.h"
#include "vcts/model.h"

#include <stdbool.h>
#include <stdint.h>

/* IOVA ranges mapped per section (keyed by the section's gpa), for
 * "region_del unmaps exactly what region_add mapped". Linear probing
 * with tombstones; grows and rebuilds as needed. */
struct map {
	uint64_t *key, *iova, *size;
	uint8_t *st;           /* 0 empty, 1 used, 2 deleted */
	size_t cap, used, dead;
};

struct mem_state {
	bool active;
	struct vc_mem_begin cfg;
	bool vdpa;
	struct vm_vhost ref;
	struct vm_vdpa refd;
	/* vhost: the commit whose output is being watched */
	bool window, win_changed;
	uint32_t win_tables;
	/* differential: what the reference decided for the last section */
	bool exp_active, exp_merge_seen;
	struct vm_vhost_last exp;
	char exp_name[VC_MEM_NAME_MAX];
	/* dirty log (MEM-06) */
	bool log_on, log_known;
	uint64_t log_bytes;
	uint64_t table_chunks;  /* of the last table sent */
	bool table_known;
	/* vdpa */
	bool cur_valid, cur_add;
	struct vc_mem_section cur;
	struct vm_vdpa_last cur_exp;
	struct map map;
	bool txn_open, batch_open;
	uint32_t begins;
	uint64_t updates, since_begin;
	/* vdpa differential (QEMU trace logs) */
	struct {
		bool sec;              /* a section awaits QEMU's decision record */
		bool add;
		struct vc_mem_section s;
		struct vm_vdpa_last exp; /* the reference's decision for it */
		uint64_t line;         /* of the section's region line */
		uint32_t begins;       /* QEMU's BATCH_BEGINs in this transaction */
		uint64_t begin_line;
		bool end;              /* QEMU's BATCH_END seen */
		uint64_t updates;      /* QEMU's UPDATE / INVALIDATE in this transaction */
		bool flagged;          /* MEM-10 already reported for this transaction */
	} dv;
};

static inline uint64_t tpage(const struct mem_state *m)
{
	return m->cfg.target_page ? m->cfg.target_page : VM_DEFAULT_PAGE;
}

void mem_map_free(struct map *m);
/* vhost-vdpa: an IOTLB message, a section of the listener. */
void mem_on_iotlb(struct vc_ctx *c, struct mem_state *m);
void mem_on_region_vdpa(struct vc_ctx *c, struct mem_state *m);
/* vhost-vdpa against QEMU's recorded decisions (QEMU trace logs). */
void mem_diff_region(struct mem_state *m, const struct vc_event *ev);
void mem_diff_report(struct vc_ctx *c, struct mem_state *m);
void mem_diff_commit(struct vc_ctx *c, struct mem_state *m);
#endif
