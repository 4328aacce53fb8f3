/* QEMU trace log importer: the output of QEMU's "log" trace backend with
 * -trace 'vhost_user_*' (or 'vhost_*'), to a -D file or stderr, with or
 * without -msg timestamp=on. See lib/trace/qemu_log.h for the line shapes.
 *
 * Only vhost_user_write (front-end -> back-end, main channel) and
 * vhost_user_read (a reply read by QEMU) carry messages; they record the
 * request number and flags, nothing else (has_payload = has_size = false).
 * QEMU 7.2 has no trace point on the back-end request channel. Other
 * vhost_* records are counted and skipped; other lines (QEMU messages,
 * guest console output) are ignored.
 *
 * Processes: the "pid@" prefix is QEMU's thread id, and vCPU threads send
 * messages too (a guest setting DRIVER_OK starts the device from the vCPU
 * thread), so a thread id seen for the first time joins the current
 * process, unless its first vhost_* record opens a connection
 * (vhost_user_event "got event: 1", or a GET_FEATURES write): that is a
 * new QEMU process, as when several runs share one stderr. A line without
 * the prefix in a log that has it (or the other way round: the -msg
 * timestamp setting changed mid-file) stays in the current process, with
 * a warning.
 *
 * Sessions: one per connection of a process. A connection opens at
 * vhost_user_event "chr: NAME got event: 1" (CHR_EVENT_OPENED; net only
 * in QEMU 7.2) or at the first message when none is open; it ends at
 * "got event: 4" (CHR_EVENT_CLOSED), a new OPENED of the same chardev, or
 * when vhost_dev_cleanup has torn down every vhost_dev that used it (a
 * back-end restarted under reconnect=1, a device unplugged and plugged
 * again; traces/qemu-reconnect is a real run of the first). vhost_dev_start/stop name the vhost_dev that sends what follows:
 * a vhost_dev is tied to the one connection open when it is first seen
 * (queue pairs of one net device are several vhost_devs on one
 * connection). With two connections open (two devices) a vhost_dev seen
 * for the first time could be either: that is said in a warning, and the
 * open connections get a gap (VC_EV_GAP: not judged from there on) rather
 * than a guess. A process whose log shows no connection events at all
 * cannot tell a reconnect from a resent SET_OWNER: the second SET_OWNER
 * is a gap with a warning, not a VU-ONCE-01 finding. */
#include "lib/trace/qemu_log.h"
#include "vcts/wire.h"
#include "lib/lines.h"
#include "lib/u64map.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* thread id -> process (index into procs): a struct u64map */

#define NO_SESSION UINT32_MAX

#define NO_CONN UINT32_MAX
#define QT_MAX_DEVS 16  /* vhost_devs remembered per connection */
#define QT_MAX_OPEN 16  /* connections open at once in one process */

struct proc {
	bool has_tid;
	uint64_t tid;      /* first thread id seen: the main thread, i.e. the pid */
	uint32_t cur;      /* the connection messages go to, or NO_CONN */
	uint32_t nconns;   /* connections so far (names the sessions) */
	bool events;       /* the log shows this process's connection events */
	bool chr_events;   /* ... vhost_user_event among them */
	bool warned_shared;
	uint32_t open[QT_MAX_OPEN]; /* its open connections, oldest first */
	unsigned nopen;
};

struct conn {
	uint32_t proc;
	uint32_t session;  /* created with the first message, or NO_SESSION */
	bool open;
	bool owner;        /* SET_OWNER sent */
	bool gap;          /* a gap was emitted */
	char chr[32];      /* chardev label, "" unknown */
	uint64_t dev[QT_MAX_DEVS];
	bool cleaned[QT_MAX_DEVS];
	unsigned ndev;
	uint64_t line;     /* where it opened */
};

struct qt {
	struct vc_trace *t;
	struct vc_qemu_trace_stats st;
	struct u64map tids;
	struct proc *procs;
	size_t nprocs, cap_procs;
	struct conn *conns;
	size_t nconns, cap_conns;
	uint32_t *free_conns;    /* closed slots, reused: the table holds open ones */
	size_t nfree, cap_free;
	uint32_t cur_proc;       /* the process of the last record, or NO_SESSION */
	bool warned_prefix;      /* the prefix-change warning was given */
	bool warned_open;        /* ... the QT_MAX_OPEN one */
	uint32_t noprefix_proc;  /* process for lines without tid, or NO_SESSION */
	char first_other[48];    /* first other vhost_* event name */
};

static uint32_t new_proc(struct qt *q, bool has_tid, uint64_t tid)
{
	q->procs = xgrow(q->procs, &q->cap_procs, q->nprocs + 1, sizeof *q->procs);
	q->procs[q->nprocs] = (struct proc){ .has_tid = has_tid, .tid = tid, .cur = NO_CONN };
	return (uint32_t)q->nprocs++;
}

/* A record that opens a vhost-user connection: the start of a process
 * when it comes from a thread not seen before. */
static bool opens_connection(const struct vc_qlog_line *l)
{
	if (vc_qlog_name_is(l, "vhost_user_event")) {
		const struct vc_qlog_arg *a = vc_qlog_find(l, "event");
		return a && a->vlen == 1 && a->val[0] == '1';
	}
	if (vc_qlog_name_is(l, "vhost_user_write")) {
		const struct vc_qlog_arg *a = vc_qlog_find(l, "req");
		bool neg;
		uint64_t v;
		return a && vc_qlog_int(a->val, a->vlen, &neg, &v) == 0 && !neg && v == VU_GET_FEATURES;
	}
	return false;
}

static void prefix_changed(struct qt *q, uint64_t ln)
{
	if (q->warned_prefix)
		return;
	q->warned_prefix = true;
	vc_trace_warn(q->t, ln,
		      "the line prefix changes here (with and without \"tid@seconds:\", "
		      "-msg timestamp=on/off): taken as the same QEMU process");
}

/* The process a vhost_* record belongs to. */
static uint32_t proc_of(struct qt *q, const struct vc_qlog_line *l, uint64_t ln)
{
	uint32_t p;
	if (!l->has_tid) {
		if (q->cur_proc != NO_SESSION) {
			if (q->procs[q->cur_proc].has_tid)
				prefix_changed(q, ln);
			return q->cur_proc;
		}
		if (q->noprefix_proc == NO_SESSION)
			q->noprefix_proc = new_proc(q, false, 0);
		return q->cur_proc = q->noprefix_proc;
	}
	if (u64map_get(&q->tids, l->tid, &p))
		return q->cur_proc = p;
	uint32_t cur = q->cur_proc;
	if (cur == NO_SESSION || opens_connection(l)) {
		p = new_proc(q, true, l->tid);
	} else {
		p = cur;
		if (!q->procs[cur].has_tid)
			prefix_changed(q, ln);
	}
	u64map_put(&q->tids, l->tid, p);
	return q->cur_proc = p;
}

static void emit_gap(struct qt *q, struct conn *c, uint64_t ln, int64_t time_ns)
{
	if (c->session == NO_SESSION || c->gap)
		return;
	c->gap = true;
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_GAP;
	ev.session = c->session;
	ev.time_ns = time_ns;
	ev.src.line = ln;
	vc_trace_add_event(q->t, &ev);
}

static void close_conn(struct qt *q, uint32_t ci)
{
	struct conn *c = &q->conns[ci];
	struct proc *pr = &q->procs[c->proc];
	c->open = false;
	if (pr->cur == ci)
		pr->cur = NO_CONN;
	for (unsigned i = 0; i < pr->nopen; i++)
		if (pr->open[i] == ci) {
			memmove(&pr->open[i], &pr->open[i + 1], (pr->nopen - i - 1) * sizeof pr->open[0]);
			pr->nopen--;
			break;
		}
	/* Never looked at again: its slot is reused. */
	q->free_conns = xgrow(q->free_conns, &q->cap_free, q->nfree + 1, sizeof *q->free_conns);
	q->free_conns[q->nfree++] = ci;
}

/* A connection of process p opens. A process has at most QT_MAX_OPEN
 * open at once (a hostile log opening more gets the oldest closed, with
 * a gap), so memory and every scan stay bounded. */
static uint32_t new_conn(struct qt *q, uint32_t p, const char *chr, size_t chr_len, uint64_t ln)
{
	struct proc *pr = &q->procs[p];
	if (pr->nopen == QT_MAX_OPEN) {
		if (!q->warned_open)
			vc_trace_warn(q->t, ln, "more than %u connections open at once: the oldest is "
						"not judged further", QT_MAX_OPEN);
		q->warned_open = true;
		emit_gap(q, &q->conns[pr->open[0]], ln, -1);
		close_conn(q, pr->open[0]);
	}
	uint32_t ci;
	if (q->nfree) {
		ci = q->free_conns[--q->nfree];
	} else {
		q->conns = xgrow(q->conns, &q->cap_conns, q->nconns + 1, sizeof *q->conns);
		ci = (uint32_t)q->nconns++;
	}
	struct conn *c = &q->conns[ci];
	memset(c, 0, sizeof *c);
	c->proc = p;
	c->session = NO_SESSION;
	c->open = true;
	c->line = ln;
	if (chr_len >= sizeof c->chr)
		chr_len = sizeof c->chr - 1;
	memcpy(c->chr, chr, chr_len);
	c->chr[chr_len] = '\0';
	pr->open[pr->nopen++] = ci;
	pr->cur = ci;
	return ci;
}

/* The open connections of process p: how many, and the newest. */
static unsigned open_conns(const struct qt *q, uint32_t p, uint32_t *last)
{
	const struct proc *pr = &q->procs[p];
	if (pr->nopen)
		*last = pr->open[pr->nopen - 1];
	return pr->nopen;
}

/* The open connection a vhost_dev was tied to, or NO_CONN. */
static uint32_t conn_of_dev(const struct qt *q, uint32_t p, uint64_t dev, unsigned *slot)
{
	const struct proc *pr = &q->procs[p];
	for (unsigned i = pr->nopen; i-- > 0;) {
		const struct conn *c = &q->conns[pr->open[i]];
		for (unsigned d = 0; d < c->ndev; d++)
			if (c->dev[d] == dev) {
				*slot = d;
				return pr->open[i];
			}
	}
	return NO_CONN;
}

/* The "0x55ed245f15d0" (or "0x...:name") first token of a vhost_dev_* record. */
static bool dev_ptr(const struct vc_qlog_line *l, uint64_t *dev)
{
	const char *s = l->rest;
	size_t n = 0;
	while (n < l->rest_len && s[n] != ':' && !is_blank(s[n]))
		n++;
	bool neg;
	return n > 2 && vc_qlog_int(s, n, &neg, dev) == 0 && !neg;
}

/* A vhost_user_event or vhost_dev_* record: connection boundaries and
 * which connection the following messages are on. */
static void conn_event(struct qt *q, uint32_t p, const struct vc_qlog_line *l, uint64_t ln)
{
	struct proc *pr = &q->procs[p];
	if (vc_qlog_name_is(l, "vhost_user_event")) {
		const struct vc_qlog_arg *chr = vc_qlog_find(l, "chr");
		const struct vc_qlog_arg *ev = vc_qlog_find(l, "event");
		if (!chr || !ev || ev->vlen != 1)
			return;
		pr->events = pr->chr_events = true;
		size_t cl = chr->vlen < 31 ? chr->vlen : 31;
		/* The chardev's connection, if one is open. */
		uint32_t same = NO_CONN;
		for (unsigned i = 0; i < pr->nopen; i++) {
			const struct conn *c = &q->conns[pr->open[i]];
			if (strlen(c->chr) == cl && memcmp(c->chr, chr->val, cl) == 0)
				same = pr->open[i];
		}
		if (ev->val[0] == '1') {        /* CHR_EVENT_OPENED */
			if (same != NO_CONN)
				close_conn(q, same);
			uint32_t last;
			if (open_conns(q, p, &last) && !pr->warned_shared)
				vc_trace_warn(q->t, ln,
					      "a second connection opens while another is open (two "
					      "devices): each one's negotiation is told apart by its "
					      "chardev event, a message after it goes to the connection "
					      "opened last, which the log cannot confirm");
			pr->warned_shared |= open_conns(q, p, &last) > 0;
			(void)new_conn(q, p, chr->val, cl, ln);
		} else if (ev->val[0] == '4') { /* CHR_EVENT_CLOSED */
			if (same != NO_CONN)
				close_conn(q, same);
		}
		return;
	}
	bool start = vc_qlog_name_is(l, "vhost_dev_start") || vc_qlog_name_is(l, "vhost_dev_stop");
	bool cleanup = vc_qlog_name_is(l, "vhost_dev_cleanup");
	uint64_t dev;
	if ((!start && !cleanup) || !dev_ptr(l, &dev))
		return;
	pr->events = true;
	unsigned slot = 0;
	uint32_t ci = conn_of_dev(q, p, dev, &slot);
	if (ci == NO_CONN) {
		uint32_t last = NO_CONN;
		unsigned n = open_conns(q, p, &last);
		/* A vhost_dev torn down that never ran: with chardev events in
		 * the log they alone delimit connections (QEMU 7.2 net cleans
		 * up the old vhost_dev after the reconnected one negotiated);
		 * without them (vhost-user-blk) it ends the one open. */
		if (cleanup && (n != 1 || pr->chr_events))
			return;
		if (n == 0) {
			/* Its connection opened before the log began. */
			ci = new_conn(q, p, "", 0, ln);
		} else if (n == 1) {
			ci = last;
		} else {
			/* Two devices: nothing in the log ties this vhost_dev to one. */
			vc_trace_warn(q->t, ln,
				      "vhost_dev %#" PRIx64 " seen first with %u connections open: which one "
				      "it uses is not in the log; those connections are not judged further",
				      dev, n);
			while (pr->nopen) {
				emit_gap(q, &q->conns[pr->open[0]], ln, l->time_ns);
				close_conn(q, pr->open[0]);
			}
			/* What follows goes to a connection judged from a gap. */
			ci = new_conn(q, p, "", 0, ln);
			q->conns[ci].gap = true;
		}
		struct conn *c = &q->conns[ci];
		if (c->ndev < QT_MAX_DEVS) {
			slot = c->ndev++;
			c->dev[slot] = dev;
			c->cleaned[slot] = false;
		}
	}
	struct conn *c = &q->conns[ci];
	if (start) {
		pr->cur = ci;
		return;
	}
	/* vhost_dev_cleanup: the connection ends with its last vhost_dev. */
	if (slot < c->ndev)
		c->cleaned[slot] = true;
	bool all = true;
	for (unsigned d = 0; d < c->ndev; d++)
		all &= c->cleaned[d];
	if (all)
		close_conn(q, ci);
}

/* Integer argument of a read/write record; a message on failure. */
static bool msg_field(const struct vc_qlog_line *l, const char *key, uint32_t *out, char *why,
		      size_t whylen)
{
	const struct vc_qlog_arg *a = vc_qlog_find(l, key);
	if (!a) {
		snprintf(why, whylen, "no '%s:' field", key);
		return false;
	}
	if (!a->vlen) {
		snprintf(why, whylen, "empty '%s' value", key);
		return false;
	}
	bool neg;
	uint64_t v;
	/* QEMU prints req with %d: a value above 2^31-1 would come out negative. */
	if (vc_qlog_int(a->val, a->vlen, &neg, &v) != 0 || (neg && v > 0x80000000ull) ||
	    (!neg && v > UINT32_MAX)) {
		snprintf(why, whylen, "bad '%s' value '%.*s' (expected an integer -2^31..2^32-1)", key,
			 (int)(a->vlen > 40 ? 40 : a->vlen), a->val);
		return false;
	}
	*out = neg ? (uint32_t)(0u - (uint32_t)v) : (uint32_t)v;
	return true;
}

static void sanitize(char *dst, size_t dlen, const char *s, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < dlen; i++)
		dst[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[j] = 0;
}

/* A message the log shows but that could not be read: a gap in the
 * connection it was on (nothing after it is judged). */
static void lost_message(struct qt *q, uint32_t p, uint64_t ln, int64_t time_ns)
{
	if (p == NO_SESSION || q->procs[p].cur == NO_CONN)
		return;
	emit_gap(q, &q->conns[q->procs[p].cur], ln, time_ns);
}

/* A vhost_user_read/write record: add the event (true), or warn. */
static bool add_msg(struct qt *q, const struct vc_qlog_line *l, bool is_write, uint64_t ln)
{
	const char *name = is_write ? "vhost_user_write" : "vhost_user_read";
	char why[128];
	uint32_t req, flags;
	if (!msg_field(l, "req", &req, why, sizeof why) ||
	    !msg_field(l, "flags", &flags, why, sizeof why)) {
		q->st.malformed++;
		vc_trace_warn(q->t, ln, "malformed %s record skipped: %s", name, why);
		lost_message(q, proc_of(q, l, ln), ln, l->time_ns);
		return false;
	}
	uint32_t p = proc_of(q, l, ln);
	struct proc *pr = &q->procs[p];
	uint32_t ci = pr->cur;
	if (ci == NO_CONN || !q->conns[ci].open) {
		uint32_t last = NO_CONN;
		ci = open_conns(q, p, &last) == 1 ? last : new_conn(q, p, "", 0, ln);
		pr->cur = ci;
	}
	struct conn *c = &q->conns[ci];
	if (c->session == NO_SESSION) {
		char sname[96];
		int k = pr->has_tid ? snprintf(sname, sizeof sname, "qemu pid %" PRIu64, pr->tid)
				    : snprintf(sname, sizeof sname, "qemu");
		/* The first connection keeps the process's name. */
		if (pr->nconns++ && k > 0 && (size_t)k < sizeof sname)
			snprintf(sname + k, sizeof sname - (size_t)k, " connection %u%s%s%s", pr->nconns,
				 c->chr[0] ? " (" : "", c->chr, c->chr[0] ? ")" : "");
		c->session = vc_trace_add_session(q->t, VC_SIDE_FRONTEND, sname);
		q->st.processes++;
		if (c->gap) {
			c->gap = false;
			emit_gap(q, c, ln, l->time_ns);
		}
	}
	if (is_write && req == VU_SET_OWNER && !(flags & VU_FLAG_REPLY)) {
		if (c->owner && !pr->events) {
			vc_trace_warn(q->t, ln,
				      "SET_OWNER again with no connection event in the log (trace "
				      "vhost_user_event and vhost_dev_*): a reconnect cannot be told from "
				      "a resent SET_OWNER; the session is not judged further");
			emit_gap(q, c, ln, l->time_ns);
		}
		c->owner = true;
	}
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_MSG;
	ev.dir = is_write ? VC_DIR_FE_TO_BE : VC_DIR_BE_TO_FE;
	ev.session = c->session;
	ev.time_ns = l->time_ns;
	ev.src.line = ln;
	ev.u.vu.chan = VU_CHAN_MAIN;
	ev.u.vu.request = req;
	ev.u.vu.flags = flags;
	vc_trace_add_event(q->t, &ev);
	q->st.messages++;
	return true;
}

static bool starts_with(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s, p, pl) == 0;
}

/* A read/write record that does not start the line (another writer's
 * output without a newline before it): its start, walking back over a
 * "tid@sec.frac:" prefix. Returns the offset or len if none. */
static size_t find_embedded(const char *l, size_t n)
{
	const char *best = NULL;
	static const char *const names[] = { "vhost_user_write", "vhost_user_read" };
	for (int k = 0; k < 2; k++) {
		const char *m = memmem(l, n, names[k], strlen(names[k]));
		if (m && (!best || m < best))
			best = m;
	}
	if (!best)
		return n;
	size_t at = (size_t)(best - l);
	if (at && l[at - 1] == ':') {
		/* walk back over digits, '.', digits, '@', digits */
		size_t b = at - 1;
		while (b > 0 && (is_digit(l[b - 1]) || l[b - 1] == '.' || l[b - 1] == '@'))
			b--;
		uint64_t tid;
		int64_t ns;
		if (vc_qlog_tid_prefix(l + b, n - b, &tid, &ns) == at - b)
			return b;
	}
	return at;
}

int vc_import_qemu_trace_ex(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err,
			    struct vc_qemu_trace_stats *st)
{
	struct qt q;
	memset(&q, 0, sizeof q);
	q.t = t;
	q.noprefix_proc = NO_SESSION;
	q.cur_proc = NO_SESSION;
	uint64_t ln = 0;
	int rc = 0;

	struct vc_lines it;
	vc_lines_init(&it, buf, len);
	const char *l;
	size_t n;
	while (vc_lines_next(&it, &l, &n)) {
		ln = it.ln;
		struct vc_qlog_line ql;
		bool ok = vc_qlog_parse(l, n, &ql);
		if (ok && starts_with(ql.name, ql.name_len, "vhost_")) {
			if (vc_qlog_name_is(&ql, "vhost_user_write") || vc_qlog_name_is(&ql, "vhost_user_read")) {
				add_msg(&q, &ql, vc_qlog_name_is(&ql, "vhost_user_write"), ln);
			} else {
				if (!q.st.other_vhost++)
					sanitize(q.first_other, sizeof q.first_other, ql.name, ql.name_len);
				/* Other vhost_* records still tell which thread is
				 * which, and where connections begin and end. */
				conn_event(&q, proc_of(&q, &ql, ln), &ql, ln);
			}
			continue;
		}
		/* Not a vhost record at the start of the line: maybe one that
		 * was glued onto other output, maybe a broken one. */
		size_t at = find_embedded(l, n);
		if (at == n)
			continue; /* ordinary noise */
		if (vc_qlog_parse(l + at, n - at, &ql) &&
		    (vc_qlog_name_is(&ql, "vhost_user_write") || vc_qlog_name_is(&ql, "vhost_user_read"))) {
			if (add_msg(&q, &ql, vc_qlog_name_is(&ql, "vhost_user_write"), ln)) {
				q.st.embedded++;
				vc_trace_warn(t, ln,
					      "%.*s record found mid-line (interleaved output?); imported",
					      (int)ql.name_len, ql.name);
			}
		} else {
			q.st.malformed++;
			char shown[64];
			sanitize(shown, sizeof shown, l, n);
			vc_trace_warn(t, ln, "malformed vhost_user_read/write line skipped: '%s'", shown);
			lost_message(&q, q.cur_proc, ln, -1);
		}
	}
	q.st.lines = ln;
	if (q.st.messages == 0) {
		rc = -1;
		char extra[160] = "";
		if (q.st.malformed)
			snprintf(extra, sizeof extra, "; %" PRIu64 " malformed vhost_user_read/write line%s skipped",
				 q.st.malformed, q.st.malformed == 1 ? "" : "s");
		if (len == 0)
			vc_error_set(err, t->source, 0, "empty file");
		else if (q.st.other_vhost)
			vc_error_set(err, t->source, 0,
				     "no vhost_user_read/vhost_user_write events, only %" PRIu64
				     " other vhost_* trace event%s (first: %s)%s "
				     "(was QEMU run with -trace 'vhost_user_*'?)",
				     q.st.other_vhost, q.st.other_vhost == 1 ? "" : "s", q.first_other, extra);
		else
			vc_error_set(err, t->source, 0,
				     "no vhost_user_read/vhost_user_write events%s "
				     "(was QEMU run with -trace 'vhost_user_*'?)",
				     extra);
	}
	if (st)
		*st = q.st;
	u64map_free(&q.tids);
	free(q.procs);
	free(q.conns);
	free(q.free_conns);
	return rc;
}

int vc_import_qemu_trace(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	return vc_import_qemu_trace_ex(t, buf, len, err, NULL);
}
