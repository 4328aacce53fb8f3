#include "harness/tests/common/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *vc_test_path(const char *rel)
{
	static char buf[4096];
	const char *src = getenv("VCTS_SRCDIR");
	snprintf(buf, sizeof buf, "%s/%s", src ? src : ".", rel);
	return buf;
}

const char *vc_test_bin(void)
{
	const char *b = getenv("VCTS_BIN");
	return b ? b : "build/rel/vhost-cts";
}

int vc_test_run(char *const argv[], char **output)
{
	char tmpl[] = "/tmp/vcts-out-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	unlink(tmpl);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	size_t n = 0;
	while (argv[n])
		n++;
	char **args = calloc(n + 1, sizeof *args);
	args[0] = (char *)vc_test_bin();
	for (size_t i = 1; i < n; i++)
		args[i] = argv[i];
	pid_t pid;
	int rc;
	/* A concurrent build may be relinking the binary (ETXTBSY, ENOENT or
	 * EACCES for a moment): retry briefly instead of failing the test. */
	for (int tries = 0;; tries++) {
		rc = posix_spawn(&pid, args[0], &fa, NULL, args, environ);
		if (rc == 0 || tries == 50 || (rc != ETXTBSY && rc != ENOENT && rc != EACCES))
			break;
		usleep(100000);
	}
	posix_spawn_file_actions_destroy(&fa);
	free(args);
	if (rc != 0) {
		close(fd);
		return -1;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	off_t len = lseek(fd, 0, SEEK_END);
	char *out = malloc((size_t)len + 1);
	ssize_t r = pread(fd, out, (size_t)len, 0);
	out[r > 0 ? r : 0] = '\0';
	close(fd);
	if (output)
		*output = out;
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int vc_test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

const char *vc_test_tmpfile(const void *data, size_t len, const char *suffix)
{
	static char bufs[8][128];
	static unsigned next;
	char *p = bufs[next++ % 8];
	/* In the process's own folder, so it is removed at exit. */
	const char *dir = vc_test_tmppath("");
	if (!dir)
		return NULL;
	snprintf(p, 128, "%sXXXXXX%s", dir, suffix ? suffix : "");
	int fd = mkstemps(p, suffix ? (int)strlen(suffix) : 0);
	if (fd < 0)
		return NULL;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	close(fd);
	return p;
}

/* Removes the folder's files (the suites put no subfolders there). */
static char tmpdir_path[64];
static pid_t tmpdir_owner;
static void tmpdir_remove(void)
{
	if (!tmpdir_path[0] || tmpdir_owner != getpid())
		return;
	DIR *d = opendir(tmpdir_path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(tmpdir_path);
}

const char *vc_test_tmppath(const char *name)
{
	static char bufs[8][128];
	static unsigned next;
	/* libcheck forks a child per test: each process gets its own folder. */
	if (tmpdir_owner != getpid()) {
		snprintf(tmpdir_path, sizeof tmpdir_path, "/tmp/vcts-test-%ld-XXXXXX", (long)getpid());
		if (!mkdtemp(tmpdir_path))
			return NULL;
		if (!tmpdir_owner)
			atexit(tmpdir_remove);
		tmpdir_owner = getpid();
	}
	char *p = bufs[next++ % 8];
	snprintf(p, 128, "%s/%s", tmpdir_path, name);
	return p;
}
