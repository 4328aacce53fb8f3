/* The traceability table: statements.def and rule_statements.def agree
 * with each other and with the rule catalog, and the validator catches each
 * kind of disagreement. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "vcts/engine.h"
#include "vcts/statements.h"

struct seen {
	char last[512];
	size_t n;
};

static void note(void *arg, const char *msg)
{
	struct seen *s = arg;
	s->n++;
	snprintf(s->last, sizeof s->last, "%s", msg);
}

static void print(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "traceability: %s\n", msg);
}

/* The compiled-in tables have no problem at all. */
START_TEST(tables_consistent)
{
	ck_assert_uint_eq(vc_trace_validate(vc_trace_tables(), print, NULL), 0);
}
END_TEST

START_TEST(source_recorded)
{
	const struct vc_spec_source *s = vc_spec_source();
	ck_assert_uint_eq(strlen(s->commit), 40);
	ck_assert_uint_eq(strspn(s->commit, "0123456789abcdef"), 40);
	ck_assert_str_eq(s->path, "docs/interop/vhost-user.rst");
	ck_assert(s->repo[0] && s->chars > 0);
}
END_TEST

/* Every VU- rule that rests on the text (no BASIS row) names at least one
 * statement, and every area has statements. */
START_TEST(every_area_used)
{
	const struct vc_trace_tables *t = vc_trace_tables();
	for (size_t a = 0; a < vc_stmt_area_count(); a++) {
		size_t n = 0;
		for (size_t i = 0; i < t->nstmts; i++)
			n += vc_stmt_area_of(t->stmts[i].id) == a;
		ck_assert_msg(n > 0, "area %s has no statement", vc_stmt_area(a)->key);
	}
}
END_TEST

static const struct vc_stmt good[] = {
	{ "VUS-HDR-01", "Header", VC_SS_BOTH, VC_ST_MUST, VC_SD_TRACE, "version 1", "" },
	{ "VUS-HDR-02", "Header", VC_SS_BE, VC_ST_MUST, VC_SD_LIVE, "x", "not yet checked" },
};

/* Runs the validator on (stmts, covers) with a BASIS row for every other
 * rule of the catalog, so only the broken part reports. */
static size_t run(const struct vc_stmt *st, size_t nst, const struct vc_rule_cover *cv, size_t ncv,
		  struct seen *seen)
{
	static struct vc_rule_basis basis[VC_RULE_COUNT];
	size_t nb = 0;
	for (unsigned r = 0; r < VC_RULE_COUNT; r++)
		basis[nb++] = (struct vc_rule_basis){ vc_rule(r)->id, "test" };
	struct vc_trace_tables t = { st, nst, cv, ncv, basis, nb };
	memset(seen, 0, sizeof *seen);
	return vc_trace_validate(&t, note, seen);
}

START_TEST(catches_good_is_clean)
{
	struct seen s;
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01" } };
	ck_assert_uint_eq(run(good, 2, cv, 1, &s), 0);
}
END_TEST

START_TEST(catches_unknown_statement)
{
	struct seen s;
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01 VUS-HDR-99" } };
	ck_assert_uint_eq(run(good, 2, cv, 1, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "unknown statement VUS-HDR-99"));
}
END_TEST

START_TEST(catches_unknown_rule)
{
	struct seen s;
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01" },
					    { "VU-NOPE-01", VC_COVER_PART, "VUS-HDR-02" } };
	ck_assert_uint_eq(run(good, 2, cv, 2, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "VU-NOPE-01: no such rule"));
}
END_TEST

START_TEST(catches_rule_citing_nothing)
{
	struct vc_trace_tables t = { good, 2, NULL, 0, NULL, 0 };
	struct seen s = { 0 };
	/* No COVERS and no BASIS: every catalog rule reports, and VUS-HDR-01
	 * (no reason, no cover) too. */
	ck_assert_uint_eq(vc_trace_validate(&t, note, &s), VC_RULE_COUNT + 1);
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "" } };
	ck_assert_uint_eq(run(good, 2, cv, 1, &s), 2);
}
END_TEST

START_TEST(catches_duplicate_and_malformed_ids)
{
	struct seen s;
	const struct vc_stmt st[] = {
		{ "VUS-HDR-01", "Header", VC_SS_FE, VC_ST_MUST, VC_SD_TRACE, "a", "" },
		{ "VUS-HDR-01", "Header", VC_SS_FE, VC_ST_MUST, VC_SD_TRACE, "b", "" },
	};
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01" } };
	ck_assert_uint_eq(run(st, 2, cv, 1, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "used twice"));
	const struct vc_stmt bad[] = {
		{ "VUS-NOAREA-01", "x", VC_SS_FE, VC_ST_MUST, VC_SD_NONE, "a", "r" },
		{ "VUS-HDR-1", "x", VC_SS_FE, VC_ST_MUST, VC_SD_NONE, "a", "r" },
		{ "VUS-HDR-02", "x", VC_SS_FACT, VC_ST_MUST, VC_SD_NONE, "a", "r" },
	};
	ck_assert_uint_eq(run(bad, 3, NULL, 0, &s), 3);
}
END_TEST

START_TEST(catches_reasons)
{
	struct seen s;
	/* Decidable, uncovered, no reason. */
	const struct vc_stmt st1[] = { { "VUS-HDR-01", "H", VC_SS_FE, VC_ST_MUST, VC_SD_LIVE, "a", "" } };
	ck_assert_uint_eq(run(st1, 1, NULL, 0, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "covered none and no reason"));
	/* Partly covered, no reason for the rest. */
	const struct vc_rule_cover part[] = { { "VU-HDR-01", VC_COVER_PART, "VUS-HDR-01" } };
	ck_assert_uint_eq(run(st1, 1, part, 1, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "covered part and no reason"));
	/* Covered fully, stale reason. */
	const struct vc_stmt st2[] = { { "VUS-HDR-01", "H", VC_SS_FE, VC_ST_MUST, VC_SD_TRACE, "a", "old" } };
	const struct vc_rule_cover full[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01" } };
	ck_assert_uint_eq(run(st2, 1, full, 1, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "still has a reason"));
	/* Decidable by nothing, yet covered. */
	const struct vc_stmt st3[] = { { "VUS-HDR-01", "H", VC_SS_FE, VC_ST_MUST, VC_SD_NONE, "a", "r" } };
	ck_assert_uint_eq(run(st3, 1, part, 1, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "decidable by nothing"));
}
END_TEST

START_TEST(catches_full_and_part_of_one_rule)
{
	struct seen s;
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01" },
					    { "VU-HDR-01", VC_COVER_PART, "VUS-HDR-01 VUS-HDR-02" } };
	ck_assert_uint_eq(run(good, 2, cv, 2, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "both FULL and PART"));
}
END_TEST

START_TEST(catches_bad_drive_rows)
{
	const struct vc_rule_cover cv[] = { { "VU-HDR-01", VC_COVER_FULL, "VUS-HDR-01" } };
	const struct vc_drive_cover dr[] = { { "datapath", "VUS-HDR-02 VUS-HDR-77" },
					     { "datapath", "VUS-HDR-01" } };
	static struct vc_rule_basis basis[VC_RULE_COUNT];
	for (unsigned r = 0; r < VC_RULE_COUNT; r++)
		basis[r] = (struct vc_rule_basis){ vc_rule(r)->id, "test" };
	struct vc_trace_tables t = { good, 2, cv, 1, basis, VC_RULE_COUNT, dr, 2 };
	struct seen s = { 0 };
	/* VUS-HDR-01 is BOTH, a back-end duty too: only the unknown ID of the
	 * first row reports. */
	ck_assert_uint_eq(vc_trace_validate(&t, note, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "unknown statement"));
	const struct vc_stmt fe[] = { { "VUS-HDR-01", "H", VC_SS_FE, VC_ST_MUST, VC_SD_TRACE, "a", "" } };
	t.stmts = fe;
	t.nstmts = 1;
	t.drives = &dr[1];
	t.ndrives = 1;
	ck_assert_uint_eq(vc_trace_validate(&t, note, &s), 1);
	ck_assert_ptr_nonnull(strstr(s.last, "not a back-end duty"));
}
END_TEST

START_TEST(list_matches_whole_ids)
{
	ck_assert(vc_stmt_list_has("VUS-HDR-01 VUS-HDR-10", "VUS-HDR-10"));
	ck_assert(!vc_stmt_list_has("VUS-HDR-010", "VUS-HDR-01"));
	ck_assert(!vc_stmt_list_has("VUS-HDR-1", "VUS-HDR-10"));
	ck_assert(!vc_stmt_list_has("", "VUS-HDR-01"));
}
END_TEST

/* Areas and sides each partition the statements; full + part never exceed
 * the checkable ones. */
START_TEST(coverage_adds_up)
{
	const struct vc_trace_tables *t = vc_trace_tables();
	struct vc_cov_count area[VC_STMT_AREA_MAX], side[VC_SS_COUNT], tot;
	ck_assert_uint_le(vc_stmt_area_count(), VC_STMT_AREA_MAX);
	vc_trace_coverage(t, area, side, &tot);
	ck_assert_uint_eq(tot.stmts, t->nstmts);
	unsigned sa = 0, ss = 0, fa = 0, fs = 0;
	for (size_t a = 0; a < vc_stmt_area_count(); a++) {
		sa += area[a].stmts;
		fa += area[a].full;
		ck_assert_uint_le(area[a].full + area[a].part, area[a].checkable);
	}
	for (int s = 0; s < VC_SS_COUNT; s++) {
		ss += side[s].stmts;
		fs += side[s].full;
	}
	ck_assert_uint_eq(sa, tot.stmts);
	ck_assert_uint_eq(ss, tot.stmts);
	ck_assert_uint_eq(fa, tot.full);
	ck_assert_uint_eq(fs, tot.full);
	/* Every statement not fully covered says why. */
	ck_assert_uint_eq(tot.reasoned + tot.full, tot.stmts);
	/* A known statement and its coverage. */
	ck_assert_int_eq(vc_stmt_coverage(t, "VUS-HDR-01"), VC_COVER_FULL);
	ck_assert_int_eq(vc_stmt_coverage(t, "VUS-CONV-01"), VC_COVER_NONE);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("statements");
	TCase *tc = tcase_create("tables");
	tcase_add_test(tc, tables_consistent);
	tcase_add_test(tc, source_recorded);
	tcase_add_test(tc, every_area_used);
	tcase_add_test(tc, coverage_adds_up);
	suite_add_tcase(s, tc);
	TCase *v = tcase_create("validator");
	tcase_add_test(v, catches_good_is_clean);
	tcase_add_test(v, catches_unknown_statement);
	tcase_add_test(v, catches_unknown_rule);
	tcase_add_test(v, catches_rule_citing_nothing);
	tcase_add_test(v, catches_duplicate_and_malformed_ids);
	tcase_add_test(v, catches_reasons);
	tcase_add_test(v, catches_full_and_part_of_one_rule);
	tcase_add_test(v, catches_bad_drive_rows);
	tcase_add_test(v, list_matches_whole_ids);
	suite_add_tcase(s, v);
	return s;
}
