/* The certification driver's shared state and calls: private to
 * fakes/vdpa/certify.c (the plumbing: calls with their step log, the IOTLB,
 * status, starting and stopping the device, the entry point) and
 * fakes/vdpa/certify_steps.c (one function per check). */
#ifndef VCTS_FAKE_VDPA_CERTIFY_DRIVER_H
#define VCTS_FAKE_VDPA_CERTIFY_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vcts/engine.h"
#include "fakes/vdpa/port.h"

struct cert {
	struct vdpa_port *p;
	struct vc_engine *eng; /* verdicts go to session sid of eng */
	uint32_t sid;
	FILE *log;
	FILE *notes;
	FILE *steps;       /* one line per call and its result (differential tests) */
	unsigned nstep;
	const char *phase; /* the check being run, for the step log */
	int fd;
	/* what the device said */
	uint32_t device_id, config_size, nvqs;
	uint16_t num_max;
	uint64_t features, backend;
	uint64_t first, last;
	/* guest memory for the IOTLB and the rings */
	uint8_t *mem;
	size_t mem_len;
	uint64_t iova;     /* where mem is mapped */
	int kick[2], call[2];
};

#define MEM_LEN (64u * 1024u)

/* The verdicts: rule r held (ok) or broken (a finding with the sentence),
 * recorded in session k->sid through the engine's live-verdict call.
 * cert_expect evaluates to cond and formats only when the rule is broken. */
void cert_verdict(struct cert *k, enum vc_rule_id r, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define cert_expect(k, r, cond, ...)                             \
	__extension__({                                          \
		bool cert_held_ = (cond);                        \
		cert_verdict((k), (r), cert_held_, __VA_ARGS__); \
		cert_held_;                                      \
	})
#define cert_fail(k, r, ...) cert_verdict((k), (r), false, __VA_ARGS__)

/* A line to the log (o->log), when there is one. */
void cert_note(struct cert *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "success", the errno's name, or "ENOTSUPP" (the kernel's 524). */
const char *cert_errname(long r);
/* Record r in the step log (o->steps) with what was called; returns r. */
long cert_step(struct cert *k, long r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An ioctl on the device, logged as a step. */
long cert_io(struct cert *k, uint32_t req, void *arg);
/* One IOTLB message (V2 when negotiated, else V1). */
long cert_iotlb(struct cert *k, uint8_t type, uint64_t iova, uint64_t size, uint64_t uaddr, uint8_t perm);
/* Map or unmap the certifier's memory at k->iova (batched when offered). */
long cert_map_mem(struct cert *k);
long cert_unmap_mem(struct cert *k);
long cert_set_status(struct cert *k, uint8_t s);
/* The status byte, or a negative errno. */
int cert_get_status(struct cert *k);
/* The features certify acks: VERSION_1, ACCESS_PLATFORM (net: MAC, STATUS). */
uint64_t cert_driver_features(const struct cert *k);
/* A getter called twice answers, the same both times (VDPA-DEV-01). */
bool cert_getter(struct cert *k, uint32_t req, void *a, void *b, size_t cap);
long cert_begin(struct cert *k);
/* Start the first min(2, nvqs) rings and DRIVER_OK; reset and unmap.
 * NULL, or why not (in why). */
const char *cert_start_dev(struct cert *k, char *why, size_t len, uint32_t *nq_out, uint32_t *num_out);
const char *cert_stop_dev(struct cert *k, char *why, size_t len, uint32_t nq);

/* The checks (fakes/vdpa/certify_steps.c), in the order vdpa_certify runs them. */
void cert_dev01(struct cert *k);
void cert_dev02(struct cert *k);
void cert_dev03(struct cert *k);
void cert_sts05_feat05(struct cert *k);
void cert_dev04(struct cert *k);
void cert_dev07(struct cert *k, unsigned cycles);
void cert_datapath(struct cert *k);
void cert_dev06(struct cert *k);
void cert_dev05(struct cert *k);

#endif
