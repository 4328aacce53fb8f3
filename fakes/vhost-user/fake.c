/* The fake vhost-user back-end's server: the public API of fake.h, the
 * event loop (one epoll set; run on its own thread or from the caller's
 * loop), listening, connecting and adopting sockets. What a connection
 * does is in fake_conn.c, a request's answer in fake_dispatch.c and the
 * request table (fake_requests.c); fake_int.h lists the files. Every byte
 * and fd from the front-end is hostile. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/sockpath.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#define RECONNECT_MS 100

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
			vfu_watch_del(s, s->listen_fd);
			return;
		}
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		s->accepted++;
		vfu_conn_new(s, fd, false);
	}
}

static int do_connect(struct vfu_server *s, const char *path, char *err, size_t errlen)
{
	int fd = vc_sock_connect(path, 0);
	if (fd < 0 || set_nonblock(fd) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return vfu_conn_new(s, fd, true) ? 0 : -1;
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
		vfu_arm_timer(s->reconn_tfd, RECONNECT_MS);
}

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
	if (s->ep < 0 || s->wake_fd < 0 || vfu_watch_add(s, s->wake_fd, &s->w_wake) != 0) {
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
		vfu_fuzz_seed(s);
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
	s->eng = vc_engine_new(&eo);
	for (unsigned k = 0; k < VFU_RF_COUNT; k++)
		vfu_refusal_judged_by(k, &s->rf_rules[k]);
	if (cfg->record) {
		s->w = vc_native_open(cfg->record, "vhost-cts serve");
		s->rec_line = 1;
	}
	return s;
}

void vfu_close_all(struct vfu_server *s)
{
	while (s->conns)
		vfu_conn_close(s->conns, true, false, 0);
	vfu_reap(s);
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
	if (s->listen_fd >= 0) {
		snprintf(err, errlen, "%s: already listening", path);
		return -1;
	}
	/* A stale socket file from an earlier run is replaced; a live one or
	 * anything else at that path is left alone (vc_sock_claim). */
	int fd = vc_sock_listen(path, 64, SOCK_NONBLOCK, err, errlen);
	if (fd < 0)
		return -1;
	s->listen_fd = fd;
	snprintf(s->listen_path, sizeof s->listen_path, "%s", path);
	s->w_listen.kind = VFU_W_LISTEN;
	if (vfu_watch_add(s, fd, &s->w_listen) != 0) {
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
		if (s->reconn_tfd < 0 || vfu_watch_add(s, s->reconn_tfd, &s->w_reconn) != 0) {
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
	if (!vfu_conn_new(s, fd, false)) {
		snprintf(err, errlen, "cannot watch fd %d", fd);
		vfu_reap(s);
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
		vfu_conn_new(s, q[i], false);
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
				vfu_conn_close(c, false, false, 0);
			else
				vfu_on_sock(c);
			break;
		case VFU_W_BACKEND: vfu_on_backend(c); break;
		case VFU_W_KICK: vfu_on_kick(c, w->ring); break;
		case VFU_W_DELAY: vfu_on_delay(c); break;
		case VFU_W_STALL: vfu_stall_fired(c); break;
		case VFU_W_RECONNECT: on_reconnect(s); break;
		}
	}
	vfu_reap(s);
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
