/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-engine-fake.c — the engine with fake engines (shell scripts) in
 * unison's place: the clean environment and user switch, hanging,
 * ignoring SIGTERM, crashing, flooding, cancellation, a missing engine
 * or user; the archive directory's lock and its name; a remote on a
 * server that never answers. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <sys/wait.h>

#include "engine-fixture.h"

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

static void
test_archive_busy (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) first = NULL;
  g_autoptr(OfEngineOutcome) busy = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *archive_dir = NULL;
  g_autofree char *expected = NULL;
  gint64 elapsed;
  int fd;

  (void) data;
  if (!need_root ())
    return;
  engine = write_engine (fixture, "exit 0\n");
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  first = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (first->result, ==, OF_SHARE_RESULT_SUCCESS);

  archive_dir = g_build_filename (fixture->archive_root, "0", NULL);
  fd = open (archive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
  busy = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, &elapsed);
  close (fd);
  g_test_message ("gave up after %.2f s", elapsed / 1e6);
  g_assert_cmpint (busy->result, ==, OF_SHARE_RESULT_FAILED);
  expected = g_strdup_printf ("archive directory %s is busy", archive_dir);
  g_assert_cmpstr (busy->message, ==, expected);
  g_assert_cmpint (elapsed, <, 10 * G_TIME_SPAN_SECOND);
}

/* Archives used to be named after the user: they are kept (without them
 * every difference would be a conflict) under the uid's name. */
static void
test_archive_renamed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *old_dir = g_build_filename (fixture->archive_root, "root", NULL);
  g_autofree char *kept = g_build_filename (fixture->archive_root, "0", "ar0123", NULL);

  (void) data;
  if (!need_root ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (old_dir, 0700), ==, 0);
  write_file (old_dir, "ar0123", "archive\n");
  engine = write_engine (fixture, "exit 0\n");
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  outcome = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_false (g_file_test (old_dir, G_FILE_TEST_EXISTS));
  assert_file (fixture->archive_root, "0/ar0123", "archive\n");
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
}

static guint
count_threads (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *entry;
  guint count = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", entry);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strstrip (comm), name))
        count++;
    }
  return count;
}

/* A remote on a dead server (a FUSE file system whose stat never
 * answers): the run times out on time, and the stuck stat holds a thread
 * of its own, not one of GLib's shared pool, until the server goes. */
static void
test_hung_remote (Fixture *fixture, gconstpointer data)
{
  const char *helper = g_getenv ("OF_HANGING_FS");
  g_autofree char *mount_point = g_build_filename (fixture->base, "server", NULL);
  g_autofree char *engine = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(GError) error = NULL;
  struct stat base_st, mount_st;
  gboolean mounted = FALSE;
  gint64 elapsed;
  const char *umount_argv[] = { "umount", "-l", mount_point, NULL };

  (void) data;
  if (!need_root ())
    return;
  if (helper == NULL || !g_file_test ("/dev/fuse", G_FILE_TEST_EXISTS) ||
      !g_spawn_command_line_sync ("/usr/bin/python3 -c 'import fusepy'", NULL, NULL, NULL, NULL))
    {
      g_test_skip ("needs /dev/fuse and python3-fusepy (tools/install-deps.sh)");
      return;
    }
  g_assert_cmpint (g_mkdir (mount_point, 0755), ==, 0);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3", helper, mount_point, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (stat (fixture->base, &base_st), ==, 0);
  for (int i = 0; i < 100 && !mounted; i++)
    {
      g_usleep (50 * 1000);
      mounted = stat (mount_point, &mount_st) == 0 && mount_st.st_dev != base_st.st_dev;
    }
  if (!mounted)
    {
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      g_test_skip ("cannot mount a FUSE file system here");
      return;
    }

  engine = write_engine (fixture, "exit 0\n");
  share = make_share (fixture, "root", G_TIME_SPAN_SECOND);
  g_free (share->remote_path);
  share->remote_path = g_build_filename (mount_point, "remote", NULL);
  outcome = run_engine (engine, share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, &elapsed);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (outcome->message, ==, "timed out after 1 s");
  /* The folder check, as the share's user, hangs in the kernel on the
   * dead server; SIGTERM and SIGKILL do not end it.  The run is answered
   * all the same: timeout, grace, a little more, then given up on. */
  g_test_message ("answered after %.1f s", elapsed / (double) G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 6 * G_TIME_SPAN_SECOND);
  /* Nothing of the daemon itself stayed behind in the kernel. */
  g_assert_cmpuint (count_threads ("engine-prepare"), ==, 0);

  /* The server goes away: the stuck process ends at last.  (The run's
   * own context is gone with run_engine(), so it is reaped here; in the
   * daemon the launcher's pidfd source reaps it.) */
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) umount_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, NULL, NULL));
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
    int status;
    pid_t pid;

    while ((pid = waitpid (-1, &status, WNOHANG)) == 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (20 * 1000);
      }
  }
  assert_no_children ();
}

int
main (int argc, char **argv)
{
  int status;

  engine_fixture_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/engine/fake/environment", test_fake_environment);
  ADD ("/engine/fake/hang", test_fake_hang);
  ADD ("/engine/fake/ignore-term", test_fake_ignore_term);
  ADD ("/engine/fake/crash", test_fake_crash);
  ADD ("/engine/fake/flood", test_fake_flood);
  ADD ("/engine/fake/cancel", test_fake_cancel);
  ADD ("/engine/missing-engine-or-user", test_missing_engine_or_user);
  ADD ("/engine/archive/busy", test_archive_busy);
  ADD ("/engine/archive/renamed", test_archive_renamed);
  ADD ("/engine/hung-remote", test_hung_remote);
#undef ADD
  status = g_test_run ();
  engine_fixture_done ();
  return status;
}
