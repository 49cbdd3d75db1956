/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launcher.c — the OfLauncher interface, its result, and the choice of
 * implementation for this machine.
 *
 * The implementations own their runs; this file owns nothing but the
 * dispatch and the one decision which launcher the daemon uses.
 */
#include "launcher.h"

#include "launch-fork.h"
#include "launch-systemd.h"

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

/* The default address of the system bus: a private bus a test started
 * (DBUS_SYSTEM_BUS_ADDRESS elsewhere) has no systemd behind it. */
static gboolean
is_real_system_bus (void)
{
  const char *address = g_getenv ("DBUS_SYSTEM_BUS_ADDRESS");

  return address == NULL || *address == '\0' ||
         g_str_equal (address, "unix:path=/run/dbus/system_bus_socket") ||
         g_str_equal (address, "unix:path=/var/run/dbus/system_bus_socket");
}

/* A unit is not the daemon's child: a daemon that crashed leaves its
 * engine running, unsupervised, and the restarted daemon reports that
 * sync as interrupted.  So the daemon's launcher stops what is left. */
static OfLauncher *
systemd_launcher (GDBusConnection *bus)
{
  OfLauncher *launcher = of_launch_systemd_new (bus);

  of_launch_systemd_stop_leftovers (OF_LAUNCH_SYSTEMD (launcher), "offlinefiles-engine-*.service");
  /* And probes (probe.h), which may be stuck on a dead server. */
  of_launch_systemd_stop_leftovers (OF_LAUNCH_SYSTEMD (launcher), "offlinefiles-probe-*.service");
  return launcher;
}

OfLauncher *
of_launcher_new_default (GDBusConnection *bus)
{
  const char *forced = g_getenv ("OFFLINEFILES_LAUNCHER");

  if (forced != NULL && g_str_equal (forced, "fork"))
    {
      g_debug ("Engine runs: forked by the daemon (OFFLINEFILES_LAUNCHER=fork)");
      return of_launch_fork_new ();
    }
  if (forced != NULL && g_str_equal (forced, "systemd"))
    {
      g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), of_launch_fork_new ());
      g_debug ("Engine runs: transient systemd units (OFFLINEFILES_LAUNCHER=systemd)");
      return systemd_launcher (bus);
    }
  if (forced != NULL && *forced != '\0')
    g_warning ("OFFLINEFILES_LAUNCHER=%s is neither \"fork\" nor \"systemd\": choosing by the machine",
               forced);

  if (bus != NULL && g_file_test ("/run/systemd/system", G_FILE_TEST_IS_DIR) && is_real_system_bus ())
    {
      g_debug ("Engine runs: transient systemd units (systemd is the service manager)");
      return systemd_launcher (bus);
    }
  g_debug ("Engine runs: forked by the daemon (systemd is not the service manager here)");
  return of_launch_fork_new ();
}
