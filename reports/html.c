/* The conformance matrix: one static HTML page built from JSON reports
 * (schema vhost-cts-report/1) of several implementations, in the manner of
 * Autobahn's test-suite index: implementations as columns, rules grouped
 * by catalog section as rows, each cell pass / fail / warn / info / n/a
 * linking to its findings; a second matrix shows each scenario (session)
 * per implementation, and the details list every finding with the
 * messages around it when a native capture (REPORT.jsonl beside
 * REPORT.json, as `drive --record` writes) is there. No script, no
 * network: it renders from file://. */
#include "reports/html.h"
#include "lib/xalloc.h"
#include "vcts/fileio.h"
#include "vcts/trace.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Largest JSON report read (a drive run is a few hundred KiB). */
#define HTML_MAX_REPORT ((uint64_t)256 << 20)
/* Messages shown on each side of a finding. */
#define HTML_CONTEXT 4

enum cell { C_NA = 0, C_PASS, C_WAIVED, C_INFO, C_WARN, C_FAIL, C_COUNT };
static const char *const cell_name[C_COUNT] = { "n/a", "pass", "waived", "info", "warn", "fail" };

struct impl {
	char name[128];
	const char *path;
	json_object *root;
	json_object *sessions, *findings;
	bool drive;             /* written by vhost-cts drive */
	struct vc_trace trace;
	bool have_trace;
};

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* An id-safe token: letters, digits, '-' kept, the rest as '_'. */
static void idtok(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ? *s : '_', f);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int64_t jint(json_object *o, const char *k, int64_t dflt)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : dflt;
}

static enum cell cell_of(const char *verdict)
{
	if (!verdict)
		return C_NA;
	for (int c = 0; c < C_COUNT; c++)
		if (!strcmp(verdict, cell_name[c]))
			return (enum cell)c;
	return C_NA;
}

static int load(struct impl *im, const char *path, char *err, size_t errlen)
{
	memset(im, 0, sizeof *im);
	im->path = path;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(im->name, sizeof im->name, "%s", base);
	char *dot = strrchr(im->name, '.');
	if (dot && dot != im->name)
		*dot = 0;
	char *buf;
	size_t len;
	char e[256];
	if (vc_read_file(path, HTML_MAX_REPORT, &buf, &len, e, sizeof e)) {
		snprintf(err, errlen, "%s: %s", path, e);
		return -1;
	}
	json_tokener *tok = json_tokener_new_ex(64);
	im->root = json_tokener_parse_ex(tok, buf, (int)(len > INT32_MAX ? INT32_MAX : len));
	enum json_tokener_error je = json_tokener_get_error(tok);
	size_t off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	free(buf);
	if (!im->root || je != json_tokener_success) {
		snprintf(err, errlen, "%s: offset %zu: not JSON (%s)", path, off, json_tokener_error_desc(je));
		if (im->root)
			json_object_put(im->root);
		im->root = NULL;
		return -1;
	}
	const char *schema = jstr(im->root, "schema");
	if (!schema || strcmp(schema, "vhost-cts-report/1")) {
		snprintf(err, errlen, "%s: not a vhost-cts-report/1 report (schema %s)", path, schema ? schema : "missing");
		return -1;
	}
	if (!json_object_object_get_ex(im->root, "sessions", &im->sessions) ||
	    !json_object_is_type(im->sessions, json_type_array) ||
	    !json_object_object_get_ex(im->root, "findings", &im->findings) ||
	    !json_object_is_type(im->findings, json_type_array)) {
		snprintf(err, errlen, "%s: report without sessions or findings arrays", path);
		return -1;
	}
	const char *tool = jstr(im->root, "tool");
	im->drive = tool && !strcmp(tool, "vhost-cts drive");
	/* The capture of the same run, when it is there: R.json -> R.jsonl. */
	size_t pl = strlen(path);
	struct stat sb;
	char cap[4096];
	if (pl > 5 && pl + 2 < sizeof cap && !strcmp(path + pl - 5, ".json")) {
		snprintf(cap, sizeof cap, "%sl", path);
		struct vc_error ve;
		if (stat(cap, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (vc_trace_load(&im->trace, cap, VC_FMT_NATIVE, 0, &ve) == 0)
				im->have_trace = true;
			else
				vc_trace_free(&im->trace);
		}
	}
	return 0;
}

static void unload(struct impl *im)
{
	if (im->root)
		json_object_put(im->root);
	if (im->have_trace)
		vc_trace_free(&im->trace);
}

/* Worst verdict of a rule over an implementation's sessions, and its
 * finding count. */
static enum cell rule_cell(const struct impl *im, const char *id, int64_t *nfind)
{
	enum cell worst = C_NA;
	*nfind = 0;
	size_t n = json_object_array_length(im->sessions);
	for (size_t s = 0; s < n; s++) {
		json_object *rules, *r;
		if (!json_object_object_get_ex(json_object_array_get_idx(im->sessions, s), "rules", &rules) ||
		    !json_object_object_get_ex(rules, id, &r))
			continue;
		enum cell c = cell_of(jstr(r, "verdict"));
		if (c > worst)
			worst = c;
	}
	size_t nf = json_object_array_length(im->findings);
	for (size_t i = 0; i < nf; i++) {
		const char *rid = jstr(json_object_array_get_idx(im->findings, i), "rule");
		if (rid && !strcmp(rid, id))
			(*nfind)++;
	}
	return worst;
}

/* A scenario (session) outcome from its back-end rules. */
static const char *session_outcome(json_object *sess, bool drive, const char **cls)
{
	json_object *rules;
	if (!json_object_object_get_ex(sess, "rules", &rules)) {
		*cls = "na";
		return "n/a";
	}
	static const struct { const char *rule, *word; } order[] = {
		{ "VU-BE-01", "crashed" }, { "VU-BE-02", "hung" }, { "VU-BE-03", "leaked" },
		{ "VU-BE-04", "accepted" }, { "VU-REPLY-04", "accepted" },
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		json_object *r;
		if (json_object_object_get_ex(rules, order[i].rule, &r) && cell_of(jstr(r, "verdict")) >= C_WARN) {
			*cls = "fail";
			return order[i].word;
		}
	}
	/* A drive scenario always has a hang verdict unless it did not run
	 * (not applicable to the back-end); a negative one has VU-REPLY-04. */
	json_object *hang, *refuse;
	if (drive && json_object_object_get_ex(rules, "VU-BE-02", &hang) && cell_of(jstr(hang, "verdict")) == C_NA) {
		*cls = "na";
		return "n/a";
	}
	if (json_object_object_get_ex(rules, "VU-REPLY-04", &refuse) && cell_of(jstr(refuse, "verdict")) == C_PASS) {
		*cls = "pass";
		return "rejected";
	}
	enum cell worst = C_NA;
	json_object_object_foreach(rules, k, v)
	{
		(void)k;
		enum cell c = cell_of(jstr(v, "verdict"));
		if (c > worst)
			worst = c;
	}
	*cls = cell_name[worst][0] == 'n' ? "na" : cell_name[worst];
	return worst == C_PASS || worst == C_INFO || worst == C_WAIVED ? "pass" : cell_name[worst];
}

static void page_head(FILE *f, size_t nimpl)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<title>vhost-cts conformance matrix</title>\n<style>\n"
	      "body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}\n"
	      "table{border-collapse:collapse;margin:1em 0}\n"
	      "th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}\n"
	      "th.impl{writing-mode:horizontal-tb;background:#eee}\n"
	      "tr.section th{background:#d9e2ec;text-align:left}\n"
	      "td.c{text-align:center;font-weight:bold;min-width:6em}\n"
	      "td.pass{background:#7fd17f}td.fail{background:#f08080}td.warn{background:#f5d76e}\n"
	      "td.info{background:#9ecbf0}td.waived{background:#ccc}td.na{background:#f6f6f6;color:#999;font-weight:normal}\n"
	      "td.c a{color:inherit;text-decoration:none}\n"
	      "span.rt{color:#555}\n"
	      "pre{background:#f8f8f8;border:1px solid #ddd;padding:4px;margin:2px 0 10px;overflow-x:auto}\n"
	      "pre .hit{background:#fdd}\n"
	      ".legend span{display:inline-block;padding:1px 8px;margin-right:4px}\n"
	      "</style></head><body>\n<h1>vhost-cts conformance matrix</h1>\n", f);
	fprintf(f, "<p>%zu implementation%s. Each cell is the worst verdict of the rule over every scenario "
		   "(session) of that implementation; a number is its findings, linked to their details below.</p>\n",
		nimpl, nimpl == 1 ? "" : "s");
	fputs("<p class=\"legend\">Legend: <span style=\"background:#7fd17f\">pass</span>"
	      "<span style=\"background:#f08080\">fail (MUST)</span><span style=\"background:#f5d76e\">warn (SHOULD)</span>"
	      "<span style=\"background:#9ecbf0\">info</span><span style=\"background:#ccc\">waived</span>"
	      "<span style=\"background:#f6f6f6\">not applicable</span></p>\n", f);
}

/* Section of a rule: its ID without the trailing number ("VU-RING"). */
static void section_of(const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s", id);
	char *dash = strrchr(out, '-');
	if (dash)
		*dash = 0;
}

static void rule_matrix(FILE *f, struct impl *im, size_t n)
{
	json_object *cat;
	if (!json_object_object_get_ex(im[0].root, "rules", &cat) || !json_object_is_type(cat, json_type_array))
		return;
	fputs("<h2 id=\"rules\">Rules</h2>\n<table id=\"rule-matrix\">\n<thead><tr><th>rule</th><th>level</th>", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<th class=\"impl\">", f);
		esc(f, im[i].name);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	char prev[64] = "";
	size_t nr = json_object_array_length(cat);
	for (size_t k = 0; k < nr; k++) {
		json_object *r = json_object_array_get_idx(cat, k);
		const char *id = jstr(r, "id");
		if (!id)
			continue;
		/* Only rows some implementation has a verdict for. */
		enum cell cells[64];
		int64_t nf[64];
		bool any = false;
		for (size_t i = 0; i < n && i < 64; i++) {
			cells[i] = rule_cell(&im[i], id, &nf[i]);
			any |= cells[i] != C_NA;
		}
		if (!any)
			continue;
		char sec[64];
		section_of(id, sec, sizeof sec);
		if (strcmp(sec, prev)) {
			fprintf(f, "<tr class=\"section\"><th colspan=\"%zu\">", n + 2);
			esc(f, sec);
			fputs("</th></tr>\n", f);
			snprintf(prev, sizeof prev, "%s", sec);
		}
		fputs("<tr><td><b>", f);
		esc(f, id);
		fputs("</b> <span class=\"rt\">", f);
		esc(f, jstr(r, "text"));
		fputs("</span></td><td>", f);
		esc(f, jstr(r, "level"));
		fputs("</td>", f);
		for (size_t i = 0; i < n && i < 64; i++) {
			const char *cls = cells[i] == C_NA ? "na" : cell_name[cells[i]];
			fprintf(f, "<td class=\"c %s\" data-impl=\"", cls);
			esc(f, im[i].name);
			fprintf(f, "\" data-rule=\"%s\">", id);
			if (nf[i]) {
				fputs("<a href=\"#d-", f);
				idtok(f, im[i].name);
				fputc('-', f);
				idtok(f, id);
				fprintf(f, "\">%s %" PRId64 "</a>", cell_name[cells[i]], nf[i]);
			} else {
				fputs(cell_name[cells[i]], f);
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void scenario_matrix(FILE *f, struct impl *im, size_t n)
{
	/* Rows: session names in first-seen order over all implementations. */
	const char **names = NULL;
	size_t nn = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		size_t ns = json_object_array_length(im[i].sessions);
		for (size_t s = 0; s < ns; s++) {
			const char *nm = jstr(json_object_array_get_idx(im[i].sessions, s), "name");
			if (!nm)
				continue;
			bool seen = false;
			for (size_t k = 0; k < nn && !seen; k++)
				seen = !strcmp(names[k], nm);
			if (!seen) {
				names = xgrow(names, &cap, nn + 1, sizeof *names);
				names[nn++] = nm;
			}
		}
	}
	fputs("<h2 id=\"scenarios\">Scenarios</h2>\n<p>Per session (a scenario of <code>vhost-cts drive</code>, or a "
	      "recorded connection): crashed / hung / leaked / accepted (a malformed request not refused) / fail / "
	      "warn / pass / rejected (a malformed request refused) / n/a (not run: not offered by the back-end).</p>\n<table id=\"scenario-matrix\">\n<thead><tr><th>scenario</th>", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<th class=\"impl\">", f);
		esc(f, im[i].name);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t k = 0; k < nn; k++) {
		fputs("<tr><td>", f);
		esc(f, names[k]);
		fputs("</td>", f);
		for (size_t i = 0; i < n; i++) {
			json_object *sess = NULL;
			size_t ns = json_object_array_length(im[i].sessions);
			for (size_t s = 0; s < ns && !sess; s++) {
				json_object *o = json_object_array_get_idx(im[i].sessions, s);
				const char *nm = jstr(o, "name");
				if (nm && !strcmp(nm, names[k]))
					sess = o;
			}
			const char *cls = "na", *word = "n/a";
			if (sess)
				word = session_outcome(sess, im[i].drive, &cls);
			fprintf(f, "<td class=\"c %s\" data-impl=\"", cls);
			esc(f, im[i].name);
			fputs("\">", f);
			esc(f, word);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	free(names);
}

/* The messages around event ev of session sid in the capture. */
static void context(FILE *f, const struct impl *im, uint64_t sid, uint64_t ev)
{
	if (!im->have_trace)
		return;
	const struct vc_trace *t = &im->trace;
	fputs("<pre>", f);
	for (size_t i = 0; i < t->nevents; i++) {
		const struct vc_event *e = &t->events[i];
		if (e->session != sid || e->index + HTML_CONTEXT < ev || e->index > ev + HTML_CONTEXT)
			continue;
		char line[512], nb[32], sum[256];
		if (e->kind == VC_EV_VU_MSG) {
			const struct vc_vu_msg *m = &e->u.vu;
			bool reply = (m->flags & VU_FLAG_REPLY) != 0;
			snprintf(line, sizeof line, "#%-4" PRIu64 " %s %-22s %-5s flags 0x%x size %u fds %u  %s", e->index,
				 e->dir == VC_DIR_FE_TO_BE ? "FE->BE" : "BE->FE",
				 vu_request_name((enum vu_channel)m->chan, m->request, nb, sizeof nb), reply ? "reply" : "req",
				 m->flags, m->size, e->nfds,
				 m->has_payload ? vu_payload_summary(m->chan, m->request, reply, m->payload, m->payload_len, sum, sizeof sum) : "");
		} else {
			snprintf(line, sizeof line, "#%-4" PRIu64 " %s %s", e->index,
				 e->dir == VC_DIR_FE_TO_BE ? "FE->BE" : "BE->FE", vc_event_kind_name((enum vc_event_kind)e->kind));
		}
		if (e->index == ev)
			fputs("<span class=\"hit\">", f);
		esc(f, line);
		if (e->index == ev)
			fputs("</span>", f);
		fputc('\n', f);
	}
	fputs("</pre>\n", f);
}

static void details(FILE *f, struct impl *im, size_t n)
{
	fputs("<h2 id=\"details\">Findings</h2>\n", f);
	for (size_t i = 0; i < n; i++) {
		size_t nf = json_object_array_length(im[i].findings);
		fputs("<h3>", f);
		esc(f, im[i].name);
		fprintf(f, " (%zu finding%s)</h3>\n", nf, nf == 1 ? "" : "s");
		/* Grouped by rule, each group an anchor target. */
		const char **seen = NULL;
		size_t ns = 0, cap = 0;
		for (size_t a = 0; a < nf; a++) {
			const char *rid = jstr(json_object_array_get_idx(im[i].findings, a), "rule");
			if (!rid)
				continue;
			bool done = false;
			for (size_t k = 0; k < ns && !done; k++)
				done = !strcmp(seen[k], rid);
			if (done)
				continue;
			seen = xgrow(seen, &cap, ns + 1, sizeof *seen);
			seen[ns++] = rid;
			fputs("<div class=\"finding\" id=\"d-", f);
			idtok(f, im[i].name);
			fputc('-', f);
			idtok(f, rid);
			fputs("\"><h4>", f);
			esc(f, rid);
			fputs("</h4>\n<ul>\n", f);
			for (size_t b = a; b < nf; b++) {
				json_object *fo = json_object_array_get_idx(im[i].findings, b);
				const char *r2 = jstr(fo, "rule");
				if (!r2 || strcmp(r2, rid))
					continue;
				int64_t sid = jint(fo, "session", -1), ev = jint(fo, "event", 0);
				const char *sname = NULL;
				if (sid >= 0 && (size_t)sid < json_object_array_length(im[i].sessions))
					sname = jstr(json_object_array_get_idx(im[i].sessions, (size_t)sid), "name");
				fputs("<li>[", f);
				esc(f, sname ? sname : "?");
				fprintf(f, "] message #%" PRId64 ": ", ev);
				esc(f, jstr(fo, "message"));
				fputs("\n", f);
				if (sid >= 0)
					context(f, &im[i], (uint64_t)sid, (uint64_t)(ev < 0 ? 0 : ev));
				fputs("</li>\n", f);
			}
			fputs("</ul></div>\n", f);
		}
		free(seen);
	}
}

int vc_report_html(const char *dir, const char *const *reports, size_t n, char *err, size_t errlen)
{
	if (n == 0 || n > 64) {
		snprintf(err, errlen, "want 1..64 reports, got %zu", n);
		return -1;
	}
	/* DIR (or what its symlink names) must be a directory; a missing
	 * one is created. index.html inside is written the safe way. */
	struct stat st;
	bool missing = stat(dir, &st) != 0;
	if (missing && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!missing && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a directory", dir);
		return -1;
	}
	struct impl *im = xcalloc(n, sizeof *im);
	int rc = -1;
	for (size_t i = 0; i < n; i++)
		if (load(&im[i], reports[i], err, errlen))
			goto out;
	if (missing && mkdir(dir, 0755) != 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s", dir, strerror(errno));
		goto out;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	page_head(f, n);
	fputs("<p><a href=\"#rules\">rules</a> · <a href=\"#scenarios\">scenarios</a> · <a href=\"#details\">findings</a></p>\n", f);
	rule_matrix(f, im, n);
	scenario_matrix(f, im, n);
	details(f, im, n);
	fputs("<p>Inputs:", f);
	for (size_t i = 0; i < n; i++) {
		fputs(" <code>", f);
		esc(f, im[i].path);
		fputs("</code>", f);
	}
	fputs("</p>\n</body></html>\n", f);
	fclose(f);
	char path[4096];
	snprintf(path, sizeof path, "%s/index.html", dir);
	rc = vc_write_file_atomic(path, buf, len, err, errlen);
	free(buf);
out:
	for (size_t i = 0; i < n; i++)
		unload(&im[i]);
	free(im);
	return rc;
}
