/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-conflicts.c — conflicts listed and resolved later, for real: the
 * real unison on temp directories as an unprivileged user, the real
 * daemon and polkitd; each reason produced, each choice resolved and the
 * files checked byte for byte on both sides, the store across a restart,
 * ConflictCount's signals, other users refused, a resolution waiting for
 * a running sync, a remote gone.  docs/behaviour.md §13. */
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "harness.h"
#include "names.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define SHARE_IFACE "org.offlinefiles.Share"
#define SHARE_PATH "/org/offlinefiles/BackgroundSync/share/home"
#define USER OF_TEST_USER_ALLOW
#define SECRET "secret-plan.txt"

typedef struct {
  OfHarness *harness;
  GPtrArray *events;          /* OfSyncEvent, owned by the harness */
  GPtrArray *share_changes;   /* a{sv} of the share's PropertiesChanged */
  guint      share_changes_id;
  char      *local;
  char      *remote;
  uid_t      uid;
  gid_t      gid;
} Fixture;

static void
on_share_changed (GDBusConnection *conn, const char *sender, const char *path, const char *iface,
                  const char *signal, GVariant *params, gpointer user_data)
{
  Fixture *fixture = user_data;

  (void) conn; (void) sender; (void) path; (void) iface; (void) signal;
  g_ptr_array_add (fixture->share_changes, g_variant_get_child_value (params, 1));
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->harness = of_harness_new (TRUE);
  fixture->events = of_harness_watch_syncs (fixture->harness);
  fixture->share_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  fixture->share_changes_id =
    g_dbus_connection_signal_subscribe (fixture->harness->conn, IFACE, "org.freedesktop.DBus.Properties",
                                        "PropertiesChanged", SHARE_PATH, SHARE_IFACE,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_share_changed, fixture, NULL);
  of_harness_lookup_user (USER, &fixture->uid, &fixture->gid);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_dbus_connection_signal_unsubscribe (fixture->harness->conn, fixture->share_changes_id);
  of_harness_clear (&fixture->harness);
  g_ptr_array_unref (fixture->share_changes);
  g_free (fixture->local);
  g_free (fixture->remote);
}

/* Writes @contents to DIR/NAME as the share's user would own it; NULL
 * contents delete it. */
static void
put (Fixture *fixture, const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (contents == NULL)
    g_assert_cmpint (g_unlink (path), ==, 0);
  else
    of_harness_write_file_as (dir, name, contents, fixture->uid, fixture->gid);
}

static char *
get (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

/* The share "home" of USER; the daemon started with @engine (NULL: unison). */
static gboolean
start (Fixture *fixture, const char *engine)
{
  g_autofree char *arg = engine ? g_strdup_printf ("--engine=%s", engine) : NULL;
  const char *args[] = { arg, NULL };

  /* It also checks that the test users exist. */
  if (!of_harness_require_polkit (fixture->harness))
    return FALSE;
  fixture->local = of_harness_user_dir (fixture->harness, "local", fixture->uid, fixture->gid);
  fixture->remote = of_harness_user_dir (fixture->harness, "remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "home", fixture->local, fixture->remote, USER, NULL);
  of_harness_start_daemon (fixture->harness, args);
  return TRUE;
}

static GVariant *
share_call (Fixture *fixture, const char *method, GVariant *parameters, const char *reply_type, GError **error)
{
  return g_dbus_connection_call_sync (fixture->harness->conn, IFACE, SHARE_PATH, SHARE_IFACE, method,
                                      parameters, G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NONE, -1,
                                      NULL, error);
}

/* Share.SyncNow, as root, to its end; returns the result. */
static const char *
sync_share (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = share_call (fixture, "SyncNow", NULL, "(t)", &error);
  guint64 id;
  OfSyncEvent *finished;

  g_assert_no_error (error);
  g_variant_get (reply, "(t)", &id);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);
  g_test_message ("sync %" G_GUINT64_FORMAT ": %s: %s", id, finished->detail, finished->message);
  return finished->detail;
}

static GVariant *
share_get (Fixture *fixture, const char *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (fixture->harness->conn, IFACE, SHARE_PATH,
                                                           "org.freedesktop.DBus.Properties", "Get",
                                                           g_variant_new ("(ss)", SHARE_IFACE, property),
                                                           G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                                           -1, NULL, &error);
  GVariant *value;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static guint
conflict_count (Fixture *fixture)
{
  g_autoptr(GVariant) value = share_get (fixture, "ConflictCount");
  return g_variant_get_uint32 (value);
}

static char *
last_result (Fixture *fixture)
{
  g_autoptr(GVariant) value = share_get (fixture, "LastResult");
  return g_variant_dup_string (value, NULL);
}

/* ListConflicts as root: path → details (a{sv}). */
static GHashTable *
list_conflicts (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = share_call (fixture, "ListConflicts", NULL, "(a(sa{sv}))", &error);
  g_autoptr(GVariant) list = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  GVariantIter iter;
  char *path;
  GVariant *details;

  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, list);
  while (g_variant_iter_next (&iter, "(s@a{sv})", &path, &details))
    g_hash_table_insert (table, path, details);
  return table;
}

static const char *
reason_of (GHashTable *conflicts, const char *path)
{
  GVariant *details = g_hash_table_lookup (conflicts, path);
  const char *reason = NULL;

  g_assert_nonnull (details);
  g_assert_true (g_variant_lookup (details, "Reason", "&s", &reason));
  return reason;
}

static guint64
detail_u64 (GHashTable *conflicts, const char *path, const char *key)
{
  GVariant *details = g_hash_table_lookup (conflicts, path);
  guint64 value = G_MAXUINT64;

  g_assert_nonnull (details);
  g_variant_lookup (details, key, "t", &value);
  return value;
}

/* ResolveConflicts as root with @choices (a(ss) text); path → "result: message". */
static GHashTable *
resolve (Fixture *fixture, const char *choices)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = share_call (fixture, "ResolveConflicts",
                                          g_variant_new_parsed (choices), "(a(sss))", &error);
  g_autoptr(GVariant) list = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  const char *path, *result, *message;

  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, list);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &path, &result, &message))
    {
      g_test_message ("resolved %s: %s: %s", path, result, message);
      g_hash_table_insert (table, g_strdup (path), g_strdup (result));
    }
  return table;
}

/* A synced base of @names, then the later writes get other mtimes. */
static void
synced_base (Fixture *fixture, const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    put (fixture, fixture->local, names[i], "base");
  g_assert_cmpstr (sync_share (fixture), ==, "success");
  g_assert_cmpuint (conflict_count (fixture), ==, 0);
  g_usleep (1100 * 1000);
}

static void
assert_both (Fixture *fixture, const char *name, const char *expected)
{
  g_autofree char *here = get (fixture->local, name);
  g_autofree char *there = get (fixture->remote, name);

  g_assert_cmpstr (here, ==, expected);
  g_assert_cmpstr (there, ==, expected);
}

/* Each reason, for real; the list, its details and its privacy. */
static void
test_reasons (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { SECRET, "gone-there", "gone-here", "now-a-dir", NULL };
  g_autoptr(GHashTable) conflicts = NULL;
  g_autofree char *result = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  gboolean saw_count = FALSE;
  gint64 before;

  (void) data;
  if (!start (fixture, NULL))
    return;
  synced_base (fixture, names);

  put (fixture, fixture->local, SECRET, "changed here!");
  put (fixture, fixture->remote, SECRET, "changed there");
  put (fixture, fixture->local, "gone-there", "changed here");
  put (fixture, fixture->remote, "gone-there", NULL);
  put (fixture, fixture->local, "gone-here", NULL);
  put (fixture, fixture->remote, "gone-here", "changed there");
  put (fixture, fixture->local, "now-a-dir", NULL);
  dir = g_build_filename (fixture->local, "now-a-dir", NULL);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  g_assert_cmpint (chown (dir, fixture->uid, fixture->gid), ==, 0);
  put (fixture, dir, "inside", "x");
  put (fixture, fixture->remote, "now-a-dir", "changed there");

  g_ptr_array_set_size (fixture->share_changes, 0);
  before = g_get_real_time ();
  g_assert_cmpstr (sync_share (fixture), ==, "partial");
  result = last_result (fixture);
  g_assert_cmpstr (result, ==, "partial");
  g_assert_cmpuint (conflict_count (fixture), ==, 4);
  of_harness_settle (fixture->harness);
  for (guint i = 0; i < fixture->share_changes->len; i++)
    {
      guint32 count;
      if (g_variant_lookup (fixture->share_changes->pdata[i], "ConflictCount", "u", &count) && count == 4)
        saw_count = TRUE;
    }
  g_assert_true (saw_count);

  conflicts = list_conflicts (fixture);
  g_assert_cmpuint (g_hash_table_size (conflicts), ==, 4);
  g_assert_cmpstr (reason_of (conflicts, SECRET), ==, "both-changed");
  g_assert_cmpstr (reason_of (conflicts, "gone-there"), ==, "changed-deleted");
  g_assert_cmpstr (reason_of (conflicts, "gone-here"), ==, "deleted-changed");
  g_assert_cmpstr (reason_of (conflicts, "now-a-dir"), ==, "type-changed");
  /* Sizes and times, found as the share's user; none for a deleted side. */
  g_assert_cmpuint (detail_u64 (conflicts, SECRET, "LocalSize"), ==, strlen ("changed here!"));
  g_assert_cmpuint (detail_u64 (conflicts, SECRET, "RemoteSize"), ==, strlen ("changed there"));
  g_assert_cmpuint (detail_u64 (conflicts, SECRET, "LocalModified"), >=, (guint64) before - 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (detail_u64 (conflicts, SECRET, "RemoteModified"), >=, (guint64) before - 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (detail_u64 (conflicts, "gone-there", "RemoteSize"), ==, G_MAXUINT64);
  g_assert_cmpuint (detail_u64 (conflicts, "gone-here", "LocalModified"), ==, G_MAXUINT64);
  g_assert_cmpuint (detail_u64 (conflicts, "now-a-dir", "LocalSize"), ==, G_MAXUINT64);  /* a folder */
  g_assert_cmpuint (detail_u64 (conflicts, SECRET, "Detected"), >=, (guint64) before);

  /* The owner lists without asking; another user is refused and learns
   * no name; what everyone reads is a count. */
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, USER, &out, &err, "--object-path", SHARE_PATH,
                                        "--method=" SHARE_IFACE ".ListConflicts", NULL), ==, 0);
  g_assert_nonnull (strstr (out, SECRET));
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out2, &err2, "--object-path",
                                        SHARE_PATH, "--method=" SHARE_IFACE ".ListConflicts", NULL), !=, 0);
  g_assert_nonnull (strstr (err2, "AccessDenied"));
  g_assert_null (strstr (err2, "secret"));
  {
    g_autoptr(GVariant) message = share_get (fixture, "LastMessage");
    g_assert_cmpstr (g_variant_get_string (message, NULL), ==, "4 conflicts");
  }
}

/* Each choice for real, two paths resolved differently in one call, a
 * pending change elsewhere left for the next sync, keep-both's copy on
 * both sides after it. */
static void
test_resolve_each (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { "a-local", "b-remote", "c-latest", "d-both", "e-skip", "f-gone-there",
                                 "g-back-there", "h-was-file", NULL };
  g_autoptr(GHashTable) results = NULL;
  g_autoptr(GHashTable) bad_results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) refused = NULL;
  g_autofree char *copy_name = NULL;
  g_autofree char *result = NULL;
  g_autofree char *pending = NULL;
  gboolean saw_zero = FALSE;
  gboolean saw_success = FALSE;

  (void) data;
  if (!start (fixture, NULL))
    return;
  synced_base (fixture, names);

  put (fixture, fixture->local, "a-local", "A here");
  put (fixture, fixture->remote, "a-local", "A there");
  put (fixture, fixture->local, "b-remote", "B here");
  put (fixture, fixture->remote, "b-remote", "B there");
  put (fixture, fixture->remote, "c-latest", "C there, older");
  g_usleep (1100 * 1000);
  put (fixture, fixture->local, "c-latest", "C here, newer");
  put (fixture, fixture->local, "d-both", "D here");
  put (fixture, fixture->remote, "d-both", "D there");
  put (fixture, fixture->local, "e-skip", "E here");
  put (fixture, fixture->remote, "e-skip", "E there");
  put (fixture, fixture->local, "f-gone-there", "F here");
  put (fixture, fixture->remote, "f-gone-there", NULL);
  put (fixture, fixture->local, "g-back-there", "G here");
  put (fixture, fixture->remote, "g-back-there", NULL);
  /* A folder here where the server changed the file. */
  put (fixture, fixture->local, "h-was-file", NULL);
  {
    g_autofree char *dir = g_build_filename (fixture->local, "h-was-file", NULL);

    g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
    g_assert_cmpint (chown (dir, fixture->uid, fixture->gid), ==, 0);
    put (fixture, dir, "inside", "H inside");
  }
  put (fixture, fixture->remote, "h-was-file", "H there");
  g_assert_cmpstr (sync_share (fixture), ==, "partial");
  g_assert_cmpuint (conflict_count (fixture), ==, 8);

  /* Bad input: refused, nothing changes. */
  refused = share_call (fixture, "ResolveConflicts", g_variant_new_parsed ("([('a-local', 'keep-mine')],)"),
                        "(a(sss))", &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_assert_cmpuint (conflict_count (fixture), ==, 8);

  /* A change that is no conflict, made after the sync: not part of it. */
  put (fixture, fixture->local, "pending-new", "new here");

  g_ptr_array_set_size (fixture->share_changes, 0);
  results = resolve (fixture, "([('a-local', 'keep-local'), ('b-remote', 'keep-remote'),"
                              " ('c-latest', 'keep-latest'), ('d-both', 'keep-both'), ('e-skip', 'skip'),"
                              " ('f-gone-there', 'keep-remote'), ('g-back-there', 'keep-local'), ('h-was-file', 'keep-remote'),"
                              " ('no-such', 'keep-local')],)");
  g_assert_cmpstr (g_hash_table_lookup (results, "a-local"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "b-remote"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "c-latest"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "d-both"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "e-skip"), ==, "skipped");
  g_assert_cmpstr (g_hash_table_lookup (results, "f-gone-there"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "g-back-there"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "h-was-file"), ==, "resolved");
  g_assert_cmpstr (g_hash_table_lookup (results, "no-such"), ==, "skipped");

  assert_both (fixture, "a-local", "A here");
  assert_both (fixture, "b-remote", "B there");
  assert_both (fixture, "c-latest", "C here, newer");
  assert_both (fixture, "d-both", "D here");
  /* The change beat the deletion: the file is back on the server. */
  assert_both (fixture, "g-back-there", "G here");
  /* The server's file replaced the local folder. */
  assert_both (fixture, "h-was-file", "H there");
  {
    g_autofree char *here = get (fixture->local, "e-skip");
    g_autofree char *there = get (fixture->remote, "e-skip");
    g_autofree char *gone_here = get (fixture->local, "f-gone-there");
    g_autofree char *gone_there = get (fixture->remote, "f-gone-there");

    g_assert_cmpstr (here, ==, "E here");
    g_assert_cmpstr (there, ==, "E there");
    /* The deletion won, past -confirmbigdel, on that path only. */
    g_assert_null (gone_here);
    g_assert_null (gone_there);
  }
  /* Nothing else of the share moved: the pending file waits. */
  pending = get (fixture->remote, "pending-new");
  g_assert_null (pending);
  g_assert_cmpuint (conflict_count (fixture), ==, 1);
  result = last_result (fixture);
  g_assert_cmpstr (result, ==, "partial");
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (fixture->share_changes->len, >, 0);

  /* keep-both: the server's version beside the local one, named as a
   * conflict copy; on both sides after the next sync. */
  {
    g_autoptr(GDir) remote_dir = g_dir_open (fixture->remote, 0, NULL);
    const char *entry;

    while ((entry = g_dir_read_name (remote_dir)) != NULL)
      if (g_str_has_prefix (entry, "d-both (conflict"))
        copy_name = g_strdup (entry);
  }
  g_assert_nonnull (copy_name);
  g_test_message ("conflict copy: %s", copy_name);
  g_assert_cmpstr (sync_share (fixture), ==, "partial");  /* e-skip is still there */
  assert_both (fixture, copy_name, "D there");
  assert_both (fixture, "d-both", "D here");
  assert_both (fixture, "pending-new", "new here");

  /* The last one; ConflictCount 0 with its signal, LastResult success. */
  g_ptr_array_set_size (fixture->share_changes, 0);
  bad_results = resolve (fixture, "([('e-skip', 'keep-remote')],)");
  g_assert_cmpstr (g_hash_table_lookup (bad_results, "e-skip"), ==, "resolved");
  assert_both (fixture, "e-skip", "E there");
  g_assert_cmpuint (conflict_count (fixture), ==, 0);
  of_harness_settle (fixture->harness);
  for (guint i = 0; i < fixture->share_changes->len; i++)
    {
      guint32 count;
      if (g_variant_lookup (fixture->share_changes->pdata[i], "ConflictCount", "u", &count) && count == 0)
        saw_zero = TRUE;
    }
  g_assert_true (saw_zero);
  g_free (result);
  result = last_result (fixture);
  g_assert_cmpstr (result, ==, "success");
  for (guint i = 0; i < fixture->share_changes->len; i++)
    {
      const char *changed;
      if (g_variant_lookup (fixture->share_changes->pdata[i], "LastResult", "&s", &changed) &&
          g_str_equal (changed, "success"))
        saw_success = TRUE;
    }
  g_assert_true (saw_success);
  /* The settled path is no longer one of the last problems either. */
  {
    g_autoptr(GVariant) reply = share_call (fixture, "GetLastProblems", NULL, "(a(ss))", &error);
    g_autoptr(GVariant) problems = NULL;

    g_assert_no_error (error);
    problems = g_variant_get_child_value (reply, 0);
    g_assert_cmpuint (g_variant_n_children (problems), ==, 0);
  }
}

/* Fixed by hand: gone at the next sync.  The store across a restart,
 * with its first-seen times. */
static void
test_by_hand_and_restart (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { "by-hand", "stays", NULL };
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) after_restart = NULL;
  g_autoptr(GHashTable) after_sync = NULL;
  guint64 detected;

  (void) data;
  if (!start (fixture, NULL))
    return;
  synced_base (fixture, names);
  put (fixture, fixture->local, "by-hand", "mine");
  put (fixture, fixture->remote, "by-hand", "theirs");
  put (fixture, fixture->local, "stays", "mine");
  put (fixture, fixture->remote, "stays", "theirs");
  g_assert_cmpstr (sync_share (fixture), ==, "partial");
  first = list_conflicts (fixture);
  g_assert_cmpuint (g_hash_table_size (first), ==, 2);
  detected = detail_u64 (first, "stays", "Detected");

  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  {
    g_autofree char *file = g_build_filename (fixture->harness->state_dir, "conflicts", "home", NULL);
    struct stat st;

    g_assert_cmpint (g_stat (file, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  }
  of_harness_start_daemon (fixture->harness, NULL);
  after_restart = list_conflicts (fixture);
  g_assert_cmpuint (g_hash_table_size (after_restart), ==, 2);
  g_assert_cmpuint (detail_u64 (after_restart, "stays", "Detected"), ==, detected);
  g_assert_cmpuint (conflict_count (fixture), ==, 2);

  /* The user settles one by hand: the same contents on both sides. */
  put (fixture, fixture->remote, "by-hand", "mine");
  g_usleep (1100 * 1000);
  g_assert_cmpstr (sync_share (fixture), ==, "partial");
  after_sync = list_conflicts (fixture);
  g_assert_cmpuint (g_hash_table_size (after_sync), ==, 1);
  g_assert_false (g_hash_table_contains (after_sync, "by-hand"));
  g_assert_cmpuint (detail_u64 (after_sync, "stays", "Detected"), ==, detected);

  /* RemoveShare takes the conflict store with it, never a file of the
   * share's folders. */
  {
    g_autofree char *file = g_build_filename (fixture->harness->state_dir, "conflicts", "home", NULL);
    g_autofree char *mine = g_build_filename (fixture->local, "stays", NULL);
    g_autofree char *theirs = g_build_filename (fixture->remote, "stays", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync (fixture->harness->conn, IFACE, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC,
                                   "RemoveShare", g_variant_new ("(s)", "home"), NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                                   NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (reply);
    of_harness_settle (fixture->harness);
    g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (theirs, G_FILE_TEST_IS_REGULAR));
  }
}

/* Another user can neither list nor resolve; nothing changes. */
static void
test_other_user (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { SECRET, NULL };
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autofree char *here = NULL;

  (void) data;
  if (!start (fixture, NULL))
    return;
  synced_base (fixture, names);
  put (fixture, fixture->local, SECRET, "mine");
  put (fixture, fixture->remote, SECRET, "theirs");
  g_assert_cmpstr (sync_share (fixture), ==, "partial");

  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out, &err, "--object-path",
                                        SHARE_PATH, "--method=" SHARE_IFACE ".ResolveConflicts",
                                        "[('" SECRET "', 'keep-remote')]", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "AccessDenied"));
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, OF_TEST_USER_DENY, &out2, &err2, "--object-path",
                                        SHARE_PATH, "--method=" SHARE_IFACE ".SyncNow", NULL), !=, 0);
  g_assert_nonnull (strstr (err2, "AccessDenied"));
  here = get (fixture->local, SECRET);
  g_assert_cmpstr (here, ==, "mine");
  g_assert_cmpuint (conflict_count (fixture), ==, 1);

  /* The owner may (manage-own-shares: the rule says yes for USER). */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (of_harness_gdbus_as (fixture->harness, USER, &out, &err, "--object-path",
                                        SHARE_PATH, "--method=" SHARE_IFACE ".ResolveConflicts",
                                        "[('" SECRET "', 'keep-remote')]", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "resolved"));
  assert_both (fixture, SECRET, "theirs");
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gint64 *at = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  *at = g_get_real_time ();
}

/* A resolution asked for while a sync runs waits for its end. */
static void
test_waits_for_sync (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { "x", NULL };
  g_autofree char *engine = g_build_filename (fixture->harness->dir, "slow-unison", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 resolved_at = 0;
  OfSyncEvent *finished;
  guint64 id;

  (void) data;
  /* The real unison, three seconds late: a sync long enough to overlap. */
  g_assert_true (g_file_set_contents (engine, "#!/bin/sh\nsleep 3\nexec unison \"$@\"\n", -1, NULL));
  g_chmod (engine, 0755);
  if (!start (fixture, engine))
    return;
  synced_base (fixture, names);
  put (fixture, fixture->local, "x", "mine");
  put (fixture, fixture->remote, "x", "theirs");
  g_assert_cmpstr (sync_share (fixture), ==, "partial");

  reply = share_call (fixture, "SyncNow", NULL, "(t)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(t)", &id);
  g_dbus_connection_call (fixture->harness->conn, IFACE, SHARE_PATH, SHARE_IFACE, "ResolveConflicts",
                          g_variant_new_parsed ("([('x', 'keep-local')],)"), G_VARIANT_TYPE ("(a(sss))"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_resolved, &resolved_at);
  finished = of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60);
  /* The resolution has the hold from the moment that sync ended: a sync
   * asked for now starts only once the resolution is done. */
  {
    guint64 next_id = of_harness_sync_now (fixture->harness);
    gint64 started_at = 0;

    while (resolved_at == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (resolved_at, >, finished->at);
    for (guint i = 0; i < fixture->events->len; i++)
      {
        OfSyncEvent *event = fixture->events->pdata[i];
        if (event->id == next_id && g_str_equal (event->name, "SyncStarted"))
          started_at = event->at;
      }
    g_assert_cmpint (started_at, >, 0);
    g_test_message ("resolution answered at +%" G_GINT64_FORMAT " µs, next sync started at +%" G_GINT64_FORMAT " µs",
                    resolved_at - finished->at, started_at - finished->at);
    /* Its id is answered once it is announced, which is after the hold. */
    g_assert_cmpint (started_at, >=, resolved_at - G_USEC_PER_SEC / 10);
    of_harness_wait_sync_event (fixture->harness, "SyncFinished", next_id, 60);
  }
  assert_both (fixture, "x", "mine");
  g_assert_cmpuint (conflict_count (fixture), ==, 0);
}

/* The server copy went away: the resolution fails, nothing is touched. */
static void
test_remote_gone (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { "x", NULL };
  g_autoptr(GHashTable) results = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *here = NULL;

  (void) data;
  if (!start (fixture, NULL))
    return;
  synced_base (fixture, names);
  put (fixture, fixture->local, "x", "mine");
  put (fixture, fixture->remote, "x", "theirs");
  g_assert_cmpstr (sync_share (fixture), ==, "partial");

  moved = g_strconcat (fixture->remote, ".away", NULL);
  g_assert_cmpint (g_rename (fixture->remote, moved), ==, 0);
  results = resolve (fixture, "([('x', 'keep-remote')],)");
  g_assert_cmpstr (g_hash_table_lookup (results, "x"), ==, "failed");
  g_assert_false (g_file_test (fixture->remote, G_FILE_TEST_EXISTS));
  here = get (fixture->local, "x");
  g_assert_cmpstr (here, ==, "mine");
  g_assert_cmpuint (conflict_count (fixture), ==, 1);
  g_assert_cmpint (g_rename (moved, fixture->remote), ==, 0);
}

static void
on_resolved_where (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gint64 *at = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  const char *outcome = NULL;

  g_autoptr(GVariant) results = NULL;

  g_assert_no_error (error);
  results = g_variant_get_child_value (reply, 0);
  g_variant_get_child (results, 0, "(&s&s&s)", NULL, &outcome, NULL);
  g_assert_cmpstr (outcome, ==, "resolved");
  *at = g_get_real_time ();
}

/* One user's slow server does not hold up another share's resolution:
 * they run side by side (one at a time per share only). */
static void
test_shares_side_by_side (Fixture *fixture, gconstpointer data)
{
  g_autofree char *engine = g_build_filename (fixture->harness->dir, "slow-unison", NULL);
  g_autofree char *off_local = g_build_filename (fixture->harness->dir, "off-local", NULL);
  g_autofree char *off_remote = g_build_filename (fixture->harness->dir, "off-remote", NULL);
  g_autofree char *fast_local = NULL;
  g_autofree char *fast_remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint64 slow_at = 0, fast_at = 0;
  guint64 id;

  (void) data;
  /* The real unison; a resolution of the share "home" five seconds late. */
  g_autofree char *slow_remote = g_build_filename (fixture->harness->dir, "remote", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\nslow=\n"
                                             "for a; do [ \"$a\" = -path ] && slow=1; done\n"
                                             "for a; do [ -n \"$slow\" ] && [ \"$a\" = '%s' ] && sleep 5; done\n"
                                             "exec unison \"$@\"\n", slow_remote);

  g_assert_true (g_file_set_contents (engine, script, -1, NULL));
  g_chmod (engine, 0755);
  if (!of_harness_require_polkit (fixture->harness))
    return;
  fast_local = of_harness_user_dir (fixture->harness, "work-local", fixture->uid, fixture->gid);
  fast_remote = of_harness_user_dir (fixture->harness, "work-remote", fixture->uid, fixture->gid);
  of_harness_write_share (fixture->harness, "work", fast_local, fast_remote, USER, NULL);
  /* A share the administrator disabled: Share.SyncNow refuses it. */
  of_harness_write_share (fixture->harness, "off", off_local, off_remote, USER, "Enabled=false\n");
  if (!start (fixture, engine))
    return;
  {
    g_autoptr(GVariant) refused = g_dbus_connection_call_sync (fixture->harness->conn, IFACE,
                                                               "/org/offlinefiles/BackgroundSync/share/off",
                                                               SHARE_IFACE, "SyncNow", NULL, G_VARIANT_TYPE ("(t)"),
                                                               G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_null (refused);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "is not enabled"));
    g_clear_error (&error);
  }
  put (fixture, fixture->local, "x", "base");
  put (fixture, fast_local, "y", "base");
  id = of_harness_sync_now (fixture->harness);
  g_assert_cmpstr (of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60)->detail, ==, "success");
  g_usleep (1100 * 1000);
  put (fixture, fixture->local, "x", "mine");
  put (fixture, fixture->remote, "x", "theirs");
  put (fixture, fast_local, "y", "mine");
  put (fixture, fast_remote, "y", "theirs");
  id = of_harness_sync_now (fixture->harness);
  g_assert_cmpstr (of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60)->detail, ==, "partial");

  g_dbus_connection_call (fixture->harness->conn, IFACE, SHARE_PATH, SHARE_IFACE, "ResolveConflicts",
                          g_variant_new_parsed ("([('x', 'keep-local')],)"), G_VARIANT_TYPE ("(a(sss))"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_resolved_where, &slow_at);
  g_dbus_connection_call (fixture->harness->conn, IFACE, "/org/offlinefiles/BackgroundSync/share/work",
                          SHARE_IFACE, "ResolveConflicts", g_variant_new_parsed ("([('y', 'keep-remote')],)"),
                          G_VARIANT_TYPE ("(a(sss))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_resolved_where,
                          &fast_at);
  while (slow_at == 0 || fast_at == 0)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("the other share's resolution was answered %" G_GINT64_FORMAT " ms before the slow one",
                  (slow_at - fast_at) / 1000);
  g_assert_cmpint (fast_at + 2 * G_USEC_PER_SEC, <, slow_at);
  assert_both (fixture, "x", "mine");
  {
    g_autofree char *here = get (fast_local, "y");
    g_assert_cmpstr (here, ==, "theirs");
  }

  /* Share.SyncNow: that share alone, with the usual signals. */
  put (fixture, fixture->local, "only-home", "h");
  put (fixture, fast_local, "only-work", "w");
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (fixture->harness->conn, IFACE, "/org/offlinefiles/BackgroundSync/share/work",
                                       SHARE_IFACE, "SyncNow", NULL, G_VARIANT_TYPE ("(t)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(t)", &id);
  g_assert_cmpstr (of_harness_wait_sync_event (fixture->harness, "SyncFinished", id, 60)->detail, ==, "success");
  {
    guint started = 0, progress = 0;
    g_autofree char *work_there = get (fast_remote, "only-work");
    g_autofree char *home_there = get (fixture->remote, "only-home");

    for (guint i = 0; i < fixture->events->len; i++)
      {
        OfSyncEvent *event = fixture->events->pdata[i];

        if (event->id != id)
          continue;
        started += g_str_equal (event->name, "SyncStarted") && g_str_equal (event->detail, "manual");
        if (g_str_equal (event->name, "SyncProgress"))
          {
            progress++;
            g_assert_cmpstr (event->detail, ==, "work");
          }
      }
    g_assert_cmpuint (started, ==, 1);
    g_assert_cmpuint (progress, ==, 1);
    g_assert_cmpstr (work_there, ==, "w");
    g_assert_null (home_there);
  }
}

/* A name unison would read as a pattern ("a*" also matches "ab") is not
 * handed to it: that item fails, asking for a hand resolution, and the
 * other path of the same call gets its own winner only. */
static void
test_glob_names (Fixture *fixture, gconstpointer data)
{
  const char * const names[] = { "a*", "ab", NULL };
  g_autoptr(GHashTable) results = NULL;

  (void) data;
  if (!start (fixture, NULL))
    return;
  synced_base (fixture, names);
  put (fixture, fixture->local, "a*", "mine");
  put (fixture, fixture->remote, "a*", "theirs");
  put (fixture, fixture->local, "ab", "mine");
  put (fixture, fixture->remote, "ab", "theirs");
  g_assert_cmpstr (sync_share (fixture), ==, "partial");
  g_assert_cmpuint (conflict_count (fixture), ==, 2);
  results = resolve (fixture, "([('a*', 'keep-local'), ('ab', 'keep-remote')],)");
  g_assert_cmpstr (g_hash_table_lookup (results, "a*"), ==, "failed");
  g_assert_cmpstr (g_hash_table_lookup (results, "ab"), ==, "resolved");
  assert_both (fixture, "ab", "theirs");
  g_assert_cmpuint (conflict_count (fixture), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/conflicts/" path, Fixture, NULL, setup, func, teardown)
  ADD ("reasons", test_reasons);
  ADD ("resolve-each", test_resolve_each);
  ADD ("by-hand-and-restart", test_by_hand_and_restart);
  ADD ("other-user", test_other_user);
  ADD ("waits-for-sync", test_waits_for_sync);
  ADD ("remote-gone", test_remote_gone);
  ADD ("glob-names", test_glob_names);
  ADD ("shares-side-by-side", test_shares_side_by_side);
#undef ADD
  return g_test_run ();
}
