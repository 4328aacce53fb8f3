/* fuzz-backend: mutated, mostly valid request sequences sent to a real
 * vhost-user back-end through the driver's connection, guest memory and
 * runner (see befuzz.h).
 *
 * A plan is a list of steps. A step is a message (request number, header
 * flags, declared size, payload bytes, fd references) or a kick of a ring
 * with a descriptor chain on it (optionally faulty). Addresses in the plan
 * are in a fixed, synthetic front-end address space (FZ_UVA_BASE): a
 * back-end only uses userspace_addr to translate ring addresses, so the
 * bytes do not depend on where this process mapped its memfds. Values the
 * back-end decides (which features it offers) are symbolic in the plan and
 * resolved from its answers when sent. */

/* This file: building a plan (base sequence, then mutations from
 * befuzz_mutate.c), printing it, and step selections. */
#include "fakes/frontend/befuzz_int.h"
#include "lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *const fz_fdk_names[] = { "mem", "kick", "call", "err", "be-chan", "memfd", "eventfd", "pipe" };
const char *const fz_df_names[] = { "none", "desc addr", "desc len", "next loop", "next out of range",
				 "indirect table", "avail idx jump", "head out of range" };

/* ---- plan building ---- */

static void ring_layout(const struct fz_plan *p, uint32_t i, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	uint32_t num = i < VFE_MAX_RINGS && p->ring_num[i] ? p->ring_num[i] : VFE_RING_NUM;
	*desc = VFE_RING_AREA + (uint64_t)(i % VFE_MAX_RINGS) * VFE_RING_SLOT;
	*avail = *desc + vu_desc_bytes(num);
	*used = (*avail + vu_avail_bytes(num) + VRING_USED_ALIGN - 1) & ~(uint64_t)(VRING_USED_ALIGN - 1);
}

static struct fz_step *add_step(struct fz_plan *p)
{
	if (p->n >= FZ_MAX_STEPS)
		return NULL;
	struct fz_step *s = &p->st[p->n++];
	memset(s, 0, sizeof *s);
	s->declared = -1;
	return s;
}

void fz_put_fd(struct fz_step *s, uint8_t kind, uint32_t arg)
{
	if (s->nfds < FZ_MAX_FDS)
		s->fd[s->nfds++] = (struct fz_fdref){ kind, arg };
}

static uint32_t memtable_pl(const struct fz_plan *p, uint8_t *pl, unsigned n)
{
	struct vu_region_pl r[FZ_MAX_REGIONS];
	for (unsigned i = 0; i < n; i++)
		r[i] = (struct vu_region_pl){ p->reg[i].gpa, p->reg[i].size, fz_reg_uva(i), 0 };
	return (uint32_t)vu_enc_memtable(pl, VU_MEM_TABLE_HDR + n * VU_MEM_REGION_SIZE, r, n);
}

/* One well-formed message for request req (ring index, value as the
 * recordings give them). */
struct fz_step *fz_build(struct fz_plan *p, uint32_t req, uint32_t flags, uint32_t index, uint64_t value)
{
	struct fz_step *s = add_step(p);
	if (!s)
		return NULL;
	s->op = FZ_MSG;
	s->req = req;
	s->flags = flags;
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, req);
	int fixed = ri ? vu_payload_fixed_size((enum vu_payload)ri->req_payload) : 0;
	s->len = fixed > 0 && (unsigned)fixed <= FZ_MAX_PL ? (uint32_t)fixed : 0;
	uint64_t desc, avail, used;
	switch (req) {
	case VU_SET_FEATURES:
		vu_wr64(s->pl, value);
		s->sym = SYM_FEATURES;
		break;
	case VU_SET_PROTOCOL_FEATURES:
		vu_wr64(s->pl, value);
		s->sym = SYM_PF;
		break;
	case VU_SET_MEM_TABLE: {
		unsigned n = p->nreg > VU_MEM_BASELINE_REGIONS ? VU_MEM_BASELINE_REGIONS : p->nreg;
		if (p->nreg > VU_MEM_BASELINE_REGIONS && value)
			n = p->nreg; /* the plan wants the over-long table */
		s->len = memtable_pl(p, s->pl, n);
		for (unsigned i = 0; i < n; i++)
			fz_put_fd(s, FD_MEM, i);
		break;
	}
	case VU_ADD_MEM_REG:
	case VU_REM_MEM_REG: {
		unsigned k = (unsigned)(value % p->nreg);
		uint8_t tmp[VU_MEM_TABLE_HDR + FZ_MAX_REGIONS * VU_MEM_REGION_SIZE];
		memtable_pl(p, tmp, p->nreg);
		memset(s->pl, 0, VU_MEM_TABLE_HDR);
		memcpy(s->pl + VU_MEM_TABLE_HDR, tmp + VU_MEM_TABLE_HDR + k * VU_MEM_REGION_SIZE, VU_MEM_REGION_SIZE);
		s->len = VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE;
		fz_put_fd(s, FD_MEM, k);
		break;
	}
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
	case VU_GET_VRING_BASE:
	case VU_VRING_KICK:
	case VU_SET_VRING_ENDIAN:
		vu_wr32(s->pl, index);
		vu_wr32(s->pl + 4, (uint32_t)value);
		break;
	case VU_SET_VRING_ADDR:
		ring_layout(p, index, &desc, &avail, &used);
		/* log: the used ring's offset, a plausible-looking value */
		vu_enc_addr(s->pl, sizeof s->pl, &(struct vu_addr_pl){
			.index = index, .flags = (uint32_t)value & VU_VRING_F_LOG,
			.desc = fz_reg_uva(0) + desc, .used = fz_reg_uva(0) + used,
			.avail = fz_reg_uva(0) + avail, .log = used });
		break;
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		vu_wr64(s->pl, index);
		fz_put_fd(s, req == VU_SET_VRING_KICK ? FD_KICK : req == VU_SET_VRING_CALL ? FD_CALL : FD_ERR, index);
		break;
	case VU_SET_BACKEND_REQ_FD:
		fz_put_fd(s, FD_BECHAN, 0);
		break;
	case VU_SET_LOG_BASE: {
		/* one bit per page of every region, rounded to a page */
		uint64_t top = 0;
		for (unsigned i = 0; i < p->nreg; i++)
			if (p->reg[i].gpa + p->reg[i].size > top)
				top = p->reg[i].gpa + p->reg[i].size;
		uint64_t sz = ((top / VU_LOG_PAGE / 8) + VU_LOG_PAGE - 1) & ~(VU_LOG_PAGE - 1);
		vu_wr64(s->pl, sz);
		vu_wr64(s->pl + 8, 0);
		fz_put_fd(s, FD_MEMFD, (uint32_t)(sz >> 10));
		break;
	}
	case VU_SET_LOG_FD:
		fz_put_fd(s, FD_EVENTFD, 0);
		break;
	case VU_GET_INFLIGHT_FD:
	case VU_SET_INFLIGHT_FD:
		vu_wr64(s->pl, req == VU_SET_INFLIGHT_FD ? 64 << 10 : 0);
		vu_wr64(s->pl + 8, 0);
		{
			uint16_t nq = (uint16_t)(p->nrings ? p->nrings : 1), qs = (uint16_t)VFE_RING_NUM;
			memcpy(s->pl + 16, &nq, 2);
			memcpy(s->pl + 18, &qs, 2);
		}
		if (req == VU_SET_INFLIGHT_FD)
			fz_put_fd(s, FD_MEMFD, 64);
		break;
	case VU_GET_CONFIG:
	case VU_SET_CONFIG: {
		uint32_t sz = value > 256 ? 256 : (uint32_t)value;
		vu_wr32(s->pl, 0);
		vu_wr32(s->pl + 4, sz);
		vu_wr32(s->pl + 8, 0);
		s->len = VU_CONFIG_HDR + sz;
		break;
	}
	case VU_SET_STATUS:
	case VU_NET_SET_MTU:
		vu_wr64(s->pl, value);
		break;
	case VU_IOTLB_MSG:
		vu_wr64(s->pl, 0);                       /* iova */
		vu_wr64(s->pl + 8, VFE_MEM_SIZE);        /* size */
		vu_wr64(s->pl + 16, fz_reg_uva(0));         /* uaddr */
		s->pl[24] = 3;                           /* perm RW */
		s->pl[25] = (uint8_t)(value ? value : 2); /* type: update */
		break;
	case VU_SET_DEVICE_STATE_FD:
		fz_put_fd(s, FD_PIPE, 0);
		break;
	default:
		if (s->len >= 8)
			vu_wr64(s->pl, value);
		break;
	}
	return s;
}

static void add_kick(struct fz_plan *p, uint32_t ring)
{
	struct fz_step *s = add_step(p);
	if (!s)
		return;
	s->op = FZ_KICK;
	s->ring = ring;
}

/* ---- base sequences ---- */

static bool rec_for_device(const struct vfe_recording *rec, enum vfe_device d)
{
	bool blk = strstr(rec->name, "blk") != NULL;
	return d == VFE_DEV_BLK ? blk : d == VFE_DEV_NET ? !blk : false;
}

static bool is_stop(const struct vfe_rec_step *s)
{
	return s->req == VU_GET_VRING_BASE || (s->req == VU_SET_VRING_ENABLE && s->value == 0) ||
	       (s->req == VU_SET_STATUS && s->value == 0);
}

static void from_recording(struct fz_plan *p, const struct vfe_recording *rec)
{
	p->base = rec->name;
	unsigned add_reg = 0;
	bool kicked_since = false;
	for (unsigned k = 0; k < rec->nsteps; k++) {
		const struct vfe_rec_step *s = &rec->steps[k];
		if (s->index < VFE_MAX_RINGS && s->index + 1 > p->nrings &&
		    (s->req == VU_SET_VRING_NUM || s->req == VU_SET_VRING_KICK || s->req == VU_SET_VRING_CALL))
			p->nrings = s->index + 1;
		if (s->req == VU_SET_VRING_NUM && s->index < VFE_MAX_RINGS && !p->ring_num[s->index] && s->value &&
		    s->value <= 1024)
			p->ring_num[s->index] = (uint32_t)s->value;
		/* the device runs between the last kick fd and the first stop */
		if (kicked_since && is_stop(s)) {
			for (uint32_t i = 0; i < p->nrings; i++)
				add_kick(p, i);
			kicked_since = false;
		}
		if (s->req == VU_SET_VRING_KICK)
			kicked_since = true;
		uint64_t v = s->value;
		if (s->req == VU_ADD_MEM_REG)
			v = add_reg++;
		fz_build(p, s->req, s->flags, s->index, v);
	}
}

/* The driver's own sequence: QEMU order, everything acked. */
static void from_table(struct fz_plan *p, enum vfe_device d, uint32_t nrings)
{
	p->base = "init-start-kick-stop";
	p->nrings = nrings;
	uint32_t ack = VU_VERSION | VU_FLAG_NEED_REPLY;
	fz_build(p, VU_GET_FEATURES, VU_VERSION, 0, 0);
	fz_build(p, VU_GET_PROTOCOL_FEATURES, VU_VERSION, 0, 0);
	fz_build(p, VU_SET_PROTOCOL_FEATURES, VU_VERSION, 0,
	      vfe_default_pf() | VU_BIT(VU_PF_BACKEND_REQ) | VU_BIT(VU_PF_RESET_DEVICE));
	fz_build(p, VU_GET_QUEUE_NUM, VU_VERSION, 0, 0);
	fz_build(p, VU_GET_MAX_MEM_SLOTS, VU_VERSION, 0, 0);
	fz_build(p, VU_SET_BACKEND_REQ_FD, ack, 0, 0);
	fz_build(p, VU_SET_OWNER, ack, 0, 0);
	uint64_t feat = vfe_default_features(d) | VU_BIT(VU_F_LOG_ALL);
	if (d == VFE_DEV_NET)
		feat |= VU_BIT(VU_F_NET_MQ);
	fz_build(p, VU_SET_FEATURES, ack, 0, feat);
	fz_build(p, VU_SET_MEM_TABLE, ack, 0, 0);
	if (d == VFE_DEV_BLK) {
		fz_build(p, VU_GET_CONFIG, VU_VERSION, 0, 60);
		fz_build(p, VU_GET_INFLIGHT_FD, VU_VERSION, 0, 0);
	}
	for (uint32_t i = 0; i < nrings; i++) {
		fz_build(p, VU_SET_VRING_NUM, ack, i, p->ring_num[i] ? p->ring_num[i] : VFE_RING_NUM);
		fz_build(p, VU_SET_VRING_BASE, ack, i, 0);
		fz_build(p, VU_SET_VRING_ADDR, ack, i, 0);
		fz_build(p, VU_SET_VRING_KICK, ack, i, 0);
		fz_build(p, VU_SET_VRING_CALL, ack, i, 0);
	}
	for (uint32_t i = 0; i < nrings; i++)
		fz_build(p, VU_SET_VRING_ENABLE, ack, i, 1);
	fz_build(p, VU_SET_STATUS, ack, 0,
	      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	for (uint32_t i = 0; i < nrings; i++)
		add_kick(p, i);
	for (uint32_t i = 0; i < nrings; i++)
		fz_build(p, VU_GET_VRING_BASE, VU_VERSION, i, 0);
	fz_build(p, VU_SET_STATUS, ack, 0, 0);
}


void fz_plan_free(struct fz_plan *p)
{
	free(p->st);
	p->st = NULL;
}

/* The plan of iteration it of seed: a pure function of both. */
void fz_plan_make(struct fz_plan *p, enum vfe_device d, uint64_t seed, uint64_t it)
{
	memset(p, 0, sizeof *p);
	p->st = xcalloc(FZ_MAX_STEPS, sizeof *p->st);
	p->seed = seed;
	p->iter = it;
	struct rng g = { mix64(seed) ^ mix64(it * 0xd1342543de82ef95ull + 1) };
	p->reg[0] = (struct fz_region){ 0, VFE_MEM_SIZE };
	p->nreg = 1;
	if (d == VFE_DEV_BLK)
		p->reg[p->nreg++] = (struct fz_region){ VFE_MEM_SIZE, VFE_RING_AREA };
	if (chance(&g, 200)) {
		unsigned extra = chance(&g, 200) ? VU_MEM_BASELINE_REGIONS + 1 - p->nreg : 1 + below(&g, 3);
		for (unsigned k = 0; k < extra && p->nreg < FZ_MAX_REGIONS; k++) {
			p->reg[p->nreg] = (struct fz_region){ VFE_MEM_SIZE * (p->nreg + 1), VFE_RING_AREA };
			p->nreg++;
		}
	}
	/* base: one of the device's real recordings or the driver's table */
	unsigned nrec = 0, recs[8];
	for (unsigned k = 0; k < vfe_nrecordings && nrec < 8; k++)
		if (rec_for_device(&vfe_recordings[k], d))
			recs[nrec++] = k;
	unsigned pick = below(&g, nrec + 2);
	if (pick < nrec) {
		from_recording(p, &vfe_recordings[recs[pick]]);
	} else {
		uint32_t nr = vfe_device_rings(d);
		if (d == VFE_DEV_NET && pick == nrec + 1)
			nr *= 2;
		from_table(p, d, nr);
	}
	/* over-long tables are sent only when the plan has the regions */
	unsigned real = p->n;
	if (p->nreg > VU_MEM_BASELINE_REGIONS && real < FZ_MAX_STEPS - 1)
		for (unsigned k = 0; k < real; k++)
			if (p->st[k].req == VU_SET_MEM_TABLE) {
				p->n = real;
				struct fz_step *s = fz_build(p, VU_SET_MEM_TABLE, p->st[k].flags, 0, 1);
				if (s) {
					p->st[k] = *s;
					snprintf(p->st[k].note, sizeof p->st[k].note, "%u regions", p->nreg);
				}
			}
	p->n = real;
	/* mutations: none for 1 in 20, else 1 + a geometric number */
	unsigned m = 0;
	if (!chance(&g, 50)) {
		m = 1;
		while (m < 8 && chance(&g, 450))
			m++;
	}
	for (unsigned k = 0; k < m; k++)
		fz_mutate_one(&g, p);
	if (!m)
		fz_pmut(p, "none");
}

/* ---- plan text ---- */

const char *fz_rname(uint32_t req, char *buf, size_t len)
{
	return vu_request_name(VU_CHAN_MAIN, req, buf, len);
}


void fz_print_plan(const struct fz_plan *p, const uint8_t *sel, FILE *f)
{
	fprintf(f, "# seed %" PRIu64 " iteration %" PRIu64 ": base %s, %u regions, %u rings, %u steps\n", p->seed,
		p->iter, p->base, p->nreg, p->nrings, p->n);
	fprintf(f, "# mutations: %s\n", p->muts);
	for (unsigned r = 0; r < p->nreg; r++)
		fprintf(f, "# region %u: gpa 0x%" PRIx64 " size 0x%" PRIx64 " (memfd of that size), uva 0x%" PRIx64 "\n", r,
			p->reg[r].gpa, p->reg[r].size, fz_reg_uva(r));
	for (unsigned k = 0; k < p->n; k++) {
		const struct fz_step *s = &p->st[k];
		if (sel && !sel[k])
			continue;
		char nb[32];
		if (s->op == FZ_KICK) {
			fprintf(f, "%3u  kick ring %u%s%s\n", k, s->ring, s->note[0] ? "   # " : "", s->note);
			continue;
		}
		fprintf(f, "%3u  %-22s flags 0x%x size %" PRId64 " len %u fds", k, fz_rname(s->req, nb, sizeof nb), s->flags,
			s->declared >= 0 ? s->declared : (int64_t)s->len, s->len);
		for (unsigned j = 0; j < s->nfds; j++)
			fprintf(f, "%s%s:%u", j ? "," : " ", fz_fdk_names[s->fd[j].kind], s->fd[j].arg);
		if (!s->nfds)
			fprintf(f, " -");
		fprintf(f, " pl ");
		for (unsigned j = 0; j < s->len && j < 48; j++)
			fprintf(f, "%02x", s->pl[j]);
		if (s->len > 48)
			fprintf(f, "...");
		if (s->sym)
			fprintf(f, " (u64 & %s)", s->sym == SYM_FEATURES ? "offered features" : "offered protocol features");
		if (s->op == FZ_CUT)
			fprintf(f, " CUT");
		if (s->note[0])
			fprintf(f, "   # %s", s->note);
		fputc('\n', f);
	}
}

void vfz_print_plan(const struct vfz_options *o, FILE *f)
{
	struct fz_plan p;
	fz_plan_make(&p, o->device, o->seed, o->first);
	fz_print_plan(&p, NULL, f);
	fz_plan_free(&p);
}

/* ---- step selection "0,3,7-9" ---- */

int fz_parse_steps(const char *spec, uint8_t *sel)
{
	memset(sel, 0, FZ_MAX_STEPS);
	const char *p = spec;
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1)
				return -1;
			p = end;
		}
		if (a > b || b >= FZ_MAX_STEPS)
			return -1;
		for (unsigned long k = a; k <= b; k++)
			sel[k] = 1;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

void fz_format_steps(const uint8_t *sel, unsigned n, char *out, size_t len)
{
	size_t o = 0;
	out[0] = 0;
	for (unsigned k = 0; k < n; k++) {
		if (!sel[k])
			continue;
		unsigned e = k;
		while (e + 1 < n && sel[e + 1])
			e++;
		int w = e > k ? snprintf(out + o, len - o, "%s%u-%u", o ? "," : "", k, e)
			      : snprintf(out + o, len - o, "%s%u", o ? "," : "", k);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
		k = e;
	}
}

