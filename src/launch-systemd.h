/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-systemd.h — an OfLauncher that runs the engine as a transient
 * systemd service (org.freedesktop.systemd1.Manager.StartTransientUnit).
 *
 * systemd then owns the process: user switch, sandbox, priorities,
 * limits, its own cgroup (nothing escapes a stop), the runtime limit.
 * The launcher owns the pipes the unit writes to and its subscription to
 * the unit's state; it holds a reference on each unit (AddRef) until it
 * has read how the unit ended, so that garbage collection cannot race it.
 */
#pragma once

#include "launcher.h"

G_BEGIN_DECLS

#define OF_TYPE_LAUNCH_SYSTEMD (of_launch_systemd_get_type ())
G_DECLARE_FINAL_TYPE (OfLaunchSystemd, of_launch_systemd, OF, LAUNCH_SYSTEMD, GObject)

/* @bus: a connection to the bus systemd's manager is on (the system bus). */
OfLauncher *of_launch_systemd_new             (GDBusConnection *bus);

/* Stops every loaded unit matching @pattern (e.g.
 * "offlinefiles-engine-*.service") that is not inactive: units a daemon
 * that crashed left running unsupervised.  Asynchronous, logs what it
 * stops.  The daemon's start-up calls it (through
 * of_launcher_new_default()); no run of this launcher may be going on. */
void        of_launch_systemd_stop_leftovers  (OfLaunchSystemd *self,
                                               const char      *pattern);

G_END_DECLS
