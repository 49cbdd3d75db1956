/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe.c — see probe.h.
 *
 * Ownership: a probe (ProbeRun) is its GTask's data.  The lookup thread
 * and the launcher each hold a reference to the task until they answer,
 * whenever that is; the hard-limit timer holds none and is destroyed when
 * the answer is given.  The answer is given once (decided), by whichever
 * comes first.
 */
#include "probe.h"

#include <gio/gunixmounts.h>

#include "enums.h"
#include "user-run.h"

/* The remote is missing or not a folder the user may enter. */
#define PROBE_DISCONNECTED 11

/* A probe is one shell and one or two stat() calls. */
#define PROBE_TASKS_MAX 16
#define PROBE_MEMORY_MAX (64 * 1024 * 1024)
/* SIGTERM → SIGKILL for a probe that is being given up on. */
#define PROBE_KILL_GRACE_USEC G_USEC_PER_SEC
/* The launcher's own limit, a backstop behind the hard limit's timer. */
#define PROBE_BACKSTOP_USEC (5 * G_USEC_PER_SEC)

/* $1 the server copy.  stat() and access() of it: what a sync does first. */
static const char script[] = "test -d \"$1\" && test -x \"$1\" || exit 11\n";

typedef struct {
  OfLauncher   *launcher;
  OfShare      *share;
  gint64        slow_usec;
  gint64        limit_usec;
  gint64        launched;      /* monotonic; 0 until the launch */
  GSource      *limit_source;
  GCancellable *launch_cancellable;
  OfUserInfo    user;
  gboolean      decided;
} ProbeRun;

typedef struct {
  guint state;
  guint reason;
} Answer;

static void
probe_run_free (ProbeRun *run)
{
  g_clear_object (&run->launcher);
  of_share_free (run->share);
  of_source_clear (&run->limit_source);
  g_clear_object (&run->launch_cancellable);
  of_user_info_clear (&run->user);
  g_free (run);
}

void
of_probe_classify (const OfLaunchResult *result,
                   gint64                elapsed_usec,
                   gint64                slow_usec,
                   guint                *connect_state,
                   guint                *offline_reason)
{
  *connect_state = OF_CONNECT_UNKNOWN;
  *offline_reason = OF_OFFLINE_UNKNOWN;
  switch (result->end)
    {
    case OF_LAUNCH_EXITED:
      if (result->exit_status == 0)
        {
          gboolean slow = elapsed_usec > slow_usec;

          *connect_state = slow ? OF_CONNECT_OFFLINE : OF_CONNECT_ONLINE;
          *offline_reason = slow ? OF_OFFLINE_SLOW : OF_OFFLINE_NOT_APPLICABLE;
        }
      else if (result->exit_status == PROBE_DISCONNECTED)
        {
          *connect_state = OF_CONNECT_OFFLINE;
          *offline_reason = OF_OFFLINE_DISCONNECTED;
        }
      return;
    case OF_LAUNCH_TIMED_OUT:
    case OF_LAUNCH_CANCELLED:
      *connect_state = OF_CONNECT_OFFLINE;
      *offline_reason = OF_OFFLINE_NOT_RESPONDING;
      return;
    case OF_LAUNCH_SIGNALED:
    case OF_LAUNCH_NOT_STARTED:
    default:
      return;
    }
}

char **
of_probe_argv (const char *remote_path)
{
  const char * const argv[] = { "/bin/sh", "-c", script, "sh", remote_path, NULL };

  return g_strdupv ((char **) argv);
}

gboolean
of_probe_is_mounted (const char *mount_point)
{
  g_autoptr(GUnixMountEntry) entry = g_unix_mount_at (mount_point, NULL);

  return entry != NULL;
}

static void
answer (GTask *task,
        guint  state,
        guint  reason)
{
  ProbeRun *run = g_task_get_task_data (task);
  Answer *found;

  if (run->decided)
    return;
  run->decided = TRUE;
  of_source_clear (&run->limit_source);
  found = g_new (Answer, 1);
  found->state = state;
  found->reason = reason;
  g_debug ("Probe of share %s: %s, %s", run->share->name, of_connect_state_to_string (state),
           of_offline_reason_to_string (reason));
  g_task_return_pointer (task, found, g_free);
}

static gboolean
on_limit (gpointer user_data)
{
  GTask *task = user_data;
  ProbeRun *run = g_task_get_task_data (task);

  g_clear_pointer (&run->limit_source, g_source_unref);
  g_message ("Probe of share %s gave no answer within its limit: not responding", run->share->name);
  /* The launcher stops it and reaps it whenever it ends; we do not wait. */
  if (run->launch_cancellable != NULL)
    g_cancellable_cancel (run->launch_cancellable);
  answer (task, OF_CONNECT_OFFLINE, OF_OFFLINE_NOT_RESPONDING);
  return G_SOURCE_REMOVE;
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeRun *run = g_task_get_task_data (task);
  g_autoptr(OfLaunchResult) launched = of_launcher_run_finish (OF_LAUNCHER (source), result, NULL);
  guint state, reason;

  if (run->decided)
    return;  /* given up at the limit; this is only the late reap */
  of_probe_classify (launched, g_get_monotonic_time () - run->launched, run->slow_usec, &state, &reason);
  if (state == OF_CONNECT_UNKNOWN)
    g_message ("Probe of share %s could not run: %s", run->share->name,
               launched->message ? launched->message : "the shell failed");
  answer (task, state, reason);
}

static void
on_user_found (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeRun *run = g_task_get_task_data (task);
  g_autofree char *why = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *unit_name = NULL;
  g_autofree char *remote = NULL;
  g_auto(GStrv) argv = NULL;
  const char * const envp[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL };

  (void) source;
  if (run->decided)
    return;
  if (why != NULL)
    {
      g_message ("Share %s cannot be probed: %s", run->share->name, why);
      answer (task, OF_CONNECT_UNKNOWN, OF_OFFLINE_UNKNOWN);
      return;
    }

  unit_name = g_strdup_printf ("offlinefiles-probe-%s-%" G_GINT64_FORMAT, run->share->name, g_get_monotonic_time ());
  /* "-": a missing folder must not stop a unit from starting; the probe
   * is there to say so. */
  remote = g_strconcat ("-", run->share->remote_path, NULL);
  argv = of_probe_argv (run->share->remote_path);
  {
    const char * const read_write_paths[] = { remote, NULL };
    OfLaunchSpec spec = {
      .unit_name = unit_name,
      .description = "offlinefiles probe of a share's server copy",
      .argv = (const char * const *) argv,
      .envp = envp,
      .working_directory = "/",
      .user_name = run->share->user,
      .uid = run->user.uid,
      .gid = run->user.gid,
      .groups = run->user.groups,
      .n_groups = run->user.n_groups,
      .read_write_paths = read_write_paths,
      /* A backstop only: the limit timer decides first. */
      .timeout_usec = run->limit_usec + PROBE_BACKSTOP_USEC,
      .kill_grace_usec = PROBE_KILL_GRACE_USEC,
      .tasks_max = PROBE_TASKS_MAX,
      .memory_max = PROBE_MEMORY_MAX,
    };

    run->launch_cancellable = g_cancellable_new ();
    run->launched = g_get_monotonic_time ();
    of_launcher_run_async (run->launcher, &spec, run->launch_cancellable, on_launched, g_object_ref (task));
  }
}

static gpointer
lookup_thread (gpointer data)
{
  GTask *lookup = data;
  /* Alive: the lookup's callback holds a reference to it. */
  ProbeRun *run = g_task_get_task_data (g_task_get_task_data (lookup));
  g_autoptr(GError) error = NULL;
  char *why = NULL;

  /* run->user is written by this thread alone until it returns. */
  if (!of_user_info_lookup (run->share->user, 0, &run->user, &error))
    why = g_strdup (error->message);
  g_task_return_pointer (lookup, why, g_free);
  g_object_unref (lookup);
  return NULL;
}

void
of_probe_run_async (OfLauncher          *launcher,
                    const OfShare       *share,
                    gint64               slow_usec,
                    gint64               limit_usec,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(GError) error = NULL;
  ProbeRun *run = g_new0 (ProbeRun, 1);
  GTask *lookup;
  GThread *thread;

  run->launcher = g_object_ref (launcher);
  run->share = of_share_copy (share);
  run->slow_usec = slow_usec;
  run->limit_usec = limit_usec;
  g_task_set_task_data (task, run, (GDestroyNotify) probe_run_free);

  run->limit_source = g_timeout_source_new ((guint) MIN (limit_usec / 1000, G_MAXUINT));
  g_source_set_callback (run->limit_source, on_limit, task, NULL);
  g_source_attach (run->limit_source, g_main_context_get_thread_default ());

  lookup = g_task_new (NULL, NULL, on_user_found, g_object_ref (task));
  g_task_set_task_data (lookup, task, NULL);
  thread = g_thread_try_new ("probe-user", lookup_thread, lookup, &error);
  if (thread == NULL)
    {
      g_task_return_pointer (lookup, g_strdup_printf ("cannot start a thread: %s", error->message), g_free);
      g_object_unref (lookup);
      return;
    }
  g_thread_unref (thread);
}

void
of_probe_run_finish (GAsyncResult *result,
                     guint        *connect_state,
                     guint        *offline_reason)
{
  g_autofree Answer *found = g_task_propagate_pointer (G_TASK (result), NULL);

  *connect_state = found ? found->state : OF_CONNECT_UNKNOWN;
  *offline_reason = found ? found->reason : OF_OFFLINE_UNKNOWN;
}
