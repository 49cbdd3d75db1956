/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-panel-program.c — the installed program offlinefiles-settings
 * itself, under Xvfb against the real daemon and polkitd on a private
 * system bus, seen and driven only from outside through AT-SPI
 * (atspi-drive.py, one process per look, each under a deadline), as a
 * screen reader or a person would: it shows the daemon's values, follows
 * a change made with busctl, writes a value set through its spin button,
 * and goes insensitive when the daemon stops.
 *
 * The program gets a session bus of its own (for AT-SPI and its
 * GApplication), started here so that every process on it is known and
 * stopped at the end.
 */
#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
/* Each look through AT-SPI is a new Python process: generous deadlines. */
#define DRIVE_DEADLINE "20"
#define WAIT_S 10

typedef struct {
  OfHarness   *harness;
  char        *home;
  GSubprocess *session_bus;
  char        *session_address;
  GSubprocess *panel;
} Fixture;

static const char *
env_or_skip (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run through meson test", name);
  return value;
}

/* A failed assertion must not leave the program and its bus behind (they
 * would hold meson's output pipe open). */
static void
die_with_test (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* The children's output goes to a log beside the harness's, not into TAP. */
static GSubprocessLauncher *
new_launcher (Fixture *fixture, GSubprocessFlags flags, const char *log_name)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_autofree char *log = g_build_filename (fixture->harness->dir, log_name, NULL);

  if (!(flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE))
    g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  return launcher;
}

static void
start_session_bus (Fixture *fixture)
{
  const char *argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL };
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fixture, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "session-bus.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;

  fixture->session_bus = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->session_bus));
  fixture->session_address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->session_address);
}

static void
start_panel (Fixture *fixture)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fixture, G_SUBPROCESS_FLAGS_NONE, "panel.log");
  g_autofree char *runtime = g_build_filename (fixture->home, "runtime", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { env_or_skip ("OF_PANEL"), NULL };

  g_mkdir (runtime, 0700);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", fixture->session_address, TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "atspi", TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", fixture->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "NO_AT_BRIDGE");
  fixture->panel = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
}

/* atspi-drive.py ARGS… under a deadline; its exit status, and its stdout
 * (stripped) in *out. */
static int
drive (Fixture *fixture, char **out, const char *action, const char *role, const char *name, const char *value)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *argv[] = { "timeout", DRIVE_DEADLINE, "/usr/bin/python3", env_or_skip ("OF_ATSPI_DRIVE"),
                         action, role, name, value, NULL };

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", fixture->session_address, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_test_message ("atspi-drive.py %s %s %s: %s", action, role, name, stderr_text);
  if (out)
    *out = g_strstrip (g_steal_pointer (&stdout_text));
  return g_subprocess_get_exit_status (process);
}

/* Looks again until @role @name reads @expected or WAIT_S pass. */
static gboolean
wait_reads (Fixture *fixture, const char *role, const char *name, const char *expected)
{
  gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_autofree char *got = NULL;
      if (drive (fixture, &got, "get", role, name, NULL) == 0 && g_strcmp0 (got, expected) == 0)
        return TRUE;
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static void
busctl_set (const char *property, const char *type, const char *value)
{
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "busctl", "--system", "set-property", "org.offlinefiles.BackgroundSync",
                         "/org/offlinefiles/BackgroundSync", IFACE, property, type, value, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static guint
bus_q (Fixture *fixture, const char *property)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, property);

  return g_variant_get_uint16 (value);
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("OF_PANEL_SCREENSHOT_DIR");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  int status = 0;

  if (dir == NULL || g_find_program_in_path ("import") == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  file = g_strdup_printf ("%s.png", name);
  path = g_build_filename (dir, file, NULL);
  {
    const char *argv[] = { "import", "-window", "root", path, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL);
  }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("screenshot: %s", path);
}

/* Everything the session bus started (the AT-SPI bus launcher and
 * registry detach themselves), then the bus. */
static void
stop_session (Fixture *fixture)
{
  g_autoptr(GDBusConnection) session = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autoptr(GError) error = NULL;
  GPid bus_pid = atoi (g_subprocess_get_identifier (fixture->session_bus));
  const char **list = NULL;

  session = g_dbus_connection_new_for_address_sync (fixture->session_address,
                                                    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                    | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                    NULL, NULL, &error);
  g_assert_no_error (error);
  names = g_dbus_connection_call_sync (session, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL, G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (names, "(^a&s)", &list);
  for (guint i = 0; list[i]; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      guint32 pid;

      if (list[i][0] != ':')
        continue;
      reply = g_dbus_connection_call_sync (session, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                           g_variant_new ("(s)", list[i]), G_VARIANT_TYPE ("(u)"),
                                           G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
      if (reply == NULL)
        continue;
      g_variant_get (reply, "(u)", &pid);
      if ((GPid) pid != getpid () && (GPid) pid != bus_pid)
        kill ((pid_t) pid, SIGTERM);
    }
  g_free (list);
  g_dbus_connection_close_sync (session, NULL, NULL);
  g_subprocess_send_signal (fixture->session_bus, SIGTERM);
  g_subprocess_wait (fixture->session_bus, NULL, NULL);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->harness = of_harness_new (TRUE);
  fixture->home = g_build_filename (fixture->harness->dir, "home", NULL);
  g_mkdir (fixture->home, 0700);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->panel)
    {
      g_subprocess_send_signal (fixture->panel, SIGTERM);
      g_subprocess_wait (fixture->panel, NULL, NULL);
      g_clear_object (&fixture->panel);
    }
  if (fixture->session_bus)
    stop_session (fixture);
  g_clear_object (&fixture->session_bus);
  g_free (fixture->session_address);
  if (fixture->harness->daemon)
    g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  g_clear_pointer (&fixture->harness, of_harness_free);
  g_free (fixture->home);
}

static void
test_program (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config = NULL;
  g_autofree char *path = NULL;
  gint64 end;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("no display: run under xvfb-run");
      return;
    }
  of_harness_start_daemon (fixture->harness, NULL);
  start_session_bus (fixture);
  start_panel (fixture);

  /* It shows the daemon's value... */
  g_assert_true (wait_reads (fixture, "spin button", "Sync interval", "360"));
  g_assert_true (wait_reads (fixture, "label", "Idle", "Idle"));
  /* ...follows another client's change... */
  busctl_set ("SyncInterval", "q", "120");
  g_assert_true (wait_reads (fixture, "spin button", "Sync interval", "120"));

  /* ...and writes what is set through it, to the bus and the file. */
  g_assert_cmpint (drive (fixture, NULL, "set", "spin button", "Sync interval", "90"), ==, 0);
  end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  while (bus_q (fixture, "SyncInterval") != 90 && g_get_monotonic_time () < end)
    g_usleep (50 * 1000);
  g_assert_cmpuint (bus_q (fixture, "SyncInterval"), ==, 90);
  path = of_harness_config_path (fixture->harness);
  g_assert_true (g_file_get_contents (path, &config, NULL, NULL));
  g_assert_nonnull (strstr (config, "SyncInterval=90\n"));
  screenshot ("program-status");

  /* The daemon stops: nothing is left to press. */
  g_assert_true (wait_reads (fixture, "push button", "Sync Now", "sensitive"));
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  g_assert_true (wait_reads (fixture, "push button", "Sync Now", "insensitive"));
  screenshot ("program-daemon-stopped");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/panel-program/atspi", Fixture, NULL, setup, test_program, teardown);
  return g_test_run ();
}
