/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archive.h — a user's unison archive directory under the state directory.
 *
 * ARCHIVE_ROOT/UID (by uid, not by name: a user name reused with a new
 * uid must not receive the old owner's archives; an old name-based
 * directory is adopted only when that same uid owns it), created 0700
 * and given to the user; ARCHIVE_ROOT itself 0711.  Every run of ours
 * holds a shared flock on it while it runs; whoever gets it exclusively
 * knows no engine of ours uses it, so unison lock files in it are a
 * killed run's and go.  Never a blocking flock: the directory's owner can
 * hold a lock on it for ever.  Blocking calls (mkdir, flock retries):
 * call it from a thread of its own.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Returns the open directory holding our shared lock (close it when the
 * run ends) and its path in *@out_dir, or -1 with one line in
 * *@error_message. */
int of_archive_open (const char *archive_root,
                     const char *user,
                     uid_t       uid,
                     gid_t       gid,
                     char      **out_dir,
                     char      **error_message);

G_END_DECLS
