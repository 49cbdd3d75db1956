/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-hostile.c — hostile files in the daemon's directories (fault
 * injection): a 100 MiB settings file, binary garbage and invalid
 * UTF-8 in the settings, a drop-in, a share file and the state file,
 * 10 000 repeated groups, symlinks to /etc/shadow and to a FIFO in
 * shares.d and background-sync.conf.d (and as the settings file itself),
 * and files owned by an unprivileged user.
 *
 * The daemon must own its name within a few seconds whatever it finds,
 * say why it ignored a file, never block on a FIFO (at start or on
 * SIGHUP), and never copy a secret it was pointed at into its log. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define STORAGE_ERROR "org.offlinefiles.BackgroundSync.Error.Storage"
/* "Within a few seconds". */
#define START_LIMIT_US (5 * G_USEC_PER_SEC)

typedef struct {
  OfHarness *harness;
  char      *dropins;
  char      *shares;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->dropins = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", NULL);
  fixture->shares = g_build_filename (fixture->harness->config_dir, "shares.d", NULL);
  g_mkdir (fixture->dropins, 0755);
  g_mkdir (fixture->shares, 0755);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  of_harness_clear (&fixture->harness);
  g_free (fixture->dropins);
  g_free (fixture->shares);
}

static void
put (const char *dir, const char *name, const char *data, gssize length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, length, &error);
  g_assert_no_error (error);
}

/* Starts the daemon; fails if owning the name takes longer than START_LIMIT_US. */
static void
start_timed (Fixture *fixture, const char *what)
{
  gint64 before = g_get_monotonic_time ();
  gint64 took;

  of_harness_start_daemon (fixture->harness, NULL);
  took = g_get_monotonic_time () - before;
  g_test_message ("%s: name owned after %.1f ms", what, took / 1e3);
  g_assert_cmpint (took, <, START_LIMIT_US);
}

static char *
daemon_log (Fixture *fixture)
{
  char *log = NULL;
  g_file_get_contents (fixture->harness->daemon_log, &log, NULL, NULL);
  return log ? log : g_strdup ("");
}

static void
assert_log_says (Fixture *fixture, const char *part)
{
  g_autofree char *log = daemon_log (fixture);

  if (strstr (log, part) == NULL)
    g_error ("expected “%s” in the daemon's log:\n%s", part, log);
}

static guint
get_q (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, name);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return g_variant_get_uint16 (value);
}

/* A round trip through the daemon's main loop within @limit_ms. */
static void
assert_serving_within (Fixture *fixture, guint limit_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 before = g_get_monotonic_time ();

  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                       "/org/offlinefiles/BackgroundSync", IFACE, "PreviewSchedule",
                                       g_variant_new ("(u)", 1), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       (int) limit_ms, NULL, &error);
  if (reply == NULL)
    g_error ("the daemon's main loop did not answer within %u ms: %s", limit_ms, error->message);
  g_assert_cmpint (g_get_monotonic_time () - before, <, (gint64) limit_ms * 1000);
}

/* SIGHUP makes the daemon re-read everything; it must come back at once. */
static void
reload_and_check (Fixture *fixture)
{
  gint64 before = g_get_monotonic_time ();

  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  g_usleep (50 * 1000);
  assert_serving_within (fixture, 5000);
  g_test_message ("SIGHUP reload answered after %.1f ms", (g_get_monotonic_time () - before) / 1e3);
  g_assert_nonnull (g_subprocess_get_identifier (fixture->harness->daemon));
}

static void
assert_set_storage_error (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;

  g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (99), &error));
  remote = g_dbus_error_get_remote_error (error);
  g_test_message ("Set with an unusable settings file: %s", error->message);
  g_assert_cmpstr (remote, ==, STORAGE_ERROR);
}

/* ---- size ---- */

static void
test_huge_config (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = of_harness_config_path (fixture->harness);
  struct stat st;
  int fd;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  /* 100 MiB, sparse, starting like a real file. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "[BackgroundSync]\nSyncInterval=5\n", 32), ==, 32);
  g_assert_cmpint (ftruncate (fd, 100 * 1024 * 1024), ==, 0);
  close (fd);

  start_timed (fixture, "100 MiB settings file");
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  assert_log_says (fixture, "too large");
  /* Unusable, so never overwritten. */
  assert_set_storage_error (fixture);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 100 * 1024 * 1024);
  reload_and_check (fixture);

  /* Same in a drop-in and a share file. */
  {
    g_autofree char *dropin = g_build_filename (fixture->dropins, "50-huge.conf", NULL);
    g_autofree char *share = g_build_filename (fixture->shares, "huge.conf", NULL);
    g_assert_cmpint (truncate (path, 0), ==, 0);
    fd = g_open (dropin, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint (ftruncate (fd, 100 * 1024 * 1024), ==, 0);
    close (fd);
    fd = g_open (share, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint (ftruncate (fd, 100 * 1024 * 1024), ==, 0);
    close (fd);
  }
  reload_and_check (fixture);
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  start_timed (fixture, "100 MiB drop-in and share file");
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
}

/* ---- garbage ---- */

static char *
garbage (gsize length, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  char *data = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    data[i] = (char) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return data;
}

static void
test_garbage (Fixture *fixture, gconstpointer data)
{
  g_autofree char *noise = garbage (8192, 7);
  g_autofree char *path = of_harness_config_path (fixture->harness);
  g_autofree char *after = NULL;
  gsize after_length = 0;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  put (fixture->harness->config_dir, "background-sync.conf", noise, 8192);
  put (fixture->dropins, "50-noise.conf", noise, 4096);
  put (fixture->shares, "noise.conf", noise, 2048);
  g_mkdir (fixture->harness->state_dir, 0755);
  put (fixture->harness->state_dir, "state", noise, 1024);

  start_timed (fixture, "binary garbage everywhere");
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  assert_log_says (fixture, "not a valid key file");
  assert_log_says (fixture, "50-noise.conf");
  assert_log_says (fixture, "noise.conf");
  assert_log_says (fixture, "Starting from a fresh state");
  assert_set_storage_error (fixture);
  g_file_get_contents (path, &after, &after_length, NULL);
  g_assert_cmpmem (after, after_length, noise, 8192);
  reload_and_check (fixture);
}

static void
test_invalid_utf8 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GVariant) reply = NULL;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  /* Valid key files, invalid UTF-8 in values, keys, groups and comments. */
  put (fixture->harness->config_dir, "background-sync.conf",
       "# caf\xe9 \xff\n[BackgroundSync]\nSyncInterval=\xc3\x28\nSyncVariance=7\nKey\xfe=1\n[Gr\xf0up]\nA=\xed\xa0\x80\n", -1);
  put (fixture->dropins, "50-utf8.conf", "[BackgroundSync]\nMaxTimeBetweenSyncs=\xe2\x82\n", -1);
  put (fixture->shares, "utf8.conf", "[Share]\nLocalPath=/tmp/\xff\xfe\nRemotePath=/srv/x\nUser=\xc3\x28\n", -1);
  g_mkdir (fixture->harness->state_dir, 0755);
  put (fixture->harness->state_dir, "state",
       "[State]\nNextSyncId=5\nLastSyncResult=\xff\n[Share utf8]\nLastMessage=\xc3\x28\n", -1);

  start_timed (fixture, "invalid UTF-8 everywhere");
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  g_assert_cmpuint (get_q (fixture, "SyncVariance"), ==, 7);
  g_assert_cmpuint (get_q (fixture, "MaxTimeBetweenSyncs"), ==, 0);
  /* Every string the daemon puts on the bus must be valid UTF-8, or GDBus
   * would refuse to send it: GetAll and GetManagedObjects still work. */
  reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "GetAll",
                           g_variant_new ("(s)", IFACE), G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  objects = of_harness_call (fixture->harness, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                             NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  /* The file is a valid key file: writes keep working, bytes and all. */
  g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (99), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 99);
  reload_and_check (fixture);
}

static void
test_repeated_groups (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GString) text = g_string_new ("# 10 000 times the same group\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *path = of_harness_config_path (fixture->harness);
  gint64 before;

  (void) data;
  if (!of_harness_require_polkit (fixture->harness))
    return;
  for (guint i = 0; i < 10000; i++)
    g_string_append_printf (text, "[BackgroundSync]\nSyncInterval=%u\n# c%u\n", 1 + i % 1000, i);
  g_test_message ("settings file of %" G_GSIZE_FORMAT " bytes", text->len);
  put (fixture->harness->config_dir, "background-sync.conf", text->str, (gssize) text->len);
  put (fixture->dropins, "50-repeated.conf", text->str, (gssize) text->len);

  start_timed (fixture, "10 000 repeated [BackgroundSync] groups");
  g_test_message ("SyncInterval read as %u", get_q (fixture, "SyncInterval"));
  before = g_get_monotonic_time ();
  if (!of_harness_set (fixture->harness, "SyncVariance", g_variant_new_uint16 (3), &error))
    g_test_message ("Set: %s", error->message);
  g_test_message ("Set with 10 000 groups took %.1f ms", (g_get_monotonic_time () - before) / 1e3);
  g_clear_error (&error);
  assert_serving_within (fixture, 5000);
  reload_and_check (fixture);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_test_message ("settings file now %" G_GSIZE_FORMAT " bytes", strlen (after));
}

/* ---- symlinks and FIFOs ---- */

/* Each field of /etc/shadow long enough to be a secret (hashes, or the
 * "!"/"*" lines' whole text): none may reach the log. */
static void
assert_no_shadow_in_log (Fixture *fixture)
{
  g_autofree char *shadow = NULL;
  g_autofree char *log = daemon_log (fixture);
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/shadow", &shadow, NULL, NULL))
    return;
  lines = g_strsplit (shadow, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", -1);

      if (*lines[i] && strstr (log, lines[i]))
        {
          g_autofree char *where = g_strdup (strstr (log, lines[i]) - MIN (200, strstr (log, lines[i]) - log));
          char *end = strchr (where, '\n');
          if (end && end - where > 200)
            *end = '\0';
          g_test_fail_printf ("line %u of /etc/shadow (user %s) is in the daemon's log: …%s",
                              i + 1, fields[0], where);
          return;
        }
      if (fields[0] && fields[1] && strlen (fields[1]) > 2 && strstr (log, fields[1]))
        {
          g_test_fail_printf ("the password hash of %s from /etc/shadow is in the daemon's log", fields[0]);
          return;
        }
    }
}

static void
test_symlinks_and_fifos (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fifo = g_build_filename (fixture->harness->dir, "fifo", NULL);
  g_autofree char *dropin_fifo = g_build_filename (fixture->dropins, "60-fifo.conf", NULL);
  g_autofree char *dropin_raw_fifo = g_build_filename (fixture->dropins, "61-raw-fifo.conf", NULL);
  g_autofree char *dropin_shadow = g_build_filename (fixture->dropins, "50-shadow.conf", NULL);
  g_autofree char *share_shadow = g_build_filename (fixture->shares, "shadow.conf", NULL);
  g_autofree char *share_fifo = g_build_filename (fixture->shares, "fifo.conf", NULL);
  g_autofree char *share_raw_fifo = g_build_filename (fixture->shares, "rawfifo.conf", NULL);
  g_autofree char *config = of_harness_config_path (fixture->harness);
  g_autofree char *shadow_before = NULL, *shadow_after = NULL;

  (void) data;
  if (!of_harness_require_root ("read /etc/shadow and compare it") ||
      !of_harness_require_polkit (fixture->harness))
    return;
  g_file_get_contents ("/etc/shadow", &shadow_before, NULL, NULL);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (mkfifo (dropin_raw_fifo, 0644), ==, 0);
  g_assert_cmpint (mkfifo (share_raw_fifo, 0644), ==, 0);
  g_assert_cmpint (symlink (fifo, dropin_fifo), ==, 0);
  g_assert_cmpint (symlink ("/etc/shadow", dropin_shadow), ==, 0);
  g_assert_cmpint (symlink ("/etc/shadow", share_shadow), ==, 0);
  g_assert_cmpint (symlink (fifo, share_fifo), ==, 0);

  start_timed (fixture, "symlinks to /etc/shadow and to FIFOs in the drop-in and shares dirs");
  g_assert_cmpuint (get_q (fixture, "SyncInterval"), ==, 360);
  reload_and_check (fixture);
  assert_no_shadow_in_log (fixture);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) objects = of_harness_call (fixture->harness, "org.freedesktop.DBus.ObjectManager",
                                                   "GetManagedObjects", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (g_variant_get_child_value (objects, 0)), ==, 0);
  }

  /* The settings file itself: a FIFO, then a link to /etc/shadow. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  g_assert_cmpint (symlink (fifo, config), ==, 0);
  start_timed (fixture, "background-sync.conf linked to a FIFO");
  reload_and_check (fixture);
  assert_set_storage_error (fixture);
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);

  g_unlink (config);
  g_assert_cmpint (symlink ("/etc/shadow", config), ==, 0);
  start_timed (fixture, "background-sync.conf linked to /etc/shadow");
  reload_and_check (fixture);
  assert_set_storage_error (fixture);
  assert_no_shadow_in_log (fixture);

  /* /etc/shadow itself is untouched, and the link is still a link. */
  g_file_get_contents ("/etc/shadow", &shadow_after, NULL, NULL);
  g_assert_cmpstr (shadow_after, ==, shadow_before);
  g_assert_true (g_file_test (config, G_FILE_TEST_IS_SYMLINK));
}

/* ---- ownership ---- */

static void
test_unprivileged_owner (Fixture *fixture, gconstpointer data)
{
  const struct passwd *pw;
  g_autofree char *config = of_harness_config_path (fixture->harness);
  g_autofree char *dropin = g_build_filename (fixture->dropins, "50-user.conf", NULL);
  g_autofree char *share = g_build_filename (fixture->shares, "usershare.conf", NULL);
  g_autofree char *share_text = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autoptr(GError) error = NULL;
  GString *accepted = g_string_new (NULL);

  (void) data;
  if (!of_harness_require_root ("chown files to a test user") || !of_harness_require_polkit (fixture->harness))
    return;
  /* After the checks: their own getpwnam() would overwrite this one's. */
  pw = getpwnam (OF_TEST_USER_DENY);
  if (pw == NULL)
    {
      g_test_skip ("test user " OF_TEST_USER_DENY " does not exist (.ci/run creates it)");
      return;
    }
  /* What an unprivileged user could do with such files: pick the settings,
   * fix them by "admin policy", and run a sync as anyone it names. */
  put (fixture->harness->config_dir, "background-sync.conf", "[BackgroundSync]\nSyncInterval=11\n", -1);
  g_assert_cmpint (chown (config, pw->pw_uid, pw->pw_gid), ==, 0);
  put (fixture->dropins, "50-user.conf", "[BackgroundSync]\nSyncVariance=12\n", -1);
  g_assert_cmpint (chown (dropin, pw->pw_uid, pw->pw_gid), ==, 0);
  share_text = g_strdup_printf ("[Share]\nLocalPath=%s/l\nRemotePath=%s/r\nUser=root\n",
                                fixture->harness->dir, fixture->harness->dir);
  put (fixture->shares, "usershare.conf", share_text, -1);
  g_assert_cmpint (chown (share, pw->pw_uid, pw->pw_gid), ==, 0);

  start_timed (fixture, "files owned by " OF_TEST_USER_DENY);
  if (get_q (fixture, "SyncInterval") == 11)
    g_string_append (accepted, " background-sync.conf (SyncInterval=11 in force);");
  if (get_q (fixture, "SyncVariance") == 12)
    g_string_append (accepted, " a drop-in (SyncVariance=12 fixed as admin policy);");
  objects = of_harness_call (fixture->harness, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                             NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value (objects, 0);
    if (g_variant_n_children (dict) > 0)
      g_string_append (accepted, " a share file (a share that syncs as root);");
  }
  {
    g_autofree char *log = daemon_log (fixture);
    g_test_message ("daemon log:\n%s", log);
  }

  /* The trust rule: configuration files must be root's and writable by
   * nobody else; others are refused and reported. */
  if (accepted->len > 0)
    g_error ("files owned by " OF_TEST_USER_DENY " were trusted:%s", accepted->str);
  g_string_free (accepted, TRUE);
  assert_log_says (fixture, "is not trusted");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/faults/hostile/" path, Fixture, NULL, setup, func, teardown)
  ADD ("huge-config", test_huge_config);
  ADD ("garbage", test_garbage);
  ADD ("invalid-utf8", test_invalid_utf8);
  ADD ("repeated-groups", test_repeated_groups);
  ADD ("symlinks-and-fifos", test_symlinks_and_fifos);
  ADD ("unprivileged-owner", test_unprivileged_owner);
#undef ADD
  return g_test_run ();
}
