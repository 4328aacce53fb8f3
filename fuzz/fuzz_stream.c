/* libFuzzer harness: the vhost-user stream parser (lib/vu_stream.c) and
 * the payload decoders behind it (lib/wire_decode.c), nothing else; the
 * rule engine fed the same framing is fuzz_engine. Input: chunks of
 * [u8 len][u8 ctl][len bytes]; ctl bit 0 picks the direction, so two
 * interleaved streams are reassembled whatever the chunking, and bits 1-5
 * the simulated fd count of the syscall carrying the chunk (kept with the
 * message whose header starts in it), bit 6 the channel (main or back-end)
 * the payload is decoded for. Invariants: every byte is consumed,
 * a framed payload is exactly what its header claims and within the
 * parser's limit, a dead stream stays dead, the fd count lands on one
 * message only, each payload decodes as its wire-table layout says
 * without reading past its length, and the printer's summary is a bounded
 * one-line string. */
#include <assert.h>
#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/common/chunks.h"
#include "vcts/vu_stream.h"
#include "vcts/wire_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT (4 * VU_SANE_MAX_PAYLOAD)

/* Framers live for the run (their payload buffers are reused); they are
 * reset to a fresh state per input. */
static struct vu_framer fr[2];

static void reset(struct vu_framer *f)
{
	uint8_t *pl = f->pl;
	size_t cap = f->pl_cap;
	vu_framer_init(f, LIMIT);
	f->pl = pl;
	f->pl_cap = cap;
}

/* A payload through the decoder its layout names in the wire table
 * (vu_decode_payload). The decoders take the length and must never read
 * past it (the buffer's tail is poisoned); a payload of a fixed layout's
 * full size always decodes; what they return lies inside it. */
static void decode(uint8_t chan, uint32_t req, bool reply, const uint8_t *p, uint32_t len)
{
	struct vu_decoded d;
	int rc = vu_decode_payload(chan, req, reply, p, len, &d);
	if (rc < 0)
		return;
	/* a payload of the table's full size always decodes (a decoder may
	 * also take one cut in its trailing padding) */
	int fixed = vu_payload_fixed_size(d.layout);
	if (fixed >= 0 && len >= (uint32_t)fixed)
		assert(rc == 1);
	if (rc == 1 && d.layout == VU_PL_CONFIG)
		assert(d.u.config.data_len <= len &&
		       (!d.u.config.data_len || (d.u.config.data >= p && d.u.config.data + d.u.config.data_len <= p + len)));
	if (rc == 1 && d.layout == VU_PL_MEMTABLE) {
		struct vu_region_pl r;
		for (uint32_t i = 0; i < d.u.memtable.nregions; i++)
			if (!vu_dec_memtable_region(p, len, i, &r)) {
				/* regions past the payload are refused */
				assert((uint64_t)VU_MEM_TABLE_HDR + (uint64_t)(i + 1) * VU_MEM_REGION_SIZE > len);
				break;
			}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reset(&fr[0]);
	reset(&fr[1]);
	uint32_t pending_fds[2] = { 0, 0 };
	uint8_t chan[2] = { VU_CHAN_MAIN, VU_CHAN_MAIN };
	uint64_t messages = 0, fds_landed = 0, fds_sent = 0;
	bool dead[2] = { false, false }, printed[2] = { false, false };
	char sum[256];
	struct fz_chunks it = { data, size, 0 };
	struct fz_chunk ch;
	while (fz_next_chunk(&it, &ch)) {
		int d = ch.dir;
		const uint8_t *p = ch.p;
		size_t n = ch.n;
		if (vu_framer_idle(&fr[d]) && !dead[d]) {
			fds_sent += ch.nfds;
			pending_fds[d] = ch.nfds;
			chan[d] = ch.backend_chan ? VU_CHAN_BACKEND : VU_CHAN_MAIN;
		}
		for (enum vu_frame_status st; (st = vu_framer_push(&fr[d], &p, &n)) != VU_FRAME_MORE;) {
			assert(!dead[d]);
			if (st == VU_FRAME_OVERSIZE) {
				assert(vu_framer_size(&fr[d]) > LIMIT);
				dead[d] = true;
				continue;
			}
			if (st != VU_FRAME_MESSAGE)
				continue;
			uint32_t sz = vu_framer_size(&fr[d]);
			assert(sz <= LIMIT && fr[d].pl_have == sz);
			assert(vu_framer_idle(&fr[d]));
			fds_landed += pending_fds[d];
			pending_fds[d] = 0;
			messages++;
			/* The reused buffer is longer than this payload: poison its
			 * tail so a decoder reading past the payload is caught as
			 * with an exact-size buffer. */
			ASAN_POISON_MEMORY_REGION(fr[d].pl + sz, fr[d].pl_cap - sz);
			/* The payload read as its header says (request or reply)
			 * on the channel ctl bit 6 named when the header began:
			 * every message through its decoder, the first of each
			 * direction through the one-line printer too. */
			uint32_t req = vu_framer_request(&fr[d]);
			bool reply = vu_framer_flags(&fr[d]) & VU_FLAG_REPLY;
			decode(chan[d], req, reply, fr[d].pl, sz);
			if (!printed[d]) {
				printed[d] = true;
				const char *s = vu_payload_summary(chan[d], req, reply, fr[d].pl, sz, sum, sizeof sum);
				assert(s && memchr(s, '\0', sizeof sum) && !strchr(s, '\n'));
			}
			ASAN_UNPOISON_MEMORY_REGION(fr[d].pl, fr[d].pl_cap);
		}
		assert(n == 0);
	}
	/* A stream that died swallows the rest: nothing was framed after. */
	assert(fds_landed <= fds_sent);
	assert(messages <= size / VU_HDR_SIZE + 1);
	return 0;
}
