/* The input format fuzz_stream and fuzz_engine share: chunks of
 * [u8 len][u8 ctl][len bytes], a short last chunk taking what is left.
 * ctl bit 0 is the direction, bits 1-5 a simulated fd count of the
 * syscall carrying the chunk, bit 6 the channel (main or back-end). */
#ifndef VCTS_FUZZ_CHUNKS_H
#define VCTS_FUZZ_CHUNKS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fz_chunks {
	const uint8_t *data;
	size_t size, off;
};

struct fz_chunk {
	int dir;               /* 0 or 1 */
	uint32_t nfds;         /* 0..31 */
	bool backend_chan;
	const uint8_t *p;
	size_t n;
};

static inline bool fz_next_chunk(struct fz_chunks *it, struct fz_chunk *c)
{
	if (it->off + 2 > it->size)
		return false;
	size_t len = it->data[it->off];
	uint8_t ctl = it->data[it->off + 1];
	it->off += 2;
	if (len > it->size - it->off)
		len = it->size - it->off;
	c->dir = ctl & 1;
	c->nfds = (ctl >> 1) & 31;
	c->backend_chan = ctl & 0x40;
	c->p = it->data + it->off;
	c->n = len;
	it->off += len;
	return true;
}
#endif
