/* Private to the strace importer: what strace.c (lines, calls, the end
 * of a trace) and strace_conn.c (endpoints, their byte streams, the
 * events they make) share. */
#ifndef VCTS_STRACE_CONN_H
#define VCTS_STRACE_CONN_H

#include "vcts/trace.h"
#include "vcts/vu_stream.h"
#include "lib/trace/strace_priv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


enum { DIR_OUT = 0, DIR_IN = 1 };

enum ep_state { EP_UNDECIDED = 0, EP_VHOST, EP_REJECTED, EP_MIRROR, EP_CLOSED };

/* Hash kinds */
enum { HK_INODE = 1, HK_PIDFD, HK_BC, HK_PID, HK_SEEN_INODE, HK_SEEN_PIDFD };

struct vstream {
	struct vu_framer fr;        /* a zeroed framer is ready to use */
	struct vc_fd *fds;          /* VC_EVENT_MAX_FDS, allocated on first fd */
	uint32_t nfds_stored, nfds_total;
	bool fds_lost;              /* MSG_CTRUNC: the next message's fds are unknown */
	/* first unix socket among the fds (for SET_BACKEND_REQ_FD) */
	bool bc_valid, bc_has_peer;
	uint64_t bc_inode, bc_peer;
};

struct ep {
	uint8_t keykind;
	uint64_t ka, kb;
	uint8_t state;
	uint8_t chan;               /* enum vu_channel */
	bool is_fe;                 /* this end belongs to the front-end */
	bool dead;                  /* framing stopped (data lost or corrupt) */
	bool stalled;
	uint32_t session;
	uint32_t primary;           /* for mirrors: the end that is used */
	int64_t pid, fd;
	bool has_inode, has_peer;
	uint64_t inode, peer;
	char type[24];
	char path[108];
	uint32_t last_out_req;
	struct vstream st[2];
};

struct pidst {
	int64_t pid;
	char *pend;                 /* the first half of an <unfinished ...> call */
	size_t pend_len, pend_cap;
	bool has_pend;
	uint64_t pend_line;
	int64_t pend_time;
	bool stall;                 /* last I/O was a read that never returned data */
	uint32_t stall_ep;
	uint64_t stall_line;
	int64_t stall_time;
};

struct bcreg {
	uint32_t session;
	uint64_t be_inode;
};

#define EARLY_BAD_MAX 16

/* The last few fd annotations parsed as sockets: the same few sockets
 * carry every call of a log. */
#define SOCK_MEMO 4
#define SOCK_MEMO_TEXT 96
struct sock_memo {
	size_t len;               /* 0: unused */
	char text[SOCK_MEMO_TEXT];
	struct st_sock so;
	size_t type_off;          /* so.type is a pointer into the text */
};

struct imp {
	struct vc_trace *t;
	struct st_parser p;
	struct ep *eps;
	size_t neps, cap_eps;
	struct st_hash ep_by_key;
	struct st_hash bc_by_inode;
	struct bcreg *bcs;
	size_t nbcs, cap_bcs;
	struct pidst *pids;
	size_t npids, cap_pids;
	struct st_hash pid_idx;
	struct st_hash seen;
	uint64_t nsys, nfds;
	int64_t last_time;
	uint64_t good_lines;
	uint64_t early_bad_line[EARLY_BAD_MAX];
	char early_bad_what[EARLY_BAD_MAX][160];
	size_t nearly_bad;
	uint64_t early_bad_total;
	char *join;
	size_t join_cap;
	struct sock_memo memo[SOCK_MEMO];
	unsigned memo_next;
	bool xx;                  /* payloads seen printed with -xx (every byte escaped) */
	bool cut_tail;            /* the last line has no newline: the file was cut */
	uint64_t cut_line;
};

/* The state of a traced process (created on first use). */
struct pidst *stc_pid_get(struct imp *m, int64_t pid);
void stc_stream_free(struct vstream *s);
/* The endpoint a call's fd is (index into m->eps), -1 when it is none of
 * ours; create adds one for a socket not seen before. */
int64_t stc_ep_lookup(struct imp *m, const struct st_call *k, int64_t pid, bool create);
void stc_emit_eof(struct imp *m, struct ep *e, int d, bool partial, uint32_t pbytes,
		  uint64_t line, int64_t time_ns);
/* Bytes of a message begun and not finished in s. */
uint32_t stc_pending_bytes(const struct vstream *s);
/* The session lost bytes here: nothing after this is judged. */
void stc_emit_gap(struct imp *m, struct ep *e, int d, uint64_t line, int64_t time_ns);
/* e's peer waited from start for a reply that never came (once per end). */
void stc_emit_stall(struct imp *m, struct ep *e, uint64_t line, int64_t start);
void stc_mark_dead(struct imp *m, struct ep *e, uint64_t line, const char *why);
/* One complete I/O syscall (its line, or the line that resumed it). */
void stc_handle_io(struct imp *m, const struct st_call *k, int64_t pid, uint64_t line,
		   int64_t time_ns, uint64_t start_line, int64_t start_time);
#endif
