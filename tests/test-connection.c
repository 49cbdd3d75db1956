/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-connection.c — docs/behaviour.md §14 through the real daemon:
 * syncs held back on a metered network and on battery (python-dbusmock's
 * NetworkManager and UPower on the private bus), the MachineConfiguration
 * settings, and each share's connection state from real probes as the
 * share's user (a hanging and a slow FUSE server, an unmounted
 * MountPoint=, a missing server copy, WorkOffline). */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define MACHINE_IFACE "org.offlinefiles.MachineConfiguration"
#define SHARE_IFACE "org.offlinefiles.Share"
#define NM "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"
#define UPOWER "org.freedesktop.UPower"
#define UPOWER_PATH "/org/freedesktop/UPower"
#define USER OF_TEST_USER_ALLOW
#define MINUTE G_GINT64_CONSTANT (60000000)

typedef struct {
  OfHarness   *harness;
  GPtrArray   *events;   /* OfSyncEvent, owned by the harness */
  GSubprocess *nm;
  GSubprocess *upower;
  GSubprocess *fuse;
  char        *fuse_dir;
  uid_t        uid;
  gid_t        gid;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_setenv ("TZ", "UTC", TRUE);
  fixture->harness = of_harness_new (TRUE);
  fixture->events = of_harness_watch_syncs (fixture->harness);
  of_harness_lookup_user (USER, &fixture->uid, &fixture->gid);
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  g_subprocess_force_exit (*process);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  if (fixture->harness->daemon)
    g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  stop_process (&fixture->nm);
  stop_process (&fixture->upower);
  of_harness_unmount_hanging_fs (&fixture->fuse, fixture->fuse_dir);
  g_free (fixture->fuse_dir);
  g_clear_pointer (&fixture->harness, of_harness_free);
  g_unsetenv ("TZ");
}

/* A sync is due at once (its last one two hours ago, every hour). */
static void
make_sync_due (Fixture *fixture, const char *more_settings)
{
  gint64 now = g_get_real_time ();
  gint64 last = now - 120 * MINUTE;
  g_autofree char *state = g_strdup_printf ("[State]\nFirstStart=%" G_GINT64_FORMAT "\nNextSyncId=5\n"
                                            "LastSyncStart=%" G_GINT64_FORMAT "\nLastSyncFinish=%" G_GINT64_FORMAT "\n"
                                            "LastSyncResult=success\nLastSuccessfulSyncStart=%" G_GINT64_FORMAT "\n",
                                            now - 600 * MINUTE, last, last, last);
  g_autofree char *settings = g_strdup_printf ("[BackgroundSync]\nSyncInterval=60\nSyncVariance=0\n%s",
                                               more_settings ? more_settings : "");

  of_harness_write_file (fixture->harness->state_dir, "state", state);
  of_harness_write_file (fixture->harness->config_dir, "background-sync.conf", settings);
}

static char *
get_s (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  return g_variant_dup_string (value, NULL);
}

static GVariant *
get_machine (Fixture *fixture, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "Get",
                                               g_variant_new ("(ss)", MACHINE_IFACE, name),
                                               G_DBUS_CALL_FLAGS_NONE, &error);
  GVariant *value;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static gboolean
set_machine (Fixture *fixture, const char *interface_name, const char *name, GVariant *value, GError **error)
{
  g_autoptr(GVariant) reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "Set",
                                               g_variant_new ("(ssv)", interface_name, name, value),
                                               G_DBUS_CALL_FLAGS_NONE, error);
  return reply != NULL;
}

static guint
count_events (Fixture *fixture, const char *name)
{
  guint n = 0;

  for (guint i = 0; i < fixture->events->len; i++)
    n += g_str_equal (((OfSyncEvent *) fixture->events->pdata[i])->name, name);
  return n;
}

/* Runs the main context for @ms: signals arrive meanwhile. */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* The first SyncStarted, waited for at most @timeout_ms. */
static OfSyncEvent *
wait_started (Fixture *fixture, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      for (guint i = 0; i < fixture->events->len; i++)
        if (g_str_equal (((OfSyncEvent *) fixture->events->pdata[i])->name, "SyncStarted"))
          return fixture->events->pdata[i];
      if (g_get_monotonic_time () > end)
        return NULL;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* The first SyncStarted, which must come within a second of @since
 * (when @what happened). */
static OfSyncEvent *
assert_started_soon_after (Fixture *fixture, gint64 since, const char *what)
{
  OfSyncEvent *started = wait_started (fixture, 5000);

  g_assert_nonnull (started);
  g_test_message ("started %.3f s after %s", (started->at - since) / 1e6, what);
  g_assert_cmpint (started->at - since, <, G_USEC_PER_SEC);
  return started;
}

static void
wait_deferred (Fixture *fixture, const char *reason)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *state = get_s (fixture, "State");
      g_autofree char *why = get_s (fixture, "DeferReason");

      if (g_str_equal (state, "deferred") && g_str_equal (why, reason))
        return;
      if (g_get_monotonic_time () > end)
        g_error ("not deferred (%s) but %s/%s", reason, state, why);
      g_usleep (20 * 1000);
    }
}

static void
start_nm (Fixture *fixture, guint32 metered)
{
  fixture->nm = of_harness_start_mock (fixture->harness, "networkmanager", NULL, NM);
  /* The template has no Metered (TESTING.md): add it. */
  of_harness_mock_call (fixture->harness, NM, NM_PATH, "AddProperty",
                        g_variant_new ("(ssv)", NM, "Metered", g_variant_new_uint32 (metered)));
}

static void
set_metered (Fixture *fixture, guint32 metered)
{
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&props, "{sv}", "Metered", g_variant_new_uint32 (metered));
  of_harness_mock_call (fixture->harness, NM, NM_PATH, "UpdateProperties",
                        g_variant_new ("(sa{sv})", NM, &props));
}

/* Metered (yes, then guess-yes) holds the due sync back with its time;
 * unmetered starts it within a second, with the reason it would have had. */
static void
test_costed_network (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GVariant) next = NULL;
  OfSyncEvent *started;
  gint64 released;

  (void) data;
  start_nm (fixture, 1 /* yes */);
  make_sync_due (fixture, NULL);
  of_harness_start_daemon (fixture->harness, NULL);
  /* Read at start-up, before the due sync could start. */
  wait_deferred (fixture, "costed-network");
  next = of_harness_get (fixture->harness, "NextSyncTime");
  g_assert_cmpuint (g_variant_get_uint64 (next), >, 0);
  g_assert_cmpuint (g_variant_get_uint64 (next), <=, (guint64) g_get_real_time ());
  run_for (1500);
  g_assert_cmpuint (count_events (fixture, "SyncStarted"), ==, 0);

  set_metered (fixture, 3 /* guess-yes */);
  run_for (1000);
  g_assert_cmpuint (count_events (fixture, "SyncStarted"), ==, 0);
  wait_deferred (fixture, "costed-network");

  released = g_get_real_time ();
  set_metered (fixture, 4 /* guess-no */);
  started = assert_started_soon_after (fixture, released, "the network became unmetered");
  g_assert_cmpstr (started->detail, ==, "catch-up");

  /* The journal's "sync deferred" event: once for the deferral, however
   * the metered state changed while it lasted. */
  {
    g_autofree char *log = NULL;
    g_auto(GStrv) pieces = NULL;

    g_assert_true (g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL));
    pieces = g_strsplit (log, "is deferred (costed-network)", -1);
    g_assert_cmpuint (g_strv_length (pieces), ==, 2);
  }
}

/* Absent, NetworkManager defers nothing; its return is noticed; its
 * disappearance ends a deferral. */
static void
test_nm_vanishes_and_returns (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder settings;
  gint64 gone;

  (void) data;
  make_sync_due (fixture, NULL);
  /* Nothing is planned until SyncInterval is set below. */
  of_harness_write_file (fixture->harness->config_dir, "background-sync.conf", "[BackgroundSync]\nSyncInterval=0\nSyncVariance=0\n");
  of_harness_start_daemon (fixture->harness, NULL);
  start_nm (fixture, 0);
  set_metered (fixture, 1);
  run_for (500);

  g_variant_builder_init (&settings, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&settings, "{sv}", "SyncInterval", g_variant_new_uint16 (60));
  reply = of_harness_call (fixture->harness, IFACE, "Configure", g_variant_new ("(a{sv})", &settings),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  wait_deferred (fixture, "costed-network");
  run_for (1000);
  g_assert_cmpuint (count_events (fixture, "SyncStarted"), ==, 0);

  gone = g_get_real_time ();
  stop_process (&fixture->nm);
  assert_started_soon_after (fixture, gone, "NetworkManager left");
}

/* SyncOnBatteryEnabled=false holds a due sync back while on battery. */
static void
test_on_battery (Fixture *fixture, gconstpointer data)
{
  GVariantBuilder props;
  gint64 released;

  (void) data;
  fixture->upower = of_harness_start_mock (fixture->harness, "upower", "{\"OnBattery\": true}", UPOWER);
  make_sync_due (fixture, "[MachineConfiguration]\nSyncOnBatteryEnabled=false\n");
  of_harness_start_daemon (fixture->harness, NULL);
  wait_deferred (fixture, "on-battery");
  run_for (1500);
  g_assert_cmpuint (count_events (fixture, "SyncStarted"), ==, 0);

  released = g_get_real_time ();
  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&props, "{sv}", "OnBattery", g_variant_new_boolean (FALSE));
  of_harness_mock_call (fixture->harness, UPOWER, UPOWER_PATH, "UpdateProperties",
                        g_variant_new ("(sa{sv})", UPOWER, &props));
  assert_started_soon_after (fixture, released, "mains power came back");
}

/* On battery with the default SyncOnBatteryEnabled=true: nothing waits.
 * And a held-back sync starts when the setting allows it. */
static void
test_setting_releases (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 released;

  (void) data;
  fixture->upower = of_harness_start_mock (fixture->harness, "upower", "{\"OnBattery\": true}", UPOWER);
  start_nm (fixture, 1);
  make_sync_due (fixture, NULL);
  of_harness_start_daemon (fixture->harness, NULL);
  wait_deferred (fixture, "costed-network");
  released = g_get_real_time ();
  g_assert_true (set_machine (fixture, MACHINE_IFACE, "SyncOnCostedNetworkEnabled", g_variant_new_boolean (TRUE), &error));
  g_assert_no_error (error);
  assert_started_soon_after (fixture, released, "the setting allowed it");
}

/* A manual sync ignores deferral. */
static void
test_sync_now_while_deferred (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  OfSyncEvent *started;
  GPtrArray *changes;

  (void) data;
  start_nm (fixture, 1);
  make_sync_due (fixture, NULL);
  of_harness_start_daemon (fixture->harness, NULL);
  wait_deferred (fixture, "costed-network");
  changes = of_harness_watch_properties (fixture->harness);
  reply = of_harness_call (fixture->harness, IFACE, "SyncNow", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  started = wait_started (fixture, 5000);
  g_assert_nonnull (started);
  g_assert_cmpstr (started->detail, ==, "manual");

  /* The manual sync was the one held back: from its start on, State is
   * never "deferred" without a reason, not even between its end and the
   * next plan. */
  {
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    guint states = 0;

    while (count_events (fixture, "SyncFinished") == 0 && g_get_monotonic_time () < end)
      run_for (20);
    g_assert_cmpuint (count_events (fixture, "SyncFinished"), ==, 1);
    of_harness_settle (fixture->harness);
    for (guint i = 0; i < changes->len; i++)
      {
        const char *state = NULL;

        if (g_variant_lookup (changes->pdata[i], "State", "&s", &state))
          {
            g_test_message ("State: %s", state);
            g_assert_cmpstr (state, !=, "deferred");
            states++;
          }
      }
    /* syncing, then what comes after it. */
    g_assert_cmpuint (states, >=, 2);
  }
}

typedef struct {
  guint n;
  char *last_interface;
} Changes;

static void
on_properties_changed (GDBusConnection *connection, const char *sender, const char *path,
                       const char *interface_name, const char *signal_name, GVariant *parameters,
                       gpointer user_data)
{
  Changes *changes = user_data;
  const char *changed_interface;

  (void) connection; (void) sender; (void) path; (void) interface_name; (void) signal_name;
  g_variant_get_child (parameters, 0, "&s", &changed_interface);
  if (g_str_equal (changed_interface, MACHINE_IFACE))
    changes->n++;
}

/* The four settings of SPEC 12.2: types, ranges, Set on their own
 * interface only, Configure, one PropertiesChanged, persistence, locks. */
static void
test_machine_settings (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autofree char *file = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *dropins = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", NULL);
  GVariantBuilder settings;
  Changes changes = { 0 };
  guint id;

  (void) data;
  of_harness_start_daemon (fixture->harness, NULL);
  value = get_machine (fixture, "SyncOnCostedNetworkEnabled");
  g_assert_false (g_variant_get_boolean (value));
  g_clear_pointer (&value, g_variant_unref);
  value = get_machine (fixture, "SyncOnBatteryEnabled");
  g_assert_true (g_variant_get_boolean (value));
  g_clear_pointer (&value, g_variant_unref);
  value = get_machine (fixture, "SlowLinkProbeTimeoutSec");
  g_assert_cmpuint (g_variant_get_uint16 (value), ==, 2);
  g_clear_pointer (&value, g_variant_unref);
  value = get_machine (fixture, "UserSharesEnabled");
  g_assert_true (g_variant_get_boolean (value));
  g_clear_pointer (&value, g_variant_unref);

  id = g_dbus_connection_signal_subscribe (fixture->harness->conn, NULL, "org.freedesktop.DBus.Properties",
                                           "PropertiesChanged", "/org/offlinefiles/BackgroundSync", NULL,
                                           G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, &changes, NULL);

  /* Wrong type, out of range, wrong interface: refused, nothing changes. */
  g_assert_false (set_machine (fixture, MACHINE_IFACE, "SlowLinkProbeTimeoutSec", g_variant_new_uint32 (5), &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_false (set_machine (fixture, MACHINE_IFACE, "SlowLinkProbeTimeoutSec", g_variant_new_uint16 (31), &error));
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "SlowLinkProbeTimeoutSec must be 1..30 seconds, got 31"));
  g_clear_error (&error);
  g_assert_false (set_machine (fixture, IFACE, "SyncOnBatteryEnabled", g_variant_new_boolean (FALSE), &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (set_machine (fixture, MACHINE_IFACE, "SlowLinkProbeTimeoutSec", g_variant_new_uint16 (5), &error));
  g_assert_no_error (error);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (changes.n, ==, 1);
  value = get_machine (fixture, "SlowLinkProbeTimeoutSec");
  g_assert_cmpuint (g_variant_get_uint16 (value), ==, 5);
  g_clear_pointer (&value, g_variant_unref);

  /* Configure takes both interfaces' settings at once: one signal each. */
  g_variant_builder_init (&settings, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&settings, "{sv}", "SyncOnCostedNetworkEnabled", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&settings, "{sv}", "UserSharesEnabled", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&settings, "{sv}", "SyncInterval", g_variant_new_uint16 (120));
  reply = of_harness_call (fixture->harness, IFACE, "Configure", g_variant_new ("(a{sv})", &settings),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (changes.n, ==, 2);

  config_path = of_harness_config_path (fixture->harness);
  g_file_get_contents (config_path, &file, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (file, "[MachineConfiguration]"));
  g_assert_nonnull (strstr (file, "SyncOnCostedNetworkEnabled=true"));
  g_assert_nonnull (strstr (file, "SlowLinkProbeTimeoutSec=5"));
  g_assert_nonnull (strstr (file, "UserSharesEnabled=false"));

  /* Persistence across a restart. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  /* A lock from a drop-in: listed, refused for everyone, root included. */
  of_harness_write_file (dropins, "50-fleet.conf", "[MachineConfiguration]\nSyncOnBatteryEnabled=false\n");
  of_harness_start_daemon (fixture->harness, NULL);
  value = get_machine (fixture, "SlowLinkProbeTimeoutSec");
  g_assert_cmpuint (g_variant_get_uint16 (value), ==, 5);
  g_clear_pointer (&value, g_variant_unref);
  value = get_machine (fixture, "SyncOnBatteryEnabled");
  g_assert_false (g_variant_get_boolean (value));
  locked = of_harness_get (fixture->harness, "LockedProperties");
  {
    g_autofree const char **names = g_variant_get_strv (locked, NULL);
    g_assert_true (g_strv_contains (names, "SyncOnBatteryEnabled"));
  }
  g_assert_false (set_machine (fixture, MACHINE_IFACE, "SyncOnBatteryEnabled", g_variant_new_boolean (TRUE), &error));
  g_assert_true (g_dbus_error_is_remote_error (error));
  {
    g_autofree char *name = g_dbus_error_get_remote_error (error);
    g_assert_cmpstr (name, ==, "org.offlinefiles.BackgroundSync.Error.Locked");
  }
  g_dbus_connection_signal_unsubscribe (fixture->harness->conn, id);
}

/* ------------------------------------------------------------ shares */

static char *
share_path (const char *name)
{
  return g_strdup_printf ("/org/offlinefiles/BackgroundSync/share/%s", name);
}

static guint
share_u (Fixture *fixture, const char *name, const char *property)
{
  g_autofree char *path = share_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                                           path, "org.freedesktop.DBus.Properties", "Get",
                                                           g_variant_new ("(ss)", SHARE_IFACE, property),
                                                           G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                                           5000, NULL, &error);
  g_autoptr(GVariant) value = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return g_variant_get_uint64 (value) != 0;
  return g_variant_get_uint32 (value);
}

/* Share.Probe() as root; returns its (state, reason). */
static void
probe (Fixture *fixture, const char *name, guint *state, guint *reason)
{
  g_autofree char *path = share_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                                           path, SHARE_IFACE, "Probe", NULL, G_VARIANT_TYPE ("(uu)"),
                                                           G_DBUS_CALL_FLAGS_NONE, 60000, NULL, &error);

  g_assert_no_error (error);
  g_variant_get (reply, "(uu)", state, reason);
}

/* Online; WorkOffline gives 1/2 at once, without a probe; a missing
 * server copy gives 4; and the share's own user may probe. */
static void
test_probe_states (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *gone_local = NULL, *gone_remote = NULL;
  g_autofree char *path = share_path ("home");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint state, reason;

  (void) data;
  if (!of_harness_require_user (USER, "run probes as another user") || !of_harness_require_polkit (fixture->harness))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  gone_local = of_harness_user_dir (fixture->harness, "gone-local", fixture->uid, fixture->gid);
  gone_remote = g_build_filename (fixture->harness->dir, "no-server", "remote", NULL);
  of_harness_write_share (fixture->harness, "home", local, remote, USER, NULL);
  of_harness_write_share (fixture->harness, "gone", gone_local, gone_remote, USER, NULL);
  of_harness_start_daemon (fixture->harness, NULL);

  /* Never probed yet (no sync, no NetworkManager): unknown. */
  g_assert_cmpuint (share_u (fixture, "home", "ConnectState"), ==, 0);
  g_assert_cmpuint (share_u (fixture, "home", "LastProbeTime"), ==, 0);
  probe (fixture, "home", &state, &reason);
  g_assert_cmpuint (state, ==, 2);
  g_assert_cmpuint (reason, ==, 1);
  g_assert_cmpuint (share_u (fixture, "home", "ConnectState"), ==, 2);
  g_assert_cmpuint (share_u (fixture, "home", "OfflineReason"), ==, 1);
  g_assert_cmpuint (share_u (fixture, "home", "LastProbeTime"), ==, 1);

  probe (fixture, "gone", &state, &reason);
  g_assert_cmpuint (state, ==, 1);
  g_assert_cmpuint (reason, ==, 4);
  g_assert_false (g_file_test (gone_remote, G_FILE_TEST_EXISTS));

  /* The share's user, without asking polkit. */
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, USER, &out, &err, "--dest", "org.offlinefiles.BackgroundSync",
                                        "--object-path", path, "--method", SHARE_IFACE ".Probe", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "(uint32 2, uint32 1)"));
  /* Anyone else needs manage-shares: refused, and nothing is probed for them. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out, &err, "--dest",
                                        "org.offlinefiles.BackgroundSync", "--object-path", path, "--method",
                                        SHARE_IFACE ".Probe", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "AccessDenied"));

  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync", path,
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline", g_variant_new_boolean (TRUE)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  /* At once: already when the write's reply arrives. */
  g_assert_cmpuint (share_u (fixture, "home", "ConnectState"), ==, 1);
  g_assert_cmpuint (share_u (fixture, "home", "OfflineReason"), ==, 2);
  probe (fixture, "home", &state, &reason);
  g_assert_cmpuint (state, ==, 1);
  g_assert_cmpuint (reason, ==, 2);
}

/* MountPoint= not mounted: 100 at once, and a sync skips the share with
 * its reason while the others proceed. */
static void
test_not_mounted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *mount = NULL, *remote = NULL, *fine_local = NULL, *fine_remote = NULL;
  g_autofree char *extra = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint state, reason;
  gint64 end;

  (void) data;
  if (!of_harness_require_user (USER, "run probes as another user"))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  mount = of_harness_user_dir (fixture->harness, "mnt", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "mnt/home", fixture->uid, fixture->gid);
  extra = g_strdup_printf ("MountPoint=%s\n", mount);
  of_harness_write_share (fixture->harness, "nfs", local, remote, USER, extra);
  fine_local = of_harness_user_dir (fixture->harness, "fine-local", fixture->uid, fixture->gid);
  fine_remote = of_harness_user_dir (fixture->harness, "fine-remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "fine", fine_local, fine_remote, USER, NULL);
  of_harness_start_daemon (fixture->harness, NULL);

  probe (fixture, "nfs", &state, &reason);
  g_assert_cmpuint (state, ==, 1);
  g_assert_cmpuint (reason, ==, 100);

  reply = of_harness_call (fixture->harness, IFACE, "SyncNow", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (count_events (fixture, "SyncFinished") == 0 && g_get_monotonic_time () < end)
    run_for (50);
  g_assert_cmpuint (count_events (fixture, "SyncFinished"), ==, 1);
  {
    OfSyncEvent *finished = fixture->events->pdata[fixture->events->len - 1];

    g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
    g_assert_cmpstr (finished->detail, ==, "partial");
    g_assert_nonnull (strstr (finished->message, "share nfs failed: offline: not mounted"));
  }
}

/* Mounts tests/hanging-fs.py (with @delay: a slow server) on a fresh
 * directory; FALSE (the test skipped) where FUSE cannot be used. */
static gboolean
mount_fuse (Fixture *fixture, const char *delay)
{
  fixture->fuse_dir = g_build_filename (fixture->harness->dir, "server", NULL);
  fixture->fuse = of_harness_mount_hanging_fs (fixture->fuse_dir, delay);
  return fixture->fuse != NULL;
}

/* The daemon's child processes, from every thread's children list. */
static guint
daemon_children (Fixture *fixture)
{
  g_autofree char *task_dir = g_strdup_printf ("/proc/%s/task", g_subprocess_get_identifier (fixture->harness->daemon));
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  const char *tid;
  guint n = 0;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (task_dir, tid, "children", NULL);
      g_autofree char *children = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &children, NULL, NULL))
        continue;
      pids = g_strsplit (g_strstrip (children), " ", -1);
      for (guint i = 0; pids[i]; i++)
        n += pids[i][0] != '\0';
    }
  return n;
}

typedef struct {
  gboolean done;
  guint    state;
  guint    reason;
  gint64   at;
} ProbeReply;

static void
probe_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ProbeReply *reply = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  g_variant_get (value, "(uu)", &reply->state, &reply->reason);
  reply->at = g_get_monotonic_time ();
  reply->done = TRUE;
}

/* A server that hangs: Probe() answers 101 at the hard limit (10 s by
 * default), Get and Set answer within a second meanwhile, no thread of
 * the daemon waits in the kernel, and once the server answers no process
 * of the daemon is left. */
static void
test_hanging_server (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *path = share_path ("hung");
  g_autoptr(GError) error = NULL;
  ProbeReply reply = { FALSE };
  gint64 asked, end;

  (void) data;
  if (!of_harness_require_user (USER, "run probes as another user") || !mount_fuse (fixture, NULL))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = g_build_filename (fixture->fuse_dir, "remote", NULL);
  of_harness_write_share (fixture->harness, "hung", local, remote, USER, NULL);
  of_harness_start_daemon (fixture->harness, NULL);

  asked = g_get_monotonic_time ();
  g_dbus_connection_call (fixture->harness->conn, "org.offlinefiles.BackgroundSync", path, SHARE_IFACE, "Probe",
                          NULL, G_VARIANT_TYPE ("(uu)"), G_DBUS_CALL_FLAGS_NONE, 60000, NULL, probe_replied, &reply);
  for (guint16 i = 0; !reply.done; i++)
    {
      gint64 before;
      g_autoptr(GVariant) value = NULL;

      run_for (400);
      if (reply.done)
        break;
      before = g_get_monotonic_time ();
      value = of_harness_get (fixture->harness, "State");
      g_test_message ("Get answered in %.0f ms", (g_get_monotonic_time () - before) / 1000.0);
      g_assert_cmpint (g_get_monotonic_time () - before, <, G_USEC_PER_SEC);
      before = g_get_monotonic_time ();
      g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (100 + i), &error));
      g_assert_no_error (error);
      g_test_message ("Set answered in %.0f ms", (g_get_monotonic_time () - before) / 1000.0);
      g_assert_cmpint (g_get_monotonic_time () - before, <, G_USEC_PER_SEC);
      g_assert_cmpuint (of_harness_daemon_threads_in_d_state (fixture->harness), ==, 0);
      g_assert_cmpint (g_get_monotonic_time () - asked, <, 30 * G_USEC_PER_SEC);
    }
  g_test_message ("Probe answered after %.1f s: (%u, %u)", (reply.at - asked) / 1e6, reply.state, reply.reason);
  g_assert_cmpuint (reply.state, ==, 1);
  g_assert_cmpuint (reply.reason, ==, 101);
  /* At the hard limit: not before it, and not long after. */
  g_assert_cmpint (reply.at - asked, >=, 10 * G_USEC_PER_SEC - 200000);
  g_assert_cmpint (reply.at - asked, <, 13 * G_USEC_PER_SEC);
  g_assert_cmpuint (share_u (fixture, "hung", "OfflineReason"), ==, 101);
  g_assert_cmpuint (of_harness_daemon_threads_in_d_state (fixture->harness), ==, 0);

  /* The server answers at last (it goes away): the stuck probe dies and
   * is reaped. */
  stop_process (&fixture->fuse);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (daemon_children (fixture) > 0 && g_get_monotonic_time () < end)
    g_usleep (100 * 1000);
  g_assert_cmpuint (daemon_children (fixture), ==, 0);
}

/* A server answering every access after 1.5 s, SlowLinkProbeTimeoutSec=1:
 * a slow link, 3. */
static void
test_slow_server (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  guint state, reason;

  (void) data;
  if (!of_harness_require_user (USER, "run probes as another user") || !mount_fuse (fixture, "1.5"))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = g_build_filename (fixture->fuse_dir, "remote", NULL);
  of_harness_write_share (fixture->harness, "slow", local, remote, USER, NULL);
  of_harness_write_file (fixture->harness->config_dir, "background-sync.conf", "[MachineConfiguration]\nSlowLinkProbeTimeoutSec=1\n");
  of_harness_start_daemon (fixture->harness, NULL);
  probe (fixture, "slow", &state, &reason);
  g_assert_cmpuint (state, ==, 1);
  g_assert_cmpuint (reason, ==, 3);
}

/* Cancel while a sync waits for the probe of a hung server: the sync ends
 * at once, cancelled, not at the probe's hard limit; the probe is reaped
 * once the server answers. */
static void
test_cancel_while_probing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) id_reply = NULL;
  g_autoptr(GVariant) cancel_reply = NULL;
  OfSyncEvent *finished = NULL;
  guint64 id;
  gint64 asked, end;

  (void) data;
  if (!of_harness_require_user (USER, "run probes as another user") || !mount_fuse (fixture, NULL))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = g_build_filename (fixture->fuse_dir, "remote", NULL);
  of_harness_write_share (fixture->harness, "hung", local, remote, USER, NULL);
  of_harness_start_daemon (fixture->harness, NULL);

  id_reply = of_harness_call (fixture->harness, "org.offlinefiles.BackgroundSync", "SyncNow", NULL,
                              G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_variant_get (id_reply, "(t)", &id);
  run_for (1500);  /* the probe hangs (its hard limit is 10 s) */
  g_assert_cmpuint (count_events (fixture, "SyncFinished"), ==, 0);

  asked = g_get_monotonic_time ();
  cancel_reply = of_harness_call (fixture->harness, "org.offlinefiles.BackgroundSync", "Cancel", NULL,
                                  G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  end = asked + 8 * G_USEC_PER_SEC;
  while (finished == NULL && g_get_monotonic_time () < end)
    {
      for (guint i = 0; i < fixture->events->len; i++)
        {
          OfSyncEvent *event = fixture->events->pdata[i];

          if (event->id == id && g_str_equal (event->name, "SyncFinished"))
            finished = event;
        }
      if (finished == NULL)
        run_for (20);
    }
  g_assert_nonnull (finished);
  g_test_message ("SyncFinished %.2f s after Cancel: %s", (finished->at - g_get_real_time ()) / 1e6 +
                  (g_get_monotonic_time () - asked) / 1e6, finished->detail);
  g_assert_cmpstr (finished->detail, ==, "cancelled");

  stop_process (&fixture->fuse);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (daemon_children (fixture) > 0 && g_get_monotonic_time () < end)
    g_usleep (100 * 1000);
  g_assert_cmpuint (daemon_children (fixture), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/connection/" path, Fixture, NULL, setup, func, teardown)
  ADD ("costed-network", test_costed_network);
  ADD ("nm-vanishes-and-returns", test_nm_vanishes_and_returns);
  ADD ("on-battery", test_on_battery);
  ADD ("setting-releases", test_setting_releases);
  ADD ("sync-now-while-deferred", test_sync_now_while_deferred);
  ADD ("machine-settings", test_machine_settings);
  ADD ("probe-states", test_probe_states);
  ADD ("not-mounted", test_not_mounted);
  ADD ("hanging-server", test_hanging_server);
  ADD ("slow-server", test_slow_server);
  ADD ("cancel-while-probing", test_cancel_while_probing);
#undef ADD
  return g_test_run ();
}
