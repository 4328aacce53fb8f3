/* QEMU "log" trace backend lines, tokenized (lib/trace/qemu_log.h): the
 * time and thread prefixes, the record name, its arguments. Every reader
 * of QEMU logs (vhost-user messages, memory listeners, vhost-vdpa) goes
 * through here. */
#include "lib/trace/qemu_log.h"

#include <stdint.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* n digits at s as a number; false if any is not a digit. */
static bool digits(const char *s, size_t n, int64_t *v)
{
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int64_t m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Up to 9 fraction digits after a '.', as nanoseconds; *used = chars. */
static int64_t fraction_ns(const char *s, size_t n, size_t *used)
{
	size_t i = 0;
	int64_t ns = 0, scale = 100000000;
	while (i < n && is_digit(s[i])) {
		if (i < 9) {
			ns += (s[i] - '0') * scale;
			scale /= 10;
		}
		i++;
	}
	*used = i;
	return ns;
}

size_t vc_qlog_iso_time(const char *s, size_t n, int64_t *ns)
{
	int64_t y, mo, d, h, mi, se;
	if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return 0;
	if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || se > 60)
		return 0;
	size_t i = 19;
	int64_t frac = 0;
	if (i < n && s[i] == '.') {
		size_t used;
		frac = fraction_ns(s + i + 1, n - i - 1, &used);
		if (!used)
			return 0;
		i += 1 + used;
	}
	int64_t off = 0;
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int64_t oh, om;
		int sign = s[i] == '-' ? -1 : 1;
		if (i + 5 <= n && digits(s + i + 1, 2, &oh) && s[i + 3] == ':' && i + 6 <= n &&
		    digits(s + i + 4, 2, &om))
			i += 6;
		else if (i + 5 <= n && digits(s + i + 1, 2, &oh) && digits(s + i + 3, 2, &om))
			i += 5;
		else
			return 0;
		if (oh > 23 || om > 59)
			return 0;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return 0; /* a time without a zone is not QEMU's */
	}
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (secs < 0)
		return 0;
	*ns = secs * 1000000000 + frac;
	return i;
}

size_t vc_qlog_tid_prefix(const char *s, size_t n, uint64_t *tid, int64_t *ns)
{
	size_t i = 0;
	uint64_t t = 0;
	while (i < n && is_digit(s[i]) && i < 19)
		t = t * 10 + (uint64_t)(s[i++] - '0');
	if (i == 0 || i >= n || s[i] != '@')
		return 0;
	size_t j = ++i;
	int64_t sec = 0;
	while (i < n && is_digit(s[i]) && i - j < 10)
		sec = sec * 10 + (s[i++] - '0');
	/* ns since the epoch must fit an int64 (up to the year 2262) */
	if (i == j || i >= n || sec > INT64_MAX / 1000000000 - 1)
		return 0;
	int64_t frac = 0;
	if (s[i] == '.') {
		size_t used;
		frac = fraction_ns(s + i + 1, n - i - 1, &used);
		if (!used)
			return 0;
		i += 1 + used;
	}
	if (i >= n || s[i] != ':')
		return 0;
	*tid = t;
	*ns = sec * 1000000000 + frac;
	return i + 1;
}

static void tokenize_args(struct vc_qlog_line *l)
{
	const char *s = l->rest;
	size_t n = l->rest_len, i = 0;
	while (i < n) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n)
			break;
		size_t b = i;
		while (i < n && !is_blank(s[i]))
			i++;
		const char *tok = s + b;
		size_t tl = i - b;
		if (l->nargs == VC_QLOG_MAX_ARGS) {
			l->args_truncated = true;
			return;
		}
		struct vc_qlog_arg *a = &l->arg[l->nargs++];
		memset(a, 0, sizeof *a);
		if (tl > 1 && (tok[tl - 1] == ':' || tok[tl - 1] == '=')) {
			/* "key: value" */
			a->key = tok;
			a->klen = tl - 1;
			size_t j = i;
			while (j < n && is_blank(s[j]))
				j++;
			size_t vb = j;
			bool kv = false;
			while (j < n && !is_blank(s[j])) {
				kv |= j > vb && (s[j] == ':' || s[j] == '=');
				j++;
			}
			a->val = s + vb;
			a->vlen = 0;
			if (!kv) {
				/* not itself "key:value": it is the value */
				a->vlen = j - vb;
				i = j;
			}
			continue;
		}
		size_t p = 0;
		while (p < tl && tok[p] != ':' && tok[p] != '=')
			p++;
		if (p > 0 && p + 1 < tl) {
			a->key = tok;
			a->klen = p;
			a->val = tok + p + 1;
			a->vlen = tl - p - 1;
		} else {
			a->key = tok;
			a->klen = 0;
			a->val = tok;
			a->vlen = tl;
		}
	}
}

bool vc_qlog_parse(const char *line, size_t len, struct vc_qlog_line *out)
{
	/* every field but the argument array, whose used entries are set
	 * one by one (clearing all 24 per line showed in profiles) */
	out->has_tid = false;
	out->tid = 0;
	out->time_ns = -1;
	out->name = out->rest = NULL;
	out->name_len = out->rest_len = 0;
	out->nargs = 0;
	out->args_truncated = false;
	size_t i = 0;
	int64_t ns;
	size_t k = vc_qlog_iso_time(line, len, &ns);
	if (k) {
		if (k >= len || !is_blank(line[k]))
			return false;
		out->time_ns = ns;
		i = k;
		while (i < len && is_blank(line[i]))
			i++;
	}
	uint64_t tid;
	k = vc_qlog_tid_prefix(line + i, len - i, &tid, &ns);
	if (k) {
		out->has_tid = true;
		out->tid = tid;
		out->time_ns = ns; /* QEMU's own clock reading wins */
		i += k;
	}
	size_t b = i;
	bool us = false;
	if (i >= len || !(line[i] >= 'a' && line[i] <= 'z'))
		return false;
	while (i < len && ((line[i] >= 'a' && line[i] <= 'z') || is_digit(line[i]) || line[i] == '_')) {
		us |= line[i] == '_';
		i++;
	}
	if (!us || (i < len && !is_blank(line[i])))
		return false;
	out->name = line + b;
	out->name_len = i - b;
	while (i < len && is_blank(line[i]))
		i++;
	out->rest = line + i;
	out->rest_len = len - i;
	tokenize_args(out);
	return true;
}

const struct vc_qlog_arg *vc_qlog_find(const struct vc_qlog_line *l, const char *key)
{
	size_t kl = strlen(key);
	for (unsigned i = 0; i < l->nargs; i++)
		if (l->arg[i].klen == kl && memcmp(l->arg[i].key, key, kl) == 0)
			return &l->arg[i];
	return NULL;
}

bool vc_qlog_name_is(const struct vc_qlog_line *l, const char *name)
{
	size_t n = strlen(name);
	return l->name_len == n && memcmp(l->name, name, n) == 0;
}

int vc_qlog_int(const char *s, size_t n, bool *neg, uint64_t *mag)
{
	size_t i = 0;
	*neg = false;
	if (i < n && s[i] == '-') {
		*neg = true;
		i++;
	}
	unsigned base = 10;
	if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i >= n)
		return -1;
	uint64_t v = 0;
	for (; i < n; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*mag = v;
	return 0;
}
