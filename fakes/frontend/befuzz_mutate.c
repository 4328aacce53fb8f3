/* fuzz-backend: the mutations of a plan, one function each, picked from
 * the weighted table at the end. */
#include "fakes/frontend/befuzz_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

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
	case 6: return fz_reg_uva(below(g, p->nreg)) + sz - below(g, 64);
	case 7: return fz_reg_uva(0) - 1 - below(g, 4096);
	case 8: return fz_reg_uva(below(g, p->nreg)) + below(g, 1u << 24);
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

void fz_pmut(struct fz_plan *p, const char *fmt, ...)
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
	struct fz_step *s = fz_build(p, req, flags, idx, v);
	if (!s)
		return;
	struct fz_step tmp = *s;
	p->n = keep;
	unsigned at = below(g, p->n + 1);
	char nb[24];
	snprintf(tmp.note, sizeof tmp.note, "inserted");
	insert_at(p, at, &tmp);
	fz_pmut(p, "insert %s at %u", vu_request_name(VU_CHAN_MAIN, req, nb, sizeof nb), at);
}

/* header flags */
static void m_flags(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
	if ((i = pick_msg(g, p, NULL)) < 0)
		return;
	s = &p->st[i];
	{
		static const uint32_t bits[] = { 0x1, 0x2, 0x3, VU_FLAG_REPLY, VU_FLAG_NEED_REPLY,
						 VU_FLAG_NEED_REPLY, 0x10, 0x80000000u };
		uint32_t b = chance(g, 800) ? bits[below(g, sizeof bits / sizeof bits[0])] : (uint32_t)1 << below(g, 32);
		s->flags ^= b;
		note(s, "flags^0x%x", b);
		fz_pmut(p, "flags of step %d ^0x%x", i, b);
	}
}

/* declared size differs from the bytes sent */
static void m_size(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
	if ((i = pick_msg(g, p, NULL)) < 0)
		return;
	s = &p->st[i];
	{
		static const int64_t d[] = { 0, 1, 4, 7, 8, 12, 16, 39, 40, 41, 4096, 4097, 65536, 0xffffffffll };
		s->declared = chance(g, 500) ? (int64_t)s->len + (int64_t)below(g, 9) - 4 : d[below(g, sizeof d / sizeof d[0])];
		if (s->declared < 0)
			s->declared = 0;
		note(s, "size field %" PRId64 " (sent %u)", s->declared, s->len);
		fz_pmut(p, "size field of step %d = %" PRId64, i, s->declared);
	}
}

/* payload cut short or padded, header consistent */
static void m_payload(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
	fz_pmut(p, "payload length of step %d = %u", i, s->len);
}

/* a payload word */
static void m_word(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
		fz_pmut(p, "payload word of step %d", i);
	}
}

/* ring index */
static void m_index(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
		fz_pmut(p, "ring index of step %d", i);
	}
}

/* ring size */
static void m_num(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
	if ((i = pick_msg(g, p, is_num)) < 0)
		return;
	s = &p->st[i];
	{
		static const uint32_t nv[] = { 0, 1, 2, 3, 100, 255, 257, 1024, 4096, 32768, 32769, 65535, 65536,
					       0x7fffffff, 0xffffffffu };
		uint32_t v = nv[below(g, sizeof nv / sizeof nv[0])];
		vu_wr32(s->pl + 4, v);
		note(s, "num=%u", v);
		fz_pmut(p, "ring num of step %d = %u", i, v);
	}
}

/* ring addresses */
static void m_addr(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
		fz_pmut(p, "ring address of step %d", i);
	}
}

/* memory table / region / log / inflight fields */
static void m_memfield(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
		fz_pmut(p, "memory field of step %d", i);
	}
}

/* drop */
static void m_drop(struct rng *g, struct fz_plan *p)
{
	int i;
	if (p->n < 2)
		return;
	i = (int)below(g, p->n);
	fz_pmut(p, "drop step %d", i);
	remove_at(p, (unsigned)i);
}

/* duplicate */
static void m_dup(struct rng *g, struct fz_plan *p)
{
	int i;
	if (!p->n)
		return;
	i = (int)below(g, p->n);
	{
		struct fz_step tmp = p->st[i];
		unsigned at = chance(g, 600) ? (unsigned)i + 1 : below(g, p->n + 1);
		note(&tmp, "copy of %d", i);
		insert_at(p, at, &tmp);
		fz_pmut(p, "repeat step %d at %u", i, at);
	}
}

/* reorder */
static void m_reorder(struct rng *g, struct fz_plan *p)
{
	if (p->n < 2)
		return;
	{
		unsigned a = below(g, p->n - 1);
		unsigned b = chance(g, 600) ? a + 1 : below(g, p->n);
		struct fz_step tmp = p->st[a];
		p->st[a] = p->st[b];
		p->st[b] = tmp;
		fz_pmut(p, "swap steps %u and %u", a, b);
	}
}

/* fds */
static void m_fds(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
			fz_put_fd(s, FD_EVENTFD, 0);
		note(s, "+%u fds", k);
		break;
	}
	case 2:
		if (s->nfds) {
			unsigned j = below(g, s->nfds);
			s->fd[j].kind = below(g, 2) ? FD_EVENTFD : FD_PIPE;
			note(s, "fd %u is a %s", j, fz_fdk_names[s->fd[j].kind]);
		} else {
			fz_put_fd(s, FD_MEMFD, 4);
			note(s, "+memfd");
		}
		break;
	default:
		if (s->nfds)
			s->nfds--;
		else
			fz_put_fd(s, FD_EVENTFD, 0);
		note(s, "fd count %u", s->nfds);
		break;
	}
	fz_pmut(p, "fds of step %d", i);
}

/* request number */
static void m_request(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
	if ((i = pick_msg(g, p, NULL)) < 0)
		return;
	s = &p->st[i];
	{
		/* The request range the campaigns of fuzz/FINDINGS.md ran
		 * with (up to GET_SHMEM_CONFIG), frozen so their
		 * seed/iteration reproducers keep their plans when requests
		 * are added to the wire table. */
		const uint32_t span = VU_GET_SHMEM_CONFIG;
		uint32_t r = chance(g, 700) ? 1 + below(g, span)
		           : chance(g, 500) ? span + 1 + below(g, 4) : rb32(g);
		note(s, "request %u->%u", s->req, r);
		s->req = r;
		s->sym = SYM_NONE;
		fz_pmut(p, "request of step %d = %u", i, r);
	}
}

/* descriptor faults on a kicked ring, or a message cut by EOF */
static void m_fault(struct rng *g, struct fz_plan *p)
{
	int i;
	struct fz_step *s;
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
		fz_pmut(p, "cut step %d by EOF", i);
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
		case DF_INDIRECT: s->fval = chance(g, 500) ? rb32(g) : VRING_DESC_SIZE * below(g, 64); break;
		case DF_AVAIL_JUMP: s->fval = 1 + rb32(g) % 0x10000; break;
		case DF_HEAD_OOR: s->fval = 0xffff - below(g, 2) * (0xffff - 256); break;
		default: s->fval = rb32(g); break;
		}
		note(s, "%s 0x%" PRIx64, fz_df_names[s->fault], s->fval);
		fz_pmut(p, "ring %u %s", s->ring, fz_df_names[s->fault]);
	}
}

/* The mutations and their weights: one is picked with probability
 * weight / total. Plans are a pure function of (seed, iteration), and
 * saved reproducers name them: append new rows at the end and never
 * reorder or reweigh existing ones, or old reproducers change meaning. */
static const struct fz_mutator {
	const char *name;
	unsigned weight;
	void (*apply)(struct rng *g, struct fz_plan *p);
} mutators[] = {
	{ "header flags", 1, m_flags },
	{ "declared size", 1, m_size },
	{ "payload length", 1, m_payload },
	{ "payload word", 2, m_word },
	{ "ring index", 1, m_index },
	{ "ring size", 1, m_num },
	{ "ring addresses", 1, m_addr },
	{ "memory fields", 2, m_memfield },
	{ "drop", 1, m_drop },
	{ "duplicate", 1, m_dup },
	{ "reorder", 1, m_reorder },
	{ "fds", 1, m_fds },
	{ "insert", 1, m_insert },
	{ "request number", 1, m_request },
	{ "kick fault or EOF cut", 1, m_fault },
};

void fz_mutate_one(struct rng *g, struct fz_plan *p)
{
	unsigned total = 0;
	for (size_t k = 0; k < sizeof mutators / sizeof mutators[0]; k++)
		total += mutators[k].weight;
	uint32_t r = below(g, total);
	for (size_t k = 0; k < sizeof mutators / sizeof mutators[0]; k++) {
		if (r < mutators[k].weight) {
			mutators[k].apply(g, p);
			return;
		}
		r -= mutators[k].weight;
	}
}
