/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* user-lookup.h — who a share's user is: uid, groups, home.
 *
 * The user database may sit behind NSS on the network (LDAP, SSSD), so
 * this blocks: call it from a thread of one's own (the engine's and the
 * probe's preparation threads), never on the main loop and never in
 * GLib's shared worker pool.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct {
  uid_t  uid;
  gid_t  gid;
  gid_t *groups;     /* supplementary groups, the user's own included */
  int    n_groups;
  char  *home;       /* NULL unless an existing directory */
} OfUser;

/* FALSE with *@error_message (one line, ours to free) when @user does
 * not exist or cannot be looked up. */
gboolean of_user_lookup (const char *user,
                         OfUser     *out,
                         char      **error_message);
/* Frees what of_user_lookup() allocated in @user. */
void     of_user_clear  (OfUser *user);

G_END_DECLS
