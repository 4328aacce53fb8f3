/* One reading of a number written as text: the bases C writes, nothing
 * around it, nothing over 64 bits, the length honoured. */
#include <check.h>
#include <stdint.h>

#include "harness/tests/common/testutil.h"
#include "lib/parse_num.h"

START_TEST(reads_the_c_bases)
{
	uint64_t v = 7;
	ck_assert(vc_parse_u64_str("0", &v) && v == 0);
	ck_assert(vc_parse_u64_str("42", &v) && v == 42);
	ck_assert(vc_parse_u64_str("0x2a", &v) && v == 42);
	ck_assert(vc_parse_u64_str("052", &v) && v == 42);
	ck_assert(vc_parse_u64_str("18446744073709551615", &v) && v == UINT64_MAX);
	/* The length given, not the NUL: "12" of "123". */
	ck_assert(vc_parse_u64("123", 2, &v) && v == 12);
}
END_TEST

START_TEST(refuses_what_is_not_one_number)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "0x", "12a", "08", "18446744073709551616",
		"0000000000000000000000000000000000000001", /* 40 characters */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t v = 7;
		ck_assert_msg(!vc_parse_u64_str(bad[i], &v), "'%s' was read", bad[i]);
		ck_assert_uint_eq(v, 7);
	}
	uint64_t v = 7;
	ck_assert(!vc_parse_u64("1", 0, &v));
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("parse_num");
	TCase *tc = tcase_create("parse_num");
	tcase_add_test(tc, reads_the_c_bases);
	tcase_add_test(tc, refuses_what_is_not_one_number);
	suite_add_tcase(s, tc);
	return s;
}
