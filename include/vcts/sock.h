/* The vhost-user socket transport: one message out with its fds
 * (SCM_RIGHTS), one whole message in with its fds. The one copy both live
 * fakes (the back-end and the front-end driver) and the fuzz harnesses
 * use; what arrives is hostile (sizes bounded before anything is
 * allocated, every received fd owned by exactly one place). */
#ifndef VCTS_SOCK_H
#define VCTS_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vcts/event.h"
#include "vcts/wire.h"

/* The kernel's SCM_MAX_FD: the most fds one sendmsg can carry, and the
 * control buffer a receiver needs so that none is cut unseen. */
#define VC_SOCK_MAX_FDS 253u

/* Send len bytes of buf with nfds fds (at most VC_SOCK_MAX_FDS, passed
 * with the first byte). Retries EINTR and partial writes; never raises
 * SIGPIPE. When the socket is full it waits for room, up to timeout_ms in
 * all (negative: no limit). 0, or -1 with errno: ETIMEDOUT when the peer
 * did not read in time, EINVAL for too many fds, else sendmsg's error
 * (EPIPE, ECONNRESET: the peer is gone). The fds stay the caller's. */
int vc_sock_send(int sock, const void *buf, size_t len, const int *fds, unsigned nfds,
		 int timeout_ms);
/* One vhost-user message: the header (req, flags, size as given: a
 * negative test may declare a size other than len) then len bytes. */
int vc_sock_send_msg(int sock, uint32_t req, uint32_t flags, uint32_t size, const void *payload,
		     uint32_t len, const int *fds, unsigned nfds, int timeout_ms);

/* One received message. The caller owns payload and fds[0..nfds) until
 * vc_sock_msg_free(). */
struct vc_sock_msg {
	uint32_t req, flags, size;     /* the header */
	uint8_t *payload;              /* len bytes (malloc'd), NULL when len is 0 */
	uint32_t len;
	int fds[VC_EVENT_MAX_FDS];     /* the first fds that came, open */
	uint32_t nfds;                 /* fds held in fds[] */
	uint32_t ntotal;               /* fds the message carried (the rules judge this):
					* past VC_EVENT_MAX_FDS they are closed on arrival */
	struct vc_fd info[VC_EVENT_MAX_FDS]; /* descriptions of the first
					      * min(ntotal, VC_EVENT_MAX_FDS), taken on arrival */
};

/* Closes the fds still held, frees the payload, zeroes m. */
void vc_sock_msg_free(struct vc_sock_msg *m);

enum vc_sock_rx_status {
	VC_RX_AGAIN = 0,   /* nothing whole yet (the socket has no more now) */
	VC_RX_MSG,         /* a whole message: *out is the caller's */
	VC_RX_OVERSIZE,    /* the header claims more than max_payload: *out has the
			    * header, ntotal and info, no payload and no open fd
			    * (closed); the stream cannot be framed further */
	VC_RX_EOF,         /* the peer closed (vc_sock_rx_pending: bytes of a cut message) */
	VC_RX_CTRUNC,      /* the kernel cut the control data (fds lost): what arrived
			    * is closed, the fd count cannot be trusted */
	VC_RX_ERROR,       /* recvmsg failed (errno) */
};

/* Reads one connection's messages, header then payload, never past a
 * message's end (so fds are never given to the wrong message). State
 * survives VC_RX_AGAIN: fit for a non-blocking socket in an event loop.
 * After anything but AGAIN and MSG the reader is finished: what it held is
 * closed and freed, only the counts remain. */
struct vc_sock_rx {
	uint32_t max_payload;          /* 0: VU_PARSER_MAX_PAYLOAD */
	uint8_t hdr[VU_HDR_SIZE];
	uint32_t hdr_got, pl_got;
	bool done;                     /* finished: every later call returns the same */
	uint8_t status;                /* what finished it (enum vc_sock_rx_status) */
	struct vc_sock_msg m;          /* the message being read */
	uint64_t fds_in;               /* fds received over the reader's life */
	uint64_t fds_closed;           /* of them, closed by the reader */
};

void vc_sock_rx_init(struct vc_sock_rx *rx, uint32_t max_payload);
/* Read what sock has now (MSG_DONTWAIT) until a message is whole. */
enum vc_sock_rx_status vc_sock_recv(int sock, struct vc_sock_rx *rx, struct vc_sock_msg *out);
/* Bytes of the message being read (a cut message at EOF; the header of an
 * oversized one). */
uint32_t vc_sock_rx_pending(const struct vc_sock_rx *rx);
/* Drops a message half read (its fds closed); the counts remain. */
void vc_sock_rx_free(struct vc_sock_rx *rx);

/* Blocking form for drivers and tests: wait up to timeout_ms (negative: no
 * limit) for a whole message. VC_RX_AGAIN here means the time ran out. */
enum vc_sock_rx_status vc_sock_recv_wait(int sock, struct vc_sock_rx *rx, struct vc_sock_msg *out,
					 int timeout_ms);
#endif
