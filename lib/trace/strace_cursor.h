/* Private to the strace parser (strace_parse.c, strace_sock.c): a cursor
 * over one line that is not NUL-terminated, and the few readings every
 * part of a line needs. Inline: they run for every character. */
#ifndef VCTS_STRACE_CURSOR_H
#define VCTS_STRACE_CURSOR_H

#include "lib/parse_num.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const char *s;
	size_t n, i;
};

static inline bool c_eof(const struct cur *c) { return c->i >= c->n; }
static inline char c_peek(const struct cur *c) { return c->i < c->n ? c->s[c->i] : '\0'; }

static inline bool c_lit_n(struct cur *c, const char *lit, size_t l)
{
	if (c->n - c->i < l || memcmp(c->s + c->i, lit, l) != 0)
		return false;
	c->i += l;
	return true;
}
/* Literals only: their length is known when compiled. */
#define c_lit(c, lit) c_lit_n((c), "" lit, sizeof(lit) - 1)

static inline void c_ws(struct cur *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
		c->i++;
}

static inline bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Unsigned decimal or 0x hex; false on no digits or overflow. */
static inline bool c_u64(struct cur *c, uint64_t *out)
{
	uint64_t v = 0;
	size_t st = c->i;
	if (c->n - c->i > 2 && c->s[c->i] == '0' && (c->s[c->i + 1] == 'x' || c->s[c->i + 1] == 'X') &&
	    vc_hex_digit(c->s[c->i + 2]) >= 0) {
		c->i += 2;
		while (c->i < c->n && vc_hex_digit(c->s[c->i]) >= 0) {
			if (v >> 60)
				return false;
			v = v * 16 + (uint64_t)vc_hex_digit(c->s[c->i++]);
		}
		*out = v;
		return true;
	}
	while (c->i < c->n && is_digit(c->s[c->i])) {
		uint64_t d = (uint64_t)(c->s[c->i] - '0');
		/* overflow test without a division per digit */
		if (v >= UINT64_MAX / 10 && (v > UINT64_MAX / 10 || d > UINT64_MAX % 10))
			return false;
		v = v * 10 + d;
		c->i++;
	}
	if (c->i == st)
		return false;
	*out = v;
	return true;
}

#endif
