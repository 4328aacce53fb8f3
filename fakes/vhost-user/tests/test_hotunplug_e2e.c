/* End to end: what the vhost listener model sends for a hot-unplug under a
 * running ring (traces/scenarios/unplug-under-ring.json) goes over a real
 * socket, with real memfds and eventfds, into the fake vhost-user back-end
 * (fakes/vhost-user/fake.h, its public API only), and each ring is kicked
 * once after its kick fd is set, as a running guest would. The fake maps
 * the tables, sets the ring up, and its live engine must report VU-RING-08
 * when the table that drops the ring's memory arrives — before the device
 * is stopped — and nothing else. The faithful listener's table for the
 * plain hot-plug scenario goes through the same path with no finding. */
#include "harness/tests/common/testutil.h"
#include "fakes/vhost-user/fake.h"
#include "vcts/sock.h"
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct live {
	unsigned ring08;   /* VU-RING-08 findings so far (set on the fake's thread) */
	unsigned total;
	char first[VC_FINDING_MSG_MAX + 32];
};

static void on_finding(const struct vc_finding *f, void *opaque)
{
	struct live *l = opaque;
	if (__atomic_load_n(&l->total, __ATOMIC_RELAXED) == 0)
		snprintf(l->first, sizeof l->first, "%s: %s", vc_rule(f->rule)->id, f->message);
	if (f->rule == VC_R_VU_RING_08)
		__atomic_add_fetch(&l->ring08, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&l->total, 1, __ATOMIC_SEQ_CST);
}

/* One backing file per fd identity of the model's tables, sized for the
 * largest offset + size any table maps from it. */
struct backing {
	uint64_t ident;
	uint64_t need;
	int fd;
};
#define MAX_BACKING 16

static struct backing *backing_for(struct backing *b, size_t *n, uint64_t ident)
{
	for (size_t i = 0; i < *n; i++)
		if (b[i].ident == ident)
			return &b[i];
	ck_assert_uint_lt(*n, MAX_BACKING);
	b[*n] = (struct backing){ .ident = ident, .need = 0, .fd = -1 };
	return &b[(*n)++];
}

static bool is_table(const struct vc_event *ev)
{
	return ev->kind == VC_EV_VU_MSG && ev->dir == VC_DIR_FE_TO_BE && ev->u.vu.chan == VU_CHAN_MAIN &&
	       ev->u.vu.request == VU_SET_MEM_TABLE && ev->u.vu.has_payload;
}

/* Region i of a table event, and the identity of its fd. */
static void table_region(const struct vc_event *ev, uint32_t i, struct vu_region_pl *r, uint64_t *ident)
{
	ck_assert_uint_ge(ev->u.vu.payload_len, 8 + (i + 1) * sizeof *r);
	memcpy(r, ev->u.vu.payload + 8 + i * sizeof *r, sizeof *r);
	*ident = (i < ev->nfds && i < VC_EVENT_MAX_FDS && ev->fds[i].ident) ? ev->fds[i].ident : 1000 + i;
}

static void send_msg(int sock, const struct vc_vu_msg *m, const int *fds, size_t nfds)
{
	ck_assert_int_eq(vc_sock_send_msg(sock, m->request, m->flags, m->payload_len, m->payload,
					  m->payload_len, fds, (unsigned)nfds, 10000),
			 0);
}

static void recv_all(int sock, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		struct pollfd p = { sock, POLLIN, 0 };
		ck_assert_msg(poll(&p, 1, 10000) == 1, "no reply from the fake within 10 s");
		ssize_t n = recv(sock, (char *)buf + got, len - got, 0);
		ck_assert_msg(n > 0, "fake closed the connection (%s)", n < 0 ? strerror(errno) : "EOF");
		got += (size_t)n;
	}
}

/* The reply to request req; returns its u64 / state num. */
static uint64_t recv_reply(int sock, uint32_t req)
{
	uint32_t h[3];
	recv_all(sock, h, sizeof h);
	ck_assert_uint_eq(h[0], req);
	ck_assert_uint_eq(h[1] & 0x7, 0x5);
	ck_assert_uint_le(h[2], 64);
	uint8_t pl[64] = { 0 };
	recv_all(sock, pl, h[2]);
	uint64_t u = 0;
	if (h[2] >= 8)
		memcpy(&u, pl, 8);
	return u;
}

/* Replays the FE->BE messages of session 0 of a scenario into the fake.
 * Returns VU-RING-08 findings seen live right after each table, in
 * ring08_after[k] for the k-th table (up to 8 tables). */
static void replay(const char *scenario, struct live *l, unsigned *ring08_after, unsigned *ntables,
		   const struct vc_results **res_out, struct vfu_server **srv_out)
{
	struct vc_trace t;
	struct vc_error err;
	char msg[700];
	ck_assert_msg(vc_trace_load(&t, vc_test_path(scenario), VC_FMT_AUTO, 0, &err) == 0, "%s",
		      vc_error_str(&err, msg, sizeof msg));
	ck_assert_int_eq(t.format, VC_FMT_SCENARIO);

	/* backing memfds */
	struct backing b[MAX_BACKING];
	size_t nb = 0;
	for (size_t i = 0; i < t.nevents; i++) {
		const struct vc_event *ev = &t.events[i];
		if (ev->session != 0 || !is_table(ev))
			continue;
		uint32_t nreg;
		memcpy(&nreg, ev->u.vu.payload, 4);
		for (uint32_t k = 0; k < nreg; k++) {
			struct vu_region_pl r;
			uint64_t id;
			table_region(ev, k, &r, &id);
			struct backing *x = backing_for(b, &nb, id);
			if (r.mmap_offset + r.size > x->need)
				x->need = r.mmap_offset + r.size;
		}
	}
	ck_assert_uint_gt(nb, 0);
	for (size_t i = 0; i < nb; i++) {
		b[i].fd = memfd_create("cts-e2e-guest", MFD_CLOEXEC);
		ck_assert_int_ge(b[i].fd, 0);
		ck_assert_int_eq(ftruncate(b[i].fd, (off_t)b[i].need), 0);
	}

	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, "net", 1), 0);
	cfg.engine.on_finding = on_finding;
	cfg.engine.opaque = l;
	cfg.source_name = "e2e";
	char e[256];
	struct vfu_server *s = vfu_new(&cfg, e, sizeof e);
	ck_assert_msg(s != NULL, "%s", e);
	ck_assert_int_eq(vfu_start(s), 0);
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_msg(vfu_adopt(s, sv[1], e, sizeof e) == 0, "%s", e);
	int sock = sv[0];

	int evfds[8];
	size_t nev = 0;
	*ntables = 0;
	for (size_t i = 0; i < t.nevents; i++) {
		const struct vc_event *ev = &t.events[i];
		if (ev->session != 0 || ev->kind != VC_EV_VU_MSG || ev->dir != VC_DIR_FE_TO_BE ||
		    ev->u.vu.chan != VU_CHAN_MAIN)
			continue;
		const struct vc_vu_msg *m = &ev->u.vu;
		int fds[VC_EVENT_MAX_FDS];
		size_t nfds = 0;
		if (is_table(ev)) {
			uint32_t nreg;
			memcpy(&nreg, m->payload, 4);
			for (uint32_t k = 0; k < nreg; k++) {
				struct vu_region_pl r;
				uint64_t id;
				table_region(ev, k, &r, &id);
				fds[nfds++] = backing_for(b, &nb, id)->fd;
			}
		} else if (m->request == VU_SET_VRING_KICK || m->request == VU_SET_VRING_CALL ||
			   m->request == VU_SET_VRING_ERR) {
			ck_assert_uint_lt(nev, 8);
			evfds[nev] = eventfd(0, EFD_CLOEXEC);
			ck_assert_int_ge(evfds[nev], 0);
			fds[nfds++] = evfds[nev++];
		} else {
			ck_assert_uint_eq(ev->nfds, 0); /* nothing else in these scenarios carries fds */
		}
		send_msg(sock, m, fds, nfds);
		if (m->request == VU_SET_VRING_KICK) {
			/* The guest posts buffers and kicks: a live session counts a
			 * ring as started at its first kick. Wait until the fake has
			 * read the eventfd (it feeds the kick to its engine in the
			 * same step), so the kick is judged before the next message. */
			uint64_t one = 1;
			ck_assert_int_eq(write(fds[0], &one, sizeof one), (ssize_t)sizeof one);
			struct pollfd p = { fds[0], POLLIN, 0 };
			int w = 0;
			while (poll(&p, 1, 0) == 1 && w++ < 10000)
				usleep(1000);
			ck_assert_msg(w < 10000, "the fake never read the kick");
		}
		/* The model's next message on the session says whether a reply
		 * is due (GET_*; no REPLY_ACK is negotiated by the model). */
		if (i + 1 < t.nevents && t.events[i + 1].kind == VC_EV_VU_MSG &&
		    t.events[i + 1].dir == VC_DIR_BE_TO_FE)
			recv_reply(sock, m->request);
		if (is_table(ev)) {
			/* A round trip so the fake has judged the table before we
			 * look: GET_FEATURES is answered in order. */
			struct vc_vu_msg probe = { .chan = VU_CHAN_MAIN, .request = VU_GET_FEATURES,
						   .flags = 0x1 };
			send_msg(sock, &probe, NULL, 0);
			recv_reply(sock, VU_GET_FEATURES);
			if (*ntables < 8)
				ring08_after[*ntables] = __atomic_load_n(&l->ring08, __ATOMIC_SEQ_CST);
			(*ntables)++;
		}
	}
	close(sock);
	for (uint64_t w = 0; vfu_sessions_ended(s) < 1 && w < 1000; w++)
		usleep(10000);
	vfu_stop(s);
	for (size_t i = 0; i < nev; i++)
		close(evfds[i]);
	for (size_t i = 0; i < nb; i++)
		close(b[i].fd);
	vc_trace_free(&t);
	*res_out = vc_engine_finish(vfu_engine(s));
	*srv_out = s;
}

/* "RULExN ..." of results. */
static void summary(const struct vc_results *r, char *buf, size_t len)
{
	unsigned n[VC_RULE_COUNT] = { 0 };
	for (size_t i = 0; i < r->nfindings; i++)
		n[r->findings[i].rule]++;
	buf[0] = '\0';
	for (unsigned k = 0; k < VC_RULE_COUNT; k++)
		if (n[k])
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%sx%u", buf[0] ? " " : "", vc_rule(k)->id,
				 n[k]);
}

START_TEST(unplug_under_ring_is_caught_live)
{
	struct live l = { 0 };
	unsigned after[8] = { 0 }, ntables = 0;
	const struct vc_results *res;
	struct vfu_server *s;
	replay("traces/scenarios/unplug-under-ring.json", &l, after, &ntables, &res, &s);
	/* table 1: boot RAM + dimm, ring not started yet; table 2: the dimm
	 * gone while the ring (in the dimm) runs */
	ck_assert_uint_eq(ntables, 2);
	ck_assert_uint_eq(after[0], 0);
	ck_assert_msg(after[1] == 1, "VU-RING-08 not reported live after the unplug table (%u)", after[1]);
	ck_assert_msg(strstr(l.first, "VU-RING-08") && strstr(l.first, "unmapped"), "first finding: %s",
		      l.first);
	char got[256];
	summary(res, got, sizeof got);
	ck_assert_str_eq(got, "VU-RING-08x1");
	vfu_free(s);
}
END_TEST

START_TEST(plug_unplug_beside_ring_is_clean)
{
	struct live l = { 0 };
	unsigned after[8] = { 0 }, ntables = 0;
	const struct vc_results *res;
	struct vfu_server *s;
	replay("traces/scenarios/dimm-hotplug-unplug.json", &l, after, &ntables, &res, &s);
	ck_assert_uint_ge(ntables, 3);
	char got[256];
	summary(res, got, sizeof got);
	ck_assert_msg(got[0] == '\0', "findings: %s (first: %s)", got, l.first);
	vfu_free(s);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("hotunplug-e2e");
	TCase *tc = tcase_create("listener-to-fake");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, unplug_under_ring_is_caught_live);
	tcase_add_test(tc, plug_unplug_beside_ring_is_clean);
	suite_add_tcase(s, tc);
	return s;
}
