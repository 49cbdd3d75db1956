/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe.h — is a share's server copy reachable, and how fast?
 * (docs/behaviour.md §14, Win32_OfflineFilesConnectionInfo)
 *
 * One probe: the share's user is looked up in a thread of its own, then
 * a tiny shell runs as that user through the launcher (launcher.h), like
 * the folder check: root never follows a path a user controls, and a hung
 * network file system hangs that process, never the daemon, the main
 * loop or GLib's worker pool.  The answer is decided when the process
 * ends or at the hard limit, whichever comes first: a process stuck in a
 * hung FUSE or NFS request may outlive SIGKILL until the server answers,
 * so the probe never waits for it; the launcher reaps it whenever it
 * finally ends.
 *
 * The mount table is the daemon's to read (it names no user's file):
 * a share with MountPoint= whose mount point is not mounted is
 * "not mounted" without running anything.
 */
#pragma once

#include <gio/gio.h>

#include "launcher.h"
#include "share.h"

G_BEGIN_DECLS

/* Pure: the state and reason (enums.h: OfConnectState, OfOfflineReason)
 * a run of of_probe_argv() gives.  @elapsed_usec: from the launch to its
 * end; slower than @slow_usec but answered is a slow link.  A run that
 * was stopped (timed out or cancelled at the hard limit) is "not
 * responding"; one that could not run says nothing: unknown. */
void     of_probe_classify       (const OfLaunchResult *result,
                                  gint64                elapsed_usec,
                                  gint64                slow_usec,
                                  guint                *connect_state,
                                  guint                *offline_reason);

/* The command line of a probe of @remote_path (free with g_strfreev()). */
char   **of_probe_argv           (const char *remote_path);

/* TRUE if something is mounted exactly at @mount_point (the mount table,
 * /proc/self/mountinfo; no file of the share is touched). */
gboolean of_probe_is_mounted     (const char *mount_point);

/* Probes @share (copied) as its user.  The callback runs in the caller's
 * thread-default main context when the probe ended, or at
 * @limit_usec after the call at the latest. */
void     of_probe_run_async      (OfLauncher          *launcher,
                                  const OfShare       *share,
                                  gint64               slow_usec,
                                  gint64               limit_usec,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
void     of_probe_run_finish     (GAsyncResult        *result,
                                  guint               *connect_state,
                                  guint               *offline_reason);

G_END_DECLS
