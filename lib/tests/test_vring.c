/* The packed-ring state word and ring arithmetic (lib/vring.c). */
#include <check.h>
#include <string.h>

#include "vcts/vring.h"
#include "vcts/wire_decode.h"

START_TEST(word_round_trip)
{
	struct vu_packed_base b;
	vu_packed_base_dec(0x80058003u, &b);
	ck_assert_uint_eq(b.avail, 3);
	ck_assert(b.avail_wrap);
	ck_assert_uint_eq(b.used, 5);
	ck_assert(b.used_wrap);
	ck_assert_uint_eq(vu_packed_base_enc(&b), 0x80058003u);
	vu_packed_base_dec(0x0000809cu, &b);
	ck_assert_uint_eq(b.avail, 156);
	ck_assert(b.avail_wrap && !b.used_wrap && b.used == 0);
	vu_packed_base_dec(0x7fff7fffu, &b);
	ck_assert_uint_eq(b.avail, 0x7fff);
	ck_assert_uint_eq(b.used, 0x7fff);
	ck_assert(!b.avail_wrap && !b.used_wrap);
	char s[64];
	ck_assert_str_eq(vu_packed_base_str(VU_PACKED_FRESH, s, sizeof s), "avail 0 wrap 1 used 0 wrap 1");
}
END_TEST

static uint32_t held(uint32_t word, uint32_t size)
{
	struct vu_packed_base b;
	vu_packed_base_dec(word, &b);
	return vu_packed_base_held(&b, size);
}

START_TEST(held_buffers)
{
	ck_assert_uint_eq(held(VU_PACKED_FRESH, 256), 0);
	ck_assert_uint_eq(held(0x80058005u, 256), 0);
	ck_assert_uint_eq(held(0x80038005u, 256), 2);          /* avail 5, used 3 */
	ck_assert_uint_eq(held(0x00010003u, 256), 2);          /* both past a lap */
	ck_assert_uint_eq(held(0x80fe0003u, 256), 5);          /* avail wrapped, used not */
	ck_assert_uint_eq(held(0x00008000u, 256), 256);        /* a whole ring held */
	ck_assert_uint_gt(held(0x0000809cu, 256), 256);        /* used half left 0/0 */
	ck_assert_uint_gt(held(0x80058003u, 256), 256);        /* used ahead of avail */
	ck_assert_uint_eq(held(0x00000000u, 256), 0);
}
END_TEST

START_TEST(advance_flips_wrap)
{
	uint16_t pos = 6;
	bool wrap = true;
	vu_packed_advance(&pos, &wrap, 3, 8);
	ck_assert_uint_eq(pos, 1);
	ck_assert(!wrap);
	vu_packed_advance(&pos, &wrap, 6, 8);
	ck_assert_uint_eq(pos, 7);
	ck_assert(!wrap);
	vu_packed_advance(&pos, &wrap, 1, 8);
	ck_assert_uint_eq(pos, 0);
	ck_assert(wrap);
	vu_packed_advance(&pos, &wrap, 8, 8); /* a full lap */
	ck_assert_uint_eq(pos, 0);
	ck_assert(!wrap);
	vu_packed_advance(&pos, &wrap, 0, 8);
	ck_assert_uint_eq(pos, 0);
	ck_assert(!wrap);
}
END_TEST

/* Split-ring part sizes (VIRTIO 1.2, 2.7: 16 * Queue Size; 6 + 2 * Queue
 * Size; 6 + 8 * Queue Size, event idx fields included). */
START_TEST(split_sizes)
{
	ck_assert_uint_eq(vu_desc_bytes(256), 4096);
	ck_assert_uint_eq(vu_avail_bytes(256), 518);
	ck_assert_uint_eq(vu_used_bytes(256), 2054);
	ck_assert_uint_eq(vu_desc_bytes(32768), 524288);
	ck_assert_uint_eq(vu_avail_bytes(1), 8);
	ck_assert_uint_eq(vu_used_bytes(1), 14);
	ck_assert_uint_eq(VRING_DESC_FLAGS + 2, VRING_DESC_NEXT);
	ck_assert_uint_eq(VRING_DESC_NEXT + 2, VRING_DESC_SIZE);
	ck_assert_uint_eq(VRING_DESC_SIZE, VRING_PACKED_DESC_SIZE);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("vring");
	TCase *tc = tcase_create("packed");
	tcase_add_test(tc, word_round_trip);
	tcase_add_test(tc, held_buffers);
	tcase_add_test(tc, advance_flips_wrap);
	tcase_add_test(tc, split_sizes);
	suite_add_tcase(s, tc);
	return s;
}
