/* fuzz-backend: the campaign: iterations, verdicts, saved findings and
 * their reproducers. */
#include "fakes/frontend/befuzz_int.h"
#include "vcts/fileio.h"
#include "vcts/outfile.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the campaign ---- */

void fz_art_free(struct fz_art *a)
{
	free(a->cap);
	free(a->raw);
	free(a->txt);
	memset(a, 0, sizeof *a);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fz_write_all(const char *path, const void *buf, size_t len)
{
	char err[512];
	return vc_write_file_atomic(path, buf, len, err, sizeof err);
}

/* s in double quotes for sh, with the socket path replaced by ${SOCK}. */
static void dq_sock(FILE *f, const char *s, const char *sock)
{
	size_t sl = sock ? strlen(sock) : 0;
	fputc('"', f);
	while (*s) {
		if (sl && !strncmp(s, sock, sl)) {
			fputs("${SOCK}", f);
			s += sl;
			continue;
		}
		if (*s == '"' || *s == '\\' || *s == '$' || *s == '`')
			fputc('\\', f);
		fputc(*s++, f);
	}
	fputc('"', f);
}

static void repro_cmd(FILE *f, const struct vfz_options *o, uint64_t iter, const char *steps)
{
	fprintf(f, "\"$VCTS\" fuzz-backend --socket \"$SOCK\"");
	if (o->spawn) {
		fprintf(f, " --spawn ");
		dq_sock(f, o->spawn, o->socket);
	}
	fprintf(f, " --device %s --seed %" PRIu64 " --iteration %" PRIu64, vfe_device_name(o->device), o->seed, iter);
	if (steps && *steps)
		fprintf(f, " --steps %s", steps);
	fprintf(f, " --timeout %g", o->timeout_ms / 1000.0);
}

/* A finding's files, written the safe way (vcts/outfile.h); as before, a
 * file that cannot be written is skipped. */
FILE *fz_art_open(const char *path, struct vc_out **fo)
{
	char err[512];
	*fo = vc_out_open(path, err, sizeof err);
	return *fo ? vc_out_stream(*fo) : NULL;
}

void fz_art_close(struct vc_out *fo)
{
	char err[512];
	if (fo)
		vc_out_commit(fo, err, sizeof err);
}

void fz_write_repro(const char *path, const struct vfz_options *o, uint64_t iter, const char *steps,
			const char *what)
{
	struct vc_out *fo;
	FILE *f = fz_art_open(path, &fo);
	if (!f)
		return;
	char exe[PATH_MAX] = "vhost-cts";
	if (o->exe && realpath(o->exe, exe) == NULL)
		snprintf(exe, sizeof exe, "%s", o->exe);
	fprintf(f, "#!/bin/sh\n# vhost-cts fuzz-backend finding: %s\n"
		   "# Runs this one iteration against a freshly started back-end; exit status 1\n"
		   "# and a line 'crash', 'hang' or 'leak' when it reproduces.\n"
		   "VCTS=${VCTS_BIN:-%s}\nSOCK=${SOCK:-/tmp/vcts-fz-repro-$$.sock}\nexec timeout -s KILL 600 ",
		what, exe);
	repro_cmd(f, o, iter, steps);
	fprintf(f, " \"$@\"\n");
	fz_art_close(fo);
	chmod(path, 0755);
}

static void save_finding(struct fz_ctx *z, const struct fz_art *a, enum vfz_kind kind, const char *detail)
{
	const struct vfz_options *o = z->o;
	z->st->findings[kind]++;
	char id[96], dir[PATH_MAX], path[PATH_MAX + 32];
	snprintf(id, sizeof id, "%s-s%" PRIu64 "-i%" PRIu64, vfz_kind_name(kind), o->seed, a->iter);
	if (o->log)
		fprintf(o->log, "%-5s seed %" PRIu64 " iteration %" PRIu64 ": %s%s%s\n", vfz_kind_name(kind), o->seed,
			a->iter, detail, a->note[0] ? " [" : "", a->note[0] ? a->note : "");
	if (!o->out_dir || z->st->saved >= FZ_MAX_SAVED)
		return;
	snprintf(dir, sizeof dir, "%s/%s", o->out_dir, id);
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/capture.jsonl", dir);
	fz_write_all(path, a->cap, a->caplen);
	snprintf(path, sizeof path, "%s/raw.bin", dir);
	fz_write_all(path, a->raw, a->rawlen);
	snprintf(path, sizeof path, "%s/raw.txt", dir);
	struct vc_out *fo;
	FILE *f = fz_art_open(path, &fo);
	if (f) {
		fprintf(f, "# offset\tbytes\tstep\tindex\trequest\tflags\tsize\tfds\tfd kinds (raw.bin is the main-channel byte stream)\n");
		if (a->txtlen)
			fwrite(a->txt, 1, a->txtlen, f);
		fz_art_close(fo);
	}
	struct fz_plan p;
	fz_plan_make(&p, o->device, o->seed, a->iter);
	snprintf(path, sizeof path, "%s/plan.txt", dir);
	if ((f = fz_art_open(path, &fo))) {
		fz_print_plan(&p, z->sel, f);
		fz_art_close(fo);
	}
	snprintf(path, sizeof path, "%s/case.txt", dir);
	if ((f = fz_art_open(path, &fo))) {
		fprintf(f, "kind=%s\nseed=%" PRIu64 "\niteration=%" PRIu64 "\ndevice=%s\nsocket=%s\nspawn=%s\nsteps=%s\n"
			   "timeout_ms=%d\nbase=%s\nmutations=%s\ndetail=%s\nnote=%s\n",
			vfz_kind_name(kind), o->seed, a->iter, vfe_device_name(o->device), o->socket, o->spawn ? o->spawn : "",
			z->steps_txt, o->timeout_ms, p.base, p.muts, detail, a->note);
		fz_art_close(fo);
	}
	char what[700];
	snprintf(what, sizeof what, "%s: %s (seed %" PRIu64 ", iteration %" PRIu64 ")", vfz_kind_name(kind), detail,
		 o->seed, a->iter);
	for (char *q = what; *q; q++)
		if (*q == '\n')
			*q = ' ';
	snprintf(path, sizeof path, "%s/reproduce.sh", dir);
	fz_write_repro(path, o, a->iter, z->steps_txt, what);
	if (z->tsv) {
		fprintf(z->tsv, "%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%s/reproduce.sh\n", vfz_kind_name(kind), o->seed,
			a->iter, p.base, detail, dir);
		fflush(z->tsv);
	}
	if (o->log)
		fprintf(o->log, "      saved %s/ (reproduce: sh %s/reproduce.sh)\n", dir, dir);
	fz_plan_free(&p);
	z->st->saved++;
}

struct vfe_run *fz_new_run(struct fz_ctx *z, char *err, size_t errlen)
{
	const struct vfz_options *o = z->o;
	struct vfe_options vo = {
		.socket = o->socket, .device = o->device, .spawn = o->spawn, .timeout_ms = o->timeout_ms,
		.startup_ms = o->startup_ms, .queues = 2, .source_name = "fuzz-backend", .spawn_log = z->spawn_log,
	};
	return vfe_run_new(&vo, err, errlen);
}

static void note_pid(struct fz_ctx *z, pid_t p)
{
	if (p && p != z->last_pid) {
		z->st->respawns++;
		z->last_pid = p;
	}
}

/* The result before the last one turned into a crash (found at the next
 * connection)? */
static bool late_crash(struct fz_ctx *z, char *detail, size_t dl)
{
	size_t n;
	const struct vfe_scenario_result *res = vfe_run_scenarios(z->r, &n);
	if (n < 2 || !z->prev.have || z->prev_outcome == VFE_CRASHED || res[n - 2].outcome != VFE_CRASHED)
		return false;
	snprintf(detail, dl, "%s", res[n - 2].detail);
	char *cut = strstr(detail, " after scenario ");
	if (cut)
		*cut = 0; /* the runner names the scenario; the iteration is ours to name */
	z->prev_outcome = VFE_CRASHED;
	return true;
}

/* Runs iteration `iter` on the current runner; returns its verdict. */
enum vfz_kind fz_run_iteration(struct fz_ctx *z, uint64_t iter, char *err, size_t errlen, bool *error)
{
	const struct vfz_options *o = z->o;
	*error = false;
	struct fz_plan p;
	fz_plan_make(&p, o->device, o->seed, iter);
	struct fz_iter it = { .plan = &p, .sel = z->sel };
	char *txtbuf = NULL, *capbuf = NULL;
	size_t txtlen = 0, caplen = 0;
	it.txt = open_memstream(&txtbuf, &txtlen);
	FILE *cap = open_memstream(&capbuf, &caplen);
	vfe_run_set_record(z->r, cap, "vhost-cts fuzz-backend");
	const struct vfe_scenario_result *res = fz_exec_iteration(z->r, &it, o->seed, iter);
	enum vfe_outcome out = res->outcome;
	char detail[512];
	snprintf(detail, sizeof detail, "%s", res->detail);
	vfe_run_set_record(z->r, NULL, NULL);
	fclose(cap);
	fclose(it.txt);
	note_pid(z, it.pid);
	z->st->iterations++;
	z->st->steps_sent += it.sent;
	z->st->reconnects += it.reconnects;
	z->st->by_outcome[out < VFE_OUTCOME_COUNT ? out : VFE_ERROR]++;
	if (out == VFE_ERROR) {
		snprintf(err, errlen, "iteration %" PRIu64 ": %s", iter, detail);
		*error = true;
	}
	/* whole-run outputs */
	if (z->rec && caplen) {
		const char *body = capbuf;
		size_t bl = caplen;
		if (z->rec_header_done) {
			const char *nl = memchr(capbuf, '\n', caplen);
			body = nl ? nl + 1 : capbuf + caplen;
			bl = caplen - (size_t)(body - capbuf);
		}
		fwrite(body, 1, bl, z->rec);
		z->rec_header_done = true;
	}
	if (z->rawf && it.rawlen)
		fwrite(it.raw, 1, it.rawlen, z->rawf);
	char ld[512];
	if (late_crash(z, ld, sizeof ld))
		save_finding(z, &z->prev, VFZ_CRASH, ld);
	fz_art_free(&z->prev);
	z->prev = (struct fz_art){ .have = true, .iter = iter, .cap = capbuf, .caplen = caplen, .raw = it.raw,
				   .rawlen = it.rawlen, .txt = txtbuf, .txtlen = txtlen, .sent = it.sent };
	snprintf(z->prev.note, sizeof z->prev.note, "%s", it.note);
	z->prev_outcome = out;
	enum vfz_kind k = fz_kind_of(out);
	if (o->log && o->verbose)
		fprintf(o->log, "iteration %" PRIu64 ": %s (%s; %u messages; %s)%s%s\n", iter, vfe_outcome_name(out), p.base,
			it.sent, p.muts, it.note[0] ? " " : "", it.note);
	if (k != VFZ_OK)
		save_finding(z, &z->prev, k, detail);
	z->last_kind = k;
	snprintf(z->last_detail, sizeof z->last_detail, "%s", detail);
	fz_plan_free(&p);
	return k;
}

/* A probe connection after the last iteration of a runner: a crash or
 * hang it shows is the last iteration's. */
enum vfz_kind fz_finish_run(struct fz_ctx *z)
{
	enum vfz_kind k = VFZ_OK;
	if (!z->r)
		return k;
	if (z->prev.have && z->o->spawn) {
		const struct vfe_scenario_result *res = fz_exec_liveness(z->r);
		enum vfe_outcome lo = res->outcome;
		char det[512];
		snprintf(det, sizeof det, "%s", res->detail);
		char ld[512];
		if (late_crash(z, ld, sizeof ld)) {
			save_finding(z, &z->prev, VFZ_CRASH, ld);
			k = VFZ_CRASH;
		} else if ((lo == VFE_CRASHED || lo == VFE_HUNG) && z->prev_outcome != VFE_CRASHED &&
			   z->prev_outcome != VFE_HUNG) {
			char d2[600];
			snprintf(d2, sizeof d2, "%s (on the next connection)", det);
			k = lo == VFE_CRASHED ? VFZ_CRASH : VFZ_HANG;
			save_finding(z, &z->prev, k, d2);
		}
	}
	fz_art_free(&z->prev);
	vfe_run_free(z->r);
	z->r = NULL;
	z->last_pid = 0;
	return k;
}

static int ctx_open(struct fz_ctx *z, const struct vfz_options *o, struct vfz_stats *st, uint8_t *sel, char *err,
		    size_t errlen)
{
	memset(z, 0, sizeof *z);
	z->o = o;
	z->st = st;
	if (o->steps) {
		if (fz_parse_steps(o->steps, sel)) {
			snprintf(err, errlen, "bad --steps '%s' (want e.g. 0,3,7-9 below %u)", o->steps, FZ_MAX_STEPS);
			return -1;
		}
		z->sel = sel;
		fz_format_steps(sel, FZ_MAX_STEPS, z->steps_txt, sizeof z->steps_txt);
	}
	if (o->out_dir) {
		if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", o->out_dir, strerror(errno));
			return -1;
		}
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/backend.log", o->out_dir);
		z->spawn_log = fopen(path, "a");
		snprintf(path, sizeof path, "%s/findings.tsv", o->out_dir);
		z->tsv = fopen(path, "a");
	}
	if (o->record) {
		if (!(z->recout = vc_out_open(o->record, err, errlen)))
			return -1;
		z->rec = vc_out_stream(z->recout);
	}
	if (o->raw) {
		if (!(z->rawout = vc_out_open(o->raw, err, errlen)))
			return -1;
		z->rawf = vc_out_stream(z->rawout);
	}
	return 0;
}

/* -1 with err when --record or --raw could not be written. */
static int ctx_close(struct fz_ctx *z, char *err, size_t errlen)
{
	fz_finish_run(z);
	int rc = 0;
	if (z->recout && vc_out_commit(z->recout, err, errlen) != 0)
		rc = -1;
	char e2[512];
	if (z->rawout && vc_out_commit(z->rawout, rc ? e2 : err, rc ? sizeof e2 : errlen) != 0)
		rc = -1;
	if (z->spawn_log)
		fclose(z->spawn_log);
	if (z->tsv)
		fclose(z->tsv);
	return rc;
}

int vfz_run(const struct vfz_options *o, struct vfz_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	uint8_t sel[FZ_MAX_STEPS];
	struct fz_ctx z;
	if (ctx_open(&z, o, st, sel, err, errlen)) {
		char ignored[512];
		vc_out_discard(z.recout); /* nothing ran: nothing to keep */
		z.recout = NULL;
		ctx_close(&z, ignored, sizeof ignored);
		return -1;
	}
	int64_t t0 = now_ns();
	int rc = 0;
	/* a whole-run capture needs one runner (session ids restart per runner) */
	unsigned batch = o->record ? UINT_MAX : FZ_BATCH;
	for (uint64_t i = o->first;; i++) {
		if (o->count && i - o->first >= o->count)
			break;
		if (!o->count && o->duration_s <= 0 && i > o->first)
			break;
		if (o->duration_s > 0 && (now_ns() - t0) / 1e9 >= o->duration_s)
			break;
		if (z.r && z.in_batch >= batch)
			fz_finish_run(&z);
		if (!z.r) {
			if (!(z.r = fz_new_run(&z, err, errlen))) {
				rc = -1;
				break;
			}
			z.in_batch = 0;
		}
		bool error;
		fz_run_iteration(&z, i, err, errlen, &error);
		z.in_batch++;
		if (error && st->iterations == st->by_outcome[VFE_ERROR]) {
			rc = -1; /* nothing ran at all: no back-end */
			break;
		}
		if (o->log && !o->verbose && st->iterations % 100 == 0) {
			fprintf(o->log, "... %" PRIu64 " iterations, %.0f s, crash %" PRIu64 " hang %" PRIu64 " leak %" PRIu64 "\n",
				st->iterations, (now_ns() - t0) / 1e9, st->findings[VFZ_CRASH], st->findings[VFZ_HANG],
				st->findings[VFZ_LEAK]);
			fflush(o->log);
		}
	}
	/* An earlier error keeps its message. */
	char e2[512];
	if (ctx_close(&z, rc ? e2 : err, rc ? sizeof e2 : errlen) != 0)
		rc = -1;
	st->seconds = (now_ns() - t0) / 1e9;
	return rc;
}

