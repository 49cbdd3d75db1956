/* sync-runner.c — see sync-runner.h. */
#include "sync-runner.h"

typedef struct {
  GStrv               shares;
  guint               next;
  guint               succeeded;
  guint               failed;
  OfSyncProgressFunc  progress;
  gpointer            progress_data;
} SyncRun;

static void
sync_run_free (SyncRun *run)
{
  g_strfreev (run->shares);
  g_free (run);
}

static void run_next_share (GTask *task);

static void
finish (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  guint total = g_strv_length (run->shares);
  const char *result;
  char *message;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (run->failed == 0)
    result = "success";
  else if (run->succeeded == 0)
    result = "failed";
  else
    result = "partial";

  if (run->failed == 0)
    message = g_strdup_printf (g_dngettext (NULL, "%u share synced", "%u shares synced", total), total);
  else
    message = g_strdup_printf ("%u of %u shares synced, %u failed", run->succeeded, total, run->failed);

  g_object_set_data_full (G_OBJECT (task), "of-message", message, g_free);
  g_task_return_pointer (task, g_strdup (result), g_free);
}

static void
run_next_share (GTask *task)
{
  SyncRun *run = g_task_get_task_data (task);
  const char *share = run->shares[run->next];

  if (share == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      finish (task);
      return;
    }

  /* The engine arrives with shares.d (the next issue); until then no
   * share can be configured, and one that somehow is counts as failed
   * rather than as a pretended success. */
  g_warning ("Share %s not synced: the sync engine is not implemented yet", share);
  run->failed++;
  run->next++;
  if (run->progress)
    run->progress (run->next, g_strv_length (run->shares), share, run->progress_data);
  run_next_share (task);
}

static gboolean
start_in_idle (gpointer user_data)
{
  run_next_share (user_data);
  return G_SOURCE_REMOVE;
}

void
of_sync_run_async (GStrv               shares,
                   GCancellable       *cancellable,
                   OfSyncProgressFunc  progress,
                   gpointer            progress_data,
                   GAsyncReadyCallback callback,
                   gpointer            user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  SyncRun *run = g_new0 (SyncRun, 1);

  run->shares = g_strdupv (shares ? shares : (GStrv) (const char *[]) { NULL });
  run->progress = progress;
  run->progress_data = progress_data;
  g_task_set_task_data (task, run, (GDestroyNotify) sync_run_free);
  /* Never finish inside the caller: it may still be setting up. */
  g_idle_add_full (G_PRIORITY_DEFAULT, start_in_idle, task, g_object_unref);
}

void
of_sync_run_finish (GAsyncResult *result,
                    char        **sync_result,
                    char        **message)
{
  g_autoptr(GError) error = NULL;
  char *value = g_task_propagate_pointer (G_TASK (result), &error);

  if (value == NULL)
    {
      *sync_result = g_strdup ("cancelled");
      *message = g_strdup ("cancelled");
      return;
    }
  *sync_result = value;
  *message = g_strdup (g_object_get_data (G_OBJECT (result), "of-message"));
}
