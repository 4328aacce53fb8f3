#include "lib/u64map.h"
#include "lib/xalloc.h"

#include <stdlib.h>

static size_t slot(const struct u64map *m, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 32) & (m->cap - 1);
	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val)
{
	if (!m->cap)
		return false;
	size_t i = slot(m, key);
	if (!m->used[i])
		return false;
	if (val)
		*val = m->vals[i];
	return true;
}

void u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	/* Keep the load under one half so probes stay short. */
	if ((m->n + 1) * 2 > m->cap) {
		struct u64map g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 16;
		g.keys = xcalloc(g.cap, sizeof *g.keys);
		g.vals = xcalloc(g.cap, sizeof *g.vals);
		g.used = xcalloc(g.cap, 1);
		for (size_t i = 0; i < m->cap; i++)
			if (m->used[i]) {
				size_t j = slot(&g, m->keys[i]);
				g.used[j] = 1;
				g.keys[j] = m->keys[i];
				g.vals[j] = m->vals[i];
				g.n++;
			}
		u64map_free(m);
		*m = g;
	}
	size_t i = slot(m, key);
	if (!m->used[i])
		m->n++;
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = val;
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	m->keys = NULL;
	m->vals = NULL;
	m->used = NULL;
	m->cap = m->n = 0;
}
