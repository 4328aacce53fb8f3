/* The importers' open-addressing hash table: a (kind, a, b) key to a u32
 * (endpoints by inode or pid+fd, processes, back-end channels). */
#include "lib/trace/strace_priv.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint8_t kind, uint64_t a, uint64_t b)
{
	uint64_t h = (a * 0x9e3779b97f4a7c15ull) ^ (b + 0x632be59bd9b4e019ull + kind);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static size_t find_slot(const struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b, bool *found)
{
	size_t mask = h->cap - 1, i = (size_t)mix(kind, a, b) & mask, tomb = SIZE_MAX;
	for (;;) {
		const struct st_hent *e = &h->e[i];
		if (e->kind == 0) {
			*found = false;
			return tomb != SIZE_MAX ? tomb : i;
		}
		if (e->kind == 0xff) {
			if (tomb == SIZE_MAX)
				tomb = i;
		} else if (e->kind == kind && e->a == a && e->b == b) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

bool st_hash_get(const struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b, uint32_t *val)
{
	if (!h->cap)
		return false;
	bool found;
	size_t i = find_slot(h, kind, a, b, &found);
	if (found)
		*val = h->e[i].val;
	return found;
}

static void rehash(struct st_hash *h, size_t ncap)
{
	struct st_hent *old = h->e;
	size_t ocap = h->cap;
	h->e = xcalloc(ncap, sizeof *h->e);
	h->cap = ncap;
	h->used = h->live = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].kind != 0 && old[i].kind != 0xff)
			st_hash_put(h, old[i].kind, old[i].a, old[i].b, old[i].val);
	free(old);
}

void st_hash_put(struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b, uint32_t val)
{
	if ((h->used + 1) * 2 > h->cap)
		rehash(h, h->cap ? (h->live * 4 > h->cap ? h->cap * 2 : h->cap) : 64);
	bool found;
	size_t i = find_slot(h, kind, a, b, &found);
	struct st_hent *e = &h->e[i];
	if (!found) {
		if (e->kind == 0)
			h->used++;
		h->live++;
	}
	e->kind = kind;
	e->a = a;
	e->b = b;
	e->val = val;
}

void st_hash_del(struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b)
{
	if (!h->cap)
		return;
	bool found;
	size_t i = find_slot(h, kind, a, b, &found);
	if (found) {
		h->e[i].kind = 0xff;
		h->live--;
	}
}

void st_hash_clear(struct st_hash *h)
{
	if (h->cap)
		memset(h->e, 0, h->cap * sizeof *h->e);
	h->used = h->live = 0;
}

void st_hash_free(struct st_hash *h)
{
	free(h->e);
	memset(h, 0, sizeof *h);
}
