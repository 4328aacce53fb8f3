/* The fake vhost-user back-end: connections, message framing, answers,
 * faults, and the live event stream into the rule engine and the capture.
 * Every byte and fd from the front-end is hostile: lengths are bounded
 * before anything is allocated, every received fd is closed or owned by
 * exactly one place, every watched fd is taken out of epoll before it is
 * closed (epoll would otherwise keep reporting a file the front-end still
 * holds, with a pointer into freed memory). */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/sockpath.h"
#include "vcts/vring.h"
#include "vcts/fdinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* The kernel's SCM_MAX_FD: the most fds one sendmsg can carry. */
#define CMSG_FDS 253
/* Messages that may arrive while a reply is held back (delay fault). */
#define HELD_MAX 64
/* A front-end that does not read its replies for this long is dropped. */
#define SEND_TIMEOUT_MS 5000
#define RECONNECT_MS 100
/* fds kept open by the leak-fds fault, at most (more are not leaked). */
#define LEAK_MAX 4096
/* How long a connection cut mid-message stays open under lax=short-eof
 * when no stall time is set. */
#define ZOMBIE_MS 10000

struct vfu_msg {
	uint8_t chan;
	uint32_t req, flags, size;
	uint8_t *payload;          /* len bytes, malloc'd */
	uint32_t len;
	bool truncated;            /* size over the parser cap: payload not read */
	int fds[VFU_MSG_FDS];      /* -1 once taken over */
	uint32_t nkept, ntotal;
	struct vc_fd info[VFU_MSG_FDS];
	uint32_t refuse;           /* VFU_RF_BIT mask the rule engine found */
};

struct vfu_reader {
	uint8_t hdr[VU_HDR_SIZE];
	uint32_t hdr_got, pl_got;
	struct vfu_msg m;
};

struct vfu_conn {
	struct vfu_server *s;
	struct vfu_conn *next;
	uint32_t sid;
	uint32_t gsid;             /* session in the guard engine */
	uint32_t ordinal;          /* 1-based connection number */
	uint64_t nev;
	bool dead, from_connect;
	int fd;
	struct vfu_watch w_sock;
	struct vfu_reader rd;
	int be_fd;
	struct vfu_watch w_be;
	struct vfu_reader be_rd;
	int delay_tfd, stall_tfd;
	struct vfu_watch w_delay, w_stall;

	uint64_t fe_msgs;
	uint32_t seen[VU_REQ_MAX_FRONTEND + 1];
	uint64_t feat_offered, feat_acked, pf_offered, pf_acked;
	bool pf_answered, pf_acked_known;
	uint64_t status;
	struct vfu_feat feat;

	struct vfu_region regions[VFU_MAX_REGIONS];
	uint32_t nregions;
	struct vfu_ring rings[VFU_MAX_RINGS];

	/* A reply held back: by the delay fault or until the front-end acks
	 * a back-end request (backend-req fault). */
	bool hold_next;            /* the next main reply is to be held */
	uint32_t hold_ms;          /* 0: hold until the back-end ack */
	bool holding;
	uint8_t *held_buf;
	uint32_t held_len;
	int held_fd;
	unsigned held_extra_fds;   /* reply-fds fault on the held reply */
	struct vfu_msg *queue[HELD_MAX];
	uint32_t nqueue;

	uint32_t be_owed;          /* back-end requests the front-end owes an ack */
	uint32_t be_owed_req;
	uint32_t last_req, last_flags;
	bool stall_reported;
	/* Refusals: classes switched off by lax faults; findings of each
	 * class's rules so far (past the engine's per-rule cap they are no
	 * longer reported, so the connection is closed at the cap). */
	uint32_t lax;
	uint32_t rule_hits[VFU_RF_COUNT];
	bool blind;
	bool hung;                 /* hang fault: never read or answered again */
	bool zombie;               /* lax=short-eof: cut mid-message, left open */
	uint32_t zombie_bytes;
	char name[VC_SESSION_NAME_MAX];
};

struct vfu_server {
	struct vfu_config cfg;
	int ep, wake_fd, listen_fd, reconn_tfd;
	uint64_t accepted;         /* connections accepted on listen_fd */
	char listen_path[108];
	char connect_path[108];
	struct vfu_watch w_wake, w_listen, w_reconn;
	struct vfu_conn *conns;
	struct vfu_conn *dead;
	uint32_t nconns_total;
	struct vc_engine *eng;
	/* The refusals follow the engine's findings; when --rules switches a
	 * refusal rule off in the reporting engine, a second one with every
	 * rule judges for the refusals only. */
	struct vc_engine *guard;
	struct vfu_conn *judging;  /* the request being fed, for its findings */
	uint32_t judge_refuse;
	unsigned finding_cap;
	int *leaked;               /* leak-fds fault: fds kept until vfu_free */
	size_t nleaked;
	uint8_t *disk;             /* blk disk, mapped on first use */
	size_t disk_len;
	bool disk_failed;
	struct vc_native_writer *w;
	uint64_t rec_line;
	char (*names)[VC_SESSION_NAME_MAX];
	size_t cap_names, nnames;
	char **waive;
	size_t nwaive;
	uint64_t fuzz_state;  /* xorshift64* state of fuzz mode */
	struct vfu_stats st;
	pthread_t thr;
	bool thr_running;
	/* Sockets handed over by vfu_adopt() while the thread runs: the loop
	 * thread makes the connections (the engine is not shared). */
	pthread_mutex_t adopt_mu;
	int *adopt_q;
	size_t nadopt, cap_adopt;
	volatile bool stop;
	bool record_failed;
};

static void conn_close(struct vfu_conn *c, bool by_us, bool partial, uint32_t partial_bytes);
static void process(struct vfu_conn *c, struct vfu_msg *m);
static void drain_queue(struct vfu_conn *c);
static void update_stall(struct vfu_conn *c);
static void on_kick(struct vfu_conn *c, uint32_t idx);

/* ---------- small helpers ---------- */

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

static bool has_fault(const struct vfu_conn *c, enum vfu_fault_kind k);

void vfu_log_used(struct vfu_conn *c, uint32_t idx, uint64_t off, uint64_t len)
{
	/* The log SET_LOG_BASE mapped (fake_features.c), while LOG_ALL is
	 * acked, for a ring set up with VHOST_VRING_F_LOG. */
	struct vfu_feat *lg = vfu_conn_logging(c);
	if (!lg || idx >= VFU_MAX_RINGS || !len)
		return;
	const struct vfu_ring *r = &c->rings[idx];
	if (!(r->addr.flags & VU_VRING_F_LOG) || has_fault(c, VFU_FAULT_LOG_SKIP_USED))
		return;
	/* vhost-user.rst, Migration: page = addr / VHOST_LOG_PAGE, the used
	 * ring's first byte at log_guest_addr. */
	uint64_t a = r->addr.log + off;
	if (a + len - 1 < a)
		return;
	vfu_feat_log_write(lg, a, len);
}

static void close_fd(struct vfu_server *s, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		s->st.fds_closed++;
		*fd = -1;
	}
}

static int watch_add(struct vfu_server *s, int fd, struct vfu_watch *w)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = w };
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e);
}

static void watch_del(struct vfu_server *s, int fd)
{
	if (fd >= 0)
		epoll_ctl(s->ep, EPOLL_CTL_DEL, fd, NULL);
}

static void msg_free(struct vfu_server *s, struct vfu_msg *m)
{
	for (uint32_t i = 0; i < m->nkept; i++)
		close_fd(s, &m->fds[i]);
	free(m->payload);
	memset(m, 0, sizeof *m);
}

/* Take fd i of a message over (the caller now owns it). */
static int msg_take_fd(struct vfu_msg *m, uint32_t i)
{
	if (i >= m->nkept)
		return -1;
	int fd = m->fds[i];
	m->fds[i] = -1;
	return fd;
}

static bool pf_negotiated(const struct vfu_conn *c, unsigned bit)
{
	/* The engine's reading: offered in an answered GET and acked. */
	return vu_pf_known(c->pf_answered, c->pf_offered, c->pf_acked_known, c->pf_acked, bit) ==
	       VU_KNOWN_YES;
}

/* ---------- events: engine + capture, in one order ---------- */

static void emit(struct vfu_conn *c, struct vc_event *ev)
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
	vc_engine_feed(s->eng, ev);
	if (s->guard) {
		struct vc_event g = *ev;
		g.session = c->gsid;
		vc_engine_feed(s->guard, &g);
	}
}

/* ---------- refusals: the rule engine's verdict on each request ---------- */

/* The refusal class a rule's finding puts a request in, -1 for none. */
static int rule_class(enum vc_rule_id r)
{
	switch (r) {
	case VC_R_VU_HDR_01: return VFU_RF_VERSION;
	case VC_R_VU_HDR_02: return VFU_RF_REPLY_BIT;
	case VC_R_VU_MEM_01: return VFU_RF_REGION_COUNT;
	case VC_R_VU_MEM_02:
	case VC_R_VU_MEM_04: return VFU_RF_REGION_BOUNDS;
	case VC_R_VU_MEM_03: return VFU_RF_OVERLAP;
	case VC_R_VU_RING_01: return VFU_RF_RING_INDEX;
	case VC_R_VU_RING_02: return VFU_RF_RING_NUM;
	case VC_R_VU_RING_03: return VFU_RF_STARTED_RING;
	case VC_R_VU_RING_04: return VFU_RF_RING_ADDR;
	case VC_R_VU_LOG_01: return VFU_RF_LOG_SIZE;
	case VC_R_VU_NEG_05:
	case VC_R_VU_NEG_10: return VFU_RF_UNGATED;
	default: return -1;
	}
}

static void note_finding(struct vfu_server *s, uint32_t sid, bool guard, enum vc_rule_id rule)
{
	int k = rule_class(rule);
	if (k < 0)
		return;
	struct vfu_conn *c = s->judging;
	if (!c || (guard ? c->gsid : c->sid) != sid)
		for (c = s->conns; c && (guard ? c->gsid : c->sid) != sid; c = c->next)
			;
	if (!c || (c->lax & VFU_RF_BIT(k)))
		return;
	if (++c->rule_hits[k] >= s->finding_cap)
		c->blind = true;
	if (c == s->judging)
		s->judge_refuse |= VFU_RF_BIT(k);
}

static void on_engine_finding(const struct vc_finding *f, void *opaque)
{
	struct vfu_server *s = opaque;
	if (s->cfg.engine.on_finding)
		s->cfg.engine.on_finding(f, s->cfg.engine.opaque);
	if (!s->guard)
		note_finding(s, f->session, false, f->rule);
}

static void on_guard_finding(const struct vc_finding *f, void *opaque)
{
	note_finding(opaque, f->session, true, f->rule);
}

static void emit_msg(struct vfu_conn *c, enum vc_dir dir, const struct vfu_msg *m)
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
	emit(c, &ev);
}

/* ---------- sending ---------- */

/* extra: the reply-fds fault's fds, /dev/null passed that many times
 * after the message's own fd (the receiver gets as many distinct fds). */
static int send_all(struct vfu_conn *c, int fd, const uint8_t *buf, size_t len, int pass_fd,
		    unsigned extra)
{
	size_t off = 0;
	int fdv[CMSG_FDS];
	unsigned nfdv = 0;
	if (pass_fd >= 0)
		fdv[nfdv++] = pass_fd;
	int null_fd = -1;
	if (extra) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		for (unsigned i = 0; null_fd >= 0 && i < extra && nfdv < CMSG_FDS; i++)
			fdv[nfdv++] = null_fd;
	}
	bool fd_sent = nfdv == 0;
	int rc = 0;
	while (off < len) {
		struct iovec iov = { .iov_base = (void *)(buf + off), .iov_len = len - off };
		union {
			char b[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
			struct cmsghdr align;
		} cm;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (!fd_sent) {
			memset(&cm, 0, CMSG_SPACE(sizeof(int) * nfdv));
			mh.msg_control = cm.b;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfdv);
			struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
			h->cmsg_level = SOL_SOCKET;
			h->cmsg_type = SCM_RIGHTS;
			h->cmsg_len = CMSG_LEN(sizeof(int) * nfdv);
			memcpy(CMSG_DATA(h), fdv, sizeof(int) * nfdv);
		}
		ssize_t n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Bounded wait: a front-end that never reads is dropped. */
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int r = poll(&p, 1, SEND_TIMEOUT_MS);
			if (r <= 0) {
				vfu_conn_log(c, "front-end does not read its replies; dropping it");
				rc = -1;
				break;
			}
			continue;
		}
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
		fd_sent = true;
	}
	if (null_fd >= 0)
		close(null_fd);
	return rc;
}

/* Which reply faults apply to the answer of request req (current
 * occurrence)? */
static const struct vfu_fault *reply_fault(struct vfu_conn *c, uint32_t req, enum vfu_fault_kind k)
{
	const struct vfu_config *cfg = &c->s->cfg;
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind != k || (f->conn && f->conn != c->ordinal))
			continue;
		if (f->at_req && f->at_req == req && req <= VU_REQ_MAX_FRONTEND &&
		    c->seen[req] == f->nth)
			return f;
		if (f->at_msg && f->at_msg == c->fe_msgs)
			return f;
	}
	return NULL;
}

/* reply-fds=N: extra fds on this reply (untriggered: on every reply). */
static unsigned reply_extra_fds(struct vfu_conn *c, uint32_t req)
{
	const struct vfu_config *cfg = &c->s->cfg;
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind == VFU_FAULT_REPLY_FDS && !f->at_req && !f->at_msg &&
		    (!f->conn || f->conn == c->ordinal))
			return f->nfds;
	}
	const struct vfu_fault *f = reply_fault(c, req, VFU_FAULT_REPLY_FDS);
	return f ? f->nfds : 0;
}

/* Send one message; the event is emitted once it is on the wire. */
static int send_msg(struct vfu_conn *c, uint8_t chan, uint32_t req, uint32_t flags,
		    const uint8_t *payload, uint32_t len, int pass_fd, unsigned extra_fds)
{
	int fd = chan == VU_CHAN_MAIN ? c->fd : c->be_fd;
	if (fd < 0)
		return -1;
	uint8_t small[VU_HDR_SIZE + 64];
	uint8_t *buf = len <= 64 ? small : xmalloc(VU_HDR_SIZE + (size_t)len);
	vu_wr32(buf, req);
	vu_wr32(buf + 4, flags);
	vu_wr32(buf + 8, len);
	if (len)
		memcpy(buf + VU_HDR_SIZE, payload, len);
	struct vfu_msg m = { .chan = chan, .req = req, .flags = flags, .size = len,
			     .payload = buf + VU_HDR_SIZE, .len = len };
	if (pass_fd >= 0) {
		m.ntotal = m.nkept = 1;
		vc_fd_describe(pass_fd, &m.info[0]);
	}
	m.ntotal += extra_fds;   /* not described: the event counts them */
	int rc = send_all(c, fd, buf, VU_HDR_SIZE + (size_t)len, pass_fd, extra_fds);
	if (rc == 0) {
		c->s->st.messages_out++;
		emit_msg(c, VC_DIR_BE_TO_FE, &m); /* the fake sends only as back-end */
	}
	if (buf != small)
		free(buf);
	return rc;
}

static void arm_timer(int tfd, uint32_t ms)
{
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	timerfd_settime(tfd, 0, &its, NULL);
}

static int ensure_timer(struct vfu_conn *c, int *tfd, struct vfu_watch *w, enum vfu_watch_kind k)
{
	if (*tfd >= 0)
		return 0;
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (*tfd < 0)
		return -1;
	w->kind = k;
	w->c = c;
	if (watch_add(c->s, *tfd, w) != 0) {
		close(*tfd);
		*tfd = -1;
		return -1;
	}
	return 0;
}

/* ---------- fuzz mode ---------- */

const char *vfu_fuzz_waives(void)
{
	return "VU-HDR-01,VU-HDR-03,VU-HDR-04,VU-HDR-05,VU-SIZE-02,VU-REPLY-0[123]";
}

static uint64_t fuzz_next(struct vfu_server *s)
{
	uint64_t x = s->fuzz_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->fuzz_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static bool fuzz_hit(struct vfu_server *s)
{
	return s->cfg.fuzz && fuzz_next(s) % 1000 < s->cfg.fuzz_permille;
}

/* Mutate one reply in place: flags, request number, size or bytes.
 * buf has room for 64 payload bytes. */
static void fuzz_reply(struct vfu_conn *c, uint32_t *rq, uint32_t *flags, uint8_t *buf, uint32_t *len)
{
	struct vfu_server *s = c->s;
	uint64_t r = fuzz_next(s);
	switch (r % 5) {
	case 0:
		*flags ^= 1u << (fuzz_next(s) % 8);
		break;
	case 1:
		/* Up to GET_SHMEM_CONFIG + 2, as when fuzz/FINDINGS.md's seeds
		 * were run: frozen so a seed replays the same run. */
		*rq = (uint32_t)(fuzz_next(s) % (VU_GET_SHMEM_CONFIG + 3));
		break;
	case 2:
		*len = (uint32_t)(fuzz_next(s) % 65);
		break;
	default:
		for (uint32_t i = 0; i < *len; i++)
			if (fuzz_next(s) % 4 == 0)
				buf[i] = (uint8_t)fuzz_next(s);
		break;
	}
	vfu_conn_log(c, "fuzz: reply mutated (request %u flags 0x%x size %u)", *rq, *flags, *len);
}

/* A reply on the main channel, with the reply faults applied. */
static void reply(struct vfu_conn *c, uint32_t req, const uint8_t *payload, uint32_t len, int pass_fd)
{
	uint32_t flags = VU_VERSION | VU_FLAG_REPLY;
	uint32_t rq = req;
	uint8_t padded[VU_HDR_SIZE + 64];
	if (fuzz_hit(c->s) && len <= 64) {
		memset(padded, 0, sizeof padded);
		if (len)
			memcpy(padded, payload, len);
		payload = padded;
		fuzz_reply(c, &rq, &flags, padded, &len);
	}
	if (reply_fault(c, req, VFU_FAULT_REPLY_FLAGS)) {
		vfu_conn_log(c, "fault: reply to %s without the REPLY flag", vu_request_name(VU_CHAN_MAIN, req, (char[24]){0}, 24));
		flags = VU_VERSION;
	}
	if (reply_fault(c, req, VFU_FAULT_REPLY_REQUEST)) {
		/* Name a request that also has a reply, so the front-end cannot
		 * tell by the size alone. */
		rq = req == VU_GET_FEATURES ? VU_GET_PROTOCOL_FEATURES : VU_GET_FEATURES;
		vfu_conn_log(c, "fault: reply to request %u names request %u", req, rq);
	}
	unsigned extra_fds = reply_extra_fds(c, req);
	if (extra_fds)
		vfu_conn_log(c, "fault: %u extra fd(s) on the reply to request %u", extra_fds, req);
	if (reply_fault(c, req, VFU_FAULT_REPLY_SIZE) && len + 4 <= 64) {
		memset(padded, 0, sizeof padded);
		if (len)
			memcpy(padded, payload, len);
		payload = padded;
		len += 4;
		vfu_conn_log(c, "fault: reply to request %u is %u bytes", req, len);
	}
	if (c->hold_next) {
		/* Delay fault / backend-req fault: keep the bytes until released. */
		c->hold_next = false;
		c->holding = true;
		c->held_len = VU_HDR_SIZE + len;
		c->held_buf = xmalloc(c->held_len);
		vu_wr32(c->held_buf, rq);
		vu_wr32(c->held_buf + 4, flags);
		vu_wr32(c->held_buf + 8, len);
		if (len)
			memcpy(c->held_buf + VU_HDR_SIZE, payload, len);
		c->held_fd = pass_fd;
		c->held_extra_fds = extra_fds;
		if (c->hold_ms && ensure_timer(c, &c->delay_tfd, &c->w_delay, VFU_W_DELAY) == 0)
			arm_timer(c->delay_tfd, c->hold_ms);
		return;
	}
	if (send_msg(c, VU_CHAN_MAIN, rq, flags, payload, len, pass_fd, extra_fds) != 0)
		conn_close(c, true, false, 0);
	if (pass_fd >= 0)
		close(pass_fd);
}

static void release_held(struct vfu_conn *c)
{
	if (!c->holding)
		return;
	c->holding = false;
	uint8_t *b = c->held_buf;
	c->held_buf = NULL;
	int fd = c->held_fd;
	c->held_fd = -1;
	if (!c->dead && send_msg(c, VU_CHAN_MAIN, vu_rd32(b), vu_rd32(b + 4), b + VU_HDR_SIZE,
				 vu_rd32(b + 8), fd, c->held_extra_fds) != 0)
		conn_close(c, true, false, 0);
	if (fd >= 0)
		close(fd);
	free(b);
	drain_queue(c);
}

static void reply_u64(struct vfu_conn *c, uint32_t req, uint64_t v)
{
	uint8_t p[8];
	vu_wr64(p, v);
	reply(c, req, p, sizeof p, -1);
}

/* ---------- connections ---------- */

static struct vfu_conn *conn_new(struct vfu_server *s, int fd, bool from_connect)
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
	/* Faults that shape what this connection is offered. */
	c->feat_offered = s->cfg.profile.features;
	c->pf_offered = s->cfg.profile.protocol_features;
	for (unsigned i = 0; i < s->cfg.nfaults; i++) {
		const struct vfu_fault *f = &s->cfg.faults[i];
		if (f->kind != VFU_FAULT_DROP_FEATURES || (f->conn && f->conn != c->ordinal))
			continue;
		if (f->mask_proto)
			c->pf_offered &= ~f->mask;
		else
			c->feat_offered &= ~f->mask;
	}
	for (unsigned i = 0; i < s->cfg.nfaults; i++) {
		const struct vfu_fault *f = &s->cfg.faults[i];
		if (f->kind == VFU_FAULT_LAX && (!f->conn || f->conn == c->ordinal))
			c->lax |= f->lax;
	}
	const char *where = s->listen_path[0] ? s->listen_path : s->connect_path[0] ? s->connect_path : "adopted fd";
	snprintf(c->name, sizeof c->name, "%s #%u %s", s->cfg.label ? s->cfg.label : "vhost-user",
		 c->ordinal, where);
	struct vc_session sess = { .traced_side = VC_SIDE_LIVE,
				   .source = s->cfg.source_name ? s->cfg.source_name : "live",
				   .queues = s->cfg.profile.rings };
	snprintf(sess.name, sizeof sess.name, "%s", c->name);
	c->sid = vc_engine_add_session(s->eng, &sess);
	if (s->guard)
		c->gsid = vc_engine_add_session(s->guard, &sess);
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
	if (watch_add(s, fd, &c->w_sock) != 0) {
		/* Still a session: it ends at once. */
		c->next = s->conns;
		s->conns = c;
		s->st.connections++;
		s->st.open_connections++;
		conn_close(c, true, false, 0);
		return NULL;
	}
	c->next = s->conns;
	s->conns = c;
	s->st.connections++;
	s->st.open_connections++;
	return c;
}

static void ring_reset_fds(struct vfu_conn *c, struct vfu_ring *r)
{
	if (r->kick_watched)
		watch_del(c->s, r->kick_fd);
	r->kick_watched = false;
	close_fd(c->s, &r->kick_fd);
	close_fd(c->s, &r->call_fd);
	close_fd(c->s, &r->err_fd);
}

static void close_backend(struct vfu_conn *c)
{
	if (c->be_fd < 0)
		return;
	watch_del(c->s, c->be_fd);
	close_fd(c->s, &c->be_fd);
	msg_free(c->s, &c->be_rd.m);
	memset(&c->be_rd, 0, sizeof c->be_rd);
	c->be_owed = 0;
}

static void conn_close(struct vfu_conn *c, bool by_us, bool partial, uint32_t partial_bytes)
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
	emit(c, &ev);
	vc_engine_end_session(s->eng, c->sid);
	if (s->guard)
		vc_engine_end_session(s->guard, c->gsid);
	s->st.sessions_ended++;
	watch_del(s, c->fd);
	/* The connection itself is not a received fd: not counted. */
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	close_backend(c);
	if (c->delay_tfd >= 0) {
		watch_del(s, c->delay_tfd);
		close(c->delay_tfd);
		c->delay_tfd = -1;
	}
	if (c->stall_tfd >= 0) {
		watch_del(s, c->stall_tfd);
		close(c->stall_tfd);
		c->stall_tfd = -1;
	}
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++)
		ring_reset_fds(c, &c->rings[i]);
	vfu_regions_clear(c);
	vfu_feat_free(&c->feat);
	msg_free(s, &c->rd.m);
	for (uint32_t i = 0; i < c->nqueue; i++) {
		msg_free(s, c->queue[i]);
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
		arm_timer(s->reconn_tfd, 1);
}

static void reap(struct vfu_server *s)
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

/* ---------- reading ---------- */

/* Read what is available into r. Returns 1 when a whole message is in
 * r->m, 0 when more is needed (EAGAIN), -1 on EOF or error (r->hdr_got and
 * r->pl_got tell how much of a message was cut). */
static int read_msg(struct vfu_conn *c, int fd, struct vfu_reader *r, uint8_t chan)
{
	struct vfu_server *s = c->s;
	for (;;) {
		bool in_hdr = r->hdr_got < VU_HDR_SIZE;
		uint8_t *dst;
		size_t want;
		if (in_hdr) {
			dst = r->hdr + r->hdr_got;
			want = VU_HDR_SIZE - r->hdr_got;
		} else {
			dst = r->m.payload + r->pl_got;
			want = r->m.len - r->pl_got;
		}
		if (want == 0)
			goto complete;
		union {
			char b[CMSG_SPACE(sizeof(int) * CMSG_FDS)];
			struct cmsghdr align;
		} cm;
		struct iovec iov = { .iov_base = dst, .iov_len = want };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
				     .msg_controllen = sizeof cm.b };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		/* fds first: they arrived even if no byte did. */
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); n >= 0 && h; h = CMSG_NXTHDR(&mh, h)) {
			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			size_t cnt = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < cnt; i++) {
				int rfd;
				memcpy(&rfd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				s->st.fds_received++;
				r->m.ntotal++;
				if (r->m.nkept < VFU_MSG_FDS) {
					vc_fd_describe(rfd, &r->m.info[r->m.nkept]);
					r->m.fds[r->m.nkept++] = rfd;
				} else {
					/* An fd flood: counted for the rules, closed now. */
					close(rfd);
					s->st.fds_closed++;
				}
			}
		}
		/* Cut by the kernel (not with a CMSG_FDS buffer, but a cut fd
		 * must still count): at least one more was sent. */
		if (n >= 0 && (mh.msg_flags & MSG_CTRUNC))
			r->m.ntotal++;
		if (n <= 0)
			return -1;
		if (in_hdr) {
			r->hdr_got += (uint32_t)n;
			if (r->hdr_got < VU_HDR_SIZE)
				continue;
			r->m.chan = chan;
			r->m.req = vu_rd32(r->hdr);
			r->m.flags = vu_rd32(r->hdr + 4);
			r->m.size = vu_rd32(r->hdr + 8);
			if (r->m.size > VU_PARSER_MAX_PAYLOAD) {
				/* Not buffered: judged from the header, then the
				 * connection is closed (framing cannot be trusted). */
				r->m.truncated = true;
				r->m.len = 0;
				goto complete;
			}
			r->m.len = r->m.size;
			r->m.payload = r->m.size ? xmalloc(r->m.size) : NULL;
			r->pl_got = 0;
			if (r->m.len == 0)
				goto complete;
		} else {
			r->pl_got += (uint32_t)n;
			if (r->pl_got == r->m.len)
				goto complete;
		}
	}
complete:
	r->hdr_got = 0;
	r->pl_got = 0;
	return 1;
}

/* ---------- faults ---------- */

static const struct vfu_fault *trigger(struct vfu_conn *c, enum vfu_fault_kind k, uint32_t req)
{
	const struct vfu_config *cfg = &c->s->cfg;
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const struct vfu_fault *f = &cfg->faults[i];
		if (f->kind != k || (f->conn && f->conn != c->ordinal))
			continue;
		if (f->at_msg && f->at_msg == c->fe_msgs)
			return f;
		if (f->at_req && f->at_req == req && req <= VU_REQ_MAX_FRONTEND && c->seen[req] == f->nth)
			return f;
	}
	return NULL;
}

static void send_backend_req(struct vfu_conn *c, uint32_t be_req, bool hold)
{
	if (c->be_fd < 0) {
		vfu_conn_log(c, "fault: no back-end channel to send %s on",
			     vu_request_name(VU_CHAN_BACKEND, be_req, (char[24]){0}, 24));
		return;
	}
	const struct vu_request_info *ri = vu_request(VU_CHAN_BACKEND, be_req);
	int sz = ri ? vu_payload_fixed_size((enum vu_payload)ri->req_payload) : 0;
	uint8_t pl[64] = { 0 };
	if (sz < 0 || sz > (int)sizeof pl)
		sz = 0;
	bool need = pf_negotiated(c, VU_PF_REPLY_ACK);
	uint32_t flags = VU_VERSION | (need ? VU_FLAG_NEED_REPLY : 0);
	vfu_conn_log(c, "fault: back-end request %s%s",
		     vu_request_name(VU_CHAN_BACKEND, be_req, (char[24]){0}, 24),
		     need ? " with NEED_REPLY" : "");
	if (send_msg(c, VU_CHAN_BACKEND, be_req, flags, pl, (uint32_t)sz, -1, 0) != 0) {
		vfu_conn_log(c, "back-end channel write failed; closing it");
		close_backend(c);
		return;
	}
	if (need) {
		c->be_owed++;
		c->be_owed_req = be_req;
		/* Without a stall time nothing would ever release the hold. */
		if (hold && c->s->cfg.stall_ms > 0) {
			/* The reply to the request in progress waits for the ack:
			 * a front-end that does not serve the channel while it
			 * waits deadlocks here (reported after the stall time). */
			c->hold_next = true;
			c->hold_ms = 0;
		}
	}
}

/* ---------- stall detection ---------- */

/* What the front-end's silence would mean now: 1 it owes an ack on the
 * back-end channel; 2 it asked for a reply nobody owes it (B1); 0 fine. */
static int stall_reason(const struct vfu_conn *c)
{
	if (c->be_owed)
		return 1;
	if (c->last_flags & VU_FLAG_NEED_REPLY) {
		const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, c->last_req);
		bool value = ri && (ri->reply == VU_REPLY_ALWAYS ||
				    (ri->reply == VU_REPLY_IF_LOG_SHMFD && pf_negotiated(c, VU_PF_LOG_SHMFD)));
		if (ri && !value && !pf_negotiated(c, VU_PF_REPLY_ACK))
			return 2;
	}
	return 0;
}

static void update_stall(struct vfu_conn *c)
{
	if (c->dead || c->s->cfg.stall_ms <= 0)
		return;
	c->stall_reported = false;
	if (stall_reason(c)) {
		if (ensure_timer(c, &c->stall_tfd, &c->w_stall, VFU_W_STALL) == 0)
			arm_timer(c->stall_tfd, (uint32_t)c->s->cfg.stall_ms);
	} else if (c->stall_tfd >= 0) {
		arm_timer(c->stall_tfd, 0);
	}
}

static void stall_fired(struct vfu_conn *c)
{
	uint64_t x;
	if (read(c->stall_tfd, &x, sizeof x) < 0 || c->stall_reported)
		return;
	int why = stall_reason(c);
	if (!why)
		return;
	c->stall_reported = true;
	c->s->st.stalls++;
	struct vc_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = VC_EV_VU_STALL;
	ev.u.stall.quiet_ns = c->s->cfg.stall_ms * 1000000;
	if (why == 1) {
		ev.dir = VC_DIR_FE_TO_BE; /* the front-end is the one silent and owing */
		ev.u.stall.owed_request = c->be_owed_req;
		vfu_conn_log(c, "front-end silent for %" PRId64 " ms while it owes an ack on the back-end channel",
			     c->s->cfg.stall_ms);
	} else {
		ev.dir = VC_DIR_BE_TO_FE; /* blocked waiting for the back-end */
		ev.u.stall.owed_request = c->last_req;
		vfu_conn_log(c, "front-end silent for %" PRId64 " ms after a NEED_REPLY nobody owes it",
			     c->s->cfg.stall_ms);
	}
	emit(c, &ev);
	/* Let a deadlocked front-end go on: send what we held. */
	if (why == 1 && c->holding && !c->hold_ms)
		release_held(c);
}

/* ---------- requests ---------- */

/* Does the request's size and fd count fit its type (the wire table)?
 * 0 when it does; otherwise the refusal class (VFU_RF_OVERSIZE,
 * VFU_RF_EXTRA_FDS, VFU_RF_MISSING_FD) of the first misfit a lax fault
 * does not excuse, or VFU_RF_COUNT for what cannot be read at all (a
 * payload shorter than its layout, or one over the parser's cap).
 * Malformed requests are refused by closing the connection, which the
 * rules accept. */
static unsigned malformed(struct vfu_conn *c, const struct vfu_msg *m, const struct vu_request_info *ri)
{
	if (m->truncated)
		return VFU_RF_COUNT;
	uint32_t bad = 0;
	if (ri->req_payload != VU_PL_VARIABLE) {
		int64_t want = vu_payload_expected_size((enum vu_payload)ri->req_payload, m->payload, m->len);
		if (want < 0 || (int64_t)m->size < want)
			return VFU_RF_COUNT;
		if ((int64_t)m->size > want)
			bad |= VFU_RF_BIT(VFU_RF_OVERSIZE);
	}
	uint64_t u = 0;
	uint32_t n = 0, pad = 0, lo = 0, hi = 0;
	switch (ri->req_fds) {
	case VU_FDS_NONE:
		break;
	case VU_FDS_ONE:
		lo = hi = 1;
		break;
	case VU_FDS_OPTIONAL:
		hi = 1;
		break;
	case VU_FDS_PER_REGION:
		if (!vu_dec_memtable_hdr(m->payload, m->len, &n, &pad))
			return VFU_RF_COUNT;
		lo = hi = n;
		break;
	case VU_FDS_VRING:
		if (!vu_dec_u64(m->payload, m->len, &u))
			return VFU_RF_COUNT;
		lo = hi = (u & VU_VRING_NOFD) ? 0u : 1u;
		break;
	case VU_FDS_LOG:
		lo = hi = pf_negotiated(c, VU_PF_LOG_SHMFD) ? 1u : 0u;
		break;
	default:
		lo = 0;
		hi = UINT32_MAX;
		break;
	}
	if (m->ntotal > hi)
		bad |= VFU_RF_BIT(VFU_RF_EXTRA_FDS);
	if (m->ntotal < lo)
		bad |= VFU_RF_BIT(VFU_RF_MISSING_FD);
	bad &= ~c->lax;
	for (unsigned k = 0; k < VFU_RF_COUNT; k++)
		if (bad & VFU_RF_BIT(k))
			return k;
	return 0;
}

/* Refusal classes of a mask, for the log ("ring-num,ring-addr"). */
static const char *refusal_names(uint32_t mask, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned k = 0; k < VFU_RF_COUNT && o < len; k++)
		if (mask & VFU_RF_BIT(k))
			o += (size_t)snprintf(buf + o, len - o, "%s%s (%s)", o ? ", " : "", vfu_refusal_name(k),
					      vfu_refusal_rule(k));
	return buf;
}

static void ring_set_fd(struct vfu_conn *c, struct vfu_msg *m, uint32_t req)
{
	uint64_t u;
	if (!vu_dec_u64(m->payload, m->len, &u))
		return;
	struct vfu_ring *r = &c->rings[u & VU_VRING_IDX_MASK];
	int fd = (u & VU_VRING_NOFD) ? -1 : msg_take_fd(m, 0);
	/* Only eventfds are signalled or watched: a pipe or a file in their
	 * place could block a write or never stop being readable. */
	bool is_eventfd = fd >= 0 && m->info[0].kind == VC_FD_EVENTFD;
	if (fd >= 0 && !is_eventfd) {
		vfu_conn_log(c, "%s ring %u: fd is %s, not an eventfd; ignored",
			     vu_request_name(VU_CHAN_MAIN, req, (char[24]){0}, 24),
			     (unsigned)(u & VU_VRING_IDX_MASK), vc_fd_kind_name((enum vc_fd_kind)m->info[0].kind));
		close_fd(c->s, &fd);
	}
	if (req == VU_SET_VRING_KICK) {
		if (r->kick_watched)
			watch_del(c->s, r->kick_fd);
		r->kick_watched = false;
		close_fd(c->s, &r->kick_fd);
		r->kick_fd = fd;
		if (fd >= 0 && watch_add(c->s, fd, &r->kw) == 0)
			r->kick_watched = true;
		/* The ring is started now: what is already available is
		 * processed without a kick (Ring states). */
		if (has_fault(c, VFU_FAULT_START_ON_KICK))
			vfu_conn_log(c, "fault: ring %u waits for a kick", (unsigned)(u & VU_VRING_IDX_MASK));
		else
			vfu_ring_process(c, u & VU_VRING_IDX_MASK);
	} else if (req == VU_SET_VRING_CALL) {
		close_fd(c->s, &r->call_fd);
		r->call_fd = fd;
	} else {
		close_fd(c->s, &r->err_fd);
		r->err_fd = fd;
	}
}

static void reset_rings(struct vfu_conn *c)
{
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++) {
		struct vfu_ring *r = &c->rings[i];
		ring_reset_fds(c, r);
		r->num_set = r->addr_set = r->enabled = r->broken = false;
		r->last_avail = r->used_idx = 0;
		r->packed = false;
		r->avail_wrap = r->used_wrap = true;
	}
}

/* GET_VRING_BASE's word: split, the next avail index; packed, both
 * positions and wrap counters (the used half zeroed by the fault, as
 * DPDK 22.11 answers). */
static bool has_fault(const struct vfu_conn *c, enum vfu_fault_kind k)
{
	const struct vfu_config *cfg = &c->s->cfg;
	bool on = false;
	for (unsigned i = 0; i < cfg->nfaults; i++)
		on |= cfg->faults[i].kind == k && (!cfg->faults[i].conn || cfg->faults[i].conn == c->ordinal);
	return on;
}

static uint32_t ring_base(struct vfu_conn *c, uint32_t idx)
{
	const struct vfu_ring *r = &c->rings[idx];
	if (!r->packed) {
		/* rust-vmm's vhost-user-backend once answered 0 for every ring. */
		if (has_fault(c, VFU_FAULT_VRING_BASE_ZERO)) {
			vfu_conn_log(c, "fault: split GET_VRING_BASE answers 0");
			return 0;
		}
		if (has_fault(c, VFU_FAULT_VRING_BASE_OTHER) && (idx ^ 1u) < VFU_MAX_RINGS) {
			vfu_conn_log(c, "fault: split GET_VRING_BASE of ring %u answers ring %u's", idx, idx ^ 1u);
			return c->rings[idx ^ 1u].last_avail;
		}
		return r->last_avail;
	}
	struct vu_packed_base b = { r->last_avail, r->used_idx, r->avail_wrap, r->used_wrap };
	if (has_fault(c, VFU_FAULT_PACKED_USED_ZERO)) {
		vfu_conn_log(c, "fault: packed GET_VRING_BASE with the used half 0/0");
		b.used = 0;
		b.used_wrap = false;
	}
	return vu_packed_base_enc(&b);
}

/* The inflight area per queue (libvhost-user's split layout: a 16-byte
 * state per descriptor plus a header, 64-byte aligned). Not a wire fact:
 * the front-end only maps and hands back what we size here. */
static uint64_t inflight_queue_bytes(uint16_t queue_size)
{
	uint64_t b = 16ull * ((uint64_t)queue_size + 1);
	return (b + 63) & ~63ull;
}

static void get_inflight(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vu_inflight_pl in;
	int sz = vu_payload_fixed_size(VU_PL_INFLIGHT);
	uint8_t out[64] = { 0 };
	if (sz < 0 || sz > (int)sizeof out || !vu_dec_inflight(m->payload, m->len, &in))
		return;
	int fd = -1;
	uint64_t size = 0;
	if (in.num_queues >= 1 && in.num_queues <= VFU_MAX_RINGS && in.queue_size >= 1 &&
	    in.queue_size <= VU_SPLIT_RING_MAX) {
		size = inflight_queue_bytes(in.queue_size) * in.num_queues;
		fd = memfd_create("vhost-cts-inflight", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		size = 0;
	vu_wr64(out, size);
	vu_wr64(out + 8, 0);
	memcpy(out + 16, &in.num_queues, 2);
	memcpy(out + 18, &in.queue_size, 2);
	/* reply() closes the memfd once it is sent. */
	reply(c, VU_GET_INFLIGHT_FD, out, (uint32_t)sz, fd);
}

static void get_config(struct vfu_conn *c, struct vfu_msg *m)
{
	/* well_formed() bounded the size field by the payload. */
	uint32_t cap = VU_CONFIG_HDR + m->len;
	uint8_t *out = xcalloc(1, cap);
	/* vhost-user.rst, GET_CONFIG: a payload of zero length is the error. */
	uint32_t len = vfu_feat_get_config(&c->feat, m->payload, m->len, out, cap);
	reply(c, VU_GET_CONFIG, out, len, -1);
	free(out);
}

/* A request the fake does not carry out, with the reason logged: the
 * caller answers it as failed. */
static int not_done(struct vfu_conn *c, const struct vu_request_info *ri, const char *why)
{
	vfu_conn_log(c, "%s not carried out: %s", ri->name, why);
	return 1;
}

static int mem_table(struct vfu_conn *c, struct vfu_msg *m)
{
	uint32_t n, pad;
	if (!vu_dec_memtable_hdr(m->payload, m->len, &n, &pad))
		return -1;
	vfu_regions_clear(c);
	int rc = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct vu_region_pl r;
		if (!vu_dec_memtable_region(m->payload, m->len, i, &r)) {
			rc = -1;
			break;
		}
		if (i >= m->nkept) {
			/* lax=missing-fd: a region without its fd is skipped. */
			if (!vfu_conn_lax(c, VFU_RF_MISSING_FD))
				rc = -1;
			continue;
		}
		if (vfu_region_add(c, &r, m->fds[i], m->info[i].size) != 0)
			rc = -1;
	}
	return rc;
}

/* Take the kicks that are already pending on this connection's rings. */
static void drain_kicks(struct vfu_conn *c)
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
			on_kick(c, idx[k]);
}

/* crash fault: the process dies by a signal, as a back-end with a memory
 * error would (a driver sees "killed by signal 11"). */
static void crash_now(struct vfu_conn *c, const char *what)
{
	vfu_conn_log(c, "fault: crash at %s (SIGSEGV)", what);
	fflush(NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	raise(SIGSEGV);
	abort();
}

/* leak-fds fault: a copy of every fd of the message stays open until the
 * server is freed (bug B20's back-ends). The originals go their usual way,
 * so the received/closed counters still balance. */
static void leak_fds(struct vfu_conn *c, const struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	if (!s->leaked)
		s->leaked = xcalloc(LEAK_MAX, sizeof *s->leaked);
	uint32_t n = 0;
	for (uint32_t i = 0; i < m->nkept && s->nleaked < LEAK_MAX; i++) {
		int d = m->fds[i] >= 0 ? fcntl(m->fds[i], F_DUPFD_CLOEXEC, 0) : -1;
		if (d >= 0) {
			s->leaked[s->nleaked++] = d;
			n++;
		}
	}
	vfu_conn_log(c, "fault: keeping %u fd(s) of message %" PRIu64 " open", n, c->fe_msgs);
}

/* hang fault: the connection is no longer read or answered; only its
 * close is watched (EPOLLRDHUP), so its resources go when the front-end
 * gives up. */
static void conn_hang(struct vfu_conn *c)
{
	c->hung = true;
	struct epoll_event e = { .events = EPOLLRDHUP, .data.ptr = &c->w_sock };
	if (epoll_ctl(c->s->ep, EPOLL_CTL_MOD, c->fd, &e) != 0)
		conn_close(c, true, false, 0);
}

static void handle_backend_msg(struct vfu_conn *c, struct vfu_msg *m)
{
	c->s->st.messages_in++;
	emit_msg(c, VC_DIR_FE_TO_BE, m);
	if ((m->flags & VU_FLAG_REPLY) && c->be_owed) {
		c->be_owed--;
		if (!c->be_owed && c->holding && !c->hold_ms)
			release_held(c);
	}
	msg_free(c->s, m);
	update_stall(c);
}

/* One front-end request, as it arrives. */
static void handle_request(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	s->st.messages_in++;
	c->fe_msgs++;
	if (m->req <= VU_REQ_MAX_FRONTEND)
		c->seen[m->req]++;
	c->last_req = m->req;
	c->last_flags = m->flags;
	/* Kicks rung before this request was sent come first, as they did on
	 * the wire (epoll may report the socket first): the rules count kicks
	 * against the ring state the request then changes (VU-RING-10). */
	drain_kicks(c);
	/* The engine judges the request; the findings of the refusal rules
	 * on it say whether it is refused (process()). */
	s->judging = c;
	s->judge_refuse = 0;
	emit_msg(c, VC_DIR_FE_TO_BE, m);
	m->refuse = s->judge_refuse;
	s->judging = NULL;
	char nb[24];
	if (trigger(c, VFU_FAULT_DISCONNECT, m->req)) {
		vfu_conn_log(c, "fault: disconnect at message %" PRIu64 " (%s)", c->fe_msgs,
			     vu_request_name(VU_CHAN_MAIN, m->req, nb, sizeof nb));
		msg_free(s, m);
		conn_close(c, true, false, 0);
		return;
	}
	if (trigger(c, VFU_FAULT_CRASH, m->req))
		crash_now(c, vu_request_name(VU_CHAN_MAIN, m->req, nb, sizeof nb));
	if (trigger(c, VFU_FAULT_LEAK_FDS, m->req))
		leak_fds(c, m);
	if (trigger(c, VFU_FAULT_HANG, m->req)) {
		vfu_conn_log(c, "fault: hang at message %" PRIu64 " (%s): no answer and no read from now on",
			     c->fe_msgs, vu_request_name(VU_CHAN_MAIN, m->req, nb, sizeof nb));
		msg_free(s, m);
		conn_hang(c);
		return;
	}
	if (c->holding) {
		/* Wire order is kept in the event stream; the answer waits. */
		if (c->nqueue == HELD_MAX) {
			vfu_conn_log(c, "front-end sent %u requests while a reply is held; closing", HELD_MAX);
			msg_free(s, m);
			conn_close(c, true, false, 0);
			return;
		}
		struct vfu_msg *q = xmalloc(sizeof *q);
		*q = *m;
		memset(m, 0, sizeof *m);
		c->queue[c->nqueue++] = q;
		return;
	}
	process(c, m);
	msg_free(s, m);
	update_stall(c);
}

static void drain_queue(struct vfu_conn *c)
{
	while (!c->dead && !c->holding && c->nqueue) {
		struct vfu_msg *q = c->queue[0];
		memmove(&c->queue[0], &c->queue[1], (c->nqueue - 1) * sizeof c->queue[0]);
		c->nqueue--;
		process(c, q);
		msg_free(c->s, q);
		free(q);
	}
	update_stall(c);
}

static void process(struct vfu_conn *c, struct vfu_msg *m)
{
	struct vfu_server *s = c->s;
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, m->req);
	char why[512];
	if (!ri) {
		/* Unknown: no reply can be owed by the wire model. Refuse it. */
		if (vfu_conn_lax(c, VFU_RF_UNKNOWN_REQUEST)) {
			vfu_conn_log(c, "lax: unknown request %u ignored", m->req);
			return;
		}
		vfu_conn_log(c, "unknown request %u; closing", m->req);
		s->st.refused++;
		conn_close(c, true, false, 0);
		return;
	}
	unsigned bad = malformed(c, m, ri);
	if (bad) {
		vfu_conn_log(c, "malformed %s (size %u, %u fds%s%s); closing", ri->name, m->size, m->ntotal,
			     bad < VFU_RF_COUNT ? ": " : "", bad < VFU_RF_COUNT ? vfu_refusal_name(bad) : "");
		s->st.refused++;
		conn_close(c, true, false, 0);
		return;
	}
	/* What the rule engine found wrong with it (and a lax fault did not
	 * excuse): header-level misfits close the connection, the rest are
	 * refused below. Past the per-rule cap of findings the engine is
	 * silent, so a connection that reached it is closed. */
	uint32_t refuse = m->refuse & ~c->lax;
	const uint32_t hdr_classes = VFU_RF_BIT(VFU_RF_VERSION) | VFU_RF_BIT(VFU_RF_REPLY_BIT);
	if ((refuse & hdr_classes) || (c->blind && !refuse)) {
		vfu_conn_log(c, "refusing %s: %s; closing", ri->name,
			     c->blind && !refuse ? "the front-end broke a refusal rule as often as the engine reports"
						 : refusal_names(refuse, why, sizeof why));
		s->st.refused++;
		conn_close(c, true, false, 0);
		return;
	}
	const struct vfu_fault *f;
	if ((f = trigger(c, VFU_FAULT_DELAY_REPLY, m->req))) {
		vfu_conn_log(c, "fault: holding the reply to %s for %u ms", ri->name, f->ms);
		c->hold_next = true;
		c->hold_ms = f->ms;
	}
	if ((f = trigger(c, VFU_FAULT_BACKEND_REQ, m->req)))
		send_backend_req(c, f->be_req, true);
	if ((f = trigger(c, VFU_FAULT_CLOSE_BACKEND, m->req)) && f->at_req) {
		vfu_conn_log(c, "fault: closing the back-end channel");
		close_backend(c);
	}
	/* Fuzz mode: an unprompted back-end request while this request is
	 * being answered (the front-end may be waiting for the reply). */
	if (c->be_fd >= 0 && fuzz_hit(s))
		send_backend_req(c, 1 + (uint32_t)(fuzz_next(s) % VU_REQ_MAX_BACKEND), fuzz_next(s) & 1);
	const struct vfu_profile *p = &s->cfg.profile;
	bool value = ri->reply == VU_REPLY_ALWAYS ||
		     (ri->reply == VU_REPLY_IF_LOG_SHMFD && pf_negotiated(c, VU_PF_LOG_SHMFD));
	bool ack = (m->flags & VU_FLAG_NEED_REPLY) && !value && pf_negotiated(c, VU_PF_REPLY_ACK);
	uint64_t u = 0;
	int status = 0;
	struct vu_state_pl sp;
	struct vu_addr_pl ap;
	struct vu_region_pl rp;
	uint64_t pad;
	bool lax_index = vfu_conn_lax(c, VFU_RF_RING_INDEX);
	if (refuse) {
		/* Not carried out. An error where the front-end can read one: the
		 * ack it asked for, or a u64 reply of the request's own
		 * (SET_LOG_BASE); otherwise the connection is closed. */
		s->st.refused++;
		if (refuse & (VFU_RF_BIT(VFU_RF_REGION_COUNT) | VFU_RF_BIT(VFU_RF_REGION_BOUNDS) |
			      VFU_RF_BIT(VFU_RF_OVERLAP)))
			s->st.bad_regions++;
		status = 1;
		/* A value request whose feature is not negotiated is closed:
		 * its reply has no error value (GET_STATUS 1 is a status). */
		bool u64_reply = value && !(refuse & VFU_RF_BIT(VFU_RF_UNGATED)) &&
				 (ri->reply_payload == VU_PL_U64 || ri->reply_payload == VU_PL_EMPTY_OR_U64);
		vfu_conn_log(c, "refusing %s: %s; %s", ri->name, refusal_names(refuse, why, sizeof why),
			     u64_reply ? "replying 1" : ack ? "error ack" : "closing");
		if (u64_reply)
			reply_u64(c, m->req, 1);
		else if (!ack)
			conn_close(c, true, false, 0);
		goto answered;
	}
	switch (m->req) {
	case VU_GET_FEATURES:
		reply_u64(c, m->req, c->feat_offered);
		break;
	case VU_SET_FEATURES:
		vu_dec_u64(m->payload, m->len, &c->feat_acked);
		break;
	case VU_GET_PROTOCOL_FEATURES:
		c->pf_answered = true;
		reply_u64(c, m->req, c->pf_offered);
		break;
	case VU_SET_PROTOCOL_FEATURES:
		if (vu_dec_u64(m->payload, m->len, &c->pf_acked))
			c->pf_acked_known = true;
		/* ack was decided above with the state before this message,
		 * as the engine decides it. */
		break;
	case VU_GET_QUEUE_NUM:
		reply_u64(c, m->req, p->rings);
		break;
	case VU_GET_MAX_MEM_SLOTS:
		reply_u64(c, m->req, p->max_mem_slots);
		break;
	case VU_GET_STATUS:
		reply_u64(c, m->req, c->status);
		break;
	case VU_SET_STATUS:
		vu_dec_u64(m->payload, m->len, &c->status);
		break;
	case VU_SET_OWNER:
		break;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		/* Every ring and the device state back to their start;
		 * ownership, the memory table and the back-end channel stay
		 * (vhost-user.rst, RESET_DEVICE: "Ask the vhost user back-end
		 * to disable all rings and reset all internal device state to
		 * the initial state"). */
		reset_rings(c);
		c->status = 0;
		vfu_feat_reset(&c->feat, p);
		break;
	case VU_SET_MEM_TABLE:
		status = mem_table(c, m);
		break;
	case VU_ADD_MEM_REG:
		if (vu_dec_memreg(m->payload, m->len, &pad, &rp))
			status = vfu_region_add(c, &rp, m->nkept ? m->fds[0] : -1, m->nkept ? m->info[0].size : -1);
		break;
	case VU_REM_MEM_REG:
		if (vu_dec_memreg(m->payload, m->len, &pad, &rp))
			status = vfu_region_remove(c, &rp);
		break;
	case VU_SET_LOG_BASE: {
		/* The log is mapped (its fd is closed with the message) and
		 * used-ring writes are marked in it while LOG_ALL is acked. */
		const char *reason = "";
		if (vfu_feat_set_log(&c->feat, m->payload, m->len, m->nkept ? m->fds[0] : -1,
				     m->nkept ? m->info[0].size : -1, &reason) != 0) {
			/* lax=log-size: the broken back-end answers 0 without a
			 * log it could map. */
			if (vfu_conn_lax(c, VFU_RF_LOG_SIZE))
				vfu_conn_log(c, "lax: SET_LOG_BASE not mapped (%s); answered 0", reason);
			else
				status = not_done(c, ri, reason);
		}
		if (value)
			reply_u64(c, m->req, status ? 1 : 0);
		break;
	}
	case VU_SET_VRING_NUM:
		if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS) {
			c->rings[sp.index].num = sp.num;
			c->rings[sp.index].num_set = true;
			c->rings[sp.index].broken = false;
		} else {
			status = !lax_index;
		}
		break;
	case VU_SET_VRING_ADDR:
		if (vu_dec_addr(m->payload, m->len, &ap) && ap.index < VFU_MAX_RINGS) {
			c->rings[ap.index].addr = ap;
			c->rings[ap.index].addr_set = true;
			c->rings[ap.index].packed = (c->feat_acked & VU_BIT(VU_F_RING_PACKED)) != 0;
			c->rings[ap.index].broken = false;
		} else {
			status = !lax_index;
		}
		break;
	case VU_SET_VRING_BASE:
		if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS) {
			struct vfu_ring *r = &c->rings[sp.index];
			r->packed = (c->feat_acked & VU_BIT(VU_F_RING_PACKED)) != 0;
			if (r->packed) {
				/* Both halves, as given (vhost-user.rst: the device
				 * cannot read them from memory). */
				struct vu_packed_base b;
				vu_packed_base_dec(sp.num, &b);
				r->last_avail = b.avail;
				r->avail_wrap = b.avail_wrap;
				r->used_idx = b.used;
				r->used_wrap = b.used_wrap;
			} else {
				r->last_avail = (uint16_t)sp.num;
				r->used_idx = (uint16_t)sp.num;
			}
			r->broken = false;
		} else {
			status = !lax_index;
		}
		break;
	case VU_GET_VRING_BASE: {
		uint8_t out[8];
		vu_dec_state(m->payload, m->len, &sp);
		vu_wr32(out, sp.index);
		vu_wr32(out + 4, sp.index < VFU_MAX_RINGS ? ring_base(c, sp.index) : 0);
		if (sp.index < VFU_MAX_RINGS && has_fault(c, VFU_FAULT_STOPPED_RUNS)) {
			vfu_conn_log(c, "fault: ring %u keeps running after GET_VRING_BASE", sp.index);
		} else if (sp.index < VFU_MAX_RINGS) {
			/* The ring stops: no more kicks are watched until a new
			 * SET_VRING_KICK (the way DPDK and libvhost-user stop). */
			struct vfu_ring *r = &c->rings[sp.index];
			if (r->kick_watched)
				watch_del(s, r->kick_fd);
			r->kick_watched = false;
			close_fd(s, &r->kick_fd);
		}
		reply(c, m->req, out, sizeof out, -1);
		break;
	}
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		ring_set_fd(c, m, m->req);
		break;
	case VU_SET_VRING_ENABLE:
		if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS)
			c->rings[sp.index].enabled = sp.num != 0;
		break;
	case VU_SET_BACKEND_REQ_FD: {
		close_backend(c);
		int fd = msg_take_fd(m, 0);
		if (fd < 0 || m->info[0].kind != VC_FD_SOCKET) {
			close_fd(s, &fd);
			status = 1;
			break;
		}
		c->be_fd = fd;
		if (watch_add(s, fd, &c->w_be) != 0) {
			close_fd(s, &c->be_fd);
			status = 1;
			break;
		}
		for (unsigned i = 0; i < s->cfg.nfaults; i++) {
			const struct vfu_fault *cf = &s->cfg.faults[i];
			if (cf->kind == VFU_FAULT_CLOSE_BACKEND && !cf->at_req && !cf->at_msg &&
			    (!cf->conn || cf->conn == c->ordinal)) {
				vfu_conn_log(c, "fault: closing the back-end channel as soon as it is set");
				close_backend(c);
			}
		}
		break;
	}
	case VU_GET_CONFIG:
		get_config(c, m);
		break;
	case VU_GET_INFLIGHT_FD:
		get_inflight(c, m);
		break;
	case VU_VRING_KICK:
		if (s->cfg.null_device && vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS)
			vfu_ring_process(c, sp.index);
		break;
	case VU_IOTLB_MSG:
		/* Accepted (the fake keeps no IOTLB); the u64 reply is owed
		 * always: vhost-user.rst, VHOST_USER_IOTLB_MSG. */
		reply_u64(c, m->req, 0);
		break;
	case VU_SET_CONFIG: {
		const char *reason = "";
		if (vfu_feat_set_config(&c->feat, m->payload, m->len, &reason) != 0)
			status = not_done(c, ri, reason);
		break;
	}
	case VU_SET_INFLIGHT_FD: {
		const char *reason = "";
		if (vfu_feat_set_inflight(&c->feat, m->payload, m->len, m->nkept ? m->fds[0] : -1,
					  m->nkept ? m->info[0].size : -1, &reason) != 0)
			status = not_done(c, ri, reason);
		break;
	}
	case VU_NET_SET_MTU: {
		const char *reason = "";
		if (p->device != VFU_DEV_NET)
			status = not_done(c, ri, "not a network device");
		else if (vu_dec_u64(m->payload, m->len, &u) && vfu_feat_set_mtu(&c->feat, u, &reason) != 0)
			status = not_done(c, ri, reason);
		break;
	}
	case VU_SEND_RARP:
		/* A null network: the RARP goes where every transmitted frame
		 * goes. Done, as far as a wire without peers can tell. */
		if (p->device != VFU_DEV_NET)
			status = not_done(c, ri, "not a network device");
		else if (vu_dec_u64(m->payload, m->len, &u))
			vfu_conn_log(c, "SEND_RARP for MAC %012" PRIx64 ": sent to the null network",
				     (uint64_t)(u & 0xffffffffffffull));
		break;
	case VU_SET_LOG_FD:
		/* No logging through a separate fd (SET_LOG_BASE carries the
		 * log); the fd is closed with the message. */
		status = not_done(c, ri, "the fake logs only through SET_LOG_BASE");
		break;
	case VU_GPU_SET_SOCKET:
		status = not_done(c, ri, "not a GPU device");
		break;
	default:
		/* Requests whose feature no profile offers (their gate refuses
		 * them first, VU-NEG-05) and those the fake keeps no state for.
		 * For requests with a reply of their own, answer "failed": all
		 * ones in a u64, zeros otherwise; the rest fail (error ack or
		 * close, below). */
		if (ri->reply != VU_REPLY_ALWAYS)
			status = not_done(c, ri, "not implemented by the fake");
		if (ri->reply == VU_REPLY_ALWAYS) {
			int sz = vu_payload_fixed_size((enum vu_payload)ri->reply_payload);
			/* Large enough for the largest fixed reply (GET_SHMEM_CONFIG). */
			uint8_t out[8 + 8 * VU_SHMEM_MAX_REGIONS] = { 0 };
			if (sz < 0 || sz > (int)sizeof out) {
				sz = 8;
				u = UINT64_MAX;
				vu_wr64(out, u);
			} else if (sz == 8) {
				vu_wr64(out, UINT64_MAX);
			}
			reply(c, m->req, out, (uint32_t)sz, -1);
		}
		break;
	}
	/* A request the fake could not carry out: an error ack when one was
	 * asked for, otherwise the connection is closed (never a silent
	 * "done"). */
	if (status && !ack && !value && !c->dead) {
		vfu_conn_log(c, "%s failed and no ack was asked; closing", ri->name);
		conn_close(c, true, false, 0);
	}
answered:
	if (ack && !c->dead)
		reply_u64(c, m->req, status ? 1 : 0);
	/* A hold that found no reply to hold (no reply owed) is dropped. */
	if (c->hold_next) {
		c->hold_next = false;
		if (c->hold_ms)
			vfu_conn_log(c, "fault: %s has no reply to delay", ri->name);
	}
}

/* ---------- watches ---------- */

static void on_sock(struct vfu_conn *c)
{
	for (int burst = 0; burst < 64 && !c->dead && !c->hung; burst++) {
		int r = read_msg(c, c->fd, &c->rd, VU_CHAN_MAIN);
		if (r == 0)
			return;
		if (r < 0) {
			/* hdr_got stays at the header size while the payload is
			 * read, so the sum is the bytes of the cut message. */
			bool partial = c->rd.hdr_got > 0;
			uint32_t cut = c->rd.hdr_got + c->rd.pl_got;
			if (partial && vfu_conn_lax(c, VFU_RF_SHORT_EOF)) {
				/* A broken build: the connection stays open (not
				 * read any more) until the stall time has passed. */
				vfu_conn_log(c, "lax: connection cut %u bytes into a message left open", cut);
				watch_del(c->s, c->fd);
				c->zombie = true;
				c->zombie_bytes = cut;
				int64_t ms = c->s->cfg.stall_ms > 0 ? c->s->cfg.stall_ms : ZOMBIE_MS;
				if (ensure_timer(c, &c->delay_tfd, &c->w_delay, VFU_W_DELAY) == 0)
					arm_timer(c->delay_tfd, (uint32_t)ms);
				else
					conn_close(c, false, true, cut);
				return;
			}
			conn_close(c, false, partial, cut);
			return;
		}
		struct vfu_msg m = c->rd.m;
		memset(&c->rd.m, 0, sizeof c->rd.m);
		bool truncated = m.truncated;
		handle_request(c, &m);
		if (truncated && !c->dead)
			conn_close(c, true, false, 0);
	}
}

static void on_backend(struct vfu_conn *c)
{
	for (int burst = 0; burst < 16 && !c->dead && c->be_fd >= 0; burst++) {
		int r = read_msg(c, c->be_fd, &c->be_rd, VU_CHAN_BACKEND);
		if (r == 0)
			return;
		if (r < 0) {
			/* The channel closed: no event (the session goes on), the
			 * acks it owed can no longer come. */
			vfu_conn_log(c, "front-end closed the back-end channel");
			close_backend(c);
			if (c->holding && !c->hold_ms)
				release_held(c);
			return;
		}
		struct vfu_msg m = c->be_rd.m;
		memset(&c->be_rd.m, 0, sizeof c->be_rd.m);
		if (m.truncated) {
			msg_free(c->s, &m);
			close_backend(c);
			return;
		}
		handle_backend_msg(c, &m);
	}
}

static void on_kick(struct vfu_conn *c, uint32_t idx)
{
	struct vfu_ring *r = &c->rings[idx];
	uint64_t cnt;
	if (r->kick_fd < 0)
		return;
	/* The front-end's eventfd may be blocking, and drain_kicks() may have
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
	emit(c, &ev);
	if (c->s->cfg.null_device)
		vfu_ring_process(c, idx);
}

static void on_delay(struct vfu_conn *c)
{
	uint64_t x;
	if (read(c->delay_tfd, &x, sizeof x) < 0)
		return;
	if (c->zombie) {
		conn_close(c, false, true, c->zombie_bytes);
		return;
	}
	if (c->holding && c->hold_ms)
		release_held(c);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void on_listen(struct vfu_server *s)
{
	for (int i = 0; i < 16; i++) {
		if (s->cfg.max_accepts && s->accepted >= s->cfg.max_accepts) {
			/* Left pending in the backlog until serve closes it. */
			watch_del(s, s->listen_fd);
			return;
		}
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		s->accepted++;
		conn_new(s, fd, false);
	}
}

static int do_connect(struct vfu_server *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || set_nonblock(fd) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return conn_new(s, fd, true) ? 0 : -1;
}

static void on_reconnect(struct vfu_server *s)
{
	uint64_t x;
	char err[256];
	if (read(s->reconn_tfd, &x, sizeof x) < 0 || s->stop)
		return;
	for (struct vfu_conn *c = s->conns; c; c = c->next)
		if (c->from_connect)
			return; /* already connected */
	if (do_connect(s, s->connect_path, err, sizeof err) != 0)
		arm_timer(s->reconn_tfd, RECONNECT_MS);
}

/* ---------- public API ---------- */

struct vfu_server *vfu_new(const struct vfu_config *cfg, char *err, size_t errlen)
{
	if (cfg->nfaults > VFU_MAX_FAULTS || cfg->profile.rings == 0 ||
	    cfg->profile.rings > VFU_MAX_RINGS) {
		snprintf(err, errlen, "bad fake configuration (faults %u, rings %u)", cfg->nfaults,
			 cfg->profile.rings);
		return NULL;
	}
	struct vfu_server *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	pthread_mutex_init(&s->adopt_mu, NULL);
	s->listen_fd = s->wake_fd = s->reconn_tfd = -1;
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->w_wake.kind = VFU_W_WAKE;
	if (s->ep < 0 || s->wake_fd < 0 || watch_add(s, s->wake_fd, &s->w_wake) != 0) {
		snprintf(err, errlen, "epoll/eventfd: %s", strerror(errno));
		vfu_free(s);
		return NULL;
	}
	/* The engine waives what the fake itself breaks on purpose. */
	size_t nw = cfg->engine.nwaive;
	s->waive = xcalloc(nw + cfg->nfaults + 2, sizeof *s->waive);
	for (size_t i = 0; i < nw; i++)
		s->waive[s->nwaive++] = xstrdup(cfg->engine.waive[i]);
	if (cfg->fuzz) {
		/* Any nonzero state works for xorshift; mix the seed so 0 is fine. */
		s->fuzz_state = (cfg->fuzz_seed ^ 0x9e3779b97f4a7c15ull) | 1;
		s->waive[s->nwaive++] = xstrdup(vfu_fuzz_waives());
	}
	for (unsigned i = 0; i < cfg->nfaults; i++) {
		const char *w = vfu_fault_waives(&cfg->faults[i]);
		if (*w)
			s->waive[s->nwaive++] = xstrdup(w);
	}
	struct vc_engine_opts eo = cfg->engine;
	eo.waive = (const char *const *)s->waive;
	eo.nwaive = s->nwaive;
	eo.queue_count = cfg->profile.rings;
	eo.on_finding = on_engine_finding;
	eo.opaque = s;
	s->eng = vc_engine_new(&eo);
	s->finding_cap = eo.max_findings_per_rule ? eo.max_findings_per_rule : 100;
	/* A refusal rule filtered out of the report is still enforced. */
	bool all_on = true;
	for (unsigned r = 0; r < VC_RULE_COUNT; r++)
		if (rule_class((enum vc_rule_id)r) >= 0 && !vc_rule_enabled(&eo, (enum vc_rule_id)r))
			all_on = false;
	if (!all_on) {
		/* Never reported: its ended sessions are folded at once. */
		struct vc_engine_opts go = { .queue_count = cfg->profile.rings, .on_finding = on_guard_finding,
					     .opaque = s, .keep_sessions = 1 };
		s->guard = vc_engine_new(&go);
		s->finding_cap = 100;
	}
	if (cfg->record) {
		s->w = vc_native_open(cfg->record, "vhost-cts serve");
		s->rec_line = 1;
	}
	return s;
}

void vfu_close_all(struct vfu_server *s)
{
	while (s->conns)
		conn_close(s->conns, true, false, 0);
	reap(s);
}

void vfu_free(struct vfu_server *s)
{
	if (!s)
		return;
	vfu_stop(s);
	s->stop = true;
	for (size_t i = 0; i < s->nadopt; i++)
		close(s->adopt_q[i]);
	free(s->adopt_q);
	pthread_mutex_destroy(&s->adopt_mu);
	vfu_close_all(s);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->listen_path);
	}
	if (s->reconn_tfd >= 0)
		close(s->reconn_tfd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->ep >= 0)
		close(s->ep);
	vfu_record_close(s);
	vc_engine_free(s->eng);
	vc_engine_free(s->guard);
	for (size_t i = 0; i < s->nleaked; i++)
		close(s->leaked[i]);
	free(s->leaked);
	if (s->disk)
		munmap(s->disk, s->disk_len);
	for (size_t i = 0; i < s->nwaive; i++)
		free(s->waive[i]);
	free(s->waive);
	free(s->names);
	free(s);
}

int vfu_listen(struct vfu_server *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (s->listen_fd >= 0) {
		snprintf(err, errlen, "%s: already listening", path);
		return -1;
	}
	/* A stale socket file from an earlier run is replaced; a live one or
	 * anything else at that path is left alone. */
	if (vc_sock_claim(path, err, errlen) != 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	s->listen_fd = fd;
	snprintf(s->listen_path, sizeof s->listen_path, "%s", path);
	s->w_listen.kind = VFU_W_LISTEN;
	if (watch_add(s, fd, &s->w_listen) != 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int vfu_connect(struct vfu_server *s, const char *path, char *err, size_t errlen)
{
	snprintf(s->connect_path, sizeof s->connect_path, "%s", path);
	if (s->cfg.reconnect && s->reconn_tfd < 0) {
		s->reconn_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		s->w_reconn.kind = VFU_W_RECONNECT;
		if (s->reconn_tfd < 0 || watch_add(s, s->reconn_tfd, &s->w_reconn) != 0) {
			snprintf(err, errlen, "timerfd: %s", strerror(errno));
			return -1;
		}
	}
	return do_connect(s, path, err, errlen);
}

int vfu_adopt(struct vfu_server *s, int fd, char *err, size_t errlen)
{
	if (fd < 0 || set_nonblock(fd) != 0) {
		snprintf(err, errlen, "bad fd %d", fd);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (s->thr_running) {
		/* The loop thread owns the engine: it takes the socket over. */
		pthread_mutex_lock(&s->adopt_mu);
		s->adopt_q = xgrow(s->adopt_q, &s->cap_adopt, s->nadopt + 1, sizeof *s->adopt_q);
		s->adopt_q[s->nadopt++] = fd;
		pthread_mutex_unlock(&s->adopt_mu);
		vfu_wake(s);
		return 0;
	}
	if (!conn_new(s, fd, false)) {
		snprintf(err, errlen, "cannot watch fd %d", fd);
		reap(s);
		return -1;
	}
	return 0;
}

int vfu_fd(const struct vfu_server *s)
{
	return s->ep;
}

/* Connections for the sockets vfu_adopt() queued (loop thread). */
static void adopt_pending(struct vfu_server *s)
{
	pthread_mutex_lock(&s->adopt_mu);
	int *q = s->adopt_q;
	size_t n = s->nadopt;
	s->adopt_q = NULL;
	s->nadopt = s->cap_adopt = 0;
	pthread_mutex_unlock(&s->adopt_mu);
	for (size_t i = 0; i < n; i++)
		conn_new(s, q[i], false);
	free(q);
}

int vfu_dispatch(struct vfu_server *s, int timeout_ms)
{
	struct epoll_event evs[64];
	int n = epoll_wait(s->ep, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct vfu_watch *w = evs[i].data.ptr;
		struct vfu_conn *c = w->c;
		if (c && c->dead)
			continue; /* closed by an earlier event of this batch */
		switch (w->kind) {
		case VFU_W_WAKE: {
			uint64_t x;
			if (read(s->wake_fd, &x, sizeof x) < 0)
				break;
			adopt_pending(s);
			break;
		}
		case VFU_W_LISTEN: on_listen(s); break;
		case VFU_W_SOCK:
			/* A hung connection is only watched for its close. */
			if (c->hung)
				conn_close(c, false, false, 0);
			else
				on_sock(c);
			break;
		case VFU_W_BACKEND: on_backend(c); break;
		case VFU_W_KICK: on_kick(c, w->ring); break;
		case VFU_W_DELAY: on_delay(c); break;
		case VFU_W_STALL: stall_fired(c); break;
		case VFU_W_RECONNECT: on_reconnect(s); break;
		}
	}
	reap(s);
	return n;
}

static void *thread_main(void *arg)
{
	struct vfu_server *s = arg;
	while (!s->stop)
		if (vfu_dispatch(s, -1) < 0)
			break;
	/* Sockets handed over just before the stop still become sessions. */
	adopt_pending(s);
	return NULL;
}

int vfu_start(struct vfu_server *s)
{
	if (s->thr_running)
		return -1;
	s->stop = false;
	if (pthread_create(&s->thr, NULL, thread_main, s) != 0)
		return -1;
	s->thr_running = true;
	return 0;
}

void vfu_wake(struct vfu_server *s)
{
	uint64_t one = 1;
	if (s->wake_fd >= 0 && write(s->wake_fd, &one, sizeof one) < 0) {
		/* Counter full: the loop is woken anyway. */
	}
}

void vfu_stop(struct vfu_server *s)
{
	if (!s->thr_running)
		return;
	s->stop = true;
	vfu_wake(s);
	pthread_join(s->thr, NULL);
	s->thr_running = false;
}

void vfu_get_stats(const struct vfu_server *s, struct vfu_stats *out)
{
	*out = s->st;
}

struct vc_engine *vfu_engine(struct vfu_server *s)
{
	return s->eng;
}

const char *vfu_session_name(const struct vfu_server *s, uint32_t sid)
{
	return sid < s->nnames ? s->names[sid] : "";
}

uint64_t vfu_sessions_ended(const struct vfu_server *s)
{
	return s->st.sessions_ended;
}

bool vfu_record_failed(const struct vfu_server *s)
{
	return s->record_failed;
}

int vfu_record_close(struct vfu_server *s)
{
	if (s->w && vc_native_close(s->w) != 0)
		s->record_failed = true;
	s->w = NULL;
	return s->record_failed ? -1 : 0;
}
