/* Allocation that cannot return NULL: out of memory ends the tool with a
 * message instead of a crash later. */
#ifndef VCTS_XALLOC_H
#define VCTS_XALLOC_H
#include <stddef.h>
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
/* Grow an array to hold at least want elements (doubling). */
void *xgrow(void *p, size_t *cap, size_t want, size_t elem);
char *xstrdup(const char *s);
#endif
