/* What strace's -yy says about a socket ("UNIX-STREAM:[1->2,"/path"]"):
 * type, inodes, path. */
#include "lib/trace/strace_priv.h"
#include "lib/trace/strace_cursor.h"

void st_sock_clear(struct st_sock *so)
{
	/* Field by field: the path buffer only needs its first byte, and this
	 * runs twice per syscall line. */
	so->is_socket = so->maybe_unix = so->has_inode = so->has_peer = false;
	so->inode = so->peer = 0;
	so->type = NULL;
	so->type_len = 0;
	so->path[0] = '\0';
}

void st_parse_sock(const char *ann, size_t n, struct st_sock *so)
{
	st_sock_clear(so);
	/* TYPE:[ with TYPE upper-case letters, digits, '-' ; or socket:[ */
	size_t i = 0;
	while (i < n && ((ann[i] >= 'A' && ann[i] <= 'Z') || is_digit(ann[i]) || ann[i] == '-'))
		i++;
	bool upper = i > 0;
	if (!upper) {
		if (n >= 7 && memcmp(ann, "socket:", 7) == 0)
			i = 6;
		else
			return;
	}
	if (i + 1 >= n || ann[i] != ':' || ann[i + 1] != '[')
		return;
	so->is_socket = true;
	so->type = ann;
	so->type_len = i;
	so->maybe_unix = !upper || (i >= 4 && memcmp(ann, "UNIX", 4) == 0);
	struct cur c = { ann, n, i + 2 };
	uint64_t v;
	if (!c_u64(&c, &v))
		return;
	so->has_inode = true;
	so->inode = v;
	if (c_lit(&c, "->")) {
		if (c_u64(&c, &v)) {
			so->has_peer = true;
			so->peer = v;
		}
	}
	if (c_lit(&c, ",")) {
		bool abstract = c_lit(&c, "@");
		if (c_peek(&c) == '"') {
			size_t st = ++c.i;
			while (c.i < c.n && c.s[c.i] != '"') {
				if (c.s[c.i] == '\\' && c.i + 1 < c.n)
					c.i++;
				c.i++;
			}
			size_t end = c.i < c.n ? c.i : c.n;
			char *o = so->path;
			size_t room = sizeof so->path;
			if (abstract) {
				*o++ = '@';
				room--;
			}
			st_decode_text(ann + st, end - st, o, room);
		}
	}
}
