/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archive-forget.h — deleting one share's unison archives (RemoveShare).
 *
 * A user's archive directory (archive.h) holds the archives of all the
 * user's shares, each pair of files named after a hash of its roots that
 * only unison computes.  Each archive names its roots on its second line
 * ("Archive for root R synchronizing roots R1, R2"), so the share's own
 * are found by reading that line.  The directory and its files are the
 * user's: a tiny shell reads and deletes them as that user, through the
 * launcher, with a time limit — never root following what a user may
 * have planted there.  The share's folders are never looked at.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The command line (free with g_strfreev()) that deletes the archives of
 * the share syncing @local_path with @remote_path from @archive_dir.  A
 * missing directory is no error.  Exit status 0 on success. */
char **of_archive_forget_argv (const char *archive_dir,
                               const char *local_path,
                               const char *remote_path);

G_END_DECLS
