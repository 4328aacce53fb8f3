/* The memory model (lib/model/): a model of QEMU's memory API as a vhost
 * listener sees it (an address space whose flat view changes in
 * transactions) and models of the two listeners that turn those changes
 * into device messages: the generic vhost listener (memory table for
 * vhost-user / vhost-kernel) and the vhost-vdpa IOTLB listener.
 *
 * Written from the behaviour QEMU shows (hw/virtio/vhost.c and
 * hw/virtio/vhost-vdpa.c, 7.x); the listener models are faithful by
 * default and can be switched into historical bugs ("variants") so the
 * MEM rules have something to catch. The same listener code is the
 * reference the MEM rule checkers judge against (conformance/mem_rules.c).
 *
 * Everything a model does leaves the model as struct vc_event through a
 * struct vm_out, so it can go into a trace (scenario replay), straight
 * into the rule engine, or be counted (benchmarks). */
#ifndef VCTS_MODEL_H
#define VCTS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/event.h"
#include "vcts/trace.h"
#include "vcts/wire_decode.h"

/* Sections in one address space, and regions in one table: beyond this a
 * topology is refused as bad input (QEMU has a few dozen in practice). */
#define VM_MAX_SECTIONS 32768u
/* Rings one modelled device may have started. */
#define VM_MAX_RINGS 64u
/* Host page size the models assume when a section says nothing. */
#define VM_DEFAULT_PAGE 4096u
/* QEMU's dirty log: one u64 chunk covers 64 pages of 4 KiB. */
#define VM_LOG_CHUNK_BYTES (64u * 4096u)
/* Extra chunks QEMU allocates when the log grows (4 KiB of chunks). */
#define VM_LOG_BUFFER_CHUNKS (4096u / 8u)
/* Memory slots of a vhost-user back-end without CONFIGURE_MEM_SLOTS, and
 * of vhost-kernel (its max_mem_regions module parameter's default). */
#define VM_SLOTS_VHOST_USER 8u
#define VM_SLOTS_VHOST_KERNEL 64u

/* Listener variants: each re-creates one historical or plausible bug. */
enum vm_bug {
	VM_BUG_NO_FILTER = 1u << 0,        /* ROM / non-RAM / dirty-tracked sections enter the table (MEM-01) */
	VM_BUG_NO_ROUND = 1u << 1,         /* vhost-user sections not rounded to pages (MEM-02) */
	VM_BUG_NO_MERGE = 1u << 2,         /* adjacent sections of one block not merged (MEM-02) */
	VM_BUG_NO_OVERLAP_CHECK = 1u << 3, /* incoherent overlaps added silently (MEM-03) */
	VM_BUG_ALWAYS_SEND = 1u << 4,      /* table re-sent on unchanged commits (MEM-04, bug B15) */
	VM_BUG_NO_RING_VERIFY = 1u << 5,   /* no ring verification before a new table (MEM-05) */
	VM_BUG_LOG_LATE_GROW = 1u << 6,    /* log grown after the larger table was sent (MEM-06) */
	VM_BUG_NO_SLOT_LIMIT = 1u << 7,    /* table sent beyond the slot limit (MEM-11) */
	VM_BUG_MAP_ALL = 1u << 8,          /* vdpa maps ram_device / non-RAM / bit-63 sections (MEM-07, bug B17) */
	VM_BUG_NO_UNALIGNED_CHECK = 1u << 9, /* vdpa maps sections misaligned within a page (MEM-08) */
	VM_BUG_NO_PAGE_ALIGN = 1u << 10,   /* vdpa maps the raw section range (MEM-09) */
	VM_BUG_EAGER_BATCH = 1u << 11,     /* pre-fix vdpa: BATCH_BEGIN at every begin, END at every commit (MEM-10, VDPA-BAT-01, bug B16) */
	VM_BUG_ALL = (1u << 12) - 1,
};

/* "no-filter" etc.; NULL for an unknown bit. */
const char *vm_bug_name(unsigned bug_bit);
/* Bit for a name, 0 if unknown. */
unsigned vm_bug_by_name(const char *name);

/* Kind words of the scenario format: "ram", "rom", "ram_device",
 * "iommu", "readonly" -> VC_MEMF_*, 0 if unknown. */
uint32_t vm_kind_by_name(const char *name);
const char *vm_backend_name(enum vc_mem_backend b);
int vm_backend_by_name(const char *name);

/* Where model output goes. emit gets each event with session = sid;
 * payload pointers are only valid during the call. */
struct vm_out {
	void (*emit)(void *opaque, const struct vc_event *ev);
	void *opaque;
	uint32_t sid;
	uint64_t line;         /* src.line given to events (the scenario step) */
	const char *file;
};

struct vm_listener_cfg {
	enum vc_mem_backend backend;
	uint32_t slots;        /* 0 = the backend's default */
	bool iotlb_batch;      /* vdpa */
	uint32_t target_page;  /* vdpa; 0 = 4096 */
	unsigned bugs;         /* enum vm_bug */
};

/* ---- section helpers ---- */

/* True when [a, a+n) does not wrap (n may be 0). */
static inline bool vm_range_ok(uint64_t a, uint64_t n) { return a + n >= a; }
/* Page size of a section for rounding. */
static inline uint64_t vm_page(const struct vc_mem_section *s)
{
	return s->page_size ? s->page_size : VM_DEFAULT_PAGE;
}
/* QEMU's vhost_section filter: 0 accepted, else the reject reason (1 dirty
 * logging other than migration/code, 3 not RAM or a ROM). */
int vm_vhost_filter(const struct vc_mem_section *s);
/* vhost-vdpa's skipped-section test (non-RAM non-IOMMU, ram_device, bit 63). */
bool vm_vdpa_skipped(const struct vc_mem_section *s);

/* Log size QEMU wants for a table, in u64 chunks (0 for an empty table). */
uint64_t vm_log_chunks(const struct vu_region_pl *r, size_t n);

/* ---- the generic vhost listener ---- */

struct vm_ring {
	bool started;
	uint32_t index;
	uint64_t gpa[3], size[3], hva[3];
};

/* What the last call decided, for the checkers' differential use. */
struct vm_vhost_last {
	bool added;            /* addnop: section went into the list */
	bool rejected;
	int reject_reason;
	uint64_t r_gpa, r_size, r_hva;    /* after rounding */
	bool merged;
	uint64_t m_gpa, m_size, m_owr;    /* the merged section */
	int error;             /* VC_MEMR_OVERLAP / VC_MEMR_BEFORE_PREV / 0 */
	/* commit */
	bool changed;
	bool verify_failed;
	int verify_code;       /* VC_MEMR_RING_UNMAPPED / _RELOCATED */
	uint32_t verify_ring, verify_part;
	bool slots_exceeded;
};

struct vm_sec {
	struct vc_mem_section s; /* after rounding and merging */
	uint64_t base;         /* host address of offset 0 of the region */
};

struct vm_vhost {
	struct vm_listener_cfg cfg;
	struct vm_sec *cur, *tmp;
	size_t ncur, ntmp, cap_cur, cap_tmp;
	bool started;
	bool dead;             /* QEMU aborted ("Verify ring failure") */
	bool log_enabled;
	uint64_t log_chunks;   /* log in force, 0 none */
	bool features_sent;
	struct vm_ring rings[VM_MAX_RINGS];
	struct vm_vhost_last last;
	uint64_t transactions;
};

void vm_vhost_init(struct vm_vhost *v, const struct vm_listener_cfg *cfg);
void vm_vhost_free(struct vm_vhost *v);
/* The protocol prologue a vhost-user device gets before any table
 * (features offering LOG_ALL, owner): what makes the VU-* rules judge
 * the model's messages as a real session. */
void vm_vhost_connect(struct vm_vhost *v, const struct vm_out *o);
void vm_vhost_begin(struct vm_vhost *v);
void vm_vhost_addnop(struct vm_vhost *v, const struct vc_mem_section *s, const struct vm_out *o);
void vm_vhost_commit(struct vm_vhost *v, const struct vm_out *o);
void vm_vhost_log(struct vm_vhost *v, bool start, const struct vm_out *o);
/* Start the device with these rings (hva filled in by the caller), or stop it. */
void vm_vhost_start(struct vm_vhost *v, const struct vm_ring *rings, size_t n, const struct vm_out *o);
void vm_vhost_stop(struct vm_vhost *v, const struct vm_out *o);
/* The memory table in force (what the listener would send). */
size_t vm_vhost_table(const struct vm_vhost *v, struct vu_region_pl *out, size_t max);
uint32_t vm_vhost_slots(const struct vm_vhost *v);
/* QEMU's ring verification against the table in force; 0 or the code. */
int vm_vhost_verify(const struct vm_vhost *v, uint32_t *ring, uint32_t *part);

/* ---- the vhost-vdpa IOTLB listener ---- */

struct vm_vdpa_last {
	int action;            /* VC_MEMR_SKIPPED / VC_MEMR_UNALIGNED / 0 mapped / -1 empty range */
	uint64_t iova, size, uaddr;
};

struct vm_vdpa {
	struct vm_listener_cfg cfg;
	bool batch_begin_sent;
	struct vm_vdpa_last last;
	uint64_t transactions;
};

void vm_vdpa_init(struct vm_vdpa *d, const struct vm_listener_cfg *cfg);
void vm_vdpa_begin(struct vm_vdpa *d, const struct vm_out *o);
void vm_vdpa_region(struct vm_vdpa *d, bool add, const struct vc_mem_section *s, const struct vm_out *o);
void vm_vdpa_commit(struct vm_vdpa *d, const struct vm_out *o);
/* The page-aligned IOVA range vdpa maps for a section; false if empty. */
bool vm_vdpa_range(const struct vm_vdpa *d, const struct vc_mem_section *s, uint64_t *iova,
		   uint64_t *size);

/* ---- the address space (memory API) ---- */

struct vm_listener {
	char name[64];
	struct vm_listener_cfg cfg;
	bool is_vdpa;
	struct vm_vhost vh;
	struct vm_vdpa vd;
	struct vm_out out;
};

struct vm_as {
	struct vc_mem_section *secs;   /* flat view, sorted by gpa, no overlaps */
	size_t nsecs, cap;
	/* pending transaction */
	bool in_txn;
	struct vc_mem_section *adds;
	size_t nadds, cap_adds;
	struct vc_mem_section *dels;
	size_t ndels, cap_dels;
	struct vm_listener *ls;
	size_t nls;
	bool log_on;
	/* scratch */
	struct vc_mem_section *next;
	size_t cap_next;
	uint8_t *is_new;
	size_t cap_is_new;
};

void vm_as_init(struct vm_as *as);
void vm_as_free(struct vm_as *as);
/* Add a listener; it gets the current flat view replayed as a transaction. */
struct vm_listener *vm_as_add_listener(struct vm_as *as, const char *name,
				       const struct vm_listener_cfg *cfg, const struct vm_out *out);
void vm_as_begin(struct vm_as *as);
/* Queue a change; returns 0 or -1 with a reason in why. */
int vm_as_add(struct vm_as *as, const struct vc_mem_section *s, char *why, size_t wlen);
int vm_as_del(struct vm_as *as, const struct vc_mem_section *s, char *why, size_t wlen);
/* Validate the new view (no overlaps, dels exist) and run every listener
 * through begin / region_del / region_add|nop / commit. -1 + why on bad
 * input, and nothing changes. */
int vm_as_commit(struct vm_as *as, char *why, size_t wlen);
void vm_as_log(struct vm_as *as, bool start);
/* The section holding gpa, or NULL. */
const struct vc_mem_section *vm_as_lookup(const struct vm_as *as, uint64_t gpa);

/* ---- inputs (lib/trace/: scenario.c, qemu_listener.c, qemu_vdpa_listener.c) ---- */

/* Scenario JSON (traces/scenarios/README.md) -> trace with one session
 * per listener. -1 with err (file:line for syntax, JSON path for content). */
int vm_import_scenario(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);

/* The memory-listener lines of a QEMU trace log -> one session per vhost
 * listener (events + QEMU's recorded decisions). Adds nothing when the log
 * has no listener lines. Warnings for lines it cannot place. */
int vm_import_qemu_listener(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);
/* Part of the above: the vhost-vdpa listener lines (vhost_vdpa_listener_*,
 * vhost_vdpa_dma_map/unmap) -> one session per listener (vdpa pointer):
 * the sections QEMU traced and what it sent for each (VC_MEMR_VDPA_*
 * records), for the differential check. Warnings for malformed lines. */
int vm_import_qemu_vdpa_listener(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err);

/* Ready-made sink: events into a trace (payloads copied). */
void vm_trace_sink(void *trace, const struct vc_event *ev);

#endif
