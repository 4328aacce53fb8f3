/* The vhost-user stream parser: turns a byte stream (one direction of one
 * connection) into whole messages, whatever the chunking of the reads
 * that delivered it. Used by the strace importer and the fuzzers; any
 * byte-stream source frames with this. */
#ifndef VCTS_VU_STREAM_H
#define VCTS_VU_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/wire.h"

enum vu_frame_status {
	VU_FRAME_MORE = 0,   /* all input consumed, no message complete */
	VU_FRAME_HEADER,     /* a header just completed: inspect f->hdr */
	VU_FRAME_MESSAGE,    /* a whole message: header + payload in f */
	VU_FRAME_OVERSIZE,   /* header claims more than max_payload: stream dead */
};

struct vu_framer {
	uint8_t hdr[VU_HDR_SIZE];
	uint32_t hdr_have;
	uint8_t *pl;
	size_t pl_cap;
	uint32_t pl_have;
	uint32_t max_payload;   /* 0 = VU_PARSER_MAX_PAYLOAD */
	bool dead;
};

void vu_framer_init(struct vu_framer *f, uint32_t max_payload);
void vu_framer_free(struct vu_framer *f);
/* At a message boundary (nothing of the next message buffered yet)? */
static inline bool vu_framer_idle(const struct vu_framer *f) { return f->hdr_have == 0; }
/* Bytes of a message buffered so far (for "EOF cut a message" reports). */
uint32_t vu_framer_pending(const struct vu_framer *f);
/* Consume input (data, len) until something happens. Call it in a loop
 * until it returns VU_FRAME_MORE (all input consumed): an empty payload
 * completes on the call after its HEADER even with no input left. After
 * VU_FRAME_MESSAGE the message is in hdr/pl until the next call. */
enum vu_frame_status vu_framer_push(struct vu_framer *f, const uint8_t **data, size_t *len);
static inline uint32_t vu_framer_request(const struct vu_framer *f) { return vu_rd32(f->hdr); }
static inline uint32_t vu_framer_flags(const struct vu_framer *f) { return vu_rd32(f->hdr + 4); }
static inline uint32_t vu_framer_size(const struct vu_framer *f) { return vu_rd32(f->hdr + 8); }
#endif
