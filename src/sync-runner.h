/* sync-runner.h — one sync: every included share in turn, then a result.
 *
 * The runner knows nothing of schedules or the bus: it is handed the
 * shares of one sync, reports progress after each, honours cancellation
 * and sums the shares' results up into the sync's result and one human
 * line.  Until shares are configurable (shares.d), a sync has zero shares
 * and goes through this same path.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*OfSyncProgressFunc) (guint       shares_done,
                                    guint       shares_total,
                                    const char *share,
                                    gpointer    user_data);

/* @shares: names of the shares to sync, in order (may be empty). */
void     of_sync_run_async  (GStrv               shares,
                             GCancellable       *cancellable,
                             OfSyncProgressFunc  progress,
                             gpointer            progress_data,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
/* Always succeeds: failures of shares are results, not errors.
 * @result: "success", "partial", "failed" or "cancelled". */
void     of_sync_run_finish (GAsyncResult *result,
                             char        **sync_result,
                             char        **message);

G_END_DECLS
