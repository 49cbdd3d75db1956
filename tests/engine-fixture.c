/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine-fixture.c — see engine-fixture.h. */
#include "engine-fixture.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

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

gboolean
need_root (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("running the engine as a share's user needs root");
      return FALSE;
    }
  return TRUE;
}

gboolean
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

gboolean
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

void
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

void
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

OfShare *
make_share (Fixture    *fixture,
            const char *user,
            gint64      timeout_usec)
{
  OfShare *share = g_new0 (OfShare, 1);
  struct passwd *pw = getpwnam (user);

  /* The share's folders are its user's: the engine checks, as that user,
   * that it may read and write them. */
  if (pw != NULL && pw->pw_uid != 0)
    {
      if (g_file_test (fixture->local, G_FILE_TEST_IS_DIR))
        g_assert_cmpint (chown (fixture->local, pw->pw_uid, pw->pw_gid), ==, 0);
      if (g_file_test (fixture->remote, G_FILE_TEST_IS_DIR))
        g_assert_cmpint (chown (fixture->remote, pw->pw_uid, pw->pw_gid), ==, 0);
    }
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
OfEngineOutcome *
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

void
assert_no_children (void)
{
  int status;

  /* Every child was reaped: no zombie left behind. */
  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

void
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

void
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

char *
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

gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  g_assert_nonnull (dir);
  return g_dir_read_name (dir) == NULL;
}

void
assert_owner (const char *dir,
              const char *name,
              uid_t       uid)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, uid);
}

gboolean
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

pid_t
read_pid (Fixture    *fixture,
          const char *name)
{
  g_autofree char *path = g_build_filename (fixture->base, name, NULL);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (pid_t) atoi (text);
}

void
engine_fixture_init (int    *argc,
                     char ***argv)
{
  /* Before any thread exists: the engine must not pass it on. */
  g_setenv ("OF_TEST_SECRET", "must not leak", TRUE);
  g_test_init (argc, argv, NULL);
  log_records = g_ptr_array_new_with_free_func ((GDestroyNotify) log_record_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
engine_fixture_done (void)
{
  g_clear_pointer (&log_records, g_ptr_array_unref);
}
