/* Console report (the helpers it shares with the JSON and JUnit writers
 * are in reports/common.c). */
#include "vcts/report.h"
#include "reports/common.h"
#include "lib/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- console ----------------------------------------------------------- */

struct colours {
	const char *pass, *fail, *warn, *dim, *bold, *off;
};

static struct colours pick_colours(FILE *out)
{
	static const struct colours none = { "", "", "", "", "", "" };
	static const struct colours ansi = { "\033[32m", "\033[1;31m", "\033[33m", "\033[2m",
					     "\033[1m", "\033[0m" };
	const char *nc = getenv("NO_COLOR");
	if (nc && nc[0])
		return none;
	int fd = fileno(out);
	return (fd >= 0 && isatty(fd)) ? ansi : none;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void vc_report_finding_line(FILE *out, const struct vc_finding *f, const char *session_name)
{
	struct colours c = pick_colours(out);
	const struct vc_rule *rule = vc_rule(f->rule);
	char *text = vcr_finding_text(f);
	const char *col = f->waived ? c.dim
			  : (rule && rule->level == VC_MUST) ? c.fail
			  : (rule && rule->level == VC_SHOULD) ? c.warn : "";
	fprintf(out, "%s%s %s%s", col, rule ? rule->id : "?",
		rule ? vc_level_name(rule->level) : "?", col[0] ? c.off : "");
	if (session_name) {
		char *sn = vcr_clean(session_name, VC_SESSION_NAME_MAX);
		fprintf(out, " [%s]", sn);
		free(sn);
	}
	fprintf(out, " %s%s\n", text, f->waived ? " (waived)" : "");
	free(text);
}

static size_t id_width(void)
{
	size_t w = 10;
	for (unsigned i = 0; i < VC_RULE_COUNT; i++) {
		size_t l = strlen(vc_rule((enum vc_rule_id)i)->id) + 1;
		if (l > w)
			w = l;
	}
	return w;
}

/* Per session, the rules it reached (all with verbose) and their findings. */
static void print_sessions(FILE *out, const struct colours c, const struct vc_results *r,
			   bool verbose)
{
	size_t *perm, *start;
	vcr_index(r, &perm, &start);
	int idw = (int)id_width();

	for (size_t s = 0; s < r->nsessions; s++) {
		const struct vc_session_result *sr = &r->sessions[s];
		char *name = vcr_clean(sr->info.name, sizeof sr->info.name);
		char *src = vcr_clean(sr->source, sizeof sr->source);
		fprintf(out, "%s%ssession %zu/%zu: %s%s (%s; traced side: %s; %llu %s)\n",
			s ? "\n" : "", c.bold, s + 1, r->nsessions, name, c.off, src[0] ? src : "?",
			vc_side_name((enum vc_side)sr->info.traced_side),
			(unsigned long long)sr->messages, plural(sr->messages, "message", "messages"));
		free(name);
		free(src);
		if (sr->incomplete) {
			char *gf = vcr_clean(sr->gap_file, sizeof sr->gap_file);
			fprintf(out, "  %sINCOMPLETE%s input lost at %s%s%llu: nothing after it was judged\n",
				c.warn, c.off, gf, sr->gap_is_offset ? ": offset " : ":",
				(unsigned long long)sr->gap_line);
			free(gf);
		}
		unsigned shown = 0;
		for (unsigned id = 0; id < VC_RULE_COUNT; id++) {
			const struct vc_rule *rule = vc_rule((enum vc_rule_id)id);
			const struct vc_rule_result *rr = &sr->rules[id];
			const char *label, *col;
			switch (rr->verdict) {
			case VC_PASS: label = "PASS"; col = c.pass; break;
			case VC_FAIL:
				/* The rule's level says how bad its findings are. */
				label = rule->level == VC_MUST ? "FAIL" : rule->level == VC_SHOULD ? "WARN" : "INFO";
				col = rule->level == VC_MUST ? c.fail : c.warn;
				break;
			case VC_WAIVED: label = "WAIVED"; col = c.warn; break;
			case VC_DISABLED: label = "off"; col = c.dim; break;
			default: label = "n/a"; col = c.dim; break;
			}
			if (!verbose && (rr->verdict == VC_NA || rr->verdict == VC_DISABLED))
				continue;
			shown++;
			char detail[64];
			if (rr->verdict == VC_FAIL || rr->verdict == VC_WAIVED)
				snprintf(detail, sizeof detail, "%llu %s", (unsigned long long)rr->failures,
					 plural(rr->failures, "finding", "findings"));
			else if (rr->verdict == VC_DISABLED)
				snprintf(detail, sizeof detail, "disabled");
			else
				snprintf(detail, sizeof detail, "%llu %s", (unsigned long long)rr->checks,
					 plural(rr->checks, "check", "checks"));
			/* "  PASS  VU-HDR-01  MUST   text (12 checks)" */
			fprintf(out, "  %s%-6s%s%s%-*s%-7s%s (%s)\n", col, label, c.off,
				strlen(label) >= 6 ? " " : "", idw, rule->id,
				vc_level_name(rule->level), rule->text, detail);
			size_t cell = s * VC_RULE_COUNT + id;
			for (size_t k = start[cell]; k < start[cell + 1]; k++) {
				const struct vc_finding *f = &r->findings[perm[k]];
				char *t = vcr_finding_text(f);
				fprintf(out, "      %s%s\n", t, f->waived ? " (waived)" : "");
				free(t);
			}
		}
		if (!shown)
			fprintf(out, "  (no applicable rules)\n");
	}
	free(perm);
	free(start);
}

/* The "summary:" and "verdict:" lines. */
static void print_summary(FILE *out, const struct colours c, const struct vc_results *r,
			  const struct vc_report_meta *m)
{
	uint64_t tot[VCR_NTOTALS];
	vcr_rule_totals(r, tot);
	fprintf(out, "summary: %zu sessions, %llu messages, %u rules: %llu passed, %llu failed, "
		     "%llu warned, %llu info, %llu not applicable",
		r->nsessions, (unsigned long long)r->messages, (unsigned)VC_RULE_COUNT,
		(unsigned long long)tot[VC_PASS], (unsigned long long)tot[VC_FAIL],
		(unsigned long long)tot[VCR_WARNED], (unsigned long long)tot[VCR_NOTED],
		(unsigned long long)tot[VC_NA]);
	if (tot[VC_WAIVED])
		fprintf(out, ", %llu waived", (unsigned long long)tot[VC_WAIVED]);
	if (tot[VC_DISABLED])
		fprintf(out, ", %llu disabled", (unsigned long long)tot[VC_DISABLED]);
	fprintf(out, "; findings: %llu MUST, %llu SHOULD, %llu INFO (%llu waived",
		(unsigned long long)r->findings_by_level[VC_MUST],
		(unsigned long long)r->findings_by_level[VC_SHOULD],
		(unsigned long long)r->findings_by_level[VC_INFO], (unsigned long long)r->waived);
	if (r->suppressed)
		fprintf(out, ", %llu suppressed", (unsigned long long)r->suppressed);
	fprintf(out, ")");
	if (r->incomplete)
		fprintf(out, "; %llu incomplete %s", (unsigned long long)r->incomplete,
			plural(r->incomplete, "session", "sessions"));
	uint64_t nwarn = !m ? 0 : m->warnings_total > m->nwarnings ? m->warnings_total : m->nwarnings;
	if (nwarn)
		fprintf(out, "; %llu input %s", (unsigned long long)nwarn, plural(nwarn, "warning", "warnings"));
	fprintf(out, "\n");
	bool fails = vcr_run_fails(r, m && m->strict);
	fprintf(out, "verdict: %s%s%s\n", fails ? c.fail : c.pass, fails ? "FAIL" : "PASS", c.off);
}

void vc_report_text(FILE *out, const struct vc_results *r, const struct vc_report_meta *m,
		    unsigned flags)
{
	struct colours c = pick_colours(out);
	if (!(flags & VC_TEXT_SUMMARY_ONLY)) {
		print_sessions(out, c, r, flags & VC_TEXT_VERBOSE);
		if (r->nsessions)
			fputc('\n', out);
	}
	print_summary(out, c, r, m);
}
