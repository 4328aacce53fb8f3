/* The DRIVE rows of conformance/rule_statements.def name scenarios that
 * `vhost-cts drive` has. */
#include <check.h>
#include <string.h>

#include "fakes/frontend/frontend.h"
#include "harness/tests/common/testutil.h"
#include "vcts/statements.h"

START_TEST(drive_rows_name_scenarios)
{
	const struct vc_trace_tables *t = vc_trace_tables();
	ck_assert_uint_gt(t->ndrives, 0);
	for (size_t d = 0; d < t->ndrives; d++) {
		bool found = false;
		for (size_t i = 0; i < vfe_scenario_count() && !found; i++)
			found = strcmp(vfe_scenario_name(i), t->drives[d].scenario) == 0;
		ck_assert_msg(found, "DRIVE row names scenario '%s', which drive does not have",
			      t->drives[d].scenario);
	}
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("drive_statements");
	TCase *tc = tcase_create("names");
	tcase_add_test(tc, drive_rows_name_scenarios);
	suite_add_tcase(s, tc);
	return s;
}
