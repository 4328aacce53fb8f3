/* Private to fakes/vhost-user/: the server and connection state its
 * files share, and what each file offers the others:
 *   fake.c           the server: public API, event loop, listen/connect
 *   fake_conn.c      connections: set-up, close, events into the engine
 *   fake_io.c        sending and receiving messages with their fds
 *   fake_dispatch.c  one request: refusals, faults, the handler, the answer
 *   fake_requests.c  the request table: one handler per request
 *   fake_faults.c    --fault actions; fake_profile.c parses them
 *   fake_fuzz.c      serve --fuzz: mutated replies, unprompted requests
 *   fake_stall.c     a front-end silent while it owes or is not owed
 *   fake_ring.c, fake_features.c  guest memory, rings, device features */
#ifndef VCTS_FAKE_VU_INT_H
#define VCTS_FAKE_VU_INT_H

#include "fakes/vhost-user/fake.h"
#include "vcts/event.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* The 8-bit vring index of kick/call payloads bounds the rings a
 * connection can name. */
#define VFU_MAX_RINGS ((uint32_t)VU_VRING_IDX_MASK + 1u)
/* Regions a connection keeps mapped (ADD_MEM_REG up to max slots). */
#define VFU_MAX_REGIONS 64u
/* fds kept open per message; more are closed on arrival (and counted). */
#define VFU_MSG_FDS VC_EVENT_MAX_FDS

/* Messages that may arrive while a reply is held back (delay fault). */
#define HELD_MAX 64

struct vfu_conn;

enum vfu_watch_kind { VFU_W_WAKE, VFU_W_LISTEN, VFU_W_SOCK, VFU_W_BACKEND, VFU_W_KICK,
		      VFU_W_DELAY, VFU_W_STALL, VFU_W_RECONNECT };

struct vfu_watch {
	enum vfu_watch_kind kind;
	struct vfu_conn *c;
	uint32_t ring;
};

struct vfu_region {
	struct vu_region_pl r;
	uint8_t *host;      /* host address of gpa r.gpa */
	void *map;          /* what munmap takes */
	size_t map_len;
	uint64_t backed;    /* bytes from r.gpa with file behind them: r.size, less only under lax=region-bounds */
};

struct vfu_ring {
	uint32_t num;
	bool num_set, addr_set, enabled, broken;
	bool started;       /* SET_VRING_KICK until GET_VRING_BASE (Ring states) */
	struct vu_addr_pl addr;
	/* Split: free-running indexes. Packed (RING_PACKED acked when the
	 * ring's base was set): ring positions with their wrap counters. */
	uint16_t last_avail, used_idx;
	bool packed, avail_wrap, used_wrap;
	int kick_fd, call_fd, err_fd;
	bool kick_watched;
	struct vfu_watch kw;
};

/* Per-connection state of the protocol features fake_features.c
 * implements. */
/* One device state transfer (DEVICE_STATE): the fake's end of the
 * channel while a load is read, and what became of it for
 * CHECK_DEVICE_STATE. The state is bounded: a header and 4 bytes a ring. */
#define VFU_DS_HDR 32u
#define VFU_DS_MAX (VFU_DS_HDR + 4u * VFU_MAX_RINGS)
struct vfu_devstate {
	bool open;                        /* fd is the load's read end */
	int fd;
	bool begun;                       /* a SET_DEVICE_STATE_FD succeeded */
	bool done;                        /* the state fully written, or read and loaded */
	uint32_t dir;                     /* VU_DEVSTATE_SAVE / LOAD */
	uint32_t len;                     /* bytes of buf read so far (load) */
	uint8_t buf[VFU_DS_MAX + 1];      /* one more: a longer state is refused */
};
struct vfu_feat {
	uint8_t config[VFU_CONFIG_MAX];   /* config space as this connection sees it */
	uint32_t config_len;
	void *inflight_map;               /* SET_INFLIGHT_FD's area (munmap) */
	size_t inflight_map_len;
	uint8_t *inflight;                /* mmap_offset into the fd */
	uint64_t inflight_len;
	uint16_t inflight_queues, inflight_queue_size;
	uint64_t inflight_counter;        /* the text's "global counter" */
	bool pc_advised, pc_listening;    /* postcopy (fake_postcopy.c) */
	int pc_ufd;                       /* the userfaultfd, while pc_advised */
	uint16_t mtu;                     /* NET_SET_MTU, 0 until set */
	void *log_map;                    /* SET_LOG_BASE's dirty log (munmap) */
	size_t log_map_len;
	uint8_t *log;                     /* the bitmap: bit n = guest page n */
	uint64_t log_len;
	struct vfu_devstate ds;           /* device state transfer (fake_devstate.c) */
};
struct vfu_msg {
	uint8_t chan;
	uint32_t req, flags, size;
	uint8_t *payload;          /* len bytes, malloc'd */
	uint32_t len;
	bool truncated;            /* size over the parser cap: payload not read */
	int fds[VFU_MSG_FDS];      /* -1 once taken over */
	uint32_t nkept, ntotal;
	struct vc_fd info[VFU_MSG_FDS];
	uint32_t refuse;           /* VFU_RF_BIT mask the rule engine found */
};

/* One channel's reader (lib/sock.c) and the message it last completed. */
struct vfu_reader {
	struct vc_sock_rx rx;
	struct vfu_msg m;
};

struct vfu_conn {
	struct vfu_server *s;
	struct vfu_conn *next;
	uint32_t sid;
	uint32_t ordinal;          /* 1-based connection number */
	uint64_t nev;
	bool dead, from_connect;
	int fd;
	struct vfu_watch w_sock;
	struct vfu_reader rd;
	int be_fd;
	bool susp_msg_due;         /* suspended-msg fault: send at the next message */
	struct vfu_watch w_be;
	struct vfu_reader be_rd;
	int delay_tfd, stall_tfd;
	struct vfu_watch w_delay, w_stall;

	uint64_t fe_msgs;
	uint32_t seen[VU_REQ_MAX_FRONTEND + 1];
	uint64_t feat_offered, feat_acked, pf_offered, pf_acked;
	bool pf_answered, pf_acked_known;
	uint64_t status;
	struct vfu_feat feat;

	struct vfu_region regions[VFU_MAX_REGIONS];
	uint32_t nregions;
	struct vfu_ring rings[VFU_MAX_RINGS];

	/* A reply held back: by the delay fault or until the front-end acks
	 * a back-end request (backend-req fault). */
	bool hold_next;            /* the next main reply is to be held */
	uint32_t hold_ms;          /* 0: hold until the back-end ack */
	bool holding;
	uint8_t *held_buf;
	uint32_t held_len;
	int held_fd;
	unsigned held_extra_fds;   /* reply-fds fault on the held reply */
	struct vfu_msg *queue[HELD_MAX];
	uint32_t nqueue;

	uint32_t be_owed;          /* back-end requests the front-end owes an ack */
	uint32_t be_owed_req;
	uint32_t last_req, last_flags;
	bool stall_reported;
	/* Refusal classes switched off by lax faults. */
	uint32_t lax;
	bool hung;                 /* hang fault: never read or answered again */
	bool zombie;               /* lax=short-eof: cut mid-message, left open */
	uint32_t zombie_bytes;
	char name[VC_SESSION_NAME_MAX];
};

struct vfu_server {
	struct vfu_config cfg;
	int ep, wake_fd, listen_fd, reconn_tfd;
	uint64_t accepted;         /* connections accepted on listen_fd */
	char listen_path[108];
	char connect_path[108];
	struct vfu_watch w_wake, w_listen, w_reconn;
	struct vfu_conn *conns;
	struct vfu_conn *dead;
	uint32_t nconns_total;
	struct vc_engine *eng;
	/* Per refusal class, the rules whose live verdict puts a request in
	 * it (vfu_refusal_judged_by). */
	struct vc_rule_set rf_rules[VFU_RF_COUNT];
	int *leaked;               /* leak-fds fault: fds kept until vfu_free */
	size_t nleaked;
	uint8_t *disk;             /* blk disk, mapped on first use */
	size_t disk_len;
	bool disk_failed;
	struct vc_native_writer *w;
	uint64_t rec_line;
	char (*names)[VC_SESSION_NAME_MAX];
	size_t cap_names, nnames;
	char **waive;
	size_t nwaive;
	uint64_t fuzz_state;  /* xorshift64* state of fuzz mode */
	struct vfu_stats st;
	pthread_t thr;
	bool thr_running;
	/* Sockets handed over by vfu_adopt() while the thread runs: the loop
	 * thread makes the connections (the engine is not shared). */
	pthread_mutex_t adopt_mu;
	int *adopt_q;
	size_t nadopt, cap_adopt;
	volatile bool stop;
	bool record_failed;
};

void vfu_feat_init(struct vfu_feat *f, const struct vfu_profile *p);
/* RESET_DEVICE / RESET_OWNER: config space back to the profile's. */
void vfu_feat_reset(struct vfu_feat *f, const struct vfu_profile *p);
void vfu_feat_free(struct vfu_feat *f);
/* GET_CONFIG's reply into out (cap bytes): its length, 0 when the
 * request cannot be answered. */
uint32_t vfu_feat_get_config(const struct vfu_feat *f, const uint8_t *pl, uint32_t len, uint8_t *out,
			     uint32_t cap);
/* These return 0, or -1 with *why (not carried out). fd is not consumed. */
/* lax_config: the config-writable fault, every field taken with flags 0. */
int vfu_feat_set_config(struct vfu_feat *f, const uint8_t *pl, uint32_t len, bool lax_config, const char **why);
int vfu_feat_set_inflight(struct vfu_feat *f, const uint8_t *pl, uint32_t len, int fd, int64_t fd_size,
			  const char **why);
int vfu_feat_set_mtu(struct vfu_feat *f, uint64_t mtu, const char **why);
/* SET_LOG_BASE with LOG_SHMFD: map the log (a new one replaces it). */
int vfu_feat_set_log(struct vfu_feat *f, const uint8_t *pl, uint32_t len, int fd, int64_t fd_size,
		     const char **why);
/* Mark guest-physical [gpa, gpa + len) dirty, if a log is mapped. */
void vfu_feat_log_write(struct vfu_feat *f, uint64_t gpa, uint64_t len);
/* The ring code: the log of this connection while VHOST_F_LOG_ALL is
 * acked, NULL otherwise. */
struct vfu_feat *vfu_conn_logging(struct vfu_conn *c);

/* What the loop needs from the ring code. */
void vfu_regions_clear(struct vfu_conn *c);
/* Map one region from fd (not consumed). Returns 0 or -1 (not mapped:
 * the reason is logged). */
int vfu_region_add(struct vfu_conn *c, const struct vu_region_pl *r, int fd, int64_t fd_size);
int vfu_region_remove(struct vfu_conn *c, const struct vu_region_pl *r);
/* Mark the dirty-log pages of bytes [off, off+len) of ring idx's used
 * ring, when LOG_ALL is acked and the ring's addresses asked for it. */
void vfu_log_used(struct vfu_conn *c, uint32_t idx, uint64_t off, uint64_t len);
/* fake_enable.c: the enabled/disabled state of Ring states and the
 * faults that break it. SET_FEATURES acked this mask: without
 * PROTOCOL_FEATURES every ring is enabled at once. */
void vfu_enable_on_features(struct vfu_conn *c, uint64_t acked);
/* SET_VRING_ENABLE idx on (kept while the ring is stopped). */
void vfu_enable_set(struct vfu_conn *c, uint32_t idx, bool on);
/* What the null device does with a chain on a started, disabled ring:
 * 1 consume it with no side effect (net TX: used length 0), -1 leave it
 * (net RX: no packet is supplied; other devices: until enabled; or the
 * disabled-ring-idle fault). */
int vfu_enable_disabled_chain(struct vfu_conn *c, bool has_write);
/* Mark guest-physical [gpa, gpa+len), a descriptor buffer the device
 * wrote, in the dirty log while LOG_ALL is acked (vhost-user.rst,
 * Migration: "All the modifications to memory pointed by vring
 * descriptor should be marked"). */
void vfu_log_data(struct vfu_conn *c, uint64_t gpa, uint64_t len);
/* RESET_OWNER: every ring disabled, nothing else (true); false with the
 * reset-owner-resets fault: the caller resets as for RESET_DEVICE. */
bool vfu_reset_owner(struct vfu_conn *c);
/* fake_inflight.c: one ring's queue region in the inflight area, and
 * the tracking of split heads in it (started, fetched, used). */
uint64_t vfu_inflight_queue_bytes(uint16_t queue_size);
void vfu_inflight_start(struct vfu_conn *c, uint32_t idx);
void vfu_inflight_fetch(struct vfu_conn *c, uint32_t idx, uint16_t head);
void vfu_inflight_used(struct vfu_conn *c, uint32_t idx, uint16_t head, uint16_t used_idx);
struct vfu_feat *vfu_conn_feat(struct vfu_conn *c);
/* SET_PROTOCOL_FEATURES acked pf: true when it sets INBAND_NOTIFICATIONS
 * without BACKEND_REQ and REPLY_ACK, which the back-end answers by closing
 * the connection (unless the inband-accepted fault). */
bool vfu_inband_unusable(struct vfu_conn *c, uint64_t pf);
/* fake_postcopy.c: POSTCOPY_ADVISE's userfaultfd (the fake keeps it and
 * returns a copy for the reply; -1 when none can be had), LISTEN (0, or
 * -1 before ADVISE), END's u64. */
int vfu_postcopy_advise(struct vfu_conn *c);
int vfu_postcopy_listen(struct vfu_conn *c);
uint64_t vfu_postcopy_end(struct vfu_conn *c);
/* Run ring idx as a null device after a kick. */
void vfu_ring_process(struct vfu_conn *c, uint32_t idx);
/* vfu_inflight_start() under the ring's SIGBUS guard (fake_ring.c). */
void vfu_ring_start_inflight(struct vfu_conn *c, uint32_t idx);

/* Accessors the ring code uses. */
struct vfu_ring *vfu_conn_ring(struct vfu_conn *c, uint32_t idx);
struct vfu_region *vfu_conn_regions(struct vfu_conn *c, uint32_t *n, uint32_t **pn);
const struct vfu_profile *vfu_conn_profile(const struct vfu_conn *c);
void vfu_conn_log(const struct vfu_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Send one request on the back-end channel, with pass_fd (-1: none);
 * 0 sent, -1 no channel or the write failed. */
int vfu_conn_send_backend(struct vfu_conn *c, uint32_t req, uint32_t flags, const uint8_t *pl, uint32_t len,
			  int pass_fd);
/* Faults of back-end duties a trace decides (fake_faults_be.c): the split
 * GET_VRING_BASE word as the fault leaves it; the malformed back-end
 * request of backend-bad. */
uint32_t vfu_fault_split_base(struct vfu_conn *c, uint32_t base);
void vfu_fault_backend_bad(struct vfu_conn *c, const struct vfu_fault *f);
/* GET_SHMEM_CONFIG's reply (len bytes, all zero: no region) as the
 * shmem-count fault leaves it. */
void vfu_fault_shmem_config(struct vfu_conn *c, uint8_t *cfg, uint32_t len);
/* The fd GET_INFLIGHT_FD's reply passes: fd, or -1 (fd closed) under the
 * inflight-no-fd fault. */
int vfu_fault_inflight_fd(struct vfu_conn *c, int fd);
/* suspended-msg: after a GET_VRING_BASE reply that left no ring with a
 * kick fd, *due is set; the next front-end message then first gets a
 * CONFIG_CHANGE_MSG on the back-end channel. */
void vfu_fault_after_stop(struct vfu_conn *c, bool *due);
void vfu_fault_suspended_msg(struct vfu_conn *c, bool *due);
void vfu_conn_count(struct vfu_conn *c, int what, uint64_t n);
enum { VFU_CNT_CHAINS, VFU_CNT_CHAIN_ERR, VFU_CNT_BAD_REGION, VFU_CNT_MAPPED, VFU_CNT_DISK_READ,
       VFU_CNT_DISK_WRITE };
/* Is refusal class k (enum vfu_refusal) switched off by a lax fault? */
bool vfu_conn_lax(const struct vfu_conn *c, unsigned k);
/* blk: the disk (profile disk_bytes, zero-filled, keeps what is written;
 * shared by every connection of the server), mapped on first use. NULL
 * when it cannot be mapped. */
uint8_t *vfu_conn_disk(struct vfu_conn *c);

/* ---- fake_conn.c ---- */
struct vfu_conn *vfu_conn_new(struct vfu_server *s, int fd, bool from_connect);
/* End the connection (its session ends; freed by vfu_reap). by_us: the
 * fake closed it; partial: cut partial_bytes into a message. */
void vfu_conn_close(struct vfu_conn *c, bool by_us, bool partial, uint32_t partial_bytes);
void vfu_reap(struct vfu_server *s);
void vfu_close_fd(struct vfu_server *s, int *fd);
int vfu_watch_add(struct vfu_server *s, int fd, struct vfu_watch *w);
void vfu_watch_del(struct vfu_server *s, int fd);
void vfu_msg_free(struct vfu_server *s, struct vfu_msg *m);
/* Take fd i of a message over (the caller now owns it); -1 if none. */
int vfu_msg_take_fd(struct vfu_msg *m, uint32_t i);
/* Protocol feature bit negotiated on this connection (vu_pf_known YES). */
bool vfu_pf_negotiated(const struct vfu_conn *c, unsigned bit);
/* What request req with flags is owed on this connection now: the wire
 * table's one reading (vu_reply_owed) with what the connection knows of
 * the protocol features (YES or NO once both sides are known). */
struct vu_owed vfu_owed(const struct vfu_conn *c, uint32_t req, uint32_t flags);
/* An event into the capture and the engine, in that order. */
void vfu_emit(struct vfu_conn *c, struct vc_event *ev);
void vfu_emit_msg(struct vfu_conn *c, enum vc_dir dir, const struct vfu_msg *m);
/* The same, with the engine's live verdict: the rules it broke. */
void vfu_emit_msg_judged(struct vfu_conn *c, enum vc_dir dir, const struct vfu_msg *m,
			 struct vc_rule_set *broken);
/* The refusal classes (VFU_RF_BIT mask) a verdict puts a request in. */
uint32_t vfu_refusal_classes(const struct vfu_server *s, const struct vc_rule_set *broken);
void vfu_arm_timer(int tfd, uint32_t ms);
int vfu_ensure_timer(struct vfu_conn *c, int *tfd, struct vfu_watch *w, enum vfu_watch_kind k);
void vfu_ring_reset_fds(struct vfu_conn *c, struct vfu_ring *r);
void vfu_close_backend(struct vfu_conn *c);
/* Take the kicks already pending on the connection's rings. */
void vfu_drain_kicks(struct vfu_conn *c);
/* What the event loop calls when a watched fd is ready. */
void vfu_on_sock(struct vfu_conn *c);
void vfu_on_backend(struct vfu_conn *c);
void vfu_on_kick(struct vfu_conn *c, uint32_t idx);
void vfu_on_delay(struct vfu_conn *c);

/* ---- fake_io.c ---- */
/* Send one message (pass_fd and extra_fds copies of /dev/null with it);
 * its event is emitted once it is on the wire. 0, or -1 (not sent). */
int vfu_send_msg(struct vfu_conn *c, uint8_t chan, uint32_t req, uint32_t flags, const uint8_t *payload,
		 uint32_t len, int pass_fd, unsigned extra_fds);
/* Read what is available into r (lib/sock.c frames it): 1 a whole message
 * is in r->m (truncated: its size was over the parser's cap), 0 more is
 * needed, -1 EOF or error (vc_sock_rx_pending(&r->rx): how much was cut),
 * -2 the kernel cut the fds (ours to refuse: the count is lost). */
int vfu_read_msg(struct vfu_conn *c, int fd, struct vfu_reader *r, uint8_t chan);
/* A reader's message being read and the one it completed go, counted. */
void vfu_reader_free(struct vfu_server *s, struct vfu_reader *r);

/* ---- fake_dispatch.c ---- */
/* One front-end request as it arrives / a message on the back-end channel. */
void vfu_handle_request(struct vfu_conn *c, struct vfu_msg *m);
void vfu_handle_backend_msg(struct vfu_conn *c, struct vfu_msg *m);
/* Answer the requests that waited for a held reply. */
void vfu_drain_queue(struct vfu_conn *c);
/* A reply on the main channel with the reply faults and fuzz mode applied;
 * held when a fault asked for it; pass_fd is closed once sent. */
void vfu_reply(struct vfu_conn *c, uint32_t req, const uint8_t *payload, uint32_t len, int pass_fd);
void vfu_reply_u64(struct vfu_conn *c, uint32_t req, uint64_t v);
void vfu_release_held(struct vfu_conn *c);

/* ---- fake_requests.c: the request table ---- */
/* What a handler did with a request: carried it out (an ack of 0 when one
 * is owed), filled the reply the request is owed, or did not carry it out
 * (an error ack when one is owed, otherwise the connection is closed). */
enum vfu_verdict { VFU_DONE = 0, VFU_REPLY, VFU_REFUSE };
/* A handler's reply: payload pl (buf, or heap which the dispatcher frees),
 * fd passed with it (closed once sent) or -1. value_owed is an input: the
 * request is owed a reply of its own (vfu_owed). */
struct vfu_reply {
	bool value_owed;
	const uint8_t *pl;
	uint32_t len;
	int fd;
	uint8_t *heap;
	uint8_t buf[8 + 8 * VU_SHMEM_MAX_REGIONS];
};
typedef enum vfu_verdict (*vfu_handler)(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r);
/* The handler of front-end request req (a known one: vu_request != NULL). */
vfu_handler vfu_request_handler(uint32_t req);
/* fake_devstate.c: SET_DEVICE_STATE_FD and CHECK_DEVICE_STATE (the
 * request table's handlers); vfu_devstate_close ends a transfer (the
 * feature state's free calls it). */
enum vfu_verdict vfu_devstate_set_fd(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r);
enum vfu_verdict vfu_devstate_check(struct vfu_conn *c, struct vfu_msg *m, struct vfu_reply *r);
void vfu_devstate_close(struct vfu_devstate *d);

/* ---- fake_faults.c ---- */
/* Is fault k armed for the request being handled (its trigger: this
 * message number or this occurrence of req)? The first such fault. */
const struct vfu_fault *vfu_fault_armed(struct vfu_conn *c, enum vfu_fault_kind k, uint32_t req);
/* Is a fault of kind k set for this connection (whatever its trigger)? */
bool vfu_fault_on(const struct vfu_conn *c, enum vfu_fault_kind k);
/* The first fault of kind k set for this connection without a trigger. */
const struct vfu_fault *vfu_fault_untriggered(const struct vfu_conn *c, enum vfu_fault_kind k);
/* At connection set-up: features dropped, lax classes. */
void vfu_faults_conn(struct vfu_conn *c);
/* As a request arrives, judged: disconnect, crash, leak-fds, hang. false
 * when the request goes no further (m freed, the connection closed or hung). */
bool vfu_faults_on_request(struct vfu_conn *c, struct vfu_msg *m);
/* Before a request is answered: delay-reply, backend-req, close-backend. */
void vfu_faults_before_answer(struct vfu_conn *c, const struct vfu_msg *m, const struct vu_request_info *ri);
/* GET_VRING_BASE of ring idx (< VFU_MAX_RINGS) under the vring-base
 * faults: true with *word when one of them makes the answer. */
bool vfu_faults_vring_base(struct vfu_conn *c, uint32_t idx, uint32_t *word);
/* SET_BACKEND_REQ_FD took a channel: close-backend-channel without trigger. */
void vfu_faults_backend_set(struct vfu_conn *c);
/* The reply faults on one reply: flags, request, size (buf has room for
 * 64 payload bytes and may become *payload); the extra fds to pass. */
unsigned vfu_faults_on_reply(struct vfu_conn *c, uint32_t req, uint32_t *rq, uint32_t *flags,
			     const uint8_t **payload, uint32_t *len, uint8_t *buf);
/* A back-end request on the back-end channel (fault or fuzz mode); hold:
 * the reply in progress waits for its ack. */
void vfu_send_backend_req(struct vfu_conn *c, uint32_t be_req, bool hold);

/* ---- fake_fuzz.c ---- */
void vfu_fuzz_seed(struct vfu_server *s);
uint64_t vfu_fuzz_next(struct vfu_server *s);
/* Is this chance taken (fuzz mode on, at fuzz_permille)? */
bool vfu_fuzz_hit(struct vfu_server *s);
/* Mutate one reply in place; buf has room for 64 payload bytes. */
void vfu_fuzz_reply(struct vfu_conn *c, uint32_t *rq, uint32_t *flags, uint8_t *buf, uint32_t *len);
/* An unprompted back-end request while a request is answered, at times. */
void vfu_fuzz_backend(struct vfu_conn *c);

/* ---- fake_stall.c ---- */
/* Re-arm or stop the stall timer after what the connection just did. */
void vfu_update_stall(struct vfu_conn *c);
void vfu_stall_fired(struct vfu_conn *c);
#endif
