/* QEMU trace logs (log back-end, -trace 'vhost_vdpa_*'): the vhost_vdpa_*
 * records become vhost-vdpa events of one session per log. Lines are
 * tokenized by the shared QEMU log tokenizer (qemu_log.h).
 *
 * What QEMU 7.2 traces and what it stands for (hw/virtio/vhost-vdpa.c):
 *   vhost_vdpa_dma_map / _dma_unmap         one IOTLB UPDATE / INVALIDATE write
 *   vhost_vdpa_listener_begin_batch / _commit  BATCH_BEGIN / BATCH_END writes
 *   vhost_vdpa_add_status status            GET_STATUS, SET_STATUS(old|status), GET_STATUS
 *   vhost_vdpa_reset_device                 SET_STATUS(0)
 *   vhost_vdpa_set_features / get_features, set_owner, get_device_id,
 *   get_iova_range, set/get_vring_*         the ioctl with that argument
 *   vhost_vdpa_set_vring_ready dev          SET_VRING_ENABLE(1) for the vqs of dev
 * Backend features are not traced: rules that need them stay undecided.
 * Every other record is skipped. */
#include "vcts/trace.h"
#include "vcts/vdpa_uapi.h"
#include "lib/trace/qemu_log.h"
#include "lib/lines.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QV_MAX_DEVS 16
#define QV_MAX_VQS 64

struct qv {
	struct vc_trace *t;
	bool have_session;
	uint32_t session;
	uint8_t status;
	uint64_t events;
	struct {
		uint64_t ptr;
		uint64_t vqs;      /* bit per vq index seen with this dev */
	} dev[QV_MAX_DEVS];
	unsigned ndev;
};

static bool arg_u64(const struct vc_qlog_line *l, const char *key, uint64_t *v)
{
	const struct vc_qlog_arg *a = vc_qlog_find(l, key);
	bool neg;
	return a && vc_qlog_int(a->val, a->vlen, &neg, v) == 0 && !neg;
}

static uint32_t sess(struct qv *q)
{
	if (!q->have_session) {
		q->session = vc_trace_add_session(q->t, VC_SIDE_FRONTEND, "QEMU vhost-vdpa (trace log)");
		q->have_session = true;
	}
	return q->session;
}

static void base(struct qv *q, struct vc_event *ev, uint8_t kind, const struct vc_qlog_line *l,
		 uint64_t ln)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->session = sess(q);
	ev->time_ns = l->time_ns;
	ev->src.line = ln;
	ev->dir = VC_DIR_FE_TO_BE;
}

static void ioctl_ev(struct qv *q, const struct vc_qlog_line *l, uint64_t ln, uint32_t req,
		     const void *in, uint32_t in_len, const void *out, uint32_t out_len)
{
	struct vc_event ev;
	base(q, &ev, VC_EV_VDPA_IOCTL, l, ln);
	/* QEMU traces after a call that did not fail. */
	vc_vdpa_op_set(&ev.u.vdpa, req, in, in_len, out, out_len);
	vc_trace_add_event(q->t, &ev);
	q->events++;
}

static void note_vq(struct qv *q, const struct vc_qlog_line *l, uint64_t idx)
{
	uint64_t dev;
	if (!arg_u64(l, "dev", &dev) || idx >= QV_MAX_VQS)
		return;
	for (unsigned i = 0; i < q->ndev; i++)
		if (q->dev[i].ptr == dev) {
			q->dev[i].vqs |= 1ull << idx;
			return;
		}
	if (q->ndev < QV_MAX_DEVS) {
		q->dev[q->ndev].ptr = dev;
		q->dev[q->ndev].vqs = 1ull << idx;
		q->ndev++;
	}
}

static bool iotlb(struct qv *q, const struct vc_qlog_line *l, uint64_t ln, uint8_t type)
{
	uint64_t mt = VDPA_MSG_TYPE_IOTLB_V2, asid = 0, iova = 0, size = 0, uaddr = 0, perm = 0, ty;
	if (arg_u64(l, "type", &ty) && ty != type)
		return false;
	arg_u64(l, "msg_type", &mt);
	arg_u64(l, "asid", &asid);
	if (type == VDPA_IOTLB_UPDATE || type == VDPA_IOTLB_INVALIDATE) {
		if (!arg_u64(l, "iova", &iova) || !arg_u64(l, "size", &size))
			return false;
	}
	if (type == VDPA_IOTLB_UPDATE && (!arg_u64(l, "uaddr", &uaddr) || !arg_u64(l, "perm", &perm)))
		return false;
	struct vc_event ev;
	base(q, &ev, VC_EV_VDPA_IOTLB, l, ln);
	ev.u.iotlb.msg_type = (uint32_t)mt;
	ev.u.iotlb.asid = (uint32_t)asid;
	ev.u.iotlb.type = type;
	ev.u.iotlb.perm = (uint8_t)perm;
	ev.u.iotlb.iova = iova;
	ev.u.iotlb.size = size;
	ev.u.iotlb.uaddr = uaddr;
	vc_trace_add_event(q->t, &ev);
	q->events++;
	return true;
}

/* One vhost_vdpa_* record; false when its fields are missing. */
static bool record(struct qv *q, const struct vc_qlog_line *l, uint64_t ln)
{
	uint64_t a, b, c, d, e, f;
	uint32_t s[2];
	if (vc_qlog_name_is(l, "vhost_vdpa_dma_map"))
		return iotlb(q, l, ln, VDPA_IOTLB_UPDATE);
	if (vc_qlog_name_is(l, "vhost_vdpa_dma_unmap"))
		return iotlb(q, l, ln, VDPA_IOTLB_INVALIDATE);
	if (vc_qlog_name_is(l, "vhost_vdpa_listener_begin_batch"))
		return iotlb(q, l, ln, VDPA_IOTLB_BATCH_BEGIN);
	if (vc_qlog_name_is(l, "vhost_vdpa_listener_commit"))
		return iotlb(q, l, ln, VDPA_IOTLB_BATCH_END);
	if (vc_qlog_name_is(l, "vhost_vdpa_add_status")) {
		if (!arg_u64(l, "status", &a) || a > 0xff)
			return false;
		uint8_t old = q->status, now = (uint8_t)(q->status | a);
		ioctl_ev(q, l, ln, VDPA_REQ_VDPA_GET_STATUS, NULL, 0, &old, 1);
		ioctl_ev(q, l, ln, VDPA_REQ_VDPA_SET_STATUS, &now, 1, NULL, 0);
		ioctl_ev(q, l, ln, VDPA_REQ_VDPA_GET_STATUS, NULL, 0, &now, 1);
		q->status = now;
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_reset_device")) {
		uint8_t z = 0;
		ioctl_ev(q, l, ln, VDPA_REQ_VDPA_SET_STATUS, &z, 1, NULL, 0);
		q->status = 0;
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_get_features") || vc_qlog_name_is(l, "vhost_vdpa_set_features")) {
		if (!arg_u64(l, "features", &a))
			return false;
		if (vc_qlog_name_is(l, "vhost_vdpa_get_features"))
			ioctl_ev(q, l, ln, VDPA_REQ_GET_FEATURES, NULL, 0, &a, 8);
		else
			ioctl_ev(q, l, ln, VDPA_REQ_SET_FEATURES, &a, 8, NULL, 0);
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_set_owner")) {
		ioctl_ev(q, l, ln, VDPA_REQ_SET_OWNER, NULL, 0, NULL, 0);
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_get_device_id")) {
		/* QEMU 7.2 prints "device_id 1" (no colon): two lone tokens. */
		bool found = arg_u64(l, "device_id", &a);
		for (unsigned i = 0; !found && i + 1 < l->nargs; i++) {
			bool neg;
			if (!l->arg[i].klen && l->arg[i].vlen == 9 && !memcmp(l->arg[i].val, "device_id", 9) &&
			    !l->arg[i + 1].klen &&
			    vc_qlog_int(l->arg[i + 1].val, l->arg[i + 1].vlen, &neg, &a) == 0 && !neg)
				found = true;
		}
		if (!found)
			return false;
		uint32_t id = (uint32_t)a;
		ioctl_ev(q, l, ln, VDPA_REQ_VDPA_GET_DEVICE_ID, NULL, 0, &id, 4);
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_get_iova_range")) {
		uint64_t r[2];
		if (!arg_u64(l, "first", &r[0]) || !arg_u64(l, "last", &r[1]))
			return false;
		ioctl_ev(q, l, ln, VDPA_REQ_VDPA_GET_IOVA_RANGE, NULL, 0, r, 16);
		return true;
	}
	static const struct {
		const char *name;
		uint32_t req;
	} rs[] = {
		{ "vhost_vdpa_set_vring_num", VDPA_REQ_SET_VRING_NUM },
		{ "vhost_vdpa_set_vring_base", VDPA_REQ_SET_VRING_BASE },
		{ "vhost_vdpa_get_vring_base", VDPA_REQ_GET_VRING_BASE },
	};
	for (unsigned i = 0; i < 3; i++)
		if (vc_qlog_name_is(l, rs[i].name)) {
			if (!arg_u64(l, "index", &a) || !arg_u64(l, "num", &b) || a > UINT32_MAX || b > UINT32_MAX)
				return false;
			note_vq(q, l, a);
			s[0] = (uint32_t)a;
			s[1] = (uint32_t)b;
			if (rs[i].req == VDPA_REQ_GET_VRING_BASE) {
				uint32_t in[2] = { s[0], 0 };
				ioctl_ev(q, l, ln, rs[i].req, in, 8, s, 8);
			} else {
				ioctl_ev(q, l, ln, rs[i].req, s, 8, NULL, 0);
			}
			return true;
		}
	if (vc_qlog_name_is(l, "vhost_vdpa_set_vring_kick") || vc_qlog_name_is(l, "vhost_vdpa_set_vring_call")) {
		if (!arg_u64(l, "index", &a) || a > UINT32_MAX || !vc_qlog_find(l, "fd"))
			return false;
		const struct vc_qlog_arg *fa = vc_qlog_find(l, "fd");
		bool neg;
		uint64_t fdv;
		if (vc_qlog_int(fa->val, fa->vlen, &neg, &fdv) || fdv > INT32_MAX)
			return false;
		s[0] = (uint32_t)a;
		s[1] = neg ? (uint32_t)-(int32_t)fdv : (uint32_t)fdv;
		note_vq(q, l, a);
		ioctl_ev(q, l, ln, vc_qlog_name_is(l, "vhost_vdpa_set_vring_kick") ? VDPA_REQ_SET_VRING_KICK
										 : VDPA_REQ_SET_VRING_CALL,
			 s, 8, NULL, 0);
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_set_vring_addr")) {
		if (!arg_u64(l, "index", &a) || !arg_u64(l, "flags", &b) || !arg_u64(l, "desc_user_addr", &c) ||
		    !arg_u64(l, "used_user_addr", &d) || !arg_u64(l, "avail_user_addr", &e) ||
		    !arg_u64(l, "log_guest_addr", &f) || a > UINT32_MAX || b > UINT32_MAX)
			return false;
		uint8_t arg[VDPA_SZ_VRING_ADDR];
		uint32_t i32[2] = { (uint32_t)a, (uint32_t)b };
		memcpy(arg, i32, 8);
		memcpy(arg + 8, &c, 8);
		memcpy(arg + 16, &d, 8);
		memcpy(arg + 24, &e, 8);
		memcpy(arg + 32, &f, 8);
		note_vq(q, l, a);
		ioctl_ev(q, l, ln, VDPA_REQ_SET_VRING_ADDR, arg, sizeof arg, NULL, 0);
		return true;
	}
	if (vc_qlog_name_is(l, "vhost_vdpa_set_vring_ready")) {
		uint64_t dev;
		if (!arg_u64(l, "dev", &dev))
			return false;
		for (unsigned i = 0; i < q->ndev; i++)
			if (q->dev[i].ptr == dev)
				for (uint32_t v = 0; v < QV_MAX_VQS; v++)
					if (q->dev[i].vqs >> v & 1) {
						s[0] = v;
						s[1] = 1;
						ioctl_ev(q, l, ln, VDPA_REQ_VDPA_SET_VRING_ENABLE, s, 8, NULL, 0);
					}
		return true;
	}
	return true; /* other vhost_vdpa_* records: nothing to judge */
}

int vc_import_qemu_vdpa(struct vc_trace *t, const char *buf, size_t len, struct vc_error *err)
{
	(void)err;
	struct qv q;
	memset(&q, 0, sizeof q);
	q.t = t;
	uint64_t ln = 0;
	struct vc_lines it;
	vc_lines_init(&it, buf, len);
	const char *l;
	size_t n;
	while (vc_lines_next(&it, &l, &n)) {
		ln = it.ln;
		struct vc_qlog_line ql;
		if (n < 11 || !vc_qlog_parse(l, n, &ql) || ql.name_len < 11 ||
		    memcmp(ql.name, "vhost_vdpa_", 11) != 0)
			continue;
		if (!record(&q, &ql, ln)) {
			vc_trace_warn(t, ln, "malformed %.*s record skipped; the session is incomplete from here",
				      (int)(ql.name_len > 48 ? 48 : ql.name_len), ql.name);
			/* What it recorded is lost: nothing after it is judged. */
			struct vc_event ev;
			base(&q, &ev, VC_EV_GAP, &ql, ln);
			vc_trace_add_event(t, &ev);
		}
	}
	return 0;
}
