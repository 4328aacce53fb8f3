/* Outputs never harm anything, options are strict (issue #12, items 3
 * and 4): every writer against device nodes, FIFOs, sockets, symlinks,
 * directories, the same file named twice, an output that is an input, and
 * a stdout that cannot be written. Device nodes are made with mknod in a
 * temp dir (root, as in CI) and checked to still be those devices after. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/tests/common/testutil.h"

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/vcts-outputs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A path in the test's temp dir (a few static buffers, rotating). */
static const char *P(const char *name)
{
	static char bufs[16][320];
	static unsigned next;
	char *b = bufs[next++ % 16];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
	return b;
}

/* Run the binary under test (or bin) with stdout to stdout_path (NULL:
 * captured with stderr into *output) and extra "K=V" environment entries
 * (NULL-terminated list or NULL). Returns the exit status. */
static int runv(const char *bin, const char *stdout_path, const char *const *env, char **output, va_list ap)
{
	char *argv[40];
	int n = 0;
	argv[n++] = (char *)(bin ? bin : vc_test_bin());
	for (char *a; n < 39 && (a = va_arg(ap, char *));)
		argv[n++] = a;
	argv[n] = NULL;
	char tmpl[] = "/tmp/vcts-outputs-log-XXXXXX";
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = stdout_path ? open(stdout_path, O_WRONLY) : fd;
		if (o < 0)
			_exit(126);
		dup2(o, 1);
		dup2(fd, 2);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execv(argv[0], argv);
		_exit(127);
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

static int run(char **out, ...)
{
	va_list ap;
	va_start(ap, out);
	int rc = runv(NULL, NULL, NULL, out, ap);
	va_end(ap);
	return rc;
}

/* Another binary, with extra environment. */
static int run_env(const char *bin, const char *const *env, char **out, ...)
{
	va_list ap;
	va_start(ap, out);
	int rc = runv(bin, NULL, env, out, ap);
	va_end(ap);
	return rc;
}

/* The same with stdout going to a file or device. */
static int run_to(const char *stdout_path, char **out, ...)
{
	va_list ap;
	va_start(ap, out);
	int rc = runv(NULL, stdout_path, NULL, out, ap);
	va_end(ap);
	return rc;
}

static bool am_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "test_outputs: not root: device-node cases skipped (CI runs them as root)\n");
	return false;
}

static void mkdev(const char *path, mode_t type, unsigned maj, unsigned min)
{
	ck_assert_msg(mknod(path, type | 0666, makedev(maj, min)) == 0, "mknod %s: %s", path, strerror(errno));
}

static void assert_dev(const char *path, mode_t type, unsigned maj, unsigned min)
{
	struct stat st;
	ck_assert_msg(lstat(path, &st) == 0, "%s is gone", path);
	ck_assert_msg((st.st_mode & S_IFMT) == type && st.st_rdev == makedev(maj, min),
		      "%s is no longer the device %u:%u (mode 0%o)", path, maj, min, st.st_mode);
}

static mode_t kind_of(const char *path)
{
	struct stat st;
	ck_assert_msg(lstat(path, &st) == 0, "%s is gone", path);
	return st.st_mode & S_IFMT;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return strdup("");
	}
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

#define TRACE "traces/qemu-blk-qsd/qemu.strace"

/* A copy of a real recording in the temp dir: an input the tests may
 * name as an output too. */
static const char *input_copy(void)
{
	const char *in = P("in.strace");
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", vc_test_path(TRACE), in);
	ck_assert_int_eq(system(cmd), 0);
	return in;
}

static void assert_has(const char *out, const char *needle)
{
	ck_assert_msg(strstr(out, needle) != NULL, "expected '%s' in:\n%.800s", needle, out);
}

/* ---- device nodes, directories, sockets ---- */

START_TEST(device_nodes_written_through)
{
	if (!am_root())
		return;
	const char *in = input_copy(), *null = P("null"), *null2 = P("null2"), *full = P("full");
	mkdev(null, S_IFCHR, 1, 3);
	mkdev(null2, S_IFCHR, 1, 3);
	mkdev(full, S_IFCHR, 1, 7);
	char *out;
	ck_assert_int_eq(run(&out, "convert", "-o", null, in, NULL), 0);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--json", null, "--junit", null2, in, NULL), 0);
	free(out);
	/* /dev/full: the write fails, exit 2 naming the path; the node stays. */
	ck_assert_int_eq(run(&out, "convert", "-o", full, in, NULL), 2);
	assert_has(out, "No space left on device");
	assert_has(out, full);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--json", full, in, NULL), 2);
	assert_has(out, "write failed");
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--fake", "", "--cycles", "2", "--junit", full, NULL), 2);
	free(out);
	assert_dev(null, S_IFCHR, 1, 3);
	assert_dev(null2, S_IFCHR, 1, 3);
	assert_dev(full, S_IFCHR, 1, 7);
	/* No temp file was left beside them. */
	char cmd[400];
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep '^\\.')\"", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(refused_targets_untouched)
{
	const char *in = input_copy(), *d = P("d");
	ck_assert_int_eq(mkdir(d, 0755), 0);
	char *out;
	ck_assert_int_eq(run(&out, "convert", "-o", d, in, NULL), 2);
	assert_has(out, "is a directory");
	free(out);
	ck_assert_int_eq(run(&out, "check", "--junit", d, in, NULL), 2);
	assert_has(out, "is a directory");
	ck_assert_msg(strstr(out, "session") == NULL, "work was done before the refusal:\n%.800s", out);
	free(out);
	ck_assert_int_eq(kind_of(d), S_IFDIR);
	/* A socket cannot be opened for writing: refused. */
	const char *sp = P("s.sock");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sp);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(run(&out, "check", "--json", sp, in, NULL), 2);
	assert_has(out, "is a socket");
	free(out);
	close(s);
	ck_assert_int_eq(kind_of(sp), S_IFSOCK);
	/* A missing directory: refused before any work. */
	ck_assert_int_eq(run(&out, "convert", "-o", P("nodir/x.jsonl"), in, NULL), 2);
	assert_has(out, "nodir");
	free(out);
	if (!am_root())
		return;
	const char *blk = P("loop");
	mkdev(blk, S_IFBLK, 7, 0);
	ck_assert_int_eq(run(&out, "convert", "-o", blk, in, NULL), 2);
	assert_has(out, "is a block device");
	free(out);
	assert_dev(blk, S_IFBLK, 7, 0);
}
END_TEST

/* A FIFO is written through: the reader gets the report, the FIFO stays. */
static void *fifo_reader(void *arg)
{
	return slurp(arg);
}

START_TEST(fifo_written_through)
{
	const char *in = input_copy(), *fifo = P("fifo");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, fifo_reader, (void *)fifo), 0);
	char *out;
	ck_assert_int_eq(run(&out, "check", "--json", fifo, in, NULL), 0);
	free(out);
	void *got;
	pthread_join(th, &got);
	json_object *j = json_tokener_parse(got);
	ck_assert_msg(j != NULL, "the FIFO's reader got no JSON: %.200s", (char *)got);
	json_object_put(j);
	free(got);
	ck_assert_int_eq(kind_of(fifo), S_IFIFO);
}
END_TEST

/* ---- symlinks ---- */

START_TEST(symlinks_followed_never_replaced)
{
	const char *in = input_copy(), *real = P("real.json"), *link = P("link.json");
	put(real, "old\n");
	ck_assert_int_eq(symlink("real.json", link), 0);
	char *out;
	ck_assert_int_eq(run(&out, "check", "--json", link, in, NULL), 0);
	free(out);
	ck_assert_int_eq(kind_of(link), S_IFLNK);
	char *body = slurp(real);
	assert_has(body, "vhost-cts-report/1");
	free(body);
	/* A dangling link (relative, into a subdirectory) creates its target. */
	ck_assert_int_eq(mkdir(P("sub"), 0755), 0);
	const char *dangling = P("dangling.jsonl");
	ck_assert_int_eq(symlink("sub/new.jsonl", dangling), 0);
	ck_assert_int_eq(run(&out, "convert", "-o", dangling, in, NULL), 0);
	free(out);
	ck_assert_int_eq(kind_of(dangling), S_IFLNK);
	ck_assert_int_eq(kind_of(P("sub/new.jsonl")), S_IFREG);
	/* A link to a directory is still a directory: refused. */
	ck_assert_int_eq(symlink("sub", P("dirlink")), 0);
	ck_assert_int_eq(run(&out, "check", "--json", P("dirlink"), in, NULL), 2);
	assert_has(out, "is a directory");
	free(out);
	/* A loop: refused. */
	ck_assert_int_eq(symlink("loop2", P("loop1")), 0);
	ck_assert_int_eq(symlink("loop1", P("loop2")), 0);
	ck_assert_int_eq(run(&out, "check", "--json", P("loop1"), in, NULL), 2);
	assert_has(out, "symbolic links");
	free(out);
}
END_TEST

/* A replaced file keeps its mode; a new one follows the umask. */
START_TEST(replaced_file_keeps_mode)
{
	const char *in = input_copy(), *r = P("r.json");
	put(r, "old\n");
	ck_assert_int_eq(chmod(r, 0600), 0);
	char *out;
	ck_assert_int_eq(run(&out, "check", "--json", r, in, NULL), 0);
	free(out);
	struct stat st;
	ck_assert_int_eq(stat(r, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	/* A new file gets 0666 less the umask, as the shell would create it. */
	mode_t was = umask(027);
	int rc = run(&out, "check", "--json", P("new.json"), in, NULL);
	umask(was);
	ck_assert_int_eq(rc, 0);
	free(out);
	ck_assert_int_eq(stat(P("new.json"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
}
END_TEST

/* ---- the same file twice, an output that is an input ---- */

START_TEST(same_path_twice_and_output_is_input)
{
	const char *in = input_copy();
	char *before = slurp(in), *out;
	ck_assert_int_eq(run(&out, "check", "--json", P("x"), "--junit", P("x"), in, NULL), 2);
	assert_has(out, "name the same file");
	free(out);
	/* Spelled differently, not yet existing. */
	ck_assert_int_eq(mkdir(P("sub"), 0755), 0);
	ck_assert_int_eq(run(&out, "check", "--json", P("x"), "--junit", P("sub/../x"), in, NULL), 2);
	assert_has(out, "name the same file");
	free(out);
	/* Through a symlink. */
	put(P("real"), "");
	ck_assert_int_eq(symlink("real", P("link")), 0);
	ck_assert_int_eq(run(&out, "check", "--json", P("link"), "--junit", P("real"), in, NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--json", "-", "--junit", "-", in, NULL), 2);
	free(out);
	ck_assert_int_eq(access(P("x"), F_OK), -1);
	/* Output = input. */
	ck_assert_int_eq(run(&out, "convert", "-o", in, in, NULL), 2);
	assert_has(out, "is the input");
	free(out);
	ck_assert_int_eq(run(&out, "check", "--junit", in, in, NULL), 2);
	free(out);
	ck_assert_int_eq(symlink("in.strace", P("inlink")), 0);
	ck_assert_int_eq(run(&out, "convert", "-o", P("inlink"), in, NULL), 2);
	free(out);
	const char *w = P("w.waive");
	put(w, "VU-RING-09\n");
	ck_assert_int_eq(run(&out, "check", "--waive", w, "--json", w, in, NULL), 2);
	free(out);
	char *after = slurp(in), *wafter = slurp(w);
	ck_assert_msg(strcmp(before, after) == 0, "the input changed");
	ck_assert_str_eq(wafter, "VU-RING-09\n");
	free(before);
	free(after);
	free(wafter);
	/* certify: a report that is the device. */
	ck_assert_int_eq(run(&out, "certify", "--fake", "", "--json", P("c"), "--junit", P("c"), NULL), 2);
	free(out);
}
END_TEST

/* ---- stdout ---- */

START_TEST(dash_is_stdout)
{
	const char *in = input_copy(), *o = P("stdout.txt");
	put(o, "");
	char *err;
	ck_assert_int_eq(run_to(o, &err, "convert", "-o", "-", in, NULL), 0);
	free(err);
	char *body = slurp(o);
	ck_assert_msg(strncmp(body, "{\"format\":\"vhost-cts-capture\"", 29) == 0, "stdout: %.100s", body);
	free(body);
	ck_assert_int_eq(run_to(o, &err, "check", "--json", "-", in, NULL), 0);
	free(err);
	body = slurp(o);
	json_object *j = json_tokener_parse(body);
	ck_assert_msg(j != NULL, "stdout is not the JSON report alone: %.100s", body);
	json_object_put(j);
	free(body);
	/* /dev/stdout is stdout, in order, whatever it is: a file ... */
	char *out;
	ck_assert_int_eq(run(&out, "check", "--json", "/dev/stdout", in, NULL), 0);
	char *text = strstr(out, "verdict: PASS"), *rep = strstr(out, "vhost-cts-report/1");
	ck_assert_msg(text && rep && text < rep, "text then JSON expected on stdout:\n%.800s", out);
	free(out);
	/* ... or a pipe (a link under /proc that no path reaches). */
	const char *fifo = P("fifo");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, fifo_reader, (void *)fifo), 0);
	ck_assert_int_eq(run_to(fifo, &err, "check", "--json", "/dev/stdout", in, NULL), 0);
	free(err);
	void *got;
	pthread_join(th, &got);
	ck_assert_msg(strstr(got, "vhost-cts-report/1") != NULL, "the pipe got no report: %.200s", (char *)got);
	free(got);
}
END_TEST

START_TEST(stdout_write_failure_is_exit_2)
{
	if (!am_root())
		return;
	const char *in = input_copy(), *full = P("full");
	mkdev(full, S_IFCHR, 1, 7);
	static const char *const cmds[][8] = {
		{ "rules", NULL },
		{ "rules", "--json", NULL },
		{ "--help", NULL },
		{ "check", "IN", NULL },
		{ "check", "--json", "-", "IN", NULL },
		{ "decode", "IN", NULL },
		{ "convert", "-o", "-", "IN", NULL },
		{ "certify", "--fake", "", "--cycles", "2", NULL },
		{ "drive", "--list", NULL },
		{ "serve", "--help", NULL },
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		const char *a[8] = { 0 };
		for (int k = 0; cmds[i][k]; k++)
			a[k] = strcmp(cmds[i][k], "IN") ? cmds[i][k] : in;
		char *err;
		int rc = run_to(full, &err, a[0], a[1], a[2], a[3], a[4], a[5], NULL);
		ck_assert_msg(rc == 2, "%s %s > /dev/full: exit %d, not 2:\n%.800s", a[0], a[1] ? a[1] : "", rc, err);
		assert_has(err, "write failed");
		free(err);
	}
	assert_dev(full, S_IFCHR, 1, 7);
}
END_TEST

/* ---- report --html DIR ---- */

START_TEST(report_html_dir)
{
	const char *in = input_copy(), *r = P("impl.json");
	char *out;
	ck_assert_int_eq(run(&out, "check", "--json", r, in, NULL), 0);
	free(out);
	/* A file as DIR: refused, untouched. */
	const char *f = P("notadir");
	put(f, "keep\n");
	ck_assert_int_eq(run(&out, "report", "--html", f, r, NULL), 2);
	assert_has(out, "not a directory");
	free(out);
	char *body = slurp(f);
	ck_assert_str_eq(body, "keep\n");
	free(body);
	/* A symlink to a directory: followed, the link stays. */
	ck_assert_int_eq(mkdir(P("site"), 0755), 0);
	ck_assert_int_eq(symlink("site", P("sitelink")), 0);
	ck_assert_int_eq(run(&out, "report", "--html", P("sitelink"), r, NULL), 0);
	free(out);
	ck_assert_int_eq(kind_of(P("sitelink")), S_IFLNK);
	ck_assert_int_eq(kind_of(P("site/index.html")), S_IFREG);
	/* An existing directory: index.html replaced inside. */
	ck_assert_int_eq(run(&out, "report", "--html", P("site"), r, NULL), 0);
	free(out);
	/* index.html that is a directory: refused. */
	ck_assert_int_eq(mkdir(P("site2"), 0755), 0);
	ck_assert_int_eq(mkdir(P("site2/index.html"), 0755), 0);
	ck_assert_int_eq(run(&out, "report", "--html", P("site2"), r, NULL), 2);
	assert_has(out, "is a directory");
	free(out);
	/* index.html that is the input: refused. */
	ck_assert_int_eq(mkdir(P("site3"), 0755), 0);
	ck_assert_int_eq(symlink("../impl.json", P("site3/index.html")), 0);
	ck_assert_int_eq(run(&out, "report", "--html", P("site3"), r, NULL), 2);
	assert_has(out, "is the input");
	free(out);
	body = slurp(r);
	assert_has(body, "vhost-cts-report/1");
	free(body);
}
END_TEST

/* ---- certify --device ---- */

START_TEST(certify_device_must_be_a_char_device)
{
	const char *f = P("plain");
	put(f, "precious\n");
	char *out;
	ck_assert_int_eq(run(&out, "certify", "--device", f, "--cycles", "2", NULL), 2);
	assert_has(out, "not a character device");
	free(out);
	char *body = slurp(f);
	ck_assert_str_eq(body, "precious\n");
	free(body);
	ck_assert_int_eq(run(&out, "certify", "--device", dir, NULL), 2);
	assert_has(out, "not a character device");
	free(out);
	ck_assert_int_eq(run(&out, "certify", "--fake", "", "--json", dir, NULL), 2);
	assert_has(out, "is a directory");
	ck_assert_msg(strstr(out, "VDPA-DEV") == NULL, "certify ran before refusing:\n%.800s", out);
	free(out);
}
END_TEST

/* ---- serve and drive: outputs checked at start, sockets claimed safely ---- */

static pid_t spawn_bg(const char *const *argv)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int n = open("/dev/null", O_WRONLY);
		dup2(n, 1);
		dup2(n, 2);
		execv(vc_test_bin(), (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static bool answers(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	bool ok = connect(s, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(s);
	return ok;
}

START_TEST(serve_socket_claims)
{
	char *out;
	ck_assert_int_eq(run(&out, "serve", "--socket", "", NULL), 2);
	assert_has(out, "empty");
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--socket", "", NULL), 2);
	assert_has(out, "empty");
	free(out);
	ck_assert_int_eq(run(&out, "fuzz-backend", "--socket", "", NULL), 2);
	assert_has(out, "empty");
	free(out);
	/* A regular file at the socket path is never removed. */
	const char *f = P("file.sock");
	put(f, "keep\n");
	ck_assert_int_eq(run(&out, "serve", "--socket", f, "--duration", "0.1", NULL), 2);
	assert_has(out, "not a socket");
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--listen", "--socket", f, "--scenario", "init-start-stop-qemu", NULL), 2);
	assert_has(out, "not a socket");
	free(out);
	ck_assert_int_eq(kind_of(f), S_IFREG);
	/* A live socket: the second serve refuses, the first keeps serving. */
	const char *s = P("live.sock");
	const char *argv1[] = { vc_test_bin(), "serve", "--socket", s, "--duration", "20", "--quiet", NULL };
	pid_t first = spawn_bg(argv1);
	for (int i = 0; i < 200 && !answers(s); i++)
		usleep(50000);
	ck_assert_msg(answers(s), "the first serve never listened");
	ck_assert_int_eq(run(&out, "serve", "--socket", s, "--duration", "0.1", NULL), 2);
	assert_has(out, "socket in use");
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--listen", "--socket", s, "--scenario", "init-start-stop-qemu", NULL), 2);
	assert_has(out, "socket in use");
	free(out);
	ck_assert_msg(answers(s), "the first serve's socket is gone");
	kill(first, SIGTERM);
	int st;
	waitpid(first, &st, 0);
	/* A stale socket (bound, closed, never unlinked) is taken over. */
	const char *stale = P("stale.sock");
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", stale);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
	ck_assert_int_eq(run(&out, "serve", "--socket", stale, "--duration", "0.1", NULL), 2);
	assert_has(out, "listening on");
	assert_has(out, "no front-end connected");
	free(out);
}
END_TEST

START_TEST(serve_and_drive_check_outputs_at_start)
{
	const char *d = P("d");
	ck_assert_int_eq(mkdir(d, 0755), 0);
	char *out;
	/* --duration 60: a check made at the end would take a minute. */
	ck_assert_int_eq(run(&out, "serve", "--socket", P("a.sock"), "--duration", "60", "--json", d, NULL), 2);
	assert_has(out, "is a directory");
	ck_assert_msg(strstr(out, "listening") == NULL, "serve started before refusing:\n%.800s", out);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", P("a.sock"), "--record", P("r"), "--junit", P("r"), NULL), 2);
	assert_has(out, "name the same file");
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", P("a.sock"), "--record", P("r"), "--json", P("r.waive"), NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "serve", "--socket", P("a.sock"), "--record", "-", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--socket", P("b.sock"), "--json", d, NULL), 2);
	assert_has(out, "is a directory");
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--socket", P("b.sock"), "--record", P("x"), "--spawn-log", P("x"), NULL), 2);
	assert_has(out, "name the same file");
	free(out);
	ck_assert_int_eq(run(&out, "fuzz-backend", "--socket", P("b.sock"), "--record", P("x"), "--raw", P("x"), NULL), 2);
	free(out);
	ck_assert_int_eq(kind_of(d), S_IFDIR);
	ck_assert_int_eq(access(P("x"), F_OK), -1);
	ck_assert_int_eq(access(P("r"), F_OK), -1);
}
END_TEST

/* A live pair (drive spawns serve) with every output of both on device
 * nodes: both run, every node is still that device after. */
START_TEST(live_pair_outputs_on_device_nodes)
{
	if (!am_root())
		return;
	const char *names[] = { "n1", "n2", "n3", "n4", "n5", "n6", "n7" };
	for (int i = 0; i < 7; i++)
		mkdev(P(names[i]), S_IFCHR, 1, 3);
	const char *sock = P("pair.sock");
	char spawn[2048];
	snprintf(spawn, sizeof spawn, "%s serve --socket %s --quiet --record %s --json %s --junit %s", vc_test_bin(),
		 sock, P("n1"), P("n2"), P("n3"));
	char *out;
	int rc = run(&out, "drive", "--socket", sock, "--spawn", spawn, "--scenario", "init-start-stop-qemu",
		     "--timeout", "2", "--record", P("n4"), "--json", P("n5"), "--junit", P("n6"), "--spawn-log",
		     P("n7"), NULL);
	ck_assert_msg(rc == 0, "drive exit %d:\n%.800s", rc, out);
	free(out);
	for (int i = 0; i < 7; i++)
		assert_dev(P(names[i]), S_IFCHR, 1, 3);
	/* The capture's waiver file is a plain file beside the node. */
	ck_assert_int_eq(kind_of(P("n1.waive")), S_IFREG);
}
END_TEST

/* ---- the vDPA shim: refuses with a line, never harms, never exits ---- */

START_TEST(shim_outputs)
{
	char rel[1024], so[1024];
	snprintf(rel, sizeof rel, "%s", vc_test_path("build/rel/vhost-cts"));
	snprintf(so, sizeof so, "%s", vc_test_path("build/libvcts-vdpa-preload.so"));
	ck_assert_msg(access(rel, X_OK) == 0 && access(so, R_OK) == 0,
		      "build/rel/vhost-cts and build/libvcts-vdpa-preload.so are needed (make check builds them)");
	const char *d = P("d");
	ck_assert_int_eq(mkdir(d, 0755), 0);
	char e_pre[1100], e_rep[400], e_text[400], e_cap[400];
	snprintf(e_pre, sizeof e_pre, "LD_PRELOAD=%s", so);
	snprintf(e_rep, sizeof e_rep, "VCTS_VDPA_REPORT=%s", d);
	snprintf(e_text, sizeof e_text, "VCTS_VDPA_TEXT=%s", P("cap.jsonl"));
	snprintf(e_cap, sizeof e_cap, "VCTS_VDPA_CAPTURE=%s", P("cap.jsonl"));
	const char *env[] = { e_pre, e_rep, e_text, e_cap, "VCTS_VDPA_QUIET=1", NULL };
	char *out;
	/* certify is the client here: it opens the shim's fake node. */
	int rc = run_env(rel, env, &out, "certify", "--device", "/dev/vhost-vdpa-fake0", "--cycles", "2", NULL);
	ck_assert_msg(rc == 0, "the host process did not run on (exit %d):\n%.800s", rc, out);
	assert_has(out, "VCTS_VDPA_REPORT");
	assert_has(out, "is a directory");
	assert_has(out, "name the same file");
	free(out);
	ck_assert_int_eq(kind_of(d), S_IFDIR);
	char *cap = slurp(P("cap.jsonl"));
	assert_has(cap, "vhost-cts-capture");
	free(cap);
}
END_TEST

/* ---- strict options ---- */

START_TEST(strict_options)
{
	const char *in = input_copy();
	char *out;
	ck_assert_int_eq(run(&out, "decode", "--session", "abc", in, NULL), 2);
	assert_has(out, "--session");
	free(out);
	ck_assert_int_eq(run(&out, "decode", "--session", "1x", in, NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "decode", "--session", "-1", in, NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "decode", "--session", "0", in, NULL), 0);
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--connect", "--listen", "--socket", P("s"), NULL), 2);
	assert_has(out, "exclude each other");
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--list", "--scenario", "NOMATCH", NULL), 2);
	assert_has(out, "matches no scenario");
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--socket", P("s"), "--scenario", "NOMATCH", NULL), 2);
	free(out);
	ck_assert_int_eq(run(&out, "drive", "--list", "--scenario", "neg-*", NULL), 0);
	ck_assert_msg(strstr(out, "replay-") == NULL && strstr(out, "neg-") != NULL, "--list ignored --scenario:\n%.800s",
		      out);
	free(out);
	ck_assert_int_eq(run(&out, "check", "--waive", dir, in, NULL), 2);
	assert_has(out, "directory");
	free(out);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("outputs");
	TCase *tc = tcase_create("outputs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, device_nodes_written_through);
	tcase_add_test(tc, refused_targets_untouched);
	tcase_add_test(tc, fifo_written_through);
	tcase_add_test(tc, symlinks_followed_never_replaced);
	tcase_add_test(tc, replaced_file_keeps_mode);
	tcase_add_test(tc, same_path_twice_and_output_is_input);
	tcase_add_test(tc, dash_is_stdout);
	tcase_add_test(tc, stdout_write_failure_is_exit_2);
	tcase_add_test(tc, report_html_dir);
	tcase_add_test(tc, certify_device_must_be_a_char_device);
	tcase_add_test(tc, serve_socket_claims);
	tcase_add_test(tc, serve_and_drive_check_outputs_at_start);
	tcase_add_test(tc, live_pair_outputs_on_device_nodes);
	tcase_add_test(tc, shim_outputs);
	tcase_add_test(tc, strict_options);
	suite_add_tcase(s, tc);
	return s;
}
