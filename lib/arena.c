#include "lib/arena.h"
#include "lib/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Chunks start small (most traces a fuzzer or a test builds are tiny, and
 * a big first allocation costs page faults every time) and double up to
 * CHUNK_MAX for the large recordings. */
#define CHUNK_MIN (4u * 1024u)
#define CHUNK_MAX (256u * 1024u)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct vc_arena {
	struct chunk *head;
	size_t next_cap;
};

struct vc_arena *vc_arena_new(void)
{
	return xcalloc(1, sizeof(struct vc_arena));
}

void vc_arena_free(struct vc_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void vc_arena_reset(struct vc_arena *a)
{
	/* Keep the newest (largest) chunk: a reused trace allocates nothing
	 * until it outgrows what the last one needed. */
	struct chunk *keep = a->head;
	if (!keep)
		return;
	for (struct chunk *c = keep->next, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	keep->next = NULL;
	keep->used = 0;
}

void *vc_arena_alloc(struct vc_arena *a, size_t n)
{
	n = (n + 15u) & ~(size_t)15u;
	if (!a->head || a->head->cap - a->head->used < n) {
		if (a->next_cap < CHUNK_MIN)
			a->next_cap = CHUNK_MIN;
		size_t cap = n > a->next_cap ? n : a->next_cap;
		if (a->next_cap < CHUNK_MAX)
			a->next_cap *= 2;
		struct chunk *c = xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

void *vc_arena_memdup(struct vc_arena *a, const void *p, size_t n)
{
	void *d = vc_arena_alloc(a, n ? n : 1);
	if (n)
		memcpy(d, p, n);
	return d;
}
