/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-launch-fork.c — the fork launcher on fake engines (shell scripts):
 * exit status and output, a failed exec, the child's session, privileges,
 * priorities and limits as seen in /proc and by chrt/ionice, and that a
 * grandchild that left the process group with setsid() still dies on
 * cancellation and on timeout. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "launch-fork.h"

typedef struct {
  char *dir;
} Fixture;

typedef struct {
  gboolean        done;
  OfLaunchResult *result;
} Waiter;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("offlinefiles-launch-XXXXXX", &error);
  g_assert_no_error (error);
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

static gboolean
need_root (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("switching to the share's user needs root");
      return FALSE;
    }
  return TRUE;
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

static void
start (OfLauncher   *launcher,
       const char   *script,
       const char   *cwd,
       gint64        timeout_usec,
       GCancellable *cancellable,
       Waiter       *waiter)
{
  const char * const argv[] = { script, NULL };
  const char * const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
  const char * const rw[] = { cwd, NULL };
  const gid_t groups[] = { 0 };
  OfLaunchSpec spec = {
    .unit_name = "offlinefiles-engine-test-1",
    .argv = argv,
    .envp = envp,
    .working_directory = cwd,
    .user_name = "root",
    .uid = 0,
    .gid = 0,
    .groups = groups,
    .n_groups = 1,
    .read_write_paths = rw,
    .timeout_usec = timeout_usec,
    .kill_grace_usec = 300 * 1000,
    .tasks_max = 512,
    .memory_max = G_GUINT64_CONSTANT (2) << 30,
  };

  of_launcher_run_async (launcher, &spec, cancellable, on_done, waiter);
}

static void
wait_until (gboolean   *flag,
            const char *file)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((flag ? !*flag : !g_file_test (file, G_FILE_TEST_EXISTS)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, flag != NULL);
  if (file != NULL)
    g_usleep (50 * 1000);   /* the writer may not have finished the line */
  g_assert_true (flag ? *flag : g_file_test (file, G_FILE_TEST_EXISTS));
}

static pid_t
read_pid (Fixture    *fixture,
          const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autofree char *text = NULL;

  wait_until (NULL, path);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return (pid_t) atoi (text);
}

/* Field @n (1-based, as in proc(5)) of /proc/PID/stat. */
static char *
stat_field (pid_t pid,
            int   n)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  rest = strrchr (text, ')');
  g_assert_nonnull (rest);
  fields = g_strsplit (rest + 2, " ", -1);
  g_assert_cmpint (n, >=, 3);
  return g_strdup (fields[n - 3]);
}

static gboolean
process_is_gone (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *state = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  state = stat_field (pid, 3);
  return g_str_equal (state, "Z");
}

static void
assert_gone_soon (pid_t pid)
{
  for (int i = 0; i < 200 && !process_is_gone (pid); i++)
    g_usleep (10 * 1000);
  g_assert_true (process_is_gone (pid));
}

static void
assert_no_children (void)
{
  int status;

  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static char *
run_tool (const char *command)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_command_line_sync (command, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&out);
}

static void
test_exit_and_output (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_fork_new ();
  g_autofree char *script = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  if (!need_root ())
    return;
  script = write_script (fixture, "echo out; pwd; readlink /proc/self/fd/0; echo err >&2; exit 3\n");
  start (launcher, script, fixture->dir, 10 * G_USEC_PER_SEC, NULL, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_EXITED);
  g_assert_cmpint (result->exit_status, ==, 3);
  g_assert_cmpint (result->term_signal, ==, 0);
  {
    g_autofree char *expected = g_strdup_printf ("out\n%s\n/dev/null\n", fixture->dir);
    g_assert_cmpstr (result->stdout_tail, ==, expected);
  }
  g_assert_cmpstr (result->stderr_tail, ==, "err\n");
  g_assert_cmpuint (result->stderr_bytes, ==, 4);
  assert_no_children ();
}

static void
test_exec_failure (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_fork_new ();
  g_autofree char *missing = g_build_filename (fixture->dir, "no-such-engine", NULL);
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  if (!need_root ())
    return;
  start (launcher, missing, fixture->dir, 10 * G_USEC_PER_SEC, NULL, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_NOT_STARTED);
  g_assert_cmpstr (result->message, ==, "execve: No such file or directory");
  assert_no_children ();
}

/* What the child runs under, seen from outside while it runs. */
static void
test_hardening (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_fork_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *script = NULL;
  g_autofree char *body = NULL;
  g_autofree char *nice = NULL, *session = NULL, *pgrp = NULL;
  g_autofree char *chrt = NULL, *ionice = NULL, *status = NULL, *limits = NULL;
  g_autofree char *status_path = NULL, *limits_path = NULL, *command = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;
  pid_t pid;

  (void) data;
  if (!need_root ())
    return;
  body = g_strdup_printf ("echo $$ > %s/pid\nexec sleep 1000\n", fixture->dir);
  script = write_script (fixture, body);
  start (launcher, script, fixture->dir, 60 * G_USEC_PER_SEC, cancellable, &waiter);
  pid = read_pid (fixture, "pid");

  nice = stat_field (pid, 19);
  session = stat_field (pid, 6);
  pgrp = stat_field (pid, 5);
  g_assert_cmpint (atoi (nice), ==, 19);
  g_assert_cmpint (atoi (session), ==, pid);   /* setsid(): its own session */
  g_assert_cmpint (atoi (pgrp), ==, pid);      /* and its own group */
  command = g_strdup_printf ("chrt -p %d", (int) pid);
  chrt = run_tool (command);
  g_test_message ("%s", chrt);
  g_assert_nonnull (strstr (chrt, "SCHED_IDLE"));
  g_free (command);
  command = g_strdup_printf ("ionice -p %d", (int) pid);
  ionice = run_tool (command);
  g_test_message ("%s", ionice);
  g_assert_true (g_str_has_prefix (ionice, "idle"));

  status_path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
  g_assert_nonnull (strstr (status, "NoNewPrivs:\t1\n"));
  limits_path = g_strdup_printf ("/proc/%d/limits", (int) pid);
  g_assert_true (g_file_get_contents (limits_path, &limits, NULL, NULL));
  g_assert_true (g_regex_match_simple ("Max processes +512 +512 ", limits, 0, 0));
  g_assert_true (g_regex_match_simple ("Max address space +2147483648 +2147483648 ", limits, 0, 0));

  g_cancellable_cancel (cancellable);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_CANCELLED);
  g_assert_cmpint (result->term_signal, ==, SIGTERM);
  assert_gone_soon (pid);
  assert_no_children ();
}

static gboolean
has_own_session (pid_t pid)
{
  g_autofree char *session = stat_field (pid, 6);

  return atoi (session) == pid;
}

/* A grandchild that starts a session of its own, and one that does so
 * and is then orphaned (its parent exits): neither is in the group. */
static void
run_escaping (Fixture      *fixture,
              gint64        timeout_usec,
              GCancellable *cancellable,
              OfLaunchEnd   expected)
{
  g_autoptr(OfLauncher) launcher = of_launch_fork_new ();
  g_autofree char *script = NULL;
  g_autofree char *body = NULL;
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;
  pid_t escaped, orphan;
  gint64 started = g_get_monotonic_time ();

  body = g_strdup_printf ("setsid sleep 1000 &\necho $! > %s/escaped\n"
                          "sh -c 'setsid sleep 1000 & echo $! > %s/orphan'\n"
                          "echo started\nwait\n", fixture->dir, fixture->dir);
  script = write_script (fixture, body);
  start (launcher, script, fixture->dir, timeout_usec, cancellable, &waiter);
  escaped = read_pid (fixture, "escaped");
  orphan = read_pid (fixture, "orphan");
  /* Really out of the group, once setsid(1) got to its setsid(). */
  for (int i = 0; i < 200 && !has_own_session (escaped); i++)
    g_usleep (10 * 1000);
  g_assert_true (has_own_session (escaped));
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_test_message ("ended after %.2f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (result->end, ==, expected);
  g_assert_cmpstr (result->stdout_tail, ==, "started\n");
  assert_gone_soon (escaped);
  assert_gone_soon (orphan);
  assert_no_children ();
}

static void
test_escape_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  (void) data;
  if (need_root ())
    run_escaping (fixture, 60 * G_USEC_PER_SEC, cancellable, OF_LAUNCH_CANCELLED);
}

static void
test_escape_timeout (Fixture *fixture, gconstpointer data)
{
  (void) data;
  if (need_root ())
    run_escaping (fixture, 1500 * 1000, NULL, OF_LAUNCH_TIMED_OUT);
}

static void
test_cancelled_before (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfLauncher) launcher = of_launch_fork_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *marker = g_build_filename (fixture->dir, "ran", NULL);
  g_autofree char *body = g_strdup_printf ("touch %s\n", marker);
  g_autofree char *script = write_script (fixture, body);
  Waiter waiter = { FALSE, NULL };
  g_autoptr(OfLaunchResult) result = NULL;

  (void) data;
  g_cancellable_cancel (cancellable);
  start (launcher, script, fixture->dir, G_USEC_PER_SEC, cancellable, &waiter);
  wait_until (&waiter.done, NULL);
  result = waiter.result;
  g_assert_cmpint (result->end, ==, OF_LAUNCH_CANCELLED);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/launch-fork/exit-and-output", test_exit_and_output);
  ADD ("/launch-fork/exec-failure", test_exec_failure);
  ADD ("/launch-fork/hardening", test_hardening);
  ADD ("/launch-fork/escape/cancel", test_escape_cancel);
  ADD ("/launch-fork/escape/timeout", test_escape_timeout);
  ADD ("/launch-fork/cancelled-before", test_cancelled_before);
#undef ADD
  return g_test_run ();
}
