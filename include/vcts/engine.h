/* The rule engine: one engine judges every event stream. Sources feed
 * events one at a time (live) or a whole trace; the engine keeps per-session
 * state and records findings and, per rule and session, whether the rule
 * was applicable and passed. */
#ifndef VCTS_ENGINE_H
#define VCTS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/event.h"

enum vc_level { VC_MUST = 0, VC_SHOULD = 1, VC_INFO = 2, VC_LEVEL_COUNT };

/* Whom a rule judges (struct vc_rule.sides, a mask). */
enum vc_side_mask { VC_SIDES_FE = 1, VC_SIDES_BE = 2, VC_SIDES_CL = 4, VC_SIDES_DEV = 8, VC_SIDES_LST = 16 };

/* What it takes to decide a rule. */
enum vc_needs { VC_NEEDS_HDR = 0, VC_NEEDS_TRACE = 1, VC_NEEDS_LIVE = 2 };

/* VC_R_VU_HDR_01 ... in catalog order (include/vcts/rules.def). */
enum vc_rule_id {
#define RULE(e, id, lvl, side, needs, text, ref) e,
#include "vcts/rules.def"
#undef RULE
	VC_RULE_COUNT
};

struct vc_rule {
	enum vc_rule_id num;
	const char *id;
	enum vc_level level;
	unsigned sides;
	enum vc_needs needs;
	const char *text;
	const char *ref;
};

const struct vc_rule *vc_rule(enum vc_rule_id r);
/* By stable ID string ("VU-RING-09"); NULL if unknown. */
const struct vc_rule *vc_rule_by_id(const char *id);
const char *vc_level_name(enum vc_level l);
const char *vc_needs_name(enum vc_needs n);
/* "FE/BE" style. */
const char *vc_sides_str(unsigned sides, char *buf, size_t len);

#define VC_FINDING_MSG_MAX 384

struct vc_finding {
	enum vc_rule_id rule;
	uint32_t session;
	uint64_t event;        /* event index in its session */
	int64_t time_ns;
	char src_file[256];
	uint64_t src_line;
	bool src_is_offset;
	bool waived;
	char message[VC_FINDING_MSG_MAX];
};

/* Per rule per session. */
enum vc_verdict { VC_NA = 0, VC_PASS, VC_FAIL, VC_WAIVED, VC_DISABLED };

struct vc_rule_result {
	enum vc_verdict verdict;
	uint64_t checks;    /* times the rule was evaluated */
	uint64_t failures;  /* findings (waived included) */
};

struct vc_session_result {
	struct vc_session info;  /* copied; source pointer stays the caller's */
	char source[256];
	struct vc_rule_result rules[VC_RULE_COUNT];
	uint64_t messages;
	/* The input lost part of this session (a VC_EV_GAP): nothing after
	 * the first gap was judged, nor what only the end of a session
	 * decides. Where the first gap was: */
	bool incomplete;
	char gap_file[256];
	uint64_t gap_line;
	bool gap_is_offset;
};

struct vc_results {
	struct vc_session_result *sessions;
	size_t nsessions;
	struct vc_finding *findings;
	size_t nfindings;
	uint64_t messages;
	uint64_t findings_by_level[VC_LEVEL_COUNT];   /* not waived */
	uint64_t waived;
	uint64_t suppressed;    /* findings past the per-rule cap, counted only */
	uint64_t incomplete;    /* sessions with a gap */
};

struct vc_engine_opts {
	bool strict;               /* SHOULD fails the run too */
	const char *rules_glob;    /* only rules whose ID matches (fnmatch), NULL = all */
	/* Waived rule IDs (glob patterns). */
	const char *const *waive;
	size_t nwaive;
	/* Keep at most this many findings per rule per session (0 = 100). */
	unsigned max_findings_per_rule;
	/* Callback for live sources: called for every finding as it happens. */
	void (*on_finding)(const struct vc_finding *f, void *opaque);
	void *opaque;
	/* Queue count a live back-end profile offers, for VU-RING-01 when no
	 * GET_QUEUE_NUM was exchanged (0 = unknown). */
	uint32_t queue_count;
	/* Long-running live sources (serve): keep at most this many ended
	 * sessions apart (0 = all). Older ones are folded into one session
	 * named "N earlier sessions": verdicts merged (the worst wins, counts
	 * added), their stored findings dropped (counted as suppressed; a live
	 * source printed them as they happened). Memory then stays bounded
	 * however many connections come and go. */
	uint32_t keep_sessions;
};

struct vc_engine;

struct vc_engine *vc_engine_new(const struct vc_engine_opts *opts);
void vc_engine_free(struct vc_engine *e);
/* Register a session; returns the engine's id for it. */
uint32_t vc_engine_add_session(struct vc_engine *e, const struct vc_session *s);
/* A streaming source may name a session after its first events: refresh
 * the name and side reports print (state already judged is kept). */
void vc_engine_rename_session(struct vc_engine *e, uint32_t id, const struct vc_session *s);
/* Feed one event; ev->session is an id returned by add_session. */
void vc_engine_feed(struct vc_engine *e, const struct vc_event *ev);
/* The rules one event broke: bit r for rule r. */
struct vc_rule_set {
	uint64_t w[(VC_RULE_COUNT + 63) / 64];
};
static inline bool vc_rule_set_has(const struct vc_rule_set *s, enum vc_rule_id r)
{
	return (unsigned)r < VC_RULE_COUNT && (s->w[r / 64] >> (r % 64) & 1u);
}
static inline void vc_rule_set_add(struct vc_rule_set *s, enum vc_rule_id r)
{
	if ((unsigned)r < VC_RULE_COUNT)
		s->w[r / 64] |= (uint64_t)1 << (r % 64);
}
/* Both sets share a rule. */
static inline bool vc_rule_set_meets(const struct vc_rule_set *a, const struct vc_rule_set *b)
{
	for (unsigned i = 0; i < sizeof a->w / sizeof a->w[0]; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}
/* vc_engine_feed, and the live verdict: *broken (cleared first) gets every
 * rule the event broke, also those rules_glob disables and those waived
 * (findings and reports are as vc_engine_feed's). A live source decides
 * from it what it refuses, whatever the report is filtered to. */
void vc_engine_feed_verdict(struct vc_engine *e, const struct vc_event *ev, struct vc_rule_set *broken);
/* End of a session's stream (end of file or disconnect): rules that look
 * for things that never happened decide here. Idempotent. */
void vc_engine_end_session(struct vc_engine *e, uint32_t session);
/* End all sessions and settle verdicts. Session ids are final only after
 * this (folding, see keep_sessions, may reuse slots until then). */
const struct vc_results *vc_engine_finish(struct vc_engine *e);

/* Exit status of a run: 0 clean, 1 failing findings. */
int vc_results_exit_status(const struct vc_results *r, bool strict);
bool vc_rule_enabled(const struct vc_engine_opts *o, enum vc_rule_id r);

#endif
