/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conflict-stat.h — sizes and modification times of conflicting paths,
 * found as the share's user.
 *
 * As the folder check (folder-check.h): a short shell run through the
 * engine's launcher, as the share's user with the run's time limit,
 * never root following paths a user controls, never a thread of the
 * daemon on a possibly hung mount.  The paths are arguments, and the
 * answer is one line per path and side in the same order, so a file name
 * can never be mistaken for an answer.
 */
#pragma once

#include <glib.h>

#include "engine-output.h"
#include "launcher.h"

G_BEGIN_DECLS

/* The command line for @conflicts (OfEngineConflict*); free with
 * g_strfreev(). */
char   **of_conflict_stat_argv  (const char *local_path,
                                 const char *remote_path,
                                 GPtrArray  *conflicts);
/* Fills in the sizes and times of @conflicts from what a run of that
 * command line printed (pure).  A side that is gone or could not be
 * looked at stays -1; so does the size of anything but a regular file.
 * FALSE (nothing changed) if the run did not end normally. */
gboolean of_conflict_stat_apply (const OfLaunchResult *result,
                                 GPtrArray            *conflicts);

G_END_DECLS
