/* fuzz-backend: running one iteration, a scenario of the driver's runner. */
#include "fakes/frontend/befuzz_int.h"
#include "lib/xalloc.h"

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- running one iteration (a scenario of the runner) ---- */

static struct fz_iter *g_it;


static void log_msg(struct fz_iter *it, int step, uint32_t req, uint32_t flags, uint32_t size,
		    const uint8_t *pl, uint32_t len, unsigned hdr_bytes, const struct fz_step *s, unsigned nfds)
{
	if (!it)
		return;
	uint8_t hdr[VU_HDR_SIZE];
	vu_wr32(hdr, req);
	vu_wr32(hdr + 4, flags);
	vu_wr32(hdr + 8, size);
	size_t off = it->rawlen;
	it->raw = xgrow(it->raw, &it->rawcap, it->rawlen + VU_HDR_SIZE + len, 1);
	memcpy(it->raw + it->rawlen, hdr, hdr_bytes);
	it->rawlen += hdr_bytes;
	if (hdr_bytes == VU_HDR_SIZE && len) {
		memcpy(it->raw + it->rawlen, pl, len);
		it->rawlen += len;
	}
	if (!it->txt)
		return;
	char nb[32];
	fprintf(it->txt, "%zu\t%zu\t%s\t%d\t%s\tflags=0x%x\tsize=%u\tfds=%u", off, it->rawlen - off,
		step < 0 ? "probe" : "step", step, fz_rname(req, nb, sizeof nb), flags, size, nfds);
	for (unsigned k = 0; s && k < nfds && k < s->nfds; k++)
		fprintf(it->txt, "%s%s:%u", k ? "," : "\t", fz_fdk_names[s->fd[k].kind], s->fd[k].arg);
	fputc('\n', it->txt);
}

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int tmp_eventfd(int *tmp, unsigned *nt)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd >= 0)
		tmp[(*nt)++] = fd;
	return fd;
}

/* The fds a step names; temporaries go to tmp, our end of a new back-end
 * channel to *keep. Returns the count. */
static unsigned make_fds(struct vfe_conn *c, const struct fz_step *s, int *fds, int *tmp, unsigned *nt, int *keep)
{
	unsigned n = 0;
	for (unsigned k = 0; k < s->nfds; k++) {
		const struct fz_fdref *f = &s->fd[k];
		int fd = -1;
		switch (f->kind) {
		case FD_MEM:
			fd = f->arg < c->nmem ? c->mem[f->arg].fd : tmp_eventfd(tmp, nt);
			break;
		case FD_KICK:
		case FD_CALL:
		case FD_ERR:
			if (f->arg < VFE_MAX_RINGS) {
				const struct vfe_vring *r = &c->ring[f->arg];
				fd = f->kind == FD_KICK ? r->kick : f->kind == FD_CALL ? r->call : r->err;
			}
			if (fd < 0)
				fd = tmp_eventfd(tmp, nt);
			break;
		case FD_BECHAN: {
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
				closep(keep);
				*keep = sv[0];
				tmp[(*nt)++] = sv[1];
				fd = sv[1];
			}
			break;
		}
		case FD_MEMFD:
			fd = memfd_create("vcts-fuzz", MFD_CLOEXEC);
			if (fd >= 0) {
				tmp[(*nt)++] = fd;
				if (ftruncate(fd, (off_t)f->arg << 10) != 0)
					(void)0;
			}
			break;
		case FD_PIPE: {
			int pp[2];
			if (pipe2(pp, O_CLOEXEC) == 0) {
				tmp[(*nt)++] = pp[0];
				tmp[(*nt)++] = pp[1];
				fd = pp[1];
			}
			break;
		}
		default:
			fd = tmp_eventfd(tmp, nt);
			break;
		}
		if (fd >= 0)
			fds[n++] = fd;
	}
	return n;
}

static bool owed(const struct fz_iter *it, uint32_t req, uint32_t flags)
{
	if ((flags & VU_FLAG_VERSION_MASK) != VU_VERSION || (flags & VU_FLAG_REPLY))
		return false;
	/* pf_neg: what was acked of the offer, so both sides are known */
	struct vu_owed o = vu_reply_owed(VU_CHAN_MAIN, req, flags,
					 vu_pf_known(true, it->pf, true, it->pf_neg, VU_PF_LOG_SHMFD),
					 vu_pf_known(true, it->pf, true, it->pf_neg, VU_PF_REPLY_ACK));
	return o.value == VU_KNOWN_YES || o.ack == VU_KNOWN_YES;
}

/* Wait for the reply to req (other messages are read and dropped).
 * 1 got it, 0 closed / garbage, -1 timed out. */
static int recv_reply(struct vfe_conn *c, struct fz_iter *it, uint32_t req, struct vfe_msg *m)
{
	for (int k = 0; k < 64; k++) {
		enum vfe_rx rx = vfe_recv(c, m, req);
		if (rx == VFE_RX_TIMEOUT)
			return -1;
		if (rx != VFE_RX_MSG)
			return 0;
		bool match = m->req == req && (m->flags & VU_FLAG_REPLY);
		uint64_t v;
		if (match && it && vu_dec_u64(m->pl, m->len, &v)) {
			if (req == VU_GET_FEATURES)
				it->features = v;
			else if (req == VU_GET_PROTOCOL_FEATURES)
				it->pf = v;
		}
		vfe_msg_close_fds(m);
		if (match)
			return 1;
	}
	return 0;
}

/* Read what the back-end sent meanwhile, without waiting. */
static void drain(struct vfe_conn *c, struct vfe_msg *m)
{
	for (int k = 0; k < 64 && !c->eof && !c->garbage; k++) {
		struct pollfd pf = { .fd = c->sock, .events = POLLIN };
		if (poll(&pf, 1, 0) <= 0)
			return;
		int save = c->timeout_ms;
		bool hung = c->hung;
		c->timeout_ms = 20;
		enum vfe_rx rx = vfe_recv(c, m, 0);
		c->timeout_ms = save;
		c->hung = hung;
		if (rx != VFE_RX_MSG)
			return;
		vfe_msg_close_fds(m);
	}
}

/* GET_FEATURES, always answered by a live back-end: 1 answered, 0
 * closed, -1 no answer within the timeout. */
static int probe(struct vfe_conn *c, struct fz_iter *it, struct vfe_msg *m)
{
	if (vfe_send_raw(c, VU_GET_FEATURES, VU_VERSION, -1, NULL, 0, NULL, 0))
		return c->hung ? -1 : 0;
	log_msg(it, -1, VU_GET_FEATURES, VU_VERSION, 0, NULL, 0, VU_HDR_SIZE, NULL, 0);
	uint64_t keep = it ? it->features : 0;
	int r = recv_reply(c, it, VU_GET_FEATURES, m);
	if (it)
		it->features = keep;
	return r;
}

/* 0 sent (and answered when owed), 1 closed by the back-end, 2 an owed
 * answer did not come, 3 the back-end stopped reading, -1 hung after our
 * EOF. */
static int exec_msg(struct vfe_conn *c, struct fz_iter *it, int k, const struct fz_step *s, struct vfe_msg *m)
{
	uint8_t pl[FZ_MAX_PL];
	memcpy(pl, s->pl, s->len);
	if (s->sym == SYM_FEATURES && s->len >= 8)
		vu_wr64(pl, vu_rd64(pl) & it->features);
	else if (s->sym == SYM_PF && s->len >= 8)
		vu_wr64(pl, vu_rd64(pl) & it->pf);
	int fds[FZ_MAX_FDS], tmp[2 * FZ_MAX_FDS], keep = -1;
	unsigned nt = 0;
	unsigned nfds = make_fds(c, s, fds, tmp, &nt, &keep);
	uint32_t size = s->declared >= 0 ? (uint32_t)s->declared : s->len;
	int rc;
	if (s->op == FZ_CUT && s->fval) {
		/* only the first bytes of the header, then EOF */
		uint8_t hdr[VU_HDR_SIZE];
		vu_wr32(hdr, s->req);
		vu_wr32(hdr + 4, s->flags);
		vu_wr32(hdr + 8, size);
		unsigned nb = (unsigned)(s->fval < VU_HDR_SIZE ? s->fval : VU_HDR_SIZE - 1);
		log_msg(it, k, s->req, s->flags, size, pl, 0, nb, s, 0);
		rc = vc_sock_send(c->sock, hdr, nb, NULL, 0, c->timeout_ms);
	} else {
		log_msg(it, k, s->req, s->flags, size, pl, s->len, VU_HDR_SIZE, s, nfds);
		rc = vfe_send_raw(c, s->req, s->flags, s->declared, pl, s->len, fds, nfds);
	}
	for (unsigned j = 0; j < nt; j++)
		close(tmp[j]);
	if (rc == 0 && keep >= 0) {
		vfe_set_backend(c, keep);
		keep = -1;
	}
	closep(&keep);
	it->sent++;
	if (rc != 0)
		return c->hung ? 3 : 1;
	if (s->op == FZ_CUT) {
		shutdown(c->sock, SHUT_WR);
		enum vfe_rx rx;
		while ((rx = vfe_recv(c, m, 0)) == VFE_RX_MSG)
			vfe_msg_close_fds(m);
		if (rx == VFE_RX_TIMEOUT) {
			c->why[0] = 0;
			vfe_why(c, "back-end kept the connection open %d ms after the front-end's EOF in a message",
				c->timeout_ms);
			return -1;
		}
		return 1;
	}
	if (s->declared >= 0 && s->declared != (int64_t)s->len)
		it->desync = true;
	if (it->desync) {
		drain(c, m);
		return c->eof || c->garbage ? 1 : 0;
	}
	if (s->req == VU_SET_PROTOCOL_FEATURES && s->len >= 8 && (s->flags & VU_FLAG_VERSION_MASK) == VU_VERSION)
		it->pf_neg = vu_rd64(pl) & it->pf;
	if (!owed(it, s->req, s->flags)) {
		drain(c, m);
		return c->eof || c->garbage ? 1 : 0;
	}
	int r = recv_reply(c, it, s->req, m);
	return r == 1 ? 0 : r == 0 ? 1 : 2;
}

static void exec_kick(struct vfe_conn *c, struct fz_iter *it, const struct fz_step *s)
{
	uint32_t i = s->ring;
	if (i >= VFE_MAX_RINGS)
		return;
	struct vfe_vring *r = &c->ring[i];
	if (!r->num || r->kick < 0)
		return;
	uint8_t *desc = vfe_gpa(c, r->desc, vu_desc_bytes(r->num));
	uint8_t *avail = vfe_gpa(c, r->avail, vu_avail_bytes(r->num));
	uint64_t buf = VFE_BUF_AREA + (uint64_t)i * (64u << 10);
	uint8_t *b = vfe_gpa(c, buf, 64u << 10);
	if (!desc || !avail || !b)
		return;
	uint64_t gpa[3];
	uint32_t len[3], wr[3];
	unsigned n = 0;
	if (vfe_run_device(c->run) == VFE_DEV_BLK) {
		uint32_t type = (it->plan->iter & 1) ? VC_BLK_T_OUT : VC_BLK_T_IN;
		memset(b, 0, VC_BLK_HDR_BYTES);
		vu_wr32(b, type);
		vu_wr64(b + 8, it->plan->iter % 64);
		memset(b + 4096, (int)(it->plan->iter & 0xff), VC_BLK_SECTOR);
		gpa[n] = buf, len[n] = VC_BLK_HDR_BYTES, wr[n++] = 0;
		gpa[n] = buf + 4096, len[n] = VC_BLK_SECTOR, wr[n++] = type == VC_BLK_T_IN;
		gpa[n] = buf + 8192, len[n] = 1, wr[n++] = 1;
	} else if (i % 2 == 0) {
		gpa[n] = buf, len[n] = NET_RX_BYTES, wr[n++] = 1;
	} else {
		memset(b, 0, VC_NET_HDR_BYTES + NET_FRAME_BYTES);
		memset(b + VC_NET_HDR_BYTES, 0xff, 6);
		for (unsigned k = 6; k < NET_FRAME_BYTES; k++)
			b[VC_NET_HDR_BYTES + k] = (uint8_t)(k * 7 + it->plan->iter);
		gpa[n] = buf, len[n] = VC_NET_HDR_BYTES + NET_FRAME_BYTES, wr[n++] = 0;
	}
	uint16_t head = (uint16_t)(r->avail_idx % r->num);
	if (head + n > r->num)
		head = 0;
	for (unsigned k = 0; k < n; k++) {
		uint8_t *d = desc + (size_t)(head + k) * VRING_DESC_SIZE;
		uint16_t fl = (uint16_t)((k + 1 < n ? VRING_DESC_F_NEXT : 0) | (wr[k] ? VRING_DESC_F_WRITE : 0));
		uint16_t next = (uint16_t)(head + k + 1);
		vu_wr64(d, gpa[k]);
		vu_wr32(d + VRING_DESC_LEN, len[k]);
		memcpy(d + VRING_DESC_FLAGS, &fl, 2);
		memcpy(d + VRING_DESC_NEXT, &next, 2);
	}
	uint8_t *hd = desc + (size_t)head * VRING_DESC_SIZE;
	uint16_t fl, nx, slotv = head, idx = (uint16_t)(r->avail_idx + 1);
	memcpy(&fl, hd + VRING_DESC_FLAGS, 2);
	switch (s->fault) {
	case DF_ADDR: vu_wr64(hd, s->fval); break;
	case DF_LEN: vu_wr32(hd + VRING_DESC_LEN, (uint32_t)s->fval); break;
	case DF_LOOP:
		fl |= VRING_DESC_F_NEXT;
		memcpy(hd + VRING_DESC_FLAGS, &fl, 2);
		memcpy(hd + VRING_DESC_NEXT, &head, 2);
		break;
	case DF_NEXT_OOR:
		fl |= VRING_DESC_F_NEXT;
		nx = (uint16_t)(r->num + (s->fval & 0xff));
		memcpy(hd + VRING_DESC_FLAGS, &fl, 2);
		memcpy(hd + VRING_DESC_NEXT, &nx, 2);
		break;
	case DF_INDIRECT: {
		uint8_t *t = b + (32u << 10);
		for (unsigned k = 0; k < 4; k++) {
			uint16_t f2 = VRING_DESC_F_NEXT, n2 = (uint16_t)((k + 1) % 4);
			vu_wr64(t + k * VRING_DESC_SIZE, buf);
			vu_wr32(t + k * VRING_DESC_SIZE + VRING_DESC_LEN, 64);
			memcpy(t + k * VRING_DESC_SIZE + VRING_DESC_FLAGS, &f2, 2);
			memcpy(t + k * VRING_DESC_SIZE + VRING_DESC_NEXT, &n2, 2);
		}
		fl = VRING_DESC_F_INDIRECT;
		vu_wr64(hd, buf + (32u << 10));
		vu_wr32(hd + VRING_DESC_LEN, (uint32_t)s->fval);
		memcpy(hd + VRING_DESC_FLAGS, &fl, 2);
		break;
	}
	case DF_AVAIL_JUMP: idx = (uint16_t)(r->avail_idx + s->fval); break;
	case DF_HEAD_OOR: slotv = (uint16_t)s->fval; break;
	default: break;
	}
	memcpy(avail + VRING_RING_HDR + VRING_AVAIL_ELEM * (size_t)(r->avail_idx % r->num), &slotv, 2);
	r->avail_idx = idx;
	__atomic_store_n((uint16_t *)(avail + VRING_RING_IDX), idx, __ATOMIC_RELEASE);
	vfe_ring_kick(c, i);
	struct timespec ts = { 0, 20 * 1000000 };
	nanosleep(&ts, NULL);
}

static int fz_scn_run(struct vfe_conn *c, const struct vfe_scn *sc)
{
	(void)sc;
	struct fz_iter *it = g_it;
	const struct fz_plan *p = it->plan;
	it->pid = vfe_run_pid(c->run);
	for (unsigned k = 0; k < p->nreg; k++)
		if (vfe_mem_add(c, p->reg[k].gpa, p->reg[k].size) < 0) {
			vfe_why(c, "cannot create guest memory");
			return -1;
		}
	for (uint32_t i = 0; i < p->nrings && i < VFE_MAX_RINGS; i++)
		if (vfe_ring_prepare(c, i, p->ring_num[i] ? p->ring_num[i] : VFE_RING_NUM)) {
			vfe_why(c, "cannot lay out ring %u", i);
			return -1;
		}
	struct vfe_msg *m = xmalloc(sizeof *m);
	int end = 0, last = -1;
	for (unsigned k = 0; k < p->n && !end; k++) {
		if (it->sel && !it->sel[k])
			continue;
		if (c->eof || c->garbage) {
			end = 1;
			break;
		}
		const struct fz_step *s = &p->st[k];
		if (s->op == FZ_KICK) {
			exec_kick(c, it, s);
			continue;
		}
		last = (int)k;
		end = exec_msg(c, it, (int)k, s, m);
	}
	int rc = 0;
	char nb[32];
	if (end == -1) {
		c->hung = true;
		rc = -1;
	} else if (end == 2) {
		/* an owed answer did not come: does the back-end still answer? */
		c->hung = false;
		int pr = probe(c, it, m);
		if (pr < 0) {
			c->hung = true;
			c->why[0] = 0;
			vfe_why(c, "no answer to step %d (%s) nor to GET_FEATURES after it within %d ms", last,
				fz_rname(p->st[last].req, nb, sizeof nb), c->timeout_ms);
			rc = -1;
		} else {
			snprintf(it->note, sizeof it->note, "no answer to step %d (%s); %s", last,
				 fz_rname(p->st[last].req, nb, sizeof nb), pr ? "a probe after it was answered" : "then closed");
		}
	} else if (end == 1 || end == 3 || it->desync) {
		/* the stream is over or out of step: a new connection must be served */
		bool stuck = end == 3;
		c->hung = false;
		if (vfe_run_reconnect(c->run, c) == 0) {
			it->reconnects++;
			int pr = probe(c, it, m);
			if (pr < 0) {
				c->hung = true;
				c->why[0] = 0;
				vfe_why(c, "%s; a new connection gets no answer to GET_FEATURES within %d ms",
					stuck ? "back-end stopped reading its socket" : end == 1 ? "back-end closed the connection" : "stream out of step",
					c->timeout_ms);
				rc = -1;
			}
		}
		if (rc == 0)
			snprintf(it->note, sizeof it->note, "%s at step %d", stuck ? "back-end stopped reading" : end == 1 ? "closed by the back-end" : "stream out of step", last);
	} else {
		int pr = probe(c, it, m);
		if (pr < 0) {
			c->hung = true;
			c->why[0] = 0;
			vfe_why(c, "no answer to GET_FEATURES after the sequence within %d ms", c->timeout_ms);
			rc = -1;
		}
	}
	free(m);
	if (rc < 0)
		snprintf(it->note, sizeof it->note, "%.*s", (int)sizeof it->note - 1, c->why);
	return rc;
}

/* After an iteration: one probe on a new connection, so a crash the
 * iteration caused shows before the back-end is stopped. */
static int fz_live_run(struct vfe_conn *c, const struct vfe_scn *sc)
{
	(void)sc;
	struct vfe_msg *m = xmalloc(sizeof *m);
	int pr = probe(c, NULL, m);
	free(m);
	if (pr < 0) {
		c->hung = true;
		return -1;
	}
	return 0;
}

static char g_scn_name[64];
static struct vfe_scn g_scn = { g_scn_name, "fuzz", "one fuzz-backend iteration", false, VC_R_VU_BE_05, 0, fz_scn_run, 0 };
static const struct vfe_scn g_live = { "fuzz-liveness", "fuzz", "GET_FEATURES on a new connection", false, VC_R_VU_BE_05,
				       0, fz_live_run, 0 };

const struct vfe_scenario_result *fz_exec_iteration(struct vfe_run *r, struct fz_iter *it, uint64_t seed,
						     uint64_t iter)
{
	snprintf(g_scn_name, sizeof g_scn_name, "fuzz seed %" PRIu64 " iteration %" PRIu64, seed, iter);
	g_it = it;
	const struct vfe_scenario_result *res = vfe_run_scenario(r, &g_scn);
	g_it = NULL;
	return res;
}

const struct vfe_scenario_result *fz_exec_liveness(struct vfe_run *r)
{
	return vfe_run_scenario(r, &g_live);
}

const char *vfz_kind_name(enum vfz_kind k)
{
	static const char *const n[VFZ_KIND_COUNT] = { "ok", "crash", "hang", "leak" };
	return k < VFZ_KIND_COUNT ? n[k] : "?";
}

enum vfz_kind fz_kind_of(enum vfe_outcome o)
{
	return o == VFE_CRASHED ? VFZ_CRASH : o == VFE_HUNG ? VFZ_HANG : o == VFE_LEAKED ? VFZ_LEAK : VFZ_OK;
}
