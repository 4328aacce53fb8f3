/* The fake's connections: set-up and close, the fds and watches each one
 * owns, the events it feeds the capture and the engine, and what is done
 * when its socket, back-end channel, kick fds or timers are ready. Every
 * received fd is closed or owned by exactly one place, every watched fd is
 * taken out of epoll before it is closed (epoll would otherwise keep
 * reporting a file the front-end still holds, with a pointer into freed
 * memory). */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/fdinfo.h"

#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* How long a connection cut mid-message stays open under lax=short-eof
 * when no stall time is set. */
#define ZOMBIE_MS 10000

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void vfu_conn_log(const struct vfu_conn *c, const char *fmt, ...)
{
	FILE *f = c->s->cfg.log;
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(f, "vhost-cts serve: [%s] ", c->name);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	va_end(ap);
	fflush(f);
}

void vfu_conn_count(struct vfu_conn *c, int what, uint64_t n)
{
	struct vfu_stats *st = &c->s->st;
	switch (what) {
	case VFU_CNT_CHAINS: st->chains_done += n; break;
	case VFU_CNT_CHAIN_ERR: st->chain_errors += n; break;
	case VFU_CNT_BAD_REGION: st->bad_regions += n; break;
	case VFU_CNT_MAPPED: st->mapped_regions += n; break;
	case VFU_CNT_DISK_READ: st->disk_reads += n; break;
	case VFU_CNT_DISK_WRITE: st->disk_writes += n; break;
	default: break;
	}
}

bool vfu_conn_lax(const struct vfu_conn *c, unsigned k)
{
	return k < VFU_RF_COUNT && (c->lax & VFU_RF_BIT(k));
}

uint8_t *vfu_conn_disk(struct vfu_conn *c)
{
	struct vfu_server *s = c->s;
	if (s->disk || s->disk_failed)
		return s->disk;
	uint64_t size = s->cfg.profile.disk_bytes;
	/* Anonymous, private, no swap reservation: zeros until written, and
	 * no fd (the fd count a driver watches stays what it was). */
	void *p = size && size <= SIZE_MAX ? mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
					   : MAP_FAILED;
	if (p == MAP_FAILED) {
		vfu_conn_log(c, "disk of %" PRIu64 " bytes cannot be mapped: %m; requests fail (IOERR)", size);
		s->disk_failed = true;
		return NULL;
	}
	s->disk = p;
	s->disk_len = (size_t)size;
	return s->disk;
}

struct vfu_ring *vfu_conn_ring(struct vfu_conn *c, uint32_t idx)
{
	return idx < VFU_MAX_RINGS ? &c->rings[idx] : NULL;
}

struct vfu_region *vfu_conn_regions(struct vfu_conn *c, uint32_t *n, uint32_t **pn)
{
	*n = c->nregions;
	if (pn)
		*pn = &c->nregions;
	return c->regions;
}

struct vfu_feat *vfu_conn_logging(struct vfu_conn *c)
{
	return (c->feat_acked & VU_BIT(VU_F_LOG_ALL)) && c->feat.log ? &c->feat : NULL;
}

const struct vfu_profile *vfu_conn_profile(const struct vfu_conn *c)
{
	return &c->s->cfg.profile;
}

void vfu_log_used(struct vfu_conn *c, uint32_t idx, uint64_t off, uint64_t len)
{
	/* The log SET_LOG_BASE mapped (fake_features.c), while LOG_ALL is
	 * acked, for a ring set up with VHOST_VRING_F_LOG. */
	struct vfu_feat *lg = vfu_conn_logging(c);
	if (!lg || idx >= VFU_MAX_RINGS || !len)
		return;
	const struct vfu_ring *r = &c->rings[idx];
	if (!(r->addr.flags & VU_VRING_F_LOG) || vfu_fault_on(c, VFU_FAULT_LOG_SKIP_USED))
		return;
	/* vhost-user.rst, Migration: page = addr / VHOST_LOG_PAGE, the used
	 * ring's first byte at log_guest_addr. */
	uint64_t a = r->addr.log + off;
	if (a + len - 1 < a)
		return;
	vfu_feat_log_write(lg, a, len);
}

void vfu_close_fd(struct vfu_server *s, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		s->st.fds_closed++;
		*fd = -1;
	}
}

int vfu_watch_add(struct vfu_server *s, int fd, struct vfu_watch *w)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = w };
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e);
}

void vfu_watch_del(struct vfu_server *s, int fd)
{
	if (fd >= 0)
		epoll_ctl(s->ep, EPOLL_CTL_DEL, fd, NULL);
}

void vfu_msg_free(struct vfu_server *s, struct vfu_msg *m)
{
	for (uint32_t i = 0; i < m->nkept; i++)
		vfu_close_fd(s, &m->fds[i]);
	free(m->payload);
	memset(m, 0, sizeof *m);
}

/* Take fd i of a message over (the caller now owns it). */
int vfu_msg_take_fd(struct vfu_msg *m, uint32_t i)
{
	if (i >= m->nkept)
		return -1;
	int fd = m->fds[i];
	m->fds[i] = -1;
	return fd;
}

/* The engine's reading: offered in an answered GET and acked. */
static enum vu_known pf_known(const struct vfu_conn *c, unsigned bit)
{
	return vu_pf_known(c->pf_answered, c->pf_offered, c->pf_acked_known, c->pf_acked, bit);
}

bool vfu_pf_negotiated(const struct vfu_conn *c, unsigned bit)
{
	return pf_known(c, bit) == VU_KNOWN_YES;
}

struct vu_owed vfu_owed(const struct vfu_conn *c, uint32_t req, uint32_t flags)
{
	return vu_reply_owed(VU_CHAN_MAIN, req, flags, pf_known(c, VU_PF_LOG_SHMFD), pf_known(c, VU_PF_REPLY_ACK));
}

/* broken: NULL, or the rules the event broke (vc_engine_feed_verdict). */
static void emit_judged(struct vfu_conn *c, struct vc_event *ev, struct vc_rule_set *broken)
{
	struct vfu_server *s = c->s;
	ev->session = c->sid;
	ev->index = c->nev++;
	ev->time_ns = now_ns();
	ev->src.file = s->cfg.source_name ? s->cfg.source_name : "live";
	/* Findings point at the event's line in the capture. */
	ev->src.line = ++s->rec_line;
	ev->src.is_offset = false;
	if (s->w && vc_native_event(s->w, ev) != 0)
		s->record_failed = true;
	if (broken)
		vc_engine_feed_verdict(s->eng, ev, broken);
	else
		vc_engine_feed(s->eng, ev);
}

void vfu_emit(struct vfu_conn *c, struct vc_event *ev)
{
	emit_judged(c, ev, NULL);
}

/* The refusal classes the engine's verdict on a request puts it in. */
uint32_t vfu_refusal_classes(const struct vfu_server *s, const struct vc_rule_set *broken)
{
	uint32_t mask = 0;
	for (unsigned k = 0; k < VFU_RF_COUNT; k++)
		if (vc_rule_set_meets(broken, &s->rf_rules[k]))
			mask |= VFU_RF_BIT(k);
	return mask;
}

void vfu_emit_msg_judged(struct vfu_conn *c, enum vc_dir dir, const struct vfu_msg *m,
			    struct vc_rule_set *broken)
{
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_MSG;
	ev.dir = (uint8_t)dir;
	ev.has_fds = true;
	ev.nfds = m->ntotal;
	/* The first nkept fds are described; the event only borrows them. */
	ev.fds = (struct vc_fd *)m->info;
	vc_vu_msg_set(&ev.u.vu, m->chan, m->req, m->flags, m->size, m->payload, m->len);
	ev.u.vu.has_payload = !m->truncated;
	emit_judged(c, &ev, broken);
}

void vfu_emit_msg(struct vfu_conn *c, enum vc_dir dir, const struct vfu_msg *m)
{
	vfu_emit_msg_judged(c, dir, m, NULL);
}

void vfu_arm_timer(int tfd, uint32_t ms)
{
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	timerfd_settime(tfd, 0, &its, NULL);
}

int vfu_ensure_timer(struct vfu_conn *c, int *tfd, struct vfu_watch *w, enum vfu_watch_kind k)
{
	if (*tfd >= 0)
		return 0;
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (*tfd < 0)
		return -1;
	w->kind = k;
	w->c = c;
	if (vfu_watch_add(c->s, *tfd, w) != 0) {
		close(*tfd);
		*tfd = -1;
		return -1;
	}
	return 0;
}

struct vfu_conn *vfu_conn_new(struct vfu_server *s, int fd, bool from_connect)
{
	struct vfu_conn *c = xcalloc(1, sizeof *c);
	c->s = s;
	c->fd = fd;
	c->be_fd = c->delay_tfd = c->stall_tfd = c->held_fd = -1;
	c->from_connect = from_connect;
	c->ordinal = ++s->nconns_total;
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++) {
		c->rings[i].kick_fd = c->rings[i].call_fd = c->rings[i].err_fd = -1;
		c->rings[i].avail_wrap = c->rings[i].used_wrap = true; /* a fresh packed ring */
		c->rings[i].kw.kind = VFU_W_KICK;
		c->rings[i].kw.c = c;
		c->rings[i].kw.ring = i;
	}
	vfu_feat_init(&c->feat, &s->cfg.profile);
	/* What it is offered, then what faults change of that. */
	c->feat_offered = s->cfg.profile.features;
	c->pf_offered = s->cfg.profile.protocol_features;
	vfu_faults_conn(c);
	const char *where = s->listen_path[0] ? s->listen_path : s->connect_path[0] ? s->connect_path : "adopted fd";
	snprintf(c->name, sizeof c->name, "%s #%u %s", s->cfg.label ? s->cfg.label : "vhost-user",
		 c->ordinal, where);
	struct vc_session sess = { .traced_side = VC_SIDE_LIVE,
				   .source = s->cfg.source_name ? s->cfg.source_name : "live",
				   .queues = s->cfg.profile.rings };
	snprintf(sess.name, sizeof sess.name, "%s", c->name);
	c->sid = vc_engine_add_session(s->eng, &sess);
	sess.id = c->sid;
	if (s->w) {
		if (vc_native_session(s->w, &sess) != 0)
			s->record_failed = true;
		s->rec_line++;
	}
	s->names = xgrow(s->names, &s->cap_names, (size_t)c->sid + 1, sizeof *s->names);
	if (c->sid >= s->nnames)
		s->nnames = (size_t)c->sid + 1;
	snprintf(s->names[c->sid], sizeof s->names[0], "%s", c->name);
	c->w_sock.kind = VFU_W_SOCK;
	c->w_sock.c = c;
	c->w_be.kind = VFU_W_BACKEND;
	c->w_be.c = c;
	if (vfu_watch_add(s, fd, &c->w_sock) != 0) {
		/* Still a session: it ends at once. */
		c->next = s->conns;
		s->conns = c;
		s->st.connections++;
		s->st.open_connections++;
		vfu_conn_close(c, true, false, 0);
		return NULL;
	}
	c->next = s->conns;
	s->conns = c;
	s->st.connections++;
	s->st.open_connections++;
	return c;
}

void vfu_ring_reset_fds(struct vfu_conn *c, struct vfu_ring *r)
{
	if (r->kick_watched)
		vfu_watch_del(c->s, r->kick_fd);
	r->kick_watched = false;
	vfu_close_fd(c->s, &r->kick_fd);
	vfu_close_fd(c->s, &r->call_fd);
	vfu_close_fd(c->s, &r->err_fd);
}

void vfu_close_backend(struct vfu_conn *c)
{
	if (c->be_fd < 0)
		return;
	vfu_watch_del(c->s, c->be_fd);
	vfu_close_fd(c->s, &c->be_fd);
	vfu_reader_free(c->s, &c->be_rd);
	memset(&c->be_rd, 0, sizeof c->be_rd);
	c->be_owed = 0;
}

void vfu_conn_close(struct vfu_conn *c, bool by_us, bool partial, uint32_t partial_bytes)
{
	struct vfu_server *s = c->s;
	if (c->dead)
		return;
	c->dead = true;
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_EOF;
	ev.dir = by_us ? VC_DIR_BE_TO_FE : VC_DIR_FE_TO_BE;
	ev.u.eof.partial = partial;
	ev.u.eof.partial_bytes = partial_bytes;
	vfu_emit(c, &ev);
	vc_engine_end_session(s->eng, c->sid);
	s->st.sessions_ended++;
	vfu_watch_del(s, c->fd);
	/* The connection itself is not a received fd: not counted. */
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	vfu_close_backend(c);
	if (c->delay_tfd >= 0) {
		vfu_watch_del(s, c->delay_tfd);
		close(c->delay_tfd);
		c->delay_tfd = -1;
	}
	if (c->stall_tfd >= 0) {
		vfu_watch_del(s, c->stall_tfd);
		close(c->stall_tfd);
		c->stall_tfd = -1;
	}
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		vfu_ring_reset_fds(c, &c->rings[i]);
	vfu_regions_clear(c);
	vfu_feat_free(&c->feat);
	vfu_reader_free(s, &c->rd);
	for (uint32_t i = 0; i < c->nqueue; i++) {
		vfu_msg_free(s, c->queue[i]);
		free(c->queue[i]);
	}
	c->nqueue = 0;
	free(c->held_buf);
	c->held_buf = NULL;
	if (c->held_fd >= 0)
		close(c->held_fd);
	c->held_fd = -1;
	c->holding = false;
	s->st.open_connections--;
	/* Unlink now; free after the current batch of epoll events. */
	for (struct vfu_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->next = s->dead;
	s->dead = c;
	if (c->from_connect && s->cfg.reconnect && !s->stop && s->reconn_tfd >= 0)
		vfu_arm_timer(s->reconn_tfd, 1);
}

void vfu_reap(struct vfu_server *s)
{
	if (!s->dead)
		return;
	while (s->dead) {
		struct vfu_conn *c = s->dead;
		s->dead = c->next;
		free(c);
	}
	/* The last connection is gone: hand the freed heap back. Each
	 * connection holds about 70 KiB (its own state and the engine's
	 * session) and those blocks sit below malloc's mmap threshold, so a
	 * burst of connections open at once leaves its high-water mark in the
	 * heap; without this a long-running serve keeps the RSS of its worst
	 * burst for good (200 at once: +14 MB). */
	if (!s->conns)
		malloc_trim(0);
}

/* Take the kicks that are already pending on this connection's rings. */
void vfu_drain_kicks(struct vfu_conn *c)
{
	struct pollfd p[VFU_MAX_RINGS];
	uint32_t idx[VFU_MAX_RINGS], n = 0;
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		if (c->rings[i].kick_watched && c->rings[i].kick_fd >= 0) {
			p[n].fd = c->rings[i].kick_fd;
			p[n].events = POLLIN;
			p[n].revents = 0;
			idx[n++] = i;
		}
	if (!n || poll(p, n, 0) <= 0)
		return;
	for (uint32_t k = 0; k < n && !c->dead; k++)
		if (p[k].revents & POLLIN)
			vfu_on_kick(c, idx[k]);
}

void vfu_on_sock(struct vfu_conn *c)
{
	for (int burst = 0; burst < 64 && !c->dead && !c->hung; burst++) {
		int r = vfu_read_msg(c, c->fd, &c->rd, VU_CHAN_MAIN);
		if (r == 0)
			return;
		if (r == -2) {
			vfu_conn_close(c, true, false, 0);
			return;
		}
		if (r < 0) {
			uint32_t cut = vc_sock_rx_pending(&c->rd.rx);
			bool partial = cut > 0;
			if (partial && vfu_conn_lax(c, VFU_RF_SHORT_EOF)) {
				/* A broken build: the connection stays open (not
				 * read any more) until the stall time has passed. */
				vfu_conn_log(c, "lax: connection cut %u bytes into a message left open", cut);
				vfu_watch_del(c->s, c->fd);
				c->zombie = true;
				c->zombie_bytes = cut;
				int64_t ms = c->s->cfg.stall_ms > 0 ? c->s->cfg.stall_ms : ZOMBIE_MS;
				if (vfu_ensure_timer(c, &c->delay_tfd, &c->w_delay, VFU_W_DELAY) == 0)
					vfu_arm_timer(c->delay_tfd, (uint32_t)ms);
				else
					vfu_conn_close(c, false, true, cut);
				return;
			}
			vfu_conn_close(c, false, partial, cut);
			return;
		}
		struct vfu_msg m = c->rd.m;
		memset(&c->rd.m, 0, sizeof c->rd.m);
		bool truncated = m.truncated;
		vfu_handle_request(c, &m);
		if (truncated && !c->dead)
			vfu_conn_close(c, true, false, 0);
	}
}

void vfu_on_backend(struct vfu_conn *c)
{
	for (int burst = 0; burst < 16 && !c->dead && c->be_fd >= 0; burst++) {
		int r = vfu_read_msg(c, c->be_fd, &c->be_rd, VU_CHAN_BACKEND);
		if (r == 0)
			return;
		if (r < 0) {
			/* The channel closed: no event (the session goes on), the
			 * acks it owed can no longer come. */
			vfu_conn_log(c, "front-end closed the back-end channel");
			vfu_close_backend(c);
			if (c->holding && !c->hold_ms)
				vfu_release_held(c);
			return;
		}
		struct vfu_msg m = c->be_rd.m;
		memset(&c->be_rd.m, 0, sizeof c->be_rd.m);
		if (m.truncated) {
			vfu_msg_free(c->s, &m);
			vfu_close_backend(c);
			return;
		}
		vfu_handle_backend_msg(c, &m);
	}
}

void vfu_on_kick(struct vfu_conn *c, uint32_t idx)
{
	struct vfu_ring *r = &c->rings[idx];
	uint64_t cnt;
	if (r->kick_fd < 0)
		return;
	/* The front-end's eventfd may be blocking, and vfu_drain_kicks() may have
	 * taken the count epoll still reports: read only what is there. */
	struct pollfd p = { .fd = r->kick_fd, .events = POLLIN };
	if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
		return;
	ssize_t n = read(r->kick_fd, &cnt, sizeof cnt);
	if (n != (ssize_t)sizeof cnt)
		return;
	c->s->st.kicks++;
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_KICK;
	ev.dir = VC_DIR_FE_TO_BE;
	ev.u.kick.ring = idx;
	vfu_emit(c, &ev);
	if (c->s->cfg.null_device)
		vfu_ring_process(c, idx);
}

void vfu_on_delay(struct vfu_conn *c)
{
	uint64_t x;
	if (read(c->delay_tfd, &x, sizeof x) < 0)
		return;
	if (c->zombie) {
		vfu_conn_close(c, false, true, c->zombie_bytes);
		return;
	}
	if (c->holding && c->hold_ms)
		vfu_release_held(c);
}

struct vfu_feat *vfu_conn_feat(struct vfu_conn *c)
{
	return &c->feat;
}
