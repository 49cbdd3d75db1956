/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-share-admin.c — AddShare and RemoveShare against the real daemon,
 * the real polkitd and the real unison: a user adds a share of their own
 * folders and it syncs as them; every bad request is refused with its
 * error and writes nothing; ownership decides the polkit action; removal
 * stops the share's running engine and leaves its folders alone; a file
 * written over the bus survives a restart and a reload unchanged; a
 * folder on a dead server costs its caller a timeout, nobody else. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define SHARE_IFACE "org.offlinefiles.Share"
#define ADD_SHARE "--method=" IFACE ".AddShare"
#define REMOVE_SHARE "--method=" IFACE ".RemoveShare"
/* The user who may manage their own shares and nobody else's: the
 * common rules deny this user everything; the rules below, asked first,
 * grant manage-own-shares alone, and only for share names starting with
 * this test process's prefix (own_name()): the rules directory is the
 * machine's, and other tests running meanwhile must not see the grant. */
#define OWN OF_TEST_USER_DENY
#define OTHER OF_TEST_USER_ALLOW

static const char own_rules_template[] =
  "// Installed by test-share-admin; removed when it ends.\n"
  "polkit.addRule(function(action, subject) {\n"
  "  if (subject.user == \"" OWN "\" &&\n"
  "      action.id == \"org.offlinefiles.backgroundsync.manage-own-shares\" &&\n"
  "      action.lookup(\"share\").indexOf(\"%s\") == 0)\n"
  "    return polkit.Result.YES;\n"
  "  return polkit.Result.NOT_HANDLED;\n"
  "});\n";

typedef struct {
  OfHarness *harness;
  GPtrArray *events;
  char      *shares_dir;
  uid_t      uid;
  gid_t      gid;
  GPtrArray *names;    /* of own_name() */
} Fixture;

/* @base with this process's prefix: a share the rules above let OWN
 * manage.  Valid until the fixture's teardown. */
static const char *
own_name (Fixture *fixture, const char *base)
{
  char *name = g_strdup_printf ("own%d-%s", (int) getpid (), base);

  g_ptr_array_add (fixture->names, name);
  return name;
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree char *prefix = g_strdup_printf ("own%d-", (int) getpid ());
  g_autofree char *rules = g_strdup_printf (own_rules_template, prefix);

  (void) data;
  fixture->names = g_ptr_array_new_with_free_func (g_free);
  fixture->harness = of_harness_new_with_rules (rules);
  fixture->events = of_harness_watch_syncs (fixture->harness);
  fixture->shares_dir = g_build_filename (fixture->harness->config_dir, "shares.d", NULL);
  g_mkdir (fixture->shares_dir, 0755);
  of_harness_lookup_user (OWN, &fixture->uid, &fixture->gid);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  of_harness_clear (&fixture->harness);
  g_free (fixture->shares_dir);
  g_ptr_array_unref (fixture->names);
}

static gboolean
require_all (Fixture *fixture)
{
  /* of_harness_require_polkit() also checks that the test users exist. */
  return of_harness_require_root ("run polkitd and call as test users") &&
         of_harness_require_polkit (fixture->harness);
}

/* The files in shares.d, as one sorted line: "nothing written" means
 * this does not change. */
static char *
listing (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->shares_dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* AddShare as @user; returns the exit status of gdbus, its output in
 * *@out and errors in *@err. */
static int
add_as (Fixture *fixture, const char *user, const char *name, const char *local, const char *remote,
        const char *options, char **out, char **err)
{
  return of_harness_gdbus_as (fixture->harness, user, out, err, ADD_SHARE, name, local, remote,
                              options ? options : "@a{sv} {}", NULL);
}

static int
remove_as (Fixture *fixture, const char *user, const char *name, char **err)
{
  g_autofree char *out = NULL;

  return of_harness_gdbus_as (fixture->harness, user, &out, err, REMOVE_SHARE, name, NULL);
}

static gboolean
share_exported (Fixture *fixture, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.ObjectManager",
                                               "GetManagedObjects", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
  g_autoptr(GVariant) objects = NULL;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  gboolean found = FALSE;

  g_assert_no_error (error);
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, SHARE_IFACE, NULL);
      g_autoptr(GVariant) value = props ? g_variant_lookup_value (props, "Name", NULL) : NULL;

      g_variant_unref (interfaces);
      found |= value != NULL && g_str_equal (g_variant_get_string (value, NULL), name);
    }
  return found;
}

/* unison archive files (ar*) of uid @uid in the daemon's state dir. */
static guint
count_archives (Fixture *fixture, uid_t uid)
{
  g_autofree char *dir_path = g_strdup_printf ("%s/unison/%u", fixture->harness->state_dir, (guint) uid);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, "ar");
  return n;
}

static char *
read_share_file (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.conf", fixture->shares_dir, name);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* The whole life of a share a user adds: added, on the bus at once, the
 * file trusted and unchanged across a restart and a reload, synced as
 * the user, removed with its archives and nothing of its folders. */
static void
test_add_sync_remove (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *out = NULL, *err = NULL, *err2 = NULL;
  g_autofree char *written = NULL, *after_restart = NULL, *after_reload = NULL, *mark = NULL;
  g_autofree char *path = NULL, *arrived_path = NULL, *arrived = NULL, *expected_out = NULL;
  g_autofree char *local_file = NULL;
  OfSyncEvent *finished;
  struct stat st;
  const char *mine = own_name (fixture, "mine");
  const char *keep = own_name (fixture, "keep");
  g_autofree char *keep_local = NULL, *keep_remote = NULL, *out2 = NULL, *err3 = NULL;
  guint64 id;

  (void) data;
  if (!require_all (fixture))
    return;
  local = of_harness_user_dir (fixture->harness, "mine-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "mine-remote", fixture->uid, fixture->gid);
  of_harness_write_file_as (local, "notes.txt", "mine", fixture->uid, fixture->gid);
  keep_local = of_harness_user_dir (fixture->harness, "keep-local", fixture->uid, fixture->gid);
  keep_remote = of_harness_user_dir (fixture->harness, "keep-remote", fixture->uid, fixture->gid);
  of_harness_start_daemon (fixture->harness, NULL);

  g_assert_cmpint (add_as (fixture, OWN, mine, local, remote, "{'Timeout': <uint32 5>}", &out, &err), ==, 0);
  g_test_message ("AddShare: %s", out);
  /* The object path escapes the "-" of the prefix. */
  expected_out = g_strdup_printf ("(objectpath '/org/offlinefiles/BackgroundSync/share/own%d_2dmine',)\n",
                                  (int) getpid ());
  g_assert_cmpstr (out, ==, expected_out);
  /* Exported before the reply: no waiting for the file monitor. */
  g_assert_true (share_exported (fixture, mine));

  /* Root's, 0644, marked with who added it: the trust rule holds. */
  path = g_strdup_printf ("%s/%s.conf", fixture->shares_dir, mine);
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpuint (st.st_uid, ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0644);
  written = read_share_file (fixture, mine);
  g_test_message ("%s", written);
  mark = g_strdup_printf ("# Added by %s (uid %u) through AddShare at ", OWN, (guint) fixture->uid);
  g_assert_true (g_str_has_prefix (written, mark));
  g_assert_nonnull (strstr (written, "\nUser=" OWN "\n"));
  g_assert_nonnull (strstr (written, "\nTimeout=5\n"));

  /* A restart reads it back as it is (the trust rule accepts it), and
   * nobody rewrites it. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  of_harness_start_daemon (fixture->harness, NULL);
  g_assert_true (share_exported (fixture, mine));
  after_restart = read_share_file (fixture, mine);
  g_assert_cmpstr (after_restart, ==, written);
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  of_harness_settle (fixture->harness);
  g_assert_true (share_exported (fixture, mine));
  after_reload = read_share_file (fixture, mine);
  g_assert_cmpstr (after_reload, ==, written);

  /* It syncs, as its user, with another share of the same user's. */
  g_assert_cmpint (add_as (fixture, OWN, keep, keep_local, keep_remote, NULL, &out2, &err3), ==, 0);
  id = of_harness_sync_now (fixture->harness);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "success");
  arrived_path = g_build_filename (remote, "notes.txt", NULL);
  g_assert_true (g_file_get_contents (arrived_path, &arrived, NULL, NULL));
  g_assert_cmpstr (arrived, ==, "mine");
  g_assert_cmpint (g_stat (arrived_path, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, fixture->uid);
  /* Two archives (one per root) of each share. */
  g_assert_cmpuint (count_archives (fixture, fixture->uid), ==, 4);

  /* Another user may not remove it; its user may. */
  g_assert_cmpint (remove_as (fixture, OF_TEST_USER_ASK, mine, &err2), !=, 0);
  g_assert_nonnull (strstr (err2, "AccessDenied"));
  g_assert_true (share_exported (fixture, mine));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (remove_as (fixture, OWN, mine, &err), ==, 0);
  g_assert_false (share_exported (fixture, mine));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Its archives went; the other share's stayed. */
  g_assert_cmpuint (count_archives (fixture, fixture->uid), ==, 2);
  g_assert_true (share_exported (fixture, keep));
  /* The folders are the user's, untouched. */
  local_file = g_build_filename (local, "notes.txt", NULL);
  g_assert_true (g_file_test (local_file, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (arrived_path, G_FILE_TEST_IS_REGULAR));
  /* And it stays gone after the file monitor's reload. */
  g_subprocess_send_signal (fixture->harness->daemon, SIGHUP);
  of_harness_settle (fixture->harness);
  g_assert_false (share_exported (fixture, mine));
}

/* Each bad request: its own error, a message that names the problem,
 * and nothing written. */
static void
test_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *roots = NULL, *inside = NULL, *before = NULL;
  g_autofree char *dotdot = NULL, *after = NULL, *other_option = NULL;
  struct {
    const char *name;
    const char *local;
    const char *remote;
    const char *options;
    const char *error;
    const char *message;
  } cases[] = {
    { "rootsdir", NULL, NULL, NULL, "InvalidArgs", "is not a folder that user " OWN " can read, write and enter" },
    { "nested", NULL, NULL, NULL, "InvalidArgs", "neither inside the other" },
    { "relative", "mine-local", NULL, NULL, "InvalidArgs", "absolute, normalized" },
    { "dotdot", NULL, NULL, NULL, "InvalidArgs", "absolute, normalized" },
    { "a/b", NULL, NULL, NULL, "InvalidArgs", "Share name" },
    { ".hidden", NULL, NULL, NULL, "InvalidArgs", "do not start with a dot" },
    { "taken", NULL, NULL, NULL, "Error.Exists", "exists already" },
    { "badtimeout", NULL, NULL, "{'Timeout': <uint32 0>}", "InvalidArgs", "Timeout must be" },
    { "badoption", NULL, NULL, "{'Colour': <'blue'>}", "InvalidArgs", "Unknown option" },
    { "theirs", NULL, NULL, NULL, "AccessDenied", "" },
  };

  (void) data;
  if (!require_all (fixture))
    return;
  local = of_harness_user_dir (fixture->harness, "mine-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "mine-remote", fixture->uid, fixture->gid);
  roots = g_build_filename (fixture->harness->dir, "roots-only", NULL);
  g_assert_cmpint (g_mkdir (roots, 0755), ==, 0);  /* root's: the user cannot write it */
  inside = g_build_filename (local, "inner", NULL);
  g_assert_cmpint (g_mkdir (inside, 0755), ==, 0);
  dotdot = g_strdup_printf ("%s/../mine-remote", local);
  of_harness_write_share (fixture->harness, "taken", local, remote, OWN, NULL);
  other_option = g_strdup_printf ("{'User': <'%s'>}", OTHER);
  cases[0].name = own_name (fixture, "rootsdir");
  cases[0].local = roots;
  cases[1].remote = inside;
  cases[3].remote = dotdot;
  cases[9].options = other_option;
  of_harness_start_daemon (fixture->harness, NULL);
  before = listing (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (add_as (fixture, OWN, cases[i].name, cases[i].local ? cases[i].local : local,
                               cases[i].remote ? cases[i].remote : remote, cases[i].options, &out, &err), !=, 0);
      g_test_message ("%s: %s", cases[i].name, err);
      g_assert_nonnull (strstr (err, cases[i].error));
      g_assert_nonnull (strstr (err, cases[i].message));
      after = listing (fixture);
      g_assert_cmpstr (after, ==, before);
      g_clear_pointer (&after, g_free);
    }
}

/* The 65th share of one user is refused; the 64 before count whoever
 * wrote them. */
static void
test_limit (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *out = NULL, *err = NULL, *before = NULL, *after = NULL;

  (void) data;
  if (!require_all (fixture))
    return;
  local = of_harness_user_dir (fixture->harness, "mine-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "mine-remote", fixture->uid, fixture->gid);
  for (int i = 0; i < 63; i++)
    {
      g_autofree char *name = g_strdup_printf ("admin%02d", i);

      of_harness_write_share (fixture->harness, name, local, remote, OWN, NULL);
    }
  of_harness_start_daemon (fixture->harness, NULL);
  g_assert_cmpint (add_as (fixture, OWN, own_name (fixture, "the64th"), local, remote, NULL, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  before = listing (fixture);
  g_assert_cmpint (add_as (fixture, OWN, own_name (fixture, "the65th"), local, remote, NULL, &out, &err), !=, 0);
  g_test_message ("65th: %s", err);
  g_assert_nonnull (strstr (err, "LimitsExceeded"));
  g_assert_nonnull (strstr (err, "64 shares"));
  after = listing (fixture);
  g_assert_cmpstr (after, ==, before);
}

/* Who may remove what: an administrator's share needs manage-shares,
 * also for its own user; root adds for anyone and removes anything. */
static void
test_ownership (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *err = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  (void) data;
  if (!require_all (fixture))
    return;
  local = of_harness_user_dir (fixture->harness, "mine-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "mine-remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "byadmin", local, remote, OWN, NULL);
  of_harness_start_daemon (fixture->harness, NULL);

  g_assert_cmpint (remove_as (fixture, OWN, "byadmin", &err), !=, 0);
  g_test_message ("administrator's share: %s", err);
  g_assert_nonnull (strstr (err, "AccessDenied"));
  g_assert_true (share_exported (fixture, "byadmin"));

  /* Root adds for the user; the mark names root, so the user still
   * cannot remove it alone. */
  reply = of_harness_call (fixture->harness, IFACE, "AddShare",
                           g_variant_new_parsed ("('forthem', %s, %s, {'User': <%s>})", local, remote, OWN),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  text = read_share_file (fixture, "forthem");
  g_assert_true (g_str_has_prefix (text, "# Added by root (uid 0) through AddShare at "));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (remove_as (fixture, OWN, "forthem", &err), !=, 0);
  g_assert_nonnull (strstr (err, "AccessDenied"));

  /* Root removes both. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = of_harness_call (fixture->harness, IFACE, "RemoveShare", g_variant_new ("(s)", "byadmin"),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = of_harness_call (fixture->harness, IFACE, "RemoveShare", g_variant_new ("(s)", "forthem"),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (share_exported (fixture, "byadmin"));
  g_assert_false (share_exported (fixture, "forthem"));

  /* An unknown name. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = of_harness_call (fixture->harness, IFACE, "RemoveShare", g_variant_new ("(s)", "forthem"),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

/* Removed while its engine runs: the engine is stopped first, the sync
 * goes on with the other share and ends without the removed one. */
static void
test_remove_during_sync (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *engine = NULL, *engine_arg = NULL;
  g_autofree char *local2 = NULL, *remote2 = NULL, *err = NULL, *out = NULL;
  g_autofree char *marker = NULL, *script = NULL, *pid_text = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *a_name = own_name (fixture, "a");
  const char *b_name = own_name (fixture, "b");
  int pid;
  g_autoptr(GError) error = NULL;
  const char *args[2] = { NULL, NULL };
  OfSyncEvent *finished;
  gint64 before;
  guint64 id;

  (void) data;
  if (!require_all (fixture))
    return;
  local = of_harness_user_dir (fixture->harness, "a-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "a-remote", fixture->uid, fixture->gid);
  local2 = of_harness_user_dir (fixture->harness, "b-local", fixture->uid, fixture->gid);
  remote2 = of_harness_user_dir (fixture->harness, "b-remote", fixture->uid, fixture->gid);
  /* A stand-in engine: for share "a" (whose folders it is given) it
   * says its pid and hangs; for "b" it syncs nothing. */
  marker = g_build_filename (local, "engine-pid", NULL);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "case \"$*\" in *a-local*) echo $$ > '%s'; exec sleep 3600 ;; esac\n"
                            "echo 'Synchronization complete at 00:00:00  (0 items transferred, 0 skipped, 0 failed)' >&2\n"
                            "exit 0\n", marker);
  engine = g_build_filename (fixture->harness->dir, "fake-engine", NULL);
  g_assert_true (g_file_set_contents (engine, script, -1, NULL));
  g_assert_cmpint (g_chmod (engine, 0755), ==, 0);
  engine_arg = g_strdup_printf ("--engine=%s", engine);
  args[0] = engine_arg;
  of_harness_start_daemon (fixture->harness, args);
  g_assert_cmpint (add_as (fixture, OWN, a_name, local, remote, NULL, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (add_as (fixture, OWN, b_name, local2, remote2, NULL, &out, &err), ==, 0);

  id = of_harness_sync_now (fixture->harness);
  /* "a" comes first: wait until its engine runs. */
  for (int i = 0; i < 3000 && !g_file_get_contents (marker, &pid_text, NULL, NULL); i++)
    g_usleep (10 * 1000);
  g_assert_nonnull (pid_text);
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 1);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  before = g_get_monotonic_time ();
  reply = of_harness_call (fixture->harness, IFACE, "RemoveShare", g_variant_new ("(s)", a_name),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  /* Stopped and reaped before the reply. */
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_test_message ("removed in %.2f s", (g_get_monotonic_time () - before) / 1e6);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 30);
  g_test_message ("SyncFinished: %s: %s", finished->detail, finished->message);
  g_assert_cmpstr (finished->detail, ==, "success");
  g_assert_cmpstr (finished->message, ==, "1 share synced");
  for (guint i = 0; i < fixture->events->len; i++)
    {
      OfSyncEvent *event = fixture->events->pdata[i];

      if (event->id == id && g_str_equal (event->name, "SyncProgress"))
        g_assert_cmpstr (event->detail, ==, b_name);
    }
  g_assert_false (share_exported (fixture, a_name));
  g_assert_true (share_exported (fixture, b_name));
}

/* A folder on a dead file server: the check as the user gives up at its
 * time limit with a clear error and writes nothing; meanwhile the
 * daemon answers at once, and another caller's AddShare goes through. */
static void
test_hung_folder (Fixture *fixture, gconstpointer data)
{
  g_autofree char *server = g_build_filename (fixture->harness->dir, "server", NULL);
  g_autofree char *hung_remote = g_build_filename (server, "remote", NULL);
  g_autofree char *local = NULL, *root_local = NULL, *root_remote = NULL, *before = NULL, *after = NULL;
  g_autofree char *out = NULL, *err = NULL, *expected = NULL;
  g_autoptr(GSubprocess) fuse = NULL, hung_call = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *hung = own_name (fixture, "hung");
  gint64 started, took;

  (void) data;
  if (!require_all (fixture))
    return;
  fuse = of_harness_mount_hanging_fs (server, NULL);
  if (fuse == NULL)
    return;
  local = of_harness_user_dir (fixture->harness, "hung-local", fixture->uid, fixture->gid);
  root_local = g_build_filename (fixture->harness->dir, "root-local", NULL);
  root_remote = g_build_filename (fixture->harness->dir, "root-remote", NULL);
  g_assert_cmpint (g_mkdir (root_local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (root_remote, 0755), ==, 0);
  of_harness_start_daemon (fixture->harness, NULL);
  before = listing (fixture);

  started = g_get_monotonic_time ();
  /* gdbus would give up after 25 s: the daemon's answer must not race it. */
  hung_call = of_harness_gdbus_as_async (fixture->harness, OWN, "--timeout=120", ADD_SHARE, hung, local,
                                         hung_remote, "@a{sv} {}", NULL);
  g_usleep (500 * 1000);
  /* Meanwhile: a write, and root's own AddShare, are answered at once. */
  {
    gint64 t0 = g_get_monotonic_time ();

    g_assert_true (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (100), &error));
    g_assert_no_error (error);
    reply = of_harness_call (fixture->harness, IFACE, "AddShare",
                             g_variant_new_parsed ("('rootshare', %s, %s, @a{sv} {})", root_local, root_remote),
                             G_DBUS_CALL_FLAGS_NONE, &error);
    g_assert_no_error (error);
    g_test_message ("a Set and root's AddShare took %.2f s while the other check hung",
                    (g_get_monotonic_time () - t0) / 1e6);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
    g_assert_true (share_exported (fixture, "rootshare"));
  }

  g_assert_true (g_subprocess_communicate_utf8 (hung_call, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  took = g_get_monotonic_time () - started;
  g_test_message ("hung folder: %.1f s: %s", took / 1e6, err);
  g_assert_cmpint (g_subprocess_get_exit_status (hung_call), !=, 0);
  g_assert_nonnull (strstr (err, "org.offlinefiles.BackgroundSync.Error.Failed"));
  g_assert_nonnull (strstr (err, "took longer than 15 s"));
  g_assert_cmpint (took, >=, 14 * G_USEC_PER_SEC);
  g_assert_false (share_exported (fixture, hung));
  after = listing (fixture);
  expected = g_strdup_printf ("%s%srootshare.conf", before, *before ? " " : "");
  g_assert_cmpstr (after, ==, expected);

  of_harness_unmount_hanging_fs (&fuse, server);
}

/* UserSharesEnabled=false in a drop-in: the user's own AddShare is
 * refused with a message naming the cause, nothing is written, the key
 * is locked; root may still add a share for the user. */
static void
test_disabled_by_policy (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL, *remote = NULL, *out = NULL, *err = NULL, *before = NULL;
  g_autofree char *dropin_dir = NULL, *dropin = NULL, *after = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autoptr(GError) error = NULL;

  (void) data;
  if (!require_all (fixture))
    return;
  local = of_harness_user_dir (fixture->harness, "mine-local", fixture->uid, fixture->gid);
  remote = of_harness_user_dir (fixture->harness, "mine-remote", fixture->uid, fixture->gid);
  dropin_dir = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dropin_dir, 0755), ==, 0);
  dropin = g_build_filename (dropin_dir, "50-no-user-shares.conf", NULL);
  g_assert_true (g_file_set_contents (dropin, "[MachineConfiguration]\nUserSharesEnabled=false\n", -1, NULL));
  of_harness_start_daemon (fixture->harness, NULL);

  locked = of_harness_get (fixture->harness, "LockedProperties");
  {
    g_autofree const char **names = g_variant_get_strv (locked, NULL);

    g_assert_true (g_strv_contains (names, "UserSharesEnabled"));
  }
  before = listing (fixture);
  g_assert_cmpint (add_as (fixture, OWN, own_name (fixture, "mine"), local, remote, NULL, &out, &err), !=, 0);
  g_test_message ("disabled: %s", err);
  g_assert_nonnull (strstr (err, "AccessDenied"));
  g_assert_nonnull (strstr (err, "administrator has disabled"));
  after = listing (fixture);
  g_assert_cmpstr (after, ==, before);

  reply = of_harness_call (fixture->harness, IFACE, "AddShare",
                           g_variant_new_parsed ("('forthem', %s, %s, {'User': <%s>})", local, remote, OWN),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (share_exported (fixture, "forthem"));
}

#define ADD(path, func) g_test_add ("/share-admin/" path, Fixture, NULL, setup, func, teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("add-sync-remove", test_add_sync_remove);
  ADD ("refused", test_refused);
  ADD ("limit", test_limit);
  ADD ("ownership", test_ownership);
  ADD ("disabled-by-policy", test_disabled_by_policy);
  ADD ("remove-during-sync", test_remove_during_sync);
  ADD ("hung-folder", test_hung_folder);
  return g_test_run ();
}
