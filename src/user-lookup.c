/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* user-lookup.c — see user-lookup.h. */
#include "user-lookup.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
of_user_lookup (const char *user,
                OfUser     *out,
                char      **error_message)
{
  struct passwd pwd, *found = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buffer = NULL;
  struct stat st;
  int err;

  if (size <= 0)
    size = 16384;
  for (;;)
    {
      buffer = g_realloc (buffer, (gsize) size);
      err = getpwnam_r (user, &pwd, buffer, (gsize) size, &found);
      if (err != ERANGE || size > 1024 * 1024)
        break;
      size *= 2;
    }
  if (found == NULL)
    {
      *error_message = err != 0
        ? g_strdup_printf ("cannot look up user %s: %s", user, g_strerror (err))
        : g_strdup_printf ("user %s does not exist", user);
      return FALSE;
    }
  out->uid = pwd.pw_uid;
  out->gid = pwd.pw_gid;
  /* A system user's home often does not exist; unison then needs some HOME. */
  if (pwd.pw_dir != NULL && pwd.pw_dir[0] == '/' && stat (pwd.pw_dir, &st) == 0 && S_ISDIR (st.st_mode))
    out->home = g_strdup (pwd.pw_dir);

  /* initgroups() would change the daemon's own groups: compute the list
   * here, set it in the child. */
  out->n_groups = 32;
  for (;;)
    {
      int n = out->n_groups;

      out->groups = g_renew (gid_t, out->groups, (gsize) n);
      if (getgrouplist (user, out->gid, out->groups, &n) >= 0)
        {
          out->n_groups = n;
          break;
        }
      if (n <= out->n_groups || n > 65536)
        {
          /* The user's own group at least. */
          out->groups[0] = out->gid;
          out->n_groups = 1;
          break;
        }
      out->n_groups = n;
    }
  return TRUE;
}

void
of_user_clear (OfUser *user)
{
  g_clear_pointer (&user->groups, g_free);
  g_clear_pointer (&user->home, g_free);
  user->n_groups = 0;
}
