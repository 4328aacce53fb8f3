/* strace importer on whole recordings: both ends of a recorded connection
 * give the same messages, and read in blocks (lib/trace/strace_stream.c)
 * a streamed load and the block path give event for event what a
 * whole-file load gives, on the recordings in traces/ and on every input
 * of the strace fuzz corpus. */
#include "harness/tests/common/testutil.h"
#include "lib/trace/native.h"
#include "lib/trace/strace_priv.h"
#include "vcts/fileio.h"
#include "vcts/trace.h"
#include "vcts/wire.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The recordings in traces/ (real QEMU, DPDK testpmd, DPDK virtio-user and
 * qemu-storage-daemon runs, see traces/README.md): each pair is the same
 * connection seen from the front-end and from the back-end, so both
 * imports must yield the same messages, byte for byte. */
static void check_pair(const char *dir, const char *fe, const char *be, uint32_t first_req)
{
	char pa[256], pb[256];
	snprintf(pa, sizeof pa, "traces/%s/%s", dir, fe);
	snprintf(pb, sizeof pb, "traces/%s/%s", dir, be);
	struct vc_trace a, b;
	struct vc_error ea, eb;
	ck_assert_int_eq(vc_trace_load(&a, vc_test_path(pa), VC_FMT_AUTO, 0, &ea), 0);
	ck_assert_int_eq(vc_trace_load(&b, vc_test_path(pb), VC_FMT_AUTO, 0, &eb), 0);
	ck_assert_msg(a.nwarnings == 0 && b.nwarnings == 0, "%s: %s", dir,
		      a.nwarnings ? a.warnings[0] : b.warnings[0]);
	ck_assert_uint_eq(a.nsessions, 1);
	ck_assert_uint_eq(b.nsessions, 1);
	ck_assert_int_eq(a.sessions[0].traced_side, VC_SIDE_FRONTEND);
	ck_assert_int_eq(b.sessions[0].traced_side, VC_SIDE_BACKEND);
	ck_assert_uint_eq(a.nevents, b.nevents);
	ck_assert_uint_gt(a.nevents, 20);
	ck_assert_uint_eq(a.events[0].u.vu.request, first_req);
	size_t nmem = 0;
	for (size_t i = 0; i + 1 < a.nevents; i++) {
		const struct vc_event *x = &a.events[i], *y = &b.events[i];
		ck_assert_int_eq(x->kind, VC_EV_VU_MSG);
		ck_assert_msg(x->dir == y->dir && x->u.vu.request == y->u.vu.request &&
				      x->u.vu.flags == y->u.vu.flags && x->u.vu.size == y->u.vu.size &&
				      x->u.vu.payload_len == y->u.vu.payload_len && x->nfds == y->nfds,
			      "%s: event %zu differs", dir, i);
		ck_assert(x->u.vu.payload_len == 0 ||
			  memcmp(x->u.vu.payload, y->u.vu.payload, x->u.vu.payload_len) == 0);
		for (uint32_t j = 0; j < x->nfds && j < VC_EVENT_MAX_FDS; j++)
			ck_assert_int_eq(x->fds[j].kind, y->fds[j].kind);
		if (x->u.vu.request == VU_SET_MEM_TABLE && x->dir == VC_DIR_FE_TO_BE) {
			nmem++;
			ck_assert_uint_eq(x->nfds, vu_rd32(x->u.vu.payload));
		}
	}
	ck_assert_int_eq(a.events[a.nevents - 1].kind, VC_EV_VU_EOF);
	ck_assert_int_eq(b.events[b.nevents - 1].kind, VC_EV_VU_EOF);
	(void)nmem;
	vc_trace_free(&a);
	vc_trace_free(&b);
}

START_TEST(real_recordings_agree)
{
	check_pair("qemu-dpdk-net", "qemu.strace", "testpmd.strace", VU_GET_FEATURES);
	check_pair("qemu-dpdk-net-mq", "qemu.strace", "testpmd.strace", VU_GET_FEATURES);
	check_pair("qemu-blk-qsd", "qemu.strace", "qsd.strace", VU_GET_FEATURES);
	check_pair("dpdk-virtio-user", "frontend.strace", "backend.strace", VU_SET_OWNER);
}
END_TEST

/* What a sink receives, kept as a stored trace (sessions copied at the
 * end, indexes as delivered). */
static void keep_event(void *opaque, const struct vc_trace *t, const struct vc_event *ev)
{
	(void)t;
	vc_trace_add_event_at(opaque, ev);
}

/* Events of one session, in order, from a trace whose sessions may
 * interleave. */
static size_t session_events(const struct vc_trace *t, uint32_t s, const struct vc_event **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nevents && n < cap; i++)
		if (t->events[i].session == s)
			out[n++] = &t->events[i];
	return n;
}

/* A streamed load (the file read in blocks, vhost-user and vhost-vdpa
 * importers taking each block in turn, events handed out as made) gives
 * every session exactly the events of a whole-file load, with blocks of
 * 256 KiB, 4 KiB and 61 bytes (every line crosses a boundary, the buffer
 * grows for long lines), on one thread and on two (a second thread reads
 * and classifies the lines), on every real strace recording; the two
 * threads' warnings are the one thread's, in the same order. */
START_TEST(streamed_load_equals_whole)
{
	static const char *const logs[] = {
		"traces/qemu-dpdk-net/qemu.strace", "traces/qemu-dpdk-net/testpmd.strace",
		"traces/qemu-dpdk-net-mq/qemu.strace", "traces/dpdk-virtio-user/backend.strace",
		"traces/dpdk-virtio-user/frontend.strace", "traces/qemu-blk-qsd/qsd.strace",
		"traces/qemu-hotplug/qemu.strace", "traces/vdpa-strace/dpdk-testpmd-cuse.strace",
		"traces/vdpa-strace/qemu72-fixed.strace", "traces/dpdk-virtio-user-packed/frontend.strace",
		"traces/qemu-dpdk-net-packed/testpmd.strace",
	};
	static const size_t blocks[] = { 0, 4096, 61 };
	static const int threads[] = { -1, 1 };
	enum { CAP = 200000 };
	const struct vc_event **ea = malloc(CAP * sizeof *ea), **eb = malloc(CAP * sizeof *eb);
	char **warn = NULL;
	size_t nwarn = 0;
	for (size_t li = 0; li < sizeof logs / sizeof logs[0]; li++) {
		const char *path = vc_test_path(logs[li]);
		struct vc_trace whole;
		struct vc_error err;
		ck_assert_int_eq(vc_trace_load(&whole, path, VC_FMT_AUTO, 0, &err), 0);
		for (size_t run = 0; run < 6; run++) {
			size_t bi = run / 2;
			st_set_stream_block(blocks[bi]);
			st_set_stream_threads(threads[run % 2]);
			struct vc_trace got, streamed;
			vc_trace_init(&got, path, VC_FMT_STRACE);
			struct vc_event_sink sink = { .event = keep_event, .opaque = &got };
			ck_assert_int_eq(vc_trace_load_stream(&streamed, path, VC_FMT_AUTO, 0, &sink, &err), 0);
			ck_assert_uint_eq(streamed.nsessions, whole.nsessions);
			ck_assert_uint_eq(streamed.nevents, whole.nevents);
			ck_assert_uint_eq(got.nevents, whole.nevents);
			ck_assert_uint_eq(streamed.warnings_total, whole.warnings_total);
			if (run % 2 == 0) { /* one thread: keep its warnings */
				for (size_t w = 0; w < nwarn; w++)
					free(warn[w]);
				free(warn);
				nwarn = streamed.nwarnings;
				warn = calloc(nwarn ? nwarn : 1, sizeof *warn);
				for (size_t w = 0; w < nwarn; w++)
					warn[w] = strdup(streamed.warnings[w]);
			} else {
				ck_assert_uint_eq(streamed.nwarnings, nwarn);
				for (size_t w = 0; w < nwarn; w++)
					ck_assert_str_eq(streamed.warnings[w], warn[w]);
			}
			for (uint32_t s = 0; s < whole.nsessions; s++) {
				ck_assert_str_eq(streamed.sessions[s].name, whole.sessions[s].name);
				size_t na = session_events(&whole, s, ea, CAP), nb = session_events(&got, s, eb, CAP);
				ck_assert_uint_eq(na, nb);
				for (size_t k = 0; k < na; k++) {
					char why[256];
					if (!vc_native_event_equal(ea[k], eb[k], why, sizeof why))
						ck_abort_msg("%s block %zu threads %d session %u event %zu: %s",
							     logs[li], blocks[bi], threads[run % 2], s, k, why);
				}
			}
			vc_trace_free(&got);
			vc_trace_free(&streamed);
		}
		vc_trace_free(&whole);
	}
	st_set_stream_block(0);
	st_set_stream_threads(0);
	for (size_t w = 0; w < nwarn; w++)
		free(warn[w]);
	free(warn);
	free(ea);
	free(eb);
}
END_TEST

/* Import buf through the block path: lines cut into blocks of `every`
 * lines, each classified, then imported in order (what two threads do). */
static int import_in_blocks(struct vc_trace *t, const char *buf, size_t len, size_t every,
			    struct vc_error *err)
{
	struct st_import *vu = st_import_begin(t);
	struct sv_import *vd = sv_import_begin(t);
	struct st_block *b = st_block_new();
	uint64_t line = 0;
	size_t pos = 0;
	while (pos < len) {
		size_t end = pos, n = 0;
		while (end < len && n < every) {
			const char *nl = memchr(buf + end, '\n', len - end);
			end = nl ? (size_t)(nl - buf) + 1 : len;
			n++;
		}
		line += st_block_classify(b, buf + pos, end - pos, line);
		st_import_block(vu, vd, b);
		pos = end;
	}
	st_block_free(b);
	struct vc_error uerr = { 0 };
	int urc = st_import_end(vu, &uerr);
	uint64_t vdpa = sv_import_end(vd);
	if (urc && !vdpa) {
		*err = uerr;
		return -1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory, sorted (failures name the same input each run);
 * returns how many (names malloc'd). */
static size_t list_dir(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	size_t n = 0, cap = 0;
	char **names = NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
			ck_assert_ptr_nonnull(names);
		}
		names[n++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	*out = names;
	return n;
}

/* The block path (classified apart, data and fd arrays copied, imported
 * later) gives every session the same events, and the load the same
 * warnings and the same error, as the whole-buffer import on every input
 * the fuzzer kept for the strace importer: garbled, cut, NUL-laden,
 * unfinished and resumed lines. Blocks of 1, 3 and 1000 lines. */
START_TEST(block_path_equals_whole_on_fuzz_corpus)
{
	static const char *const dirs[] = { "fuzz/corpus/fuzz_strace", "fuzz/regress/fuzz_strace" };
	static const size_t every[] = { 1, 3, 1000 };
	enum { CAP = 20000 };
	const struct vc_event **ea = malloc(CAP * sizeof *ea), **eb = malloc(CAP * sizeof *eb);
	size_t inputs = 0;
	for (size_t d = 0; d < 2; d++) {
		char **names;
		size_t nnames = list_dir(vc_test_path(dirs[d]), &names);
		for (size_t f = 0; f < nnames; f++) {
			char path[4096], msg[256];
			snprintf(path, sizeof path, "%s/%s", vc_test_path(dirs[d]), names[f]);
			char *buf;
			size_t len;
			ck_assert_msg(vc_read_file(path, 1 << 24, &buf, &len, msg, sizeof msg) == 0, "%s", msg);
			inputs++;
			struct vc_trace a;
			struct vc_error erra = { 0 };
			vc_trace_init(&a, "in", VC_FMT_STRACE);
			int ra = vc_import_buffer(&a, VC_FMT_STRACE, buf, len, &erra);
			for (size_t e = 0; e < sizeof every / sizeof every[0]; e++) {
				struct vc_trace b;
				struct vc_error errb = { 0 };
				vc_trace_init(&b, "in", VC_FMT_STRACE);
				int rb = import_in_blocks(&b, buf, len, every[e], &errb);
				ck_assert_msg(ra == rb, "%s every %zu: rc %d vs %d", path, every[e], ra, rb);
				if (ra) {
					char x[600], y[600];
					ck_assert_str_eq(vc_error_str(&erra, x, sizeof x), vc_error_str(&errb, y, sizeof y));
				}
				ck_assert_msg(a.warnings_total == b.warnings_total, "%s every %zu: %llu vs %llu warnings",
					      path, every[e], (unsigned long long)a.warnings_total,
					      (unsigned long long)b.warnings_total);
				ck_assert_uint_eq(a.nsessions, b.nsessions);
				for (uint32_t si = 0; si < a.nsessions; si++) {
					ck_assert_str_eq(a.sessions[si].name, b.sessions[si].name);
					size_t na = session_events(&a, si, ea, CAP), nb = session_events(&b, si, eb, CAP);
					ck_assert_msg(na == nb, "%s every %zu session %u: %zu vs %zu events", path,
						      every[e], si, na, nb);
					for (size_t k = 0; k < na; k++) {
						char why[256];
						if (!vc_native_event_equal(ea[k], eb[k], why, sizeof why))
							ck_abort_msg("%s every %zu session %u event %zu: %s", path,
								     every[e], si, k, why);
					}
				}
				vc_trace_free(&b);
			}
			vc_trace_free(&a);
			free(buf);
			free(names[f]);
		}
		free(names);
	}
	free(ea);
	free(eb);
	ck_assert_uint_gt(inputs, 100);
}
END_TEST

Suite *vc_test_suite(void)
{
	Suite *s = suite_create("strace_real");
	TCase *tc = tcase_create("real");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, real_recordings_agree);
	tcase_add_test(tc, block_path_equals_whole_on_fuzz_corpus);
	tcase_add_test(tc, streamed_load_equals_whole);
	suite_add_tcase(s, tc);
	return s;
}
