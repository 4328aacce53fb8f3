/* strace importer, part 2: lines -> syscalls -> per-connection byte
 * streams -> vhost-user messages.
 *
 * Input: `strace [-f] -tt|-ttt -yy -xx -s 65536 -e trace=sendmsg,recvmsg,
 * read,write,readv,writev,sendto,recvfrom` of a front-end or a back-end.
 *
 * A socket endpoint is keyed by its local inode from -yy ("UNIX-STREAM:
 * [local->peer]"), or by (pid, fd) when strace did not annotate it. When
 * both ends of a connection were traced (-f over both peers), the end that
 * moved bytes first is used and the other is ignored (it sees the same
 * bytes). Each direction of an endpoint is framed into 12-byte header +
 * payload messages. An endpoint is vhost-user when the first complete
 * header looks like a front-end request; the side that sent it is the
 * front-end. The back-end channel is the socket passed with
 * SET_BACKEND_REQ_FD, matched through the inodes of the passed fd.
 * Endpoints, framing and events are strace_conn.c; this file reads the
 * lines (joining <unfinished ...> halves) and ends the trace.
 *
 * Everything is one pass over the buffer, with hash tables for lookups. */
#include "lib/trace/strace_conn.h"
#include "vcts/wire.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- lines ---------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* "HH:MM:SS[.frac]" or "secs[.frac]" followed by a blank. */
static bool parse_time(const char *l, size_t n, size_t *i, int64_t *out)
{
	size_t j = *i;
	uint64_t v[3] = { 0, 0, 0 };
	int parts = 0;
	for (;;) {
		size_t st = j;
		uint64_t x = 0;
		while (j < n && is_digit(l[j])) {
			if (x > 100000000000ull)
				return false;
			x = x * 10 + (uint64_t)(l[j] - '0');
			j++;
		}
		if (j == st)
			return false;
		v[parts++] = x;
		if (parts < 3 && j < n && l[j] == ':')
			j++;
		else
			break;
	}
	if (parts == 2)
		return false;
	uint64_t ns = 0;
	if (j < n && l[j] == '.') {
		j++;
		size_t st = j;
		uint64_t scale = 100000000;
		while (j < n && is_digit(l[j])) {
			ns += (uint64_t)(l[j] - '0') * scale;
			scale /= 10;
			j++;
		}
		if (j == st)
			return false;
	}
	if (j >= n || (l[j] != ' ' && l[j] != '\t'))
		return false;
	uint64_t secs;
	if (parts == 3) {
		if (v[1] > 59 || v[2] > 60 || v[0] > 1000)
			return false;
		secs = v[0] * 3600 + v[1] * 60 + v[2];
	} else {
		secs = v[0];
	}
	if (secs > 9000000000ull)
		return false;
	*out = (int64_t)(secs * 1000000000ull + ns);
	*i = j;
	return true;
}

static void bad_line(struct imp *m, uint64_t line, const char *what)
{
	if (m->good_lines) {
		vc_trace_warn(m->t, line, "skipped garbled line: %s", what);
		return;
	}
	m->early_bad_total++;
	if (m->nearly_bad < EARLY_BAD_MAX) {
		m->early_bad_line[m->nearly_bad] = line;
		snprintf(m->early_bad_what[m->nearly_bad], sizeof m->early_bad_what[0], "%s", what);
		m->nearly_bad++;
	}
}

static void good_line(struct imp *m)
{
	if (m->good_lines++ == 0) {
		for (size_t i = 0; i < m->nearly_bad; i++)
			vc_trace_warn(m->t, m->early_bad_line[i], "skipped garbled line: %s",
				      m->early_bad_what[i]);
		if (m->early_bad_total > m->nearly_bad)
			vc_trace_warn(m->t, 0, "%llu more garbled lines before the first good one",
				      (unsigned long long)(m->early_bad_total - m->nearly_bad));
	}
}

static bool ends_with(const char *s, size_t n, const char *suf, size_t *at)
{
	size_t l = strlen(suf);
	if (n < l || memcmp(s + n - l, suf, l) != 0)
		return false;
	*at = n - l;
	return true;
}

/* A call line (from its name on) that completed: parse and handle. */
/* A line that could not be read: if it was I/O on a vhost-user socket,
 * that stream lost bytes and cannot be framed any further. */
static void lost_bytes(struct imp *m, const char *s, size_t n, int64_t pid, uint64_t line,
		       const char *why)
{
	enum st_sys sys;
	struct st_fdarg fd;
	if (st_parse_head(s, n, &sys, &fd) != 0 || sys == ST_SYS_OTHER)
		return;
	struct st_call hk;
	memset(&hk, 0, sizeof hk);
	hk.sys = sys;
	hk.fd = fd;
	int64_t idx = stc_ep_lookup(m, &hk, pid, false);
	if (idx >= 0)
		stc_mark_dead(m, &m->eps[idx], line, why);
}

static void complete_call(struct imp *m, const char *s, size_t n, int64_t pid, uint64_t line,
			  int64_t time_ns, uint64_t start_line, int64_t start_time)
{
	struct st_call k;
	if (st_parse_call(&m->p, s, n, &k) != 0) {
		bad_line(m, line, m->p.what);
		lost_bytes(m, s, n, pid, line, "garbled syscall line");
		return;
	}
	good_line(m);
	if (k.sys == ST_SYS_OTHER)
		return;
	stc_handle_io(m, &k, pid, line, time_ns, start_line, start_time);
}

/* What one line is, decided from its text alone (no importer state), so
 * that it can be done apart from the import, on another thread. */
enum st_line_kind {
	SL_BLANK,      /* nothing but blanks */
	SL_GOOD,       /* a line of strace's own that carries nothing for us */
	SL_BAD,        /* garbled: what says why */
	SL_BADCALL,    /* a call line that did not parse: what; s, sn the call */
	SL_RESUMED,    /* "<... NAME resumed>REST": s, sn from "<..." */
	SL_UNFINISHED, /* "NAME(... <unfinished ...>": s, sn the call */
	SL_CALL,       /* a whole call: k */
};

struct st_line {
	uint8_t kind;
	bool has_time;
	uint64_t line;
	int64_t pid, time_ns;
	const char *s;
	size_t sn;
	const char *what;
	struct st_call k;
};

static void classify(struct st_parser *p, const char *l, size_t n, uint64_t line,
		     struct st_line *o)
{
	o->line = line;
	o->has_time = false;
	o->pid = -1;
	o->time_ns = -1;
	while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	o->kind = SL_BAD;
	o->s = l; /* a bad line's text, until the call is found */
	o->sn = n;
	if (i >= n) {
		o->kind = SL_BLANK;
		return;
	}
	if (memchr(l, '\0', n)) {
		o->what = "binary data (NUL byte)";
		return;
	}
	if (n - i >= 8 && memcmp(l + i, "strace: ", 8) == 0) {
		o->kind = SL_GOOD;
		return;
	}
	if (n - i > 5 && memcmp(l + i, "[pid", 4) == 0) {
		i += 4;
		while (i < n && l[i] == ' ')
			i++;
		int64_t v = 0;
		size_t st = i;
		while (i < n && is_digit(l[i]) && i - st < 10)
			v = v * 10 + (l[i++] - '0');
		if (i == st || i >= n || l[i] != ']') {
			o->what = "bad [pid N] prefix";
			return;
		}
		o->pid = v;
		i++;
	} else if (is_digit(l[i])) {
		size_t j = i;
		int64_t v = 0;
		while (j < n && is_digit(l[j]) && j - i < 10)
			v = v * 10 + (l[j++] - '0');
		if (j < n && (l[j] == ' ' || l[j] == '\t')) {
			o->pid = v;
			i = j;
		}
	}
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i < n && is_digit(l[i])) {
		if (!parse_time(l, n, &i, &o->time_ns)) {
			o->what = "not an strace line (bad time stamp)";
			return;
		}
		o->has_time = true;
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
	}
	const char *s = l + i;
	size_t sn = n - i;
	o->s = s;
	o->sn = sn;
	if (sn >= 4 && (memcmp(s, "--- ", 4) == 0 || memcmp(s, "+++ ", 4) == 0)) {
		o->kind = SL_GOOD;
		return;
	}
	if (sn >= 5 && memcmp(s, "<... ", 5) == 0) {
		o->kind = SL_RESUMED;
		return;
	}
	/* "NAME(" */
	size_t j = 0;
	while (j < sn && ((s[j] >= 'a' && s[j] <= 'z') || is_digit(s[j]) || s[j] == '_' ||
			  (s[j] >= 'A' && s[j] <= 'Z')))
		j++;
	if (j == 0 || j >= sn || s[j] != '(') {
		o->what = "not an strace line";
		return;
	}
	size_t at;
	if (ends_with(s, sn, "<unfinished ...>", &at)) {
		o->kind = SL_UNFINISHED;
		return;
	}
	if (st_parse_call(p, s, sn, &o->k) != 0) {
		o->kind = SL_BADCALL;
		o->what = p->what;
		return;
	}
	o->kind = SL_CALL;
}

/* "<... NAME resumed>REST": join it to the start its process left. */
static void do_resumed(struct imp *m, const char *s, size_t sn, int64_t pid, uint64_t line,
		       int64_t time_ns)
{
	struct pidst *ps;
	size_t j = 5, st = 5;
	while (j < sn && s[j] != ' ' && s[j] != '>')
		j++;
	size_t name_len = j - st;
	if (j + 9 > sn || memcmp(s + j, " resumed>", 9) != 0) {
		bad_line(m, line, "bad <... resumed> line");
		return;
	}
	const char *rest = s + j + 9;
	size_t rn = sn - j - 9;
	ps = stc_pid_get(m, pid);
	good_line(m);
	if (!ps->has_pend && pid < 0 && m->npids <= 64) {
		/* strace drops "[pid N]" once a single process is left:
		 * take the one process waiting in this call */
		struct pidst *cand = NULL;
		int ncand = 0;
		for (size_t q = 0; q < m->npids; q++) {
			struct pidst *o = &m->pids[q];
			if (o->has_pend && o->pend_len > name_len &&
			    memcmp(o->pend, s + st, name_len) == 0 && o->pend[name_len] == '(') {
				cand = o;
				ncand++;
			}
		}
		if (ncand == 1) {
			ps = cand;
			pid = cand->pid;
		}
	}
	if (!ps->has_pend || ps->pend_len < name_len ||
	    memcmp(ps->pend, s + st, name_len) != 0 || ps->pend[name_len] != '(') {
		vc_trace_warn(m->t, line, "resumed %.*s without its start; skipped",
			      (int)(name_len > 32 ? 32 : name_len), s + st);
		ps->has_pend = false;
		return;
	}
	ps->has_pend = false;
	if (memmem(rest, rn, "<unfinished ...>", 16)) {
		/* killed while in the call: only the head is known */
		struct st_call k;
		memset(&k, 0, sizeof k);
		if (st_parse_head(ps->pend, ps->pend_len, &k.sys, &k.fd) == 0 &&
		    k.sys != ST_SYS_OTHER) {
			k.res_known = false;
			stc_handle_io(m, &k, pid, line, time_ns, ps->pend_line, ps->pend_time);
		}
		return;
	}
	size_t jn = ps->pend_len + rn;
	if (jn > m->join_cap)
		m->join = xgrow(m->join, &m->join_cap, jn, 1);
	memcpy(m->join, ps->pend, ps->pend_len);
	memcpy(m->join + ps->pend_len, rest, rn);
	complete_call(m, m->join, jn, pid, line, time_ns, ps->pend_line, ps->pend_time);
}

/* "NAME(... <unfinished ...>": keep the start for its resumption. */
static void do_unfinished(struct imp *m, const char *s, size_t sn, int64_t pid, uint64_t line,
			  int64_t time_ns)
{
	size_t at = 0;
	(void)ends_with(s, sn, "<unfinished ...>", &at); /* classify() saw it */
	struct pidst *ps = stc_pid_get(m, pid);
	good_line(m);
	if (at > 0 && s[at - 1] == ' ')
		at--;
	if (at > ST_MAX_JOIN) {
		vc_trace_warn(m->t, line, "unfinished call line longer than %u bytes; skipped",
			      ST_MAX_JOIN);
		ps->has_pend = false;
		lost_bytes(m, s, sn, pid, line, "overlong line");
		return;
	}
	if (ps->has_pend)
		vc_trace_warn(m->t, ps->pend_line, "unfinished call never resumed");
	if (at > ps->pend_cap)
		ps->pend = xgrow(ps->pend, &ps->pend_cap, at, 1);
	memcpy(ps->pend, s, at);
	ps->pend_len = at;
	ps->has_pend = true;
	ps->pend_line = line;
	ps->pend_time = time_ns;
}

/* A line that is not strace's at all (its prefix mangled, two lines run
 * together): if an I/O call on a vhost-user socket can still be found in
 * it, that stream lost the call's bytes. */
static void lost_in_bad_line(struct imp *m, const struct st_line *o)
{
	static const char *const names[] = { "sendmsg(", "recvmsg(", "read(", "write(", "readv(",
					      "writev(", "sendto(", "recvfrom(" };
	if (!o->s || !o->sn)
		return;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *at = memmem(o->s, o->sn, names[i], strlen(names[i]));
		if (at)
			lost_bytes(m, at, o->sn - (size_t)(at - o->s), o->pid, o->line,
				   "unreadable line");
	}
}

static void apply(struct imp *m, const struct st_line *o)
{
	if (o->has_time)
		m->last_time = o->time_ns;
	switch (o->kind) {
	case SL_BLANK:
		return;
	case SL_GOOD:
		good_line(m);
		return;
	case SL_BAD:
		bad_line(m, o->line, o->what);
		lost_in_bad_line(m, o);
		return;
	case SL_BADCALL:
		bad_line(m, o->line, o->what);
		lost_bytes(m, o->s, o->sn, o->pid, o->line, "garbled syscall line");
		return;
	case SL_RESUMED:
		do_resumed(m, o->s, o->sn, o->pid, o->line, o->time_ns);
		return;
	case SL_UNFINISHED:
		do_unfinished(m, o->s, o->sn, o->pid, o->line, o->time_ns);
		return;
	case SL_CALL:
		good_line(m);
		if (o->k.sys != ST_SYS_OTHER)
			stc_handle_io(m, &o->k, o->pid, o->line, o->time_ns, o->line, o->time_ns);
		return;
	}
}


/* ---------- end of trace ---------- */

static void finish(struct imp *m, uint64_t last_line)
{
	if (m->cut_tail) {
		/* strace ends every line with a newline: the file was cut, and
		 * what came after is lost. A session still open has a gap, not
		 * an end (nor a stall: the missing lines may hold the reply). */
		vc_trace_warn(m->t, m->cut_line,
			      "the file ends in the middle of this line (cut short?): sessions still "
			      "open are incomplete");
		for (size_t i = 0; i < m->neps; i++) {
			struct ep *e = &m->eps[i];
			if (e->state == EP_VHOST && e->chan == VU_CHAN_MAIN && !e->dead)
				stc_emit_gap(m, e, DIR_IN, m->cut_line, m->last_time);
		}
		return;
	}
	for (size_t i = 0; i < m->npids; i++) {
		struct pidst *ps = &m->pids[i];
		if (ps->has_pend) {
			struct st_call k;
			memset(&k, 0, sizeof k);
			if (st_parse_head(ps->pend, ps->pend_len, &k.sys, &k.fd) == 0 &&
			    st_sys_is_read(k.sys)) {
				int64_t idx = stc_ep_lookup(m, &k, ps->pid, false);
				if (idx >= 0 && m->eps[idx].state == EP_VHOST &&
				    m->eps[idx].chan == VU_CHAN_MAIN)
					stc_emit_stall(m, &m->eps[idx], ps->pend_line, ps->pend_time);
			}
		} else if (ps->stall && ps->stall_ep < m->neps) {
			struct ep *e = &m->eps[ps->stall_ep];
			if (e->state == EP_VHOST)
				stc_emit_stall(m, e, ps->stall_line, ps->stall_time);
		}
	}
	for (size_t i = 0; i < m->neps; i++) {
		struct ep *e = &m->eps[i];
		if (e->state != EP_VHOST || e->chan != VU_CHAN_MAIN)
			continue;
		int d = DIR_IN;
		bool partial = false;
		if (!e->dead) {
			if (!vu_framer_idle(&e->st[DIR_IN].fr)) {
				partial = true;
			} else if (!vu_framer_idle(&e->st[DIR_OUT].fr)) {
				partial = true;
				d = DIR_OUT;
			}
		}
		stc_emit_eof(m, e, d, partial, partial ? stc_pending_bytes(&e->st[d]) : 0, last_line,
			 m->last_time);
	}
}

/* Ends an import's state but keeps its arrays (for the spare). */
static void imp_clear(struct imp *m)
{
	for (size_t i = 0; i < m->neps; i++) {
		stc_stream_free(&m->eps[i].st[0]);
		stc_stream_free(&m->eps[i].st[1]);
	}
	m->neps = 0;
	for (size_t i = 0; i < m->npids; i++)
		free(m->pids[i].pend);
	m->npids = 0;
	m->nbcs = 0;
	st_hash_clear(&m->ep_by_key);
	st_hash_clear(&m->bc_by_inode);
	st_hash_clear(&m->pid_idx);
	st_hash_clear(&m->seen);
}

/* Bytes of the arrays a cleared import still holds. */
static size_t imp_kept(const struct imp *m)
{
	return m->cap_eps * sizeof *m->eps + m->cap_pids * sizeof *m->pids +
	       m->cap_bcs * sizeof *m->bcs + m->join_cap + m->p.data_cap + m->p.pfds_cap * sizeof *m->p.pfds +
	       (m->ep_by_key.cap + m->bc_by_inode.cap + m->pid_idx.cap + m->seen.cap) *
		       sizeof(struct st_hent);
}

static void imp_free(struct imp *m)
{
	imp_clear(m);
	free(m->eps);
	free(m->pids);
	free(m->bcs);
	free(m->join);
	st_hash_free(&m->ep_by_key);
	st_hash_free(&m->bc_by_inode);
	st_hash_free(&m->pid_idx);
	st_hash_free(&m->seen);
	st_parser_free(&m->p);
}

/* Incremental form (lib/trace/strace_priv.h): a streaming load feeds the
 * file a block of whole lines at a time. */
struct st_import {
	struct imp m;
	size_t first_session;
	uint64_t line;
	bool any;
};

/* One finished import is kept per thread with its arrays, when they are
 * small: a fuzzer or a check of many small files then allocates nothing
 * per file for the importer's own state. */
#define SPARE_MAX (256u * 1024u)
static __thread struct st_import *spare;

struct st_import *st_import_begin(struct vc_trace *t)
{
	struct st_import *s = spare;
	if (s) {
		spare = NULL;
		struct imp keep = s->m; /* cleared: only its arrays matter */
		memset(s, 0, sizeof *s);
		struct imp *m = &s->m;
		m->eps = keep.eps;
		m->cap_eps = keep.cap_eps;
		m->pids = keep.pids;
		m->cap_pids = keep.cap_pids;
		m->bcs = keep.bcs;
		m->cap_bcs = keep.cap_bcs;
		m->join = keep.join;
		m->join_cap = keep.join_cap;
		m->ep_by_key = keep.ep_by_key;
		m->bc_by_inode = keep.bc_by_inode;
		m->pid_idx = keep.pid_idx;
		m->seen = keep.seen;
		m->p = keep.p;
		m->p.what[0] = '\0';
	} else {
		s = xcalloc(1, sizeof *s);
	}
	s->m.t = t;
	s->m.last_time = -1;
	t->format = VC_FMT_STRACE;
	s->first_session = t->nsessions;
	return s;
}

/* A last line with no newline that does not parse was cut short (strace
 * ends every line with one; a whole last line without it is only an
 * edited file). */
static bool cut_short(const struct st_line *o)
{
	return o->kind == SL_BAD || o->kind == SL_BADCALL;
}

void st_import_lines(struct st_import *s, const char *buf, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		s->line++;
		for (size_t i = 0; i < ll && !s->any; i++)
			if (buf[pos + i] != ' ' && buf[pos + i] != '\t' && buf[pos + i] != '\r')
				s->any = true;
		struct st_line o;
		classify(&s->m.p, buf + pos, ll, s->line, &o);
		apply(&s->m, &o);
		if (!nl && cut_short(&o)) {
			s->m.cut_tail = true;
			s->m.cut_line = s->line;
		}
		pos += ll + (nl ? 1 : 0);
	}
}

/* A block classified apart from the import (lib/trace/strace_priv.h).
 * A call's decoded bytes, passed fds and a garbled call's reason live in
 * the parser's scratch until the next parse: they are copied to keep and
 * found again by offset. */
struct st_block {
	struct st_parser p;
	struct st_line *lines;
	size_t nlines, cap_lines;
	struct kept {             /* per line: where its copies are in keep */
		size_t data;      /* SL_CALL: decoded bytes; SL_BADCALL: the reason */
		size_t pfds;      /* SL_CALL: passed fds */
	} *off;
	size_t cap_off;
	uint8_t *keep;
	size_t nkeep, cap_keep;
	struct sv_pick {
		const char *l;
		size_t n;
		uint64_t ln;
	} *sv;                    /* the lines for the vDPA importer */
	size_t nsv, cap_sv;
	uint64_t first_line, total_lines;
	bool any;
	uint64_t cut_line;        /* a last line with no newline, 0 none */
};

struct st_block *st_block_new(void)
{
	return xcalloc(1, sizeof(struct st_block));
}

void st_block_free(struct st_block *b)
{
	if (!b)
		return;
	st_parser_free(&b->p);
	free(b->lines);
	free(b->off);
	free(b->keep);
	free(b->sv);
	free(b);
}

static size_t keep_bytes(struct st_block *b, const void *src, size_t n)
{
	size_t at = (b->nkeep + 7) & ~(size_t)7; /* fd arrays hold 8-byte fields */
	if (at + n > b->cap_keep)
		b->keep = xgrow(b->keep, &b->cap_keep, at + n, 1);
	if (n)
		memcpy(b->keep + at, src, n);
	b->nkeep = at + n;
	return at;
}

uint64_t st_block_classify(struct st_block *b, const char *buf, size_t len, uint64_t first_line)
{
	b->nlines = 0;
	b->nkeep = 0;
	b->nsv = 0;
	b->first_line = first_line;
	b->total_lines = 0;
	b->any = false;
	b->cut_line = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		b->total_lines++;
		if (b->nlines == b->cap_lines) {
			b->lines = xgrow(b->lines, &b->cap_lines, b->nlines + 1, sizeof *b->lines);
			b->off = xgrow(b->off, &b->cap_off, b->cap_lines, sizeof *b->off);
		}
		struct st_line *o = &b->lines[b->nlines];
		const char *l = buf + pos;
		classify(&b->p, l, ll, first_line + b->total_lines, o);
		if (!nl && cut_short(o))
			b->cut_line = first_line + b->total_lines;
		pos += ll + (nl ? 1 : 0);
		size_t sl = ll && l[ll - 1] == '\r' ? ll - 1 : ll; /* as vc_lines_next() */
		if (sv_line_wanted(l, sl)) {
			b->sv = xgrow(b->sv, &b->cap_sv, b->nsv + 1, sizeof *b->sv);
			b->sv[b->nsv++] = (struct sv_pick){ l, sl, first_line + b->total_lines };
		}
		if (o->kind == SL_BLANK)
			continue;
		b->any = true;
		if (o->kind == SL_CALL) {
			b->off[b->nlines].data = keep_bytes(b, o->k.data, o->k.data_len);
			b->off[b->nlines].pfds = keep_bytes(b, o->k.pfds, o->k.npfds * sizeof *o->k.pfds);
		} else if (o->kind == SL_BADCALL) {
			b->off[b->nlines].data = keep_bytes(b, o->what, strlen(o->what) + 1);
		}
		b->nlines++;
	}
	return b->total_lines;
}

void st_import_block(struct st_import *s, struct sv_import *vd, const struct st_block *b)
{
	for (size_t i = 0; i < b->nlines; i++) {
		struct st_line o = b->lines[i];
		if (o.kind == SL_CALL) {
			o.k.data = b->keep + b->off[i].data;
			o.k.pfds = (const struct st_fdarg *)(const void *)(b->keep + b->off[i].pfds);
		} else if (o.kind == SL_BADCALL) {
			o.what = (const char *)b->keep + b->off[i].data;
		}
		apply(&s->m, &o);
	}
	s->line = b->first_line + b->total_lines;
	s->any |= b->any;
	if (b->cut_line) {
		s->m.cut_tail = true;
		s->m.cut_line = b->cut_line;
	}
	for (size_t i = 0; i < b->nsv; i++)
		sv_import_line(vd, b->sv[i].l, b->sv[i].n, b->sv[i].ln);
	sv_import_skip(vd, b->total_lines);
}

int st_import_end(struct st_import *s, struct vc_error *err)
{
	struct imp *m = &s->m;
	struct vc_trace *t = m->t;
	int rc = 0;
	if (!s->any) {
		vc_error_set(err, t->source, 0, "empty strace log");
		rc = -1;
	} else if (!m->good_lines) {
		vc_error_set(err, t->source, m->nearly_bad ? m->early_bad_line[0] : 1,
			     "not an strace log: %s (expected \"[pid] HH:MM:SS.usec syscall(args) = "
			     "result\" lines from strace -tt -yy -xx)",
			     m->nearly_bad ? m->early_bad_what[0] : "no syscall lines");
		rc = -1;
	} else {
		finish(m, s->line);
		if (t->nsessions == s->first_session) {
			vc_error_set(err, t->source, 0,
				     "no vhost-user socket traffic found (%llu syscalls on %llu fds "
				     "examined)",
				     (unsigned long long)m->nsys, (unsigned long long)m->nfds);
			rc = -1;
		}
	}
	imp_clear(m);
	if (!spare && imp_kept(m) <= SPARE_MAX) {
		spare = s;
	} else {
		imp_free(m);
		free(s);
	}
	return rc;
}

int vc_import_strace(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	struct st_import *s = st_import_begin(t);
	st_import_lines(s, buf, len);
	return st_import_end(s, err);
}
