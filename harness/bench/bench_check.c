/* Checking throughput: a large generated trace is judged by the real
 * `vhost-cts check`, beside the time `grep -c` needs to scan the same
 * file (its count is checked: it did read every line), both measured in
 * this run (best of 3). The ratio is the figure;
 * the target is a full check costing at most 10x the scan. Two inputs:
 * the native capture format and an strace log of the same messages. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "vcts/synth.h"
#include "vcts/trace.h"
#include "vcts/wire.h"

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time of a command, best of 3, its stdout to out (a regular file)
 * and stderr to /dev/null. Not stdout to /dev/null: GNU grep then stops
 * at the first match (it behaves as with -q), so a "scan" would read
 * 9 of the file's ~440 blocks. */
static double best_of_3(char *const argv[], const char *out)
{
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		pid_t pid;
		double t0 = now();
		if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
			perror(argv[0]);
			exit(2);
		}
		int st;
		waitpid(pid, &st, 0);
		double dt = now() - t0;
		posix_spawn_file_actions_destroy(&fa);
		if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
			fprintf(stderr, "bench: %s failed (status %d)\n", argv[0], st);
			exit(2);
		}
		if (dt < best)
			best = dt;
	}
	return best;
}

/* The count grep printed: it must be every line of the file, or grep did
 * not scan it all and the baseline means nothing. */
static long long read_count(const char *path)
{
	FILE *f = fopen(path, "r");
	long long n = -1;
	if (!f || fscanf(f, "%lld", &n) != 1)
		n = -1;
	if (f)
		fclose(f);
	return n;
}

/* strace's -xx rendering of bytes. */
static void hex(FILE *f, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\\x%c%c", d[p[i] >> 4], d[p[i] & 15]);
}

/* The messages as a back-end's strace would show them: recvmsg of each
 * request, sendmsg of each reply. */
static void write_strace(const struct vc_trace *t, const char *path)
{
	FILE *f = fopen(path, "w");
	for (size_t i = 0; i < t->nevents; i++) {
		const struct vc_event *ev = &t->events[i];
		if (ev->kind != VC_EV_VU_MSG)
			continue;
		const struct vc_vu_msg *m = &ev->u.vu;
		uint8_t hdr[VU_HDR_SIZE];
		vu_wr32(hdr, m->request);
		vu_wr32(hdr + 4, m->flags);
		vu_wr32(hdr + 8, m->size);
		int64_t us = ev->time_ns / 1000;
		bool in = ev->dir == VC_DIR_FE_TO_BE;
		fprintf(f, "4242  %02lld:%02lld:%02lld.%06lld %s(7<UNIX-STREAM:[1000->1001]>, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"",
			(long long)(us / 3600000000 % 24), (long long)(us / 60000000 % 60),
			(long long)(us / 1000000 % 60), (long long)(us % 1000000), in ? "recvmsg" : "sendmsg");
		hex(f, hdr, sizeof hdr);
		hex(f, m->payload, m->payload_len);
		size_t total = sizeof hdr + m->payload_len;
		fprintf(f, "\", iov_len=%zu}], msg_iovlen=1", total);
		if (ev->nfds) {
			fprintf(f, ", msg_control=[{cmsg_len=%u, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[",
				16 + 4 * ev->nfds);
			for (uint32_t k = 0; k < ev->nfds; k++)
				fprintf(f, "%s%u<%s>", k ? ", " : "", 20 + k, ev->fds[k].name);
			fprintf(f, "]}], msg_controllen=%u", 16 + 4 * ev->nfds);
		} else {
			fprintf(f, ", msg_controllen=0");
		}
		fprintf(f, ", msg_flags=0}, %s) = %zu\n", in ? "MSG_CMSG_CLOEXEC" : "MSG_NOSIGNAL", total);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "build/rel/vhost-cts";
	unsigned cycles = argc > 2 ? (unsigned)atoi(argv[2]) : 6000;
	struct vc_trace t;
	vc_trace_init(&t, "bench", VC_FMT_NATIVE);
	struct vc_synth s;
	struct vs_profile p;
	vs_default_profile(&p);
	p.status = true;
	vs_begin(&s, &t, "bench", VC_SIDE_BACKEND);
	vs_init(&s, &p);
	for (unsigned i = 0; i < cycles; i++) {
		vs_start(&s, &p);
		vs_stop(&s, &p);
	}
	vs_eof(&s, VC_DIR_FE_TO_BE, 0);
	size_t msgs = t.nevents - 1;

	char native[] = "/tmp/vcts-bench-XXXXXX.jsonl", strace[] = "/tmp/vcts-bench-XXXXXX.strace";
	close(mkstemps(native, 6));
	close(mkstemps(strace, 7));
	struct vc_error err;
	if (vc_native_write_file(&t, native, &err) != 0) {
		fprintf(stderr, "bench: cannot write %s\n", native);
		return 2;
	}
	write_strace(&t, strace);
	vc_trace_free(&t);

	printf("check throughput (%zu messages, %u start/stop cycles; best of 3)\n", msgs, cycles);
	printf("  %-8s %10s %12s %12s %14s %8s\n", "input", "MiB", "grep -c s", "check s", "check msg/s", "ratio");
	int rc = 0;
	const char *files[2] = { native, strace }, *names[2] = { "native", "strace" };
	const char *pattern[2] = { "vu-msg", "msg(" };
	/* both patterns match exactly the message lines */
	const size_t lines[2] = { msgs, msgs };
	char out[] = "/tmp/vcts-bench-XXXXXX.out";
	close(mkstemps(out, 4));
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		fseek(f, 0, SEEK_END);
		double mib = (double)ftell(f) / (1 << 20);
		fclose(f);
		char *grep[] = { "grep", "-c", (char *)pattern[i], (char *)files[i], NULL };
		char *check[] = { (char *)bin, "check", "-q", "--max-input", "4G", (char *)files[i], NULL };
		double g = best_of_3(grep, out);
		long long counted = read_count(out);
		if (counted != (long long)lines[i]) {
			fprintf(stderr, "bench: grep -c counted %lld lines of %s, not %zu: no baseline\n",
				counted, files[i], lines[i]);
			return 2;
		}
		double c = best_of_3(check, out);
		double ratio = c / g;
		printf("  %-8s %10.1f %12.3f %12.3f %14.0f %7.1fx%s\n", names[i], mib, g, c, (double)msgs / c,
		       ratio, ratio <= 10 ? "" : "  (over the 10x target)");
	}
	if (getenv("VCTS_BENCH_KEEP")) /* for profiling the same inputs */
		printf("  kept %s %s\n", native, strace);
	else {
		unlink(native);
		unlink(strace);
	}
	unlink(out);
	return rc;
}
