/* Internal to fuzz-backend (fakes/frontend/befuzz*.c): the plan, its
 * steps and the PRNG every part draws from. Only these files include it. */
#ifndef VCTS_FAKE_BEFUZZ_INT_H
#define VCTS_FAKE_BEFUZZ_INT_H

#include "fakes/frontend/befuzz.h"
#include "fakes/frontend/fe_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vc_out;

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

/* Device layouts the kicks use (VIRTIO 1.2 5.1.6, 5.2.6); the split ring: vcts/vring.h. */
#define NET_FRAME_BYTES 60u
#define NET_RX_BYTES 1526u

enum fz_op { FZ_MSG = 0, FZ_KICK, FZ_CUT };
enum fz_sym { SYM_NONE = 0, SYM_FEATURES, SYM_PF };
enum fz_fdk { FD_MEM = 0, FD_KICK, FD_CALL, FD_ERR, FD_BECHAN, FD_MEMFD, FD_EVENTFD, FD_PIPE };
extern const char *const fz_fdk_names[];

enum fz_desc_fault {
	DF_NONE = 0, DF_ADDR, DF_LEN, DF_LOOP, DF_NEXT_OOR, DF_INDIRECT, DF_AVAIL_JUMP, DF_HEAD_OOR,
	DF_COUNT,
};
extern const char *const fz_df_names[];

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

static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct rng { uint64_t s; };
static inline uint64_t rnd(struct rng *g) { g->s += 0x9e3779b97f4a7c15ull; return mix64(g->s); }
static inline uint32_t below(struct rng *g, uint32_t n) { return n ? (uint32_t)(rnd(g) % n) : 0; }
static inline bool chance(struct rng *g, unsigned permille) { return below(g, 1000) < permille; }

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

/* The synthetic front-end address of region k. */
static inline uint64_t fz_reg_uva(unsigned k) { return FZ_UVA_BASE + (uint64_t)k * FZ_UVA_STRIDE; }

/* befuzz_plan.c: building, printing and selecting plan steps */
void fz_format_steps(const uint8_t *sel, unsigned n, char *out, size_t len);
int fz_parse_steps(const char *spec, uint8_t *sel);
void fz_plan_free(struct fz_plan *p);
void fz_plan_make(struct fz_plan *p, enum vfe_device d, uint64_t seed, uint64_t it);
void fz_print_plan(const struct fz_plan *p, const uint8_t *sel, FILE *f);
const char *fz_rname(uint32_t req, char *buf, size_t len);
struct fz_step *fz_build(struct fz_plan *p, uint32_t req, uint32_t flags, uint32_t index, uint64_t value);
void fz_put_fd(struct fz_step *s, uint8_t kind, uint32_t arg);

/* befuzz_mutate.c: the mutations */
void fz_mutate_one(struct rng *g, struct fz_plan *p);
void fz_pmut(struct fz_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* befuzz_exec.c: one iteration as a runner scenario */
enum vfz_kind fz_kind_of(enum vfe_outcome o);
const struct vfe_scenario_result *fz_exec_iteration(struct vfe_run *r, struct fz_iter *it, uint64_t seed,
						     uint64_t iter);
const struct vfe_scenario_result *fz_exec_liveness(struct vfe_run *r);

/* befuzz_campaign.c: the campaign, its artefacts and reproducers */
void fz_art_close(struct vc_out *fo);
void fz_art_free(struct fz_art *a);
FILE *fz_art_open(const char *path, struct vc_out **fo);
enum vfz_kind fz_finish_run(struct fz_ctx *z);
struct vfe_run *fz_new_run(struct fz_ctx *z, char *err, size_t errlen);
enum vfz_kind fz_run_iteration(struct fz_ctx *z, uint64_t iter, char *err, size_t errlen, bool *error);
int fz_write_all(const char *path, const void *buf, size_t len);
void fz_write_repro(const char *path, const struct vfz_options *o, uint64_t iter, const char *steps,
			const char *what);

#endif
