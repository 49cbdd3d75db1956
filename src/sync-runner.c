/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync-runner.c — see sync-runner.h. */
#include "sync-runner.h"

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
  OfShareRegistry *registry;   /* probes each share first; may be NULL */
} SyncRun;

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

  if (run->next >= run->shares->len || g_cancellable_is_cancelled (cancellable))
    {
      finish (task);
      g_object_unref (task);
      return;
    }
  share = run->shares->pdata[run->next];
  if (run->registry != NULL)
    {
      /* docs/behaviour.md §12: each sync of a share establishes its
       * connection state; an offline share is skipped with its reason. */
      of_share_registry_probe_async (run->registry, share->name, TRUE, share_probed, task);
      return;
    }
  run_engine (task);
}

static void
run_engine (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  const OfShare *share = run->shares->pdata[run->next];
  g_autofree char *run_name = of_engine_run_name (share->name, run->sync_id);

  of_engine_run_async (run->launcher, run->engine_path, share, run->archive_root, run_name,
                       run->kill_grace_usec, g_task_get_cancellable (task), share_done, task);
}

static void
share_probed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SyncRun *run = g_task_get_task_data (task);
  const OfShare *share = run->shares->pdata[run->next];
  g_autoptr(GError) error = NULL;
  guint state = OF_CONNECT_UNKNOWN, reason = OF_OFFLINE_UNKNOWN;

  /* A share removed meanwhile: the engine's own checks decide. */
  of_share_registry_probe_finish (OF_SHARE_REGISTRY (source), result, &state, &reason, &error);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      record_share (task, share, of_engine_outcome_new_message (OF_SHARE_RESULT_CANCELLED, "cancelled"), NULL);
      return;
    }
  /* Work-offline mode is offline by choice: such a share is here only
   * because BackgroundSyncWorkOfflineSharesEnabled asked for it.  An
   * unknown state (the probe could not run) is left to the engine. */
  if (state == OF_CONNECT_OFFLINE && reason != OF_OFFLINE_WORKING_OFFLINE)
    {
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
