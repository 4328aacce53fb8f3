/* postcopy-advise: with PAGEFAULT negotiated (and CONFIGURE_MEM_SLOTS not,
 * which excludes postcopy), POSTCOPY_ADVISE is answered with the
 * userfaultfd the back-end opened (VU-RVAL-03 judges the reply's fd; a
 * refused or unanswered ADVISE is VU-BE-05). Stops there: LISTEN would
 * need the driver to serve the back-end's page faults. */
#include "fakes/frontend/fe_int.h"

#include <stdlib.h>

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
	if (vfe_send(c, VU_POSTCOPY_ADVISE, 0, NULL, 0, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = -1;
	if (vfe_recv(c, m, VU_POSTCOPY_ADVISE) == VFE_RX_MSG && m->req == VU_POSTCOPY_ADVISE) {
		rc = 0;
		vfe_msg_close_fds(m);
	} else {
		vfe_why(c, "POSTCOPY_ADVISE got no reply");
	}
	free(m);
	return rc;
}
