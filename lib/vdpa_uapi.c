/* The vhost-vdpa ioctl table (rows in include/vcts/vdpa_uapi.h). */
#include "vcts/vdpa_uapi.h"

#include <stdio.h>
#include <string.h>

/* The requests whose argument starts with a u32 vring (or group) index. */
#define TAKES_INDEX(nr) (((nr) >= 0x10 && (nr) <= 0x22) || (nr) == 0x75 || (nr) == 0x7B || \
			 (nr) == 0x7C || (nr) == 0x7F)

static const struct vdpa_ioctl_info table[] = {
#define VDPA_X_ROW(n, d, nr, sz) { #n, VDPA_IOC(d, nr, sz), d, sz, TAKES_INDEX(nr) },
	VDPA_IOCTLS(VDPA_X_ROW)
#undef VDPA_X_ROW
};

const struct vdpa_ioctl_info *vdpa_ioctl(uint32_t request)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].request == request)
			return &table[i];
	return NULL;
}

const struct vdpa_ioctl_info *vdpa_ioctl_by_name(const char *name, size_t len)
{
	if (len > 6 && memcmp(name, "VHOST_", 6) == 0) {
		name += 6;
		len -= 6;
	}
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

const char *vdpa_ioctl_name(uint32_t request, char *buf, size_t len)
{
	const struct vdpa_ioctl_info *r = vdpa_ioctl(request);
	if (r)
		return r->name;
	snprintf(buf, len, "0x%08x", request);
	return buf;
}

const char *vdpa_backend_feature_name(unsigned bit)
{
	static const char *const n[] = { "?", "IOTLB_MSG_V2", "IOTLB_BATCH", "IOTLB_ASID",
					 "SUSPEND", "RESUME", "ENABLE_AFTER_DRIVER_OK",
					 "DESC_ASID", "IOTLB_PERSIST" };
	return bit < sizeof n / sizeof n[0] ? n[bit] : "?";
}
