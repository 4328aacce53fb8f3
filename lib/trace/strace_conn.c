/* strace importer: the socket endpoints a log shows, their byte streams
 * framed into vhost-user messages, and the events they make (one I/O
 * syscall in, events out). The lines themselves are read in strace.c. */
#include "lib/trace/strace_conn.h"
#include "vcts/wire.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- small helpers ---------- */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

static const char *sys_name(enum st_sys s)
{
	static const char *const n[] = { "?", "read", "write", "readv", "writev",
					 "recvmsg", "sendmsg", "recvfrom", "sendto" };
	return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

struct pidst *stc_pid_get(struct imp *m, int64_t pid)
{
	uint32_t idx;
	if (st_hash_get(&m->pid_idx, HK_PID, (uint64_t)pid, 0, &idx))
		return &m->pids[idx];
	m->pids = xgrow(m->pids, &m->cap_pids, m->npids + 1, sizeof *m->pids);
	struct pidst *ps = &m->pids[m->npids];
	memset(ps, 0, sizeof *ps);
	ps->pid = pid;
	st_hash_put(&m->pid_idx, HK_PID, (uint64_t)pid, 0, (uint32_t)m->npids);
	m->npids++;
	return ps;
}

void stc_stream_free(struct vstream *s)
{
	vu_framer_free(&s->fr);
	free(s->fds);
	memset(s, 0, sizeof *s);
}

static void stream_clear_fds(struct vstream *s)
{
	s->nfds_stored = s->nfds_total = 0;
	s->bc_valid = s->bc_has_peer = false;
	s->fds_lost = false;
}

/* Message direction for bytes moving OUT of or IN to an endpoint. */
static uint8_t msg_dir(const struct ep *e, int d)
{
	bool fe_sent = (d == DIR_OUT) == e->is_fe;
	return fe_sent ? VC_DIR_FE_TO_BE : VC_DIR_BE_TO_FE;
}

static void ep_name(const struct ep *e, char *buf, size_t len)
{
	size_t o = 0;
	int r;
#define APP(...)                                                                   \
	do {                                                                       \
		r = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__);         \
		if (r > 0)                                                         \
			o = o + (size_t)r < len ? o + (size_t)r : len;             \
	} while (0)
	buf[0] = '\0';
	if (e->pid >= 0)
		APP("pid %lld ", (long long)e->pid);
	APP("fd %lld", (long long)e->fd);
	if (e->type[0]) {
		APP(" %s:[%llu", e->type, (unsigned long long)e->inode);
		if (e->has_peer)
			APP("->%llu", (unsigned long long)e->peer);
		APP("]");
	}
	if (e->path[0])
		APP(" %s", e->path);
#undef APP
}

static void fd_describe(const struct st_fdarg *a, struct vc_fd *f)
{
	memset(f, 0, sizeof *f);
	f->size = -1;
	if (!a->ann) {
		snprintf(f->name, sizeof f->name, "fd %lld", (long long)a->num);
		f->kind = VC_FD_UNKNOWN;
		f->ident = 0;
		return;
	}
	char txt[VC_FD_NAME_MAX + 16];
	st_decode_text(a->ann, a->ann_len, txt, sizeof txt);
	if (a->deleted) {
		size_t l = strlen(txt);
		snprintf(txt + l, sizeof txt - l, " (deleted)");
	}
	snprintf(f->name, sizeof f->name, "%.*s", VC_FD_NAME_MAX - 1, txt);
	f->ident = fnv1a(txt);
	struct st_sock so;
	st_parse_sock(a->ann, a->ann_len, &so);
	if (strncmp(txt, "/memfd:", 7) == 0)
		f->kind = VC_FD_MEMFD;
	else if (strncmp(txt, "anon_inode:", 11) == 0)
		f->kind = strstr(txt, "userfaultfd") ? VC_FD_USERFAULTFD
			  : strstr(txt, "eventfd")   ? VC_FD_EVENTFD
						     : VC_FD_ANON;
	else if (strncmp(txt, "pipe:", 5) == 0)
		f->kind = VC_FD_PIPE;
	else if (so.is_socket)
		f->kind = VC_FD_SOCKET;
	else if (strncmp(txt, "/dev/shm/", 9) == 0 || strncmp(txt, "/dev/hugepages", 14) == 0)
		f->kind = VC_FD_FILE;
	else if (strncmp(txt, "/dev/", 5) == 0)
		f->kind = VC_FD_DEVICE;
	else if (txt[0] == '/')
		f->kind = VC_FD_FILE;
	else
		f->kind = VC_FD_UNKNOWN;
}

/* ---------- endpoints ---------- */

static void ep_unhash(struct imp *m, struct ep *e)
{
	uint32_t idx;
	if (st_hash_get(&m->ep_by_key, e->keykind, e->ka, e->kb, &idx) &&
	    &m->eps[idx] == e)
		st_hash_del(&m->ep_by_key, e->keykind, e->ka, e->kb);
}

static void ep_close(struct imp *m, struct ep *e)
{
	ep_unhash(m, e);
	stc_stream_free(&e->st[0]);
	stc_stream_free(&e->st[1]);
	e->state = EP_CLOSED;
}

static void ep_set_path(struct imp *m, struct ep *e, const char *path)
{
	if (!path[0] || e->path[0])
		return;
	snprintf(e->path, sizeof e->path, "%s", path);
	if (e->state == EP_VHOST && e->chan == VU_CHAN_MAIN && e->session < m->t->nsessions) {
		char name[VC_SESSION_NAME_MAX];
		ep_name(e, name, sizeof name);
		snprintf(m->t->sessions[e->session].name, sizeof m->t->sessions[e->session].name,
			 "%s", name);
	}
}

/* What socket an fd annotation names (none without one). */
static void fd_sock(struct imp *m, const struct st_fdarg *fd, struct st_sock *so)
{
	if (!fd->ann) {
		st_sock_clear(so);
		return;
	}
	bool memo = fd->ann_len <= SOCK_MEMO_TEXT && fd->ann_len > 0;
	if (memo)
		for (unsigned i = 0; i < SOCK_MEMO; i++) {
			const struct sock_memo *c = &m->memo[i];
			if (c->len == fd->ann_len && memcmp(c->text, fd->ann, c->len) == 0) {
				*so = c->so;
				if (so->type)
					so->type = fd->ann + c->type_off;
				return;
			}
		}
	st_parse_sock(fd->ann, fd->ann_len, so);
	if (memo) {
		struct sock_memo *c = &m->memo[m->memo_next++ % SOCK_MEMO];
		c->len = fd->ann_len;
		memcpy(c->text, fd->ann, fd->ann_len);
		c->so = *so;
		c->type_off = so->type ? (size_t)(so->type - fd->ann) : 0;
	}
}

/* Find or make the endpoint an I/O call went through; returns its index or
 * -1 when the fd is not a candidate (file, pipe, eventfd, TCP ...). */
int64_t stc_ep_lookup(struct imp *m, const struct st_call *k, int64_t pid, bool create)
{
	struct st_sock so;
	fd_sock(m, &k->fd, &so);
	if (k->fd.ann && (!so.is_socket || !so.maybe_unix))
		return -1;
	uint8_t kk;
	uint64_t a, b;
	if (so.has_inode) {
		kk = HK_INODE;
		a = so.inode;
		b = 0;
	} else {
		kk = HK_PIDFD;
		a = (uint64_t)pid;
		b = (uint64_t)k->fd.num;
	}
	uint32_t idx;
	if (st_hash_get(&m->ep_by_key, kk, a, b, &idx)) {
		struct ep *e = &m->eps[idx];
		if (so.path[0]) {
			struct ep *tgt = e->state == EP_MIRROR ? &m->eps[e->primary] : e;
			ep_set_path(m, tgt, so.path);
		}
		return idx;
	}
	if (!create)
		return -1;
	m->eps = xgrow(m->eps, &m->cap_eps, m->neps + 1, sizeof *m->eps);
	struct ep *e = &m->eps[m->neps];
	memset(e, 0, sizeof *e);
	e->keykind = kk;
	e->ka = a;
	e->kb = b;
	e->state = EP_UNDECIDED;
	e->pid = pid;
	e->fd = k->fd.num;
	e->has_inode = so.has_inode;
	e->inode = so.inode;
	e->has_peer = so.has_peer;
	e->peer = so.peer;
	if (so.is_socket)
		snprintf(e->type, sizeof e->type, "%.*s", (int)so.type_len, so.type);
	snprintf(e->path, sizeof e->path, "%s", so.path);
	uint32_t pidx;
	if (so.has_peer && st_hash_get(&m->ep_by_key, HK_INODE, so.peer, 0, &pidx)) {
		struct ep *pe = &m->eps[pidx];
		if (pe->state == EP_MIRROR)
			pidx = pe->primary;
		pe = &m->eps[pidx];
		e->primary = pidx;
		e->state = pe->state == EP_REJECTED ? EP_REJECTED : EP_MIRROR;
		ep_set_path(m, pe, so.path);
	} else if (so.has_inode && st_hash_get(&m->bc_by_inode, HK_BC, so.inode, 0, &pidx)) {
		const struct bcreg *r = &m->bcs[pidx];
		e->state = EP_VHOST;
		e->chan = VU_CHAN_BACKEND;
		e->session = r->session;
		e->is_fe = so.inode != r->be_inode;
	}
	st_hash_put(&m->ep_by_key, kk, a, b, (uint32_t)m->neps);
	return (int64_t)m->neps++;
}

/* ---------- framing ---------- */

static void stream_attach(struct vstream *s, const struct st_call *k)
{
	for (size_t i = 0; i < k->npfds; i++) {
		const struct st_fdarg *a = &k->pfds[i];
		if (s->nfds_total < UINT32_MAX)
			s->nfds_total++;
		if (s->nfds_stored < VC_EVENT_MAX_FDS) {
			if (!s->fds)
				s->fds = xcalloc(VC_EVENT_MAX_FDS, sizeof *s->fds);
			fd_describe(a, &s->fds[s->nfds_stored++]);
		}
		if (!s->bc_valid && a->ann) {
			struct st_sock so;
			st_parse_sock(a->ann, a->ann_len, &so);
			if (so.is_socket && so.has_inode) {
				s->bc_valid = true;
				s->bc_inode = so.inode;
				s->bc_has_peer = so.has_peer;
				s->bc_peer = so.peer;
			}
		}
	}
}

static void register_backend_channel(struct imp *m, struct ep *e, const struct vstream *s)
{
	if (!s->bc_valid) {
		vc_trace_warn(m->t, 0,
			      "SET_BACKEND_REQ_FD in session %u passed no socket strace could identify "
			      "(record with -yy); back-end channel not followed",
			      e->session);
		return;
	}
	m->bcs = xgrow(m->bcs, &m->cap_bcs, m->nbcs + 1, sizeof *m->bcs);
	m->bcs[m->nbcs].session = e->session;
	m->bcs[m->nbcs].be_inode = s->bc_inode;
	st_hash_put(&m->bc_by_inode, HK_BC, s->bc_inode, 0, (uint32_t)m->nbcs);
	if (s->bc_has_peer)
		st_hash_put(&m->bc_by_inode, HK_BC, s->bc_peer, 0, (uint32_t)m->nbcs);
	m->nbcs++;
}

/* An event of e's session in direction d, read at line. */
static void ev_start(struct vc_event *ev, const struct imp *m, const struct ep *e, int d,
		     enum vc_event_kind kind, uint64_t line, int64_t time_ns)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->dir = msg_dir(e, d);
	ev->session = e->session;
	ev->time_ns = time_ns;
	ev->src.file = m->t->source;
	ev->src.line = line;
}

static void emit_msg(struct imp *m, struct ep *e, int d, const uint8_t *pl, uint32_t plen,
		     uint64_t line, int64_t time_ns)
{
	struct vstream *s = &e->st[d];
	struct vc_event ev;
	ev_start(&ev, m, e, d, VC_EV_VU_MSG, line, time_ns);
	ev.nfds = s->nfds_total;
	ev.has_fds = !s->fds_lost; /* fd rules skip a message whose fds were cut */
	ev.fds = s->nfds_stored ? s->fds : NULL; /* copied by vc_trace_add_event */
	vc_vu_msg_set(&ev.u.vu, e->chan, vu_framer_request(&s->fr), vu_framer_flags(&s->fr),
		      vu_framer_size(&s->fr), pl, plen);
	vc_trace_add_event(m->t, &ev);
	bool is_reply = ev.u.vu.flags & VU_FLAG_REPLY;
	if (d == DIR_OUT && !is_reply)
		e->last_out_req = ev.u.vu.request;
	if (e->chan == VU_CHAN_MAIN && !is_reply && ev.dir == VC_DIR_FE_TO_BE &&
	    ev.u.vu.request == VU_SET_BACKEND_REQ_FD)
		register_backend_channel(m, e, s);
	stream_clear_fds(s);
}

static bool looks_like_request(const uint8_t *h)
{
	uint32_t req = vu_rd32(h), flags = vu_rd32(h + 4), size = vu_rd32(h + 8);
	return req >= 1 && req <= VU_REQ_MAX_FRONTEND &&
	       (flags & VU_FLAG_VERSION_MASK) == VU_VERSION && !(flags & VU_FLAG_REPLY) &&
	       size <= VU_SANE_MAX_PAYLOAD;
}

static void decide(struct imp *m, struct ep *e, int d)
{
	if (!looks_like_request(e->st[d].fr.hdr)) {
		e->state = EP_REJECTED;
		stc_stream_free(&e->st[0]);
		stc_stream_free(&e->st[1]);
		return;
	}
	e->state = EP_VHOST;
	e->chan = VU_CHAN_MAIN;
	e->is_fe = d == DIR_OUT;
	char name[VC_SESSION_NAME_MAX];
	ep_name(e, name, sizeof name);
	e->session = vc_trace_add_session(m->t, e->is_fe ? VC_SIDE_FRONTEND : VC_SIDE_BACKEND, name);
}

static void feed(struct imp *m, struct ep *e, int d, const uint8_t *data, size_t len,
		 const struct st_call *k, uint64_t line, int64_t time_ns)
{
	struct vstream *s = &e->st[d];
	bool fds_done = k->npfds == 0;
	while (!e->dead && (e->state == EP_UNDECIDED || e->state == EP_VHOST)) {
		/* fds travel with the syscall that carries a message's first byte. */
		if (vu_framer_idle(&s->fr) && !fds_done && len > 0) {
			stream_attach(s, k);
			fds_done = true;
		}
		enum vu_frame_status st = vu_framer_push(&s->fr, &data, &len);
		if (st == VU_FRAME_MORE)
			break;
		if (st == VU_FRAME_HEADER) {
			if (e->state == EP_UNDECIDED) {
				decide(m, e, d);
				if (e->state != EP_VHOST)
					return;
			}
			continue;
		}
		if (st == VU_FRAME_OVERSIZE) {
			if (e->state == EP_UNDECIDED) {
				decide(m, e, d); /* rejects it: no request is that large */
				if (e->state != EP_VHOST)
					return;
			}
			size_t avail = len > VU_PARSER_MAX_PAYLOAD ? VU_PARSER_MAX_PAYLOAD : len;
			char name[VC_SESSION_NAME_MAX];
			ep_name(e, name, sizeof name);
			vc_trace_warn(m->t, line,
				      "message header claims %u payload bytes (limit %u): stream "
				      "corrupt or not vhost-user; stopped framing %s",
				      vu_framer_size(&s->fr), VU_PARSER_MAX_PAYLOAD, name);
			emit_msg(m, e, d, data, (uint32_t)avail, line, time_ns);
			e->dead = true;
			return;
		}
		emit_msg(m, e, d, s->fr.pl, vu_framer_size(&s->fr), line, time_ns);
	}
	if (!fds_done && (e->state == EP_UNDECIDED || e->state == EP_VHOST) && !e->dead)
		stream_attach(s, k);
}

void stc_emit_eof(struct imp *m, struct ep *e, int d, bool partial, uint32_t pbytes,
		  uint64_t line, int64_t time_ns)
{
	struct vc_event ev;
	ev_start(&ev, m, e, d, VC_EV_VU_EOF, line, time_ns);
	ev.u.eof.partial = partial;
	ev.u.eof.partial_bytes = pbytes;
	vc_trace_add_event(m->t, &ev);
}

uint32_t stc_pending_bytes(const struct vstream *s)
{
	return vu_framer_pending(&s->fr);
}

static void on_peer_closed(struct imp *m, struct ep *e, uint64_t line, int64_t time_ns)
{
	if (e->state == EP_VHOST) {
		struct vstream *s = &e->st[DIR_IN];
		bool partial = !e->dead && !vu_framer_idle(&s->fr);
		if (e->chan == VU_CHAN_MAIN) {
			stc_emit_eof(m, e, DIR_IN, partial, partial ? stc_pending_bytes(s) : 0, line, time_ns);
		} else if (partial) {
			vc_trace_warn(m->t, line,
				      "back-end channel of session %u closed %u bytes into a message",
				      e->session, stc_pending_bytes(s));
		}
	}
	ep_close(m, e);
}

/* ---------- one I/O syscall ---------- */

/* The session lost bytes here: nothing after this is judged. */
void stc_emit_gap(struct imp *m, struct ep *e, int d, uint64_t line, int64_t time_ns)
{
	struct vc_event ev;
	ev_start(&ev, m, e, d, VC_EV_GAP, line, time_ns);
	vc_trace_add_event(m->t, &ev);
}

/* The front-end waited for a reply that never came (from start on). */
void stc_emit_stall(struct imp *m, struct ep *e, uint64_t line, int64_t start)
{
	if (e->stalled)
		return;
	e->stalled = true;
	struct vc_event ev;
	ev_start(&ev, m, e, DIR_IN, VC_EV_VU_STALL, line, start);
	ev.u.stall.owed_request = e->last_out_req;
	ev.u.stall.quiet_ns = (start >= 0 && m->last_time >= start) ? m->last_time - start : -1;
	vc_trace_add_event(m->t, &ev);
}

void stc_mark_dead(struct imp *m, struct ep *e, uint64_t line, const char *why)
{
	if (e->dead || (e->state != EP_VHOST && e->state != EP_UNDECIDED))
		return;
	e->dead = true;
	char name[VC_SESSION_NAME_MAX];
	ep_name(e, name, sizeof name);
	vc_trace_warn(m->t, line, "%s; stream unreliable, stopped framing %s", why, name);
	if (e->state == EP_VHOST)
		stc_emit_gap(m, e, DIR_IN, line, m->last_time);
}

static void count_fd(struct imp *m, const struct st_call *k, int64_t pid)
{
	struct st_sock so;
	fd_sock(m, &k->fd, &so);
	uint32_t dummy;
	uint8_t kk = so.has_inode ? HK_SEEN_INODE : HK_SEEN_PIDFD;
	uint64_t a = so.has_inode ? so.inode : (uint64_t)pid;
	uint64_t b = so.has_inode ? 0 : (uint64_t)k->fd.num;
	if (!st_hash_get(&m->seen, kk, a, b, &dummy)) {
		st_hash_put(&m->seen, kk, a, b, 1);
		m->nfds++;
	}
}

static bool is_would_block(const char *err)
{
	return strcmp(err, "EAGAIN") == 0 || strcmp(err, "EWOULDBLOCK") == 0;
}

void stc_handle_io(struct imp *m, const struct st_call *k, int64_t pid, uint64_t line,
		   int64_t time_ns, uint64_t start_line, int64_t start_time)
{
	m->nsys++;
	count_fd(m, k, pid);
	bool rd = st_sys_is_read(k->sys);
	struct pidst *ps = stc_pid_get(m, pid);
	bool blocked = rd && (!k->res_known || (k->res < 0 && !is_would_block(k->err)));
	int64_t idx = stc_ep_lookup(m, k, pid, !blocked && k->res_known && k->res >= 0);
	ps->stall = false;
	if (blocked) {
		if (idx >= 0 && m->eps[idx].state == EP_VHOST && m->eps[idx].chan == VU_CHAN_MAIN) {
			ps->stall = true;
			ps->stall_ep = (uint32_t)idx;
			ps->stall_line = start_line;
			ps->stall_time = start_time;
		}
		return;
	}
	if (idx < 0 || !k->res_known || k->res < 0)
		return;
	struct ep *e = &m->eps[idx];
	if (e->state != EP_UNDECIDED && e->state != EP_VHOST)
		return;
	if (k->peek)
		return;
	if (rd && k->res == 0) {
		on_peer_closed(m, e, line, time_ns);
		return;
	}
	if (e->dead)
		return;
	size_t want = (size_t)k->res;
	size_t have = k->data_absent ? 0 : k->data_len;
	size_t use = have < want ? have : want;
	/* A payload with every byte escaped and a printable one among them
	 * proves -xx; from then on a byte printed as itself is damage (an
	 * edited or mangled line), as is a read showing more bytes than it
	 * returned. Such bytes are never framed. */
	if (!m->xx && !k->raw_chars)
		for (size_t i = 0; i < have && i < 64; i++)
			if (k->data[i] >= 0x20 && k->data[i] < 0x7f) {
				m->xx = true;
				break;
			}
	if ((m->xx && k->raw_chars) || (rd && have > want && !k->data_cut)) {
		char why[200];
		if (m->xx && k->raw_chars)
			snprintf(why, sizeof why,
				 "damaged line: %u payload character%s not escaped in an -xx log",
				 k->raw_chars, k->raw_chars == 1 ? "" : "s");
		else
			snprintf(why, sizeof why, "damaged line: %s shows %zu bytes for a result of %zu",
				 sys_name(k->sys), have, want);
		stc_mark_dead(m, e, line, why);
		return;
	}
	if (k->ctrunc && k->npfds == 0 && e->state == EP_VHOST) {
		vc_trace_warn(m->t, line, "MSG_CTRUNC: fds that came with this message were lost; "
					  "its fds are not judged");
		e->st[rd ? DIR_IN : DIR_OUT].fds_lost = true;
	}
	feed(m, e, rd ? DIR_IN : DIR_OUT, k->data, use, k, line, time_ns);
	e = &m->eps[idx];
	if (have < want) {
		char why[200];
		if (k->data_absent)
			snprintf(why, sizeof why, "%s data of %zu bytes not shown", sys_name(k->sys),
				 want);
		else
			snprintf(why, sizeof why,
				 "strace cut the %s data (%zu of %zu bytes shown; record with -s 65536)",
				 sys_name(k->sys), have, want);
		stc_mark_dead(m, e, line, why);
	}
}
