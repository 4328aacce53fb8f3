/* VU-BE: what a front-end driver finds out about a back-end beyond its
 * messages: crash, hang, fd leak, malformed requests acked as done,
 * refused valid sequences, rings not processed. VU-BE-04 is judged from
 * the event stream by the "backend" family; the others are observations of
 * a live driver, reported through vc_engine_live_verdict(). */
#ifndef VCTS_VU_BE_H
#define VCTS_VU_BE_H

#include <stdbool.h>

#include "vcts/engine.h"
#include "vcts/event.h"

/* Record an observation on rule r for session sid: held (ok) or broken
 * (a finding with msg). ev locates it (the last event seen; NULL = the
 * session as a whole). */
void vc_engine_live_verdict(struct vc_engine *e, uint32_t sid, const struct vc_event *ev,
			    enum vc_rule_id r, bool ok, const char *msg);
#endif
