/* engine.c — see engine.h.  The output parser is in engine-output.c.
 *
 * What unison 2.52 prints with "-batch -ui text -terse" (checked by hand,
 * see tests/test-engine.c for captured samples):
 *   stdout: the change table ("changed  <-?-> changed    f1"), the
 *           first-run archive warning, "Failed [p]: ..." details;
 *   stderr: "[CONFLICT] Skipping <path>" / "[ERROR] Skipping <path>" (only
 *           when something else is propagated), "[BGN]/[END] Copying ...",
 *           "Fatal error: ...", and at the end the summary
 *           "Synchronization complete at HH:MM:SS  (N item(s) transferred,
 *           S skipped, F failed)" (or "incomplete") followed by one
 *           "  skipped: <path> (<reason>)" or "  failed: <path>" per item;
 *           a reason may continue on further lines.
 * Paths are printed raw: a path containing a newline cannot be told apart
 * from the next line, and one that is not UTF-8 is made valid for D-Bus.
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* After the engine exited, how long a descendant that escaped the kill
 * (e.g. by leaving the process group) may keep the pipes open. */
#define DRAIN_TIMEOUT_MS 2000
#define READ_CHUNK (16 * 1024)

/* ---- running ---- */

typedef struct _EngineRun EngineRun;

typedef struct {
  EngineRun    *run;
  GInputStream *stream;
  GByteArray   *tail;
  guint64       total;
  gboolean      done;
  guint8        buffer[READ_CHUNK];
} Capture;

typedef enum {
  KILL_NONE,
  KILL_TIMEOUT,
  KILL_CANCEL,
} KillReason;

struct _EngineRun {
  /* Inputs (copied). */
  OfShare      *share;
  char         *engine_path;
  char         *archive_root;
  gint64        kill_grace_usec;

  /* Filled by the worker thread before the spawn; read-only afterwards,
   * also by the child setup between fork and exec. */
  OfEngineOutcome *early;       /* decided without running the engine */
  char         *engine;         /* resolved */
  char         *home;
  char         *archive_dir;
  int           archive_fd;     /* holds our flock on the archive dir */
  uid_t         uid;
  gid_t         gid;
  gid_t        *groups;
  int           n_groups;

  /* Main context only. */
  GTask        *task;           /* our own reference until finish() */
  GSubprocess  *process;
  pid_t         pgid;
  Capture       out;
  Capture       err;
  gboolean      exited;
  gboolean      finished;
  KillReason    kill_reason;
  GCancellable *io_cancellable;
  GSource      *cancel_source;
  GSource      *timeout_source;
  GSource      *grace_source;
  GSource      *drain_source;
};

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
engine_run_free (EngineRun *run)
{
  of_share_free (run->share);
  g_free (run->engine_path);
  g_free (run->archive_root);
  of_engine_outcome_free (run->early);
  g_free (run->engine);
  g_free (run->home);
  g_free (run->archive_dir);
  if (run->archive_fd >= 0)
    close (run->archive_fd);
  g_free (run->groups);
  g_clear_object (&run->process);
  g_clear_object (&run->out.stream);
  g_clear_object (&run->err.stream);
  g_clear_pointer (&run->out.tail, g_byte_array_unref);
  g_clear_pointer (&run->err.tail, g_byte_array_unref);
  g_clear_object (&run->io_cancellable);
  destroy_source (&run->cancel_source);
  destroy_source (&run->timeout_source);
  destroy_source (&run->grace_source);
  destroy_source (&run->drain_source);
  g_free (run);
}

static void
log_outcome (const OfShare         *share,
             const OfEngineOutcome *outcome)
{
  const char *result = of_share_result_to_string (outcome->result);

  g_log_structured (G_LOG_DOMAIN,
                    outcome->result == OF_SHARE_RESULT_FAILED ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE,
                    "OFFLINEFILES_SHARE", share->name,
                    "OFFLINEFILES_RESULT", result,
                    "MESSAGE", "Share %s: %s: %s", share->name, result, outcome->message);
}

/* Hands the outcome over; the run may be freed on return. */
static void
finish (EngineRun       *run,
        OfEngineOutcome *outcome)
{
  GTask *task = g_steal_pointer (&run->task);

  g_assert (!run->finished);
  run->finished = TRUE;
  destroy_source (&run->cancel_source);
  destroy_source (&run->timeout_source);
  destroy_source (&run->grace_source);
  destroy_source (&run->drain_source);
  log_outcome (run->share, outcome);
  g_task_return_pointer (task, outcome, (GDestroyNotify) of_engine_outcome_free);
  g_object_unref (task);
}

/* ---- preparation, in a worker: user database, stat() of possibly
 * hanging network mounts, archive directory ---- */

static gboolean
lookup_user (EngineRun *run,
             char     **error_message)
{
  struct passwd pwd, *found = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buffer = NULL;
  struct stat st;
  int err;

  if (size <= 0)
    size = 16384;
  for (;;)
    {
      buffer = g_realloc (buffer, (gsize) size);
      err = getpwnam_r (run->share->user, &pwd, buffer, (gsize) size, &found);
      if (err != ERANGE || size > 1024 * 1024)
        break;
      size *= 2;
    }
  if (found == NULL)
    {
      *error_message = err != 0
        ? g_strdup_printf ("cannot look up user %s: %s", run->share->user, g_strerror (err))
        : g_strdup_printf ("user %s does not exist", run->share->user);
      return FALSE;
    }
  run->uid = pwd.pw_uid;
  run->gid = pwd.pw_gid;
  /* A system user's home often does not exist; unison then needs some HOME. */
  if (pwd.pw_dir != NULL && pwd.pw_dir[0] == '/' && stat (pwd.pw_dir, &st) == 0 && S_ISDIR (st.st_mode))
    run->home = g_strdup (pwd.pw_dir);

  /* initgroups() would change the daemon's own groups: compute the list
   * here, set it in the child. */
  run->n_groups = 32;
  for (;;)
    {
      int n = run->n_groups;

      run->groups = g_renew (gid_t, run->groups, (gsize) n);
      if (getgrouplist (run->share->user, run->gid, run->groups, &n) >= 0)
        {
          run->n_groups = n;
          break;
        }
      if (n <= run->n_groups || n > 65536)
        {
          /* The user's own group at least. */
          run->groups[0] = run->gid;
          run->n_groups = 1;
          break;
        }
      run->n_groups = n;
    }
  return TRUE;
}

static gboolean
check_directory (const char *what,
                 const char *path,
                 const char *missing_verb,
                 char      **error_message)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("%s %s %s: %s", what, path, missing_verb, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      *error_message = g_strdup_printf ("%s %s is not a directory", what, path);
      return FALSE;
    }
  return TRUE;
}

/* unison's lock files are "lk" + 32 hex digits, while being taken with
 * the taker's pid appended. */
static gboolean
is_unison_lock_name (const char *name)
{
  gsize i;

  if (!g_str_has_prefix (name, "lk"))
    return FALSE;
  for (i = 2; i < 34; i++)
    if (!g_ascii_isxdigit (name[i]))
      return FALSE;
  for (; name[i]; i++)
    if (!g_ascii_isdigit (name[i]))
      return FALSE;
  return TRUE;
}

static void
remove_stale_locks (int         dir_fd,
                    const char *dir_path)
{
  int fd = dup (dir_fd);
  DIR *dir;
  struct dirent *entry;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;

      if (!is_unison_lock_name (entry->d_name))
        continue;
      if (fstatat (dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR (st.st_mode))
        continue;
      /* unlinkat() never follows a symlink the user may have planted. */
      if (unlinkat (dir_fd, entry->d_name, 0) == 0)
        g_message ("Removed stale unison lock %s/%s left by an interrupted run", dir_path, entry->d_name);
      else
        g_debug ("Cannot remove %s/%s: %s", dir_path, entry->d_name, g_strerror (errno));
    }
  closedir (dir);
}

static gboolean
prepare_archive (EngineRun *run,
                 char     **error_message)
{
  struct stat st;
  int root_fd, fd;

  run->archive_dir = g_build_filename (run->archive_root, run->share->user, NULL);
  /* 0711: the user, once switched to, must traverse it to reach its own
   * directory, but has no business listing the others'. */
  if (g_mkdir_with_parents (run->archive_root, 0711) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot create %s: %s", run->archive_root, g_strerror (saved));
      return FALSE;
    }
  root_fd = open (run->archive_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot open %s: %s", run->archive_root, g_strerror (saved));
      return FALSE;
    }
  if (mkdirat (root_fd, run->share->user, 0700) < 0 && errno != EEXIST)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot create %s: %s", run->archive_dir, g_strerror (saved));
      close (root_fd);
      return FALSE;
    }
  /* O_NOFOLLOW: the entry is ours, never a link elsewhere. */
  fd = openat (root_fd, run->share->user, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close (root_fd);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot open %s: %s", run->archive_dir, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  if ((st.st_uid != run->uid || st.st_gid != run->gid) && fchown (fd, run->uid, run->gid) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot give %s to %s: %s", run->archive_dir,
                                        run->share->user, g_strerror (saved));
      close (fd);
      return FALSE;
    }
  if ((st.st_mode & 07777) != 0700 && fchmod (fd, 0700) < 0)
    g_debug ("Cannot chmod %s: %s", run->archive_dir, g_strerror (errno));

  /* Every run of ours holds a shared flock on the archive directory while
   * it runs; whoever gets it exclusively knows that no engine of ours is
   * using the directory, so any lock file in it is a leftover of a killed
   * run.  (unison itself uses the lk* files, not flock.) */
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    {
      remove_stale_locks (fd, run->archive_dir);
      flock (fd, LOCK_SH);
    }
  else
    {
      g_debug ("%s is in use by another run: leaving its locks alone", run->archive_dir);
      /* Blocks only while another run cleans up; this is a worker thread. */
      flock (fd, LOCK_SH);
    }
  run->archive_fd = fd;
  return TRUE;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EngineRun *run = task_data;
  g_autofree char *why = NULL;

  (void) source_object;
  (void) cancellable;

  if (g_path_is_absolute (run->engine_path))
    run->engine = g_strdup (run->engine_path);
  else if ((run->engine = g_find_program_in_path (run->engine_path)) == NULL)
    {
      run->early = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "engine %s not found on PATH",
                                        run->engine_path);
      goto out;
    }

  if (!lookup_user (run, &why))
    goto failed;
  /* unison would create a missing root (and with it sync "everything
   * deleted" back): an unmounted or missing remote must stop us here. */
  if (!check_directory ("remote", run->share->remote_path, "is not reachable", &why) ||
      !check_directory ("local folder", run->share->local_path, "is not available", &why))
    goto failed;
  if (!prepare_archive (run, &why))
    goto failed;
  if (run->home == NULL)
    run->home = g_strdup (run->archive_dir);
  goto out;

failed:
  run->early = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "%s", why);
out:
  g_task_return_boolean (task, TRUE);
}

/* ---- the child ---- */

static void
child_fail (const char *what)
{
  /* Async-signal-safe only: write(2) and _exit(2). */
  static const char prefix[] = "offlinefiles: cannot switch to the share's user: ";
  ssize_t ignored;

  ignored = write (STDERR_FILENO, prefix, sizeof prefix - 1);
  ignored = write (STDERR_FILENO, what, strlen (what));
  ignored = write (STDERR_FILENO, "\n", 1);
  (void) ignored;
  _exit (126);
}

/* Runs between fork and exec: async-signal-safe calls only, no malloc,
 * no GLib. */
static void
child_setup (gpointer data)
{
  EngineRun *run = data;
  sigset_t all;

  /* Its own process group, so a kill reaches everything it started. */
  if (setpgid (0, 0) < 0)
    child_fail ("setpgid");
  if (setgroups ((size_t) run->n_groups, run->groups) < 0)
    child_fail ("setgroups");
  if (setresgid (run->gid, run->gid, run->gid) < 0)
    child_fail ("setresgid");
  if (setresuid (run->uid, run->uid, run->uid) < 0)
    child_fail ("setresuid");
  /* After the uid change, which would clear it: if the daemon dies, the
   * engine must not run on unsupervised. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* Nothing the daemon blocked or ignored may leak into the engine. */
  signal (SIGPIPE, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
}

/* ---- supervision, in the caller's main context ---- */

static void
kill_group (EngineRun *run,
            int        signal_number)
{
  if (run->pgid <= 0)
    return;
  if (kill (-run->pgid, signal_number) < 0 && errno != ESRCH)
    g_warning ("Cannot send signal %d to the engine of share %s (process group %d): %s",
               signal_number, run->share->name, (int) run->pgid, g_strerror (errno));
}

static gboolean
on_grace_expired (gpointer user_data)
{
  EngineRun *run = user_data;

  g_debug ("Engine of share %s still running after SIGTERM: SIGKILL", run->share->name);
  g_clear_pointer (&run->grace_source, g_source_unref);
  kill_group (run, SIGKILL);
  return G_SOURCE_REMOVE;
}

static void
begin_kill (EngineRun  *run,
            KillReason  reason)
{
  if (run->kill_reason != KILL_NONE || run->exited)
    return;
  run->kill_reason = reason;
  g_debug ("Stopping the engine of share %s: %s", run->share->name,
           reason == KILL_TIMEOUT ? "timeout" : "cancelled");
  kill_group (run, SIGTERM);
  run->grace_source = g_timeout_source_new ((guint) MAX (run->kill_grace_usec / 1000, 0));
  g_source_set_callback (run->grace_source, on_grace_expired, run, NULL);
  g_source_attach (run->grace_source, g_task_get_context (run->task));
}

static char *
capture_take (Capture *capture)
{
  GByteArray *tail = capture->tail;
  gsize start = 0;

  /* A cut tail starts mid-line: that fragment would only mislead. */
  if (capture->total > tail->len)
    {
      guint8 *newline = memchr (tail->data, '\n', tail->len);
      start = newline ? (gsize) (newline - tail->data) + 1 : tail->len;
    }
  for (gsize i = start; i < tail->len; i++)
    if (tail->data[i] == '\0')
      tail->data[i] = '?';
  return g_strndup ((const char *) tail->data + start, tail->len - start);
}

static void
complete (EngineRun *run)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  OfEngineOutcome *outcome;
  int status = -1;
  int term_signal = 0;

  if (!run->exited || !run->out.done || !run->err.done || run->finished)
    return;

  out = capture_take (&run->out);
  err = capture_take (&run->err);
  if (g_subprocess_get_if_exited (run->process))
    status = g_subprocess_get_exit_status (run->process);
  else if (g_subprocess_get_if_signaled (run->process))
    term_signal = g_subprocess_get_term_sig (run->process);

  if (run->kill_reason == KILL_CANCEL)
    outcome = of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled");
  else if (run->kill_reason == KILL_TIMEOUT)
    {
      g_autofree char *duration = of_share_format_duration (run->share->timeout_usec);
      outcome = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "timed out after %s", duration);
    }
  else if (term_signal != 0)
    outcome = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "engine crashed (signal %d)", term_signal);
  else
    outcome = of_engine_parse_output (status, out, err);

  outcome->exit_status = status;
  outcome->term_signal = term_signal;
  outcome->stdout_tail = g_steal_pointer (&out);
  outcome->stderr_tail = g_steal_pointer (&err);
  outcome->stdout_bytes = run->out.total;
  outcome->stderr_bytes = run->err.total;
  g_debug ("Engine of share %s ended: status %d, signal %d, %" G_GUINT64_FORMAT
           " + %" G_GUINT64_FORMAT " bytes of output",
           run->share->name, status, term_signal, run->out.total, run->err.total);
  finish (run, outcome);
}

static void read_more (Capture *capture);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Capture *capture = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    {
      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Reading the engine's output: %s", error->message);
      capture->done = TRUE;
      complete (capture->run);
      return;
    }

  capture->total += (guint64) n;
  /* Keep only the tail, where unison's summary is. */
  if ((gsize) n >= OF_ENGINE_OUTPUT_TAIL_MAX)
    {
      g_byte_array_set_size (capture->tail, 0);
      g_byte_array_append (capture->tail, capture->buffer + n - OF_ENGINE_OUTPUT_TAIL_MAX,
                           OF_ENGINE_OUTPUT_TAIL_MAX);
    }
  else
    {
      if (capture->tail->len + (gsize) n > OF_ENGINE_OUTPUT_TAIL_MAX)
        g_byte_array_remove_range (capture->tail, 0,
                                   capture->tail->len + (guint) n - OF_ENGINE_OUTPUT_TAIL_MAX);
      g_byte_array_append (capture->tail, capture->buffer, (guint) n);
    }
  read_more (capture);
}

static void
read_more (Capture *capture)
{
  g_input_stream_read_async (capture->stream, capture->buffer, sizeof capture->buffer,
                             G_PRIORITY_DEFAULT, capture->run->io_cancellable, on_read, capture);
}

static gboolean
on_drain_expired (gpointer user_data)
{
  EngineRun *run = user_data;

  g_debug ("Output of share %s's engine still open after it exited: not waiting any longer",
           run->share->name);
  g_clear_pointer (&run->drain_source, g_source_unref);
  g_cancellable_cancel (run->io_cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  EngineRun *run = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  /* Without a cancellable this only fails if waiting is impossible. */
  if (!g_subprocess_wait_finish (run->process, result, &error))
    g_warning ("Waiting for the engine of share %s: %s", run->share->name, error->message);

  run->exited = TRUE;
  destroy_source (&run->timeout_source);
  destroy_source (&run->grace_source);
  destroy_source (&run->cancel_source);
  /* Whatever it started and left behind in its group is an orphan now. */
  kill_group (run, SIGKILL);

  if (!run->out.done || !run->err.done)
    {
      run->drain_source = g_timeout_source_new (DRAIN_TIMEOUT_MS);
      g_source_set_callback (run->drain_source, on_drain_expired, run, NULL);
      g_source_attach (run->drain_source, g_task_get_context (run->task));
    }
  complete (run);
}

static gboolean
on_timeout (gpointer user_data)
{
  EngineRun *run = user_data;

  g_clear_pointer (&run->timeout_source, g_source_unref);
  if (run->process == NULL)
    {
      /* Still preparing: a stat() hanging on a dead network mount. */
      g_autofree char *duration = of_share_format_duration (run->share->timeout_usec);
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "timed out after %s", duration));
      return G_SOURCE_REMOVE;
    }
  begin_kill (run, KILL_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  EngineRun *run = user_data;

  (void) cancellable;
  g_clear_pointer (&run->cancel_source, g_source_unref);
  if (run->process == NULL)
    {
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled"));
      return G_SOURCE_REMOVE;
    }
  begin_kill (run, KILL_CANCEL);
  return G_SOURCE_REMOVE;
}

static char **
make_environment (EngineRun *run)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_autofree char *home = g_strconcat ("HOME=", run->home, NULL);
  g_autofree char *unison = g_strconcat ("UNISON=", run->archive_dir, NULL);
  char **envp;

  g_strv_builder_add (builder, "PATH=/usr/bin:/bin");
  g_strv_builder_add (builder, home);
  g_strv_builder_add (builder, unison);
  /* Archive names hash the host name: keep them across renames. */
  g_strv_builder_add (builder, "UNISONLOCALHOSTNAME=offlinefiles");
  g_strv_builder_add (builder, "LANG=C.UTF-8");
  envp = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return envp;
}

static void
spawn (EngineRun *run)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_auto(GStrv) envp = make_environment (run);
  g_autoptr(GError) error = NULL;
  /* -batch: never ask (stdin is /dev/null anyway); -terse: no progress
   * noise; -log=false: no ever-growing unison.log in the state directory
   * (the journal has our summary); -confirmbigdel: an emptied root (a
   * mount that went away) aborts instead of deleting the other side. */
  const char * const argv[] = {
    run->engine, "-batch", "-ui", "text", "-terse", "-dumbtty", "-color", "false",
    "-log=false", "-confirmbigdel=true",
    "-root", run->share->local_path, "-root", run->share->remote_path, NULL
  };
  GInputStream *stream;

  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_cwd (launcher, run->archive_dir);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, run, NULL);

  g_debug ("Running %s for share %s as %s (uid %u), archive %s", run->engine,
           run->share->name, run->share->user, (guint) run->uid, run->archive_dir);
  run->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (run->process == NULL)
    {
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "cannot start engine %s: %s",
                                        run->engine, error->message));
      return;
    }
  {
    /* NULL when the engine already exited and was reaped: then there is
     * no group left to signal (pgid stays 0 and kills are skipped). */
    const char *identifier = g_subprocess_get_identifier (run->process);

    run->pgid = identifier ? (pid_t) g_ascii_strtoll (identifier, NULL, 10) : 0;
  }
  run->io_cancellable = g_cancellable_new ();

  stream = g_subprocess_get_stdout_pipe (run->process);
  run->out.stream = g_object_ref (stream);
  stream = g_subprocess_get_stderr_pipe (run->process);
  run->err.stream = g_object_ref (stream);
  read_more (&run->out);
  read_more (&run->err);
  g_subprocess_wait_async (run->process, NULL, on_exited, run);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;  /* keeps the run alive until now */
  EngineRun *run = g_task_get_task_data (outer);

  (void) source;
  (void) result;
  if (run->finished)
    return;   /* timed out or cancelled while preparing */
  if (run->early != NULL)
    {
      finish (run, g_steal_pointer (&run->early));
      return;
    }
  spawn (run);
}

void
of_engine_run_async (const char         *engine_path,
                     const OfShare      *share,
                     const char         *archive_root,
                     gint64              kill_grace_usec,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  EngineRun *run;
  GTask *task;
  g_autoptr(GTask) prepare = NULL;

  g_return_if_fail (engine_path != NULL);
  g_return_if_fail (share != NULL);
  g_return_if_fail (archive_root != NULL && g_path_is_absolute (archive_root));

  task = g_task_new (NULL, cancellable, callback, user_data);
  /* Cancellation is an outcome (CANCELLED, after the engine is gone),
   * not an error GTask would return on its own. */
  g_task_set_check_cancellable (task, FALSE);

  run = g_new0 (EngineRun, 1);
  run->share = of_share_copy (share);
  run->engine_path = g_strdup (engine_path);
  run->archive_root = g_strdup (archive_root);
  run->kill_grace_usec = MAX (kill_grace_usec, 0);
  run->archive_fd = -1;
  run->out.run = run;
  run->out.tail = g_byte_array_sized_new (4096);
  run->err.run = run;
  run->err.tail = g_byte_array_sized_new (4096);
  run->task = task;
  g_task_set_task_data (task, run, (GDestroyNotify) engine_run_free);

  /* The whole run, preparation included, is bounded by the timeout. */
  run->timeout_source = g_timeout_source_new ((guint) MIN (share->timeout_usec / 1000, G_MAXUINT));
  g_source_set_callback (run->timeout_source, on_timeout, run, NULL);
  g_source_attach (run->timeout_source, g_task_get_context (task));
  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (on_cancelled), run, NULL);
      g_source_attach (run->cancel_source, g_task_get_context (task));
    }

  prepare = g_task_new (NULL, NULL, on_prepared, g_object_ref (task));
  g_task_set_task_data (prepare, run, NULL);
  g_task_run_in_thread (prepare, prepare_thread);
}

OfEngineOutcome *
of_engine_run_finish (GAsyncResult *result,
                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
