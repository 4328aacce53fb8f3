/* The driver's side of the back-end process: spawn it or watch the pid
 * given, count its fds, stop it, listen for it or connect to it (one
 * connection per scenario), and probe that it still answers. */
#include "fakes/frontend/runner_priv.h"
#include "lib/xalloc.h"
#include "vcts/sockpath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int vfe_peer_fds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Is the watched process still there? Updates dead/status. */
bool vfe_peer_alive(struct vfe_run *r)
{
	if (!r->pid || r->dead)
		return false;
	if (r->child) {
		int st;
		pid_t w = waitpid(r->pid, &st, WNOHANG);
		if (w == r->pid) {
			r->dead = true;
			r->status = st;
			return false;
		}
		return true;
	}
	if (kill(r->pid, 0) != 0 && errno == ESRCH) {
		r->dead = true;
		r->status = 0;
		return false;
	}
	return true;
}

pid_t vfe_spawn_sh(const char *cmd, int out, int err, bool abort_on_report)
{
	size_t cl = strlen(cmd) + 6;
	char *sh = malloc(cl);
	if (!sh)
		return -1;
	snprintf(sh, cl, "exec %s", cmd);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0)
			dup2(nul, 0);
		if (out >= 0 || nul >= 0)
			dup2(out >= 0 ? out : nul, 1);
		if (err >= 0 || nul >= 0)
			dup2(err >= 0 ? err : nul, 2);
		if (abort_on_report) {
			/* A sanitizer report ends the process with a signal: a crash. */
			setenv("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=0", 0);
			setenv("UBSAN_OPTIONS", "halt_on_error=1:abort_on_error=1", 0);
		}
		execl("/bin/sh", "sh", "-c", sh, (char *)NULL);
		_exit(127);
	}
	int e = errno;
	free(sh);
	errno = e;
	return pid;
}

int vfe_peer_spawn(struct vfe_run *r, char *err, size_t errlen)
{
	int out = r->o.spawn_log ? fileno(r->o.spawn_log) : -1;
	if (r->o.spawn_log)
		fflush(r->o.spawn_log);
	pid_t pid = vfe_spawn_sh(r->o.spawn, out, out, true);
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		return -1;
	}
	r->pid = pid;
	r->child = true;
	r->dead = false;
	r->status = 0;
	return 0;
}

void vfe_peer_stop(struct vfe_run *r)
{
	if (!r->child || !r->pid)
		return;
	if (!r->dead) {
		kill(-r->pid, SIGTERM);
		kill(r->pid, SIGTERM);
		for (int i = 0; i < 100 && vfe_peer_alive(r); i++)
			vfe_sleep_ms(20);
		if (vfe_peer_alive(r)) {
			kill(-r->pid, SIGKILL);
			kill(r->pid, SIGKILL);
			int st;
			waitpid(r->pid, &st, 0);
		}
	}
	r->pid = 0;
	r->child = false;
	r->dead = false;
}

static int connect_once(const char *path)
{
	return vc_sock_connect(path, 0);
}

int vfe_peer_listen(struct vfe_run *r, char *err, size_t errlen)
{
	/* Only a stale socket is removed: never a live one, nor a file. */
	int fd = vc_sock_listen(r->o.socket, 4, 0, err, errlen);
	if (fd < 0)
		return -1;
	r->listen_fd = fd;
	return 0;
}

/* A connection to the back-end, starting it first when needed. */
int vfe_peer_connect(struct vfe_run *r, char *err, size_t errlen)
{
	bool fresh = false, retried = false;
	if (r->o.spawn && !vfe_peer_alive(r)) {
		if (r->child && r->dead && WIFSIGNALED(r->status))
			r->late_crash = WTERMSIG(r->status);
		if (r->child)
			vfe_peer_stop(r);
		if (vfe_peer_spawn(r, err, errlen))
			return -1;
		fresh = true;
	}
	int64_t deadline = vfe_mono_ns() + (int64_t)(fresh || r->o.listen ? r->o.startup_ms : r->o.timeout_ms) * 1000000;
	if (r->o.listen) {
		for (;;) {
			int64_t left = (deadline - vfe_mono_ns()) / 1000000;
			if (left <= 0) {
				snprintf(err, errlen, "no back-end connected to %s within %d ms", r->o.socket,
					 r->o.startup_ms);
				return -1;
			}
			struct pollfd p = { .fd = r->listen_fd, .events = POLLIN };
			int n = poll(&p, 1, left > 100 ? 100 : (int)left);
			if (n > 0) {
				int fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
				if (fd >= 0)
					return fd;
			}
			if (r->o.spawn && !vfe_peer_alive(r)) {
				snprintf(err, errlen, "back-end exited before it connected");
				return -1;
			}
		}
	}
	for (;;) {
		int fd = connect_once(r->o.socket);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT && errno != ECONNREFUSED && errno != EAGAIN) {
			snprintf(err, errlen, "cannot connect to %s: %s", r->o.socket, strerror(errno));
			return -1;
		}
		if (r->o.spawn && !vfe_peer_alive(r)) {
			/* A back-end that serves one connection and exits
			 * (virtiofsd) was still going away: start a new one. */
			if (!fresh && r->child) {
				/* Died as this connection came: the previous
				 * scenario's doing if by a signal. */
				if (WIFSIGNALED(r->status))
					r->late_crash = WTERMSIG(r->status);
				vfe_peer_stop(r);
				if (vfe_peer_spawn(r, err, errlen))
					return -1;
				fresh = true;
				deadline = vfe_mono_ns() + (int64_t)r->o.startup_ms * 1000000;
				continue;
			}
			/* A fresh one that exits at once may have met the
			 * remains of its crashed predecessor (image lock, core
			 * dump in progress): one more start. */
			if (fresh && !retried && r->child) {
				int st = r->status;
				vfe_peer_stop(r);
				vfe_sleep_ms(200);
				if (vfe_peer_spawn(r, err, errlen))
					return -1;
				retried = true;
				if (r->o.spawn_log)
					fprintf(r->o.spawn_log, "vhost-cts drive: back-end exited at start (status 0x%x); started again\n", st);
				deadline = vfe_mono_ns() + (int64_t)r->o.startup_ms * 1000000;
				continue;
			}
			snprintf(err, errlen, "back-end exited (%s %d) before it listened on %s",
				 r->child && WIFSIGNALED(r->status) ? "signal" : "status",
				 r->child ? (WIFSIGNALED(r->status) ? WTERMSIG(r->status) : WEXITSTATUS(r->status)) : 0,
				 r->o.socket);
			return -1;
		}
		if (vfe_mono_ns() >= deadline) {
			snprintf(err, errlen, "nobody listens on %s (%s)", r->o.socket, strerror(errno));
			return -1;
		}
		vfe_sleep_ms(20);
	}
}

int vfe_run_reconnect(struct vfe_run *r, struct vfe_conn *c)
{
	char err[256];
	vfe_conn_close(c);
	/* Give a back-end that serves one connection at a time a moment to
	 * notice the close before the next connect. */
	int fd = vfe_peer_connect(r, err, sizeof err);
	if (fd < 0) {
		vfe_conn_init(c, r, -1, r->cur_sid, r->o.timeout_ms);
		vfe_why(c, "reconnect: %s", err);
		return -1;
	}
	char name[VC_SESSION_NAME_MAX];
	snprintf(name, sizeof name, "%s (reconnected)", r->cur ? r->cur->name : "?");
	uint32_t sid = vfe_run_new_session(r, name);
	vfe_conn_init(c, r, fd, sid, r->o.timeout_ms);
	return 0;
}

/* After a scenario: is the back-end still serving? A fresh connection
 * and one GET_FEATURES (not judged) make it process everything queued
 * before, so a crash the scenario caused shows now, in its scenario. */
void vfe_peer_probe(struct vfe_run *r)
{
	if (!r->pid || r->o.listen || !vfe_peer_alive(r))
		return;
	int fd = connect_once(r->o.socket);
	if (fd < 0)
		return;
	uint8_t hdr[VU_HDR_SIZE];
	vu_wr32(hdr, VU_GET_FEATURES);
	vu_wr32(hdr + 4, VU_VERSION);
	vu_wr32(hdr + 8, 0);
	if (send(fd, hdr, sizeof hdr, MSG_NOSIGNAL) == (ssize_t)sizeof hdr) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, r->o.timeout_ms) > 0) {
			uint8_t buf[64];
			if (recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0)
				(void)0;
		}
	}
	close(fd);
	/* the probe's own connection ends; give the process the chance to
	 * show a crash it was about to have */
	for (int i = 0; i < 5 && vfe_peer_alive(r); i++)
		vfe_sleep_ms(10);
}

