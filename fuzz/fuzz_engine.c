/* libFuzzer harness: the rule engine's whole state machine, fed what the
 * vhost-user stream parser frames (fuzz_stream fuzzes the parser alone).
 * Input, as fuzz_stream's: chunks of [u8 len][u8 ctl][len bytes]. ctl bit 0 picks the
 * direction (front-end -> back-end or back), bits 1-5 the number of fds
 * the syscall carrying the chunk passed (attached to the message whose
 * header starts in it). Chunking exercises reassembly; the framed
 * messages go through every rule. Invariants: payloads never exceed the
 * parser's limit, framed sizes match their headers, the engine's counts
 * agree with what it was fed. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/common/chunks.h"
#include "vcts/engine.h"
#include "vcts/vu_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_framer fr[2];
	vu_framer_init(&fr[0], 4 * VU_SANE_MAX_PAYLOAD);
	vu_framer_init(&fr[1], 4 * VU_SANE_MAX_PAYLOAD);
	uint32_t pending_fds[2] = { 0, 0 };
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ .max_findings_per_rule = 4 });
	struct vc_session s = { .traced_side = VC_SIDE_FRONTEND, .name = "fuzz", .source = "fuzz" };
	uint32_t sid = vc_engine_add_session(e, &s);
	struct vc_fd fds[VC_EVENT_MAX_FDS];
	memset(fds, 0, sizeof fds);
	for (unsigned i = 0; i < VC_EVENT_MAX_FDS; i++) {
		fds[i].kind = VC_FD_MEMFD;
		fds[i].size = 1 << 20;
		fds[i].ident = i + 1;
	}
	uint64_t fed = 0, index = 0;
	struct fz_chunks it = { data, size, 0 };
	struct fz_chunk ch;
	while (fz_next_chunk(&it, &ch)) {
		int d = ch.dir;
		const uint8_t *p = ch.p;
		size_t n = ch.n;
		if (vu_framer_idle(&fr[d]))
			pending_fds[d] = ch.nfds;
		for (enum vu_frame_status st; (st = vu_framer_push(&fr[d], &p, &n)) != VU_FRAME_MORE;) {
			if (st != VU_FRAME_MESSAGE)
				continue;
			assert(vu_framer_size(&fr[d]) <= 4 * VU_SANE_MAX_PAYLOAD);
			struct vc_event ev;
			memset(&ev, 0, sizeof ev);
			ev.kind = VC_EV_VU_MSG;
			ev.dir = (uint8_t)d;
			ev.session = sid;
			ev.index = index++;
			ev.time_ns = (int64_t)index;
			ev.src.file = "fuzz";
			ev.has_fds = true;
			ev.nfds = pending_fds[d];
			ev.fds = fds;
			pending_fds[d] = 0;
			vc_vu_msg_set(&ev.u.vu, VU_CHAN_MAIN, vu_framer_request(&fr[d]),
				      vu_framer_flags(&fr[d]), vu_framer_size(&fr[d]), fr[d].pl,
				      vu_framer_size(&fr[d]));
			vc_engine_feed(e, &ev);
			fed++;
		}
		assert(n == 0);
	}
	struct vc_event eof;
	memset(&eof, 0, sizeof eof);
	eof.kind = VC_EV_VU_EOF;
	eof.session = sid;
	eof.u.eof.partial = !vu_framer_idle(&fr[0]);
	eof.u.eof.partial_bytes = vu_framer_pending(&fr[0]);
	vc_engine_feed(e, &eof);
	const struct vc_results *r = vc_engine_finish(e);
	assert(r->messages == fed);
	assert(r->nsessions == 1);
	for (size_t i = 0; i < r->nfindings; i++)
		assert(r->findings[i].rule < VC_RULE_COUNT && r->findings[i].session == 0);
	vc_engine_free(e);
	vu_framer_free(&fr[0]);
	vu_framer_free(&fr[1]);
	return 0;
}
