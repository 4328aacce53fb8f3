/* JSON report: the machine-readable verdict. The schema is documented in
 * reports/SCHEMA.md ("vhost-cts-report/1"); change both together, and bump
 * the schema version for anything that is not a pure addition. */
#include "vcts/report.h"
#include "reports/common.h"
#include "lib/xalloc.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define VC_REPORT_SCHEMA "vhost-cts-report/1"

/* A sanitised string (valid UTF-8, no control characters). */
static json_object *jstr(const char *s, size_t maxlen)
{
	char *c = vcr_clean(s, maxlen);
	json_object *o = json_object_new_string(c);
	free(c);
	return o;
}

static json_object *ju64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static void add(json_object *obj, const char *key, json_object *val)
{
	json_object_object_add(obj, key, val);
}

static json_object *rule_catalog(void)
{
	json_object *arr = json_object_new_array();
	for (unsigned i = 0; i < VC_RULE_COUNT; i++) {
		const struct vc_rule *rule = vc_rule((enum vc_rule_id)i);
		json_object *o = json_object_new_object();
		add(o, "id", jstr(rule->id, SIZE_MAX));
		add(o, "level", json_object_new_string(vc_level_name(rule->level)));
		/* "FE/BE" -> ["FE", "BE"] */
		char sides[64];
		vc_sides_str(rule->sides, sides, sizeof sides);
		json_object *sa = json_object_new_array();
		char *save = NULL;
		for (char *t = strtok_r(sides, "/", &save); t; t = strtok_r(NULL, "/", &save))
			json_object_array_add(sa, json_object_new_string(t));
		add(o, "sides", sa);
		add(o, "needs", json_object_new_string(vc_needs_name(rule->needs)));
		add(o, "text", jstr(rule->text, SIZE_MAX));
		add(o, "ref", jstr(rule->ref, SIZE_MAX));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *finding_obj(const struct vc_finding *f)
{
	const struct vc_rule *rule = vc_rule(f->rule);
	json_object *o = json_object_new_object();
	add(o, "rule", json_object_new_string(rule ? rule->id : "?"));
	add(o, "level", json_object_new_string(rule ? vc_level_name(rule->level) : "?"));
	add(o, "message", jstr(f->message, sizeof f->message));
	add(o, "session", ju64(f->session));
	add(o, "event", ju64(f->event));
	json_object *src = json_object_new_object();
	add(src, "file", jstr(f->src_file, sizeof f->src_file));
	add(src, f->src_is_offset ? "offset" : "line", ju64(f->src_line));
	add(o, "source", src);
	add(o, "time_ns", f->time_ns >= 0 ? json_object_new_int64(f->time_ns) : NULL);
	add(o, "waived", json_object_new_boolean(f->waived));
	return o;
}

static json_object *session_obj(const struct vc_session_result *sr, size_t index)
{
	json_object *o = json_object_new_object();
	add(o, "index", ju64(index));
	add(o, "name", jstr(sr->info.name, sizeof sr->info.name));
	add(o, "source", jstr(sr->source, sizeof sr->source));
	add(o, "traced_side",
	    json_object_new_string(vc_side_name((enum vc_side)sr->info.traced_side)));
	add(o, "messages", ju64(sr->messages));
	add(o, "incomplete", json_object_new_boolean(sr->incomplete));
	json_object *gap = NULL;
	if (sr->incomplete) {
		gap = json_object_new_object();
		add(gap, "file", jstr(sr->gap_file, sizeof sr->gap_file));
		add(gap, sr->gap_is_offset ? "offset" : "line", ju64(sr->gap_line));
	}
	add(o, "gap", gap);
	json_object *rules = json_object_new_object();
	for (unsigned i = 0; i < VC_RULE_COUNT; i++) {
		const struct vc_rule_result *rr = &sr->rules[i];
		json_object *ro = json_object_new_object();
		add(ro, "verdict", json_object_new_string(vcr_verdict_name(rr->verdict, vc_rule((enum vc_rule_id)i)->level)));
		add(ro, "checks", ju64(rr->checks));
		add(ro, "failures", ju64(rr->failures));
		add(rules, vc_rule((enum vc_rule_id)i)->id, ro);
	}
	add(o, "rules", rules);
	return o;
}

static json_object *summary_obj(const struct vc_results *r)
{
	json_object *o = json_object_new_object();
	add(o, "sessions", ju64(r->nsessions));
	add(o, "incomplete_sessions", ju64(r->incomplete));
	add(o, "messages", ju64(r->messages));
	json_object *f = json_object_new_object();
	add(f, "MUST", ju64(r->findings_by_level[VC_MUST]));
	add(f, "SHOULD", ju64(r->findings_by_level[VC_SHOULD]));
	add(f, "INFO", ju64(r->findings_by_level[VC_INFO]));
	add(f, "waived", ju64(r->waived));
	add(f, "suppressed", ju64(r->suppressed));
	add(o, "findings", f);
	uint64_t tot[VCR_NTOTALS];
	vcr_rule_totals(r, tot);
	json_object *ru = json_object_new_object();
	add(ru, "total", ju64(VC_RULE_COUNT));
	add(ru, "passed", ju64(tot[VC_PASS]));
	add(ru, "failed", ju64(tot[VC_FAIL]));
	add(ru, "warned", ju64(tot[VCR_WARNED]));
	add(ru, "info", ju64(tot[VCR_NOTED]));
	add(ru, "not_applicable", ju64(tot[VC_NA]));
	add(ru, "waived", ju64(tot[VC_WAIVED]));
	add(ru, "disabled", ju64(tot[VC_DISABLED]));
	add(o, "rules", ru);
	return o;
}

int vc_report_json(const char *path, const struct vc_results *r, const struct vc_report_meta *m,
		   char *err, size_t errlen)
{
	bool strict = m && m->strict;
	json_object *root = json_object_new_object();
	add(root, "schema", json_object_new_string(VC_REPORT_SCHEMA));
	add(root, "tool", jstr(m && m->tool ? m->tool : "vhost-cts", SIZE_MAX));
	add(root, "version", m && m->version ? jstr(m->version, SIZE_MAX) : NULL);
	json_object *inputs = json_object_new_array();
	for (size_t i = 0; m && i < m->ninputs; i++)
		json_object_array_add(inputs, jstr(m->inputs[i], SIZE_MAX));
	add(root, "inputs", inputs);
	add(root, "strict", json_object_new_boolean(strict));
	add(root, "verdict", json_object_new_string(vcr_run_fails(r, strict) ? "fail" : "pass"));
	add(root, "summary", summary_obj(r));

	json_object *sessions = json_object_new_array();
	for (size_t s = 0; s < r->nsessions; s++)
		json_object_array_add(sessions, session_obj(&r->sessions[s], s));
	add(root, "sessions", sessions);

	json_object *findings = json_object_new_array();
	for (size_t i = 0; i < r->nfindings; i++)
		json_object_array_add(findings, finding_obj(&r->findings[i]));
	add(root, "findings", findings);
	add(root, "rules", rule_catalog());

	json_object *warnings = json_object_new_array();
	for (size_t i = 0; m && i < m->nwarnings; i++) {
		json_object *w = json_object_new_object();
		add(w, "source", jstr(m->warnings[i].source ? m->warnings[i].source : "-", SIZE_MAX));
		add(w, "text", jstr(m->warnings[i].text, 1024));
		json_object_array_add(warnings, w);
	}
	add(root, "warnings", warnings);
	add(root, "warnings_total", ju64(m ? (m->warnings_total > m->nwarnings ? m->warnings_total : m->nwarnings) : 0));

	size_t len = 0;
	const char *text = json_object_to_json_string_length(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE,
		&len);
	int rc;
	if (!text) {
		snprintf(err, errlen, "%s: cannot serialise the report", path);
		rc = -1;
	} else {
		/* with a final newline */
		char *buf = xmalloc(len + 2);
		memcpy(buf, text, len);
		buf[len] = '\n';
		buf[len + 1] = '\0';
		rc = vcr_emit(path, buf, len + 1, err, errlen);
		free(buf);
	}
	json_object_put(root);
	return rc;
}
