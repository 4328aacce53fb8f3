/* VDPA-BAT-01: no empty IOTLB batch. Judged on the IOTLB messages a
 * vhost-vdpa client writes (VC_EV_VDPA_IOTLB), whatever produced them.
 * Self-contained: its state lives in the family's own slot. */
#include "conformance/check.h"
#include "vcts/vdpa_uapi.h"

#include <stdlib.h>

struct bat_state {
	bool open;
	uint64_t updates;      /* UPDATE / INVALIDATE since BATCH_BEGIN */
	uint64_t begin_event;
};

void vdpa_bat_check(struct vc_ctx *c)
{
	const struct vc_event *ev = c->ev;
	if (ev->kind != VC_EV_VDPA_IOTLB)
		return;
	void **slot = vc_family_state(c);
	if (!*slot)
		*slot = calloc(1, sizeof(struct bat_state));
	struct bat_state *b = *slot;
	if (!b)
		return;
	switch (ev->u.iotlb.type) {
	case VDPA_IOTLB_BATCH_BEGIN:
		b->open = true;
		b->updates = 0;
		b->begin_event = ev->index;
		break;
	case VDPA_IOTLB_UPDATE:
	case VDPA_IOTLB_INVALIDATE:
		b->updates++;
		break;
	case VDPA_IOTLB_BATCH_END:
		if (b->open)
			vc_expect(c, VC_R_VDPA_BAT_01, b->updates > 0,
				  "empty IOTLB batch: BATCH_BEGIN (event %llu) went straight to BATCH_END (bug B16)",
				  (unsigned long long)b->begin_event);
		b->open = false;
		break;
	default:
		break;
	}
}

void vdpa_bat_free(void *state)
{
	free(state);
}
