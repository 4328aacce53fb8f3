/* Private to the driver's runner: the run's state, shared by runner.c
 * (scenarios, outcomes, results) and runner_peer.c (the back-end process
 * and the connections to it). */
#ifndef VCTS_FAKES_FRONTEND_RUNNER_PRIV_H
#define VCTS_FAKES_FRONTEND_RUNNER_PRIV_H

#include "fakes/frontend/fe_int.h"
#include "vcts/trace.h"

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct sess_log {
	uint8_t *dirs;        /* per event: 0 FE->BE, 1 BE->FE */
	size_t n, cap;
	struct vc_event last; /* copy without payload/fds, for locating verdicts */
	bool has_last;
	bool negative;        /* a negative scenario's session */
};

struct vfe_run {
	struct vfe_options o;
	struct vc_engine *eng;
	struct vc_native_writer *rec;
	struct sess_log *sl;
	size_t nsl, capsl;
	uint32_t cur_sid;
	struct vfe_scenario_result *res;
	size_t nres, capres;
	/* the back-end process */
	pid_t pid;
	bool child;           /* spawned by us (waitpid works) */
	bool dead;
	bool term_sent;       /* the sigterm scenario ended it: not a crash */
	int status;           /* wait status when dead and a child */
	int late_crash;       /* signal of a death found at the next connect, 0 none */
	int listen_fd;
	int64_t t0;
	/* filtered results */
	struct vc_results fres;
	bool have_fres;
	const struct vfe_scn *cur;
};

static inline int64_t vfe_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void vfe_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A new engine session for a connection (recorded when recording). */
uint32_t vfe_run_new_session(struct vfe_run *r, const char *name);

/* The back-end process (runner_peer.c). Its open fds, -1 when unknown. */
int vfe_peer_fds(pid_t pid);
/* Is the watched process still there? Updates dead/status. */
bool vfe_peer_alive(struct vfe_run *r);
/* Start the --spawn command as our child; -1 with err set. */
int vfe_peer_spawn(struct vfe_run *r, char *err, size_t errlen);
/* End the child we spawned (SIGTERM, then SIGKILL) and reap it. */
void vfe_peer_stop(struct vfe_run *r);
/* Listen on the socket path for a back-end that connects to us. */
int vfe_peer_listen(struct vfe_run *r, char *err, size_t errlen);
/* A connection to the back-end, starting it first when needed. */
int vfe_peer_connect(struct vfe_run *r, char *err, size_t errlen);
/* After a scenario: is the back-end still serving? (a fresh connection
 * and one GET_FEATURES, not judged). */
void vfe_peer_probe(struct vfe_run *r);
#endif
