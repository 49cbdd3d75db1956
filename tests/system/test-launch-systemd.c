/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-launch-systemd.c — the systemd launcher against a real systemd.
 *
 * Runs inside a systemd booted in a throwaway namespace
 * (test-launch-systemd.sh starts it there); uses launch-systemd.c
 * directly, with fake engines (shell scripts) as the test user:
 * each run is a transient unit of its own (listed while it runs, its own
 * cgroup, the share's user, the sandbox and priorities), output comes
 * back through the pipes, the exit status and a crash are reported,
 * cancellation stops a grandchild that left the process group with
 * setsid(), the runtime limit gives TIMED_OUT, a refused start is
 * NOT_STARTED, and every unit is gone once its run has ended.  Last, the
 * real unison through engine.c and this launcher, as the daemon runs it. */
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine.h"
#include "launch-systemd.h"

#define TEST_USER "oftest-allow"

typedef struct {
  char  *dir;
  uid_t  uid;
  gid_t  gid;
} Fixture;

typedef struct {
  gboolean        done;
  OfLaunchResult *result;
} Waiter;

static GDBusConnection *bus;
static guint unit_counter;

static void
setup (Fixture *fixture, gconstpointer data)
{
  struct passwd *pwd = getpwnam (TEST_USER);

  (void) data;
  g_assert_nonnull (pwd);
  fixture->uid = pwd->pw_uid;
  fixture->gid = pwd->pw_gid;
  /* Neither in /tmp nor /var/tmp: the unit has private ones (PrivateTmp).
   * Inside the throwaway systemd, this is on the overlay's tmpfs. */
  g_assert_cmpint (g_mkdir_with_parents ("/srv", 0755), ==, 0);
  fixture->dir = g_strdup ("/srv/offlinefiles-launch-XXXXXX");
  g_assert_nonnull (g_mkdtemp (fixture->dir));
  g_assert_cmpint (chown (fixture->dir, fixture->uid, fixture->gid), ==, 0);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "rm", "-rf", fixture->dir, NULL };

  (void) data;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, NULL, NULL));
  g_free (fixture->dir);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;
  g_autoptr(GError) error = NULL;

  waiter->result = of_launcher_run_finish (OF_LAUNCHER (source), result, &error);
  g_assert_no_error (error);
  waiter->done = TRUE;
}

static char *
write_script (Fixture    *fixture,
              const char *body)
{
  g_autofree char *path = g_build_filename (fixture->dir, "engine.sh", NULL);
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", body, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return g_steal_pointer (&path);
}

/* Starts @script as the test user in a unit of its own; returns the
 * unit's name (without ".service"). */
static char *
start (OfLauncher   *launcher,
       Fixture      *fixture,
       const char   *script,
       const char   *unit_name,
       gint64        timeout_usec,
       GCancellable *cancellable,
       Waiter       *waiter)
{
  const char * const argv[] = { script, NULL };
  const char * const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "OF_PROBE=1", NULL };
  const char * const rw[] = { fixture->dir, NULL };
  char *name = unit_name ? g_strdup (unit_name)
                         : g_strdup_printf ("offlinefiles-engine-probe-%u-%u", (guint) getpid (), ++unit_counter);
  OfLaunchSpec spec = {
    .unit_name = name,
    .description = "offlinefiles launcher test",
    .argv = argv,
    .envp = envp,
    .working_directory = fixture->dir,
    .user_name = TEST_USER,
    .uid = fixture->uid,
    .gid = fixture->gid,
    .read_write_paths = rw,
    .timeout_usec = timeout_usec,
    .kill_grace_usec = 500 * 1000,
    .tasks_max = 512,
    .memory_max = G_GUINT64_CONSTANT (2) << 30,
  };

  of_launcher_run_async (launcher, &spec, cancellable, on_done, waiter);
  return name;
}

static void
wait_until (gboolean   *flag,
            const char *file)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while ((flag ? !*flag : !g_file_test (file, G_FILE_TEST_EXISTS)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, flag != NULL);
  if (file != NULL)
    {
      /* The writer may not have finished the line; keep the bus served. */
      gint64 until = g_get_monotonic_time () + 50 * 1000;
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (flag ? *flag : g_file_test (file, G_FILE_TEST_EXISTS));
}

static char *
run_tool (const char *command)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_command_line_sync (command, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return g_strstrip (g_steal_pointer (&out));
}

static char *
units_named (const char *unit)
{
  g_autofree char *command = g_strdup_printf ("systemctl list-units --all --no-legend --plain %s.service", unit);
  return run_tool (command);
}

/* Collected (CollectMode=inactive-or-failed, once we dropped our
 * reference): not even listed as inactive. */
static void
assert_unit_gone (const char *unit)
{
  g_autofree char *listed = NULL;

  for (int i = 0; i < 100; i++)
    {
      g_free (listed);
      listed = units_named (unit);
      if (*listed == '\0')
        break;
      g_usleep (50 * 1000);
    }
  g_test_message ("after the run: \"%s\"", listed);
  g_assert_cmpstr (listed, ==, "");
}

static gboolean
process_is_gone (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *close_paren;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return TRUE;
  close_paren = strrchr (text, ')');
  return close_paren != NULL && close_paren[2] == 'Z';
}

static void
test_exit_output_sandbox (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autofree char *body = NULL, *script = NULL, *unit = NULL, *expected = NULL;
  g_auto(GStrv) lines = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  body = g_strdup_printf ("id -un\ncat /proc/self/cgroup | grep '^0::'\npwd\nreadlink /proc/self/fd/0\n"
                          "cut -d' ' -f19 /proc/self/stat\nchrt -p $$ | head -n1\nionice -p $$\n"
                          "grep NoNewPrivs /proc/self/status\n"
                          "touch /usr/offlinefiles-probe 2>/dev/null && echo /usr writable || echo /usr read-only\n"
                          "touch %s/ok && echo own folder writable\n"
                          "echo \"env $OF_PROBE ${OF_TEST_SECRET:-none}\"\n"
                          "echo to stderr >&2\nexit 3\n", fixture->dir);
  script = write_script (fixture, body);
  unit = start (launcher, fixture, script, NULL, 60 * G_USEC_PER_SEC, NULL, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_test_message ("stdout:\n%s", result->stdout_tail);
  g_assert_cmpint (result->end, ==, OF_LAUNCH_EXITED);
  g_assert_cmpint (result->exit_status, ==, 3);
  g_assert_cmpstr (result->stderr_tail, ==, "to stderr\n");

  lines = g_strsplit (result->stdout_tail, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 12);
  g_assert_cmpstr (lines[0], ==, TEST_USER);
  expected = g_strdup_printf ("0::/system.slice/%s.service", unit);
  g_assert_cmpstr (lines[1], ==, expected);        /* a cgroup of its own */
  g_assert_cmpstr (lines[2], ==, fixture->dir);
  g_assert_true (g_str_has_suffix (lines[3], "/dev/null"));
  g_assert_cmpstr (lines[4], ==, "19");
  g_assert_nonnull (strstr (lines[5], "SCHED_IDLE"));
  g_assert_cmpstr (lines[6], ==, "idle");
  g_assert_cmpstr (lines[7], ==, "NoNewPrivs:\t1");
  g_assert_cmpstr (lines[8], ==, "/usr read-only");
  g_assert_cmpstr (lines[9], ==, "own folder writable");
  g_assert_cmpstr (lines[10], ==, "env 1 none");   /* ours, not the caller's */
  assert_unit_gone (unit);
}

/* Arguments reach the process as given: systemd's "$NAME", "${NAME}"
 * and "$$" expansion is off (a share's folder may be named so, and the
 * helpers pass shell scripts). */
static void
test_no_env_expansion (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autofree char *name = g_strdup_printf ("offlinefiles-engine-expand-%u-%u", (guint) getpid (), ++unit_counter);
  const char * const argv[] = { "/bin/sh", "-c", "printf '%s|%s\\n' \"$1\" \"${2}\"", "sh",
                                "a$$b${OF_PROBE}c", "$OF_PROBE", NULL };
  const char * const envp[] = { "PATH=/usr/bin:/bin", "OF_PROBE=1", NULL };
  const char * const rw[] = { fixture->dir, NULL };
  OfLaunchSpec spec = {
    .unit_name = name,
    .description = "offlinefiles launcher test",
    .argv = argv,
    .envp = envp,
    .working_directory = fixture->dir,
    .user_name = TEST_USER,
    .uid = fixture->uid,
    .gid = fixture->gid,
    .read_write_paths = rw,
    .timeout_usec = 60 * G_USEC_PER_SEC,
    .kill_grace_usec = 500 * 1000,
  };
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  of_launcher_run_async (launcher, &spec, NULL, on_done, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_EXITED);
  g_assert_cmpint (result->exit_status, ==, 0);
  g_assert_cmpstr (result->stdout_tail, ==, "a$$b${OF_PROBE}c|$OF_PROBE\n");
  assert_unit_gone (name);
}

static void
test_crash (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autofree char *script = write_script (fixture, "echo about to crash >&2\nkill -SEGV $$\n");
  g_autofree char *unit = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  unit = start (launcher, fixture, script, NULL, 60 * G_USEC_PER_SEC, NULL, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_SIGNALED);
  g_assert_cmpint (result->term_signal, ==, SIGSEGV);
  g_assert_cmpint (result->exit_status, ==, -1);
  g_assert_cmpstr (result->stderr_tail, ==, "about to crash\n");
  assert_unit_gone (unit);
}

static void
test_cancel_escaped (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *body = NULL, *script = NULL, *unit = NULL, *listed = NULL, *pid_file = NULL;
  g_autofree char *pid_text = NULL, *user = NULL, *command = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;
  gint64 started;
  pid_t escaped;

  (void) data;
  body = g_strdup_printf ("setsid sleep 1000 &\necho $! > %s/escaped.tmp\n"
                          "mv %s/escaped.tmp %s/escaped\necho started\nwait\n",
                          fixture->dir, fixture->dir, fixture->dir);
  script = write_script (fixture, body);
  unit = start (launcher, fixture, script, NULL, 60 * G_USEC_PER_SEC, cancellable, &waiter);
  pid_file = g_build_filename (fixture->dir, "escaped", NULL);
  wait_until (NULL, pid_file);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  escaped = (pid_t) atoi (pid_text);

  /* While it runs: a unit of its own, running, as the share's user. */
  listed = units_named (unit);
  g_test_message ("during the run: %s", listed);
  g_assert_true (g_str_has_prefix (listed, unit));
  g_assert_nonnull (strstr (listed, " active running "));
  command = g_strdup_printf ("systemctl show -P User %s.service", unit);
  user = run_tool (command);
  g_assert_cmpstr (user, ==, TEST_USER);

  started = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_test_message ("stopped in %.2f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (result->end, ==, OF_LAUNCH_CANCELLED);
  g_assert_cmpstr (result->stdout_tail, ==, "started\n");
  /* KillMode=control-group: setsid() does not leave the cgroup. */
  for (int i = 0; i < 100 && !process_is_gone (escaped); i++)
    g_usleep (20 * 1000);
  g_assert_true (process_is_gone (escaped));
  assert_unit_gone (unit);
}

static void
test_timeout (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autofree char *script = write_script (fixture, "echo started\ntrap '' TERM\nsleep 1000\n");
  g_autofree char *unit = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;
  gint64 started = g_get_monotonic_time (), elapsed;

  (void) data;
  unit = start (launcher, fixture, script, NULL, 1500 * 1000, NULL, &waiter);
  wait_until (&waiter.done, NULL);
  elapsed = g_get_monotonic_time () - started;
  result = waiter.result;
  g_test_message ("timed out after %.2f s", elapsed / 1e6);
  g_assert_cmpint (result->end, ==, OF_LAUNCH_TIMED_OUT);
  g_assert_cmpstr (result->stdout_tail, ==, "started\n");
  g_assert_cmpint (elapsed, >=, 1500 * 1000);
  g_assert_cmpint (elapsed, <, 6 * G_USEC_PER_SEC);
  assert_unit_gone (unit);
}

static void
test_not_started (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autofree char *script = write_script (fixture, "exit 0\n");
  g_autofree char *unit = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  /* systemd refuses the name: the start itself fails. */
  unit = start (launcher, fixture, script, "offlinefiles engine", 60 * G_USEC_PER_SEC, NULL, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_test_message ("%s", result->message);
  g_assert_cmpint (result->end, ==, OF_LAUNCH_NOT_STARTED);
  g_assert_true (g_str_has_prefix (result->message, "StartTransientUnit failed: "));
  g_assert_cmpstr (result->stdout_tail, ==, "");
}

/* A daemon that crashed left its engine's unit running: the next
 * daemon's launcher stops it. */
static void
test_leftovers_stopped (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) crashed = of_launch_systemd_new (bus);
  g_autoptr(OfLauncher) next = of_launch_systemd_new (bus);
  g_autofree char *body = NULL, *script = NULL, *unit = NULL, *started = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  started = g_build_filename (fixture->dir, "started", NULL);
  body = g_strdup_printf ("touch %s\nexec sleep 1000\n", started);
  script = write_script (fixture, body);
  unit = start (crashed, fixture, script, NULL, 60 * G_USEC_PER_SEC, NULL, &waiter);
  wait_until (NULL, started);
  of_launch_systemd_stop_leftovers (OF_LAUNCH_SYSTEMD (next), "offlinefiles-engine-probe-*.service");
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_SIGNALED);
  g_assert_cmpint (result->term_signal, ==, SIGTERM);
  assert_unit_gone (unit);
}

static void
on_engine_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  OfEngineOutcome **outcome = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  *outcome = of_engine_run_finish (result, &error);
  g_assert_no_error (error);
}

static OfEngineOutcome *
sync_share (OfLauncher    *launcher,
            const OfShare *share,
            const char    *archive_root,
            guint64        sync_id)
{
  g_autofree char *run_name = of_engine_run_name (share->name, sync_id);
  OfEngineOutcome *outcome = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  of_engine_run_async (launcher, "unison", share, archive_root, run_name, G_USEC_PER_SEC, NULL,
                       on_engine_done, &outcome);
  while (outcome == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (outcome);
  g_test_message ("%s: %s", of_share_result_to_string (outcome->result), outcome->message);
  return outcome;
}

static void
test_unison (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_systemd_new (bus);
  g_autofree char *local = g_build_filename (fixture->dir, "local", NULL);
  g_autofree char *remote = g_build_filename (fixture->dir, "remote", NULL);
  g_autofree char *archive_root = g_build_filename (fixture->dir, "state", "unison", NULL);
  g_autofree char *mine = g_build_filename (local, "mine.txt", NULL);
  g_autofree char *theirs = g_build_filename (remote, "theirs.txt", NULL);
  g_autofree char *copied = g_build_filename (remote, "mine.txt", NULL);
  g_autofree char *unison = g_find_program_in_path ("unison");
  g_autoptr(OfEngineOutcome) first = NULL;
  g_autoptr(OfEngineOutcome) again = NULL;
  OfShare share = { 0 };
  struct stat st;

  (void) data;
  if (unison == NULL)
    {
      g_test_skip ("unison is not installed");
      return;
    }
  g_assert_cmpint (g_mkdir (local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (remote, 0755), ==, 0);
  g_assert_cmpint (chown (local, fixture->uid, fixture->gid), ==, 0);
  g_assert_cmpint (chown (remote, fixture->uid, fixture->gid), ==, 0);
  g_assert_true (g_file_set_contents (mine, "local\n", -1, NULL));
  g_assert_true (g_file_set_contents (theirs, "remote\n", -1, NULL));
  share.name = (char *) "docs";
  share.local_path = local;
  share.remote_path = remote;
  share.user = (char *) TEST_USER;
  share.enabled = TRUE;
  share.timeout_usec = G_TIME_SPAN_MINUTE;

  first = sync_share (launcher, &share, archive_root, 7);
  g_assert_cmpint (first->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (first->message, ==, "2 items transferred");
  /* Written by the engine in its unit, as the share's user. */
  g_assert_cmpint (stat (copied, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, fixture->uid);
  again = sync_share (launcher, &share, archive_root, 8);
  g_assert_cmpint (again->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (again->message, ==, "no changes");
  assert_unit_gone ("offlinefiles-engine-docs-8");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Before any thread: must not reach the unit. */
  g_setenv ("OF_TEST_SECRET", "must not leak", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0 || !g_file_test ("/run/systemd/system", G_FILE_TEST_IS_DIR) || getpwnam (TEST_USER) == NULL)
    {
      g_test_skip ("needs root, systemd as the service manager and the user " TEST_USER
                   " (run through test-launch-systemd.sh)");
      return g_test_run ();
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/launch-systemd/exit-output-sandbox", test_exit_output_sandbox);
  ADD ("/launch-systemd/no-env-expansion", test_no_env_expansion);
  ADD ("/launch-systemd/crash", test_crash);
  ADD ("/launch-systemd/cancel-escaped", test_cancel_escaped);
  ADD ("/launch-systemd/timeout", test_timeout);
  ADD ("/launch-systemd/not-started", test_not_started);
  ADD ("/launch-systemd/leftovers-stopped", test_leftovers_stopped);
  ADD ("/launch-systemd/unison", test_unison);
#undef ADD
  status = g_test_run ();
  g_object_unref (bus);
  return status;
}
