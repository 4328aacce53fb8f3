/* A bump allocator for a trace's payload bytes and strings: freed all at
 * once with the trace. */
#ifndef VCTS_ARENA_H
#define VCTS_ARENA_H
#include <stddef.h>

struct vc_arena;
struct vc_arena *vc_arena_new(void);
void vc_arena_free(struct vc_arena *a);
/* Forget every allocation, keep memory for reuse. */
void vc_arena_reset(struct vc_arena *a);
/* Never returns NULL (aborts on out-of-memory like the rest of the tool). */
void *vc_arena_alloc(struct vc_arena *a, size_t n);
void *vc_arena_memdup(struct vc_arena *a, const void *p, size_t n);
#endif
