/* vhost-cts fuzz-device: mutated but mostly valid vhost-vdpa call sequences
 * against a real device node, to find kernel bugs (oops, WARN, BUG, hung
 * tasks) and leaked pinned pages. Each iteration is a byte string for the
 * vDPA harness's sequence decoder (fakes/vdpa/seq.c): it opens the device,
 * runs the calls, closes it. An iteration that leaves pinned pages behind
 * (VmPin in /proc/self/status after the close) or after which the kernel
 * logged a problem (/dev/kmsg) is saved as a reproducer:
 *   vhost-cts fuzz-device --device PATH --replay FILE */
#include "harness/cli.h"
#include "fakes/vdpa/port.h"
#include "fakes/vdpa/seq.h"
#include "vcts/vdpa_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

#define MEM_LEN (64u * 4096u)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vhost-cts fuzz-device --device PATH [--seed N] [--seconds N | --iterations N]\n"
		"                             [--steps N] [--out DIR] [-v]\n"
		"       vhost-cts fuzz-device --device PATH --replay FILE [-v]\n"
		"Mutated, mostly valid vhost-vdpa ioctl and IOTLB-write sequences against a\n"
		"real device (root). After every iteration (open, N calls, close) the pinned\n"
		"pages must be gone (VmPin) and the kernel must have logged no oops, BUG,\n"
		"WARNING or hung task (/dev/kmsg); such an iteration is saved as\n"
		"DIR/repro-SEED-ITER.bin (default DIR /tmp), replayed with --replay.\n"
		"  --steps N      calls per iteration (default 64)\n"
		"  -v             print every call\n"
		"exit status: 0 nothing found, 1 findings, 2 usage error or no device\n");
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* One record and its argument, mostly what a client would send. */
static size_t gen_step(uint64_t *st, uint8_t *out)
{
	uint8_t r[VDPA_SEQ_REC] = { 0 };
	uint8_t arg[VDPA_MSG_V2_SIZE] = { 0 };
	uint64_t x = rng(st);
	unsigned w = (unsigned)(x % 100);
	uint16_t len = 0;
	uint32_t req = 0, val = 0;
	if (w < 55) { /* an ioctl of the table, a real argument mostly */
		r[0] = 0;
		r[1] = (uint8_t)((rng(st) % 100) * 2 + ((rng(st) % 16) == 0)); /* odd: NULL argument */
		uint32_t idx = (uint32_t)(rng(st) % 8 == 0 ? rng(st) : rng(st) % 4);
		memcpy(arg, &idx, 4);
		uint64_t v = rng(st);
		switch (v % 4) {
		case 0: val = (uint32_t)(v >> 8) % 16; break;
		case 1: val = 1u << ((v >> 8) % 16); break;
		case 2: val = (uint32_t)(v >> 8) & 0xff; break;
		default: val = (uint32_t)(v >> 8); break;
		}
		/* the rest of the argument (features, addresses): small or random */
		uint64_t a = rng(st) % 3 ? 0x100000ull + (rng(st) % 32) * 0x1000 : rng(st);
		memcpy(arg + 8, &a, 8);
		a = rng(st) % 3 ? 0x100000ull + (rng(st) % 32) * 0x1000 : rng(st);
		memcpy(arg + 16, &a, 8);
	} else if (w < 92) { /* an IOTLB message */
		r[0] = 1;
		len = rng(st) % 16 ? VDPA_MSG_V2_SIZE : (uint16_t)(rng(st) % 200);
		uint32_t t = rng(st) % 10 ? VDPA_MSG_TYPE_IOTLB_V2 : (uint32_t)(rng(st) % 4);
		memcpy(arg, &t, 4);
		uint32_t asid = rng(st) % 10 ? 0 : (uint32_t)(rng(st) % 3);
		/* arg[4..8) is overwritten by val in the decoder: val is the asid */
		val = asid;
		uint8_t *b = arg + VDPA_MSG_V2_IOTLB_OFF;
		static const uint8_t types[] = { VDPA_IOTLB_UPDATE, VDPA_IOTLB_UPDATE, VDPA_IOTLB_UPDATE,
						 VDPA_IOTLB_INVALIDATE, VDPA_IOTLB_INVALIDATE,
						 VDPA_IOTLB_BATCH_BEGIN, VDPA_IOTLB_BATCH_END };
		b[VDPA_IOTLB_TYPE_OFF] = rng(st) % 20 ? types[rng(st) % sizeof types] : (uint8_t)rng(st);
		uint64_t iova = rng(st) % 10 ? 0x100000ull + (rng(st) % 64) * 0x1000 : rng(st);
		uint64_t size = rng(st) % 10 ? (1 + rng(st) % 16) * 0x1000 : rng(st) % 3 ? 0 : rng(st);
		uint64_t ua = (rng(st) % 64) * 0x1000;
		memcpy(b + VDPA_IOTLB_IOVA_OFF, &iova, 8);
		memcpy(b + VDPA_IOTLB_SIZE_OFF, &size, 8);
		memcpy(b + VDPA_IOTLB_UADDR_OFF, &ua, 8);
		b[VDPA_IOTLB_PERM_OFF] = rng(st) % 10 ? (uint8_t)(1 + rng(st) % 3) : (uint8_t)rng(st);
	} else if (w < 99) { /* a doorbell mmap */
		r[0] = 2;
		r[1] = (uint8_t)(rng(st) % 4);
		len = rng(st) % 4 ? 256 : (uint16_t)rng(st); /* 256 << 4: one page */
		req = (uint32_t)(rng(st) % 5 ? rng(st) % 4 : rng(st));
		val = (uint32_t)(rng(st) % 3);
	} else { /* close and reopen */
		r[0] = 3;
		r[1] = 0xff;
	}
	memcpy(r + 2, &len, 2);
	memcpy(r + 4, &req, 4);
	memcpy(r + 8, &val, 4);
	memcpy(out, r, sizeof r);
	memcpy(out + sizeof r, arg, sizeof arg);
	return sizeof r + sizeof arg;
}

/* The decoder's selector byte for a request of its table (even: a real
 * argument). */
static uint8_t sel_for(uint32_t req)
{
	static const uint32_t known[] = {
#define X(n, dd, nr, sz) VDPA_REQ_##n,
		VDPA_IOCTLS(X)
#undef X
	};
	for (unsigned v = 0; v < 200; v += 2)
		if (known[v % (sizeof known / sizeof known[0])] == req)
			return (uint8_t)v;
	return 0;
}

/* A prologue a client always sends (owner, IOTLB v2 and batching), then
 * steps records, each behind a marker that gives it its own 72 bytes. */
static size_t gen(uint64_t *st, uint8_t *buf, unsigned steps)
{
	size_t n = 0;
	static const struct {
		uint32_t req;
		uint32_t lo;
	} pro[] = { { VDPA_REQ_SET_OWNER, 0 },
		    { VDPA_REQ_SET_BACKEND_FEATURES,
		      (1u << VDPA_BF_IOTLB_MSG_V2) | (1u << VDPA_BF_IOTLB_BATCH) } };
	for (unsigned i = 0; i < 2; i++) {
		uint8_t rec[2 * VDPA_SEQ_REC] = { 3, 0xfe, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sel_for(pro[i].req) };
		memcpy(buf + n, rec, sizeof rec);
		memcpy(buf + n + sizeof rec, &pro[i].lo, 4);
		n += sizeof rec + 4;
	}
	for (unsigned i = 0; i < steps; i++) {
		uint8_t mark[VDPA_SEQ_REC] = { 3, 0xfe };
		uint16_t l = VDPA_MSG_V2_SIZE;
		memcpy(mark + 2, &l, 2);
		memcpy(buf + n, mark, sizeof mark);
		n += sizeof mark;
		n += gen_step(st, buf + n);
	}
	return n;
}

static long vmpin_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long kb = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* New kernel log lines that report a problem; 1 when one was seen. */
static int kmsg_bad(int kfd, const regex_t *re, FILE *out)
{
	if (kfd < 0)
		return 0;
	char rec[2048];
	int bad = 0;
	for (;;) {
		ssize_t n = read(kfd, rec, sizeof rec - 1);
		if (n < 0) {
			if (errno == EPIPE) /* overwritten records: go on */
				continue;
			break;
		}
		rec[n] = '\0';
		const char *msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (regexec(re, msg, 0, NULL, 0) == 0) {
			bad = 1;
			fprintf(out, "fuzz-device: kernel: %s", msg);
		}
	}
	return bad;
}

static int save(const char *dir, uint64_t seed, uint64_t it, const uint8_t *buf, size_t n, char *path, size_t plen)
{
	snprintf(path, plen, "%s/repro-%llu-%llu.bin", dir, (unsigned long long)seed, (unsigned long long)it);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(buf, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

int cmd_fuzz_device(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "device", required_argument, 0, 'd' }, { "seed", required_argument, 0, 's' },
		{ "seconds", required_argument, 0, 't' }, { "iterations", required_argument, 0, 'i' },
		{ "steps", required_argument, 0, 'n' }, { "out", required_argument, 0, 'o' },
		{ "replay", required_argument, 0, 'r' }, { "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *device = NULL, *out = "/tmp", *replay = NULL;
	uint64_t seed = 1, seconds = 0, iterations = 0, steps = 64;
	bool verbose = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		int64_t n;
		switch (opt) {
		case 'd': device = optarg; break;
		case 'o': out = optarg; break;
		case 'r': replay = optarg; break;
		case 'v': verbose = true; break;
		case 's':
		case 't':
		case 'i':
		case 'n':
			n = cli_parse_size(optarg);
			if (n < (opt == 's' ? 0 : 1) || (opt == 'n' && n > 4096))
				return cli_usage_error("--%s: bad number '%s'",
						       opt == 's' ? "seed" : opt == 't' ? "seconds" : opt == 'i' ? "iterations" : "steps",
						       optarg);
			*(opt == 's' ? &seed : opt == 't' ? &seconds : opt == 'i' ? &iterations : &steps) = (uint64_t)n;
			break;
		case 'h': usage(stdout); return EXIT_CLEAN;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("fuzz-device: unexpected argument '%s'", argv[optind]);
	if (!device)
		return cli_usage_error("fuzz-device: --device PATH is required");
	if (!seconds && !iterations)
		iterations = 100;
	uint8_t *rbuf = NULL;
	size_t rlen = 0;
	if (replay) {
		FILE *f = fopen(replay, "rb");
		if (!f)
			return cli_usage_error("--replay: %s: %s", replay, strerror(errno));
		rbuf = xmalloc(1u << 20);
		rlen = fread(rbuf, 1, 1u << 20, f);
		fclose(f);
		iterations = 1;
		seconds = 0;
	}
	/* The client's memory: shared and file-backed, so virtual-address
	 * parents map it too. */
	int mfd = memfd_create("vcts-fuzz-device", MFD_CLOEXEC);
	uint8_t *mem = MAP_FAILED;
	if (mfd >= 0 && ftruncate(mfd, MEM_LEN) == 0)
		mem = mmap(NULL, MEM_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (mfd >= 0)
		close(mfd);
	if (mem == MAP_FAILED) {
		free(rbuf);
		fprintf(stderr, "vhost-cts: fuzz-device: cannot map memory: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	regex_t re;
	regcomp(&re, "Oops|BUG:|WARNING:|blocked for more than|general protection|Call Trace|refcount_t|list_(add|del) corruption",
		REG_EXTENDED | REG_NOSUB);
	int kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kfd >= 0)
		lseek(kfd, 0, SEEK_END);
	else
		fprintf(stderr, "fuzz-device: /dev/kmsg: %s: kernel reports are not watched\n", strerror(errno));
	struct vdpa_port port;
	vdpa_port_sys(&port, device);
	uint8_t *buf = xmalloc((size_t)(steps + 2) * (2 * VDPA_SEQ_REC + VDPA_MSG_V2_SIZE));
	uint64_t st = seed * 0x9e3779b97f4a7c15ull + 1, it = 0, calls = 0, failed = 0, findings = 0;
	time_t t0 = time(NULL);
	int rc = EXIT_CLEAN;
	long pin0 = vmpin_kb();
	for (;; it++) {
		if (iterations && it >= iterations)
			break;
		if (seconds && (uint64_t)(time(NULL) - t0) >= seconds)
			break;
		const uint8_t *data = rbuf;
		size_t n = rlen;
		if (!replay) {
			n = gen(&st, buf, (unsigned)steps);
			data = buf;
		}
		struct vdpa_seq s;
		int r = vdpa_seq_init(&s, &port);
		if (r < 0) {
			fprintf(stderr, "vhost-cts: fuzz-device: %s: %s\n", device, strerror(-r));
			vdpa_seq_end(&s);
			rc = EXIT_USAGE;
			break;
		}
		s.mem = mem;
		s.mem_len = MEM_LEN;
		s.log = verbose ? stdout : NULL;
		vdpa_seq_run(&s, data, n);
		calls += s.calls;
		failed += s.failed;
		vdpa_seq_end(&s);
		long pin = vmpin_kb();
		int bad_kernel = kmsg_bad(kfd, &re, stdout);
		if ((pin >= 0 && pin != pin0) || bad_kernel) {
			char path[512];
			findings++;
			if (!replay && save(out, seed, it, data, n, path, sizeof path) == 0)
				printf("fuzz-device: iteration %llu: %s%s; reproduce: vhost-cts fuzz-device --device %s --replay %s\n",
				       (unsigned long long)it, bad_kernel ? "the kernel reported a problem" : "",
				       pin != pin0 ? " pinned pages left after close" : "", device, path);
			else
				printf("fuzz-device: iteration %llu: %s%s (VmPin %ld kB, was %ld)\n", (unsigned long long)it,
				       bad_kernel ? "the kernel reported a problem" : "",
				       pin != pin0 ? " pinned pages left after close" : "", pin, pin0);
			pin0 = pin;
		}
	}
	printf("fuzz-device %s: seed %llu, %llu iterations, %llu calls (%llu failed), %lld s, %llu findings\n",
	       device, (unsigned long long)seed, (unsigned long long)it, (unsigned long long)calls,
	       (unsigned long long)failed, (long long)(time(NULL) - t0), (unsigned long long)findings);
	if (findings && rc == EXIT_CLEAN)
		rc = EXIT_FINDINGS;
	if (kfd >= 0)
		close(kfd);
	regfree(&re);
	munmap(mem, MEM_LEN);
	free(buf);
	free(rbuf);
	return rc;
}
