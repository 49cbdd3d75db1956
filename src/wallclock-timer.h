/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wallclock-timer.h — one absolute wall-clock deadline as a GSource, plus
 * notice of wall-clock jumps and time-zone changes.
 *
 * Why not g_timeout_add(): GLib timeouts run on CLOCK_MONOTONIC, which stops
 * during suspend and ignores clock steps, so a sync due at 02:00 would fire
 * late after a suspend or never notice that NTP moved the clock.  docs/behaviour.md §4
 * ("Idle") wants wall-clock deadlines, one timer, no polling, and a re-plan
 * when the clock or the time zone changes.  This module is the only place
 * that talks to the kernel about that; the schedule's arithmetic stays pure.
 *
 * OfWallclockTimer wraps a CLOCK_REALTIME timerfd armed with
 * TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET: the kernel wakes us at the
 * deadline (also right after a resume that passed it) and at once on any
 * discontinuous change of the wall clock (settime, NTP step, and — on the
 * kernels we know — every resume from suspend).  While disarmed or waiting
 * it causes no wake-ups at all.
 *
 * OfTimezoneMonitor watches /etc/localtime (GLib's inotify backend watches
 * its directory, so replacing the symlink is seen) and reports a change once
 * per burst of events.
 *
 * Both objects live in the thread-default main context that was current
 * when they were created, and are not thread-safe: use them from the thread
 * that runs that context.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  /* The armed deadline has been reached; the timer is now disarmed. */
  OF_WALLCLOCK_EVENT_DEADLINE,
  /* The wall clock jumped (or the system resumed).  Any deadline stays
   * armed: if the jump carried us past it, DEADLINE follows on the next
   * main-loop iteration unless the callback re-arms first. */
  OF_WALLCLOCK_EVENT_CLOCK_CHANGED,
} OfWallclockEvent;

typedef void (*OfWallclockFunc) (OfWallclockEvent event,
                                 gpointer         user_data);

typedef struct _OfWallclockTimer OfWallclockTimer;

/* Creates a disarmed timer attached to the thread-default main context; it
 * already reports clock changes.  Fails (G_IO_ERROR, from errno) only when
 * the timerfd cannot be created. */
OfWallclockTimer *of_wallclock_timer_new          (OfWallclockFunc   func,
                                                   gpointer          user_data,
                                                   GError          **error);

/* Arms the timer for @deadline_usec, microseconds since the Unix epoch
 * (UTC, as g_get_real_time()), which must be > 0.  Replaces any previous
 * deadline: the old one will not fire, even if it expired and was not yet
 * dispatched.  A deadline in the past fires on the next iteration. */
void              of_wallclock_timer_arm          (OfWallclockTimer *timer,
                                                   gint64            deadline_usec);

/* Drops the deadline; clock changes are still reported. */
void              of_wallclock_timer_disarm       (OfWallclockTimer *timer);

/* The armed deadline in µs since the epoch, or 0 when disarmed (also after
 * the DEADLINE event). */
gint64            of_wallclock_timer_get_deadline (OfWallclockTimer *timer);

/* Safe to call from within the callback.  NULL is ignored. */
void              of_wallclock_timer_free         (OfWallclockTimer *timer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfWallclockTimer, of_wallclock_timer_free)


typedef void (*OfTimezoneFunc) (gpointer user_data);

typedef struct _OfTimezoneMonitor OfTimezoneMonitor;

/* Watches @path (NULL means "/etc/localtime"; tests pass their own) and
 * calls @func about 100 ms after the last of a burst of changes, once.
 * Before calling it, tzset() is called so that libc's localtime_r() and
 * mktime() use the new zone.  GLib's g_time_zone_new_local() notices a new
 * zone by itself when the zone's name changes (the symlink's target).
 *
 * When TZ is set in the environment the zone comes from TZ and changes of
 * /etc/localtime do not change it; the monitor still watches and reports,
 * since a needless re-plan is harmless.  A missing @path is fine: its
 * appearance is a change. */
OfTimezoneMonitor *of_timezone_monitor_new  (const char        *path,
                                             OfTimezoneFunc     func,
                                             gpointer           user_data,
                                             GError           **error);

/* Safe to call from within the callback.  NULL is ignored. */
void               of_timezone_monitor_free (OfTimezoneMonitor *monitor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfTimezoneMonitor, of_timezone_monitor_free)

G_END_DECLS
