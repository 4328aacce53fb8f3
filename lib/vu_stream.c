#include "vcts/vu_stream.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

void vu_framer_init(struct vu_framer *f, uint32_t max_payload)
{
	memset(f, 0, sizeof *f);
	f->max_payload = max_payload ? max_payload : VU_PARSER_MAX_PAYLOAD;
}

void vu_framer_free(struct vu_framer *f)
{
	free(f->pl);
	f->pl = NULL;
	f->pl_cap = 0;
}

uint32_t vu_framer_pending(const struct vu_framer *f)
{
	return f->hdr_have + (f->hdr_have == VU_HDR_SIZE ? f->pl_have : 0);
}

enum vu_frame_status vu_framer_push(struct vu_framer *f, const uint8_t **data, size_t *len)
{
	if (f->dead) {
		if (*len)
			*data += *len;
		*len = 0;
		return VU_FRAME_MORE;
	}
	if (f->hdr_have < VU_HDR_SIZE) {
		size_t take = VU_HDR_SIZE - f->hdr_have;
		if (take > *len)
			take = *len;
		if (!take)
			return VU_FRAME_MORE; /* nothing to read (data may be NULL) */
		memcpy(f->hdr + f->hdr_have, *data, take);
		f->hdr_have += (uint32_t)take;
		*data += take;
		*len -= take;
		if (f->hdr_have < VU_HDR_SIZE)
			return VU_FRAME_MORE;
		uint32_t size = vu_framer_size(f);
		/* A zeroed framer (max_payload 0) uses the parser's limit. */
		if (size > (f->max_payload ? f->max_payload : VU_PARSER_MAX_PAYLOAD)) {
			f->dead = true;
			return VU_FRAME_OVERSIZE;
		}
		f->pl_have = 0;
		return VU_FRAME_HEADER;
	}
	uint32_t size = vu_framer_size(f);
	size_t take = size - f->pl_have;
	if (take > *len)
		take = *len;
	if (take) {
		/* The buffer grows with the bytes that arrive, not with what the
		 * header claims: a hostile size costs nothing until it is sent. */
		if (f->pl_cap < f->pl_have + take) {
			size_t cap = f->pl_cap ? f->pl_cap * 2 : 256;
			if (cap < f->pl_have + take)
				cap = f->pl_have + take;
			if (cap > size)
				cap = size;
			f->pl = xrealloc(f->pl, cap);
			f->pl_cap = cap;
		}
		memcpy(f->pl + f->pl_have, *data, take);
		f->pl_have += (uint32_t)take;
		*data += take;
		*len -= take;
	}
	if (f->pl_have < size)
		return VU_FRAME_MORE;
	/* Whole: the next push starts a new header. */
	f->hdr_have = 0;
	return VU_FRAME_MESSAGE;
}
