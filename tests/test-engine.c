/* test-engine.c — the unison engine: real runs of unison 2.52 and of fake
 * engines (hanging, ignoring SIGTERM, crashing, flooding) on temporary
 * directories, through the fork launcher.  The parser's own tests are in
 * test-engine-output.c. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine.h"
#include "launch-fork.h"

/* ---- journal capture: the engine logs each run with structured fields,
 * and a failed share is a warning, which gtest would make fatal ---- */

typedef struct {
  char *share;
  char *result;
  char *message;
} LogRecord;

static GPtrArray *log_records;

static void
log_record_free (LogRecord *record)
{
  g_free (record->share);
  g_free (record->result);
  g_free (record->message);
  g_free (record);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  LogRecord *record = g_new0 (LogRecord, 1);

  (void) user_data;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "OFFLINEFILES_SHARE"))
        record->share = g_strdup (fields[i].value);
      else if (g_str_equal (fields[i].key, "OFFLINEFILES_RESULT"))
        record->result = g_strdup (fields[i].value);
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        record->message = g_strdup (fields[i].value);
    }
  if (record->share != NULL)
    g_ptr_array_add (log_records, record);
  else
    log_record_free (record);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_default (level, fields, n_fields, NULL);
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    {
      g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);
      g_test_message ("log: %s", g_strstrip (line));
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, NULL);
}

/* ---- real runs ---- */

typedef struct {
  char *base;      /* 0711, so that a test user reaches what is inside */
  char *local;
  char *remote;
  char *archive_root;
} Fixture;

static gboolean
need_root (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("running the engine as a share's user needs root");
      return FALSE;
    }
  return TRUE;
}

static gboolean
need_user (const char *user,
           uid_t      *uid,
           gid_t      *gid)
{
  struct passwd *pwd;

  if (!need_root ())
    return FALSE;
  pwd = getpwnam (user);
  if (pwd == NULL)
    {
      g_autofree char *why = g_strdup_printf ("test user %s does not exist", user);
      g_test_skip (why);
      return FALSE;
    }
  *uid = pwd->pw_uid;
  *gid = pwd->pw_gid;
  return TRUE;
}

static gboolean
need_unison (void)
{
  g_autofree char *path = g_find_program_in_path ("unison");

  if (path == NULL)
    {
      g_test_skip ("unison is not installed");
      return FALSE;
    }
  return need_root ();
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->base = g_dir_make_tmp ("offlinefiles-engine-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (fixture->base, 0711), ==, 0);
  fixture->local = g_build_filename (fixture->base, "local", NULL);
  fixture->remote = g_build_filename (fixture->base, "remote", NULL);
  fixture->archive_root = g_build_filename (fixture->base, "state", "unison", NULL);
  g_assert_cmpint (g_mkdir (fixture->local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->remote, 0755), ==, 0);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "rm", "-rf", fixture->base, NULL };

  (void) data;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, NULL, NULL));
  g_free (fixture->base);
  g_free (fixture->local);
  g_free (fixture->remote);
  g_free (fixture->archive_root);
}

static OfShare *
make_share (Fixture    *fixture,
            const char *user,
            gint64      timeout_usec)
{
  OfShare *share = g_new0 (OfShare, 1);

  share->name = g_strdup ("docs");
  share->local_path = g_strdup (fixture->local);
  share->remote_path = g_strdup (fixture->remote);
  share->user = g_strdup (user);
  share->enabled = TRUE;
  share->timeout_usec = timeout_usec;
  return share;
}

typedef struct {
  GMainLoop       *loop;
  OfEngineOutcome *outcome;
} Waiter;

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Waiter *waiter = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  waiter->outcome = of_engine_run_finish (result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (waiter->loop);
}

static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
watchdog (gpointer user_data)
{
  (void) user_data;
  g_error ("engine run did not finish in time");
  return G_SOURCE_REMOVE;
}

/* Runs the engine to its end in a main loop of our own; @cancel_after_ms
 * ≥ 0 cancels the run that long after it started. */
static OfEngineOutcome *
run_engine (const char    *engine,
            const OfShare *share,
            const char    *archive_root,
            gint64         kill_grace_usec,
            int            cancel_after_ms,
            gint64        *elapsed_usec)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) dog = g_timeout_source_new_seconds (20);
  g_autoptr(OfLauncher) launcher = of_launch_fork_new ();
  g_autofree char *run_name = of_engine_run_name (share->name, 1);
  Waiter waiter = { g_main_loop_new (context, FALSE), NULL };
  gint64 start = g_get_monotonic_time ();
  guint records = log_records->len;
  LogRecord *record;

  g_main_context_push_thread_default (context);
  g_source_set_callback (dog, watchdog, NULL, NULL);
  g_source_attach (dog, context);
  if (cancel_after_ms == 0)
    g_cancellable_cancel (cancellable);
  else if (cancel_after_ms > 0)
    {
      g_autoptr(GSource) source = g_timeout_source_new ((guint) cancel_after_ms);
      g_source_set_callback (source, cancel_now, cancellable, NULL);
      g_source_attach (source, context);
    }
  of_engine_run_async (launcher, engine, share, archive_root, run_name, kill_grace_usec, cancellable,
                       on_run_done, &waiter);
  g_main_loop_run (waiter.loop);
  g_source_destroy (dog);
  g_main_context_pop_thread_default (context);
  g_main_loop_unref (waiter.loop);
  if (elapsed_usec != NULL)
    *elapsed_usec = g_get_monotonic_time () - start;

  g_assert_nonnull (waiter.outcome);
  g_test_message ("%s: %s (exit %d, signal %d)", of_share_result_to_string (waiter.outcome->result),
                  waiter.outcome->message, waiter.outcome->exit_status, waiter.outcome->term_signal);
  /* Exactly one journal record per run, with the share and the result. */
  g_assert_cmpuint (log_records->len, ==, records + 1);
  record = log_records->pdata[records];
  g_assert_cmpstr (record->share, ==, share->name);
  g_assert_cmpstr (record->result, ==, of_share_result_to_string (waiter.outcome->result));
  g_assert_nonnull (strstr (record->message, waiter.outcome->message));
  return waiter.outcome;
}

static void
assert_no_children (void)
{
  int status;

  /* Every child was reaped: no zombie left behind. */
  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
assert_file (const char *dir,
             const char *name,
             const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *actual = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &actual, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, contents);
}

static char *
write_engine (Fixture    *fixture,
              const char *script)
{
  g_autofree char *path = g_build_filename (fixture->base, "engine.sh", NULL);
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", script, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return g_steal_pointer (&path);
}

static void
test_unison_two_way (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(OfEngineOutcome) again = NULL;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  write_file (fixture->local, "from-local.txt", "local\n");
  write_file (fixture->remote, "sub/from-remote.txt", "remote\n");

  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpint (outcome->exit_status, ==, 0);
  g_assert_cmpuint (outcome->transferred, ==, 2);
  g_assert_cmpstr (outcome->message, ==, "2 items transferred");
  assert_file (fixture->remote, "from-local.txt", "local\n");
  assert_file (fixture->local, "sub/from-remote.txt", "remote\n");

  again = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (again->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (again->message, ==, "no changes");
  assert_no_children ();
}

static void
test_unison_conflict (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) first = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  write_file (fixture->local, "docs/a.txt", "original\n");
  first = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (first->result, ==, OF_SHARE_RESULT_SUCCESS);
  assert_file (fixture->remote, "docs/a.txt", "original\n");

  write_file (fixture->local, "docs/a.txt", "changed locally\n");
  write_file (fixture->remote, "docs/a.txt", "changed on the server\n");
  write_file (fixture->local, "new.txt", "new\n");
  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_cmpint (outcome->exit_status, ==, 1);
  g_assert_cmpuint (outcome->conflicts->len, ==, 1);
  g_assert_cmpstr (outcome->conflicts->pdata[0], ==, "docs/a.txt");
  g_assert_cmpstr (outcome->message, ==, "1 conflict: docs/a.txt; 1 item transferred");
  /* Never resolved by guessing: both versions stay as they were. */
  assert_file (fixture->local, "docs/a.txt", "changed locally\n");
  assert_file (fixture->remote, "docs/a.txt", "changed on the server\n");
  assert_file (fixture->remote, "new.txt", "new\n");
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  return g_dir_read_name (dir) == NULL;
}

static void
test_unison_missing_remote (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(OfEngineOutcome) no_local = NULL;
  g_autofree char *expected = NULL;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  /* The dangerous case: the parent exists, so unison would create it. */
  g_assert_cmpint (g_rmdir (fixture->remote), ==, 0);
  write_file (fixture->local, "keep.txt", "keep\n");

  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_FAILED);
  expected = g_strdup_printf ("remote %s is not reachable: No such file or directory", fixture->remote);
  g_assert_cmpstr (outcome->message, ==, expected);
  g_assert_false (g_file_test (fixture->remote, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (fixture->archive_root, G_FILE_TEST_EXISTS));
  assert_file (fixture->local, "keep.txt", "keep\n");

  /* A missing local folder is not created either. */
  g_assert_cmpint (g_mkdir (fixture->remote, 0755), ==, 0);
  g_free (share->local_path);
  share->local_path = g_build_filename (fixture->base, "no-local", NULL);
  no_local = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (no_local->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_true (g_str_has_prefix (no_local->message, "local folder "));
  g_assert_false (g_file_test (share->local_path, G_FILE_TEST_EXISTS));
  g_assert_true (dir_is_empty (fixture->remote));
}

static void
assert_owner (const char *dir,
              const char *name,
              uid_t       uid)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, uid);
}

static void
test_unison_as_user (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *archive_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  struct stat st;
  uid_t uid;
  gid_t gid;

  (void) data;
  if (!need_user ("oftest-allow", &uid, &gid) || !need_unison ())
    return;
  g_assert_cmpint (chown (fixture->local, uid, gid), ==, 0);
  g_assert_cmpint (chown (fixture->remote, uid, gid), ==, 0);
  write_file (fixture->local, "mine.txt", "local\n");
  write_file (fixture->remote, "theirs.txt", "remote\n");
  share = make_share (fixture, "oftest-allow", G_TIME_SPAN_MINUTE);

  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  /* Created by the engine, so owned by the share's user. */
  assert_owner (fixture->remote, "mine.txt", uid);
  assert_owner (fixture->local, "theirs.txt", uid);

  /* Named by uid, not by user name. */
  archive_dir = g_strdup_printf ("%s/%u", fixture->archive_root, (guint) uid);
  g_assert_cmpint (lstat (archive_dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpuint (st.st_uid, ==, uid);
  g_assert_cmpuint (st.st_gid, ==, gid);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  dir = g_dir_open (archive_dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    assert_owner (archive_dir, entry, uid);
  g_assert_false (g_file_test (fixture->archive_root, G_FILE_TEST_IS_SYMLINK));
}

static void
test_fake_environment (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *report = NULL;
  g_autofree char *archive_dir = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) lines = NULL;
  uid_t uid;
  gid_t gid;

  (void) data;
  if (!need_user ("oftest-allow", &uid, &gid))
    return;
  engine = write_engine (fixture,
                         "{ id -u; id -g; id -G; pwd; readlink /proc/self/fd/0; echo \"$@\";"
                         "  env | grep -v '^PWD=\\|^SHLVL=\\|^_=' | sort; } > \"$UNISON/report\"\n"
                         "echo 'Synchronization complete at 10:00:00  (0 items transferred, 0 skipped, 0 failed)' >&2\n");
  share = make_share (fixture, "oftest-allow", G_TIME_SPAN_MINUTE);
  outcome = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);

  archive_dir = g_strdup_printf ("%s/%u", fixture->archive_root, (guint) uid);
  report = g_build_filename (archive_dir, "report", NULL);
  {
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;

    g_file_get_contents (report, &text, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("%s", text);
    lines = g_strsplit (text, "\n", -1);
  }
  g_assert_cmpuint (g_strv_length (lines), ==, 12);
  g_assert_cmpint (atoi (lines[0]), ==, (int) uid);
  g_assert_cmpint (atoi (lines[1]), ==, (int) gid);
  expected = g_strdup_printf ("%u", (guint) gid);
  g_assert_cmpstr (lines[2], ==, expected);          /* root's groups are gone */
  g_assert_cmpstr (lines[3], ==, archive_dir);
  g_assert_cmpstr (lines[4], ==, "/dev/null");
  g_free (expected);
  expected = g_strdup_printf ("-batch -ui text -terse -dumbtty -color false -log=false -confirmbigdel=true "
                              "-root %s -root %s", fixture->local, fixture->remote);
  g_assert_cmpstr (lines[5], ==, expected);
  g_free (expected);
  /* HOME: the user has none, so the archive directory. */
  expected = g_strdup_printf ("HOME=%s", archive_dir);
  g_assert_cmpstr (lines[6], ==, expected);
  g_assert_cmpstr (lines[7], ==, "LANG=C.UTF-8");
  g_assert_cmpstr (lines[8], ==, "PATH=/usr/bin:/bin");
  g_free (expected);
  expected = g_strdup_printf ("UNISON=%s", archive_dir);
  g_assert_cmpstr (lines[9], ==, expected);
  g_assert_cmpstr (lines[10], ==, "UNISONLOCALHOSTNAME=offlinefiles");
}

static gboolean
process_is_gone (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat_text = NULL;
  const char *close_paren;

  if (!g_file_get_contents (path, &stat_text, NULL, NULL))
    return TRUE;
  /* A zombie waiting for init counts as gone: it no longer runs. */
  close_paren = strrchr (stat_text, ')');
  return close_paren != NULL && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

static pid_t
read_pid (Fixture    *fixture,
          const char *name)
{
  g_autofree char *path = g_build_filename (fixture->base, name, NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (pid_t) atoi (text);
}

static void
run_hanging (Fixture    *fixture,
             const char *prologue,
             gint64      min_usec,
             gint64      max_usec)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *script = NULL;
  g_autofree char *engine = NULL;
  gint64 elapsed;
  pid_t child;

  script = g_strdup_printf ("%s\nsleep 3600 &\necho $! > %s/grandchild\necho started\nwait\n",
                            prologue, fixture->base);
  engine = write_engine (fixture, script);
  share = make_share (fixture, "root", G_TIME_SPAN_SECOND);
  outcome = run_engine (engine, share, fixture->archive_root, 500 * 1000, -1, &elapsed);
  g_test_message ("stopped after %.2f s", (double) elapsed / G_TIME_SPAN_SECOND);

  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (outcome->message, ==, "timed out after 1 s");
  g_assert_cmpint (elapsed, >=, min_usec);
  g_assert_cmpint (elapsed, <, max_usec);
  g_assert_cmpstr (outcome->stdout_tail, ==, "started\n");
  assert_no_children ();
  child = read_pid (fixture, "grandchild");
  /* SIGKILL was sent to the group; its delivery takes a moment. */
  for (int i = 0; i < 200 && !process_is_gone (child); i++)
    g_usleep (10 * 1000);
  g_assert_true (process_is_gone (child));
}

static void
test_fake_hang (Fixture *fixture, gconstpointer data)
{
  (void) data;
  if (need_root ())
    run_hanging (fixture, "", G_TIME_SPAN_SECOND, 2 * G_TIME_SPAN_SECOND);
}

static void
test_fake_ignore_term (Fixture *fixture, gconstpointer data)
{
  (void) data;
  /* The timeout, then the grace, then SIGKILL. */
  if (need_root ())
    run_hanging (fixture, "trap '' TERM", 1500 * 1000, 3 * G_TIME_SPAN_SECOND);
}

static void
test_fake_crash (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *engine = NULL;

  (void) data;
  if (!need_root ())
    return;
  engine = write_engine (fixture, "echo about to crash >&2\nkill -SEGV $$\n");
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  outcome = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (outcome->message, ==, "engine crashed (signal 11)");
  g_assert_cmpint (outcome->term_signal, ==, SIGSEGV);
  g_assert_cmpint (outcome->exit_status, ==, -1);
  g_assert_cmpstr (outcome->stderr_tail, ==, "about to crash\n");
  assert_no_children ();
}

static void
test_fake_flood (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *engine = NULL;
  gint64 elapsed;

  (void) data;
  if (!need_root ())
    return;
  /* 20 MB on stdout, 5 MB on stderr, at once, then a summary. */
  engine = write_engine (fixture,
                         "yes 'flooding stderr' | head -c 5000000 >&2 &\n"
                         "yes 0123456789abcdef | head -c 20000000\n"
                         "wait\n"
                         "echo\necho 'Synchronization complete at 10:00:00  (7 items transferred, 0 skipped, 0 failed)' >&2\n");
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  outcome = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, &elapsed);
  g_test_message ("flood handled in %.2f s", (double) elapsed / G_TIME_SPAN_SECOND);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpuint (outcome->transferred, ==, 7);
  g_assert_cmpuint (outcome->stdout_bytes, ==, 20000001);
  g_assert_cmpuint (outcome->stderr_bytes, >, 5000000);
  g_assert_cmpuint (strlen (outcome->stdout_tail), <=, OF_ENGINE_OUTPUT_TAIL_MAX);
  g_assert_cmpuint (strlen (outcome->stderr_tail), <=, OF_ENGINE_OUTPUT_TAIL_MAX);
  g_assert_cmpuint (strlen (outcome->stdout_tail), >, OF_ENGINE_OUTPUT_TAIL_MAX - 100);
  /* The tail starts at a line boundary. */
  g_assert_true (g_str_has_prefix (outcome->stdout_tail, "0123456789abcdef\n"));
  assert_no_children ();
}

static void
test_fake_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(OfEngineOutcome) early = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *script = NULL;
  gint64 elapsed;

  (void) data;
  if (!need_root ())
    return;
  script = g_strdup_printf ("sleep 3600 &\necho $! > %s/grandchild\nwait\n", fixture->base);
  engine = write_engine (fixture, script);
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  outcome = run_engine (engine, share, fixture->archive_root, 5 * G_TIME_SPAN_SECOND, 300, &elapsed);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_CANCELLED);
  g_assert_cmpstr (outcome->message, ==, "cancelled");
  g_assert_cmpint (elapsed, <, G_TIME_SPAN_SECOND);
  assert_no_children ();
  {
    pid_t grandchild = read_pid (fixture, "grandchild");
    for (int i = 0; i < 200 && !process_is_gone (grandchild); i++)
      g_usleep (10 * 1000);
    g_assert_true (process_is_gone (grandchild));
  }

  /* Cancelled before it started: nothing runs. */
  g_assert_cmpint (g_unlink (engine), ==, 0);
  early = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, 0, NULL);
  g_assert_cmpint (early->result, ==, OF_SHARE_RESULT_CANCELLED);
}

static void
test_missing_engine_or_user (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) absolute = NULL;
  g_autoptr(OfEngineOutcome) on_path = NULL;
  g_autoptr(OfEngineOutcome) no_user = NULL;

  (void) data;
  if (!need_root ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  absolute = run_engine ("/nonexistent/unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (absolute->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_true (g_str_has_prefix (absolute->message, "cannot start engine /nonexistent/unison: "));

  on_path = run_engine ("no-such-engine-offlinefiles", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (on_path->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (on_path->message, ==, "engine no-such-engine-offlinefiles not found on PATH");

  g_free (share->user);
  share->user = g_strdup ("no-such-user-offlinefiles");
  no_user = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (no_user->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (no_user->message, ==, "user no-such-user-offlinefiles does not exist");
  assert_no_children ();
}

static char *
plant (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  return g_steal_pointer (&path);
}

static void
test_unison_stale_lock (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) first = NULL;
  g_autoptr(OfEngineOutcome) busy = NULL;
  g_autoptr(OfEngineOutcome) cleaned = NULL;
  g_autofree char *archive_dir = NULL;
  g_autofree char *outside = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *keep = NULL;
  const char *entry;
  int fd;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  write_file (fixture->local, "a.txt", "a\n");
  first = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (first->result, ==, OF_SHARE_RESULT_SUCCESS);

  /* What a killed run leaves: a lock per archive (named like the archive
   * files), maybe one still carrying the taker's pid. */
  archive_dir = g_build_filename (fixture->archive_root, "0", NULL);
  dir = g_dir_open (archive_dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (entry, "ar"))
      {
        g_autofree char *name = g_strconcat ("lk", entry + 2, NULL);
        g_ptr_array_add (locks, plant (archive_dir, name));
      }
  g_assert_cmpuint (locks->len, ==, 2);
  g_ptr_array_add (locks, plant (archive_dir, "lk0123456789abcdef0123456789abcdef4242"));
  keep = plant (archive_dir, "lk-not-a-lock");
  /* A lock-named symlink is removed, not followed. */
  outside = plant (fixture->base, "outside");
  link = g_build_filename (archive_dir, "lkffffffffffffffffffffffffffffffff", NULL);
  g_assert_cmpint (symlink (outside, link), ==, 0);

  write_file (fixture->local, "b.txt", "b\n");
  /* Another run of ours holds the archive: its locks are not ours to take. */
  fd = open (archive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_SH), ==, 0);
  busy = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (busy->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (busy->message, ==, "Fatal error: Warning: the archives are locked.");
  g_assert_true (g_file_test (locks->pdata[0], G_FILE_TEST_EXISTS));
  close (fd);

  cleaned = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (cleaned->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (cleaned->message, ==, "1 item transferred");
  for (guint i = 0; i < locks->len; i++)
    g_assert_false (g_file_test (locks->pdata[i], G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  assert_file (fixture->remote, "b.txt", "b\n");
}

int
main (int argc, char **argv)
{
  int status;

  /* Before any thread exists: the engine must not pass it on. */
  g_setenv ("OF_TEST_SECRET", "must not leak", TRUE);
  g_test_init (&argc, &argv, NULL);
  log_records = g_ptr_array_new_with_free_func ((GDestroyNotify) log_record_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/engine/unison/two-way", test_unison_two_way);
  ADD ("/engine/unison/conflict", test_unison_conflict);
  ADD ("/engine/unison/missing-remote", test_unison_missing_remote);
  ADD ("/engine/unison/as-user", test_unison_as_user);
  ADD ("/engine/unison/stale-lock", test_unison_stale_lock);
  ADD ("/engine/fake/environment", test_fake_environment);
  ADD ("/engine/fake/hang", test_fake_hang);
  ADD ("/engine/fake/ignore-term", test_fake_ignore_term);
  ADD ("/engine/fake/crash", test_fake_crash);
  ADD ("/engine/fake/flood", test_fake_flood);
  ADD ("/engine/fake/cancel", test_fake_cancel);
  ADD ("/engine/missing-engine-or-user", test_missing_engine_or_user);
#undef ADD

  status = g_test_run ();
  g_ptr_array_unref (log_records);
  return status;
}
