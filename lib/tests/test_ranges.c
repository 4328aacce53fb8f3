/* The IOTLB range set answers like a plain list scanned in full, whether
 * its ranges stay disjoint (binary searches) or overlap (scans). */
#include <check.h>
#include <stdlib.h>

#include "harness/tests/common/testutil.h"
#include "lib/ranges.h"

/* The reference: an unsorted list, every query a full scan. */
struct ref {
	struct vc_range r[512];
	size_t n;
};

static bool ref_overlap(const struct ref *x, uint64_t f, uint64_t l, uint64_t *hit)
{
	bool any = false;
	for (size_t i = 0; i < x->n; i++)
		if (x->r[i].first <= l && x->r[i].last >= f && (!any || x->r[i].first < *hit)) {
			*hit = x->r[i].first;
			any = true;
		}
	return any;
}

static void ref_remove(struct ref *x, uint64_t f, uint64_t l)
{
	size_t w = 0;
	for (size_t i = 0; i < x->n; i++)
		if (!(x->r[i].first <= l && x->r[i].last >= f))
			x->r[w++] = x->r[i];
	x->n = w;
}

static bool ref_covers(const struct ref *x, uint64_t f, uint64_t l)
{
	for (uint64_t a = f;; a++) {
		bool in = false;
		for (size_t i = 0; i < x->n && !in; i++)
			in = x->r[i].first <= a && a <= x->r[i].last;
		if (!in)
			return false;
		if (a == l)
			return true;
	}
}

/* Random adds (some overlapping), removes and queries over a small space,
 * so coverage can be checked address by address. */
START_TEST(matches_a_full_scan)
{
	srand(7);
	for (int round = 0; round < 3000; round++) {
		struct vc_ranges s = { 0 };
		struct ref x = { .n = 0 };
		uint64_t span = round % 2 ? 64 : 4096;
		bool may_overlap = round % 3 == 0;
		for (int k = 0; k < 60; k++) {
			uint64_t f = (uint64_t)rand() % span, l = f + (uint64_t)rand() % (span / 8 + 1);
			uint64_t h1 = 0, h2 = 0;
			switch (rand() % 4) {
			case 0: {
				bool o = vc_ranges_overlap(&s, f, l, &h1);
				ck_assert_int_eq(o, ref_overlap(&x, f, l, &h2));
				if (o)
					ck_assert_uint_eq(h1, h2);
				if ((!o || may_overlap) && x.n < 512) {
					struct vc_range r = { f, l, f * 3, (uint8_t)(k & 3) };
					ck_assert(vc_ranges_add(&s, &r));
					x.r[x.n++] = r;
				}
				break;
			}
			case 1:
				vc_ranges_remove(&s, f, l);
				ref_remove(&x, f, l);
				break;
			default:
				if (l - f < 256)
					ck_assert_int_eq(vc_ranges_covers(&s, f, l), ref_covers(&x, f, l));
				break;
			}
			ck_assert_uint_eq(s.n, x.n);
			for (size_t i = 1; i < s.n; i++)
				ck_assert_uint_le(vc_ranges_get(&s, i - 1)->first, vc_ranges_get(&s, i)->first);
			if (!may_overlap)
				ck_assert(!s.overlapping);
		}
		vc_ranges_free(&s);
	}
}
END_TEST

/* Adjacent ranges cover together, the payload (uaddr, perm) is kept, an
 * overlap switches the set to scanning until it is empty, and the set is
 * bounded. */
START_TEST(cases)
{
	struct vc_ranges s = { 0 };
	ck_assert(!vc_ranges_covers(&s, 0, 0));
	ck_assert(vc_ranges_add(&s, &(struct vc_range){ 0x2000, 0x2fff, 0x7f0000002000, 3 }));
	ck_assert(vc_ranges_add(&s, &(struct vc_range){ 0x1000, 0x1fff, 0x7f0000001000, 1 }));
	ck_assert(!s.overlapping);
	ck_assert(vc_ranges_covers(&s, 0x1800, 0x27ff));
	ck_assert(!vc_ranges_covers(&s, 0x1800, 0x3000));
	ck_assert_uint_eq(vc_ranges_get(&s, 0)->uaddr, 0x7f0000001000);
	ck_assert_uint_eq(vc_ranges_get(&s, 1)->perm, 3);
	uint64_t hit = 0;
	ck_assert(vc_ranges_overlap(&s, 0x2fff, UINT64_MAX, &hit));
	ck_assert_uint_eq(hit, 0x2000);
	ck_assert(vc_ranges_add(&s, &(struct vc_range){ 0x0, 0xffffffff, 0, 3 }));
	ck_assert(s.overlapping);
	ck_assert(vc_ranges_overlap(&s, 0x5000, 0x5000, &hit));
	ck_assert_uint_eq(hit, 0);
	vc_ranges_remove(&s, 0, UINT64_MAX);
	ck_assert_uint_eq(s.n, 0);
	ck_assert(!s.overlapping);
	for (uint32_t i = 0; i < VC_RANGES_MAX; i++)
		ck_assert(vc_ranges_add(&s, &(struct vc_range){ (uint64_t)i << 12, ((uint64_t)i << 12) + 0xfff, 0, 3 }));
	ck_assert(!vc_ranges_add(&s, &(struct vc_range){ 1ull << 40, (1ull << 40) + 1, 0, 3 }));
	ck_assert(vc_ranges_covers(&s, 0, ((uint64_t)VC_RANGES_MAX << 12) - 1));
	vc_ranges_remove(&s, 0x1000, 0x1000);
	ck_assert(!vc_ranges_covers(&s, 0, 0x2000));
	vc_ranges_free(&s);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("ranges");
	TCase *tc = tcase_create("ranges");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, matches_a_full_scan);
	tcase_add_test(tc, cases);
	suite_add_tcase(s, tc);
	return s;
}
