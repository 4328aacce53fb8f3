/* The driver's runner: selects scenarios, starts or watches the back-end
 * process, opens one connection per scenario (one engine session), runs
 * it, then decides the scenario's outcome: crashed (the process died by a
 * signal), hung (no answer and no close within the timeout), leaked (its
 * fd count did not return to the baseline), rejected / accepted (negative
 * scenarios), or served with or without findings (positive ones). */
#include "fakes/frontend/runner_priv.h"
#include "conformance/vu_be.h"
#include "lib/xalloc.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const outcome_names[VFE_OUTCOME_COUNT] = {
	[VFE_PASS] = "pass",         [VFE_REJECTED] = "rejected", [VFE_ACCEPTED] = "accepted",
	[VFE_FINDINGS] = "findings", [VFE_CRASHED] = "crashed",   [VFE_HUNG] = "hung",
	[VFE_LEAKED] = "leaked",     [VFE_SKIPPED] = "n/a",       [VFE_ERROR] = "error",
};

const char *vfe_outcome_name(enum vfe_outcome o)
{
	return o < VFE_OUTCOME_COUNT ? outcome_names[o] : "?";
}

static const char *const dev_names[VFE_DEV_COUNT] = { "net", "blk", "fs", "gpu" };

int vfe_device_by_name(const char *name)
{
	for (int i = 0; i < VFE_DEV_COUNT; i++)
		if (!strcmp(name, dev_names[i]))
			return i;
	return -1;
}

const char *vfe_device_name(enum vfe_device d)
{
	return d < VFE_DEV_COUNT ? dev_names[d] : "?";
}

static const struct vfe_scn *scn_at(size_t i)
{
	if (i < vfe_scn_nbasic)
		return &vfe_scn_basic[i];
	i -= vfe_scn_nbasic;
	return i < vfe_scn_nneg ? &vfe_scn_neg[i] : NULL;
}

size_t vfe_scenario_count(void) { return vfe_scn_nbasic + vfe_scn_nneg; }
const char *vfe_scenario_name(size_t i) { return scn_at(i) ? scn_at(i)->name : NULL; }
const char *vfe_scenario_text(size_t i) { return scn_at(i) ? scn_at(i)->text : NULL; }
bool vfe_scenario_negative(size_t i) { return scn_at(i) && scn_at(i)->negative; }

enum vfe_device vfe_run_device(const struct vfe_run *r) { return r->o.device; }
uint32_t vfe_run_queues(const struct vfe_run *r) { return r->o.queues; }

/* ---- events ---- */

void vfe_run_emit(struct vfe_run *r, struct vc_event *ev)
{
	if (ev->session >= r->nsl)
		return;
	struct sess_log *s = &r->sl[ev->session];
	ev->index = s->n;
	ev->src.file = r->o.source_name ? r->o.source_name : "drive";
	ev->src.line = s->n;
	ev->src.is_offset = false;
	ev->time_ns -= r->t0;
	s->dirs = xgrow(s->dirs, &s->cap, s->n + 1, 1);
	s->dirs[s->n++] = ev->dir;
	s->last = *ev;
	s->last.fds = NULL;
	s->last.nfds = 0;
	if (ev->kind == VC_EV_VU_MSG) {
		s->last.u.vu.payload = NULL;
		s->last.u.vu.payload_len = 0;
	}
	s->has_last = true;
	vc_engine_feed(r->eng, ev);
	if (r->rec)
		vc_native_event(r->rec, ev);
}

void vfe_run_verdict(struct vfe_run *r, enum vc_rule_id rule, bool ok, const char *fmt, ...)
{
	char msg[VC_FINDING_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct sess_log *s = r->cur_sid < r->nsl ? &r->sl[r->cur_sid] : NULL;
	vc_engine_live_verdict(r->eng, r->cur_sid, s && s->has_last ? &s->last : NULL, rule, ok, msg);
}

uint32_t vfe_run_new_session(struct vfe_run *r, const char *name)
{
	struct vc_session s = { .traced_side = VC_SIDE_LIVE, .source = r->o.source_name ? r->o.source_name : "drive" };
	snprintf(s.name, sizeof s.name, "%s", name);
	uint32_t sid = vc_engine_add_session(r->eng, &s);
	s.id = sid;
	if (r->rec)
		vc_native_session(r->rec, &s);
	r->sl = xgrow(r->sl, &r->capsl, sid + 1, sizeof *r->sl);
	while (r->nsl <= sid)
		memset(&r->sl[r->nsl++], 0, sizeof *r->sl);
	r->cur_sid = sid;
	return sid;
}

/* ---- options, selection ---- */

struct vfe_run *vfe_run_new(const struct vfe_options *o, char *err, size_t errlen)
{
	if (!o->socket || !*o->socket) {
		snprintf(err, errlen, "no socket path");
		return NULL;
	}
	struct vfe_run *r = xcalloc(1, sizeof *r);
	r->o = *o;
	if (r->o.timeout_ms <= 0)
		r->o.timeout_ms = 3000;
	if (r->o.startup_ms <= 0)
		r->o.startup_ms = 20000;
	if (!r->o.queues)
		r->o.queues = 2;
	r->listen_fd = -1;
	r->t0 = vfe_mono_ns();
	if (o->pid) {
		r->pid = o->pid;
		r->child = false;
	}
	struct vc_engine_opts eo = { .strict = o->strict };
	r->eng = vc_engine_new(&eo);
	if (o->record)
		r->rec = vc_native_open(o->record, "vhost-cts drive");
	if (o->listen && vfe_peer_listen(r, err, errlen)) {
		vfe_run_free(r);
		return NULL;
	}
	return r;
}

static bool glob_selects(const char *glob, const struct vfe_scn *s)
{
	if (!glob || !*glob)
		return true;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", glob);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!fnmatch(t, s->name, 0) || !fnmatch(t, s->family, 0))
			return true;
	return false;
}

static bool selected(const struct vfe_run *r, const struct vfe_scn *s)
{
	return glob_selects(r->o.scenario_glob, s);
}

bool vfe_scenario_selected(const char *glob, size_t i)
{
	return scn_at(i) && glob_selects(glob, scn_at(i));
}

/* ---- one scenario ---- */

static struct vfe_scenario_result *add_result(struct vfe_run *r, const struct vfe_scn *s)
{
	r->res = xgrow(r->res, &r->capres, r->nres + 1, sizeof *r->res);
	struct vfe_scenario_result *x = &r->res[r->nres++];
	memset(x, 0, sizeof *x);
	x->name = s->name;
	x->family = s->family;
	x->session = r->cur_sid;
	return x;
}

/* After a malformed request: did the back-end refuse it? */
static enum vfe_outcome observe_negative(struct vfe_conn *c, int sent, char *det, size_t dl)
{
	struct vfe_msg *m = xmalloc(sizeof *m);
	enum vfe_outcome o = VFE_ACCEPTED;
	enum vfe_rx rx;
	if (sent == 3) {
		snprintf(det, dl, "error ack (%" PRIu64 ")", c->last_ack);
		free(m);
		return VFE_REJECTED;
	}
	if (sent == 2) {
		/* We closed our side mid-message: the back-end must close too. */
		rx = vfe_recv(c, m, 0);
		while (rx == VFE_RX_MSG) {
			vfe_msg_close_fds(m);
			rx = vfe_recv(c, m, 0);
		}
		if (rx == VFE_RX_TIMEOUT) {
			o = VFE_HUNG;
			snprintf(det, dl, "back-end kept the connection open %d ms after the front-end closed its side", c->timeout_ms);
		} else {
			o = VFE_REJECTED;
			snprintf(det, dl, "back-end closed the connection");
		}
		free(m);
		return o;
	}
	if (sent == 1) {
		rx = vfe_recv(c, m, 0);
		if (rx == VFE_RX_MSG) {
			uint64_t v = 0;
			bool isack = (m->flags & VU_FLAG_REPLY) && vu_dec_u64(m->pl, m->len, &v);
			vfe_msg_close_fds(m);
			if (isack && v) {
				snprintf(det, dl, "error ack (%" PRIu64 ")", v);
				free(m);
				return VFE_REJECTED;
			}
			snprintf(det, dl, isack ? "acked as done (0)" : "answered with request %u flags 0x%x",
				 m->req, m->flags);
			o = VFE_ACCEPTED;
		} else if (rx == VFE_RX_TIMEOUT) {
			/* no ack: the probe below tells a silent refusal from a hang */
		} else {
			snprintf(det, dl, "%s", rx == VFE_RX_GARBAGE ? "back-end sent garbage, then closed" : "closed the connection");
			free(m);
			return VFE_REJECTED;
		}
	}
	/* Probe: a request that always has an answer. */
	uint64_t f;
	c->why[0] = 0;
	if (vfe_get_u64(c, VU_GET_FEATURES, &f) == 0) {
		if (!det[0])
			snprintf(det, dl, "kept serving (no error, no close)");
		o = VFE_ACCEPTED;
	} else if (c->hung) {
		snprintf(det, dl, "no answer and no close within %d ms", c->timeout_ms);
		o = VFE_HUNG;
	} else if (c->eof || c->garbage) {
		if (!det[0])
			snprintf(det, dl, "closed the connection");
		o = det[0] && !strncmp(det, "acked", 5) ? VFE_ACCEPTED : VFE_REJECTED;
	} else {
		snprintf(det, dl, "probe: %s", c->why);
		o = VFE_ACCEPTED;
	}
	free(m);
	return o;
}

static uint64_t be_findings(struct vfe_run *r, uint32_t sid, const char **first);

static void run_one(struct vfe_run *r, const struct vfe_scn *s)
{
	char err[256] = "";
	r->cur = s;
	uint32_t sid = vfe_run_new_session(r, s->name);
	struct vfe_scenario_result *res = add_result(r, s);
	if (s->devices && !(s->devices & (1u << r->o.device))) {
		res->outcome = VFE_SKIPPED;
		snprintf(res->detail, sizeof res->detail, "not for device %s", vfe_device_name(r->o.device));
		return;
	}
	int baseline = -1;
	/* The fd count of the idle back-end before this connection: after
	 * it closes the count must come back to it. (In listen mode the
	 * back-end reconnects by itself, so there is no idle moment.) */
	if (r->o.spawn && !r->o.listen && !vfe_peer_alive(r)) {
		/* Start it now and let it settle, so the first scenario on a
		 * fresh back-end has an idle fd count too. */
		int w = vfe_peer_connect(r, err, sizeof err);
		if (w >= 0) {
			close(w);
			for (int i = 0, prev = -1, now; i < 50 && vfe_peer_alive(r); i++, prev = now) {
				now = vfe_peer_fds(r->pid);
				if (now == prev)
					break;
				vfe_sleep_ms(10);
			}
		}
		r->late_crash = 0;
	}
	pid_t bpid = r->pid;
	if (r->pid && !r->o.listen && vfe_peer_alive(r))
		baseline = vfe_peer_fds(r->pid);
	int fd = vfe_peer_connect(r, err, sizeof err);
	/* A back-end (re)started for this connection has no idle count to
	 * come back to; nor has one that was exiting while we counted. */
	if (r->pid != bpid || baseline <= 0)
		baseline = -1;
	if (fd < 0) {
		res->outcome = VFE_ERROR;
		snprintf(res->detail, sizeof res->detail, "%s", err);
		return;
	}
	r->sl[sid].negative = s->negative;
	if (r->late_crash && r->nres >= 2) {
		/* The back-end was found killed when this scenario connected:
		 * the crash belongs to the scenario before (heap corruption
		 * that bites at the next connection). */
		struct vfe_scenario_result *prev = &r->res[r->nres - 2];
		char m[200];
		snprintf(m, sizeof m, "back-end killed by signal %d (%s) at the next connection after scenario %s",
			 r->late_crash, strsignal(r->late_crash), prev->name);
		if (prev->outcome != VFE_CRASHED)
			vc_engine_live_verdict(r->eng, prev->session, NULL, VC_R_VU_BE_01, false, m);
		prev->outcome = VFE_CRASHED;
		snprintf(prev->detail, sizeof prev->detail, "%s", m);
		if (r->o.log)
			fprintf(r->o.log, "%-9s %-26s %s\n", vfe_outcome_name(VFE_CRASHED), prev->name, m);
	}
	r->late_crash = 0;
	struct vfe_conn *c = xmalloc(sizeof *c);
	vfe_conn_init(c, r, fd, sid, r->o.timeout_ms);
	int rc = s->run(c, s);
	enum vfe_outcome o;
	char det[512] = "";
	if (rc == -2) {
		o = VFE_SKIPPED;
		snprintf(det, sizeof det, "%s", c->why[0] ? c->why : "not offered by the back-end");
	} else if (s->negative) {
		if (rc < 0) {
			o = c->hung ? VFE_HUNG : VFE_ERROR;
			snprintf(det, sizeof det, "set-up failed: %s", c->why);
		} else {
			o = observe_negative(c, rc, det, sizeof det);
		}
	} else {
		if (rc < 0)
			o = c->hung ? VFE_HUNG : VFE_FINDINGS;
		else
			o = rc > 0 ? VFE_FINDINGS : VFE_PASS;
		snprintf(det, sizeof det, "%s", c->why);
	}
	bool hung = o == VFE_HUNG;
	vfe_conn_close(c);
	sid = r->cur_sid; /* a reconnect moved on to a new session */
	free(c);
	/* The process: crash, exit, fd release. */
	bool crashed = false, leaked = false;
	char pdet[160] = "";
	if (r->pid) {
		int now = -1;
		if (baseline >= 0) {
			/* Our socket is closed: the back-end's count must come
			 * back to what it was before the connection. */
			int64_t until = vfe_mono_ns() + (int64_t)r->o.timeout_ms * 1000000;
			while (vfe_peer_alive(r) && (now = vfe_peer_fds(r->pid)) > baseline && vfe_mono_ns() < until)
				vfe_sleep_ms(20);
			vfe_peer_probe(r);
		} else {
			vfe_sleep_ms(20);
		}
		if (!vfe_peer_alive(r) && r->dead) {
			if (r->term_sent) {
				snprintf(pdet, sizeof pdet, "back-end ended on SIGTERM");
			} else if (r->child && WIFSIGNALED(r->status)) {
				crashed = true;
				snprintf(pdet, sizeof pdet, "back-end killed by signal %d (%s)", WTERMSIG(r->status),
					 strsignal(WTERMSIG(r->status)));
			} else if (r->child) {
				snprintf(pdet, sizeof pdet, "back-end exited with status %d", WEXITSTATUS(r->status));
			} else {
				snprintf(pdet, sizeof pdet, "back-end process %d is gone", (int)r->pid);
			}
		} else if (baseline >= 0 && now > baseline) {
			leaked = true;
			snprintf(pdet, sizeof pdet, "back-end holds %d fds %d ms after the connection closed (%d before it opened)",
				 now, r->o.timeout_ms, baseline);
		}
	}
	/* A scenario that reconnected spans sessions: the earlier ones held
	 * up to the reconnect (the verdicts themselves go to the last). */
	for (uint32_t k = res->session; k < sid && o != VFE_SKIPPED && o != VFE_ERROR; k++) {
		static const enum vc_rule_id held[] = { VC_R_VU_BE_02, VC_R_VU_BE_05 };
		for (size_t q = 0; q < sizeof held / sizeof held[0]; q++)
			vc_engine_live_verdict(r->eng, k, NULL, held[q], true, "");
	}
	if (o != VFE_SKIPPED && o != VFE_ERROR) {
		if (r->pid)
			vfe_run_verdict(r, VC_R_VU_BE_01, !crashed, "%s during scenario %s", pdet, s->name);
		vfe_run_verdict(r, VC_R_VU_BE_02, !hung, "scenario %s: %s", s->name, det);
		if (baseline >= 0 && !crashed)
			vfe_run_verdict(r, VC_R_VU_BE_03, !leaked, "scenario %s: %s", s->name, pdet);
		if (s->negative && !crashed && !hung) {
			bool acc = o == VFE_ACCEPTED;
			vfe_run_verdict(r, VC_R_VU_REPLY_04, !acc, "%s request (%s, breaks %s) not refused: %s", s->name,
					s->text, vc_rule(s->rule)->id, det);
		}
		if (!s->negative && !crashed && !hung)
			vfe_run_verdict(r, VC_R_VU_BE_05, rc >= 0, "scenario %s: %s", s->name, det);
	}
	vc_engine_end_session(r->eng, sid);
	if (crashed)
		o = VFE_CRASHED;
	else if (!hung && leaked)
		o = VFE_LEAKED;
	else if (o == VFE_PASS || o == VFE_REJECTED) {
		const char *first = NULL;
		uint64_t n = be_findings(r, sid, &first);
		if (n && o == VFE_PASS) {
			o = VFE_FINDINGS;
			snprintf(det, sizeof det, "%s", first);
		}
	}
	if (pdet[0] && (crashed || leaked))
		snprintf(det, sizeof det, "%s", pdet);
	else if (pdet[0] && !det[0])
		snprintf(det, sizeof det, "%s", pdet);
	res->outcome = o;
	snprintf(res->detail, sizeof res->detail, "%s", det);
	/* A back-end that exited (one connection per process, or after a
	 * refusal) is started again for the next scenario. */
	if (r->o.spawn && r->dead)
		vfe_peer_stop(r);
	r->term_sent = false;
}

int vfe_run_terminate(struct vfe_run *r, int limit_ms, int *status)
{
	if (!r->child || !vfe_peer_alive(r))
		return -2;
	int64_t t0 = vfe_mono_ns();
	r->term_sent = true;
	kill(r->pid, SIGTERM);
	for (;;) {
		int ms = (int)((vfe_mono_ns() - t0) / 1000000);
		if (!vfe_peer_alive(r)) {
			*status = r->status;
			return ms;
		}
		if (ms >= limit_ms)
			return -1;
		vfe_sleep_ms(10);
	}
}

int vfe_run_all(struct vfe_run *r, char *err, size_t errlen)
{
	size_t n = vfe_scenario_count(), ran = 0, hung_in_row = 0, worked = 0;
	for (size_t i = 0; i < n; i++) {
		const struct vfe_scn *s = scn_at(i);
		if (!selected(r, s))
			continue;
		run_one(r, s);
		const struct vfe_scenario_result *x = &r->res[r->nres - 1];
		ran++;
		if (x->outcome == VFE_ERROR && !worked) {
			/* Nothing to drive at all (nobody listens, the back-end
			 * does not start): an input error, not a verdict. */
			snprintf(err, errlen, "%s", x->detail);
			return -1;
		}
		if (x->outcome != VFE_ERROR && x->outcome != VFE_SKIPPED)
			worked++;
		if (r->o.log) {
			fprintf(r->o.log, "%-9s %-26s %s\n", vfe_outcome_name(x->outcome), x->name, x->detail);
			fflush(r->o.log);
		}
		hung_in_row = x->outcome == VFE_HUNG ? hung_in_row + 1 : 0;
		if (hung_in_row >= 3 && !r->o.spawn) {
			if (r->o.log)
				fprintf(r->o.log, "back-end unresponsive in 3 scenarios in a row: the rest are not run\n");
			break;
		}
	}
	if (!ran) {
		snprintf(err, errlen, "--scenario '%s' selects no scenario", r->o.scenario_glob ? r->o.scenario_glob : "");
		return -1;
	}
	return (int)ran;
}

/* ---- filtered results ---- */

static bool judged_live(enum vc_rule_id k)
{
	return !strncmp(vc_rule(k)->id, "VU-BE-", 6) || k == VC_R_VU_REPLY_04;
}

/* Keep a finding if it judges the back-end: a back-end rule, located at
 * something the back-end did (not one of the driver's own messages). */
static bool keep_finding(const struct vfe_run *r, const struct vc_finding *f)
{
	if (judged_live(f->rule))
		return true;
	if (!(vc_rule(f->rule)->sides & VC_SIDES_BE))
		return false;
	if (f->session >= r->nsl || f->event >= r->sl[f->session].n)
		return false;
	const struct sess_log *s = &r->sl[f->session];
	/* A negative scenario probes after its malformed request; a back-end
	 * that closes because of the malformed one leaves the probe
	 * unanswered: that close is VU-REPLY-04's refusal, not VU-REPLY-01. */
	if (s->negative && f->rule == VC_R_VU_REPLY_01)
		return false;
	return s->dirs[f->event] == VC_DIR_BE_TO_FE;
}

static uint64_t be_findings(struct vfe_run *r, uint32_t sid, const char **first)
{
	/* Only used before finish: the engine's raw findings so far. */
	const struct vc_results *raw = vc_engine_finish(r->eng);
	uint64_t n = 0;
	for (size_t i = 0; i < raw->nfindings; i++) {
		const struct vc_finding *f = &raw->findings[i];
		if (f->session != sid || !keep_finding(r, f) || vc_rule(f->rule)->level != VC_MUST)
			continue;
		if (!n)
			*first = f->message;
		n++;
	}
	return n;
}

const struct vc_results *vfe_run_results(struct vfe_run *r)
{
	const struct vc_results *raw = vc_engine_finish(r->eng);
	if (r->have_fres) {
		free(r->fres.sessions);
		free(r->fres.findings);
	}
	struct vc_results *f = &r->fres;
	*f = *raw;
	f->sessions = xcalloc(raw->nsessions + 1, sizeof *f->sessions);
	memcpy(f->sessions, raw->sessions, raw->nsessions * sizeof *f->sessions);
	for (size_t s = 0; s < raw->nsessions; s++)
		f->sessions[s].info.source = f->sessions[s].source;
	f->findings = xcalloc(raw->nfindings + 1, sizeof *f->findings);
	f->nfindings = 0;
	memset(f->findings_by_level, 0, sizeof f->findings_by_level);
	f->waived = 0;
	for (size_t i = 0; i < raw->nfindings; i++) {
		const struct vc_finding *x = &raw->findings[i];
		struct vc_rule_result *rr = &f->sessions[x->session].rules[x->rule];
		if (!keep_finding(r, x)) {
			if (rr->failures)
				rr->failures--;
			continue;
		}
		f->findings[f->nfindings++] = *x;
		if (x->waived)
			f->waived++;
		else
			f->findings_by_level[vc_rule(x->rule)->level]++;
	}
	for (size_t s = 0; s < raw->nsessions; s++)
		for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
			struct vc_rule_result *rr = &f->sessions[s].rules[k];
			if (rr->verdict == VC_DISABLED)
				continue;
			if (!(vc_rule(k)->sides & VC_SIDES_BE)) {
				rr->verdict = VC_NA;
				rr->checks = rr->failures = 0;
				continue;
			}
			if ((rr->verdict == VC_FAIL || rr->verdict == VC_WAIVED) && rr->failures == 0)
				rr->verdict = VC_PASS;
		}
	r->have_fres = true;
	return f;
}

const struct vfe_scenario_result *vfe_run_scenarios(const struct vfe_run *r, size_t *n)
{
	*n = r->nres;
	return r->res;
}

void vfe_run_free(struct vfe_run *r)
{
	if (!r)
		return;
	vfe_peer_stop(r);
	if (r->listen_fd >= 0) {
		close(r->listen_fd);
		unlink(r->o.socket);
	}
	if (r->rec)
		vc_native_close(r->rec);
	vc_engine_free(r->eng);
	for (size_t i = 0; i < r->nsl; i++)
		free(r->sl[i].dirs);
	free(r->sl);
	free(r->res);
	if (r->have_fres) {
		free(r->fres.sessions);
		free(r->fres.findings);
	}
	free(r);
}

/* ---- one scenario at a time (fuzz-backend) ---- */

const struct vfe_scenario_result *vfe_run_scenario(struct vfe_run *r, const struct vfe_scn *s)
{
	run_one(r, s);
	return &r->res[r->nres - 1];
}

void vfe_run_set_record(struct vfe_run *r, FILE *f, const char *producer)
{
	if (r->rec)
		vc_native_close(r->rec);
	r->rec = f ? vc_native_open(f, producer) : NULL;
}

const char *vfe_run_spawn_cmd(const struct vfe_run *r)
{
	return r->o.listen ? NULL : r->o.spawn;
}

pid_t vfe_run_started_pid(const struct vfe_run *r)
{
	return r->pid;
}

const char *vfe_run_socket(const struct vfe_run *r)
{
	return r->o.socket;
}

pid_t vfe_run_pid(struct vfe_run *r)
{
	return vfe_peer_alive(r) ? r->pid : 0;
}
