/* Specification coverage as text and JSON, from the traceability table. */
#include "vcts/coverage.h"
#include "vcts/statements.h"

#include <stdlib.h>
#include <string.h>

static const char *const side_names[VC_SS_COUNT] = {
	"front-end duties (FE)", "back-end duties (BE)", "both sides (BOTH)", "fixed facts (FACT)",
};

static unsigned pct(unsigned n, unsigned of)
{
	return of ? (unsigned)((n * 100u + of / 2) / of) : 0;
}

static void row(FILE *out, const char *name, const struct vc_cov_count *c)
{
	const unsigned uncovered = c->checkable - c->full - c->part;
	fprintf(out, "%-28s %5u %5u %5u %3u%% %5u %3u%% %5u %3u%% %5u\n", name, c->stmts, c->checkable,
	       c->full, pct(c->full, c->checkable), c->part, pct(c->part, c->checkable),
	       c->full + c->part, pct(c->full + c->part, c->checkable), uncovered);
}

/* The rules whose COVERS rows name id, "VU-A-01 VU-B-02(part)". */
static void covering_rules(const struct vc_trace_tables *t, const char *id, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < t->ncovers && off < len; i++) {
		if (!vc_stmt_list_has(t->covers[i].stmts, id))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s%s", off ? " " : "", t->covers[i].rule,
				 t->covers[i].kind == VC_COVER_PART ? "(part)" : "");
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

/* The counts both renderings show (per area, per side, in all); returns
 * the number of areas. */
static size_t count_all(const struct vc_trace_tables *t, struct vc_cov_count *area,
			struct vc_cov_count *side, struct vc_cov_count *tot)
{
	const size_t na = vc_stmt_area_count();
	if (na > VC_STMT_AREA_MAX)
		abort(); /* test_statements keeps the table within the bound */
	vc_trace_coverage(t, area, side, tot);
	return na;
}

void vc_coverage_text(FILE *out, bool statements)
{
	const struct vc_trace_tables *t = vc_trace_tables();
	const struct vc_spec_source *src = vc_spec_source();
	struct vc_cov_count area[VC_STMT_AREA_MAX], side[VC_SS_COUNT], tot;
	const size_t na = count_all(t, area, side, &tot);
	fprintf(out, "Specification: %s, %s commit %s (%lu characters)\n", src->path, src->repo, src->commit,
	       src->chars);
	fprintf(out, "%-28s %5s %5s %10s %10s %10s %5s\n", "AREA", "STMTS", "CHECK", "FULL", "PART", "COVERED",
	       "OPEN");
	for (size_t a = 0; a < na; a++)
		row(out, vc_stmt_area(a)->name, &area[a]);
	fprintf(out, "\n%-28s %5s %5s %10s %10s %10s %5s\n", "SIDE", "STMTS", "CHECK", "FULL", "PART", "COVERED",
	       "OPEN");
	for (int s = 0; s < VC_SS_COUNT; s++)
		row(out, side_names[s], &side[s]);
	/* Back-end duties by what decides them: most need a live peer. */
	static const char *const dec_names[] = { "BE, from a trace", "BE, live peer needed", "BE, not decidable" };
	struct vc_cov_count be[3] = { { 0 } };
	for (size_t i = 0; i < t->nstmts; i++) {
		const struct vc_stmt *s = &t->stmts[i];
		if (s->side != VC_SS_BE)
			continue;
		struct vc_cov_count *c = &be[s->dec];
		const enum vc_cover cov = vc_stmt_coverage(t, s->id);
		c->stmts++;
		c->checkable += s->dec != VC_SD_NONE;
		c->full += s->dec != VC_SD_NONE && cov == VC_COVER_FULL;
		c->part += s->dec != VC_SD_NONE && cov == VC_COVER_PART;
	}
	for (int d = 0; d < 3; d++)
		row(out, dec_names[d], &be[d]);
	fprintf(out, "\n");
	row(out, "total", &tot);
	fprintf(out, "CHECK: statements decidable from a trace or a live peer (the other %u are not,\n"
	       "each with its reason); FULL/PART/COVERED: checked by a rule fully, partly, either,\n"
	       "as a share of CHECK; OPEN: checkable and checked by nothing (each with its reason).\n",
	       tot.stmts - tot.checkable);
	if (statements) {
		fprintf(out, "\n%-13s %-4s %-6s %-5s %-4s %s\n", "STATEMENT", "SIDE", "LEVEL", "DECIDE", "COVER",
		       "TEXT / RULES / REASON");
		for (size_t i = 0; i < t->nstmts; i++) {
			const struct vc_stmt *s = &t->stmts[i];
			char rules[512];
			covering_rules(t, s->id, rules, sizeof rules);
			fprintf(out, "%-13s %-4s %-6s %-5s %-4s %s\n", s->id, vc_stmt_side_name(s->side),
			       vc_stmt_strength_name(s->strength), vc_stmt_dec_name(s->dec),
			       vc_cover_name(vc_stmt_coverage(t, s->id)), s->text);
			if (rules[0])
				fprintf(out, "%36s rules: %s\n", "", rules);
			for (size_t d = 0; d < t->ndrives; d++)
				if (vc_stmt_list_has(t->drives[d].stmts, s->id))
					fprintf(out, "%36s drive: %s\n", "", t->drives[d].scenario);
			if (s->reason[0])
				fprintf(out, "%36s why: %s\n", "", s->reason);
		}
	}
}

static json_object *count_json(const char *name, const struct vc_cov_count *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "statements", json_object_new_int((int)c->stmts));
	json_object_object_add(o, "checkable", json_object_new_int((int)c->checkable));
	json_object_object_add(o, "full", json_object_new_int((int)c->full));
	json_object_object_add(o, "part", json_object_new_int((int)c->part));
	json_object_object_add(o, "open", json_object_new_int((int)(c->checkable - c->full - c->part)));
	return o;
}

json_object *vc_coverage_json(void)
{
	const struct vc_trace_tables *t = vc_trace_tables();
	const struct vc_spec_source *src = vc_spec_source();
	struct vc_cov_count area[VC_STMT_AREA_MAX], side[VC_SS_COUNT], tot;
	const size_t na = count_all(t, area, side, &tot);
	json_object *root = json_object_new_object();
	json_object *so = json_object_new_object();
	json_object_object_add(so, "repo", json_object_new_string(src->repo));
	json_object_object_add(so, "commit", json_object_new_string(src->commit));
	json_object_object_add(so, "path", json_object_new_string(src->path));
	json_object_object_add(root, "source", so);
	json_object *areas = json_object_new_array();
	for (size_t a = 0; a < na; a++) {
		json_object *o = count_json(vc_stmt_area(a)->name, &area[a]);
		json_object_object_add(o, "key", json_object_new_string(vc_stmt_area(a)->key));
		json_object_array_add(areas, o);
	}
	json_object_object_add(root, "areas", areas);
	json_object *sides = json_object_new_array();
	for (int s = 0; s < VC_SS_COUNT; s++) {
		json_object *o = count_json(side_names[s], &side[s]);
		json_object_object_add(o, "side", json_object_new_string(vc_stmt_side_name(s)));
		json_object_array_add(sides, o);
	}
	json_object_object_add(root, "sides", sides);
	json_object_object_add(root, "total", count_json("total", &tot));
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < t->nstmts; i++) {
		const struct vc_stmt *s = &t->stmts[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(s->id));
		json_object_object_add(o, "section", json_object_new_string(s->section));
		json_object_object_add(o, "side", json_object_new_string(vc_stmt_side_name(s->side)));
		json_object_object_add(o, "strength", json_object_new_string(vc_stmt_strength_name(s->strength)));
		json_object_object_add(o, "decidable", json_object_new_string(vc_stmt_dec_name(s->dec)));
		json_object_object_add(o, "coverage", json_object_new_string(vc_cover_name(vc_stmt_coverage(t, s->id))));
		json_object *rules = json_object_new_array();
		for (size_t c = 0; c < t->ncovers; c++) {
			if (!vc_stmt_list_has(t->covers[c].stmts, s->id))
				continue;
			json_object *r = json_object_new_object();
			json_object_object_add(r, "rule", json_object_new_string(t->covers[c].rule));
			json_object_object_add(r, "kind", json_object_new_string(vc_cover_name(t->covers[c].kind)));
			json_object_array_add(rules, r);
		}
		json_object_object_add(o, "rules", rules);
		json_object *drive = json_object_new_array();
		for (size_t d = 0; d < t->ndrives; d++)
			if (vc_stmt_list_has(t->drives[d].stmts, s->id))
				json_object_array_add(drive, json_object_new_string(t->drives[d].scenario));
		json_object_object_add(o, "drive", drive);
		json_object_object_add(o, "text", json_object_new_string(s->text));
		json_object_object_add(o, "reason", json_object_new_string(s->reason));
		json_object_array_add(list, o);
	}
	json_object_object_add(root, "statements", list);
	return root;
}

/* Appends each ID of a space-separated list to arr. */
static void add_ids(json_object *arr, const char *list)
{
	for (const char *q = list; *q;) {
		while (*q == ' ')
			q++;
		const char *end = q;
		while (*end && *end != ' ')
			end++;
		if (end > q)
			json_object_array_add(arr, json_object_new_string_len(q, (int)(end - q)));
		q = end;
	}
}

json_object *vc_rule_trace_json(const char *rule)
{
	const struct vc_trace_tables *t = vc_trace_tables();
	json_object *o = json_object_new_object(), *full = json_object_new_array(),
		    *part = json_object_new_array(), *basis = json_object_new_array();
	for (size_t i = 0; i < t->ncovers; i++)
		if (!strcmp(t->covers[i].rule, rule))
			add_ids(t->covers[i].kind == VC_COVER_FULL ? full : part, t->covers[i].stmts);
	for (size_t i = 0; i < t->nbasis; i++)
		if (!strcmp(t->basis[i].rule, rule))
			json_object_array_add(basis, json_object_new_string(t->basis[i].basis));
	json_object_object_add(o, "full", full);
	json_object_object_add(o, "part", part);
	json_object_object_add(o, "basis", basis);
	return o;
}
