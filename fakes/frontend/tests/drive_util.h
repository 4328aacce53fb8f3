/* What the driver's suites (test_frontend.c, test_frontend_hostile.c)
 * share: the socket path of the test, fresh for each, and a run of the
 * driver on it. */
#ifndef VCTS_FAKES_FRONTEND_TESTS_DRIVE_UTIL_H
#define VCTS_FAKES_FRONTEND_TESTS_DRIVE_UTIL_H

#include "fakes/frontend/frontend.h"

/* The back-end's socket of the running test (fresh_path names it). */
extern char sock_path[108];

void fresh_path(const char *tag);
struct vfe_run *new_run(const char *glob, enum vfe_device dev, int timeout_ms);
/* The result of scenario name; the test fails when it did not run. */
const struct vfe_scenario_result *find(struct vfe_run *r, const char *name);
void ignore_sigpipe(void);

#endif
