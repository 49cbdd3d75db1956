/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* harness.c — see harness.h. */
#include "harness.h"

#include "names.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define POLKITD "/usr/lib/polkit-1/polkitd"
#define POLKIT_ACTIONS_DIR "/usr/share/polkit-1/actions"
#define POLKIT_RULES_DIR "/etc/polkit-1/rules.d"

static const char bus_config_template[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>system</type>\n"
  "  <listen>unix:path=%s/socket</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <policy context=\"default\">\n"
  "    <allow user=\"*\"/>\n"
  "    <deny own=\"*\"/>\n"
  "    <deny send_type=\"method_call\"/>\n"
  "    <allow send_type=\"signal\"/>\n"
  "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
  "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
  "    <allow receive_type=\"method_call\"/>\n"
  "    <allow receive_type=\"method_return\"/>\n"
  "    <allow receive_type=\"error\"/>\n"
  "    <allow receive_type=\"signal\"/>\n"
  "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
  "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
  "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
  "  </policy>\n"
  "  <policy user=\"root\">\n"
  "    <allow own=\"org.offlinefiles.Bench.MinimalOwner\"/>\n"
  /* python-dbusmock's NetworkManager and UPower, which root runs. */
  "    <allow own=\"org.freedesktop.NetworkManager\"/>\n"
  "    <allow own=\"org.freedesktop.UPower\"/>\n"
  "    <allow send_destination=\"org.freedesktop.NetworkManager\"/>\n"
  "    <allow send_destination=\"org.freedesktop.UPower\"/>\n"
  "  </policy>\n"
  "  <includedir>/usr/share/dbus-1/system.d</includedir>\n"
  "  <includedir>%s/system.d</includedir>\n"
  "</busconfig>\n";

static const char polkit_rules[] =
  "// Installed by an offlinefiles test; removed when it ends.\n"
  "polkit.addRule(function(action, subject) {\n"
  "  if (action.id.indexOf(\"org.offlinefiles.\") != 0) return polkit.Result.NOT_HANDLED;\n"
  "  if (subject.user == \"" OF_TEST_USER_ALLOW "\") return polkit.Result.YES;\n"
  "  if (subject.user == \"" OF_TEST_USER_DENY "\") return polkit.Result.NO;\n"
  "  // Per share: " OF_TEST_USER_ASK " decides for shares whose share_user\n"
  "  // detail is its own, and for no other.\n"
  "  if (subject.user == \"" OF_TEST_USER_ASK "\" &&\n"
  "      (action.id == \"" OF_ACTION_WORK_OFFLINE "\" || action.id == \"" OF_ACTION_MANAGE_SHARES "\"))\n"
  "    return action.lookup(\"share_user\") == subject.user ? polkit.Result.YES : polkit.Result.NO;\n"
  "  if (subject.user == \"" OF_TEST_USER_SLOW "\") {\n"
  "    polkit.spawn([\"/bin/sleep\", \"2\"]);\n"
  "    return polkit.Result.YES;\n"
  "  }\n"
  "  return polkit.Result.NOT_HANDLED;\n"
  "});\n";

static const char *
env_or_die (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run the tests through meson test", name);
  return value;
}

static void
die_with_parent (gpointer user_data)
{
  (void) user_data;
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (const char * const *argv,
       const char         *log_path)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  if (log_path)
    {
      g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
      g_subprocess_launcher_take_stderr_fd (launcher, -1);
      g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
    }
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

typedef struct {
  gboolean appeared;
} NameWait;

static void
name_appeared (GDBusConnection *c, const char *name, const char *owner, gpointer user_data)
{
  NameWait *wait = user_data;
  (void) c; (void) name; (void) owner;
  wait->appeared = TRUE;
}

gboolean
of_harness_wait_for (gboolean *flag,
                     guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!*flag && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  return *flag;
}

static gboolean
wait_for_name (GDBusConnection *conn,
               const char      *name,
               GSubprocess     *owner_process,
               guint            timeout_ms)
{
  NameWait wait = { FALSE };
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint id;

  id = g_bus_watch_name_on_connection (conn, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                       name_appeared, NULL, &wait, NULL);
  while (!wait.appeared && g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
      /* A child that died will never own the name. */
      if (owner_process && g_subprocess_get_identifier (owner_process) == NULL)
        break;
    }
  g_bus_unwatch_name (id);
  return wait.appeared;
}

static void
install_file (OfHarness  *harness,
              const char *path,
              const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_ptr_array_add (harness->installed, g_strdup (path));
}

static void
start_polkitd (OfHarness  *harness,
               const char *extra_rules)
{
  g_autofree char *policy = NULL;
  g_autofree char *policy_path = NULL;
  g_autofree char *rules_path = NULL;
  g_autofree char *log = NULL;
  const char *argv[] = { POLKITD, "--no-debug", NULL };

  if (getuid () != 0 || !g_file_test (POLKITD, G_FILE_TEST_IS_EXECUTABLE))
    return;

  g_file_get_contents (env_or_die ("OF_POLKIT_POLICY"), &policy, NULL, NULL);
  g_assert_nonnull (policy);
  /* Named per test process, like the rules: two suites running at once
   * (two build trees) must not remove each other's actions. */
  policy_path = g_strdup_printf (POLKIT_ACTIONS_DIR "/org.offlinefiles.backgroundsync.test-%d.policy",
                                 (int) getpid ());
  install_file (harness, policy_path, policy);
  g_mkdir_with_parents (POLKIT_RULES_DIR, 0755);
  rules_path = g_strdup_printf (POLKIT_RULES_DIR "/10-offlinefiles-test-%d.rules", (int) getpid ());
  install_file (harness, rules_path, polkit_rules);
  if (extra_rules != NULL)
    {
      /* Sorted before the common rules, so they are asked first. */
      g_autofree char *extra_path = g_strdup_printf (POLKIT_RULES_DIR "/09-offlinefiles-test-extra-%d.rules",
                                                     (int) getpid ());

      install_file (harness, extra_path, extra_rules);
    }

  log = g_build_filename (harness->dir, "polkitd.log", NULL);
  harness->polkitd = spawn (argv, log);
  if (!wait_for_name (harness->conn, "org.freedesktop.PolicyKit1", harness->polkitd, 10000))
    g_error ("polkitd did not start; see %s", log);
}

void
of_harness_start_mock_polkit (OfHarness *harness)
{
  g_autofree char *log = g_build_filename (harness->dir, "mock-polkitd.log", NULL);
  /* As polkitd's own user: the bus policy lets only it own the name. */
  const char *argv[] = { "setpriv", "--reuid=polkitd", "--regid=polkitd", "--clear-groups",
                         "/usr/bin/python3", "-m", "dbusmock", "--system", "--template", "polkitd", NULL };

  g_assert_null (harness->polkitd);
  harness->polkitd = spawn (argv, log);
  if (!wait_for_name (harness->conn, "org.freedesktop.PolicyKit1", harness->polkitd, 10000))
    g_error ("python-dbusmock's polkitd did not start; see %s", log);
}

void
of_harness_mock_polkit (OfHarness  *harness,
                        const char *method,
                        GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (harness->conn, "org.freedesktop.PolicyKit1",
                                       "/org/freedesktop/PolicyKit1/Authority",
                                       "org.freedesktop.DBus.Mock", method, parameters, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

GSubprocess *
of_harness_start_mock (OfHarness  *harness,
                       const char *template_name,
                       const char *parameters,
                       const char *bus_name)
{
  g_autofree char *log = g_strdup_printf ("%s/mock-%s.log", harness->dir, template_name);
  const char *argv[] = { "/usr/bin/python3", "-m", "dbusmock", "--system", "--template", template_name,
                         parameters ? "--parameters" : NULL, parameters, NULL };
  GSubprocess *mock = spawn (argv, log);

  if (!wait_for_name (harness->conn, bus_name, mock, 10000))
    g_error ("python-dbusmock's %s did not start; see %s", template_name, log);
  return mock;
}

void
of_harness_mock_call (OfHarness  *harness,
                      const char *bus_name,
                      const char *path,
                      const char *method,
                      GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (harness->conn, bus_name, path, "org.freedesktop.DBus.Mock", method,
                                       parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

static OfHarness *
harness_new (gboolean    with_polkit,
             const char *extra_rules)
{
  OfHarness *harness = g_new0 (OfHarness, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *policy_dir = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *policy_copy = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *log = NULL;
  const char *argv[] = { "dbus-daemon", "--nofork", "--nopidfile", NULL, NULL };

  harness->installed = g_ptr_array_new_with_free_func (g_free);
  harness->dir = g_dir_make_tmp ("offlinefiles-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* polkitd and unprivileged callers must reach the socket. */
  g_chmod (harness->dir, 0755);

  policy_dir = g_build_filename (harness->dir, "system.d", NULL);
  g_mkdir (policy_dir, 0755);
  g_file_get_contents (env_or_die ("OF_BUS_POLICY"), &policy, NULL, &error);
  g_assert_no_error (error);
  policy_copy = g_build_filename (policy_dir, "org.offlinefiles.BackgroundSync.conf", NULL);
  g_file_set_contents (policy_copy, policy, -1, &error);
  g_assert_no_error (error);

  config = g_strdup_printf (bus_config_template, harness->dir, harness->dir);
  config_path = g_build_filename (harness->dir, "bus.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  argv[3] = g_strdup_printf ("--config-file=%s", config_path);
  log = g_build_filename (harness->dir, "dbus-daemon.log", NULL);
  harness->bus = spawn (argv, log);
  g_free ((char *) argv[3]);

  socket = g_build_filename (harness->dir, "socket", NULL);
  for (int i = 0; i < 5000 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (1000);
  harness->bus_address = g_strdup_printf ("unix:path=%s", socket);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", harness->bus_address, TRUE);

  /* The socket appears before dbus-daemon accepts on it. */
  for (int i = 0; i < 500; i++)
    {
      g_clear_error (&error);
      harness->conn = g_dbus_connection_new_for_address_sync (harness->bus_address,
                                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                              NULL, NULL, &error);
      if (harness->conn)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_no_error (error);

  harness->config_dir = g_build_filename (harness->dir, "config", NULL);
  harness->state_dir = g_build_filename (harness->dir, "state", NULL);
  g_mkdir (harness->config_dir, 0755);
  harness->daemon_log = g_build_filename (harness->dir, "daemon.log", NULL);

  if (with_polkit)
    start_polkitd (harness, extra_rules);
  return harness;
}

OfHarness *
of_harness_new (gboolean with_polkit)
{
  return harness_new (with_polkit, NULL);
}

OfHarness *
of_harness_new_with_rules (const char *extra_rules)
{
  return harness_new (TRUE, extra_rules);
}

static void
terminate (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_send_signal (*process, SIGTERM);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
of_harness_free (OfHarness *harness)
{
  if (harness == NULL)
    return;
  if (harness->daemon)
    of_harness_stop_daemon (harness);
  if (harness->properties_changed)
    {
      g_dbus_connection_signal_unsubscribe (harness->conn, harness->properties_changed_id);
      g_ptr_array_unref (harness->properties_changed);
    }
  if (harness->sync_events)
    {
      g_dbus_connection_signal_unsubscribe (harness->conn, harness->sync_events_id);
      g_ptr_array_unref (harness->sync_events);
    }
  if (harness->conn)
    g_dbus_connection_close_sync (harness->conn, NULL, NULL);
  g_clear_object (&harness->conn);
  terminate (&harness->polkitd);
  terminate (&harness->bus);
  for (guint i = 0; i < harness->installed->len; i++)
    g_unlink (harness->installed->pdata[i]);
  g_ptr_array_unref (harness->installed);
  if (g_getenv ("OF_TEST_KEEP") == NULL)
    remove_tree (harness->dir);
  else
    g_printerr ("# kept %s\n", harness->dir);
  g_free (harness->dir);
  g_free (harness->bus_address);
  g_free (harness->config_dir);
  g_free (harness->state_dir);
  g_free (harness->daemon_log);
  g_free (harness);
}

void
of_harness_clear (OfHarness **harness)
{
  if ((*harness)->daemon)
    g_assert_cmpint (of_harness_stop_daemon (*harness), ==, 0);
  g_clear_pointer (harness, of_harness_free);
}

gboolean
of_harness_require_root (const char *why)
{
  if (getuid () == 0)
    return TRUE;
  g_test_skip_printf ("needs root to %s", why);
  return FALSE;
}

gboolean
of_harness_require_polkit (OfHarness *harness)
{
  const char *users[] = { OF_TEST_USER_ALLOW, OF_TEST_USER_DENY, OF_TEST_USER_ASK, OF_TEST_USER_SLOW };

  if (harness->polkitd == NULL)
    {
      g_test_skip ("the real polkitd needs root and " POLKITD);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (getpwnam (users[i]) == NULL)
      {
        g_test_skip_printf ("test user %s does not exist (.ci/run creates it)", users[i]);
        return FALSE;
      }
  return TRUE;
}

void
of_harness_start_daemon (OfHarness          *harness,
                         const char * const *extra_args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *wrapper = g_getenv ("OF_DAEMON_WRAPPER");

  g_assert_null (harness->daemon);
  if (wrapper && *wrapper)
    {
      g_auto(GStrv) words = g_strsplit (wrapper, " ", -1);
      for (guint i = 0; words[i]; i++)
        if (*words[i])
          g_ptr_array_add (argv, g_strdup (words[i]));
    }
  g_ptr_array_add (argv, g_strdup (env_or_die ("OF_SYNCD")));
  g_ptr_array_add (argv, g_strdup_printf ("--config-dir=%s", harness->config_dir));
  g_ptr_array_add (argv, g_strdup_printf ("--state-dir=%s", harness->state_dir));
  g_ptr_array_add (argv, g_strdup ("--verbose"));
  for (guint i = 0; extra_args && extra_args[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GError) error = NULL;
    int fd;

    /* Append, so restarts keep the earlier runs' log. */
    fd = g_open (harness->daemon_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    g_assert_cmpint (fd, >=, 0);
    g_subprocess_launcher_take_stdout_fd (launcher, fd);
    g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    /* As the systemd unit runs it (memory must return after bursts). */
    g_subprocess_launcher_setenv (launcher, "G_SLICE", "always-malloc", FALSE);
    harness->daemon = g_subprocess_launcher_spawnv (launcher,
                                                    (const char * const *) argv->pdata, &error);
    g_assert_no_error (error);
  }

  if (!wait_for_name (harness->conn, "org.offlinefiles.BackgroundSync", harness->daemon, 30000))
    {
      g_autofree char *log = NULL;
      g_file_get_contents (harness->daemon_log, &log, NULL, NULL);
      g_error ("offlinefiles-syncd did not own its name; its log:\n%s", log);
    }
}

int
of_harness_stop_daemon (OfHarness *harness)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (harness->daemon);
  g_subprocess_send_signal (harness->daemon, SIGTERM);
  g_subprocess_wait (harness->daemon, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_exited (harness->daemon))
    status = g_subprocess_get_exit_status (harness->daemon);
  else
    status = 128 + g_subprocess_get_term_sig (harness->daemon);
  g_clear_object (&harness->daemon);
  return status;
}

GVariant *
of_harness_call (OfHarness     *harness,
                 const char    *interface_name,
                 const char    *method,
                 GVariant      *parameters,
                 GDBusCallFlags flags,
                 GError       **error)
{
  return g_dbus_connection_call_sync (harness->conn, "org.offlinefiles.BackgroundSync",
                                      "/org/offlinefiles/BackgroundSync",
                                      interface_name, method, parameters, NULL,
                                      flags, 30000, NULL, error);
}

GVariant *
of_harness_get (OfHarness  *harness,
                const char *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *value;

  reply = of_harness_call (harness, "org.freedesktop.DBus.Properties", "Get",
                           g_variant_new ("(ss)", "org.offlinefiles.BackgroundSync", property),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

gboolean
of_harness_set (OfHarness  *harness,
                const char *property,
                GVariant   *value,
                GError    **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = of_harness_call (harness, "org.freedesktop.DBus.Properties", "Set",
                           g_variant_new ("(ssv)", "org.offlinefiles.BackgroundSync", property, value),
                           G_DBUS_CALL_FLAGS_NONE, error);
  return reply != NULL;
}

static GPtrArray *
gdbus_argv (const char *user,
            va_list     args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;

  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%s", user));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%s", user));
  g_ptr_array_add (argv, g_strdup ("--clear-groups"));
  g_ptr_array_add (argv, g_strdup ("gdbus"));
  g_ptr_array_add (argv, g_strdup ("call"));
  g_ptr_array_add (argv, g_strdup ("--system"));
  g_ptr_array_add (argv, g_strdup ("--dest=org.offlinefiles.BackgroundSync"));
  g_ptr_array_add (argv, g_strdup ("--object-path=/org/offlinefiles/BackgroundSync"));
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

int
of_harness_gdbus_as (OfHarness  *harness,
                     const char *user,
                     char      **out,
                     char      **err,
                     ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  (void) harness;
  va_start (args, err);
  argv = gdbus_argv (user, args);
  va_end (args);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

GSubprocess *
of_harness_gdbus_as_async (OfHarness  *harness,
                           const char *user,
                           ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  va_list args;

  (void) harness;
  va_start (args, user);
  argv = gdbus_argv (user, args);
  va_end (args);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  return process;
}

static void
on_properties_changed (GDBusConnection *conn, const char *sender, const char *path,
                       const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  OfHarness *harness = user_data;
  GVariant *changed = NULL;

  (void) conn; (void) sender; (void) path; (void) iface; (void) signal;
  g_variant_get (params, "(&s@a{sv}@as)", NULL, &changed, NULL);
  g_ptr_array_add (harness->properties_changed, changed);
}

GPtrArray *
of_harness_watch_properties (OfHarness *harness)
{
  if (harness->properties_changed == NULL)
    {
      harness->properties_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      harness->properties_changed_id =
        g_dbus_connection_signal_subscribe (harness->conn, "org.offlinefiles.BackgroundSync",
                                            "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                            "/org/offlinefiles/BackgroundSync", "org.offlinefiles.BackgroundSync",
                                            G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, harness, NULL);
    }
  return harness->properties_changed;
}

static void
sync_event_free (OfSyncEvent *event)
{
  g_free (event->name);
  g_free (event->detail);
  g_free (event->message);
  g_free (event);
}

static void
on_sync_signal (GDBusConnection *conn, const char *sender, const char *path,
                const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  OfHarness *harness = user_data;
  OfSyncEvent *event = g_new0 (OfSyncEvent, 1);

  (void) conn; (void) sender; (void) path; (void) iface;
  event->name = g_strdup (signal);
  event->at = g_get_real_time ();
  if (g_str_equal (signal, "SyncStarted"))
    g_variant_get (params, "(ts)", &event->id, &event->detail);
  else if (g_str_equal (signal, "SyncFinished"))
    g_variant_get (params, "(tss)", &event->id, &event->detail, &event->message);
  else if (g_str_equal (signal, "SyncProgress"))
    g_variant_get (params, "(tuus)", &event->id, NULL, NULL, &event->detail);
  else
    {
      sync_event_free (event);
      return;
    }
  g_ptr_array_add (harness->sync_events, event);
}

GPtrArray *
of_harness_watch_syncs (OfHarness *harness)
{
  if (harness->sync_events == NULL)
    {
      harness->sync_events = g_ptr_array_new_with_free_func ((GDestroyNotify) sync_event_free);
      harness->sync_events_id =
        g_dbus_connection_signal_subscribe (harness->conn, "org.offlinefiles.BackgroundSync",
                                            "org.offlinefiles.BackgroundSync", NULL,
                                            "/org/offlinefiles/BackgroundSync", NULL,
                                            G_DBUS_SIGNAL_FLAGS_NONE, on_sync_signal, harness, NULL);
    }
  return harness->sync_events;
}

void
of_harness_settle (OfHarness *harness)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = of_harness_call (harness, "org.offlinefiles.BackgroundSync", "PreviewSchedule",
                           g_variant_new ("(u)", 1), G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

char *
of_harness_config_path (OfHarness *harness)
{
  return g_build_filename (harness->config_dir, "background-sync.conf", NULL);
}

gboolean
of_harness_lookup_user (const char *user,
                        uid_t      *uid,
                        gid_t      *gid)
{
  struct passwd *pw = getpwnam (user);

  *uid = pw ? pw->pw_uid : 0;
  *gid = pw ? pw->pw_gid : 0;
  return pw != NULL;
}

gboolean
of_harness_require_user (const char *user,
                         const char *why)
{
  if (!of_harness_require_root (why))
    return FALSE;
  if (getpwnam (user) == NULL)
    {
      g_test_skip_printf ("test user %s does not exist (tools/install-deps.sh creates it)", user);
      return FALSE;
    }
  return TRUE;
}

char *
of_harness_user_dir (OfHarness  *harness,
                     const char *name,
                     uid_t       uid,
                     gid_t       gid)
{
  char *path = g_build_filename (harness->dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  g_assert_cmpint (chown (path, uid, gid), ==, 0);
  return path;
}

void
of_harness_write_file (const char *dir,
                       const char *name,
                       const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
of_harness_write_file_as (const char *dir,
                          const char *name,
                          const char *contents,
                          uid_t       uid,
                          gid_t       gid)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  of_harness_write_file (dir, name, contents);
  g_assert_cmpint (chown (path, uid, gid), ==, 0);
}

void
of_harness_write_share (OfHarness  *harness,
                        const char *name,
                        const char *local,
                        const char *remote,
                        const char *user,
                        const char *extra)
{
  g_autofree char *dir = g_build_filename (harness->config_dir, "shares.d", NULL);
  g_autofree char *file = g_strdup_printf ("%s.conf", name);
  g_autofree char *contents = NULL;

  if (local == NULL)
    {
      g_autofree char *path = g_build_filename (dir, file, NULL);

      g_unlink (path);
      return;
    }
  contents = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n%s",
                              local, remote, user, extra ? extra : "");
  of_harness_write_file (dir, file, contents);
}

guint64
of_harness_sync_now (OfHarness *harness)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_harness_call (harness, OF_INTERFACE_BACKGROUND_SYNC, "SyncNow", NULL,
                                               G_DBUS_CALL_FLAGS_NONE, &error);
  guint64 id;

  g_assert_no_error (error);
  g_variant_get (reply, "(t)", &id);
  return id;
}

OfSyncEvent *
of_harness_wait_sync_event (OfHarness  *harness,
                            const char *name,
                            guint64     id,
                            guint       timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  g_assert_nonnull (harness->sync_events);
  for (;;)
    {
      for (guint i = 0; i < harness->sync_events->len; i++)
        {
          OfSyncEvent *event = harness->sync_events->pdata[i];

          if (event->id == id && g_str_equal (event->name, name))
            return event;
        }
      if (g_get_monotonic_time () > end)
        g_error ("no %s for sync %" G_GUINT64_FORMAT " within %u s", name, id, timeout_s);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

GSubprocess *
of_harness_mount_hanging_fs (const char *dir,
                             const char *delay)
{
  const char *helper = g_getenv ("OF_HANGING_FS");
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  struct stat base_st, mount_st;
  gboolean mounted = FALSE;

  if (helper == NULL || !g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS) ||
      !g_spawn_command_line_sync ("/usr/bin/python3 -c 'import fusepy'", NULL, NULL, NULL, NULL))
    {
      g_test_skip ("needs /dev/fuse and python3-fusepy (tools/install-deps.sh)");
      return NULL;
    }
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3", helper, dir, delay, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (stat (parent, &base_st), ==, 0);
  /* Mounted once @dir is on another device than its parent. */
  for (int i = 0; i < 100 && !mounted; i++)
    {
      g_usleep (50 * 1000);
      mounted = stat (dir, &mount_st) == 0 && mount_st.st_dev != base_st.st_dev;
    }
  if (!mounted)
    {
      of_harness_unmount_hanging_fs (&server, dir);
      g_test_skip ("cannot mount a FUSE file system here");
      return NULL;
    }
  return g_steal_pointer (&server);
}

void
of_harness_unmount_hanging_fs (GSubprocess **server,
                               const char   *dir)
{
  const char *umount_argv[] = { "umount", "-l", dir, NULL };

  if (*server == NULL)
    return;
  g_subprocess_force_exit (*server);
  g_subprocess_wait (*server, NULL, NULL);
  g_clear_object (server);
  g_spawn_sync (NULL, (char **) umount_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

guint
of_harness_daemon_threads_in_d_state (OfHarness *harness)
{
  g_autofree char *task_dir = g_strdup_printf ("/proc/%s/task", g_subprocess_get_identifier (harness->daemon));
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  const char *tid;
  guint stuck = 0;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename (task_dir, tid, "stat", NULL);
      g_autofree char *stat_line = NULL;
      const char *end;

      /* The state follows the command name in parentheses, which may
       * itself hold ')'. */
      if (g_file_get_contents (stat_path, &stat_line, NULL, NULL) && (end = strrchr (stat_line, ')')) != NULL &&
          end[1] == ' ' && end[2] == 'D')
        stuck++;
    }
  return stuck;
}
