/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics.h — the daemon's state as Prometheus metrics, in the text
 * exposition format the node exporter's textfile collector reads.
 *
 * Pure: a snapshot in, text out; no clock, no I/O (the writer,
 * metrics-writer.h, fills the snapshot and writes the file).  Every
 * family has its HELP and TYPE lines; times are seconds since the epoch
 * (`_timestamp_seconds`, 0 = never), durations and the settings are in
 * seconds, counters end in `_total`, and no sample carries a timestamp
 * (the node exporter rejects them).  Label values are escaped as the
 * format says; share names are the only labels from configuration, and
 * nothing from inside a share is ever in the text (docs/behaviour.md §12).
 */
#pragma once

#include <glib.h>

#include "enums.h"
#include "settings.h"

G_BEGIN_DECLS

/* The four results of offlinefiles_syncs_total, all listed from the start. */
#define OF_METRICS_N_RESULTS (OF_SHARE_RESULT_CANCELLED + 1)

typedef struct {
  char     *name;
  gint64    last_success;      /* µs UTC, end of its last successful run; 0 = never */
  gint64    last_duration;     /* µs of its last run; < 0 = never ran */
  /* Known only once their sources exist: a series whose has_ flag is
   * FALSE is left out, never invented. */
  gboolean  has_conflicts;     /* Share.ConflictCount */
  guint     conflicts;
  gboolean  has_online;        /* Share.ConnectState */
  gboolean  online;            /* ConnectState == online */
} OfMetricsShare;

typedef struct {
  const char *version;
  gint64      first_start;        /* µs UTC, when the daemon first ran on this machine */
  gint64      last_sync_start;    /* µs UTC; 0 = never */
  gint64      last_success;       /* µs UTC, start of the last sync that succeeded; 0 = never */
  gint64      next_sync;          /* µs UTC; 0 = none planned */
  guint64     syncs[OF_METRICS_N_RESULTS];  /* finished since the daemon started, by OfShareResult */
  gboolean    has_deferred;       /* DeferReason is known */
  const char *deferred_reason;    /* DeferReason: "", "costed-network" or "on-battery" */
  OfSettings  settings;
  GPtrArray  *shares;             /* OfMetricsShare*, in name order; may be NULL */
} OfMetricsSnapshot;

/* The reasons offlinefiles_deferred lists, each 0 or 1. */
extern const char * const of_metrics_defer_reasons[];

/* The whole file, ending in a newline. */
char *of_metrics_format       (const OfMetricsSnapshot *snapshot);
/* A label value as the exposition format writes it between quotes:
 * backslash, double quote and line feed escaped; invalid UTF-8 replaced. */
char *of_metrics_escape_label (const char *value);

OfMetricsShare *of_metrics_share_new  (const char *name);
void            of_metrics_share_free (OfMetricsShare *share);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfMetricsShare, of_metrics_share_free)

G_END_DECLS
