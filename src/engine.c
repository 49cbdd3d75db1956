/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine.c — see engine.h.
 *
 * A run goes: a thread of its own finds the engine and the user; the
 * share's folders are checked as that user through the launcher
 * (folder-check.h); a second thread opens and locks the archive
 * (archive.h); then the launcher runs unison.  Nothing is created for a
 * share whose folders are not there.
 *
 * Ownership: a run (EngineRun) belongs to its GTask.  Its preparation
 * (Prep) belongs to whichever thread works on it until that thread
 * returns it; then to the run, which keeps it, and with it the shared
 * flock on the archive directory, until the run is freed.  A run that
 * timed out or was cancelled while a thread still works just drops the
 * thread's result whenever it comes.
 */
#include "engine.h"

#include "archive.h"
#include "conflict-stat.h"
#include "folder-check.h"
#include "user-run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* What the preparation thread finds out; written by it alone until it
 * returns, read-only afterwards. */
typedef struct {
  /* Inputs (copied). */
  char  *user;
  char  *local_path;
  char  *remote_path;
  char  *engine_path;
  char  *archive_root;

  char  *why;            /* set: the run fails with this message */
  char  *engine;         /* resolved */
  char  *home;
  char  *archive_dir;
  int    archive_fd;     /* holds our flock on the archive dir */
  uid_t  uid;
  gid_t  gid;
  gid_t *groups;
  int    n_groups;
} Prep;

typedef struct {
  OfLauncher *launcher;
  OfShare    *share;
  char       *run_name;
  gint64      kill_grace_usec;
  gint64      started;         /* monotonic */
  GTask      *task;            /* our own reference until finish() */
  gboolean    finished;
  Prep       *prep;            /* once prepared */
  /* A resolution: its extra arguments (-path, -preferpartial…); NULL
   * for a sync. */
  GPtrArray  *resolve_args;
  gboolean    nonempty_remote;   /* a deletion may win: check the remote harder */
  OfEngineOutcome *outcome;      /* a sync's, while its conflicts are looked at */
  /* While preparing only; afterwards the launcher bounds the run. */
  GSource    *timeout_source;
  GSource    *cancel_source;
} EngineRun;

static void
prep_free (Prep *prep)
{
  g_free (prep->user);
  g_free (prep->local_path);
  g_free (prep->remote_path);
  g_free (prep->engine_path);
  g_free (prep->archive_root);
  g_free (prep->why);
  g_free (prep->engine);
  g_free (prep->home);
  g_free (prep->archive_dir);
  if (prep->archive_fd >= 0)
    close (prep->archive_fd);
  g_free (prep->groups);
  g_free (prep);
}

static void
engine_run_free (EngineRun *run)
{
  g_clear_object (&run->launcher);
  of_share_free (run->share);
  g_free (run->run_name);
  g_clear_pointer (&run->prep, prep_free);
  g_clear_pointer (&run->resolve_args, g_ptr_array_unref);
  g_clear_pointer (&run->outcome, of_engine_outcome_free);
  of_source_clear (&run->timeout_source);
  of_source_clear (&run->cancel_source);
  g_free (run);
}

char *
of_engine_run_name (const char *share_name,
                    guint64     sync_id)
{
  g_autofree char *safe = g_strdup (share_name);

  for (char *p = safe; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      *p = '_';
  return g_strdup_printf ("offlinefiles-engine-%s-%" G_GUINT64_FORMAT, safe, sync_id);
}

guint64
of_engine_memory_max (void)
{
  const guint64 cap = G_GUINT64_CONSTANT (2) << 30;
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  if (pages <= 0 || page_size <= 0)
    return cap;
  return MIN (cap, (guint64) pages * (guint64) page_size / 2);
}

/* Tracing only: the sync manager logs the share's result once, as an
 * event with the sync's id (journal-events.h). */
static void
log_outcome (const OfShare         *share,
             const OfEngineOutcome *outcome)
{
  const char *result = of_share_result_to_string (outcome->result);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG,
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
  of_source_clear (&run->cancel_source);
  of_source_clear (&run->timeout_source);
  log_outcome (run->share, outcome);
  g_task_return_pointer (task, outcome, (GDestroyNotify) of_engine_outcome_free);
  g_object_unref (task);
}

/* ---- preparation, in a thread of its own: user database, stat() of
 * possibly hanging network mounts, archive directory ---- */

static gboolean
lookup_user (Prep  *prep,
             char **error_message)
{
  g_auto(OfUserInfo) user = { 0 };
  g_autoptr(GError) error = NULL;
  struct stat st;

  if (!of_user_info_lookup (prep->user, 0, &user, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        *error_message = g_strdup_printf ("user %s does not exist", prep->user);
      else
        {
          /* "Cannot look up user …": one lower-case line, like the others. */
          error->message[0] = g_ascii_tolower (error->message[0]);
          *error_message = g_strdup (error->message);
        }
      return FALSE;
    }
  prep->uid = user.uid;
  prep->gid = user.gid;
  /* A system user's home often does not exist; unison then needs some HOME. */
  if (user.home != NULL && user.home[0] == '/' && stat (user.home, &st) == 0 && S_ISDIR (st.st_mode))
    prep->home = g_steal_pointer (&user.home);
  prep->groups = g_steal_pointer (&user.groups);
  prep->n_groups = user.n_groups;
  return TRUE;
}

static gboolean
prepare_archive (Prep  *prep,
                 char **error_message)
{
  prep->archive_fd = of_archive_open (prep->archive_root, prep->user, prep->uid, prep->gid,
                                      &prep->archive_dir, error_message);
  return prep->archive_fd >= 0;
}

static gboolean
resolve_engine (Prep  *prep,
                char **error_message)
{
  if (!g_path_is_absolute (prep->engine_path))
    {
      prep->engine = g_find_program_in_path (prep->engine_path);
      if (prep->engine == NULL)
        {
          *error_message = g_strdup_printf ("engine %s not found on PATH", prep->engine_path);
          return FALSE;
        }
      return TRUE;
    }
  /* Checked here so that both launchers say the same. */
  if (access (prep->engine_path, X_OK) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot start engine %s: %s", prep->engine_path, g_strerror (saved));
      return FALSE;
    }
  prep->engine = g_strdup (prep->engine_path);
  return TRUE;
}

static gpointer
prepare_thread (gpointer data)
{
  GTask *task = data;
  Prep *prep = g_task_get_task_data (task);
  char *why = NULL;

  /* The share's folders are not looked at here, as root: the check runs
   * as the share's user, through the launcher (check_folders()), between
   * this thread and the archive's. */
  if (!resolve_engine (prep, &why) || !lookup_user (prep, &why))
    prep->why = why;
  /* From here the run owns it (or drops it, if it gave up waiting). */
  g_task_return_pointer (task, prep, (GDestroyNotify) prep_free);
  g_object_unref (task);
  return NULL;
}

/* The second thread of a run: the archive directory, once the folders
 * passed their check (a busy archive may take seconds to lock). */
static gpointer
archive_thread (gpointer data)
{
  GTask *task = data;
  Prep *prep = g_task_get_task_data (task);
  char *why = NULL;

  if (!prepare_archive (prep, &why))
    prep->why = why;
  else if (prep->home == NULL)
    prep->home = g_strdup (prep->archive_dir);
  g_task_return_pointer (task, prep, (GDestroyNotify) prep_free);
  g_object_unref (task);
  return NULL;
}

/* ---- the run, in the caller's main context ---- */

static char **
make_environment (const Prep *prep)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_autofree char *home = g_strconcat ("HOME=", prep->home, NULL);
  g_autofree char *unison = g_strconcat ("UNISON=", prep->archive_dir, NULL);
  char **envp;

  g_strv_builder_add (builder, "PATH=/usr/bin:/bin");
  g_strv_builder_add (builder, home);
  g_strv_builder_add (builder, unison);
  /* Archive names hash the host name: keep them across renames. */
  g_strv_builder_add (builder, "UNISONLOCALHOSTNAME=" OF_ENGINE_HOST_NAME);
  g_strv_builder_add (builder, "LANG=C.UTF-8");
  envp = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return envp;
}

/* The one way a run past the share's Timeout ends, whichever step it was
 * in. */
static OfEngineOutcome *
timed_out (const EngineRun *run)
{
  g_autofree char *duration = of_share_format_duration (run->share->timeout_usec);

  return of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "timed out after %s", duration);
}

static OfEngineOutcome *
outcome_from_launch (EngineRun      *run,
                     OfLaunchResult *launched)
{
  OfEngineOutcome *outcome;

  switch (launched->end)
    {
    case OF_LAUNCH_NOT_STARTED:
      outcome = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "cannot start engine %s: %s",
                                               run->prep->engine, launched->message);
      break;
    case OF_LAUNCH_CANCELLED:
      outcome = of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled");
      break;
    case OF_LAUNCH_TIMED_OUT:
      outcome = timed_out (run);
      break;
    case OF_LAUNCH_SIGNALED:
      outcome = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "engine crashed (signal %d)",
                                               launched->term_signal);
      break;
    case OF_LAUNCH_EXITED:
    default:
      outcome = of_engine_parse_output (launched->exit_status, launched->stdout_tail,
                                        launched->stderr_tail);
      break;
    }
  outcome->exit_status = launched->exit_status;
  outcome->term_signal = launched->term_signal;
  outcome->stdout_tail = g_steal_pointer (&launched->stdout_tail);
  outcome->stderr_tail = g_steal_pointer (&launched->stderr_tail);
  if (outcome->stdout_tail == NULL)
    outcome->stdout_tail = g_strdup ("");
  if (outcome->stderr_tail == NULL)
    outcome->stderr_tail = g_strdup ("");
  outcome->stdout_bytes = launched->stdout_bytes;
  outcome->stderr_bytes = launched->stderr_bytes;
  return outcome;
}

/* Enough for the kept tail of the helper's output (two lines of at most
 * some 40 bytes per path); the rest of a huge list stays without sizes. */
#define STAT_MAX 500

/* The conflicts whose sizes and times are asked for: the first
 * STAT_MAX; the helper's run and the reading of its answer must agree. */
static GPtrArray *
conflicts_to_stat (EngineRun *run)
{
  GPtrArray *all = run->outcome->conflict_details;
  GPtrArray *some = g_ptr_array_sized_new (MIN (all->len, STAT_MAX));

  for (guint i = 0; i < MIN (all->len, STAT_MAX); i++)
    g_ptr_array_add (some, all->pdata[i]);
  return some;
}

static OfLaunchSpec make_spec (EngineRun *run, const char *unit_name, const char *description,
                               const char * const *argv, const char * const *envp,
                               const char * const *read_write_paths);

static void
on_stated (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EngineRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OfLaunchResult) stated = of_launcher_run_finish (OF_LAUNCHER (source), result, &error);
  g_autoptr(GPtrArray) some = conflicts_to_stat (run);

  /* Without sizes the conflicts are still worth reporting. */
  if (stated == NULL || !of_conflict_stat_apply (stated, some))
    g_debug ("Share %s: the sizes of its conflicts are not known", run->share->name);
  finish (run, g_steal_pointer (&run->outcome));
}

/* As the share's user, through the launcher, like the folder check. */
static void
stat_conflicts (EngineRun *run)
{
  g_autofree char *unit_name = g_strconcat (run->run_name, "-stat", NULL);
  g_autofree char *description = g_strdup_printf ("offlinefiles look at the conflicts of share %s",
                                                  run->share->name);
  g_autoptr(GPtrArray) some = conflicts_to_stat (run);
  g_auto(GStrv) argv = NULL;
  const char * const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
  /* As the folder check's sandbox: the share's folders visible as the
   * engine sees them ("-": one that went away does not stop the unit). */
  g_autofree char *local = g_strconcat ("-", run->share->local_path, NULL);
  g_autofree char *remote = g_strconcat ("-", run->share->remote_path, NULL);
  const char * const read_write_paths[] = { local, remote, NULL };
  OfLaunchSpec spec;

  argv = of_conflict_stat_argv (run->share->local_path, run->share->remote_path, some);
  spec = make_spec (run, unit_name, description, (const char * const *) argv, envp, read_write_paths);
  spec.working_directory = "/";
  of_launcher_run_async (run->launcher, &spec, g_task_get_cancellable (run->task), on_stated,
                         g_object_ref (run->task));
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EngineRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OfLaunchResult) launched = of_launcher_run_finish (OF_LAUNCHER (source), result, &error);

  OfEngineOutcome *outcome;

  if (launched == NULL)
    launched = of_launch_result_new_not_started ("%s", error->message);
  outcome = outcome_from_launch (run, launched);
  if (run->resolve_args == NULL && outcome->conflicts_known && outcome->conflict_details->len > 0)
    {
      run->outcome = outcome;
      stat_conflicts (run);
      return;
    }
  finish (run, outcome);
}

static void launch (EngineRun *run);

static void start_archive (EngineRun *run);

static void
on_folders_checked (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EngineRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OfLaunchResult) checked = of_launcher_run_finish (OF_LAUNCHER (source), result, &error);

  if (checked == NULL)
    checked = of_launch_result_new_not_started ("%s", error->message);
  switch (of_folder_check_result (checked))
    {
    case OF_FOLDERS_OK:
      start_archive (run);
      return;
    case OF_FOLDERS_REMOTE_UNREACHABLE:
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "remote folder is not reachable"));
      return;
    case OF_FOLDERS_LOCAL_UNAVAILABLE:
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "local folder is not available"));
      return;
    case OF_FOLDERS_CANCELLED:
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled"));
      return;
    case OF_FOLDERS_TIMED_OUT:
      finish (run, timed_out (run));
      return;
    case OF_FOLDERS_FAILED:
    default:
      g_warning ("Cannot check the folders of share %s: %s", run->share->name,
                 checked->message ? checked->message : checked->stderr_tail ? checked->stderr_tail : "");
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "cannot check the share's folders"));
      return;
    }
}

/* The launch spec shared by the check and the engine itself. */
static OfLaunchSpec
make_spec (EngineRun          *run,
           const char         *unit_name,
           const char         *description,
           const char * const *argv,
           const char * const *envp,
           const char * const *read_write_paths)
{
  const Prep *prep = run->prep;
  /* The whole run, preparation included, is bounded by the timeout. */
  gint64 left = run->share->timeout_usec - (g_get_monotonic_time () - run->started);
  OfLaunchSpec spec = {
    .unit_name = unit_name,
    .description = description,
    .argv = argv,
    .envp = envp,
    .working_directory = prep->archive_dir,
    .user_name = run->share->user,
    .uid = prep->uid,
    .gid = prep->gid,
    .groups = prep->groups,
    .n_groups = prep->n_groups,
    .read_write_paths = read_write_paths,
    .timeout_usec = MAX (left, 1000),
    .kill_grace_usec = run->kill_grace_usec,
    .tasks_max = OF_ENGINE_TASKS_MAX,
    .memory_max = of_engine_memory_max (),
  };

  return spec;
}

static gboolean on_timeout (gpointer user_data);
static gboolean on_cancelled (GCancellable *cancellable, gpointer user_data);

/* While a thread of ours works, the run's own timer and the cancellable
 * bound it; while the launcher runs something, the launcher does. */
static void
guard_run (EngineRun *run)
{
  GCancellable *cancellable = g_task_get_cancellable (run->task);
  gint64 left = run->share->timeout_usec - (g_get_monotonic_time () - run->started);

  run->timeout_source = g_timeout_source_new ((guint) CLAMP (left / 1000, 1, G_MAXUINT));
  g_source_set_callback (run->timeout_source, on_timeout, run, NULL);
  g_source_attach (run->timeout_source, g_task_get_context (run->task));
  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (on_cancelled), run, NULL);
      g_source_attach (run->cancel_source, g_task_get_context (run->task));
    }
}

static void
on_archived (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;  /* keeps the run alive until now */
  EngineRun *run = g_task_get_task_data (outer);
  Prep *prep = g_task_propagate_pointer (G_TASK (result), NULL);

  (void) source;
  if (run->finished)
    {
      prep_free (prep);
      return;
    }
  run->prep = prep;
  if (prep->why != NULL)
    {
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "%s", prep->why));
      return;
    }
  launch (run);
}

static void
start_archive (EngineRun *run)
{
  g_autoptr(GError) error = NULL;
  /* The thread owns the preparation until it returns it. */
  Prep *prep = g_steal_pointer (&run->prep);
  GTask *archive = g_task_new (NULL, NULL, on_archived, g_object_ref (run->task));
  GThread *thread;

  g_task_set_task_data (archive, prep, NULL);
  guard_run (run);
  thread = g_thread_try_new ("engine-archive", archive_thread, archive, &error);
  if (thread == NULL)
    {
      prep->why = g_strdup_printf ("cannot start a thread: %s", error->message);
      g_task_return_pointer (archive, prep, (GDestroyNotify) prep_free);
      g_object_unref (archive);
      return;
    }
  g_thread_unref (thread);
}

static void
check_folders (EngineRun *run)
{
  g_autofree char *unit_name = g_strconcat (run->run_name, "-check", NULL);
  g_autofree char *description = g_strdup_printf ("offlinefiles check of share %s", run->share->name);
  /* "-": a missing folder must not stop the unit from starting; the check
   * is there to say so. */
  g_autofree char *local = g_strconcat ("-", run->share->local_path, NULL);
  g_autofree char *remote = g_strconcat ("-", run->share->remote_path, NULL);
  g_auto(GStrv) argv = run->nonempty_remote
    ? of_folder_check_argv_nonempty (run->share->local_path, run->share->remote_path)
    : of_folder_check_argv (run->share->local_path, run->share->remote_path);
  const char * const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };
  const char * const read_write_paths[] = { local, remote, NULL };
  OfLaunchSpec spec = make_spec (run, unit_name, description, (const char * const *) argv, envp,
                                 read_write_paths);

  /* Before the archive exists: nothing is created for a share whose
   * folders are not there. */
  spec.working_directory = "/";
  /* From here the launcher bounds time and honours cancellation, until
   * the archive is prepared. */
  of_source_clear (&run->timeout_source);
  of_source_clear (&run->cancel_source);
  of_launcher_run_async (run->launcher, &spec, g_task_get_cancellable (run->task), on_folders_checked,
                         g_object_ref (run->task));
}

static void
launch (EngineRun *run)
{
  const Prep *prep = run->prep;
  g_auto(GStrv) envp = make_environment (prep);
  g_autofree char *description = g_strdup_printf (run->resolve_args ? "offlinefiles resolution in share %s"
                                                                    : "offlinefiles sync of share %s",
                                                  run->share->name);
  /* -batch: never ask (stdin is /dev/null anyway); -terse: no progress
   * noise; -log=false: no ever-growing unison.log in the state directory
   * (the journal has our summary); -confirmbigdel: an emptied root (a
   * mount that went away) aborts instead of deleting the other side. */
  const char * const base[] = {
    prep->engine, "-batch", "-ui", "text", "-terse", "-dumbtty", "-color", "false", "-log=false",
    /* Off only for a resolution where a deletion may win: it trips on any
     * deletion of a -path, and the remote passed a stricter check. */
    run->nonempty_remote ? "-confirmbigdel=false" : "-confirmbigdel=true",
    "-root", run->share->local_path, "-root", run->share->remote_path,
  };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char * const read_write_paths[] = {
    run->share->local_path, run->share->remote_path, prep->archive_dir, NULL
  };
  OfLaunchSpec spec;

  for (gsize i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (gpointer) base[i]);
  for (guint i = 0; run->resolve_args != NULL && i < run->resolve_args->len; i++)
    g_ptr_array_add (argv, run->resolve_args->pdata[i]);
  g_ptr_array_add (argv, NULL);
  spec = make_spec (run, run->run_name, description, (const char * const *) argv->pdata,
                    (const char * const *) envp, read_write_paths);

  /* From here the launcher bounds time and honours cancellation. */
  of_source_clear (&run->timeout_source);
  of_source_clear (&run->cancel_source);
  g_debug ("Running %s for share %s as %s (uid %u), archive %s, as %s", prep->engine,
           run->share->name, run->share->user, (guint) prep->uid, prep->archive_dir, run->run_name);
  of_launcher_run_async (run->launcher, &spec, g_task_get_cancellable (run->task), on_launched,
                         g_object_ref (run->task));
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;  /* keeps the run alive until now */
  EngineRun *run = g_task_get_task_data (outer);
  Prep *prep = g_task_propagate_pointer (G_TASK (result), NULL);

  (void) source;
  if (run->finished)
    {
      /* Timed out or cancelled while preparing. */
      prep_free (prep);
      return;
    }
  run->prep = prep;
  if (prep->why != NULL)
    {
      finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "%s", prep->why));
      return;
    }
  check_folders (run);
}

static gboolean
on_timeout (gpointer user_data)
{
  EngineRun *run = user_data;

  /* Still preparing: a lock the archive's owner holds, a slow disk. */
  g_clear_pointer (&run->timeout_source, g_source_unref);
  finish (run, timed_out (run));
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  EngineRun *run = user_data;

  (void) cancellable;
  g_clear_pointer (&run->cancel_source, g_source_unref);
  finish (run, of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled"));
  return G_SOURCE_REMOVE;
}

static void start_run (OfLauncher *launcher, const char *engine_path, const OfShare *share,
                       const char *archive_root, const char *run_name, gint64 kill_grace_usec,
                       GPtrArray *resolve_args, gboolean nonempty_remote, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data);

void
of_engine_run_async (OfLauncher         *launcher,
                     const char         *engine_path,
                     const OfShare      *share,
                     const char         *archive_root,
                     const char         *run_name,
                     gint64              kill_grace_usec,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  start_run (launcher, engine_path, share, archive_root, run_name, kill_grace_usec, NULL, FALSE,
             cancellable, callback, user_data);
}

void
of_engine_resolve_async (OfLauncher           *launcher,
                         const char           *engine_path,
                         const OfShare        *share,
                         const char           *archive_root,
                         const char           *run_name,
                         gint64                kill_grace_usec,
                         const OfEngineChoice *choices,
                         guint                 n_choices,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  gboolean nonempty_remote = FALSE;
  gboolean latest = FALSE;
  gboolean both = FALSE;

  g_return_if_fail (n_choices > 0);
  for (guint i = 0; i < n_choices; i++)
    {
      /* The roots spelt exactly as on the command line: unison refuses
       * any other spelling of them. */
      const char *winner = choices[i].keep == OF_ENGINE_KEEP_REMOTE ? share->remote_path
                         : choices[i].keep == OF_ENGINE_KEEP_LATEST ? "newer"
                         : share->local_path;

      g_ptr_array_add (args, g_strdup ("-path"));
      g_ptr_array_add (args, g_strdup (choices[i].path));
      g_ptr_array_add (args, g_strdup ("-preferpartial"));
      g_ptr_array_add (args, g_strdup_printf ("Path %s -> %s", choices[i].path, winner));
      nonempty_remote |= choices[i].deletion_may_win;
      latest |= choices[i].keep == OF_ENGINE_KEEP_LATEST;
      both |= choices[i].keep == OF_ENGINE_KEEP_BOTH;
    }
  /* "newer" means something only where times are compared; background
   * syncs do not compare them (docs/behaviour.md), so only this run does,
   * on these paths only. */
  if (latest)
    g_ptr_array_add (args, g_strdup ("-times"));
  if (both)
    g_ptr_array_add (args, g_strdup ("-copyonconflict"));
  start_run (launcher, engine_path, share, archive_root, run_name, kill_grace_usec, args, nonempty_remote,
             cancellable, callback, user_data);
}

static void
start_run (OfLauncher         *launcher,
           const char         *engine_path,
           const OfShare      *share,
           const char         *archive_root,
           const char         *run_name,
           gint64              kill_grace_usec,
           GPtrArray          *resolve_args,
           gboolean            nonempty_remote,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  EngineRun *run;
  GTask *task;
  GTask *prepare;
  Prep *prep;
  GThread *thread;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OF_IS_LAUNCHER (launcher));
  g_return_if_fail (engine_path != NULL);
  g_return_if_fail (share != NULL);
  g_return_if_fail (archive_root != NULL && g_path_is_absolute (archive_root));
  g_return_if_fail (run_name != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  /* Cancellation is an outcome (CANCELLED, after the engine is gone),
   * not an error GTask would return on its own. */
  g_task_set_check_cancellable (task, FALSE);

  run = g_new0 (EngineRun, 1);
  run->launcher = g_object_ref (launcher);
  run->share = of_share_copy (share);
  run->run_name = g_strdup (run_name);
  run->kill_grace_usec = MAX (kill_grace_usec, 0);
  run->started = g_get_monotonic_time ();
  run->resolve_args = resolve_args;
  run->nonempty_remote = nonempty_remote;
  run->task = task;
  g_task_set_task_data (task, run, (GDestroyNotify) engine_run_free);

  run->timeout_source = g_timeout_source_new ((guint) MIN (share->timeout_usec / 1000, G_MAXUINT));
  g_source_set_callback (run->timeout_source, on_timeout, run, NULL);
  g_source_attach (run->timeout_source, g_task_get_context (task));
  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (on_cancelled), run, NULL);
      g_source_attach (run->cancel_source, g_task_get_context (task));
    }

  prep = g_new0 (Prep, 1);
  prep->user = g_strdup (share->user);
  prep->local_path = g_strdup (share->local_path);
  prep->remote_path = g_strdup (share->remote_path);
  prep->engine_path = g_strdup (engine_path);
  prep->archive_root = g_strdup (archive_root);
  prep->archive_fd = -1;
  prepare = g_task_new (NULL, NULL, on_prepared, g_object_ref (task));
  g_task_set_task_data (prepare, prep, NULL);
  /* A thread of its own, not GLib's shared pool: it may hang for ever on
   * a dead mount or a lock, and must not take the pool's threads with it. */
  thread = g_thread_try_new ("engine-prepare", prepare_thread, prepare, &error);
  if (thread == NULL)
    {
      /* As if the thread had found the problem. */
      prep->why = g_strdup_printf ("cannot start a thread: %s", error->message);
      g_task_return_pointer (prepare, prep, (GDestroyNotify) prep_free);
      g_object_unref (prepare);
      return;
    }
  g_thread_unref (thread);
}

OfEngineOutcome *
of_engine_run_finish (GAsyncResult *result,
                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
