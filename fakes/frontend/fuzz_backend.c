/* fuzz-backend: mutated, mostly valid request sequences sent to a real
 * vhost-user back-end through the driver's connection, guest memory and
 * runner (see fuzz_backend.h).
 *
 * A plan is a list of steps. A step is a message (request number, header
 * flags, declared size, payload bytes, fd references) or a kick of a ring
 * with a descriptor chain on it (optionally faulty). Addresses in the plan
 * are in a fixed, synthetic front-end address space (FZ_UVA_BASE): a
 * back-end only uses userspace_addr to translate ring addresses, so the
 * bytes do not depend on where this process mapped its memfds. Values the
 * back-end decides (which features it offers) are symbolic in the plan and
 * resolved from its answers when sent. */
#include "fakes/frontend/fuzz_backend.h"
#include "fakes/frontend/fe_int.h"
#include "lib/xalloc.h"
#include "vcts/fileio.h"
#include "vcts/outfile.h"
#include "vcts/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FZ_MAX_STEPS 256u
#define FZ_MAX_PL 512u
#define FZ_MAX_FDS 16u
#define FZ_MAX_REGIONS 12u
/* Synthetic front-end addresses: region k at FZ_UVA_BASE + k * stride. */
#define FZ_UVA_BASE ((uint64_t)0x7f3000000000)
#define FZ_UVA_STRIDE ((uint64_t)1 << 32)
/* Iterations per runner (engine memory is per run; a new run restarts a
 * spawned back-end). */
#define FZ_BATCH 300u
/* Findings saved in full per campaign; more are only counted. */
#define FZ_MAX_SAVED 400u

/* Split-ring and device layouts the kicks use (VIRTIO 1.2 2.7, 5.1.6, 5.2.6). */
#define DESC_BYTES 16u
#define DESC_F_NEXT 1u
#define DESC_F_WRITE 2u
#define DESC_F_INDIRECT 4u
#define NET_HDR_BYTES 12u
#define NET_FRAME_BYTES 60u
#define NET_RX_BYTES 1526u
#define BLK_HDR_BYTES 16u
#define BLK_SECTOR 512u
#define BLK_T_IN 0u
#define BLK_T_OUT 1u

enum fz_op { FZ_MSG = 0, FZ_KICK, FZ_CUT };
enum fz_sym { SYM_NONE = 0, SYM_FEATURES, SYM_PF };
enum fz_fdk { FD_MEM = 0, FD_KICK, FD_CALL, FD_ERR, FD_BECHAN, FD_MEMFD, FD_EVENTFD, FD_PIPE };
static const char *const fdk_names[] = { "mem", "kick", "call", "err", "be-chan", "memfd", "eventfd", "pipe" };

enum fz_desc_fault {
	DF_NONE = 0, DF_ADDR, DF_LEN, DF_LOOP, DF_NEXT_OOR, DF_INDIRECT, DF_AVAIL_JUMP, DF_HEAD_OOR,
	DF_COUNT,
};
static const char *const df_names[] = { "none", "desc addr", "desc len", "next loop", "next out of range",
					"indirect table", "avail idx jump", "head out of range" };

struct fz_fdref {
	uint8_t kind;
	uint32_t arg;  /* region, ring, or KiB of a memfd */
};

struct fz_step {
	uint8_t op, sym, nfds;
	uint32_t req, flags;
	int64_t declared;          /* header size field; -1: len */
	uint32_t len;
	uint8_t pl[FZ_MAX_PL];
	struct fz_fdref fd[FZ_MAX_FDS];
	/* kick */
	uint32_t ring;
	uint8_t fault;
	uint64_t fval;
	char note[64];
};

struct fz_region { uint64_t gpa, size; };

struct fz_plan {
	uint64_t seed, iter;
	const char *base;
	struct fz_region reg[FZ_MAX_REGIONS];
	unsigned nreg;
	uint32_t nrings;
	uint32_t ring_num[VFE_MAX_RINGS];
	struct fz_step *st;
	unsigned n;
	char muts[768];
};

/* ---- PRNG: splitmix64; one stream per (seed, iteration) ---- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct rng { uint64_t s; };
static uint64_t rnd(struct rng *g) { g->s += 0x9e3779b97f4a7c15ull; return mix64(g->s); }
static uint32_t below(struct rng *g, uint32_t n) { return n ? (uint32_t)(rnd(g) % n) : 0; }
static bool chance(struct rng *g, unsigned permille) { return below(g, 1000) < permille; }

/* ---- plan building ---- */

static uint64_t reg_uva(unsigned k) { return FZ_UVA_BASE + (uint64_t)k * FZ_UVA_STRIDE; }

static void ring_layout(const struct fz_plan *p, uint32_t i, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	uint32_t num = i < VFE_MAX_RINGS && p->ring_num[i] ? p->ring_num[i] : VFE_RING_NUM;
	*desc = VFE_RING_AREA + (uint64_t)(i % VFE_MAX_RINGS) * VFE_RING_SLOT;
	*avail = *desc + vu_desc_bytes(num);
	*used = (*avail + vu_avail_bytes(num) + 3) & ~(uint64_t)3;
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

static void put_fd(struct fz_step *s, uint8_t kind, uint32_t arg)
{
	if (s->nfds < FZ_MAX_FDS)
		s->fd[s->nfds++] = (struct fz_fdref){ kind, arg };
}

static uint32_t memtable_pl(const struct fz_plan *p, uint8_t *pl, unsigned n)
{
	vu_wr32(pl, n);
	vu_wr32(pl + 4, 0);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *r = pl + VU_MEM_TABLE_HDR + i * VU_MEM_REGION_SIZE;
		vu_wr64(r, p->reg[i].gpa);
		vu_wr64(r + 8, p->reg[i].size);
		vu_wr64(r + 16, reg_uva(i));
		vu_wr64(r + 24, 0);
	}
	return VU_MEM_TABLE_HDR + n * VU_MEM_REGION_SIZE;
}

/* One well-formed message for request req (ring index, value as the
 * recordings give them). */
static struct fz_step *build(struct fz_plan *p, uint32_t req, uint32_t flags, uint32_t index, uint64_t value)
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
			put_fd(s, FD_MEM, i);
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
		put_fd(s, FD_MEM, k);
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
		vu_wr32(s->pl, index);
		vu_wr32(s->pl + 4, (uint32_t)value & VU_VRING_F_LOG);
		vu_wr64(s->pl + 8, reg_uva(0) + desc);
		vu_wr64(s->pl + 16, reg_uva(0) + used);
		vu_wr64(s->pl + 24, reg_uva(0) + avail);
		vu_wr64(s->pl + 32, used);
		break;
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		vu_wr64(s->pl, index);
		put_fd(s, req == VU_SET_VRING_KICK ? FD_KICK : req == VU_SET_VRING_CALL ? FD_CALL : FD_ERR, index);
		break;
	case VU_SET_BACKEND_REQ_FD:
		put_fd(s, FD_BECHAN, 0);
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
		put_fd(s, FD_MEMFD, (uint32_t)(sz >> 10));
		break;
	}
	case VU_SET_LOG_FD:
		put_fd(s, FD_EVENTFD, 0);
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
			put_fd(s, FD_MEMFD, 64);
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
		vu_wr64(s->pl + 16, reg_uva(0));         /* uaddr */
		s->pl[24] = 3;                           /* perm RW */
		s->pl[25] = (uint8_t)(value ? value : 2); /* type: update */
		break;
	case VU_SET_DEVICE_STATE_FD:
		put_fd(s, FD_PIPE, 0);
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
		build(p, s->req, s->flags, s->index, v);
	}
}

/* The driver's own sequence: QEMU order, everything acked. */
static void from_table(struct fz_plan *p, enum vfe_device d, uint32_t nrings)
{
	p->base = "init-start-kick-stop";
	p->nrings = nrings;
	uint32_t ack = VU_VERSION | VU_FLAG_NEED_REPLY;
	build(p, VU_GET_FEATURES, VU_VERSION, 0, 0);
	build(p, VU_GET_PROTOCOL_FEATURES, VU_VERSION, 0, 0);
	build(p, VU_SET_PROTOCOL_FEATURES, VU_VERSION, 0,
	      vfe_default_pf() | VU_BIT(VU_PF_BACKEND_REQ) | VU_BIT(VU_PF_RESET_DEVICE));
	build(p, VU_GET_QUEUE_NUM, VU_VERSION, 0, 0);
	build(p, VU_GET_MAX_MEM_SLOTS, VU_VERSION, 0, 0);
	build(p, VU_SET_BACKEND_REQ_FD, ack, 0, 0);
	build(p, VU_SET_OWNER, ack, 0, 0);
	uint64_t feat = vfe_default_features(d) | VU_BIT(VU_F_LOG_ALL);
	if (d == VFE_DEV_NET)
		feat |= VU_BIT(VU_F_NET_MQ);
	build(p, VU_SET_FEATURES, ack, 0, feat);
	build(p, VU_SET_MEM_TABLE, ack, 0, 0);
	if (d == VFE_DEV_BLK) {
		build(p, VU_GET_CONFIG, VU_VERSION, 0, 60);
		build(p, VU_GET_INFLIGHT_FD, VU_VERSION, 0, 0);
	}
	for (uint32_t i = 0; i < nrings; i++) {
		build(p, VU_SET_VRING_NUM, ack, i, p->ring_num[i] ? p->ring_num[i] : VFE_RING_NUM);
		build(p, VU_SET_VRING_BASE, ack, i, 0);
		build(p, VU_SET_VRING_ADDR, ack, i, 0);
		build(p, VU_SET_VRING_KICK, ack, i, 0);
		build(p, VU_SET_VRING_CALL, ack, i, 0);
	}
	for (uint32_t i = 0; i < nrings; i++)
		build(p, VU_SET_VRING_ENABLE, ack, i, 1);
	build(p, VU_SET_STATUS, ack, 0,
	      VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	for (uint32_t i = 0; i < nrings; i++)
		add_kick(p, i);
	for (uint32_t i = 0; i < nrings; i++)
		build(p, VU_GET_VRING_BASE, VU_VERSION, i, 0);
	build(p, VU_SET_STATUS, ack, 0, 0);
}

/* ---- mutations ---- */

static const uint32_t b32[] = { 0, 1, 2, 3, 7, 8, 9, 15, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 257,
				511, 512, 1023, 1024, 1025, 4095, 4096, 4097, 0x7fff, 0x8000, 0x8001, 0xffff,
				0x10000, 0x10001, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu };

static uint64_t b64(struct rng *g, const struct fz_plan *p)
{
	uint64_t sz = p->reg[0].size;
	switch (below(g, 12)) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return UINT64_MAX - below(g, 4096);
	case 3: return (uint64_t)1 << below(g, 64);
	case 4: return sz + VU_LOG_PAGE * below(g, 3);
	case 5: return sz - 1;
	case 6: return reg_uva(below(g, p->nreg)) + sz - below(g, 64);
	case 7: return reg_uva(0) - 1 - below(g, 4096);
	case 8: return reg_uva(below(g, p->nreg)) + below(g, 1u << 24);
	case 9: return ((uint64_t)1 << 63) | below(g, 8);
	case 10: return (uint64_t)b32[below(g, sizeof b32 / sizeof b32[0])] << (below(g, 2) * 32);
	default: return rnd(g);
	}
}

static uint32_t rb32(struct rng *g) { return b32[below(g, sizeof b32 / sizeof b32[0])]; }

static void note(struct fz_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct fz_step *s, const char *fmt, ...)
{
	size_t l = strlen(s->note);
	if (l + 2 >= sizeof s->note)
		return;
	if (l)
		s->note[l++] = ';';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->note + l, sizeof s->note - l, fmt, ap);
	va_end(ap);
}

static void pmut(struct fz_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pmut(struct fz_plan *p, const char *fmt, ...)
{
	size_t l = strlen(p->muts);
	if (l + 4 >= sizeof p->muts)
		return;
	if (l) {
		p->muts[l++] = ',';
		p->muts[l++] = ' ';
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->muts + l, sizeof p->muts - l, fmt, ap);
	va_end(ap);
}

static int pick_msg(struct rng *g, struct fz_plan *p, bool (*pred)(const struct fz_step *))
{
	unsigned cand[FZ_MAX_STEPS], n = 0;
	for (unsigned i = 0; i < p->n; i++)
		if (p->st[i].op == FZ_MSG && (!pred || pred(&p->st[i])))
			cand[n++] = i;
	return n ? (int)cand[below(g, n)] : -1;
}

static bool has_index(const struct fz_step *s)
{
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, s->req);
	return s->len >= 4 && ri && (ri->payload_has_index || s->req == VU_SET_VRING_KICK ||
				     s->req == VU_SET_VRING_CALL || s->req == VU_SET_VRING_ERR);
}
static bool is_num(const struct fz_step *s) { return s->req == VU_SET_VRING_NUM && s->len >= 8; }
static bool is_addr(const struct fz_step *s) { return s->req == VU_SET_VRING_ADDR && s->len >= 40; }
static bool is_mem(const struct fz_step *s)
{
	return (s->req == VU_SET_MEM_TABLE || s->req == VU_ADD_MEM_REG || s->req == VU_REM_MEM_REG ||
		s->req == VU_SET_LOG_BASE || s->req == VU_SET_INFLIGHT_FD) && s->len >= 16;
}
static bool with_payload(const struct fz_step *s) { return s->len >= 4; }

static void insert_at(struct fz_plan *p, unsigned at, const struct fz_step *s)
{
	if (p->n >= FZ_MAX_STEPS || at > p->n)
		return;
	memmove(&p->st[at + 1], &p->st[at], (p->n - at) * sizeof *s);
	p->st[at] = *s;
	p->n++;
}

static void remove_at(struct fz_plan *p, unsigned at)
{
	if (at >= p->n)
		return;
	memmove(&p->st[at], &p->st[at + 1], (p->n - at - 1) * sizeof p->st[0]);
	p->n--;
}

/* An extra request from the whole protocol, placed anywhere. */
static void m_insert(struct rng *g, struct fz_plan *p)
{
	static const uint32_t lib[] = {
		VU_RESET_OWNER, VU_RESET_DEVICE, VU_SET_LOG_BASE, VU_SET_LOG_FD, VU_GET_INFLIGHT_FD,
		VU_SET_INFLIGHT_FD, VU_ADD_MEM_REG, VU_REM_MEM_REG, VU_SET_CONFIG, VU_GET_CONFIG, VU_IOTLB_MSG,
		VU_POSTCOPY_ADVISE, VU_POSTCOPY_LISTEN, VU_POSTCOPY_END, VU_VRING_KICK, VU_SET_VRING_ENDIAN,
		VU_NET_SET_MTU, VU_SEND_RARP, VU_SET_DEVICE_STATE_FD, VU_CHECK_DEVICE_STATE, VU_GET_SHARED_OBJECT,
		VU_GET_SHMEM_CONFIG, VU_SET_VRING_ERR, VU_GET_STATUS, VU_SET_STATUS, VU_SET_MEM_TABLE,
		VU_SET_VRING_ADDR, VU_SET_OWNER, VU_GET_VRING_BASE, VU_SET_VRING_ENABLE, VU_SET_FEATURES,
		VU_SET_PROTOCOL_FEATURES, VU_SET_BACKEND_REQ_FD, VU_GET_QUEUE_NUM, VU_SET_VRING_CALL,
	};
	uint32_t req = lib[below(g, sizeof lib / sizeof lib[0])];
	uint32_t flags = VU_VERSION | (chance(g, 500) ? VU_FLAG_NEED_REPLY : 0);
	uint32_t idx = below(g, p->nrings ? p->nrings : 1);
	uint64_t v = req == VU_SET_STATUS ? below(g, 256)
		   : req == VU_GET_CONFIG || req == VU_SET_CONFIG ? below(g, 300)
		   : req == VU_SET_VRING_ENABLE ? below(g, 2)
		   : req == VU_NET_SET_MTU ? rb32(g)
		   : req == VU_SET_FEATURES ? rnd(g)
		   : req == VU_SET_PROTOCOL_FEATURES ? rnd(g)
		   : below(g, 16);
	unsigned keep = p->n;
	struct fz_step *s = build(p, req, flags, idx, v);
	if (!s)
		return;
	struct fz_step tmp = *s;
	p->n = keep;
	unsigned at = below(g, p->n + 1);
	char nb[24];
	snprintf(tmp.note, sizeof tmp.note, "inserted");
	insert_at(p, at, &tmp);
	pmut(p, "insert %s at %u", vu_request_name(VU_CHAN_MAIN, req, nb, sizeof nb), at);
}

static void mutate_one(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
	switch (below(g, 17)) {
	case 0: /* header flags */
		if ((i = pick_msg(g, p, NULL)) < 0)
			return;
		s = &p->st[i];
		{
			static const uint32_t bits[] = { 0x1, 0x2, 0x3, VU_FLAG_REPLY, VU_FLAG_NEED_REPLY,
							 VU_FLAG_NEED_REPLY, 0x10, 0x80000000u };
			uint32_t b = chance(g, 800) ? bits[below(g, sizeof bits / sizeof bits[0])] : (uint32_t)1 << below(g, 32);
			s->flags ^= b;
			note(s, "flags^0x%x", b);
			pmut(p, "flags of step %d ^0x%x", i, b);
		}
		return;
	case 1: /* declared size differs from the bytes sent */
		if ((i = pick_msg(g, p, NULL)) < 0)
			return;
		s = &p->st[i];
		{
			static const int64_t d[] = { 0, 1, 4, 7, 8, 12, 16, 39, 40, 41, 4096, 4097, 65536, 0xffffffffll };
			s->declared = chance(g, 500) ? (int64_t)s->len + (int64_t)below(g, 9) - 4 : d[below(g, sizeof d / sizeof d[0])];
			if (s->declared < 0)
				s->declared = 0;
			note(s, "size field %" PRId64 " (sent %u)", s->declared, s->len);
			pmut(p, "size field of step %d = %" PRId64, i, s->declared);
		}
		return;
	case 2: /* payload cut short or padded, header consistent */
		if ((i = pick_msg(g, p, NULL)) < 0)
			return;
		s = &p->st[i];
		if (s->len && chance(g, 600)) {
			s->len = below(g, s->len);
			note(s, "payload cut to %u", s->len);
		} else {
			uint32_t add = chance(g, 500) ? 1 + below(g, 8) : below(g, FZ_MAX_PL - s->len + 1);
			for (uint32_t k = 0; k < add; k++)
				s->pl[s->len + k] = (uint8_t)rnd(g);
			s->len += add;
			note(s, "payload +%u bytes", add);
		}
		s->sym = SYM_NONE;
		pmut(p, "payload length of step %d = %u", i, s->len);
		return;
	case 3: /* a payload word */
	case 4:
		if ((i = pick_msg(g, p, with_payload)) < 0)
			return;
		s = &p->st[i];
		{
			uint32_t off = below(g, s->len / 4) * 4;
			if (off + 8 <= s->len && chance(g, 500)) {
				uint64_t v = b64(g, p);
				vu_wr64(s->pl + off, v);
				note(s, "u64@%u=0x%" PRIx64, off, v);
			} else {
				uint32_t v = rb32(g);
				vu_wr32(s->pl + off, v);
				note(s, "u32@%u=0x%x", off, v);
			}
			if (off < 8)
				s->sym = SYM_NONE;
			pmut(p, "payload word of step %d", i);
		}
		return;
	case 5: /* ring index */
		if ((i = pick_msg(g, p, has_index)) < 0)
			return;
		s = &p->st[i];
		{
			static const uint32_t ix[] = { 2, 3, 4, 8, 16, 31, 32, 127, 128, 255, 256, 257, 1024,
						       0x7fffffff, 0x80000000u, 0xffffffffu };
			uint32_t v = ix[below(g, sizeof ix / sizeof ix[0])];
			if (s->len == 8 && (s->req == VU_SET_VRING_KICK || s->req == VU_SET_VRING_CALL ||
					    s->req == VU_SET_VRING_ERR) && chance(g, 400)) {
				uint64_t w = vu_rd64(s->pl);
				static const uint64_t fx[] = { VU_VRING_NOFD, VU_VRING_IDX_MASK, VU_VRING_IDX_MASK | VU_VRING_NOFD,
							       (uint64_t)1 << 32, UINT64_MAX };
				w = below(g, 2) ? (w | fx[below(g, 5)]) : fx[below(g, 5)];
				vu_wr64(s->pl, w);
				note(s, "vring u64=0x%" PRIx64, w);
			} else {
				vu_wr32(s->pl, v);
				note(s, "index=%u", v);
			}
			pmut(p, "ring index of step %d", i);
		}
		return;
	case 6: /* ring size */
		if ((i = pick_msg(g, p, is_num)) < 0)
			return;
		s = &p->st[i];
		{
			static const uint32_t nv[] = { 0, 1, 2, 3, 100, 255, 257, 1024, 4096, 32768, 32769, 65535, 65536,
						       0x7fffffff, 0xffffffffu };
			uint32_t v = nv[below(g, sizeof nv / sizeof nv[0])];
			vu_wr32(s->pl + 4, v);
			note(s, "num=%u", v);
			pmut(p, "ring num of step %d = %u", i, v);
		}
		return;
	case 7: /* ring addresses */
		if ((i = pick_msg(g, p, is_addr)) < 0)
			return;
		s = &p->st[i];
		{
			uint32_t f = below(g, 5);
			if (f == 0) {
				uint32_t v = chance(g, 500) ? rb32(g) : VU_VRING_F_LOG;
				vu_wr32(s->pl + 4, v);
				note(s, "addr flags=0x%x", v);
			} else {
				uint64_t v = chance(g, 300) ? vu_rd64(s->pl + 8 * f) + (uint64_t)(int64_t)((int)below(g, 8) - 4)
							    : b64(g, p);
				vu_wr64(s->pl + 8 * f, v);
				note(s, "%s=0x%" PRIx64, f == 1 ? "desc" : f == 2 ? "used" : f == 3 ? "avail" : "log", v);
			}
			pmut(p, "ring address of step %d", i);
		}
		return;
	case 8: /* memory table / region / log / inflight fields */
	case 9:
		if ((i = pick_msg(g, p, is_mem)) < 0)
			return;
		s = &p->st[i];
		{
			if (s->req == VU_SET_MEM_TABLE && chance(g, 250)) {
				static const uint32_t nr[] = { 0, 1, 2, 7, 8, 9, 12, 255, 256, 0x7fffffff, 0xffffffffu };
				uint32_t v = chance(g, 500) ? vu_rd32(s->pl) + 1 : nr[below(g, sizeof nr / sizeof nr[0])];
				vu_wr32(s->pl, v);
				note(s, "nregions=%u", v);
			} else {
				uint32_t nw = (s->len - (s->req == VU_SET_MEM_TABLE || s->req == VU_ADD_MEM_REG ||
							 s->req == VU_REM_MEM_REG ? 8 : 0)) / 8;
				uint32_t base = s->len / 8 - nw;
				uint32_t w = base + below(g, nw ? nw : 1);
				uint64_t v, old = vu_rd64(s->pl + 8 * w);
				switch (below(g, 4)) {
				case 0: v = old + VU_LOG_PAGE * (1 + below(g, 4096)); break;
				case 1: v = old - 1 - below(g, 4096); break;
				case 2: v = old ^ ((uint64_t)1 << below(g, 64)); break;
				default: v = b64(g, p); break;
				}
				vu_wr64(s->pl + 8 * w, v);
				note(s, "u64@%u=0x%" PRIx64, 8 * w, v);
			}
			pmut(p, "memory field of step %d", i);
		}
		return;
	case 10: /* drop */
		if (p->n < 2)
			return;
		i = (int)below(g, p->n);
		pmut(p, "drop step %d", i);
		remove_at(p, (unsigned)i);
		return;
	case 11: /* duplicate */
		if (!p->n)
			return;
		i = (int)below(g, p->n);
		{
			struct fz_step tmp = p->st[i];
			unsigned at = chance(g, 600) ? (unsigned)i + 1 : below(g, p->n + 1);
			note(&tmp, "copy of %d", i);
			insert_at(p, at, &tmp);
			pmut(p, "repeat step %d at %u", i, at);
		}
		return;
	case 12: /* reorder */
		if (p->n < 2)
			return;
		{
			unsigned a = below(g, p->n - 1);
			unsigned b = chance(g, 600) ? a + 1 : below(g, p->n);
			struct fz_step tmp = p->st[a];
			p->st[a] = p->st[b];
			p->st[b] = tmp;
			pmut(p, "swap steps %u and %u", a, b);
		}
		return;
	case 13: /* fds */
		if ((i = pick_msg(g, p, NULL)) < 0)
			return;
		s = &p->st[i];
		switch (below(g, 4)) {
		case 0:
			s->nfds = 0;
			note(s, "no fds");
			break;
		case 1: {
			unsigned k = 1 + below(g, VU_MEM_BASELINE_REGIONS + 2);
			for (unsigned j = 0; j < k; j++)
				put_fd(s, FD_EVENTFD, 0);
			note(s, "+%u fds", k);
			break;
		}
		case 2:
			if (s->nfds) {
				unsigned j = below(g, s->nfds);
				s->fd[j].kind = below(g, 2) ? FD_EVENTFD : FD_PIPE;
				note(s, "fd %u is a %s", j, fdk_names[s->fd[j].kind]);
			} else {
				put_fd(s, FD_MEMFD, 4);
				note(s, "+memfd");
			}
			break;
		default:
			if (s->nfds)
				s->nfds--;
			else
				put_fd(s, FD_EVENTFD, 0);
			note(s, "fd count %u", s->nfds);
			break;
		}
		pmut(p, "fds of step %d", i);
		return;
	case 14:
		m_insert(g, p);
		return;
	case 15: /* request number */
		if ((i = pick_msg(g, p, NULL)) < 0)
			return;
		s = &p->st[i];
		{
			/* The request range the campaigns of fuzz/FINDINGS.md
			 * ran with (up to GET_SHMEM_CONFIG), frozen so their
			 * seed/iteration reproducers keep their plans when
			 * requests are added to the wire table. */
			const uint32_t span = VU_GET_SHMEM_CONFIG;
			uint32_t r = chance(g, 700) ? 1 + below(g, span)
			           : chance(g, 500) ? span + 1 + below(g, 4) : rb32(g);
			note(s, "request %u->%u", s->req, r);
			s->req = r;
			s->sym = SYM_NONE;
			pmut(p, "request of step %d = %u", i, r);
		}
		return;
	default: /* descriptor faults on a kicked ring, or a message cut by EOF */
		if (chance(g, 150)) {
			if ((i = pick_msg(g, p, NULL)) < 0)
				return;
			s = &p->st[i];
			s->op = FZ_CUT;
			if (s->declared < 0)
				s->declared = s->len;
			s->len = (uint32_t)(s->len ? below(g, s->len) : 0);
			uint32_t hdr_cut = chance(g, 200) ? 1 + below(g, VU_HDR_SIZE - 1) : 0;
			s->fval = hdr_cut;
			note(s, hdr_cut ? "EOF after %u header bytes" : "EOF after %u payload bytes", hdr_cut ? hdr_cut : s->len);
			p->n = (unsigned)i + 1;
			pmut(p, "cut step %d by EOF", i);
			return;
		}
		{
			unsigned cand[FZ_MAX_STEPS], n = 0;
			for (unsigned k = 0; k < p->n; k++)
				if (p->st[k].op == FZ_KICK)
					cand[n++] = k;
			if (!n)
				return;
			s = &p->st[cand[below(g, n)]];
			s->fault = (uint8_t)(1 + below(g, DF_COUNT - 1));
			switch (s->fault) {
			case DF_ADDR: s->fval = chance(g, 500) ? b64(g, p) : p->reg[0].size - below(g, 64); break;
			case DF_LEN: s->fval = chance(g, 500) ? rb32(g) : 0xffffffffu - below(g, 16); break;
			case DF_INDIRECT: s->fval = chance(g, 500) ? rb32(g) : DESC_BYTES * below(g, 64); break;
			case DF_AVAIL_JUMP: s->fval = 1 + rb32(g) % 0x10000; break;
			case DF_HEAD_OOR: s->fval = 0xffff - below(g, 2) * (0xffff - 256); break;
			default: s->fval = rb32(g); break;
			}
			note(s, "%s 0x%" PRIx64, df_names[s->fault], s->fval);
			pmut(p, "ring %u %s", s->ring, df_names[s->fault]);
		}
		return;
	}
}

static void plan_free(struct fz_plan *p)
{
	free(p->st);
	p->st = NULL;
}

/* The plan of iteration it of seed: a pure function of both. */
static void plan_make(struct fz_plan *p, enum vfe_device d, uint64_t seed, uint64_t it)
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
				struct fz_step *s = build(p, VU_SET_MEM_TABLE, p->st[k].flags, 0, 1);
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
		mutate_one(&g, p);
	if (!m)
		pmut(p, "none");
}

/* ---- running one iteration (a scenario of the runner) ---- */

struct fz_iter {
	const struct fz_plan *plan;
	const uint8_t *sel;           /* per step: sent or not (NULL: all) */
	uint64_t features, pf, pf_neg;
	bool desync;
	unsigned sent, reconnects;
	pid_t pid;                    /* the back-end this iteration talked to */
	char note[200];
	/* exactly what went out on the main channel */
	uint8_t *raw;
	size_t rawlen, rawcap;
	FILE *txt;                    /* one line per message */
};

static struct fz_iter *g_it;

static const char *rname(uint32_t req, char *buf, size_t len)
{
	return vu_request_name(VU_CHAN_MAIN, req, buf, len);
}

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
		step < 0 ? "probe" : "step", step, rname(req, nb, sizeof nb), flags, size, nfds);
	for (unsigned k = 0; s && k < nfds && k < s->nfds; k++)
		fprintf(it->txt, "%s%s:%u", k ? "," : "\t", fdk_names[s->fd[k].kind], s->fd[k].arg);
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
	const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, req);
	if (!ri)
		return false;
	if (ri->reply == VU_REPLY_ALWAYS)
		return true;
	if (ri->reply == VU_REPLY_IF_LOG_SHMFD && (it->pf_neg & VU_BIT(VU_PF_LOG_SHMFD)))
		return true;
	return (flags & VU_FLAG_NEED_REPLY) && (it->pf_neg & VU_BIT(VU_PF_REPLY_ACK));
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
		rc = send(c->sock, hdr, nb, MSG_NOSIGNAL) == (ssize_t)nb ? 0 : -1;
	} else {
		log_msg(it, k, s->req, s->flags, size, pl, s->len, VU_HDR_SIZE, s, nfds);
		rc = vfe_send_raw(c, s->req, s->flags, s->declared, pl, s->len, fds, nfds);
	}
	for (unsigned j = 0; j < nt; j++)
		close(tmp[j]);
	if (rc == 0 && keep >= 0) {
		if (c->be_sock >= 0)
			close(c->be_sock);
		c->be_sock = keep;
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
		uint32_t type = (it->plan->iter & 1) ? BLK_T_OUT : BLK_T_IN;
		memset(b, 0, BLK_HDR_BYTES);
		vu_wr32(b, type);
		vu_wr64(b + 8, it->plan->iter % 64);
		memset(b + 4096, (int)(it->plan->iter & 0xff), BLK_SECTOR);
		gpa[n] = buf, len[n] = BLK_HDR_BYTES, wr[n++] = 0;
		gpa[n] = buf + 4096, len[n] = BLK_SECTOR, wr[n++] = type == BLK_T_IN;
		gpa[n] = buf + 8192, len[n] = 1, wr[n++] = 1;
	} else if (i % 2 == 0) {
		gpa[n] = buf, len[n] = NET_RX_BYTES, wr[n++] = 1;
	} else {
		memset(b, 0, NET_HDR_BYTES + NET_FRAME_BYTES);
		memset(b + NET_HDR_BYTES, 0xff, 6);
		for (unsigned k = 6; k < NET_FRAME_BYTES; k++)
			b[NET_HDR_BYTES + k] = (uint8_t)(k * 7 + it->plan->iter);
		gpa[n] = buf, len[n] = NET_HDR_BYTES + NET_FRAME_BYTES, wr[n++] = 0;
	}
	uint16_t head = (uint16_t)(r->avail_idx % r->num);
	if (head + n > r->num)
		head = 0;
	for (unsigned k = 0; k < n; k++) {
		uint8_t *d = desc + (size_t)(head + k) * DESC_BYTES;
		uint16_t fl = (uint16_t)((k + 1 < n ? DESC_F_NEXT : 0) | (wr[k] ? DESC_F_WRITE : 0));
		uint16_t next = (uint16_t)(head + k + 1);
		vu_wr64(d, gpa[k]);
		vu_wr32(d + 8, len[k]);
		memcpy(d + 12, &fl, 2);
		memcpy(d + 14, &next, 2);
	}
	uint8_t *hd = desc + (size_t)head * DESC_BYTES;
	uint16_t fl, nx, slotv = head, idx = (uint16_t)(r->avail_idx + 1);
	memcpy(&fl, hd + 12, 2);
	switch (s->fault) {
	case DF_ADDR: vu_wr64(hd, s->fval); break;
	case DF_LEN: vu_wr32(hd + 8, (uint32_t)s->fval); break;
	case DF_LOOP:
		fl |= DESC_F_NEXT;
		memcpy(hd + 12, &fl, 2);
		memcpy(hd + 14, &head, 2);
		break;
	case DF_NEXT_OOR:
		fl |= DESC_F_NEXT;
		nx = (uint16_t)(r->num + (s->fval & 0xff));
		memcpy(hd + 12, &fl, 2);
		memcpy(hd + 14, &nx, 2);
		break;
	case DF_INDIRECT: {
		uint8_t *t = b + (32u << 10);
		for (unsigned k = 0; k < 4; k++) {
			uint16_t f2 = DESC_F_NEXT, n2 = (uint16_t)((k + 1) % 4);
			vu_wr64(t + k * DESC_BYTES, buf);
			vu_wr32(t + k * DESC_BYTES + 8, 64);
			memcpy(t + k * DESC_BYTES + 12, &f2, 2);
			memcpy(t + k * DESC_BYTES + 14, &n2, 2);
		}
		fl = DESC_F_INDIRECT;
		vu_wr64(hd, buf + (32u << 10));
		vu_wr32(hd + 8, (uint32_t)s->fval);
		memcpy(hd + 12, &fl, 2);
		break;
	}
	case DF_AVAIL_JUMP: idx = (uint16_t)(r->avail_idx + s->fval); break;
	case DF_HEAD_OOR: slotv = (uint16_t)s->fval; break;
	default: break;
	}
	memcpy(avail + 4 + 2 * (size_t)(r->avail_idx % r->num), &slotv, 2);
	r->avail_idx = idx;
	__atomic_store_n((uint16_t *)(avail + 2), idx, __ATOMIC_RELEASE);
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
				rname(p->st[last].req, nb, sizeof nb), c->timeout_ms);
			rc = -1;
		} else {
			snprintf(it->note, sizeof it->note, "no answer to step %d (%s); %s", last,
				 rname(p->st[last].req, nb, sizeof nb), pr ? "a probe after it was answered" : "then closed");
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
static struct vfe_scn g_scn = { g_scn_name, "fuzz", "one fuzz-backend iteration", false, VU_BE_05, 0, fz_scn_run, 0 };
static const struct vfe_scn g_live = { "fuzz-liveness", "fuzz", "GET_FEATURES on a new connection", false, VU_BE_05,
				       0, fz_live_run, 0 };

const char *vfz_kind_name(enum vfz_kind k)
{
	static const char *const n[VFZ_KIND_COUNT] = { "ok", "crash", "hang", "leak" };
	return k < VFZ_KIND_COUNT ? n[k] : "?";
}

static enum vfz_kind kind_of(enum vfe_outcome o)
{
	return o == VFE_CRASHED ? VFZ_CRASH : o == VFE_HUNG ? VFZ_HANG : o == VFE_LEAKED ? VFZ_LEAK : VFZ_OK;
}

/* ---- plan text ---- */

static void print_plan(const struct fz_plan *p, const uint8_t *sel, FILE *f)
{
	fprintf(f, "# seed %" PRIu64 " iteration %" PRIu64 ": base %s, %u regions, %u rings, %u steps\n", p->seed,
		p->iter, p->base, p->nreg, p->nrings, p->n);
	fprintf(f, "# mutations: %s\n", p->muts);
	for (unsigned r = 0; r < p->nreg; r++)
		fprintf(f, "# region %u: gpa 0x%" PRIx64 " size 0x%" PRIx64 " (memfd of that size), uva 0x%" PRIx64 "\n", r,
			p->reg[r].gpa, p->reg[r].size, reg_uva(r));
	for (unsigned k = 0; k < p->n; k++) {
		const struct fz_step *s = &p->st[k];
		if (sel && !sel[k])
			continue;
		char nb[32];
		if (s->op == FZ_KICK) {
			fprintf(f, "%3u  kick ring %u%s%s\n", k, s->ring, s->note[0] ? "   # " : "", s->note);
			continue;
		}
		fprintf(f, "%3u  %-22s flags 0x%x size %" PRId64 " len %u fds", k, rname(s->req, nb, sizeof nb), s->flags,
			s->declared >= 0 ? s->declared : (int64_t)s->len, s->len);
		for (unsigned j = 0; j < s->nfds; j++)
			fprintf(f, "%s%s:%u", j ? "," : " ", fdk_names[s->fd[j].kind], s->fd[j].arg);
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
	plan_make(&p, o->device, o->seed, o->first);
	print_plan(&p, NULL, f);
	plan_free(&p);
}

/* ---- step selection "0,3,7-9" ---- */

static int parse_steps(const char *spec, uint8_t *sel)
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

static void format_steps(const uint8_t *sel, unsigned n, char *out, size_t len)
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

/* ---- the campaign ---- */

struct fz_art {
	bool have;
	uint64_t iter;
	char *cap;
	size_t caplen;
	uint8_t *raw;
	size_t rawlen;
	char *txt;
	size_t txtlen;
	char note[200];
	unsigned sent;
};

static void art_free(struct fz_art *a)
{
	free(a->cap);
	free(a->raw);
	free(a->txt);
	memset(a, 0, sizeof *a);
}

struct fz_ctx {
	const struct vfz_options *o;
	struct vfz_stats *st;
	const uint8_t *sel;
	char steps_txt[1024];
	FILE *rec, *rawf, *spawn_log, *tsv;
	struct vc_out *recout, *rawout; /* --record, --raw: committed at the end */
	bool rec_header_done;
	struct vfe_run *r;
	unsigned in_batch;
	pid_t last_pid;
	struct fz_art prev;
	enum vfe_outcome prev_outcome;
	/* minimiser: the verdict of the last trial */
	enum vfz_kind last_kind;
	char last_detail[512];
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int write_all(const char *path, const void *buf, size_t len)
{
	char err[512];
	return vc_write_file_atomic(path, buf, len, err, sizeof err);
}

/* s in double quotes for sh, with the socket path replaced by ${SOCK}. */
static void dq_sock(FILE *f, const char *s, const char *sock)
{
	size_t sl = sock ? strlen(sock) : 0;
	fputc('"', f);
	while (*s) {
		if (sl && !strncmp(s, sock, sl)) {
			fputs("${SOCK}", f);
			s += sl;
			continue;
		}
		if (*s == '"' || *s == '\\' || *s == '$' || *s == '`')
			fputc('\\', f);
		fputc(*s++, f);
	}
	fputc('"', f);
}

static void repro_cmd(FILE *f, const struct vfz_options *o, uint64_t iter, const char *steps)
{
	fprintf(f, "\"$VCTS\" fuzz-backend --socket \"$SOCK\"");
	if (o->spawn) {
		fprintf(f, " --spawn ");
		dq_sock(f, o->spawn, o->socket);
	}
	fprintf(f, " --device %s --seed %" PRIu64 " --iteration %" PRIu64, vfe_device_name(o->device), o->seed, iter);
	if (steps && *steps)
		fprintf(f, " --steps %s", steps);
	fprintf(f, " --timeout %g", o->timeout_ms / 1000.0);
}

/* A finding's files, written the safe way (vcts/outfile.h); as before, a
 * file that cannot be written is skipped. */
static FILE *art_open(const char *path, struct vc_out **fo)
{
	char err[512];
	*fo = vc_out_open(path, err, sizeof err);
	return *fo ? vc_out_stream(*fo) : NULL;
}

static void art_close(struct vc_out *fo)
{
	char err[512];
	if (fo)
		vc_out_commit(fo, err, sizeof err);
}

static void write_repro(const char *path, const struct vfz_options *o, uint64_t iter, const char *steps,
			const char *what)
{
	struct vc_out *fo;
	FILE *f = art_open(path, &fo);
	if (!f)
		return;
	char exe[PATH_MAX] = "vhost-cts";
	if (o->exe && realpath(o->exe, exe) == NULL)
		snprintf(exe, sizeof exe, "%s", o->exe);
	fprintf(f, "#!/bin/sh\n# vhost-cts fuzz-backend finding: %s\n"
		   "# Runs this one iteration against a freshly started back-end; exit status 1\n"
		   "# and a line 'crash', 'hang' or 'leak' when it reproduces.\n"
		   "VCTS=${VCTS_BIN:-%s}\nSOCK=${SOCK:-/tmp/vcts-fz-repro-$$.sock}\nexec timeout -s KILL 600 ",
		what, exe);
	repro_cmd(f, o, iter, steps);
	fprintf(f, " \"$@\"\n");
	art_close(fo);
	chmod(path, 0755);
}

static void save_finding(struct fz_ctx *z, const struct fz_art *a, enum vfz_kind kind, const char *detail)
{
	const struct vfz_options *o = z->o;
	z->st->findings[kind]++;
	char id[96], dir[PATH_MAX], path[PATH_MAX + 32];
	snprintf(id, sizeof id, "%s-s%" PRIu64 "-i%" PRIu64, vfz_kind_name(kind), o->seed, a->iter);
	if (o->log)
		fprintf(o->log, "%-5s seed %" PRIu64 " iteration %" PRIu64 ": %s%s%s\n", vfz_kind_name(kind), o->seed,
			a->iter, detail, a->note[0] ? " [" : "", a->note[0] ? a->note : "");
	if (!o->out_dir || z->st->saved >= FZ_MAX_SAVED)
		return;
	snprintf(dir, sizeof dir, "%s/%s", o->out_dir, id);
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/capture.jsonl", dir);
	write_all(path, a->cap, a->caplen);
	snprintf(path, sizeof path, "%s/raw.bin", dir);
	write_all(path, a->raw, a->rawlen);
	snprintf(path, sizeof path, "%s/raw.txt", dir);
	struct vc_out *fo;
	FILE *f = art_open(path, &fo);
	if (f) {
		fprintf(f, "# offset\tbytes\tstep\tindex\trequest\tflags\tsize\tfds\tfd kinds (raw.bin is the main-channel byte stream)\n");
		if (a->txtlen)
			fwrite(a->txt, 1, a->txtlen, f);
		art_close(fo);
	}
	struct fz_plan p;
	plan_make(&p, o->device, o->seed, a->iter);
	snprintf(path, sizeof path, "%s/plan.txt", dir);
	if ((f = art_open(path, &fo))) {
		print_plan(&p, z->sel, f);
		art_close(fo);
	}
	snprintf(path, sizeof path, "%s/case.txt", dir);
	if ((f = art_open(path, &fo))) {
		fprintf(f, "kind=%s\nseed=%" PRIu64 "\niteration=%" PRIu64 "\ndevice=%s\nsocket=%s\nspawn=%s\nsteps=%s\n"
			   "timeout_ms=%d\nbase=%s\nmutations=%s\ndetail=%s\nnote=%s\n",
			vfz_kind_name(kind), o->seed, a->iter, vfe_device_name(o->device), o->socket, o->spawn ? o->spawn : "",
			z->steps_txt, o->timeout_ms, p.base, p.muts, detail, a->note);
		art_close(fo);
	}
	char what[700];
	snprintf(what, sizeof what, "%s: %s (seed %" PRIu64 ", iteration %" PRIu64 ")", vfz_kind_name(kind), detail,
		 o->seed, a->iter);
	for (char *q = what; *q; q++)
		if (*q == '\n')
			*q = ' ';
	snprintf(path, sizeof path, "%s/reproduce.sh", dir);
	write_repro(path, o, a->iter, z->steps_txt, what);
	if (z->tsv) {
		fprintf(z->tsv, "%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%s/reproduce.sh\n", vfz_kind_name(kind), o->seed,
			a->iter, p.base, detail, dir);
		fflush(z->tsv);
	}
	if (o->log)
		fprintf(o->log, "      saved %s/ (reproduce: sh %s/reproduce.sh)\n", dir, dir);
	plan_free(&p);
	z->st->saved++;
}

static struct vfe_run *new_run(struct fz_ctx *z, char *err, size_t errlen)
{
	const struct vfz_options *o = z->o;
	struct vfe_options vo = {
		.socket = o->socket, .device = o->device, .spawn = o->spawn, .timeout_ms = o->timeout_ms,
		.startup_ms = o->startup_ms, .queues = 2, .source_name = "fuzz-backend", .spawn_log = z->spawn_log,
	};
	return vfe_run_new(&vo, err, errlen);
}

static void note_pid(struct fz_ctx *z, pid_t p)
{
	if (p && p != z->last_pid) {
		z->st->respawns++;
		z->last_pid = p;
	}
}

/* The result before the last one turned into a crash (found at the next
 * connection)? */
static bool late_crash(struct fz_ctx *z, char *detail, size_t dl)
{
	size_t n;
	const struct vfe_scenario_result *res = vfe_run_scenarios(z->r, &n);
	if (n < 2 || !z->prev.have || z->prev_outcome == VFE_CRASHED || res[n - 2].outcome != VFE_CRASHED)
		return false;
	snprintf(detail, dl, "%s", res[n - 2].detail);
	char *cut = strstr(detail, " after scenario ");
	if (cut)
		*cut = 0; /* the runner names the scenario; the iteration is ours to name */
	z->prev_outcome = VFE_CRASHED;
	return true;
}

/* Runs iteration `iter` on the current runner; returns its verdict. */
static enum vfz_kind run_iteration(struct fz_ctx *z, uint64_t iter, char *err, size_t errlen, bool *error)
{
	const struct vfz_options *o = z->o;
	*error = false;
	struct fz_plan p;
	plan_make(&p, o->device, o->seed, iter);
	struct fz_iter it = { .plan = &p, .sel = z->sel };
	char *txtbuf = NULL, *capbuf = NULL;
	size_t txtlen = 0, caplen = 0;
	it.txt = open_memstream(&txtbuf, &txtlen);
	FILE *cap = open_memstream(&capbuf, &caplen);
	vfe_run_set_record(z->r, cap, "vhost-cts fuzz-backend");
	snprintf(g_scn_name, sizeof g_scn_name, "fuzz seed %" PRIu64 " iteration %" PRIu64, o->seed, iter);
	g_it = &it;
	const struct vfe_scenario_result *res = vfe_run_scenario(z->r, &g_scn);
	g_it = NULL;
	enum vfe_outcome out = res->outcome;
	char detail[512];
	snprintf(detail, sizeof detail, "%s", res->detail);
	vfe_run_set_record(z->r, NULL, NULL);
	fclose(cap);
	fclose(it.txt);
	note_pid(z, it.pid);
	z->st->iterations++;
	z->st->steps_sent += it.sent;
	z->st->reconnects += it.reconnects;
	z->st->by_outcome[out < VFE_OUTCOME_COUNT ? out : VFE_ERROR]++;
	if (out == VFE_ERROR) {
		snprintf(err, errlen, "iteration %" PRIu64 ": %s", iter, detail);
		*error = true;
	}
	/* whole-run outputs */
	if (z->rec && caplen) {
		const char *body = capbuf;
		size_t bl = caplen;
		if (z->rec_header_done) {
			const char *nl = memchr(capbuf, '\n', caplen);
			body = nl ? nl + 1 : capbuf + caplen;
			bl = caplen - (size_t)(body - capbuf);
		}
		fwrite(body, 1, bl, z->rec);
		z->rec_header_done = true;
	}
	if (z->rawf && it.rawlen)
		fwrite(it.raw, 1, it.rawlen, z->rawf);
	char ld[512];
	if (late_crash(z, ld, sizeof ld))
		save_finding(z, &z->prev, VFZ_CRASH, ld);
	art_free(&z->prev);
	z->prev = (struct fz_art){ .have = true, .iter = iter, .cap = capbuf, .caplen = caplen, .raw = it.raw,
				   .rawlen = it.rawlen, .txt = txtbuf, .txtlen = txtlen, .sent = it.sent };
	snprintf(z->prev.note, sizeof z->prev.note, "%s", it.note);
	z->prev_outcome = out;
	enum vfz_kind k = kind_of(out);
	if (o->log && o->verbose)
		fprintf(o->log, "iteration %" PRIu64 ": %s (%s; %u messages; %s)%s%s\n", iter, vfe_outcome_name(out), p.base,
			it.sent, p.muts, it.note[0] ? " " : "", it.note);
	if (k != VFZ_OK)
		save_finding(z, &z->prev, k, detail);
	z->last_kind = k;
	snprintf(z->last_detail, sizeof z->last_detail, "%s", detail);
	plan_free(&p);
	return k;
}

/* A probe connection after the last iteration of a runner: a crash or
 * hang it shows is the last iteration's. */
static enum vfz_kind finish_run(struct fz_ctx *z)
{
	enum vfz_kind k = VFZ_OK;
	if (!z->r)
		return k;
	if (z->prev.have && z->o->spawn) {
		const struct vfe_scenario_result *res = vfe_run_scenario(z->r, &g_live);
		enum vfe_outcome lo = res->outcome;
		char det[512];
		snprintf(det, sizeof det, "%s", res->detail);
		char ld[512];
		if (late_crash(z, ld, sizeof ld)) {
			save_finding(z, &z->prev, VFZ_CRASH, ld);
			k = VFZ_CRASH;
		} else if ((lo == VFE_CRASHED || lo == VFE_HUNG) && z->prev_outcome != VFE_CRASHED &&
			   z->prev_outcome != VFE_HUNG) {
			char d2[600];
			snprintf(d2, sizeof d2, "%s (on the next connection)", det);
			k = lo == VFE_CRASHED ? VFZ_CRASH : VFZ_HANG;
			save_finding(z, &z->prev, k, d2);
		}
	}
	art_free(&z->prev);
	vfe_run_free(z->r);
	z->r = NULL;
	z->last_pid = 0;
	return k;
}

static int ctx_open(struct fz_ctx *z, const struct vfz_options *o, struct vfz_stats *st, uint8_t *sel, char *err,
		    size_t errlen)
{
	memset(z, 0, sizeof *z);
	z->o = o;
	z->st = st;
	if (o->steps) {
		if (parse_steps(o->steps, sel)) {
			snprintf(err, errlen, "bad --steps '%s' (want e.g. 0,3,7-9 below %u)", o->steps, FZ_MAX_STEPS);
			return -1;
		}
		z->sel = sel;
		format_steps(sel, FZ_MAX_STEPS, z->steps_txt, sizeof z->steps_txt);
	}
	if (o->out_dir) {
		if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", o->out_dir, strerror(errno));
			return -1;
		}
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/backend.log", o->out_dir);
		z->spawn_log = fopen(path, "a");
		snprintf(path, sizeof path, "%s/findings.tsv", o->out_dir);
		z->tsv = fopen(path, "a");
	}
	if (o->record) {
		if (!(z->recout = vc_out_open(o->record, err, errlen)))
			return -1;
		z->rec = vc_out_stream(z->recout);
	}
	if (o->raw) {
		if (!(z->rawout = vc_out_open(o->raw, err, errlen)))
			return -1;
		z->rawf = vc_out_stream(z->rawout);
	}
	return 0;
}

/* -1 with err when --record or --raw could not be written. */
static int ctx_close(struct fz_ctx *z, char *err, size_t errlen)
{
	finish_run(z);
	int rc = 0;
	if (z->recout && vc_out_commit(z->recout, err, errlen) != 0)
		rc = -1;
	char e2[512];
	if (z->rawout && vc_out_commit(z->rawout, rc ? e2 : err, rc ? sizeof e2 : errlen) != 0)
		rc = -1;
	if (z->spawn_log)
		fclose(z->spawn_log);
	if (z->tsv)
		fclose(z->tsv);
	return rc;
}

int vfz_run(const struct vfz_options *o, struct vfz_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	uint8_t sel[FZ_MAX_STEPS];
	struct fz_ctx z;
	if (ctx_open(&z, o, st, sel, err, errlen)) {
		char ignored[512];
		vc_out_discard(z.recout); /* nothing ran: nothing to keep */
		z.recout = NULL;
		ctx_close(&z, ignored, sizeof ignored);
		return -1;
	}
	int64_t t0 = now_ns();
	int rc = 0;
	/* a whole-run capture needs one runner (session ids restart per runner) */
	unsigned batch = o->record ? UINT_MAX : FZ_BATCH;
	for (uint64_t i = o->first;; i++) {
		if (o->count && i - o->first >= o->count)
			break;
		if (!o->count && o->duration_s <= 0 && i > o->first)
			break;
		if (o->duration_s > 0 && (now_ns() - t0) / 1e9 >= o->duration_s)
			break;
		if (z.r && z.in_batch >= batch)
			finish_run(&z);
		if (!z.r) {
			if (!(z.r = new_run(&z, err, errlen))) {
				rc = -1;
				break;
			}
			z.in_batch = 0;
		}
		bool error;
		run_iteration(&z, i, err, errlen, &error);
		z.in_batch++;
		if (error && st->iterations == st->by_outcome[VFE_ERROR]) {
			rc = -1; /* nothing ran at all: no back-end */
			break;
		}
		if (o->log && !o->verbose && st->iterations % 100 == 0) {
			fprintf(o->log, "... %" PRIu64 " iterations, %.0f s, crash %" PRIu64 " hang %" PRIu64 " leak %" PRIu64 "\n",
				st->iterations, (now_ns() - t0) / 1e9, st->findings[VFZ_CRASH], st->findings[VFZ_HANG],
				st->findings[VFZ_LEAK]);
			fflush(o->log);
		}
	}
	/* An earlier error keeps its message. */
	char e2[512];
	if (ctx_close(&z, rc ? e2 : err, rc ? sizeof e2 : errlen) != 0)
		rc = -1;
	st->seconds = (now_ns() - t0) / 1e9;
	return rc;
}

/* ---- minimiser ---- */

static char *case_get(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			const char *v = l + kl + 1, *e = strchr(v, '\n');
			size_t n = e ? (size_t)(e - v) : strlen(v);
			char *out = xmalloc(n + 1);
			memcpy(out, v, n);
			out[n] = 0;
			return out;
		}
	}
	return NULL;
}

struct trial {
	struct vfz_options o;
	struct vfz_stats st;
	uint8_t sel[FZ_MAX_STEPS];
	int runs;
	char detail[512];
	struct fz_art art;
};

/* One fresh back-end, the iteration with the selected steps, a probe. */
static enum vfz_kind trial_run(struct trial *t, const uint8_t *sel, bool keep_art)
{
	struct fz_ctx z;
	memset(&z, 0, sizeof z);
	memset(&t->st, 0, sizeof t->st);
	z.o = &t->o;
	z.st = &t->st;
	z.sel = sel;
	char err[256];
	t->runs++;
	if (!(z.r = new_run(&z, err, sizeof err)))
		return VFZ_OK;
	bool error;
	enum vfz_kind k = run_iteration(&z, t->o.first, err, sizeof err, &error);
	snprintf(t->detail, sizeof t->detail, "%s", z.last_detail);
	if (keep_art) {
		art_free(&t->art);
		t->art = z.prev;
		t->art.cap = t->art.cap ? memcpy(xmalloc(t->art.caplen + 1), t->art.cap, t->art.caplen) : NULL;
		t->art.raw = t->art.raw ? memcpy(xmalloc(t->art.rawlen + 1), t->art.raw, t->art.rawlen) : NULL;
		t->art.txt = t->art.txt ? memcpy(xmalloc(t->art.txtlen + 1), t->art.txt, t->art.txtlen) : NULL;
	}
	enum vfz_kind k2 = finish_run(&z);
	if (k == VFZ_OK && k2 != VFZ_OK) {
		k = k2;
		snprintf(t->detail, sizeof t->detail, "on the next connection");
	}
	return k;
}

int vfz_minimise(const char *dir, const struct vfz_options *base, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/case.txt", dir);
	struct vc_out *fo;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char text[8192];
	size_t tl = fread(text, 1, sizeof text - 1, f);
	text[tl] = 0;
	fclose(f);
	char *kind = case_get(text, "kind"), *seed = case_get(text, "seed"), *iter = case_get(text, "iteration");
	char *dev = case_get(text, "device"), *spawn = case_get(text, "spawn"), *steps = case_get(text, "steps");
	char *sock = case_get(text, "socket"), *tmo = case_get(text, "timeout_ms");
	struct trial *t = xcalloc(1, sizeof *t);
	int rc = -1;
	char newsock[128] = "", *newspawn = NULL, tdir_keep[64] = "";
	bool made_dir = false;
	enum vfz_kind want = VFZ_OK;
	for (int k = 1; k < VFZ_KIND_COUNT; k++)
		if (kind && !strcmp(kind, vfz_kind_name((enum vfz_kind)k)))
			want = (enum vfz_kind)k;
	if (!kind || !seed || !iter || !dev || want == VFZ_OK || vfe_device_by_name(dev) < 0) {
		snprintf(err, errlen, "%s: not a fuzz-backend case (kind, seed, iteration, device)", path);
		goto out;
	}
	t->o = *base;
	t->o.seed = strtoull(seed, NULL, 10);
	t->o.first = strtoull(iter, NULL, 10);
	t->o.count = 1;
	t->o.device = (enum vfe_device)vfe_device_by_name(dev);
	if (!t->o.socket && sock)
		t->o.socket = sock;
	if (!t->o.spawn && spawn && *spawn)
		t->o.spawn = spawn;
	if (tmo && !base->timeout_ms)
		t->o.timeout_ms = atoi(tmo);
	if (t->o.timeout_ms <= 0)
		t->o.timeout_ms = 2000;
	t->o.out_dir = NULL;
	t->o.log = NULL;
	t->o.record = t->o.raw = NULL;
	if (!t->o.spawn) {
		snprintf(err, errlen, "minimising needs --spawn (a fresh back-end per trial)");
		goto out;
	}
	/* The campaign's socket folder may be gone: a private one, named
	 * in the spawn command wherever the old path was. */
	char tdir[] = "/tmp/vcts-fzmin.XXXXXX";
	if (!base->socket && t->o.socket && mkdtemp(tdir)) {
		snprintf(newsock, sizeof newsock, "%s/be.sock", tdir);
		size_t ol = strlen(t->o.socket), cap = strlen(t->o.spawn) * 2 + sizeof newsock + 1;
		newspawn = xmalloc(cap);
		size_t w = 0;
		for (const char *q = t->o.spawn; *q && w + sizeof newsock < cap;) {
			if (!strncmp(q, t->o.socket, ol)) {
				w += (size_t)snprintf(newspawn + w, cap - w, "%s", newsock);
				q += ol;
			} else {
				newspawn[w++] = *q++;
			}
		}
		newspawn[w] = 0;
		t->o.socket = newsock;
		t->o.spawn = newspawn;
		made_dir = true;
		snprintf(tdir_keep, sizeof tdir_keep, "%s", tdir);
	}
	struct fz_plan p;
	plan_make(&p, t->o.device, t->o.seed, t->o.first);
	uint8_t cur[FZ_MAX_STEPS];
	if (steps && *steps) {
		if (parse_steps(steps, cur)) {
			snprintf(err, errlen, "%s: bad steps '%s'", path, steps);
			plan_free(&p);
			goto out;
		}
	} else {
		memset(cur, 0, sizeof cur);
		memset(cur, 1, p.n);
	}
	FILE *lg = base->log;
	unsigned idx[FZ_MAX_STEPS], n = 0;
	for (unsigned k = 0; k < p.n; k++)
		if (cur[k])
			idx[n++] = k;
	if (lg)
		fprintf(lg, "minimise %s: %s, seed %s iteration %s, %u steps\n", dir, kind, seed, iter, n);
	/* does it reproduce alone at all? two tries */
	enum vfz_kind got = trial_run(t, cur, false);
	if (got != want)
		got = trial_run(t, cur, false);
	if (got != want) {
		snprintf(path, sizeof path, "%s/minimal.txt", dir);
		if ((f = art_open(path, &fo))) {
			fprintf(f, "# does not reproduce alone on a fresh back-end (2 tries: %s): the %s needs the state\n"
				   "# of earlier iterations or is intermittent\n", vfz_kind_name(got), kind);
			art_close(fo);
		}
		if (lg)
			fprintf(lg, "  does not reproduce alone (2 tries, got %s)\n", vfz_kind_name(got));
		plan_free(&p);
		rc = 1;
		goto out;
	}
	/* ddmin over the selected steps */
	unsigned gran = 2;
	const int max_trials = 400;
	while (n >= 2 && t->runs < max_trials) {
		unsigned chunk = (n + gran - 1) / gran;
		bool reduced = false;
		for (unsigned start = 0; start < n && t->runs < max_trials; start += chunk) {
			uint8_t cand[FZ_MAX_STEPS];
			memset(cand, 0, sizeof cand);
			unsigned m = 0, cidx[FZ_MAX_STEPS];
			for (unsigned j = 0; j < n; j++)
				if (j < start || j >= start + chunk) {
					cand[idx[j]] = 1;
					cidx[m++] = idx[j];
				}
			if (!m)
				continue;
			if (trial_run(t, cand, false) == want) {
				memcpy(idx, cidx, m * sizeof idx[0]);
				n = m;
				reduced = true;
				if (lg) {
					fprintf(lg, "  %u steps (trial %d)\n", n, t->runs);
					fflush(lg);
				}
				break;
			}
		}
		if (reduced) {
			gran = gran > 2 ? gran - 1 : 2;
			continue;
		}
		if (gran >= n)
			break;
		gran = gran * 2 > n ? n : gran * 2;
	}
	memset(cur, 0, sizeof cur);
	for (unsigned j = 0; j < n; j++)
		cur[idx[j]] = 1;
	/* the final run, kept */
	got = trial_run(t, cur, true);
	char st[1024];
	format_steps(cur, FZ_MAX_STEPS, st, sizeof st);
	snprintf(path, sizeof path, "%s/minimal.txt", dir);
	if ((f = art_open(path, &fo))) {
		fprintf(f, "# minimal: %u of %u steps still give '%s' (%d trials; last: %s: %s)\n# steps %s\n", n, p.n,
			kind, t->runs, vfz_kind_name(got), t->detail, st);
		print_plan(&p, cur, f);
		art_close(fo);
	}
	if (t->art.cap) {
		snprintf(path, sizeof path, "%s/minimal.jsonl", dir);
		write_all(path, t->art.cap, t->art.caplen);
		snprintf(path, sizeof path, "%s/minimal.raw.bin", dir);
		write_all(path, t->art.raw, t->art.rawlen);
		snprintf(path, sizeof path, "%s/minimal.raw.txt", dir);
		write_all(path, t->art.txt, t->art.txtlen);
	}
	snprintf(path, sizeof path, "%s/minimal.sh", dir);
	char what[700];
	snprintf(what, sizeof what, "%s minimised to %u steps (seed %s, iteration %s)", kind, n, seed, iter);
	write_repro(path, &t->o, t->o.first, st, what);
	if (lg) {
		fprintf(lg, "  minimal: %u of %u steps (--steps %s), %d trials, final run: %s\n", n, p.n, st, t->runs,
			vfz_kind_name(got));
		fprintf(lg, "  reproduce: sh %s/minimal.sh\n", dir);
	}
	plan_free(&p);
	rc = 0;
out:
	if (made_dir) {
		unlink(newsock);
		rmdir(tdir_keep);
	}
	free(newspawn);
	art_free(&t->art);
	free(t);
	free(kind), free(seed), free(iter), free(dev), free(spawn), free(steps), free(sock), free(tmo);
	return rc;
}
