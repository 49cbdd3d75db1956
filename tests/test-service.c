/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-service.c — the daemon over D-Bus: reads, polkit-checked writes,
 * durable settings.  Real dbus-daemon, real polkitd, real daemon binary. */
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"

typedef struct {
  OfHarness *harness;
  GPtrArray *changes;   /* owned by the harness: a{sv}, one per PropertiesChanged */
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->changes = of_harness_watch_properties (fixture->harness);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  of_harness_clear (&fixture->harness);
}

static void
start_daemon (Fixture *fixture)
{
  of_harness_start_daemon (fixture->harness, NULL);
  /* The first plan is published once the name is owned: not a write. */
  of_harness_settle (fixture->harness);
  g_ptr_array_set_size (fixture->changes, 0);
}

/* How many of the six WMI values a PropertiesChanged carries (a settings
 * change also moves NextSyncTime). */
static guint
count_wmi_keys (GVariant *changed)
{
  static const char *const wmi[] = {
    "SyncInterval", "SyncVariance", "MaxTimeBetweenSyncs", "BlockOutStartTimeHoursMinutes",
    "BlockOutDurationMin", "BackgroundSyncWorkOfflineSharesEnabled",
  };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (wmi); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (changed, wmi[i], NULL);
      n += value != NULL;
    }
  return n;
}

static guint
get_q (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return g_variant_get_uint16 (value);
}

static char *
read_config (Fixture *fixture)
{
  g_autofree char *path = of_harness_config_path (fixture->harness);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
write_config (Fixture *fixture, const char *contents)
{
  g_autofree char *path = of_harness_config_path (fixture->harness);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
test_defaults (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  guint16 q;
  gboolean b;
  const char *s;

  (void) data;
  start_daemon (fixture);
  reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "GetAll",
                           g_variant_new ("(s)", IFACE), G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  all = g_variant_get_child_value (reply, 0);

  g_assert_true (g_variant_lookup (all, "SyncInterval", "q", &q));
  g_assert_cmpuint (q, ==, 360);
  g_assert_true (g_variant_lookup (all, "SyncVariance", "q", &q));
  g_assert_cmpuint (q, ==, 60);
  g_assert_true (g_variant_lookup (all, "MaxTimeBetweenSyncs", "q", &q));
  g_assert_cmpuint (q, ==, 0);
  g_assert_true (g_variant_lookup (all, "BlockOutStartTimeHoursMinutes", "q", &q));
  g_assert_cmpuint (q, ==, 0);
  g_assert_true (g_variant_lookup (all, "BlockOutDurationMin", "q", &q));
  g_assert_cmpuint (q, ==, 0);
  g_assert_true (g_variant_lookup (all, "BackgroundSyncWorkOfflineSharesEnabled", "b", &b));
  g_assert_false (b);
  g_assert_true (g_variant_lookup (all, "LastSyncResult", "&s", &s));
  g_assert_cmpstr (s, ==, "");
  /* No settings file is written just by starting. */
  g_assert_null (read_config (fixture));
}

static void
test_read_unprivileged (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  int status;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  start_daemon (fixture);

  /* A user polkit would refuse everything may still read everything. */
  status = of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out, &err,
                                "--method=org.freedesktop.DBus.Properties.GetAll", IFACE, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "'SyncInterval': <uint16 360>"));
  g_assert_nonnull (strstr (out, "'BackgroundSyncWorkOfflineSharesEnabled': <false>"));

  status = of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out2, &err2,
                                "--method=org.freedesktop.DBus.Introspectable.Introspect", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out2, "PreviewSchedule"));
}

static void
test_set_root (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  guint16 q;

  (void) data;
  start_daemon (fixture);
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (120), &error));
  g_assert_no_error (error);
  of_harness_settle (fixture->harness);

  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 120);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  g_assert_cmpuint (count_wmi_keys (fixture->changes->pdata[0]), ==, 1);
  g_assert_true (g_variant_lookup (fixture->changes->pdata[0], "SyncInterval", "q", &q));
  g_assert_cmpuint (q, ==, 120);

  config = read_config (fixture);
  g_assert_nonnull (config);
  g_assert_nonnull (strstr (config, "[BackgroundSync]"));
  g_assert_nonnull (strstr (config, "SyncInterval=120"));
}

static void
test_set_same_value (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  start_daemon (fixture);
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (360), &error));
  g_assert_no_error (error);
  g_assert_true (of_harness_set (fixture->harness, "BackgroundSyncWorkOfflineSharesEnabled",
                                 g_variant_new_boolean (FALSE), &error));
  g_assert_no_error (error);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_null (read_config (fixture));

  /* And once changed, setting it again emits nothing more. */
  g_assert_true (of_harness_set (fixture->harness, "SyncVariance", g_variant_new_uint16 (5), &error));
  g_assert_true (of_harness_set (fixture->harness, "SyncVariance", g_variant_new_uint16 (5), &error));
  g_assert_no_error (error);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
}

static int
set_as (Fixture *fixture, const char *user, gboolean interactive, const char *value, char **err)
{
  g_autofree char *out = NULL;

  return of_harness_gdbus_as (fixture->harness, user, &out, err,
                              interactive ? "--interactive" : "--timeout=30",
                              "--method=org.freedesktop.DBus.Properties.Set",
                              IFACE, "SyncInterval", value, NULL);
}

static void
test_set_polkit (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err_allow = NULL;
  g_autofree char *err_deny = NULL;
  g_autofree char *err_deny_i = NULL;
  g_autofree char *err_ask = NULL;
  g_autofree char *err_ask_i = NULL;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  start_daemon (fixture);

  /* A rule says yes. */
  g_assert_cmpint (set_as (fixture, OF_TEST_USER_ALLOW, FALSE, "<uint16 100>", &err_allow), ==, 0);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 100);

  /* A rule says no: denied, interactive or not. */
  g_assert_cmpint (set_as (fixture, OF_TEST_USER_DENY, FALSE, "<uint16 200>", &err_deny), !=, 0);
  g_assert_nonnull (strstr (err_deny, "org.freedesktop.DBus.Error.AccessDenied"));
  g_assert_cmpint (set_as (fixture, OF_TEST_USER_DENY, TRUE, "<uint16 200>", &err_deny_i), !=, 0);
  g_assert_nonnull (strstr (err_deny_i, "org.freedesktop.DBus.Error.AccessDenied"));

  /* No rule: auth_admin_keep is a challenge, which needs the flag. */
  g_assert_cmpint (set_as (fixture, OF_TEST_USER_ASK, FALSE, "<uint16 200>", &err_ask), !=, 0);
  g_assert_nonnull (strstr (err_ask, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"));
  /* With the flag but no agent to ask, polkit says no. */
  g_assert_cmpint (set_as (fixture, OF_TEST_USER_ASK, TRUE, "<uint16 200>", &err_ask_i), !=, 0);
  g_assert_nonnull (strstr (err_ask_i, "org.freedesktop.DBus.Error.AccessDenied"));

  of_harness_settle (fixture->harness);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 100);
  g_assert_cmpuint (fixture->changes->len, ==, 1);
}

static void
assert_set_fails (Fixture *fixture, const char *name, GVariant *value,
                  GQuark domain, int code, const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);

  g_assert_false (of_harness_set (fixture->harness, name, owned, &error));
  g_assert_error (error, domain, code);
  if (message_part)
    {
      if (strstr (error->message, message_part) == NULL)
        g_error ("expected “%s” in “%s”", message_part, error->message);
    }
}

static void
test_wrong_type (Fixture *fixture, gconstpointer data)
{
  (void) data;
  start_daemon (fixture);
  assert_set_fails (fixture, "SyncInterval", g_variant_new_uint32 (100),
                    G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, NULL);
  assert_set_fails (fixture, "SyncInterval", g_variant_new_string ("100"),
                    G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, NULL);
  assert_set_fails (fixture, "BackgroundSyncWorkOfflineSharesEnabled", g_variant_new_uint16 (1),
                    G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, NULL);
  assert_set_fails (fixture, "State", g_variant_new_string ("idle"),
                    G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "not writable");
  assert_set_fails (fixture, "NoSuchProperty", g_variant_new_uint16 (1),
                    G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, NULL);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
}

/* Reads are answered from a snapshot off the main loop (fast-reads.c):
 * it must follow every write at once and leave errors to GDBus. */
static void
test_reads (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;

  (void) data;
  start_daemon (fixture);

  reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "Get",
                           g_variant_new ("(ss)", IFACE, "NoSuchProperty"), G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "GetAll",
                           g_variant_new ("(s)", "org.example.NoSuchInterface"), G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  for (guint16 v = 1; v <= 20; v++)
    {
      g_autoptr(GVariant) after = NULL;
      guint16 q;

      g_assert_true (of_harness_set (fixture->harness, "SyncVariance", g_variant_new_uint16 (v), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, v);
      after = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "GetAll",
                               g_variant_new ("(s)", IFACE), G_DBUS_CALL_FLAGS_NONE, &error);
      g_assert_no_error (error);
      all = g_variant_get_child_value (after, 0);
      g_assert_cmpuint (g_variant_n_children (all), ==, 16);
      g_assert_true (g_variant_lookup (all, "SyncVariance", "q", &q));
      g_assert_cmpuint (q, ==, v);
      g_clear_pointer (&all, g_variant_unref);
    }
}

typedef struct {
  const char *name;
  guint16     last_valid;
  guint16     first_invalid;
  const char *message;
} Boundary;

static void
test_ranges (Fixture *fixture, gconstpointer data)
{
  static const Boundary boundaries[] = {
    { "SyncInterval", 1440, 1441, "SyncInterval must be 0..1440 minutes, got 1441" },
    { "SyncVariance", 3600, 3601, "SyncVariance must be 0..3600 minutes, got 3601" },
    { "BlockOutDurationMin", 1440, 1441, "BlockOutDurationMin must be 0..1440 minutes, got 1441" },
    { "BlockOutStartTimeHoursMinutes", 2400, 2401, "got 2401" },
    { "BlockOutStartTimeHoursMinutes", 2359, 2360, "got 2360" },
    { "BlockOutStartTimeHoursMinutes", 59, 60, "got 0060" },
    { "BlockOutStartTimeHoursMinutes", 2300, 2459, "got 2459" },
  };

  (void) data;
  start_daemon (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (boundaries); i++)
    {
      const Boundary *b = &boundaries[i];
      g_autoptr(GError) error = NULL;

      g_test_message ("%s: %u valid, %u invalid", b->name, b->last_valid, b->first_invalid);
      g_assert_true (of_harness_set (fixture->harness, b->name, g_variant_new_uint16 (b->last_valid), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (get_q (fixture, b->name), ==, b->last_valid);
      assert_set_fails (fixture, b->name, g_variant_new_uint16 (b->first_invalid),
                        G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, b->message);
      g_assert_cmpuint (get_q (fixture, b->name), ==, b->last_valid);
    }

  /* The low ends and MaxTimeBetweenSyncs' whole range are valid. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (of_harness_set (fixture->harness, "MaxTimeBetweenSyncs", g_variant_new_uint16 (65535), &error));
    g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (0), &error));
    g_assert_true (of_harness_set (fixture->harness, "BlockOutStartTimeHoursMinutes", g_variant_new_uint16 (0), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (get_q (fixture, "MaxTimeBetweenSyncs"), ==, 65535);
    g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 0);
  }
}

static GVariant *
configure (Fixture *fixture, GVariant *settings, GError **error)
{
  return of_harness_call (fixture->harness, IFACE, "Configure",
                          g_variant_new ("(@a{sv})", settings), G_DBUS_CALL_FLAGS_NONE, error);
}

static GVariant *
parse_dict (const char *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
  g_assert_no_error (error);
  return value;
}

static void
test_configure (Fixture *fixture, gconstpointer data)
{
  const char *bad[] = {
    "{'SyncInterval': <uint16 100>, 'SyncVariance': <uint16 3601>}",
    "{'SyncInterval': <uint16 100>, 'Bogus': <uint16 1>}",
    "{'SyncInterval': <uint16 100>, 'BlockOutDurationMin': <'60'>}",
    "{'SyncInterval': <uint16 100>, 'State': <'idle'>}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *config = NULL;
  GVariant *changed;
  guint16 q;

  (void) data;
  start_daemon (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GVariant) bad_reply = configure (fixture, parse_dict (bad[i]), &local_error);

      g_test_message ("Configure %s: %s", bad[i], local_error ? local_error->message : "ok");
      g_assert_null (bad_reply);
      g_assert_error (local_error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    }
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  g_assert_null (read_config (fixture));

  reply = configure (fixture,
                     parse_dict ("{'SyncInterval': <uint16 90>, 'BlockOutStartTimeHoursMinutes': <uint16 2230>,"
                                 " 'BlockOutDurationMin': <uint16 480>, 'SyncVariance': <uint16 60>}"),
                     &error);
  g_assert_no_error (error);
  of_harness_settle (fixture->harness);

  /* One signal, with exactly the three values that changed. */
  g_assert_cmpuint (fixture->changes->len, ==, 1);
  changed = fixture->changes->pdata[0];
  g_assert_cmpuint (count_wmi_keys (changed), ==, 3);
  g_assert_true (g_variant_lookup (changed, "BlockOutDurationMin", "q", &q));
  g_assert_cmpuint (q, ==, 480);

  config = read_config (fixture);
  g_assert_nonnull (strstr (config, "SyncInterval=90"));
  g_assert_nonnull (strstr (config, "BlockOutStartTimeHoursMinutes=2230"));
  g_assert_nonnull (strstr (config, "BlockOutDurationMin=480"));
}

static void
test_persistence (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  (void) data;
  start_daemon (fixture);
  reply = configure (fixture,
                     parse_dict ("{'SyncInterval': <uint16 45>, 'MaxTimeBetweenSyncs': <uint16 2880>,"
                                 " 'BackgroundSyncWorkOfflineSharesEnabled': <true>}"),
                     &error);
  g_assert_no_error (error);
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);

  start_daemon (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 45);
  g_assert_cmpuint (get_q (fixture, "MaxTimeBetweenSyncs"), ==, 2880);
  g_assert_cmpuint (get_q (fixture, "BackgroundSyncWorkOfflineSharesEnabled"), ==, TRUE);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 60);
}

static void
test_comments_kept (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;

  (void) data;
  write_config (fixture,
                "# Managed by hand, keep this line\n"
                "[BackgroundSync]\n"
                "# the interval\n"
                "SyncInterval=30\n"
                "FutureKey=kept\n"
                "\n"
                "[Unrelated]\n"
                "# other comment\n"
                "Answer=42\n");
  start_daemon (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 30);
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (31), &error));
  g_assert_true (of_harness_set (fixture->harness, "SyncVariance", g_variant_new_uint16 (7), &error));
  g_assert_no_error (error);

  config = read_config (fixture);
  g_test_message ("%s", config);
  g_assert_nonnull (strstr (config, "# Managed by hand, keep this line\n"));
  g_assert_nonnull (strstr (config, "# the interval\nSyncInterval=31\n"));
  g_assert_nonnull (strstr (config, "FutureKey=kept\n"));
  g_assert_nonnull (strstr (config, "SyncVariance=7\n"));
  g_assert_nonnull (strstr (config, "[Unrelated]\n# other comment\nAnswer=42\n"));
}

static void
test_corrupt_config_refuses_write (Fixture *fixture, gconstpointer data)
{
  static const char garbage[] = "this is not a key file\n[[[\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *path = of_harness_config_path (fixture->harness);
  g_autofree char *after = NULL;
  g_autofree char *remote = NULL;
  gsize length;

  (void) data;
  write_config (fixture, garbage);
  start_daemon (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);

  g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (99), &error));
  g_assert_true (g_dbus_error_is_remote_error (error));
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, "org.offlinefiles.BackgroundSync.Error.Storage");
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  g_file_get_contents (path, &after, &length, NULL);
  g_assert_cmpstr (after, ==, garbage);
}

/* An administrator edits the file and, before the daemon reloaded it
 * (its debounce is a second), someone sets a property over the bus: the
 * write starts from the file on disk, so the edit is kept and takes
 * effect with it.  An invalid edit refuses the write and changes
 * nothing. */
static void
test_edit_then_write (Fixture *fixture, gconstpointer data)
{
  const guint delays_ms[] = { 0, 300 };

  (void) data;
  write_config (fixture, "[BackgroundSync]\nSyncVariance=5\n");
  start_daemon (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (delays_ms); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *edit = g_strdup_printf ("# edited by the admin %u\n[BackgroundSync]\nSyncVariance=%u\n"
                                               "[Site]\nOwner=ops\n", i, 40 + i);
      g_autofree char *after = NULL;

      write_config (fixture, edit);
      g_usleep (delays_ms[i] * 1000);
      g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (200 + i), &error));
      g_assert_no_error (error);
      after = read_config (fixture);
      g_test_message ("after an edit and a write %u ms later:\n%s", delays_ms[i], after);
      g_assert_nonnull (strstr (after, "# edited by the admin"));
      g_assert_nonnull (strstr (after, "[Site]"));
      g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 200 + i);
      /* The edit is in force too, without waiting for the reload. */
      g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 40 + i);
    }

  {
    static const char invalid[] = "[BackgroundSync]\nSyncVariance=lots\nSyncInterval=201\n";
    g_autoptr(GError) error = NULL;
    g_autofree char *remote = NULL;
    g_autofree char *after = NULL;

    write_config (fixture, invalid);
    g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (300), &error));
    remote = g_dbus_error_get_remote_error (error);
    g_test_message ("write over an invalid edit: %s", error->message);
    g_assert_cmpstr (remote, ==, "org.offlinefiles.BackgroundSync.Error.Storage");
    g_assert_nonnull (strstr (error->message, "SyncVariance"));
    after = read_config (fixture);
    g_assert_cmpstr (after, ==, invalid);
    g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 201);
  }
}

static void
test_invalid_values (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log = NULL;

  (void) data;
  write_config (fixture,
                "[BackgroundSync]\n"
                "SyncInterval=99999\n"
                "SyncVariance=30\n"
                "BlockOutStartTimeHoursMinutes=2360\n"
                "BlockOutDurationMin=-5\n"
                "BackgroundSyncWorkOfflineSharesEnabled=maybe\n"
                "MaxTimeBetweenSyncs=600\n");
  start_daemon (fixture);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 30);
  g_assert_cmpuint (get_q (fixture, "BlockOutStartTimeHoursMinutes"), ==, 0);
  g_assert_cmpuint (get_q (fixture, "BlockOutDurationMin"), ==, 0);
  g_assert_cmpuint (get_q (fixture, "BackgroundSyncWorkOfflineSharesEnabled"), ==, FALSE);
  g_assert_cmpuint (get_q (fixture, "MaxTimeBetweenSyncs"), ==, 600);

  g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL);
  g_assert_nonnull (strstr (log, "SyncInterval=99999"));
  g_assert_nonnull (strstr (log, "BlockOutStartTimeHoursMinutes=2360"));
  g_assert_nonnull (strstr (log, "BackgroundSyncWorkOfflineSharesEnabled=maybe"));
}

static void
test_storage_error_read_only (Fixture *fixture, gconstpointer data)
{
  static const char original[] = "# original\n[BackgroundSync]\nSyncInterval=77\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *after = NULL;
  const char *dir;

  (void) data;
  if (!of_harness_require_root ("mount a read-only bind mount"))
    return;
  write_config (fixture, original);
  start_daemon (fixture);

  dir = fixture->harness->config_dir;
  if (mount (dir, dir, NULL, MS_BIND, NULL) < 0 ||
      mount (NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    {
      g_test_skip_printf ("cannot bind-mount %s read-only: %s", dir, g_strerror (errno));
      umount (dir);
      return;
    }

  g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (78), &error));
  g_test_message ("%s", error->message);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, "org.offlinefiles.BackgroundSync.Error.Storage");
  g_assert_nonnull (strstr (error->message, "Read-only file system"));
  g_clear_error (&error);

  reply = configure (fixture, parse_dict ("{'SyncVariance': <uint16 1>, 'SyncInterval': <uint16 5>}"), &error);
  g_assert_null (reply);
  g_clear_pointer (&remote, g_free);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, "org.offlinefiles.BackgroundSync.Error.Storage");

  umount (dir);

  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 77);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 60);
  after = read_config (fixture);
  g_assert_cmpstr (after, ==, original);

  /* Writable again: the daemon still works. */
  g_clear_error (&error);
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (78), &error));
  g_assert_no_error (error);
}

static void
test_slow_check_does_not_block (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) slow = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, longest = 0;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  start_daemon (fixture);

  /* polkit holds this check for 2 s (the test rule sleeps). */
  slow = of_harness_gdbus_as_async (fixture->harness, OF_TEST_USER_SLOW,
                                    "--method=org.freedesktop.DBus.Properties.Set",
                                    IFACE, "SyncInterval", "<uint16 11>", NULL);
  g_usleep (300 * 1000);

  start = g_get_monotonic_time ();
  for (int i = 0; i < 20; i++)
    {
      gint64 before = g_get_monotonic_time ();
      g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
      longest = MAX (longest, g_get_monotonic_time () - before);
    }
  g_test_message ("20 Gets during a pending check took %" G_GINT64_FORMAT " µs, longest %" G_GINT64_FORMAT " µs",
                  g_get_monotonic_time () - start, longest);
  /* Every Get was answered while the write still waited on polkit. */
  g_assert_nonnull (g_subprocess_get_identifier (slow));

  g_subprocess_wait_check (slow, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 11);
}

static void
test_disconnect_during_check (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) slow = NULL;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  start_daemon (fixture);

  slow = of_harness_gdbus_as_async (fixture->harness, OF_TEST_USER_SLOW,
                                    "--method=org.freedesktop.DBus.Properties.Set",
                                    IFACE, "SyncInterval", "<uint16 12>", NULL);
  g_usleep (300 * 1000);
  g_subprocess_force_exit (slow);
  g_subprocess_wait (slow, NULL, NULL);

  /* The check completes with nobody to answer; the daemon carries on. */
  g_usleep (2500 * 1000);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 60);
  g_assert_nonnull (fixture->harness->daemon);
  g_assert_nonnull (g_subprocess_get_identifier (fixture->harness->daemon));
  /* teardown checks the clean exit (and, under ASan, that nothing leaked) */
}

static void
test_name_taken (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *config_arg = g_strdup_printf ("--config-dir=%s", fixture->harness->config_dir);
  g_autofree char *state_arg = g_strdup_printf ("--state-dir=%s", fixture->harness->state_dir);

  (void) data;
  start_daemon (fixture);
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                             g_getenv ("OF_SYNCD"), config_arg, state_arg, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 1);
  g_assert_nonnull (strstr (err, "already owned"));
  /* one clear line */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);
}

/* Without polkitd on the bus nobody may write, not even root, and the
 * admin is told why once; reads go on. */
static void
test_no_polkit (void)
{
  g_autoptr(OfHarness) harness = of_harness_new (FALSE);
  g_autofree char *config_path = of_harness_config_path (harness);
  g_autofree char *log = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *warning;

  of_harness_start_daemon (harness, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (of_harness_set (harness, "SyncInterval", g_variant_new_uint16 (42), &error));
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
      g_assert_nonnull (strstr (error->message, "Authorization check failed"));
      g_assert_nonnull (strstr (error->message, "org.freedesktop.PolicyKit1"));
    }
  value = of_harness_get (harness, "SyncInterval");
  g_assert_cmpuint (g_variant_get_uint16 (value), ==, 360);
  g_assert_false (g_file_test (config_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (of_harness_stop_daemon (harness), ==, 0);

  g_assert_true (g_file_get_contents (harness->daemon_log, &log, NULL, NULL));
  warning = strstr (log, "polkit is not available");
  g_assert_nonnull (warning);
  g_assert_null (strstr (warning + 1, "polkit is not available"));
}

static void
test_no_bus (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *config_arg = g_strdup_printf ("--config-dir=%s", fixture->harness->config_dir);
  g_autofree char *state_arg = g_strdup_printf ("--state-dir=%s", fixture->harness->state_dir);
  g_autofree char *missing = g_strdup_printf ("unix:path=%s/no-such-socket", fixture->harness->dir);

  (void) data;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", missing, TRUE);
  daemon = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("OF_SYNCD"), config_arg, state_arg, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (daemon, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (daemon), ==, 1);
  g_assert_nonnull (strstr (err, "cannot connect to the system bus"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/service/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("defaults", test_defaults);
  ADD ("read-unprivileged", test_read_unprivileged);
  ADD ("set-root", test_set_root);
  ADD ("set-same-value", test_set_same_value);
  ADD ("set-polkit", test_set_polkit);
  ADD ("wrong-type", test_wrong_type);
  ADD ("reads", test_reads);
  ADD ("ranges", test_ranges);
  ADD ("configure", test_configure);
  ADD ("persistence", test_persistence);
  ADD ("comments-kept", test_comments_kept);
  ADD ("corrupt-config", test_corrupt_config_refuses_write);
  ADD ("invalid-values", test_invalid_values);
  ADD ("storage-error-read-only", test_storage_error_read_only);
  ADD ("edit-then-write", test_edit_then_write);
  ADD ("slow-check-does-not-block", test_slow_check_does_not_block);
  ADD ("disconnect-during-check", test_disconnect_during_check);
  ADD ("name-taken", test_name_taken);
  ADD ("no-bus", test_no_bus);
#undef ADD
  g_test_add_func ("/service/no-polkit", test_no_polkit);

  return g_test_run ();
}
