/* vhost-cts decode: a recording as a readable table of messages. */
#include "harness/cli.h"
#include "lib/xalloc.h"
#include "vcts/vring.h"
#include "vcts/wire.h"
#include "vcts/wire_decode.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fmt_time(int64_t ns, char *buf, size_t len)
{
	if (ns < 0) {
		snprintf(buf, len, "-");
		return;
	}
	int64_t s = ns / 1000000000;
	int64_t us = (ns % 1000000000) / 1000;
	snprintf(buf, len, "%02lld:%02lld:%02lld.%06lld", (long long)(s / 3600 % 24),
		 (long long)(s / 60 % 60), (long long)(s % 60), (long long)us);
}

/* Sessions that acked VIRTIO_F_RING_PACKED so far: their SET_VRING_BASE
 * and GET_VRING_BASE replies carry two indexes and two wrap counters. */
static bool *packed;
static size_t npacked;

static bool note_packed(const struct vc_event *ev)
{
	const struct vc_vu_msg *m = &ev->u.vu;
	uint64_t u;
	if (ev->session >= npacked || m->chan != VU_CHAN_MAIN)
		return false;
	bool reply = (m->flags & VU_FLAG_REPLY) != 0;
	if (!reply && m->request == VU_SET_FEATURES && m->has_payload &&
	    vu_dec_u64(m->payload, m->payload_len, &u))
		packed[ev->session] = (u & VU_BIT(VU_F_RING_PACKED)) != 0;
	return packed[ev->session] && m->has_payload &&
	       ((!reply && m->request == VU_SET_VRING_BASE) || (reply && m->request == VU_GET_VRING_BASE));
}

static void print_event(FILE *out, const struct vc_trace *t, const struct vc_event *ev)
{
	char tm[32], name[32], summary[512], fds[256] = "";
	fmt_time(ev->time_ns, tm, sizeof tm);
	if (ev->kind != VC_EV_VU_MSG) {
		fprintf(out, "%-6llu %-15s s%-2u %-6s %s\n", (unsigned long long)ev->index, tm,
			ev->session, vc_dir_name(ev->dir), vc_event_kind_name(ev->kind));
		return;
	}
	const struct vc_vu_msg *m = &ev->u.vu;
	bool reply = (m->flags & VU_FLAG_REPLY) != 0;
	const char *rn = vu_request_name(m->chan, m->request, name, sizeof name);
	if (m->has_payload)
		vu_payload_summary(m->chan, m->request, reply, m->payload, m->payload_len, summary,
				   sizeof summary);
	else
		snprintf(summary, sizeof summary, "(no payload recorded)");
	struct vu_state_pl sp;
	if (note_packed(ev) && vu_dec_state(m->payload, m->payload_len, &sp)) {
		char pk[64];
		size_t l = strlen(summary);
		snprintf(summary + l, sizeof summary - l, " = 0x%08x: %s", sp.num,
			 vu_packed_base_str(sp.num, pk, sizeof pk));
	}
	if (ev->has_fds && ev->nfds) {
		size_t off = 0;
		for (uint32_t i = 0; i < ev->nfds && i < VC_EVENT_MAX_FDS; i++) {
			int w = snprintf(fds + off, sizeof fds - off, "%s%s", i ? "," : "",
					 vc_fd_kind_name(ev->fds[i].kind));
			if (w < 0 || (size_t)w >= sizeof fds - off)
				break;
			off += (size_t)w;
		}
	}
	char size[16];
	if (m->has_size)
		snprintf(size, sizeof size, "%u", m->size);
	else
		snprintf(size, sizeof size, "-");
	fprintf(out, "%-6llu %-15s s%-2u %-6s %-4s %-24s %-5s 0x%-3x %-5s %-14s %s\n",
		(unsigned long long)ev->index, tm, ev->session, vc_dir_name(ev->dir),
		m->chan == VU_CHAN_MAIN ? "main" : "be", rn, reply ? "reply" : "req", m->flags, size,
		fds[0] ? fds : "-", summary);
	(void)t;
}

int cmd_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, 0, 'f' }, { "session", required_argument, 0, 's' },
		{ "max-input", required_argument, 0, 'm' }, { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int fmt = VC_FMT_AUTO, c;
	long only = -1;
	int64_t max_input = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = vc_format_by_name(optarg);
			if (fmt < 0)
				return cli_usage_error("decode: unknown --format '%s'", optarg);
			break;
		case 's': {
			int64_t v = -1;
			if (*optarg && !optarg[strspn(optarg, "0123456789")])
				v = cli_parse_size(optarg);
			if (v < 0 || v > UINT32_MAX)
				return cli_usage_error("decode: --session wants a session number (0, 1, ...), got '%s'",
						       optarg);
			only = (long)v;
			break;
		}
		case 'm':
			max_input = cli_parse_size(optarg);
			if (max_input <= 0)
				return cli_usage_error("decode: bad --max-input '%s'", optarg);
			break;
		case 'h':
			printf("usage: vhost-cts decode [--format F] [--session N] FILE...\n");
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("decode: no input files");
	for (int i = optind; i < argc; i++) {
		struct vc_trace t;
		if (cli_load(&t, argv[i], (enum vc_format)fmt, (uint64_t)max_input)) {
			vc_trace_free(&t);
			return EXIT_USAGE;
		}
		npacked = t.nsessions;
		packed = xcalloc(npacked ? npacked : 1, sizeof *packed);
		printf("# %s (%s): %zu sessions, %zu events\n", argv[i], vc_format_name(t.format),
		       t.nsessions, t.nevents);
		for (size_t s = 0; s < t.nsessions; s++)
			printf("# s%zu: %s, traced %s, %llu messages\n", s, t.sessions[s].name,
			       vc_side_name(t.sessions[s].traced_side),
			       (unsigned long long)t.sessions[s].messages);
		printf("%-6s %-15s %-3s %-6s %-4s %-24s %-5s %-5s %-5s %-14s %s\n", "#", "time", "ses",
		       "dir", "chan", "request", "kind", "flags", "size", "fds", "payload");
		for (size_t k = 0; k < t.nevents; k++)
			if (only < 0 || t.events[k].session == (uint32_t)only)
				print_event(stdout, &t, &t.events[k]);
		vc_trace_free(&t);
		free(packed);
		packed = NULL;
		npacked = 0;
	}
	return EXIT_CLEAN;
}
