/* Private to test_rules: the fixture builders, one file a family of
 * rules (fixtures_<family>.c), and the helpers they share
 * (fixtures_common.c). test_rules.c holds the one table naming them.
 * The fixtures that test the text of vhost-user.rst rest on its version in
 * p-b-o/qemu-ci b82b5c8c547f. */
#ifndef VCTS_CONFORMANCE_TESTS_FIXTURES_H
#define VCTS_CONFORMANCE_TESTS_FIXTURES_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/vring.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

/* A u64 payload, little-endian as on the wire. */
#define P64(v) ((const uint8_t[8]){ (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), \
				      (uint8_t)((v) >> 24), (uint8_t)((uint64_t)(v) >> 32), \
				      (uint8_t)((uint64_t)(v) >> 40), (uint8_t)((uint64_t)(v) >> 48), \
				      (uint8_t)((uint64_t)(v) >> 56) })

/* fixtures_common.c: helpers */
void full(struct vc_synth *s, struct vs_profile *p);
uint64_t first_table_ident(const struct vc_synth *s);
void set_log_base(struct vc_synth *s, uint64_t size);
void pf_add(struct vs_profile *p, uint64_t bits);
void postcopy_advise(struct vc_synth *s);
void get_base(struct vc_synth *s, uint32_t req, uint32_t ring, uint32_t num);
void get_shmem_config(struct vc_synth *s, uint32_t reply_len);
void iotlb_at(struct vc_synth *s, uint64_t uaddr, uint64_t size, uint8_t perm, uint8_t type);
void iommu_start(struct vc_synth *s, struct vs_profile *p);
void postcopy(struct vc_synth *s, struct vs_profile *p, uint32_t ack_flags, bool advise);

/* fixtures_hdr.c */
void hdr01(struct vc_synth *s, struct vs_profile *p);
void hdr02(struct vc_synth *s, struct vs_profile *p);
void hdr03(struct vc_synth *s, struct vs_profile *p);
void hdr03_b23(struct vc_synth *s, struct vs_profile *p);
void hdr04(struct vc_synth *s, struct vs_profile *p);
void hdr05(struct vc_synth *s, struct vs_profile *p);
void hdr06(struct vc_synth *s, struct vs_profile *p);
void hdr07(struct vc_synth *s, struct vs_profile *p);
void hdr08_b12(struct vc_synth *s, struct vs_profile *p);
void size01_b5(struct vc_synth *s, struct vs_profile *p);
void size02(struct vc_synth *s, struct vs_profile *p);
void fd01_b20(struct vc_synth *s, struct vs_profile *p);
void fd02(struct vc_synth *s, struct vs_profile *p);
void fd03(struct vc_synth *s, struct vs_profile *p);
void fd04(struct vc_synth *s, struct vs_profile *p);
void fd05(struct vc_synth *s, struct vs_profile *p);
void fd06(struct vc_synth *s, struct vs_profile *p);
void clean_config_error(struct vc_synth *s, struct vs_profile *p);
void size02_config_short(struct vc_synth *s, struct vs_profile *p);
void clean_shmem(struct vc_synth *s, struct vs_profile *p);
void size02_shmem_72(struct vc_synth *s, struct vs_profile *p);
void clean_fd_replies(struct vc_synth *s, struct vs_profile *p);
void clean_xen_mmap(struct vc_synth *s, struct vs_profile *p);
void size01_xen_narrow(struct vc_synth *s, struct vs_profile *p);
void fd06_rem_with_fd(struct vc_synth *s, struct vs_profile *p);
void size03_iotlb_miss(struct vc_synth *s, struct vs_profile *p);
void size03_config_flags(struct vc_synth *s, struct vs_profile *p);
void size03_devstate_phase(struct vc_synth *s, struct vs_profile *p);
void clean_enum_fields(struct vc_synth *s, struct vs_profile *p);

/* fixtures_neg.c */
void clean_default(struct vc_synth *s, struct vs_profile *p);
void clean_status(struct vc_synth *s, struct vs_profile *p);
void clean_restart(struct vc_synth *s, struct vs_profile *p);
void neg01(struct vc_synth *s, struct vs_profile *p);
void neg02(struct vc_synth *s, struct vs_profile *p);
void neg03(struct vc_synth *s, struct vs_profile *p);
void neg04(struct vc_synth *s, struct vs_profile *p);
void neg05(struct vc_synth *s, struct vs_profile *p);
void neg06_b9(struct vc_synth *s, struct vs_profile *p);
void neg07(struct vc_synth *s, struct vs_profile *p);
void neg08(struct vc_synth *s, struct vs_profile *p);
void once01(struct vc_synth *s, struct vs_profile *p);
void once02_b3(struct vc_synth *s, struct vs_profile *p);
void once03_b2(struct vc_synth *s, struct vs_profile *p);
void once03_b4(struct vc_synth *s, struct vs_profile *p);
void once04_b15(struct vc_synth *s, struct vs_profile *p);
void once05_nowait(struct vc_synth *s, struct vs_profile *p);
void once05_b1(struct vc_synth *s, struct vs_profile *p);
void sts01(struct vc_synth *s, struct vs_profile *p);
void sts02(struct vc_synth *s, struct vs_profile *p);
void clean_offered_gates(struct vc_synth *s, struct vs_profile *p);
void neg05_mtu_unacked(struct vc_synth *s, struct vs_profile *p);
void neg05_postcopy_slots(struct vc_synth *s, struct vs_profile *p);
void neg09_skip_drain_alone(struct vc_synth *s, struct vs_profile *p);
void neg10_shmem_bit20(struct vc_synth *s, struct vs_profile *p);
void neg12_check_without_transfer(struct vc_synth *s, struct vs_profile *p);
void once06_ring_before_owner(struct vc_synth *s, struct vs_profile *p);
void clean_bit30_before_set_features(struct vc_synth *s, struct vs_profile *p);
void neg11_enable_without_bit30(struct vc_synth *s, struct vs_profile *p);
void neg12_listen_without_advise(struct vc_synth *s, struct vs_profile *p);

/* fixtures_ring.c */
void ring01_b22(struct vc_synth *s, struct vs_profile *p);
void ring02(struct vc_synth *s, struct vs_profile *p);
void ring03_b21(struct vc_synth *s, struct vs_profile *p);
void ring04_b14(struct vc_synth *s, struct vs_profile *p);
void ring05(struct vc_synth *s, struct vs_profile *p);
void ring06(struct vc_synth *s, struct vs_profile *p);
void ring07_b14(struct vc_synth *s, struct vs_profile *p);
void ring08_unmapped(struct vc_synth *s, struct vs_profile *p);
void ring08_relocated(struct vc_synth *s, struct vs_profile *p);
void ring09_b13(struct vc_synth *s, struct vs_profile *p);
void ring10_b8(struct vc_synth *s, struct vs_profile *p);
void ring11(struct vc_synth *s, struct vs_profile *p);
void clean_packed(struct vc_synth *s, struct vs_profile *p);
void clean_packed_wrapped(struct vc_synth *s, struct vs_profile *p);
void pack01_past_size(struct vc_synth *s, struct vs_profile *p);
void pack01_used_ahead(struct vc_synth *s, struct vs_profile *p);
void pack01_forwarded(struct vc_synth *s, struct vs_profile *p);
void pack02_dpdk(struct vc_synth *s, struct vs_profile *p);
void pack03_dpdk(struct vc_synth *s, struct vs_profile *p);
void clean_mq_pair_disabled(struct vc_synth *s, struct vs_profile *p);
void ring10_live_kicks(struct vc_synth *s, struct vs_profile *p);
void clean_live_disabled_kicked(struct vc_synth *s, struct vs_profile *p);
void clean_live_compat_kick(struct vc_synth *s, struct vs_profile *p);
void clean_polling_rings(struct vc_synth *s, struct vs_profile *p);
void ring03_polling(struct vc_synth *s, struct vs_profile *p);
void ring11_inflight(struct vc_synth *s, struct vs_profile *p);
void clean_skip_drain(struct vc_synth *s, struct vs_profile *p);
void clean_live_kicked(struct vc_synth *s, struct vs_profile *p);
void live03_never_kicked(struct vc_synth *s, struct vs_profile *p);
void clean_live_polling(struct vc_synth *s, struct vs_profile *p);
void clean_inband_kick(struct vc_synth *s, struct vs_profile *p);
void ring12_kick_num(struct vc_synth *s, struct vs_profile *p);
void ring12_kick_no_reply(struct vc_synth *s, struct vs_profile *p);
void clean_endian(struct vc_synth *s, struct vs_profile *p);
void ring13_endian_value(struct vc_synth *s, struct vs_profile *p);
void ring13_endian_started(struct vc_synth *s, struct vs_profile *p);
void ring14_split_high_bits(struct vc_synth *s, struct vs_profile *p);

/* fixtures_mem.c */
void clean_inflight(struct vc_synth *s, struct vs_profile *p);
void mem10_inflight_other_size(struct vc_synth *s, struct vs_profile *p);
void clean_inflight_reconnect(struct vc_synth *s, struct vs_profile *p);
void clean_log_resize(struct vc_synth *s, struct vs_profile *p);
void mem01_nine(struct vc_synth *s, struct vs_profile *p);
void mem02_b22b(struct vc_synth *s, struct vs_profile *p);
void mem03(struct vc_synth *s, struct vs_profile *p);
void mem04_b6(struct vc_synth *s, struct vs_profile *p);
void mem05(struct vc_synth *s, struct vs_profile *p);
void reply01(struct vc_synth *s, struct vs_profile *p);
void reply01_refused(struct vc_synth *s, struct vs_profile *p);
void reply02(struct vc_synth *s, struct vs_profile *p);
void reply03(struct vc_synth *s, struct vs_profile *p);
void log01_b7(struct vc_synth *s, struct vs_profile *p);
void log01_b22b(struct vc_synth *s, struct vs_profile *p);
void log02(struct vc_synth *s, struct vs_profile *p);
void clean_iotlb(struct vc_synth *s, struct vs_profile *p);
void reply01_iotlb(struct vc_synth *s, struct vs_profile *p);
void clean_gpa_addresses(struct vc_synth *s, struct vs_profile *p);
void mem06_gpa_addresses(struct vc_synth *s, struct vs_profile *p);
void log03(struct vc_synth *s, struct vs_profile *p);
void clean_log_outside_table(struct vc_synth *s, struct vs_profile *p);
void clean_postcopy(struct vc_synth *s, struct vs_profile *p);
void mem07_ack_need_reply(struct vc_synth *s, struct vs_profile *p);
void clean_empty_table(struct vc_synth *s, struct vs_profile *p);
void mem08_iotlb_outside(struct vc_synth *s, struct vs_profile *p);
void mem03_add_uva_overlap(struct vc_synth *s, struct vs_profile *p);
void clean_add_after_remove(struct vc_synth *s, struct vs_profile *p);
void clean_rem_mem_reg(struct vc_synth *s, struct vs_profile *p);
void mem09_rem_other_uva(struct vc_synth *s, struct vs_profile *p);

/* fixtures_be.c */
void rval01_split_base_high(struct vc_synth *s, struct vs_profile *p);
void clean_device_state_fd(struct vc_synth *s, struct vs_profile *p);
void rval02_error_with_fd(struct vc_synth *s, struct vs_profile *p);
void rval02_no_fd_flag_clear(struct vc_synth *s, struct vs_profile *p);
void rval03_not_userfaultfd(struct vc_synth *s, struct vs_profile *p);
void rval04_shmem_count(struct vc_synth *s, struct vs_profile *p);
void rval05_no_mq(struct vc_synth *s, struct vs_profile *p);
void clean_backend_channel(struct vc_synth *s, struct vs_profile *p);
void bch01_call_num(struct vc_synth *s, struct vs_profile *p);
void bch02_call_ungated(struct vc_synth *s, struct vs_profile *p);
void bch03_fd_without_send_fd(struct vc_synth *s, struct vs_profile *p);
void bch04_notifier_size(struct vc_synth *s, struct vs_profile *p);
void bch05_shmem_flags(struct vc_synth *s, struct vs_profile *p);
void bch06_unmap_part(struct vc_synth *s, struct vs_profile *p);
void bch07_iotlb_update(struct vc_synth *s, struct vs_profile *p);
void bch08_suspended(struct vc_synth *s, struct vs_profile *p);
void rval06_inflight_no_fd(struct vc_synth *s, struct vs_profile *p);

#endif
