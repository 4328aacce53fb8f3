/* Live judging of a fake vDPA device: every open of the device is an
 * engine session; the model's events are fed as they happen. */
#ifndef VCTS_FAKE_VDPA_LIVE_H
#define VCTS_FAKE_VDPA_LIVE_H

#include <stdio.h>

#include "vcts/engine.h"
#include "fakes/vdpa/vdpa.h"

struct vdpa_live;

/* name: what sessions are called ("/dev/vhost-vdpa-fake0"); findings is
 * where each finding is printed as it happens (NULL: nowhere). */
struct vdpa_live *vdpa_live_new(const char *name, const struct vc_engine_opts *opts, FILE *findings);
/* Observe d (sets d's observer). */
void vdpa_live_attach(struct vdpa_live *l, struct vdpa_dev *d);
/* Feed one event of another source (a vdpa_observer; live is the struct
 * vdpa_live): sessions begin at VC_EV_VDPA_OPEN, as the model's do. */
void vdpa_live_feed(const struct vc_event *ev, void *live);
/* Also record every event in the native capture format to f (owned by the
 * caller, written until vdpa_live_finish). 0, or -1 if f cannot be used. */
int vdpa_live_capture(struct vdpa_live *l, FILE *f);
/* End every session and return the results (owned by l). */
const struct vc_results *vdpa_live_finish(struct vdpa_live *l);
void vdpa_live_free(struct vdpa_live *l);

#endif
