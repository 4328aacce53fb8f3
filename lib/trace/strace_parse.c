/* strace importer, part 1: one syscall line into a struct st_call.
 * The input is never NUL-terminated and may be anything: every scan is
 * bounded by the line length, nothing recurses, every count is capped. */
#include "lib/trace/strace_priv.h"
#include "lib/trace/strace_cursor.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After an element of a list closed by `close`: 1 when a ',' follows
 * (another element), 0 when the closer does (the list ended), -1 with
 * p->what set ("bad WHAT at column N") for anything else. */
static int c_next(struct st_parser *p, struct cur *c, char close, const char *what)
{
	c_ws(c);
	if (c->i < c->n && c->s[c->i] == ',') {
		c->i++;
		return 1;
	}
	if (c->i < c->n && c->s[c->i] == close) {
		c->i++;
		return 0;
	}
	snprintf(p->what, sizeof p->what, "bad %s at column %zu", what, c->i + 1);
	return -1;
}
static bool is_ident(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '_';
}

static bool c_i64(struct cur *c, int64_t *out)
{
	bool neg = c_lit(c, "-");
	uint64_t v;
	if (!c_u64(c, &v) || v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/* Bytes that end a run of ordinary characters: in a value being skipped,
 * in an fd annotation, in a string. One table, so the scans test one load
 * per byte instead of a chain of compares. */
enum { CH_SKIP = 1, CH_ANN = 2, CH_STR = 4 };
static const uint8_t ch_class[256] = {
	['"'] = CH_SKIP | CH_ANN | CH_STR, ['\\'] = CH_ANN | CH_STR,
	['('] = CH_SKIP, ['['] = CH_SKIP | CH_ANN, ['{'] = CH_SKIP,
	[')'] = CH_SKIP, [']'] = CH_SKIP | CH_ANN, ['}'] = CH_SKIP,
	[','] = CH_SKIP, ['<'] = CH_ANN, ['>'] = CH_ANN,
};

static void c_run(struct cur *c, uint8_t cls)
{
	while (c->i < c->n && !(ch_class[(uint8_t)c->s[c->i]] & cls))
		c->i++;
}

/* Skip one value up to (not including) a top-level ',' or closing
 * bracket. Quote-aware, bracket depth counted, no recursion. */
static bool c_skip_value(struct cur *c)
{
	int depth = 0;
	for (;;) {
		c_run(c, CH_SKIP);
		if (c->i >= c->n)
			break;
		char ch = c->s[c->i];
		if (ch == '"') {
			c->i++;
			for (;;) {
				c_run(c, CH_STR);
				if (c->i >= c->n || c->s[c->i] == '"')
					break;
				/* a backslash: it and what it escapes */
				c->i += c->i + 1 < c->n ? 2 : 1;
			}
			if (c->i >= c->n) {
				c->i = c->n;
				return false;
			}
			c->i++;
			continue;
		}
		if (ch == '(' || ch == '[' || ch == '{') {
			if (depth > 100000)
				return false;
			depth++;
		} else if (ch == ')' || ch == ']' || ch == '}') {
			if (depth == 0)
				return true;
			depth--;
		} else if (ch == ',' && depth == 0) {
			return true;
		}
		c->i++;
	}
	return depth == 0;
}

static bool grow_data(struct st_parser *p, size_t want)
{
	if (want > p->data_cap)
		p->data = xgrow(p->data, &p->data_cap, want, 1);
	return true;
}

/* 0x10 | value for a hex digit, 0 for anything else (a table has no
 * default but zero). */
static const uint8_t hex_tab[256] = {
	['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
	['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['a'] = 0x1a, ['b'] = 0x1b,
	['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f, ['A'] = 0x1a, ['B'] = 0x1b,
	['C'] = 0x1c, ['D'] = 0x1d, ['E'] = 0x1e, ['F'] = 0x1f,
};

/* Decode one escape at s[*i] == '\\'; returns the byte or -1. */
static int decode_escape(const char *s, size_t n, size_t *i)
{
	size_t k = *i + 1;
	if (k >= n)
		return -1;
	char e = s[k];
	int v;
	switch (e) {
	case 'x': {
		if (k + 2 >= n)
			return -1;
		int h = vc_hex_digit(s[k + 1]);
		int l = vc_hex_digit(s[k + 2]);
		if (h < 0 || l < 0)
			return -1;
		*i = k + 3;
		return h * 16 + l;
	}
	case 'n': v = '\n'; break;
	case 't': v = '\t'; break;
	case 'r': v = '\r'; break;
	case 'v': v = '\v'; break;
	case 'f': v = '\f'; break;
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'e': v = 0x1b; break;
	case '\\': v = '\\'; break;
	case '"': v = '"'; break;
	case '\'': v = '\''; break;
	default:
		if (e >= '0' && e <= '7') {
			int o = 0, d = 0;
			while (d < 3 && k < n && s[k] >= '0' && s[k] <= '7') {
				o = o * 8 + (s[k] - '0');
				k++;
				d++;
			}
			if (o > 255)
				return -1;
			*i = k;
			return o;
		}
		return -1;
	}
	*i = k + 1;
	return v;
}

/* Parse "..." appending decoded bytes at p->data[*len] unless *stop.
 * A following "..." marks a cut string. */
static bool c_string(struct st_parser *p, struct cur *c, size_t *len, bool *cut, bool append)
{
	if (!c_lit(c, "\"")) {
		snprintf(p->what, sizeof p->what, "expected a string at column %zu", c->i + 1);
		return false;
	}
	/* worst case one byte per input char */
	size_t room = c->n - c->i;
	if (append)
		grow_data(p, *len + room + 1);
	while (c->i < c->n && c->s[c->i] != '"') {
		int b;
		/* -xx prints every byte as \xHH: two of them (8 characters)
		 * at a time while they last, then one at a time. */
		while (c->n - c->i >= 8) {
			uint64_t w;
			memcpy(&w, c->s + c->i, 8);
			if ((w & 0x0000ffff0000ffffull) != 0x0000785c0000785cull) /* "\x??\x??" little-endian */
				break;
			uint8_t h0 = hex_tab[(uint8_t)(w >> 16)], l0 = hex_tab[(uint8_t)(w >> 24)];
			uint8_t h1 = hex_tab[(uint8_t)(w >> 48)], l1 = hex_tab[(uint8_t)(w >> 56)];
			if (!(h0 & l0 & h1 & l1 & 0x10))
				break;
			c->i += 8;
			if (append) {
				p->data[(*len)++] = (uint8_t)((h0 & 0xf) << 4 | (l0 & 0xf));
				p->data[(*len)++] = (uint8_t)((h1 & 0xf) << 4 | (l1 & 0xf));
			}
		}
		if (c->i >= c->n || c->s[c->i] == '"')
			break;
		/* -xx prints every byte as \xHH: that case first, inline. */
		if (c->s[c->i] == '\\' && c->i + 3 < c->n && c->s[c->i + 1] == 'x') {
			int h = vc_hex_digit(c->s[c->i + 2]), l = vc_hex_digit(c->s[c->i + 3]);
			if ((h | l) >= 0) {
				c->i += 4;
				if (append)
					p->data[(*len)++] = (uint8_t)(h << 4 | l);
				continue;
			}
		}
		if (c->s[c->i] == '\\') {
			b = decode_escape(c->s, c->n, &c->i);
			if (b < 0) {
				snprintf(p->what, sizeof p->what, "bad escape in string at column %zu",
					 c->i + 1);
				return false;
			}
		} else {
			b = (unsigned char)c->s[c->i++];
			p->raw += append; /* not escaped: a -xx log has none (damage) */
		}
		if (append)
			p->data[(*len)++] = (uint8_t)b;
	}
	if (!c_lit(c, "\"")) {
		snprintf(p->what, sizeof p->what, "unterminated string");
		return false;
	}
	if (c_lit(c, "..."))
		*cut = true;
	return true;
}

/* A data argument: a string, or an address / NULL (not shown). */
static bool c_data(struct st_parser *p, struct cur *c, struct st_call *k, size_t *len)
{
	c_ws(c);
	if (c_peek(c) == '"') {
		bool cut = false;
		bool append = !k->data_cut && !k->data_absent;
		if (!c_string(p, c, len, &cut, append))
			return false;
		if (cut)
			k->data_cut = true;
		return true;
	}
	k->data_absent = true;
	return c_skip_value(c);
}

static bool c_fdarg(struct st_parser *p, struct cur *c, struct st_fdarg *fd)
{
	memset(fd, 0, sizeof *fd);
	fd->num = -1;
	c_ws(c);
	int64_t v;
	if (!c_i64(c, &v)) {
		snprintf(p->what, sizeof p->what, "expected an fd at column %zu", c->i + 1);
		return false;
	}
	fd->num = v;
	if (c_peek(c) != '<')
		return true;
	size_t st = ++c->i;
	/* "[a->b]" holds a '>'; devices nest: "/dev/null<char 1:3>" */
	int depth = 0, angle = 0;
	bool inq = false;
	for (;;) {
		c_run(c, CH_ANN);
		if (c->i >= c->n)
			break;
		char ch = c->s[c->i];
		if (inq) {
			if (ch == '\\' && c->i + 1 < c->n)
				c->i++;
			else if (ch == '"')
				inq = false;
		} else if (ch == '"') {
			inq = true;
		} else if (ch == '[') {
			depth++;
		} else if (ch == ']') {
			if (depth > 0)
				depth--;
		} else if (ch == '<' && depth == 0) {
			angle++;
		} else if (ch == '>' && depth == 0) {
			if (angle == 0)
				break;
			angle--;
		}
		c->i++;
	}
	if (c->i >= c->n) {
		snprintf(p->what, sizeof p->what, "unterminated fd annotation");
		return false;
	}
	fd->ann = c->s + st;
	fd->ann_len = c->i - st;
	c->i++;
	if (c_lit(c, "(deleted)"))
		fd->deleted = true;
	return true;
}

/* An array of structures, "[{f=v, ...}, ..., ...]", as sendmsg's iovecs
 * and cmsgs are printed. Each field goes to field(), which returns 1 when
 * it took the field, 0 for one to skip, -1 on error (p->what set); elem is
 * the structure's state, cleared (elem_size bytes, 0 for state that runs
 * over the whole array) before each. "..." in
 * the array sets *cut when cut is given. Messages name the parts. */
struct c_array {
	const char *elem, *array;   /* "iovec", "iovec array" */
	const char *bad_elem, *bad_array;
	bool say_limit;             /* "more than 1024 iovecs", not "too many cmsgs" */
	int (*field)(struct st_parser *p, struct cur *c, struct st_call *k, void *elem);
	size_t elem_size;
};

/* Inlined so that each caller's field() is a direct call. */
static inline __attribute__((always_inline)) bool
c_struct_array(struct st_parser *p, struct cur *c, struct st_call *k, const struct c_array *a,
	       void *elem, bool *cut)
{
	unsigned count = 0;
	for (;;) {
		c_ws(c);
		if (c_lit(c, "]"))
			return true;
		if (c_lit(c, "...")) {
			if (cut)
				*cut = true;
		} else if (c_lit(c, "{")) {
			if (++count > ST_MAX_IOV) {
				if (a->say_limit)
					snprintf(p->what, sizeof p->what, "more than %u %ss",
						 ST_MAX_IOV, a->elem);
				else
					snprintf(p->what, sizeof p->what, "too many %ss", a->elem);
				return false;
			}
			memset(elem, 0, a->elem_size);
			for (;;) {
				c_ws(c);
				if (c_lit(c, "}"))
					break;
				int took = a->field(p, c, k, elem);
				if (took < 0)
					return false;
				if (took == 0 && (!c_skip_value(c) || c_eof(c))) {
					snprintf(p->what, sizeof p->what, "%s", a->bad_elem);
					return false;
				}
				int nx = c_next(p, c, '}', a->elem);
				if (nx < 0)
					return false;
				if (nx == 0)
					break;
			}
		} else {
			snprintf(p->what, sizeof p->what, "%s at column %zu", a->bad_array, c->i + 1);
			return false;
		}
		int nx = c_next(p, c, ']', a->array);
		if (nx <= 0)
			return nx == 0;
	}
}

static int iov_field(struct st_parser *p, struct cur *c, struct st_call *k, void *elem)
{
	size_t *len = *(size_t **)elem;
	if (c_lit(c, "iov_base="))
		return c_data(p, c, k, len) ? 1 : -1;
	if (c_lit(c, "iov_len=")) {
		uint64_t v;
		if (!c_u64(c, &v)) {
			snprintf(p->what, sizeof p->what, "bad iov_len at column %zu", c->i + 1);
			return -1;
		}
		return 1;
	}
	return 0;
}

/* "[{iov_base="..", iov_len=N}, ...]" or an address. */
static bool c_iovs(struct st_parser *p, struct cur *c, struct st_call *k, size_t *len)
{
	static const struct c_array iovecs = {
		"iovec", "iovec array", "bad iovec", "bad iovec array", true,
		iov_field, 0,
	};
	c_ws(c);
	if (!c_lit(c, "[")) {
		k->data_absent = true;
		return c_skip_value(c);
	}
	/* The element state is the running length, kept across elements. */
	size_t *elem = len;
	return c_struct_array(p, c, k, &iovecs, &elem, &k->data_cut);
}

static bool add_pfd(struct st_parser *p, struct st_call *k, const struct st_fdarg *fd)
{
	if (k->npfds >= ST_MAX_CALL_FDS) {
		snprintf(p->what, sizeof p->what, "more than %u fds in one call", ST_MAX_CALL_FDS);
		return false;
	}
	if (k->npfds + 1 > p->pfds_cap)
		p->pfds = xgrow(p->pfds, &p->pfds_cap, k->npfds + 1, sizeof *p->pfds);
	p->pfds[k->npfds++] = *fd;
	return true;
}

/* cmsg_data=[fd, ...] of an SCM_RIGHTS cmsg. */
static bool c_cmsg_fds(struct st_parser *p, struct cur *c, struct st_call *k)
{
	unsigned nf = 0;
	for (;;) {
		c_ws(c);
		if (c_lit(c, "]"))
			return true;
		if (c_lit(c, "...")) {
			k->ctrunc = true;
		} else {
			struct st_fdarg fd;
			if (!c_fdarg(p, c, &fd))
				return false;
			if (++nf > ST_MAX_CMSG_FDS) {
				snprintf(p->what, sizeof p->what, "more than %u fds in one cmsg",
					 ST_MAX_CMSG_FDS);
				return false;
			}
			if (!add_pfd(p, k, &fd))
				return false;
		}
		int nx = c_next(p, c, ']', "cmsg_data");
		if (nx <= 0)
			return nx == 0;
	}
}

static int cmsg_field(struct st_parser *p, struct cur *c, struct st_call *k, void *elem)
{
	bool *rights = elem;
	if (c_lit(c, "cmsg_type=")) {
		*rights = c_lit(c, "SCM_RIGHTS");
		return c_skip_value(c) ? 1 : -1;
	}
	if (*rights && c_lit(c, "cmsg_data=["))
		return c_cmsg_fds(p, c, k) ? 1 : -1;
	return 0;
}

/* msg_control=[{cmsg_len=.., cmsg_level=.., cmsg_type=SCM_RIGHTS, cmsg_data=[fd, ...]}] */
static bool c_cmsgs(struct st_parser *p, struct cur *c, struct st_call *k)
{
	static const struct c_array cmsgs = {
		"cmsg", "msg_control", "bad cmsg", "bad msg_control", false,
		cmsg_field, sizeof(bool),
	};
	c_ws(c);
	if (!c_lit(c, "["))
		return c_skip_value(c);
	bool rights;
	return c_struct_array(p, c, k, &cmsgs, &rights, NULL);
}

/* Does the value at the cursor (up to the next top-level , or bracket)
 * contain word? Advances past the value. Values are short ("0",
 * "MSG_NOSIGNAL"): a plain scan beats memmem's set-up. */
static bool c_value_has_n(struct cur *c, const char *word, size_t wl, bool *ok)
{
	size_t st = c->i;
	*ok = c_skip_value(c);
	for (size_t j = st; j + wl <= c->i; j++)
		if (c->s[j] == word[0] && memcmp(c->s + j, word, wl) == 0)
			return true;
	return false;
}
#define c_value_has(c, word, ok) c_value_has_n((c), "" word, sizeof(word) - 1, (ok))

/* {msg_name=.., msg_iov=[..], msg_control=[..], msg_flags=..} */
static bool c_msghdr(struct st_parser *p, struct cur *c, struct st_call *k, size_t *len)
{
	c_ws(c);
	if (!c_lit(c, "{")) {
		k->data_absent = true;
		return c_skip_value(c);
	}
	bool saw_iov = false;
	for (;;) {
		c_ws(c);
		if (c_lit(c, "}"))
			break;
		bool ok = true;
		if (c_lit(c, "msg_iov=")) {
			saw_iov = true;
			ok = c_iovs(p, c, k, len);
		} else if (c_lit(c, "msg_control=")) {
			ok = c_cmsgs(p, c, k);
		} else if (c_lit(c, "msg_flags=")) {
			if (c_value_has(c, "MSG_CTRUNC", &ok))
				k->ctrunc = true;
		} else if (c_lit(c, "...")) {
			k->data_cut = !saw_iov ? true : k->data_cut;
		} else {
			ok = c_skip_value(c) && !c_eof(c);
		}
		if (!ok) {
			if (!p->what[0])
				snprintf(p->what, sizeof p->what, "bad msghdr at column %zu", c->i + 1);
			return false;
		}
		int nx = c_next(p, c, '}', "msghdr");
		if (nx < 0)
			return false;
		if (nx == 0)
			break;
	}
	if (!saw_iov)
		k->data_absent = true;
	return true;
}

static const struct {
	const char *name;
	size_t len;
	enum st_sys sys;
} sysnames[] = {
#define SYSNAME(n, s) { n, sizeof(n) - 1, s }
	SYSNAME("read", ST_SYS_READ),       SYSNAME("write", ST_SYS_WRITE),
	SYSNAME("readv", ST_SYS_READV),     SYSNAME("writev", ST_SYS_WRITEV),
	SYSNAME("recvmsg", ST_SYS_RECVMSG), SYSNAME("sendmsg", ST_SYS_SENDMSG),
	SYSNAME("recvfrom", ST_SYS_RECVFROM), SYSNAME("sendto", ST_SYS_SENDTO),
#undef SYSNAME
};

enum st_sys st_sys_by_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof sysnames / sizeof sysnames[0]; i++)
		if (sysnames[i].len == n && memcmp(sysnames[i].name, s, n) == 0)
			return sysnames[i].sys;
	return ST_SYS_OTHER;
}

static bool c_name(struct cur *c, enum st_sys *sys)
{
	size_t st = c->i;
	while (c->i < c->n && is_ident(c->s[c->i]))
		c->i++;
	if (c->i == st)
		return false;
	*sys = st_sys_by_name(c->s + st, c->i - st);
	return true;
}

int st_parse_head(const char *s, size_t n, enum st_sys *sys, struct st_fdarg *fd)
{
	struct cur c = { s, n, 0 };
	struct st_parser dummy = { 0 };
	if (!c_name(&c, sys) || !c_lit(&c, "("))
		return -1;
	if (*sys == ST_SYS_OTHER)
		return 0;
	return c_fdarg(&dummy, &c, fd) ? 0 : -1;
}

/* Skip the remaining arguments up to and including the call's ')'. */
static bool c_rest_args(struct cur *c)
{
	for (;;) {
		if (!c_skip_value(c) || c_eof(c))
			return false;
		char ch = c->s[c->i++];
		if (ch == ')')
			return true;
		if (ch != ',')
			return false;
	}
}

int st_parse_call(struct st_parser *p, const char *s, size_t n, struct st_call *k)
{
	struct cur c = { s, n, 0 };
	memset(k, 0, sizeof *k);
	p->what[0] = '\0';
	p->raw = 0;
	k->fd.num = -1;
	size_t len = 0;
	if (!c_name(&c, &k->sys) || !c_lit(&c, "(")) {
		snprintf(p->what, sizeof p->what, "not a syscall line");
		return -1;
	}
	if (k->sys == ST_SYS_OTHER) {
		if (!c_rest_args(&c))
			goto bad_args;
		goto result;
	}
	if (!c_fdarg(p, &c, &k->fd))
		return -1;
	c_ws(&c);
	if (!c_lit(&c, ","))
		goto bad_args;
	bool ok = true;
	switch (k->sys) {
	case ST_SYS_READ:
	case ST_SYS_WRITE:
	case ST_SYS_RECVFROM:
	case ST_SYS_SENDTO:
		ok = c_data(p, &c, k, &len);
		if (ok && (k->sys == ST_SYS_RECVFROM || k->sys == ST_SYS_SENDTO)) {
			/* ", len, flags, ..." */
			c_ws(&c);
			ok = c_lit(&c, ",") && c_skip_value(&c) && c_lit(&c, ",");
			if (ok) {
				c_ws(&c);
				k->peek = c_value_has(&c, "MSG_PEEK", &ok);
			}
		}
		break;
	case ST_SYS_READV:
	case ST_SYS_WRITEV:
		ok = c_iovs(p, &c, k, &len);
		break;
	case ST_SYS_RECVMSG:
	case ST_SYS_SENDMSG:
		ok = c_msghdr(p, &c, k, &len);
		if (ok) {
			c_ws(&c);
			ok = c_lit(&c, ",");
			if (ok) {
				c_ws(&c);
				k->peek = c_value_has(&c, "MSG_PEEK", &ok);
			}
		}
		break;
	default:
		break;
	}
	if (!ok) {
		if (p->what[0])
			return -1;
		goto bad_args;
	}
	if (c_peek(&c) == ')')
		c.i++;
	else if (!c_lit(&c, ",") || !c_rest_args(&c))
		goto bad_args;
result:
	c_ws(&c);
	if (!c_lit(&c, "=")) {
		snprintf(p->what, sizeof p->what, "no result (\" = N\")");
		return -1;
	}
	c_ws(&c);
	if (c_lit(&c, "?")) {
		k->res_known = false;
	} else {
		if (!c_i64(&c, &k->res)) {
			snprintf(p->what, sizeof p->what, "bad result at column %zu", c.i + 1);
			return -1;
		}
		k->res_known = true;
		if (k->res < 0) {
			c_ws(&c);
			size_t st = c.i, m = 0;
			while (c.i < c.n && is_ident(c.s[c.i]) && m + 1 < sizeof k->err)
				k->err[m++] = c.s[c.i++];
			k->err[m] = '\0';
			(void)st;
		}
	}
	k->data = p->data;
	k->data_len = len;
	k->raw_chars = p->raw;
	k->pfds = p->pfds;
	return 0;
bad_args:
	snprintf(p->what, sizeof p->what, "garbled arguments near column %zu", c.i + 1);
	return -1;
}

int st_parse_gen(struct st_parser *p, const char *s, size_t n, struct st_gen_call *g)
{
	struct cur c = { s, n, 0 };
	memset(g, 0, sizeof *g);
	p->what[0] = '\0';
	size_t st = c.i;
	while (c.i < c.n && is_ident(c.s[c.i]))
		c.i++;
	if (c.i == st || !c_lit(&c, "(")) {
		snprintf(p->what, sizeof p->what, "not a syscall line");
		return -1;
	}
	g->name = s + st;
	g->name_len = c.i - 1 - st;
	c_ws(&c);
	if (c_peek(&c) == ')') {
		c.i++;
	} else {
		for (;;) {
			c_ws(&c);
			size_t a = c.i;
			if (!c_skip_value(&c) || c_eof(&c) || g->nargs >= ST_GEN_MAX_ARGS) {
				snprintf(p->what, sizeof p->what, "garbled arguments near column %zu", c.i + 1);
				return -1;
			}
			size_t e = c.i;
			while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
				e--;
			g->arg[g->nargs].s = s + a;
			g->arg[g->nargs].n = e - a;
			g->nargs++;
			char ch = c.s[c.i++];
			if (ch == ')')
				break;
			if (ch != ',') {
				snprintf(p->what, sizeof p->what, "garbled arguments near column %zu", c.i);
				return -1;
			}
		}
	}
	c_ws(&c);
	if (!c_lit(&c, "=")) {
		snprintf(p->what, sizeof p->what, "no result (\" = N\")");
		return -1;
	}
	c_ws(&c);
	if (c_lit(&c, "?"))
		return 0;
	if (!c_i64(&c, &g->res)) {
		snprintf(p->what, sizeof p->what, "bad result at column %zu", c.i + 1);
		return -1;
	}
	g->res_known = true;
	if (g->res < 0) {
		c_ws(&c);
		size_t m = 0;
		while (c.i < c.n && is_ident(c.s[c.i]) && m + 1 < sizeof g->err)
			g->err[m++] = c.s[c.i++];
		g->err[m] = '\0';
	}
	return 0;
}

int st_parse_fd_text(struct st_parser *p, const char *s, size_t n, struct st_fdarg *fd)
{
	struct cur c = { s, n, 0 };
	return c_fdarg(p, &c, fd) ? 0 : -1;
}

void st_parser_free(struct st_parser *p)
{
	free(p->data);
	free(p->pfds);
	memset(p, 0, sizeof *p);
}

void st_decode_text(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0, i = 0;
	if (!outlen)
		return;
	while (i < n && o + 1 < outlen) {
		int b;
		if (s[i] == '\\') {
			size_t j = i;
			b = decode_escape(s, n, &j);
			if (b < 0) {
				b = '\\';
				i++;
			} else {
				i = j;
			}
		} else {
			b = (unsigned char)s[i++];
		}
		out[o++] = (b >= 0x20 && b < 0x7f) ? (char)b : '?';
	}
	out[o] = '\0';
}
