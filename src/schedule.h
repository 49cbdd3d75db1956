/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* schedule.h — when the next background sync starts (docs/behaviour.md §4).
 *
 * Pure arithmetic: no I/O, no main loop, no global state, no clock.  The
 * caller passes the settings, the persisted history, the machine id, the
 * local time zone and `now`; the module answers with the next planned start,
 * its reason, the State and a preview of the following starts.  Everything
 * is deterministic, so a restart (same inputs) plans exactly the same time
 * and the tests can run it on virtual time.
 *
 * Times are wall-clock microseconds since the Unix epoch, UTC (gint64).
 * Input times are clamped to [0, OF_SCHEDULE_TIME_MAX] so a hostile state
 * file can neither overflow the arithmetic nor make it loop.
 *
 * The rules in full, with the choices docs/behaviour.md §4 only summarizes:
 *
 * Regular start.  With SyncInterval > 0:
 *   last_start != 0: due = last_start + SyncInterval + v,
 *                    v = of_schedule_draw_usec (id, last_start, CYCLE, SyncVariance)
 *   never synced:    due = first_start + v,
 *                    v = of_schedule_draw_usec (id, first_start, CYCLE, SyncVariance)
 *   SyncInterval = 0 means no regular start at all, not even the first one
 *   (only MaxTimeBetweenSyncs and SyncNow start a sync then).
 *
 * The draw.  v is a whole number of seconds, uniform in [0, variance * 60],
 *   from SHA-256 over (all integers big-endian):
 *     "offlinefiles-schedule-draw-v1" '\0' machine_id '\0' anchor(int64) purpose(uint32)
 *   the first 8 bytes of the digest as a big-endian uint64, modulo the number
 *   of possible values (bias below 2^-40).  Keyed on the machine id, it is
 *   stable across restarts and differs between machines.  A NULL machine id
 *   is the empty string.
 *
 * Blockout window.  BlockOutDurationMin = 0: no window.  Otherwise, for every
 *   local calendar day D, a window opens at the local wall time
 *   BlockOutStartTimeHoursMinutes (2400 = 0000) on D and stays open for
 *   BlockOutDurationMin *elapsed* minutes, half-open [open, open + duration).
 *   - If that wall time exists twice on D (the clock is set back), the window
 *     opens at the first occurrence; the second occurrence opens nothing.
 *     (GLib's g_date_time_new() would pick the standard-time one; we do not.)
 *   - If it does not exist (the clock jumps over it), the window opens at the
 *     first instant after the jump, i.e. at the transition.
 *   - A day that does not exist locally at all (Pacific/Apia 2011-12-30) has
 *     no window.
 *   Formally: open(D) = min { u : localwall(u) >= D + HH:MM }.
 *   On a 23-hour day two consecutive windows can overlap, on a 25-hour day
 *   the gap between them grows by an hour.  Overlapping or touching windows
 *   form one blockout; its "end" is the first instant at which no window is
 *   open.  Duration 1440 is special: the whole day, every day, is blocked out
 *   regardless of DST (no gap on 25-hour days, no end); then only overdue
 *   syncs start on their own.  Values outside the validated ranges are
 *   reduced (start modulo one day, duration capped at 1440), never trusted.
 *
 * Moving out of the window.  A start t that falls inside a blockout moves to
 *   its end E plus a fresh draw w = draw (id, E, WINDOW, SyncVariance), keyed
 *   on E (so a catch-up inside the same blockout lands on the same instant).
 *   If E + w falls into a later blockout the rule applies again.  To make
 *   this terminate quickly whatever the settings (a 1439-minute window with a
 *   3600-minute variance would otherwise need ~1440 hops and land years
 *   later), at most OF_SCHEDULE_WINDOW_HOPS draws are made: the last one is
 *   confined to the free time between E and the next window's opening,
 *   uniform in [0, min (SyncVariance, free time - 1 s)] with the same hash.
 *   The result is never inside a window.  With SyncVariance = 0 the start is
 *   exactly the end of the blockout.
 *
 * MaxTimeBetweenSyncs > 0.  The overdue deadline is
 *   (last_success_start, or first_start if there never was one) + Max.
 *   If the last sync was started as overdue and did not succeed
 *   (last_was_failed_overdue, with last_start set), the deadline is at least
 *   last_start + SyncInterval (60 minutes if SyncInterval = 0): no retry
 *   storm.  An overdue start ignores the blockout window.
 *
 * Plan.  The earlier of the window-adjusted regular start and the overdue
 *   deadline; on a tie the reason is overdue.
 *
 * Catch-up.  A window-adjusted regular start earlier than
 *   now - OF_SCHEDULE_CATCH_UP_SLACK_USEC, or earlier than
 *   history->awake_since at all (the daemon was not running, or the
 *   machine slept, when it came due — however short the gap), was missed:
 *   it becomes `now`, moved out of the window as above, with reason
 *   catch-up.  The slack is only for a running timer's own lateness.  An overdue deadline earlier than now - slack becomes
 *   `now` with reason overdue (so a passed deadline beats a catch-up).  A
 *   start within the slack keeps its time (possibly a few seconds in the
 *   past: start it at once) and its reason.
 *
 * State.  disabled when nothing can start a sync on its own:
 *   MaxTimeBetweenSyncs = 0 and (SyncInterval = 0 or duration = 1440);
 *   of_schedule_plan() returns FALSE exactly then.  Otherwise blocked-out
 *   when `now` is inside a blockout, else idle.  ("syncing" is the daemon's.)
 *
 * Deferral (docs/behaviour.md §14).  A background sync (scheduled,
 *   catch-up or overdue) that is due is held back while the network is
 *   metered and SyncOnCostedNetworkEnabled is false (costed-network, checked
 *   first), or while the machine is on battery and SyncOnBatteryEnabled is
 *   false (on-battery).  MaxTimeBetweenSyncs overrides neither: the
 *   administrator chose not to pay for the traffic or the battery; it
 *   overrides only the blockout window.  A manual sync is never held back.
 *   The plan itself ignores deferral (PreviewSchedule plans as if nothing
 *   were held back); the daemon keeps a held sync's time and reason and
 *   starts it when the condition ends.
 *
 * Preview.  Plan; then pretend that sync started at its planned time and
 *   succeeded at once (last_start = last_success_start = start, not a failed
 *   overdue, now = start) and plan again.  Starts strictly increase.
 */
#pragma once

#include <glib.h>

#include "enums.h"
#include "settings.h"

G_BEGIN_DECLS

/* A planned start this far in the past still counts as on time. */
#define OF_SCHEDULE_CATCH_UP_SLACK_USEC   (10 * G_USEC_PER_SEC)
/* Draws made at most when moving a start out of blockout windows. */
#define OF_SCHEDULE_WINDOW_HOPS           4
/* Wait after a failed overdue sync when SyncInterval is 0, in minutes. */
#define OF_SCHEDULE_OVERDUE_RETRY_MINUTES 60
/* Most entries of of_schedule_preview(). */
#define OF_SCHEDULE_PREVIEW_MAX           1000
/* Latest time accepted as input: 9999-12-31T23:59:59Z. */
#define OF_SCHEDULE_TIME_MAX              (G_GINT64_CONSTANT (253402300799) * G_USEC_PER_SEC)

/* What a draw is for; part of the hash input. */
typedef enum {
  OF_SCHEDULE_DRAW_CYCLE  = 1,  /* anchor: the cycle's last_start (or first_start) */
  OF_SCHEDULE_DRAW_WINDOW = 2,  /* anchor: the end of the blockout left */
} OfScheduleDrawPurpose;

typedef struct {
  gint64   first_start;             /* when the daemon first ran here; always set */
  gint64   last_start;              /* start of the last sync of any kind; 0 = never */
  gint64   last_success_start;      /* start of the last successful sync; 0 = never */
  gboolean last_was_failed_overdue; /* last sync started as overdue and did not succeed */
  gint64   awake_since;             /* since when the daemon has watched the clock without a
                                     * gap (start, resume, clock jump); 0 = no gap known */
} OfScheduleHistory;

typedef struct {
  gint64        start;   /* 0 when nothing is planned */
  OfSyncReason  reason;  /* scheduled, overdue or catch-up */
  char         *note;    /* owned; short English note for PreviewSchedule, "" if none */
} OfPlannedSync;

/* Frees the note and resets @planned to nothing planned. */
void            of_planned_sync_clear       (OfPlannedSync *planned);

OfSyncState of_schedule_state           (const OfSettings *settings,
                                             GTimeZone        *tz,
                                             gint64            now);

/* TRUE if @t lies inside a blockout; then *out_window_end (may be NULL) is
 * its end: the first instant at which no window is open, G_MAXINT64 for a
 * 1440-minute window.  FALSE leaves *out_window_end untouched. */
gboolean        of_schedule_in_blockout     (const OfSettings *settings,
                                             GTimeZone        *tz,
                                             gint64            t,
                                             gint64           *out_window_end);

/* The next instant after @now at which of_schedule_state() changes on its
 * own (a window opens, or the blockout ends); 0 if it never does (no
 * window, a whole-day window, or disabled).  The daemon wakes then to
 * publish State. */
gint64          of_schedule_next_state_change (const OfSettings *settings,
                                               GTimeZone        *tz,
                                               gint64            now);

/* The next background sync.  Overwrites *out (clear it first if it held a
 * note).  FALSE: nothing can start a sync on its own (State disabled); then
 * out->start is 0 and out->note NULL. */
gboolean        of_schedule_plan            (const OfSettings        *settings,
                                             const OfScheduleHistory *history,
                                             const char              *machine_id,
                                             GTimeZone               *tz,
                                             gint64                   now,
                                             OfPlannedSync           *out);

/* The next @count (at most OF_SCHEDULE_PREVIEW_MAX) planned syncs, assuming
 * each starts on time and succeeds at once; the first equals
 * of_schedule_plan().  A GArray of OfPlannedSync with a clear function set,
 * empty when nothing is planned.  Free with g_array_unref(). */
GArray         *of_schedule_preview         (const OfSettings        *settings,
                                             const OfScheduleHistory *history,
                                             const char              *machine_id,
                                             GTimeZone               *tz,
                                             gint64                   now,
                                             guint                    count);

/* Whether a sync of @reason that is due now is held back, and why. */
OfDeferReason   of_schedule_defer_reason    (const OfSettings *settings,
                                             OfSyncReason      reason,
                                             gboolean          metered,
                                             gboolean          on_battery);

/* The stable per-machine draw described above, in [0, variance_minutes * 60]
 * whole seconds, returned in microseconds. */
gint64          of_schedule_draw_usec       (const char            *machine_id,
                                             gint64                 anchor,
                                             OfScheduleDrawPurpose  purpose,
                                             guint                  variance_minutes);

G_END_DECLS
