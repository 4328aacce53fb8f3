/* The one event stream. Every source (trace importers, the fake back-end,
 * the fake vDPA device, the mock memory listener, the front-end driver)
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

struct vc_event {
	uint8_t kind;          /* enum vc_event_kind */
	uint8_t dir;           /* enum vc_dir */
	uint32_t session;      /* index into the trace's sessions */
	uint64_t index;        /* position in the session's stream, 0-based */
	int64_t time_ns;       /* since the epoch or the recording's start; -1 unknown */
	struct vc_src src;
	uint32_t nfds;         /* fds that came with the message */
	bool has_fds;          /* false when the source cannot see fds */
	struct vc_fd fds[VC_EVENT_MAX_FDS];
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
	} u;
};

#define VC_SESSION_NAME_MAX 160

struct vc_session {
	uint32_t id;
	uint8_t traced_side;   /* enum vc_side */
	char name[VC_SESSION_NAME_MAX];  /* e.g. "pid 42 fd 17 /tmp/vhost.sock" */
	const char *source;    /* file it came from */
	uint64_t messages;
};

const char *vc_fd_kind_name(enum vc_fd_kind k);
enum vc_fd_kind vc_fd_kind_by_name(const char *name);
const char *vc_side_name(enum vc_side s);
const char *vc_dir_name(enum vc_dir d);
const char *vc_event_kind_name(enum vc_event_kind k);

/* Convenience: the vring index in a vhost-user payload (first u32 or
 * u64 & 0xff), or -1 when the payload does not hold one. */
int64_t vc_vu_ring_index(const struct vc_event *ev);

#endif
