/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync-runner.c — see sync-runner.h. */
#include "sync-runner.h"

struct _OfSyncRunControl {
  gint          ref_count;
  GHashTable   *withdrawn;     /* share names */
  char         *running;       /* the share whose engine runs now, or NULL */
  GCancellable *running_cancellable;
  GList        *waiters;       /* GTasks waiting for that engine to end */
};

OfSyncRunControl *
of_sync_run_control_new (void)
{
  OfSyncRunControl *control = g_new0 (OfSyncRunControl, 1);

  control->ref_count = 1;
  control->withdrawn = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return control;
}

OfSyncRunControl *
of_sync_run_control_ref (OfSyncRunControl *control)
{
  control->ref_count++;
  return control;
}

static void
release_waiters (OfSyncRunControl *control)
{
  GList *waiters = g_steal_pointer (&control->waiters);

  for (GList *l = waiters; l; l = l->next)
    g_task_return_boolean (l->data, TRUE);
  g_list_free_full (waiters, g_object_unref);
}

void
of_sync_run_control_unref (OfSyncRunControl *control)
{
  if (--control->ref_count > 0)
    return;
  release_waiters (control);
  g_hash_table_unref (control->withdrawn);
  g_free (control->running);
  g_clear_object (&control->running_cancellable);
  g_free (control);
}

void
of_sync_run_control_withdraw (OfSyncRunControl *control,
                              const char       *name,
                              GTask            *task)
{
  g_hash_table_add (control->withdrawn, g_strdup (name));
  if (control->running == NULL || !g_str_equal (control->running, name))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_debug ("Share %s withdrawn from the running sync: stopping its engine", name);
  control->waiters = g_list_append (control->waiters, task);
  g_cancellable_cancel (control->running_cancellable);
}

static gboolean
is_withdrawn (OfSyncRunControl *control,
              const char       *name)
{
  return control != NULL && g_hash_table_contains (control->withdrawn, name);
}

typedef struct {
  GPtrArray       *shares;     /* of OfShare */
  OfLauncher      *launcher;
  char            *engine_path;
  char            *archive_root;
  gint64           kill_grace_usec;
  guint64          sync_id;
  guint            next;
  GPtrArray       *names;      /* of the shares that ran */
  GPtrArray       *outcomes;   /* of OfEngineOutcome, in step with names */
  OfShareDoneFunc  share_done;
  gpointer         share_done_data;
  OfSyncRunControl *control;   /* may be NULL */
  GCancellable    *share_cancellable;  /* the running engine's; follows the sync's */
  gulong           share_cancel_handler;
  OfShareRegistry *registry;   /* probes each share first; may be NULL */
  struct _ProbeWait *probe;    /* the running share's probe, while we wait for it */
} SyncRun;

/* One probe waited for.  A cancelled sync or a withdrawn share does not
 * wait for its probe (a hung server keeps it up to its hard limit): the
 * wait is abandoned, and the probe's late answer only frees this. */
typedef struct _ProbeWait {
  GTask    *task;        /* the turn's: borrowed while waited for */
  gulong    cancel_handler;
  guint     abandon_idle;
  gboolean  abandoned;
} ProbeWait;

static void
sync_run_free (SyncRun *run)
{
  g_ptr_array_unref (run->shares);
  g_ptr_array_unref (run->names);
  g_ptr_array_unref (run->outcomes);
  g_clear_object (&run->launcher);
  g_clear_object (&run->registry);
  g_free (run->engine_path);
  g_free (run->archive_root);
  g_clear_pointer (&run->control, of_sync_run_control_unref);
  g_clear_object (&run->share_cancellable);
  g_free (run);
}

void
of_sync_summarize (GPtrArray  *names,
                   GPtrArray  *outcomes,
                   guint       total,
                   gboolean    cancelled,
                   char      **sync_result,
                   char      **message)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint succeeded = 0, failed = 0;

  for (guint i = 0; i < outcomes->len; i++)
    {
      const OfEngineOutcome *outcome = outcomes->pdata[i];
      if (outcome->result == OF_SHARE_RESULT_SUCCESS)
        succeeded++;
      else if (outcome->result == OF_SHARE_RESULT_FAILED)
        failed++;
    }

  if (cancelled)
    *sync_result = g_strdup ("cancelled");
  else if (succeeded == total)
    *sync_result = g_strdup ("success");
  else if (failed == total)
    *sync_result = g_strdup ("failed");
  else
    *sync_result = g_strdup ("partial");

  if (cancelled)
    g_string_append_printf (text, "cancelled after %u of %u shares", outcomes->len, total);
  else if (succeeded == total)
    g_string_append_printf (text, total == 1 ? "%u share synced" : "%u shares synced", total);
  else
    g_string_append_printf (text, "%u of %u shares synced", succeeded, total);

  for (guint i = 0; i < outcomes->len; i++)
    {
      const OfEngineOutcome *outcome = outcomes->pdata[i];
      const char *name = names->pdata[i];

      if (outcome->result == OF_SHARE_RESULT_PARTIAL && outcome->conflicts->len > 0)
        g_string_append_printf (text, ", %u conflict%s in share %s", outcome->conflicts->len,
                                outcome->conflicts->len == 1 ? "" : "s", name);
      else if (outcome->result == OF_SHARE_RESULT_PARTIAL)
        g_string_append_printf (text, ", share %s incomplete: %s", name, outcome->message);
      else if (outcome->result == OF_SHARE_RESULT_FAILED)
        g_string_append_printf (text, ", share %s failed: %s", name, outcome->message);
    }
  *message = g_string_free (g_steal_pointer (&text), FALSE);
}

static void run_next_share (GTask *task);
static void run_engine (GTask *task);
static void share_probed (GObject *source, GAsyncResult *result, gpointer user_data);
static void probe_interrupted (GCancellable *cancellable, gpointer user_data);
static void record_share (GTask *task, const OfShare *share, OfEngineOutcome *outcome, const GError *error);

/* What the task returns: the sync's result and its line, together. */
typedef struct {
  char *result;
  char *message;
} Summary;

static void
summary_free (Summary *summary)
{
  g_free (summary->result);
  g_free (summary->message);
  g_free (summary);
}

static void
finish (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Summary *summary = g_new0 (Summary, 1);

  of_sync_summarize (run->names, run->outcomes, run->shares->len,
                     g_cancellable_is_cancelled (cancellable), &summary->result, &summary->message);
  g_task_return_pointer (task, summary, (GDestroyNotify) summary_free);
}

static void
cancel_share (GCancellable *sync_cancellable,
              gpointer      user_data)
{
  (void) sync_cancellable;
  g_cancellable_cancel (user_data);
}

/* The running share's turn is over: its cancellable goes. */
static void
end_share_turn (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);

  g_cancellable_disconnect (g_task_get_cancellable (task), run->share_cancel_handler);
  run->share_cancel_handler = 0;
  g_clear_object (&run->share_cancellable);
  if (run->control != NULL)
    {
      g_clear_pointer (&run->control->running, g_free);
      g_clear_object (&run->control->running_cancellable);
    }
}

/* Removed while it was probed or ran (RemoveShare): it counts nowhere,
 * not even as cancelled.  Takes @task. */
static void
leave_sync (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  const OfShare *share = run->shares->pdata[run->next];

  g_debug ("Share %s left the sync", share->name);
  g_ptr_array_remove_index (run->shares, run->next);
  release_waiters (run->control);
  run_next_share (task);
}

static void
share_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  const OfShare *share = run->shares->pdata[run->next];
  g_autoptr(GError) error = NULL;
  OfEngineOutcome *outcome;

  (void) source;
  end_share_turn (task);
  if (is_withdrawn (run->control, share->name))
    {
      OfEngineOutcome *dropped = of_engine_run_finish (result, NULL);

      g_clear_pointer (&dropped, of_engine_outcome_free);
      leave_sync (g_steal_pointer (&task));
      return;
    }
  outcome = of_engine_run_finish (result, &error);
  record_share (g_steal_pointer (&task), share, outcome, error);
}

/* @outcome taken; NULL: @error says why the run could not even be set up. */
static void
record_share (GTask           *task,
              const OfShare   *share,
              OfEngineOutcome *outcome,
              const GError    *error)
{
  SyncRun *run = g_task_get_task_data (task);

  if (outcome == NULL)
    {
      /* Not the engine's doing (the run could not even be set up): still
       * a failed share, with the reason. */
      outcome = of_engine_outcome_new_message (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                                 ? OF_SHARE_RESULT_CANCELLED : OF_SHARE_RESULT_FAILED,
                                               "%s", error->message);
    }
  g_ptr_array_add (run->names, g_strdup (share->name));
  g_ptr_array_add (run->outcomes, outcome);
  run->next++;
  if (run->share_done)
    run->share_done (share, outcome, run->next, run->shares->len, run->share_done_data);
  run_next_share (task);
}

static void
run_next_share (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  const OfShare *share;

  /* Withdrawn before their turn: as if they had never been included. */
  while (run->next < run->shares->len &&
         is_withdrawn (run->control, ((const OfShare *) run->shares->pdata[run->next])->name))
    g_ptr_array_remove_index (run->shares, run->next);
  if (run->next >= run->shares->len || g_cancellable_is_cancelled (cancellable))
    {
      finish (task);
      g_object_unref (task);
      return;
    }
  share = run->shares->pdata[run->next];
  /* Its own cancellable, so that one share can be stopped alone (its
   * probe and its engine). */
  run->share_cancellable = g_cancellable_new ();
  run->share_cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_share),
                                                     run->share_cancellable, NULL);
  if (run->control != NULL)
    {
      run->control->running = g_strdup (share->name);
      run->control->running_cancellable = g_object_ref (run->share_cancellable);
    }
  if (run->registry != NULL)
    {
      /* docs/behaviour.md §14: each sync of a share establishes its
       * connection state; an offline share is skipped with its reason. */
      ProbeWait *wait = g_new0 (ProbeWait, 1);

      wait->task = task;
      run->probe = wait;
      wait->cancel_handler = g_cancellable_connect (run->share_cancellable, G_CALLBACK (probe_interrupted),
                                                    wait, NULL);
      of_share_registry_probe_async (run->registry, share->name, TRUE, share_probed, wait);
      return;
    }
  run_engine (task);
}

/* The turn ends now, without the probe's answer: cancelled, or the share
 * left the sync. */
static gboolean
abandon_probe (gpointer user_data)
{
  ProbeWait *wait = user_data;
  GTask *task = wait->task;
  SyncRun *run = g_task_get_task_data (task);
  const OfShare *share = run->shares->pdata[run->next];

  wait->abandon_idle = 0;
  wait->abandoned = TRUE;
  g_cancellable_disconnect (run->share_cancellable, wait->cancel_handler);
  run->probe = NULL;
  g_debug ("Share %s: not waiting for its probe", share->name);
  end_share_turn (task);
  if (is_withdrawn (run->control, share->name))
    leave_sync (task);
  else
    record_share (task, share, of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled"), NULL);
  return G_SOURCE_REMOVE;
}

/* From the cancellable's "cancelled": it cannot be disconnected from
 * here, so the rest waits for the main loop. */
static void
probe_interrupted (GCancellable *cancellable,
                   gpointer      user_data)
{
  ProbeWait *wait = user_data;

  (void) cancellable;
  if (wait->abandon_idle == 0)
    wait->abandon_idle = g_idle_add (abandon_probe, wait);
}

static void
run_engine (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  const OfShare *share = run->shares->pdata[run->next];
  g_autofree char *run_name = of_engine_run_name (share->name, run->sync_id);

  of_engine_run_async (run->launcher, run->engine_path, share, run->archive_root, run_name,
                       run->kill_grace_usec, run->share_cancellable, share_done, task);
}

static void
share_probed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ProbeWait *wait = user_data;
  GTask *task = wait->task;
  SyncRun *run;
  const OfShare *share;
  g_autoptr(GError) error = NULL;
  guint state = OF_CONNECT_UNKNOWN, reason = OF_OFFLINE_UNKNOWN;

  /* A share removed meanwhile: the engine's own checks decide. */
  of_share_registry_probe_finish (OF_SHARE_REGISTRY (source), result, &state, &reason, &error);
  if (wait->abandoned)
    {
      g_free (wait);
      return;
    }
  run = g_task_get_task_data (task);
  share = run->shares->pdata[run->next];
  g_cancellable_disconnect (run->share_cancellable, wait->cancel_handler);
  g_clear_handle_id (&wait->abandon_idle, g_source_remove);
  run->probe = NULL;
  g_free (wait);
  if (is_withdrawn (run->control, share->name))
    {
      end_share_turn (task);
      leave_sync (task);
      return;
    }
  if (g_cancellable_is_cancelled (run->share_cancellable))
    {
      end_share_turn (task);
      record_share (task, share, of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled"), NULL);
      return;
    }
  /* Work-offline mode is offline by choice: such a share is here only
   * because BackgroundSyncWorkOfflineSharesEnabled asked for it.  An
   * unknown state (the probe could not run) is left to the engine. */
  if (state == OF_CONNECT_OFFLINE && reason != OF_OFFLINE_WORKING_OFFLINE)
    {
      end_share_turn (task);
      record_share (task, share,
                    of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "offline: %s",
                                                   of_offline_reason_to_string (reason)),
                    NULL);
      return;
    }
  run_engine (task);
}

static gboolean
start_in_idle (gpointer user_data)
{
  run_next_share (user_data);
  return G_SOURCE_REMOVE;
}

void
of_sync_run_async (GPtrArray              *shares,
                   const OfSyncRunOptions *options,
                   GCancellable           *cancellable,
                   OfShareDoneFunc         share_done_func,
                   gpointer                share_done_data,
                   GAsyncReadyCallback     callback,
                   gpointer                user_data)
{
  g_autoptr(GCancellable) own = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  GTask *task = g_task_new (NULL, own, callback, user_data);
  SyncRun *run = g_new0 (SyncRun, 1);

  run->shares = shares;
  run->launcher = g_object_ref (options->launcher);
  run->sync_id = options->sync_id;
  run->engine_path = g_strdup (options->engine_path);
  run->archive_root = g_strdup (options->archive_root);
  run->kill_grace_usec = options->kill_grace_usec;
  run->registry = options->registry ? g_object_ref (options->registry) : NULL;
  run->names = g_ptr_array_new_with_free_func (g_free);
  run->outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify) of_engine_outcome_free);
  run->share_done = share_done_func;
  run->share_done_data = share_done_data;
  run->control = options->control ? of_sync_run_control_ref (options->control) : NULL;
  g_task_set_task_data (task, run, (GDestroyNotify) sync_run_free);
  /* A cancelled sync still has a result to report. */
  g_task_set_check_cancellable (task, FALSE);
  /* Never finish inside the caller: it may still be setting up. */
  g_idle_add (start_in_idle, task);
}

void
of_sync_run_finish (GAsyncResult *result,
                    char        **sync_result,
                    char        **message)
{
  Summary *summary = g_task_propagate_pointer (G_TASK (result), NULL);

  *sync_result = g_steal_pointer (&summary->result);
  *message = g_steal_pointer (&summary->message);
  summary_free (summary);
}
