/* Building vhost-user event streams in code: rule fixtures, benchmark
 * inputs, and (later) the front-end driver's scenarios use this instead of
 * hand-writing bytes. Each call appends one event to a trace. */
#ifndef VCTS_SYNTH_H
#define VCTS_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "vcts/trace.h"
#include "vcts/wire_decode.h"

struct vc_synth {
	struct vc_trace *t;
	uint32_t sid;
	int64_t time_ns;      /* advances 1 us per event */
	uint64_t line;        /* pseudo source line per event */
	uint64_t next_ident;  /* fd identities handed out */
};

void vs_begin(struct vc_synth *s, struct vc_trace *t, const char *name, enum vc_side side);

/* A raw message. fd_kinds: nfds kinds (NULL = all memfd for tables, else
 * eventfd); idents NULL = fresh identities. */
struct vc_event *vs_msg(struct vc_synth *s, enum vc_dir dir, uint8_t chan, uint32_t req,
			uint32_t flags, const void *payload, uint32_t len, uint32_t nfds);
/* Front-end request with version flags (extra flags OR'ed in). */
struct vc_event *vs_req(struct vc_synth *s, uint32_t req, uint32_t extra_flags,
			const void *payload, uint32_t len, uint32_t nfds);
/* Back-end reply (flags 0x5). */
struct vc_event *vs_reply(struct vc_synth *s, uint32_t req, const void *payload, uint32_t len);

struct vc_event *vs_u64(struct vc_synth *s, uint32_t req, uint64_t v);
struct vc_event *vs_state(struct vc_synth *s, uint32_t req, uint32_t index, uint32_t num);
struct vc_event *vs_addr(struct vc_synth *s, uint32_t index, uint64_t desc, uint64_t used,
			 uint64_t avail, uint64_t log, uint32_t flags);
/* Vring file request (KICK/CALL/ERR) with one eventfd unless nofd. */
struct vc_event *vs_vring_fd(struct vc_synth *s, uint32_t req, uint32_t index, bool nofd);
/* Request + its u64 reply (GET_FEATURES, GET_PROTOCOL_FEATURES, ...). */
void vs_get_u64(struct vc_synth *s, uint32_t req, uint64_t answer);
/* SET_MEM_TABLE with n regions, one memfd each; idents[i] names the file
 * behind region i (0 = a fresh one). */
struct vc_event *vs_memtable(struct vc_synth *s, const struct vu_region_pl *r, uint32_t n,
			     const uint64_t *idents);
struct vc_event *vs_eof(struct vc_synth *s, enum vc_dir who, uint32_t partial_bytes);
struct vc_event *vs_stall(struct vc_synth *s);
/* A kick seen on ring's kick fd (live sources only). */
struct vc_event *vs_kick(struct vc_synth *s, uint32_t ring);

/* A QEMU-like session, for fixtures and benchmarks. */
struct vs_profile {
	uint64_t features;     /* offered by GET_FEATURES */
	uint64_t acked;        /* sent by SET_FEATURES */
	uint64_t pf_offered;
	uint64_t pf_acked;
	uint32_t queues;       /* rings set up */
	uint32_t num;          /* ring size */
	uint64_t mem_size;     /* one region at gpa 0 */
	uint64_t uva;          /* its user address */
	bool status;           /* send SET_STATUS like QEMU 7.2 */
};
void vs_default_profile(struct vs_profile *p);
/* Negotiation, owner, memory table. */
void vs_init(struct vc_synth *s, const struct vs_profile *p);
/* Ring set-up and start of every queue, then enable. */
void vs_start(struct vc_synth *s, const struct vs_profile *p);
/* GET_VRING_BASE for every queue, then SET_STATUS(0) (the correct order). */
void vs_stop(struct vc_synth *s, const struct vs_profile *p);
/* Ring addresses of queue i in the default layout. */
void vs_ring_layout(const struct vs_profile *p, uint32_t i, uint64_t *desc, uint64_t *avail,
		    uint64_t *used);
#endif
