/* VU-ONCE: per-device ("one-time") requests and waiting for acks. */
#include "conformance/check.h"

#include <string.h>

static bool same_table(const struct vu_state *st, const struct vc_event *ev)
{
	const struct vc_vu_msg *m = &ev->u.vu;
	uint32_t n, pad;
	if (!st->memtable_set || !vu_dec_memtable_hdr(m->payload, m->payload_len, &n, &pad) ||
	    n != st->nregions)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		struct vu_region_pl r;
		if (!vu_dec_memtable_region_sz(m->payload, m->payload_len, i, vu_state_region_size(st),
					       &r))
			return false;
		const struct vu_region *o = &st->regions[i];
		if (memcmp(&r, &o->r, sizeof r) != 0)
			return false;
		/* Same numbers over a different file is a new table. */
		if (ev->has_fds && ev->fds && i < ev->nfds && i < VC_EVENT_MAX_FDS && o->fd_ident &&
		    ev->fds[i].ident && ev->fds[i].ident != o->fd_ident)
			return false;
	}
	return true;
}

/* The requests the kernel's vhost takes only from the owner
 * (drivers/vhost/vhost.c vhost_dev_ioctl: "You must be the owner to do
 * anything else": the memory table, the log and every vring request),
 * and their vhost-user additions. Negotiation and SET_BACKEND_REQ_FD may
 * come first (QEMU 7.2 sends them before SET_OWNER). */
static bool needs_owner(uint32_t req)
{
	switch (req) {
	case VU_SET_MEM_TABLE:
	case VU_ADD_MEM_REG:
	case VU_REM_MEM_REG:
	case VU_SET_LOG_BASE:
	case VU_SET_LOG_FD:
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_ADDR:
	case VU_SET_VRING_BASE:
	case VU_GET_VRING_BASE:
	case VU_GET_VRING_BASE_SKIP_DRAIN:
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
	case VU_SET_VRING_ENDIAN:
	case VU_SET_VRING_ENABLE:
	case VU_VRING_KICK:
		return true;
	default:
		return false;
	}
}

void vu_once_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	const struct vu_state *st = c->st;
	if (ev->kind == VC_EV_VU_STALL) {
		/* The front-end blocked reading the socket. Fine if a reply is
		 * owed (VU-REPLY-01 judges the back-end); if nothing is owed, it
		 * waits for an answer to a request it never sent (B1). */
		if (ev->dir == VC_DIR_BE_TO_FE)
			vc_expect(c, VC_R_VU_ONCE_05, st->npending[VU_CHAN_MAIN] > 0,
				  "front-end blocked waiting for a reply although no request is owed one");
		return;
	}
	if (ev->kind != VC_EV_VU_MSG || !c->is_request || ev->u.vu.chan != VU_CHAN_MAIN)
		return;
	const struct vc_vu_msg *m = &ev->u.vu;
	if (needs_owner(m->request))
		vc_expect(c, VC_R_VU_ONCE_06, st->owner_set,
			  "%s before any SET_OWNER: the session it belongs to was never opened",
			  vc_ctx_reqname(c));
	/* A new request while a reply is still owed: the front-end did not wait. */
	const struct vu_pending *p = vu_state_first_owed(st, VU_CHAN_MAIN);
	if (p) {
		vc_fail(c, VC_R_VU_ONCE_05, "%s sent while the reply to %s (message #%llu) is still owed",
			vc_ctx_reqname(c), vc_reqname(VU_CHAN_MAIN, p->request),
			(unsigned long long)p->event);
	} else if (m->flags & VU_FLAG_NEED_REPLY || (c->ri && c->ri->reply == VU_REPLY_ALWAYS)) {
		vc_ok(c, VC_R_VU_ONCE_05);
	}
	switch (m->request) {
	case VU_SET_OWNER:
		vc_expect(c, VC_R_VU_ONCE_01, !st->owner_set || st->reset_owner_since_owner,
			  "SET_OWNER sent again on this connection without RESET_OWNER in between");
		break;
	case VU_GET_QUEUE_NUM:
	case VU_NET_SET_MTU:
	case VU_SET_BACKEND_REQ_FD:
		vc_expect(c, VC_R_VU_ONCE_02, st->sent[m->request] == 0,
			  "%s is a per-device request but is sent for the %u. time on this connection",
			  vc_ctx_reqname(c), st->sent[m->request] + 1);
		break;
	case VU_SET_LOG_BASE: {
		/* A new size is a resize (QEMU grows the log before a larger
		 * table); the same log again with nothing changed is B2's
		 * one-per-queue-pair burst. */
		struct vu_log_pl lg;
		bool resize = m->has_payload && vu_dec_log(m->payload, m->payload_len, &lg) &&
			      st->log_set && lg.mmap_size != st->log.mmap_size;
		vc_expect(c, VC_R_VU_ONCE_03, !st->log_repeat_armed || resize,
			  "SET_LOG_BASE repeated with the same size and no memory table change in between (one per queue pair?)");
		break;
	}
	case VU_RESET_DEVICE:
		vc_expect(c, VC_R_VU_ONCE_03, !st->reset_device_armed,
			  "RESET_DEVICE repeated with no ring started in between (one per queue pair?)");
		break;
	case VU_SET_MEM_TABLE:
		if (m->has_payload && !vu_state_is_postcopy_ack(st, ev))
			vc_expect(c, VC_R_VU_ONCE_04, !same_table(st, ev),
				  "SET_MEM_TABLE identical to the table already in force (%u regions)",
				  st->nregions);
		break;
	default:
		break;
	}
}
