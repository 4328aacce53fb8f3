/* The fake vDPA device: one transport-independent model of what the
 * kernel's vhost-vdpa driver (drivers/vhost/vdpa.c, vhost.c) does with a
 * simulated virtio-net parent. Transports (in-process calls, the LD_PRELOAD
 * shim, CUSE) hand it the caller's ioctl/write/mmap and get the kernel's
 * answer: a result >= 0 or -errno. Every operation is reported as one
 * vc_event to an observer (rule engine, native capture).
 *
 * The caller's memory and fds are reached through a struct vdpa_mem, so a
 * bad pointer is an EFAULT answer, never a crash of the fake. */
#ifndef VCTS_FAKE_VDPA_H
#define VCTS_FAKE_VDPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vcts/event.h"

/* Ways the fake can misbehave, one per certification check (so every
 * VDPA-DEV check can be seen to fail). */
enum vdpa_bad {
	VDPA_BAD_UNSTABLE = 1u << 0,     /* GET_FEATURES answers differ between calls (DEV-01) */
	VDPA_BAD_CONFIG_BOUNDS = 1u << 1,/* GET/SET_CONFIG accept off + len > size (DEV-02) */
	VDPA_BAD_VRING_INDEX = 1u << 2,  /* vring ioctls accept an index >= vq count (DEV-03) */
	VDPA_BAD_OVERLAP = 1u << 3,      /* overlapping IOTLB UPDATE accepted (DEV-04) */
	VDPA_BAD_MULTI_OPEN = 1u << 4,   /* a second open succeeds (DEV-05) */
	VDPA_BAD_DOORBELL = 1u << 5,     /* readable doorbell mappings accepted (DEV-06) */
	VDPA_BAD_INVAL_LEAK = 1u << 6,   /* INVALIDATE leaves the mapping in place (DEV-07) */
	VDPA_BAD_STATUS_CLEAR = 1u << 7, /* SET_STATUS that clears bits succeeds (VDPA-STS-05) */
	VDPA_BAD_FEAT_AFTER_OK = 1u << 8,/* SET_FEATURES after FEATURES_OK succeeds (VDPA-FEAT-05) */
	VDPA_BAD_CLOSE_LEAK = 1u << 9,   /* close() keeps the IOTLB (DEV-05) */
	VDPA_BAD_BACKEND_UNKNOWN = 1u << 10, /* unknown backend feature bits accepted (FEAT-05) */
};

struct vdpa_cfg {
	uint32_t device_id;        /* virtio device id (1 = net) */
	uint64_t features;         /* device features offered */
	uint64_t parent_backend;   /* backend bits the parent adds: SUSPEND, RESUME, ENABLE_AFTER_DRIVER_OK */
	uint16_t queue_pairs;      /* data queue pairs (config max_virtqueue_pairs) */
	bool ctrl_vq;              /* one control vq after the data vqs */
	uint16_t vq_num_max;       /* GET_VRING_NUM */
	uint64_t iova_first, iova_last;
	uint32_t ngroups, nas;     /* vq groups, address spaces (>= 1) */
	bool doorbell;             /* doorbell pages can be mmapped */
	bool need_access_platform; /* SET_FEATURES without ACCESS_PLATFORM fails (EINVAL) */
	uint8_t mac[6];
	uint16_t mtu;
	bool link_up;
	uint32_t max_maps;         /* IOTLB entries over all address spaces (ENOMEM beyond) */
	/* RLIMIT_MEMLOCK of a physical-address parent: an UPDATE that would
	 * pin more bytes in all fails (ENOMEM, seen as EFAULT); 0 = none. */
	uint64_t memlock;
	uint32_t bad;              /* enum vdpa_bad */
	uint32_t absent[8];        /* ioctls this kernel/parent lacks (ENOTTY), bit per number (nr) */
};

/* vdpa_sim-like defaults: net, 1 queue pair + ctrl vq, 256 entries,
 * IOVA 0..2^64-1, 2 groups and 2 address spaces, doorbells, no suspend. */
void vdpa_cfg_default(struct vdpa_cfg *c);
/* Apply "key=value,key,..." (vdpa_cfg_help() lists the keys). 0 or -1
 * with a one-line reason in err. */
int vdpa_cfg_parse(struct vdpa_cfg *c, const char *spec, char *err, size_t errlen);
const char *vdpa_cfg_help(void);
/* The number of vqs the device has. */
uint32_t vdpa_cfg_nvqs(const struct vdpa_cfg *c);

/* How the model reaches the caller: its memory and its fds. */
struct vdpa_mem {
	/* Copy len bytes at the caller's addr; 0 or -EFAULT. */
	int (*read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t addr, const void *buf, size_t len);
	/* A new fd of this process for the caller's fd, or -EBADF. */
	int (*getfd)(void *opaque, int fd);
	void *opaque;
};
/* The caller is this process (in-process API, LD_PRELOAD shim): memory
 * through process_vm_readv/writev on ourselves (bad pointers -> EFAULT). */
extern const struct vdpa_mem vdpa_mem_self;

typedef void (*vdpa_observer)(const struct vc_event *ev, void *opaque);

struct vdpa_dev;

struct vdpa_dev *vdpa_dev_new(const struct vdpa_cfg *c);
/* Releases an open file first. */
void vdpa_dev_free(struct vdpa_dev *d);
const struct vdpa_cfg *vdpa_config(const struct vdpa_dev *d);
/* Every operation becomes one event (ev->session = the open's number). */
void vdpa_dev_set_observer(struct vdpa_dev *d, vdpa_observer fn, void *opaque);

/* open(): 0 or -EBUSY (the device is exclusive). client_fd names the
 * caller's fd in events. */
int vdpa_dev_open(struct vdpa_dev *d, int client_fd);
/* The last close of the open file: reset, drop every mapping and fd. */
void vdpa_dev_release(struct vdpa_dev *d);
/* ioctl(fd, request, arg): >= 0 or -errno, as the kernel answers. */
long vdpa_dev_ioctl(struct vdpa_dev *d, const struct vdpa_mem *m, uint32_t request, uint64_t arg);
/* write(fd, buf, len) of IOTLB messages. */
long vdpa_dev_write(struct vdpa_dev *d, const struct vdpa_mem *m, uint64_t buf, size_t len);
/* May the caller mmap this? 0 (the transport then maps a doorbell page) or
 * -errno. unmap reports a munmap of a doorbell (always 0). */
int vdpa_dev_mmap(struct vdpa_dev *d, uint64_t len, int prot, int flags, uint64_t off);
void vdpa_dev_munmap(struct vdpa_dev *d, uint64_t len, uint64_t off);

/* What the device holds, for leak checks. */
struct vdpa_stats {
	uint64_t opens;        /* successful opens so far */
	bool open;
	uint32_t maps;         /* IOTLB entries in force, all address spaces */
	uint32_t fds;          /* eventfds held (kick, call, err, config) */
	uint32_t doorbells;    /* doorbell pages mapped */
	uint8_t status;
	uint64_t iotlb_updates;/* successful UPDATEs so far */
};
void vdpa_get_stats(struct vdpa_dev *d, struct vdpa_stats *s);
/* The IOTLB entries in force, every address space, in address order per
 * space: up to max copied to out; returns how many there are. */
struct vdpa_map_info {
	uint32_t asid;
	uint64_t iova, size, uaddr;
	uint8_t perm;
};
size_t vdpa_get_maps(struct vdpa_dev *d, struct vdpa_map_info *out, size_t max);
/* The config space as the device holds it (VDPA_NETCFG_SIZE bytes). */
void vdpa_get_config_space(struct vdpa_dev *d, uint8_t *buf, size_t len);

#endif
