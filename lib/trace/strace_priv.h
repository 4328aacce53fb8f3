/* Private to the strace importer: the syscall-line parser (strace_parse.c,
 * socket annotations in strace_sock.c)
 * and the small hash table both halves use (strace_hash.c). */
#ifndef VCTS_STRACE_PRIV_H
#define VCTS_STRACE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what one line may carry. */
#define ST_MAX_IOV 1024u        /* iovecs per readv/writev/sendmsg */
#define ST_MAX_CMSG_FDS 253u    /* SCM_MAX_FD */
#define ST_MAX_CALL_FDS 1024u   /* fds over all cmsgs of one call */
#define ST_MAX_JOIN (64u << 20) /* an <unfinished ...> half kept for its resume */

enum st_sys {
	ST_SYS_OTHER = 0,
	ST_SYS_READ,
	ST_SYS_WRITE,
	ST_SYS_READV,
	ST_SYS_WRITEV,
	ST_SYS_RECVMSG,
	ST_SYS_SENDMSG,
	ST_SYS_RECVFROM,
	ST_SYS_SENDTO,
};

static inline bool st_sys_is_read(enum st_sys s)
{
	return s == ST_SYS_READ || s == ST_SYS_READV || s == ST_SYS_RECVMSG ||
	       s == ST_SYS_RECVFROM;
}

/* An fd argument: "17", "17<UNIX-STREAM:[1->2]>", "19<\x2f...>(deleted)". */
struct st_fdarg {
	int64_t num;             /* -1 when absent */
	const char *ann;         /* raw text between < and > (escapes undecoded), or NULL */
	size_t ann_len;
	bool deleted;            /* "(deleted)" followed the annotation */
};

/* What an -yy annotation says about a socket. */
struct st_sock {
	bool is_socket;          /* any "TYPE:[" socket or "socket:[" */
	bool maybe_unix;         /* UNIX* or bare socket:[] (type unknown) */
	bool has_inode, has_peer;
	uint64_t inode, peer;
	const char *type;        /* "UNIX-STREAM", points into the raw text */
	size_t type_len;
	char path[108];          /* decoded, "" if none; "@name" for abstract */
};

/* An st_sock that is no socket (what st_parse_sock() starts from). */
void st_sock_clear(struct st_sock *so);

/* One parsed I/O syscall. Pointers into the line or the parser's scratch;
 * valid until the next parse. */
struct st_call {
	enum st_sys sys;
	struct st_fdarg fd;
	/* Data bytes as printed (concatenated iovecs, decoded). */
	const uint8_t *data;
	size_t data_len;
	bool data_cut;           /* strace cut it ("..." or an abbreviated array) */
	bool data_absent;        /* buffer printed as an address */
	uint32_t raw_chars;      /* data bytes printed as themselves, not as an escape */
	bool peek;               /* MSG_PEEK */
	bool ctrunc;             /* MSG_CTRUNC in msg_flags */
	/* Result */
	bool res_known;          /* false for "= ?" */
	int64_t res;
	char err[24];            /* "EAGAIN" when res < 0 */
	/* Passed fds (SCM_RIGHTS) */
	const struct st_fdarg *pfds;
	size_t npfds;
};

struct st_parser {
	uint8_t *data;
	size_t data_cap;
	struct st_fdarg *pfds;
	size_t pfds_cap;
	char what[160];          /* why the last parse failed */
	uint32_t raw;            /* raw_chars of the call being parsed */
};

/* Which syscall a name is (ST_SYS_OTHER if none of ours). */
enum st_sys st_sys_by_name(const char *p, size_t n);

/* Parse "NAME(args) = result ..." (no pid/time prefix). Returns 0 and fills
 * *c, or -1 with p->what set when the line is garbled. */
int st_parse_call(struct st_parser *p, const char *s, size_t n, struct st_call *c);
/* Parse only "NAME(fd" from the start of a line, for calls that never
 * finished. Returns 0 on success. */
int st_parse_head(const char *s, size_t n, enum st_sys *sys, struct st_fdarg *fd);
void st_parser_free(struct st_parser *p);

/* Any syscall line, for the importers of other calls (ioctl, mmap, openat,
 * close on vhost-vdpa fds: lib/trace/strace_vdpa.c): the name, the raw text
 * of each top-level argument (at most ST_GEN_MAX_ARGS; more fail) and the
 * result. Pointers into s. */
#define ST_GEN_MAX_ARGS 8
struct st_gen_call {
	const char *name;
	size_t name_len;
	struct {
		const char *s;
		size_t n;
	} arg[ST_GEN_MAX_ARGS];
	unsigned nargs;
	bool res_known;
	int64_t res;             /* also addresses (mmap), which fit in 63 bits */
	char err[24];
};
int st_parse_gen(struct st_parser *p, const char *s, size_t n, struct st_gen_call *g);
/* One argument that is an fd: "3", "3</dev/vhost-vdpa-0<char 510:0>>". */
int st_parse_fd_text(struct st_parser *p, const char *s, size_t n, struct st_fdarg *fd);

/* Decode strace escapes (\xHH, \NNN, \n ...) of raw annotation text into
 * out (NUL-terminated, non-printable bytes shown as '?'). */
void st_decode_text(const char *s, size_t n, char *out, size_t outlen);
/* Parse the socket part of an annotation. */
void st_parse_sock(const char *ann, size_t n, struct st_sock *so);

/* Open-addressing table from a (kind, a, b) key to a u32 value. */
struct st_hent {
	uint64_t a, b;
	uint32_t val;
	uint8_t kind;   /* 0 = empty, 0xff = deleted */
};
struct st_hash {
	struct st_hent *e;
	size_t cap, used, live;
};
bool st_hash_get(const struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b, uint32_t *val);
void st_hash_put(struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b, uint32_t val);
void st_hash_del(struct st_hash *h, uint8_t kind, uint64_t a, uint64_t b);
/* Empty, keeping the table. */
void st_hash_clear(struct st_hash *h);
void st_hash_free(struct st_hash *h);

/* The two strace importers in incremental form, for a load that reads the
 * file a block at a time: each block holds whole lines (only the last
 * block may end without a newline). vc_import_strace() and
 * vc_import_strace_vdpa() are begin + one block + end. */
struct vc_trace;
struct vc_error;
struct st_import;
struct st_import *st_import_begin(struct vc_trace *t);
void st_import_lines(struct st_import *s, const char *buf, size_t len);
/* Finishes, frees s; -1 with err set as vc_import_strace() fails. */
int st_import_end(struct st_import *s, struct vc_error *err);
/* The syntax half of st_import_lines() on its own, so that another thread
 * can do it: st_block_classify() reads the whole lines of buf (numbered
 * from first_line + 1) without touching the import; st_import_block()
 * then imports them, in file order, through both importers (the vDPA
 * importer gets the lines sv_line_wanted() picked). The block points into buf, which
 * must stay until then. */
struct st_block;
struct sv_import;
struct st_block *st_block_new(void);
/* Returns the lines read. */
uint64_t st_block_classify(struct st_block *b, const char *buf, size_t len, uint64_t first_line);
void st_import_block(struct st_import *s, struct sv_import *vd, const struct st_block *b);
void st_block_free(struct st_block *b);
struct sv_import;
struct sv_import *sv_import_begin(struct vc_trace *t);
void sv_import_lines(struct sv_import *s, const char *buf, size_t len);
/* One line at a time, for a block classified apart: sv_line_wanted() is
 * the quick test of whether sv_import_line() would do anything with a
 * line (any thread); sv_import_skip() counts the lines of a block. */
bool sv_line_wanted(const char *l, size_t n);
void sv_import_line(struct sv_import *s, const char *l, size_t n, uint64_t ln);
void sv_import_skip(struct sv_import *s, uint64_t lines);
/* Finishes, frees s; returns the vhost-vdpa events added. */
uint64_t sv_import_end(struct sv_import *s);
/* Block size of a streamed strace load (0 = the default); tests shrink it
 * so block boundaries fall everywhere. */
void st_set_stream_block(size_t bytes);
/* Whether a streamed load splits the work over two threads: 0 decides by
 * size and CPUs, 1 always, -1 never (tests force both). */
void st_set_stream_threads(int mode);
struct vc_trace;
struct vc_error;
/* The streamed load of an strace log from fd (size bytes, at most max):
 * both importers, a block at a time (lib/trace/strace_stream.c). */
int st_load_stream(struct vc_trace *t, int fd, uint64_t size, uint64_t max, struct vc_error *err);
#endif
