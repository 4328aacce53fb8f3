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
 *
 * Everything is one pass over the buffer, with hash tables for lookups. */
#include "vcts/trace.h"
#include "vcts/wire.h"
#include "lib/trace/strace_priv.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcts/vu_stream.h"

enum { DIR_OUT = 0, DIR_IN = 1 };

enum ep_state { EP_UNDECIDED = 0, EP_VHOST, EP_REJECTED, EP_MIRROR, EP_CLOSED };

/* Hash kinds */
enum { HK_INODE = 1, HK_PIDFD, HK_BC, HK_PID, HK_SEEN_INODE, HK_SEEN_PIDFD };

struct vstream {
	struct vu_framer fr;        /* a zeroed framer is ready to use */
	struct vc_fd *fds;          /* VC_EVENT_MAX_FDS, allocated on first fd */
	uint32_t nfds_stored, nfds_total;
	bool fds_lost;              /* MSG_CTRUNC: the next message's fds are unknown */
	/* first unix socket among the fds (for SET_BACKEND_REQ_FD) */
	bool bc_valid, bc_has_peer;
	uint64_t bc_inode, bc_peer;
};

struct ep {
	uint8_t keykind;
	uint64_t ka, kb;
	uint8_t state;
	uint8_t chan;               /* enum vu_channel */
	bool is_fe;                 /* this end belongs to the front-end */
	bool dead;                  /* framing stopped (data lost or corrupt) */
	bool stalled;
	uint32_t session;
	uint32_t primary;           /* for mirrors: the end that is used */
	int64_t pid, fd;
	bool has_inode, has_peer;
	uint64_t inode, peer;
	char type[24];
	char path[108];
	uint32_t last_out_req;
	struct vstream st[2];
};

struct pidst {
	int64_t pid;
	char *pend;                 /* the first half of an <unfinished ...> call */
	size_t pend_len, pend_cap;
	bool has_pend;
	uint64_t pend_line;
	int64_t pend_time;
	bool stall;                 /* last I/O was a read that never returned data */
	uint32_t stall_ep;
	uint64_t stall_line;
	int64_t stall_time;
};

struct bcreg {
	uint32_t session;
	uint64_t be_inode;
};

#define EARLY_BAD_MAX 16

/* The last few fd annotations parsed as sockets: the same few sockets
 * carry every call of a log. */
#define SOCK_MEMO 4
#define SOCK_MEMO_TEXT 96
struct sock_memo {
	size_t len;               /* 0: unused */
	char text[SOCK_MEMO_TEXT];
	struct st_sock so;
	size_t type_off;          /* so.type is a pointer into the text */
};

struct imp {
	struct vc_trace *t;
	struct st_parser p;
	struct ep *eps;
	size_t neps, cap_eps;
	struct st_hash ep_by_key;
	struct st_hash bc_by_inode;
	struct bcreg *bcs;
	size_t nbcs, cap_bcs;
	struct pidst *pids;
	size_t npids, cap_pids;
	struct st_hash pid_idx;
	struct st_hash seen;
	uint64_t nsys, nfds;
	int64_t last_time;
	uint64_t good_lines;
	uint64_t early_bad_line[EARLY_BAD_MAX];
	char early_bad_what[EARLY_BAD_MAX][160];
	size_t nearly_bad;
	uint64_t early_bad_total;
	char *join;
	size_t join_cap;
	struct sock_memo memo[SOCK_MEMO];
	unsigned memo_next;
	bool xx;                  /* payloads seen printed with -xx (every byte escaped) */
	bool cut_tail;            /* the last line has no newline: the file was cut */
	uint64_t cut_line;
};

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

static struct pidst *pid_get(struct imp *m, int64_t pid)
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

static void stream_free(struct vstream *s)
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
	stream_free(&e->st[0]);
	stream_free(&e->st[1]);
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
static int64_t ep_lookup(struct imp *m, const struct st_call *k, int64_t pid, bool create)
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
		stream_free(&e->st[0]);
		stream_free(&e->st[1]);
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

static void emit_eof(struct imp *m, struct ep *e, int d, bool partial, uint32_t pbytes,
		     uint64_t line, int64_t time_ns)
{
	struct vc_event ev;
	ev_start(&ev, m, e, d, VC_EV_VU_EOF, line, time_ns);
	ev.u.eof.partial = partial;
	ev.u.eof.partial_bytes = pbytes;
	vc_trace_add_event(m->t, &ev);
}

static uint32_t pending_bytes(const struct vstream *s)
{
	return vu_framer_pending(&s->fr);
}

static void on_peer_closed(struct imp *m, struct ep *e, uint64_t line, int64_t time_ns)
{
	if (e->state == EP_VHOST) {
		struct vstream *s = &e->st[DIR_IN];
		bool partial = !e->dead && !vu_framer_idle(&s->fr);
		if (e->chan == VU_CHAN_MAIN) {
			emit_eof(m, e, DIR_IN, partial, partial ? pending_bytes(s) : 0, line, time_ns);
		} else if (partial) {
			vc_trace_warn(m->t, line,
				      "back-end channel of session %u closed %u bytes into a message",
				      e->session, pending_bytes(s));
		}
	}
	ep_close(m, e);
}

/* ---------- one I/O syscall ---------- */

/* The session lost bytes here: nothing after this is judged. */
static void emit_gap(struct imp *m, struct ep *e, int d, uint64_t line, int64_t time_ns)
{
	struct vc_event ev;
	ev_start(&ev, m, e, d, VC_EV_GAP, line, time_ns);
	vc_trace_add_event(m->t, &ev);
}

static void mark_dead(struct imp *m, struct ep *e, uint64_t line, const char *why)
{
	if (e->dead || (e->state != EP_VHOST && e->state != EP_UNDECIDED))
		return;
	e->dead = true;
	char name[VC_SESSION_NAME_MAX];
	ep_name(e, name, sizeof name);
	vc_trace_warn(m->t, line, "%s; stream unreliable, stopped framing %s", why, name);
	if (e->state == EP_VHOST)
		emit_gap(m, e, DIR_IN, line, m->last_time);
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

static void handle_io(struct imp *m, const struct st_call *k, int64_t pid, uint64_t line,
		      int64_t time_ns, uint64_t start_line, int64_t start_time)
{
	m->nsys++;
	count_fd(m, k, pid);
	bool rd = st_sys_is_read(k->sys);
	struct pidst *ps = pid_get(m, pid);
	bool blocked = rd && (!k->res_known || (k->res < 0 && !is_would_block(k->err)));
	int64_t idx = ep_lookup(m, k, pid, !blocked && k->res_known && k->res >= 0);
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
		mark_dead(m, e, line, why);
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
		mark_dead(m, e, line, why);
	}
}

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
	int64_t idx = ep_lookup(m, &hk, pid, false);
	if (idx >= 0)
		mark_dead(m, &m->eps[idx], line, why);
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
	handle_io(m, &k, pid, line, time_ns, start_line, start_time);
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
	ps = pid_get(m, pid);
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
			handle_io(m, &k, pid, line, time_ns, ps->pend_line, ps->pend_time);
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
	struct pidst *ps = pid_get(m, pid);
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
			handle_io(m, &o->k, o->pid, o->line, o->time_ns, o->line, o->time_ns);
		return;
	}
}


/* ---------- end of trace ---------- */

static void emit_stall(struct imp *m, struct ep *e, uint64_t line, int64_t start)
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
				emit_gap(m, e, DIR_IN, m->cut_line, m->last_time);
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
				int64_t idx = ep_lookup(m, &k, ps->pid, false);
				if (idx >= 0 && m->eps[idx].state == EP_VHOST &&
				    m->eps[idx].chan == VU_CHAN_MAIN)
					emit_stall(m, &m->eps[idx], ps->pend_line, ps->pend_time);
			}
		} else if (ps->stall && ps->stall_ep < m->neps) {
			struct ep *e = &m->eps[ps->stall_ep];
			if (e->state == EP_VHOST)
				emit_stall(m, e, ps->stall_line, ps->stall_time);
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
		emit_eof(m, e, d, partial, partial ? pending_bytes(&e->st[d]) : 0, last_line,
			 m->last_time);
	}
}

/* Ends an import's state but keeps its arrays (for the spare). */
static void imp_clear(struct imp *m)
{
	for (size_t i = 0; i < m->neps; i++) {
		stream_free(&m->eps[i].st[0]);
		stream_free(&m->eps[i].st[1]);
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
