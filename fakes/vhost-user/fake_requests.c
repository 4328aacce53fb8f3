/* The request table: one handler per front-end request, indexed by the
 * wire table's request numbers (include/vcts/wire.h). A handler carries
 * the request out on the connection's state and says what became of it
 * (enum vfu_verdict); it never answers or closes: the dispatcher
 * (fake_dispatch.c) sends the reply it filled, the ack owed, or closes.
 * Requests reach a handler only well-formed (the wire table's size and fd
 * count) and not refused by the engine's verdict. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"
#include "vcts/vring.h"
#include "vcts/wire_encode.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static enum vfu_verdict reply_u64(struct vfu_reply *r, uint64_t v)
{
	vu_wr64(r->buf, v);
	r->pl = r->buf;
	r->len = 8;
	return VFU_REPLY;
}

/* A request the fake does not carry out, with the reason logged: the
 * dispatcher answers it as failed. */
static enum vfu_verdict not_done(struct vfu_conn *c, const struct vfu_msg *m, const char *why)
{
	vfu_conn_log(c, "%s not carried out: %s", vu_request(VU_CHAN_MAIN, m->req)->name, why);
	return VFU_REFUSE;
}

static void reset_rings(struct vfu_conn *c)
{
	for (uint32_t i = 0; i < VFU_MAX_RINGS; i++) {
		struct vfu_ring *r = &c->rings[i];
		vfu_ring_reset_fds(c, r);
		r->num_set = r->addr_set = r->enabled = r->broken = r->started = false;
		r->last_avail = r->used_idx = 0;
		r->packed = false;
		r->avail_wrap = r->used_wrap = true;
	}
}

/* GET_VRING_BASE's word: split, the next avail index; packed, both
 * positions and wrap counters (vhost-user.rst, SET_VRING_BASE). */
static uint32_t ring_base(struct vfu_conn *c, uint32_t idx)
{
	const struct vfu_ring *r = &c->rings[idx];
	uint32_t word;
	if (vfu_faults_vring_base(c, idx, &word))
		return word;
	if (!r->packed)
		return vfu_fault_split_base(c, r->last_avail);
	struct vu_packed_base b = { r->last_avail, r->used_idx, r->avail_wrap, r->used_wrap };
	return vu_packed_base_enc(&b);
}

static enum vfu_verdict get_inflight(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)c;
	struct vu_inflight_pl in;
	int sz = vu_payload_fixed_size(VU_PL_INFLIGHT);
	uint8_t *out = r->buf;
	if (sz < 0 || sz > 64 || !vu_dec_inflight(m->payload, m->len, &in))
		return VFU_DONE;
	memset(out, 0, 64);
	int fd = -1;
	uint64_t size = 0;
	if (in.num_queues >= 1 && in.num_queues <= VFU_MAX_RINGS && in.queue_size >= 1 &&
	    in.queue_size <= VU_SPLIT_RING_MAX) {
		size = vfu_inflight_queue_bytes(in.queue_size) * in.num_queues;
		fd = memfd_create("vhost-cts-inflight", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		size = 0;
	struct vu_inflight_pl ans = { size, 0, in.num_queues, in.queue_size };
	vu_enc_inflight(out, (size_t)sz, &ans);
	/* vfu_reply() closes the memfd once it is sent. */
	r->pl = out;
	r->len = (uint32_t)sz;
	r->fd = vfu_fault_inflight_fd(c, fd);
	return VFU_REPLY;
}

static enum vfu_verdict get_shmem_config(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	/* No VIRTIO Shared Memory Region: count 0, every size 0. */
	memset(r->buf, 0, sizeof r->buf);
	vfu_fault_shmem_config(c, r->buf, sizeof r->buf);
	r->pl = r->buf;
	r->len = sizeof r->buf;
	return VFU_REPLY;
}

static enum vfu_verdict postcopy_advise(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	int fd = vfu_postcopy_advise(c);
	if (fd < 0) {
		/* The reply owed cannot be given: refused, the dispatcher closes. */
		vfu_conn_log(c, "POSTCOPY_ADVISE: no userfaultfd to pass; closing");
		return VFU_REFUSE;
	}
	/* vfu_reply() closes what it passes: the fake keeps its own. */
	r->pl = NULL;
	r->len = 0;
	r->fd = fd;
	return VFU_REPLY;
}

static enum vfu_verdict postcopy_listen(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	return vfu_postcopy_listen(c) ? not_done(c, m, "no POSTCOPY_ADVISE before") : VFU_DONE;
}

static enum vfu_verdict postcopy_end(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	return reply_u64(r, vfu_postcopy_end(c));
}

static enum vfu_verdict get_config(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	/* well_formed() bounded the size field by the payload. */
	uint32_t cap = VU_CONFIG_HDR + m->len;
	uint8_t *out = xcalloc(1, cap);
	/* vhost-user.rst, GET_CONFIG: a payload of zero length is the error. */
	r->len = vfu_feat_get_config(&c->feat, m->payload, m->len, out, cap);
	r->pl = r->heap = out;
	return VFU_REPLY;
}

static int mem_table(struct vfu_conn *c, struct vfu_msg *m)
{
	uint32_t n, pad;
	if (!vu_dec_memtable_hdr(m->payload, m->len, &n, &pad))
		return -1;
	vfu_regions_clear(c);
	int rc = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct vu_region_pl r;
		if (!vu_dec_memtable_region(m->payload, m->len, i, &r)) {
			rc = -1;
			break;
		}
		if (i >= m->nkept) {
			/* lax=missing-fd: a region without its fd is skipped. */
			if (!vfu_conn_lax(c, VFU_RF_MISSING_FD))
				rc = -1;
			continue;
		}
		if (vfu_region_add(c, &r, m->fds[i], m->info[i].size) != 0)
			rc = -1;
	}
	return rc;
}

static void ring_set_fd(struct vfu_conn *c, struct vfu_msg *m, uint32_t req)
{
	uint64_t u;
	if (!vu_dec_u64(m->payload, m->len, &u))
		return;
	struct vfu_ring *r = &c->rings[u & VU_VRING_IDX_MASK];
	/* The fd the wire says the request carries (none with the invalid-FD bit). */
	int fd = vu_request_fds(VU_CHAN_MAIN, req, m->payload, m->len, VU_KNOWN_NO).lo ? vfu_msg_take_fd(m, 0)
										       : -1;
	/* Only eventfds are signalled or watched: a pipe or a file in their
	 * place could block a write or never stop being readable. */
	bool is_eventfd = fd >= 0 && m->info[0].kind == VC_FD_EVENTFD;
	if (fd >= 0 && !is_eventfd) {
		vfu_conn_log(c, "%s ring %u: fd is %s, not an eventfd; ignored",
			     vu_request_name(VU_CHAN_MAIN, req, (char[24]){0}, 24),
			     (unsigned)(u & VU_VRING_IDX_MASK), vc_fd_kind_name((enum vc_fd_kind)m->info[0].kind));
		vfu_close_fd(c->s, &fd);
	}
	if (req == VU_SET_VRING_KICK) {
		if (r->kick_watched)
			vfu_watch_del(c->s, r->kick_fd);
		r->kick_watched = false;
		vfu_close_fd(c->s, &r->kick_fd);
		r->kick_fd = fd;
		if (fd >= 0 && vfu_watch_add(c->s, fd, &r->kw) == 0)
			r->kick_watched = true;
		r->started = true;
		vfu_ring_start_inflight(c, u & VU_VRING_IDX_MASK);
		/* The ring is started now: what is already available is
		 * processed without a kick (Ring states). */
		if (vfu_fault_on(c, VFU_FAULT_START_ON_KICK))
			vfu_conn_log(c, "fault: ring %u waits for a kick", (unsigned)(u & VU_VRING_IDX_MASK));
		else
			vfu_ring_process(c, u & VU_VRING_IDX_MASK);
	} else if (req == VU_SET_VRING_CALL) {
		vfu_close_fd(c->s, &r->call_fd);
		r->call_fd = fd;
	} else {
		vfu_close_fd(c->s, &r->err_fd);
		r->err_fd = fd;
	}
}

/* ---- negotiation and device state ---- */

static enum vfu_verdict get_features(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	return reply_u64(r, c->feat_offered);
}

static enum vfu_verdict set_features(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	vu_dec_u64(m->payload, m->len, &c->feat_acked);
	vfu_enable_on_features(c, c->feat_acked);
	return VFU_DONE;
}

static enum vfu_verdict get_protocol_features(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	c->pf_answered = true;
	return reply_u64(r, c->pf_offered);
}

static enum vfu_verdict set_protocol_features(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	/* The ack owed was decided with the state before this message, as
	 * the engine decides it. */
	if (vu_dec_u64(m->payload, m->len, &c->pf_acked))
		c->pf_acked_known = true;
	if (c->pf_acked_known && vfu_inband_unusable(c, c->pf_acked))
		vfu_conn_close(c, true, false, 0);
	return VFU_DONE;
}

static enum vfu_verdict get_queue_num(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	return reply_u64(r, vfu_conn_profile(c)->rings);
}

static enum vfu_verdict get_max_mem_slots(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	return reply_u64(r, vfu_conn_profile(c)->max_mem_slots);
}

static enum vfu_verdict get_status(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m;
	return reply_u64(r, c->status);
}

static enum vfu_verdict set_status(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	vu_dec_u64(m->payload, m->len, &c->status);
	return VFU_DONE;
}

static enum vfu_verdict done(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)c, (void)m, (void)r;
	return VFU_DONE;
}

static enum vfu_verdict reset(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)m, (void)r;
	/* Every ring and the device state back to their start; ownership,
	 * the memory table and the back-end channel stay (vhost-user.rst,
	 * RESET_DEVICE: "Ask the vhost user back-end to disable all rings
	 * and reset all internal device state to the initial state"). */
	reset_rings(c);
	c->status = 0;
	vfu_feat_reset(&c->feat, vfu_conn_profile(c));
	return VFU_DONE;
}

static enum vfu_verdict reset_owner(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	/* Every ring disabled, nothing else, as the text recommends (the
	 * reset-owner-resets fault: as RESET_DEVICE). */
	return vfu_reset_owner(c) ? VFU_DONE : reset(c, m, r);
}

/* ---- memory and the dirty log ---- */

static enum vfu_verdict set_mem_table(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	return mem_table(c, m) ? VFU_REFUSE : VFU_DONE;
}

static enum vfu_verdict add_mem_reg(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	uint64_t pad;
	struct vu_region_pl rp;
	if (vu_dec_memreg(m->payload, m->len, &pad, &rp) &&
	    vfu_region_add(c, &rp, m->nkept ? m->fds[0] : -1, m->nkept ? m->info[0].size : -1) != 0)
		return VFU_REFUSE;
	return VFU_DONE;
}

static enum vfu_verdict rem_mem_reg(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	uint64_t pad;
	struct vu_region_pl rp;
	if (vu_dec_memreg(m->payload, m->len, &pad, &rp) && vfu_region_remove(c, &rp) != 0)
		return VFU_REFUSE;
	return VFU_DONE;
}

static enum vfu_verdict set_log_base(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	/* The log is mapped (its fd is closed with the message) and
	 * used-ring writes are marked in it while LOG_ALL is acked. */
	const char *reason = "";
	enum vfu_verdict v = VFU_DONE;
	if (vfu_feat_set_log(&c->feat, m->payload, m->len, m->nkept ? m->fds[0] : -1,
			     m->nkept ? m->info[0].size : -1, &reason) != 0) {
		/* lax=log-size: the broken back-end answers 0 without a log
		 * it could map. */
		if (vfu_conn_lax(c, VFU_RF_LOG_SIZE))
			vfu_conn_log(c, "lax: SET_LOG_BASE not mapped (%s); answered 0", reason);
		else
			v = not_done(c, m, reason);
	}
	/* Its own u64 reply with LOG_SHMFD: 0 done, 1 failed. */
	return r->value_owed ? reply_u64(r, v == VFU_REFUSE ? 1 : 0) : v;
}

static enum vfu_verdict set_log_fd(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	/* No logging through a separate fd (SET_LOG_BASE carries the log);
	 * the fd is closed with the message. */
	return not_done(c, m, "the fake logs only through SET_LOG_BASE");
}

/* ---- rings ---- */

/* A ring index past what the fake keeps (VU-RING-01 refuses it first,
 * unless lax=ring-index). */
static enum vfu_verdict bad_index(const struct vfu_conn *c)
{
	return vfu_conn_lax(c, VFU_RF_RING_INDEX) ? VFU_DONE : VFU_REFUSE;
}

static enum vfu_verdict set_vring_num(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	struct vu_state_pl sp;
	if (!vu_dec_state(m->payload, m->len, &sp) || sp.index >= VFU_MAX_RINGS)
		return bad_index(c);
	c->rings[sp.index].num = sp.num;
	c->rings[sp.index].num_set = true;
	c->rings[sp.index].broken = false;
	return VFU_DONE;
}

static enum vfu_verdict set_vring_addr(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	struct vu_addr_pl ap;
	if (!vu_dec_addr(m->payload, m->len, &ap) || ap.index >= VFU_MAX_RINGS)
		return bad_index(c);
	c->rings[ap.index].addr = ap;
	c->rings[ap.index].addr_set = true;
	c->rings[ap.index].packed = (c->feat_acked & VU_BIT(VU_F_RING_PACKED)) != 0;
	c->rings[ap.index].broken = false;
	return VFU_DONE;
}

static enum vfu_verdict set_vring_base(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	struct vu_state_pl sp;
	if (!vu_dec_state(m->payload, m->len, &sp) || sp.index >= VFU_MAX_RINGS)
		return bad_index(c);
	struct vfu_ring *rg = &c->rings[sp.index];
	rg->packed = (c->feat_acked & VU_BIT(VU_F_RING_PACKED)) != 0;
	if (rg->packed) {
		/* Both halves, as given (vhost-user.rst: the device cannot
		 * read them from memory). */
		struct vu_packed_base b;
		vu_packed_base_dec(sp.num, &b);
		rg->last_avail = b.avail;
		rg->avail_wrap = b.avail_wrap;
		rg->used_idx = b.used;
		rg->used_wrap = b.used_wrap;
	} else {
		rg->last_avail = (uint16_t)sp.num;
		rg->used_idx = (uint16_t)sp.num;
	}
	rg->broken = false;
	return VFU_DONE;
}

static enum vfu_verdict get_vring_base(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	struct vfu_server *s = c->s;
	struct vu_state_pl sp = { 0 };
	vu_dec_state(m->payload, m->len, &sp);
	vu_wr32(r->buf, sp.index);
	vu_wr32(r->buf + 4, sp.index < VFU_MAX_RINGS ? ring_base(c, sp.index) : 0);
	if (sp.index < VFU_MAX_RINGS && vfu_fault_on(c, VFU_FAULT_STOPPED_RUNS)) {
		vfu_conn_log(c, "fault: ring %u keeps running after GET_VRING_BASE", sp.index);
	} else if (sp.index < VFU_MAX_RINGS) {
		/* The ring stops: no more kicks are watched until a new
		 * SET_VRING_KICK (the way DPDK and libvhost-user stop). */
		struct vfu_ring *rg = &c->rings[sp.index];
		if (rg->kick_watched)
			vfu_watch_del(s, rg->kick_fd);
		rg->kick_watched = false;
		vfu_close_fd(s, &rg->kick_fd);
		rg->started = false;
	}
	vfu_fault_after_stop(c, &c->susp_msg_due);
	r->pl = r->buf;
	r->len = 8;
	return VFU_REPLY;
}

static enum vfu_verdict set_vring_fd(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	ring_set_fd(c, m, m->req);
	return VFU_DONE;
}

static enum vfu_verdict set_vring_enable(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	struct vu_state_pl sp;
	if (vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS)
		vfu_enable_set(c, sp.index, sp.num != 0);
	return VFU_DONE;
}

static enum vfu_verdict vring_kick(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	struct vu_state_pl sp;
	if (c->s->cfg.null_device && vu_dec_state(m->payload, m->len, &sp) && sp.index < VFU_MAX_RINGS)
		vfu_ring_process(c, sp.index);
	return VFU_DONE;
}

/* ---- channels and device features ---- */

static enum vfu_verdict set_backend_req_fd(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	struct vfu_server *s = c->s;
	vfu_close_backend(c);
	int fd = vfu_msg_take_fd(m, 0);
	if (fd < 0 || m->info[0].kind != VC_FD_SOCKET) {
		vfu_close_fd(s, &fd);
		return VFU_REFUSE;
	}
	c->be_fd = fd;
	if (vfu_watch_add(s, fd, &c->w_be) != 0) {
		vfu_close_fd(s, &c->be_fd);
		return VFU_REFUSE;
	}
	vfu_faults_backend_set(c);
	return VFU_DONE;
}

static enum vfu_verdict iotlb_msg(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)c, (void)m;
	/* Accepted (the fake keeps no IOTLB); the u64 reply is owed always:
	 * vhost-user.rst, VHOST_USER_IOTLB_MSG. */
	return reply_u64(r, 0);
}

static enum vfu_verdict set_config(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	const char *reason = "";
	if (vfu_feat_set_config(&c->feat, m->payload, m->len, vfu_fault_on(c, VFU_FAULT_CONFIG_WRITABLE), &reason) != 0)
		return not_done(c, m, reason);
	return VFU_DONE;
}

static enum vfu_verdict set_inflight_fd(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	const char *reason = "";
	if (vfu_feat_set_inflight(&c->feat, m->payload, m->len, m->nkept ? m->fds[0] : -1,
				  m->nkept ? m->info[0].size : -1, &reason) != 0)
		return not_done(c, m, reason);
	return VFU_DONE;
}

static enum vfu_verdict net_set_mtu(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	const char *reason = "";
	uint64_t u;
	if (vfu_conn_profile(c)->device != VFU_DEV_NET)
		return not_done(c, m, "not a network device");
	if (vu_dec_u64(m->payload, m->len, &u) && vfu_feat_set_mtu(&c->feat, u, &reason) != 0)
		return not_done(c, m, reason);
	return VFU_DONE;
}

static enum vfu_verdict send_rarp(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	uint64_t u;
	/* A null network: the RARP goes where every transmitted frame goes.
	 * Done, as far as a wire without peers can tell. */
	if (vfu_conn_profile(c)->device != VFU_DEV_NET)
		return not_done(c, m, "not a network device");
	if (vu_dec_u64(m->payload, m->len, &u))
		vfu_conn_log(c, "SEND_RARP for MAC %012" PRIx64 ": sent to the null network",
			     (uint64_t)(u & 0xffffffffffffull));
	return VFU_DONE;
}

static enum vfu_verdict gpu_set_socket(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	(void)r;
	return not_done(c, m, "not a GPU device");
}

/* Requests whose feature no profile offers (their gate refuses them
 * first, VU-NEG-05) and those the fake keeps no state for. A request with
 * a reply of its own is answered "failed": all ones in a u64, zeros
 * otherwise; the rest fail (error ack or close). */
static enum vfu_verdict unsupported(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r)
{
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, m->req);
	if (ri->reply != VU_REPLY_ALWAYS)
		return not_done(c, m, "not implemented by the fake");
	int sz = vu_payload_fixed_size((enum vu_payload)ri->reply_payload);
	/* r->buf: large enough for the largest fixed reply (GET_SHMEM_CONFIG). */
	memset(r->buf, 0, sizeof r->buf);
	if (sz < 0 || sz > (int)sizeof r->buf)
		sz = 8;
	if (sz == 8)
		vu_wr64(r->buf, UINT64_MAX);
	r->pl = r->buf;
	r->len = (uint32_t)sz;
	return VFU_REPLY;
}

/* Indexed by request number; a request not listed is unsupported(). */
static const vfu_handler handlers[VU_REQ_MAX_FRONTEND + 1] = {
	[VU_GET_FEATURES] = get_features,
	[VU_SET_FEATURES] = set_features,
	[VU_GET_PROTOCOL_FEATURES] = get_protocol_features,
	[VU_SET_PROTOCOL_FEATURES] = set_protocol_features,
	[VU_GET_QUEUE_NUM] = get_queue_num,
	[VU_GET_MAX_MEM_SLOTS] = get_max_mem_slots,
	[VU_GET_STATUS] = get_status,
	[VU_SET_STATUS] = set_status,
	[VU_SET_OWNER] = done,
	[VU_RESET_OWNER] = reset_owner,
	[VU_RESET_DEVICE] = reset,
	[VU_SET_MEM_TABLE] = set_mem_table,
	[VU_ADD_MEM_REG] = add_mem_reg,
	[VU_REM_MEM_REG] = rem_mem_reg,
	[VU_SET_LOG_BASE] = set_log_base,
	[VU_SET_LOG_FD] = set_log_fd,
	[VU_SET_VRING_NUM] = set_vring_num,
	[VU_SET_VRING_ADDR] = set_vring_addr,
	[VU_SET_VRING_BASE] = set_vring_base,
	[VU_GET_VRING_BASE] = get_vring_base,
	[VU_SET_VRING_KICK] = set_vring_fd,
	[VU_SET_VRING_CALL] = set_vring_fd,
	[VU_SET_VRING_ERR] = set_vring_fd,
	[VU_SET_VRING_ENABLE] = set_vring_enable,
	[VU_VRING_KICK] = vring_kick,
	[VU_SET_BACKEND_REQ_FD] = set_backend_req_fd,
	[VU_GET_CONFIG] = get_config,
	[VU_SET_CONFIG] = set_config,
	[VU_GET_INFLIGHT_FD] = get_inflight,
	[VU_GET_SHMEM_CONFIG] = get_shmem_config,
	[VU_POSTCOPY_ADVISE] = postcopy_advise,
	[VU_POSTCOPY_LISTEN] = postcopy_listen,
	[VU_POSTCOPY_END] = postcopy_end,
	[VU_SET_INFLIGHT_FD] = set_inflight_fd,
	[VU_IOTLB_MSG] = iotlb_msg,
	[VU_NET_SET_MTU] = net_set_mtu,
	[VU_SEND_RARP] = send_rarp,
	[VU_GPU_SET_SOCKET] = gpu_set_socket,
	[VU_SET_DEVICE_STATE_FD] = vfu_devstate_set_fd,
	[VU_CHECK_DEVICE_STATE] = vfu_devstate_check,
};

vfu_handler vfu_request_handler(uint32_t req)
{
	return req < sizeof handlers / sizeof handlers[0] && handlers[req] ? handlers[req] : unsupported;
}
