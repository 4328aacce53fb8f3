/* Every rule against a fixture that must trigger it, and only it.
 * Fixtures are built with lib/synth.c and committed as native captures in
 * traces/fixtures/ (so `vhost-cts check` runs on them too); this suite
 * checks the committed files still match their builders
 * (VCTS_REGEN_FIXTURES=1 rewrites them: `make fixtures`). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/tests/common/testutil.h"
#include "vcts/engine.h"
#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/vring.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

typedef void (*build_fn)(struct vc_synth *s, struct vs_profile *p);

struct fixture {
	const char *name;     /* file traces/fixtures/<name>.jsonl */
	const char *bug;      /* bugs.md id or NULL */
	const char *fires[4]; /* exactly these rules must fire */
	build_fn build;
	const char *what;
};

#define P64(v) ((const uint8_t[8]){ (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), \
				      (uint8_t)((v) >> 24), (uint8_t)((uint64_t)(v) >> 32), \
				      (uint8_t)((uint64_t)(v) >> 40), (uint8_t)((uint64_t)(v) >> 48), \
				      (uint8_t)((uint64_t)(v) >> 56) })

static void full(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The file behind region 0 of the last memory table sent. */
static uint64_t first_table_ident(const struct vc_synth *s)
{
	uint64_t ident = 0;
	for (size_t i = 0; i < s->t->nevents; i++)
		if (s->t->events[i].kind == VC_EV_VU_MSG &&
		    s->t->events[i].u.vu.request == VU_SET_MEM_TABLE && s->t->events[i].nfds)
			ident = s->t->events[i].fds[0].ident;
	return ident;
}

static void clean_default(struct vc_synth *s, struct vs_profile *p) { full(s, p); }

static void clean_status(struct vc_synth *s, struct vs_profile *p)
{
	p->status = true;
	p->pf_offered |= VU_BIT(VU_PF_STATUS);
	p->pf_acked = p->pf_offered;
	full(s, p);
}

static void clean_restart(struct vc_synth *s, struct vs_profile *p)
{
	/* Start and stop twice, like a guest driver reload. */
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr01(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, 0x2 & ~VU_VERSION, P64(p->acked), 8, 0)->u.vu.flags = 0x2;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, VU_FLAG_REPLY, P64(p->acked), 8, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr03(struct vc_synth *s, struct vs_profile *p)
{
	(void)p;
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	/* Reply without the REPLY bit. */
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_FEATURES, VU_VERSION, P64(p->features), 8, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr03_b23(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_state(s, VU_GET_VRING_BASE, 0, 0);
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 1, 0 }); /* answers for ring 1 */
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_state(s, VU_GET_VRING_BASE, 1, 0);
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr04(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, 0x100, P64(p->acked), 8, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, 99, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr06(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 7);
}

static void hdr07(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_CONFIG);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	static uint8_t cfg[12 + 5000];
	vu_enc_config(cfg, sizeof cfg, &(struct vu_config_pl){ .size = 5000 });
	vs_req(s, VU_SET_CONFIG, 0, cfg, sizeof cfg, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void hdr08_b12(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_req(s, VU_RESET_OWNER, 0, NULL, 0, 0);
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void size01_b5(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[36] = { 0 };
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void size02(struct vc_synth *s, struct vs_profile *p)
{
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	vs_reply(s, VU_GET_FEATURES, P64(p->features), 4);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd01_b20(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_FEATURES, 0, P64(p->acked), 8, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r[2] = {
		{ 0, 0x100000, 0x7f0000000000, 0 }, { 0x100000, 0x100000, 0x7f0000100000, 0 },
	};
	vs_memtable(s, r, 2, NULL)->nfds = 1;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	uint8_t q[8];
	vu_enc_u64(q, sizeof q, 0 | VU_VRING_NOFD);
	vs_req(s, VU_SET_VRING_CALL, 0, q, 8, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd04(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_BACKEND_REQ);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	uint8_t q[8];
	vu_enc_u64(q, sizeof q, 1 | (1u << 12));
	vs_req(s, VU_SET_VRING_CALL, 0, q, 8, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd06(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	/* A back-end that attaches fds to a reply defined without any. */
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_FEATURES, VU_VERSION | VU_FLAG_REPLY,
	       P64(p->features), 8, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* GET_INFLIGHT_FD's reply carries the shared buffer's fd: no finding. */
/* GET_INFLIGHT_FD answered with an area; SET_INFLIGHT_FD hands back one
 * of set_size bytes. */
static void inflight(struct vc_synth *s, struct vs_profile *p, uint64_t set_size)
{
	p->pf_offered |= VU_BIT(VU_PF_INFLIGHT_SHMFD);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	uint8_t q[24];
	struct vu_inflight_pl in = { .num_queues = (uint16_t)p->queues, .queue_size = (uint16_t)p->num };
	ck_assert_uint_eq(vu_enc_inflight(q, sizeof q, &in), sizeof q);
	vs_req(s, VU_GET_INFLIGHT_FD, 0, q, sizeof q, 0);
	in.mmap_size = 4096;
	vu_enc_inflight(q, sizeof q, &in);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_INFLIGHT_FD, VU_VERSION | VU_FLAG_REPLY, q,
	       sizeof q, 1);
	in.mmap_size = set_size;
	vu_enc_inflight(q, sizeof q, &in);
	vs_req(s, VU_SET_INFLIGHT_FD, 0, q, sizeof q, 1);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_inflight(struct vc_synth *s, struct vs_profile *p) { inflight(s, p, 4096); }
static void mem10_inflight_other_size(struct vc_synth *s, struct vs_profile *p) { inflight(s, p, 8192); }

/* A reconnect: the area kept from the connection before is handed back
 * with no GET_INFLIGHT_FD on this one (not judged). */
static void clean_inflight_reconnect(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_INFLIGHT_SHMFD);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	uint8_t q[24];
	vu_enc_inflight(q, sizeof q, &(struct vu_inflight_pl){ .mmap_size = 8192, .num_queues = (uint16_t)p->queues,
							     .queue_size = (uint16_t)p->num });
	vs_req(s, VU_SET_INFLIGHT_FD, 0, q, sizeof q, 1);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}


static void neg01(struct vc_synth *s, struct vs_profile *p)
{
	p->acked |= VU_BIT(VU_F_RING_PACKED);
	full(s, p);
}

static void neg02(struct vc_synth *s, struct vs_profile *p)
{
	p->features &= ~VU_BIT(VU_F_PROTOCOL_FEATURES);
	vs_get_u64(s, VU_GET_FEATURES, p->features);
	vs_get_u64(s, VU_GET_PROTOCOL_FEATURES, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg03(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_acked |= VU_BIT(VU_PF_PAGEFAULT);
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg04(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_MQ);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_get_u64(s, VU_GET_QUEUE_NUM, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SEND_RARP, 0x112233445566ull);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg06_b9(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_REPLY_ACK);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL)->u.vu.flags |= VU_FLAG_NEED_REPLY;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg07(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_INBAND_NOTIFICATIONS) | VU_BIT(VU_PF_BACKEND_REQ);
	p->pf_acked = p->pf_offered & ~VU_BIT(VU_PF_BACKEND_REQ);
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg08(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked & ~VU_BIT(29));
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void once01(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void once02_b3(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_BACKEND_REQ);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	/* One per queue pair instead of once per device. */
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void set_log_base(struct vc_synth *s, uint64_t size)
{
	uint8_t l[16];
	vu_enc_log(l, sizeof l, &(struct vu_log_pl){ size, 0 });
	vs_req(s, VU_SET_LOG_BASE, 0, l, 16, 1);
	vs_reply(s, VU_SET_LOG_BASE, NULL, 0);
}

static void once03_b2(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* SET_LOG_BASE for each queue pair, each with a new fd. */
	set_log_base(s, 8192);
	set_log_base(s, 8192);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_log_resize(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 8192);
	/* Grown before a larger table: a resize, not a repeat. */
	set_log_base(s, 16384);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void once03_b4(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_RESET_DEVICE);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	vs_req(s, VU_RESET_DEVICE, 0, NULL, 0, 0);
	vs_req(s, VU_RESET_DEVICE, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void once04_b15(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	uint64_t ident = first_table_ident(s);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, &ident);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void once05_nowait(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	/* NEED_REPLY, then the next request before the ack. */
	vs_req(s, VU_SET_FEATURES, VU_FLAG_NEED_REPLY, P64(p->acked), 8, 0);
	vs_req(s, VU_SET_OWNER + 0, 0, NULL, 0, 0)->u.vu.request = VU_GET_STATUS;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void once05_b1(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	/* The front-end waits for an ack of a request it never sent. */
	vs_stall(s);
}

static void ring01_b22(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_state(s, VU_SET_VRING_NUM, 5, 256);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_state(s, VU_SET_VRING_NUM, 0, 300);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring03_b21(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_state(s, VU_SET_VRING_NUM, 0, 256);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring04_b14(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_state(s, VU_SET_VRING_NUM, 0, 256);
	vs_state(s, VU_SET_VRING_BASE, 0, 0);
	vs_addr(s, 0, 0, 0x1000, 0x2000, 0, 0); /* desc 0: not a user address */
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_addr(s, 0, p->uva + 0x10000, p->uva + 0x20000, p->uva + 0x30001, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring06(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_state(s, VU_SET_VRING_NUM, 0, 256);
	vs_vring_fd(s, VU_SET_VRING_KICK, 0, false); /* no BASE, no ADDR */
	vs_state(s, VU_SET_VRING_ENABLE, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring07_b14(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_state(s, VU_GET_VRING_BASE, 0, 0);
	uint8_t q[8] = { 0 };
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring08_unmapped(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* Hot-unplug takes away the memory under the rings. */
	struct vu_region_pl r = { 0x40000000, p->mem_size, p->uva + 0x40000000, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring08_relocated(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* Same addresses, but now backed by another part of the same file. */
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0x200000 };
	uint64_t ident = first_table_ident(s);
	vs_memtable(s, &r, 1, &ident);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring09_b13(struct vc_synth *s, struct vs_profile *p)
{
	/* QEMU 7.2: SET_STATUS(0) before GET_VRING_BASE. */
	p->status = true;
	vs_init(s, p);
	vs_start(s, p);
	vs_u64(s, VU_SET_STATUS, 0);
	p->status = false;
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring10_b8(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
	}
	vs_state(s, VU_SET_VRING_ENABLE, 0, 1); /* only the first ring */
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring11(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_state(s, VU_GET_VRING_BASE, 0, 5);
	uint8_t q[8] = { 0 };
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_state(s, VU_GET_VRING_BASE, 1, 0);
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 1, 0 });
	vs_reply(s, VU_GET_VRING_BASE, q, 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* One packed ring started at `start`, stopped (the back-end returns
 * `returned`) and restarted at `restart`. */
static void packed(struct vc_synth *s, struct vs_profile *p, uint32_t start, uint32_t returned,
		   uint32_t restart)
{
	p->features |= VU_BIT(VU_F_RING_PACKED);
	p->acked |= VU_BIT(VU_F_RING_PACKED);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	uint64_t d, a, u;
	vs_ring_layout(p, 0, &d, &a, &u);
	for (int round = 0; round < 2; round++) {
		vs_state(s, VU_SET_VRING_NUM, 0, p->num);
		vs_state(s, VU_SET_VRING_BASE, 0, round ? restart : start);
		vs_addr(s, 0, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, 0, false);
		vs_vring_fd(s, VU_SET_VRING_CALL, 0, false);
		vs_state(s, VU_SET_VRING_ENABLE, 0, 1);
		vs_state(s, VU_GET_VRING_BASE, 0, 0);
		uint8_t q[8];
		vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 0, returned });
		vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	}
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* QEMU with a correct back-end: fresh 0x80008000, 5 buffers used. */
static void clean_packed(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, VU_PACKED_FRESH, 0x80058005u, 0x80058005u);
}

/* After a lap of a 256 ring: avail 3 wrap 0 (259 taken), used 1 wrap 0
 * (257 used, 2 held). */
static void clean_packed_wrapped(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, VU_PACKED_FRESH, 0x00010003u, 0x00010003u);
}

static void pack01_past_size(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x8000812cu, 0x80058005u, 0x80058005u); /* avail 300 of 256 */
}

static void pack01_used_ahead(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x80058003u, 0x80058005u, 0x80058005u); /* used 5 > avail 3 */
}

/* A migration destination started from a source whose back-end left the
 * used half 0/0 (QEMU forwards the word it stored). */
static void pack01_forwarded(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x0000809cu, 0x809c809cu, 0x809c809cu);
}

/* DPDK 22.11 virtio-user (traces/dpdk-virtio-user-packed): only the avail
 * wrap counter set. */
static void pack02_dpdk(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, 0x00008000u, 0x80058005u, 0x80058005u);
}

/* DPDK 22.11 vhost: the used half of the reply left 0/0 after 156 buffers;
 * the front-end then restores it (judged on the reply only). */
static void pack03_dpdk(struct vc_synth *s, struct vs_profile *p)
{
	packed(s, p, VU_PACKED_FRESH, 0x0000809cu, 0x0000809cu);
}

static void sts01(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_FEATURES_OK);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void sts02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vs_u64(s, VU_SET_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem01_nine(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r[9];
	for (uint32_t i = 0; i < 9; i++)
		r[i] = (struct vu_region_pl){ i * 0x100000ull, 0x100000, p->uva + i * 0x100000ull, 0 };
	vs_memtable(s, r, 9, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem02_b22b(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r = { 0, 0, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r[2] = {
		{ 0, 0x200000, p->uva, 0 }, { 0x100000, 0x200000, p->uva + 0x400000, 0 },
	};
	vs_memtable(s, r, 2, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem04_b6(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	/* A live capture knows the fd's size: garbage mmap_offset runs past it. */
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0xdead0000 };
	struct vc_event *ev = vs_memtable(s, &r, 1, NULL);
	ev->fds[0].size = (int64_t)p->mem_size;
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem05(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	struct vu_region_pl r = { 0x800, 0x100000, p->uva + 0x800, 0 };
	vs_memtable(s, &r, 1, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void reply01(struct vc_synth *s, struct vs_profile *p)
{
	(void)p;
	vs_req(s, VU_GET_FEATURES, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_BE_TO_FE, 0);
}

static void reply01_refused(struct vc_synth *s, struct vs_profile *p)
{
	(void)p;
	/* A malformed GET_FEATURES (4 payload bytes) may be refused by closing. */
	vs_req(s, VU_GET_FEATURES, 0, P64(0), 4, 0);
	vs_eof(s, VC_DIR_BE_TO_FE, 0);
}

static void reply02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_req(s, VU_GET_STATUS, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_reply(s, VU_GET_STATUS, P64(0), 8);
	vs_reply(s, VU_GET_STATUS, P64(0), 8); /* and an ack on top */
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void reply03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_reply(s, VU_SET_OWNER, P64(0), 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void log01_b7(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	/* 256 MiB needs 8 KiB of log; B7 computed it in 4-byte units. */
	set_log_base(s, 8192 / 4);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void log01_b22b(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	uint8_t l[16];
	vu_enc_log(l, sizeof l, &(struct vu_log_pl){ 0xfffffffffffff000ull, 0x2000 });
	vs_req(s, VU_SET_LOG_BASE, 0, l, 16, 1);
	vs_reply(s, VU_SET_LOG_BASE, NULL, 0);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void log02(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 8192);
	vs_u64(s, VU_SET_FEATURES, p->acked | VU_BIT(VU_F_LOG_ALL));
	/* Memory grows to 512 MiB; the log was not grown first. Region 0 is
	 * the same file as before (rings stay put). */
	struct vu_region_pl r[2] = {
		{ 0, p->mem_size, p->uva, 0 },
		{ p->mem_size, p->mem_size, p->uva + p->mem_size, 0 },
	};
	uint64_t idents[2] = { first_table_ident(s), 0 };
	vs_memtable(s, r, 2, idents);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* ---- The text of vhost-user.rst (p-b-o/qemu-ci b82b5c8c547f) against the
 * rules: conforming sessions that must pass, and what must still fire. ---- */

static void pf_add(struct vs_profile *p, uint64_t bits)
{
	p->pf_offered |= bits;
	p->pf_acked |= bits;
}

static void get_config(struct vc_synth *s, uint32_t reply_len)
{
	uint8_t q[VU_CONFIG_HDR + 8] = { 0 };
	vu_enc_config(q, VU_CONFIG_HDR, &(struct vu_config_pl){ .size = 8 });
	vs_req(s, VU_GET_CONFIG, 0, q, sizeof q, 0);
	vs_reply(s, VU_GET_CONFIG, q, reply_len);
}

/* Gates the text words as "present in GET_PROTOCOL_FEATURES": offered,
 * not acked, is enough. */
static void clean_offered_gates(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_RARP) | VU_BIT(VU_PF_NET_MTU) | VU_BIT(VU_PF_BACKEND_REQ) |
			 VU_BIT(VU_PF_RESET_DEVICE);
	p->pf_acked = VU_BIT(VU_PF_REPLY_ACK); /* MQ offered, not acked */
	p->features |= VU_BIT(VU_F_NET_MTU);
	p->acked |= VU_BIT(VU_F_NET_MTU);
	vs_init(s, p);
	vs_get_u64(s, VU_GET_QUEUE_NUM, 2);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_u64(s, VU_NET_SET_MTU, 1500);
	vs_u64(s, VU_SEND_RARP, 0x112233445566ull);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_req(s, VU_RESET_DEVICE, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg05_mtu_unacked(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_NET_MTU));
	p->features |= VU_BIT(VU_F_NET_MTU); /* offered, not acked */
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_u64(s, VU_NET_SET_MTU, 1500);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* POSTCOPY_ADVISE answered as the text has it: a userfaultfd, no payload. */
static void postcopy_advise(struct vc_synth *s)
{
	vs_req(s, VU_POSTCOPY_ADVISE, 0, NULL, 0, 0);
	struct vc_event *ufd =
		vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_POSTCOPY_ADVISE, VU_VERSION | VU_FLAG_REPLY, NULL, 0, 1);
	ufd->fds[0].kind = VC_FD_USERFAULTFD;
	snprintf(ufd->fds[0].name, sizeof ufd->fds[0].name, "anon_inode:[userfaultfd]");
}

static void neg05_postcopy_slots(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT)); /* CONFIGURE_MEM_SLOTS is in the default */
	vs_init(s, p);
	postcopy_advise(s);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* "back-end uses zero length of payload to indicate an error". */
static void clean_config_error(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG));
	vs_init(s, p);
	get_config(s, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void size02_config_short(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG));
	vs_init(s, p);
	get_config(s, VU_CONFIG_HDR + 4);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Set up every ring of the profile; enable[i] < 0 sends no SET_VRING_ENABLE. */
static void setup_rings(struct vc_synth *s, struct vs_profile *p, const int *enable, bool polling)
{
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, polling);
	}
	for (uint32_t i = 0; i < p->queues; i++)
		if (enable[i] >= 0)
			vs_state(s, VU_SET_VRING_ENABLE, i, (uint32_t)enable[i]);
}

/* QEMU with 2 queue pairs offered and a guest using one (traces/
 * qemu-dpdk-net-mq1): rings 2-3 started and disabled on purpose. */
static void clean_mq_pair_disabled(struct vc_synth *s, struct vs_profile *p)
{
	p->queues = 4;
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1, 0, 0 }, false);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Live, B8: ring 1 never named by SET_VRING_ENABLE, yet kicked again. */
static void ring10_live_kicks(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, -1 }, false);
	vs_kick(s, 0);
	vs_kick(s, 1);
	vs_kick(s, 1);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A ring disabled on purpose may be kicked: the driver posts buffers the
 * back-end processes without side effects (QEMU 7.2 + Linux 6.1, live:
 * RX ring 2 kicked before the pair is enabled). */
static void clean_live_disabled_kicked(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 0 }, false);
	vs_kick(s, 0);
	vs_kick(s, 1);
	vs_kick(s, 1);
	vs_kick(s, 1);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* QEMU 7.2 kicks each ring once right after SET_VRING_KICK, before any
 * SET_VRING_ENABLE (vhost-user.rst asks front-ends to): no finding. */
static void clean_live_compat_kick(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ -1, -1 }, false);
	vs_kick(s, 0);
	vs_kick(s, 1);
	for (uint32_t i = 0; i < p->queues; i++)
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	vs_kick(s, 1);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* SET_VRING_KICK with the no-fd bit starts a polling ring. */
static void clean_polling_rings(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1 }, true);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void ring03_polling(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1 }, true);
	vs_state(s, VU_SET_VRING_NUM, 0, p->num); /* ring 0 is started */
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void get_base(struct vc_synth *s, uint32_t req, uint32_t ring, uint32_t num)
{
	uint8_t q[8];
	vs_state(s, req, ring, num);
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ ring, 0 });
	vs_reply(s, req, q, sizeof q);
}

/* The text has no GET_VRING_BASE_INFLIGHT exemption for num. */
static void ring11_inflight(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT) | VU_BIT(VU_PF_INFLIGHT_SHMFD));
	vs_init(s, p);
	vs_start(s, p);
	get_base(s, VU_GET_VRING_BASE, 0, 1);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_skip_drain(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_SKIP_DRAIN) | VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT) |
			  VU_BIT(VU_PF_INFLIGHT_SHMFD));
	vs_init(s, p);
	vs_start(s, p);
	get_base(s, VU_GET_VRING_BASE_SKIP_DRAIN, 0, 0);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void neg09_skip_drain_alone(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_SKIP_DRAIN));
	vs_init(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void get_shmem_config(struct vc_synth *s, uint32_t reply_len)
{
	static uint8_t cfg[8 + 8 * VU_SHMEM_MAX_REGIONS];
	static const struct vu_shmem_cfg_pl one = { .nregions = 1, .sizes = { 0x200000 } };
	vu_enc_shmem_cfg(cfg, sizeof cfg, &one);
	vs_req(s, VU_GET_SHMEM_CONFIG, 0, NULL, 0, 0);
	vs_reply(s, VU_GET_SHMEM_CONFIG, cfg, reply_len);
}

static void clean_shmem(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_SHMEM) | VU_BIT(VU_PF_BACKEND_REQ) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	get_shmem_config(s, 8 + 8 * VU_SHMEM_MAX_REGIONS);
	uint8_t map[40];
	vu_enc_mmap(map, sizeof map, &(struct vu_mmap_pl){ .len = 0x1000 });
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, VU_BE_SHMEM_MAP, VU_VERSION, map, sizeof map, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, VU_BE_SHMEM_UNMAP, VU_VERSION, map, sizeof map, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The reply of the first SHMEM series: 8 sizes, 72 bytes. */
static void size02_shmem_72(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_SHMEM));
	vs_init(s, p);
	get_shmem_config(s, 72);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A rust-vmm peer: SHMEM as bit 20. */
static void neg10_shmem_bit20(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_GET_VRING_BASE_INFLIGHT));
	vs_init(s, p);
	get_shmem_config(s, 8 + 8 * VU_SHMEM_MAX_REGIONS);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Replies the text gives as an fd only: POSTCOPY_ADVISE's userfaultfd,
 * GET_SHARED_OBJECT's dma-buf (rust-vmm: 0 bytes + fd). Postcopy excludes
 * CONFIGURE_MEM_SLOTS. */
static void clean_fd_replies(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT) | VU_BIT(VU_PF_SHARED_OBJECT));
	vs_init(s, p);
	postcopy_advise(s);
	uint8_t uuid[16] = { 1, 2, 3 };
	vs_req(s, VU_GET_SHARED_OBJECT, 0, uuid, sizeof uuid, 0);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_SHARED_OBJECT, VU_VERSION | VU_FLAG_REPLY, NULL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* IOTLB_MSG: "The back-end has to acknowledge the request with sending
 * zero as u64 payload", NEED_REPLY or not. */
static void iotlb(struct vc_synth *s, uint32_t flags)
{
	uint8_t m[32];
	/* type 2: update; perm 3: read-write */
	vu_enc_iotlb(m, sizeof m,
		     &(struct vu_iotlb_pl){ .size = 0x1000, .uaddr = 0x7f0000000000ull, .perm = 3, .type = 2 });
	vs_req(s, VU_IOTLB_MSG, flags, m, sizeof m, 0);
}

static void clean_iotlb(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_memtable(s, &(struct vu_region_pl){ 0, p->mem_size, p->uva, 0 }, 1, NULL);
	iotlb(s, VU_FLAG_NEED_REPLY);
	vs_reply(s, VU_IOTLB_MSG, P64(0), 8);
	iotlb(s, 0);
	vs_reply(s, VU_IOTLB_MSG, P64(0), 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void reply01_iotlb(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_memtable(s, &(struct vu_region_pl){ 0, p->mem_size, p->uva, 0 }, 1, NULL);
	iotlb(s, 0);
	vs_eof(s, VC_DIR_BE_TO_FE, 0);
}

/* A region of width bytes (40 with XEN_MMAP: flags, domid appended). */
static void put_region(uint8_t *q, const struct vu_region_pl *r, uint32_t width)
{
	vu_enc_region(q, width, r, width);
	if (width > VU_MEM_REGION_SIZE)
		vu_wr32(q + 32, 1); /* Xen foreign mapping */
}

static void xen_table(struct vc_synth *s, struct vs_profile *p, uint32_t width)
{
	uint8_t t[VU_MEM_TABLE_HDR + VU_MEM_REGION_XEN_SIZE] = { 0 };
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vu_wr32(t, 1);
	put_region(t + VU_MEM_TABLE_HDR, &r, width);
	vs_req(s, VU_SET_MEM_TABLE, 0, t, VU_MEM_TABLE_HDR + width, 1);
}

static void clean_xen_mmap(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_XEN_MMAP));
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	xen_table(s, p, VU_MEM_REGION_XEN_SIZE);
	uint8_t reg[8 + VU_MEM_REGION_XEN_SIZE];
	struct vu_region_pl r = { p->mem_size, 0x100000, p->uva + p->mem_size, 0 };
	memset(reg, 0, 8);
	put_region(reg + 8, &r, VU_MEM_REGION_XEN_SIZE);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void size01_xen_narrow(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_XEN_MMAP));
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	xen_table(s, p, VU_MEM_REGION_SIZE);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void fd06_rem_with_fd(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[8 + VU_MEM_REGION_SIZE] = { 0 };
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	put_region(reg + 8, &r, VU_MEM_REGION_SIZE);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* GPA_ADDRESSES: the table's user addresses are guest addresses, and so
 * are the ring addresses. */
static void gpa_table(struct vc_synth *s, struct vs_profile *p, uint64_t uva)
{
	pf_add(p, VU_BIT(VU_PF_GPA_ADDRESSES));
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, uva, 0 };
	vs_memtable(s, &r, 1, NULL);
}

static void clean_gpa_addresses(struct vc_synth *s, struct vs_profile *p)
{
	gpa_table(s, p, 0);
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		d -= p->uva, a -= p->uva, u -= p->uva; /* the same rings as GPAs */
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	}
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem06_gpa_addresses(struct vc_synth *s, struct vs_profile *p)
{
	gpa_table(s, p, p->uva);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* The used ring logged just past the log's end (CVE-2020-10722 class). */
static void log03(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 8192); /* covers 256 MiB */
	uint64_t d, a, u;
	vs_ring_layout(p, 0, &d, &a, &u);
	vs_addr(s, 0, d, u, a, 256ull << 20, VU_VRING_F_LOG);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* log_guest_addr outside the memory table but inside the log: allowed. */
static void clean_log_outside_table(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	set_log_base(s, 16384); /* covers 512 MiB; the table 256 MiB */
	uint64_t d, a, u;
	vs_ring_layout(p, 0, &d, &a, &u);
	vs_addr(s, 0, d, u, a, 256ull << 20, VU_VRING_F_LOG);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* ---- Front-end duties of issue #15 (p-b-o/qemu-ci b82b5c8c547f). ---- */

/* An IOTLB_MSG of the given type and permissions over the table's first
 * page (vs_start's region), IOMMU_PLATFORM acked. */
static void iotlb_at(struct vc_synth *s, uint64_t uaddr, uint64_t size, uint8_t perm, uint8_t type)
{
	uint8_t m[32];
	vu_enc_iotlb(m, sizeof m,
		     &(struct vu_iotlb_pl){ .iova = 0x1000, .size = size, .uaddr = uaddr, .perm = perm, .type = type });
	vs_req(s, VU_IOTLB_MSG, 0, m, sizeof m, 0);
	vs_reply(s, VU_IOTLB_MSG, P64(0), 8);
}

static void iommu_start(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	vs_init(s, p);
	vs_start(s, p);
}

/* CHECK_DEVICE_STATE with no transfer before it. */
static void neg12_check_without_transfer(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_DEVICE_STATE));
	vs_init(s, p);
	vs_req(s, VU_CHECK_DEVICE_STATE, 0, NULL, 0, 0);
	vs_reply(s, VU_CHECK_DEVICE_STATE, P64(0), 8);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A front-end never sends a miss (type 1): that is the back-end's. */
/* A capture of the fake back-end (serve): kicks are seen. Rings 0 and 1
 * started with kick fds; `kick` says which get one before the stop. */
static void live_kicks(struct vc_synth *s, struct vs_profile *p, const bool *kick)
{
	s->t->sessions[s->sid].traced_side = VC_SIDE_LIVE;
	vs_init(s, p);
	vs_start(s, p);
	for (uint32_t i = 0; i < p->queues; i++)
		if (kick[i])
			vs_kick(s, i);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_live_kicked(struct vc_synth *s, struct vs_profile *p)
{
	live_kicks(s, p, (const bool[]){ true, true });
}

static void live03_never_kicked(struct vc_synth *s, struct vs_profile *p)
{
	live_kicks(s, p, (const bool[]){ true, false });
}

/* Polling rings (no kick fd) have nothing to kick. */
static void clean_live_polling(struct vc_synth *s, struct vs_profile *p)
{
	s->t->sessions[s->sid].traced_side = VC_SIDE_LIVE;
	vs_init(s, p);
	setup_rings(s, p, (const int[]){ 1, 1 }, true);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A ring set up before SET_OWNER. */
static void once06_ring_before_owner(struct vc_synth *s, struct vs_profile *p)
{
	vs_get_u64(s, VU_GET_FEATURES, p->features);
	vs_vring_fd(s, VU_SET_VRING_CALL, 0, false);
	vs_req(s, VU_SET_OWNER, 0, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void size03_iotlb_miss(struct vc_synth *s, struct vs_profile *p)
{
	iommu_start(s, p);
	iotlb_at(s, p->uva, 0x1000, 3, VU_IOTLB_MISS);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void size03_config_flags(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG));
	vs_init(s, p);
	uint8_t q[VU_CONFIG_HDR + 8] = { 0 };
	vu_enc_config(q, VU_CONFIG_HDR, &(struct vu_config_pl){ .size = 8, .flags = 2 });
	vs_req(s, VU_SET_CONFIG, 0, q, sizeof q, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void devstate(struct vc_synth *s, uint32_t direction, uint32_t phase)
{
	uint8_t q[8];
	vu_enc_devstate(q, sizeof q, &(struct vu_devstate_pl){ direction, phase });
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_reply(s, VU_SET_DEVICE_STATE_FD, P64(0x100), 8); /* 0, no fd of its own */
	vs_req(s, VU_CHECK_DEVICE_STATE, 0, NULL, 0, 0);
	vs_reply(s, VU_CHECK_DEVICE_STATE, P64(0), 8);
}

static void size03_devstate_phase(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_DEVICE_STATE));
	vs_init(s, p);
	devstate(s, VU_DEVSTATE_SAVE, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Every enumerated field at a defined value: IOTLB update (perm 0-3) and
 * invalidate inside the table, config flags 0 and 1, a save and a load. */
static void clean_enum_fields(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_DEVICE_STATE));
	iommu_start(s, p);
	iotlb_at(s, p->uva, 0x1000, 0, VU_IOTLB_UPDATE);
	iotlb_at(s, p->uva + 0x1000, 0x2000, VU_IOTLB_PERM_MAX, VU_IOTLB_UPDATE);
	iotlb_at(s, 0, 0x1000, 0, VU_IOTLB_INVALIDATE);
	uint8_t q[VU_CONFIG_HDR + 8] = { 0 };
	vu_enc_config(q, VU_CONFIG_HDR, &(struct vu_config_pl){ .size = 8, .flags = VU_CONFIG_F_MIGRATION });
	vs_req(s, VU_SET_CONFIG, 0, q, sizeof q, 0);
	get_config(s, VU_CONFIG_HDR + 8);
	vs_stop(s, p);
	devstate(s, VU_DEVSTATE_SAVE, VU_DEVSTATE_PHASE_STOPPED);
	devstate(s, VU_DEVSTATE_LOAD, VU_DEVSTATE_PHASE_STOPPED);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* QEMU's order: SET_BACKEND_REQ_FD and SET_VRING_ENABLE after
 * SET_PROTOCOL_FEATURES, before the first SET_FEATURES. */
static void clean_bit30_before_set_features(struct vc_synth *s, struct vs_profile *p)
{
	pf_add(p, VU_BIT(VU_PF_BACKEND_REQ));
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_state(s, VU_SET_VRING_ENABLE, 0, 1);
	vs_state(s, VU_SET_VRING_ENABLE, 1, 1);
	vs_start(s, p);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* SET_FEATURES without bit 30, then SET_VRING_ENABLE. */
static void neg11_enable_without_bit30(struct vc_synth *s, struct vs_profile *p)
{
	p->acked &= ~VU_BIT(VU_F_PROTOCOL_FEATURES);
	vs_init(s, p);
	vs_start(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A postcopy destination: ADVISE and LISTEN before the device starts;
 * its first table is answered with the back-end's bases and acknowledged
 * by an empty SET_MEM_TABLE; the rings set up after it must still find
 * the table in force. No CONFIGURE_MEM_SLOTS (postcopy excludes it). */
static void postcopy(struct vc_synth *s, struct vs_profile *p, uint32_t ack_flags, bool advise)
{
	p->pf_offered &= ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT));
	vs_init(s, p);
	if (advise)
		postcopy_advise(s);
	/* QEMU asks an ack of LISTEN and END (vhost_user_postcopy_listen,
	 * _end: VHOST_USER_NEED_REPLY_MASK); END's ack is its own u64. */
	vs_req(s, VU_POSTCOPY_LISTEN, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_reply(s, VU_POSTCOPY_LISTEN, advise ? P64(0) : P64(1), 8); /* no ADVISE: refused */
	vs_u64(s, VU_SET_FEATURES, p->acked);
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vs_memtable(s, &r, 1, NULL);
	uint8_t t[VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE];
	struct vu_region_pl back = { 0, p->mem_size, 0x7e0000000000ull, 0 }; /* the back-end's base */
	vu_enc_memtable_sz(t, sizeof t, 1, 0, &back, 1, VU_MEM_REGION_SIZE);
	vs_reply(s, VU_SET_MEM_TABLE, t, sizeof t);
	vs_req(s, VU_SET_MEM_TABLE, ack_flags, P64(0), 8, 0);
	if (ack_flags & VU_FLAG_NEED_REPLY)
		vs_reply(s, VU_SET_MEM_TABLE, P64(1), 8); /* refused */
	for (uint32_t i = 0; i < p->queues; i++) {
		uint64_t d, a, u;
		vs_ring_layout(p, i, &d, &a, &u);
		vs_state(s, VU_SET_VRING_NUM, i, p->num);
		vs_state(s, VU_SET_VRING_BASE, i, 0);
		vs_addr(s, i, d, u, a, 0, 0);
		vs_vring_fd(s, VU_SET_VRING_KICK, i, false);
		vs_state(s, VU_SET_VRING_ENABLE, i, 1);
	}
	vs_req(s, VU_POSTCOPY_END, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_reply(s, VU_POSTCOPY_END, P64(0), 8);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_postcopy(struct vc_synth *s, struct vs_profile *p) { postcopy(s, p, 0, true); }
static void neg12_listen_without_advise(struct vc_synth *s, struct vs_profile *p) { postcopy(s, p, 0, false); }
static void mem07_ack_need_reply(struct vc_synth *s, struct vs_profile *p)
{
	postcopy(s, p, VU_FLAG_NEED_REPLY, true);
}

/* An empty table is legal on its own (the text sets no minimum). */
static void clean_empty_table(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_memtable(s, NULL, 0, NULL);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* In-band notifications: INBAND with BACKEND_REQ and REPLY_ACK, kicks
 * with NEED_REPLY and num 0, acked. */
static void inband(struct vc_synth *s, struct vs_profile *p, uint32_t num, uint32_t flags)
{
	pf_add(p, VU_BIT(VU_PF_INBAND_NOTIFICATIONS) | VU_BIT(VU_PF_BACKEND_REQ));
	vs_init(s, p);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
	vs_start(s, p);
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 0, num });
	vs_req(s, VU_VRING_KICK, flags, q, sizeof q, 0);
	if (flags & VU_FLAG_NEED_REPLY) /* a back-end refuses a reserved num */
		vs_reply(s, VU_VRING_KICK, num ? P64(1) : P64(0), 8);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_inband_kick(struct vc_synth *s, struct vs_profile *p) { inband(s, p, 0, VU_FLAG_NEED_REPLY); }
static void ring12_kick_num(struct vc_synth *s, struct vs_profile *p) { inband(s, p, 1, VU_FLAG_NEED_REPLY); }
static void ring12_kick_no_reply(struct vc_synth *s, struct vs_profile *p) { inband(s, p, 0, 0); }

/* CROSS_ENDIAN as QEMU sends it for a legacy device: the guest's order
 * before each start, native order again after each stop
 * (vhost_virtqueue_start/_stop); `late` sends one while ring 0 runs. */
static void endian(struct vc_synth *s, struct vs_profile *p, uint32_t num, bool late)
{
	pf_add(p, VU_BIT(VU_PF_CROSS_ENDIAN));
	vs_init(s, p);
	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < p->queues; i++)
			vs_state(s, VU_SET_VRING_ENDIAN, i, num);
		vs_start(s, p);
		if (late)
			vs_state(s, VU_SET_VRING_ENDIAN, 0, num);
		vs_stop(s, p);
		for (uint32_t i = 0; i < p->queues; i++)
			vs_state(s, VU_SET_VRING_ENDIAN, i, VU_ENDIAN_LITTLE);
	}
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void clean_endian(struct vc_synth *s, struct vs_profile *p) { endian(s, p, VU_ENDIAN_BIG, false); }
static void ring13_endian_value(struct vc_synth *s, struct vs_profile *p) { endian(s, p, 2, false); }
static void ring13_endian_started(struct vc_synth *s, struct vs_profile *p) { endian(s, p, VU_ENDIAN_BIG, true); }

/* Split ring restarted at 0x00010005: bits 16-31 are reserved. */
static void ring14_split_high_bits(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	vs_stop(s, p);
	vs_state(s, VU_SET_VRING_BASE, 0, 0x00010005u);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* An update mapping user memory no region holds (past the table's end). */
static void mem08_iotlb_outside(struct vc_synth *s, struct vs_profile *p)
{
	iommu_start(s, p);
	iotlb_at(s, p->uva + p->mem_size - 0x1000, 0x2000, 3, VU_IOTLB_UPDATE);
	vs_stop(s, p);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* Regions added and removed one at a time; the removal names each by
 * guest address, user address and size, mmap offset differing. */
static void mem_slots(struct vc_synth *s, struct vs_profile *p, uint64_t rem_uva)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[8 + VU_MEM_REGION_SIZE];
	struct vu_region_pl r = { 0, p->mem_size, p->uva, 0 };
	vu_enc_memreg(reg, sizeof reg, 0, &r);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	r.uva = rem_uva;
	r.mmap_offset = 0x5000; /* "The mmap offset is ignored" */
	vu_enc_memreg(reg, sizeof reg, 0, &r);
	vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* ADD_MEM_REG of a region overlapping one in force in user addresses
 * only (guest addresses apart); then the same after removing it. */
static void add_overlap(struct vc_synth *s, struct vs_profile *p, bool remove_first)
{
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_get_u64(s, VU_GET_MAX_MEM_SLOTS, 32);
	uint8_t reg[8 + VU_MEM_REGION_SIZE];
	struct vu_region_pl a = { 0, 0x100000, p->uva, 0 };
	struct vu_region_pl b = { 0x10000000, 0x100000, p->uva + 0x80000, 0 };
	vu_enc_memreg(reg, sizeof reg, 0, &a);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	if (remove_first)
		vs_req(s, VU_REM_MEM_REG, 0, reg, sizeof reg, 0);
	vu_enc_memreg(reg, sizeof reg, 0, &b);
	vs_req(s, VU_ADD_MEM_REG, 0, reg, sizeof reg, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void mem03_add_uva_overlap(struct vc_synth *s, struct vs_profile *p) { add_overlap(s, p, false); }
static void clean_add_after_remove(struct vc_synth *s, struct vs_profile *p) { add_overlap(s, p, true); }

static void clean_rem_mem_reg(struct vc_synth *s, struct vs_profile *p) { mem_slots(s, p, p->uva); }
static void mem09_rem_other_uva(struct vc_synth *s, struct vs_profile *p)
{
	mem_slots(s, p, p->uva + 0x100000);
}

/* ---- VU-RVAL: values in the back-end's replies ---- */

static void rval01_split_base_high(struct vc_synth *s, struct vs_profile *p)
{
	vs_init(s, p);
	vs_start(s, p);
	uint8_t q[8];
	vs_state(s, VU_GET_VRING_BASE, 0, 0);
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 0, 0x10005 });
	vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* SET_DEVICE_STATE_FD answered with value v and nfds fds (the device is
 * suspended first: the transfer happens while it is). */
static void state_fd(struct vc_synth *s, struct vs_profile *p, uint64_t v, uint32_t nfds)
{
	pf_add(p, VU_BIT(VU_PF_DEVICE_STATE));
	vs_init(s, p);
	vs_start(s, p);
	get_base(s, VU_GET_VRING_BASE, 0, 0);
	get_base(s, VU_GET_VRING_BASE, 1, 0);
	uint8_t q[8];
	vu_enc_devstate(q, sizeof q, &(struct vu_devstate_pl){ 0, 0 });
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(v), 8,
	       nfds);
}

static void clean_device_state_fd(struct vc_synth *s, struct vs_profile *p)
{
	state_fd(s, p, 0x100, 0); /* the front-end's pipe is used */
	uint8_t q[8];
	vu_enc_devstate(q, sizeof q, &(struct vu_devstate_pl){ 0, 0 });
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(0), 8,
	       1); /* the back-end's own channel */
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(0x101),
	       8, 0); /* an error, no fd */
	vs_req(s, VU_SET_DEVICE_STATE_FD, 0, q, sizeof q, 1);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_SET_DEVICE_STATE_FD, VU_VERSION | VU_FLAG_REPLY, P64(1), 8,
	       0); /* an error without the flag: not judged */
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void rval02_error_with_fd(struct vc_synth *s, struct vs_profile *p)
{
	state_fd(s, p, 1, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void rval02_no_fd_flag_clear(struct vc_synth *s, struct vs_profile *p)
{
	state_fd(s, p, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void rval03_not_userfaultfd(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	p->pf_acked = p->pf_offered;
	pf_add(p, VU_BIT(VU_PF_PAGEFAULT));
	vs_init(s, p);
	vs_req(s, VU_POSTCOPY_ADVISE, 0, NULL, 0, 0);
	/* synth describes it as an eventfd */
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_POSTCOPY_ADVISE, VU_VERSION | VU_FLAG_REPLY, NULL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void rval04_shmem_count(struct vc_synth *s, struct vs_profile *p)
{
	static uint8_t cfg[8 + 8 * VU_SHMEM_MAX_REGIONS];
	static const struct vu_shmem_cfg_pl two = { .nregions = 2, .sizes = { 0x200000 } };
	pf_add(p, VU_BIT(VU_PF_SHMEM));
	vs_init(s, p);
	vu_enc_shmem_cfg(cfg, sizeof cfg, &two);
	vs_req(s, VU_GET_SHMEM_CONFIG, 0, NULL, 0, 0);
	vs_reply(s, VU_GET_SHMEM_CONFIG, cfg, sizeof cfg);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void rval05_no_mq(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered &= ~VU_BIT(VU_PF_MQ);
	p->pf_acked = p->pf_offered;
	full(s, p);
}

/* ---- VU-BCH: back-end channel requests ---- */

/* Negotiation with the back-end channel and bits, the channel set. */
static void bch_init(struct vc_synth *s, struct vs_profile *p, uint64_t bits)
{
	pf_add(p, VU_BIT(VU_PF_BACKEND_REQ) | bits);
	vs_init(s, p);
	vs_u64(s, VU_SET_FEATURES, p->acked);
	vs_req(s, VU_SET_BACKEND_REQ_FD, 0, NULL, 0, 1);
}

/* A back-end request and, when it asks, the front-end's ack. */
static void be_req(struct vc_synth *s, uint32_t req, uint32_t flags, const void *pl, uint32_t len,
		   uint32_t nfds)
{
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_BACKEND, req, VU_VERSION | flags, pl, len, nfds);
	if (flags & VU_FLAG_NEED_REPLY)
		vs_msg(s, VC_DIR_FE_TO_BE, VU_CHAN_BACKEND, req, VU_VERSION | VU_FLAG_REPLY, P64(0), 8, 0);
}

static void be_state(struct vc_synth *s, uint32_t req, uint32_t idx, uint32_t num)
{
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ idx, num });
	be_req(s, req, VU_FLAG_NEED_REPLY, q, sizeof q, 0);
}

static void be_notifier(struct vc_synth *s, uint64_t size)
{
	uint8_t q[24];
	vu_enc_area(q, sizeof q, &(struct vu_area_pl){ .u64 = 0, .size = size, .offset = 0 });
	be_req(s, VU_BE_VRING_HOST_NOTIFIER_MSG, 0, q, sizeof q, 1);
}

static void be_mmap(struct vc_synth *s, uint32_t req, uint64_t off, uint64_t len, uint64_t flags)
{
	uint8_t q[40];
	vu_enc_mmap(q, sizeof q, &(struct vu_mmap_pl){ .shmid = 0, .shm_offset = off, .len = len, .flags = flags });
	be_req(s, req, 0, q, sizeof q, req == VU_BE_SHMEM_MAP);
}

static void be_iotlb(struct vc_synth *s, uint8_t type)
{
	uint8_t q[32];
	vu_enc_iotlb(q, sizeof q, &(struct vu_iotlb_pl){ .iova = 0x100000, .perm = 1, .type = type });
	be_req(s, VU_BE_IOTLB_MSG, 0, q, sizeof q, 0);
}

/* Every back-end request as the text has it. */
static void clean_backend_channel(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	bch_init(s, p, VU_BIT(VU_PF_BACKEND_SEND_FD) | VU_BIT(VU_PF_CONFIG) | VU_BIT(VU_PF_HOST_NOTIFIER) |
			       VU_BIT(VU_PF_INBAND_NOTIFICATIONS) | VU_BIT(VU_PF_SHMEM) |
			       VU_BIT(VU_PF_SHARED_OBJECT));
	be_iotlb(s, 1);
	be_iotlb(s, 4);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	be_notifier(s, 4096);
	be_notifier(s, 65536);
	be_state(s, VU_BE_VRING_CALL, 0, 0);
	be_state(s, VU_BE_VRING_ERR, 1, 0);
	uint8_t uuid[16] = { 1, 2, 3 };
	be_req(s, VU_BE_SHARED_OBJECT_ADD, 0, uuid, sizeof uuid, 0);
	be_req(s, VU_BE_SHARED_OBJECT_REMOVE, 0, uuid, sizeof uuid, 0);
	be_mmap(s, VU_BE_SHMEM_MAP, 0, 0x2000, 1);
	be_mmap(s, VU_BE_SHMEM_MAP, 0x2000, 0x1000, 0);
	be_mmap(s, VU_BE_SHMEM_UNMAP, 0x2000, 0x1000, 0);
	be_mmap(s, VU_BE_SHMEM_UNMAP, 0, 0x2000, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch01_call_num(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_INBAND_NOTIFICATIONS));
	be_state(s, VU_BE_VRING_CALL, 0, 1);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch02_call_ungated(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, 0);
	be_state(s, VU_BE_VRING_CALL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch03_fd_without_send_fd(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_HOST_NOTIFIER));
	be_notifier(s, 4096);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch04_notifier_size(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_HOST_NOTIFIER) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	be_notifier(s, 0x1800);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch05_shmem_flags(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_SHMEM) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	be_mmap(s, VU_BE_SHMEM_MAP, 0, 0x1000, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch06_unmap_part(struct vc_synth *s, struct vs_profile *p)
{
	bch_init(s, p, VU_BIT(VU_PF_SHMEM) | VU_BIT(VU_PF_BACKEND_SEND_FD));
	be_mmap(s, VU_BE_SHMEM_MAP, 0, 0x2000, 1);
	be_mmap(s, VU_BE_SHMEM_UNMAP, 0, 0x1000, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static void bch07_iotlb_update(struct vc_synth *s, struct vs_profile *p)
{
	p->features |= VU_BIT(VU_F_ACCESS_PLATFORM);
	p->acked |= VU_BIT(VU_F_ACCESS_PLATFORM);
	bch_init(s, p, 0);
	be_iotlb(s, 2);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* A recording of the back-end: a CONFIG_CHANGE_MSG sent after the reply
 * that stopped its last ring. One sent before the stop, and one after the
 * restart, are no finding. */
static void bch08_suspended(struct vc_synth *s, struct vs_profile *p)
{
	s->t->sessions[s->sid].traced_side = VC_SIDE_BACKEND;
	bch_init(s, p, VU_BIT(VU_PF_CONFIG));
	vs_start(s, p);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	get_base(s, VU_GET_VRING_BASE, 0, 0);
	vs_state(s, VU_GET_VRING_BASE, 1, 0);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0); /* before the stop */
	uint8_t q[8];
	vu_enc_state(q, sizeof q, &(struct vu_state_pl){ 1, 0 });
	vs_reply(s, VU_GET_VRING_BASE, q, sizeof q);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0); /* suspended */
	vs_vring_fd(s, VU_SET_VRING_KICK, 0, false);
	be_req(s, VU_BE_CONFIG_CHANGE_MSG, VU_FLAG_NEED_REPLY, NULL, 0, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

/* GET_INFLIGHT_FD sizing an area it passes no fd for. */
static void rval06_inflight_no_fd(struct vc_synth *s, struct vs_profile *p)
{
	p->pf_offered |= VU_BIT(VU_PF_INFLIGHT_SHMFD);
	p->pf_acked = p->pf_offered;
	vs_init(s, p);
	uint8_t q[24];
	struct vu_inflight_pl in = { .num_queues = (uint16_t)p->queues, .queue_size = (uint16_t)p->num };
	vu_enc_inflight(q, sizeof q, &in);
	vs_req(s, VU_GET_INFLIGHT_FD, 0, q, sizeof q, 0);
	in.mmap_size = 4096;
	vu_enc_inflight(q, sizeof q, &in);
	vs_msg(s, VC_DIR_BE_TO_FE, VU_CHAN_MAIN, VU_GET_INFLIGHT_FD, VU_VERSION | VU_FLAG_REPLY, q, sizeof q, 0);
	vs_eof(s, VC_DIR_FE_TO_BE, 0);
}

static const struct fixture fixtures[] = {
	{ "clean-default", NULL, { NULL }, clean_default, "init, start and stop of two rings" },
	{ "clean-status", NULL, { NULL }, clean_status, "with STATUS, in virtio order" },
	{ "clean-restart", NULL, { NULL }, clean_restart, "start, stop, start, stop" },
	{ "vu-hdr-01-version", NULL, { "VU-HDR-01" }, hdr01, "version bits 2" },
	{ "vu-hdr-02-reply-bit", NULL, { "VU-HDR-02" }, hdr02, "request with REPLY bit" },
	{ "vu-hdr-03-reply-flags", NULL, { "VU-HDR-03" }, hdr03, "reply without REPLY bit" },
	{ "vu-hdr-03-b23-wrong-ring", "B23", { "VU-HDR-03" }, hdr03_b23, "GET_VRING_BASE answered for the wrong ring" },
	{ "vu-hdr-04-reserved", NULL, { "VU-HDR-04" }, hdr04, "reserved flag bit 8" },
	{ "vu-hdr-05-unknown", NULL, { "VU-HDR-05" }, hdr05, "request 99" },
	{ "vu-hdr-06-truncated", NULL, { "VU-HDR-06" }, hdr06, "EOF 7 bytes into a message" },
	{ "vu-hdr-07-oversize", NULL, { "VU-HDR-07" }, hdr07, "SET_CONFIG of 5012 bytes" },
	{ "vu-hdr-08-b12-reset-owner", "B12", { "VU-HDR-08" }, hdr08_b12, "RESET_OWNER on device reset" },
	{ "vu-size-01-b5-add-mem-reg-36", "B5", { "VU-SIZE-01" }, size01_b5, "ADD_MEM_REG of 36 bytes" },
	{ "vu-size-02-short-reply", NULL, { "VU-SIZE-02" }, size02, "GET_FEATURES reply of 4 bytes" },
	{ "vu-fd-01-b20-extra-fds", "B20", { "VU-FD-01" }, fd01_b20, "SET_FEATURES with 2 fds" },
	{ "vu-fd-02-missing-fd", NULL, { "VU-FD-02" }, fd02, "2 regions, 1 fd" },
	{ "vu-fd-03-nofd-with-fd", NULL, { "VU-FD-03" }, fd03, "no-fd bit with an fd" },
	{ "vu-fd-04-backend-req-no-fd", NULL, { "VU-FD-04" }, fd04, "SET_BACKEND_REQ_FD without fd" },
	{ "vu-fd-05-high-bits", NULL, { "VU-FD-05" }, fd05, "vring file bit 12" },
	{ "vu-fd-06-reply-fds", NULL, { "VU-FD-06" }, fd06, "GET_FEATURES reply with 2 fds" },
	{ "clean-inflight-fd", NULL, { NULL }, clean_inflight, "GET_INFLIGHT_FD answered with its fd" },
	{ "vu-neg-01-unoffered", NULL, { "VU-NEG-01" }, neg01, "acks RING_PACKED never offered" },
	{ "vu-neg-02-no-bit30", NULL, { "VU-NEG-02" }, neg02, "GET_PROTOCOL_FEATURES without bit 30" },
	{ "vu-neg-03-unoffered-pf", NULL, { "VU-NEG-03" }, neg03, "acks PAGEFAULT never offered" },
	{ "vu-neg-04-queue-num-no-mq", NULL, { "VU-NEG-04", "VU-RVAL-05" }, neg04, "GET_QUEUE_NUM without MQ" },
	{ "vu-neg-05-rarp-ungated", NULL, { "VU-NEG-05" }, neg05, "SEND_RARP without RARP" },
	{ "vu-neg-06-b9-need-reply", "B9", { "VU-NEG-06" }, neg06_b9, "NEED_REPLY without REPLY_ACK" },
	{ "vu-neg-07-inband", NULL, { "VU-NEG-07" }, neg07, "INBAND_NOTIFICATIONS without BACKEND_REQ" },
	{ "vu-neg-08-features-while-running", NULL, { "VU-NEG-08" }, neg08, "drops EVENT_IDX while rings run" },
	{ "vu-once-01-set-owner-twice", NULL, { "VU-ONCE-01" }, once01, "SET_OWNER twice" },
	{ "vu-once-02-b3-backend-req-per-qp", "B3", { "VU-ONCE-02" }, once02_b3, "SET_BACKEND_REQ_FD per queue pair" },
	{ "vu-once-03-b2-log-base-per-qp", "B2", { "VU-ONCE-03" }, once03_b2, "SET_LOG_BASE per queue pair" },
	{ "clean-log-resize", NULL, { NULL }, clean_log_resize, "SET_LOG_BASE grown: a resize, not a burst" },
	{ "clean-offered-gates", NULL, { NULL }, clean_offered_gates, "requests gated by an offered protocol feature" },
	{ "clean-gpa-addresses", NULL, { NULL }, clean_gpa_addresses, "GPA_ADDRESSES: user address = guest address" },
	{ "clean-config-error", NULL, { NULL }, clean_config_error, "0-byte GET_CONFIG reply: the back-end's error" },
	{ "clean-mq-pair-disabled", NULL, { NULL }, clean_mq_pair_disabled, "rings 2-3 started and disabled on purpose" },
	{ "clean-live-disabled-kicked", NULL, { NULL }, clean_live_disabled_kicked, "kicks on a ring disabled on purpose" },
	{ "clean-live-compat-kick", NULL, { NULL }, clean_live_compat_kick, "one kick per ring before SET_VRING_ENABLE" },
	{ "clean-polling-rings", NULL, { NULL }, clean_polling_rings, "no-fd SET_VRING_KICK starts the ring" },
	{ "clean-skip-drain", NULL, { NULL }, clean_skip_drain, "GET_VRING_BASE_SKIP_DRAIN stops a ring" },
	{ "clean-shmem", NULL, { NULL }, clean_shmem, "2056-byte GET_SHMEM_CONFIG reply, SHMEM_MAP/UNMAP" },
	{ "clean-fd-replies", NULL, { NULL }, clean_fd_replies, "POSTCOPY_ADVISE, GET_SHARED_OBJECT: fd, no payload" },
	{ "clean-iotlb", NULL, { NULL }, clean_iotlb, "IOTLB_MSG always answered by a u64" },
	{ "clean-xen-mmap", NULL, { NULL }, clean_xen_mmap, "XEN_MMAP: 40-byte regions" },
	{ "clean-log-outside-table", NULL, { NULL }, clean_log_outside_table, "log_guest_addr outside the table, inside the log" },
	{ "vu-once-03-b4-reset-device-per-qp", "B4", { "VU-ONCE-03" }, once03_b4, "RESET_DEVICE per queue pair" },
	{ "vu-once-04-b15-same-table", "B15", { "VU-ONCE-04" }, once04_b15, "SET_MEM_TABLE resent unchanged" },
	{ "vu-once-05-no-wait", NULL, { "VU-ONCE-05" }, once05_nowait, "next request before the ack" },
	{ "vu-once-05-b1-stall", "B1", { "VU-ONCE-05" }, once05_b1, "waits for an ack nobody owes" },
	{ "vu-ring-01-b22-index", "B22", { "VU-RING-01" }, ring01_b22, "ring 5 of 2" },
	{ "vu-ring-02-num", NULL, { "VU-RING-02" }, ring02, "num 300" },
	{ "vu-ring-03-b21-num-while-started", "B21", { "VU-RING-03" }, ring03_b21, "SET_VRING_NUM on a started ring" },
	{ "vu-ring-04-b14-desc-zero", "B14", { "VU-RING-04" }, ring04_b14, "desc 0, outside the table" },
	{ "vu-ring-05-misaligned", NULL, { "VU-RING-05" }, ring05, "avail at an odd address" },
	{ "vu-ring-06-kick-before-addr", NULL, { "VU-RING-06" }, ring06, "kick fd before BASE/ADDR" },
	{ "vu-ring-07-b14-never-started", "B14", { "VU-RING-07" }, ring07_b14, "GET_VRING_BASE on a ring never started" },
	{ "vu-ring-08-unmapped", NULL, { "VU-RING-08" }, ring08_unmapped, "table change unmaps running rings" },
	{ "vu-ring-08-relocated", NULL, { "VU-RING-08" }, ring08_relocated, "table change moves running rings" },
	{ "vu-ring-09-b13-status-before-stop", "B13", { "VU-RING-09" }, ring09_b13, "SET_STATUS(0) before GET_VRING_BASE" },
	{ "vu-ring-10-b8-first-ring-only", "B8", { "VU-RING-10" }, ring10_b8, "only ring 0 enabled" },
	{ "vu-ring-11-base-num", NULL, { "VU-RING-11" }, ring11, "GET_VRING_BASE num 5" },
	{ "clean-packed", NULL, { NULL }, clean_packed, "packed ring 0x80008000, stopped at 0x80058005, restarted" },
	{ "clean-packed-wrapped", NULL, { NULL }, clean_packed_wrapped, "packed ring after a lap: avail 3 wrap 0, used 1 wrap 0" },
	{ "vu-pack-01-past-size", NULL, { "VU-PACK-01" }, pack01_past_size, "packed avail index 300 of 256" },
	{ "vu-pack-01-used-ahead", NULL, { "VU-PACK-01" }, pack01_used_ahead, "packed used 5 ahead of avail 3" },
	{ "vu-pack-01-forwarded-used-half-0", NULL, { "VU-PACK-01" }, pack01_forwarded, "destination started at 0x0000809c" },
	{ "vu-pack-02-dpdk-used-wrap-0", NULL, { "VU-PACK-02" }, pack02_dpdk, "packed ring started at 0x00008000" },
	{ "vu-pack-03-dpdk-used-half-0", NULL, { "VU-PACK-03" }, pack03_dpdk, "GET_VRING_BASE 0x0000809c: used half 0/0" },
	{ "vu-sts-01-order", NULL, { "VU-STS-01" }, sts01, "FEATURES_OK alone" },
	{ "vu-sts-02-clears", NULL, { "VU-STS-02" }, sts02, "clears DRIVER" },
	{ "vu-mem-01-nine-regions", NULL, { "VU-MEM-01" }, mem01_nine, "9 regions" },
	{ "vu-mem-02-b22b-empty-region", "B22b", { "VU-MEM-02" }, mem02_b22b, "region of size 0" },
	{ "vu-mem-03-overlap", NULL, { "VU-MEM-03" }, mem03, "overlapping regions" },
	{ "vu-mem-04-b6-offset-past-fd", "B6", { "VU-MEM-04" }, mem04_b6, "garbage mmap_offset" },
	{ "vu-mem-05-unaligned", NULL, { "VU-MEM-05" }, mem05, "region at 0x800" },
	{ "vu-reply-01-closed", NULL, { "VU-REPLY-01" }, reply01, "back-end closes instead of replying" },
	{ "vu-reply-01-refused-malformed", NULL, { "VU-SIZE-01" }, reply01_refused, "closing on a malformed request is no VU-REPLY-01" },
	{ "vu-reply-02-double", NULL, { "VU-REPLY-02" }, reply02, "value reply plus an ack" },
	{ "vu-reply-03-unsolicited", NULL, { "VU-REPLY-03" }, reply03, "reply nobody asked for" },
	{ "vu-log-01-b7-log-too-small", "B7", { "VU-LOG-01" }, log01_b7, "log sized in 4-byte units" },
	{ "vu-log-01-b22b-log-wraps", "B22b", { "VU-LOG-01" }, log01_b22b, "log offset + size wraps" },
	{ "vu-log-02-table-before-log", NULL, { "VU-LOG-02" }, log02, "bigger table before a bigger log" },
	{ "vu-log-03-used-ring-past-log", NULL, { "VU-LOG-03" }, log03, "used ring logged past the log's end" },
	{ "vu-size-02-config-short", NULL, { "VU-SIZE-02" }, size02_config_short, "GET_CONFIG reply shorter than asked" },
	{ "vu-size-02-shmem-config-72", NULL, { "VU-SIZE-02" }, size02_shmem_72, "GET_SHMEM_CONFIG reply of 72 bytes" },
	{ "vu-size-01-xen-narrow-region", NULL, { "VU-SIZE-01" }, size01_xen_narrow, "32-byte region with XEN_MMAP" },
	{ "vu-fd-07-rem-mem-reg-fd", NULL, { "VU-FD-07" }, fd06_rem_with_fd, "REM_MEM_REG with an fd" },
	{ "vu-ring-03-polling-started", NULL, { "VU-RING-03" }, ring03_polling, "SET_VRING_NUM on a polling ring" },
	{ "vu-ring-10-live-kicks", "B8", { "VU-RING-10" }, ring10_live_kicks, "ring never named by SET_VRING_ENABLE kicked twice" },
	{ "vu-ring-11-inflight-no-exemption", NULL, { "VU-RING-11" }, ring11_inflight, "num 1 with GET_VRING_BASE_INFLIGHT" },
	{ "vu-neg-05-mtu-unacked", NULL, { "VU-NEG-05" }, neg05_mtu_unacked, "NET_SET_MTU without VIRTIO_NET_F_MTU" },
	{ "vu-neg-05-postcopy-mem-slots", NULL, { "VU-NEG-05" }, neg05_postcopy_slots, "POSTCOPY_ADVISE with CONFIGURE_MEM_SLOTS" },
	{ "vu-mem-06-gpa-addresses", NULL, { "VU-MEM-06" }, mem06_gpa_addresses, "GPA_ADDRESSES with a host user address" },
	{ "vu-neg-09-skip-drain-alone", NULL, { "VU-NEG-09" }, neg09_skip_drain_alone, "SKIP_DRAIN without bits 20, 12" },
	{ "vu-neg-10-shmem-bit20", NULL, { "VU-NEG-10" }, neg10_shmem_bit20, "GET_SHMEM_CONFIG with bit 20, not 22" },
	{ "vu-reply-01-iotlb-unanswered", NULL, { "VU-REPLY-01" }, reply01_iotlb, "IOTLB_MSG without its u64" },
	{ "vu-size-03-iotlb-miss", NULL, { "VU-SIZE-03" }, size03_iotlb_miss, "IOTLB_MSG of type 1 (miss) from the front-end" },
	{ "vu-size-03-config-flags", NULL, { "VU-SIZE-03" }, size03_config_flags, "SET_CONFIG flags 2" },
	{ "vu-size-03-devstate-phase", NULL, { "VU-SIZE-03" }, size03_devstate_phase, "SET_DEVICE_STATE_FD phase 1" },
	{ "clean-enum-fields", NULL, { NULL }, clean_enum_fields, "IOTLB update/invalidate, config flags 0/1, state save and load" },
	{ "clean-bit30-before-set-features", NULL, { NULL }, clean_bit30_before_set_features, "QEMU: SET_BACKEND_REQ_FD, SET_VRING_ENABLE before SET_FEATURES" },
	{ "vu-neg-11-enable-without-bit30", NULL, { "VU-NEG-11" }, neg11_enable_without_bit30, "SET_VRING_ENABLE after SET_FEATURES without bit 30" },
	{ "clean-postcopy", NULL, { NULL }, clean_postcopy, "postcopy: table reply, empty SET_MEM_TABLE ack, rings running" },
	{ "vu-neg-12-listen-without-advise", NULL, { "VU-NEG-12" }, neg12_listen_without_advise, "POSTCOPY_LISTEN with no POSTCOPY_ADVISE" },
	{ "vu-mem-07-ack-need-reply", NULL, { "VU-MEM-07" }, mem07_ack_need_reply, "postcopy table ack with NEED_REPLY" },
	{ "clean-empty-table", NULL, { NULL }, clean_empty_table, "SET_MEM_TABLE with 0 regions" },
	{ "clean-inband-kick", NULL, { NULL }, clean_inband_kick, "VRING_KICK num 0 with NEED_REPLY, acked" },
	{ "vu-ring-12-kick-num", NULL, { "VU-RING-12" }, ring12_kick_num, "VRING_KICK num 1" },
	{ "vu-ring-12-kick-no-reply", NULL, { "VU-RING-12" }, ring12_kick_no_reply, "VRING_KICK without NEED_REPLY" },
	{ "clean-endian", NULL, { NULL }, clean_endian, "SET_VRING_ENDIAN 1 before each start, 0 after each stop (QEMU)" },
	{ "vu-ring-13-endian-value", NULL, { "VU-RING-13" }, ring13_endian_value, "SET_VRING_ENDIAN num 2" },
	{ "vu-ring-13-endian-started", NULL, { "VU-RING-13" }, ring13_endian_started, "SET_VRING_ENDIAN while ring 0 runs" },
	{ "vu-ring-14-split-high-bits", NULL, { "VU-RING-14" }, ring14_split_high_bits, "split SET_VRING_BASE 0x00010005" },
	{ "vu-mem-08-iotlb-outside", NULL, { "VU-MEM-08" }, mem08_iotlb_outside, "IOTLB update past the table's end" },
	{ "clean-rem-mem-reg", NULL, { NULL }, clean_rem_mem_reg, "REM_MEM_REG names the region added (mmap offset differs)" },
	{ "vu-mem-09-rem-other-uva", NULL, { "VU-MEM-09" }, mem09_rem_other_uva, "REM_MEM_REG with another user address" },
	{ "vu-mem-03-add-uva-overlap", NULL, { "VU-MEM-03" }, mem03_add_uva_overlap, "ADD_MEM_REG overlapping a region in user addresses only" },
	{ "clean-add-after-remove", NULL, { NULL }, clean_add_after_remove, "the overlapping region added after the first is removed" },
	{ "vu-mem-10-inflight-other-size", NULL, { "VU-MEM-10" }, mem10_inflight_other_size, "SET_INFLIGHT_FD of 8192 bytes, GET gave 4096" },
	{ "clean-inflight-reconnect", NULL, { NULL }, clean_inflight_reconnect, "SET_INFLIGHT_FD of an area kept from before, no GET" },
	{ "clean-live-kicked", NULL, { NULL }, clean_live_kicked, "live: each ring kicked after SET_VRING_KICK" },
	{ "vu-live-03-never-kicked", NULL, { "VU-LIVE-03" }, live03_never_kicked, "live: ring 1 stopped with no kick since its start" },
	{ "clean-live-polling", NULL, { NULL }, clean_live_polling, "live: polling rings (no kick fd) never kicked" },
	{ "vu-once-06-ring-before-owner", NULL, { "VU-ONCE-06" }, once06_ring_before_owner, "SET_VRING_CALL before SET_OWNER" },
	{ "vu-neg-12-check-without-transfer", NULL, { "VU-NEG-12" }, neg12_check_without_transfer, "CHECK_DEVICE_STATE with no SET_DEVICE_STATE_FD" },
	{ "clean-device-state-fd", NULL, { NULL }, clean_device_state_fd, "SET_DEVICE_STATE_FD: no fd with bit 8, an fd, an error" },
	{ "clean-backend-channel", NULL, { NULL }, clean_backend_channel, "every back-end request with its feature and fields" },
	{ "vu-rval-01-split-base-high-bits", NULL, { "VU-RVAL-01" }, rval01_split_base_high, "split GET_VRING_BASE reply 0x10005" },
	{ "vu-rval-02-error-with-fd", NULL, { "VU-RVAL-02" }, rval02_error_with_fd, "SET_DEVICE_STATE_FD error 1 with an fd" },
	{ "vu-rval-02-no-fd-flag-clear", NULL, { "VU-RVAL-02" }, rval02_no_fd_flag_clear, "SET_DEVICE_STATE_FD 0 without an fd" },
	{ "vu-rval-03-not-userfaultfd", NULL, { "VU-RVAL-03" }, rval03_not_userfaultfd, "POSTCOPY_ADVISE answered with an eventfd" },
	{ "vu-rval-04-shmem-count", NULL, { "VU-RVAL-04" }, rval04_shmem_count, "GET_SHMEM_CONFIG: 2 regions, 1 size" },
	{ "vu-rval-05-no-mq", NULL, { "VU-RVAL-05" }, rval05_no_mq, "GET_PROTOCOL_FEATURES without MQ" },
	{ "vu-rval-06-inflight-no-fd", NULL, { "VU-RVAL-06" }, rval06_inflight_no_fd, "GET_INFLIGHT_FD: 4096 bytes, no fd" },
	{ "vu-bch-01-call-num", NULL, { "VU-BCH-01" }, bch01_call_num, "BACKEND_VRING_CALL num 1" },
	{ "vu-bch-02-call-ungated", NULL, { "VU-BCH-02" }, bch02_call_ungated, "BACKEND_VRING_CALL without INBAND_NOTIFICATIONS" },
	{ "vu-bch-03-fd-without-send-fd", NULL, { "VU-BCH-03" }, bch03_fd_without_send_fd, "host notifier fd without BACKEND_SEND_FD" },
	{ "vu-bch-04-notifier-size", NULL, { "VU-BCH-04" }, bch04_notifier_size, "host notifier of 0x1800 bytes" },
	{ "vu-bch-05-shmem-flags", NULL, { "VU-BCH-05" }, bch05_shmem_flags, "SHMEM_MAP flags 2" },
	{ "vu-bch-06-unmap-part", NULL, { "VU-BCH-06" }, bch06_unmap_part, "SHMEM_UNMAP of half a mapping" },
	{ "vu-bch-07-iotlb-update", NULL, { "VU-BCH-07" }, bch07_iotlb_update, "back-end IOTLB_MSG of type 2 (update)" },
	{ "vu-bch-08-suspended", NULL, { "VU-BCH-08" }, bch08_suspended, "back-end recording: CONFIG_CHANGE_MSG while suspended" },
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static void build(const struct fixture *f, struct vc_trace *t)
{
	char src[256];
	snprintf(src, sizeof src, "traces/fixtures/%s.jsonl", f->name);
	vc_trace_init(t, src, VC_FMT_NATIVE);
	struct vc_synth s;
	struct vs_profile p;
	vs_default_profile(&p);
	vs_begin(&s, t, f->name, VC_SIDE_FRONTEND);
	f->build(&s, &p);
}

static char *serialise(const struct vc_trace *t, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	struct vc_native_writer *w = vc_native_open(m, "vhost-cts fixtures");
	for (size_t i = 0; i < t->nsessions; i++)
		vc_native_session(w, &t->sessions[i]);
	for (size_t i = 0; i < t->nevents; i++)
		vc_native_event(w, &t->events[i]);
	ck_assert_int_eq(vc_native_close(w), 0);
	fclose(m);
	return buf;
}

static const struct vc_results *judge(struct vc_engine *e, const struct vc_trace *t)
{
	for (size_t s = 0; s < t->nsessions; s++)
		vc_engine_add_session(e, &t->sessions[s]);
	for (size_t k = 0; k < t->nevents; k++)
		vc_engine_feed(e, &t->events[k]);
	return vc_engine_finish(e);
}

static bool expected(const struct fixture *f, const char *id)
{
	for (int i = 0; i < 4 && f->fires[i]; i++)
		if (!strcmp(f->fires[i], id))
			return true;
	return false;
}

/* The committed file equals its builder's output, and judging the file
 * fires exactly the expected rules. */
START_TEST(fixture_fires_exactly)
{
	const struct fixture *f = &fixtures[_i];
	struct vc_trace built;
	build(f, &built);
	size_t len;
	char *want = serialise(&built, &len);
	const char *path = vc_test_path(built.source);
	if (getenv("VCTS_REGEN_FIXTURES")) {
		FILE *o = fopen(path, "w");
		ck_assert_ptr_nonnull(o);
		fwrite(want, 1, len, o);
		fclose(o);
	}
	struct vc_trace t;
	struct vc_error err = { 0 };
	char msg[1024];
	int rc = vc_trace_load(&t, path, VC_FMT_AUTO, 0, &err);
	ck_assert_msg(rc == 0, "%s", vc_error_str(&err, msg, sizeof msg));
	FILE *fp = fopen(path, "r");
	char *have = calloc(1, len + 2);
	size_t n = fread(have, 1, len + 1, fp);
	fclose(fp);
	ck_assert_msg(n == len && memcmp(have, want, len) == 0,
		      "%s is out of date with its builder: run 'make fixtures'", path);
	free(have);
	free(want);

	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ 0 });
	const struct vc_results *r = judge(e, &t);
	for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
		const char *id = vc_rule(k)->id;
		uint64_t fails = 0;
		for (size_t s = 0; s < r->nsessions; s++)
			fails += r->sessions[s].rules[k].failures;
		if (expected(f, id))
			ck_assert_msg(fails > 0, "%s: %s did not fire", f->name, id);
		else if (fails) {
			const char *m = "";
			for (size_t i = 0; i < r->nfindings; i++)
				if (r->findings[i].rule == k)
					m = r->findings[i].message;
			ck_abort_msg("%s: unexpected %s: %s", f->name, id, m);
		}
	}
	vc_engine_free(e);
	vc_trace_free(&t);
	vc_trace_free(&built);
}
END_TEST

/* Every rule that a trace can decide has a fixture that triggers it. */
START_TEST(every_trace_rule_has_a_fixture)
{
	for (unsigned k = 0; k < VC_RULE_COUNT; k++) {
		const struct vc_rule *r = vc_rule(k);
		if (r->needs == VC_NEEDS_LIVE && strcmp(r->id, "VU-MEM-04"))
			continue;
		if (!(r->sides & (VC_SIDES_FE | VC_SIDES_BE)))
			continue;
		bool found = false;
		for (size_t i = 0; i < NFIX && !found; i++)
			found = expected(&fixtures[i], r->id);
		ck_assert_msg(found, "no fixture triggers %s", r->id);
	}
}
END_TEST

/* Every bug of bugs.md that the vhost-user catalog covers has a fixture. */
START_TEST(every_bug_has_a_fixture)
{
	static const char *const bugs[] = { "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9",
					    "B12", "B13", "B14", "B15", "B20", "B21", "B22",
					    "B22b", "B23" };
	for (size_t b = 0; b < sizeof bugs / sizeof bugs[0]; b++) {
		bool found = false;
		for (size_t i = 0; i < NFIX && !found; i++)
			found = fixtures[i].bug && !strcmp(fixtures[i].bug, bugs[b]);
		ck_assert_msg(found, "no fixture reproduces %s", bugs[b]);
	}
}
END_TEST

/* The opposite direction: rules can be disabled and waived. */
START_TEST(rules_glob_and_waivers)
{
	struct vc_trace t;
	build(&fixtures[3], &t); /* VU-HDR-01 */
	const char *w[] = { "VU-HDR-0[1]" };
	struct vc_engine *e = vc_engine_new(&(struct vc_engine_opts){ .waive = w, .nwaive = 1 });
	const struct vc_results *r = judge(e, &t);
	ck_assert_int_eq(r->findings_by_level[VC_MUST], 0);
	ck_assert_uint_ge(r->waived, 1);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_HDR_01].verdict, VC_WAIVED);
	ck_assert_int_eq(vc_results_exit_status(r, true), 0);
	vc_engine_free(e);
	e = vc_engine_new(&(struct vc_engine_opts){ .rules_glob = "VU-RING-*,VU-MEM-*" });
	r = judge(e, &t);
	ck_assert_int_eq(r->sessions[0].rules[VC_R_VU_HDR_01].verdict, VC_DISABLED);
	ck_assert_int_eq(r->findings_by_level[VC_MUST], 0);
	vc_engine_free(e);
	vc_trace_free(&t);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("fixtures");
	tcase_add_loop_test(tc, fixture_fires_exactly, 0, (int)NFIX);
	tcase_add_test(tc, every_trace_rule_has_a_fixture);
	tcase_add_test(tc, every_bug_has_a_fixture);
	tcase_add_test(tc, rules_glob_and_waivers);
	suite_add_tcase(s, tc);
	return s;
}
