/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-fork.c — see launch-fork.h.
 *
 * Ownership: a run (ForkRun) belongs to its GTask until it completes; it
 * owns the child's pidfd (until the child is reaped, the pid and its
 * process group cannot be reused, so signals sent by pid or group are
 * safe too), the read ends of the two output pipes (inside the captures)
 * and a pidfd for every descendant it has found.  Everything between
 * fork() and execve() is async-signal-safe: plain system calls, no
 * allocation, no GLib, no locks — the daemon has threads.
 *
 * Escape: a descendant that calls setsid() leaves the process group, so
 * the group kill misses it.  The child is made a child subreaper, so an
 * orphaned descendant stays below it, and every second (and at every
 * kill) the launcher walks /proc for the child's descendants and keeps a
 * pidfd of each; kills reach them through those.  What it cannot catch:
 * a descendant that escapes and is orphaned between two walks after the
 * child itself exited.  The systemd launcher, with its cgroup, has no
 * such gap; this one is for where there is no systemd.
 */
#include "launch-fork.h"

#include "descendants.h"
#include "output-capture.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
/* linux/ioprio.h: class in the top bits, IOPRIO_WHO_PROCESS. */
#define IOPRIO_CLASS_IDLE_VALUE (3 << 13)
#define IOPRIO_WHO_PROCESS_VALUE 1

/* After the child exited, how long a descendant that escaped the kill
 * may keep the pipes open before the capture gives up on them. */
/* After SIGKILL, how long a process may take to go before it is given up
 * on (see on_give_up()). */
#define GIVE_UP_MS 2000
#define DRAIN_TIMEOUT_MS 2000
/* How often the descendants are looked for while the child runs. */
#define SCAN_INTERVAL_MS 1000

struct _OfLaunchFork {
  GObject parent_instance;
};

static void of_launch_fork_iface_init (OfLauncherInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OfLaunchFork, of_launch_fork, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (OF_TYPE_LAUNCHER, of_launch_fork_iface_init))

typedef enum {
  KILL_NONE,
  KILL_TIMEOUT,
  KILL_CANCEL,
} KillReason;

typedef struct {
  GTask           *task;           /* our reference until completion */
  char            *name;
  gint64           kill_grace_usec;
  pid_t            pid;
  int              pidfd;
  gboolean         reaped;
  int              wait_status;
  OfOutputCapture *out;
  OfOutputCapture *err;
  OfDescendants   *descendants;    /* found so far, pinned by pidfds */
  KillReason       kill_reason;
  GSource         *exit_source;
  GSource         *timeout_source;
  GSource         *grace_source;
  GSource         *cancel_source;
  GSource         *drain_source;
  GSource         *scan_source;
  GSource         *give_up_source;
  /* Answered without its end: a process stuck in the kernel (a hung
   * network file system) survives SIGKILL until the server answers.  The
   * run lives on, holding the task, until it is reaped. */
  gboolean         given_up;
  GTask           *keep_alive;
} ForkRun;

/* What the child needs, prepared before fork(): it may not allocate. */
typedef struct {
  const char * const *argv;
  const char * const *envp;
  const char         *working_directory;
  pid_t               parent;
  uid_t               uid;
  gid_t               gid;
  const gid_t        *groups;
  size_t              n_groups;
  int                 stdin_fd;
  int                 stdout_fd;
  int                 stderr_fd;
  int                 report_fd;   /* CLOEXEC: closed by a successful exec */
  guint               tasks_max;
  guint64             memory_max;
} ChildArgs;

/* What the child writes to report_fd when it cannot exec. */
typedef struct {
  int stage;
  int error;
} ChildFailure;

enum {
  STAGE_SETSID,
  STAGE_NO_NEW_PRIVS,
  STAGE_STDIO,
  STAGE_CHDIR,
  STAGE_LIMITS,
  STAGE_SETGROUPS,
  STAGE_SETRESGID,
  STAGE_SETRESUID,
  STAGE_PDEATHSIG,
  STAGE_EXEC,
};

static const char * const stage_names[] = {
  "setsid", "PR_SET_NO_NEW_PRIVS", "standard streams", "chdir", "setrlimit",
  "setgroups", "setresgid", "setresuid", "PR_SET_PDEATHSIG", "execve",
};

/* ---- the child: async-signal-safe only ---- */

G_GNUC_NORETURN static void
child_fail (const ChildArgs *args,
            int              stage)
{
  ChildFailure failure = { stage, errno };
  ssize_t ignored;

  ignored = write (args->report_fd, &failure, sizeof failure);
  (void) ignored;
  _exit (127);
}

G_GNUC_NORETURN static void
child_main (const ChildArgs *args)
{
  struct sched_param idle = { 0 };
  struct sigaction dfl;
  sigset_t none;

  /* Nothing the daemon blocked, ignored or handled leaks into the engine. */
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction (sig, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  /* Its own session and process group: no terminal, and one kill reaches
   * everything it starts that stays in the group. */
  if (setsid () < 0)
    child_fail (args, STAGE_SETSID);
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    child_fail (args, STAGE_NO_NEW_PRIVS);
  /* Orphans of its own children stay below it, where our walk finds them. */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  if (dup2 (args->stdin_fd, STDIN_FILENO) < 0 ||
      dup2 (args->stdout_fd, STDOUT_FILENO) < 0 ||
      dup2 (args->stderr_fd, STDERR_FILENO) < 0)
    child_fail (args, STAGE_STDIO);
  if (args->working_directory != NULL && chdir (args->working_directory) < 0)
    child_fail (args, STAGE_CHDIR);

  /* Background priorities; best effort (a container may forbid them),
   * and lowering one's own priority needs no privilege. */
  setpriority (PRIO_PROCESS, 0, 19);
  sched_setscheduler (0, SCHED_IDLE, &idle);
  syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS_VALUE, 0, IOPRIO_CLASS_IDLE_VALUE);

  if (args->tasks_max > 0)
    {
      struct rlimit limit = { args->tasks_max, args->tasks_max };
      if (setrlimit (RLIMIT_NPROC, &limit) < 0)
        child_fail (args, STAGE_LIMITS);
    }
  if (args->memory_max > 0)
    {
      struct rlimit limit = { (rlim_t) args->memory_max, (rlim_t) args->memory_max };
      if (setrlimit (RLIMIT_AS, &limit) < 0)
        child_fail (args, STAGE_LIMITS);
    }

  if (setgroups (args->n_groups, args->groups) < 0)
    child_fail (args, STAGE_SETGROUPS);
  if (setresgid (args->gid, args->gid, args->gid) < 0)
    child_fail (args, STAGE_SETRESGID);
  if (setresuid (args->uid, args->uid, args->uid) < 0)
    child_fail (args, STAGE_SETRESUID);

  /* After the credential change, which clears it: if the daemon dies, the
   * engine must not run on unsupervised.  The daemon may have died before
   * this line; then we were reparented already and no signal will come. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    child_fail (args, STAGE_PDEATHSIG);
  if (getppid () != args->parent)
    _exit (127);

  /* Every descriptor the daemon had open (other threads' included) stays
   * behind; report_fd is closed by the exec itself. */
  syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  execve (args->argv[0], (char * const *) args->argv, (char * const *) args->envp);
  child_fail (args, STAGE_EXEC);
}

/* ---- supervision, in the caller's main context ---- */

static void
fork_run_free (ForkRun *run)
{
  g_free (run->name);
  if (run->pidfd >= 0)
    close (run->pidfd);
  of_descendants_free (run->descendants);
  g_clear_pointer (&run->out, of_output_capture_free);
  g_clear_pointer (&run->err, of_output_capture_free);
  of_source_clear (&run->exit_source);
  of_source_clear (&run->timeout_source);
  of_source_clear (&run->grace_source);
  of_source_clear (&run->cancel_source);
  of_source_clear (&run->drain_source);
  of_source_clear (&run->scan_source);
  of_source_clear (&run->give_up_source);
  g_free (run);
}

static GSource *
attach (ForkRun     *run,
        GSource     *source,
        GSourceFunc  func)
{
  g_source_set_callback (source, func, run, NULL);
  g_source_attach (source, g_task_get_context (run->task ? run->task : run->keep_alive));
  return source;
}

/* To the child (while unreaped), its process group, and every descendant
 * found. */
static void
signal_all (ForkRun *run,
            int      signal_number)
{
  of_descendants_scan (run->descendants);
  if (!run->reaped)
    {
      if ((run->pidfd >= 0 ? of_pidfd_send_signal (run->pidfd, signal_number)
                            : kill (run->pid, signal_number)) < 0 && errno != ESRCH)
        g_warning ("Cannot send signal %d to engine run %s: %s", signal_number, run->name,
                   g_strerror (errno));
      /* The unreaped leader holds the group's id: it cannot be reused. */
      if (kill (-run->pid, signal_number) < 0 && errno != ESRCH)
        g_debug ("Cannot signal process group %d: %s", (int) run->pid, g_strerror (errno));
    }
  of_descendants_signal (run->descendants, signal_number);
}

static void
complete (ForkRun *run)
{
  OfLaunchResult *result;
  GTask *task;

  if (run->task == NULL)
    {
      /* Given up on, and now reaped at last: the run can go. */
      if (run->reaped)
        g_clear_object (&run->keep_alive);
      return;
    }
  if ((!run->reaped && !run->given_up) ||
      !of_output_capture_is_done (run->out) || !of_output_capture_is_done (run->err))
    return;

  result = g_new0 (OfLaunchResult, 1);
  result->exit_status = -1;
  if (!run->reaped)
    ;  /* given up on: how it ends is not known */
  else if (WIFEXITED (run->wait_status))
    result->exit_status = WEXITSTATUS (run->wait_status);
  else if (WIFSIGNALED (run->wait_status))
    result->term_signal = WTERMSIG (run->wait_status);
  if (run->kill_reason == KILL_CANCEL)
    result->end = OF_LAUNCH_CANCELLED;
  else if (run->kill_reason == KILL_TIMEOUT)
    result->end = OF_LAUNCH_TIMED_OUT;
  else if (run->reaped && WIFSIGNALED (run->wait_status))
    result->end = OF_LAUNCH_SIGNALED;
  else
    result->end = OF_LAUNCH_EXITED;
  result->stdout_tail = of_output_capture_take_tail (run->out);
  result->stderr_tail = of_output_capture_take_tail (run->err);
  result->stdout_bytes = of_output_capture_total (run->out);
  result->stderr_bytes = of_output_capture_total (run->err);
  g_debug ("Engine run %s ended: status %d, signal %d", run->name, result->exit_status,
           result->term_signal);

  of_source_clear (&run->drain_source);
  of_source_clear (&run->give_up_source);
  task = g_steal_pointer (&run->task);
  g_task_return_pointer (task, result, (GDestroyNotify) of_launch_result_free);
  if (run->reaped)
    g_object_unref (task);
  else
    run->keep_alive = task;  /* until the reap, which frees the run */
}

static void
on_capture_done (OfOutputCapture *capture,
                 gpointer         user_data)
{
  ForkRun *run = user_data;

  (void) capture;
  /* Both captures are created before either can call back. */
  if (run->out != NULL && run->err != NULL)
    complete (run);
}

static gboolean
on_drain_expired (gpointer user_data)
{
  ForkRun *run = user_data;

  g_debug ("Output of engine run %s still open after it exited: not waiting any longer", run->name);
  g_clear_pointer (&run->drain_source, g_source_unref);
  of_output_capture_abandon (run->out);
  of_output_capture_abandon (run->err);
  return G_SOURCE_REMOVE;
}

/* SIGKILL did not end it: it is stuck in the kernel, in a request to a
 * file server that does not answer.  Nobody may wait for that: the run
 * is answered now, and the process reaped whenever it ends. */
static gboolean
on_give_up (gpointer user_data)
{
  ForkRun *run = user_data;

  g_clear_pointer (&run->give_up_source, g_source_unref);
  if (run->reaped)
    return G_SOURCE_REMOVE;
  g_warning ("Engine run %s does not end after SIGKILL (stuck in the kernel, e.g. on a hung network "
             "file system): not waiting for it; it is reaped when it ends", run->name);
  run->given_up = TRUE;
  of_output_capture_abandon (run->out);
  of_output_capture_abandon (run->err);
  complete (run);
  return G_SOURCE_REMOVE;
}

static gboolean
on_grace_expired (gpointer user_data)
{
  ForkRun *run = user_data;

  g_debug ("Engine run %s still running after SIGTERM: SIGKILL", run->name);
  g_clear_pointer (&run->grace_source, g_source_unref);
  signal_all (run, SIGKILL);
  run->give_up_source = attach (run, g_timeout_source_new (GIVE_UP_MS), on_give_up);
  return G_SOURCE_REMOVE;
}

static void
begin_kill (ForkRun    *run,
            KillReason  reason)
{
  if (run->kill_reason != KILL_NONE || run->reaped)
    return;
  run->kill_reason = reason;
  g_debug ("Stopping engine run %s: %s", run->name, reason == KILL_TIMEOUT ? "timeout" : "cancelled");
  signal_all (run, SIGTERM);
  run->grace_source = attach (run, g_timeout_source_new ((guint) MIN (run->kill_grace_usec / 1000, G_MAXUINT)),
                              on_grace_expired);
}

static gboolean
on_timeout (gpointer user_data)
{
  ForkRun *run = user_data;

  g_clear_pointer (&run->timeout_source, g_source_unref);
  begin_kill (run, KILL_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  ForkRun *run = user_data;

  (void) cancellable;
  g_clear_pointer (&run->cancel_source, g_source_unref);
  begin_kill (run, KILL_CANCEL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_scan (gpointer user_data)
{
  ForkRun *run = user_data;

  of_descendants_scan (run->descendants);
  return G_SOURCE_CONTINUE;
}

/* The child is gone and reaped: whatever it left behind goes too. */
static void
after_exit (ForkRun *run)
{
  g_clear_pointer (&run->exit_source, g_source_unref);
  of_source_clear (&run->timeout_source);
  of_source_clear (&run->grace_source);
  of_source_clear (&run->cancel_source);
  of_source_clear (&run->scan_source);
  if (run->task != NULL &&
      (!of_output_capture_is_done (run->out) || !of_output_capture_is_done (run->err)))
    run->drain_source = attach (run, g_timeout_source_new (DRAIN_TIMEOUT_MS), on_drain_expired);
  complete (run);
}

/* The pidfd became readable: the child exited and is a zombie. */
static gboolean
on_exited (int          fd,
           GIOCondition condition,
           gpointer     user_data)
{
  ForkRun *run = user_data;
  siginfo_t info;

  (void) fd;
  (void) condition;
  /* Its group and descendants are orphans now; the zombie still holds
   * the group's id, so the group kill is safe before the reap. */
  signal_all (run, SIGKILL);

  memset (&info, 0, sizeof info);
  if (waitid ((idtype_t) P_PIDFD, (id_t) run->pidfd, &info, WEXITED) < 0)
    {
      g_warning ("Cannot reap engine run %s: %s", run->name, g_strerror (errno));
      run->wait_status = W_EXITCODE (255, 0);
    }
  else if (info.si_code == CLD_EXITED)
    run->wait_status = W_EXITCODE (info.si_status, 0);
  else
    run->wait_status = W_EXITCODE (0, info.si_status);
  run->reaped = TRUE;
  after_exit (run);
  return G_SOURCE_REMOVE;
}

/* Without pidfds (a kernel before 5.3, valgrind, a seccomp filter): GLib
 * reaped the child already, so its group is killed after the reap. */
static void
on_child_exited (GPid     pid,
                 int      wait_status,
                 gpointer user_data)
{
  ForkRun *run = user_data;

  (void) pid;
  run->wait_status = wait_status;
  run->reaped = TRUE;
  if (kill (-run->pid, SIGKILL) < 0 && errno != ESRCH)
    g_debug ("Cannot signal process group %d: %s", (int) run->pid, g_strerror (errno));
  after_exit (run);
}

/* ---- starting ---- */

static void
close_pair (int fds[2])
{
  for (int i = 0; i < 2; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

/* Forks and execs; on success fills run->pid/pidfd and the read ends. */
static OfLaunchResult *
start_child (ForkRun            *run,
             const OfLaunchSpec *spec,
             int                *stdout_read,
             int                *stderr_read)
{
  int out[2] = { -1, -1 }, err[2] = { -1, -1 }, report[2] = { -1, -1 };
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  ChildArgs args;
  ChildFailure failure;
  ssize_t n;
  pid_t pid;
  int pidfd_error;

  if (null_fd < 0 || pipe2 (out, O_CLOEXEC) < 0 || pipe2 (err, O_CLOEXEC) < 0 ||
      pipe2 (report, O_CLOEXEC) < 0)
    {
      int saved = errno;
      close_pair (out);
      close_pair (err);
      close_pair (report);
      if (null_fd >= 0)
        close (null_fd);
      return of_launch_result_new_not_started ("cannot create pipes: %s", g_strerror (saved));
    }

  memset (&args, 0, sizeof args);
  args.argv = spec->argv;
  args.envp = spec->envp;
  args.working_directory = spec->working_directory;
  args.parent = getpid ();
  args.uid = spec->uid;
  args.gid = spec->gid;
  args.groups = spec->groups;
  args.n_groups = spec->groups != NULL ? (size_t) MAX (spec->n_groups, 0) : 0;
  args.stdin_fd = null_fd;
  args.stdout_fd = out[1];
  args.stderr_fd = err[1];
  args.report_fd = report[1];
  args.tasks_max = spec->tasks_max;
  args.memory_max = spec->memory_max;

  pid = fork ();
  if (pid == 0)
    child_main (&args);
  close (null_fd);
  close (out[1]);
  close (err[1]);
  close (report[1]);
  if (pid < 0)
    {
      int saved = errno;
      close (out[0]);
      close (err[0]);
      close (report[0]);
      return of_launch_result_new_not_started ("fork: %s", g_strerror (saved));
    }

  /* Until the exec, or the child's failure report; no engine code runs
   * before it, so this is bounded by the setup above. */
  do
    n = read (report[0], &failure, sizeof failure);
  while (n < 0 && errno == EINTR);
  close (report[0]);
  run->pid = pid;
  run->pidfd = of_pidfd_open (pid);
  pidfd_error = run->pidfd < 0 ? errno : 0;
  if (pidfd_error == ENOSYS)
    g_debug ("No pidfds here: supervising engine run %s by pid", run->name);
  if (n == (ssize_t) sizeof failure || (pidfd_error != 0 && pidfd_error != ENOSYS))
    {
      int saved = pidfd_error;
      int status;

      if (n != (ssize_t) sizeof failure)
        kill (pid, SIGKILL);   /* not reaped yet: the pid is still this child */
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      close (out[0]);
      close (err[0]);
      if (n != (ssize_t) sizeof failure)
        return of_launch_result_new_not_started ("pidfd_open: %s", g_strerror (saved));
      return of_launch_result_new_not_started ("%s: %s",
                                               stage_names[CLAMP (failure.stage, 0, STAGE_EXEC)],
                                               g_strerror (failure.error));
    }
  run->descendants = of_descendants_new (pid);
  *stdout_read = out[0];
  *stderr_read = err[0];
  return NULL;
}

static void
of_launch_fork_run_async (OfLauncher          *launcher,
                          const OfLaunchSpec  *spec,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (launcher, cancellable, callback, user_data);
  ForkRun *run;
  OfLaunchResult *failed;
  int stdout_read = -1, stderr_read = -1;

  /* Cancellation is a result (CANCELLED, once everything is gone). */
  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_is_cancelled (cancellable))
    {
      OfLaunchResult *result = of_launch_result_new_not_started ("cancelled");
      result->end = OF_LAUNCH_CANCELLED;
      g_clear_pointer (&result->message, g_free);
      g_task_return_pointer (task, result, (GDestroyNotify) of_launch_result_free);
      g_object_unref (task);
      return;
    }

  run = g_new0 (ForkRun, 1);
  run->name = g_strdup (spec->unit_name);
  run->kill_grace_usec = MAX (spec->kill_grace_usec, 0);
  run->pidfd = -1;
  run->task = task;
  g_task_set_task_data (task, run, (GDestroyNotify) fork_run_free);

  g_debug ("Starting engine run %s: %s as uid %u", run->name, spec->argv[0], (guint) spec->uid);
  failed = start_child (run, spec, &stdout_read, &stderr_read);
  if (failed != NULL)
    {
      g_debug ("Engine run %s not started: %s", run->name, failed->message);
      run->task = NULL;
      g_task_return_pointer (task, failed, (GDestroyNotify) of_launch_result_free);
      g_object_unref (task);
      return;
    }

  run->out = of_output_capture_new (stdout_read, OF_LAUNCH_OUTPUT_TAIL_MAX, on_capture_done, run);
  run->err = of_output_capture_new (stderr_read, OF_LAUNCH_OUTPUT_TAIL_MAX, on_capture_done, run);
  if (run->pidfd >= 0)
    {
      run->exit_source = g_unix_fd_source_new (run->pidfd, G_IO_IN);
      g_source_set_callback (run->exit_source, G_SOURCE_FUNC (on_exited), run, NULL);
    }
  else
    {
      run->exit_source = g_child_watch_source_new (run->pid);
      g_source_set_callback (run->exit_source, G_SOURCE_FUNC (on_child_exited), run, NULL);
    }
  g_source_attach (run->exit_source, g_task_get_context (task));
  run->scan_source = attach (run, g_timeout_source_new (SCAN_INTERVAL_MS), on_scan);
  if (spec->timeout_usec > 0)
    run->timeout_source = attach (run, g_timeout_source_new ((guint) MIN (spec->timeout_usec / 1000, G_MAXUINT)),
                                  on_timeout);
  if (cancellable != NULL)
    run->cancel_source = attach (run, g_cancellable_source_new (cancellable), G_SOURCE_FUNC (on_cancelled));
}

static OfLaunchResult *
of_launch_fork_run_finish (OfLauncher    *launcher,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, launcher), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
of_launch_fork_iface_init (OfLauncherInterface *iface)
{
  iface->run_async = of_launch_fork_run_async;
  iface->run_finish = of_launch_fork_run_finish;
}

static void
of_launch_fork_class_init (OfLaunchForkClass *klass)
{
  (void) klass;
}

static void
of_launch_fork_init (OfLaunchFork *self)
{
  (void) self;
}

OfLauncher *
of_launch_fork_new (void)
{
  return g_object_new (OF_TYPE_LAUNCH_FORK, NULL);
}
