/* The fake front-end ("driver"): plays a vhost-user front-end against a
 * back-end under test. It owns real guest memory (memfd), eventfds and
 * split rings, runs scenarios (init/start/stop sequences replayed from the
 * real recordings in traces/, multiqueue, reconnect, memory hot-plug, dirty
 * log, inflight fds, a data-path check per device type) and negative
 * scenarios (one per bug class of bugs.md and per MUST rule a back-end has
 * to enforce), and judges every answer live: each scenario is one engine
 * session (traced side "live") whose messages both ways, fds and times are
 * fed to the rule engine and optionally recorded in the native format, so
 * `vhost-cts check` re-judges a drive run offline.
 *
 * The back-end's answers are hostile input: every wait is bounded by the
 * timeout, every fd it passes is closed, every mapping unmapped. When the
 * back-end is a local process (--spawn or --pid) the runner also watches it:
 * killed by a signal = crashed, fds not released after a connection ends =
 * leaked. */
#ifndef VCTS_FAKE_FRONTEND_H
#define VCTS_FAKE_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "vcts/engine.h"

enum vfe_device { VFE_DEV_NET = 0, VFE_DEV_BLK, VFE_DEV_FS, VFE_DEV_GPU, VFE_DEV_COUNT };

/* Per scenario: what happened. */
enum vfe_outcome {
	VFE_PASS = 0,     /* positive scenario served, no finding */
	VFE_REJECTED,     /* negative scenario: error ack or closed connection */
	VFE_ACCEPTED,     /* negative scenario: acked 0 or kept serving */
	VFE_FINDINGS,     /* positive scenario with rule findings (or refused) */
	VFE_CRASHED,      /* the back-end process died by a signal */
	VFE_HUNG,         /* no answer and no close within the timeout */
	VFE_LEAKED,       /* fds of the connection not released */
	VFE_SKIPPED,      /* not applicable to this back-end (feature not offered) */
	VFE_ERROR,        /* the driver could not run it (no back-end, spawn failed) */
	VFE_OUTCOME_COUNT,
};
const char *vfe_outcome_name(enum vfe_outcome o);

struct vfe_options {
	const char *socket;
	bool listen;               /* we listen, the back-end connects */
	enum vfe_device device;
	const char *scenario_glob; /* comma list of globs, NULL = all */
	const char *spawn;         /* shell command of the back-end (exec'd) */
	pid_t pid;                 /* an already running back-end to watch, 0 none */
	int timeout_ms;            /* per answer (default 3000) */
	int startup_ms;            /* back-end start (default 20000) */
	uint32_t queues;           /* net: queue pairs for multiqueue (default 2) */
	FILE *record;              /* native capture of every scenario */
	const char *source_name;   /* src.file of events ("drive") */
	FILE *log;                 /* per-scenario verdict lines; NULL quiet */
	FILE *spawn_log;           /* the spawned back-end's stdout/stderr; NULL = /dev/null */
	bool strict;
};

struct vfe_scenario_result {
	const char *name;
	const char *family;
	enum vfe_outcome outcome;
	uint32_t session;          /* engine session */
	char detail[512];
};

struct vfe_run;

/* NULL with err on bad options. */
struct vfe_run *vfe_run_new(const struct vfe_options *o, char *err, size_t errlen);
/* Runs every selected scenario; returns how many ran (-1 with err when
 * nothing could run at all, e.g. the glob selects nothing). */
int vfe_run_all(struct vfe_run *r, char *err, size_t errlen);
/* Results filtered to what judges the back-end: findings about the
 * driver's own (deliberately broken) messages and front-end-only rules are
 * dropped. Valid until vfe_run_free. */
const struct vc_results *vfe_run_results(struct vfe_run *r);
const struct vfe_scenario_result *vfe_run_scenarios(const struct vfe_run *r, size_t *n);
void vfe_run_free(struct vfe_run *r);

/* Scenario catalogue (for --list and tests). */
size_t vfe_scenario_count(void);
const char *vfe_scenario_name(size_t i);
const char *vfe_scenario_text(size_t i);
bool vfe_scenario_negative(size_t i);
/* Whether --scenario GLOB[,GLOB] (NULL or "" = all) selects scenario i. */
bool vfe_scenario_selected(const char *glob, size_t i);
int vfe_device_by_name(const char *name);
const char *vfe_device_name(enum vfe_device d);
#endif
