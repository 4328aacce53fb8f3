/* The stream parser frames messages whatever the chunking. */
#include <check.h>
#include <string.h>

#include "harness/tests/common/testutil.h"
#include "vcts/vu_stream.h"

static size_t put(uint8_t *p, uint32_t req, uint32_t flags, uint32_t size, uint8_t fill)
{
	vu_wr32(p, req);
	vu_wr32(p + 4, flags);
	vu_wr32(p + 8, size);
	memset(p + VU_HDR_SIZE, fill, size);
	return VU_HDR_SIZE + size;
}

/* Three messages (8, 0 and 40 payload bytes) fed in chunks of every size
 * from 1 to the whole: always the same three messages. */
START_TEST(any_chunking)
{
	uint8_t buf[256];
	size_t n = 0;
	n += put(buf + n, VU_SET_FEATURES, 1, 8, 0xaa);
	n += put(buf + n, VU_SET_OWNER, 1, 0, 0);
	n += put(buf + n, VU_SET_VRING_ADDR, 1, 40, 0x55);
	for (size_t chunk = 1; chunk <= n; chunk++) {
		struct vu_framer f;
		vu_framer_init(&f, 0);
		uint32_t got[3], sizes[3], k = 0, headers = 0;
		for (size_t off = 0; off < n; off += chunk) {
			const uint8_t *d = buf + off;
			size_t len = n - off < chunk ? n - off : chunk;
			for (enum vu_frame_status st; (st = vu_framer_push(&f, &d, &len)) != VU_FRAME_MORE;) {
				if (st == VU_FRAME_HEADER)
					headers++;
				if (st == VU_FRAME_MESSAGE) {
					ck_assert_uint_lt(k, 3);
					got[k] = vu_framer_request(&f);
					sizes[k] = vu_framer_size(&f);
					if (sizes[k])
						ck_assert_uint_eq(f.pl[sizes[k] - 1], k == 0 ? 0xaa : 0x55);
					k++;
				}
			}
			ck_assert_uint_eq(len, 0);
		}
		ck_assert_uint_eq(k, 3);
		ck_assert_uint_eq(headers, 3);
		ck_assert_uint_eq(got[0], VU_SET_FEATURES);
		ck_assert_uint_eq(got[1], VU_SET_OWNER);
		ck_assert_uint_eq(sizes[2], 40);
		ck_assert(vu_framer_idle(&f));
		vu_framer_free(&f);
	}
}
END_TEST

START_TEST(oversize_kills_the_stream)
{
	uint8_t buf[24];
	vu_wr32(buf, 1);
	vu_wr32(buf + 4, 1);
	vu_wr32(buf + 8, 5000);
	struct vu_framer f;
	vu_framer_init(&f, 4096);
	const uint8_t *d = buf;
	size_t len = sizeof buf;
	ck_assert_int_eq(vu_framer_push(&f, &d, &len), VU_FRAME_OVERSIZE);
	ck_assert(f.dead);
	ck_assert_int_eq(vu_framer_push(&f, &d, &len), VU_FRAME_MORE);
	ck_assert_uint_eq(len, 0);
	vu_framer_free(&f);
}
END_TEST

START_TEST(partial_is_counted)
{
	uint8_t buf[32];
	size_t n = put(buf, VU_SET_FEATURES, 1, 8, 1);
	struct vu_framer f;
	vu_framer_init(&f, 0);
	const uint8_t *d = buf;
	size_t len = n - 3;
	while (vu_framer_push(&f, &d, &len) != VU_FRAME_MORE)
		;
	ck_assert_uint_eq(vu_framer_pending(&f), n - 3);
	ck_assert(!vu_framer_idle(&f));
	vu_framer_free(&f);
}
END_TEST

/* A header claiming the parser's whole limit, followed by a few bytes:
 * memory follows the bytes that arrived, not the claim, and the payload
 * still completes byte for byte once it is all there. */
START_TEST(buffer_follows_bytes_not_claims)
{
	uint8_t hdr[VU_HDR_SIZE], chunk[100];
	vu_wr32(hdr, VU_SET_CONFIG);
	vu_wr32(hdr + 4, 1);
	vu_wr32(hdr + 8, 4096);
	memset(chunk, 0x5a, sizeof chunk);
	struct vu_framer f;
	vu_framer_init(&f, 0);
	const uint8_t *d = hdr;
	size_t len = sizeof hdr;
	ck_assert_int_eq(vu_framer_push(&f, &d, &len), VU_FRAME_HEADER);
	ck_assert_uint_eq(f.pl_cap, 0);
	d = chunk;
	len = 3;
	ck_assert_int_eq(vu_framer_push(&f, &d, &len), VU_FRAME_MORE);
	ck_assert_uint_le(f.pl_cap, 256);
	uint32_t sent = 3;
	enum vu_frame_status st = VU_FRAME_MORE;
	while (sent < 4096) {
		d = chunk;
		len = 4096 - sent < sizeof chunk ? 4096 - sent : sizeof chunk;
		sent += (uint32_t)len;
		st = vu_framer_push(&f, &d, &len);
		ck_assert_uint_ge(f.pl_cap, f.pl_have);
		ck_assert_uint_le(f.pl_cap, 4096);
	}
	ck_assert_int_eq(st, VU_FRAME_MESSAGE);
	for (unsigned i = 0; i < 4096; i++)
		ck_assert_uint_eq(f.pl[i], 0x5a);
	vu_framer_free(&f);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vu_stream");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, any_chunking);
	tcase_add_test(tc, oversize_kills_the_stream);
	tcase_add_test(tc, partial_is_counted);
	tcase_add_test(tc, buffer_follows_bytes_not_claims);
	suite_add_tcase(s, tc);
	return s;
}
