/* VU-FD: which requests carry fds and how many. */
#include "conformance/check.h"

/* VU-FD-06: replies, both channels (the back-end's on the main socket,
 * the front-end's on the back-end channel). Judged by the request number
 * the reply names; a reply naming another request is VU-HDR-03's. */
static void reply_fds(struct vc_ctx *c)
{
	const uint32_t n = c->ev->nfds;
	const unsigned max = vu_reply_fds_max(c->ri);
	if (max == 0)
		vc_expect(c, VC_R_VU_FD_06, n == 0, "the reply to %s carries %u fd(s); it takes none",
			  vc_ctx_reqname(c), n);
	else
		vc_expect(c, VC_R_VU_FD_06, n <= max, "the reply to %s carries %u fds, takes at most %u",
			  vc_ctx_reqname(c), n, max);
}

/* Requests on the main socket: the wire table says how many fds the
 * request may carry (lib/wire.c, vu_request_fds); this names the rule
 * each case of it answers to and words the finding. */
void vu_fd_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VU_MSG || !ev->has_fds || !c->ri)
		return;
	if (!c->is_request) {
		reply_fds(c);
		return;
	}
	if (ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	const struct vu_state *st = c->st;
	const uint32_t n = ev->nfds;
	const char *name = vc_ctx_reqname(c);
	const enum vu_known shmfd = vu_pf_known(st->pf_offered_known, st->pf_offered,
						st->pf_acked_known, st->pf_acked, VU_PF_LOG_SHMFD);
	const struct vu_fd_want w = vu_request_fds(VU_CHAN_MAIN, m->request,
						   m->has_payload ? m->payload : NULL,
						   m->payload_len, shmfd);
	const bool fits = n >= w.lo && n <= w.hi;
	/* Where the request may carry fds at all, VU-FD-01 holds; the count
	 * is the more precise rule's. */
	if (w.fcase != VU_FDC_NONE && w.fcase != VU_FDC_OPTIONAL)
		vc_ok(c, VC_R_VU_FD_01);
	switch ((enum vu_fd_case)w.fcase) {
	case VU_FDC_NONE:
		vc_expect(c, VC_R_VU_FD_01, fits, "%s carries %u fd(s); it takes none", name, n);
		break;
	case VU_FDC_OPTIONAL:
		vc_expect(c, VC_R_VU_FD_01, fits, "%s carries %u fds, takes at most 1", name, n);
		/* Tolerated for "existing incorrect implementations", but a
		 * SHOULD NOT (vhost-user.rst, VHOST_USER_REM_MEM_REG). */
		if (m->request == VU_REM_MEM_REG)
			vc_expect(c, VC_R_VU_FD_07, n == 0, "REM_MEM_REG carries %u fd(s); it should carry none",
				  n);
		break;
	case VU_FDC_PER_REGION:
		vc_expect(c, VC_R_VU_FD_02, fits, "SET_MEM_TABLE with %u regions carries %u fd(s)",
			  w.regions, n);
		break;
	case VU_FDC_VRING_NOFD:
		vc_expect(c, VC_R_VU_FD_03, fits, "%s with the no-fd bit set carries %u fd(s)", name, n);
		break;
	case VU_FDC_VRING:
		vc_expect(c, VC_R_VU_FD_03, fits,
			  "%s without the no-fd bit carries %u fd(s), needs exactly 1", name, n);
		break;
	case VU_FDC_ONE:
		vc_expect(c, VC_R_VU_FD_04, fits, "%s carries %u fd(s), needs exactly 1", name, n);
		break;
	case VU_FDC_LOG_SHMFD:
		vc_expect(c, VC_R_VU_FD_04, fits,
			  "SET_LOG_BASE with LOG_SHMFD negotiated carries %u fd(s), needs 1", n);
		break;
	case VU_FDC_LOG_NO_SHMFD:
		vc_expect(c, VC_R_VU_FD_01, fits, "SET_LOG_BASE without LOG_SHMFD carries %u fd(s)", n);
		break;
	case VU_FDC_UNDECIDED:
		break;
	}
	uint64_t u;
	if ((w.fcase == VU_FDC_VRING || w.fcase == VU_FDC_VRING_NOFD) &&
	    vu_dec_u64(m->payload, m->payload_len, &u))
		vc_expect(c, VC_R_VU_FD_05, (u >> 9) == 0,
			  "%s payload 0x%llx sets bits above the no-fd bit", name,
			  (unsigned long long)u);
}
