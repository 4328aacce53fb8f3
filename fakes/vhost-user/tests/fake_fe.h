/* The small C front-end the fake's suites (test_fake.c, test_fake_faults.c)
 * drive it with: framed requests with SCM_RIGHTS, a fake on its own thread
 * with live findings counted, memfd guest memory and split-ring chains. */
#ifndef VCTS_FAKES_VHOST_USER_TESTS_FAKE_FE_H
#define VCTS_FAKES_VHOST_USER_TESTS_FAKE_FE_H

#include "fakes/vhost-user/fake.h"
#include "fakes/vhost-user/fake_int.h"
#include "harness/tests/common/testutil.h"
#include "harness/tests/common/vu_client.h"
#include "vcts/engine.h"
#include "vcts/trace.h"
#include "vcts/sock.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Payload layouts as C structs; each test checks sizeof against the wire
 * table before use, so the table stays the one source of sizes. */
struct pl_state { uint32_t index, num; };
struct pl_addr { uint32_t index, flags; uint64_t desc, used, avail, log; };
struct pl_region { uint64_t gpa, size, uva, offset; };
struct pl_table { uint32_t n, pad; struct pl_region r[8]; };
struct pl_config { uint32_t offset, size, flags; uint8_t data[64]; };

struct live {
	uint64_t must, total;
};

/* Guest memory: one memfd region at gpa 0 with a fake user address. */
#define MEM_SIZE (1u << 20)
#define UVA 0x7f0000000000ull
#define Q_NUM 8u
#define DESC_GPA 0x0ull
#define AVAIL_GPA 0x1000ull
#define USED_GPA 0x2000ull
#define BUF_GPA 0x10000ull

struct guest {
	int memfd;
	uint8_t *mem;
};

/* The hostile front-end keeps sending after the fake hung up on it. */
extern bool tolerant;
void fe_send(int fd, uint32_t req, uint32_t flags, const void *pl, uint32_t len, const int *fds,
	     int nfds);
void req(int fd, uint32_t r, uint32_t extra, const void *pl, uint32_t len);
int fe_recv(int fd, uint32_t *r, uint32_t *flags, void *pl, uint32_t cap, int *rfd);
uint64_t get_u64(int fd, uint32_t r);
void set_u64(int fd, uint32_t r, uint64_t v);
uint64_t ack(int fd, uint32_t r);
void on_finding(const struct vc_finding *f, void *opaque);
struct vfu_server *new_server_opts(const char *profile, uint32_t queues, struct live *l, FILE *rec,
				   const char *const *faults, size_t nfaults,
				   const struct vc_engine_opts *eo);
struct vfu_server *new_server(const char *profile, uint32_t queues, struct live *l, FILE *rec,
			      const char *const *faults, size_t nfaults);
int connect_fake(struct vfu_server *s);
void wait_ended(struct vfu_server *s, uint64_t n);
void guest_init(struct guest *g, uint64_t size);
void guest_free(struct guest *g, uint64_t size);
void negotiate(int fd, uint64_t pf_want);
void send_table(int fd, int memfd, uint64_t size, uint64_t fd_offset, bool need_ack);
void setup_ring(int fd, uint32_t idx, int kick, int call);
void post_chain(struct guest *g, uint16_t avail_idx, const uint16_t *flags, const uint32_t *lens, int n,
		int kick);
uint16_t used_idx(struct guest *g);
bool has_rule(const struct vc_results *res, enum vc_rule_id r);

#endif
