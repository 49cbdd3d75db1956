/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-fork.h — an OfLauncher that forks the engine itself.
 *
 * For machines where systemd is not the service manager (containers, the
 * test harness's private bus).  The child gets its own session, no new
 * privileges, the daemon's death as SIGKILL, the share's user and groups,
 * background priorities and limits; the launcher signals it through a
 * pidfd and kills its whole process group and every descendant it can
 * find on timeout, cancellation and exit.
 */
#pragma once

#include "launcher.h"

G_BEGIN_DECLS

#define OF_TYPE_LAUNCH_FORK (of_launch_fork_get_type ())
G_DECLARE_FINAL_TYPE (OfLaunchFork, of_launch_fork, OF, LAUNCH_FORK, GObject)

OfLauncher *of_launch_fork_new (void);

G_END_DECLS
