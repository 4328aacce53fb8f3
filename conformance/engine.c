/* The rule engine: routes each event of each session through every rule
 * family, then advances that session's state. Findings and per-rule
 * verdicts accumulate in a vc_results. */
#include "conformance/check.h"
#include "lib/xalloc.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sess {
	struct vu_state st;
	bool live;
	uint32_t queues;   /* the session's own queue count, else the run's */
	bool ended;
	bool gap;          /* input lost: nothing more is judged */
	uint32_t kept[VC_RULE_COUNT];   /* findings stored per rule */
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
 * test suite) clears it instead of allocating fresh pages each time. */
static __thread struct sess *spare_sess;

static struct sess *sess_new(void)
{
	struct sess *ss = spare_sess;
	if (!ss)
		return xcalloc(1, sizeof *ss);
	spare_sess = NULL;
	memset(ss, 0, sizeof *ss);
	return ss;
}

static void sess_release(struct sess *ss)
{
	if (spare_sess)
		free(ss);
	else
		spare_sess = ss;
}

void vc_engine_free(struct vc_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->res.nsessions; i++) {
		struct sess *ss = e->sess[i];
		for (size_t f = 0; ss->fstate && f < vc_nfamilies; f++)
			if (ss->fstate[f] && vc_families[f].free_state)
				vc_families[f].free_state(ss->fstate[f]);
		free(ss->fstate);
		sess_release(ss);
	}
	free(e->sess);
	free(e->res.sessions);
	free(e->res.findings);
	free(e);
}

uint32_t vc_engine_add_session(struct vc_engine *e, const struct vc_session *s)
{
	size_t n = e->res.nsessions;
	size_t cap = e->cap_sess;
	e->sess = xgrow(e->sess, &e->cap_sess, n + 1, sizeof *e->sess);
	e->res.sessions = xgrow(e->res.sessions, &cap, n + 1, sizeof *e->res.sessions);
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
	e->res.nsessions++;
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
	struct sess *ss = e->sess[c->sid];
	if (ss->kept[r] >= e->opts.max_findings_per_rule) {
		e->res.suppressed++;
		return;
	}
	ss->kept[r]++;
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
	if (ss->ended || ss->gap)
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

void vc_engine_end_session(struct vc_engine *e, uint32_t session)
{
	if (session >= e->res.nsessions)
		return;
	struct sess *ss = e->sess[session];
	if (ss->ended)
		return;
	ss->ended = true;
	if (ss->gap)
		return;
	struct vc_ctx c = { .eng = e, .sid = session, .st = &ss->st, .ev = NULL, .live = ss->live };
	for (size_t i = 0; i < vc_nfamilies; i++)
		if (vc_families[i].on_end) {
			c.family = i;
			vc_families[i].on_end(&c);
		}
}

const struct vc_results *vc_engine_finish(struct vc_engine *e)
{
	for (size_t i = 0; i < e->res.nsessions; i++)
		vc_engine_end_session(e, (uint32_t)i);
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
