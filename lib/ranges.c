#include "lib/ranges.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The live ranges. Ranges leave the front (unmapped in order, as at
 * teardown) by moving off, not by moving the rest. */
#define V(s) ((s)->m + (s)->off)

/* First index whose range starts after x. */
static size_t upper(const struct vc_ranges *s, uint64_t x)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (V(s)[mid].first <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Disjoint sets only: the first index below end whose range reaches x,
 * end if none. */
static size_t reaching(const struct vc_ranges *s, uint64_t x, size_t end)
{
	size_t lo = 0, hi = end;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (V(s)[mid].last < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool vc_ranges_add(struct vc_ranges *s, const struct vc_range *r)
{
	if (s->n >= VC_RANGES_MAX)
		return false;
	size_t at = upper(s, r->first);
	while (at > 0 && V(s)[at - 1].first == r->first)
		at--;
	if ((at > 0 && V(s)[at - 1].last >= r->first) || (at < s->n && V(s)[at].first <= r->last))
		s->overlapping = true;
	if (at == 0 && s->off > 0) {
		s->off--; /* room before the first */
	} else {
		if (s->off && s->off + s->n == s->cap) {
			/* the front's free room is needed at the back */
			memmove(s->m, V(s), s->n * sizeof *s->m);
			s->off = 0;
		}
		s->m = xgrow(s->m, &s->cap, s->off + s->n + 1, sizeof *s->m);
		memmove(&V(s)[at + 1], &V(s)[at], (s->n - at) * sizeof *s->m);
	}
	V(s)[at] = *r;
	s->n++;
	return true;
}

bool vc_ranges_overlap(const struct vc_ranges *s, uint64_t first, uint64_t last, uint64_t *hit)
{
	size_t end = upper(s, last); /* candidates start at or before last */
	size_t i = s->overlapping ? 0 : reaching(s, first, end);
	for (; i < end; i++)
		if (V(s)[i].last >= first) {
			if (hit)
				*hit = V(s)[i].first;
			return true;
		}
	return false;
}

void vc_ranges_remove(struct vc_ranges *s, uint64_t first, uint64_t last)
{
	if (!s->n)
		return;
	size_t end = upper(s, last);
	if (!s->overlapping) {
		/* disjoint: the ranges removed are one run ending at end */
		size_t lo = reaching(s, first, end);
		if (lo == 0)
			s->off += end;
		else
			memmove(&V(s)[lo], &V(s)[end], (s->n - end) * sizeof *s->m);
		s->n -= end - lo;
	} else {
		size_t w = 0;
		for (size_t i = 0; i < s->n; i++)
			if (!(V(s)[i].first <= last && V(s)[i].last >= first))
				V(s)[w++] = V(s)[i];
		s->n = w;
	}
	if (!s->n) {
		s->off = 0;
		s->overlapping = false;
	}
}

bool vc_ranges_covers(const struct vc_ranges *s, uint64_t first, uint64_t last)
{
	uint64_t need = first;
	size_t i = s->overlapping ? 0 : reaching(s, need, s->n);
	for (; i < s->n; i++) {
		if (V(s)[i].first > need)
			break;
		if (V(s)[i].last >= need) {
			if (V(s)[i].last >= last)
				return true;
			need = V(s)[i].last + 1;
		}
	}
	return false;
}

void vc_ranges_free(struct vc_ranges *s)
{
	free(s->m);
	memset(s, 0, sizeof *s);
}
