/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* schedule.c — when the next background sync starts; see schedule.h for
 * the rules.  Pure: no I/O, no clock, no global state.
 *
 * Local time is handled with two GTimeZone calls only (the interval of a
 * UTC instant and its offset), in whole seconds.  "wall" below is local
 * wall-clock time counted like UTC seconds since the epoch, so the local
 * calendar day of a wall time is simply floor (wall / 86400).
 */
#include "schedule.h"

#include <string.h>

#define SEC_PER_DAY     G_GINT64_CONSTANT (86400)
#define USEC_PER_MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
/* More than any UTC offset ever used (they stay within ±16 h). */
#define MAX_OFFSET_SEC  (G_GINT64_CONSTANT (26) * 3600)
/* Chained (overlapping) windows are followed at most this many days; only a
 * pathological zone could chain more. */
#define MAX_CHAINED_DAYS 400

static const char draw_domain[] = "offlinefiles-schedule-draw-v1";

void
of_planned_sync_clear (OfPlannedSync *planned)
{
  g_return_if_fail (planned != NULL);

  g_clear_pointer (&planned->note, g_free);
  planned->start = 0;
  planned->reason = OF_SYNC_REASON_SCHEDULED;
}

static gint64
clamp_time (gint64 t)
{
  return CLAMP (t, 0, OF_SCHEDULE_TIME_MAX);
}

static gint64
floor_div (gint64 a, gint64 b)
{
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* ---- the draw ----------------------------------------------------------- */

static void
put_be (guint8 *buf, guint64 v, guint n)
{
  for (guint i = 0; i < n; i++)
    buf[i] = (guint8) (v >> (8 * (n - 1 - i)));
}

/* Uniform in [0, max_sec] whole seconds. */
static gint64
draw_seconds (const char *machine_id,
              gint64      anchor,
              guint32     purpose,
              gint64      max_sec)
{
  g_autoptr(GChecksum) sum = NULL;
  guint8 buf[12];
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 x = 0;

  if (max_sec <= 0)
    return 0;
  if (machine_id == NULL)
    machine_id = "";

  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) draw_domain, (gssize) sizeof draw_domain);
  g_checksum_update (sum, (const guchar *) machine_id, (gssize) strlen (machine_id) + 1);
  put_be (buf, (guint64) anchor, 8);
  put_be (buf + 8, purpose, 4);
  g_checksum_update (sum, buf, sizeof buf);
  g_checksum_get_digest (sum, digest, &len);

  for (guint i = 0; i < 8; i++)
    x = (x << 8) | digest[i];

  return (gint64) (x % ((guint64) max_sec + 1));
}

gint64
of_schedule_draw_usec (const char            *machine_id,
                       gint64                 anchor,
                       OfScheduleDrawPurpose  purpose,
                       guint                  variance_minutes)
{
  return draw_seconds (machine_id, anchor, purpose,
                       (gint64) variance_minutes * 60) * G_USEC_PER_SEC;
}

/* ---- local time --------------------------------------------------------- */

static gint
interval_at (GTimeZone *tz,
             gint64     utc_sec)
{
  return g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc_sec);
}

static gint64
wall_of (GTimeZone *tz,
         gint64     utc_sec)
{
  return utc_sec + g_time_zone_get_offset (tz, interval_at (tz, utc_sec));
}

/* min { u : wall_of (u) >= wall }: the first instant at which the local
 * clock shows @wall, or the end of the jump that skipped it.  *out_wall is
 * wall_of (result). */
static gint64
first_instant_at (GTimeZone *tz,
                  gint64     wall,
                  gint64    *out_wall)
{
  /* Invariant: wall_of (x) < wall for every x <= u. */
  gint64 u = wall - MAX_OFFSET_SEC;

  for (;;)
    {
      gint i = interval_at (tz, u);
      gint64 off = g_time_zone_get_offset (tz, i);
      gint64 cand = wall - off;  /* > u, by the invariant */
      gint64 lo, hi;

      if (interval_at (tz, cand) == i)
        {
          *out_wall = wall;
          return cand;
        }

      /* A transition lies in (u, cand]: find its first instant.  Interval
       * indices grow with time. */
      lo = u;
      hi = cand;
      while (hi - lo > 1)
        {
          gint64 mid = lo + (hi - lo) / 2;

          if (interval_at (tz, mid) == i)
            lo = mid;
          else
            hi = mid;
        }

      *out_wall = wall_of (tz, hi);
      if (*out_wall >= wall)
        return hi;  /* @wall was skipped: the jump's end */
      u = hi;
    }
}

typedef struct {
  GTimeZone *tz;
  gint64     start_sec;     /* seconds after local midnight */
  gint64     duration_usec; /* 0 < duration < 1440 min */
} Windows;

/* The opening of day @day's window in µs, or FALSE if the day does not
 * exist locally. */
static gboolean
window_open (const Windows *w,
             gint64         day,
             gint64        *out_open)
{
  gint64 open_wall;
  gint64 open = first_instant_at (w->tz, day * SEC_PER_DAY + w->start_sec, &open_wall);

  if (floor_div (open_wall, SEC_PER_DAY) > day)
    {
      /* The clock jumped from before the opening time into a later day:
       * day @day exists only if some instant of it does. */
      gint64 midnight_wall;

      first_instant_at (w->tz, day * SEC_PER_DAY, &midnight_wall);
      if (floor_div (midnight_wall, SEC_PER_DAY) > day)
        return FALSE;
    }

  *out_open = open * G_USEC_PER_SEC;
  return TRUE;
}

/* TRUE if @t (µs) is inside a window; then *out_end is the first instant
 * after @t with no window open.  In any case *out_next_open (may be NULL) is
 * the first opening after @t (and after the end, when blocked). */
static gboolean
windows_at (const Windows *w,
            gint64         t,
            gint64        *out_end,
            gint64        *out_next_open)
{
  gint64 t_sec = floor_div (t, G_USEC_PER_SEC);
  gint64 day = floor_div (wall_of (w->tz, t_sec), SEC_PER_DAY) - 3;
  gint64 cur = t;
  gboolean blocked = FALSE;

  /* Openings never decrease from one day to the next, and a window that
   * contains @t opened less than a day before it, so within three local
   * days (allowing for a 24-hour jump of the clock). */
  for (guint n = 0; n < MAX_CHAINED_DAYS; n++, day++)
    {
      gint64 open, close;

      if (!window_open (w, day, &open))
        continue;
      if (open > cur)
        {
          if (out_next_open != NULL)
            *out_next_open = open;
          break;
        }
      close = open + w->duration_usec;
      if (close > cur)
        {
          cur = close;
          blocked = TRUE;
        }
    }

  *out_end = cur;
  return blocked;
}

/* ---- the rules ---------------------------------------------------------- */

typedef struct {
  const OfSettings *settings;
  const char       *machine_id;
  Windows           windows;
  gboolean          has_window;
  gboolean          whole_day;
} Ctx;

static void
ctx_init (Ctx              *ctx,
          const OfSettings *settings,
          const char       *machine_id,
          GTimeZone        *tz)
{
  guint hhmm = settings->block_out_start;
  guint duration = MIN (settings->block_out_duration, 1440);

  ctx->settings = settings;
  ctx->machine_id = machine_id;
  ctx->windows.tz = tz;
  ctx->windows.start_sec = (gint64) (((hhmm / 100) * 60 + hhmm % 100) % 1440) * 60;
  ctx->windows.duration_usec = (gint64) duration * USEC_PER_MINUTE;
  ctx->has_window = duration > 0;
  ctx->whole_day = duration == 1440;
}

static gboolean
ctx_blocked (const Ctx *ctx,
             gint64     t,
             gint64    *out_end)
{
  if (!ctx->has_window)
    return FALSE;
  if (ctx->whole_day)
    {
      *out_end = G_MAXINT64;
      return TRUE;
    }
  return windows_at (&ctx->windows, t, out_end, NULL);
}

/* Moves @t out of the blockout (never called for a whole-day window). */
static gint64
leave_blockout (const Ctx *ctx,
                gint64     t,
                gboolean  *out_moved)
{
  gint64 variance_sec = (gint64) ctx->settings->sync_variance * 60;

  *out_moved = FALSE;
  if (!ctx->has_window)
    return t;
  g_assert (!ctx->whole_day);

  for (guint hop = 1; ; hop++)
    {
      gint64 end, next_open = G_MAXINT64;
      gint64 max_sec = variance_sec;

      if (!windows_at (&ctx->windows, t, &end, &next_open))
        return t;
      *out_moved = TRUE;

      if (hop >= OF_SCHEDULE_WINDOW_HOPS)
        {
          /* Last draw: within the free time before the next window. */
          gint64 free_sec = (next_open - end) / G_USEC_PER_SEC;

          max_sec = MIN (max_sec, free_sec - 1);
        }
      t = end + draw_seconds (ctx->machine_id, end, OF_SCHEDULE_DRAW_WINDOW,
                              max_sec) * G_USEC_PER_SEC;
      if (hop >= OF_SCHEDULE_WINDOW_HOPS)
        return t;
    }
}

static gboolean
disabled (const OfSettings *s)
{
  return s->max_time_between_syncs == 0 &&
         (s->sync_interval == 0 || s->block_out_duration >= 1440);
}

OfSyncState
of_schedule_state (const OfSettings *settings,
                   GTimeZone        *tz,
                   gint64            now)
{
  Ctx ctx;
  gint64 end;

  g_return_val_if_fail (settings != NULL, OF_SYNC_STATE_DISABLED);
  g_return_val_if_fail (tz != NULL, OF_SYNC_STATE_DISABLED);

  if (disabled (settings))
    return OF_SYNC_STATE_DISABLED;
  ctx_init (&ctx, settings, NULL, tz);
  if (ctx_blocked (&ctx, clamp_time (now), &end))
    return OF_SYNC_STATE_BLOCKED_OUT;
  return OF_SYNC_STATE_IDLE;
}

gboolean
of_schedule_in_blockout (const OfSettings *settings,
                         GTimeZone        *tz,
                         gint64            t,
                         gint64           *out_window_end)
{
  Ctx ctx;
  gint64 end;

  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (tz != NULL, FALSE);

  ctx_init (&ctx, settings, NULL, tz);
  if (!ctx_blocked (&ctx, clamp_time (t), &end))
    return FALSE;
  if (out_window_end != NULL)
    *out_window_end = end;
  return TRUE;
}

gboolean
of_schedule_plan (const OfSettings        *settings,
                  const OfScheduleHistory *history,
                  const char              *machine_id,
                  GTimeZone               *tz,
                  gint64                   now,
                  OfPlannedSync           *out)
{
  const OfSettings *s = settings;
  Ctx ctx;
  gint64 first_start, last_start, last_success_start;
  gint64 slack_limit;
  gboolean have_regular = FALSE, have_overdue = FALSE;
  gint64 regular = 0, overdue = 0;
  OfSyncReason regular_reason = OF_SYNC_REASON_SCHEDULED;
  const char *regular_note = "", *overdue_note = "";
  gint64 end;

  g_return_val_if_fail (out != NULL, FALSE);
  out->start = 0;
  out->reason = OF_SYNC_REASON_SCHEDULED;
  out->note = NULL;
  g_return_val_if_fail (settings != NULL, FALSE);
  g_return_val_if_fail (history != NULL, FALSE);
  g_return_val_if_fail (tz != NULL, FALSE);

  if (disabled (s))
    return FALSE;

  ctx_init (&ctx, s, machine_id, tz);
  first_start = clamp_time (history->first_start);
  last_start = clamp_time (history->last_start);
  last_success_start = clamp_time (history->last_success_start);
  now = clamp_time (now);
  slack_limit = now - OF_SCHEDULE_CATCH_UP_SLACK_USEC;

  if (s->sync_interval > 0 && !ctx.whole_day)
    {
      gint64 anchor = last_start != 0 ? last_start : first_start;
      gint64 base = last_start != 0
                      ? last_start + (gint64) s->sync_interval * USEC_PER_MINUTE
                      : first_start;
      gboolean moved;

      have_regular = TRUE;
      regular = leave_blockout (&ctx,
                                base + of_schedule_draw_usec (machine_id, anchor,
                                                              OF_SCHEDULE_DRAW_CYCLE,
                                                              s->sync_variance),
                                &moved);
      if (moved)
        regular_note = "moved out of the blockout window";

      if (regular < slack_limit || regular < clamp_time (history->awake_since))
        {
          regular = leave_blockout (&ctx, now, &moved);
          regular_reason = OF_SYNC_REASON_CATCH_UP;
          regular_note = moved
                           ? "missed while off or asleep; moved out of the blockout window"
                           : "missed while off or asleep";
        }
    }

  if (s->max_time_between_syncs > 0)
    {
      gint64 reference = last_success_start != 0 ? last_success_start : first_start;

      have_overdue = TRUE;
      overdue = reference + (gint64) s->max_time_between_syncs * USEC_PER_MINUTE;
      overdue_note = "MaxTimeBetweenSyncs reached";

      if (history->last_was_failed_overdue && last_start != 0)
        {
          guint wait = s->sync_interval > 0 ? s->sync_interval
                                            : OF_SCHEDULE_OVERDUE_RETRY_MINUTES;
          gint64 retry = last_start + (gint64) wait * USEC_PER_MINUTE;

          if (retry > overdue)
            {
              overdue = retry;
              overdue_note = "retry after a failed overdue sync";
            }
        }

      if (overdue < slack_limit)
        overdue = now;
    }

  g_assert (have_regular || have_overdue);

  if (have_overdue && (!have_regular || overdue <= regular))
    {
      out->start = overdue;
      out->reason = OF_SYNC_REASON_OVERDUE;
      if (ctx_blocked (&ctx, overdue, &end))
        out->note = g_strconcat (overdue_note, "; overrides the blockout window", NULL);
      else
        out->note = g_strdup (overdue_note);
    }
  else
    {
      out->start = regular;
      out->reason = regular_reason;
      out->note = g_strdup (regular_note);
    }

  return TRUE;
}

GArray *
of_schedule_preview (const OfSettings        *settings,
                     const OfScheduleHistory *history,
                     const char              *machine_id,
                     GTimeZone               *tz,
                     gint64                   now,
                     guint                    count)
{
  GArray *array;
  OfScheduleHistory h;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (history != NULL, NULL);
  g_return_val_if_fail (tz != NULL, NULL);

  count = MIN (count, OF_SCHEDULE_PREVIEW_MAX);
  array = g_array_sized_new (FALSE, TRUE, sizeof (OfPlannedSync), count);
  g_array_set_clear_func (array, (GDestroyNotify) of_planned_sync_clear);

  h = *history;
  for (guint i = 0; i < count; i++)
    {
      OfPlannedSync planned;

      if (!of_schedule_plan (settings, &h, machine_id, tz, now, &planned))
        break;
      g_array_append_val (array, planned);

      h.last_start = planned.start;
      h.last_success_start = planned.start;
      h.last_was_failed_overdue = FALSE;
      now = planned.start;
    }

  return array;
}

gint64
of_schedule_next_state_change (const OfSettings *settings,
                               GTimeZone        *tz,
                               gint64            now)
{
  Ctx ctx;
  gint64 end, next_open = 0;

  g_return_val_if_fail (settings != NULL, 0);
  g_return_val_if_fail (tz != NULL, 0);

  if (disabled (settings))
    return 0;
  ctx_init (&ctx, settings, NULL, tz);
  if (!ctx.has_window || ctx.whole_day)
    return 0;
  if (windows_at (&ctx.windows, clamp_time (now), &end, &next_open))
    return end;
  return next_open;
}

OfDeferReason
of_schedule_defer_reason (const OfSettings *settings,
                          OfSyncReason      reason,
                          gboolean          metered,
                          gboolean          on_battery)
{
  if (reason == OF_SYNC_REASON_MANUAL)
    return OF_DEFER_NONE;
  if (metered && !settings->sync_on_costed_network_enabled)
    return OF_DEFER_COSTED_NETWORK;
  if (on_battery && !settings->sync_on_battery_enabled)
    return OF_DEFER_ON_BATTERY;
  return OF_DEFER_NONE;
}
