/* The vDPA call-sequence decoder (seq.h). */
#include "fakes/vdpa/seq.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/xalloc.h"
#include "vcts/vdpa_uapi.h"

int vdpa_seq_init(struct vdpa_seq *s, struct vdpa_port *p)
{
	memset(s, 0, sizeof *s);
	s->p = p;
	s->arg = xmalloc(VDPA_SEQ_ARG);
	s->fd = p->open(p);
	return s->fd < 0 ? s->fd : 0;
}

void vdpa_seq_end(struct vdpa_seq *s)
{
	if (s->fd >= 0)
		s->p->close(s->p, s->fd);
	s->fd = -1;
	free(s->arg);
	s->arg = NULL;
}

/* An IOTLB UPDATE for a real device: its user address inside our memory,
 * its size clamped to what is left there (0 stays 0: bug K1's probe). */
static void aim_update(struct vdpa_seq *s, uint8_t *m, size_t len)
{
	if (!s->mem || len < VDPA_MSG_V2_SIZE)
		return;
	uint32_t t;
	memcpy(&t, m, 4);
	uint8_t *b = m + (t == VDPA_MSG_TYPE_IOTLB_V2 ? VDPA_MSG_V2_IOTLB_OFF : 8);
	if (b[VDPA_IOTLB_TYPE_OFF] != VDPA_IOTLB_UPDATE)
		return;
	uint64_t ua, size;
	memcpy(&ua, b + VDPA_IOTLB_UADDR_OFF, 8);
	memcpy(&size, b + VDPA_IOTLB_SIZE_OFF, 8);
	uint64_t off = (ua % s->mem_len) & ~0xfffull;
	if (size > s->mem_len - off)
		size = s->mem_len - off;
	ua = (uint64_t)(uintptr_t)s->mem + off;
	memcpy(b + VDPA_IOTLB_UADDR_OFF, &ua, 8);
	memcpy(b + VDPA_IOTLB_SIZE_OFF, &size, 8);
}

static void step(struct vdpa_seq *s, const uint8_t *r, const uint8_t *rest, size_t restlen)
{
	uint32_t req, val;
	uint16_t len;
	memcpy(&len, r + 2, 2);
	memcpy(&req, r + 4, 4);
	memcpy(&val, r + 8, 4);
	uint8_t *arg = s->arg;
	memset(arg, 0, VDPA_SEQ_ARG);
	memcpy(arg, rest, restlen < VDPA_SEQ_ARG ? restlen : VDPA_SEQ_ARG);
	memcpy(arg + 4, &val, 4);
	long ret = 0;
	char name[48];
	if (r[0] % 4 == 3) {
		if (r[1] != 0xff)
			return;
		if (s->fd >= 0)
			s->p->close(s->p, s->fd);
		s->fd = s->p->open(s->p);
		ret = s->fd < 0 ? s->fd : 0;
		if (s->log)
			fprintf(s->log, "reopen -> %ld\n", ret);
		s->calls++;
		s->failed += ret < 0;
		return;
	}
	if (s->fd < 0)
		return;
	switch (r[0] % 4) {
	case 0: {
		/* a known request most of the time */
		static const uint32_t known[] = {
#define X(n, dd, nr, sz) VDPA_REQ_##n,
			VDPA_IOCTLS(X)
#undef X
		};
		uint32_t rq = r[1] < 200 ? known[r[1] % (sizeof known / sizeof known[0])] : req;
		ret = s->p->ioctl(s->p, s->fd, rq, r[1] & 1 ? NULL : arg);
		if (s->log)
			fprintf(s->log, "ioctl %s%s -> %ld\n", vdpa_ioctl_name(rq, name, sizeof name),
				r[1] & 1 ? " NULL" : "", ret);
		break;
	}
	case 1:
		aim_update(s, arg, len % 200);
		ret = s->p->write(s->p, s->fd, arg, len % 200);
		if (s->log)
			fprintf(s->log, "write %u bytes type %u -> %ld\n", len % 200, arg[0], ret);
		break;
	default: {
		void *a = NULL;
		size_t mlen = (size_t)len << 4;
		int prot = r[1] & 3, flags = (int)(val & 3);
		ret = s->p->mmap(s->p, s->fd, mlen, prot, flags, (off_t)((uint64_t)req << 12), &a);
		if (ret == 0)
			s->p->munmap(s->p, s->fd, a, mlen, (off_t)((uint64_t)req << 12));
		if (s->log)
			fprintf(s->log, "mmap len %zu prot %d flags %d index %u -> %ld\n", mlen, prot, flags, req, ret);
		break;
	}
	}
	s->calls++;
	s->failed += ret < 0;
}

void vdpa_seq_run(struct vdpa_seq *s, const uint8_t *data, size_t size)
{
	size_t i = 0;
	while (i + VDPA_SEQ_REC <= size) {
		const uint8_t *r = data + i;
		i += VDPA_SEQ_REC;
		if (r[0] % 4 == 3 && r[1] == 0xfe) {
			/* a marker: the next record's argument is the len bytes
			 * after it, and decoding goes on after them (how
			 * generated sequences keep arguments apart) */
			uint16_t l;
			memcpy(&l, r + 2, 2);
			if (i + VDPA_SEQ_REC > size)
				break;
			size_t avail = size - i - VDPA_SEQ_REC, take = l < avail ? l : avail;
			step(s, data + i, data + i + VDPA_SEQ_REC, take);
			i += VDPA_SEQ_REC + take;
			continue;
		}
		step(s, r, data + i, size - i);
	}
}
