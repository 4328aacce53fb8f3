/* Scenarios whose verdict is the value of a reply (the VU-RVAL rules judge
 * it as the reply arrives).
 *
 * postcopy-advise: with PAGEFAULT negotiated (and CONFIGURE_MEM_SLOTS not,
 * which excludes postcopy), POSTCOPY_ADVISE is answered with the
 * userfaultfd the back-end opened (VU-RVAL-03 judges the reply's fd; a
 * refused or unanswered ADVISE is VU-BE-05). Stops there: LISTEN would
 * need the driver to serve the back-end's page faults.
 *
 * shmem-config: with SHMEM negotiated, GET_SHMEM_CONFIG twice: the count
 * matches the non-zero sizes, each a multiple of the page size, and the
 * second answer equals the first (VU-RVAL-04). */
#include "fakes/frontend/fe_int.h"

#include <stdlib.h>

/* Send req (no payload) and read its reply; 0 when one came. */
static int ask(struct vfe_conn *c, uint32_t req)
{
	if (vfe_send(c, req, 0, NULL, 0, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = -1;
	if (vfe_recv(c, m, req) == VFE_RX_MSG && m->req == req) {
		rc = 0;
		vfe_msg_close_fds(m);
	} else {
		vfe_why(c, "%s got no reply", vu_request_name(VU_CHAN_MAIN, req, (char[32]){ 0 }, 32));
	}
	free(m);
	return rc;
}

int vfe_sc_postcopy_advise(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	uint64_t pf = (vfe_default_pf() | VU_BIT(VU_PF_PAGEFAULT)) & ~VU_BIT(VU_PF_CONFIGURE_MEM_SLOTS);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), pf))
		return -1;
	if (!vfe_pf(c, VU_PF_PAGEFAULT)) {
		vfe_why(c, "the back-end does not offer PAGEFAULT");
		return -2;
	}
	return ask(c, VU_POSTCOPY_ADVISE);
}

int vfe_sc_shmem_config(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf() | VU_BIT(VU_PF_SHMEM)))
		return -1;
	if (!vfe_pf(c, VU_PF_SHMEM)) {
		vfe_why(c, "the back-end does not offer SHMEM (protocol bit 22)");
		return -2;
	}
	return ask(c, VU_GET_SHMEM_CONFIG) || ask(c, VU_GET_SHMEM_CONFIG) ? -1 : 0;
}
