/* Private to fakes/frontend/: one driver connection (guest memory, rings,
 * eventfds, the two channels) and the scenario table format. */
#ifndef VCTS_FAKE_FE_INT_H
#define VCTS_FAKE_FE_INT_H

#include "fakes/frontend/frontend.h"
#include "vcts/event.h"
#include "vcts/vring.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"
#include "vcts/wire_encode.h"

#include <stdbool.h>
#include <stdint.h>

/* Rings and regions the driver sets up at most. */
#define VFE_MAX_RINGS 16u
#define VFE_MAX_MEM 12u
/* Guest memory: one region of this size at gpa 0 by default. */
#define VFE_MEM_SIZE ((uint64_t)16 << 20)
/* Ring area (one slot per ring) and buffer area inside region 0. */
#define VFE_RING_AREA ((uint64_t)1 << 20)
#define VFE_RING_SLOT ((uint64_t)16 << 10)
#define VFE_BUF_AREA ((uint64_t)4 << 20)
#define VFE_RING_NUM 256u
/* Largest reply the driver frames; more is garbage. */
#define VFE_MAX_REPLY (64u << 10)

struct vfe_mem {
	int fd;
	uint8_t *map;
	uint64_t size;   /* of the mapping and the memfd */
	uint64_t gpa;
	uint64_t span;   /* user addresses reserved from map on (>= size), what munmap takes */
};

struct vfe_vring {
	uint32_t num;
	uint64_t desc, avail, used;   /* guest-physical */
	int kick, call, err;
	uint16_t avail_idx, used_seen;
	bool started;
	/* Split: the state vfe_ring_setup gave the back-end (SET_VRING_BASE
	 * word, used index in memory then), to judge GET_VRING_BASE (VU-BE-07). */
	bool base_known;
	uint16_t set_base, used0;
	/* Packed (RING_PACKED acked when the ring was laid out; num <=
	 * VFE_RING_NUM): avail and used are the driver and device event
	 * areas. The driver's positions and wrap counters; used_count counts
	 * used buffers (what avail_idx/used idx count on a split ring). */
	bool packed;
	uint16_t avail_pos, used_pos;
	bool avail_wrap, used_wrap;
	uint16_t used_count, next_id;
	uint32_t inflight;            /* descriptors made available, not yet used */
	bool bad_used;                /* the device used a buffer id never posted */
	uint16_t chain_len[VFE_RING_NUM];            /* by buffer id; 0 free */
	uint32_t used_id[VFE_RING_NUM], used_len[VFE_RING_NUM]; /* by used_count % num */
};

/* One received message (a reply, or a back-end channel request). */
struct vfe_msg {
	uint32_t req, flags, size;
	uint8_t pl[VFE_MAX_REPLY];
	uint32_t len;
	int fds[VC_EVENT_MAX_FDS];
	unsigned nfds;               /* fds held in fds[] */
	unsigned nfds_total;         /* fds the message carried (the rules judge this) */
};

enum vfe_rx { VFE_RX_MSG = 1, VFE_RX_EOF = 0, VFE_RX_TIMEOUT = -1, VFE_RX_GARBAGE = -2 };

struct vfe_conn {
	struct vfe_run *run;
	uint32_t sid;
	int sock;
	int be_sock;                 /* our end of the back-end channel, -1 none */
	struct vc_sock_rx rx[2];     /* readers of the main socket and the back-end channel */
	int timeout_ms;
	bool eof, garbage, hung;
	char why[256];               /* why a scenario stopped */

	uint64_t features, acked;
	uint64_t pf, pf_acked;
	bool pf_ok;                  /* protocol features negotiated */
	uint32_t queue_num;          /* GET_QUEUE_NUM answer or the device default */
	uint32_t max_slots;
	uint32_t nrings;             /* rings the scenario sets up */

	struct vfe_mem mem[VFE_MAX_MEM];
	unsigned nmem;
	struct vfe_vring ring[VFE_MAX_RINGS];
	int log_fd;
	void *log_map;
	uint64_t log_size;
	int inflight_fd;
	void *inflight_map;
	uint64_t inflight_size;
	uint32_t last_ack_req;
	uint64_t last_ack;           /* value of the last ack read */
	bool last_ack_seen;
	/* The spawned/watched back-end died while we talked. */
	bool peer_dead;
	/* GET_VRING_BASE keeps the driver's kick eventfd (the quiet check
	 * kicks a stopped ring through the back-end's copy). */
	bool keep_kick;
};

/* ---- conn.c: transport, events, request helpers ---- */
void vfe_conn_init(struct vfe_conn *c, struct vfe_run *r, int sock, uint32_t sid, int timeout_ms);
/* Closes every fd, unmaps everything, emits the driver's EOF if open. */
void vfe_conn_close(struct vfe_conn *c);
/* Send one message (raw: flags as given). fds are not consumed. 0, or -1
 * when the back-end is gone (c->eof). declared_size overrides the header's
 * size field when >= 0 (negative scenarios); only len bytes are sent. */
int vfe_send_raw(struct vfe_conn *c, uint32_t req, uint32_t flags, int64_t declared_size,
		 const void *pl, uint32_t len, const int *fds, unsigned nfds);
/* Our end of a new back-end channel (-1: none); the old one is closed. */
void vfe_set_backend(struct vfe_conn *c, int sock);
/* A normal request: version bits, plus extra flags. */
int vfe_send(struct vfe_conn *c, uint32_t req, uint32_t extra_flags, const void *pl, uint32_t len,
	     const int *fds, unsigned nfds);
/* Read the next main-channel message within the timeout; back-end channel
 * requests are served (acked) meanwhile. A timeout emits a STALL event. */
enum vfe_rx vfe_recv(struct vfe_conn *c, struct vfe_msg *m, uint32_t owed_req);
void vfe_msg_close_fds(struct vfe_msg *m);
/* Request with a u64 reply. 0 on success, -1 otherwise (why set). */
int vfe_get_u64(struct vfe_conn *c, uint32_t req, uint64_t *out);
/* A request without a reply of its own: with REPLY_ACK negotiated it asks
 * for the ack and returns its value (0 success); without, 0 once sent.
 * -1: closed, timed out or garbled (why set). */
int64_t vfe_set(struct vfe_conn *c, uint32_t req, const void *pl, uint32_t len, const int *fds,
		unsigned nfds);
int64_t vfe_set_u64(struct vfe_conn *c, uint32_t req, uint64_t v);
int64_t vfe_set_state(struct vfe_conn *c, uint32_t req, uint32_t index, uint32_t num);
/* GET_VRING_BASE: the reply's num in *base. */
int vfe_get_vring_base(struct vfe_conn *c, uint32_t index, uint32_t *base);
bool vfe_pf(const struct vfe_conn *c, unsigned bit);
void vfe_why(struct vfe_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A kick the driver rang: a live KICK event for the engine. */
void vfe_emit_kick(struct vfe_conn *c, uint32_t ring);

/* ---- guest.c: memory, rings, data path ---- */
/* Add a memfd region of size bytes at gpa (mapped shared). -1 on error. */
int vfe_mem_add(struct vfe_conn *c, uint64_t gpa, uint64_t size);
int vfe_mem_add_span(struct vfe_conn *c, uint64_t gpa, uint64_t size, uint64_t span, void *hint);
/* neg-region-past-fd(-ring): a 2-region SET_MEM_TABLE payload, region 1 claiming more than its memfd */
#define VFE_PAST_FD_CLAIM (VFE_RING_AREA * 64)
#define VFE_PAST_FD_TABLE (VU_MEM_TABLE_HDR + 2 * VU_MEM_REGION_SIZE)
int vfe_past_fd_table(struct vfe_conn *c, uint64_t gpa, void *hint, uint8_t *pl, int *fds);
void vfe_mem_free_all(struct vfe_conn *c);
/* Host pointer of [gpa, gpa+len) or NULL. */
void *vfe_gpa(struct vfe_conn *c, uint64_t gpa, uint64_t len);
uint64_t vfe_uva(const struct vfe_conn *c, uint64_t gpa);
/* Build SET_MEM_TABLE payload + fds from the regions [first, first+n). */
uint32_t vfe_memtable(const struct vfe_conn *c, unsigned first, unsigned n, uint8_t *pl, int *fds);
/* Lay out ring i (desc/avail/used in the ring area) and create its fds. */
int vfe_ring_prepare(struct vfe_conn *c, uint32_t i, uint32_t num);
void vfe_ring_addr(const struct vfe_conn *c, uint32_t i, struct vu_addr_pl *a);
/* Put a chain of buffers on ring i: out (device-readable) then in
 * (device-writable) pieces, each a gpa/len. Returns the head index. */
int vfe_ring_add(struct vfe_conn *c, uint32_t i, const uint64_t *gpa, const uint32_t *len,
		 unsigned nout, unsigned nin);
void vfe_ring_kick(struct vfe_conn *c, uint32_t i);
/* Wait until ring i's used index reaches want (bounded). true if it did. */
bool vfe_ring_wait_used(struct vfe_conn *c, uint32_t i, uint16_t want, int timeout_ms);
uint16_t vfe_ring_used_idx(struct vfe_conn *c, uint32_t i);
/* Used element k of ring i: id and len. */
bool vfe_ring_used_elem(struct vfe_conn *c, uint32_t i, uint16_t k, uint32_t *id, uint32_t *len);
/* Packed ring i: the state word the device must report once stopped
 * (the driver's own positions), and whether got is it: the used half
 * equal, the avail half between the used position and the driver's
 * avail position (a device may have taken buffers it has not used). */
bool vfe_ring_packed_state_ok(struct vfe_conn *c, uint32_t i, uint32_t got, uint32_t *want);

/* ---- steps.c: sequences ---- */
enum vfe_flavour { VFE_QEMU = 0, VFE_DPDK = 1 };
/* Negotiation, owner, memory table (the flavour's order). */
int vfe_init(struct vfe_conn *c, enum vfe_flavour fl, uint64_t want_features, uint64_t want_pf);
/* Ring i's NUM, BASE (the word given), ADDR, CALL, KICK, on its memory as
 * it is (a restart keeps it; vfe_ring_prepare lays it out). */
int vfe_ring_setup(struct vfe_conn *c, uint32_t i, uint32_t num, uint32_t base);
/* Rings 0..n-1 set up: enable them (with PROTOCOL_FEATURES) and DRIVER_OK
 * (with STATUS), nothing kicked. */
int vfe_enable_rings(struct vfe_conn *c, uint32_t n);
/* vfe_enable_rings(), then kick each once; they are the connection's rings. */
int vfe_go_live(struct vfe_conn *c, uint32_t n);
/* A stopped packed ring's GET_VRING_BASE word against the driver's own
 * positions: the VU-PACK-04 verdict (nothing for a split ring). */
void vfe_check_packed_base(struct vfe_conn *c, uint32_t i, uint32_t base);
/* A stopped split ring's GET_VRING_BASE answer against what the driver
 * made available and saw used since vfe_ring_setup: the VU-BE-07 verdict
 * (nothing for a packed ring or one the driver did not set up itself). */
void vfe_check_split_base(struct vfe_conn *c, uint32_t i, uint32_t base);
/* Rings 0..n-1: NUM, BASE, ADDR, KICK, CALL, ENABLE (and status). */
int vfe_start(struct vfe_conn *c, enum vfe_flavour fl, uint32_t n);
int vfe_stop(struct vfe_conn *c, enum vfe_flavour fl, uint32_t n);
int vfe_send_memtable(struct vfe_conn *c);
/* Replay one recording's request sequence with fresh memory and fds. */
struct vfe_rec_step {
	uint32_t req, flags;
	uint32_t index;   /* ring index (state, addr, vring files) */
	uint64_t value;   /* num / u64 value / addr flags */
};
struct vfe_recording {
	const char *name;   /* "qemu-dpdk-net" */
	const char *file;   /* the recording it came from */
	const struct vfe_rec_step *steps;
	unsigned nsteps;
};
extern const struct vfe_recording vfe_recordings[];
extern const unsigned vfe_nrecordings;
/* Replays steps [from, to) of a recording. */
int vfe_replay(struct vfe_conn *c, const struct vfe_recording *rec, unsigned from, unsigned to);
uint64_t vfe_default_features(enum vfe_device d);
uint64_t vfe_default_pf(void);
uint32_t vfe_device_rings(enum vfe_device d);
/* The rings of the run's device, at most VFE_MAX_RINGS. */
uint32_t vfe_conn_rings(struct vfe_conn *c);
/* vfe_init as QEMU with the device's default features; -1 when that fails,
 * -2 (skipped, why set) when the back-end did not offer every protocol
 * feature of pf or the front-end could not ack every feature of f. */
int vfe_init_needing(struct vfe_conn *c, uint64_t pf, uint64_t f, const char *why);

/* ---- scenarios ---- */
struct vfe_scn;
typedef int (*vfe_scn_fn)(struct vfe_conn *c, const struct vfe_scn *s);
struct vfe_scn {
	const char *name;
	const char *family;
	const char *text;
	bool negative;
	/* Negative: the rule the malformed request breaks (the finding level
	 * for an accepted one is the rule's). */
	enum vc_rule_id rule;
	unsigned devices;      /* mask of 1 << enum vfe_device, 0 = every device */
	vfe_scn_fn run;
	int arg;
};
/* Negative scenario functions return: 1 the malformed message was sent
 * asking for an ack, 0 sent without asking, 2 the driver closed its side
 * (EOF scenarios), 3 refused by an error ack the scenario read itself,
 * -1 the set-up failed (why), -2 not applicable. Positive
 * ones: 0 served, 1 findings of their own (why), -1 failed, -2 n/a. */
extern const struct vfe_scn vfe_scn_basic[];
extern const unsigned vfe_scn_nbasic;
extern const struct vfe_scn vfe_scn_neg[];
extern const unsigned vfe_scn_nneg;
/* sc_basic.c: the data-path checks (verdict VU-BE-06). 0 used, 1 not,
 * -1 set-up failed. net: 4 RX buffers and one TX frame; blk: sector 1
 * written and read back. */
int vfe_data_net(struct vfe_conn *c);
int vfe_data_blk(struct vfe_conn *c);
/* The one of the two for the run's device. */
int vfe_data_path(struct vfe_conn *c);
/* sc_packed.c: packed-ring scenarios (listed in vfe_scn_basic). */
int vfe_sc_packed_datapath(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_packed_stop_resume(struct vfe_conn *c, const struct vfe_scn *s);
/* sc_ring_state.c: a stopped ring kicked stays untouched (VU-BE-08). */
int vfe_sc_stopped_quiet(struct vfe_conn *c, const struct vfe_scn *s);
/* sc_ring_state.c: buffers posted before SET_VRING_KICK used unkicked (VU-BE-10). */
int vfe_sc_start_without_kick(struct vfe_conn *c, const struct vfe_scn *s);

/* sc_enable.c: the enabled state of Ring states (VU-BE-12, -13, -14). */
int vfe_sc_no_protocol_features(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_disabled_ring(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_enable_while_stopped(struct vfe_conn *c, const struct vfe_scn *s);

/* sc_config.c: SET_CONFIG of a read-only field refused (VU-BE-22). */
int vfe_sc_config_readonly(struct vfe_conn *c, const struct vfe_scn *s);
/* sc_postcopy.c: ADVISE, LISTEN, END answered 0 (VU-BE-24). */
int vfe_sc_postcopy(struct vfe_conn *c, const struct vfe_scn *s);
/* sc_devstate.c: save, save without a reader, load (VU-BE-25, VU-RVAL-02). */
int vfe_sc_device_state(struct vfe_conn *c, const struct vfe_scn *s);
/* sc_config.c: INBAND_NOTIFICATIONS without its channel closes (VU-BE-23). */
int vfe_sc_inband_without_channel(struct vfe_conn *c, const struct vfe_scn *s);
/* sc_reset.c: RESET_DEVICE and RESET_OWNER (VU-BE-17, -18). */
int vfe_sc_reset_device(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_reset_owner(struct vfe_conn *c, const struct vfe_scn *s);

/* runner.c: the device of the run (scenarios adapt to it). */
enum vfe_device vfe_run_device(const struct vfe_run *r);
uint32_t vfe_run_queues(const struct vfe_run *r);
/* Record + judge one event of the current scenario. */
void vfe_run_emit(struct vfe_run *r, struct vc_event *ev);
/* Report a scenario-level observation on a rule of the current session. */
void vfe_run_verdict(struct vfe_run *r, enum vc_rule_id rule, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reconnect within a scenario: closes c and opens a new connection to the
 * back-end in a new session. 0 or -1. */
int vfe_run_reconnect(struct vfe_run *r, struct vfe_conn *c);
/* Run one scenario now (a new session, the process checks of run_one);
 * the result stays valid until the next call. A late crash found at the
 * next connection rewrites the previous result (vfe_run_scenarios). */
const struct vfe_scenario_result *vfe_run_scenario(struct vfe_run *r, const struct vfe_scn *s);
/* Capture the following sessions to f (closing the previous writer; NULL
 * stops capturing). f stays the caller's. */
void vfe_run_set_record(struct vfe_run *r, FILE *f, const char *producer);
/* The watched back-end's pid while it is alive, else 0. */
pid_t vfe_run_pid(struct vfe_run *r);
/* Send SIGTERM to the spawned back-end and wait up to limit_ms for it to
 * end: the milliseconds it took (wait status in *status), -1 still
 * running, -2 no spawned back-end alive. Its end is then no crash. */
int vfe_run_terminate(struct vfe_run *r, int limit_ms, int *status);
/* The back-end's shell command (--spawn, back-end listening), else NULL;
 * the socket path of the run. */
const char *vfe_run_spawn_cmd(const struct vfe_run *r);
const char *vfe_run_socket(const struct vfe_run *r);
/* runner_peer.c: "exec CMD" by /bin/sh as our child in a process group of
 * its own, stdin /dev/null, stdout and stderr to out and err (/dev/null
 * when -1); a sanitizer report aborts it when asked. The pid, -1 (errno). */
pid_t vfe_spawn_sh(const char *cmd, int out, int err, bool abort_on_report);
/* The pid drive spawned or watches, alive or not (0 none). */
pid_t vfe_run_started_pid(const struct vfe_run *r);
/* sc_process.c: the back-end program conventions (VU-BE-11, -19, -20). */
int vfe_sc_sigterm(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_postcopy_advise(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_shmem_config(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_print_capabilities(struct vfe_conn *c, const struct vfe_scn *s);
int vfe_sc_no_daemon(struct vfe_conn *c, const struct vfe_scn *s);
#endif
