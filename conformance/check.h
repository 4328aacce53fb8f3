/* Private to conformance/: what a rule family sees when it judges one
 * event, and how it reports. */
#ifndef VCTS_CHECK_H
#define VCTS_CHECK_H

#include "vcts/engine.h"
#include "vcts/wire.h"
#include "conformance/vu_state.h"

struct vc_engine;

struct vc_ctx {
	struct vc_engine *eng;
	uint32_t sid;
	struct vu_state *st;          /* state before this event is applied */
	const struct vc_event *ev;
	/* For a reply: the request it answers (NULL if none was owed). */
	const struct vu_pending *answered;
	/* Request metadata for VC_EV_VU_MSG (NULL if unknown number). */
	const struct vu_request_info *ri;
	bool is_request;              /* a request (not a reply) on its channel */
	bool live;                    /* live source: kicks and fd sizes are seen */
	uint8_t traced_side;          /* enum vc_side of the session's recording */
	uint32_t profile_queues;      /* queue count a live profile offers, 0 unknown */
	size_t family;                /* index of the family being run */
};

/* The rule was evaluated and held. */
void vc_ok(struct vc_ctx *c, enum vc_rule_id r);
/* The rule was evaluated and broken: a finding with a sentence. */
void vc_fail(struct vc_ctx *c, enum vc_rule_id r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* ok or fail by cond; evaluates to cond. A macro so the message's
 * arguments (often formatted names and flag lists) are only computed
 * when the rule is broken: this runs for every rule on every event. */
#define vc_expect(c, r, cond, ...)                       \
	__extension__({                                  \
		bool vc_held_ = (cond);                  \
		if (vc_held_)                            \
			vc_ok((c), (r));                 \
		else                                     \
			vc_fail((c), (r), __VA_ARGS__);  \
		vc_held_;                                \
	})

/* Printable request name of the current event. */
const char *vc_ctx_reqname(const struct vc_ctx *c);
const char *vc_reqname(uint8_t chan, uint32_t req);

/* A rule family: a hook per event and one at the end of a session. */
struct vc_family {
	const char *name;
	void (*on_event)(struct vc_ctx *c);
	void (*on_end)(struct vc_ctx *c);
	/* Frees what the family keeps in vc_family_state() (NULL: none). */
	void (*free_state)(void *state);
};

/* A slot for the running family's own per-session state (NULL at first),
 * for families whose state does not belong in vu_state. The engine calls
 * the family's free_state on it when the session ends (after on_end). */
void **vc_family_state(struct vc_ctx *c);

/* Families, in the order they run. Defined in families.c. */
extern const struct vc_family vc_families[];
extern const size_t vc_nfamilies;

/* The vhost-user families. */
void vu_header_check(struct vc_ctx *c);
void vu_size_check(struct vc_ctx *c);
void vu_fd_check(struct vc_ctx *c);
void vu_neg_check(struct vc_ctx *c);
void vu_once_check(struct vc_ctx *c);
void vu_ring_check(struct vc_ctx *c);
void vu_ring_end(struct vc_ctx *c);
void vu_status_check(struct vc_ctx *c);
void vu_mem_check(struct vc_ctx *c);
void vu_reply_check(struct vc_ctx *c);
void vu_log_check(struct vc_ctx *c);

/* The memory-listener family (MEM-*, conformance/mem_rules.c). */
void mem_check(struct vc_ctx *c);
void mem_end(struct vc_ctx *c);
void mem_free(void *state);
/* VDPA-BAT-01 (conformance/vdpa_bat.c). */
void vdpa_bat_check(struct vc_ctx *c);
void vdpa_bat_free(void *state);

#endif
