/* vhost-cts rules --coverage: its options, its JSON against the library's
 * figures, and the README's copy of its table. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/tests/common/testutil.h"
#include "vcts/coverage.h"
#include "vcts/statements.h"

static int run(char **out, char *a, char *b, char *c)
{
	char *argv[] = { "vhost-cts", "rules", a, b, c, NULL };
	return vc_test_run(argv, out);
}

/* The README shows exactly what the command prints. */
START_TEST(readme_shows_the_table)
{
	char *out;
	ck_assert_int_eq(run(&out, "--coverage", NULL, NULL), 0);
	FILE *f = fopen(vc_test_path("README.md"), "r");
	ck_assert_ptr_nonnull(f);
	char *readme = NULL;
	size_t cap = 0;
	ck_assert_int_gt(getdelim(&readme, &cap, '\0', f), 0);
	fclose(f);
	const char *mark = strstr(readme, "<!-- rules --coverage -->\n```text\n");
	ck_assert_msg(mark != NULL, "README.md has no '<!-- rules --coverage -->' block");
	const char *start = strchr(strchr(mark, '\n') + 1, '\n') + 1;
	const char *end = strstr(start, "```");
	ck_assert_ptr_nonnull(end);
	ck_assert_msg(strlen(out) == (size_t)(end - start) && !strncmp(out, start, strlen(out)),
		      "README.md's coverage table differs from `vhost-cts rules --coverage`:\n%s", out);
	free(readme);
	free(out);
}
END_TEST

START_TEST(json_matches_library)
{
	char *out;
	ck_assert_int_eq(run(&out, "--coverage", "--json", NULL), 0);
	json_object *root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	const struct vc_trace_tables *t = vc_trace_tables();
	struct vc_cov_count area[VC_STMT_AREA_MAX], side[VC_SS_COUNT], tot;
	vc_trace_coverage(t, area, side, &tot);
	json_object *o, *v;
	ck_assert(json_object_object_get_ex(root, "total", &o));
	ck_assert(json_object_object_get_ex(o, "statements", &v));
	ck_assert_int_eq(json_object_get_int(v), (int)tot.stmts);
	ck_assert(json_object_object_get_ex(o, "full", &v));
	ck_assert_int_eq(json_object_get_int(v), (int)tot.full);
	ck_assert(json_object_object_get_ex(root, "statements", &o));
	ck_assert_uint_eq(json_object_array_length(o), t->nstmts);
	ck_assert(json_object_object_get_ex(root, "areas", &o));
	ck_assert_uint_eq(json_object_array_length(o), vc_stmt_area_count());
	ck_assert(json_object_object_get_ex(root, "source", &o));
	ck_assert(json_object_object_get_ex(o, "commit", &v));
	ck_assert_str_eq(json_object_get_string(v), vc_spec_source()->commit);
	json_object_put(root);
	free(out);
}
END_TEST

/* rules --json names, per rule, the statements it checks or its basis. */
START_TEST(rules_json_names_statements)
{
	char *out;
	ck_assert_int_eq(run(&out, "--json", NULL, NULL), 0);
	json_object *arr = json_tokener_parse(out);
	ck_assert_ptr_nonnull(arr);
	bool seen_hdr01 = false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i), *id, *st, *full, *part, *basis;
		ck_assert(json_object_object_get_ex(r, "id", &id));
		ck_assert(json_object_object_get_ex(r, "statements", &st));
		ck_assert(json_object_object_get_ex(st, "full", &full));
		ck_assert(json_object_object_get_ex(st, "part", &part));
		ck_assert(json_object_object_get_ex(st, "basis", &basis));
		ck_assert_msg(json_object_array_length(full) + json_object_array_length(part) +
				      json_object_array_length(basis) > 0,
			      "%s names no statement and no basis", json_object_get_string(id));
		if (!strcmp(json_object_get_string(id), "VU-HDR-01")) {
			seen_hdr01 = true;
			ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(full, 0)), "VUS-HDR-01");
		}
	}
	ck_assert(seen_hdr01);
	json_object_put(arr);
	free(out);
}
END_TEST

START_TEST(statements_listed)
{
	char *out;
	ck_assert_int_eq(run(&out, "--coverage", "--statements", NULL), 0);
	const struct vc_trace_tables *t = vc_trace_tables();
	for (size_t i = 0; i < t->nstmts; i++) {
		char line[64];
		snprintf(line, sizeof line, "\n%-13s ", t->stmts[i].id);
		ck_assert_msg(strstr(out, line), "%s missing from --statements", t->stmts[i].id);
	}
	ck_assert_ptr_nonnull(strstr(out, "rules: VU-HDR-01"));
	free(out);
}
END_TEST

START_TEST(options)
{
	char *out;
	ck_assert_int_eq(run(&out, "--statements", NULL, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "--statements goes with --coverage"));
	free(out);
	ck_assert_int_eq(run(&out, "--coverage", "--bogus", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "--help", NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "--coverage"));
	free(out);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("coverage_cli");
	TCase *tc = tcase_create("rules --coverage");
	tcase_add_test(tc, readme_shows_the_table);
	tcase_add_test(tc, json_matches_library);
	tcase_add_test(tc, statements_listed);
	tcase_add_test(tc, rules_json_names_statements);
	tcase_add_test(tc, options);
	suite_add_tcase(s, tc);
	return s;
}
