/* Private to fakes/vhost-user/: the connection state shared by the
 * message loop (fake.c) and the memory/ring code (fake_ring.c). */
#ifndef VCTS_FAKE_VU_INT_H
#define VCTS_FAKE_VU_INT_H

#include "fakes/vhost-user/fake.h"
#include "vcts/event.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <stdbool.h>
#include <stdint.h>

/* The 8-bit vring index of kick/call payloads bounds the rings a
 * connection can name. */
#define VFU_MAX_RINGS ((uint32_t)VU_VRING_IDX_MASK + 1u)
/* Regions a connection keeps mapped (ADD_MEM_REG up to max slots). */
#define VFU_MAX_REGIONS 64u
/* fds kept open per message; more are closed on arrival (and counted). */
#define VFU_MSG_FDS VC_EVENT_MAX_FDS

struct vfu_conn;

enum vfu_watch_kind { VFU_W_WAKE, VFU_W_LISTEN, VFU_W_SOCK, VFU_W_BACKEND, VFU_W_KICK,
		      VFU_W_DELAY, VFU_W_STALL, VFU_W_RECONNECT };

struct vfu_watch {
	enum vfu_watch_kind kind;
	struct vfu_conn *c;
	uint32_t ring;
};

struct vfu_region {
	struct vu_region_pl r;
	uint8_t *host;      /* host address of gpa r.gpa */
	void *map;          /* what munmap takes */
	size_t map_len;
};

struct vfu_ring {
	uint32_t num;
	bool num_set, addr_set, enabled, broken;
	bool started;       /* SET_VRING_KICK until GET_VRING_BASE (Ring states) */
	struct vu_addr_pl addr;
	/* Split: free-running indexes. Packed (RING_PACKED acked when the
	 * ring's base was set): ring positions with their wrap counters. */
	uint16_t last_avail, used_idx;
	bool packed, avail_wrap, used_wrap;
	int kick_fd, call_fd, err_fd;
	bool kick_watched;
	struct vfu_watch kw;
};

/* Per-connection state of the protocol features fake_features.c
 * implements. */
struct vfu_feat {
	uint8_t config[VFU_CONFIG_MAX];   /* config space as this connection sees it */
	uint32_t config_len;
	void *inflight_map;               /* SET_INFLIGHT_FD's area (munmap) */
	size_t inflight_map_len;
	uint8_t *inflight;                /* mmap_offset into the fd */
	uint64_t inflight_len;
	uint16_t inflight_queues, inflight_queue_size;
	uint64_t inflight_counter;        /* the text's "global counter" */
	bool pc_advised, pc_listening;    /* postcopy (fake_postcopy.c) */
	int pc_ufd;                       /* the userfaultfd, while pc_advised */
	uint16_t mtu;                     /* NET_SET_MTU, 0 until set */
	void *log_map;                    /* SET_LOG_BASE's dirty log (munmap) */
	size_t log_map_len;
	uint8_t *log;                     /* the bitmap: bit n = guest page n */
	uint64_t log_len;
};
void vfu_feat_init(struct vfu_feat *f, const struct vfu_profile *p);
/* RESET_DEVICE / RESET_OWNER: config space back to the profile's. */
void vfu_feat_reset(struct vfu_feat *f, const struct vfu_profile *p);
void vfu_feat_free(struct vfu_feat *f);
/* GET_CONFIG's reply into out (cap bytes): its length, 0 when the
 * request cannot be answered. */
uint32_t vfu_feat_get_config(const struct vfu_feat *f, const uint8_t *pl, uint32_t len, uint8_t *out,
			     uint32_t cap);
/* These return 0, or -1 with *why (not carried out). fd is not consumed. */
/* lax_config: the config-writable fault, every field taken with flags 0. */
int vfu_feat_set_config(struct vfu_feat *f, const uint8_t *pl, uint32_t len, bool lax_config, const char **why);
int vfu_feat_set_inflight(struct vfu_feat *f, const uint8_t *pl, uint32_t len, int fd, int64_t fd_size,
			  const char **why);
int vfu_feat_set_mtu(struct vfu_feat *f, uint64_t mtu, const char **why);
/* SET_LOG_BASE with LOG_SHMFD: map the log (a new one replaces it). */
int vfu_feat_set_log(struct vfu_feat *f, const uint8_t *pl, uint32_t len, int fd, int64_t fd_size,
		     const char **why);
/* Mark guest-physical [gpa, gpa + len) dirty, if a log is mapped. */
void vfu_feat_log_write(struct vfu_feat *f, uint64_t gpa, uint64_t len);
/* The ring code: the log of this connection while VHOST_F_LOG_ALL is
 * acked, NULL otherwise. */
struct vfu_feat *vfu_conn_logging(struct vfu_conn *c);

/* What the loop needs from the ring code. */
void vfu_regions_clear(struct vfu_conn *c);
/* Map one region from fd (not consumed). Returns 0 or -1 (not mapped:
 * the reason is logged). */
int vfu_region_add(struct vfu_conn *c, const struct vu_region_pl *r, int fd, int64_t fd_size);
int vfu_region_remove(struct vfu_conn *c, const struct vu_region_pl *r);
/* Mark the dirty-log pages of bytes [off, off+len) of ring idx's used
 * ring, when LOG_ALL is acked and the ring's addresses asked for it. */
void vfu_log_used(struct vfu_conn *c, uint32_t idx, uint64_t off, uint64_t len);
/* fake_enable.c: the enabled/disabled state of Ring states and the
 * faults that break it. SET_FEATURES acked this mask: without
 * PROTOCOL_FEATURES every ring is enabled at once. */
void vfu_enable_on_features(struct vfu_conn *c, uint64_t acked);
/* SET_VRING_ENABLE idx on (kept while the ring is stopped). */
void vfu_enable_set(struct vfu_conn *c, uint32_t idx, bool on);
/* What the null device does with a chain on a started, disabled ring:
 * 1 consume it with no side effect (net TX: used length 0), -1 leave it
 * (net RX: no packet is supplied; other devices: until enabled; or the
 * disabled-ring-idle fault). */
int vfu_enable_disabled_chain(struct vfu_conn *c, bool has_write);
/* Mark guest-physical [gpa, gpa+len), a descriptor buffer the device
 * wrote, in the dirty log while LOG_ALL is acked (vhost-user.rst,
 * Migration: "All the modifications to memory pointed by vring
 * descriptor should be marked"). */
void vfu_log_data(struct vfu_conn *c, uint64_t gpa, uint64_t len);
/* RESET_OWNER: every ring disabled, nothing else (true); false with the
 * reset-owner-resets fault: the caller resets as for RESET_DEVICE. */
bool vfu_reset_owner(struct vfu_conn *c);
/* fake_inflight.c: one ring's queue region in the inflight area, and
 * the tracking of split heads in it (started, fetched, used). */
uint64_t vfu_inflight_queue_bytes(uint16_t queue_size);
void vfu_inflight_start(struct vfu_conn *c, uint32_t idx);
void vfu_inflight_fetch(struct vfu_conn *c, uint32_t idx, uint16_t head);
void vfu_inflight_used(struct vfu_conn *c, uint32_t idx, uint16_t head, uint16_t used_idx);
struct vfu_feat *vfu_conn_feat(struct vfu_conn *c);
/* SET_PROTOCOL_FEATURES acked pf: true when it sets INBAND_NOTIFICATIONS
 * without BACKEND_REQ and REPLY_ACK, which the back-end answers by closing
 * the connection (unless the inband-accepted fault). */
bool vfu_inband_unusable(struct vfu_conn *c, uint64_t pf);
/* fake_postcopy.c: POSTCOPY_ADVISE's userfaultfd (the fake keeps it and
 * returns a copy for the reply; -1 when none can be had), LISTEN (0, or
 * -1 before ADVISE), END's u64. */
int vfu_postcopy_advise(struct vfu_conn *c);
int vfu_postcopy_listen(struct vfu_conn *c);
uint64_t vfu_postcopy_end(struct vfu_conn *c);
/* Is fault k on for this connection? */
bool vfu_conn_fault(const struct vfu_conn *c, enum vfu_fault_kind k);
/* Run ring idx as a null device after a kick. */
void vfu_ring_process(struct vfu_conn *c, uint32_t idx);

/* Accessors the ring code uses (fake.c owns struct vfu_conn). */
struct vfu_ring *vfu_conn_ring(struct vfu_conn *c, uint32_t idx);
struct vfu_region *vfu_conn_regions(struct vfu_conn *c, uint32_t *n, uint32_t **pn);
const struct vfu_profile *vfu_conn_profile(const struct vfu_conn *c);
void vfu_conn_log(const struct vfu_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vfu_conn_count(struct vfu_conn *c, int what, uint64_t n);
enum { VFU_CNT_CHAINS, VFU_CNT_CHAIN_ERR, VFU_CNT_BAD_REGION, VFU_CNT_MAPPED, VFU_CNT_DISK_READ,
       VFU_CNT_DISK_WRITE };
/* Is refusal class k (enum vfu_refusal) switched off by a lax fault? */
bool vfu_conn_lax(const struct vfu_conn *c, unsigned k);
/* blk: the disk (profile disk_bytes, zero-filled, keeps what is written;
 * shared by every connection of the server), mapped on first use. NULL
 * when it cannot be mapped. */
uint8_t *vfu_conn_disk(struct vfu_conn *c);
#endif
