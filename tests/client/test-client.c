/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-client.c — offlinefilesctl against the real daemon, the real
 * polkitd and a private system bus: output (human and JSON, the JSON
 * parsed by Python's json module), exit codes, one Configure per `set`,
 * authorization as the test users, sync-now --wait, monitor, plan, and
 * the interactive path in a pseudo-terminal. */
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"

typedef struct {
  OfHarness *harness;
  guint      subscription;
  guint      n_changes;   /* PropertiesChanged on the main interface */
} Fixture;

typedef struct {
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static const char *
ctl_path (void)
{
  const char *path = g_getenv ("OF_CTL");

  if (path == NULL)
    g_error ("OF_CTL is not set: run the tests through meson test");
  return path;
}

static void
on_properties_changed (GDBusConnection *conn, const char *sender, const char *path,
                       const char *iface, const char *signal, GVariant *params,
                       gpointer user_data)
{
  Fixture *fixture = user_data;

  (void) conn; (void) sender; (void) path; (void) iface; (void) signal; (void) params;
  fixture->n_changes++;
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->subscription =
    g_dbus_connection_signal_subscribe (fixture->harness->conn, IFACE, "org.freedesktop.DBus.Properties",
                                        "PropertiesChanged", "/org/offlinefiles/BackgroundSync", IFACE,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, fixture, NULL);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
  fixture->n_changes = 0;
}

/* Same, with one share "home" configured. */
static void
setup_with_share (Fixture *fixture, gconstpointer data)
{
  g_autofree char *shares_dir = NULL;
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->harness = of_harness_new (TRUE);
  shares_dir = g_build_filename (fixture->harness->config_dir, "shares.d", NULL);
  local = g_build_filename (fixture->harness->dir, "local", NULL);
  remote = g_build_filename (fixture->harness->dir, "remote", NULL);
  g_mkdir_with_parents (shares_dir, 0755);
  g_mkdir_with_parents (local, 0755);
  g_mkdir_with_parents (remote, 0755);
  conf = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=root\nEnabled=true\n", local, remote);
  path = g_build_filename (shares_dir, "home.conf", NULL);
  g_file_set_contents (path, conf, -1, &error);
  g_assert_no_error (error);
  of_harness_start_daemon (fixture->harness, NULL);
  of_harness_settle (fixture->harness);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  if (fixture->subscription != 0)
    g_dbus_connection_signal_unsubscribe (fixture->harness->conn, fixture->subscription);
  of_harness_clear (&fixture->harness);
}

/* argv for the client as @user (NULL: root, the test's own user). */
static GPtrArray *
ctl_argv (const char *user, va_list args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;

  if (user)
    {
      g_ptr_array_add (argv, g_strdup ("setpriv"));
      g_ptr_array_add (argv, g_strdup_printf ("--reuid=%s", user));
      g_ptr_array_add (argv, g_strdup_printf ("--regid=%s", user));
      g_ptr_array_add (argv, g_strdup ("--clear-groups"));
    }
  g_ptr_array_add (argv, g_strdup (ctl_path ()));
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* English output whatever the developer's locale; the bus address comes
 * from the harness through the environment. */
static GSubprocessLauncher *
ctl_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  g_subprocess_launcher_unsetenv (launcher, "NO_COLOR");
  return launcher;
}

static Result
run_ctl (const char *user, ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  Result result = { -1, NULL, NULL };
  va_list args;

  va_start (args, user);
  argv = ctl_argv (user, args);
  va_end (args);
  command = g_strjoinv (" ", (char **) argv->pdata);

  /* stdin is a pipe, not a terminal: no authentication agent. */
  launcher = ctl_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result.out, &result.err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result.status = g_subprocess_get_exit_status (process);
  g_test_message ("%s → %d\nstdout: %s\nstderr: %s", command, result.status, result.out, result.err);
  return result;
}

/* Python's json module is the reference parser: evaluates @expression on
 * the parsed document `d` (or list of JSON lines, if @lines) and returns
 * json.dumps of the result.  Fails the test if the text is not JSON. */
static char *
json_eval (const char *text, gboolean lines, const char *expression)
{
  static const char program[] =
    "import json, sys\n"
    "text = sys.stdin.read()\n"
    "d = [json.loads(l) for l in text.splitlines() if l.strip()] if sys.argv[1] == 'lines' "
    "else json.loads(text)\n"
    "print(json.dumps(eval(sys.argv[2])))\n";
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              "python3", "-c", program, lines ? "lines" : "doc", expression, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("not valid JSON or %s failed: %s\n%s", expression, err, text);
  return g_strchomp (out);
}

static void
assert_json (const char *text, const char *expression, const char *expected)
{
  g_autofree char *value = json_eval (text, FALSE, expression);

  g_assert_cmpstr (value, ==, expected);
}

static guint64
get_t (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);

  return g_variant_get_uint64 (value);
}

static guint
get_q (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return g_variant_get_uint16 (value);
}

/* Writes need polkitd, which needs root; so do the test users. */
#define REQUIRE_POLKIT(fixture) \
  G_STMT_START { if (!of_harness_require_polkit ((fixture)->harness)) return; } G_STMT_END

/* The error is one line, prefixed with the program name. */
static void
assert_one_error_line (const Result *result, const char *needle)
{
  g_assert_true (g_str_has_prefix (result->err, "offlinefilesctl: "));
  g_assert_nonnull (strstr (result->err, needle));
  g_assert_cmpuint (strlen (result->err), >, 0);
  g_assert_true (strchr (result->err, '\n') == result->err + strlen (result->err) - 1);
  g_assert_null (strstr (result->err, "GDBus.Error"));
}

static void
test_status (Fixture *fixture, gconstpointer data)
{
  g_autofree char *next = NULL;

  (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "State: idle"));
    g_assert_nonnull (strstr (r.out, "Next sync: "));
    g_assert_nonnull (strstr (r.out, "(in "));
    g_assert_nonnull (strstr (r.out, "Last sync: never"));
    g_assert_nonnull (strstr (r.out, "Shares: 0"));
    g_assert_nonnull (strstr (r.out, "  SyncInterval: 360 min (6h)"));
    g_assert_nonnull (strstr (r.out, "  BackgroundSyncWorkOfflineSharesEnabled: no"));
    /* Not a terminal: no colour codes. */
    g_assert_null (strchr (r.out, '\033'));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "status", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "d['state']", "\"idle\"");
    next = g_strdup_printf ("%" G_GUINT64_FORMAT, get_t (fixture, "NextSyncTime"));
    assert_json (r.out, "d['next_sync_time_usec']", next);
    assert_json (r.out, "d['next_sync_time'].endswith('Z') and 'T' in d['next_sync_time']", "true");
    assert_json (r.out, "d['last_sync_start_time']", "null");
    assert_json (r.out, "d['last_sync_start_time_usec']", "0");
    assert_json (r.out, "d['last_sync_result']", "\"\"");
    assert_json (r.out, "d['current_sync_id']", "0");
    assert_json (r.out, "d['settings']",
                 "{\"SyncInterval\": 360, \"SyncVariance\": 60, \"MaxTimeBetweenSyncs\": 0, "
                 "\"BlockOutStartTimeHoursMinutes\": 0, \"BlockOutDurationMin\": 0, "
                 "\"BackgroundSyncWorkOfflineSharesEnabled\": false, \"SyncOnCostedNetworkEnabled\": false, "
                 "\"SyncOnBatteryEnabled\": true, \"SlowLinkProbeTimeoutSec\": 2, \"UserSharesEnabled\": true}");
    assert_json (r.out, "d['defer_reason']", "\"\"");
    assert_json (r.out, "d['locked_properties']", "[]");
    assert_json (r.out, "d['shares']", "[]");
  }
  {
    /* Reading needs no authorization. */
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "d['settings']['SyncInterval']", "360");
  }
}

static void
test_get (Fixture *fixture, gconstpointer data)
{
  (void) fixture; (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, "get", "SyncInterval", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "360\n");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "get", "BackgroundSyncWorkOfflineSharesEnabled", "State", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "false\nidle\n");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "get", "--json", "SyncInterval", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "d", "{\"SyncInterval\": 360}");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "--json", "get", "LockedProperties", "LastSyncResult", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "d", "{\"LockedProperties\": [], \"LastSyncResult\": \"\"}");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "get", "Syncinterval", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "Unknown property “Syncinterval”. Did you mean “SyncInterval”?");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "get", "SyncIntervall", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "Did you mean “SyncInterval”?");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "get", "Bogus", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "Unknown property “Bogus”.");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "get", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
}

static void
test_set (Fixture *fixture, gconstpointer data)
{
  (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, "set", "SyncInterval", "120", "SyncVariance", "30",
                                "BlockOutStartTimeHoursMinutes", "22:30", "BlockOutDurationMin", "480",
                                "BackgroundSyncWorkOfflineSharesEnabled", "yes", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_cmpstr (r.err, ==, "");
  }
  of_harness_settle (fixture->harness);
  /* Five values, one Configure, one PropertiesChanged. */
  g_assert_cmpuint (fixture->n_changes, ==, 1);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 120);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 30);
  g_assert_cmpuint (get_q (fixture, "BlockOutStartTimeHoursMinutes"), ==, 2230);
  g_assert_cmpuint (get_q (fixture, "BlockOutDurationMin"), ==, 480);
  g_assert_cmpuint (get_q (fixture, "BackgroundSyncWorkOfflineSharesEnabled"), ==, TRUE);

  {
    g_auto(Result) r = run_ctl (NULL, "set", "BlockOutStartTimeHoursMinutes", "0715",
                                "BackgroundSyncWorkOfflineSharesEnabled", "off", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  g_assert_cmpuint (get_q (fixture, "BlockOutStartTimeHoursMinutes"), ==, 715);
  g_assert_cmpuint (get_q (fixture, "BackgroundSyncWorkOfflineSharesEnabled"), ==, FALSE);

  of_harness_settle (fixture->harness);
  fixture->n_changes = 0;
  {
    /* The daemon's range check, in its words, in one line; nothing applied. */
    g_auto(Result) r = run_ctl (NULL, "set", "SyncVariance", "5", "SyncInterval", "1441", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_cmpstr (r.err, ==, "offlinefilesctl: Could not set SyncVariance, SyncInterval: "
                                "SyncInterval must be 0..1440 minutes, got 1441\n");
  }
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->n_changes, ==, 0);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 30);

  /* Usage errors never reach the daemon. */
  {
    const char *bad[][4] = {
      { "SyncInterval", "abc", "expected a number of minutes", NULL },
      { "SyncInterval", "-5", "Unknown option -5", NULL },
      { "SyncInterval", "70000", "expected a number of minutes", NULL },
      { "BlockOutStartTimeHoursMinutes", "22:75", "like 2230 or 22:30", NULL },
      { "BackgroundSyncWorkOfflineSharesEnabled", "maybe", "expected true or false", NULL },
      { "State", "idle", "State is read-only", NULL },
      { "SyncIntrval", "5", "Did you mean “SyncInterval”?", NULL },
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(Result) r = run_ctl (NULL, "set", bad[i][0], bad[i][1], NULL);
        g_assert_cmpint (r.status, ==, 2);
        assert_one_error_line (&r, bad[i][2]);
      }
  }
  {
    g_auto(Result) r = run_ctl (NULL, "set", "SyncInterval", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "set", "SyncInterval", "5", "SyncInterval", "6", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "more than once");
  }
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->n_changes, ==, 0);
}

static void
test_authorization (Fixture *fixture, gconstpointer data)
{
  (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "set", "SyncInterval", "90", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 90);
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "set", "SyncInterval", "91", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not set SyncInterval: Not authorized");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ASK, "--no-ask-password", "set", "SyncInterval", "92", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not set SyncInterval: Interactive authentication required");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "sync-now", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not start a sync: Not authorized");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "cancel", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not cancel the sync: Not authorized");
  }
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 90);
}

static void
on_sync_finished (GDBusConnection *conn, const char *sender, const char *path,
                  const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  char **message = user_data;

  (void) conn; (void) sender; (void) path; (void) iface; (void) signal;
  g_free (*message);
  g_variant_get (params, "(t&ss)", NULL, NULL, message);
}

static void
test_sync_now (Fixture *fixture, gconstpointer data)
{
  g_autofree char *message = NULL;
  g_autofree char *expected = NULL;
  guint subscription;

  (void) data;
  REQUIRE_POLKIT (fixture);
  subscription = g_dbus_connection_signal_subscribe (fixture->harness->conn, IFACE, IFACE, "SyncFinished",
                                                     "/org/offlinefiles/BackgroundSync", NULL,
                                                     G_DBUS_SIGNAL_FLAGS_NONE, on_sync_finished,
                                                     &message, NULL);
  {
    /* The daemon's own summary ("0 shares synced" without shares). */
    g_auto(Result) r = run_ctl (NULL, "sync-now", "--wait", NULL);
    g_assert_cmpint (r.status, ==, 0);
    of_harness_settle (fixture->harness);
    g_assert_nonnull (message);
    expected = g_strdup_printf ("%s\n", message);
    g_assert_cmpstr (r.out, ==, expected);
    g_assert_nonnull (strstr (r.out, "shares synced"));
  }
  g_dbus_connection_signal_unsubscribe (fixture->harness->conn, subscription);
  g_assert_cmpuint (get_t (fixture, "LastSyncStartTime"), >, 0);
  {
    g_auto(Result) r = run_ctl (NULL, "status", "--json", NULL);
    assert_json (r.out, "d['last_sync_result']", "\"success\"");
    assert_json (r.out, "d['last_sync_start_time_usec'] > 0 and d['last_sync_start_time'].endswith('Z')", "true");
  }
  {
    g_auto(Result) r = run_ctl (NULL, NULL);
    g_assert_nonnull (strstr (r.out, "Last sync: "));
    g_assert_nonnull (strstr (r.out, "), success\n"));
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "sync-now", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "Sync "));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "cancel", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "sync-now", "--json", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
}

static void
test_plan (Fixture *fixture, gconstpointer data)
{
  g_autofree char *next = NULL;

  (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, "plan", "--json", "5", NULL);
    g_assert_cmpint (r.status, ==, 0);
    next = g_strdup_printf ("%" G_GUINT64_FORMAT, get_t (fixture, "NextSyncTime"));
    assert_json (r.out, "len(d)", "5");
    assert_json (r.out, "d[0]['time_usec']", next);
    assert_json (r.out, "sorted(d[0].keys())", "[\"note\", \"reason\", \"time\", \"time_usec\"]");
    assert_json (r.out, "all(e['reason'] == 'scheduled' for e in d)", "true");
    assert_json (r.out, "all(a['time_usec'] < b['time_usec'] for a, b in zip(d, d[1:]))", "true");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "plan", NULL);
    g_auto(GStrv) lines = g_strsplit (r.out, "\n", -1);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpuint (g_strv_length (lines), ==, 10 + 1);
    g_assert_true (g_str_has_prefix (lines[0], "   1. "));
    g_assert_nonnull (strstr (lines[0], "scheduled"));
    g_assert_nonnull (strstr (lines[0], "in "));
  }
  {
    const char *bad[] = { "0", "1001", "x", "-1" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(Result) r = run_ctl (NULL, "plan", bad[i], NULL);
        g_assert_cmpint (r.status, ==, 2);
      }
  }
}

static void
test_shares (Fixture *fixture, gconstpointer data)
{
  (void) fixture; (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, "shares", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "No shares configured.\n");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "shares", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "d", "[]");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "shares", "--names", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "work-offline", "home", "on", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "No share named “home”");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "work-offline", "home", "sideways", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "work-offline", "home", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
}

/* Against a daemon that exports shares; skipped with one from before. */
static void
test_shares_configured (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  REQUIRE_POLKIT (fixture);
  objects = of_harness_call (fixture->harness, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                             NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  if (objects == NULL)
    {
      g_test_skip_printf ("the daemon exports no shares yet: %s", error->message);
      return;
    }
  {
    g_auto(Result) r = run_ctl (NULL, "shares", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "[s['name'] for s in d]", "[\"home\"]");
    assert_json (r.out, "(d[0]['user'], d[0]['enabled'], d[0]['work_offline'], d[0]['last_sync_time'])",
                 "[\"root\", true, false, null]");
    assert_json (r.out, "d[0]['local_path'].endswith('/local') and d[0]['remote_path'].endswith('/remote')",
                 "true");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "shares", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "home\n"));
    g_assert_nonnull (strstr (r.out, "Work offline: no\n"));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "shares", "--names", NULL);
    g_assert_cmpstr (r.out, ==, "home\n");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "work-offline", "hme", "on", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "No share named “hme”. Did you mean “home”?");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "work-offline", "home", "on", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not put home in work-offline mode: ");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "work-offline", "home", "on", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "status", "--json", NULL);
    assert_json (r.out, "[(s['name'], s['work_offline']) for s in d['shares']]", "[[\"home\", true]]");
  }
  {
    g_auto(Result) r = run_ctl (NULL, NULL);
    g_assert_nonnull (strstr (r.out, "Shares: 1\n"));
    g_assert_nonnull (strstr (r.out, "  home: working offline; never synced\n"));
  }
}

/* probe: the state found as the share's user, as text and JSON, exit 1
 * when offline; another user needs manage-shares. */
static void
test_probe (Fixture *fixture, gconstpointer data)
{
  g_autofree char *remote = g_build_filename (fixture->harness->dir, "remote", NULL);
  g_autofree char *moved = g_build_filename (fixture->harness->dir, "remote-moved", NULL);

  (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, "probe", "home", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "home: online\n");
  }
  g_assert_cmpint (g_rename (remote, moved), ==, 0);
  {
    g_auto(Result) r = run_ctl (NULL, "probe", "home", "--json", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_json (r.out, "(d['name'], d['connect_state'], d['offline_reason'])", "[\"home\", \"offline\", 4]");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "probe", "home", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_cmpstr (r.out, ==, "home: offline (disconnected)\n");
  }
  g_assert_cmpint (g_rename (moved, remote), ==, 0);
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "--no-ask-password", "probe", "home", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not check the connection of home: ");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "probe", "nosuch", NULL);
    g_assert_cmpint (r.status, ==, 1);
  }
}

/* A user keeps two of their folders offline, syncs them and lets them
 * go again, all through offlinefilesctl; and the refusals read well. */
static void
test_add_remove_share (Fixture *fixture, gconstpointer data)
{
  struct passwd *pw;
  uid_t uid;
  gid_t gid;
  g_autofree char *local = g_build_filename (fixture->harness->dir, "docs-local", NULL);
  g_autofree char *remote = g_build_filename (fixture->harness->dir, "docs-remote", NULL);
  g_autofree char *note = g_build_filename (local, "note.txt", NULL);
  g_autofree char *arrived = g_build_filename (remote, "note.txt", NULL);

  (void) data;
  REQUIRE_POLKIT (fixture);
  /* After the harness's own look-ups: getpwnam() has one static buffer. */
  pw = getpwnam (OF_TEST_USER_ALLOW);
  if (pw == NULL)
    {
      g_test_skip ("test user " OF_TEST_USER_ALLOW " does not exist (tools/install-deps.sh creates it)");
      return;
    }
  uid = pw->pw_uid;
  gid = pw->pw_gid;
  g_assert_cmpint (g_mkdir (local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (remote, 0755), ==, 0);
  g_assert_true (g_file_set_contents (note, "hello", -1, NULL));
  g_assert_cmpint (chown (local, uid, gid), ==, 0);
  g_assert_cmpint (chown (remote, uid, gid), ==, 0);
  g_assert_cmpint (chown (note, uid, gid), ==, 0);
  {
    /* Options before the command, their values apart: still the command. */
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "--timeout", "5", "add-share", "docs", local, remote, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "Share docs added; it is synchronized with the next synchronization.\n");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "shares", "--json", NULL);
    assert_json (r.out, "[(s['name'], s['user']) for s in d]", "[[\"docs\", \"" OF_TEST_USER_ALLOW "\"]]");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "sync-now", "--wait", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_file_test (arrived, G_FILE_TEST_IS_REGULAR));
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "add-share", "docs", local, remote, NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not add share docs: A share named docs exists already");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "add-share", ".dot", local, remote, NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not add share .dot: Share name \".dot\" is invalid");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "add-share", "x", local, remote, "--timeout", "soon", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "Invalid timeout “soon”");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "add-share", "x", local, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "remove-share", "docs", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not remove share docs: ");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "remove-share", "docs", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "Share docs removed; its folders are left as they are.\n");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_ALLOW, "shares", "--names", NULL);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_true (g_file_test (note, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (arrived, G_FILE_TEST_IS_REGULAR));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "remove-share", "docs", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not remove share docs: There is no share named \"docs\"");
  }
}

static void
put_file (Fixture *fixture, const char *side, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->harness->dir, side, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static char *
read_file (Fixture *fixture, const char *side, const char *name)
{
  g_autofree char *path = g_build_filename (fixture->harness->dir, side, name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

/* `conflicts` and `resolve` on real conflicts of the share "home". */
static void
test_conflicts (Fixture *fixture, gconstpointer data)
{
  (void) data;
  REQUIRE_POLKIT (fixture);
  put_file (fixture, "local", "a.txt", "base");
  put_file (fixture, "local", "b.txt", "base");
  put_file (fixture, "local", "c.txt", "base");
  {
    g_auto(Result) r = run_ctl (NULL, "sync-now", "--wait", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "conflicts", "home", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "No conflicts in home.\n");
  }
  g_usleep (1100 * 1000);
  put_file (fixture, "local", "a.txt", "mine");
  put_file (fixture, "remote", "a.txt", "theirs!");
  put_file (fixture, "local", "b.txt", "mine");
  put_file (fixture, "remote", "b.txt", "theirs");
  put_file (fixture, "local", "c.txt", "mine");
  put_file (fixture, "remote", "c.txt", "theirs");
  {
    g_auto(Result) r = run_ctl (NULL, "sync-now", "--wait", NULL);
    g_assert_cmpint (r.status, ==, 1);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "conflicts", "home", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "PATH "));
    g_assert_nonnull (strstr (r.out, "\na.txt "));
    g_assert_nonnull (strstr (r.out, " both-changed "));
    g_assert_nonnull (strstr (r.out, "\n3 conflicts.\n"));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "conflicts", "home", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    assert_json (r.out, "[(c['path'], c['reason'], c['local_size'], c['remote_size']) for c in d]",
                 "[[\"a.txt\", \"both-changed\", 4, 7], [\"b.txt\", \"both-changed\", 4, 6], "
                 "[\"c.txt\", \"both-changed\", 4, 6]]");
    assert_json (r.out, "all(c['detected_usec'] > 0 and c['local_modified'].endswith('Z') for c in d)", "true");
  }
  {
    /* For completion: the paths alone. */
    g_auto(Result) r = run_ctl (NULL, "conflicts", "home", "--names", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "a.txt\nb.txt\nc.txt\n");
  }
  {
    g_auto(Result) r = run_ctl (OF_TEST_USER_DENY, "conflicts", "home", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not list the conflicts of home: ");
    g_assert_null (strstr (r.err, "a.txt"));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "resolve", "home", "keep-mine", "a.txt", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "Unknown choice “keep-mine”");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "resolve", "home", "keep-local", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "resolve", "home", "keep-local", "a.txt", "nothing.txt", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "a.txt: resolved: keep-local\nnothing.txt: skipped: not in conflict\n");
  }
  {
    g_autofree char *here = read_file (fixture, "local", "a.txt");
    g_autofree char *there = read_file (fixture, "remote", "a.txt");

    g_assert_cmpstr (here, ==, "mine");
    g_assert_cmpstr (there, ==, "mine");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "resolve", "home", "keep-remote", "--all", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "b.txt: resolved: keep-remote\nc.txt: resolved: keep-remote\n");
  }
  {
    g_autofree char *here = read_file (fixture, "local", "c.txt");

    g_assert_cmpstr (here, ==, "theirs");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "conflicts", "home", NULL);
    g_assert_cmpstr (r.out, ==, "No conflicts in home.\n");
  }
}

static void
test_usage (Fixture *fixture, gconstpointer data)
{
  (void) fixture; (void) data;
  REQUIRE_POLKIT (fixture);
  {
    g_auto(Result) r = run_ctl (NULL, "synx-now", NULL);
    g_assert_cmpint (r.status, ==, 2);
    assert_one_error_line (&r, "Unknown command “synx-now”. Did you mean “sync-now”?");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "--bogus", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "cancel", "now", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run_ctl (NULL, "--version", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "offlinefilesctl "));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "--help", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "sync-now"));
    g_assert_nonnull (strstr (r.out, "work-offline SHARE on|off"));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "set", "--help", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "set NAME VALUE [NAME VALUE…]"));
    g_assert_nonnull (strstr (r.out, "BlockOutStartTimeHoursMinutes"));
  }
  {
    g_auto(Result) r = run_ctl (NULL, "sync-now", "--help", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "--wait"));
  }
}

static void
test_no_daemon (Fixture *fixture, gconstpointer data)
{
  (void) data;
  REQUIRE_POLKIT (fixture);
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  {
    g_auto(Result) r = run_ctl (NULL, "status", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "offlinefiles-syncd is not running");
  }
  {
    g_auto(Result) r = run_ctl (NULL, "set", "SyncInterval", "5", NULL);
    g_assert_cmpint (r.status, ==, 1);
    assert_one_error_line (&r, "Could not set SyncInterval: ");
  }
}

/* ------------------------------------------------------------ monitor */

typedef struct {
  gboolean  done;
  char     *line;
} LineRead;

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  read->done = TRUE;
}

static char *
read_line (GDataInputStream *in, guint timeout_ms)
{
  LineRead read = { FALSE, NULL };

  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, on_line, &read);
  if (!of_harness_wait_for (&read.done, timeout_ms))
    g_error ("monitor printed nothing for %u ms", timeout_ms);
  return read.line;
}

static void
test_monitor (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocessLauncher) launcher = ctl_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) monitor = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean subscribed = FALSE, finished = FALSE;

  (void) data;
  REQUIRE_POLKIT (fixture);
  monitor = g_subprocess_launcher_spawn (launcher, &error, ctl_path (), "monitor", "--json", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (monitor));

  /* Until the monitor shows a change, it may not have subscribed yet:
   * change a setting every half second until it reports one.  One read
   * stays pending across the tries. */
  {
    LineRead read = { FALSE, NULL };

    g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, on_line, &read);
    for (guint16 interval = 100; !read.done && interval < 140; interval++)
      {
        g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (interval), &error));
        g_assert_no_error (error);
        of_harness_wait_for (&read.done, 500);
      }
    g_assert_true (read.done);
    g_assert_nonnull (read.line);
    g_string_append_printf (lines, "%s\n", read.line);
    subscribed = strstr (read.line, "\"PropertiesChanged\"") != NULL;
    g_free (read.line);
  }
  g_assert_true (subscribed);

  {
    g_autoptr(GVariant) reply = of_harness_call (fixture->harness, IFACE, "SyncNow", NULL,
                                                 G_DBUS_CALL_FLAGS_NONE, &error);
    g_assert_no_error (error);
    g_assert_nonnull (reply);
  }
  while (!finished)
    {
      g_autofree char *line = read_line (in, 10000);
      g_assert_nonnull (line);
      g_string_append_printf (lines, "%s\n", line);
      finished = strstr (line, "\"SyncFinished\"") != NULL;
    }

  g_subprocess_send_signal (monitor, SIGINT);
  g_subprocess_wait (monitor, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (monitor));
  g_assert_cmpint (g_subprocess_get_exit_status (monitor), ==, 0);

  g_test_message ("monitor: %s", lines->str);
  {
    g_autofree char *first = json_eval (lines->str, TRUE, "100 <= [e for e in d if e['event'] == 'PropertiesChanged'][0]['changed']['SyncInterval'] < 140");
    g_autofree char *pair = json_eval (lines->str, TRUE,
                                       "[(e['event'], e['id'], e.get('reason'), e.get('result')) for e in d "
                                       "if e['event'] in ('SyncStarted', 'SyncFinished')]");
    g_autofree char *same_id = json_eval (lines->str, TRUE,
                                          "len({e['id'] for e in d if e['event'].startswith('Sync')})");
    g_autofree char *times = json_eval (lines->str, TRUE, "all(e['time'].endswith('Z') and e['time_usec'] > 0 for e in d)");
    g_assert_cmpstr (first, ==, "true");
    g_assert_true (g_str_has_prefix (pair, "[[\"SyncStarted\", "));
    g_assert_nonnull (strstr (pair, "\"manual\", null], [\"SyncFinished\", "));
    g_assert_true (g_str_has_suffix (pair, "null, \"success\"]]"));
    g_assert_cmpstr (same_id, ==, "1");
    g_assert_cmpstr (times, ==, "true");
  }
}

/* ---------------------------------------------------------------- pty */

/* Runs the client as @user on a new pseudo-terminal, collects what it
 * shows until @wanted appears or it exits, then hangs up.  Returns the
 * collected output; *status is the exit status, or -1 if it was still
 * running and had to be hung up on. */
static char *
run_in_pty (const char *user, const char *wanted, int *status, const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) output = g_string_new (NULL);
  g_auto(GStrv) envp = g_get_environ ();
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  int master, wstatus;
  gboolean exited = FALSE;
  pid_t pid;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%s", user));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%s", user));
  g_ptr_array_add (argv, g_strdup ("--clear-groups"));
  g_ptr_array_add (argv, g_strdup (ctl_path ()));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_unsetenv (envp, "LANGUAGE");

  pid = forkpty (&master, NULL, NULL, NULL);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execve ((const char *) argv->pdata[0], (char **) argv->pdata, envp);
      _exit (127);
    }

  while (g_get_monotonic_time () < end && strstr (output->str, wanted) == NULL)
    {
      struct pollfd pfd = { .fd = master, .events = POLLIN };
      char buffer[1024];
      ssize_t n;

      if (poll (&pfd, 1, 100) > 0)
        {
          n = read (master, buffer, sizeof buffer);
          if (n > 0)
            g_string_append_len (output, buffer, n);
          else if (n < 0 && errno != EINTR && errno != EAGAIN)
            break;   /* EIO: every process on the terminal is gone */
        }
      else if (waitpid (pid, &wstatus, WNOHANG) == pid)
        {
          exited = TRUE;
          break;
        }
    }

  /* Hang up: the client and its agent get SIGHUP, as on a closed terminal. */
  close (master);
  if (!exited)
    {
      for (int i = 0; i < 50 && waitpid (pid, &wstatus, WNOHANG) == 0; i++)
        g_usleep (100 * 1000);
      if (kill (pid, 0) == 0)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &wstatus, 0);
        }
      *status = -1;
    }
  else
    *status = WIFEXITED (wstatus) ? WEXITSTATUS (wstatus) : -1;
  g_test_message ("pty output: %s", output->str);
  return g_string_free (g_steal_pointer (&output), FALSE);
}

/* Waits up to 10 s for @first in the daemon's log (it runs with
 * --verbose) and, after it, @then or @or_then. */
static gboolean
daemon_logged (Fixture *fixture, const char *first, const char *then, const char *or_then)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  do
    {
      g_autofree char *log = NULL;
      const char *at;

      if (g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL) &&
          (at = strstr (log, first)) != NULL &&
          (strstr (at, then) != NULL || strstr (at, or_then) != NULL))
        return TRUE;
      g_usleep (50 * 1000);
    }
  while (g_get_monotonic_time () < end);
  return FALSE;
}

static void
test_pty_agent (Fixture *fixture, gconstpointer data)
{
  const char *ask[] = { "set", "SyncInterval", "100", NULL };
  const char *no_ask[] = { "--no-ask-password", "set", "SyncInterval", "100", NULL };
  g_autofree char *shown = NULL;
  g_autofree char *refused = NULL;
  int status;

  (void) data;
  REQUIRE_POLKIT (fixture);

  /* On a terminal, a challenge reaches the text agent the client started
   * for itself: polkit's prompt appears there. */
  /* Waits for the prompt's last line: the first may arrive alone. */
  shown = run_in_pty (OF_TEST_USER_ASK, "Authentication is required to change when offline folders are synchronized.",
                      &status, ask);
  g_assert_nonnull (strstr (shown, "AUTHENTICATING FOR org.offlinefiles.backgroundsync.configure"));
  g_assert_nonnull (strstr (shown, "Authentication is required to change when offline folders are synchronized."));
  /* The hang-up killed the caller while polkitd waited for a password:
   * the daemon has polkitd drop the check, and polkitd's answer frees
   * its place. */
  g_assert_true (daemon_logged (fixture, "Cancelling the polkit check of org.offlinefiles.backgroundsync.configure",
                                "failed: GDBus.Error:org.freedesktop.PolicyKit1.Error",
                                "org.offlinefiles.backgroundsync.configure not authorized for"));

  /* Without interaction, the same call fails at once with a clear line. */
  refused = run_in_pty (OF_TEST_USER_ASK, "\n", &status, no_ask);
  g_assert_null (strstr (refused, "AUTHENTICATING"));
  g_assert_nonnull (strstr (refused, "Interactive authentication required"));
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
}

/* --help in German from the catalog of po/ (the installed client reads
 * the same file from its install prefix); English without LANGUAGE. */
static char *
help_in (const char *language)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  const char *ctl = g_getenv ("OF_CTL_UNINSTALLED");

  g_assert_nonnull (ctl);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (language)
    g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  process = g_subprocess_launcher_spawn (launcher, &error, ctl, "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return out;
}

static void
test_help_translated (void)
{
  g_autofree char *german = help_in ("de");
  g_autofree char *english = help_in (NULL);

  g_assert_nonnull (strstr (german, "Anzeigen und ändern, wann Offline-Ordner synchronisiert werden."));
  g_assert_nonnull (strstr (german, "Zustand, Zeitplan, Einstellungen und Freigaben anzeigen (Standard)"));
  g_assert_nonnull (strstr (english, "Show and change when offline folders are synchronized."));
  g_assert_null (strstr (english, "Anzeigen"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/client/" path, Fixture, NULL, setup, func, teardown)
  ADD ("status", test_status);
  ADD ("get", test_get);
  ADD ("set", test_set);
  ADD ("authorization", test_authorization);
  ADD ("sync-now", test_sync_now);
  ADD ("plan", test_plan);
  ADD ("shares", test_shares);
  g_test_add ("/client/shares-configured", Fixture, NULL, setup_with_share, test_shares_configured, teardown);
  g_test_add ("/client/conflicts", Fixture, NULL, setup_with_share, test_conflicts, teardown);
  g_test_add ("/client/probe", Fixture, NULL, setup_with_share, test_probe, teardown);
  ADD ("add-remove-share", test_add_remove_share);
  ADD ("usage", test_usage);
  ADD ("no-daemon", test_no_daemon);
  ADD ("monitor", test_monitor);
  ADD ("pty-agent", test_pty_agent);
  g_test_add_func ("/client/help-translated", test_help_translated);
#undef ADD
  return g_test_run ();
}
