/* Payload encoders (lib/wire_encode.c) against the decoders: for every
 * layout, decode(encode(s)) == s and encode(decode(x)) == x for bytes x
 * whose padding is zero, the length is the wire table's, and one byte
 * less of room writes nothing. */
#include <check.h>
#include <string.h>

#include "vcts/wire.h"
#include "vcts/wire_decode.h"
#include "vcts/wire_encode.h"

/* Bytes that differ at every offset, so a swapped or shifted field shows. */
static void pattern(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(0x11 + 7 * i);
}

/* Encoded size equals the table's size, and one byte short fails. */
#define CHECK_SIZE(pl, enc, s)                                                      \
	do {                                                                        \
		uint8_t b_[4096];                                                   \
		ck_assert_uint_eq(enc(b_, sizeof b_, s), (size_t)vu_payload_fixed_size(pl)); \
		ck_assert_uint_eq(enc(b_, (size_t)vu_payload_fixed_size(pl) - 1, s), 0); \
	} while (0)

START_TEST(u64_rt)
{
	uint8_t x[8], y[8];
	pattern(x, sizeof x);
	uint64_t v;
	ck_assert(vu_dec_u64(x, sizeof x, &v));
	ck_assert_uint_eq(vu_enc_u64(y, sizeof y, v), 8);
	ck_assert_mem_eq(x, y, 8);
	uint64_t w;
	ck_assert_uint_eq(vu_enc_u64(y, sizeof y, 0x0123456789abcdefull), vu_payload_fixed_size(VU_PL_U64));
	ck_assert(vu_dec_u64(y, 8, &w));
	ck_assert_uint_eq(w, 0x0123456789abcdefull);
	ck_assert_uint_eq(vu_enc_u64(y, 7, 1), 0);
}
END_TEST

START_TEST(state_rt)
{
	uint8_t x[8], y[8];
	pattern(x, sizeof x);
	struct vu_state_pl s, t;
	ck_assert(vu_dec_state(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_state(y, sizeof y, &s), 8);
	ck_assert_mem_eq(x, y, 8);
	s = (struct vu_state_pl){ .index = 3, .num = 256 };
	vu_enc_state(y, sizeof y, &s);
	ck_assert(vu_dec_state(y, sizeof y, &t));
	ck_assert(t.index == 3 && t.num == 256);
	CHECK_SIZE(VU_PL_STATE, vu_enc_state, &s);
}
END_TEST

START_TEST(addr_rt)
{
	uint8_t x[40], y[40];
	pattern(x, sizeof x);
	struct vu_addr_pl s, t;
	ck_assert(vu_dec_addr(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_addr(y, sizeof y, &s), 40);
	ck_assert_mem_eq(x, y, 40);
	s = (struct vu_addr_pl){ .index = 1, .flags = VU_VRING_F_LOG, .desc = 0x1000,
				 .used = 0x3000, .avail = 0x2000, .log = 0x4000 };
	vu_enc_addr(y, sizeof y, &s);
	ck_assert(vu_dec_addr(y, sizeof y, &t));
	ck_assert_mem_eq(&s, &t, sizeof s);
	CHECK_SIZE(VU_PL_ADDR, vu_enc_addr, &s);
}
END_TEST

START_TEST(log_rt)
{
	uint8_t x[16], y[16];
	pattern(x, sizeof x);
	struct vu_log_pl s, t;
	ck_assert(vu_dec_log(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_log(y, sizeof y, &s), 16);
	ck_assert_mem_eq(x, y, 16);
	s = (struct vu_log_pl){ .mmap_size = 0x8000, .mmap_offset = 0x1000 };
	vu_enc_log(y, sizeof y, &s);
	ck_assert(vu_dec_log(y, sizeof y, &t));
	ck_assert(t.mmap_size == 0x8000 && t.mmap_offset == 0x1000);
	CHECK_SIZE(VU_PL_LOG, vu_enc_log, &s);
}
END_TEST

START_TEST(config_rt)
{
	uint8_t x[VU_CONFIG_HDR + 6], y[sizeof x];
	pattern(x, sizeof x);
	vu_wr32(x + 4, 6);
	struct vu_config_pl s, t;
	ck_assert(vu_dec_config(x, sizeof x, &s));
	ck_assert_uint_eq(s.data_len, 6);
	ck_assert_uint_eq(vu_enc_config(y, sizeof y, &s), sizeof x);
	ck_assert_mem_eq(x, y, sizeof x);
	ck_assert_uint_eq(vu_payload_expected_size(VU_PL_CONFIG, y, sizeof y), sizeof x);
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	s = (struct vu_config_pl){ .offset = 0, .size = 6, .flags = 1, .data = mac, .data_len = 6 };
	ck_assert_uint_eq(vu_enc_config(y, sizeof y, &s), sizeof y);
	ck_assert(vu_dec_config(y, sizeof y, &t));
	ck_assert(t.offset == 0 && t.size == 6 && t.flags == 1 && t.data_len == 6);
	ck_assert_mem_eq(t.data, mac, 6);
	ck_assert_uint_eq(vu_enc_config(y, sizeof y - 1, &s), 0);
	s.data_len = 0;
	ck_assert_uint_eq(vu_enc_config(y, sizeof y, &s), vu_payload_need(VU_PL_CONFIG));
}
END_TEST

START_TEST(inflight_rt)
{
	uint8_t x[24], y[24];
	pattern(x, sizeof x);
	memset(x + 20, 0, 4); /* padding */
	struct vu_inflight_pl s, t;
	ck_assert(vu_dec_inflight(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_inflight(y, sizeof y, &s), 24);
	ck_assert_mem_eq(x, y, 24);
	s = (struct vu_inflight_pl){ .mmap_size = 0x2000, .mmap_offset = 0, .num_queues = 2, .queue_size = 128 };
	vu_enc_inflight(y, sizeof y, &s);
	ck_assert(vu_dec_inflight(y, sizeof y, &t));
	ck_assert(t.mmap_size == 0x2000 && t.num_queues == 2 && t.queue_size == 128);
	CHECK_SIZE(VU_PL_INFLIGHT, vu_enc_inflight, &s);
}
END_TEST

START_TEST(iotlb_rt)
{
	uint8_t x[32], y[32];
	pattern(x, sizeof x);
	memset(x + 26, 0, 6); /* padding */
	struct vu_iotlb_pl s, t;
	ck_assert(vu_dec_iotlb(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_iotlb(y, sizeof y, &s), 32);
	ck_assert_mem_eq(x, y, 32);
	s = (struct vu_iotlb_pl){ .iova = 0x1000, .size = 0x1000, .uaddr = 0x7f00, .perm = 3, .type = 2 };
	vu_enc_iotlb(y, sizeof y, &s);
	ck_assert(vu_dec_iotlb(y, sizeof y, &t));
	ck_assert(t.iova == 0x1000 && t.uaddr == 0x7f00 && t.perm == 3 && t.type == 2);
	CHECK_SIZE(VU_PL_IOTLB, vu_enc_iotlb, &s);
}
END_TEST

START_TEST(uuid_rt)
{
	uint8_t x[16], y[16];
	pattern(x, sizeof x);
	struct vu_uuid_pl s;
	ck_assert(vu_dec_uuid(x, sizeof x, &s));
	ck_assert(!vu_dec_uuid(x, 15, &s));
	ck_assert_uint_eq(vu_enc_uuid(y, sizeof y, &s), 16);
	ck_assert_mem_eq(x, y, 16);
	CHECK_SIZE(VU_PL_UUID, vu_enc_uuid, &s);
}
END_TEST

START_TEST(devstate_rt)
{
	uint8_t x[8], y[8];
	pattern(x, sizeof x);
	struct vu_devstate_pl s, t;
	ck_assert(vu_dec_devstate(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_devstate(y, sizeof y, &s), 8);
	ck_assert_mem_eq(x, y, 8);
	s = (struct vu_devstate_pl){ .direction = 1, .phase = 0 };
	vu_enc_devstate(y, sizeof y, &s);
	ck_assert(vu_dec_devstate(y, sizeof y, &t));
	ck_assert(t.direction == 1 && t.phase == 0);
	CHECK_SIZE(VU_PL_DEVSTATE, vu_enc_devstate, &s);
}
END_TEST

START_TEST(area_rt)
{
	uint8_t x[24], y[24];
	pattern(x, sizeof x);
	struct vu_area_pl s, t;
	ck_assert(vu_dec_area(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_area(y, sizeof y, &s), 24);
	ck_assert_mem_eq(x, y, 24);
	s = (struct vu_area_pl){ .u64 = 1 | VU_VRING_NOFD, .size = 0x1000, .offset = 0x2000 };
	vu_enc_area(y, sizeof y, &s);
	ck_assert(vu_dec_area(y, sizeof y, &t));
	ck_assert(t.u64 == (1 | VU_VRING_NOFD) && t.size == 0x1000 && t.offset == 0x2000);
	CHECK_SIZE(VU_PL_VRING_AREA, vu_enc_area, &s);
}
END_TEST

START_TEST(mmap_rt)
{
	uint8_t x[40], y[40];
	pattern(x, sizeof x);
	memset(x + 1, 0, 7); /* padding after shmid */
	struct vu_mmap_pl s, t;
	ck_assert(vu_dec_mmap(x, sizeof x, &s));
	ck_assert_uint_eq(vu_enc_mmap(y, sizeof y, &s), 40);
	ck_assert_mem_eq(x, y, 40);
	s = (struct vu_mmap_pl){ .shmid = 2, .fd_offset = 0x1000, .shm_offset = 0x2000, .len = 0x3000, .flags = 1 };
	vu_enc_mmap(y, sizeof y, &s);
	ck_assert(vu_dec_mmap(y, sizeof y, &t));
	ck_assert(t.shmid == 2 && t.fd_offset == 0x1000 && t.shm_offset == 0x2000 && t.len == 0x3000 &&
		  t.flags == 1);
	CHECK_SIZE(VU_PL_MMAP, vu_enc_mmap, &s);
}
END_TEST

START_TEST(shmem_cfg_rt)
{
	static uint8_t x[8 + 8 * VU_SHMEM_MAX_REGIONS], y[sizeof x];
	pattern(x, sizeof x);
	static struct vu_shmem_cfg_pl s, t;
	ck_assert_uint_eq(sizeof x, vu_payload_fixed_size(VU_PL_SHMEM_CFG));
	ck_assert(vu_dec_shmem_cfg(x, sizeof x, &s));
	ck_assert(!vu_dec_shmem_cfg(x, sizeof x - 1, &t));
	ck_assert_uint_eq(vu_enc_shmem_cfg(y, sizeof y, &s), sizeof x);
	ck_assert_mem_eq(x, y, sizeof x);
	memset(&s, 0, sizeof s);
	s.nregions = 2;
	s.sizes[0] = 0x100000;
	s.sizes[1] = 0x200000;
	vu_enc_shmem_cfg(y, sizeof y, &s);
	ck_assert(vu_dec_shmem_cfg(y, sizeof y, &t));
	ck_assert_mem_eq(&s, &t, sizeof s);
	ck_assert_uint_eq(vu_enc_shmem_cfg(y, sizeof y - 1, &s), 0);
}
END_TEST

START_TEST(memtable_rt)
{
	uint8_t x[VU_MEM_TABLE_HDR + 2 * VU_MEM_REGION_SIZE], y[sizeof x];
	pattern(x, sizeof x);
	vu_wr32(x, 2);
	uint32_t n, pad;
	struct vu_region_pl r[2];
	ck_assert(vu_dec_memtable_hdr(x, sizeof x, &n, &pad));
	ck_assert(vu_dec_memtable_region(x, sizeof x, 0, &r[0]));
	ck_assert(vu_dec_memtable_region(x, sizeof x, 1, &r[1]));
	ck_assert_uint_eq(vu_enc_memtable_sz(y, sizeof y, n, pad, r, 2, VU_MEM_REGION_SIZE), sizeof x);
	ck_assert_mem_eq(x, y, sizeof x);
	ck_assert_uint_eq(vu_payload_expected_size(VU_PL_MEMTABLE, y, sizeof y), sizeof x);
	/* struct -> bytes -> struct */
	struct vu_region_pl a[2] = { { 0, 0x100000, 0x7f0000000000, 0 },
				     { 0x100000, 0x200000, 0x7f0000100000, 0x1000 } }, b;
	ck_assert_uint_eq(vu_enc_memtable(y, sizeof y, a, 2), sizeof y);
	ck_assert(vu_dec_memtable_hdr(y, sizeof y, &n, &pad));
	ck_assert(n == 2 && pad == 0);
	ck_assert(vu_dec_memtable_region(y, sizeof y, 1, &b));
	ck_assert_mem_eq(&a[1], &b, sizeof b);
	ck_assert_uint_eq(vu_enc_memtable(y, sizeof y - 1, a, 2), 0);
	/* Xen regions: 40 bytes each, the size the table gives with XEN_MMAP */
	uint8_t z[VU_MEM_TABLE_HDR + 2 * VU_MEM_REGION_XEN_SIZE];
	uint32_t rs = vu_mem_region_size(VU_BIT(VU_PF_XEN_MMAP));
	ck_assert_uint_eq(vu_enc_memtable_sz(z, sizeof z, 2, 0, a, 2, rs), sizeof z);
	ck_assert_int_eq(vu_payload_expected_size_pf(VU_PL_MEMTABLE, z, sizeof z, VU_BIT(VU_PF_XEN_MMAP)),
			 (int64_t)sizeof z);
	ck_assert(vu_dec_memtable_region_sz(z, sizeof z, 1, rs, &b));
	ck_assert_mem_eq(&a[1], &b, sizeof b);
	ck_assert_uint_eq(vu_enc_memtable_sz(z, sizeof z, 2, 0, a, 2, VU_MEM_REGION_SIZE - 1), 0);
}
END_TEST

START_TEST(memreg_rt)
{
	uint8_t x[8 + VU_MEM_REGION_SIZE], y[sizeof x];
	pattern(x, sizeof x);
	uint64_t pad;
	struct vu_region_pl r, t;
	ck_assert(vu_dec_memreg(x, sizeof x, &pad, &r));
	ck_assert_uint_eq(vu_enc_memreg(y, sizeof y, pad, &r), (size_t)vu_payload_fixed_size(VU_PL_MEMREG));
	ck_assert_mem_eq(x, y, sizeof x);
	r = (struct vu_region_pl){ 0x100000, 0x1000, 0x7f00, 0 };
	vu_enc_memreg(y, sizeof y, 0, &r);
	ck_assert(vu_dec_memreg(y, sizeof y, &pad, &t));
	ck_assert(pad == 0);
	ck_assert_mem_eq(&r, &t, sizeof r);
	ck_assert_uint_eq(vu_enc_memreg(y, sizeof y - 1, 0, &r), 0);
	/* a lone region, both widths; the table's region decoder reads it back */
	uint8_t z[VU_MEM_TABLE_HDR + VU_MEM_REGION_XEN_SIZE] = { 0 };
	ck_assert_uint_eq(vu_enc_region(z + VU_MEM_TABLE_HDR, VU_MEM_REGION_XEN_SIZE, &r,
					VU_MEM_REGION_XEN_SIZE), VU_MEM_REGION_XEN_SIZE);
	ck_assert(vu_dec_memtable_region_sz(z, sizeof z, 0, VU_MEM_REGION_XEN_SIZE, &t));
	ck_assert_mem_eq(&r, &t, sizeof r);
	ck_assert_uint_eq(vu_enc_region(z, VU_MEM_REGION_SIZE - 1, &r, VU_MEM_REGION_SIZE), 0);
	ck_assert_uint_eq(vu_enc_region(z, sizeof z, &r, VU_MEM_REGION_SIZE - 1), 0);
}
END_TEST

/* vu_encode_payload inverts vu_decode_payload for every request of the
 * table whose layout has a fixed size: decode pattern bytes, encode, and
 * get them back (padding zeroed first, as the encoders write zeros). */
START_TEST(generic_rt)
{
	unsigned checked = 0;
	for (uint8_t chan = VU_CHAN_MAIN; chan <= VU_CHAN_BACKEND; chan++) {
		uint32_t max = vu_request_max(chan);
		for (uint32_t req = 1; req <= max; req++) {
			const struct vu_request_info *ri = vu_request(chan, req);
			if (!ri)
				continue;
			for (int reply = 0; reply <= 1; reply++) {
				enum vu_payload pl = reply ? ri->reply_payload : ri->req_payload;
				int sz = vu_payload_fixed_size(pl);
				if (sz <= 0 || pl == VU_PL_SHMEM_CFG)
					continue;
				uint8_t x[64], y[64];
				pattern(x, (size_t)sz);
				if (pl == VU_PL_INFLIGHT)
					memset(x + 20, 0, 4);
				if (pl == VU_PL_IOTLB)
					memset(x + 26, 0, 6);
				if (pl == VU_PL_MMAP)
					memset(x + 1, 0, 7);
				struct vu_decoded d;
				ck_assert_int_eq(vu_decode_payload(chan, req, reply, x, (size_t)sz, &d), 1);
				ck_assert_int_eq(vu_encode_payload(&d, y, sizeof y), sz);
				ck_assert_mem_eq(x, y, (size_t)sz);
				checked++;
			}
		}
	}
	ck_assert_uint_gt(checked, 20);
	struct vu_decoded d = { .layout = VU_PL_VARIABLE };
	uint8_t y[8];
	ck_assert_int_eq(vu_encode_payload(&d, y, sizeof y), -1);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("wire_encode");
	TCase *tc = tcase_create("round_trip");
	tcase_add_test(tc, u64_rt);
	tcase_add_test(tc, state_rt);
	tcase_add_test(tc, addr_rt);
	tcase_add_test(tc, log_rt);
	tcase_add_test(tc, config_rt);
	tcase_add_test(tc, inflight_rt);
	tcase_add_test(tc, iotlb_rt);
	tcase_add_test(tc, uuid_rt);
	tcase_add_test(tc, devstate_rt);
	tcase_add_test(tc, area_rt);
	tcase_add_test(tc, mmap_rt);
	tcase_add_test(tc, shmem_cfg_rt);
	tcase_add_test(tc, memtable_rt);
	tcase_add_test(tc, memreg_rt);
	tcase_add_test(tc, generic_rt);
	suite_add_tcase(s, tc);
	return s;
}
