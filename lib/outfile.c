/* Output files that never harm what is at their path (vcts/outfile.h). */
#include "vcts/outfile.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux follows at most 40 links in a path; so do we. */
#define MAX_LINK_HOPS 40

static char *dir_of(const char *p)
{
	const char *s = strrchr(p, '/');
	if (!s)
		return xstrdup(".");
	if (s == p)
		return xstrdup("/");
	char *d = xmalloc((size_t)(s - p) + 1);
	memcpy(d, p, (size_t)(s - p));
	d[s - p] = '\0';
	return d;
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Follow path's symlinks (the last component only, hop by hop) to the
 * file they finally name, which need not exist. *st is that file's lstat
 * and *exists says whether it exists. NULL with err on a loop or an
 * unreadable link. */
static char *resolve(const char *path, struct stat *st, bool *exists, char *err, size_t errlen)
{
	char *cur = xstrdup(path);
	for (int hops = 0;; hops++) {
		if (lstat(cur, st) != 0) {
			if (errno == ENOENT) {
				*exists = false;
				return cur;
			}
			snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
			break;
		}
		if (!S_ISLNK(st->st_mode)) {
			*exists = true;
			return cur;
		}
		if (hops == MAX_LINK_HOPS) {
			snprintf(err, errlen, "%s: too many levels of symbolic links", path);
			break;
		}
		char target[PATH_MAX];
		ssize_t n = readlink(cur, target, sizeof target - 1);
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read symbolic link %s: %s", path, cur, strerror(errno));
			break;
		}
		target[n] = '\0';
		char *next;
		if (target[0] == '/') {
			next = xstrdup(target);
		} else {
			char *d = dir_of(cur);
			size_t len = strlen(d) + 1 + (size_t)n + 1;
			next = xmalloc(len);
			snprintf(next, len, "%s/%s", d, target);
			free(d);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

int vc_out_check(const char *path, enum vc_out_kind *kind, char **final, char *err, size_t errlen)
{
	if (final)
		*final = NULL;
	if (!path || !*path) {
		snprintf(err, errlen, "'': empty path");
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		*kind = VC_OUT_STDOUT;
		return 0;
	}
	struct stat st, out;
	/* /dev/stdout, /proc/self/fd/1: stdout's own file (a pipe, a tty, the
	 * file the shell opened) gets the output in order with the rest of
	 * stdout. Links under /proc name pipes that no path reaches, so a
	 * device or FIFO is judged by what stat() finds at the path itself. */
	if (stat(path, &st) == 0) {
		if (fstat(STDOUT_FILENO, &out) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
			*kind = VC_OUT_STDOUT;
			return 0;
		}
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
			*kind = VC_OUT_THROUGH;
			if (final)
				*final = xstrdup(path);
			return 0;
		}
	}
	bool exists;
	char *fin = resolve(path, &st, &exists, err, errlen);
	if (!fin)
		return -1;
	const char *what = NULL;
	if (!exists || S_ISREG(st.st_mode)) {
		/* The temp file goes next to the final target: its directory
		 * must exist and take a new file. */
		char *d = dir_of(fin);
		struct stat ds;
		bool ok = false;
		if (stat(d, &ds) != 0)
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		else if (!S_ISDIR(ds.st_mode))
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(ENOTDIR));
		else if (faccessat(AT_FDCWD, d, W_OK, AT_EACCESS) != 0)
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		else
			ok = true;
		free(d);
		if (!ok)
			goto fail;
		*kind = VC_OUT_REPLACE;
	} else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		*kind = VC_OUT_THROUGH;
	} else if (S_ISDIR(st.st_mode)) {
		what = "is a directory";
	} else if (S_ISBLK(st.st_mode)) {
		what = "is a block device";
	} else if (S_ISSOCK(st.st_mode)) {
		what = "is a socket";
	} else {
		what = "is not a regular file";
	}
	if (what) {
		snprintf(err, errlen, "%s: %s (an output must be a regular file, a character device or a FIFO)",
			 path, what);
		goto fail;
	}
	if (final)
		*final = fin;
	else
		free(fin);
	return 0;
fail:
	free(fin);
	return -1;
}

/* The umask, read without setting it (umask() would change it for every
 * thread for a moment; the shim runs inside other programs' threads). */
static mode_t current_umask(void)
{
	mode_t m = 022;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return m;
	char line[128];
	unsigned v;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Umask: %o", &v) == 1) {
			m = (mode_t)(v & 0777);
			break;
		}
	fclose(f);
	return m;
}

struct vc_out {
	enum vc_out_kind kind;
	char *path;     /* as given, for messages */
	char *final;    /* REPLACE: the file renamed over */
	char *tmp;      /* REPLACE: the temp file */
	FILE *f;
};

struct vc_out *vc_out_open(const char *path, char *err, size_t errlen)
{
	struct vc_out *o = xcalloc(1, sizeof *o);
	if (vc_out_check(path, &o->kind, &o->final, err, errlen) != 0) {
		free(o);
		return NULL;
	}
	o->path = xstrdup(path);
	int fd = -1;
	if (o->kind == VC_OUT_STDOUT) {
		o->f = stdout;
		return o;
	}
	if (o->kind == VC_OUT_THROUGH) {
		/* O_NOCTTY: a tty named as output must not become ours. */
		fd = open(o->final, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
			goto fail;
		}
	} else {
		char *d = dir_of(o->final);
		size_t len = strlen(d) + strlen(base_of(o->final)) + 16;
		o->tmp = xmalloc(len);
		snprintf(o->tmp, len, "%s/.%s.XXXXXX", d, base_of(o->final));
		free(d);
		fd = mkostemp(o->tmp, O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
			free(o->tmp);
			o->tmp = NULL;
			goto fail;
		}
		/* A replaced file keeps its mode and owner; a new one gets
		 * 0644 like a file the shell would create. */
		struct stat st;
		if (stat(o->final, &st) == 0 && S_ISREG(st.st_mode)) {
			/* Not root: the file stays ours, which is all we can do. */
			int ignored = fchown(fd, st.st_uid, st.st_gid);
			(void)ignored;
			(void)fchmod(fd, st.st_mode & 07777);
		} else {
			(void)fchmod(fd, 0666 & ~current_umask());
		}
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	return o;
fail:
	vc_out_discard(o);
	return NULL;
}

FILE *vc_out_stream(struct vc_out *o)
{
	return o->f;
}

enum vc_out_kind vc_out_kind(const struct vc_out *o)
{
	return o->kind;
}

static void out_free(struct vc_out *o)
{
	free(o->path);
	free(o->final);
	free(o->tmp);
	free(o);
}

void vc_out_discard(struct vc_out *o)
{
	if (!o)
		return;
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	out_free(o);
}

int vc_out_commit(struct vc_out *o, char *err, size_t errlen)
{
	int rc = -1;
	if (o->kind == VC_OUT_STDOUT) {
		if (fflush(stdout) != 0 || ferror(stdout))
			snprintf(err, errlen, "stdout: write failed: %s", strerror(errno));
		else
			rc = 0;
		out_free(o);
		return rc;
	}
	FILE *f = o->f;
	o->f = NULL;
	bool bad = ferror(f) != 0;
	int e = bad ? (errno ? errno : EIO) : 0;
	if (!bad && fflush(f) != 0) {
		bad = true;
		e = errno;
	}
	/* A device or FIFO has nothing to sync (EINVAL); a file must be on
	 * disk before it replaces the old one. */
	if (!bad && o->kind == VC_OUT_REPLACE && fsync(fileno(f)) != 0) {
		bad = true;
		e = errno;
	}
	if (fclose(f) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (bad) {
		snprintf(err, errlen, "%s: write failed: %s", o->path, strerror(e));
	} else if (o->kind == VC_OUT_REPLACE && rename(o->tmp, o->final) != 0) {
		snprintf(err, errlen, "%s: cannot rename into place: %s", o->path, strerror(errno));
	} else {
		rc = 0;
		if (o->kind == VC_OUT_REPLACE) {
			free(o->tmp);
			o->tmp = NULL;
		}
	}
	if (o->tmp)
		unlink(o->tmp);
	out_free(o);
	return rc;
}

/* ---- path identity ---- */

struct path_id {
	bool have_ino;
	dev_t dev;
	ino_t ino;
	char *canon; /* a file not yet created: its resolved, canonical path */
};

static void identify(const char *p, struct path_id *id)
{
	memset(id, 0, sizeof *id);
	struct stat st;
	if (strcmp(p, "-") == 0 ? fstat(STDOUT_FILENO, &st) == 0 : stat(p, &st) == 0) {
		id->have_ino = true;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		return;
	}
	char err[64];
	bool exists;
	char *fin = resolve(p, &st, &exists, err, sizeof err);
	if (!fin)
		fin = xstrdup(p);
	char *d = dir_of(fin);
	char *real = realpath(d, NULL);
	if (real) {
		size_t len = strlen(real) + strlen(base_of(fin)) + 2;
		id->canon = xmalloc(len);
		snprintf(id->canon, len, "%s/%s", real, base_of(fin));
		free(real);
	} else {
		id->canon = xstrdup(fin);
	}
	free(d);
	free(fin);
}

bool vc_path_same(const char *a, const char *b)
{
	struct path_id x, y;
	identify(a, &x);
	identify(b, &y);
	bool same;
	if (x.have_ino && y.have_ino)
		same = x.dev == y.dev && x.ino == y.ino;
	else if (!x.have_ino && !y.have_ino)
		same = strcmp(x.canon, y.canon) == 0;
	else
		same = false;
	free(x.canon);
	free(y.canon);
	return same;
}
