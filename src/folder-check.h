/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* folder-check.h — are a share's two folders there for its user?
 *
 * Found out as the share's user, by a tiny shell run through the same
 * launcher as the engine (a transient unit, or a forked child that has
 * dropped to the user), never by root following paths a user controls:
 * root would see through permissions the user does not have, and a user
 * who owns part of a path could learn from root's answers whether any
 * file exists anywhere.  A hung network mount makes the check time out
 * in its own process, never in the daemon.  The answer says which folder,
 * not why: that is nobody else's business.
 */
#pragma once

#include <glib.h>

#include "launcher.h"

G_BEGIN_DECLS

typedef enum {
  OF_FOLDERS_OK,
  OF_FOLDERS_LOCAL_UNAVAILABLE,   /* not a directory the user may read, write and enter */
  OF_FOLDERS_REMOTE_UNREACHABLE,  /* the same for the server copy (checked first) */
  OF_FOLDERS_TIMED_OUT,
  OF_FOLDERS_CANCELLED,
  OF_FOLDERS_FAILED,              /* the check itself could not run */
} OfFolderCheck;

/* The command line of the check (free with g_strfreev()). */
char        **of_folder_check_argv   (const char *local_path,
                                      const char *remote_path);
/* The same, where the remote must also hold something: before a run that
 * may propagate a deletion past unison's own -confirmbigdel (a conflict
 * resolved in favour of a deletion), an unmounted, empty mount point
 * counts as unreachable. */
char        **of_folder_check_argv_nonempty (const char *local_path,
                                             const char *remote_path);
/* What a run of that command line says. */
OfFolderCheck of_folder_check_result (const OfLaunchResult *result);

G_END_DECLS
