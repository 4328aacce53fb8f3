#include "vcts/fileio.h"
#include "vcts/outfile.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vc_write_file_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	struct vc_out *o = vc_out_open(path, err, errlen);
	if (!o)
		return -1;
	if (len && fwrite(buf, 1, len, vc_out_stream(o)) != len) {
		snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
		vc_out_discard(o);
		return -1;
	}
	return vc_out_commit(o, err, errlen);
}

int vc_read_file(const char *path, uint64_t max, char **out, size_t *len, char *err, size_t errlen)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		snprintf(err, errlen, "too large: %lld bytes, limit %llu (--max-input)",
			 (long long)st.st_size, (unsigned long long)max);
		close(fd);
		return -1;
	}
	/* Read in chunks so pipes and /proc files work and the limit holds
	 * even when st_size lies. */
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	char *buf = xmalloc(cap);
	size_t n = 0;
	for (;;) {
		if (cap - n < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read failed: %s", strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			snprintf(err, errlen, "too large: over %llu bytes (--max-input)",
				 (unsigned long long)max);
			free(buf);
			close(fd);
			return -1;
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
