/* The back-end program conventions a driver can test (vhost-user.rst,
 * Backend program conventions): a spawned back-end serving a connection
 * with its rings started ends promptly on SIGTERM (VU-BE-11); the same
 * command with --print-capabilities prints its capabilities as JSON and
 * exits 0 (VU-BE-19); the process drive started is the one still there
 * while its connection is served: it did not daemonize (VU-BE-20). */
#include "fakes/frontend/fe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* "Eventually, it may receive SIGKILL by the management layer after a few
 * seconds": what "promptly" is held to here. */
#define TERM_MS 3000

/* Set up as QEMU does with the rings started, on a back-end drive spawned
 * (spawned false: -2, skipped); -1 when the set-up failed. */
static int spawned_and_started(struct vfe_conn *c, bool spawned)
{
	if (!spawned) {
		vfe_why(c, "needs a back-end started by drive (--spawn)");
		return -2;
	}
	enum vfe_device d = vfe_run_device(c->run);
	if (vfe_init(c, VFE_QEMU, vfe_default_features(d), vfe_default_pf()) ||
	    vfe_start(c, VFE_QEMU, vfe_device_rings(d)))
		return -1;
	return 0;
}

int vfe_sc_sigterm(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	int pre = spawned_and_started(c, vfe_run_pid(c->run) != 0);
	if (pre)
		return pre;
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

/* How long --print-capabilities may take, and the most it may print. */
#define CAPS_MS 3000
#define CAPS_MAX (64u << 10)
/* How long the started process is watched while it serves. */
#define DAEMON_WATCH_MS 300

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* cmd with every occurrence of from replaced by to (malloc'd). */
static char *replace_all(const char *cmd, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	for (const char *p = cmd; fl && (p = strstr(p, from)); p += fl)
		n++;
	char *out = malloc(strlen(cmd) + n * tl + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = cmd; *p;) {
		if (fl && !strncmp(p, from, fl)) {
			memcpy(o, to, tl);
			o += tl;
			p += fl;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	return out;
}

struct caps_run {
	char out[CAPS_MAX + 1];
	size_t len;
	bool running;      /* still running after CAPS_MS (killed) */
	int status;        /* wait status otherwise */
};

/* Runs "exec CMD" with stdout to a pipe, stdin and stderr /dev/null, for
 * at most CAPS_MS. -1 when it could not be started. */
static int run_caps(const char *cmd, struct caps_run *cr)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid_t pid = vfe_spawn_sh(cmd, pfd[1], -1, false);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -1;
	}
	cr->len = 0;
	int64_t end = now_ms() + CAPS_MS;
	bool eof = false;
	while (!eof && now_ms() < end) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)(end - now_ms());
		if (poll(&p, 1, left > 0 ? left : 0) <= 0)
			continue;
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof buf);
		if (n <= 0) {
			eof = n == 0 || errno != EINTR;
			continue;
		}
		size_t take = (size_t)n < CAPS_MAX - cr->len ? (size_t)n : CAPS_MAX - cr->len;
		memcpy(cr->out + cr->len, buf, take);
		cr->len += take;
	}
	close(pfd[0]);
	cr->out[cr->len] = 0;
	cr->running = true;
	while (now_ms() < end || eof) {
		pid_t w = waitpid(pid, &cr->status, WNOHANG);
		if (w == pid) {
			cr->running = false;
			break;
		}
		if (now_ms() >= end)
			break;
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
	if (cr->running) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &cr->status, 0);
	}
	return 0;
}

/* The shape vhost-user.rst gives (vhost-user.json's
 * VHostUserBackendCapabilities): an object with a string "type" and,
 * when present, "features" an array of strings. NULL or what is wrong. */
static const char *caps_shape(const char *text, size_t len)
{
	/* The whole output is the JSON: a NUL or anything after the object
	 * but white space is not the JSON the convention asks for. */
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return "out of memory";
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o)
		return e == json_tokener_continue ? "the JSON is cut short" : json_tokener_error_desc(e);
	while (used < len && (text[used] == ' ' || text[used] == '\n' || text[used] == '\t' || text[used] == '\r'))
		used++;
	const char *why = NULL;
	json_object *t, *f;
	if (used < len)
		why = "more than one JSON value (or a NUL byte) on stdout";
	else if (!json_object_is_type(o, json_type_object))
		why = "not a JSON object";
	else if (!json_object_object_get_ex(o, "type", &t) || !json_object_is_type(t, json_type_string))
		why = "no string \"type\"";
	else if (json_object_object_get_ex(o, "features", &f)) {
		if (!json_object_is_type(f, json_type_array))
			why = "\"features\" is not an array";
		else
			for (size_t i = 0; i < json_object_array_length(f) && !why; i++)
				if (!json_object_is_type(json_object_array_get_idx(f, i), json_type_string))
					why = "\"features\" holds a non-string";
	}
	json_object_put(o);
	return why;
}

int vfe_sc_print_capabilities(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	const char *cmd = vfe_run_spawn_cmd(c->run), *sock = vfe_run_socket(c->run);
	if (!cmd || !sock || !*sock) {
		vfe_why(c, "needs a back-end started by drive (--spawn)");
		return -2;
	}
	/* The same command line ("Other options and arguments should be
	 * ignored"), its socket moved aside so that a program that does not
	 * know the option cannot take over the one being driven. */
	char probe[256];
	snprintf(probe, sizeof probe, "%s.caps", sock);
	unlink(probe);
	char *moved = replace_all(cmd, sock, probe);
	size_t ml = moved ? strlen(moved) + 32 : 0;
	char *full = moved ? malloc(ml) : NULL;
	struct caps_run *cr = malloc(sizeof *cr);
	if (!full || !cr) {
		free(moved);
		free(full);
		free(cr);
		return -1;
	}
	snprintf(full, ml, "%s --print-capabilities", moved);
	free(moved);
	int rc = run_caps(full, cr);
	free(full);
	struct stat st;
	bool served = stat(probe, &st) == 0 && S_ISSOCK(st.st_mode);
	if (served)
		unlink(probe);
	if (rc) {
		free(cr);
		return -1;
	}
	const char *p = cr->out;
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	int ret = 0;
	if (*p != '{') {
		/* No JSON at all: a program that does not follow the
		 * conventions (DPDK testpmd, qemu-storage-daemon). */
		if (cr->running)
			vfe_why(c, "no JSON on stdout within %d ms (the option seems ignored)", CAPS_MS);
		else
			vfe_why(c, "does not take --print-capabilities (no JSON on stdout, exit status %d)",
				WIFEXITED(cr->status) ? WEXITSTATUS(cr->status) : 128 + WTERMSIG(cr->status));
		ret = -2;
	} else {
		const char *bad = caps_shape(p, cr->len - (size_t)(p - cr->out));
		bool exited0 = !cr->running && WIFEXITED(cr->status) && WEXITSTATUS(cr->status) == 0;
		if (bad)
			vfe_why(c, "--print-capabilities printed no capabilities object: %s", bad);
		else if (!exited0)
			vfe_why(c, "--print-capabilities printed its capabilities but %s",
				cr->running ? "did not exit" : "did not exit with status 0");
		else if (served)
			vfe_why(c, "--print-capabilities also listened on its socket (its normal function)");
		bool ok = !bad && exited0 && !served;
		vfe_run_verdict(c->run, VC_R_VU_BE_19, ok, "%s", c->why);
		ret = ok ? 0 : 1;
	}
	free(cr);
	return ret;
}

int vfe_sc_no_daemon(struct vfe_conn *c, const struct vfe_scn *s)
{
	(void)s;
	int pre = spawned_and_started(c, vfe_run_spawn_cmd(c->run) != NULL);
	if (pre)
		return pre;
	/* Served with its rings started: the process drive started must be
	 * the one still running ("must not daemonize itself"). */
	/* Watched for a while: a parent that forked and exits may still be
	 * on its way out when the first answers come from its child. */
	pid_t pid = vfe_run_pid(c->run), started = vfe_run_started_pid(c->run);
	for (int waited = 0; pid && waited < DAEMON_WATCH_MS; waited += 20) {
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
		pid = vfe_run_pid(c->run);
	}
	if (!pid)
		vfe_why(c, "the process drive started (pid %d) has ended while its socket is still served", (int)started);
	vfe_run_verdict(c->run, VC_R_VU_BE_20, pid != 0, "%s", c->why);
	if (!pid)
		return 1;
	return vfe_stop(c, VFE_QEMU, vfe_conn_rings(c)) ? -1 : 0;
}
