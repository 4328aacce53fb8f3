/* The traceability table: the statements of vhost-user.rst
 * (conformance/statements.def), the rules that check them
 * (conformance/rule_statements.def), and the coverage they add up to. */
#ifndef VCTS_STATEMENTS_H
#define VCTS_STATEMENTS_H

#include <stdbool.h>
#include <stddef.h>

enum vc_stmt_side { VC_SS_FE, VC_SS_BE, VC_SS_BOTH, VC_SS_FACT, VC_SS_COUNT };
enum vc_stmt_strength { VC_ST_MUST, VC_ST_SHOULD, VC_ST_MAY, VC_ST_FACT };
/* What it takes to decide a statement from outside an implementation. */
enum vc_stmt_dec { VC_SD_TRACE, VC_SD_LIVE, VC_SD_NONE };
enum vc_cover { VC_COVER_NONE, VC_COVER_PART, VC_COVER_FULL };
/* Bound on the areas of statements.def (fixed-size coverage arrays). */
#define VC_STMT_AREA_MAX 32

struct vc_spec_source {
	const char *repo, *commit, *path;
	unsigned long chars;
};

struct vc_stmt_area {
	const char *key;   /* "RING": the second part of "VUS-RING-03" */
	const char *name;
};

struct vc_stmt {
	const char *id;
	const char *section;
	enum vc_stmt_side side;
	enum vc_stmt_strength strength;
	enum vc_stmt_dec dec;
	const char *text;
	const char *reason;
};

struct vc_rule_cover {
	const char *rule;
	enum vc_cover kind;   /* FULL or PART */
	const char *stmts;    /* space-separated statement IDs */
};

struct vc_rule_basis {
	const char *rule;
	const char *basis;
};

struct vc_drive_cover {
	const char *scenario; /* a `vhost-cts drive` scenario */
	const char *stmts;    /* the back-end duties it exercises */
};

/* A set of tables; vc_trace_tables() gives the compiled-in one. Tests
 * build broken ones to see the validator catch them. */
struct vc_trace_tables {
	const struct vc_stmt *stmts;
	size_t nstmts;
	const struct vc_rule_cover *covers;
	size_t ncovers;
	const struct vc_rule_basis *basis;
	size_t nbasis;
	const struct vc_drive_cover *drives;
	size_t ndrives;
};

const struct vc_spec_source *vc_spec_source(void);
const struct vc_trace_tables *vc_trace_tables(void);
size_t vc_stmt_area_count(void);
const struct vc_stmt_area *vc_stmt_area(size_t i);
/* Index of the statement's area, or vc_stmt_area_count() if its ID names
 * none. */
size_t vc_stmt_area_of(const char *id);
const struct vc_stmt *vc_stmt_by_id(const struct vc_trace_tables *t, const char *id);
/* Best coverage any COVERS row gives the statement. */
enum vc_cover vc_stmt_coverage(const struct vc_trace_tables *t, const char *id);
/* Whether a space-separated list names id as a whole word. */
bool vc_stmt_list_has(const char *list, const char *id);

const char *vc_stmt_side_name(enum vc_stmt_side s);
const char *vc_stmt_strength_name(enum vc_stmt_strength s);
const char *vc_stmt_dec_name(enum vc_stmt_dec d);
const char *vc_cover_name(enum vc_cover c);

/* Checks the tables against each other and the rule catalog; calls report
 * once per problem (one line, naming the ID) and returns the count. */
size_t vc_trace_validate(const struct vc_trace_tables *t,
			 void (*report)(void *arg, const char *msg), void *arg);

struct vc_cov_count {
	unsigned stmts;      /* all statements */
	unsigned checkable;  /* decidable from a trace or live */
	unsigned full, part; /* of the checkable, covered fully / partly */
	unsigned reasoned;   /* uncovered (or partly) with a stated reason */
};

/* Coverage per area (vc_stmt_area_count() entries), per side
 * (VC_SS_COUNT) and in total. */
void vc_trace_coverage(const struct vc_trace_tables *t, struct vc_cov_count *by_area,
		       struct vc_cov_count *by_side, struct vc_cov_count *total);

#endif
