/* libFuzzer harness: the fake vhost-user back-end's whole state machine,
 * fed through a real socketpair with real fds.
 *
 * Structure-aware: the input decodes to a sequence of records, and most
 * records become a well-framed request (right version, the size its type
 * fixes, the fds it takes: memfds for memory, eventfds for rings), so the
 * fuzzer gets past the header checks into memory tables, rings and the
 * null device; flag bits in each record break one thing at a time (raw
 * size, wrong fd count, reserved flags, REPLY bit). Record:
 *   [op][a][b][c] then payload bytes as the message needs them
 *   op % 8 < 6: request a % 46 (0 and 45 are unknown numbers)
 *     b bit 0 NEED_REPLY, bit 2 reserved flag, bits 4-7 == 0xf: REPLY bit
 *     b bit 3 size = c (raw) instead of the type's size
 *     b bit 4 fd count = c % 4 instead of the type's
 *     b bit 5 ring addresses point into the mapped memory
 *   op % 8 == 6: kick ring a % 4 (if its kick fd was sent)
 *   op % 8 == 7: nothing but a dispatch round
 * Oracle: the fake never crashes, answers within its own loop (no hang),
 * and after the connection closes holds exactly as many fds as before it
 * was created and no mapping of guest memory. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fakes/vhost-user/fake.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BYTES (64u * 1024u)
#define UVA_BASE 0x7f0000000000ull
#define MAX_RECORDS 64

/* On a leak, say what leaked before the assertion fires. */
static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; (e = readdir(d));) {
		char p[300], t[256];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(p, t, sizeof t - 1);
		t[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "fd %s -> %s\n", e->d_name, t);
	}
	closedir(d);
}

/* fds of the kinds the fake can hold (the fuzzer's and the sanitizers'
 * own pipes and files come and go on their own). */
static bool fake_kind(const char *target)
{
	return !strncmp(target, "socket:", 7) || !strncmp(target, "anon_inode:[event", 17) ||
	       strstr(target, "memfd:fuzz-guest") != NULL;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char p[300], t[256];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(p, t, sizeof t - 1);
		t[k > 0 ? k : 0] = '\0';
		n += fake_kind(t);
	}
	closedir(d);
	return n;
}

/* Mappings of guest memory this harness handed to the fake. */
static int count_guest_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, "memfd:fuzz-guest") != NULL;
	fclose(f);
	return n;
}

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static int new_memfd(struct in *in)
{
	int fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, MEM_BYTES) != 0) {
		close(fd);
		return -1;
	}
	/* Guest memory content (descriptors the null device will walk)
	 * comes from the input too. */
	uint8_t page[256];
	size_t k = in->n < sizeof page ? in->n : sizeof page;
	memcpy(page, in->p, k);
	memset(page + k, 0, sizeof page - k);
	if (pwrite(fd, page, sizeof page, 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool is_memory_fd(uint32_t req)
{
	return req == VU_SET_MEM_TABLE || req == VU_ADD_MEM_REG || req == VU_SET_LOG_BASE ||
	       req == VU_SET_LOG_FD || req == VU_SET_INFLIGHT_FD;
}

/* fds the wire table says this request takes, given its payload (this
 * front-end acks LOG_SHMFD when offered); where a short payload leaves it
 * open, the most it may take. At most 8. */
static uint32_t wanted_fds(uint32_t req, const uint8_t *pl, uint32_t len)
{
	struct vu_fd_want w = vu_request_fds(VU_CHAN_MAIN, req, pl, len, VU_KNOWN_YES);
	uint32_t n = w.fcase == VU_FDC_UNDECIDED ? w.hi : w.lo;
	return n > 8 ? 8 : n;
}

/* Read and drop whatever the fake sent, closing any fd it passed (e.g. an
 * inflight memfd). */
static void drain(int fd, struct vc_sock_rx *rx)
{
	for (;;) {
		struct vc_sock_msg m;
		enum vc_sock_rx_status st = vc_sock_recv(fd, rx, &m);
		if (st == VC_RX_MSG) {
			vc_sock_msg_free(&m);
			continue;
		}
		if (st == VC_RX_AGAIN)
			return;
		/* Finished (EOF, a size past the cap): start again, so that
		 * nothing the fake sends stays unread. */
		vc_sock_rx_free(rx);
		vc_sock_rx_init(rx, 0);
		if (st != VC_RX_OVERSIZE)
			return;
	}
}

static void settle(struct vfu_server *s, int peer, struct vc_sock_rx *rx)
{
	/* The fake is single-threaded here: run it until it has nothing left
	 * to do, bounded so a loop inside it shows up as a hang. */
	for (int i = 0; i < 64; i++) {
		drain(peer, rx);
		if (vfu_dispatch(s, 0) <= 0)
			break;
	}
	drain(peer, rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int base_fds = -1;
	static unsigned runs;
	if (base_fds < 0)
		base_fds = count_fds();
	struct vfu_config cfg;
	memset(&cfg, 0, sizeof cfg);
	if (vfu_profile_init(&cfg.profile, size && (data[0] & 1) ? "blk" : "net", 2) != 0)
		abort();
	cfg.null_device = true;
	cfg.engine.max_findings_per_rule = 2;
	char err[256];
	struct vfu_server *s = vfu_new(&cfg, err, sizeof err);
	assert(s);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	if (vfu_adopt(s, sv[0], err, sizeof err) != 0)
		abort();
	int peer = sv[1];
	struct vc_sock_rx rx;
	vc_sock_rx_init(&rx, 0);
	int kicks[4] = { -1, -1, -1, -1 };
	struct in in = { data, size };
	for (unsigned r = 0; r < MAX_RECORDS && in.n >= 4; r++) {
		uint8_t op = take(&in), a = take(&in), b = take(&in), c = take(&in);
		if (op % 8 == 7) {
			settle(s, peer, &rx);
			continue;
		}
		if (op % 8 == 6) {
			int k = kicks[a % 4];
			uint64_t one = 1;
			if (k >= 0 && write(k, &one, sizeof one) < 0)
				abort();
			settle(s, peer, &rx);
			continue;
		}
		uint32_t req = a % (VU_REQ_MAX_FRONTEND + 2);
		const struct vu_request_info *ri = vu_request(VU_CHAN_MAIN, req);
		uint32_t flags = VU_VERSION;
		if (b & 1)
			flags |= VU_FLAG_NEED_REPLY;
		if (b & 4)
			flags |= 0x100;
		if ((b & 0xf0) == 0xf0)
			flags |= VU_FLAG_REPLY;
		uint8_t payload[VU_HDR_SIZE + 8 + VU_MEM_REGION_SIZE * 8];
		uint32_t len;
		int fixed = ri ? vu_payload_fixed_size(ri->req_payload) : 0;
		if (b & 8)
			len = c;
		else if (ri && ri->req_payload == VU_PL_MEMTABLE)
			len = VU_MEM_TABLE_HDR + VU_MEM_REGION_SIZE * (1 + c % 8);
		else if (ri && ri->req_payload == VU_PL_CONFIG)
			len = 12 + c % 16;
		else
			len = fixed > 0 ? (uint32_t)fixed : 0;
		if (len > sizeof payload - VU_HDR_SIZE)
			len = sizeof payload - VU_HDR_SIZE;
		uint8_t *pl = payload + VU_HDR_SIZE;
		for (uint32_t i = 0; i < len; i++)
			pl[i] = take(&in);
		if (ri && ri->req_payload == VU_PL_MEMTABLE && !(b & 8)) {
			/* A sane table, one 64 KiB memfd per region, offsets and sizes
			 * nudged by the input so some run past the file. */
			uint32_t n = 1 + c % 8;
			struct vu_region_pl reg[8];
			for (uint32_t i = 0; i < n; i++) {
				uint8_t nudge = pl[VU_MEM_TABLE_HDR + i * VU_MEM_REGION_SIZE];
				reg[i] = (struct vu_region_pl){ (uint64_t)i * MEM_BYTES,
							      nudge & 0x80 ? MEM_BYTES * 2 : MEM_BYTES,
							      UVA_BASE + (uint64_t)i * MEM_BYTES,
							      nudge & 0x40 ? 4096 : 0 };
			}
			vu_enc_memtable(pl, len, reg, n);
		}
		if ((b & 0x20) && req == VU_SET_VRING_ADDR && len >= 40) {
			/* Rings inside region 0, at input-chosen aligned offsets. */
			struct vu_addr_pl ad;
			vu_dec_addr(pl, len, &ad);
			ad.index %= 4;
			ad.flags = 0;
			ad.desc = UVA_BASE + (ad.desc & 0x3ff0);
			ad.used = UVA_BASE + 0x8000 + (ad.used & 0x3ffc);
			ad.avail = UVA_BASE + 0x4000 + (ad.avail & 0x3ffe);
			vu_enc_addr(pl, len, &ad);
		}
		if ((b & 0x20) && (req == VU_SET_VRING_NUM || req == VU_SET_VRING_BASE) && len >= 8) {
			struct vu_state_pl st;
			vu_dec_state(pl, len, &st);
			st.index %= 4;
			st.num = req == VU_SET_VRING_NUM ? 1u << (st.num % 9) : 0;
			vu_enc_state(pl, len, &st);
		}
		vu_wr32(payload, req);
		vu_wr32(payload + 4, flags);
		vu_wr32(payload + 8, len);
		uint32_t nfds = (b & 0x10) ? c % 4 : wanted_fds(req, pl, len);
		int fds[8];
		for (uint32_t i = 0; i < nfds; i++) {
			fds[i] = is_memory_fd(req) ? new_memfd(&in) : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			assert(fds[i] >= 0);
		}
		/* The fake reads only in settle(): no wait for room. */
		int w = vc_sock_send(peer, payload, VU_HDR_SIZE + len, fds, nfds, 0);
		int werr = errno;
		/* Keep kick fds to fire them later; close every other copy. */
		for (uint32_t i = 0; i < nfds; i++) {
			if (w == 0 && req == VU_SET_VRING_KICK && len >= 8 && i == 0) {
				int ring = (int)(vu_rd64(pl) & 3);
				if (kicks[ring] >= 0)
					close(kicks[ring]);
				kicks[ring] = fds[i];
				continue;
			}
			close(fds[i]);
		}
		settle(s, peer, &rx);
		if (w < 0 && werr != ETIMEDOUT)
			break; /* the fake closed the connection */
	}
	for (int i = 0; i < 4; i++)
		if (kicks[i] >= 0)
			close(kicks[i]);
	close(peer);
	settle(s, -1, &rx);
	vc_sock_rx_free(&rx);
	struct vfu_stats st;
	vfu_get_stats(s, &st);
	assert(st.fds_received == st.fds_closed || st.open_connections == 0);
	vfu_free(s);
	/* Every fd and guest mapping the fake took is gone again. Reading the
	 * maps costs more than a run; leaks accumulate, so every 16th run
	 * finds one. */
	if (count_fds() != base_fds) {
		fprintf(stderr, "fuzz_backend: %d fds open, %d before the fake was created:\n", count_fds(), base_fds);
		list_fds();
		abort();
	}
	if (++runs % 16 == 0)
		assert(count_guest_maps() == 0);
	return 0;
}
