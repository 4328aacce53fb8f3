/* Reading an strace log a block at a time for a streamed load (the events
 * go to the engine as they are made; nothing is kept). Each block holds
 * whole lines and goes through both strace importers in turn.
 *
 * With two CPUs and a log of several blocks the work is split: a second
 * thread reads and classifies blocks (the syntax of each line: most of the
 * cost), the caller's thread imports them in file order and runs the
 * engine. The result is the same as one thread's, event for event. */
#include "vcts/trace.h"
#include "lib/xalloc.h"
#include "lib/trace/strace_priv.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reading beats mapping here: mapping a page-cache file costs a
 * page-table entry per 4 KiB page (39 MiB: 32 ms mapped against 8 ms
 * read). A buffer grows only for a line longer than it. */
#define DEFAULT_BLOCK (256u * 1024u)
static size_t stream_block = DEFAULT_BLOCK;
static int stream_threads; /* 0 auto, 1 always, -1 never */

void st_set_stream_block(size_t bytes)
{
	stream_block = bytes ? bytes : DEFAULT_BLOCK;
}

void st_set_stream_threads(int mode)
{
	stream_threads = mode;
}

struct reader {
	int fd;
	uint64_t max, total;
	bool eof;
	char *carry;
	size_t ncarry, cap_carry;
	const char *source;
};

/* One block of whole lines read from fd after the carried partial line.
 * Returns the bytes of whole lines in *buf (all of them at the end of the
 * file), leaves the rest in carry; -1 on a read error or the input limit
 * (err set), with nothing returned. */
static int read_block(struct reader *r, char **buf, size_t *cap, size_t *len,
		      struct vc_error *err)
{
	size_t have = r->ncarry;
	if (have > *cap)
		*buf = xgrow(*buf, cap, have, 1);
	if (have)
		memcpy(*buf, r->carry, have);
	r->ncarry = 0;
	for (;;) {
		if (have == *cap) {
			/* no newline in a whole buffer: one long line, never more
			 * than the input limit (plus one byte to see it is over) */
			size_t want = *cap * 2 < r->max + 1 ? *cap * 2 : (size_t)r->max + 1;
			*buf = xrealloc(*buf, want);
			*cap = want;
		}
		ssize_t n = read(r->fd, *buf + have, *cap - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			vc_error_set(err, r->source, 0, "read error: %s", strerror(errno));
			return -1;
		}
		r->total += (uint64_t)n;
		if (r->total > r->max) {
			vc_error_set(err, r->source, 0, "too large: more than %llu bytes (--max-input)",
				     (unsigned long long)r->max);
			return -1;
		}
		have += (size_t)n;
		if (n == 0) {
			r->eof = true;
			*len = have;
			return 0;
		}
		const char *nl = memrchr(*buf, '\n', have);
		if (!nl)
			continue;
		size_t upto = (size_t)(nl - *buf) + 1;
		r->ncarry = have - upto;
		if (r->ncarry > r->cap_carry)
			r->carry = xgrow(r->carry, &r->cap_carry, r->ncarry, 1);
		if (r->ncarry)
			memcpy(r->carry, *buf + upto, r->ncarry);
		*len = upto;
		return 0;
	}
}

/* ---- two threads ---- */

#define NSLOT 4
enum { SLOT_FREE, SLOT_READY };

struct slot {
	char *buf;
	size_t cap, len;
	struct st_block *blk;
	int state;
	bool last;   /* nothing follows (end of file or an error) */
};

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slot[NSLOT];
	struct reader r;
	int rc;
	struct vc_error err;
};

static void *producer(void *arg)
{
	struct pipeline *pl = arg;
	uint64_t line = 0;
	for (unsigned k = 0;; k++) {
		struct slot *sl = &pl->slot[k % NSLOT];
		pthread_mutex_lock(&pl->mu);
		while (sl->state != SLOT_FREE)
			pthread_cond_wait(&pl->cv, &pl->mu);
		pthread_mutex_unlock(&pl->mu);
		struct vc_error err = { 0 };
		int rc = read_block(&pl->r, &sl->buf, &sl->cap, &sl->len, &err);
		if (rc == 0)
			line += st_block_classify(sl->blk, sl->buf, sl->len, line);
		pthread_mutex_lock(&pl->mu);
		if (rc != 0) {
			pl->rc = -1;
			pl->err = err;
			sl->len = 0;
		}
		sl->last = rc != 0 || pl->r.eof;
		sl->state = SLOT_READY;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
		if (sl->last)
			return NULL;
	}
}

static int run_two_threads(struct reader *r, struct st_import *vu, struct sv_import *vd,
			   struct vc_error *err)
{
	struct pipeline *pl = xcalloc(1, sizeof *pl);
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	pl->r = *r;
	for (int i = 0; i < NSLOT; i++) {
		pl->slot[i].cap = stream_block;
		pl->slot[i].buf = xmalloc(stream_block);
		pl->slot[i].blk = st_block_new();
	}
	pthread_t th;
	int rc = 0;
	if (pthread_create(&th, NULL, producer, pl) != 0) {
		rc = 1; /* no thread: the caller reads on its own */
	} else {
		for (unsigned k = 0;; k++) {
			struct slot *sl = &pl->slot[k % NSLOT];
			pthread_mutex_lock(&pl->mu);
			while (sl->state != SLOT_READY)
				pthread_cond_wait(&pl->cv, &pl->mu);
			pthread_mutex_unlock(&pl->mu);
			if (sl->len)
				st_import_block(vu, vd, sl->blk);
			bool last = sl->last;
			pthread_mutex_lock(&pl->mu);
			sl->state = SLOT_FREE;
			pthread_cond_broadcast(&pl->cv);
			pthread_mutex_unlock(&pl->mu);
			if (last)
				break;
		}
		pthread_join(th, NULL);
		if (pl->rc) {
			rc = -1;
			if (err)
				*err = pl->err;
		}
	}
	*r = pl->r;
	for (int i = 0; i < NSLOT; i++) {
		free(pl->slot[i].buf);
		st_block_free(pl->slot[i].blk);
	}
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
	return rc;
}

/* ---- one thread ---- */

static int run_one_thread(struct reader *r, struct st_import *vu, struct sv_import *vd,
			  struct vc_error *err)
{
	size_t cap = stream_block, len = 0;
	char *buf = xmalloc(cap);
	int rc = 0;
	while (!r->eof) {
		if (read_block(r, &buf, &cap, &len, err) != 0) {
			rc = -1;
			break;
		}
		st_import_lines(vu, buf, len);
		sv_import_lines(vd, buf, len);
	}
	free(buf);
	return rc;
}

static bool use_threads(uint64_t size)
{
	if (stream_threads)
		return stream_threads > 0;
	return size >= 8 * (uint64_t)stream_block && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

int st_load_stream(struct vc_trace *t, int fd, uint64_t size, uint64_t max, struct vc_error *err)
{
	struct reader r = { .fd = fd, .max = max, .source = t->source };
	struct st_import *vu = st_import_begin(t);
	struct sv_import *vd = sv_import_begin(t);
	int rc = 1;
	if (use_threads(size))
		rc = run_two_threads(&r, vu, vd, err);
	if (rc == 1)
		rc = run_one_thread(&r, vu, vd, err);
	free(r.carry);
	/* An error only when neither kind of traffic is there (as whole-buffer
	 * imports decide in vc_import_buffer). */
	struct vc_error uerr = { 0 };
	int urc = st_import_end(vu, &uerr);
	uint64_t vdpa_events = sv_import_end(vd);
	if (rc == 0 && urc && !vdpa_events) {
		if (err)
			*err = uerr;
		rc = -1;
	}
	return rc;
}
