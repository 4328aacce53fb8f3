/* The conformance matrix page (reports/html.c). */
#ifndef VCTS_REPORTS_HTML_H
#define VCTS_REPORTS_HTML_H
#include <stddef.h>

/* Read the JSON reports (vhost-cts-report/1; one implementation each,
 * named after the file without its extension) and write DIR/index.html
 * atomically. A capture REPORT.jsonl beside REPORT.json adds the messages
 * around each finding. 0, or -1 with err ("file: what was wrong"). */
int vc_report_html(const char *dir, const char *const *reports, size_t n, char *err, size_t errlen);
#endif
