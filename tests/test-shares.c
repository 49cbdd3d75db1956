/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-shares.c — real syncs: the real unison on temp directories, run as
 * an unprivileged user, Share objects on the bus, work-offline mode,
 * engines that hang or crash (--engine), cancellation, live share files. */
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define SHARE_IFACE "org.offlinefiles.Share"
#define USER OF_TEST_USER_ALLOW
/* A distinctive private file name: it must never reach what others read. */
#define SECRET "secret-plan-\u03a9.txt"
/* A name that would reorder a terminal's line (U+202E) and hold a C1
 * control (U+0085): it may only ever be shown escaped. */
#define BIDI "bidi-\u202etxt.exe-\xc2\x85"

typedef struct {
  OfHarness *harness;
  GPtrArray *events;   /* OfSyncEvent, owned by the harness */
  char      *shares_dir;
  uid_t      uid;
  gid_t      gid;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->events = of_harness_watch_syncs (fixture->harness);
  fixture->shares_dir = g_build_filename (fixture->harness->config_dir, "shares.d", NULL);
  g_mkdir (fixture->shares_dir, 0755);
  of_harness_lookup_user (USER, &fixture->uid, &fixture->gid);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  of_harness_clear (&fixture->harness);
  g_free (fixture->shares_dir);
}

static char *
fake_engine (Fixture *fixture, const char *body)
{
  char *path = g_build_filename (fixture->harness->dir, "fake-engine", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\n%s\n", body);

  g_file_set_contents (path, script, -1, NULL);
  g_chmod (path, 0755);
  return path;
}

static void
start (Fixture *fixture, const char *engine)
{
  g_autofree char *arg = engine ? g_strdup_printf ("--engine=%s", engine) : NULL;
  const char *args[] = { arg, NULL };

  of_harness_start_daemon (fixture->harness, args);
}

static guint
count_events (Fixture *fixture, const char *name, guint64 id)
{
  guint n = 0;

  for (guint i = 0; i < fixture->events->len; i++)
    {
      OfSyncEvent *event = fixture->events->pdata[i];
      n += g_str_equal (event->name, name) && event->id == id;
    }
  return n;
}

static GVariant *
managed_objects (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.ObjectManager",
                                               "GetManagedObjects", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  return g_variant_get_child_value (reply, 0);
}

static GVariant *
share_property (Fixture *fixture, const char *share, const char *property)
{
  g_autoptr(GVariant) objects = managed_objects (fixture);
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, SHARE_IFACE, NULL);
      g_autoptr(GVariant) name = props ? g_variant_lookup_value (props, "Name", NULL) : NULL;

      g_variant_unref (interfaces);
      if (name && g_str_equal (g_variant_get_string (name, NULL), share))
        return g_variant_lookup_value (props, property, NULL);
    }
  return NULL;
}

static char *
share_string (Fixture *fixture, const char *share, const char *property)
{
  g_autoptr(GVariant) value = share_property (fixture, share, property);
  g_assert_nonnull (value);
  return g_variant_dup_string (value, NULL);
}

static void
test_two_way_and_unreachable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *gone_local = NULL;
  g_autofree char *gone_remote = NULL, *arrived = NULL, *back = NULL;
  g_autofree char *result = NULL, *message = NULL;
  g_autofree char *remote_file = NULL;
  g_autofree char *local_file = NULL;
  struct stat st;
  OfSyncEvent *finished;
  guint64 id;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  local = of_harness_user_dir (fixture->harness, "docs-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "docs-remote", fixture->uid, fixture->gid);
  gone_local = of_harness_user_dir (fixture->harness, "gone-local", fixture->uid, fixture->gid);
  gone_remote = g_build_filename (fixture->harness->dir, "unmounted", "remote", NULL);
  of_harness_write_file_as (local, "from-local.txt", "L", fixture->uid, fixture->gid);
  of_harness_write_file_as (remote, "from-remote.txt", "R", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "docs", local, remote, USER, NULL);
  of_harness_write_share (fixture->harness, "gone", gone_local, gone_remote, USER, NULL);
  start (fixture, NULL);

  id = of_harness_sync_now (fixture->harness);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "partial");
  g_assert_nonnull (strstr (finished->message, "1 of 2 shares synced"));
  g_assert_nonnull (strstr (finished->message, "gone"));
  g_assert_cmpuint (count_events (fixture, "SyncProgress", id), ==, 2);
  g_assert_cmpuint (count_events (fixture, "SyncFinished", id), ==, 1);

  /* Both ways, as the share's user. */
  remote_file = g_build_filename (remote, "from-local.txt", NULL);
  local_file = g_build_filename (local, "from-remote.txt", NULL);
  g_assert_true (g_file_get_contents (remote_file, &arrived, NULL, NULL));
  g_assert_cmpstr (arrived, ==, "L");
  g_assert_true (g_file_get_contents (local_file, &back, NULL, NULL));
  g_assert_cmpstr (back, ==, "R");
  g_assert_cmpint (g_stat (remote_file, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, fixture->uid);

  /* The unreachable remote was not created. */
  g_assert_false (g_file_test (gone_remote, G_FILE_TEST_EXISTS));

  result = share_string (fixture, "docs", "LastResult");
  g_assert_cmpstr (result, ==, "success");
  message = share_string (fixture, "gone", "LastResult");
  g_assert_cmpstr (message, ==, "failed");
}

static void
test_conflict (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *last = NULL;
  g_autofree char *mine = NULL, *theirs = NULL;
  OfSyncEvent *finished;
  guint64 id;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  of_harness_write_file_as (local, SECRET, "base", fixture->uid, fixture->gid);
  of_harness_write_file_as (local, BIDI, "base", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "home", local, remote, USER, NULL);
  start (fixture, NULL);
  id = of_harness_sync_now (fixture->harness);
  g_assert_cmpstr (of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60)->detail, ==, "success");

  g_usleep (1100 * 1000);  /* a different mtime on both sides */
  of_harness_write_file_as (local, SECRET, "changed here", fixture->uid, fixture->gid);
  of_harness_write_file_as (remote, SECRET, "changed there", fixture->uid, fixture->gid);
  of_harness_write_file_as (local, BIDI, "changed here", fixture->uid, fixture->gid);
  of_harness_write_file_as (remote, BIDI, "changed there", fixture->uid, fixture->gid);
  id = of_harness_sync_now (fixture->harness);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "partial");
  g_assert_nonnull (strstr (finished->message, "2 conflicts in share home"));

  /* Nothing guessed: both versions stay as they were. */
  {
    g_autofree char *mine_path = g_build_filename (local, SECRET, NULL);
    g_autofree char *theirs_path = g_build_filename (remote, SECRET, NULL);
    g_file_get_contents (mine_path, &mine, NULL, NULL);
    g_file_get_contents (theirs_path, &theirs, NULL, NULL);
  }
  g_assert_cmpstr (mine, ==, "changed here");
  g_assert_cmpstr (theirs, ==, "changed there");
  /* What everyone may read names no file inside the share... */
  last = share_string (fixture, "home", "LastMessage");
  g_test_message ("LastMessage: %s", last);
  g_assert_cmpstr (last, ==, "2 conflicts");
  g_assert_null (strstr (finished->message, "secret"));
  /* ...the paths are for the share's user, root and manage-shares. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
    const char *path, *reason;

    reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                         "/org/offlinefiles/BackgroundSync/share/home", SHARE_IFACE,
                                         "GetLastProblems", NULL, G_VARIANT_TYPE ("(a(ss))"),
                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
    g_autoptr(GVariant) problems = g_variant_get_child_value (reply, 0);

    g_assert_cmpuint (g_variant_n_children (problems), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        g_variant_get_child (problems, i, "(&s&s)", &path, &reason);
        g_test_message ("GetLastProblems as root: %s: %s", path, reason);
        g_assert_true (g_str_has_prefix (reason, "conflict"));
        if (g_str_has_prefix (path, "bidi"))
          /* Escaped: the override and the C1 control never go out raw. */
          g_assert_cmpstr (path, ==, "bidi-\\u202etxt.exe-\\x85");
        else
          g_assert_cmpstr (path, ==, SECRET);
      }

    g_assert_cmpint (of_harness_gdbus_as (fixture->harness, USER, &out, &err,
                                          "--object-path", "/org/offlinefiles/BackgroundSync/share/home",
                                          "--method=" SHARE_IFACE ".GetLastProblems", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "secret-plan"));
    g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out2, &err2,
                                          "--object-path", "/org/offlinefiles/BackgroundSync/share/home",
                                          "--method=" SHARE_IFACE ".GetLastProblems", NULL), !=, 0);
    g_assert_nonnull (strstr (err2, "AccessDenied"));
    g_assert_null (strstr (err2, "secret"));
  }
}

static void
test_work_offline (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(GVariant) offline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint64 id;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user") || !of_harness_require_polkit (fixture->harness))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "home", local, remote, USER, NULL);
  start (fixture, NULL);
  path = g_strdup ("/org/offlinefiles/BackgroundSync/share/home");

  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out, &err,
                                        "--object-path", path,
                                        "--method=org.freedesktop.DBus.Properties.Set",
                                        SHARE_IFACE, "WorkOffline", "<true>", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "AccessDenied"));
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_ALLOW, &out2, &err2,
                                        "--object-path", path,
                                        "--method=org.freedesktop.DBus.Properties.Set",
                                        SHARE_IFACE, "WorkOffline", "<true>", NULL), ==, 0);
  offline = share_property (fixture, "home", "WorkOffline");
  g_assert_true (g_variant_get_boolean (offline));

  /* Skipped by syncs... */
  id = of_harness_sync_now (fixture->harness);
  g_assert_cmpstr (of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60)->message, ==, "0 shares synced");
  /* ...unless the WMI flag says otherwise. */
  g_assert_true (of_harness_set (fixture->harness, "BackgroundSyncWorkOfflineSharesEnabled",
                                 g_variant_new_boolean (TRUE), &error));
  id = of_harness_sync_now (fixture->harness);
  g_assert_cmpstr (of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60)->message, ==, "1 share synced");

  /* Kept across a restart. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  start (fixture, NULL);
  g_clear_pointer (&offline, g_variant_unref);
  offline = share_property (fixture, "home", "WorkOffline");
  g_assert_true (g_variant_get_boolean (offline));
}

/* Ownership decides, and rules may look at the share: the harness's
 * rules let OF_TEST_USER_ASK decide only for shares whose share_user
 * detail is its own.  It may put its own share offline, not another's. */
static void
test_work_offline_own_share_only (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  g_autofree char *other = g_strdup_printf ("%s/ask.conf", fixture->shares_dir);
  g_autofree char *other_text = NULL;
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(GVariant) mine = NULL, theirs = NULL;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user") || !of_harness_require_polkit (fixture->harness))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "home", local, remote, USER, NULL);
  other_text = g_strdup_printf ("[Share]\nLocalPath=%s/ask-local\nRemotePath=%s/ask-remote\nUser=%s\n",
                                fixture->harness->dir, fixture->harness->dir, OF_TEST_USER_ASK);
  g_assert_true (g_file_set_contents (other, other_text, -1, NULL));
  start (fixture, NULL);

  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_ASK, &out, &err,
                                        "--object-path", "/org/offlinefiles/BackgroundSync/share/ask",
                                        "--method=org.freedesktop.DBus.Properties.Set",
                                        SHARE_IFACE, "WorkOffline", "<true>", NULL), ==, 0);
  mine = share_property (fixture, "ask", "WorkOffline");
  g_assert_true (g_variant_get_boolean (mine));

  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_ASK, &out2, &err2,
                                        "--object-path", "/org/offlinefiles/BackgroundSync/share/home",
                                        "--method=org.freedesktop.DBus.Properties.Set",
                                        SHARE_IFACE, "WorkOffline", "<true>", NULL), !=, 0);
  g_test_message ("another user's share: %s", err2);
  g_assert_nonnull (strstr (err2, "AccessDenied"));
  theirs = share_property (fixture, "home", "WorkOffline");
  g_assert_false (g_variant_get_boolean (theirs));
}

/* GetManagedObjects is answered from a snapshot once one is built; it
 * must never be older than a change the caller already heard of. */
static void
test_managed_objects_fresh (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "home", local, remote, USER, NULL);
  of_harness_write_share (fixture->harness, "second", local, remote, USER, NULL);
  start (fixture, NULL);
  for (int round = 0; round < 3; round++)
    {
      g_autoptr(GVariant) objects = managed_objects (fixture);

      g_assert_cmpuint (g_variant_n_children (objects), ==, 2);
      of_harness_settle (fixture->harness);  /* lets the snapshot be built */
    }

  /* A change, then at once a read: the new value, not the snapshot's. */
  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                       "/org/offlinefiles/BackgroundSync/share/home",
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline",
                                                      g_variant_new_boolean (TRUE)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) offline = share_property (fixture, "home", "WorkOffline");
    g_assert_true (g_variant_get_boolean (offline));
  }
  /* A share removed: gone from the very next answer. */
  of_harness_settle (fixture->harness);
  {
    g_autoptr(GVariant) warm = managed_objects (fixture);
    g_assert_cmpuint (g_variant_n_children (warm), ==, 2);
  }
  of_harness_settle (fixture->harness);
  of_harness_write_share (fixture->harness, "second", NULL, NULL, USER, NULL);
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    for (;;)
      {
        g_autoptr(GVariant) objects = managed_objects (fixture);

        if (g_variant_n_children (objects) == 1)
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (20 * 1000);
      }
  }
}

/* One share on a dead file server, one whose user holds a lock on its
 * own archive directory, one fine: the fine one syncs, writes are
 * answered at once meanwhile, and no thread of the daemon is left
 * waiting in the kernel. */
static void
test_hung_and_locked_shares (Fixture *fixture, gconstpointer data)
{
  const struct passwd *other;
  g_autofree char *server = g_build_filename (fixture->harness->dir, "server", NULL);
  g_autofree char *hung_remote = g_build_filename (server, "remote", NULL);
  g_autofree char *local = NULL, *remote = NULL, *fine_local = NULL, *fine_remote = NULL;
  g_autofree char *archive = NULL, *fine_share = NULL, *fine_path = NULL;
  g_autofree char *uid_text = NULL;
  g_autoptr(GSubprocess) fuse = NULL, holder = NULL;
  g_autoptr(GError) error = NULL;
  OfSyncEvent *finished;
  guint64 id;
  uid_t other_uid;
  gid_t other_gid;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user") || !of_harness_require_polkit (fixture->harness))
    return;
  /* of_harness_require_polkit() checked that this user exists. */
  other = getpwnam (OF_TEST_USER_DENY);
  other_uid = other->pw_uid;
  other_gid = other->pw_gid;
  fuse = of_harness_mount_hanging_fs (server, NULL);
  if (fuse == NULL)
    return;

  /* hung: its server copy on the dead server. */
  local = of_harness_user_dir (fixture->harness, "hung-local", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "hung", local, hung_remote, USER, "Timeout=2s\n");
  /* locked: its user holds an exclusive lock on its archive directory. */
  remote = of_harness_user_dir (fixture->harness, "locked-remote", fixture->uid, fixture->gid);
  g_free (local);
  local = of_harness_user_dir (fixture->harness, "locked-local", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "locked", local, remote, USER, NULL);
  uid_text = g_strdup_printf ("%u", (guint) fixture->uid);
  archive = g_build_filename (fixture->harness->state_dir, "unison", uid_text, NULL);
  g_assert_cmpint (g_mkdir_with_parents (archive, 0700), ==, 0);
  g_assert_cmpint (chmod (fixture->harness->state_dir, 0755), ==, 0);
  g_assert_cmpint (chmod (archive, 0700), ==, 0);
  {
    g_autofree char *parent = g_path_get_dirname (archive);
    g_assert_cmpint (chmod (parent, 0711), ==, 0);
  }
  g_assert_cmpint (chown (archive, fixture->uid, fixture->gid), ==, 0);
  /* One process that holds the lock (killing it releases it), and says
   * when it has it. */
  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "setpriv", "--reuid=" USER,
                             "--regid=" USER, "--clear-groups", "/usr/bin/python3", "-c",
                             "import fcntl, os, sys, time\n"
                             "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
                             "fcntl.flock(fd, fcntl.LOCK_EX)\n"
                             "print('locked', flush=True)\n"
                             "time.sleep(600)\n", archive, NULL);
  g_assert_no_error (error);
  {
    g_autoptr(GDataInputStream) lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
    g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, "locked");
  }
  /* fine: another user's, nothing wrong with it. */
  fine_local = g_build_filename (fixture->harness->dir, "fine-local", NULL);
  fine_remote = g_build_filename (fixture->harness->dir, "fine-remote", NULL);
  g_assert_cmpint (g_mkdir (fine_local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fine_remote, 0755), ==, 0);
  g_assert_cmpint (chown (fine_local, other_uid, other_gid), ==, 0);
  g_assert_cmpint (chown (fine_remote, other_uid, other_gid), ==, 0);
  fine_path = g_strdup_printf ("%s/fine.conf", fixture->shares_dir);
  fine_share = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n", fine_local, fine_remote,
                                OF_TEST_USER_DENY);
  g_assert_true (g_file_set_contents (fine_path, fine_share, -1, NULL));

  start (fixture, NULL);
  id = of_harness_sync_now (fixture->harness);
  /* While the hung share hangs and the locked one waits for its lock,
   * writes are answered at once. */
  for (int i = 0; i < 3; i++)
    {
      gint64 before = g_get_monotonic_time ();

      g_usleep (500 * 1000);
      before = g_get_monotonic_time ();
      g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (100 + i), &error));
      g_assert_no_error (error);
      g_test_message ("Set during the sync answered in %.0f ms", (g_get_monotonic_time () - before) / 1000.0);
      g_assert_cmpint (g_get_monotonic_time () - before, <, G_USEC_PER_SEC);
    }
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "partial");
  g_assert_nonnull (strstr (finished->message, "1 of 3 shares synced"));
  {
    g_autofree char *hung = share_string (fixture, "hung", "LastMessage");
    g_autofree char *locked = share_string (fixture, "locked", "LastMessage");
    g_autofree char *fine = share_string (fixture, "fine", "LastResult");

    g_test_message ("hung: %s; locked: %s; fine: %s", hung, locked, fine);
    /* Found out by the probe before the engine ran (docs/behaviour.md §14). */
    g_assert_cmpstr (hung, ==, "offline: not responding");
    g_assert_nonnull (strstr (locked, "busy"));
    g_assert_cmpstr (fine, ==, "success");
  }
  g_assert_cmpuint (of_harness_daemon_threads_in_d_state (fixture->harness), ==, 0);

  g_subprocess_force_exit (holder);
  g_subprocess_wait (holder, NULL, NULL);
  of_harness_unmount_hanging_fs (&fuse, server);
}

/* One share of the test user's, and the daemon started with a fake
 * engine running @engine_body (a shell script) in place of unison. */
static void
start_with_fake_engine (Fixture    *fixture,
                        const char *share,
                        const char *extra,
                        const char *engine_body)
{
  g_autofree char *local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  g_autofree char *remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  g_autofree char *engine = fake_engine (fixture, engine_body);

  of_harness_write_share (fixture->harness, share, local, remote, USER, extra);
  start (fixture, engine);
}

static void
test_engine_hangs (Fixture *fixture, gconstpointer data)
{
  OfSyncEvent *finished;
  guint64 id;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  start_with_fake_engine (fixture, "slow", "Timeout=1s\n", "sleep 3600");
  id = of_harness_sync_now (fixture->harness);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 30);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "failed");
  g_assert_nonnull (strstr (finished->message, "timed out"));
  g_usleep (200 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (count_events (fixture, "SyncFinished", id), ==, 1);
}

static void
test_engine_crashes (Fixture *fixture, gconstpointer data)
{
  OfSyncEvent *finished;
  guint64 id;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  start_with_fake_engine (fixture, "crashy", NULL, "head -c 3000000 /dev/zero | tr '\\0' x; kill -SEGV $$");
  id = of_harness_sync_now (fixture->harness);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 30);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "failed");
  g_assert_nonnull (strstr (finished->message, "crashy"));
}

static void
test_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  OfSyncEvent *finished;
  guint64 id;
  gint64 before;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  start_with_fake_engine (fixture, "long", NULL, "sleep 3600");
  id = of_harness_sync_now (fixture->harness);
  g_usleep (500 * 1000);
  /* While it runs, SyncNow starts nothing new. */
  g_assert_cmpuint (of_harness_sync_now (fixture->harness), ==, id);

  before = g_get_monotonic_time ();
  reply = of_harness_call (fixture->harness, IFACE, "Cancel", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 20);
  g_test_message ("cancelled in %.2f s: %s", (g_get_monotonic_time () - before) / 1e6, finished->message);
  g_assert_cmpstr (finished->detail, ==, "cancelled");
  g_assert_cmpuint (count_events (fixture, "SyncStarted", id), ==, 1);
}

/* kill -9 during a sync: at the next start the interrupted sync gets
 * its one SyncFinished ("failed", "interrupted"), its engine is gone, the
 * next sync gets a new id and works. */
static void
test_killed_during_sync (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GVariant) result = NULL;
  OfSyncEvent *finished;
  guint64 id, next;
  gint64 end;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  start_with_fake_engine (fixture, "long", NULL, "exec sleep 3599");
  id = of_harness_sync_now (fixture->harness);
  g_usleep (500 * 1000);
  g_subprocess_send_signal (fixture->harness->daemon, SIGKILL);
  g_subprocess_wait (fixture->harness->daemon, NULL, NULL);
  g_clear_object (&fixture->harness->daemon);

  /* PR_SET_PDEATHSIG: the engine did not outlive its supervisor. */
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *out = NULL;
      int status = 0;

      g_spawn_command_line_sync ("pgrep -u " USER " -f 'sleep 3599'", &out, NULL, &status, NULL);
      if (out == NULL || *out == '\0')
        break;
      if (g_get_monotonic_time () > end)
        g_error ("the engine outlived the killed daemon: %s", out);
      g_usleep (50 * 1000);
    }

  start (fixture, NULL);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 10);
  g_assert_cmpstr (finished->detail, ==, "failed");
  g_assert_cmpstr (finished->message, ==, "interrupted");
  g_assert_cmpuint (count_events (fixture, "SyncFinished", id), ==, 1);
  result = of_harness_get (fixture->harness, "LastSyncResult");
  g_assert_cmpstr (g_variant_get_string (result, NULL), ==, "failed");

  /* Not again at the start after that. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  start (fixture, NULL);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (count_events (fixture, "SyncFinished", id), ==, 1);

  next = of_harness_sync_now (fixture->harness);
  g_assert_cmpuint (next, >, id);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", next, 60);
  g_assert_cmpstr (finished->detail, ==, "success");
}

static void
test_live_shares (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL;
  g_autoptr(GVariant) found = NULL;
  g_autoptr(GVariant) objects = NULL;
  g_autofree char *bad = g_build_filename (fixture->harness->dir, "bad", NULL);

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "first", local, remote, USER, NULL);
  /* Invalid beside valid: a relative path, and a bad name. */
  of_harness_write_share (fixture->harness, "broken", "relative/path", remote, USER, NULL);
  of_harness_write_share (fixture->harness, ".hidden", local, remote, USER, NULL);
  start (fixture, NULL);

  objects = managed_objects (fixture);
  g_assert_cmpuint (g_variant_n_children (objects), ==, 1);
  found = share_property (fixture, "first", "LocalPath");
  g_assert_cmpstr (g_variant_get_string (found, NULL), ==, local);

  /* Added and removed while running. */
  of_harness_write_share (fixture->harness, "second", remote, bad, USER, NULL);
  of_harness_write_share (fixture->harness, "first", NULL, NULL, USER, NULL);
  g_usleep (2500 * 1000);  /* the watch reloads after 1 s of quiet */
  g_clear_pointer (&objects, g_variant_unref);
  objects = managed_objects (fixture);
  g_assert_cmpuint (g_variant_n_children (objects), ==, 1);
  g_clear_pointer (&found, g_variant_unref);
  found = share_property (fixture, "second", "RemotePath");
  g_assert_nonnull (found);
  g_assert_cmpstr (g_variant_get_string (found, NULL), ==, bad);
}

static void
test_reload_during_sync (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dropins = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", NULL);
  g_autofree char *dropin = g_build_filename (dropins, "50-fleet.conf", NULL);
  g_autoptr(GVariant) interval = NULL;
  OfSyncEvent *finished;
  guint64 id;

  (void) data;
  if (!of_harness_require_user (USER, "run the engine as another user"))
    return;
  start_with_fake_engine (fixture, "slowish", NULL,
                          "sleep 4; echo 'Synchronization complete at 10:00:00  (0 items transferred, 0 skipped, 0 failed)'");
  id = of_harness_sync_now (fixture->harness);
  g_usleep (300 * 1000);
  g_mkdir (dropins, 0755);
  g_file_set_contents (dropin, "[BackgroundSync]\nSyncInterval=42\n", -1, NULL);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 30);
  g_assert_cmpstr (finished->detail, ==, "success");
  interval = of_harness_get (fixture->harness, "SyncInterval");
  g_assert_cmpuint (g_variant_get_uint16 (interval), ==, 42);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add ("/shares/" path, Fixture, NULL, setup, func, teardown)
  ADD ("two-way-and-unreachable", test_two_way_and_unreachable);
  ADD ("conflict", test_conflict);
  ADD ("work-offline", test_work_offline);
  ADD ("engine-hangs", test_engine_hangs);
  ADD ("engine-crashes", test_engine_crashes);
  ADD ("cancel", test_cancel);
  ADD ("killed-during-sync", test_killed_during_sync);
  ADD ("work-offline-own-share-only", test_work_offline_own_share_only);
  ADD ("managed-objects-fresh", test_managed_objects_fresh);
  ADD ("hung-and-locked-shares", test_hung_and_locked_shares);
  ADD ("live-shares", test_live_shares);
  ADD ("reload-during-sync", test_reload_during_sync);
#undef ADD
  return g_test_run ();
}
