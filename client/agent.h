/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent.h — a text polkit authentication agent for the duration of a call,
 * the way systemctl and timedatectl do it: pkttyagent registered for this
 * process only, so that a password prompt appears on our terminal when
 * the daemon's polkit check needs one. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OfAgent OfAgent;

/* Starts pkttyagent and waits until it is registered.  Returns NULL (and
 * does nothing) when @allowed is FALSE, stdin is not a terminal, or no
 * agent can be started: the call then simply runs without interaction. */
OfAgent *of_agent_start (gboolean allowed);
void     of_agent_stop  (OfAgent *agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfAgent, of_agent_stop)

G_END_DECLS
