/* The traceability table, built from statements.def and
 * rule_statements.def, its validation against the rule catalog, and the
 * coverage it adds up to. */
#include "vcts/statements.h"
#include "vcts/engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct vc_spec_source source = {
#define SOURCE(repo, commit, path, chars) repo, commit, path, chars
#define AREA(key, name)
#define STMT(id, sec, side, str, dec, text, reason)
#include "conformance/statements.def"
#undef SOURCE
#undef AREA
#undef STMT
};

static const struct vc_stmt_area areas[] = {
#define SOURCE(repo, commit, path, chars)
#define AREA(key, name) { #key, name },
#define STMT(id, sec, side, str, dec, text, reason)
#include "conformance/statements.def"
#undef SOURCE
#undef AREA
#undef STMT
};

static const struct vc_stmt stmts[] = {
#define SOURCE(repo, commit, path, chars)
#define AREA(key, name)
#define STMT(id, sec, side, str, dec, text, reason) \
	{ id, sec, VC_SS_##side, VC_ST_##str, VC_SD_##dec, text, reason },
#include "conformance/statements.def"
#undef SOURCE
#undef AREA
#undef STMT
};

static const struct vc_rule_cover covers[] = {
#define COVERS(rule, kind, list) { rule, VC_COVER_##kind, list },
#define BASIS(rule, basis)
#define DRIVE(scenario, list)
#include "conformance/rule_statements.def"
#undef COVERS
#undef BASIS
#undef DRIVE
};

static const struct vc_rule_basis bases[] = {
#define COVERS(rule, kind, list)
#define BASIS(rule, basis) { rule, basis },
#define DRIVE(scenario, list)
#include "conformance/rule_statements.def"
#undef COVERS
#undef BASIS
#undef DRIVE
};

static const struct vc_drive_cover drives[] = {
#define COVERS(rule, kind, list)
#define BASIS(rule, basis)
#define DRIVE(scenario, list) { scenario, list },
#include "conformance/rule_statements.def"
#undef COVERS
#undef BASIS
#undef DRIVE
};

static const struct vc_trace_tables tables = {
	stmts, ARRAY_LEN(stmts), covers, ARRAY_LEN(covers), bases, ARRAY_LEN(bases),
	drives, ARRAY_LEN(drives),
};

const struct vc_spec_source *vc_spec_source(void) { return &source; }
const struct vc_trace_tables *vc_trace_tables(void) { return &tables; }
size_t vc_stmt_area_count(void) { return ARRAY_LEN(areas); }

const struct vc_stmt_area *vc_stmt_area(size_t i)
{
	return i < ARRAY_LEN(areas) ? &areas[i] : NULL;
}

size_t vc_stmt_area_of(const char *id)
{
	if (strncmp(id, "VUS-", 4) != 0)
		return ARRAY_LEN(areas);
	const char *key = id + 4, *dash = strchr(key, '-');
	if (!dash)
		return ARRAY_LEN(areas);
	for (size_t i = 0; i < ARRAY_LEN(areas); i++)
		if (strlen(areas[i].key) == (size_t)(dash - key) &&
		    strncmp(areas[i].key, key, (size_t)(dash - key)) == 0)
			return i;
	return ARRAY_LEN(areas);
}

const struct vc_stmt *vc_stmt_by_id(const struct vc_trace_tables *t, const char *id)
{
	for (size_t i = 0; i < t->nstmts; i++)
		if (strcmp(t->stmts[i].id, id) == 0)
			return &t->stmts[i];
	return NULL;
}

bool vc_stmt_list_has(const char *list, const char *id)
{
	const size_t n = strlen(id);
	for (const char *p = list; *p;) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && strncmp(p, id, n) == 0)
			return true;
		p = end;
	}
	return false;
}

enum vc_cover vc_stmt_coverage(const struct vc_trace_tables *t, const char *id)
{
	enum vc_cover best = VC_COVER_NONE;
	for (size_t i = 0; i < t->ncovers; i++)
		if (t->covers[i].kind > best && vc_stmt_list_has(t->covers[i].stmts, id))
			best = t->covers[i].kind;
	return best;
}

const char *vc_stmt_side_name(enum vc_stmt_side s)
{
	static const char *const n[] = { "FE", "BE", "BOTH", "FACT" };
	return (unsigned)s < ARRAY_LEN(n) ? n[s] : "?";
}

const char *vc_stmt_strength_name(enum vc_stmt_strength s)
{
	static const char *const n[] = { "MUST", "SHOULD", "MAY", "FACT" };
	return (unsigned)s < ARRAY_LEN(n) ? n[s] : "?";
}

const char *vc_stmt_dec_name(enum vc_stmt_dec d)
{
	static const char *const n[] = { "trace", "live", "none" };
	return (unsigned)d < ARRAY_LEN(n) ? n[d] : "?";
}

const char *vc_cover_name(enum vc_cover c)
{
	static const char *const n[] = { "none", "part", "full" };
	return (unsigned)c < ARRAY_LEN(n) ? n[c] : "?";
}

struct problems {
	void (*report)(void *arg, const char *msg);
	void *arg;
	size_t count;
};

__attribute__((format(printf, 2, 3)))
static void problem(struct problems *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->count++;
	if (p->report)
		p->report(p->arg, msg);
}

/* "VUS-" AREA "-" two or more digits. */
static bool id_well_formed(const char *id)
{
	if (vc_stmt_area_of(id) >= ARRAY_LEN(areas))
		return false;
	const char *num = strrchr(id, '-') + 1;
	size_t digits = strspn(num, "0123456789");
	return digits >= 2 && num[digits] == '\0';
}

static void validate_stmts(const struct vc_trace_tables *t, struct problems *p)
{
	for (size_t i = 0; i < t->nstmts; i++) {
		const struct vc_stmt *s = &t->stmts[i];
		if (!id_well_formed(s->id))
			problem(p, "statement %s: ID is not VUS-<area>-<number> with a known area", s->id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->stmts[j].id, s->id) == 0)
				problem(p, "statement %s: ID used twice", s->id);
		if (!s->text[0] || !s->section[0])
			problem(p, "statement %s: no paraphrase or no section", s->id);
		if ((s->side == VC_SS_FACT) != (s->strength == VC_ST_FACT))
			problem(p, "statement %s: side FACT goes with strength FACT, and only with it", s->id);
		const enum vc_cover c = vc_stmt_coverage(t, s->id);
		if (s->dec == VC_SD_NONE && c != VC_COVER_NONE)
			problem(p, "statement %s: decidable by nothing, yet a rule covers it", s->id);
		if (c != VC_COVER_FULL && !s->reason[0])
			problem(p, "statement %s: covered %s and no reason given", s->id, vc_cover_name(c));
		if (c == VC_COVER_FULL && s->reason[0])
			problem(p, "statement %s: covered fully but still has a reason (\"%s\")", s->id, s->reason);
	}
}

static size_t list_len(const char *list)
{
	size_t n = 0;
	for (const char *q = list; *q;) {
		while (*q == ' ')
			q++;
		if (!*q)
			break;
		n++;
		while (*q && *q != ' ')
			q++;
	}
	return n;
}

static void validate_covers(const struct vc_trace_tables *t, struct problems *p)
{
	for (size_t i = 0; i < t->ncovers; i++) {
		const struct vc_rule_cover *c = &t->covers[i];
		if (!vc_rule_by_id(c->rule))
			problem(p, "COVERS %s: no such rule in rules.def", c->rule);
		if (c->kind != VC_COVER_FULL && c->kind != VC_COVER_PART)
			problem(p, "COVERS %s: kind is neither FULL nor PART", c->rule);
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->covers[j].rule, c->rule) == 0 && t->covers[j].kind == c->kind)
				problem(p, "COVERS %s: two %s rows", c->rule, vc_cover_name(c->kind));
		size_t named = 0;
		for (const char *q = c->stmts; *q;) {
			while (*q == ' ')
				q++;
			const char *end = q;
			while (*end && *end != ' ')
				end++;
			if (end == q)
				break;
			char id[64];
			snprintf(id, sizeof id, "%.*s", (int)(end - q), q);
			named++;
			if (!vc_stmt_by_id(t, id))
				problem(p, "COVERS %s: unknown statement %s", c->rule, id);
			for (size_t j = 0; j < t->ncovers; j++)
				if (j != i && strcmp(t->covers[j].rule, c->rule) == 0 &&
				    t->covers[j].kind != c->kind && c->kind == VC_COVER_FULL &&
				    vc_stmt_list_has(t->covers[j].stmts, id))
					problem(p, "COVERS %s: %s is named both FULL and PART", c->rule, id);
			q = end;
		}
		if (!named)
			problem(p, "COVERS %s: names no statement", c->rule);
	}
	for (size_t i = 0; i < t->ndrives; i++) {
		const struct vc_drive_cover *d = &t->drives[i];
		size_t named = 0;
		for (size_t k = 0; k < t->nstmts; k++) {
			if (!vc_stmt_list_has(d->stmts, t->stmts[k].id))
				continue;
			named++;
			if (t->stmts[k].side != VC_SS_BE && t->stmts[k].side != VC_SS_BOTH)
				problem(p, "DRIVE %s: %s is not a back-end duty", d->scenario, t->stmts[k].id);
		}
		if (!named || named != list_len(d->stmts))
			problem(p, "DRIVE %s: names an unknown statement, or none", d->scenario);
	}
	for (size_t i = 0; i < t->nbasis; i++) {
		if (!vc_rule_by_id(t->basis[i].rule))
			problem(p, "BASIS %s: no such rule in rules.def", t->basis[i].rule);
		if (!t->basis[i].basis[0])
			problem(p, "BASIS %s: empty", t->basis[i].rule);
	}
}

size_t vc_trace_validate(const struct vc_trace_tables *t,
			 void (*report)(void *arg, const char *msg), void *arg)
{
	struct problems p = { report, arg, 0 };
	validate_stmts(t, &p);
	validate_covers(t, &p);
	/* Every rule of the catalog says what it checks, or what it rests on. */
	for (unsigned r = 0; r < VC_RULE_COUNT; r++) {
		const char *id = vc_rule(r)->id;
		bool found = false;
		for (size_t i = 0; i < t->ncovers && !found; i++)
			found = strcmp(t->covers[i].rule, id) == 0;
		for (size_t i = 0; i < t->nbasis && !found; i++)
			found = strcmp(t->basis[i].rule, id) == 0;
		if (!found)
			problem(&p, "rule %s: cites no statement and has no BASIS row in rule_statements.def", id);
	}
	return p.count;
}

static void count(struct vc_cov_count *c, const struct vc_stmt *s, enum vc_cover cov)
{
	c->stmts++;
	if (s->dec == VC_SD_NONE) {
		c->reasoned += s->reason[0] != '\0';
		return;
	}
	c->checkable++;
	c->full += cov == VC_COVER_FULL;
	c->part += cov == VC_COVER_PART;
	c->reasoned += cov != VC_COVER_FULL && s->reason[0];
}

void vc_trace_coverage(const struct vc_trace_tables *t, struct vc_cov_count *by_area,
		       struct vc_cov_count *by_side, struct vc_cov_count *total)
{
	memset(by_area, 0, sizeof *by_area * ARRAY_LEN(areas));
	memset(by_side, 0, sizeof *by_side * VC_SS_COUNT);
	memset(total, 0, sizeof *total);
	for (size_t i = 0; i < t->nstmts; i++) {
		const struct vc_stmt *s = &t->stmts[i];
		const enum vc_cover cov = vc_stmt_coverage(t, s->id);
		const size_t a = vc_stmt_area_of(s->id);
		if (a < ARRAY_LEN(areas))
			count(&by_area[a], s, cov);
		if ((unsigned)s->side < VC_SS_COUNT)
			count(&by_side[s->side], s, cov);
		count(total, s, cov);
	}
}
