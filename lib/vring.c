/* The packed-ring state word of SET/GET_VRING_BASE (include/vcts/vring.h). */
#include "vcts/vring.h"

#include <stdio.h>

void vu_packed_base_dec(uint32_t num, struct vu_packed_base *out)
{
	out->avail = (uint16_t)(num & VU_PACKED_IDX_MASK);
	out->avail_wrap = (num & VU_PACKED_AVAIL_WRAP) != 0;
	out->used = (uint16_t)((num >> VU_PACKED_USED_SHIFT) & VU_PACKED_IDX_MASK);
	out->used_wrap = (num & VU_PACKED_USED_WRAP) != 0;
}

uint32_t vu_packed_base_enc(const struct vu_packed_base *b)
{
	return ((uint32_t)b->avail & VU_PACKED_IDX_MASK) | (b->avail_wrap ? VU_PACKED_AVAIL_WRAP : 0) |
	       (((uint32_t)b->used & VU_PACKED_IDX_MASK) << VU_PACKED_USED_SHIFT) |
	       (b->used_wrap ? VU_PACKED_USED_WRAP : 0);
}

const char *vu_packed_base_str(uint32_t num, char *buf, size_t len)
{
	struct vu_packed_base b;
	vu_packed_base_dec(num, &b);
	snprintf(buf, len, "avail %u wrap %d used %u wrap %d", b.avail, b.avail_wrap, b.used,
		 b.used_wrap);
	return buf;
}

uint32_t vu_packed_base_held(const struct vu_packed_base *b, uint32_t size)
{
	uint32_t lap = 2 * size;
	uint32_t a = b->avail + (b->avail_wrap ? 0 : size);
	uint32_t u = b->used + (b->used_wrap ? 0 : size);
	return (a + lap - u) % lap;
}

void vu_packed_advance(uint16_t *pos, bool *wrap, uint32_t n, uint32_t size)
{
	uint32_t p = *pos + n % size;
	if (n >= size && (n / size) % 2)
		*wrap = !*wrap;
	if (p >= size) {
		p -= size;
		*wrap = !*wrap;
	}
	*pos = (uint16_t)p;
}
