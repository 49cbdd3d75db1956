/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launcher.c — the OfLauncher interface, its result, and the choice of
 * implementation for this machine.
 *
 * The implementations own their runs; this file owns nothing but the
 * dispatch and the one decision which launcher the daemon uses.
 */
#include "launcher.h"

#include "launch-fork.h"

#include <string.h>

G_DEFINE_INTERFACE (OfLauncher, of_launcher, G_TYPE_OBJECT)

static void
of_launcher_default_init (OfLauncherInterface *iface)
{
  (void) iface;
}

void
of_launcher_run_async (OfLauncher          *self,
                       const OfLaunchSpec  *spec,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (OF_IS_LAUNCHER (self));
  g_return_if_fail (spec != NULL && spec->argv != NULL && spec->argv[0] != NULL);
  g_return_if_fail (spec->unit_name != NULL);

  OF_LAUNCHER_GET_IFACE (self)->run_async (self, spec, cancellable, callback, user_data);
}

OfLaunchResult *
of_launcher_run_finish (OfLauncher    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (OF_IS_LAUNCHER (self), NULL);

  return OF_LAUNCHER_GET_IFACE (self)->run_finish (self, result, error);
}

void
of_launch_result_free (OfLaunchResult *result)
{
  if (result == NULL)
    return;
  g_free (result->message);
  g_free (result->stdout_tail);
  g_free (result->stderr_tail);
  g_free (result);
}

OfLaunchResult *
of_launch_result_new_not_started (const char *format,
                                  ...)
{
  OfLaunchResult *result = g_new0 (OfLaunchResult, 1);
  va_list args;

  va_start (args, format);
  result->end = OF_LAUNCH_NOT_STARTED;
  result->exit_status = -1;
  result->message = g_strdup_vprintf (format, args);
  result->stdout_tail = g_strdup ("");
  result->stderr_tail = g_strdup ("");
  va_end (args);
  return result;
}

OfLauncher *
of_launcher_new_default (GDBusConnection *bus)
{
  (void) bus;
  g_debug ("Engine runs: forked by the daemon");
  return of_launch_fork_new ();
}
