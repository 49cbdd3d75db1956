/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* user-run.c — see user-run.h. */
#include "user-run.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

/* A helper is a shell and a few tools. */
#define HELPER_KILL_GRACE_USEC (2 * G_TIME_SPAN_SECOND)
#define HELPER_TASKS_MAX 16
#define HELPER_MEMORY_MAX (G_GUINT64_CONSTANT (256) << 20)

gboolean
of_user_info_lookup (const char  *name,
                     uid_t        uid,
                     OfUserInfo  *user,
                     GError     **error)
{
  struct passwd pwd, *found = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buffer = NULL;
  int err;
  int n = 32;

  if (size <= 0)
    size = 16384;
  for (;;)
    {
      buffer = g_realloc (buffer, (gsize) size);
      err = name ? getpwnam_r (name, &pwd, buffer, (gsize) size, &found)
                 : getpwuid_r (uid, &pwd, buffer, (gsize) size, &found);
      if (err != ERANGE || size > 1024 * 1024)
        break;
      size *= 2;
    }
  if (found == NULL)
    {
      g_autofree char *shown = name ? g_strescape (name, NULL) : g_strdup_printf ("with uid %u", (guint) uid);

      if (err != 0)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "Cannot look up user %s: %s",
                     shown, g_strerror (err));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "User %s does not exist", shown);
      return FALSE;
    }
  user->name = g_strdup (pwd.pw_name);
  user->uid = pwd.pw_uid;
  user->gid = pwd.pw_gid;
  user->home = g_strdup (pwd.pw_dir);
  /* initgroups() would change the daemon's own groups: computed here,
   * set in the child. */
  for (;;)
    {
      int wanted = n;

      user->groups = g_renew (gid_t, user->groups, (gsize) n);
      if (getgrouplist (user->name, user->gid, user->groups, &wanted) >= 0)
        {
          n = wanted;
          break;
        }
      if (wanted <= n || wanted > 65536)
        {
          /* The user's own group at least. */
          user->groups[0] = user->gid;
          n = 1;
          break;
        }
      n = wanted;
    }
  user->n_groups = n;
  return TRUE;
}

void
of_user_info_clear (OfUserInfo *user)
{
  g_clear_pointer (&user->name, g_free);
  g_clear_pointer (&user->groups, g_free);
  g_clear_pointer (&user->home, g_free);
}

void
of_user_run_async (OfLauncher          *launcher,
                   const char          *unit_name,
                   const char          *description,
                   const OfUserInfo    *user,
                   const char * const  *argv,
                   const char * const  *read_write_paths,
                   gint64               timeout_usec,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  const char * const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
  OfLaunchSpec spec = {
    .unit_name = unit_name,
    .description = description,
    .argv = argv,
    .envp = envp,
    .working_directory = "/",
    .user_name = user->name,
    .uid = user->uid,
    .gid = user->gid,
    .groups = user->groups,
    .n_groups = user->n_groups,
    .read_write_paths = read_write_paths,
    .timeout_usec = timeout_usec,
    .kill_grace_usec = HELPER_KILL_GRACE_USEC,
    .tasks_max = HELPER_TASKS_MAX,
    .memory_max = HELPER_MEMORY_MAX,
  };

  g_debug ("Running %s as %s (uid %u)", unit_name, user->name, (guint) user->uid);
  of_launcher_run_async (launcher, &spec, NULL, callback, user_data);
}
