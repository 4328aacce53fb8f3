/* Helpers the report writers share, declared in reports/common.h. */
#include "reports/common.h"
#include "lib/xalloc.h"
#include "vcts/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The totals array extends enum vc_verdict. */
_Static_assert(VC_DISABLED + 1 == VCR_WARNED, "VCR_WARNED follows enum vc_verdict");

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

/* A failed SHOULD rule counts as warned, a failed INFO rule as noted. */
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
int vcr_emit(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
	return vc_write_file_atomic(path, buf, len, err, errlen);
}

/* The run's verdict: true when it fails. */
bool vcr_run_fails(const struct vc_results *r, bool strict)
{
	return vc_results_exit_status(r, strict) != 0;
}
