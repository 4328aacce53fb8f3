/* A byte string read as a sequence of vhost-vdpa calls (fakes/vdpa/seq.c):
 * the decoder of the vDPA fuzz harness (fuzz/fuzz_vdpa.c, against the
 * model) and of `vhost-cts fuzz-device` (against a real device node). Each
 * 12-byte record is (op u8, sel u8, len u16, request u32, value u32); the
 * bytes after it are the call's argument. A marker record (op 3, sel 0xfe,
 * len N) makes the next record's argument its N following bytes only, and
 * decoding resumes after them. */
#ifndef VCTS_FAKE_VDPA_SEQ_H
#define VCTS_FAKE_VDPA_SEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fakes/vdpa/port.h"

#define VDPA_SEQ_REC 12u
#define VDPA_SEQ_ARG 8192u /* argument buffer: larger than any config space */

struct vdpa_seq {
	struct vdpa_port *p;
	int fd;                /* the open device, < 0 after a failed reopen */
	/* For a real device: point IOTLB UPDATEs into this shared memory
	 * (page-aligned, clamped to it) so most map something real. NULL:
	 * the argument bytes are sent as they are (the model harness). */
	uint8_t *mem;
	size_t mem_len;
	FILE *log;             /* a line per call, when set */
	uint64_t calls, failed;
	uint8_t *arg;          /* VDPA_SEQ_ARG bytes, owned */
};

/* p must be usable; opens the device. 0, or -errno of the open. */
int vdpa_seq_init(struct vdpa_seq *s, struct vdpa_port *p);
/* Run every whole record of data in order. */
void vdpa_seq_run(struct vdpa_seq *s, const uint8_t *data, size_t size);
/* Close the device (if open) and free. */
void vdpa_seq_end(struct vdpa_seq *s);

#endif
