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
	const uint32_t n = ev->nfds;
	const char *name = vc_ctx_reqname(c);
	uint64_t u;
	uint32_t nregions, pad;
	switch (c->ri->req_fds) {
	case VU_FDS_NONE:
		vc_expect(c, VC_R_VU_FD_01, n == 0, "%s carries %u fd(s); it takes none", name, n);
		break;
	case VU_FDS_PER_REGION:
		vc_ok(c, VC_R_VU_FD_01);
		if (m->has_payload && vu_dec_memtable_hdr(m->payload, m->payload_len, &nregions, &pad))
			vc_expect(c, VC_R_VU_FD_02, n == nregions,
				  "SET_MEM_TABLE with %u regions carries %u fd(s)", nregions, n);
		break;
	case VU_FDS_VRING:
		vc_ok(c, VC_R_VU_FD_01);
		if (!m->has_payload || !vu_dec_u64(m->payload, m->payload_len, &u))
			break;
		if (u & VU_VRING_NOFD)
			vc_expect(c, VC_R_VU_FD_03, n == 0, "%s with the no-fd bit set carries %u fd(s)",
				  name, n);
		else
			vc_expect(c, VC_R_VU_FD_03, n == 1,
				  "%s without the no-fd bit carries %u fd(s), needs exactly 1", name, n);
		vc_expect(c, VC_R_VU_FD_05, (u >> 9) == 0,
			  "%s payload 0x%llx sets bits above the no-fd bit", name,
			  (unsigned long long)u);
		break;
	case VU_FDS_ONE:
		vc_ok(c, VC_R_VU_FD_01);
		vc_expect(c, VC_R_VU_FD_04, n == 1, "%s carries %u fd(s), needs exactly 1", name, n);
		break;
	case VU_FDS_LOG:
		vc_ok(c, VC_R_VU_FD_01);
		if (!c->st->pf_acked_known)
			break;
		if (vu_pf_negotiated(c->st, VU_PF_LOG_SHMFD))
			vc_expect(c, VC_R_VU_FD_04, n == 1,
				  "SET_LOG_BASE with LOG_SHMFD negotiated carries %u fd(s), needs 1", n);
		else
			vc_expect(c, VC_R_VU_FD_01, n == 0,
				  "SET_LOG_BASE without LOG_SHMFD carries %u fd(s)", n);
		break;
	case VU_FDS_OPTIONAL:
		vc_expect(c, VC_R_VU_FD_01, n <= 1, "%s carries %u fds, takes at most 1", name, n);
		/* Tolerated for "existing incorrect implementations", but a
		 * SHOULD NOT (vhost-user.rst, VHOST_USER_REM_MEM_REG). */
		if (m->request == VU_REM_MEM_REG)
			vc_expect(c, VC_R_VU_FD_07, n == 0, "REM_MEM_REG carries %u fd(s); it should carry none",
				  n);
		break;
	}
}
