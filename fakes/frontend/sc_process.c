/* The back-end program conventions a driver can test (vhost-user.rst,
 * Backend program conventions): a spawned back-end serving a connection
 * with its rings started ends promptly on SIGTERM (VU-BE-11). */
#include "fakes/frontend/fe_int.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

/* "Eventually, it may receive SIGKILL by the management layer after a few
 * seconds": what "promptly" is held to here. */
#define TERM_MS 3000

int vfe_sc_sigterm(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	if (!vfe_run_pid(c->run)) {
		vfe_why(c, "needs a back-end started by drive (--spawn)");
		return -2;
	}
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf()) ||
	    vfe_start(c, VFE_QEMU, vfe_device_rings(d)))
		return -1;
	int st = 0;
	int ms = vfe_run_terminate(c->run, TERM_MS, &st);
	if (ms == -2) {
		vfe_why(c, "needs a back-end started by drive (--spawn)");
		return -2;
	}
	/* Ended: exited (any status) or by the default action of SIGTERM;
	 * another signal is a crash on the way out. */
	bool ended = ms >= 0 && (WIFEXITED(st) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM));
	if (ms < 0)
		vfe_why(c, "still running %d ms after SIGTERM", TERM_MS);
	else if (!ended)
		vfe_why(c, "ended %d ms after SIGTERM by signal %d (%s)", ms, WTERMSIG(st), strsignal(WTERMSIG(st)));
	vfe_run_verdict(c->run, VC_R_VU_BE_11, ended, "SIGTERM while serving: %s", c->why);
	/* the connection is gone with the process */
	c->eof = true;
	return ended ? 0 : 1;
}
