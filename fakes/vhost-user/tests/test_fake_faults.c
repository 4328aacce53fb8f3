/* The fake back-end against a front-end that is wrong on purpose, driven by
 * the test front-end of fake_fe.c: refusals (an error ack or a close, and
 * the lax classes that accept instead), the owed replies, the faults the
 * fake injects, and a 1,000-connection hostile run that must leave no fd
 * and no guest mapping behind. */
#include "fakes/vhost-user/tests/fake_fe.h"

/* Refusals: an error ack when one is asked for, a close otherwise; and
 * lax=ring-num acks the same request as done. */
START_TEST(test_refusals)
{
	for (int lax = 0; lax < 2; lax++) {
		static const char *const faults[] = { "lax=ring-num" };
		struct live l = { 0 };
		struct vfu_server *s = new_server("generic", 1, &l, NULL, faults, (size_t)lax);
		ck_assert_int_eq(vfu_start(s), 0);
		int fd = connect_fake(s);
		negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
		struct pl_state st = { 0, 100 };
		req(fd, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, &st, sizeof st);
		ck_assert_uint_eq(ack(fd, VU_SET_VRING_NUM), lax ? 0 : 1);
		/* Ring 1 of a one-ring profile (VU-RING-01), no ack asked: closed. */
		st.index = 1;
		st.num = 8;
		req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
		uint32_t r, f;
		uint64_t v;
		ck_assert_int_eq(fe_recv(fd, &r, &f, &v, sizeof v, NULL), -1);
		close(fd);
		wait_ended(s, 1);
		vfu_stop(s);
		struct vfu_stats sts;
		vfu_get_stats(s, &sts);
		ck_assert_uint_eq(sts.refused, lax ? 1 : 2);
		const struct vc_results *res = vc_engine_finish(vfu_engine(s));
		ck_assert(has_rule(res, VC_R_VU_RING_02) && has_rule(res, VC_R_VU_RING_01));
		/* The refused one is not VU-BE-04; the lax one is, waived. */
		for (size_t i = 0; i < res->nfindings; i++)
			if (res->findings[i].rule == VC_R_VU_BE_04)
				ck_assert(lax && res->findings[i].waived);
		vfu_free(s);
	}
}
END_TEST

/* The refusals follow the engine's verdict on each request, whatever the
 * report shows: a refusal rule that --rules leaves out or a waiver covers
 * is still enforced, and so is one past the per-rule cap of findings. */
START_TEST(test_refusals_hidden_rules)
{
	static const char *const waive[] = { "VU-RING-0[12]" };
	const struct vc_engine_opts opts[] = {
		{ .rules_glob = "VU-HDR-*" },
		{ .waive = waive, .nwaive = 1 },
		{ .max_findings_per_rule = 1 },
	};
	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
		struct live l = { 0 };
		struct vfu_server *s = new_server_opts("generic", 1, &l, NULL, NULL, 0, &opts[k]);
		ck_assert_int_eq(vfu_start(s), 0);
		int fd = connect_fake(s);
		negotiate(fd, VU_BIT(VU_PF_REPLY_ACK));
		struct pl_state st = { 0, 100 };
		for (int i = 0; i < 3; i++) {
			req(fd, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, &st, sizeof st);
			ck_assert_uint_eq(ack(fd, VU_SET_VRING_NUM), 1);
		}
		/* A valid one after them is carried out. */
		st.num = 256;
		req(fd, VU_SET_VRING_NUM, VU_FLAG_NEED_REPLY, &st, sizeof st);
		ck_assert_uint_eq(ack(fd, VU_SET_VRING_NUM), 0);
		close(fd);
		wait_ended(s, 1);
		vfu_stop(s);
		struct vfu_stats sts;
		vfu_get_stats(s, &sts);
		ck_assert_uint_eq(sts.refused, 3);
		const struct vc_results *res = vc_engine_finish(vfu_engine(s));
		/* Filtered out: not reported; waived: reported waived. */
		ck_assert(has_rule(res, VC_R_VU_RING_02) == (k != 0));
		for (size_t i = 0; i < res->nfindings; i++)
			if (res->findings[i].rule == VC_R_VU_RING_02)
				ck_assert(res->findings[i].waived == (k == 1));
		vfu_free(s);
	}
}
END_TEST

/* Every class the engine judges names rules that exist. */
START_TEST(test_refusal_classes_name_rules)
{
	unsigned judged = 0;
	for (unsigned k = 0; k < VFU_RF_COUNT; k++) {
		struct vc_rule_set rs, none;
		memset(&none, 0, sizeof none);
		vfu_refusal_judged_by(k, &rs);
		bool any = memcmp(&rs, &none, sizeof rs) != 0;
		judged += any;
		/* Each rule named in the class's text is in its set. */
		char buf[64];
		snprintf(buf, sizeof buf, "%s", vfu_refusal_rule(k));
		for (char *sv = NULL, *t = strtok_r(buf, ",", &sv); any && t; t = strtok_r(NULL, ",", &sv)) {
			ck_assert_ptr_nonnull(vc_rule_by_id(t));
			ck_assert(vc_rule_set_has(&rs, vc_rule_by_id(t)->num));
		}
	}
	/* version, reply-bit, region-count, region-bounds, overlap, four ring
	 * classes, log-size, ungated */
	ck_assert_uint_eq(judged, 11);
	struct vc_rule_set rs;
	vfu_refusal_judged_by(VFU_RF_REGION_BOUNDS, &rs);
	ck_assert(vc_rule_set_has(&rs, VC_R_VU_MEM_02) && vc_rule_set_has(&rs, VC_R_VU_MEM_04));
	vfu_refusal_judged_by(VFU_RF_OVERSIZE, &rs);
	ck_assert(!vc_rule_set_has(&rs, VC_R_VU_SIZE_01));
}
END_TEST

/* The fake's "reply owed" is the wire table's (vu_reply_owed with what
 * the connection knows of the protocol features): the same answers as the
 * copy it kept before, for every request, flag and feature state. */
START_TEST(test_owed_one_reading)
{
	struct vfu_conn *c = calloc(1, sizeof *c);
	ck_assert_ptr_nonnull(c);
	const uint64_t bits[] = { 0, VU_BIT(VU_PF_LOG_SHMFD), VU_BIT(VU_PF_REPLY_ACK),
				  VU_BIT(VU_PF_LOG_SHMFD) | VU_BIT(VU_PF_REPLY_ACK) };
	unsigned yes_value = 0, yes_ack = 0;
	for (uint32_t req = 0; req <= VU_REQ_MAX_FRONTEND + 2; req++)
		for (unsigned k = 0; k < 4 * 4 * 4 * 2; k++) {
			c->pf_offered = bits[k % 4];
			c->pf_acked = bits[k / 4 % 4];
			c->pf_answered = k / 16 % 2;
			c->pf_acked_known = k / 32 % 2;
			uint32_t flags = VU_VERSION | (k / 64 % 2 ? VU_FLAG_NEED_REPLY : 0);
			const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, req);
			bool value = ri && (ri->reply == VU_REPLY_ALWAYS ||
					    (ri->reply == VU_REPLY_IF_LOG_SHMFD && vfu_pf_negotiated(c, VU_PF_LOG_SHMFD)));
			bool ack = ri && (flags & VU_FLAG_NEED_REPLY) && !value &&
				   vfu_pf_negotiated(c, VU_PF_REPLY_ACK);
			struct vu_owed o = vfu_owed(c, req, flags);
			ck_assert_msg((o.value == VU_KNOWN_YES) == value, "req %u case %u", req, k);
			ck_assert_msg((o.ack == VU_KNOWN_YES) == ack, "req %u case %u", req, k);
			yes_value += value;
			yes_ack += ack;
		}
	/* both answers were exercised */
	ck_assert_uint_gt(yes_value, 0);
	ck_assert_uint_gt(yes_ack, 0);
	free(c);
}
END_TEST

/* Faults: a delayed ack that the front-end does not wait for is VU-ONCE-05;
 * a padded reply is the fake's own VU-SIZE-02, waived; disconnect@msg. */
START_TEST(test_faults)
{
	static const char *const faults[] = { "delay-reply=200@req=GET_PROTOCOL_FEATURES",
					      "reply-size@req=GET_QUEUE_NUM", "disconnect@msg=6" };
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, faults, 3);
	ck_assert_int_eq(vfu_start(s), 0);
	int fd = connect_fake(s);
	get_u64(fd, VU_GET_FEATURES);
	/* Does not wait for the held reply: */
	req(fd, VU_GET_PROTOCOL_FEATURES, 0, NULL, 0);
	req(fd, VU_GET_FEATURES, 0, NULL, 0);
	uint32_t r, f;
	uint64_t v[2];
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), 8);
	ck_assert_uint_eq(r, VU_GET_PROTOCOL_FEATURES);
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), 8);
	ck_assert_uint_eq(r, VU_GET_FEATURES);
	set_u64(fd, VU_SET_PROTOCOL_FEATURES, VU_BIT(VU_PF_MQ));
	req(fd, VU_GET_QUEUE_NUM, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), 12);
	/* Message 6: the fake hangs up. */
	req(fd, VU_SET_OWNER, 0, NULL, 0);
	ck_assert_int_eq(fe_recv(fd, &r, &f, v, sizeof v, NULL), -1);
	close(fd);
	wait_ended(s, 1);
	vfu_stop(s);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert(has_rule(res, VC_R_VU_ONCE_05));
	bool size_waived = false;
	for (size_t i = 0; i < res->nfindings; i++)
		if (res->findings[i].rule == VC_R_VU_SIZE_02)
			size_waived = res->findings[i].waived;
	ck_assert(size_waived);
	vfu_free(s);
}
END_TEST

START_TEST(test_fault_specs)
{
	struct vfu_fault f;
	char err[256];
	ck_assert_int_eq(vfu_fault_parse("disconnect@req=SET_MEM_TABLE#2,conn=3", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.kind, VFU_FAULT_DISCONNECT);
	ck_assert_uint_eq(f.at_req, VU_SET_MEM_TABLE);
	ck_assert_uint_eq(f.nth, 2);
	ck_assert_uint_eq(f.conn, 3);
	ck_assert_int_eq(vfu_fault_parse("drop-protocol-feature=REPLY_ACK,STATUS", &f, err, sizeof err), 0);
	ck_assert(f.mask_proto && f.mask == (VU_BIT(VU_PF_REPLY_ACK) | VU_BIT(VU_PF_STATUS)));
	ck_assert_int_eq(vfu_fault_parse("backend-req=VRING_CALL@req=GET_VRING_BASE", &f, err, sizeof err), 0);
	ck_assert_uint_eq(f.be_req, VU_BE_VRING_CALL);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-BCH-02,VU-BCH-08");
	ck_assert_int_eq(vfu_fault_parse("drop-protocol-feature=MQ", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-05");
	ck_assert_int_eq(vfu_fault_parse("drop-feature=LOG_ALL", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "");
	ck_assert_int_eq(vfu_fault_parse("vring-base-high", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-01");
	ck_assert_int_eq(vfu_fault_parse("postcopy-no-ufd", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-03");
	ck_assert_int_eq(vfu_fault_parse("shmem-count,conn=2", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_SHMEM_COUNT && f.conn == 2);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-04");
	ck_assert_int_eq(vfu_fault_parse("inflight-no-fd", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-RVAL-06");
	ck_assert_int_eq(vfu_fault_parse("suspended-msg", &f, err, sizeof err), 0);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-BCH-08,VU-BCH-02");
	for (unsigned k = VFU_BAD_CALL_NUM; k < VFU_BAD_COUNT; k++) {
		char spec[96];
		snprintf(spec, sizeof spec, "backend-bad=%s@req=GET_VRING_BASE#2", vfu_backend_bad_name(k));
		ck_assert_int_eq(vfu_fault_parse(spec, &f, err, sizeof err), 0);
		ck_assert(f.kind == VFU_FAULT_BACKEND_BAD && f.bad == k && f.at_req == VU_GET_VRING_BASE && f.nth == 2);
		ck_assert_str_eq(vfu_fault_waives(&f), "VU-BCH-0[1-8],VU-NEG-10");
	}
	ck_assert_ptr_null(vfu_backend_bad_name(VFU_BAD_COUNT));
	ck_assert_int_eq(vfu_fault_parse("lax=ring-num,neg-num-started,regions,conn=2", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.kind, VFU_FAULT_LAX);
	ck_assert_uint_eq(f.conn, 2);
	ck_assert_uint_eq(f.lax, VFU_RF_BIT(VFU_RF_RING_NUM) | VFU_RF_BIT(VFU_RF_STARTED_RING) |
					 VFU_RF_BIT(VFU_RF_REGION_COUNT) | VFU_RF_BIT(VFU_RF_REGION_BOUNDS) |
					 VFU_RF_BIT(VFU_RF_OVERLAP));
	ck_assert_int_eq(vfu_fault_parse("lax=all", &f, err, sizeof err), 0);
	ck_assert_uint_eq(f.lax, VFU_RF_ALL);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-BE-04");
	ck_assert_int_eq(vfu_fault_parse("crash@req=SET_VRING_ADDR#2", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_CRASH && f.at_req == VU_SET_VRING_ADDR && f.nth == 2);
	ck_assert_int_eq(vfu_fault_parse("hang@msg=7", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_HANG && f.at_msg == 7);
	ck_assert_int_eq(vfu_fault_parse("leak-fds@req=SET_MEM_TABLE", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.kind, VFU_FAULT_LEAK_FDS);
	ck_assert_int_eq(vfu_fault_parse("reply-fds=250", &f, err, sizeof err), 0);
	ck_assert(f.kind == VFU_FAULT_REPLY_FDS && f.nfds == 250 && !f.at_req && !f.at_msg);
	ck_assert_str_eq(vfu_fault_waives(&f), "VU-FD-06");
	ck_assert_int_eq(vfu_fault_parse("reply-fds=1@req=GET_INFLIGHT_FD#2", &f, err, sizeof err), 0);
	ck_assert(f.nfds == 1 && f.at_req == VU_GET_INFLIGHT_FD && f.nth == 2);
	for (unsigned k = 0; k < VFU_RF_COUNT; k++) {
		char spec[64];
		snprintf(spec, sizeof spec, "lax=%s", vfu_refusal_name(k));
		ck_assert_int_eq(vfu_fault_parse(spec, &f, err, sizeof err), 0);
		ck_assert_uint_eq(f.lax, VFU_RF_BIT(k));
	}
	static const char *const bad[] = { "disconnect", "nonsense", "delay-reply=0@req=GET_FEATURES",
					   "reply-flags@req=NOPE", "backend-req=IOTLB_MSG@req=GET_FEATURES",
					   "disconnect@msg=0", "drop-feature=BOGUS", "disconnect@when=1",
					   "lax", "lax=", "lax=bogus", "lax=ring-num@req=GET_FEATURES", "crash",
					   "hang=1@req=GET_FEATURES", "leak-fds", "crash@req=NOPE",
					   "reply-fds", "reply-fds=0", "reply-fds=253", "reply-fds=x",
					   "vring-base-high@req=GET_VRING_BASE", "vring-base-high=1",
					   "postcopy-no-ufd@msg=3", "suspended-msg@req=GET_VRING_BASE",
					   "backend-bad=call-num", "backend-bad@req=GET_VRING_BASE",
					   "backend-bad=bogus@req=GET_VRING_BASE" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(vfu_fault_parse(bad[i], &f, err, sizeof err) != 0, "%s accepted", bad[i]);
	uint64_t m = 0;
	ck_assert_int_eq(vfu_features_override(&m, "+VERSION_1,+NET_MQ,3", false, err, sizeof err), 0);
	ck_assert_uint_eq(m, VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_NET_MQ) | VU_BIT(3));
	ck_assert_int_eq(vfu_features_override(&m, "-NET_MQ", false, err, sizeof err), 0);
	ck_assert_int_eq(vfu_features_override(&m, "0x10", false, err, sizeof err), 0);
	ck_assert_uint_eq(m, 0x10);
	ck_assert_int_ne(vfu_features_override(&m, "+64", false, err, sizeof err), 0);
	struct vfu_profile p;
	ck_assert_int_ne(vfu_profile_init(&p, "scsi", 1), 0);
	ck_assert_int_ne(vfu_profile_init(&p, "net", VFU_MAX_QUEUES + 1), 0);
}
END_TEST

/* ---------- the hostile front-end ---------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int count_guest_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "vcts-hostile"))
			n++;
	if (f)
		fclose(f);
	return n;
}

static void send_raw(int fd, const void *b, size_t n)
{
	if (send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* The fake may already have closed: that is an answer too. */
	}
}

static void hostile(int fd, unsigned kind)
{
	uint8_t hdr[VU_HDR_SIZE] = { 0 };
	int fds[253];
	int memfd = -1;
	switch (kind) {
	case 0: /* oversized: 4 GiB announced */
		vu_wr32(hdr, VU_GET_FEATURES);
		vu_wr32(hdr + 4, VU_VERSION);
		vu_wr32(hdr + 8, UINT32_MAX);
		send_raw(fd, hdr, sizeof hdr);
		break;
	case 1: { /* truncated: 40 bytes announced, 10 sent */
		uint8_t b[VU_HDR_SIZE + 10] = { 0 };
		vu_wr32(b, VU_SET_VRING_ADDR);
		vu_wr32(b + 4, VU_VERSION);
		vu_wr32(b + 8, (uint32_t)vu_payload_fixed_size(VU_PL_ADDR));
		send_raw(fd, b, sizeof b);
		break;
	}
	case 2: /* unknown request */
		req(fd, VU_REQ_MAX_FRONTEND + 100, 0, NULL, 0);
		break;
	case 3: { /* fd flood: a full SCM_RIGHTS load on a request that takes none,
		   * and again on a table with fewer regions */
		for (int i = 0; i < 253; i++)
			fds[i] = eventfd(0, EFD_CLOEXEC);
		fe_send(fd, VU_SET_OWNER, VU_VERSION, NULL, 0, fds, 253);
		struct pl_table t = { .n = 1 };
		t.r[0] = (struct pl_region){ .size = 4096 };
		fe_send(fd, VU_SET_MEM_TABLE, VU_VERSION, &t,
			(uint32_t)vu_payload_expected_size(VU_PL_MEMTABLE, (const uint8_t *)&t, sizeof t), fds, 253);
		for (int i = 0; i < 253; i++)
			close(fds[i]);
		break;
	}
	case 4: /* region past the end of its memfd, then one that wraps */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		ck_assert_int_eq(ftruncate(memfd, 4096), 0);
		send_table(fd, memfd, 1u << 30, 0, false);
		send_table(fd, memfd, UINT64_MAX - 10, 4096, false);
		break;
	case 5: { /* a good region, ring addresses outside it, a kick */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		ck_assert_int_eq(ftruncate(memfd, 1 << 16), 0);
		send_table(fd, memfd, 1 << 16, 0, false);
		struct pl_state st = { 0, Q_NUM };
		req(fd, VU_SET_VRING_NUM, 0, &st, sizeof st);
		struct pl_addr a = { .desc = UVA + (1u << 20), .avail = UVA, .used = UVA + 0x100 };
		req(fd, VU_SET_VRING_ADDR, 0, &a, sizeof a);
		int k = eventfd(0, EFD_CLOEXEC);
		uint64_t u = 0, one = 1;
		fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &k, 1);
		if (write(k, &one, sizeof one) < 0)
			ck_abort_msg("eventfd write: %s", strerror(errno));
		close(k);
		break;
	}
	case 6: { /* garbage */
		uint8_t b[64];
		for (size_t i = 0; i < sizeof b; i++)
			b[i] = (uint8_t)next_rand();
		send_raw(fd, b, sizeof b);
		break;
	}
	case 7: { /* a pipe as kick fd; a memfd as call fd; a descriptor loop */
		int pp[2];
		ck_assert_int_eq(pipe2(pp, O_CLOEXEC), 0);
		uint64_t u = 1;
		fe_send(fd, VU_SET_VRING_KICK, VU_VERSION, &u, sizeof u, &pp[0], 1);
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		fe_send(fd, VU_SET_VRING_CALL, VU_VERSION, &u, sizeof u, &memfd, 1);
		close(pp[0]);
		close(pp[1]);
		break;
	}
	case 8: { /* GET_CONFIG whose size field disagrees with the payload */
		struct pl_config c = { .offset = 0, .size = 0xfffffff0u };
		req(fd, VU_GET_CONFIG, 0, &c, 12);
		break;
	}
	case 9: /* half a header */
		vu_wr32(hdr, VU_GET_FEATURES);
		send_raw(fd, hdr, 5);
		break;
	case 10: { /* ADD_MEM_REG of an empty memfd at a wrapping offset */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		uint8_t p[8 + sizeof(struct pl_region)] = { 0 };
		struct pl_region r = { .gpa = 0, .size = 1 << 20, .uva = UVA, .offset = UINT64_MAX - 4095 };
		memcpy(p + 8, &r, sizeof r);
		ck_assert_int_eq(vu_payload_fixed_size(VU_PL_MEMREG), (int)sizeof p);
		fe_send(fd, VU_ADD_MEM_REG, VU_VERSION, p, sizeof p, &memfd, 1);
		break;
	}
	case 11: { /* a valid table, then a chain that loops, kicked */
		memfd = memfd_create("vcts-hostile", MFD_CLOEXEC);
		ck_assert_int_eq(ftruncate(memfd, MEM_SIZE), 0);
		uint8_t *m = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		ck_assert_ptr_ne(m, MAP_FAILED);
		for (unsigned i = 0; i < Q_NUM; i++) {
			uint8_t *d = m + DESC_GPA + 16u * i;
			vu_wr64(d, BUF_GPA);
			vu_wr32(d + 8, 16);
			uint16_t fl = 1, nx = (uint16_t)((i + 1) % Q_NUM);
			memcpy(d + 12, &fl, 2);
			memcpy(d + 14, &nx, 2);
		}
		uint16_t one16 = 1;
		memcpy(m + AVAIL_GPA + 2, &one16, 2);
		munmap(m, MEM_SIZE);
		send_table(fd, memfd, MEM_SIZE, 0, false);
		int k = eventfd(0, EFD_CLOEXEC), c = eventfd(0, EFD_CLOEXEC);
		setup_ring(fd, 0, k, c);
		uint64_t one = 1;
		ck_assert_int_eq(write(k, &one, sizeof one), (ssize_t)sizeof one);
		close(k);
		close(c);
		break;
	}
	default: { /* a flood of valid requests never read */
		for (int i = 0; i < 64; i++)
			req(fd, VU_GET_FEATURES, 0, NULL, 0);
		break;
	}
	}
	if (memfd >= 0)
		close(memfd);
}

START_TEST(test_hostile_thousand)
{
	const unsigned kinds = 13, conns = 1000;
	int fds0 = vc_test_count_fds();
	int maps0 = count_guest_maps();
	struct live l = { 0 };
	struct vfu_server *s = new_server("generic", 1, &l, NULL, NULL, 0);
	ck_assert_int_eq(vfu_start(s), 0);
	tolerant = true;
	for (unsigned i = 0; i < conns; i++) {
		int fd = connect_fake(s);
		hostile(fd, i % kinds);
		close(fd);
		/* Keep at most a few connections in flight: the point is many
		 * sessions, not fd exhaustion of the test process. */
		wait_ended(s, i + 1 > 8 ? i + 1 - 8 : 0);
	}
	wait_ended(s, conns);
	vfu_stop(s);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	ck_assert_uint_eq(st.open_connections, 0);
	ck_assert_uint_eq(st.mapped_regions, 0);
	ck_assert_uint_eq(st.fds_received, st.fds_closed);
	ck_assert_uint_gt(st.bad_regions, 0);
	ck_assert_uint_gt(st.chain_errors, 0);
	const struct vc_results *res = vc_engine_finish(vfu_engine(s));
	ck_assert_uint_eq(res->nsessions, conns);
	ck_assert_uint_gt(res->findings_by_level[VC_MUST], 0);
	ck_assert(has_rule(res, VC_R_VU_HDR_06));
	ck_assert(has_rule(res, VC_R_VU_FD_01));
	ck_assert(has_rule(res, VC_R_VU_MEM_04));
	ck_assert(has_rule(res, VC_R_VU_RING_04));
	ck_assert(has_rule(res, VC_R_VU_HDR_05));
	vfu_free(s);
	ck_assert_int_eq(vc_test_count_fds(), fds0);
	ck_assert_int_eq(count_guest_maps(), maps0);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("fake-vhost-user-faults");
	TCase *tc = tcase_create("faults");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_refusals_hidden_rules);
	tcase_add_test(tc, test_refusal_classes_name_rules);
	tcase_add_test(tc, test_owed_one_reading);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_fault_specs);
	suite_add_tcase(s, tc);
	TCase *th = tcase_create("hostile");
	tcase_set_timeout(th, 300);
	tcase_add_test(th, test_hostile_thousand);
	suite_add_tcase(s, th);
	return s;
}
