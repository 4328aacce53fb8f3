/* Packed virtqueues (VIRTIO 1.2, 2.8): the ring layout the fake back-end
 * and the driver share, and the vhost-user "descriptor indices for packed
 * virtqueues" word that SET_VRING_BASE and GET_VRING_BASE carry for them
 * (vhost-user.rst); and the split virtqueue layout (VIRTIO 1.2, 2.7), the
 * one definition the fakes, the driver and the fuzzers use. Split-ring
 * part sizes for a queue of num entries: vu_*_bytes() in wire_decode.h. */
#ifndef VCTS_VRING_H
#define VCTS_VRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A split descriptor: le64 addr, le32 len, le16 flags, le16 next. */
#define VRING_DESC_SIZE 16u
#define VRING_DESC_LEN 8u            /* offset of len */
#define VRING_DESC_FLAGS 12u         /* offset of flags */
#define VRING_DESC_NEXT 14u          /* offset of next */
/* Available and used rings: le16 flags, le16 idx, then the ring. */
#define VRING_RING_HDR 4u
#define VRING_RING_IDX 2u            /* offset of idx */
#define VRING_AVAIL_ELEM 2u          /* le16 descriptor head */
#define VRING_USED_ELEM 8u           /* le32 id, le32 len */
/* VIRTIO_F_EVENT_IDX: a le16 after each ring (used_event, avail_event). */
#define VRING_EVENT_IDX_SIZE 2u
/* Alignment of the parts (VIRTIO 1.2, 2.7: 16, 2, 4). */
#define VRING_DESC_ALIGN 16u
#define VRING_AVAIL_ALIGN 2u
#define VRING_USED_ALIGN 4u

/* A packed descriptor: le64 addr, le32 len, le16 id, le16 flags. */
#define VRING_PACKED_DESC_SIZE 16u
#define VRING_PACKED_DESC_ID 12u     /* offset of id */
#define VRING_PACKED_DESC_FLAGS 14u  /* offset of flags */
/* Descriptor flags, the same bits in split and packed rings. */
#define VRING_DESC_F_NEXT 0x1u
#define VRING_DESC_F_WRITE 0x2u
#define VRING_DESC_F_INDIRECT 0x4u
#define VRING_PACKED_DESC_F_AVAIL 0x80u    /* bit 7 */
#define VRING_PACKED_DESC_F_USED 0x8000u   /* bit 15 */
/* Driver and device event suppression areas: le16 off_wrap, le16 flags. */
#define VRING_PACKED_EVENT_SIZE 4u
/* A packed ring holds at most 2^15 descriptors (15-bit indexes). */
#define VRING_PACKED_MAX 32768u

/* The 32-bit state word: bits 0-14 avail index, 15 avail wrap counter,
 * 16-30 used index, 31 used wrap counter. */
#define VU_PACKED_IDX_MASK 0x7fffu
#define VU_PACKED_AVAIL_WRAP 0x8000u
#define VU_PACKED_USED_SHIFT 16
#define VU_PACKED_USED_WRAP 0x80000000u
/* A fresh ring: both indexes 0, both wrap counters 1 (VIRTIO 1.2, 2.8.1:
 * each wrap counter is initialised to 1). */
#define VU_PACKED_FRESH 0x80008000u

struct vu_packed_base {
	uint16_t avail, used;      /* ring positions */
	bool avail_wrap, used_wrap;
};

void vu_packed_base_dec(uint32_t num, struct vu_packed_base *out);
uint32_t vu_packed_base_enc(const struct vu_packed_base *b);
/* "avail 5 wrap 1 used 3 wrap 1" */
const char *vu_packed_base_str(uint32_t num, char *buf, size_t len);
/* Buffers the device holds between taking and using them: how far the
 * avail position runs ahead of the used one, each counted from the fresh
 * state (position + size when its wrap counter is 0, modulo 2 * size).
 * Both positions must be below size. A device never uses more than it took
 * nor takes more than a ring ahead, so a valid state gives 0..size. */
uint32_t vu_packed_base_held(const struct vu_packed_base *b, uint32_t size);
/* Advance a ring position by n descriptors, flipping the wrap counter at
 * the end of the ring. */
void vu_packed_advance(uint16_t *pos, bool *wrap, uint32_t n, uint32_t size);
/* Device request layouts the fakes, the driver and the fuzzers build or
 * parse (VIRTIO 1.2, 5.1.6 and 5.2.6): virtio-net's header with
 * VIRTIO_F_VERSION_1; a virtio-blk request's header (le32 type, le32
 * reserved, le64 sector), its status byte's values and the sector size.
 * Prefixed: linux/virtio_blk.h names the same facts for the vDPA code. */
#define VC_NET_HDR_BYTES 12u
#define VC_BLK_HDR_BYTES 16u
#define VC_BLK_T_IN 0u
#define VC_BLK_T_OUT 1u
#define VC_BLK_T_FLUSH 4u
#define VC_BLK_T_GET_ID 8u
#define VC_BLK_S_OK 0u
#define VC_BLK_S_IOERR 1u
#define VC_BLK_S_UNSUPP 2u
#define VC_BLK_SECTOR 512u
#define VC_BLK_ID_BYTES 20u
#endif
