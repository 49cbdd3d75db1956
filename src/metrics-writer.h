/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics-writer.h — keeps the metrics file ([Daemon] MetricsFile=) in
 * step with the daemon.
 *
 * Follows the sync manager (a sync starting or finishing, a state
 * change) and is told of the start and of each reload by the daemon; at
 * each of these it makes a snapshot, formats it (metrics.h) and, if the
 * text differs from the last one written, writes the file atomically: a
 * temp file in the same directory, renamed over it (file-util.h's
 * durable writer, coalesced, in a worker), so the node exporter never
 * reads half a file, even after a kill -9 (a temp file's name does not
 * end in ".prom").  Never on a timer: an idle daemon writes nothing.
 * The counters of syncs by result are its own, since the daemon started.
 * When MetricsFile= changes or is removed, the old file is removed, so
 * no stale numbers stay on show.
 */
#pragma once

#include <gio/gio.h>

#include "config-store.h"
#include "share-registry.h"
#include "state-store.h"
#include "sync-manager.h"

G_BEGIN_DECLS

/* The file is for the node exporter's user: readable by all, like
 * everything it publishes (names of shares and counts, no paths). */
#define OF_METRICS_FILE_MODE 0644

#define OF_TYPE_METRICS_WRITER (of_metrics_writer_get_type ())
G_DECLARE_FINAL_TYPE (OfMetricsWriter, of_metrics_writer, OF, METRICS_WRITER, GObject)

/* Everything is borrowed and must outlive the writer's use; the writer
 * follows @manager's signals from now on but writes nothing before the
 * first of_metrics_writer_update(). */
OfMetricsWriter *of_metrics_writer_new     (OfConfigStore   *store,
                                            OfStateStore    *state_store,
                                            OfShareRegistry *shares,
                                            OfSyncManager   *manager,
                                            const char      *version);
/* Writes now if anything changed (at start, after a reload).  Call the
 * first time only once no other instance can be writing (the bus name
 * is ours): temp files left by a killed one are removed then. */
void             of_metrics_writer_update  (OfMetricsWriter *writer,
                                            const char      *why);
/* Writes nothing more (call it before the parts it reads go); writes in
 * flight still finish. */
void             of_metrics_writer_stop    (OfMetricsWriter *writer);
gboolean         of_metrics_writer_is_busy (OfMetricsWriter *writer);

G_END_DECLS
