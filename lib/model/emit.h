/* Private to lib/ (the models in lib/model/ and their importers in
 * lib/trace/): building the events the models emit. */
#ifndef VCTS_LIB_MODEL_EMIT_H
#define VCTS_LIB_MODEL_EMIT_H

#include "vcts/model.h"

void vm_event_init(struct vc_event *ev, enum vc_event_kind kind);
/* Stamp session and source, and hand the event to the sink. */
void vm_emit(const struct vm_out *o, struct vc_event *ev);
/* A vhost-user message; flags get the version bits. nfds memfds (tables,
 * identities from idents when given) or eventfds (everything else). */
void vm_emit_vu(const struct vm_out *o, enum vc_dir dir, uint32_t req, uint32_t flags,
		const void *payload, uint32_t len, uint32_t nfds, const uint64_t *idents);
void vm_emit_report(const struct vm_out *o, enum vc_mem_report_code code, const char *name,
		    uint64_t gpa, uint64_t size, uint64_t hva, uint64_t value);
void vm_emit_iotlb(const struct vm_out *o, uint8_t type, uint64_t iova, uint64_t size,
		   uint64_t uaddr, uint8_t perm);
/* vhost-vdpa GET_BACKEND_FEATURES answered with features, then
 * SET_BACKEND_FEATURES of the same: the negotiation QEMU does first. */
void vm_emit_backend_features(const struct vm_out *o, uint64_t features);
/* Copy a name into a fixed field, truncating. */
void vm_set_name(char *dst, size_t cap, const char *src, size_t len);
#endif
