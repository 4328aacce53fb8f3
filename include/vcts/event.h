/* The one event stream. Every source (trace importers, the fake back-end,
 * the fake vDPA device, the memory model, the front-end driver)
 * produces these; the rule engine judges them; the native capture format
 * stores them losslessly. A source only has to fill a struct vc_event. */
#ifndef VCTS_EVENT_H
#define VCTS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vc_event_kind {
	VC_EV_VU_MSG = 1,  /* one whole vhost-user message */
	VC_EV_VU_EOF,      /* a peer closed (or a partial message was cut off) */
	VC_EV_VU_KICK,     /* a live source saw a ring's kick eventfd fire */
	VC_EV_VU_STALL,    /* a live source saw no traffic while a reply is owed */
	/* Memory listener (lib/model): what the memory API told a vhost
	 * listener, and what the listener decided. Its messages to the device
	 * are VC_EV_VU_MSG (vhost-user) or VC_EV_VDPA_IOTLB (vhost-vdpa). */
	VC_EV_MEM_BEGIN,   /* a transaction begins; carries the listener's configuration */
	VC_EV_MEM_REGION,  /* region_add / region_nop / region_del of one section */
	VC_EV_MEM_COMMIT,  /* the transaction commits */
	VC_EV_MEM_LOG,     /* log_global_start / log_global_stop */
	VC_EV_MEM_RING,    /* the device started or stopped a ring (addresses, for verification) */
	VC_EV_MEM_REPORT,  /* a decision or error the listener reported */
	VC_EV_VDPA_IOTLB,  /* one IOTLB message a vhost-vdpa client wrote to the device */
	/* vhost-vdpa file operations (fakes/vdpa, strace of a client): u.vdpa.
	 * A write() of exactly one whole message (72 bytes, type 1 or 2) is a
	 * VC_EV_VDPA_IOTLB (with its result); any other write is a
	 * VC_EV_VDPA_WRITE with the bytes. */
	VC_EV_VDPA_OPEN,   /* open() of the device node */
	VC_EV_VDPA_CLOSE,  /* the last close of the open file */
	VC_EV_VDPA_IOCTL,  /* one ioctl: request, argument bytes in and out, result */
	VC_EV_VDPA_WRITE,  /* a write() that is not one whole IOTLB message */
	VC_EV_VDPA_MMAP,   /* mmap() of a doorbell page (or munmap when len/prot say so) */
	/* The source lost part of this session's input (a line it could not
	 * read, a cut payload, a stream it stopped framing): what follows in
	 * the session is not judged (conformance/engine.c), the session is
	 * reported incomplete. src names where the loss was seen. */
	VC_EV_GAP,
	VC_EV_KIND_MAX,    /* later sources add kinds before this */
};

/* Who sent it. */
enum vc_dir {
	VC_DIR_FE_TO_BE = 0, /* front-end -> back-end */
	VC_DIR_BE_TO_FE = 1, /* back-end -> front-end */
};

/* Which process a recording was taken from. */
enum vc_side { VC_SIDE_UNKNOWN = 0, VC_SIDE_FRONTEND, VC_SIDE_BACKEND, VC_SIDE_LIVE };

enum vc_fd_kind {
	VC_FD_UNKNOWN = 0,
	VC_FD_MEMFD,
	VC_FD_FILE,      /* regular file, including hugetlbfs and /dev/shm */
	VC_FD_EVENTFD,
	VC_FD_SOCKET,
	VC_FD_PIPE,
	VC_FD_USERFAULTFD,
	VC_FD_DEVICE,
	VC_FD_ANON,      /* other anon_inode */
	VC_FD_KIND_MAX,
};

#define VC_FD_NAME_MAX 96

/* What is known of one passed fd. Traces know kind and name; live
 * sources also know size and identity. */
struct vc_fd {
	uint8_t kind;          /* enum vc_fd_kind */
	int64_t size;          /* fstat size, -1 if unknown */
	uint64_t ident;        /* backing identity (dev/ino or name hash), 0 if unknown */
	char name[VC_FD_NAME_MAX]; /* e.g. "/memfd:mem (deleted)" */
};

/* Events keep up to this many fd descriptions; nfds still counts all. */
#define VC_EVENT_MAX_FDS 32

/* Where the event came from, for findings: "qemu.strace:1234" or
 * "live:+0x1f0". */
struct vc_src {
	const char *file;      /* not owned by the event */
	uint64_t line;         /* 1-based line, or byte offset when is_offset */
	bool is_offset;
};

struct vc_vu_msg {
	uint8_t chan;          /* enum vu_channel */
	uint32_t request;
	uint32_t flags;
	uint32_t size;         /* header size field */
	bool has_payload;      /* false for QEMU trace logs: only req/flags */
	bool has_size;         /* false when the source did not record size */
	const uint8_t *payload;/* payload_len bytes (== size when complete) */
	uint32_t payload_len;
};

/* ---- memory listener ---- */

enum vc_mem_op { VC_MEM_ADD = 0, VC_MEM_NOP = 1, VC_MEM_DEL = 2 };

/* Section kinds (what QEMU's memory_region_is_* answer for its region). */
#define VC_MEMF_RAM        0x01u
#define VC_MEMF_ROM        0x02u
#define VC_MEMF_RAM_DEVICE 0x04u  /* MMIO mapped as RAM (host notifiers, VFIO BARs) */
#define VC_MEMF_IOMMU      0x08u
#define VC_MEMF_READONLY   0x10u
#define VC_MEMF_ALL        0x1fu
/* Dirty-log mask bits (QEMU's DIRTY_MEMORY_VGA, _CODE, _MIGRATION). */
#define VC_MEM_DIRTY_VGA       0x1u
#define VC_MEM_DIRTY_CODE      0x2u
#define VC_MEM_DIRTY_MIGRATION 0x4u
#define VC_MEM_DIRTY_ALL       0x7u

#define VC_MEM_NAME_MAX 64

/* One section of the flat view: a piece of a memory region mapped at a
 * guest-physical range. Sections of the same region share name and
 * backing; name is what identifies the region (as in QEMU's traces). */
struct vc_mem_section {
	uint64_t gpa;          /* offset_within_address_space */
	uint64_t size;
	uint64_t hva;          /* host address of the first byte (0 for non-RAM) */
	uint64_t offset;       /* offset_within_region */
	uint64_t fd_ident;     /* backing file identity, 0 none/unknown */
	uint64_t page_size;    /* of the RAM block; 0 unknown */
	uint32_t flags;        /* VC_MEMF_* */
	uint8_t dirty_mask;    /* VC_MEM_DIRTY_* */
	char name[VC_MEM_NAME_MAX];
};

enum vc_mem_backend { VC_MEMB_VHOST_USER = 0, VC_MEMB_VHOST_KERNEL = 1, VC_MEMB_VHOST_VDPA = 2 };

struct vc_mem_begin {
	uint8_t backend;       /* enum vc_mem_backend */
	bool iotlb_batch;      /* vhost-vdpa: VHOST_BACKEND_F_IOTLB_BATCH negotiated */
	bool decisions;        /* the source records the listener's decisions (QEMU trace) */
	uint32_t slots;        /* memory-slot limit of the device, 0 unknown */
	uint32_t target_page;  /* vhost-vdpa TARGET_PAGE_SIZE, 0 = 4096 */
};

struct vc_mem_commit {
	bool has_decision;     /* the source recorded changed/started */
	bool changed;
	bool started;
};

struct vc_mem_ring {
	uint32_t index;
	bool start;            /* false: stopped */
	uint64_t gpa[3];       /* desc, avail, used */
	uint64_t size[3];
	uint64_t hva[3];       /* where the device mapped them at start */
};

enum vc_mem_report_code {
	VC_MEMR_REJECT = 1,    /* section filtered out; value = QEMU's reason (1 dirty log, 2 back-end, 3 not RAM) */
	VC_MEMR_ALIGNED,       /* section after page rounding: gpa, size, hva */
	VC_MEMR_MERGED,        /* merged into the previous: gpa, size, value = offset in region */
	VC_MEMR_OVERLAP,       /* overlapping, not coherent with the previous: gpa */
	VC_MEMR_BEFORE_PREV,   /* rounded to before the previous section: gpa */
	VC_MEMR_RING_UNMAPPED, /* ring verification -ENOMEM: ring, part */
	VC_MEMR_RING_RELOCATED,/* ring verification -EBUSY: ring, part */
	VC_MEMR_SLOTS,         /* table exceeds the slot limit: value = regions, size = limit */
	VC_MEMR_UNALIGNED,     /* vhost-vdpa refused an unaligned section: gpa, size */
	VC_MEMR_SKIPPED,       /* vhost-vdpa skipped a section: gpa, size */
	/* What a vhost-vdpa listener recorded it did for the section of the
	 * last VC_EV_MEM_REGION (QEMU trace logs: the differential check). */
	VC_MEMR_VDPA_MAP,      /* UPDATE sent: gpa = iova, size, hva = uaddr, value = perm */
	VC_MEMR_VDPA_UNMAP,    /* INVALIDATE sent: gpa = iova, size */
	VC_MEMR_VDPA_NONE,     /* nothing sent for the section */
	VC_MEMR_VDPA_BATCH_BEGIN, /* BATCH_BEGIN sent in this transaction */
	VC_MEMR_VDPA_BATCH_END,   /* BATCH_END sent at this commit */
	VC_MEMR_CODE_MAX,
};

struct vc_mem_report {
	uint8_t code;          /* enum vc_mem_report_code */
	uint32_t ring, part;
	uint64_t gpa, size, hva, value;
	char name[VC_MEM_NAME_MAX];
};

/* The IOTLB message fields of struct vhost_msg_v2 (include/vcts/vdpa_uapi.h). */
struct vc_vdpa_iotlb {
	uint32_t msg_type;     /* VHOST_IOTLB_MSG / _MSG_V2 */
	uint32_t asid;
	uint8_t type;          /* VDPA_IOTLB_* */
	uint8_t perm;
	uint64_t iova, size, uaddr;
	/* Result of the write(), when the source saw it (live, strace). */
	bool has_result;
	int32_t err;           /* errno, 0 when the write succeeded */
};

/* One vhost-vdpa file operation (VC_EV_VDPA_OPEN .. _MMAP). Argument bytes
 * are out of line (arena-owned once added, like vu payloads). */
struct vc_vdpa_op {
	int32_t fd;            /* the client's fd number, -1 unknown */
	uint32_t request;      /* IOCTL: request number */
	bool has_result;
	int64_t ret;           /* return value (mmap: 0 on success) */
	int32_t err;           /* errno when it failed, else 0 */
	bool in_known;         /* in bytes recorded (false: pointer not readable / not traced) */
	bool out_known;
	uint32_t in_len, out_len;
	const uint8_t *in;     /* IOCTL: argument as passed; WRITE: the bytes written */
	const uint8_t *out;    /* IOCTL: argument as the device left it (read direction) */
	uint64_t len;          /* WRITE: bytes asked; MMAP: length */
	uint64_t off;          /* MMAP: file offset */
	uint32_t prot, flags;  /* MMAP */
	bool unmap;            /* MMAP: this is the munmap of a doorbell */
};

struct vc_event {
	uint8_t kind;          /* enum vc_event_kind */
	uint8_t dir;           /* enum vc_dir */
	uint32_t session;      /* index into the trace's sessions */
	uint64_t index;        /* position in the session's stream, 0-based */
	int64_t time_ns;       /* since the epoch or the recording's start; -1 unknown */
	struct vc_src src;
	uint32_t nfds;         /* fds that came with the message */
	bool has_fds;          /* false when the source cannot see fds */
	/* Descriptions of the first min(nfds, VC_EVENT_MAX_FDS) fds, out of
	 * line so an event stays small (a trace holds millions); owned by the
	 * trace's arena once added, by the producer before that. */
	struct vc_fd *fds;
	union {
		struct vc_vu_msg vu;
		struct {
			uint32_t ring;
		} kick;          /* VC_EV_VU_KICK */
		struct {
			uint32_t owed_request;
			int64_t quiet_ns;
		} stall;         /* VC_EV_VU_STALL */
		struct {
			bool partial; /* EOF cut a message short: VU-HDR-06 */
			uint32_t partial_bytes;
		} eof;           /* VC_EV_VU_EOF */
		struct vc_mem_begin mem_begin;   /* VC_EV_MEM_BEGIN */
		struct {
			uint8_t op;               /* enum vc_mem_op */
			struct vc_mem_section s;
		} mem_region;                    /* VC_EV_MEM_REGION */
		struct vc_mem_commit mem_commit; /* VC_EV_MEM_COMMIT */
		struct {
			bool start;
		} mem_log;                       /* VC_EV_MEM_LOG */
		struct vc_mem_ring mem_ring;     /* VC_EV_MEM_RING */
		struct vc_mem_report mem_report; /* VC_EV_MEM_REPORT */
		struct vc_vdpa_iotlb iotlb;      /* VC_EV_VDPA_IOTLB */
		struct vc_vdpa_op vdpa;          /* VC_EV_VDPA_OPEN .. VC_EV_VDPA_MMAP */
	} u;
};

#define VC_SESSION_NAME_MAX 160

struct vc_session {
	uint32_t id;
	uint8_t traced_side;   /* enum vc_side */
	char name[VC_SESSION_NAME_MAX];  /* e.g. "pid 42 fd 17 /tmp/vhost.sock" */
	const char *source;    /* file it came from */
	uint64_t messages;
	/* Queue (ring) count the back-end offers, when the source knows it
	 * (a live fake's profile); 0 = unknown. VU-RING-01 judges indexes by
	 * it when no GET_QUEUE_NUM was exchanged. */
	uint32_t queues;
};

const char *vc_fd_kind_name(enum vc_fd_kind k);
enum vc_fd_kind vc_fd_kind_by_name(const char *name);
const char *vc_side_name(enum vc_side s);
const char *vc_dir_name(enum vc_dir d);
const char *vc_event_kind_name(enum vc_event_kind k);

/* Fill a vhost-user message whose header (request, flags, size) and
 * payload bytes were both seen: every source that has the bytes uses
 * this, so none forgets a flag. */
void vc_vu_msg_set(struct vc_vu_msg *m, uint8_t chan, uint32_t request, uint32_t flags,
		   uint32_t size, const uint8_t *payload, uint32_t payload_len);

/* Fill a vDPA ioctl seen to succeed, with its argument as passed (in) and
 * as the device left it (out), NULL where not seen; the fd unknown. */
void vc_vdpa_op_set(struct vc_vdpa_op *o, uint32_t request, const void *in, uint32_t in_len,
		    const void *out, uint32_t out_len);

/* Convenience: the vring index in a vhost-user payload (first u32 or
 * u64 & 0xff), or -1 when the payload does not hold one. */
int64_t vc_vu_ring_index(const struct vc_event *ev);

#endif
