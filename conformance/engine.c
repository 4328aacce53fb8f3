/* The rule engine: routes each event of each session through every rule
 * family, then advances that session's state. Findings and per-rule
 * verdicts accumulate in a vc_results. */
#include "conformance/check.h"
#include "lib/xalloc.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sess {
	struct vu_state st;
	bool live;
	uint32_t queues;   /* the session's own queue count, else the run's */
	bool gap;          /* input lost: nothing more is judged */
	void **fstate;                  /* per family, see vc_family_state() */
};

struct vc_engine {
	struct vc_engine_opts opts;
	bool enabled[VC_RULE_COUNT];
	bool waived[VC_RULE_COUNT];
	struct sess **sess;
	size_t cap_sess;
	size_t cap_findings;
	struct vc_results res;
	/* keep_sessions: ended sessions oldest first, the aggregate they fold
	 * into (UINT32_MAX: none yet), slots free for reuse. */
	uint32_t *ended;
	size_t nended, cap_ended;
	uint32_t fold_sid;
	uint64_t nfolded;
	uint32_t *free_slots;
	size_t nfree, cap_free;
	bool *slot_free;
	size_t cap_slot_free;
	uint64_t *added;   /* per slot: when its session was added (compact()) */
	size_t cap_added;
	uint64_t nadded;
	/* vc_engine_feed_verdict: the set being filled, NULL otherwise. */
	struct vc_rule_set *broken;
};

/* Does a comma-separated list of globs match the rule ID? */
static bool glob_list_matches(const char *list, const char *id)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (fnmatch(tok, id, 0) == 0)
			return true;
	return false;
}

bool vc_rule_enabled(const struct vc_engine_opts *o, enum vc_rule_id r)
{
	if (!o || !o->rules_glob || !*o->rules_glob)
		return true;
	return glob_list_matches(o->rules_glob, vc_rule(r)->id);
}

struct vc_engine *vc_engine_new(const struct vc_engine_opts *opts)
{
	struct vc_engine *e = xcalloc(1, sizeof *e);
	if (opts)
		e->opts = *opts;
	if (!e->opts.max_findings_per_rule)
		e->opts.max_findings_per_rule = 100;
	e->fold_sid = UINT32_MAX;
	for (unsigned r = 0; r < VC_RULE_COUNT; r++) {
		e->enabled[r] = vc_rule_enabled(&e->opts, r);
		for (size_t w = 0; w < e->opts.nwaive; w++)
			if (glob_list_matches(e->opts.waive[w], vc_rule(r)->id))
				e->waived[r] = true;
	}
	return e;
}

/* A session's state is ~60 KiB (rings and regions inline): one freed
 * session is kept per thread, so a run of many small checks (a fuzzer, a
 * test suite) clears it instead of allocating fresh pages each time. A
 * thread key, not a __thread pointer: sessions end on the thread that
 * fed them (serve's loop thread), and the spare is freed when it exits. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_init(void)
{
	if (pthread_key_create(&spare_key, free) != 0)
		abort();
}

static struct sess *sess_new(void)
{
	pthread_once(&spare_once, spare_init);
	struct sess *ss = pthread_getspecific(spare_key);
	if (!ss)
		return xcalloc(1, sizeof *ss);
	pthread_setspecific(spare_key, NULL);
	memset(ss, 0, sizeof *ss);
	return ss;
}

static void sess_release(struct sess *ss)
{
	for (size_t f = 0; ss->fstate && f < vc_nfamilies; f++)
		if (ss->fstate[f] && vc_families[f].free_state)
			vc_families[f].free_state(ss->fstate[f]);
	free(ss->fstate);
	pthread_once(&spare_once, spare_init);
	if (pthread_getspecific(spare_key) || pthread_setspecific(spare_key, ss) != 0)
		free(ss);
}

void vc_engine_free(struct vc_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->res.nsessions; i++)
		if (e->sess[i])
			sess_release(e->sess[i]);
	free(e->sess);
	free(e->ended);
	free(e->free_slots);
	free(e->slot_free);
	free(e->added);
	free(e->res.sessions);
	free(e->res.findings);
	free(e);
}

uint32_t vc_engine_add_session(struct vc_engine *e, const struct vc_session *s)
{
	size_t n = e->res.nsessions;
	if (e->nfree) {
		n = e->free_slots[--e->nfree];
		e->slot_free[n] = false;
	} else {
		size_t cap = e->cap_sess;
		e->sess = xgrow(e->sess, &e->cap_sess, n + 1, sizeof *e->sess);
		e->res.sessions = xgrow(e->res.sessions, &cap, n + 1, sizeof *e->res.sessions);
		e->res.nsessions++;
	}
	e->added = xgrow(e->added, &e->cap_added, n + 1, sizeof *e->added);
	e->added[n] = e->nadded++;
	struct sess *ss = sess_new();
	vu_state_init(&ss->st);
	ss->live = s->traced_side == VC_SIDE_LIVE;
	ss->queues = s->queues ? s->queues : e->opts.queue_count;
	e->sess[n] = ss;
	struct vc_session_result *sr = &e->res.sessions[n];
	memset(sr, 0, sizeof *sr);
	sr->info = *s;
	sr->info.id = (uint32_t)n;
	snprintf(sr->source, sizeof sr->source, "%s", s->source ? s->source : "-");
	sr->info.source = sr->source;
	for (unsigned r = 0; r < VC_RULE_COUNT; r++)
		sr->rules[r].verdict = e->enabled[r] ? VC_NA : VC_DISABLED;
	return (uint32_t)n;
}

void vc_engine_rename_session(struct vc_engine *e, uint32_t id, const struct vc_session *s)
{
	if (id >= e->res.nsessions)
		return;
	struct vc_session_result *sr = &e->res.sessions[id];
	memcpy(sr->info.name, s->name, sizeof sr->info.name);
	sr->info.name[sizeof sr->info.name - 1] = '\0';
	sr->info.traced_side = s->traced_side;
}

void **vc_family_state(struct vc_ctx *c)
{
	struct sess *ss = c->eng->sess[c->sid];
	if (!ss->fstate)
		ss->fstate = xcalloc(vc_nfamilies, sizeof *ss->fstate);
	return &ss->fstate[c->family];
}

static struct vc_rule_result *rr(struct vc_ctx *c, enum vc_rule_id r)
{
	return &c->eng->res.sessions[c->sid].rules[r];
}

void vc_ok(struct vc_ctx *c, enum vc_rule_id r)
{
	if (!c->eng->enabled[r])
		return;
	struct vc_rule_result *x = rr(c, r);
	x->checks++;
	if (x->verdict == VC_NA)
		x->verdict = VC_PASS;
}

void vc_fail(struct vc_ctx *c, enum vc_rule_id r, const char *fmt, ...)
{
	struct vc_engine *e = c->eng;
	/* The live verdict sees every broken rule, reported or not. */
	if (e->broken)
		vc_rule_set_add(e->broken, r);
	if (!e->enabled[r])
		return;
	struct vc_rule_result *x = rr(c, r);
	x->checks++;
	x->failures++;
	x->verdict = e->waived[r] ? (x->verdict == VC_FAIL ? VC_FAIL : VC_WAIVED) : VC_FAIL;
	if (e->waived[r])
		e->res.waived++;
	else
		e->res.findings_by_level[vc_rule(r)->level]++;
	/* Stored while the session has at most the cap of them; failures
	 * (not the freed session state) counts them, as verdicts may come
	 * after the session ended (vc_engine_live_verdict). */
	if (x->failures > e->opts.max_findings_per_rule) {
		e->res.suppressed++;
		return;
	}
	e->res.findings = xgrow(e->res.findings, &e->cap_findings, e->res.nfindings + 1,
				sizeof *e->res.findings);
	struct vc_finding *f = &e->res.findings[e->res.nfindings++];
	memset(f, 0, sizeof *f);
	f->rule = r;
	f->session = c->sid;
	f->waived = e->waived[r];
	if (c->ev) {
		f->event = c->ev->index;
		f->time_ns = c->ev->time_ns;
		snprintf(f->src_file, sizeof f->src_file, "%s", c->ev->src.file ? c->ev->src.file : "-");
		f->src_line = c->ev->src.line;
		f->src_is_offset = c->ev->src.is_offset;
	} else {
		f->time_ns = -1;
		snprintf(f->src_file, sizeof f->src_file, "%s", e->res.sessions[c->sid].source);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	if (e->opts.on_finding)
		e->opts.on_finding(f, e->opts.opaque);
}

const char *vc_reqname(uint8_t chan, uint32_t req)
{
	/* Unknown numbers are rendered into a small rotating buffer so two
	 * names can appear in one message. */
	static __thread char bufs[4][24];
	static __thread unsigned next;
	return vu_request_name(chan, req, bufs[next++ % 4], sizeof bufs[0]);
}

const char *vc_ctx_reqname(const struct vc_ctx *c)
{
	return vc_reqname(c->ev->u.vu.chan, c->ev->u.vu.request);
}

void vc_engine_feed(struct vc_engine *e, const struct vc_event *ev)
{
	if (ev->session >= e->res.nsessions)
		return;
	struct sess *ss = e->sess[ev->session];
	if (!ss || ss->gap)   /* ended, or input lost */
		return;
	if (ev->kind == VC_EV_GAP) {
		/* Bytes of this session were lost: the state the rules read
		 * (pending replies, negotiated features, ring states, the
		 * framing) is unknown from here, and so is what the end of the
		 * session would decide. Rules already decided keep their
		 * verdicts; the rest stay n/a. A new connection is a new
		 * session, which is judged afresh. */
		struct vc_session_result *sr = &e->res.sessions[ev->session];
		ss->gap = true;
		sr->incomplete = true;
		snprintf(sr->gap_file, sizeof sr->gap_file, "%s", ev->src.file ? ev->src.file : sr->source);
		sr->gap_line = ev->src.line;
		sr->gap_is_offset = ev->src.is_offset;
		e->res.incomplete++;
		return;
	}
	struct vc_ctx c = {
		.eng = e, .sid = ev->session, .st = &ss->st, .ev = ev, .live = ss->live,
		.traced_side = e->res.sessions[ev->session].info.traced_side,
		.profile_queues = ss->queues,
	};
	struct vu_pending answered;
	if (ev->kind == VC_EV_VU_MSG) {
		c.ri = vu_request(ev->u.vu.chan, ev->u.vu.request);
		c.is_request = vu_event_is_request(ev);
		/* Replies are answered strictly in order: pop what is owed on this
		 * channel (before the families run, so they see what it answers). */
		if (!c.is_request &&
		    vu_state_pop_pending(&ss->st, ev->u.vu.chan, ev->u.vu.request, &answered))
			c.answered = &answered;
		e->res.messages++;
		e->res.sessions[ev->session].messages++;
	}
	uint64_t before = e->res.findings_by_level[VC_MUST] + e->res.waived;
	for (size_t i = 0; i < vc_nfamilies; i++)
		if (vc_families[i].on_event) {
			c.family = i;
			vc_families[i].on_event(&c);
		}
	vu_state_apply(&ss->st, ev, c.answered, ss->live);
	/* A request that broke a MUST rule may be refused by closing the
	 * connection: VU-REPLY-01 does not hold that against the back-end. */
	if (c.is_request && e->res.findings_by_level[VC_MUST] + e->res.waived > before) {
		struct vu_state *st = &ss->st;
		uint8_t ch = ev->u.vu.chan ? 1 : 0;
		if (st->npending[ch] && st->pending[ch][st->npending[ch] - 1].event == ev->index)
			st->pending[ch][st->npending[ch] - 1].malformed = true;
	}
	if (ev->kind == VC_EV_VU_EOF)
		vc_engine_end_session(e, ev->session);
}

void vc_engine_feed_verdict(struct vc_engine *e, const struct vc_event *ev, struct vc_rule_set *broken)
{
	memset(broken, 0, sizeof *broken);
	e->broken = broken;
	vc_engine_feed(e, ev);
	e->broken = NULL;
}

/* Severity order for merging verdicts: a fold keeps the worst. */
static int verdict_rank(enum vc_verdict v)
{
	switch (v) {
	case VC_FAIL: return 4;
	case VC_WAIVED: return 3;
	case VC_PASS: return 2;
	case VC_NA: return 1;
	default: return 0;
	}
}

/* Drop the stored findings of a session (they were reported live). */
static void drop_findings(struct vc_engine *e, uint32_t sid)
{
	size_t w = 0;
	for (size_t i = 0; i < e->res.nfindings; i++) {
		if (e->res.findings[i].session == sid) {
			e->res.suppressed++;
			continue;
		}
		if (w != i)
			e->res.findings[w] = e->res.findings[i];
		w++;
	}
	e->res.nfindings = w;
}

static void name_fold(struct vc_engine *e)
{
	struct vc_session_result *agg = &e->res.sessions[e->fold_sid];
	snprintf(agg->info.name, sizeof agg->info.name, "%llu earlier sessions (folded)",
		 (unsigned long long)e->nfolded);
}

/* Fold the oldest ended session into the aggregate; the first one folded
 * becomes the aggregate, every later one frees its slot. */
static void fold_oldest(struct vc_engine *e)
{
	uint32_t sid = e->ended[0];
	memmove(e->ended, e->ended + 1, (e->nended - 1) * sizeof *e->ended);
	e->nended--;
	drop_findings(e, sid);
	e->nfolded++;
	if (e->fold_sid == UINT32_MAX) {
		e->fold_sid = sid;
		name_fold(e);
		return;
	}
	struct vc_session_result *agg = &e->res.sessions[e->fold_sid];
	const struct vc_session_result *sr = &e->res.sessions[sid];
	for (unsigned r = 0; r < VC_RULE_COUNT; r++) {
		struct vc_rule_result *a = &agg->rules[r];
		const struct vc_rule_result *x = &sr->rules[r];
		a->checks += x->checks;
		a->failures += x->failures;
		if (verdict_rank(x->verdict) > verdict_rank(a->verdict))
			a->verdict = x->verdict;
	}
	agg->messages += sr->messages;
	if (sr->incomplete && !agg->incomplete) {
		/* A folded session that lost input keeps the fold incomplete. */
		agg->incomplete = true;
		memcpy(agg->gap_file, sr->gap_file, sizeof agg->gap_file);
		agg->gap_line = sr->gap_line;
		agg->gap_is_offset = sr->gap_is_offset;
	}
	name_fold(e);
	size_t old = e->cap_slot_free;
	e->slot_free = xgrow(e->slot_free, &e->cap_slot_free, (size_t)sid + 1, sizeof *e->slot_free);
	memset(e->slot_free + old, 0, (e->cap_slot_free - old) * sizeof *e->slot_free);
	e->slot_free[sid] = true;
	e->free_slots = xgrow(e->free_slots, &e->cap_free, e->nfree + 1, sizeof *e->free_slots);
	e->free_slots[e->nfree++] = sid;
}

void vc_engine_end_session(struct vc_engine *e, uint32_t session)
{
	if (session >= e->res.nsessions)
		return;
	struct sess *ss = e->sess[session];
	if (!ss)   /* ended */
		return;
	struct vc_ctx c = { .eng = e, .sid = session, .st = &ss->st, .ev = NULL, .live = ss->live };
	/* After a gap, what the end of the session would decide is unknown. */
	for (size_t i = 0; i < vc_nfamilies && !ss->gap; i++)
		if (vc_families[i].on_end) {
			c.family = i;
			vc_families[i].on_end(&c);
		}
	/* Its verdicts are in res.sessions; the state (~60 KiB) is no longer
	 * needed: a long-running live source (serve) would otherwise hold it
	 * for every connection it ever had. */
	e->sess[session] = NULL;
	sess_release(ss);
	if (e->opts.keep_sessions) {
		e->ended = xgrow(e->ended, &e->cap_ended, e->nended + 1, sizeof *e->ended);
		e->ended[e->nended++] = session;
		if (e->nended > e->opts.keep_sessions)
			fold_oldest(e);
	}
}

/* Order of sessions by when they were added, for compact()'s qsort_r. */
static int by_added(const void *a, const void *b, void *arg)
{
	const uint64_t *added = arg;
	uint64_t x = added[*(const uint32_t *)a], y = added[*(const uint32_t *)b];
	return x < y ? -1 : x > y;
}

/* Close the gaps folding left and put the sessions back in the order they
 * were added (slots were reused), renumbering the findings: reports see
 * sessions 0..nsessions-1 only, oldest first (the folded one leads). */
static void compact(struct vc_engine *e)
{
	if (e->fold_sid == UINT32_MAX)
		return;
	size_t n = e->res.nsessions, w = 0;
	uint32_t *keep = xcalloc(n, sizeof *keep);
	uint32_t *map = xcalloc(n, sizeof *map);
	for (size_t i = 0; i < n; i++)
		if (!(i < e->cap_slot_free && e->slot_free[i]))
			keep[w++] = (uint32_t)i;
	qsort_r(keep, w, sizeof *keep, by_added, e->added);
	struct vc_session_result *sr = xcalloc(w ? w : 1, sizeof *sr);
	struct sess **ss = xcalloc(w ? w : 1, sizeof *ss);
	uint64_t *added = xcalloc(w ? w : 1, sizeof *added);
	for (size_t k = 0; k < w; k++) {
		map[keep[k]] = (uint32_t)k;
		sr[k] = e->res.sessions[keep[k]];
		sr[k].info.id = (uint32_t)k;
		ss[k] = e->sess[keep[k]];
		added[k] = e->added[keep[k]];
	}
	for (size_t k = 0; k < w; k++) {
		e->res.sessions[k] = sr[k];
		e->res.sessions[k].info.source = e->res.sessions[k].source;
		e->sess[k] = ss[k];
		e->added[k] = added[k];
	}
	for (size_t i = 0; i < e->res.nfindings; i++)
		e->res.findings[i].session = map[e->res.findings[i].session];
	e->fold_sid = map[e->fold_sid];
	for (size_t i = 0; i < e->nended; i++)
		e->ended[i] = map[e->ended[i]];
	free(sr);
	free(ss);
	free(added);
	free(keep);
	free(map);
	e->res.nsessions = w;
	e->nfree = 0;
	memset(e->slot_free, 0, e->cap_slot_free * sizeof *e->slot_free);
}

const struct vc_results *vc_engine_finish(struct vc_engine *e)
{
	for (size_t i = 0; i < e->res.nsessions; i++)
		if (!(i < e->cap_slot_free && e->slot_free[i]))
			vc_engine_end_session(e, (uint32_t)i);
	compact(e);
	return &e->res;
}

int vc_results_exit_status(const struct vc_results *r, bool strict)
{
	if (r->findings_by_level[VC_MUST])
		return 1;
	if (strict && r->findings_by_level[VC_SHOULD])
		return 1;
	return 0;
}
