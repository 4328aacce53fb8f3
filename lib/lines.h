/* Walking a buffer line by line: the line-based importers (strace, QEMU
 * logs, the vDPA variants) share this instead of each splitting lines.
 * Honours len (input is not NUL-terminated); strips a trailing CR. */
#ifndef VCTS_LINES_H
#define VCTS_LINES_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct vc_lines {
	const char *buf;
	size_t len, pos;
	uint64_t ln;   /* 1-based number of the line last returned */
};

static inline void vc_lines_init(struct vc_lines *it, const char *buf, size_t len)
{
	it->buf = buf;
	it->len = buf ? len : 0;
	it->pos = 0;
	it->ln = 0;
}

static inline bool vc_lines_next(struct vc_lines *it, const char **line, size_t *n)
{
	if (it->pos >= it->len)
		return false;
	const char *l = it->buf + it->pos;
	const char *nl = memchr(l, '\n', it->len - it->pos);
	size_t k = nl ? (size_t)(nl - l) : it->len - it->pos;
	it->pos += k + (nl ? 1 : 0);
	if (k && l[k - 1] == '\r')
		k--;
	it->ln++;
	*line = l;
	*n = k;
	return true;
}
#endif
