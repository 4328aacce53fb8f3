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

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vu_stream");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, any_chunking);
	tcase_add_test(tc, oversize_kills_the_stream);
	tcase_add_test(tc, partial_is_counted);
	suite_add_tcase(s, tc);
	return s;
}
