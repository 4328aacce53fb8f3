/* What the engine knows about one vhost-user session at a point in its
 * stream: negotiation, memory table, rings, pending replies. Rules read
 * it; vu_state_apply() moves it forward after the rules have seen an
 * event, so every rule judges an event against the state before it. */
#ifndef VCTS_VU_STATE_H
#define VCTS_VU_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "vcts/event.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

/* vring "file" payloads carry 8 bits of index: 256 rings is the protocol's
 * own ceiling for kick/call, so per-ring state is kept for that many. */
#define VU_MAX_RINGS 256
/* CONFIGURE_MEM_SLOTS back-ends may announce more; state tracks this many. */
#define VU_MAX_REGIONS 512
#define VU_MAX_PENDING 64

struct vu_region {
	struct vu_region_pl r;
	uint64_t fd_ident;  /* 0 unknown */
	int64_t fd_size;    /* -1 unknown */
};

struct vu_ring {
	bool num_set, base_set, addr_set, kick_set, kick_nofd;
	/* Started by SET_VRING_KICK (fd or polling) or in-band VRING_KICK,
	 * stopped by GET_VRING_BASE(_SKIP_DRAIN): vhost-user.rst, Ring states. */
	bool started;
	bool enabled;
	bool enabled_while_started;
	bool enable_sent;   /* a SET_VRING_ENABLE (1 or 0) named this ring since reset */
	uint32_t kicks_not_enabled; /* live kicks while started and never named
				     * by SET_VRING_ENABLE (VU-RING-10) */
	uint32_t kicks_since_start; /* live kicks since the ring started */
	bool started_by_fd;  /* started by SET_VRING_KICK with an fd (VU-LIVE-03) */
	bool ever_started;
	uint32_t num, base;
	bool packed;        /* RING_PACKED acked when its addresses were set */
	struct vu_addr_pl addr;
	/* Backing of desc/avail/used when the ring started, for relocation. */
	bool backing_known;
	uint64_t backing_ident[3];
	uint64_t backing_off[3];
};

/* A request that is owed a reply. */
struct vu_pending {
	uint8_t chan;
	uint32_t request;
	uint32_t flags;
	bool value_reply;   /* the request has a reply payload of its own */
	bool ack;           /* REPLY_ACK ack requested */
	uint32_t req_size;  /* for GET_CONFIG: the reply must match */
	int64_t ring;       /* GET_VRING_BASE: ring index */
	uint64_t event;     /* index of the request event */
	bool malformed;     /* the request drew a size/fd finding */
	bool optional;      /* owed or not is unknown (features not in the input):
			     * a reply may come, none is required */
};

struct vu_state {
	bool get_features_sent;
	bool features_offered_known;
	uint64_t features_offered;
	bool features_acked_known;
	uint64_t features_acked;
	bool pf_offered_known;
	uint64_t pf_offered;
	bool pf_acked_known;
	uint64_t pf_acked;
	bool pf_get_sent;
	int64_t queue_num;        /* GET_QUEUE_NUM answer, -1 unknown */
	int64_t max_mem_slots;    /* GET_MAX_MEM_SLOTS answer, -1 unknown */

	bool memtable_set;
	uint32_t nregions;
	struct vu_region regions[VU_MAX_REGIONS];

	struct vu_ring rings[VU_MAX_RINGS];

	uint32_t sent[VU_REQ_MAX_FRONTEND + 1]; /* requests sent, by number */
	bool owner_set;
	bool reset_owner_since_owner;
	bool status_known;
	uint64_t status;

	bool log_set;
	struct vu_log_pl log;
	/* Postcopy (vhost-user.rst, Migration; SET_MEM_TABLE): LISTEN in
	 * force until END; the back-end's table reply owes the front-end's
	 * empty SET_MEM_TABLE acknowledgement. */
	bool postcopy_listening;
	bool postcopy_ack_owed;
	/* The inflight area the last GET_INFLIGHT_FD reply gave (mmap size
	 * and offset in its fd), for SET_INFLIGHT_FD to hand back. */
	bool inflight_known;
	struct vu_inflight_pl inflight;

	bool log_repeat_armed;    /* a SET_LOG_BASE with no table change since */
	bool reset_device_armed;  /* a RESET_DEVICE with no ring start since */

	/* Replies owed on the main channel (by the back-end) and on the
	 * back-end channel (by the front-end). */
	struct vu_pending pending[2][VU_MAX_PENDING];
	uint32_t npending[2];
	/* The last reply matched a NEED_REPLY request that also had a value
	 * reply: a second reply right after is the double-ack bug class. */
	bool last_was_value_with_need_reply;
	uint32_t last_answered_req;

	uint64_t messages;
	bool ended;
};

void vu_state_init(struct vu_state *st);

/* Negotiation predicates. "Known" variants return false when the trace
 * never showed the value (header-only logs): callers then skip. */
bool vu_pf_negotiated(const struct vu_state *st, unsigned bit);
bool vu_feature_acked(const struct vu_state *st, unsigned bit);
bool vu_feature_offered(const struct vu_state *st, unsigned bit);
/* The negotiated protocol features (offered and acked), 0 while unknown. */
uint64_t vu_pf_mask(const struct vu_state *st);
/* Bytes of one memory-table region in this session (XEN_MMAP: 40). */
uint32_t vu_state_region_size(const struct vu_state *st);

/* Is this event a request (as opposed to a reply) on its channel? */
bool vu_event_is_request(const struct vc_event *ev);
/* Does this request expect a reply given the negotiated state? Sets the
 * pending fields (value_reply / ack). */
bool vu_request_expects_reply(const struct vu_state *st, const struct vc_event *ev,
			      struct vu_pending *out);

/* Pop what a reply to request on chan answers, if anything, into *out:
 * the oldest request still waiting, skipping optional ones (a reply that
 * may or may not have come) that the reply does not name. */
bool vu_state_pop_pending(struct vu_state *st, uint8_t chan, uint32_t request,
			  struct vu_pending *out);
/* The oldest request on chan that must be answered, or NULL. */
const struct vu_pending *vu_state_first_owed(const struct vu_state *st, uint8_t chan);
void vu_state_push_pending(struct vu_state *st, const struct vu_pending *p);

/* Translate a user address range through the memory table: index of the
 * region that holds [addr, addr+len) wholly, or -1; *partial set when the
 * start is mapped but the end runs out of its region. */
int vu_state_find_uva(const struct vu_state *st, uint64_t addr, uint64_t len, bool *partial);
int vu_state_find_gpa(const struct vu_state *st, uint64_t gpa, uint64_t len);
/* Highest guest-physical end of the table (0 if none). */
uint64_t vu_state_gpa_end(const struct vu_state *st);
/* Log bytes needed to cover the table at one bit per 4 KiB page. */
uint64_t vu_state_log_needed(const struct vu_state *st);
/* Ring parts: 0 desc, 1 avail, 2 used. */
void vu_ring_part(const struct vu_ring *r, int part, uint64_t *addr, uint64_t *len);
/* Record the backing (fd identity + file offset) of a started ring. */
void vu_ring_snapshot_backing(const struct vu_state *st, struct vu_ring *r);

/* Is ev the front-end's empty SET_MEM_TABLE that acknowledges the
 * back-end's postcopy table reply? It changes no table. */
bool vu_state_is_postcopy_ack(const struct vu_state *st, const struct vc_event *ev);

/* Is req one of the two requests that stop a ring and return its base? */
bool vu_req_stops_ring(uint32_t req);

/* Move the state forward by one event. answered is the popped pending
 * request for a reply (NULL otherwise); live tells whether kicks are
 * observed (they are counted; a ring starts at SET_VRING_KICK either way). */
void vu_state_apply(struct vu_state *st, const struct vc_event *ev,
		    const struct vu_pending *answered, bool live);
#endif
