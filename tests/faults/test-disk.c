/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-disk.c — full and read-only disks under the daemon (fault
 * injection).  A 64 KiB tmpfs filled to the last byte, or a read-only bind
 * mount, over the config or the state directory:
 *
 *   Set and Configure        → Error.Storage, the old file byte-identical,
 *                              the value in memory unchanged, still serving
 *   WorkOffline (state)      → the same
 *   SyncNow (state writes)   → the sync still runs and finishes
 *
 * Needs root (mount, polkit, the share's user); skips with a printed reason
 * otherwise. */
#include <errno.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define SHARE_IFACE "org.offlinefiles.Share"
#define SHARE_PATH "/org/offlinefiles/BackgroundSync/share/home"
#define STORAGE_ERROR "org.offlinefiles.BackgroundSync.Error.Storage"

typedef enum { FAULT_FULL, FAULT_READ_ONLY } Fault;

typedef struct {
  OfHarness *harness;
  char      *mounted;     /* the directory we mounted over, to unmount */
  guint      subscription;
  GArray    *finished;    /* guint64 ids of SyncFinished */
  GPtrArray *results;     /* their results */
} Fixture;

static void
on_sync_finished (GDBusConnection *c, const char *sender, const char *path, const char *iface,
                  const char *signal, GVariant *params, gpointer user_data)
{
  Fixture *fixture = user_data;
  guint64 id;
  const char *result;

  (void) c; (void) sender; (void) path; (void) iface; (void) signal;
  g_variant_get (params, "(t&s&s)", &id, &result, NULL);
  g_array_append_val (fixture->finished, id);
  g_ptr_array_add (fixture->results, g_strdup (result));
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->finished = g_array_new (FALSE, FALSE, sizeof (guint64));
  fixture->results = g_ptr_array_new_with_free_func (g_free);
  fixture->subscription =
    g_dbus_connection_signal_subscribe (fixture->harness->conn, NULL, IFACE, "SyncFinished",
                                        "/org/offlinefiles/BackgroundSync", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_sync_finished, fixture, NULL);
}

static void
unmount_fault (Fixture *fixture)
{
  if (fixture->mounted == NULL)
    return;
  if (umount2 (fixture->mounted, MNT_DETACH) < 0)
    g_test_message ("umount %s: %s", fixture->mounted, g_strerror (errno));
  g_clear_pointer (&fixture->mounted, g_free);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  unmount_fault (fixture);
  g_dbus_connection_signal_unsubscribe (fixture->harness->conn, fixture->subscription);
  of_harness_clear (&fixture->harness);
  g_array_unref (fixture->finished);
  g_ptr_array_unref (fixture->results);
}

/* Copies the regular files of @dir aside, mounts the fault over @dir and
 * puts the files back (for a full disk: then fills it to the last byte). */
static gboolean
mount_fault (Fixture *fixture, const char *dir, Fault fault)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GHashTableIter iter;
  gpointer name, contents;
  const char *entry;

  while (d && (entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      char *data = NULL;
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_get_contents (path, &data, NULL, NULL))
        g_hash_table_insert (files, g_strdup (entry), data);
    }

  if (fault == FAULT_FULL)
    {
      if (mount ("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0755") < 0)
        {
          g_test_skip_printf ("cannot mount a 64k tmpfs on %s: %s", dir, g_strerror (errno));
          return FALSE;
        }
    }
  else if (mount (dir, dir, NULL, MS_BIND, NULL) < 0)
    {
      g_test_skip_printf ("cannot bind-mount %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  fixture->mounted = g_strdup (dir);

  if (fault == FAULT_FULL)
    {
      g_autofree char *filler = g_build_filename (dir, "filler", NULL);
      g_autofree char *block = g_malloc0 (4096);
      FILE *f;

      g_hash_table_iter_init (&iter, files);
      while (g_hash_table_iter_next (&iter, &name, &contents))
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autoptr(GError) error = NULL;
          g_file_set_contents (path, contents, -1, &error);
          g_assert_no_error (error);
        }
      /* Fill to the last byte: whole pages, then single bytes. */
      f = fopen (filler, "w");
      g_assert_nonnull (f);
      setvbuf (f, NULL, _IONBF, 0);
      while (fwrite (block, 1, 4096, f) == 4096)
        ;
      clearerr (f);
      while (fwrite (block, 1, 1, f) == 1)
        ;
      g_assert_cmpint (errno, ==, ENOSPC);
      fclose (f);
    }
  else if (mount (NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    {
      g_test_skip_printf ("cannot remount %s read-only: %s", dir, g_strerror (errno));
      unmount_fault (fixture);
      return FALSE;
    }
  return TRUE;
}

static char *
read_file (const char *path)
{
  char *contents = NULL;
  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

static void
assert_storage_error (GError *error, const char *what)
{
  g_autofree char *remote = NULL;

  if (error == NULL)
    g_error ("%s succeeded on a full or read-only disk", what);
  remote = g_dbus_error_get_remote_error (error);
  g_test_message ("%s: %s", what, error->message);
  if (g_strcmp0 (remote, STORAGE_ERROR) != 0)
    g_error ("%s: expected %s, got %s", what, STORAGE_ERROR, error->message);
}

static guint
get_q (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return g_variant_get_uint16 (value);
}

/* A round trip through the daemon's main loop. */
static void
assert_serving (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_harness_call (fixture->harness, IFACE, "PreviewSchedule",
                                               g_variant_new ("(u)", 3), G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_nonnull (g_subprocess_get_identifier (fixture->harness->daemon));
}

/* ---- settings ---- */

static void
config_fault (Fixture *fixture, Fault fault)
{
  static const char original[] =
    "# original, must stay byte-identical\n[BackgroundSync]\nSyncInterval=77\nSyncVariance=5\nFutureKey=x\n";
  g_autofree char *path = of_harness_config_path (fixture->harness);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder b;

  if (!of_harness_require_root ("mount a full tmpfs or a read-only bind mount") ||
      !of_harness_require_polkit (fixture->harness))
    return;
  g_file_set_contents (path, original, -1, &error);
  g_assert_no_error (error);
  if (!mount_fault (fixture, fixture->harness->config_dir, fault))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 77);

  for (int i = 0; i < 3; i++)
    {
      g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (90 + i), &error));
      assert_storage_error (error, "Set SyncInterval");
      g_clear_error (&error);

      g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "SyncInterval", g_variant_new_uint16 (100));
      g_variant_builder_add (&b, "{sv}", "SyncVariance", g_variant_new_uint16 (1));
      g_variant_builder_add (&b, "{sv}", "BackgroundSyncWorkOfflineSharesEnabled", g_variant_new_boolean (TRUE));
      reply = of_harness_call (fixture->harness, IFACE, "Configure", g_variant_new ("(a{sv})", &b),
                               G_DBUS_CALL_FLAGS_NONE, &error);
      g_assert_null (reply);
      assert_storage_error (error, "Configure");
      g_clear_error (&error);

      /* Memory unchanged, file byte-identical, still serving. */
      g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 77);
      g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 5);
      g_assert_cmpuint (get_q (fixture, "BackgroundSyncWorkOfflineSharesEnabled"), ==, FALSE);
      after = read_file (path);
      g_assert_cmpstr (after, ==, original);
      g_clear_pointer (&after, g_free);
      assert_serving (fixture);
    }

  /* No temporary file left on the faulty disk. */
  {
    g_autoptr(GDir) d = g_dir_open (fixture->harness->config_dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      if (g_str_has_prefix (name, "background-sync.conf."))
        g_error ("a temporary file %s was left in %s", name, fixture->harness->config_dir);
  }

  /* The disk is fine again: so is the daemon. */
  unmount_fault (fixture);
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (91), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 91);
}

static void
test_config_full (Fixture *fixture, gconstpointer data)
{
  (void) data;
  config_fault (fixture, FAULT_FULL);
}

static void
test_config_read_only (Fixture *fixture, gconstpointer data)
{
  (void) data;
  config_fault (fixture, FAULT_READ_ONLY);
}

/* ---- state ---- */

static char *
user_dir (Fixture *fixture, const char *name, const struct passwd *pw)
{
  char *path = g_build_filename (fixture->harness->dir, name, NULL);

  g_mkdir_with_parents (path, 0755);
  g_assert_cmpint (chown (path, pw->pw_uid, pw->pw_gid), ==, 0);
  return path;
}

static char *
fake_engine (Fixture *fixture)
{
  char *path = g_build_filename (fixture->harness->dir, "fake-engine", NULL);

  g_file_set_contents (path,
                       "#!/bin/sh\necho 'Synchronization complete at 10:00:00  (0 items transferred, 0 skipped, 0 failed)'\n",
                       -1, NULL);
  g_chmod (path, 0755);
  return path;
}

static gboolean
share_work_offline (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync", SHARE_PATH,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", SHARE_IFACE, "WorkOffline"), G_VARIANT_TYPE ("(v)"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_boolean (value);
}

static gboolean
wait_finished (Fixture *fixture, guint64 id, guint timeout_ms, const char **result)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      for (guint i = 0; i < fixture->finished->len; i++)
        if (g_array_index (fixture->finished, guint64, i) == id)
          {
            *result = fixture->results->pdata[i];
            return TRUE;
          }
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static void
state_fault (Fixture *fixture, Fault fault)
{
  const struct passwd *pw;
  g_autofree char *shares_dir = g_build_filename (fixture->harness->config_dir, "shares.d", NULL);
  g_autofree char *share_path = g_build_filename (shares_dir, "home.conf", NULL);
  g_autofree char *state_path = g_build_filename (fixture->harness->state_dir, "state", NULL);
  g_autofree char *local = NULL, *remote = NULL, *share = NULL, *engine = NULL;
  g_autofree char *before = NULL, *after = NULL, *engine_arg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *args[2] = { NULL, NULL };
  const char *result = NULL;
  guint64 id;

  if (!of_harness_require_root ("mount a full tmpfs or a read-only bind mount") ||
      !of_harness_require_polkit (fixture->harness))
    return;
  /* After the checks above: getpwnam() answers in a static buffer, which
   * their own look-ups of the test users would overwrite. */
  pw = getpwnam (OF_TEST_USER_ALLOW);
  if (pw == NULL)
    {
      g_test_skip ("test user " OF_TEST_USER_ALLOW " does not exist (.ci/run creates it)");
      return;
    }
  local = user_dir (fixture, "local", pw);
  remote = user_dir (fixture, "remote", pw);
  g_mkdir (shares_dir, 0755);
  share = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n", local, remote, OF_TEST_USER_ALLOW);
  g_file_set_contents (share_path, share, -1, &error);
  g_assert_no_error (error);
  engine = fake_engine (fixture);
  engine_arg = g_strdup_printf ("--engine=%s", engine);
  args[0] = engine_arg;

  /* A first run writes the state file (and the engine's archive dir). */
  of_harness_start_daemon (fixture->harness, args);
  reply = of_harness_call (fixture->harness, IFACE, "SyncNow", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(t)", &id);
  g_clear_pointer (&reply, g_variant_unref);
  g_assert_true (wait_finished (fixture, id, 30000, &result));
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  before = read_file (state_path);
  g_assert_nonnull (before);

  if (!mount_fault (fixture, fixture->harness->state_dir, fault))
    return;
  of_harness_start_daemon (fixture->harness, args);
  g_assert_false (share_work_offline (fixture));

  /* WorkOffline needs the state file: refused, nothing changed. */
  for (int i = 0; i < 3; i++)
    {
      reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync", SHARE_PATH,
                                           "org.freedesktop.DBus.Properties", "Set",
                                           g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline", g_variant_new_boolean (TRUE)),
                                           NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
      g_assert_null (reply);
      assert_storage_error (error, "Set WorkOffline");
      g_clear_error (&error);
      g_assert_false (share_work_offline (fixture));
      after = read_file (state_path);
      g_assert_cmpstr (after, ==, before);
      g_clear_pointer (&after, g_free);
      assert_serving (fixture);
    }

  /* A sync whose state cannot be written still runs and finishes. */
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GVariant) sync_reply = of_harness_call (fixture->harness, IFACE, "SyncNow", NULL,
                                                        G_DBUS_CALL_FLAGS_NONE, &error);
      g_assert_no_error (error);
      g_variant_get (sync_reply, "(t)", &id);
      if (!wait_finished (fixture, id, 30000, &result))
        g_error ("sync %" G_GUINT64_FORMAT " did not finish with its state dir full/read-only", id);
      g_test_message ("sync %" G_GUINT64_FORMAT " with an unwritable state: %s", id, result);
      g_assert_cmpstr (result, ==, "success");
      assert_serving (fixture);
    }
  after = read_file (state_path);
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);
  {
    g_autoptr(GVariant) state = of_harness_get (fixture->harness, "State");
    g_test_message ("State after the syncs: %s", g_variant_get_string (state, NULL));
  }

  /* The disk is fine again: writes work. */
  unmount_fault (fixture);
  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync", SHARE_PATH,
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline", g_variant_new_boolean (TRUE)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (share_work_offline (fixture));
}

static void
test_state_full (Fixture *fixture, gconstpointer data)
{
  (void) data;
  state_fault (fixture, FAULT_FULL);
}

static void
test_state_read_only (Fixture *fixture, gconstpointer data)
{
  (void) data;
  state_fault (fixture, FAULT_READ_ONLY);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/faults/disk/" path, Fixture, NULL, setup, func, teardown)
  ADD ("config-full", test_config_full);
  ADD ("config-read-only", test_config_read_only);
  ADD ("state-full", test_state_full);
  ADD ("state-read-only", test_state_read_only);
#undef ADD
  return g_test_run ();
}
