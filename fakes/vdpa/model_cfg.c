/* The fake vDPA device's spec string ("qp=2,iova=0-0xffff,bad=overlap"):
 * defaults, help and parser. */
#include "fakes/vdpa/model_priv.h"
#include "lib/parse_num.h"

#include <stdio.h>
#include <string.h>

void vdpa_cfg_default(struct vdpa_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->device_id = VDPA_VIRTIO_ID_NET;
	c->features = (1ull << VDPA_F_VERSION_1) | (1ull << VDPA_F_ACCESS_PLATFORM) |
		      (1ull << VDPA_F_NET_MAC) | (1ull << VDPA_F_NET_STATUS) |
		      (1ull << VDPA_F_NET_MTU) | (1ull << VDPA_F_NET_CTRL_VQ) |
		      (1ull << VDPA_F_NET_MRG_RXBUF) | (1ull << VDPA_F_RING_INDIRECT_DESC) |
		      (1ull << VDPA_F_RING_EVENT_IDX);
	c->queue_pairs = 1;
	c->ctrl_vq = true;
	c->vq_num_max = 256;
	c->iova_first = 0;
	c->iova_last = UINT64_MAX;
	c->ngroups = 2;
	c->nas = 2;
	c->doorbell = true;
	c->need_access_platform = true;
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	memcpy(c->mac, mac, 6);
	c->mtu = 1500;
	c->link_up = true;
	c->max_maps = 65536;
}

uint32_t vdpa_cfg_nvqs(const struct vdpa_cfg *c)
{
	return 2u * c->queue_pairs + (c->ctrl_vq ? 1u : 0u);
}

static const struct {
	const char *name;
	uint32_t bit;
} bad_names[] = {
	{ "unstable", VDPA_BAD_UNSTABLE }, { "config-bounds", VDPA_BAD_CONFIG_BOUNDS },
	{ "vring-index", VDPA_BAD_VRING_INDEX }, { "overlap", VDPA_BAD_OVERLAP },
	{ "multi-open", VDPA_BAD_MULTI_OPEN }, { "doorbell", VDPA_BAD_DOORBELL },
	{ "inval-leak", VDPA_BAD_INVAL_LEAK }, { "status-clear", VDPA_BAD_STATUS_CLEAR },
	{ "feat-after-ok", VDPA_BAD_FEAT_AFTER_OK }, { "close-leak", VDPA_BAD_CLOSE_LEAK },
	{ "backend-unknown", VDPA_BAD_BACKEND_UNKNOWN },
};

const char *vdpa_cfg_help(void)
{
	return "qp=N (1-31), ctrl-vq=0|1, num=N (vq size max), iova=FIRST-LAST, groups=N, as=N,\n"
	       "features=0xHEX (device features), suspend, resume, enable-after-driver-ok,\n"
	       "no-doorbell, no-access-platform-check, link=0|1, mtu=N, max-maps=N,\n"
	       "memlock=BYTES (pinning limit: a larger UPDATE fails, as past RLIMIT_MEMLOCK),\n"
	       "no-ioctl=NAME[+NAME] (an older kernel or parent: e.g. VDPA_GET_VQS_COUNT, VDPA_SUSPEND),\n"
	       "bad=NAME[+NAME] (unstable config-bounds vring-index overlap multi-open doorbell\n"
	       "inval-leak status-clear feat-after-ok close-leak backend-unknown)";
}

static bool in_range(uint64_t x, uint64_t lo, uint64_t hi)
{
	return x >= lo && x <= hi;
}

int vdpa_cfg_parse(struct vdpa_cfg *c, const char *spec, char *err, size_t errlen)
{
	const char *p = spec;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t kl = eq ? (size_t)(eq - p) : n;
		const char *v = eq ? eq + 1 : NULL;
		size_t vl = eq ? n - kl - 1 : 0;
		uint64_t x = 0;
#define KEY(k) (kl == strlen(k) && memcmp(p, k, kl) == 0)
#define NUM(lo, hi) (v && vc_parse_u64(v, vl, &x) && in_range(x, lo, hi))
		if (KEY("qp") && NUM(1, (MAX_VQS - 1) / 2))
			c->queue_pairs = (uint16_t)x;
		else if (KEY("ctrl-vq") && NUM(0, 1))
			c->ctrl_vq = x;
		else if (KEY("num") && NUM(1, 32768))
			c->vq_num_max = (uint16_t)x;
		else if (KEY("groups") && NUM(1, MAX_AS))
			c->ngroups = (uint32_t)x;
		else if (KEY("as") && NUM(1, MAX_AS))
			c->nas = (uint32_t)x;
		else if (KEY("features") && NUM(0, UINT64_MAX))
			c->features = x;
		else if (KEY("mtu") && NUM(68, 65535))
			c->mtu = (uint16_t)x;
		else if (KEY("link") && NUM(0, 1))
			c->link_up = x;
		else if (KEY("memlock") && NUM(4096, UINT64_MAX))
			c->memlock = x;
		else if (KEY("max-maps") && NUM(1, 1u << 24))
			c->max_maps = (uint32_t)x;
		else if (KEY("suspend") && !v)
			c->parent_backend |= 1ull << VDPA_BF_SUSPEND;
		else if (KEY("resume") && !v)
			c->parent_backend |= 1ull << VDPA_BF_RESUME;
		else if (KEY("enable-after-driver-ok") && !v)
			c->parent_backend |= 1ull << VDPA_BF_ENABLE_AFTER_DRIVER_OK;
		else if (KEY("no-doorbell") && !v)
			c->doorbell = false;
		else if (KEY("no-access-platform-check") && !v)
			c->need_access_platform = false;
		else if (KEY("iova") && v) {
			const char *dash = memchr(v, '-', vl);
			uint64_t a, b;
			if (!dash || !vc_parse_u64(v, (size_t)(dash - v), &a) ||
			    !vc_parse_u64(dash + 1, vl - (size_t)(dash - v) - 1, &b) || a > b) {
				snprintf(err, errlen, "iova=FIRST-LAST with FIRST <= LAST expected");
				return -1;
			}
			c->iova_first = a;
			c->iova_last = b;
		} else if (KEY("no-ioctl") && v) {
			const char *q = v, *qe = v + vl;
			while (q < qe) {
				const char *plus = memchr(q, '+', (size_t)(qe - q));
				size_t ql = plus ? (size_t)(plus - q) : (size_t)(qe - q);
				const struct vdpa_ioctl_info *ri = vdpa_ioctl_by_name(q, ql);
				if (!ri || ri->request == VDPA_REQ_SET_OWNER) {
					snprintf(err, errlen, "unknown ioctl '%.*s' for no-ioctl", (int)(ql > 40 ? 40 : ql), q);
					return -1;
				}
				unsigned nr = ri->request & 0xff;
				c->absent[nr / 32] |= 1u << (nr % 32);
				q += ql + (plus ? 1 : 0);
			}
		} else if (KEY("bad") && v) {
			const char *q = v, *qe = v + vl;
			while (q < qe) {
				const char *plus = memchr(q, '+', (size_t)(qe - q));
				size_t ql = plus ? (size_t)(plus - q) : (size_t)(qe - q);
				size_t i;
				for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
					if (strlen(bad_names[i].name) == ql &&
					    memcmp(bad_names[i].name, q, ql) == 0)
						break;
				if (i == sizeof bad_names / sizeof bad_names[0]) {
					snprintf(err, errlen, "unknown misbehaviour '%.*s'", (int)(ql > 40 ? 40 : ql), q);
					return -1;
				}
				c->bad |= bad_names[i].bit;
				q += ql + (plus ? 1 : 0);
			}
		} else {
			snprintf(err, errlen, "bad device option '%.*s'", (int)(n > 60 ? 60 : n), p);
			return -1;
		}
#undef KEY
#undef NUM
		p = end ? end + 1 : NULL;
	}
	return 0;
}
