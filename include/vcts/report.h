/* Report writers: every source's verdict is printed by these. Files are
 * written atomically (temp file in the same directory, fsync, rename). */
#ifndef VCTS_REPORT_H
#define VCTS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vcts/engine.h"
#include "vcts/fileio.h"

/* A problem an importer read past (vc_trace_warn): the input it came from
 * and the line "file:line: what". */
struct vc_report_warning {
	const char *source;
	const char *text;
};

struct vc_report_meta {
	const char *tool;        /* "vhost-cts check" */
	const char *version;
	const char *const *inputs;
	size_t ninputs;
	bool strict;
	/* Input warnings kept (bounded per input) and their total count. */
	const struct vc_report_warning *warnings;
	size_t nwarnings;
	uint64_t warnings_total;
};

/* Console: per rule per session passed / failed / n.a., then a summary.
 * flags: VC_TEXT_VERBOSE adds the rules that did not apply or were
 * disabled; VC_TEXT_SUMMARY_ONLY prints only the summary and verdict
 * lines (check --quiet). */
enum { VC_TEXT_VERBOSE = 1u << 0, VC_TEXT_SUMMARY_ONLY = 1u << 1 };
void vc_report_text(FILE *out, const struct vc_results *r, const struct vc_report_meta *m,
		    unsigned flags);
/* One finding as one line (live output). */
void vc_report_finding_line(FILE *out, const struct vc_finding *f, const char *session_name);

/* JSON report (schema in reports/SCHEMA.md). 0 on success, -1 with
 * errno-style message in err (len bytes). */
int vc_report_json(const char *path, const struct vc_results *r, const struct vc_report_meta *m,
		   char *err, size_t errlen);
/* JUnit XML: one testsuite per session, one testcase per rule. */
int vc_report_junit(const char *path, const struct vc_results *r, const struct vc_report_meta *m,
		    char *err, size_t errlen);


#endif
