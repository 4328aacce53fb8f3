/* The rule families, in the order they see each event. A new source of
 * events (vDPA, memory listener) adds its families here. */
#include "conformance/check.h"

void vu_live_check(struct vc_ctx *c); /* conformance/vu_live.c */
void vu_be_check(struct vc_ctx *c); /* conformance/vu_be.c */
void vdpa_rules_check(struct vc_ctx *c); /* conformance/vdpa_rules.c */
void vdpa_rules_free(void *state);
void vu_packed_check(struct vc_ctx *c); /* conformance/vu_packed.c */
void vu_packed_free(void *state);
void vu_rval_check(struct vc_ctx *c); /* conformance/vu_rval.c */
void vu_rval_free(void *state);
void vu_bch_check(struct vc_ctx *c); /* conformance/vu_bch.c */
void vu_bch_free(void *state);

const struct vc_family vc_families[] = {
	{ "header", vu_header_check, NULL },
	{ "size", vu_size_check, NULL },
	{ "fd", vu_fd_check, NULL },
	{ "negotiation", vu_neg_check, NULL },
	{ "once", vu_once_check, NULL },
	{ "ring", vu_ring_check, vu_ring_end },
	{ "packed", vu_packed_check, NULL, vu_packed_free },
	{ "status", vu_status_check, NULL },
	{ "memory", vu_mem_check, NULL },
	{ "reply", vu_reply_check, NULL },
	{ "log", vu_log_check, NULL },
	{ "live", vu_live_check, NULL },
	{ "memory-listener", mem_check, mem_end, mem_free },
	{ "vdpa-batch", vdpa_bat_check, NULL, vdpa_bat_free },
	{ "vdpa-client", vdpa_rules_check, NULL, vdpa_rules_free },
	{ "backend", vu_be_check, NULL },
	{ "reply-values", vu_rval_check, NULL, vu_rval_free },
	{ "backend-channel", vu_bch_check, NULL, vu_bch_free },
};
const size_t vc_nfamilies = sizeof vc_families / sizeof vc_families[0];
