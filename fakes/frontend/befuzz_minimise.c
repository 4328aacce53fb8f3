/* fuzz-backend: the minimiser of a saved finding. */
#include "fakes/frontend/befuzz_int.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- minimiser ---- */

static char *case_get(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			const char *v = l + kl + 1, *e = strchr(v, '\n');
			size_t n = e ? (size_t)(e - v) : strlen(v);
			char *out = xmalloc(n + 1);
			memcpy(out, v, n);
			out[n] = 0;
			return out;
		}
	}
	return NULL;
}

struct trial {
	struct vfz_options o;
	struct vfz_stats st;
	uint8_t sel[FZ_MAX_STEPS];
	int runs;
	char detail[512];
	struct fz_art art;
};

/* One fresh back-end, the iteration with the selected steps, a probe. */
static enum vfz_kind trial_run(struct trial *t, const uint8_t *sel, bool keep_art)
{
	struct fz_ctx z;
	memset(&z, 0, sizeof z);
	memset(&t->st, 0, sizeof t->st);
	z.o = &t->o;
	z.st = &t->st;
	z.sel = sel;
	char err[256];
	t->runs++;
	if (!(z.r = fz_new_run(&z, err, sizeof err)))
		return VFZ_OK;
	bool error;
	enum vfz_kind k = fz_run_iteration(&z, t->o.first, err, sizeof err, &error);
	snprintf(t->detail, sizeof t->detail, "%s", z.last_detail);
	if (keep_art) {
		fz_art_free(&t->art);
		t->art = z.prev;
		t->art.cap = t->art.cap ? memcpy(xmalloc(t->art.caplen + 1), t->art.cap, t->art.caplen) : NULL;
		t->art.raw = t->art.raw ? memcpy(xmalloc(t->art.rawlen + 1), t->art.raw, t->art.rawlen) : NULL;
		t->art.txt = t->art.txt ? memcpy(xmalloc(t->art.txtlen + 1), t->art.txt, t->art.txtlen) : NULL;
	}
	enum vfz_kind k2 = fz_finish_run(&z);
	if (k == VFZ_OK && k2 != VFZ_OK) {
		k = k2;
		snprintf(t->detail, sizeof t->detail, "on the next connection");
	}
	return k;
}

int vfz_minimise(const char *dir, const struct vfz_options *base, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/case.txt", dir);
	struct vc_out *fo;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char text[8192];
	size_t tl = fread(text, 1, sizeof text - 1, f);
	text[tl] = 0;
	fclose(f);
	char *kind = case_get(text, "kind"), *seed = case_get(text, "seed"), *iter = case_get(text, "iteration");
	char *dev = case_get(text, "device"), *spawn = case_get(text, "spawn"), *steps = case_get(text, "steps");
	char *sock = case_get(text, "socket"), *tmo = case_get(text, "timeout_ms");
	struct trial *t = xcalloc(1, sizeof *t);
	int rc = -1;
	char newsock[128] = "", *newspawn = NULL, tdir_keep[64] = "";
	bool made_dir = false;
	enum vfz_kind want = VFZ_OK;
	for (int k = 1; k < VFZ_KIND_COUNT; k++)
		if (kind && !strcmp(kind, vfz_kind_name((enum vfz_kind)k)))
			want = (enum vfz_kind)k;
	if (!kind || !seed || !iter || !dev || want == VFZ_OK || vfe_device_by_name(dev) < 0) {
		snprintf(err, errlen, "%s: not a fuzz-backend case (kind, seed, iteration, device)", path);
		goto out;
	}
	t->o = *base;
	t->o.seed = strtoull(seed, NULL, 10);
	t->o.first = strtoull(iter, NULL, 10);
	t->o.count = 1;
	t->o.device = (enum vfe_device)vfe_device_by_name(dev);
	if (!t->o.socket && sock)
		t->o.socket = sock;
	if (!t->o.spawn && spawn && *spawn)
		t->o.spawn = spawn;
	if (tmo && !base->timeout_ms)
		t->o.timeout_ms = atoi(tmo);
	if (t->o.timeout_ms <= 0)
		t->o.timeout_ms = 2000;
	t->o.out_dir = NULL;
	t->o.log = NULL;
	t->o.record = t->o.raw = NULL;
	if (!t->o.spawn) {
		snprintf(err, errlen, "minimising needs --spawn (a fresh back-end per trial)");
		goto out;
	}
	/* The campaign's socket folder may be gone: a private one, named
	 * in the spawn command wherever the old path was. */
	char tdir[] = "/tmp/vcts-fzmin.XXXXXX";
	if (!base->socket && t->o.socket && mkdtemp(tdir)) {
		snprintf(newsock, sizeof newsock, "%s/be.sock", tdir);
		size_t ol = strlen(t->o.socket), cap = strlen(t->o.spawn) * 2 + sizeof newsock + 1;
		newspawn = xmalloc(cap);
		size_t w = 0;
		for (const char *q = t->o.spawn; *q && w + sizeof newsock < cap;) {
			if (!strncmp(q, t->o.socket, ol)) {
				w += (size_t)snprintf(newspawn + w, cap - w, "%s", newsock);
				q += ol;
			} else {
				newspawn[w++] = *q++;
			}
		}
		newspawn[w] = 0;
		t->o.socket = newsock;
		t->o.spawn = newspawn;
		made_dir = true;
		snprintf(tdir_keep, sizeof tdir_keep, "%s", tdir);
	}
	struct fz_plan p;
	fz_plan_make(&p, t->o.device, t->o.seed, t->o.first);
	uint8_t cur[FZ_MAX_STEPS];
	if (steps && *steps) {
		if (fz_parse_steps(steps, cur)) {
			snprintf(err, errlen, "%s: bad steps '%s'", path, steps);
			fz_plan_free(&p);
			goto out;
		}
	} else {
		memset(cur, 0, sizeof cur);
		memset(cur, 1, p.n);
	}
	FILE *lg = base->log;
	unsigned idx[FZ_MAX_STEPS], n = 0;
	for (unsigned k = 0; k < p.n; k++)
		if (cur[k])
			idx[n++] = k;
	if (lg)
		fprintf(lg, "minimise %s: %s, seed %s iteration %s, %u steps\n", dir, kind, seed, iter, n);
	/* does it reproduce alone at all? two tries */
	enum vfz_kind got = trial_run(t, cur, false);
	if (got != want)
		got = trial_run(t, cur, false);
	if (got != want) {
		snprintf(path, sizeof path, "%s/minimal.txt", dir);
		if ((f = fz_art_open(path, &fo))) {
			fprintf(f, "# does not reproduce alone on a fresh back-end (2 tries: %s): the %s needs the state\n"
				   "# of earlier iterations or is intermittent\n", vfz_kind_name(got), kind);
			fz_art_close(fo);
		}
		if (lg)
			fprintf(lg, "  does not reproduce alone (2 tries, got %s)\n", vfz_kind_name(got));
		fz_plan_free(&p);
		rc = 1;
		goto out;
	}
	/* ddmin over the selected steps */
	unsigned gran = 2;
	const int max_trials = 400;
	while (n >= 2 && t->runs < max_trials) {
		unsigned chunk = (n + gran - 1) / gran;
		bool reduced = false;
		for (unsigned start = 0; start < n && t->runs < max_trials; start += chunk) {
			uint8_t cand[FZ_MAX_STEPS];
			memset(cand, 0, sizeof cand);
			unsigned m = 0, cidx[FZ_MAX_STEPS];
			for (unsigned j = 0; j < n; j++)
				if (j < start || j >= start + chunk) {
					cand[idx[j]] = 1;
					cidx[m++] = idx[j];
				}
			if (!m)
				continue;
			if (trial_run(t, cand, false) == want) {
				memcpy(idx, cidx, m * sizeof idx[0]);
				n = m;
				reduced = true;
				if (lg) {
					fprintf(lg, "  %u steps (trial %d)\n", n, t->runs);
					fflush(lg);
				}
				break;
			}
		}
		if (reduced) {
			gran = gran > 2 ? gran - 1 : 2;
			continue;
		}
		if (gran >= n)
			break;
		gran = gran * 2 > n ? n : gran * 2;
	}
	memset(cur, 0, sizeof cur);
	for (unsigned j = 0; j < n; j++)
		cur[idx[j]] = 1;
	/* the final run, kept */
	got = trial_run(t, cur, true);
	char st[1024];
	fz_format_steps(cur, FZ_MAX_STEPS, st, sizeof st);
	snprintf(path, sizeof path, "%s/minimal.txt", dir);
	if ((f = fz_art_open(path, &fo))) {
		fprintf(f, "# minimal: %u of %u steps still give '%s' (%d trials; last: %s: %s)\n# steps %s\n", n, p.n,
			kind, t->runs, vfz_kind_name(got), t->detail, st);
		fz_print_plan(&p, cur, f);
		fz_art_close(fo);
	}
	if (t->art.cap) {
		snprintf(path, sizeof path, "%s/minimal.jsonl", dir);
		fz_write_all(path, t->art.cap, t->art.caplen);
		snprintf(path, sizeof path, "%s/minimal.raw.bin", dir);
		fz_write_all(path, t->art.raw, t->art.rawlen);
		snprintf(path, sizeof path, "%s/minimal.raw.txt", dir);
		fz_write_all(path, t->art.txt, t->art.txtlen);
	}
	snprintf(path, sizeof path, "%s/minimal.sh", dir);
	char what[700];
	snprintf(what, sizeof what, "%s minimised to %u steps (seed %s, iteration %s)", kind, n, seed, iter);
	fz_write_repro(path, &t->o, t->o.first, st, what);
	if (lg) {
		fprintf(lg, "  minimal: %u of %u steps (--steps %s), %d trials, final run: %s\n", n, p.n, st, t->runs,
			vfz_kind_name(got));
		fprintf(lg, "  reproduce: sh %s/minimal.sh\n", dir);
	}
	fz_plan_free(&p);
	rc = 0;
out:
	if (made_dir) {
		unlink(newsock);
		rmdir(tdir_keep);
	}
	free(newspawn);
	fz_art_free(&t->art);
	free(t);
	free(kind), free(seed), free(iter), free(dev), free(spawn), free(steps), free(sock), free(tmo);
	return rc;
}

