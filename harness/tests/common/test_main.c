/* Shared main() for libcheck suites: each test file defines
 * vc_test_suite(); this runs it with fork mode on (a crash in one test is a
 * failure, not the end of the run) and prints libcheck's summary line,
 * which harness/tests/run-checks.sh adds up. */
#include <check.h>
#include <stdlib.h>

#include "harness/tests/common/testutil.h"

int main(void)
{
	SRunner *sr = srunner_create(vc_test_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
