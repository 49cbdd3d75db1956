/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* folder-check.c — see folder-check.h. */
#include "folder-check.h"

#define LOCAL_UNAVAILABLE 10
#define REMOTE_UNREACHABLE 11

/* $1 local, $2 remote.  unison would create a missing root (and sync
 * "everything deleted" back from it): the remote goes first. */
static const char script[] =
  "ok () { test -d \"$1\" && test -r \"$1\" && test -w \"$1\" && test -x \"$1\"; }\n"
  "ok \"$2\" || exit 11\n"
  "test -z \"$3\" || test -n \"$(ls -A -- \"$2\")\" || exit 11\n"
  "ok \"$1\" || exit 10\n";

char **
of_folder_check_argv (const char *local_path,
                      const char *remote_path)
{
  const char * const argv[] = { "/bin/sh", "-c", script, "sh", local_path, remote_path, NULL };

  G_STATIC_ASSERT (LOCAL_UNAVAILABLE == 10 && REMOTE_UNREACHABLE == 11);
  return g_strdupv ((char **) argv);
}

char **
of_folder_check_argv_nonempty (const char *local_path,
                               const char *remote_path)
{
  const char * const argv[] = { "/bin/sh", "-c", script, "sh", local_path, remote_path, "nonempty", NULL };

  return g_strdupv ((char **) argv);
}

OfFolderCheck
of_folder_check_result (const OfLaunchResult *result)
{
  switch (result->end)
    {
    case OF_LAUNCH_EXITED:
      if (result->exit_status == 0)
        return OF_FOLDERS_OK;
      if (result->exit_status == REMOTE_UNREACHABLE)
        return OF_FOLDERS_REMOTE_UNREACHABLE;
      if (result->exit_status == LOCAL_UNAVAILABLE)
        return OF_FOLDERS_LOCAL_UNAVAILABLE;
      return OF_FOLDERS_FAILED;
    case OF_LAUNCH_TIMED_OUT:
      return OF_FOLDERS_TIMED_OUT;
    case OF_LAUNCH_CANCELLED:
      return OF_FOLDERS_CANCELLED;
    case OF_LAUNCH_SIGNALED:
    case OF_LAUNCH_NOT_STARTED:
    default:
      return OF_FOLDERS_FAILED;
    }
}
