/* A set of [first, last] ranges (IOTLB mappings with their user address
 * and permission), kept sorted by first. While no two overlap their ends
 * ascend with their starts and every query is a binary search; once two
 * overlap (a hostile trace, a misbehaving fake) queries scan. The fake vDPA
 * device and the vDPA rules each keep one per address space. */
#ifndef VCTS_RANGES_H
#define VCTS_RANGES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bound on the ranges of one set: an insertion or removal in the middle
 * moves at most this many (at either end it moves none). */
#define VC_RANGES_MAX (1u << 16)

struct vc_range {
	uint64_t first, last;
	uint64_t uaddr;
	uint8_t perm;
};

struct vc_ranges {
	struct vc_range *m; /* the ranges are m[off .. off + n) */
	size_t off, n, cap;
	bool overlapping;   /* two ranges have overlapped since the set was empty */
};

/* The i-th range in order of first (i < n). */
static inline const struct vc_range *vc_ranges_get(const struct vc_ranges *s, size_t i)
{
	return &s->m[s->off + i];
}

/* Insert (before any range with the same first); false when full. */
bool vc_ranges_add(struct vc_ranges *s, const struct vc_range *r);
/* Does any range meet [first, last]? *hit: the first of the lowest one. */
bool vc_ranges_overlap(const struct vc_ranges *s, uint64_t first, uint64_t last, uint64_t *hit);
/* Remove every range that meets [first, last]. */
void vc_ranges_remove(struct vc_ranges *s, uint64_t first, uint64_t last);
/* Is [first, last] covered by the union of the ranges? */
bool vc_ranges_covers(const struct vc_ranges *s, uint64_t first, uint64_t last);
void vc_ranges_free(struct vc_ranges *s);
#endif
