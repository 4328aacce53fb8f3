/* Console report, plus the helpers the JSON and JUnit writers share
 * (declared again at the top of reports/json.c and reports/junit.c; the
 * vcr_ prefix marks them internal to reports/). */
#include "vcts/report.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- shared helpers ---------------------------------------------------- */

/* Length of the valid, printable UTF-8 sequence at p (n bytes left), or 0
 * when the byte at p must be escaped: invalid or overlong UTF-8,
 * surrogates, code points above U+10FFFF, C0/C1 controls, DEL, and the
 * noncharacters U+FFFE/U+FFFF (not allowed in XML 1.0). */
static size_t utf8_ok(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	if (c < 0x80)
		return (c >= 0x20 && c != 0x7f) ? 1 : 0;
	size_t len;
	uint32_t cp, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp <= 0x9f || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

/* A copy of s (at most maxlen bytes, stops at NUL) that is valid,
 * printable UTF-8: every byte that is not part of such a sequence becomes
 * the four characters \xNN. Safe for a terminal, JSON and XML. */
char *vcr_clean(const char *s, size_t maxlen);
char *vcr_clean(const char *s, size_t maxlen)
{
	if (!s)
		return xstrdup("");
	size_t n = strnlen(s, maxlen);
	char *out = xmalloc(n * 4 + 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_ok(p + i, n - i);
		if (k) {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		} else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

#define VCR_WARNED 5
#define VCR_NOTED 6
#define VCR_NTOTALS 7

const char *vcr_verdict_name(enum vc_verdict v, enum vc_level level);
const char *vcr_verdict_name(enum vc_verdict v, enum vc_level level)
{
	switch (v) {
	case VC_PASS: return "pass";
	case VC_FAIL: return level == VC_MUST ? "fail" : level == VC_SHOULD ? "warn" : "info";
	case VC_WAIVED: return "waived";
	case VC_DISABLED: return "disabled";
	case VC_NA: return "n/a";
	default: return "n/a";
	}
}

/* "HH:MM:SS.uuuuuu" (UTC time of day, or time since the recording's start
 * when shorter than a day); "" when unknown. */
void vcr_format_time(char *buf, size_t len, int64_t t);
void vcr_format_time(char *buf, size_t len, int64_t t)
{
	if (t < 0) {
		buf[0] = '\0';
		return;
	}
	uint64_t s = (uint64_t)t / 1000000000u;
	uint64_t us = ((uint64_t)t % 1000000000u) / 1000u;
	snprintf(buf, len, "%02u:%02u:%02u.%06u", (unsigned)(s / 3600 % 24),
		 (unsigned)(s / 60 % 60), (unsigned)(s % 60), (unsigned)us);
}

/* One finding as "file:line msg #N @time: message" (sanitised, malloc'd);
 * "file:+0x1f0" for byte offsets. */
char *vcr_finding_text(const struct vc_finding *f);
char *vcr_finding_text(const struct vc_finding *f)
{
	char tbuf[32];
	vcr_format_time(tbuf, sizeof tbuf, f->time_ns);
	char *file = vcr_clean(f->src_file, sizeof f->src_file);
	char *msg = vcr_clean(f->message, sizeof f->message);
	char where[48];
	snprintf(where, sizeof where, f->src_is_offset ? "+0x%llx" : "%llu",
		 (unsigned long long)f->src_line);
	char *line = NULL;
	int n = asprintf(&line, "%s:%s msg #%llu%s%s: %s", file[0] ? file : "?", where,
			 (unsigned long long)f->event, tbuf[0] ? " @" : "", tbuf, msg);
	free(file);
	free(msg);
	if (n < 0) {
		fprintf(stderr, "vhost-cts: out of memory\n");
		exit(2);
	}
	return line;
}

/* Findings grouped by session and rule, in their original order: perm is
 * a permutation of 0..nfindings-1; the findings of (s, rule) are
 * perm[start[s * VC_RULE_COUNT + rule] .. start[s * VC_RULE_COUNT + rule + 1]).
 * Findings with an out-of-range session or rule are left out. Both arrays
 * are malloc'd. */
void vcr_index(const struct vc_results *r, size_t **perm, size_t **start);
void vcr_index(const struct vc_results *r, size_t **perm, size_t **start)
{
	size_t cells = r->nsessions * VC_RULE_COUNT;
	size_t *st = xcalloc(cells + 1, sizeof *st);
	size_t *pm = xcalloc(r->nfindings + 1, sizeof *pm);
	/* counting sort: stable, so each cell keeps the findings' order */
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct vc_finding *f = &r->findings[i];
		if (f->session < r->nsessions && (unsigned)f->rule < VC_RULE_COUNT)
			st[f->session * VC_RULE_COUNT + f->rule + 1]++;
	}
	for (size_t c = 0; c < cells; c++)
		st[c + 1] += st[c];
	size_t *fill = xmalloc((cells + 1) * sizeof *fill);
	memcpy(fill, st, (cells + 1) * sizeof *fill);
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct vc_finding *f = &r->findings[i];
		if (f->session < r->nsessions && (unsigned)f->rule < VC_RULE_COUNT)
			pm[fill[f->session * VC_RULE_COUNT + f->rule]++] = i;
	}
	free(fill);
	*perm = pm;
	*start = st;
}

/* A rule's verdict over all sessions: fail if it failed anywhere, else
 * waived if waived anywhere, else pass if it passed anywhere, else
 * disabled if disabled everywhere, else n/a. */
enum vc_verdict vcr_rule_overall(const struct vc_results *r, enum vc_rule_id id);
enum vc_verdict vcr_rule_overall(const struct vc_results *r, enum vc_rule_id id)
{
	bool fail = false, waived = false, pass = false, all_disabled = r->nsessions > 0;
	for (size_t s = 0; s < r->nsessions; s++) {
		enum vc_verdict v = r->sessions[s].rules[id].verdict;
		fail |= v == VC_FAIL;
		waived |= v == VC_WAIVED;
		pass |= v == VC_PASS;
		all_disabled &= v == VC_DISABLED;
	}
	if (fail)
		return VC_FAIL;
	if (waived)
		return VC_WAIVED;
	if (pass)
		return VC_PASS;
	return all_disabled ? VC_DISABLED : VC_NA;
}

/* Catalog rules counted by their overall verdict, indexed by enum
 * vc_verdict (5 entries). */
/* Indexed by enum vc_verdict, plus VCR_WARNED and VCR_NOTED: a rule whose
 * findings are SHOULD (warned) or INFO (noted) counts there, not as failed. */
void vcr_rule_totals(const struct vc_results *r, uint64_t out[VCR_NTOTALS]);
void vcr_rule_totals(const struct vc_results *r, uint64_t out[VCR_NTOTALS])
{
	for (int i = 0; i < VCR_NTOTALS; i++)
		out[i] = 0;
	for (unsigned id = 0; id < VC_RULE_COUNT; id++) {
		enum vc_verdict v = vcr_rule_overall(r, (enum vc_rule_id)id);
		enum vc_level l = vc_rule((enum vc_rule_id)id)->level;
		if (v == VC_FAIL && l == VC_SHOULD)
			out[VCR_WARNED]++;
		else if (v == VC_FAIL && l == VC_INFO)
			out[VCR_NOTED]++;
		else
			out[v]++;
	}
}

/* Write a finished report through vc_write_file_atomic ("-" is stdout,
 * devices and FIFOs are written through). Errors name the path. */
int vcr_emit(const char *path, const char *buf, size_t len, char *err, size_t errlen);
int vcr_emit(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
	return vc_write_file_atomic(path, buf, len, err, errlen);
}

/* The run's verdict: true when it fails. */
bool vcr_run_fails(const struct vc_results *r, bool strict);
bool vcr_run_fails(const struct vc_results *r, bool strict)
{
	return vc_results_exit_status(r, strict) != 0;
}

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

void vc_report_text(FILE *out, const struct vc_results *r, const struct vc_report_meta *m,
		    bool verbose)
{
	struct colours c = pick_colours(out);
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

	uint64_t tot[VCR_NTOTALS];
	vcr_rule_totals(r, tot);
	if (r->nsessions)
		fputc('\n', out);
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
