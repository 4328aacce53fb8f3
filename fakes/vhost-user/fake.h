/* The fake vhost-user back-end. It answers every front-end request of the
 * wire model, keeps what a real device keeps (memory table mapped from the
 * passed fds, rings, kick/call fds, the back-end request channel), can run
 * its rings as a null device, injects faults on request, and feeds every
 * message both ways into the rule engine as it happens (a live session:
 * kicks are seen, fd sizes are known), optionally streaming a native
 * capture that `vhost-cts check` judges offline to the same findings.
 *
 * One struct vfu_server serves any number of connections; each connection
 * is one engine session. It runs on its own thread (vfu_start) or from the
 * caller's poll loop (vfu_fd + vfu_dispatch); both are single-threaded
 * inside, so the engine and the results are only read after vfu_stop. */
#ifndef VCTS_FAKE_VU_H
#define VCTS_FAKE_VU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vcts/engine.h"
#include "vcts/trace.h"

/* ---- Profiles: what the fake offers ---- */

enum vfu_device { VFU_DEV_GENERIC = 0, VFU_DEV_NET, VFU_DEV_BLK };

/* Largest device config space the fake serves (GET_CONFIG). */
#define VFU_CONFIG_MAX 256u
/* Queue count a profile may offer (rings = queues * rings per queue). */
#define VFU_MAX_QUEUES 64u

struct vfu_profile {
	enum vfu_device device;
	const char *name;          /* "net", "blk", "generic" */
	uint32_t queues;           /* net: queue pairs; blk/generic: virtqueues */
	uint32_t rings;            /* virtqueues: what GET_QUEUE_NUM answers */
	uint64_t features;         /* GET_FEATURES */
	uint64_t protocol_features;/* GET_PROTOCOL_FEATURES */
	uint16_t mtu;              /* net: advertised MTU (0 = no NET_MTU bit) */
	uint32_t max_mem_slots;    /* GET_MAX_MEM_SLOTS */
	uint64_t disk_bytes;       /* blk: capacity of the zero-filled disk */
	uint8_t config[VFU_CONFIG_MAX];
	uint32_t config_len;
};

/* Fill p for a named profile ("net", "blk", "generic") with queues
 * (0 = 1). Returns -1 for an unknown name or a queue count out of range. */
int vfu_profile_init(struct vfu_profile *p, const char *name, uint32_t queues);
/* Apply an override to a feature mask: "0xMASK" replaces it, otherwise a
 * comma list of [+|-]NAME or [+|-]BIT ("-RING_EVENT_IDX,+33"). proto picks
 * the protocol feature names. -1 with err on a bad word. */
int vfu_features_override(uint64_t *mask, const char *spec, bool proto, char *err, size_t errlen);
/* Rebuild the config space after queues/features changed. */
void vfu_profile_refresh(struct vfu_profile *p);

/* ---- Faults ---- */

enum vfu_fault_kind {
	VFU_FAULT_NONE = 0,
	VFU_FAULT_DISCONNECT,      /* close the connection (before answering) */
	VFU_FAULT_DROP_FEATURES,   /* offer fewer feature bits (flags-mismatch) */
	VFU_FAULT_DELAY_REPLY,     /* hold the reply/ack for ms milliseconds */
	VFU_FAULT_REPLY_FLAGS,     /* reply without the REPLY bit */
	VFU_FAULT_REPLY_SIZE,      /* reply with 4 extra payload bytes */
	VFU_FAULT_REPLY_REQUEST,   /* reply naming another request */
	VFU_FAULT_CLOSE_BACKEND,   /* close the back-end request channel */
	VFU_FAULT_BACKEND_REQ,     /* send a back-end request before the reply */
	VFU_FAULT_LAX,             /* switch refusal classes off (a broken build) */
	VFU_FAULT_CRASH,           /* the process kills itself (SIGSEGV) */
	VFU_FAULT_HANG,            /* the connection is never answered again */
	VFU_FAULT_LEAK_FDS,        /* the message's fds stay open until the end */
	VFU_FAULT_REPLY_FDS,       /* attach n extra fds to replies (VU-FD-06) */
	VFU_FAULT_PACKED_USED_ZERO, /* packed GET_VRING_BASE: used half 0/0 (DPDK 22.11) */
	VFU_FAULT_VRING_BASE_ZERO,  /* split GET_VRING_BASE answers 0 (rust-vmm once) */
	VFU_FAULT_VRING_BASE_OTHER, /* split GET_VRING_BASE answers ring index^1's */
	VFU_FAULT_STOPPED_RUNS,     /* GET_VRING_BASE does not stop the ring */
	VFU_FAULT_LOG_SKIP_USED,    /* used-ring writes are not logged */
	VFU_FAULT_START_ON_KICK,    /* a ring waits for a kick after SET_VRING_KICK */
	VFU_FAULT_IGNORE_SIGTERM,   /* serve ignores SIGTERM (cmd_serve.c) */
	VFU_FAULT_VRING_BASE_HIGH,  /* split GET_VRING_BASE sets bit 16 (VU-RVAL-01) */
	VFU_FAULT_BACKEND_BAD,      /* a malformed back-end request before the reply (VU-BCH-*) */
	VFU_FAULT_POSTCOPY_NO_UFD,  /* POSTCOPY_ADVISE passes an eventfd (VU-RVAL-03) */
	VFU_FAULT_SHMEM_COUNT,      /* GET_SHMEM_CONFIG counts a region it gives no size (VU-RVAL-04) */
	VFU_FAULT_INFLIGHT_NO_FD,   /* GET_INFLIGHT_FD sizes an area but passes no fd (VU-RVAL-06) */
	VFU_FAULT_SUSPENDED_MSG,    /* a back-end request after the last ring stopped (VU-BCH-08) */
	VFU_FAULT_NO_AUTO_ENABLE,   /* SET_FEATURES without bit 30 enables no ring */
	VFU_FAULT_DISABLED_IDLE,    /* a started, disabled ring is not processed at all */
	VFU_FAULT_ENABLE_LOST,      /* SET_VRING_ENABLE on a stopped ring is ignored */
	VFU_FAULT_LOG_SKIP_DATA,    /* writes to descriptor buffers are not logged */
	VFU_FAULT_RESET_OWNER_RESETS, /* RESET_OWNER resets as RESET_DEVICE does */
	VFU_FAULT_DAEMONIZE,        /* serve forks, the started process exits (cmd_serve.c) */
	VFU_FAULT_BAD_CAPS,         /* --print-capabilities prints no JSON object (cmd_serve.c) */
	VFU_FAULT_INFLIGHT_KEPT,    /* used heads stay marked in flight */
	VFU_FAULT_CONFIG_WRITABLE,  /* SET_CONFIG with flags 0 writes read-only fields */
	VFU_FAULT_INBAND_ACCEPTED,  /* INBAND_NOTIFICATIONS without its channel kept */
	VFU_FAULT_POSTCOPY_END_FAILS, /* POSTCOPY_END answers 1 */
	VFU_FAULT_STATE_ERROR_WITH_FD, /* SET_DEVICE_STATE_FD answers an error with an fd (VU-RVAL-02) */
	VFU_FAULT_STATE_CHECK_OK,   /* CHECK_DEVICE_STATE answers 0 whatever the transfer became */
	VFU_FAULT_KIND_COUNT,
};

/* What the fake refuses, by class. A request that falls in a class is not
 * carried out: it gets an error (REPLY_ACK 1, or a u64 1 where the request
 * has a u64 reply of its own) when the front-end asked for one, otherwise
 * the connection is closed; header-level classes always close. Classes
 * judged by the rule engine (the very predicates of the rules named) are
 * refused when the engine reports that rule on the request; the others
 * are judged from the wire table. `--fault lax=CLASS` switches one off. */
enum vfu_refusal {
	VFU_RF_VERSION = 0,        /* VU-HDR-01: version bits not 1 (close) */
	VFU_RF_REPLY_BIT,          /* VU-HDR-02: a request with the REPLY bit (close) */
	VFU_RF_UNKNOWN_REQUEST,    /* VU-HDR-05: not in the wire table (close) */
	VFU_RF_SHORT_EOF,          /* VU-HDR-06: cut mid-message by EOF (close) */
	VFU_RF_OVERSIZE,           /* payload longer than the wire table's size (close) */
	VFU_RF_EXTRA_FDS,          /* more fds than the wire table allows (close) */
	VFU_RF_MISSING_FD,         /* fewer fds than the wire table wants (close) */
	VFU_RF_REGION_COUNT,       /* VU-MEM-01: 0 regions, or more than the slots */
	VFU_RF_REGION_BOUNDS,      /* VU-MEM-02/04: empty, wrapping, past its fd */
	VFU_RF_OVERLAP,            /* VU-MEM-03: overlapping regions */
	VFU_RF_RING_INDEX,         /* VU-RING-01: ring index >= rings */
	VFU_RF_RING_NUM,           /* VU-RING-02: not a power of two in 1..32768 */
	VFU_RF_STARTED_RING,       /* VU-RING-03: NUM/ADDR/BASE on a started ring */
	VFU_RF_RING_ADDR,          /* VU-RING-04: ring parts outside the table */
	VFU_RF_LOG_SIZE,           /* VU-LOG-01: log not offered, too small or wrapping */
	VFU_RF_UNGATED,            /* VU-NEG-05/10: its feature not negotiated (offered) */
	VFU_RF_COUNT,
};
#define VFU_RF_BIT(k) ((uint32_t)1 << (k))
#define VFU_RF_ALL (VFU_RF_BIT(VFU_RF_COUNT) - 1u)
/* Class name as `lax=` takes it ("ring-num"); NULL out of range. */
const char *vfu_refusal_name(unsigned k);
/* The rule a class enforces ("VU-RING-02"), or "" for wire-table classes
 * that follow several rules. */
const char *vfu_refusal_rule(unsigned k);
/* The rules whose breaking, in the engine's live verdict on a request,
 * puts it in class k (empty for the classes the wire table decides). */
void vfu_refusal_judged_by(unsigned k, struct vc_rule_set *out);

/* One fault: a kind, a trigger and its argument. Trigger: the message
 * number (1-based count of front-end messages on the connection), or a
 * request (its k-th occurrence, 1 = first), or none = the first
 * opportunity. conn limits it to the conn-th connection (1-based; 0 = all). */
struct vfu_fault {
	enum vfu_fault_kind kind;
	uint64_t at_msg;           /* 0 = not by message number */
	uint32_t at_req;           /* 0 = not by request */
	uint32_t nth;              /* occurrence of at_req, default 1 */
	uint32_t conn;             /* 0 = every connection */
	uint64_t mask;             /* DROP_FEATURES: bits removed */
	bool mask_proto;           /* DROP_FEATURES on protocol features */
	uint32_t ms;               /* DELAY_REPLY */
	uint32_t be_req;           /* BACKEND_REQ: back-end request number */
	uint32_t lax;              /* LAX: VFU_RF_BIT mask of classes switched off */
	uint32_t nfds;             /* REPLY_FDS: extra fds per reply, 1..VFU_REPLY_FDS_MAX */
	uint32_t bad;              /* BACKEND_BAD: enum vfu_backend_bad */
};

/* backend-bad=KIND: the malformed back-end request sent (fake_faults_be.c). */
enum vfu_backend_bad {
	VFU_BAD_CALL_NUM = 1,      /* VRING_CALL num 1 (VU-BCH-01) */
	VFU_BAD_UNGATED,           /* VRING_CALL without INBAND_NOTIFICATIONS (VU-BCH-02) */
	VFU_BAD_FDS,               /* CONFIG_CHANGE_MSG with an fd, no BACKEND_SEND_FD (VU-BCH-03) */
	VFU_BAD_NOTIFIER_SIZE,     /* VRING_HOST_NOTIFIER_MSG of 0x1800 bytes (VU-BCH-04) */
	VFU_BAD_SHMEM_FLAGS,       /* SHMEM_MAP flags 2 (VU-BCH-05) */
	VFU_BAD_SHMEM_UNMAP,       /* SHMEM_UNMAP of nothing mapped (VU-BCH-06) */
	VFU_BAD_IOTLB_TYPE,        /* IOTLB_MSG of type 2, an update (VU-BCH-07) */
	VFU_BAD_COUNT,
};
/* KIND by name, 0 if unknown; its name, NULL out of range. */
unsigned vfu_backend_bad_by_name(const char *name);
const char *vfu_backend_bad_name(unsigned k);

/* reply-fds=N: at most this many extra fds (with the reply's own fd, one
 * sendmsg's SCM_MAX_FD of 253). */
#define VFU_REPLY_FDS_MAX 252u

#define VFU_MAX_FAULTS 16

/* Parse one --fault SPEC (grammar in fakes/vhost-user/README.md):
 *   disconnect@msg=N | disconnect@req=NAME[#K]
 *   drop-feature=NAME|BIT[,...] | drop-protocol-feature=NAME|BIT[,...]
 *   delay-reply=MS@req=NAME[#K]
 *   reply-flags@req=NAME | reply-size@req=NAME | reply-request@req=NAME
 *   close-backend-channel[@req=NAME]
 *   backend-req=CONFIG_CHANGE_MSG|VRING_CALL|VRING_ERR@req=NAME
 *   lax=CLASS[,CLASS..] | lax=regions | lax=all     (no trigger)
 *   crash@TRIGGER | hang@TRIGGER | leak-fds@TRIGGER
 *   reply-fds=N[@TRIGGER]   (no trigger: every reply and ack)
 *   packed-used-zero                                (no trigger)
 *   vring-base-zero | vring-base-other-ring         (no trigger)
 *   stopped-ring-runs | log-skip-used | start-on-kick   (no trigger)
 *   ignore-sigterm                                  (no trigger)
 *   vring-base-high | postcopy-no-ufd | shmem-count | inflight-no-fd |
 *   suspended-msg                                   (no trigger)
 *   backend-bad=call-num|ungated|fds|notifier-size|shmem-flags|shmem-unmap|iotlb-type@req=NAME
 *   no-auto-enable | disabled-ring-idle | enable-lost-while-stopped
 *   | log-skip-data | reset-owner-resets            (no trigger)
 *   daemonize | bad-capabilities | inflight-kept    (no trigger)
 *   config-writable | inband-accepted | postcopy-end-fails   (no trigger)
 *   state-error-with-fd | state-check-ok            (no trigger)
 * (TRIGGER: msg=N or req=NAME[#K]) any of them followed by ",conn=K".
 * -1 with err on a bad spec. */
int vfu_fault_parse(const char *spec, struct vfu_fault *f, char *err, size_t errlen);
const char *vfu_fault_kind_name(enum vfu_fault_kind k);
/* Rules the fake itself breaks by injecting this fault (back-end rules):
 * a comma-separated glob list for the engine's waivers, "" if none. */
const char *vfu_fault_waives(const struct vfu_fault *f);

/* ---- The server ---- */

struct vfu_config {
	struct vfu_profile profile;
	struct vfu_fault faults[VFU_MAX_FAULTS];
	unsigned nfaults;
	bool null_device;          /* process rings (consume, complete) */
	bool device_state_own_fd;  /* SET_DEVICE_STATE_FD returns the fake's own pipe end */
	/* Quiet time after which a silent front-end that owes a reply (or
	 * waits for one it is not owed) is reported; 0 = never. */
	int64_t stall_ms;
	/* Engine options: on_finding, waivers, rules (queue_count is set
	 * from the profile). */
	struct vc_engine_opts engine;
	/* Capture: events are streamed here in the native format when set. */
	FILE *record;
	/* src.file of every event and finding ("live" if NULL). */
	const char *source_name;
	/* Session names start with this ("vhost-user" if NULL). */
	const char *label;
	/* Client mode: reconnect after the peer closed (serve --client). */
	bool reconnect;
	/* Listening: accept at most this many connections (0 = no limit);
	 * serve --once takes 1, so a front-end that reconnects at once (QEMU
	 * retries its init) is not served a second time before serve ends. */
	uint32_t max_accepts;
	/* Diagnostics (device errors, fault actions): NULL = quiet. */
	FILE *log;
	/* Fuzz mode (serve --fuzz SEED): at fuzz_permille of the chances, a
	 * reply goes out mutated (flags, request number, size, bytes) or an
	 * unprompted back-end request is sent, drawn from a PRNG seeded with
	 * fuzz_seed, so one seed replays one run. The rules the fake then
	 * breaks itself are waived (vfu_fuzz_waives). */
	bool fuzz;
	uint64_t fuzz_seed;
	uint32_t fuzz_permille;
};

/* Rules a fuzzing fake breaks on purpose (a glob list for waivers). */
const char *vfu_fuzz_waives(void);

struct vfu_stats {
	uint64_t connections;      /* accepted/adopted/connected in total */
	uint64_t open_connections;
	uint64_t messages_in, messages_out;
	uint64_t kicks;
	uint64_t chains_done;      /* descriptor chains returned as used */
	uint64_t chain_errors;     /* chains refused (bounds, loops, lengths) */
	uint64_t bad_regions;      /* regions not mapped (past the fd, ...) */
	uint64_t mapped_regions;   /* currently mapped */
	uint64_t fds_received, fds_closed;
	uint64_t stalls;
	uint64_t sessions_ended;
	uint64_t refused;          /* requests refused (error reply or close) */
	uint64_t disk_reads, disk_writes; /* blk: sectors' requests served */
};

struct vfu_server;

/* NULL with err on a bad configuration. */
struct vfu_server *vfu_new(const struct vfu_config *cfg, char *err, size_t errlen);
/* Frees everything: closes every fd, unmaps every region, frees the
 * engine. Stops the thread first if running. */
void vfu_free(struct vfu_server *s);

/* Sources of connections. Each returns 0 or -1 with err. */
int vfu_listen(struct vfu_server *s, const char *path, char *err, size_t errlen);
int vfu_connect(struct vfu_server *s, const char *path, char *err, size_t errlen);
/* Take a connected socket (ownership passes to the server). */
int vfu_adopt(struct vfu_server *s, int fd, char *err, size_t errlen);

/* Caller-driven: a pollable fd (readable when work is due) and one round
 * of work, waiting up to timeout_ms (-1 = forever, 0 = none). Returns the
 * number of events handled, or -1 on a fatal error. */
int vfu_fd(const struct vfu_server *s);
int vfu_dispatch(struct vfu_server *s, int timeout_ms);

/* Own thread: runs vfu_dispatch until vfu_stop. */
int vfu_start(struct vfu_server *s);
void vfu_stop(struct vfu_server *s);
/* Ask the loop to return (async-signal-safe: writes an eventfd). */
void vfu_wake(struct vfu_server *s);

/* Close every open connection now (each ends its session). */
void vfu_close_all(struct vfu_server *s);

void vfu_get_stats(const struct vfu_server *s, struct vfu_stats *out);
/* The engine (to finish and report). Only while no thread runs. */
struct vc_engine *vfu_engine(struct vfu_server *s);
/* Session name of an engine session id ("" if unknown). */
const char *vfu_session_name(const struct vfu_server *s, uint32_t sid);
/* Sessions whose connection has ended so far. */
uint64_t vfu_sessions_ended(const struct vfu_server *s);
/* Nonzero when a capture write failed. */
bool vfu_record_failed(const struct vfu_server *s);
/* Finish the capture stream (flushes; the FILE stays the caller's).
 * 0 if every write succeeded. Later events are no longer recorded. */
int vfu_record_close(struct vfu_server *s);

#endif
