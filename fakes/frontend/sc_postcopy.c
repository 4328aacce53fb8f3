/* Postcopy on the destination (VU-BE-24): POSTCOPY_ADVISE, then
 * POSTCOPY_LISTEN before any memory table (libvhost-user refuses regions
 * registered at LISTEN), then POSTCOPY_END, which vhost-user.rst says is
 * answered with "an error indication; 0 is success" after the back-end
 * "must disable the userfaultfd". PAGEFAULT negotiated without
 * CONFIGURE_MEM_SLOTS (the two exclude postcopy). n/a when PAGEFAULT is
 * not offered or ADVISE/LISTEN fail (what they owe is other rules'). */
#include "fakes/frontend/fe_int.h"

#include <stdlib.h>
#include <unistd.h>

int vfe_sc_postcopy(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (vfe_get_u64(c, VU_GET_FEATURES, &c->features))
		return -1;
	if (!(c->features & VU_BIT(VU_F_PROTOCOL_FEATURES))) {
		vfe_why(c, "PROTOCOL_FEATURES not offered");
		return -2;
	}
	if (vfe_get_u64(c, VU_GET_PROTOCOL_FEATURES, &c->pf))
		return -1;
	if (!(c->pf & VU_BIT(VU_PF_PAGEFAULT))) {
		vfe_why(c, "PAGEFAULT not offered");
		return -2;
	}
	c->acked = c->features & (VU_BIT(VU_F_VERSION_1) | VU_BIT(VU_F_PROTOCOL_FEATURES));
	c->pf_acked = c->pf & (VU_BIT(VU_PF_PAGEFAULT) | VU_BIT(VU_PF_REPLY_ACK));
	if (vfe_set_u64(c, VU_SET_PROTOCOL_FEATURES, c->pf_acked) < 0)
		return -1;
	c->pf_ok = true;
	if (vfe_set(c, VU_SET_OWNER, NULL, 0, NULL, 0) != 0 || vfe_set_u64(c, VU_SET_FEATURES, c->acked) != 0)
		return -1;
	if (vfe_send(c, VU_POSTCOPY_ADVISE, 0, NULL, 0, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int got = vfe_recv(c, m, VU_POSTCOPY_ADVISE);
	unsigned nfds = got == VFE_RX_MSG ? m->nfds : 0;
	vfe_msg_close_fds(m);
	free(m);
	if (got != VFE_RX_MSG)
		return -1;
	if (nfds != 1) {
		vfe_why(c, "POSTCOPY_ADVISE gave no userfaultfd");
		return -2;
	}
	int64_t l = vfe_set(c, VU_POSTCOPY_LISTEN, NULL, 0, NULL, 0);
	if (l < 0)
		return -1;
	if (l > 0) {
		vfe_why(c, "POSTCOPY_LISTEN refused (ack %lld)", (long long)l);
		return -2;
	}
	uint64_t v = UINT64_MAX;
	if (vfe_get_u64(c, VU_POSTCOPY_END, &v))
		return -1;
	if (v)
		vfe_why(c, "POSTCOPY_END after ADVISE and LISTEN answered %llu, not 0", (unsigned long long)v);
	vfe_run_verdict(c->run, VC_R_VU_BE_24, v == 0, "%s", c->why);
	return v ? 1 : 0;
}
