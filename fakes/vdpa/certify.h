/* The certification sequence (VDPA-DEV-01..07, VDPA-STS-05, VDPA-FEAT-05)
 * against any vhost-vdpa device reached through a vdpa_port. Verdicts are
 * recorded in a rule engine session, so the usual report writers print
 * them. Implemented in fakes/vdpa/certify.c and certify_steps.c. */
#ifndef VCTS_FAKE_VDPA_CERTIFY_H
#define VCTS_FAKE_VDPA_CERTIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "vcts/engine.h"
#include "fakes/vdpa/port.h"

/* The rules the sequence decides (an engine's rules_glob). */
#define VDPA_CERTIFY_RULES "VDPA-DEV-*,VDPA-STS-05,VDPA-FEAT-05"

struct vdpa_certify_opts {
	unsigned cycles;   /* VDPA-DEV-07 start/stop cycles; 0 = 100 */
	FILE *log;         /* a line per step when set */
	FILE *notes;       /* what the verdict cannot say (e.g. no doorbells), when set */
	/* When set, a line per call: "N what -> ok|ERRNO", the same for two
	 * devices that answer alike (the differential test compares them). */
	FILE *steps;
	/* A plain vhost device (the kernel's /dev/vhost-net, QEMU's kernel_ops
	 * back-end): only the generic vhost ioctls, VDPA-DEV-01 (features)
	 * and VDPA-DEV-03 (vring errors). */
	bool generic;
	/* Private anonymous memory instead of a shared memfd: what certify
	 * mapped before it met VDUSE, kept to show why it must not (a
	 * virtual-address parent maps none of it). */
	bool anon_memory;
	/* Also VDPA-DEV-08/09: frames through a loopback net device, sectors
	 * written and read back on a block device. */
	bool datapath;
};

/* Run the sequence. Returns 0 when it ran (findings are in the engine),
 * -1 when the device cannot be opened at all (err says why). */
int vdpa_certify(struct vdpa_port *p, struct vc_engine *e, uint32_t sid,
		 const struct vdpa_certify_opts *o, char *err, size_t errlen);

#endif
