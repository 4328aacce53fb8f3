/* The fake back-end driven in-process by a small C front-end (fake_fe.c):
 * socketpairs, messages with SCM_RIGHTS, memfd guest memory, eventfd kicks.
 * Covers the answers, the null device, the live findings (and that an
 * offline check of the capture gives the same), kept sessions and the CLI;
 * refusals, faults and the hostile run are test_fake_faults.c's. */
#include "fakes/vhost-user/tests/fake_fe.h"

START_TEST(test_session_null_device)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 2, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_MQ));
	ck_assert_uint_eq(get_u64(fd, VU_GET_QUEUE_NUM), 2);
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick, call);
	/* A readable + writable chain: the generic null device returns it. */
	uint16_t fl[2] = { 1, 2 };
	uint32_t lens[2] = { 64, 128 };
	post_chain(&g, 1, fl, lens, 2, kick);
	uint64_t cnt;
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt); /* blocks until signalled */
	ck_assert_uint_eq(used_idx(&g), 1);
	/* Stop: GET_VRING_BASE answers the ring's next index. */
	struct pl_state st = { 0, 0 };
	req(fd, VU_GET_VRING_BASE, 0, &st, sizeof st);
	uint32_t r, f;
	struct pl_state got;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &got, sizeof got, NULL), (int)sizeof got);
	ck_assert_uint_eq(got.index, 0);
	ck_assert_uint_eq(got.num, 1);
	close(fd);
	close(kick);
	close(call);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats stt;
	vfu_get_stats(s, &stt);
	ck_assert_uint_eq(stt.mapped_regions, 0);
	ck_assert_uint_eq(stt.chains_done, 1);
	ck_assert_uint_eq(stt.kicks, 1);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert_uint_eq(res->findings_by_level[VC_MUST], 0);
	ck_assert_uint_eq(l.must, 0);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* A front-end that shrinks its memfd after the fake mapped it: the fake's
 * next read of the ring is SIGBUS. The fake must not crash (this test's
 * process is the fake's): the ring is halted (SET_VRING_ERR signalled) and
 * the connection still answers. */
START_TEST(test_shrunk_memfd_halts_ring)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC), err = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_ERR, VU_VERSION, &u, sizeof u, &err, 1);
	setup_ring(fd, 0, kick, call);
	uint16_t fl[1] = { 0 };
	uint32_t lens[1] = { 64 };
	post_chain(&g, 1, fl, lens, 1, -1);
	ck_assert_int_eq(ftruncate(g.memfd, 0), 0);
	uint64_t one = 1, cnt;
	ck_assert_int_eq(write(kick, &one, sizeof one), (ssize_t)sizeof one);
	ck_assert_int_eq(read(err, &cnt, sizeof cnt), (ssize_t)sizeof cnt); /* blocks until halted */
	struct pl_state st = { 0, 0 };
	req(fd, VU_GET_VRING_BASE, 0, &st, sizeof st);
	uint32_t r, f;
	struct pl_state got;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &got, sizeof got, NULL), (int)sizeof got);
	ck_assert_uint_eq(got.index, 0);
	close(fd);
	close(kick);
	close(call);
	close(err);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats stt;
	vfu_get_stats(s, &stt);
	ck_assert_uint_eq(stt.chains_done, 0);
	ck_assert_uint_eq(stt.mapped_regions, 0);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST


/* GET_FEATURES answered by a fake driven from this thread. */
static uint64_t get_u64_caller(struct vfu_server *s, int fd)
{
	req(fd, VU_GET_FEATURES, 0, NULL, 0);
	struct pollfd p = { .fd = vfu_fd(s), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	ck_assert_int_ge(vfu_dispatch(s, 0), 1);
	uint32_t r, f;
	uint64_t v = 0;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &v, sizeof v, NULL), (int)sizeof v);
	return v;
}

/* Same session in the caller's poll loop (no thread): the test sends,
 * dispatches, then reads. */
START_TEST(test_caller_driven)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("net", 1, &l, NULL, NULL, 0);
	int fd = connect_fake(s);
	req(fd, VU_GET_FEATURES, 0, NULL, 0);
	struct pollfd p = { .fd = vfu_fd(s), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, -1), 1);
	ck_assert_int_ge(vfu_dispatch(s, 0), 1);
	uint32_t r, f;
	uint64_t v;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &v, sizeof v, NULL), (int)sizeof v);
	ck_assert(v & VU_BIT(VU_F_VERSION_1));
	close(fd);
	while (vfu_sessions_ended(s) < 1)
		vfu_dispatch(s, -1);
	vfu_free(s);
}
END_TEST

/* fds the kernel cannot give the fake (its fd limit reached): the count
 * is lost, so the fake closes the connection as its own refusal instead
 * of judging the front-end for an fd count it did not send. */
START_TEST(test_fds_cut_by_kernel)
{
	struct live l = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *rec = open_memstream(&buf, &len);
	struct vfu_server *s = new_server("net", 1, &l, rec, NULL, 0);
	int fd = connect_fake(s);
	(void)get_u64_caller(s, fd);
	int call = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 0;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &call, 1);
	struct rlimit old;
	vc_test_fd_room(0, &old); /* no fd can be installed */
	struct pollfd p = { .fd = vfu_fd(s), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	vfu_dispatch(s, 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_uint_eq(vfu_sessions_ended(s), 1);
	uint8_t b;
	ssize_t rn = recv(fd, &b, 1, MSG_DONTWAIT);
	/* The fake hung up (reset: it left the payload unread). */
	ck_assert_msg(rn == 0 || (rn < 0 && errno == ECONNRESET), "recv %zd: %s", rn, strerror(errno));
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.fds_received, st.fds_closed);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert(!has_rule(res, VC_R_VU_FD_03));
	close(call);
	close(fd);
	vfu_free(s);
	fclose(rec);
	/* The capture says who closed: the back-end, not cut by the front-end. */
	const char *eof = strstr(buf, "\"kind\":\"vu-eof\"");
	ck_assert_ptr_nonnull(eof);
	const char *eol = strchr(eof, '\n');
	ck_assert_ptr_nonnull(eol);
	const char *dir = strstr(eof, "\"dir\":\"BE->FE\"");
	ck_assert_msg(dir && dir < eol, "%.*s", (int)(eol - eof), eof);
	free(buf);
}
END_TEST

/* VU-MEM-04 from the fd's real size; the region is refused (ack 1). */
START_TEST(test_region_past_fd)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, 4096);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 1);
	close(fd);
	wait_ended(s, 1);
	vfu_stop(s);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	bool mem04 = false;
	for (size_t i = 0; i < res->nfindings; i++)
		mem04 |= res->findings[i].rule == VC_R_VU_MEM_04;
	ck_assert(mem04);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.bad_regions, 1);
	vfu_free(s);
	guest_free(&g, 4096);
}
END_TEST

/* A kick fd for a ring with no address: VU-RING-06 (the ring starts at
 * SET_VRING_KICK); a
 * descriptor outside the table halts the ring and signals its err fd;
 * closing with a started ring is VU-LIVE-01. The capture, checked
 * offline, gives the same findings. */
START_TEST(test_kicks_chains_and_capture)
{
	struct live l = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *rec = open_memstream(&buf, &len);
	struct vfu_server *s = new_server("generic", 2, &l, rec, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	/* Ring 1: only a kick fd, then a kick. */
	int k1 = eventfd(0, EFD_CLOEXEC);
	uint64_t u = 1, one = 1;
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &k1, 1);
	/* Ring 0 set up with an err fd; its chain points past the table. */
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC), errfd = eventfd(0, EFD_CLOEXEC);
	u = 0;
	fe_send(fd, VU_SET_VRING_ERR, VU_VERSION, &u, sizeof u, &errfd, 1);
	setup_ring(fd, 0, kick, call);
	/* Wait for the fake to have taken everything so far: a GET answers. */
	get_u64(fd, VU_GET_FEATURES);
	ck_assert_int_eq(write(k1, &one, sizeof one), (ssize_t)sizeof one);
	uint16_t fl[3] = { 1, 1, 0 };
	uint32_t lens[3] = { 64, 64, 64 };
	/* The chain is complete before the kick: a kick first would let the
	 * fake take the chain before its second descriptor is spoilt. */
	post_chain(&g, 1, fl, lens, 3, -1);
	vu_wr64(g.mem + DESC_GPA + 16, MEM_SIZE - 8); /* second descriptor runs out */
	ck_assert_int_eq(write(kick, &one, sizeof one), (ssize_t)sizeof one);
	uint64_t cnt;
	ck_assert_int_eq(read(errfd, &cnt, sizeof cnt), (ssize_t)sizeof cnt); /* the err fd fires */
	close(fd);
	close(k1);
	close(kick);
	close(call);
	close(errfd);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.chain_errors, 1);
	const struct vc_results *live = vc_engine_finish(vfu_engine(s));
	ck_assert(has_rule(live, VC_R_VU_RING_06));
	ck_assert(has_rule(live, VC_R_VU_LIVE_01));
	ck_assert_int_eq(vfu_record_close(s), 0);
	fflush(rec);
	/* Offline: the same findings, event for event. */
	struct vc_trace t;
	struct vc_error e = { 0 };
	vc_trace_init(&t, "test.jsonl", VC_FMT_NATIVE);
	ck_assert_int_eq(vc_import_native(&t, buf, len, &e), 0);
	struct vc_engine_opts eo = { .queue_count = 2 };
	struct vc_engine *eng = vc_engine_new(&eo);
	for (size_t i = 0; i < t.nsessions; i++)
		vc_engine_add_session(eng, &t.sessions[i]);
	for (size_t i = 0; i < t.nevents; i++)
		vc_engine_feed(eng, &t.events[i]);
	const struct vc_results *off = vc_engine_finish(eng);
	ck_assert_uint_eq(off->nfindings, live->nfindings);
	for (size_t i = 0; i < off->nfindings; i++) {
		ck_assert_int_eq(off->findings[i].rule, live->findings[i].rule);
		ck_assert_uint_eq(off->findings[i].event, live->findings[i].event);
		ck_assert_str_eq(off->findings[i].message, live->findings[i].message);
	}
	vc_engine_free(eng);
	vc_trace_free(&t);
	vfu_free(s);
	fclose(rec);
	free(buf);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* VU-RING-10 live, both sides (issue #14 class 3): ring 1 set up and
 * started, then kicked twice (the first kick may be the one the text asks
 * front-ends to inject). Forgotten by SET_VRING_ENABLE (bug B8): a
 * finding. Disabled on purpose (SET_VRING_ENABLE 0, a guest using fewer
 * queue pairs): none. */
/* Returns 0: no VU-RING-10; 1: only at the stop; 2: the live kick finding too. */
static int ring10_session(bool disable_on_purpose)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 2, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_MQ));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick0 = eventfd(0, EFD_CLOEXEC), call0 = eventfd(0, EFD_CLOEXEC);
	int kick1 = eventfd(0, EFD_CLOEXEC), call1 = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick0, call0); /* enabled */
	/* Ring 1 as setup_ring() does it, but without SET_VRING_ENABLE 1. */
	struct pl_state st = { 1, Q_NUM };
	req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
	st.num = 0;
	req(fd, VU_SET_VRING_BASE, 0, &st, sizeof st);
	struct pl_addr a = { .index = 1, .desc = UVA + DESC_GPA, .avail = UVA + AVAIL_GPA, .used = UVA + USED_GPA };
	req(fd, VU_SET_VRING_ADDR, 0, &a, sizeof a);
	uint64_t u = 1, one = 1;
	fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &call1, 1);
	fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &kick1, 1);
	if (disable_on_purpose)
		req(fd, VU_SET_VRING_ENABLE, 0, &st, sizeof st); /* ring 1, num 0 */
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(write(kick1, &one, sizeof one), (ssize_t)sizeof one);
		get_u64(fd, VU_GET_FEATURES); /* the fake takes the kick before it answers */
	}
	for (uint32_t i = 0; i < 2; i++) {
		st = (struct pl_state){ i, 0 };
		req(fd, VU_GET_VRING_BASE, 0, &st, sizeof st);
		uint32_t r, f;
		struct pl_state got;
		ck_assert_int_eq(fe_recv(fd, &r, &f, &got, sizeof got, NULL), (int)sizeof got);
	}
	close(fd);
	close(kick0);
	close(call0);
	close(kick1);
	close(call1);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats stt;
	vfu_get_stats(s, &stt);
	ck_assert_uint_eq(stt.kicks, 2);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	int fired = 0;
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].rule == VC_R_VU_RING_10)
			fired = strstr(res->findings[i].message, "kicked again") ? 2 : fired > 1 ? 2 : 1;
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
	return fired;
}

START_TEST(test_ring10_live)
{
	ck_assert_int_eq(ring10_session(true), 0);
	ck_assert_int_eq(ring10_session(false), 2);
}
END_TEST

/* blk profile: GET_CONFIG and a read from the zero disk. */
START_TEST(test_blk_config_and_read)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("blk", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_INFLIGHT_SHMFD));
	struct pl_config c = { .offset = 0, .size = 8 };
	uint32_t clen = (uint32_t)vu_payload_expected_size(VU_PL_CONFIG, (const uint8_t *)&c, sizeof c);
	req(fd, VU_GET_CONFIG, 0, &c, clen);
	struct pl_config out;
	uint32_t r, f;
	ck_assert_int_eq(fe_recv(fd, &r, &f, &out, sizeof out, NULL), (int)clen);
	ck_assert_uint_eq(vu_rd64(out.data), (64ull << 20) / 512); /* capacity in sectors */
	/* GET_INFLIGHT_FD answers with a memfd. */
	uint8_t inf[64] = { 0 };
	uint16_t nq = 1, qs = Q_NUM;
	memcpy(inf + 16, &nq, 2);
	memcpy(inf + 18, &qs, 2);
	int sz = vu_payload_fixed_size(VU_PL_INFLIGHT);
	req(fd, VU_GET_INFLIGHT_FD, 0, inf, (uint32_t)sz);
	int ifd = -1;
	ck_assert_int_eq(fe_recv(fd, &r, &f, inf, sizeof inf, &ifd), sz);
	ck_assert_int_ge(ifd, 0);
	ck_assert_uint_gt(vu_rd64(inf), 0);
	close(ifd);
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick, call);
	/* header (type IN, sector 1), 512 data bytes, status byte */
	memset(g.mem + BUF_GPA + 0x1000, 0xaa, 512);
	memset(g.mem + BUF_GPA + 0x2000, 0xaa, 1);
	vu_wr32(g.mem + BUF_GPA, 0);
	vu_wr64(g.mem + BUF_GPA + 8, 1);
	uint16_t fl[3] = { 1, 3, 2 };
	uint32_t lens[3] = { 16, 512, 1 };
	post_chain(&g, 1, fl, lens, 3, kick);
	uint64_t cnt;
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(used_idx(&g), 1);
	ck_assert_uint_eq(vu_rd32(g.mem + USED_GPA + 4 + 4), 513);
	ck_assert_uint_eq(g.mem[BUF_GPA + 0x1000 + 100], 0);
	ck_assert_uint_eq(g.mem[BUF_GPA + 0x2000], 0); /* VIRTIO_BLK_S_OK */
	close(fd);
	close(kick);
	close(call);
	wait_ended(s, 1);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* The blk disk keeps what is written: sector 3 written, then read back
 * into a cleared buffer. */
START_TEST(test_blk_disk_keeps_sectors)
{
	struct live l = { 0 };
	struct vfu_server *s = new_server("blk", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	struct guest g;
	guest_init(&g, MEM_SIZE);
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	send_table(fd, g.memfd, MEM_SIZE, 0, true);
	ck_assert_uint_eq(ack(fd, VU_SET_MEM_TABLE), 0);
	int kick = eventfd(0, EFD_CLOEXEC), call = eventfd(0, EFD_CLOEXEC);
	setup_ring(fd, 0, kick, call);
	uint8_t *hdr = g.mem + BUF_GPA, *data = g.mem + BUF_GPA + 0x1000, *status = g.mem + BUF_GPA + 0x2000;
	for (unsigned i = 0; i < 512; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	vu_wr32(hdr, 1); /* OUT */
	vu_wr64(hdr + 8, 3);
	*status = 0xff;
	uint16_t wfl[3] = { 1, 1, 2 }, rfl[3] = { 1, 3, 2 };
	uint32_t lens[3] = { 16, 512, 1 };
	post_chain(&g, 1, wfl, lens, 3, kick);
	uint64_t cnt;
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(used_idx(&g), 1);
	ck_assert_uint_eq(*status, 0);
	memset(data, 0, 512);
	vu_wr32(hdr, 0); /* IN */
	*status = 0xff;
	post_chain(&g, 2, rfl, lens, 3, kick);
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(used_idx(&g), 2);
	ck_assert_uint_eq(*status, 0);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(data[i], (uint8_t)(i * 13 + 1));
	/* Past the end of the disk: IOERR. */
	vu_wr64(hdr + 8, (64ull << 20) / 512);
	*status = 0xff;
	post_chain(&g, 3, rfl, lens, 3, kick);
	ck_assert_int_eq(read(call, &cnt, sizeof cnt), (ssize_t)sizeof cnt);
	ck_assert_uint_eq(*status, 1);
	close(fd);
	close(kick);
	close(call);
	wait_ended(s, 1);
	vfu_stop(s);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.disk_writes, 1);
	ck_assert_uint_eq(st.disk_reads, 1);
	vfu_free(s);
	guest_free(&g, MEM_SIZE);
}
END_TEST

/* --keep-sessions: ended sessions past the limit fold into one; what they
 * failed still fails, ids are dense after vc_engine_finish. */
START_TEST(test_keep_sessions)
{
	struct live l = { 0 };
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(vfu_profile_init(&cfg.profile, "generic", 1), 0);
	cfg.engine.on_finding = on_finding;
	cfg.engine.opaque = &l;
	cfg.engine.keep_sessions = 3;
	char err[256];
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(vfu_start(s), 0);
	tolerant = true;
	const unsigned conns = 10;
	for (unsigned i = 0; i < conns; i++) {
		int fd = connect_fake(s);
		/* The first connection breaks VU-HDR-05 (unknown request); the
		 * others only ask for the features. */
		if (i == 0)
			req(fd, VU_REQ_MAX_FRONTEND + 100, 0, NULL, 0);
		else
			(void)get_u64(fd, VU_GET_FEATURES);
		close(fd);
		wait_ended(s, i + 1);
	}
	vfu_stop(s);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert_uint_eq(res->nsessions, 4);
	unsigned folded = 0;
	for (size_t i = 0; i < res->nsessions; i++) {
		ck_assert_uint_eq(res->sessions[i].info.id, i);
		if (strstr(res->sessions[i].info.name, "7 earlier sessions (folded)")) {
			folded++;
			ck_assert_int_eq(res->sessions[i].rules[VC_R_VU_HDR_05].verdict, VC_FAIL);
			ck_assert_uint_eq(res->sessions[i].rules[VC_R_VU_HDR_05].failures, 1);
			ck_assert_uint_eq(res->sessions[i].messages, 13);   /* 1 + 6 x 2 */
		} else {
			ck_assert_int_ne(res->sessions[i].rules[VC_R_VU_HDR_05].verdict, VC_FAIL);
		}
	}
	ck_assert_uint_eq(folded, 1);
	/* Oldest first: the folded one, then #8, #9, #10 (slots were reused). */
	ck_assert_ptr_nonnull(strstr(res->sessions[0].info.name, "folded"));
	for (unsigned i = 1; i < 4; i++) {
		char want[32];
		snprintf(want, sizeof want, " #%u ", 7 + i);
		ck_assert_msg(strstr(res->sessions[i].info.name, want), "session %u is %s", i,
			      res->sessions[i].info.name);
	}
	ck_assert_uint_ge(res->findings_by_level[VC_MUST], 1);
	for (size_t i = 0; i < res->nfindings; i++)
		ck_assert_uint_lt(res->findings[i].session, res->nsessions);
	ck_assert_uint_ge(res->suppressed, 1);   /* VU-HDR-05's, dropped with its session */
	ck_assert_int_eq(vc_results_exit_status(res, false), 1);
	vfu_free(s);
}
END_TEST

/* ---------- the CLI ---------- */

START_TEST(test_cli_usage)
{
	char *out = NULL;
	char *const bad_fault[] = { "vhost-cts", "serve", "--socket", "/tmp/vcts-never.sock", "--fault", "bogus", NULL };
	ck_assert_int_eq(vc_test_run(bad_fault, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "unknown fault"));
	free(out);
	char *const no_sock[] = { "vhost-cts", "serve", NULL };
	ck_assert_int_eq(vc_test_run(no_sock, &out), 2);
	free(out);
	char *const bad_profile[] = { "vhost-cts", "serve", "--socket", "/tmp/vcts-never.sock", "--profile", "scsi", NULL };
	ck_assert_int_eq(vc_test_run(bad_profile, &out), 2);
	free(out);
	/* Nobody connects: exit 2, so a gate cannot pass by accident. */
	char sock[64];
	snprintf(sock, sizeof sock, "/tmp/vcts-test-%d.sock", (int)getpid());
	char *const idle[] = { "vhost-cts", "serve", "--socket", sock, "--duration", "0.2", NULL };
	ck_assert_int_eq(vc_test_run(idle, &out), 2);
	ck_assert_ptr_nonnull(strstr(out, "no front-end connected"));
	free(out);
}
END_TEST

/* serve --once with a short session: exit 0, capture and waiver file
 * written, and `check` of the capture agrees. */
START_TEST(test_cli_serve_once)
{
	char sock[64], cap[64];
	snprintf(sock, sizeof sock, "/tmp/vcts-test-%d.sock", (int)getpid());
	snprintf(cap, sizeof cap, "/tmp/vcts-test-%d.jsonl", (int)getpid());
	pid_t pid = fork();
	if (pid == 0) {
		int dn = open("/dev/null", O_WRONLY);
		dup2(dn, 1);
		dup2(dn, 2);
		execl(vc_test_bin(), "vhost-cts", "serve", "--socket", sock, "--once", "--record", cap,
		      "--profile", "generic", (char *)NULL);
		_exit(127);
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	int fd = -1;
	/* Waits for serve to listen; the test's own timeout bounds it. */
	while (fd < 0) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(c, (struct sockaddr *)&sa, sizeof sa) == 0)
			fd = c;
		else {
			close(c);
			usleep(10000);
		}
	}
	negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
	close(fd);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	char waive[80];
	snprintf(waive, sizeof waive, "%s.waive", cap);
	struct stat sb;
	ck_assert_int_eq(stat(waive, &sb), 0);
	char *out = NULL;
	char *const chk[] = { "vhost-cts", "check", "-q", "--waive", waive, cap, NULL };
	ck_assert_int_eq(vc_test_run(chk, &out), 0);
	free(out);
	unlink(cap);
	unlink(waive);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("fake-vhost-user");
	TCase *tc = tcase_create("fake");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_null_device);
	tcase_add_test(tc, test_shrunk_memfd_halts_ring);
	tcase_add_test(tc, test_caller_driven);
	tcase_add_test(tc, test_region_past_fd);
	tcase_add_test(tc, test_fds_cut_by_kernel);
	tcase_add_test(tc, test_kicks_chains_and_capture);
	tcase_add_test(tc, test_ring10_live);
	tcase_add_test(tc, test_blk_config_and_read);
	tcase_add_test(tc, test_blk_disk_keeps_sectors);
	tcase_add_test(tc, test_keep_sessions);
	tcase_add_test(tc, test_cli_usage);
	tcase_add_test(tc, test_cli_serve_once);
	suite_add_tcase(s, tc);
	return s;
}
