/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* time-format.h — times and durations as people read them, the same in
 * the client, the panel and the daemon's messages.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Times are µs since the Unix epoch; 0 means "never" to the callers. */
char  *of_format_iso8601_utc (guint64 usec);
/* timedatectl's style: "Mon 2026-11-30 04:18:26 UTC". */
char  *of_format_local_time  (guint64 usec);
/* "2h 13min", "5d 3h", "42s": the two most significant units. */
char  *of_format_duration    (guint64 seconds);
/* "in 2h 13min", "3min ago" or "now", relative to @now_usec. */
char  *of_format_relative    (guint64 usec, guint64 now_usec);

G_END_DECLS
