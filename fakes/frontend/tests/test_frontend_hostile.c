/* The fake front-end (driver) in-process against hostile peers on a
 * thread: silent, garbage, fds, closing, and a lax back-end every negative
 * scenario must fail on. No timed assertions: timeouts only bound the
 * waits. */
#include "fakes/frontend/fe_int.h"
#include "fakes/frontend/frontend.h"
#include "fakes/frontend/tests/drive_util.h"
#include "harness/tests/common/testutil.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum peer_kind { PEER_SILENT, PEER_GARBAGE, PEER_CLOSE, PEER_FDS, PEER_LAX, PEER_LAX_INFLIGHT };
struct peer {
	int kept[64];
	unsigned nkept;
	int lfd;
	enum peer_kind kind;
	volatile int stop;
	pthread_t th;
};

/* A deliberately lax back-end: frames every request, closes every fd it
 * gets, answers what has an answer, acks everything as done, and stays
 * after the front-end's EOF. Every negative scenario must fail on it. */
static bool lax_serve(struct peer *p, int c)
{
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	bool eof = false;
	while (!p->stop) {
		struct pollfd q = { .fd = c, .events = eof ? 0 : POLLIN };
		if (poll(&q, 1, 50) <= 0 || eof)
			continue;
		struct vc_sock_msg m;
		enum vc_sock_rx_status st;
		while ((st = vc_sock_recv(c, &rx, &m)) == VC_RX_MSG) {
			const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, m.req);
			uint64_t v = 0;
			if (m.req == VU_GET_FEATURES)
				v = VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_PROTOCOL_FEATURES) | VU_BIT(VU_F_LOG_ALL);
			else if (m.req == VU_GET_PROTOCOL_FEATURES)
				v = VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_MQ) |
				    (p->kind == PEER_LAX_INFLIGHT ? VU_BIT(VU_PF_INFLIGHT_SHMFD) : 0);
			else if (m.req == VU_GET_QUEUE_NUM)
				v = 2;
			else if (m.req == VU_GET_VRING_BASE && m.len >= 4)
				memcpy(&v, m.payload, 4);
			if (m.req == VU_GET_INFLIGHT_FD && p->kind == PEER_LAX_INFLIGHT) {
				/* 64 KiB claimed on an empty file */
				struct vu_inflight_pl ip = { 65536, 0, 2, 256 };
				uint8_t pl[24];
				int fd = memfd_create("vcts-empty", MFD_CLOEXEC);
				ck_assert_int_ge(fd, 0);
				(void)vc_sock_send_msg(c, m.req, VU_VERSION | VU_FLAG_REPLY, 24, pl,
						       vu_enc_inflight(pl, sizeof pl, &ip), &fd, 1, 1000);
				close(fd);
				vc_sock_msg_free(&m);
				continue;
			}
			bool value = ri && (ri->reply == VU_REPLY_ALWAYS || ri->reply == VU_REPLY_IF_LOG_SHMFD);
			if (value || (m.flags & VU_FLAG_NEED_REPLY))
				(void)vc_sock_send_msg(c, m.req, VU_VERSION | VU_FLAG_REPLY, 8, &v, 8, NULL, 0, 1000);
			/* every fd it gets is closed */
			vc_sock_msg_free(&m);
		}
		if (st == VC_RX_AGAIN)
			continue;
		/* A size past the cap: read on as if a new header followed. */
		vc_sock_rx_free(&rx);
		vc_sock_rx_init(&rx, 0);
		if (st == VC_RX_OVERSIZE)
			continue;
		/* Never close after the front-end's EOF (the hang class):
		 * keep the socket until the peer stops, serve the next. */
		eof = true;
		if (p->nkept < sizeof p->kept / sizeof p->kept[0]) {
			p->kept[p->nkept++] = c;
			return true;
		}
	}
	vc_sock_rx_free(&rx);
	return false;
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	while (!p->stop) {
		struct pollfd pf = { .fd = p->lfd, .events = POLLIN };
		if (poll(&pf, 1, 50) <= 0)
			continue;
		int c = accept(p->lfd, NULL, NULL);
		if (c < 0)
			continue;
		uint8_t buf[4096];
		if (p->kind == PEER_CLOSE) {
			close(c);
			continue;
		}
		if (p->kind == PEER_LAX || p->kind == PEER_LAX_INFLIGHT) {
			if (!lax_serve(p, c))
				close(c);
			continue;
		}
		/* Read the first request, then misbehave. */
		ssize_t n = read(c, buf, sizeof buf);
		(void)n;
		if (p->kind == PEER_GARBAGE) {
			uint8_t h[VU_HDR_SIZE];
			vu_wr32(h, VU_GET_FEATURES);
			vu_wr32(h + 4, VU_VERSION | VU_FLAG_REPLY);
			vu_wr32(h + 8, 0xffffffffu);
			if (write(c, h, sizeof h) < 0)
				(void)0;
		} else if (p->kind == PEER_FDS) {
			/* A reply with 40 fds attached. */
			uint8_t r[VU_HDR_SIZE + 8] = { 0 };
			vu_wr32(r, VU_GET_FEATURES);
			vu_wr32(r + 4, VU_VERSION | VU_FLAG_REPLY);
			vu_wr32(r + 8, 8);
			int fds[40];
			int pr[2];
			ck_assert_int_eq(pipe(pr), 0);
			for (int i = 0; i < 40; i++)
				fds[i] = i % 2 ? pr[0] : pr[1];
			if (vc_sock_send(c, r, sizeof r, fds, 40, 1000) < 0)
				(void)0;
			close(pr[0]);
			close(pr[1]);
		}
		/* Silent (and after misbehaving): drain until the driver goes. */
		while (!p->stop) {
			struct pollfd q = { .fd = c, .events = POLLIN };
			if (poll(&q, 1, 50) > 0 && read(c, buf, sizeof buf) <= 0)
				break;
		}
		close(c);
	}
	return NULL;
}

static void peer_start(struct peer *p, enum peer_kind k)
{
	memset(p, 0, sizeof *p);
	p->kind = k;
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
	ck_assert_int_eq(bind(p->lfd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(p->lfd, 8), 0);
	ck_assert_int_eq(pthread_create(&p->th, NULL, peer_main, p), 0);
}

static void peer_stop(struct peer *p)
{
	p->stop = 1;
	pthread_join(p->th, NULL);
	for (unsigned i = 0; i < p->nkept; i++)
		close(p->kept[i]);
	close(p->lfd);
	unlink(sock_path);
}

START_TEST(silent_backend_is_hung_not_a_driver_hang)
{
	fresh_path("silent");
	int fds0 = vc_test_count_fds();
	struct peer p;
	peer_start(&p, PEER_SILENT);
	struct vfe_run *r = new_run("init-start-stop-qemu,neg-version", VFE_DEV_NET, 150);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 2);
	ck_assert_int_eq(find(r, "init-start-stop-qemu")->outcome, VFE_HUNG);
	ck_assert_int_eq(find(r, "neg-version")->outcome, VFE_HUNG);
	const struct vc_results *res = vfe_run_results(r);
	ck_assert_int_eq(res->sessions[0].rules[VC_R_VU_BE_02].verdict, VC_FAIL);
	ck_assert_int_eq(res->sessions[0].rules[VC_R_VU_REPLY_01].verdict, VC_FAIL);
	vfe_run_free(r);
	peer_stop(&p);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

START_TEST(garbage_and_fds_are_refused)
{
	fresh_path("garbage");
	int fds0 = vc_test_count_fds();
	struct peer p;
	peer_start(&p, _i ? PEER_FDS : PEER_GARBAGE);
	/* The peer thread answers within ms when idle; a loaded machine (make
	 * check runs lanes beside it) must not turn its garbage into a hang. */
	struct vfe_run *r = new_run("init-start-stop-qemu", VFE_DEV_NET, 1500);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 1);
	const struct vfe_scenario_result *x = find(r, "init-start-stop-qemu");
	if (_i == 0) {
		ck_assert_int_eq(x->outcome, VFE_FINDINGS);
		ck_assert_msg(strstr(x->detail, "garbage"), "%s", x->detail);
	} else {
		/* 40 fds with a GET_FEATURES reply: kept at most what a
		 * message holds, every one closed; then it goes silent. */
		ck_assert_int_eq(x->outcome, VFE_HUNG);
	}
	vfe_run_free(r);
	peer_stop(&p);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

START_TEST(closing_backend_is_refusal)
{
	fresh_path("close");
	struct peer p;
	peer_start(&p, PEER_CLOSE);
	struct vfe_run *r = new_run("reconnect,neg-extra-fds", VFE_DEV_NET, 200);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), 2);
	ck_assert_int_eq(find(r, "reconnect")->outcome, VFE_FINDINGS);
	/* the set-up of a negative scenario failed: no verdict on the back-end */
	ck_assert_int_eq(find(r, "neg-extra-fds")->outcome, VFE_ERROR);
	const struct vc_results *res = vfe_run_results(r);
	ck_assert_int_eq(res->sessions[0].rules[VC_R_VU_BE_05].verdict, VC_FAIL);
	vfe_run_free(r);
	peer_stop(&p);
}
END_TEST

START_TEST(every_negative_scenario_fails_on_a_lax_backend)
{
	fresh_path("lax");
	int fds0 = vc_test_count_fds();
	struct peer p;
	peer_start(&p, PEER_LAX);
	struct vfe_run *r = new_run("neg-*", VFE_DEV_NET, 300);
	char err[256];
	ck_assert_int_eq(vfe_run_all(r, err, sizeof err), (int)vfe_scn_nneg);
	size_t n;
	const struct vfe_scenario_result *x = vfe_run_scenarios(r, &n);
	const struct vc_results *res = vfe_run_results(r);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(x[i].outcome == VFE_ACCEPTED || x[i].outcome == VFE_HUNG, "%s: %s (%s)", x[i].name,
			      vfe_outcome_name(x[i].outcome), x[i].detail);
		const struct vc_session_result *sr = &res->sessions[x[i].session];
		ck_assert(sr->rules[VC_R_VU_REPLY_04].verdict == VC_FAIL || sr->rules[VC_R_VU_BE_02].verdict == VC_FAIL);
	}
	ck_assert_int_eq(find(r, "neg-short-eof")->outcome, VFE_HUNG);
	ck_assert_int_eq(find(r, "neg-overlap")->outcome, VFE_ACCEPTED);
	ck_assert_int_eq(res->sessions[find(r, "neg-overlap")->session].rules[VC_R_VU_BE_04].verdict, VC_FAIL);
	vfe_run_free(r);
	peer_stop(&p);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

/* An inflight region past the end of the back-end's fd: the driver
 * refuses to map it, it does not take SIGBUS reading it. */
START_TEST(inflight_region_past_its_fd_is_not_read)
{
	fresh_path("infl");
	int fds0 = vc_test_count_fds();
	struct peer p;
	peer_start(&p, PEER_LAX_INFLIGHT);
	struct vfe_run *r = new_run("inflight", VFE_DEV_NET, 300);
	char err[256];
	vfe_run_all(r, err, sizeof err);
	const struct vfe_scenario_result *x = find(r, "inflight");
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(strstr(x->detail, "past the end of its fd") != NULL, "%s: %s",
		      vfe_outcome_name(x->outcome), x->detail);
	vfe_run_free(r);
	peer_stop(&p);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
}
END_TEST

Suite *vc_test_suite(void)
{
	ignore_sigpipe();
	Suite *s = suite_create("frontend-hostile");
	TCase *t = tcase_create("hostile");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, silent_backend_is_hung_not_a_driver_hang);
	tcase_add_loop_test(t, garbage_and_fds_are_refused, 0, 2);
	tcase_add_test(t, closing_backend_is_refusal);
	tcase_add_test(t, every_negative_scenario_fails_on_a_lax_backend);
	tcase_add_test(t, inflight_region_past_its_fd_is_not_read);
	suite_add_tcase(s, t);
	return s;
}
