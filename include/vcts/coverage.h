/* Specification coverage: the traceability table (vcts/statements.h)
 * printed as a table per area and side, or as JSON. */
#ifndef VCTS_COVERAGE_H
#define VCTS_COVERAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* The table printed by `vhost-cts rules --coverage` (and shown in the
 * README); with statements, one line per statement after it. */
void vc_coverage_text(FILE *out, bool statements);
/* {source, areas[], sides[], total, statements[]}; the caller puts it. */
json_object *vc_coverage_json(void);

/* What a rule checks of the text: {"full": [statement IDs], "part": [...],
 * "basis": [what it rests on outside the text]}. */
json_object *vc_rule_trace_json(const char *rule);

#endif
