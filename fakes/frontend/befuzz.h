/* fuzz-backend: the driver as a fuzzer of real vhost-user back-ends.
 *
 * Iteration i of seed N is a plan: a base sequence (one of the real
 * recordings' request sequences, or the driver's init/start/kick/stop
 * table) with a few mutations (flags, sizes, payload words, ring
 * index/num/addresses, memory-table fields, fd counts, dropped, repeated
 * and reordered steps, descriptor faults on kicked rings, a cut-off last
 * message). The plan depends on (N, i) only; the bytes sent depend on it
 * and on the back-end's feature answers, so against the same back-end
 * iteration i of seed N always sends the same bytes. Each iteration is one
 * connection through the driver's runner, which starts the back-end
 * (again when it died) and gives the process verdicts: crashed, hung,
 * leaked. Every such iteration is saved under the output folder with its
 * native capture, its raw bytes, its plan and a one-command reproducer. */
#ifndef VCTS_FAKE_BEFUZZ_H
#define VCTS_FAKE_BEFUZZ_H

#include "fakes/frontend/frontend.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vfz_options {
	const char *socket;
	const char *spawn;        /* shell command of the back-end; NULL: it runs already */
	enum vfe_device device;
	uint64_t seed;
	uint64_t first;           /* first iteration */
	uint64_t count;           /* iterations to run (0: until duration) */
	double duration_s;        /* stop starting iterations after this (0: none) */
	const char *steps;        /* "0,3,7-9": only these steps of each plan */
	int timeout_ms;           /* per owed answer (default 2000) */
	int startup_ms;
	const char *out_dir;      /* findings go to out_dir/<id>/ (NULL: not saved) */
	const char *record;       /* native capture of every iteration */
	const char *raw;          /* raw bytes sent on the main channel, every iteration */
	const char *exe;          /* vhost-cts binary named in reproducers */
	FILE *log;                /* progress and finding lines; NULL quiet */
	bool verbose;             /* a line per iteration */
};

enum vfz_kind { VFZ_OK = 0, VFZ_CRASH, VFZ_HANG, VFZ_LEAK, VFZ_KIND_COUNT };

struct vfz_stats {
	uint64_t iterations, steps_sent, reconnects;
	uint64_t by_outcome[VFE_OUTCOME_COUNT];
	uint64_t findings[VFZ_KIND_COUNT];
	uint64_t saved, respawns;
	double seconds;
};

/* Runs the campaign; 0 done (findings in st), -1 with err when nothing
 * could run (no back-end, bad --steps). */
int vfz_run(const struct vfz_options *o, struct vfz_stats *st, char *err, size_t errlen);

/* Print the plan of iteration o->first (its steps and mutations). */
void vfz_print_plan(const struct vfz_options *o, FILE *f);

/* Shrink a saved finding (dir = out_dir/<id>): drops steps while the same
 * verdict persists on a fresh back-end, writes dir/minimal.sh and
 * dir/minimal.txt. 0 done, -1 with err. */
int vfz_minimise(const char *dir, const struct vfz_options *o, char *err, size_t errlen);

const char *vfz_kind_name(enum vfz_kind k);
#endif
