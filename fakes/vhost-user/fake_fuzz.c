/* serve --fuzz SEED: replies mutated and back-end requests sent
 * unprompted at fuzz_permille of the chances, from an xorshift64* PRNG
 * seeded with the seed, so one seed replays one run. */
#include "fakes/vhost-user/fake_int.h"
#include "lib/xalloc.h"

const char *vfu_fuzz_waives(void)
{
	/* unprompted back-end requests: any feature, zero payloads (VU-BCH) */
	return "VU-HDR-01,VU-HDR-03,VU-HDR-04,VU-HDR-05,VU-SIZE-02,VU-REPLY-0[123],VU-BCH-0[1-8]";
}

uint64_t vfu_fuzz_next(struct vfu_server *s)
{
	uint64_t x = s->fuzz_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->fuzz_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

bool vfu_fuzz_hit(struct vfu_server *s)
{
	return s->cfg.fuzz && vfu_fuzz_next(s) % 1000 < s->cfg.fuzz_permille;
}

/* Mutate one reply in place: flags, request number, size or bytes.
 * buf has room for 64 payload bytes. */
void vfu_fuzz_reply(struct vfu_conn *c, uint32_t *rq, uint32_t *flags, uint8_t *buf, uint32_t *len)
{
	struct vfu_server *s = c->s;
	uint64_t r = vfu_fuzz_next(s);
	switch (r % 5) {
	case 0:
		*flags ^= 1u << (vfu_fuzz_next(s) % 8);
		break;
	case 1:
		/* Up to GET_SHMEM_CONFIG + 2, as when fuzz/FINDINGS.md's seeds
		 * were run: frozen so a seed replays the same run. */
		*rq = (uint32_t)(vfu_fuzz_next(s) % (VU_GET_SHMEM_CONFIG + 3));
		break;
	case 2:
		*len = (uint32_t)(vfu_fuzz_next(s) % 65);
		break;
	default:
		for (uint32_t i = 0; i < *len; i++)
			if (vfu_fuzz_next(s) % 4 == 0)
				buf[i] = (uint8_t)vfu_fuzz_next(s);
		break;
	}
	vfu_conn_log(c, "fuzz: reply mutated (request %u flags 0x%x size %u)", *rq, *flags, *len);
}


void vfu_fuzz_seed(struct vfu_server *s)
{
	/* Any nonzero state works for xorshift; mix the seed so 0 is fine. */
	s->fuzz_state = (s->cfg.fuzz_seed ^ 0x9e3779b97f4a7c15ull) | 1;
}

void vfu_fuzz_backend(struct vfu_conn *c)
{
	struct vfu_server *s = c->s;
	/* The front-end may be waiting for the reply of the request in
	 * progress while this arrives. */
	if (c->be_fd >= 0 && vfu_fuzz_hit(s))
		vfu_send_backend_req(c, 1 + (uint32_t)(vfu_fuzz_next(s) % VU_REQ_MAX_BACKEND), vfu_fuzz_next(s) & 1);
}
