/* Helpers the report writers share (reports/common.c). Private to
 * reports/: nothing outside this folder includes it, except the reports
 * tests, which call vcr_clean directly. One declaration here keeps a
 * changed signature a compile error instead of a silent mismatch. */
#ifndef VCTS_REPORTS_COMMON_H
#define VCTS_REPORTS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/engine.h"

/* A copy of s (at most maxlen bytes, stops at NUL) that is valid,
 * printable UTF-8: every byte that is not part of such a sequence becomes
 * the four characters \xNN. Safe for a terminal, JSON and XML. NULL gives
 * "". malloc'd. */
char *vcr_clean(const char *s, size_t maxlen);

/* The name reports give a verdict: a failed rule is "fail", "warn" or
 * "info" after its level. */
const char *vcr_verdict_name(enum vc_verdict v, enum vc_level level);

/* "HH:MM:SS.uuuuuu" (UTC time of day, or time since the recording's start
 * when shorter than a day); "" when t < 0 (unknown). */
void vcr_format_time(char *buf, size_t len, int64_t t);

/* One finding as "file:line msg #N @time: message" (sanitised, malloc'd);
 * "file:+0x1f0" for byte offsets. */
char *vcr_finding_text(const struct vc_finding *f);

/* Findings grouped by session and rule, in their original order: perm is
 * a permutation of the findings; those of (s, rule) are
 * perm[start[s * VC_RULE_COUNT + rule] .. start[s * VC_RULE_COUNT + rule + 1]).
 * Findings with an out-of-range session or rule are left out. Both arrays
 * are malloc'd. */
void vcr_index(const struct vc_results *r, size_t **perm, size_t **start);

/* A rule's verdict over all sessions: fail if it failed anywhere, else
 * waived if waived anywhere, else pass if it passed anywhere, else
 * disabled if disabled everywhere, else n/a. */
enum vc_verdict vcr_rule_overall(const struct vc_results *r, enum vc_rule_id id);

/* Catalog rules counted by their overall verdict: indexed by enum
 * vc_verdict, plus VCR_WARNED and VCR_NOTED, where a failed rule of level
 * SHOULD (warned) or INFO (noted) counts instead of as failed. */
#define VCR_WARNED 5
#define VCR_NOTED 6
#define VCR_NTOTALS 7
void vcr_rule_totals(const struct vc_results *r, uint64_t out[VCR_NTOTALS]);

/* Write a finished report through vc_write_file_atomic ("-" is stdout,
 * devices and FIFOs are written through). Errors name the path. */
int vcr_emit(const char *path, const char *buf, size_t len, char *err, size_t errlen);

/* The run's verdict: true when it fails. */
bool vcr_run_fails(const struct vc_results *r, bool strict);

#endif
