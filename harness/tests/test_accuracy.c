/* Accuracy on real recordings (issue #14). Every file under traces/ that
 * `vhost-cts check` reads (fixtures/, scenarios/ and record/ are hand-made
 * or scripts, so excepted) is judged, and its findings must be exactly the
 * rows of the README section "Accuracy on real recordings": one row per
 * recording and finding (rule, level, count), or one "none" row for a
 * recording without findings. The same section lists the trace-decidable
 * rules that pass on no recording; that list is checked too. The README
 * table is the one source: a failure names the row to add, change or
 * remove. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"
#include "vcts/engine.h"

#define SECTION "## Accuracy on real recordings"
#define MAX_ROWS 512
#define MAX_FILES 1024

struct row {
	char file[256];
	char rule[32]; /* "none": the recording has no finding */
	char level[16];
	unsigned count;
	int line;
	bool matched;
};

struct undecided {
	char rule[32];
	int line;
};

static struct row rows[MAX_ROWS];
static size_t nrows;
static struct undecided und[VC_RULE_COUNT];
static size_t nund;

/* Problems, one per line, printed together at the end. */
static char *problems;
static size_t plen, pcap;
static unsigned nproblems;

static void problem(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t n = strlen(buf);
	if (plen + n + 2 > pcap) {
		pcap = (plen + n + 2) * 2;
		problems = realloc(problems, pcap);
		ck_assert_ptr_nonnull(problems);
	}
	memcpy(problems + plen, buf, n);
	plen += n;
	problems[plen++] = '\n';
	problems[plen] = '\0';
	nproblems++;
}

/* Cell text without surrounding blanks and backticks. */
static void cell(char *dst, size_t len, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '`')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '`'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Reads the README section into rows[] and und[]. */
static void read_table(void)
{
	FILE *f = fopen(vc_test_path("README.md"), "r");
	ck_assert_msg(f != NULL, "README.md: cannot open");
	char *line = NULL;
	size_t cap = 0;
	int ln = 0;
	bool in = false, found = false;
	while (getline(&line, &cap, f) > 0) {
		ln++;
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "## ", 3)) {
			in = !strcmp(line, SECTION);
			found |= in;
			continue;
		}
		if (!in || line[0] != '|')
			continue;
		char cells[6][256];
		int nc = 0;
		const char *p = line + 1;
		for (const char *bar; (bar = strchr(p, '|')) && nc < 6; p = bar + 1)
			cell(cells[nc++], sizeof cells[0], p, (size_t)(bar - p));
		if (!strncmp(cells[0], "---", 3) || !strcmp(cells[0], "recording") ||
		    !strcmp(cells[0], "rule"))
			continue;
		if (nc == 5) {
			ck_assert_msg(nrows < MAX_ROWS, "README.md:%d: more than %d rows", ln, MAX_ROWS);
			struct row *r = &rows[nrows++];
			snprintf(r->file, sizeof r->file, "%s", cells[0]);
			snprintf(r->rule, sizeof r->rule, "%.31s", cells[1]);
			snprintf(r->level, sizeof r->level, "%.15s", cells[2]);
			char *end;
			unsigned long c = strtoul(cells[3], &end, 10);
			r->count = (unsigned)c;
			r->line = ln;
			if (*end || end == cells[3])
				problem("README.md:%d: count '%s' is not a number", ln, cells[3]);
			if (strcmp(r->rule, "none")) {
				const struct vc_rule *rule = vc_rule_by_id(r->rule);
				if (!rule)
					problem("README.md:%d: unknown rule '%s'", ln, r->rule);
				else if (strcmp(vc_level_name(rule->level), r->level))
					problem("README.md:%d: %s is %s in the catalog, the row says '%s'", ln,
						r->rule, vc_level_name(rule->level), r->level);
				if (!r->count)
					problem("README.md:%d: a finding row needs a count > 0", ln);
			} else if (r->count) {
				problem("README.md:%d: a 'none' row has count 0", ln);
			}
			if (!cells[4][0])
				problem("README.md:%d: the row gives no reason", ln);
		} else if (nc == 2) {
			struct undecided *u = &und[nund];
			const struct vc_rule *rule = vc_rule_by_id(cells[0]);
			if (!rule || rule->needs == VC_NEEDS_LIVE)
				problem("README.md:%d: '%s' is not a trace-decidable rule", ln, cells[0]);
			else if (nund < VC_RULE_COUNT) {
				snprintf(u->rule, sizeof u->rule, "%.31s", cells[0]);
				u->line = ln;
				nund++;
			}
		} else {
			problem("README.md:%d: a row of %d cells (5: recording, rule, level, count, why; 2: rule, why)",
				ln, nc);
		}
	}
	free(line);
	fclose(f);
	ck_assert_msg(found, "README.md: no section '%s'", SECTION);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files under traces/ (relative to the source tree), recursively. */
static void walk(const char *rel, char **files, size_t *n)
{
	DIR *d = opendir(vc_test_path(rel));
	ck_assert_msg(d != NULL, "%s: cannot open", rel);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", rel, e->d_name);
		if (!strcmp(path, "traces/fixtures") || !strcmp(path, "traces/scenarios") ||
		    !strcmp(path, "traces/record"))
			continue;
		struct stat st;
		ck_assert_int_eq(stat(vc_test_path(path), &st), 0);
		if (S_ISDIR(st.st_mode)) {
			walk(path, files, n);
		} else if (S_ISREG(st.st_mode)) {
			ck_assert(*n < MAX_FILES);
			files[(*n)++] = strdup(path);
		}
	}
	closedir(d);
}

static struct row *find_row(const char *file, const char *rule)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].file, file) && !strcmp(rows[i].rule, rule))
			return &rows[i];
	return NULL;
}

static bool file_listed(const char *file)
{
	for (size_t i = 0; i < nrows; i++)
		if (!strcmp(rows[i].file, file))
			return true;
	return false;
}

START_TEST(recordings_match_the_table)
{
	read_table();
	char *files[MAX_FILES];
	size_t nfiles = 0;
	walk("traces", files, &nfiles);
	qsort(files, nfiles, sizeof files[0], cmp_str);

	char json[64];
	snprintf(json, sizeof json, "/tmp/vcts-accuracy-%d.json", (int)getpid());
	/* first recording where each rule passes */
	const char *passes_on[VC_RULE_COUNT] = { 0 };
	unsigned nrec = 0;
	for (size_t fi = 0; fi < nfiles; fi++) {
		const char *file = files[fi];
		char *argv[] = { "vhost-cts", "check", "--json", json, (char *)vc_test_path(file), NULL };
		char *out;
		unlink(json);
		int rc = vc_test_run(argv, &out);
		if (rc == 2) {
			/* not a trace (console log, summary, script, ...) */
			if (file_listed(file))
				problem("%s: listed in the table, but check exits 2: %.200s", file, out);
			free(out);
			continue;
		}
		free(out);
		nrec++;
		json_object *root = json_object_from_file(json);
		if (!root) {
			problem("%s: check exits %d without a readable JSON report", file, rc);
			continue;
		}
		unsigned counts[VC_RULE_COUNT] = { 0 };
		bool must = false;
		json_object *arr, *sessions;
		ck_assert(json_object_object_get_ex(root, "findings", &arr));
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *r;
			ck_assert(json_object_object_get_ex(json_object_array_get_idx(arr, i), "rule", &r));
			const struct vc_rule *rule = vc_rule_by_id(json_object_get_string(r));
			ck_assert_ptr_nonnull(rule);
			counts[rule->num]++;
			must |= rule->level == VC_MUST;
		}
		ck_assert(json_object_object_get_ex(root, "sessions", &sessions));
		for (size_t s = 0; s < json_object_array_length(sessions); s++) {
			json_object *rules;
			ck_assert(json_object_object_get_ex(json_object_array_get_idx(sessions, s), "rules",
							    &rules));
			json_object_object_foreach(rules, id, ro)
			{
				json_object *v;
				const struct vc_rule *rule = vc_rule_by_id(id);
				if (rule && json_object_object_get_ex(ro, "verdict", &v) &&
				    !strcmp(json_object_get_string(v), "pass") && !passes_on[rule->num])
					passes_on[rule->num] = file;
			}
		}
		json_object_put(root);

		if (rc != (must ? 1 : 0))
			problem("%s: check exits %d, want %d (%s MUST finding)", file, rc, must ? 1 : 0,
				must ? "a" : "no");
		bool any = false;
		for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
			if (!counts[k])
				continue;
			any = true;
			const struct vc_rule *rule = vc_rule((enum vc_rule_id)k);
			struct row *r = find_row(file, rule->id);
			if (!r) {
				problem("add row: | `%s` | %s | %s | %u | (why it is true) |", file, rule->id,
					vc_level_name(rule->level), counts[k]);
				continue;
			}
			r->matched = true;
			if (r->count != counts[k])
				problem("README.md:%d: %s %s: the recording gives %u, the row says %u: change the count",
					r->line, file, rule->id, counts[k], r->count);
		}
		struct row *none = find_row(file, "none");
		if (none) {
			none->matched = true;
			if (any)
				problem("README.md:%d: remove row '%s none': it has findings now", none->line, file);
		} else if (!any) {
			problem("add row: | `%s` | none | - | 0 | (what it covers) |", file);
		}
	}
	unlink(json);
	for (size_t i = 0; i < nrows; i++)
		if (!rows[i].matched)
			problem("README.md:%d: remove row '%s %s': %s", rows[i].line, rows[i].file, rows[i].rule,
				access(vc_test_path(rows[i].file), R_OK) ? "no such recording"
									 : "the recording has no such finding");

	/* Trace-decidable rules (needs HDR or TRACE) that pass on no recording. */
	unsigned decidable = 0, decided = 0;
	fprintf(stderr, "accuracy: %u recordings judged\n", nrec);
	for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
		const struct vc_rule *rule = vc_rule((enum vc_rule_id)k);
		if (rule->needs == VC_NEEDS_LIVE)
			continue;
		decidable++;
		const struct undecided *u = NULL;
		for (size_t i = 0; i < nund; i++)
			if (!strcmp(und[i].rule, rule->id))
				u = &und[i];
		if (passes_on[k]) {
			decided++;
			if (u)
				problem("README.md:%d: remove row '| %s |' from the undecided list: it passes on %s",
					u->line, rule->id, passes_on[k]);
		} else {
			fprintf(stderr, "accuracy: %s passes on no recording\n", rule->id);
			if (!u)
				problem("add row to the undecided list: | %s | (why no recording decides it) |",
					rule->id);
		}
	}
	fprintf(stderr, "accuracy: %u of %u trace-decidable rules pass on at least one recording\n", decided,
		decidable);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	/* libcheck's message is short: the list goes to stderr */
	if (nproblems)
		fprintf(stderr, "%u difference(s) from README.md \"%s\":\n%s", nproblems, SECTION + 3, problems);
	ck_assert_msg(nproblems == 0, "%u difference(s) from README.md \"%s\" (listed above)", nproblems,
		      SECTION + 3);
	free(problems);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("accuracy");
	TCase *tc = tcase_create("real");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, recordings_match_the_table);
	suite_add_tcase(s, tc);
	return s;
}
