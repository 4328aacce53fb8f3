/* vu_request_fds (lib/wire.c): the fds a request may carry, given its
 * payload and LOG_SHMFD; the one reading the judge (VU-FD-01..05, 07),
 * the fake back-end's refusals and the fuzzers share. */
#include <check.h>

#include "harness/tests/common/testutil.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

static struct vu_fd_want want(uint32_t req, const uint8_t *pl, size_t len, enum vu_known shm)
{
	return vu_request_fds(VU_CHAN_MAIN, req, pl, len, shm);
}

#define CK_WANT(w, l, h, c)                         \
	do {                                        \
		ck_assert_uint_eq((w).lo, (l));     \
		ck_assert_uint_eq((w).hi, (h));     \
		ck_assert_uint_eq((w).fcase, (c));  \
	} while (0)

START_TEST(fixed_counts)
{
	CK_WANT(want(VU_GET_FEATURES, NULL, 0, VU_KNOWN_NO), 0, 0, VU_FDC_NONE);
	CK_WANT(want(VU_SET_LOG_FD, NULL, 0, VU_KNOWN_NO), 1, 1, VU_FDC_ONE);
	CK_WANT(want(VU_SET_BACKEND_REQ_FD, NULL, 0, VU_KNOWN_NO), 1, 1, VU_FDC_ONE);
	CK_WANT(want(VU_ADD_MEM_REG, NULL, 0, VU_KNOWN_NO), 1, 1, VU_FDC_ONE);
	CK_WANT(want(VU_SET_INFLIGHT_FD, NULL, 0, VU_KNOWN_NO), 1, 1, VU_FDC_ONE);
	CK_WANT(want(VU_SET_DEVICE_STATE_FD, NULL, 0, VU_KNOWN_NO), 1, 1, VU_FDC_ONE);
	/* REM_MEM_REG: 0 or 1 ("existing incorrect implementations") */
	CK_WANT(want(VU_REM_MEM_REG, NULL, 0, VU_KNOWN_NO), 0, 1, VU_FDC_OPTIONAL);
	/* unknown numbers take none */
	CK_WANT(want(0, NULL, 0, VU_KNOWN_NO), 0, 0, VU_FDC_NONE);
	CK_WANT(want(VU_REQ_MAX_FRONTEND + 1, NULL, 0, VU_KNOWN_NO), 0, 0, VU_FDC_NONE);
	/* the back-end channel has its own table */
	CK_WANT(vu_request_fds(VU_CHAN_BACKEND, VU_BE_SHMEM_MAP, NULL, 0, VU_KNOWN_NO), 1, 1, VU_FDC_ONE);
	CK_WANT(vu_request_fds(VU_CHAN_BACKEND, VU_BE_VRING_HOST_NOTIFIER_MSG, NULL, 0, VU_KNOWN_NO), 0, 1,
		VU_FDC_OPTIONAL);
	CK_WANT(vu_request_fds(VU_CHAN_BACKEND, VU_BE_CONFIG_CHANGE_MSG, NULL, 0, VU_KNOWN_NO), 0, 0,
		VU_FDC_NONE);
}
END_TEST

START_TEST(vring_invalid_fd_bit)
{
	const uint32_t reqs[] = { VU_SET_VRING_KICK, VU_SET_VRING_CALL, VU_SET_VRING_ERR };
	uint8_t u[8];
	for (unsigned i = 0; i < 3; i++) {
		vu_wr64(u, 3);
		CK_WANT(want(reqs[i], u, 8, VU_KNOWN_NO), 1, 1, VU_FDC_VRING);
		vu_wr64(u, 3 | VU_VRING_NOFD);
		CK_WANT(want(reqs[i], u, 8, VU_KNOWN_NO), 0, 0, VU_FDC_VRING_NOFD);
		/* short or absent payload: 0 or 1, undecided */
		CK_WANT(want(reqs[i], u, 7, VU_KNOWN_NO), 0, 1, VU_FDC_UNDECIDED);
		CK_WANT(want(reqs[i], NULL, 8, VU_KNOWN_NO), 0, 1, VU_FDC_UNDECIDED);
	}
}
END_TEST

START_TEST(mem_table_per_region)
{
	uint8_t pl[VU_MEM_TABLE_HDR + 3 * VU_MEM_REGION_SIZE];
	struct vu_region_pl r[3] = { { 0, 4096, 0x1000, 0 }, { 4096, 4096, 0x2000, 0 },
				     { 8192, 4096, 0x3000, 0 } };
	vu_enc_memtable(pl, sizeof pl, r, 3);
	struct vu_fd_want w = want(VU_SET_MEM_TABLE, pl, sizeof pl, VU_KNOWN_NO);
	CK_WANT(w, 3, 3, VU_FDC_PER_REGION);
	ck_assert_uint_eq(w.regions, 3);
	/* the count alone decides: a table cut after its header still says 3 */
	CK_WANT(want(VU_SET_MEM_TABLE, pl, VU_MEM_TABLE_HDR, VU_KNOWN_NO), 3, 3, VU_FDC_PER_REGION);
	CK_WANT(want(VU_SET_MEM_TABLE, pl, 2, VU_KNOWN_NO), 0, VU_MEM_BASELINE_REGIONS, VU_FDC_UNDECIDED);
}
END_TEST

START_TEST(log_base_as_log_shmfd)
{
	uint8_t pl[16] = { 0 };
	CK_WANT(want(VU_SET_LOG_BASE, pl, 16, VU_KNOWN_YES), 1, 1, VU_FDC_LOG_SHMFD);
	CK_WANT(want(VU_SET_LOG_BASE, pl, 16, VU_KNOWN_NO), 0, 0, VU_FDC_LOG_NO_SHMFD);
	CK_WANT(want(VU_SET_LOG_BASE, pl, 16, VU_KNOWN_UNKNOWN), 0, 1, VU_FDC_UNDECIDED);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("wire_fds");
	TCase *t = tcase_create("wire_fds");
	tcase_add_test(t, fixed_counts);
	tcase_add_test(t, vring_invalid_fd_bit);
	tcase_add_test(t, mem_table_per_region);
	tcase_add_test(t, log_base_as_log_shmfd);
	suite_add_tcase(s, t);
	return s;
}
