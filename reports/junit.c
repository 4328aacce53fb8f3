/* JUnit XML report for CI test reporters (GitLab, Jenkins, GitHub
 * actions): one <testsuite> per session, one <testcase> per rule. See
 * reports/README.md for how verdicts map onto JUnit elements. */
#include "vcts/report.h"
#include "reports/common.h"
#include "lib/xalloc.h"

#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

/* The xmlTextWriter calls only fail on allocation failure; collect that in
 * one flag instead of testing each call. */
struct jw {
	xmlTextWriterPtr w;
	bool bad;
};

static void chk(struct jw *j, int rc)
{
	if (rc < 0)
		j->bad = true;
}

static void start(struct jw *j, const char *name)
{
	chk(j, xmlTextWriterStartElement(j->w, BAD_CAST name));
}

static void end(struct jw *j)
{
	chk(j, xmlTextWriterEndElement(j->w));
}

/* Attribute with a sanitised value (valid UTF-8, no control characters;
 * the writer escapes markup). */
static void attr(struct jw *j, const char *name, const char *value)
{
	char *c = vcr_clean(value, SIZE_MAX);
	chk(j, xmlTextWriterWriteAttribute(j->w, BAD_CAST name, BAD_CAST c));
	free(c);
}

static void attr_u(struct jw *j, const char *name, unsigned long long v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%llu", v);
	attr(j, name, buf);
}

/* Text content already sanitised line by line. */
static void text(struct jw *j, const char *t)
{
	chk(j, xmlTextWriterWriteString(j->w, BAD_CAST t));
}

enum tc_kind { TC_PASS, TC_FAIL, TC_SKIP };

/* How one rule of one session shows in JUnit. */
static enum tc_kind classify(const struct vc_rule *rule, const struct vc_rule_result *rr,
			     bool strict)
{
	switch (rr->verdict) {
	case VC_FAIL:
		if (rule->level == VC_MUST || (strict && rule->level == VC_SHOULD))
			return TC_FAIL;
		return TC_PASS;
	case VC_PASS:
		return TC_PASS;
	default:
		return TC_SKIP;
	}
}

/* All findings of a cell as text, one per line (malloc'd; "" if none). */
static char *findings_text(const struct vc_results *r, const size_t *perm, size_t from, size_t to)
{
	size_t cap = 1, len = 0;
	char *out = xmalloc(cap);
	out[0] = '\0';
	for (size_t k = from; k < to; k++) {
		const struct vc_finding *f = &r->findings[perm[k]];
		char *t = vcr_finding_text(f);
		const char *suffix = f->waived ? " (waived)" : "";
		size_t need = len + strlen(t) + strlen(suffix) + 2;
		if (need > cap) {
			cap = need * 2;
			out = xrealloc(out, cap);
		}
		len += (size_t)sprintf(out + len, "%s%s\n", t, suffix);
		free(t);
	}
	return out;
}

static void family(const char *id, char *buf, size_t len)
{
	/* "VU-HDR-01" -> "VU-HDR" */
	snprintf(buf, len, "%s", id);
	char *dash = strrchr(buf, '-');
	if (dash && dash != buf)
		*dash = '\0';
}

static void write_testcase(struct jw *j, const struct vc_results *r, size_t s, unsigned id,
			   const size_t *perm, const size_t *cell_start, bool strict)
{
	const struct vc_rule *rule = vc_rule((enum vc_rule_id)id);
	const struct vc_rule_result *rr = &r->sessions[s].rules[id];
	size_t cell = s * VC_RULE_COUNT + id;
	size_t from = cell_start[cell], to = cell_start[cell + 1];

	char fam[64], cls[80], name[512];
	family(rule->id, fam, sizeof fam);
	snprintf(cls, sizeof cls, "vhost-cts.%s", fam);
	snprintf(name, sizeof name, "%s %s", rule->id, rule->text);

	start(j, "testcase");
	attr(j, "classname", cls);
	attr(j, "name", name);
	attr_u(j, "assertions", rr->checks);
	attr(j, "time", "0");

	char *body = findings_text(r, perm, from, to);
	switch (classify(rule, rr, strict)) {
	case TC_FAIL: {
		const struct vc_finding *first = NULL;
		for (size_t k = from; k < to && !first; k++)
			if (!r->findings[perm[k]].waived)
				first = &r->findings[perm[k]];
		if (!first && from < to)
			first = &r->findings[perm[from]];
		start(j, "failure");
		attr(j, "type", vc_level_name(rule->level));
		char msg[VC_FINDING_MSG_MAX + 64];
		if (first)
			snprintf(msg, sizeof msg, "%.*s", (int)sizeof first->message, first->message);
		else
			snprintf(msg, sizeof msg, "%llu findings (not kept)",
				 (unsigned long long)rr->failures);
		attr(j, "message", msg);
		text(j, body);
		end(j);
		break;
	}
	case TC_SKIP: {
		char msg[64];
		if (rr->verdict == VC_WAIVED)
			snprintf(msg, sizeof msg, "waived: %llu finding%s",
				 (unsigned long long)rr->failures, rr->failures == 1 ? "" : "s");
		else if (rr->verdict == VC_DISABLED)
			snprintf(msg, sizeof msg, "disabled");
		else
			snprintf(msg, sizeof msg, "not applicable");
		start(j, "skipped");
		attr(j, "message", msg);
		end(j);
		break;
	}
	case TC_PASS:
		break;
	}
	/* Findings that did not fail the case (SHOULD/INFO, waived) still show. */
	if (body[0] && classify(rule, rr, strict) != TC_FAIL) {
		start(j, "system-out");
		text(j, body);
		end(j);
	}
	free(body);
	end(j);
}

static bool same_source(const char *a, const char *b)
{
	return strcmp(a ? a : "-", b ? b : "-") == 0;
}

static bool has_session(const struct vc_results *r, const char *source)
{
	for (size_t s = 0; s < r->nsessions; s++)
		if (same_source(r->sessions[s].source, source))
			return true;
	return false;
}

/* Input warnings (what the importer read past) as the suite's system-err:
 * those of source, or with source NULL those of inputs with no session. */
static void write_warnings(struct jw *j, const struct vc_results *r, const struct vc_report_meta *m,
			   const char *source)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	for (size_t i = 0; m && i < m->nwarnings; i++) {
		const struct vc_report_warning *w = &m->warnings[i];
		if (source ? !same_source(w->source, source) : has_session(r, w->source))
			continue;
		char *clean = vcr_clean(w->text, 1024);
		fprintf(f, "warning: %s\n", clean);
		free(clean);
	}
	fclose(f);
	if (len) {
		start(j, "system-err");
		text(j, buf);
		end(j);
	}
	free(buf);
}

struct counts {
	unsigned long long tests, failures, skipped;
};

static struct counts count_session(const struct vc_results *r, size_t s, bool strict)
{
	struct counts c = { 0, 0, 0 };
	for (unsigned id = 0; id < VC_RULE_COUNT; id++) {
		c.tests++;
		switch (classify(vc_rule((enum vc_rule_id)id), &r->sessions[s].rules[id], strict)) {
		case TC_FAIL: c.failures++; break;
		case TC_SKIP: c.skipped++; break;
		case TC_PASS: break;
		}
	}
	return c;
}

int vc_report_junit(const char *path, const struct vc_results *r, const struct vc_report_meta *m,
		    char *err, size_t errlen)
{
	bool strict = m && m->strict;
	xmlBufferPtr xbuf = xmlBufferCreate();
	xmlTextWriterPtr w = xbuf ? xmlNewTextWriterMemory(xbuf, 0) : NULL;
	if (!w) {
		if (xbuf)
			xmlBufferFree(xbuf);
		snprintf(err, errlen, "%s: cannot create the XML writer", path);
		return -1;
	}
	struct jw j = { w, false };
	chk(&j, xmlTextWriterSetIndent(w, 1));
	chk(&j, xmlTextWriterSetIndentString(w, BAD_CAST "  "));
	chk(&j, xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));

	struct counts total = { 0, 0, 0 };
	for (size_t s = 0; s < r->nsessions; s++) {
		struct counts c = count_session(r, s, strict);
		total.tests += c.tests;
		total.failures += c.failures;
		total.skipped += c.skipped;
	}
	size_t *perm, *cell_start;
	vcr_index(r, &perm, &cell_start);

	start(&j, "testsuites");
	attr(&j, "name", "vhost-cts");
	attr_u(&j, "tests", total.tests);
	attr_u(&j, "failures", total.failures);
	attr(&j, "errors", "0");
	attr_u(&j, "skipped", total.skipped);
	attr(&j, "time", "0");
	for (size_t s = 0; s < r->nsessions; s++) {
		const struct vc_session_result *sr = &r->sessions[s];
		struct counts c = count_session(r, s, strict);
		char *sname = vcr_clean(sr->info.name, sizeof sr->info.name);
		char *ssrc = vcr_clean(sr->source, sizeof sr->source);
		start(&j, "testsuite");
		attr(&j, "name", sname);
		attr_u(&j, "id", s);
		attr_u(&j, "tests", c.tests);
		attr_u(&j, "failures", c.failures);
		attr(&j, "errors", "0");
		attr_u(&j, "skipped", c.skipped);
		attr(&j, "time", "0");
		start(&j, "properties");
		struct {
			const char *k;
			const char *v;
		} props[6];
		char msgs[32], gap[300];
		snprintf(msgs, sizeof msgs, "%llu", (unsigned long long)sr->messages);
		props[0].k = "source";
		props[0].v = ssrc;
		props[1].k = "traced_side";
		props[1].v = vc_side_name((enum vc_side)sr->info.traced_side);
		props[2].k = "messages";
		props[2].v = msgs;
		props[3].k = "strict";
		props[3].v = strict ? "true" : "false";
		/* A session whose input lost bytes: rules after the gap were not
		 * judged (conformance/engine.c). */
		props[4].k = "incomplete";
		props[4].v = sr->incomplete ? "true" : "false";
		size_t np = 5;
		if (sr->incomplete) {
			char *gf = vcr_clean(sr->gap_file, sizeof sr->gap_file);
			snprintf(gap, sizeof gap, "%s%s%llu", gf, sr->gap_is_offset ? ": offset " : ":",
				 (unsigned long long)sr->gap_line);
			free(gf);
			props[5].k = "gap";
			props[5].v = gap;
			np = 6;
		}
		for (size_t p = 0; p < np; p++) {
			start(&j, "property");
			attr(&j, "name", props[p].k);
			attr(&j, "value", props[p].v);
			end(&j);
		}
		end(&j); /* properties */
		for (unsigned id = 0; id < VC_RULE_COUNT; id++)
			write_testcase(&j, r, s, id, perm, cell_start, strict);
		write_warnings(&j, r, m, sr->source);
		end(&j); /* testsuite */
		free(sname);
		free(ssrc);
	}
	/* Warnings of inputs that gave no session still show. */
	bool orphans = false;
	for (size_t i = 0; m && i < m->nwarnings && !orphans; i++)
		orphans = !has_session(r, m->warnings[i].source);
	if (orphans) {
		start(&j, "testsuite");
		attr(&j, "name", "input warnings");
		attr(&j, "tests", "0");
		attr(&j, "failures", "0");
		attr(&j, "errors", "0");
		attr(&j, "skipped", "0");
		attr(&j, "time", "0");
		write_warnings(&j, r, m, NULL);
		end(&j);
	}
	end(&j); /* testsuites */
	chk(&j, xmlTextWriterEndDocument(w));
	xmlFreeTextWriter(w); /* flushes into xbuf */
	free(perm);
	free(cell_start);

	int rc;
	if (j.bad) {
		snprintf(err, errlen, "%s: cannot build the XML document", path);
		rc = -1;
	} else {
		rc = vcr_emit(path, (const char *)xmlBufferContent(xbuf), (size_t)xmlBufferLength(xbuf),
			      err, errlen);
	}
	xmlBufferFree(xbuf);
	return rc;
}
