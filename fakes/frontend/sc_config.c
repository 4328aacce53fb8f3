/* SET_CONFIG of a read-only field (VU-BE-22): vhost-user.rst,
 * VHOST_USER_SET_CONFIG: "back-ends MUST NOT accept SET_CONFIG for
 * read-only configuration space fields unless the live migration bit is
 * set". Judged on virtio-blk's capacity (read-only to the driver, VIRTIO
 * 1.2 5.2.4): written with flags 0, it must not be taken: GET_CONFIG
 * reads the old value, or the back-end closed the connection. An ack of
 * 0 alone is no finding here (libvhost-user acks every request 0 and
 * then closes on the failed SET_CONFIG): what an ack says is VU-BE-04's.
 * Other devices' writable fields are not tabled. */
#include "fakes/frontend/fe_int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Did the back-end close the connection within ms? Nothing is sent
 * meanwhile: a request sent while a back-end closes on the previous one
 * would be one it closed on without answering (not its fault). */
static bool closed_within(struct vfe_conn *c, int ms)
{
	if (c->eof)
		return true;
	struct pollfd p = { .fd = c->sock, .events = POLLIN | POLLRDHUP };
	if (poll(&p, 1, ms) <= 0)
		return false;
	char b;
	ssize_t n = recv(c->sock, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		c->eof = true;
	return c->eof;
}

/* GET_CONFIG of [off, off+8): 0 with *v, 1 an error reply (0-byte
 * payload or short), -1 no answer. */
static int get_u64_config(struct vfe_conn *c, uint32_t off, uint64_t *v)
{
	uint8_t pl[VU_CONFIG_HDR + 8] = { 0 };
	struct vu_config_pl q = { .offset = off, .size = 8, .flags = 0, .data = pl + VU_CONFIG_HDR, .data_len = 8 };
	size_t n = vu_enc_config(pl, sizeof pl, &q);
	if (!n || vfe_send(c, VU_GET_CONFIG, 0, pl, (uint32_t)n, NULL, 0))
		return -1;
	struct vfe_msg *m = malloc(sizeof *m);
	if (!m)
		return -1;
	int rc = -1;
	if (vfe_recv(c, m, VU_GET_CONFIG) == VFE_RX_MSG) {
		struct vu_config_pl a;
		rc = 1;
		if (vu_dec_config(m->pl, m->len, &a) && a.size == 8 && a.data_len >= 8) {
			*v = vu_rd64(a.data);
			rc = 0;
		}
	}
	vfe_msg_close_fds(m);
	free(m);
	return rc;
}

int vfe_sc_config_readonly(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (vfe_init(c, VFE_QEMU, vfe_default_features(VFE_DEV_BLK), vfe_default_pf()))
		return -1;
	if (!vfe_pf(c, VU_PF_CONFIG)) {
		vfe_why(c, "CONFIG not offered");
		return -2;
	}
	uint64_t cap0, cap1;
	int g = get_u64_config(c, VIRTIO_BLK_CFG_CAPACITY_OFF, &cap0);
	if (g < 0)
		return -1;
	if (g > 0) {
		vfe_why(c, "GET_CONFIG of the capacity answered with an error");
		return -2;
	}
	uint8_t pl[VU_CONFIG_HDR + 8] = { 0 };
	uint8_t val[8];
	vu_wr64(val, cap0 ^ 0x5a5a);
	struct vu_config_pl w = { .offset = VIRTIO_BLK_CFG_CAPACITY_OFF, .size = 8,
				  .flags = VU_CONFIG_FLAG_WRITABLE, .data = val, .data_len = 8 };
	size_t n = vu_enc_config(pl, sizeof pl, &w);
	int64_t ack = n ? vfe_set(c, VU_SET_CONFIG, pl, (uint32_t)n, NULL, 0) : -1;
	/* qemu-storage-daemon acks, then closes: wait for that first */
	bool gone = closed_within(c, c->timeout_ms < 500 ? c->timeout_ms : 500);
	int g2 = gone ? -1 : get_u64_config(c, VIRTIO_BLK_CFG_CAPACITY_OFF, &cap1);
	if (g2 < 0 && c->eof) {
		/* closing the connection on a refused request is a refusal */
		vfe_why(c, "SET_CONFIG of the capacity refused by closing the connection%s",
			ack == 0 ? " (after an ack of 0)" : "");
		vfe_run_verdict(c->run, VC_R_VU_BE_22, true, "%s", c->why);
		return 0;
	}
	if (g2 != 0)
		return -1;
	bool changed = cap1 != cap0;
	if (changed)
		vfe_why(c, "SET_CONFIG of the capacity (read-only, flags 0) was taken: GET_CONFIG reads %" PRIu64
			" instead of %" PRIu64 "%s", cap1, cap0, ack == 0 ? " (acked 0)" : "");
	vfe_run_verdict(c->run, VC_R_VU_BE_22, !changed, "blk: %s", c->why);
	return changed ? 1 : 0;
}

/* VU-BE-23: in-band notifications set without the back-end channel and
 * REPLY_ACK: vhost-user.rst, In-band notifications: "the back-end should
 * close the connection as a response to a VHOST_USER_SET_PROTOCOL_FEATURES
 * message that sets the in-band notifications feature flag without the
 * other two". n/a when the back-end does not offer the feature. */
int vfe_sc_inband_without_channel(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (vfe_get_u64(c, VU_GET_FEATURES, &c->features))
		return -1;
	uint64_t pf = 0;
	if (!(c->features & VU_BIT(VU_F_PROTOCOL_FEATURES)) || vfe_get_u64(c, VU_GET_PROTOCOL_FEATURES, &pf))
		return c->eof ? -1 : -2;
	if (!(pf & VU_BIT(VU_PF_INBAND_NOTIFICATIONS))) {
		vfe_why(c, "INBAND_NOTIFICATIONS not offered");
		return -2;
	}
	/* Without REPLY_ACK there is no ack. The close is waited for before
	 * anything else is sent: a request sent meanwhile would be one the
	 * back-end closed on without answering (no finding of its own). */
	if (vfe_set_u64(c, VU_SET_PROTOCOL_FEATURES, VU_BIT(VU_PF_INBAND_NOTIFICATIONS)) < 0 && !c->eof)
		return -1;
	bool closed = closed_within(c, c->timeout_ms);
	uint64_t f;
	if (!closed && vfe_get_u64(c, VU_GET_FEATURES, &f) != 0 && c->eof)
		closed = true; /* late, but closed */
	if (!closed)
		vfe_why(c, "SET_PROTOCOL_FEATURES with INBAND_NOTIFICATIONS alone was kept: the connection still answers");
	vfe_run_verdict(c->run, VC_R_VU_BE_23, closed, "%s", c->why);
	return closed ? 0 : 1;
}
