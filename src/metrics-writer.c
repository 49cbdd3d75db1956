/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics-writer.c — see metrics-writer.h. */
#include "metrics-writer.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "enums.h"
#include "file-util.h"
#include "metrics.h"

struct _OfMetricsWriter {
  GObject          parent_instance;

  OfConfigStore   *store;        /* borrowed, like the three below */
  OfStateStore    *state_store;
  OfShareRegistry *shares;
  OfSyncManager   *manager;
  char            *version;
  gboolean         started;      /* update() ran: events may write */
  guint64          syncs[OF_METRICS_N_RESULTS];
  char            *path;         /* the file written now; NULL = off */
  OfDurableWriter *file;
  char            *text;         /* what the file holds, or is about to */
  gboolean         retry;        /* the last write failed: write even if unchanged */
  guint            in_flight;    /* writes not answered yet */
  guint            shares_idle;  /* a share object changed: update once its change is done */
};

G_DEFINE_TYPE (OfMetricsWriter, of_metrics_writer, G_TYPE_OBJECT)

/* A file no longer configured: removed once its last write has ended. */
typedef struct {
  OfMetricsWriter *writer;
  OfDurableWriter *file;
  char            *path;
} Retired;

static GBytes *
snapshot_text (gpointer user_data)
{
  OfMetricsWriter *self = user_data;

  return g_bytes_new (self->text ? self->text : "", self->text ? strlen (self->text) : 0);
}

static void
remove_file (const char *path)
{
  if (g_unlink (path) == 0)
    g_info ("Removed the metrics file %s: MetricsFile= no longer names it", path);
  else if (errno != ENOENT)
    g_warning ("Cannot remove the old metrics file %s: %s", path, g_strerror (errno));
}

static void
retired_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Retired *retired = user_data;

  (void) source;
  (void) result;  /* a failed write was logged by the durable writer */
  remove_file (retired->path);
  /* Freeing the durable writer from its own callback is allowed. */
  of_durable_writer_free (retired->file);
  retired->writer->in_flight--;
  g_object_unref (retired->writer);
  g_free (retired->path);
  g_free (retired);
}

/* The file named before is not ours to keep up any more. */
static void
retire (OfMetricsWriter *self)
{
  Retired *retired;

  if (!of_durable_writer_is_busy (self->file))
    {
      remove_file (self->path);
      g_clear_pointer (&self->file, of_durable_writer_free);
      g_clear_pointer (&self->path, g_free);
      return;
    }
  /* A write is in flight: removing the file now would let it come back.
   * One more (coalesced) request is answered after that write; the file
   * goes then. */
  retired = g_new0 (Retired, 1);
  retired->writer = g_object_ref (self);
  retired->file = g_steal_pointer (&self->file);
  retired->path = g_steal_pointer (&self->path);
  self->in_flight++;
  of_durable_writer_save_async (retired->file, retired_written, retired);
}

/* Follows MetricsFile= as the store has it now (it changes on reload). */
static void
follow_path (OfMetricsWriter *self)
{
  const char *path = of_config_store_get_metrics_file (self->store);

  if (g_strcmp0 (path, self->path) == 0)
    return;
  if (self->file != NULL)
    retire (self);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->text, g_free);
  if (path == NULL)
    return;
  self->path = g_strdup (path);
  /* Left by a write a kill interrupted (no other instance runs: the
   * caller owns the bus name).  Their names do not end in ".prom", so
   * the node exporter never read them. */
  of_remove_stale_temp_files (path);
  self->file = of_durable_writer_new (path, "the metrics", OF_METRICS_FILE_MODE, snapshot_text, self);
  g_info ("Writing metrics to %s", path);
}

static char *
format_now (OfMetricsWriter *self)
{
  const OfState *state = of_state_store_get (self->state_store);
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_metrics_share_free);
  g_auto(GStrv) names = of_share_registry_get_names (self->shares);
  OfMetricsSnapshot snapshot = {
    .version = self->version,
    .first_start = state->first_start,
    .last_sync_start = state->last_start,
    .last_success = state->last_success_start,
    .next_sync = of_sync_manager_get_next_sync_time (self->manager),
    .settings = *of_config_store_get_settings (self->store),
    .shares = shares,
    .has_deferred = TRUE,
    .deferred_reason = of_sync_manager_get_defer_reason (self->manager),
  };

  memcpy (snapshot.syncs, self->syncs, sizeof snapshot.syncs);
  for (guint i = 0; names[i]; i++)
    {
      OfMetricsShare *share = of_metrics_share_new (names[i]);
      const OfShareState *share_state = state->shares ? g_hash_table_lookup (state->shares, names[i]) : NULL;

      if (share_state != NULL)
        {
          share->last_success = share_state->last_success_time;
          share->last_duration = share_state->last_duration > 0 ? share_state->last_duration : -1;
        }
      {
        GPtrArray *conflicts = of_share_registry_get_conflicts (self->shares, names[i]);

        share->has_conflicts = conflicts != NULL;
        share->conflicts = conflicts ? conflicts->len : 0;
      }
      {
        guint connect_state = of_share_registry_get_connect_state (self->shares, names[i]);

        /* Not probed yet: no sample rather than a guess. */
        share->has_online = connect_state != OF_CONNECT_UNKNOWN;
        share->online = connect_state == OF_CONNECT_ONLINE;
      }
      g_ptr_array_add (shares, share);
    }
  return of_metrics_format (&snapshot);
}

static void
written (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(OfMetricsWriter) self = user_data;

  (void) source;
  /* A failure was logged by the durable writer; the next event writes
   * again, even with the same text (the directory may be back). */
  if (!of_durable_writer_save_finish (self->file, result, NULL))
    self->retry = TRUE;
  self->in_flight--;
}

void
of_metrics_writer_update (OfMetricsWriter *self,
                          const char      *why)
{
  g_autofree char *text = NULL;

  if (self->manager == NULL)
    return;  /* stopped */
  self->started = TRUE;
  follow_path (self);
  if (self->file == NULL)
    return;
  text = format_now (self);
  if (!self->retry && g_strcmp0 (text, self->text) == 0)
    return;
  self->retry = FALSE;
  g_debug ("Writing the metrics (%s)", why);
  g_free (self->text);
  self->text = g_steal_pointer (&text);
  self->in_flight++;
  of_durable_writer_save_async (self->file, written, g_object_ref (self));
}

static void
on_status_changed (OfMetricsWriter *self)
{
  if (self->started)
    of_metrics_writer_update (self, "state changed");
}

static void
on_sync_started (OfMetricsWriter *self)
{
  if (self->started)
    of_metrics_writer_update (self, "sync started");
}

static void
on_sync_finished (OfMetricsWriter *self,
                  guint64          id,
                  const char      *result)
{
  OfShareResult r;

  (void) id;
  if (of_share_result_from_string (result, &r))
    self->syncs[r]++;
  if (self->started)
    of_metrics_writer_update (self, "sync finished");
}

static gboolean
shares_changed_idle (gpointer user_data)
{
  OfMetricsWriter *self = user_data;

  self->shares_idle = 0;
  if (self->started)
    of_metrics_writer_update (self, "a share changed");
  return G_SOURCE_REMOVE;
}

/* "changing" comes before the share objects show the change (a
 * resolution's ConflictCount, a result, WorkOffline): write once the
 * main loop is back, however many changes came in between. */
static void
on_shares_changing (OfMetricsWriter *self)
{
  if (self->started && self->shares_idle == 0)
    self->shares_idle = g_idle_add (shares_changed_idle, self);
}

void
of_metrics_writer_stop (OfMetricsWriter *self)
{
  g_clear_handle_id (&self->shares_idle, g_source_remove);
  /* The parts it reads may go from now on. */
  self->manager = NULL;
  self->started = FALSE;
}

gboolean
of_metrics_writer_is_busy (OfMetricsWriter *self)
{
  return self->in_flight > 0;
}

OfMetricsWriter *
of_metrics_writer_new (OfConfigStore   *store,
                       OfStateStore    *state_store,
                       OfShareRegistry *shares,
                       OfSyncManager   *manager,
                       const char      *version)
{
  OfMetricsWriter *self = g_object_new (OF_TYPE_METRICS_WRITER, NULL);

  self->store = store;
  self->state_store = state_store;
  self->shares = shares;
  self->manager = manager;
  self->version = g_strdup (version);
  /* Disconnected when either side goes; swapped: (self, id, result, …). */
  g_signal_connect_object (manager, "status-changed", G_CALLBACK (on_status_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "sync-started", G_CALLBACK (on_sync_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "sync-finished", G_CALLBACK (on_sync_finished), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (shares, "changing", G_CALLBACK (on_shares_changing), self, G_CONNECT_SWAPPED);
  return self;
}

static void
of_metrics_writer_finalize (GObject *object)
{
  OfMetricsWriter *self = OF_METRICS_WRITER (object);

  g_clear_handle_id (&self->shares_idle, g_source_remove);
  /* Every write holds a reference: none is in flight now. */
  g_clear_pointer (&self->file, of_durable_writer_free);
  g_free (self->path);
  g_free (self->text);
  g_free (self->version);
  G_OBJECT_CLASS (of_metrics_writer_parent_class)->finalize (object);
}

static void
of_metrics_writer_class_init (OfMetricsWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = of_metrics_writer_finalize;
}

static void
of_metrics_writer_init (OfMetricsWriter *self)
{
  (void) self;
}
