/* What the driver's suites share (drive_util.h says what). */
#include "fakes/frontend/tests/drive_util.h"

#include "harness/tests/common/testutil.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char sock_path[108];

void fresh_path(const char *tag)
{
	snprintf(sock_path, sizeof sock_path, "/tmp/vcts-fe-%s-%d.sock", tag, (int)getpid());
	unlink(sock_path);
}

struct vfe_run *new_run(const char *glob, enum vfe_device dev, int timeout_ms)
{
	struct vfe_options o = { .socket = sock_path, .device = dev, .scenario_glob = glob,
				 .timeout_ms = timeout_ms, .startup_ms = 2000 };
	char err[256];
	struct vfe_run *r = vfe_run_new(&o, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	return r;
}

const struct vfe_scenario_result *find(struct vfe_run *r, const char *name)
{
	size_t n;
	const struct vfe_scenario_result *x = vfe_run_scenarios(r, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(x[i].name, name))
			return &x[i];
	ck_abort_msg("scenario %s did not run", name);
	return NULL;
}

/* As `vhost-cts drive` and `serve` do (cmd_drive.c, cmd_serve.c): a peer
 * that closes first makes a write fail with EPIPE, not kill the test
 * (every_negative_scenario_fails_on_a_lax_backend died of SIGPIPE once in
 * three make check runs on a loaded machine). */
void ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}
