/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-schedule.c — tests of the pure schedule module (src/schedule.c):
 * hand-written cases for every rule of docs/behaviour.md §4, a naive independent
 * model compared on >= 100 000 random cases, property tests and a
 * chi-square test of the draw.
 *
 * The model knows only the rules as documented in schedule.h.  It finds
 * local time by binary search in a transition table it builds itself by
 * scanning the zone hour by hour (and minute by minute around changes) with
 * GDateTime, finds window openings by stepping minute by minute, and
 * re-implements the documented SHA-256 draw with GChecksum.  Set
 * OF_SCHEDULE_SEED=N to replay a run; the seed is printed on failure.
 */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>

#define SEC_US  G_USEC_PER_SEC
#define MIN_US  (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define HOUR_US (60 * MIN_US)
#define DAY_US  (24 * HOUR_US)
#define SLACK   OF_SCHEDULE_CATCH_UP_SLACK_USEC

static const char *const MID = "5d1f0c8e2a4b4f6e9a7c3b2d1e0f9a8b";

/* ---- helpers ------------------------------------------------------------ */

static OfSettings
mk (guint interval, guint variance, guint max, guint start, guint duration)
{
  OfSettings s;

  memset (&s, 0, sizeof s);
  s.sync_interval = interval;
  s.sync_variance = variance;
  s.max_time_between_syncs = max;
  s.block_out_start = start;
  s.block_out_duration = duration;
  return s;
}

static OfScheduleHistory
hist (gint64 first, gint64 last, gint64 success, gboolean failed_overdue)
{
  OfScheduleHistory h = { first, last, success, failed_overdue };
  return h;
}

static gint64
utc (int y, int mo, int d, int h, int mi, int s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, s);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * SEC_US;
}

static GTimeZone *
zone (const char *id)
{
  GTimeZone *tz = g_time_zone_new_identifier (id);

  if (tz == NULL)
    g_error ("time zone %s is not installed (tzdata)", id);
  return tz;
}

static char *
fmt (GTimeZone *tz, gint64 t)
{
  g_autoptr(GDateTime) u = NULL;
  g_autoptr(GDateTime) l = NULL;
  g_autofree char *s = NULL;

  if (t == G_MAXINT64)
    return g_strdup ("never");
  u = g_date_time_new_from_unix_utc (t / SEC_US);
  if (u == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, t);
  l = g_date_time_to_timezone (u, tz);
  s = g_date_time_format_iso8601 (l);
  return g_strdup_printf ("%s+%06" G_GINT64_FORMAT "us (%" G_GINT64_FORMAT ")",
                          s, t % SEC_US, t);
}

#define assert_time(tz, got, want) G_STMT_START {                          \
    gint64 g_ = (got), w_ = (want);                                         \
    if (g_ != w_)                                                           \
      {                                                                     \
        g_autofree char *gs_ = fmt ((tz), g_);                              \
        g_autofree char *ws_ = fmt ((tz), w_);                              \
        g_error ("%s:%d: got %s, want %s", __FILE__, __LINE__, gs_, ws_);   \
      }                                                                     \
  } G_STMT_END

static void
check_plan (const OfSettings *s, const OfScheduleHistory *h, GTimeZone *tz,
            gint64 now, gint64 want_start, OfSyncReason want_reason,
            const char *want_note)
{
  OfPlannedSync p;

  g_assert_true (of_schedule_plan (s, h, MID, tz, now, &p));
  assert_time (tz, p.start, want_start);
  g_assert_cmpstr (of_sync_reason_to_string (p.reason), ==,
                   of_sync_reason_to_string (want_reason));
  if (want_note != NULL)
    g_assert_cmpstr (p.note, ==, want_note);
  g_assert_nonnull (p.note);
  of_planned_sync_clear (&p);
}

static void
check_blockout (const OfSettings *s, GTimeZone *tz, gint64 t,
                gboolean want, gint64 want_end)
{
  gint64 end = -1;
  gboolean got = of_schedule_in_blockout (s, tz, t, &end);

  if (got != want)
    {
      g_autofree char *ts = fmt (tz, t);
      g_error ("in_blockout (%s) = %d, want %d", ts, got, want);
    }
  if (want)
    assert_time (tz, end, want_end);
  else
    g_assert_cmpint (end, ==, -1);
}

/* ---- hand-written cases ------------------------------------------------- */

static void
test_strings (void)
{
  g_assert_cmpstr (of_sync_reason_to_string (OF_SYNC_REASON_SCHEDULED), ==, "scheduled");
  g_assert_cmpstr (of_sync_reason_to_string (OF_SYNC_REASON_OVERDUE), ==, "overdue");
  g_assert_cmpstr (of_sync_reason_to_string (OF_SYNC_REASON_CATCH_UP), ==, "catch-up");
  g_assert_cmpstr (of_sync_reason_to_string (OF_SYNC_REASON_MANUAL), ==, "manual");
  g_assert_cmpstr (of_sync_state_to_string (OF_SYNC_STATE_IDLE), ==, "idle");
  g_assert_cmpstr (of_sync_state_to_string (OF_SYNC_STATE_BLOCKED_OUT), ==, "blocked-out");
  g_assert_cmpstr (of_sync_state_to_string (OF_SYNC_STATE_DISABLED), ==, "disabled");
}

static void
test_interval_variance (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  OfSettings s = mk (360, 60, 0, 0, 0);
  gint64 l = utc (2026, 1, 10, 8, 0, 0) + 123456;
  OfScheduleHistory h = hist (l - 10 * DAY_US, l, l, FALSE);
  gint64 v = of_schedule_draw_usec (MID, l, OF_SCHEDULE_DRAW_CYCLE, 60);
  OfPlannedSync a, b;

  g_assert_cmpint (v, >=, 0);
  g_assert_cmpint (v, <=, 60 * MIN_US);
  g_assert_cmpint (v % SEC_US, ==, 0);
  check_plan (&s, &h, tz, l + MIN_US, l + 360 * MIN_US + v, OF_SYNC_REASON_SCHEDULED, "");
  /* A restart later in the cycle plans the same time. */
  check_plan (&s, &h, tz, l + 5 * HOUR_US, l + 360 * MIN_US + v, OF_SYNC_REASON_SCHEDULED, "");

  /* Another machine draws differently (for this fixed anchor). */
  g_assert_true (of_schedule_plan (&s, &h, MID, tz, l, &a));
  g_assert_true (of_schedule_plan (&s, &h, "another-machine", tz, l, &b));
  g_assert_cmpint (a.start, !=, b.start);
  of_planned_sync_clear (&a);
  of_planned_sync_clear (&b);
  g_assert_null (a.note);
}

static void
test_never_synced (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  OfSettings s = mk (360, 60, 0, 0, 0);
  gint64 f = utc (2026, 2, 1, 9, 30, 0);
  OfScheduleHistory h = hist (f, 0, 0, FALSE);
  gint64 v = of_schedule_draw_usec (MID, f, OF_SCHEDULE_DRAW_CYCLE, 60);

  check_plan (&s, &h, tz, f, f + v, OF_SYNC_REASON_SCHEDULED, "");
  /* The daemon was down past that time: catch up now. */
  check_plan (&s, &h, tz, f + 2 * DAY_US, f + 2 * DAY_US, OF_SYNC_REASON_CATCH_UP,
              "missed while off or asleep");
}

static void
test_interval_zero (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  OfSettings s = mk (0, 60, 0, 0, 0);
  gint64 f = utc (2026, 2, 1, 0, 0, 0);
  OfScheduleHistory h = hist (f, 0, 0, FALSE);
  OfPlannedSync p;
  g_autoptr(GArray) a = NULL;

  g_assert_false (of_schedule_plan (&s, &h, MID, tz, f, &p));
  g_assert_cmpint (p.start, ==, 0);
  g_assert_null (p.note);
  g_assert_cmpint (of_schedule_state (&s, tz, f), ==, OF_SYNC_STATE_DISABLED);
  a = of_schedule_preview (&s, &h, MID, tz, f, 10);
  g_assert_cmpuint (a->len, ==, 0);

  /* Only MaxTimeBetweenSyncs starts syncs, counted from first start... */
  s = mk (0, 60, 120, 0, 0);
  check_plan (&s, &h, tz, f, f + 120 * MIN_US, OF_SYNC_REASON_OVERDUE,
              "MaxTimeBetweenSyncs reached");
  /* ...or from the last success; a manual sync since does not count. */
  h = hist (f, f + 5 * HOUR_US, f + 3 * HOUR_US, FALSE);
  check_plan (&s, &h, tz, f + 5 * HOUR_US, f + 5 * HOUR_US, OF_SYNC_REASON_OVERDUE, NULL);
  h = hist (f, f + 3 * HOUR_US, f + 3 * HOUR_US, FALSE);
  check_plan (&s, &h, tz, f + 3 * HOUR_US, f + 5 * HOUR_US, OF_SYNC_REASON_OVERDUE, NULL);
  g_assert_cmpint (of_schedule_state (&s, tz, f), ==, OF_SYNC_STATE_IDLE);
}

static void
test_variance_zero (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  OfSettings s = mk (60, 0, 0, 0, 0);
  gint64 l = utc (2026, 5, 5, 5, 5, 5) + 42;
  OfScheduleHistory h = hist (l - DAY_US, l, 0, FALSE);

  check_plan (&s, &h, tz, l, l + 60 * MIN_US, OF_SYNC_REASON_SCHEDULED, "");
  g_assert_cmpint (of_schedule_draw_usec (MID, l, OF_SCHEDULE_DRAW_CYCLE, 0), ==, 0);
}

static void
test_window_midnight (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  /* 23:00-01:00 CET = 22:00-00:00 UTC in winter. */
  OfSettings s = mk (60, 0, 0, 2300, 120);
  gint64 open = utc (2026, 1, 15, 22, 0, 0), close = utc (2026, 1, 16, 0, 0, 0);
  gint64 l = utc (2026, 1, 15, 21, 30, 0);
  OfScheduleHistory h = hist (l - DAY_US, l, l, FALSE);
  gint64 w;

  check_blockout (&s, tz, open - 1, FALSE, 0);
  check_blockout (&s, tz, open, TRUE, close);
  check_blockout (&s, tz, close - 1, TRUE, close);
  check_blockout (&s, tz, close, FALSE, 0);
  check_blockout (&s, tz, utc (2026, 1, 16, 12, 0, 0), FALSE, 0);
  g_assert_cmpint (of_schedule_state (&s, tz, open + HOUR_US), ==, OF_SYNC_STATE_BLOCKED_OUT);
  g_assert_cmpint (of_schedule_state (&s, tz, close), ==, OF_SYNC_STATE_IDLE);
  g_assert_true (of_schedule_in_blockout (&s, tz, open, NULL));

  /* Due 23:30 local: moved to the window's end. */
  check_plan (&s, &h, tz, l, close, OF_SYNC_REASON_SCHEDULED, "moved out of the blockout window");
  /* Due exactly at the end (half-open window) or just before the opening: kept. */
  h = hist (l - DAY_US, close - 60 * MIN_US, 0, FALSE);
  check_plan (&s, &h, tz, close - HOUR_US, close, OF_SYNC_REASON_SCHEDULED, "");
  h = hist (l - DAY_US, open - 61 * MIN_US, 0, FALSE);
  check_plan (&s, &h, tz, open - HOUR_US, open - MIN_US, OF_SYNC_REASON_SCHEDULED, "");

  /* With a variance: the window's end plus a fresh draw keyed on it. */
  s = mk (60, 30, 0, 2300, 120);
  h = hist (l - DAY_US, open - 60 * MIN_US, 0, FALSE);
  w = of_schedule_draw_usec (MID, close, OF_SCHEDULE_DRAW_WINDOW, 30);
  check_plan (&s, &h, tz, open - HOUR_US, close + w, OF_SYNC_REASON_SCHEDULED,
              "moved out of the blockout window");
}

static void
test_window_2400 (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  OfSettings a = mk (60, 0, 0, 2400, 90), b = mk (60, 0, 0, 0, 90);
  gint64 t0 = utc (2026, 3, 25, 0, 0, 0);

  for (gint64 t = t0; t < t0 + 10 * DAY_US; t += 7 * MIN_US + 13)
    {
      gint64 ea = 0, eb = 0;
      gboolean ia = of_schedule_in_blockout (&a, tz, t, &ea);
      gboolean ib = of_schedule_in_blockout (&b, tz, t, &eb);

      g_assert_cmpint (ia, ==, ib);
      g_assert_cmpint (ea, ==, eb);
    }
  /* 00:00 CET = 23:00 UTC the day before. */
  check_blockout (&a, tz, utc (2026, 1, 9, 23, 0, 0), TRUE, utc (2026, 1, 10, 0, 30, 0));
}

static void
test_whole_day (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  OfSettings s = mk (60, 10, 0, 1234, 1440);
  gint64 l = utc (2026, 10, 24, 12, 0, 0);
  OfScheduleHistory h = hist (l - DAY_US, l, l, FALSE);
  OfPlannedSync p;

  g_assert_false (of_schedule_plan (&s, &h, MID, tz, l, &p));
  g_assert_cmpint (of_schedule_state (&s, tz, l), ==, OF_SYNC_STATE_DISABLED);
  /* Blocked at every instant, also across the 25-hour day. */
  for (gint64 t = l; t < l + 3 * DAY_US; t += 17 * MIN_US)
    check_blockout (&s, tz, t, TRUE, G_MAXINT64);

  s.max_time_between_syncs = 600;
  g_assert_cmpint (of_schedule_state (&s, tz, l), ==, OF_SYNC_STATE_BLOCKED_OUT);
  check_plan (&s, &h, tz, l, l + 600 * MIN_US, OF_SYNC_REASON_OVERDUE,
              "MaxTimeBetweenSyncs reached; overrides the blockout window");
}

static void
test_overdue_overrides_window (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  /* 22:00-06:00 CET = 21:00-05:00 UTC. */
  OfSettings s = mk (360, 0, 600, 2200, 480);
  gint64 success = utc (2026, 1, 15, 12, 0, 0);
  gint64 last = utc (2026, 1, 15, 16, 0, 0);
  OfScheduleHistory h = hist (success - DAY_US, last, success, FALSE);

  /* Regular: 22:00 UTC, in the window -> 05:00 UTC.  Overdue: 22:00 UTC. */
  check_plan (&s, &h, tz, last + 5 * SEC_US, utc (2026, 1, 15, 22, 0, 0), OF_SYNC_REASON_OVERDUE,
              "MaxTimeBetweenSyncs reached; overrides the blockout window");
  /* Without the limit the window wins. */
  s.max_time_between_syncs = 0;
  check_plan (&s, &h, tz, last, utc (2026, 1, 16, 5, 0, 0), OF_SYNC_REASON_SCHEDULED,
              "moved out of the blockout window");
  /* A limit later than the regular start changes nothing. */
  s.max_time_between_syncs = 2000;
  check_plan (&s, &h, tz, last, utc (2026, 1, 16, 5, 0, 0), OF_SYNC_REASON_SCHEDULED, NULL);
}

static void
test_failed_overdue (void)
{
  g_autoptr(GTimeZone) tz = zone ("UTC");
  OfSettings s = mk (0, 0, 600, 0, 0);
  gint64 success = utc (2026, 4, 1, 0, 0, 0);
  gint64 last = success + 600 * MIN_US;  /* the overdue attempt */
  OfScheduleHistory h = hist (success - DAY_US, last, success, TRUE);

  /* Interval 0: the next overdue attempt waits 60 minutes, not 0. */
  check_plan (&s, &h, tz, last + MIN_US, last + 60 * MIN_US, OF_SYNC_REASON_OVERDUE,
              "retry after a failed overdue sync");
  /* Without the flag it would be due at once (the retry storm). */
  h.last_was_failed_overdue = FALSE;
  check_plan (&s, &h, tz, last + MIN_US, last + MIN_US, OF_SYNC_REASON_OVERDUE, NULL);
  /* The daemon was down past the retry time: overdue at once. */
  h.last_was_failed_overdue = TRUE;
  check_plan (&s, &h, tz, last + 3 * HOUR_US, last + 3 * HOUR_US, OF_SYNC_REASON_OVERDUE, NULL);

  /* With an interval the wait is the interval; a tie with the regular
   * start is reported as overdue. */
  s = mk (120, 0, 600, 0, 0);
  check_plan (&s, &h, tz, last + MIN_US, last + 120 * MIN_US, OF_SYNC_REASON_OVERDUE,
              "retry after a failed overdue sync");
  /* A deadline later than the retry wait stands (here the failed overdue
   * attempt was a manual-era one: only the flag matters). */
  s = mk (0, 0, 1000, 0, 0);
  h = hist (success - DAY_US, success + 100 * MIN_US, success, TRUE);
  check_plan (&s, &h, tz, success + 100 * MIN_US, success + 1000 * MIN_US, OF_SYNC_REASON_OVERDUE,
              "MaxTimeBetweenSyncs reached");
}

static void
test_catch_up (void)
{
  g_autoptr(GTimeZone) utc_tz = zone ("UTC");
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  OfSettings s = mk (60, 0, 0, 0, 0);
  gint64 l = utc (2026, 6, 1, 10, 0, 0);
  OfScheduleHistory h = hist (l - DAY_US, l, l, FALSE);
  gint64 now, end, w, first_plan;
  OfPlannedSync p;

  check_plan (&s, &h, utc_tz, l + 5 * HOUR_US, l + 5 * HOUR_US, OF_SYNC_REASON_CATCH_UP,
              "missed while off or asleep");
  /* Within the slack: keeps its time and reason. */
  check_plan (&s, &h, utc_tz, l + HOUR_US + SLACK, l + HOUR_US, OF_SYNC_REASON_SCHEDULED, "");
  check_plan (&s, &h, utc_tz, l + HOUR_US + SLACK + 1, l + HOUR_US + SLACK + 1,
              OF_SYNC_REASON_CATCH_UP, NULL);
  /* But not when it came due before the daemon was watching (it started
   * or the machine resumed since): missed, however short the gap. */
  h.awake_since = l + HOUR_US + SEC_US;
  check_plan (&s, &h, utc_tz, l + HOUR_US + 3 * SEC_US, l + HOUR_US + 3 * SEC_US,
              OF_SYNC_REASON_CATCH_UP, "missed while off or asleep");
  /* Due after it started watching, within the slack: its own time. */
  h.awake_since = l + HOUR_US - SEC_US;
  check_plan (&s, &h, utc_tz, l + HOUR_US + 3 * SEC_US, l + HOUR_US, OF_SYNC_REASON_SCHEDULED, "");
  h.awake_since = 0;

  /* Catch-up while the window is open: window end + draw, still catch-up,
   * and the same instant whenever the daemon re-plans in that window. */
  s = mk (60, 30, 0, 2200, 480);  /* 22:00-06:00 CEST = 20:00-04:00 UTC */
  now = utc (2026, 6, 1, 21, 30, 0);
  end = utc (2026, 6, 2, 4, 0, 0);
  w = of_schedule_draw_usec (MID, end, OF_SCHEDULE_DRAW_WINDOW, 30);
  h = hist (l - DAY_US, now - 5 * HOUR_US, now - 5 * HOUR_US, FALSE);
  check_plan (&s, &h, tz, now, end + w, OF_SYNC_REASON_CATCH_UP,
              "missed while off or asleep; moved out of the blockout window");
  g_assert_true (of_schedule_plan (&s, &h, MID, tz, now, &p));
  first_plan = p.start;
  of_planned_sync_clear (&p);
  check_plan (&s, &h, tz, now + 2 * HOUR_US, first_plan, OF_SYNC_REASON_CATCH_UP, NULL);

  /* A passed overdue deadline beats the window and the catch-up. */
  s.max_time_between_syncs = 120;
  check_plan (&s, &h, tz, now, now, OF_SYNC_REASON_OVERDUE,
              "MaxTimeBetweenSyncs reached; overrides the blockout window");
  /* A deadline passed within the slack keeps its time. */
  h = hist (l - DAY_US, now - 120 * MIN_US - 5 * SEC_US, now - 120 * MIN_US - 5 * SEC_US, FALSE);
  check_plan (&s, &h, tz, now, now - 5 * SEC_US, OF_SYNC_REASON_OVERDUE, NULL);
}

static void
test_dst_berlin_spring (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  /* 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC. */
  OfSettings s = mk (60, 0, 0, 230, 60);
  gint64 l;
  OfScheduleHistory h;

  check_blockout (&s, tz, utc (2026, 3, 28, 1, 30, 0), TRUE, utc (2026, 3, 28, 2, 30, 0));
  /* 02:30 does not exist: the window opens at 03:00 CEST, lasts 60 min. */
  check_blockout (&s, tz, utc (2026, 3, 29, 1, 0, 0) - 1, FALSE, 0);
  check_blockout (&s, tz, utc (2026, 3, 29, 1, 0, 0), TRUE, utc (2026, 3, 29, 2, 0, 0));
  check_blockout (&s, tz, utc (2026, 3, 29, 1, 59, 59), TRUE, utc (2026, 3, 29, 2, 0, 0));
  check_blockout (&s, tz, utc (2026, 3, 29, 2, 0, 0), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 3, 30, 0, 30, 0), TRUE, utc (2026, 3, 30, 1, 30, 0));
  check_blockout (&s, tz, utc (2026, 3, 30, 0, 29, 59), FALSE, 0);

  /* 02:00 does not exist either (the clock goes 01:59:59 -> 03:00:00). */
  s = mk (60, 0, 0, 200, 60);
  check_blockout (&s, tz, utc (2026, 3, 29, 1, 0, 0), TRUE, utc (2026, 3, 29, 2, 0, 0));
  check_blockout (&s, tz, utc (2026, 3, 29, 0, 59, 0), FALSE, 0);

  /* 01:00 CET for 120 elapsed minutes: ends at 04:00 CEST. */
  s = mk (60, 0, 0, 100, 120);
  check_blockout (&s, tz, utc (2026, 3, 29, 0, 0, 0), TRUE, utc (2026, 3, 29, 2, 0, 0));

  /* 1439-minute windows overlap on the 23-hour day and merge. */
  s = mk (60, 0, 0, 0, 1439);
  check_blockout (&s, tz, utc (2026, 3, 29, 22, 30, 0), TRUE, utc (2026, 3, 30, 21, 59, 0));
  check_blockout (&s, tz, utc (2026, 3, 28, 22, 59, 0), FALSE, 0);
  l = utc (2026, 3, 29, 11, 0, 0);
  h = hist (l - DAY_US, l, l, FALSE);
  check_plan (&s, &h, tz, l, utc (2026, 3, 30, 21, 59, 0), OF_SYNC_REASON_SCHEDULED,
              "moved out of the blockout window");

  /* A sync due in the shifted window moves to its end. */
  s = mk (60, 0, 0, 230, 60);
  l = utc (2026, 3, 29, 0, 30, 0);
  h = hist (l - DAY_US, l, l, FALSE);
  check_plan (&s, &h, tz, l, utc (2026, 3, 29, 2, 0, 0), OF_SYNC_REASON_SCHEDULED, NULL);
}

static void
test_dst_berlin_autumn (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  /* 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00 UTC. */
  OfSettings s = mk (60, 0, 0, 230, 60);

  /* 02:30 exists twice: the window opens at the first (00:30 UTC) only. */
  check_blockout (&s, tz, utc (2026, 10, 25, 0, 29, 59), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 10, 25, 0, 30, 0), TRUE, utc (2026, 10, 25, 1, 30, 0));
  check_blockout (&s, tz, utc (2026, 10, 25, 1, 29, 59), TRUE, utc (2026, 10, 25, 1, 30, 0));
  check_blockout (&s, tz, utc (2026, 10, 25, 1, 30, 0), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 10, 25, 1, 45, 0), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 10, 26, 1, 30, 0), TRUE, utc (2026, 10, 26, 2, 30, 0));

  s = mk (60, 0, 0, 200, 60);
  check_blockout (&s, tz, utc (2026, 10, 25, 0, 0, 0), TRUE, utc (2026, 10, 25, 1, 0, 0));
  check_blockout (&s, tz, utc (2026, 10, 25, 1, 0, 0), FALSE, 0);

  s = mk (60, 0, 0, 300, 60);  /* 03:00 exists once, after the repeat */
  check_blockout (&s, tz, utc (2026, 10, 25, 2, 0, 0), TRUE, utc (2026, 10, 25, 3, 0, 0));
  check_blockout (&s, tz, utc (2026, 10, 25, 1, 59, 59), FALSE, 0);

  /* The 25-hour day leaves a 61-minute gap between 1439-minute windows. */
  s = mk (60, 0, 0, 0, 1439);
  check_blockout (&s, tz, utc (2026, 10, 24, 22, 0, 0), TRUE, utc (2026, 10, 25, 21, 59, 0));
  check_blockout (&s, tz, utc (2026, 10, 25, 21, 59, 0), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 10, 25, 22, 59, 59), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 10, 25, 23, 0, 0), TRUE, utc (2026, 10, 26, 22, 59, 0));
}

static void
test_lord_howe (void)
{
  g_autoptr(GTimeZone) tz = zone ("Australia/Lord_Howe");
  /* 2026-10-04 02:00 +10:30 -> 02:30 +11 at 2026-10-03 15:30 UTC. */
  OfSettings s = mk (60, 0, 0, 215, 30);

  check_blockout (&s, tz, utc (2026, 10, 3, 15, 29, 59), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 10, 3, 15, 30, 0), TRUE, utc (2026, 10, 3, 16, 0, 0));
  /* Normal day: 02:15 +10:30 = 15:45 UTC. */
  check_blockout (&s, tz, utc (2026, 10, 2, 15, 45, 0), TRUE, utc (2026, 10, 2, 16, 15, 0));

  /* 2026-04-05 02:00 +11 -> 01:30 +10:30 at 2026-04-04 15:00 UTC:
   * 01:45 exists twice, the window opens at the first (14:45 UTC). */
  s = mk (60, 0, 0, 145, 15);
  check_blockout (&s, tz, utc (2026, 4, 4, 14, 45, 0), TRUE, utc (2026, 4, 4, 15, 0, 0));
  check_blockout (&s, tz, utc (2026, 4, 4, 15, 15, 0), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 4, 5, 15, 15, 0), TRUE, utc (2026, 4, 5, 15, 30, 0));
}

static void
test_kathmandu (void)
{
  g_autoptr(GTimeZone) tz = zone ("Asia/Kathmandu");
  OfSettings s = mk (60, 0, 0, 0, 60);
  gint64 l = utc (2026, 1, 9, 17, 30, 0);
  OfScheduleHistory h = hist (l - DAY_US, l, l, FALSE);

  /* 00:00 +05:45 = 18:15 UTC the day before. */
  check_blockout (&s, tz, utc (2026, 1, 9, 18, 14, 59), FALSE, 0);
  check_blockout (&s, tz, utc (2026, 1, 9, 18, 15, 0), TRUE, utc (2026, 1, 9, 19, 15, 0));
  check_plan (&s, &h, tz, l, utc (2026, 1, 9, 19, 15, 0), OF_SYNC_REASON_SCHEDULED, NULL);
}

static void
test_apia (void)
{
  g_autoptr(GTimeZone) tz = zone ("Pacific/Apia");
  /* 2011-12-29 24:00 -10 -> 2011-12-31 00:00 +14 at 2011-12-30 10:00 UTC. */
  OfSettings s = mk (60, 0, 0, 1200, 60);

  check_blockout (&s, tz, utc (2011, 12, 29, 22, 0, 0), TRUE, utc (2011, 12, 29, 23, 0, 0));
  /* 2011-12-30 does not exist: no window at the end of the jump. */
  check_blockout (&s, tz, utc (2011, 12, 30, 10, 0, 0), FALSE, 0);
  check_blockout (&s, tz, utc (2011, 12, 30, 10, 30, 0), FALSE, 0);
  /* 2011-12-31 12:00 +14 = 2011-12-30 22:00 UTC. */
  check_blockout (&s, tz, utc (2011, 12, 30, 22, 0, 0), TRUE, utc (2011, 12, 30, 23, 0, 0));

  s = mk (60, 0, 0, 0, 60);
  check_blockout (&s, tz, utc (2011, 12, 29, 10, 0, 0), TRUE, utc (2011, 12, 29, 11, 0, 0));
  check_blockout (&s, tz, utc (2011, 12, 30, 10, 0, 0), TRUE, utc (2011, 12, 30, 11, 0, 0));
  check_blockout (&s, tz, utc (2011, 12, 30, 9, 59, 59), FALSE, 0);

  /* A window crossing the jump keeps its elapsed length. */
  s = mk (60, 0, 0, 2300, 120);
  check_blockout (&s, tz, utc (2011, 12, 30, 9, 0, 0), TRUE, utc (2011, 12, 30, 11, 0, 0));
  check_blockout (&s, tz, utc (2011, 12, 30, 11, 0, 0), FALSE, 0);
}

/* TZ may be a POSIX rule instead of a tz database name; it must behave
 * like the equivalent zone (Berlin's rules since 1996). */
static void
test_posix_tz_string (void)
{
  g_autoptr(GTimeZone) named = zone ("Europe/Berlin");
  g_autoptr(GTimeZone) posix = zone ("CET-1CEST,M3.5.0,M10.5.0/3");
  guint starts[] = { 0, 200, 230, 300, 2330 };
  gint64 t0 = utc (2026, 3, 20, 0, 0, 0);

  for (guint k = 0; k < G_N_ELEMENTS (starts); k++)
    {
      OfSettings s = mk (60, 0, 0, starts[k], 1439 - 300 * k);

      for (gint64 t = t0; t < t0 + 250 * DAY_US; t += 13 * MIN_US + 7)
        {
          gint64 e1 = 0, e2 = 0;

          g_assert_cmpint (of_schedule_in_blockout (&s, named, t, &e1), ==,
                           of_schedule_in_blockout (&s, posix, t, &e2));
          g_assert_cmpint (e1, ==, e2);
        }
    }
}

static void
test_state (void)
{
  g_autoptr(GTimeZone) tz = zone ("America/New_York");
  gint64 noon = utc (2026, 7, 1, 16, 0, 0);  /* 12:00 EDT */
  OfSettings s;

  s = mk (0, 0, 0, 1200, 60);
  g_assert_cmpint (of_schedule_state (&s, tz, noon), ==, OF_SYNC_STATE_DISABLED);
  s = mk (360, 0, 0, 0, 1440);
  g_assert_cmpint (of_schedule_state (&s, tz, noon), ==, OF_SYNC_STATE_DISABLED);
  s = mk (0, 0, 1, 0, 1440);
  g_assert_cmpint (of_schedule_state (&s, tz, noon), ==, OF_SYNC_STATE_BLOCKED_OUT);
  s = mk (360, 0, 0, 1200, 60);
  g_assert_cmpint (of_schedule_state (&s, tz, noon), ==, OF_SYNC_STATE_BLOCKED_OUT);
  g_assert_cmpint (of_schedule_state (&s, tz, noon - 1), ==, OF_SYNC_STATE_IDLE);
  g_assert_cmpint (of_schedule_state (&s, tz, noon + HOUR_US), ==, OF_SYNC_STATE_IDLE);
  s = mk (360, 0, 0, 1200, 0);
  g_assert_cmpint (of_schedule_state (&s, tz, noon), ==, OF_SYNC_STATE_IDLE);
}

static void
test_preview (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  OfSettings s = mk (360, 60, 0, 2200, 480);
  gint64 l = utc (2026, 3, 20, 10, 0, 0);
  OfScheduleHistory h = hist (l - DAY_US, l, l, FALSE);
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GArray) c = NULL;
  OfPlannedSync p;

  a = of_schedule_preview (&s, &h, MID, tz, l, 1000);
  g_assert_cmpuint (a->len, ==, 1000);
  g_assert_true (of_schedule_plan (&s, &h, MID, tz, l, &p));
  g_assert_cmpint (g_array_index (a, OfPlannedSync, 0).start, ==, p.start);
  g_assert_cmpint (g_array_index (a, OfPlannedSync, 0).reason, ==, p.reason);
  g_assert_cmpstr (g_array_index (a, OfPlannedSync, 0).note, ==, p.note);
  of_planned_sync_clear (&p);
  for (guint i = 0; i < a->len; i++)
    {
      OfPlannedSync *e = &g_array_index (a, OfPlannedSync, i);

      g_assert_cmpint (e->reason, ==, OF_SYNC_REASON_SCHEDULED);
      g_assert_false (of_schedule_in_blockout (&s, tz, e->start, NULL));
      if (i > 0)
        {
          OfPlannedSync *prev = &g_array_index (a, OfPlannedSync, i - 1);
          gint64 gap = e->start - prev->start;

          g_assert_cmpint (gap, >=, 360 * MIN_US);
          /* 480-minute window + 2 draws of <= 60 min, at most. */
          g_assert_cmpint (gap, <=, (360 + 60 + 480 + 60) * MIN_US);
        }
    }

  b = of_schedule_preview (&s, &h, MID, tz, l, 5000);
  g_assert_cmpuint (b->len, ==, OF_SCHEDULE_PREVIEW_MAX);
  c = of_schedule_preview (&s, &h, MID, tz, l, 0);
  g_assert_cmpuint (c->len, ==, 0);
  g_clear_pointer (&c, g_array_unref);

  /* Overdue-only schedule: every MaxTimeBetweenSyncs. */
  s = mk (0, 0, 600, 2200, 480);
  c = of_schedule_preview (&s, &h, MID, tz, l, 20);
  g_assert_cmpuint (c->len, ==, 20);
  for (guint i = 0; i < c->len; i++)
    {
      OfPlannedSync *e = &g_array_index (c, OfPlannedSync, i);

      g_assert_cmpint (e->reason, ==, OF_SYNC_REASON_OVERDUE);
      g_assert_cmpint (e->start, ==, l + (gint64) (i + 1) * 600 * MIN_US);
    }
}

/* Independent re-implementation of the documented hash. */
static gint64
model_draw_sec (const char *machine_id, gint64 anchor, guint32 purpose, gint64 max_sec)
{
  g_autoptr(GChecksum) c = NULL;
  static const char domain[] = "offlinefiles-schedule-draw-v1";
  guint8 buf[12], digest[32];
  gsize len = sizeof digest;
  guint64 x = 0, a = (guint64) anchor;

  if (max_sec <= 0)
    return 0;
  c = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (c, (const guchar *) domain, strlen (domain) + 1);
  g_checksum_update (c, (const guchar *) (machine_id ? machine_id : ""),
                     strlen (machine_id ? machine_id : "") + 1);
  for (int i = 0; i < 8; i++)
    buf[i] = (guint8) ((a >> (56 - 8 * i)) & 0xff);
  buf[8] = (guint8) (purpose >> 24);
  buf[9] = (guint8) (purpose >> 16);
  buf[10] = (guint8) (purpose >> 8);
  buf[11] = (guint8) purpose;
  g_checksum_update (c, buf, sizeof buf);
  g_checksum_get_digest (c, digest, &len);
  for (int i = 0; i < 8; i++)
    x = x * 256 + digest[i];
  return (gint64) (x % (guint64) (max_sec + 1));
}

static void
test_draw (void)
{
  GRand *r = g_rand_new_with_seed (g_test_rand_int ());
  guint same = 0;

  for (guint i = 0; i < 20000; i++)
    {
      gint64 anchor = ((gint64) g_rand_int (r) << 20) + g_rand_int (r);
      guint v = g_rand_int_range (r, 0, 3601);
      OfScheduleDrawPurpose purpose = g_rand_boolean (r) ? OF_SCHEDULE_DRAW_CYCLE
                                                         : OF_SCHEDULE_DRAW_WINDOW;
      gint64 d = of_schedule_draw_usec (MID, anchor, purpose, v);

      g_assert_cmpint (d, >=, 0);
      g_assert_cmpint (d, <=, (gint64) v * MIN_US);
      g_assert_cmpint (d % SEC_US, ==, 0);
      g_assert_cmpint (d, ==, of_schedule_draw_usec (MID, anchor, purpose, v));
      g_assert_cmpint (d, ==, model_draw_sec (MID, anchor, purpose, (gint64) v * 60) * SEC_US);
      if (v == 3600 && d == of_schedule_draw_usec ("other-machine", anchor, purpose, v))
        same++;
    }
  g_assert_cmpuint (same, <=, 5);

  /* Machine ids, anchors and purposes all change the draw. */
  g_assert_cmpint (of_schedule_draw_usec ("a", 1000, OF_SCHEDULE_DRAW_CYCLE, 3600), !=,
                   of_schedule_draw_usec ("b", 1000, OF_SCHEDULE_DRAW_CYCLE, 3600));
  g_assert_cmpint (of_schedule_draw_usec ("a", 1000, OF_SCHEDULE_DRAW_CYCLE, 3600), !=,
                   of_schedule_draw_usec ("a", 1001, OF_SCHEDULE_DRAW_CYCLE, 3600));
  g_assert_cmpint (of_schedule_draw_usec ("a", 1000, OF_SCHEDULE_DRAW_CYCLE, 3600), !=,
                   of_schedule_draw_usec ("a", 1000, OF_SCHEDULE_DRAW_WINDOW, 3600));
  g_assert_cmpint (of_schedule_draw_usec (NULL, 7, OF_SCHEDULE_DRAW_CYCLE, 3600), ==,
                   of_schedule_draw_usec ("", 7, OF_SCHEDULE_DRAW_CYCLE, 3600));
  g_assert_cmpint (of_schedule_draw_usec ("a", 7, OF_SCHEDULE_DRAW_CYCLE, 0), ==, 0);
  g_rand_free (r);
}

/* chi-square of @n draws in 10 buckets; values 0..max_sec. */
static double
chi2_10 (const gint64 *draws, guint n, gint64 max_sec)
{
  double observed[10] = { 0 }, expected[10] = { 0 }, chi2 = 0;
  gint64 values = max_sec + 1;

  for (gint64 v = 0; v < values; v++)
    expected[v * 10 / values] += (double) n / (double) values;
  for (guint i = 0; i < n; i++)
    observed[draws[i] * 10 / values] += 1;
  for (int k = 0; k < 10; k++)
    chi2 += (observed[k] - expected[k]) * (observed[k] - expected[k]) / expected[k];
  return chi2;
}

static void
test_draw_uniform (void)
{
  const guint n = 100000;
  const double critical = 27.877;  /* chi-square, 9 degrees of freedom, 99.9 % */
  g_autofree gint64 *d = g_new (gint64, n);
  guint variances[] = { 60, 3600, 7 };
  gint64 base = utc (2026, 1, 1, 0, 0, 0);

  for (guint k = 0; k < G_N_ELEMENTS (variances); k++)
    {
      double chi2;

      /* One machine over many cycles (anchors as successive last starts). */
      for (guint i = 0; i < n; i++)
        d[i] = of_schedule_draw_usec (MID, base + (gint64) i * (6 * HOUR_US + 987654321),
                                      OF_SCHEDULE_DRAW_CYCLE, variances[k]) / SEC_US;
      chi2 = chi2_10 (d, n, (gint64) variances[k] * 60);
      g_test_message ("cycles, variance %u: chi2 = %.2f", variances[k], chi2);
      g_assert_cmpfloat (chi2, <, critical);

      /* A fleet drawing for the same anchor. */
      for (guint i = 0; i < n; i++)
        {
          char id[33];

          g_snprintf (id, sizeof id, "%032x", i * 2654435761u);
          d[i] = of_schedule_draw_usec (id, base, OF_SCHEDULE_DRAW_WINDOW, variances[k]) / SEC_US;
        }
      chi2 = chi2_10 (d, n, (gint64) variances[k] * 60);
      g_test_message ("fleet, variance %u: chi2 = %.2f", variances[k], chi2);
      g_assert_cmpfloat (chi2, <, critical);
    }
}

static void
test_hops_terminate (void)
{
  const char *zones[] = { "Europe/Berlin", "Pacific/Apia", "Australia/Lord_Howe" };
  OfSettings settings[] = {
    mk (60, 3600, 0, 0, 1439),
    mk (60, 3600, 0, 2330, 1380),
    mk (1440, 3600, 0, 230, 1439),
  };
  gint64 base = utc (2011, 12, 1, 0, 0, 0);
  gint64 t0 = g_get_monotonic_time ();
  guint plans = 0;

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(GTimeZone) tz = zone (zones[z]);

      for (guint k = 0; k < G_N_ELEMENTS (settings); k++)
        {
          OfScheduleHistory h = hist (base - DAY_US, base, base, FALSE);
          g_autoptr(GArray) a = of_schedule_preview (&settings[k], &h, MID, tz, base, 1000);

          g_assert_cmpuint (a->len, ==, 1000);
          for (guint i = 0; i < a->len; i++)
            g_assert_false (of_schedule_in_blockout (&settings[k], tz,
                                                     g_array_index (a, OfPlannedSync, i).start,
                                                     NULL));
          plans += a->len;
        }
    }
  g_test_message ("%u plans with 23- and 24-hour windows in %.3f s", plans,
                  (g_get_monotonic_time () - t0) / 1e6);
  /* Generous even under sanitizers: about 0.1 ms per plan without. */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 30 * G_USEC_PER_SEC);
}

static void
test_hostile (void)
{
  g_autoptr(GTimeZone) tz = zone ("Europe/Berlin");
  gint64 times[] = { G_MININT64, -1, 0, 1, G_MAXINT64, G_MAXINT64 - 1,
                     OF_SCHEDULE_TIME_MAX, OF_SCHEDULE_TIME_MAX + 1 };
  OfSettings settings[] = {
    mk (65535, 65535, 65535, 65535, 65535),
    mk (1440, 3600, 65535, 2400, 1439),
    mk (1, 3600, 1, 2359, 1),
    mk (1, 0, 0, 9999, 700),
  };

  for (guint k = 0; k < G_N_ELEMENTS (settings); k++)
    for (guint a = 0; a < G_N_ELEMENTS (times); a++)
      for (guint b = 0; b < G_N_ELEMENTS (times); b++)
        {
          OfScheduleHistory h = hist (times[a], times[b], times[(a + b) % G_N_ELEMENTS (times)],
                                      (a + b) % 2);
          gint64 now = times[(a * 3 + b) % G_N_ELEMENTS (times)];
          g_autoptr(GArray) p = of_schedule_preview (&settings[k], &h, MID, tz, now, 3);

          of_schedule_state (&settings[k], tz, now);
          of_schedule_in_blockout (&settings[k], tz, now, NULL);
          g_assert_cmpuint (p->len, ==, 3);
          for (guint i = 0; i < p->len; i++)
            {
              gint64 t = g_array_index (p, OfPlannedSync, i).start;

              g_assert_cmpint (t, >=, 0);
              g_assert_cmpint (t, <, OF_SCHEDULE_TIME_MAX + 200 * DAY_US);
            }
        }
}

/* ---- the naive model ---------------------------------------------------- */

#define MODEL_LO_SEC  G_GINT64_CONSTANT (1199145600)  /* 2008-01-01 */
#define MODEL_HI_SEC  G_GINT64_CONSTANT (2019686400)  /* 2034-01-01 */
#define CASE_LO_US    (G_GINT64_CONSTANT (1230768000) * SEC_US)  /* 2009-01-01 */
#define CASE_HI_US    (G_GINT64_CONSTANT (1924992000) * SEC_US)  /* 2031-01-01 */

typedef struct {
  const char *name;
  GTimeZone  *tz;
  GArray     *at;   /* gint64: UTC seconds at which the offset changes */
  GArray     *off;  /* gint64: offset from at[i] on */
  gint64      off0; /* offset before at[0] */
} MZone;

static gint64
gdt_offset (GTimeZone *tz, gint64 utc_sec)
{
  g_autoptr(GDateTime) u = g_date_time_new_from_unix_utc (utc_sec);
  g_autoptr(GDateTime) l = g_date_time_to_timezone (u, tz);

  return g_date_time_get_utc_offset (l) / SEC_US;
}

static void
mzone_init (MZone *z, const char *name)
{
  gint64 prev;

  z->name = name;
  z->tz = zone (name);
  z->at = g_array_new (FALSE, FALSE, sizeof (gint64));
  z->off = g_array_new (FALSE, FALSE, sizeof (gint64));
  z->off0 = prev = gdt_offset (z->tz, MODEL_LO_SEC);

  for (gint64 h = MODEL_LO_SEC; h < MODEL_HI_SEC; h += 3600)
    {
      gint64 next = gdt_offset (z->tz, h + 3600);

      if (next == prev)
        continue;
      for (gint64 m = h + 60; m <= h + 3600; m += 60)
        {
          gint64 o = gdt_offset (z->tz, m);

          if (o == prev)
            continue;
          /* The model assumes whole-minute transitions and offsets, and at
           * most one change per hour; check it. */
          g_assert_cmpint (gdt_offset (z->tz, m - 1), ==, prev);
          g_assert_cmpint (o, ==, next);
          g_assert_cmpint (o % 60, ==, 0);
          g_array_append_val (z->at, m);
          g_array_append_val (z->off, o);
          break;
        }
      prev = next;
    }
}

static void
mzone_clear (MZone *z)
{
  g_time_zone_unref (z->tz);
  g_array_unref (z->at);
  g_array_unref (z->off);
}

static gint64
model_wall (const MZone *z, gint64 u)
{
  guint lo = 0, hi = z->at->len;

  g_assert_cmpint (u, >=, MODEL_LO_SEC);
  g_assert_cmpint (u, <, MODEL_HI_SEC);
  while (lo < hi)  /* number of transitions <= u */
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (z->at, gint64, mid) <= u)
        lo = mid + 1;
      else
        hi = mid;
    }
  return u + (lo == 0 ? z->off0 : g_array_index (z->off, gint64, lo - 1));
}

/* The first whole minute at which the local clock shows @wall or later,
 * found by stepping minute by minute.  Clocks in the modelled zones never go
 * back more than an hour, so starting where the clock shows more than an
 * hour less, no earlier instant can show @wall. */
static gint64
model_first_minute (const MZone *z, gint64 wall)
{
  gint64 u = wall - (model_wall (z, wall) - wall) - 70 * 60;

  while (model_wall (z, u) >= wall - 61 * 60)
    u -= 3600;
  while (model_wall (z, u) < wall)
    u += 60;
  return u;
}

typedef struct {
  const MZone *z;
  const OfSettings *s;
  const char *mid;
  gint64 start_min;  /* minutes after midnight */
  gint64 dur_us;
  struct { gint64 day; gboolean valid, exists; gint64 open; } cache[64];
} Model;

static void
model_init (Model *m, const MZone *z, const OfSettings *s, const char *mid)
{
  memset (m, 0, sizeof *m);
  m->z = z;
  m->s = s;
  m->mid = mid;
  m->start_min = s->block_out_start == 2400 ? 0
               : (s->block_out_start / 100) * 60 + s->block_out_start % 100;
  m->dur_us = (gint64) s->block_out_duration * MIN_US;
}

/* The window of local day @day: FALSE if the day does not exist. */
static gboolean
model_window (Model *m, gint64 day, gint64 *open_us)
{
  guint slot = (guint) (day & 63);

  if (!m->cache[slot].valid || m->cache[slot].day != day)
    {
      gint64 midnight = model_first_minute (m->z, day * 86400);

      m->cache[slot].valid = TRUE;
      m->cache[slot].day = day;
      m->cache[slot].exists = model_wall (m->z, midnight) < (day + 1) * 86400;
      m->cache[slot].open = model_first_minute (m->z, day * 86400 + m->start_min * 60) * SEC_US;
    }
  *open_us = m->cache[slot].open;
  return m->cache[slot].exists;
}

static gint64
floor_to (gint64 a, gint64 b)
{
  return (a >= 0 ? a / b : -((-a + b - 1) / b)) * b;
}

static gboolean
model_blocked (Model *m, gint64 t)
{
  gint64 day;

  if (m->s->block_out_duration == 0)
    return FALSE;
  if (m->s->block_out_duration >= 1440)
    return TRUE;
  day = floor_to (model_wall (m->z, floor_to (t, SEC_US) / SEC_US), 86400) / 86400;
  for (gint64 d = day - 3; d <= day + 1; d++)
    {
      gint64 open;

      if (model_window (m, d, &open) && open <= t && t < open + m->dur_us)
        return TRUE;
    }
  return FALSE;
}

/* First instant after blocked @t at which no window is open: windows open
 * and close on whole minutes here, so step minute by minute. */
static gint64
model_block_end (Model *m, gint64 t)
{
  gint64 u = floor_to (t, MIN_US) + MIN_US;

  for (guint n = 0; n < 10 * 1440; n++, u += MIN_US)
    if (!model_blocked (m, u))
      return u;
  g_error ("model: no end of blockout after %" G_GINT64_FORMAT, t);
}

static gint64
model_next_open (Model *m, gint64 end)
{
  gint64 u = end + MIN_US;

  for (guint n = 0; n < 5 * 1440; n++, u += MIN_US)
    if (model_blocked (m, u))
      return u;
  g_error ("model: no window after %" G_GINT64_FORMAT, end);
}

static gint64
model_leave (Model *m, gint64 t, gboolean *moved)
{
  *moved = FALSE;
  for (guint hop = 1; ; hop++)
    {
      gint64 end, max_sec = (gint64) m->s->sync_variance * 60;

      if (!model_blocked (m, t))
        return t;
      *moved = TRUE;
      end = model_block_end (m, t);
      if (hop == OF_SCHEDULE_WINDOW_HOPS)
        max_sec = MIN (max_sec, (model_next_open (m, end) - end) / SEC_US - 1);
      t = end + model_draw_sec (m->mid, end, OF_SCHEDULE_DRAW_WINDOW, max_sec) * SEC_US;
      if (hop == OF_SCHEDULE_WINDOW_HOPS)
        return t;
    }
}

static gboolean
model_plan (Model *m, const OfScheduleHistory *h, gint64 now, gint64 *start, OfSyncReason *reason)
{
  const OfSettings *s = m->s;
  gboolean has_r = FALSE, has_o = FALSE, moved;
  gint64 r = 0, o = 0;
  OfSyncReason r_reason = OF_SYNC_REASON_SCHEDULED;

  if (s->max_time_between_syncs == 0 && (s->sync_interval == 0 || s->block_out_duration >= 1440))
    return FALSE;

  if (s->sync_interval > 0 && s->block_out_duration < 1440)
    {
      gint64 due;

      if (h->last_start == 0)
        due = h->first_start + model_draw_sec (m->mid, h->first_start, OF_SCHEDULE_DRAW_CYCLE,
                                               s->sync_variance * 60) * SEC_US;
      else
        due = h->last_start + s->sync_interval * MIN_US
              + model_draw_sec (m->mid, h->last_start, OF_SCHEDULE_DRAW_CYCLE,
                                s->sync_variance * 60) * SEC_US;
      has_r = TRUE;
      r = model_leave (m, due, &moved);
      if (r < now - SLACK)
        {
          r = model_leave (m, now, &moved);
          r_reason = OF_SYNC_REASON_CATCH_UP;
        }
    }
  if (s->max_time_between_syncs > 0)
    {
      has_o = TRUE;
      o = (h->last_success_start ? h->last_success_start : h->first_start)
          + s->max_time_between_syncs * MIN_US;
      if (h->last_was_failed_overdue && h->last_start != 0)
        o = MAX (o, h->last_start + (s->sync_interval ? s->sync_interval : 60) * MIN_US);
      if (o < now - SLACK)
        o = now;
    }
  if (has_o && (!has_r || o <= r))
    {
      *start = o;
      *reason = OF_SYNC_REASON_OVERDUE;
    }
  else
    {
      *start = r;
      *reason = r_reason;
    }
  return TRUE;
}

/* ---- random cases ------------------------------------------------------- */

static const char *const model_zones[] = {
  "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
  "Asia/Kathmandu", "Pacific/Apia",
};

typedef struct {
  guint seed;
  MZone zones[G_N_ELEMENTS (model_zones)];
} ModelWorld;

static ModelWorld *world;

static ModelWorld *
model_world (void)
{
  if (world == NULL)
    {
      const char *env = g_getenv ("OF_SCHEDULE_SEED");
      gint64 t0 = g_get_monotonic_time ();

      world = g_new0 (ModelWorld, 1);
      world->seed = env != NULL ? (guint) strtoul (env, NULL, 10) : (guint) g_test_rand_int ();
      for (guint i = 0; i < G_N_ELEMENTS (model_zones); i++)
        mzone_init (&world->zones[i], model_zones[i]);
      g_test_message ("model zones built in %.3f s; seed %u (OF_SCHEDULE_SEED to replay)",
                      (g_get_monotonic_time () - t0) / 1e6, world->seed);
    }
  return world;
}

static gint64
rand_range (GRand *r, gint64 lo, gint64 hi)  /* [lo, hi) */
{
  guint64 x = ((guint64) g_rand_int (r) << 32) | g_rand_int (r);

  g_assert_cmpint (hi, >, lo);
  return lo + (gint64) (x % (guint64) (hi - lo));
}

static guint
pick (GRand *r, const guint *values, guint n)
{
  return values[g_rand_int_range (r, 0, (gint32) n)];
}

typedef struct {
  const MZone       *z;
  OfSettings         s;
  OfScheduleHistory  h;
  gint64             now;
} Case;

static void
random_case (GRand *r, ModelWorld *w, Case *c)
{
  static const guint intervals[] = { 0, 1, 15, 60, 360, 720, 1440 };
  static const guint variances[] = { 0, 1, 60, 600, 3600 };
  static const guint maxes[] = { 1, 60, 600, 1440, 10080, 65535 };
  static const guint starts[] = { 0, 2400, 100, 130, 145, 200, 215, 230, 259, 300,
                                  330, 400, 2330, 2359, 1200, 1745 };
  static const guint durations[] = { 1, 30, 60, 120, 480, 1380, 1439, 1440 };
  const MZone *z = &w->zones[g_rand_int_range (r, 0, G_N_ELEMENTS (model_zones))];
  OfSettings *s = &c->s;
  gint64 focus, cycle;
  int p;

  memset (c, 0, sizeof *c);
  c->z = z;
  s->sync_interval = g_rand_boolean (r) ? pick (r, intervals, G_N_ELEMENTS (intervals))
                                        : (guint) g_rand_int_range (r, 0, 1441);
  s->sync_variance = g_rand_boolean (r) ? pick (r, variances, G_N_ELEMENTS (variances))
                                        : (guint) g_rand_int_range (r, 0, 3601);
  p = g_rand_int_range (r, 0, 10);
  s->max_time_between_syncs = p < 4 ? 0 : p < 7 ? pick (r, maxes, G_N_ELEMENTS (maxes))
                                                : (guint) g_rand_int_range (r, 1, 65536);
  s->block_out_start = g_rand_boolean (r) ? pick (r, starts, G_N_ELEMENTS (starts))
                                          : (guint) (g_rand_int_range (r, 0, 24) * 100
                                                     + g_rand_int_range (r, 0, 60));
  p = g_rand_int_range (r, 0, 10);
  s->block_out_duration = p < 2 ? 0 : p < 6 ? pick (r, durations, G_N_ELEMENTS (durations))
                                            : (guint) g_rand_int_range (r, 0, 1441);

  /* Around a transition of the zone (Apia's lost day included), or anywhere. */
  p = g_rand_int_range (r, 0, 20);
  if (z->at->len > 0 && p < 10)
    {
      guint i = g_rand_int_range (r, 0, z->at->len);
      gint64 at = g_array_index (z->at, gint64, i) * SEC_US;

      if (strcmp (z->name, "Pacific/Apia") == 0 && p < 3)
        at = G_GINT64_CONSTANT (1325239200) * SEC_US;
      focus = at + rand_range (r, -3 * DAY_US, 3 * DAY_US);
    }
  else
    focus = rand_range (r, CASE_LO_US, CASE_HI_US);
  focus = CLAMP (focus, CASE_LO_US, CASE_HI_US);

  c->now = focus;
  cycle = ((gint64) s->sync_interval + s->sync_variance) * MIN_US;
  c->h.first_start = focus - rand_range (r, 0, 90 * DAY_US);
  p = g_rand_int_range (r, 0, 100);
  if (p < 15)
    ; /* never synced */
  else
    {
      if (p < 18)  /* the clock went back */
        c->h.last_start = focus + rand_range (r, 0, 2 * DAY_US);
      else
        c->h.last_start = focus - rand_range (r, 0, cycle + 2 * DAY_US + 1);
      p = g_rand_int_range (r, 0, 10);
      c->h.last_success_start = p < 3 ? 0 : p < 7 ? c->h.last_start
                                : c->h.last_start - rand_range (r, 0, 60 * DAY_US);
      c->h.last_was_failed_overdue = g_rand_int_range (r, 0, 4) == 0;
    }

  /* Sometimes put `now` right at the regular due time, around the slack. */
  if (g_rand_int_range (r, 0, 10) == 0 && s->sync_interval > 0)
    {
      gint64 anchor = c->h.last_start ? c->h.last_start : c->h.first_start;
      gint64 due = (c->h.last_start ? c->h.last_start + s->sync_interval * MIN_US
                                    : c->h.first_start)
                   + model_draw_sec (MID, anchor, OF_SCHEDULE_DRAW_CYCLE,
                                     s->sync_variance * 60) * SEC_US;

      c->now = due + rand_range (r, -2 * SLACK, 2 * SLACK);
    }
}

static void
print_case (const Case *c, guint seed, guint index)
{
  g_autofree char *now = fmt (c->z->tz, c->now);
  g_autofree char *first = fmt (c->z->tz, c->h.first_start);
  g_autofree char *last = fmt (c->z->tz, c->h.last_start);
  g_autofree char *success = fmt (c->z->tz, c->h.last_success_start);

  g_printerr ("seed %u case %u zone %s\n"
              "  SyncInterval=%u SyncVariance=%u MaxTimeBetweenSyncs=%u "
              "BlockOutStartTimeHoursMinutes=%u BlockOutDurationMin=%u\n"
              "  first_start %s\n  last_start %s\n  last_success_start %s\n"
              "  last_was_failed_overdue %d\n  now %s\n",
              seed, index, c->z->name, c->s.sync_interval, c->s.sync_variance,
              c->s.max_time_between_syncs, c->s.block_out_start, c->s.block_out_duration,
              first, last, success, c->h.last_was_failed_overdue, now);
}

static void
test_model (void)
{
  ModelWorld *w = model_world ();
  GRand *r = g_rand_new_with_seed (w->seed);
  const guint n = 100000;
  guint per_reason[3] = { 0 }, planned = 0, moved = 0, blocked_checks = 0;
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      Case c;
      Model m;
      OfPlannedSync p;
      gboolean got, want;
      gint64 want_start = 0;
      OfSyncReason want_reason = OF_SYNC_REASON_SCHEDULED;
      gint64 probe;

      random_case (r, w, &c);
      model_init (&m, c.z, &c.s, MID);
      want = model_plan (&m, &c.h, c.now, &want_start, &want_reason);
      got = of_schedule_plan (&c.s, &c.h, MID, c.z->tz, c.now, &p);

      if (got != want || (got && (p.start != want_start || p.reason != want_reason)))
        {
          g_autofree char *gs = fmt (c.z->tz, p.start);
          g_autofree char *ws = fmt (c.z->tz, want_start);

          print_case (&c, w->seed, i);
          g_printerr ("  module: %d %s %s (%s)\n  model:  %d %s %s\n", got, gs,
                      of_sync_reason_to_string (p.reason), p.note ? p.note : "",
                      want, ws, of_sync_reason_to_string (want_reason));
          g_error ("module and model disagree (OF_SCHEDULE_SEED=%u)", w->seed);
        }
      if (got)
        {
          planned++;
          per_reason[p.reason]++;
          if (p.note != NULL && strstr (p.note, "moved") != NULL)
            moved++;
        }
      of_planned_sync_clear (&p);

      /* Window membership and State at `now` and at a random nearby time. */
      for (int k = 0; k < 2; k++)
        {
          gboolean in;
          gint64 end = 0;

          probe = k == 0 ? c.now : c.now + rand_range (r, -DAY_US, DAY_US);
          in = of_schedule_in_blockout (&c.s, c.z->tz, probe, &end);
          if (in != model_blocked (&m, probe) ||
              (in && c.s.block_out_duration < 1440 && end != model_block_end (&m, probe)))
            {
              g_autofree char *ps = fmt (c.z->tz, probe);
              g_autofree char *es = fmt (c.z->tz, end);

              print_case (&c, w->seed, i);
              g_error ("in_blockout (%s) = %d end %s; model disagrees", ps, in, es);
            }
          blocked_checks += in;
        }
      g_assert_cmpint (of_schedule_state (&c.s, c.z->tz, c.now), ==,
                       !want ? OF_SYNC_STATE_DISABLED
                             : model_blocked (&m, c.now) ? OF_SYNC_STATE_BLOCKED_OUT
                                                         : OF_SYNC_STATE_IDLE);
    }
  g_test_message ("%u cases in %.2f s: %u planned (scheduled %u, overdue %u, catch-up %u), "
                  "%u moved out of a window, %u blocked probes",
                  n, (g_get_monotonic_time () - t0) / 1e6, planned, per_reason[0],
                  per_reason[1], per_reason[2], moved, blocked_checks);
  /* The generator must reach every rule. */
  g_assert_cmpuint (per_reason[OF_SYNC_REASON_SCHEDULED], >, n / 20);
  g_assert_cmpuint (per_reason[OF_SYNC_REASON_OVERDUE], >, n / 20);
  g_assert_cmpuint (per_reason[OF_SYNC_REASON_CATCH_UP], >, n / 20);
  g_assert_cmpuint (moved, >, n / 50);
  g_rand_free (r);
}

/* ---- properties --------------------------------------------------------- */

static void
test_properties (void)
{
  ModelWorld *w = model_world ();
  GRand *r = g_rand_new_with_seed (w->seed ^ 0x5bd1e995u);
  const guint n = 20000;

  for (guint i = 0; i < n; i++)
    {
      Case c;
      Model m;
      OfPlannedSync p;
      const OfSettings *s = &c.s;

      random_case (r, w, &c);
      model_init (&m, c.z, &c.s, MID);
      if (!of_schedule_plan (s, &c.h, MID, c.z->tz, c.now, &p))
        {
          g_assert_true (s->max_time_between_syncs == 0 &&
                         (s->sync_interval == 0 || s->block_out_duration == 1440));
          continue;
        }

      /* Never inside a window unless overdue (checked with the model too). */
      if (p.reason != OF_SYNC_REASON_OVERDUE)
        {
          g_assert_false (of_schedule_in_blockout (s, c.z->tz, p.start, NULL));
          g_assert_false (model_blocked (&m, p.start));
        }
      /* Never before the interval has passed since the last start. */
      if (p.reason == OF_SYNC_REASON_SCHEDULED)
        {
          if (c.h.last_start != 0)
            g_assert_cmpint (p.start, >=, c.h.last_start + s->sync_interval * MIN_US);
          else
            g_assert_cmpint (p.start, >=, c.h.first_start);
        }
      /* Never a missed time; catch-up not before now. */
      g_assert_cmpint (p.start, >=, c.now - SLACK);
      if (p.reason == OF_SYNC_REASON_CATCH_UP)
        g_assert_cmpint (p.start, >=, c.now);
      if (s->max_time_between_syncs > 0 && !c.h.last_was_failed_overdue)
        g_assert_cmpint (p.start, <=,
                         MAX (c.now, (c.h.last_success_start ? c.h.last_success_start
                                                             : c.h.first_start)
                                     + s->max_time_between_syncs * MIN_US));

      /* Preview: first == plan, strictly increasing, same properties. */
      if (i % 40 == 0)
        {
          g_autoptr(GArray) a = of_schedule_preview (s, &c.h, MID, c.z->tz, c.now, 30);

          g_assert_cmpuint (a->len, ==, 30);
          g_assert_cmpint (g_array_index (a, OfPlannedSync, 0).start, ==, p.start);
          g_assert_cmpint (g_array_index (a, OfPlannedSync, 0).reason, ==, p.reason);
          g_assert_cmpstr (g_array_index (a, OfPlannedSync, 0).note, ==, p.note);
          for (guint j = 1; j < a->len; j++)
            {
              OfPlannedSync *e = &g_array_index (a, OfPlannedSync, j);
              gint64 prev = g_array_index (a, OfPlannedSync, j - 1).start;

              g_assert_cmpint (e->start, >, prev);
              g_assert_cmpint (e->reason, !=, OF_SYNC_REASON_CATCH_UP);
              if (e->reason == OF_SYNC_REASON_SCHEDULED)
                {
                  g_assert_cmpint (e->start, >=, prev + s->sync_interval * MIN_US);
                  g_assert_false (model_blocked (&m, e->start));
                }
              else
                g_assert_cmpint (e->start, ==, prev + s->max_time_between_syncs * MIN_US);
            }
        }
      of_planned_sync_clear (&p);
    }
  g_rand_free (r);
}


/* of_schedule_next_state_change: the daemon's wake-up for State. */
static void
test_next_state_change (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) noon = g_date_time_new (berlin, 2026, 6, 10, 12, 0, 0);
  g_autoptr(GDateTime) ten_pm = g_date_time_new (berlin, 2026, 6, 10, 22, 0, 0);
  g_autoptr(GDateTime) six_am = g_date_time_new (berlin, 2026, 6, 11, 6, 0, 0);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  OfSettings s;

  of_settings_init_defaults (&s);
  g_assert_cmpint (of_schedule_next_state_change (&s, berlin, g_date_time_to_unix (noon) * G_USEC_PER_SEC), ==, 0);

  s.block_out_start = 2200;
  s.block_out_duration = 480;
  g_assert_cmpint (of_schedule_next_state_change (&s, berlin, g_date_time_to_unix (noon) * G_USEC_PER_SEC),
                   ==, g_date_time_to_unix (ten_pm) * G_USEC_PER_SEC);
  g_assert_cmpint (of_schedule_next_state_change (&s, berlin, g_date_time_to_unix (ten_pm) * G_USEC_PER_SEC + 1),
                   ==, g_date_time_to_unix (six_am) * G_USEC_PER_SEC);

  s.block_out_duration = 1440;
  g_assert_cmpint (of_schedule_next_state_change (&s, berlin, g_date_time_to_unix (noon) * G_USEC_PER_SEC), ==, 0);

  /* Random: the state holds until the change, and changes there. */
  for (int i = 0; i < 2000; i++)
    {
      gint64 now = (gint64) g_rand_int_range (rand, 1262304000, 1893456000) * G_USEC_PER_SEC;
      gint64 change;
      gboolean before;

      s.block_out_start = (guint16) (g_rand_int_range (rand, 0, 24) * 100 + g_rand_int_range (rand, 0, 60));
      s.block_out_duration = (guint16) g_rand_int_range (rand, 1, 1440);
      s.max_time_between_syncs = 1;
      change = of_schedule_next_state_change (&s, berlin, now);
      before = of_schedule_in_blockout (&s, berlin, now, NULL);
      g_assert_cmpint (change, >, now);
      g_assert_cmpint (of_schedule_in_blockout (&s, berlin, change, NULL), !=, before);
      for (int k = 1; k < 20; k++)
        g_assert_cmpint (of_schedule_in_blockout (&s, berlin, now + (change - 1 - now) / 20 * k, NULL), ==, before);
      g_assert_cmpint (of_schedule_in_blockout (&s, berlin, change - 1, NULL), ==, before);
    }
}

/* docs/behaviour.md §14: which due syncs are held back, and why. */
static void
test_defer (void)
{
  const OfSyncReason background[] = { OF_SYNC_REASON_SCHEDULED, OF_SYNC_REASON_CATCH_UP, OF_SYNC_REASON_OVERDUE };
  OfSettings s;

  of_settings_init_defaults (&s);
  for (guint i = 0; i < G_N_ELEMENTS (background); i++)
    {
      OfSyncReason r = background[i];

      g_assert_cmpint (of_schedule_defer_reason (&s, r, FALSE, FALSE), ==, OF_DEFER_NONE);
      /* Defaults: no syncs on a metered network, syncs on battery. */
      g_assert_cmpint (of_schedule_defer_reason (&s, r, TRUE, FALSE), ==, OF_DEFER_COSTED_NETWORK);
      g_assert_cmpint (of_schedule_defer_reason (&s, r, FALSE, TRUE), ==, OF_DEFER_NONE);
      s.sync_on_battery_enabled = FALSE;
      g_assert_cmpint (of_schedule_defer_reason (&s, r, FALSE, TRUE), ==, OF_DEFER_ON_BATTERY);
      /* Both: the network is named first. */
      g_assert_cmpint (of_schedule_defer_reason (&s, r, TRUE, TRUE), ==, OF_DEFER_COSTED_NETWORK);
      s.sync_on_costed_network_enabled = TRUE;
      g_assert_cmpint (of_schedule_defer_reason (&s, r, TRUE, TRUE), ==, OF_DEFER_ON_BATTERY);
      g_assert_cmpint (of_schedule_defer_reason (&s, r, TRUE, FALSE), ==, OF_DEFER_NONE);
      of_settings_init_defaults (&s);
    }
  /* MaxTimeBetweenSyncs does not override deferral. */
  s.max_time_between_syncs = 1;
  g_assert_cmpint (of_schedule_defer_reason (&s, OF_SYNC_REASON_OVERDUE, TRUE, FALSE), ==, OF_DEFER_COSTED_NETWORK);
  /* A manual sync is never held back. */
  s.sync_on_battery_enabled = FALSE;
  g_assert_cmpint (of_schedule_defer_reason (&s, OF_SYNC_REASON_MANUAL, TRUE, TRUE), ==, OF_DEFER_NONE);
  g_assert_cmpstr (of_defer_reason_to_string (OF_DEFER_NONE), ==, "");
  g_assert_cmpstr (of_defer_reason_to_string (OF_DEFER_COSTED_NETWORK), ==, "costed-network");
  g_assert_cmpstr (of_defer_reason_to_string (OF_DEFER_ON_BATTERY), ==, "on-battery");
  g_assert_cmpstr (of_sync_state_to_string (OF_SYNC_STATE_DEFERRED), ==, "deferred");
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schedule/strings", test_strings);
  g_test_add_func ("/schedule/interval-variance", test_interval_variance);
  g_test_add_func ("/schedule/never-synced", test_never_synced);
  g_test_add_func ("/schedule/interval-zero", test_interval_zero);
  g_test_add_func ("/schedule/variance-zero", test_variance_zero);
  g_test_add_func ("/schedule/window/midnight", test_window_midnight);
  g_test_add_func ("/schedule/window/2400", test_window_2400);
  g_test_add_func ("/schedule/window/whole-day", test_whole_day);
  g_test_add_func ("/schedule/window/hops-terminate", test_hops_terminate);
  g_test_add_func ("/schedule/overdue/overrides-window", test_overdue_overrides_window);
  g_test_add_func ("/schedule/overdue/failed-no-retry-storm", test_failed_overdue);
  g_test_add_func ("/schedule/catch-up", test_catch_up);
  g_test_add_func ("/schedule/dst/berlin-spring", test_dst_berlin_spring);
  g_test_add_func ("/schedule/dst/berlin-autumn", test_dst_berlin_autumn);
  g_test_add_func ("/schedule/dst/lord-howe", test_lord_howe);
  g_test_add_func ("/schedule/zone/kathmandu", test_kathmandu);
  g_test_add_func ("/schedule/zone/apia-lost-day", test_apia);
  g_test_add_func ("/schedule/zone/posix-tz-string", test_posix_tz_string);
  g_test_add_func ("/schedule/state", test_state);
  g_test_add_func ("/schedule/next-state-change", test_next_state_change);
  g_test_add_func ("/schedule/preview", test_preview);
  g_test_add_func ("/schedule/hostile-input", test_hostile);
  g_test_add_func ("/schedule/draw/stable", test_draw);
  g_test_add_func ("/schedule/draw/uniform", test_draw_uniform);
  g_test_add_func ("/schedule/model", test_model);
  g_test_add_func ("/schedule/properties", test_properties);
  g_test_add_func ("/schedule/defer", test_defer);

  ret = g_test_run ();

  if (world != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (model_zones); i++)
        mzone_clear (&world->zones[i]);
      g_clear_pointer (&world, g_free);
    }
  return ret;
}
