/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* user-run.h — who a user is, and a short helper process run as them.
 *
 * Whatever looks at a user's files (a share's folders, the user's unison
 * archives) runs as that user, never as root following paths a user
 * controls, and in a process of its own with a time limit, so that a
 * hung network mount costs a process, not the daemon.  This is the one
 * place that turns a user name or uid into what a launcher needs (uid,
 * gid, supplementary groups), and that starts such a helper through the
 * launcher (launcher.h) with the helpers' limits.  The engine uses the
 * look-up too.
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "launcher.h"

G_BEGIN_DECLS

typedef struct {
  char  *name;
  uid_t  uid;
  gid_t  gid;
  gid_t *groups;     /* supplementary groups, the primary one included */
  int    n_groups;
  char  *home;       /* as the user database says; may not exist */
} OfUserInfo;

/* By @name, or by @uid when @name is NULL.  Blocking (the user
 * database): as of_share_load() does, or from a thread.  An unknown user
 * is G_IO_ERROR_INVALID_ARGUMENT "User NAME does not exist". */
gboolean of_user_info_lookup (const char  *name,
                              uid_t        uid,
                              OfUserInfo  *user,
                              GError     **error);
void     of_user_info_clear  (OfUserInfo  *user);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OfUserInfo, of_user_info_clear)

/* Runs @argv as @user through @launcher, from "/", with a clean
 * environment, @read_write_paths as the only places it may write (under
 * systemd; "-" prefix: may be missing), stopped after @timeout_usec.
 * @unit_name as for OfLaunchSpec.  The callback gets the launcher's
 * result (of_launcher_run_finish()). */
void     of_user_run_async   (OfLauncher          *launcher,
                              const char          *unit_name,
                              const char          *description,
                              const OfUserInfo    *user,
                              const char * const  *argv,
                              const char * const  *read_write_paths,
                              gint64               timeout_usec,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);

G_END_DECLS
