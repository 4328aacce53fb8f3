/* Numbers written as text (command-line values, fake specs, strace
 * arguments): one reading for all, so "0x10", "16" and "020" mean the
 * same everywhere and a sign, a space or trailing junk is refused. */
#ifndef VCTS_PARSE_NUM_H
#define VCTS_PARSE_NUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The n bytes at s (no NUL needed) as one unsigned C integer: decimal,
 * 0x hex or 0 octal, starting with a digit, at most 39 characters, no
 * more than UINT64_MAX. false leaves *v alone. */
bool vc_parse_u64(const char *s, size_t n, uint64_t *v);
/* The same for a NUL-terminated string. */
bool vc_parse_u64_str(const char *s, uint64_t *v);
/* The value of one hex digit (either case), -1 when c is none. Inline:
 * the strace and native readers call it for every digit. */
static inline int vc_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
#endif
