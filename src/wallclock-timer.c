/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wallclock-timer.c — see wallclock-timer.h for why this exists.
 *
 * Kernel facts this file leans on (timerfd_create(2), fs/timerfd.c):
 *  - An absolute CLOCK_REALTIME timer fires when the wall clock reaches the
 *    deadline, however it got there (time passing, suspend, a step).
 *  - With TFD_TIMER_CANCEL_ON_SET, a discontinuous clock change makes the
 *    fd readable and the next read() fail with ECANCELED.  That read also
 *    throws away an expiry that was pending, so we must re-arm after it
 *    or a deadline that passed just before the jump would be lost.
 *  - timerfd_settime() with a change pending still arms the timer, but
 *    then fails with ECANCELED, consuming the notice: the fd is no longer
 *    readable, so that failure is our only news of the change.
 *  - An it_value of zero disarms the timer, and whether a disarmed timer
 *    still reports clock changes is not documented; so "disarmed" here
 *    means armed for the end of time, as systemd does for its time-change
 *    fd.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "offlinefiles"
#endif

#include "wallclock-timer.h"

#include <errno.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>

/* Largest time_t, whatever its width; written so that it is a constant
 * expression with no overflow for the compiler to warn about. */
#define OF_TIME_T_MAX ((time_t) ((UINTMAX_C (1) << ((sizeof (time_t) * 8) - 1)) - 1))

struct _OfWallclockTimer {
  GSource          source;   /* first: the timer is its own GSource */
  int              fd;
  gint64           deadline; /* µs since the epoch; 0 = disarmed */
  /* A change learnt outside dispatch, for the next dispatch to report. */
  gboolean         clock_changed_pending;
  OfWallclockFunc  func;
  gpointer         user_data;
};

static void
deadline_to_timespec (gint64           deadline_usec,
                      struct timespec *ts)
{
  gint64 secs = deadline_usec / G_USEC_PER_SEC;

  /* Only matters where time_t is 32 bits: past 2038 means "never" there. */
  if (secs > (gint64) OF_TIME_T_MAX)
    {
      ts->tv_sec = OF_TIME_T_MAX;
      ts->tv_nsec = 0;
      return;
    }

  ts->tv_sec = (time_t) secs;
  ts->tv_nsec = (long) (deadline_usec % G_USEC_PER_SEC) * 1000;
}

/* Reports a clock change on the next iteration, from outside dispatch. */
static void
note_clock_changed (OfWallclockTimer *self)
{
  if (self->clock_changed_pending)
    return;

  g_debug ("Wall clock changed (noticed while re-arming)");
  self->clock_changed_pending = TRUE;
  g_source_set_ready_time (&self->source, 0);
}

/* Programs the kernel from self->deadline. */
static void
timer_program (OfWallclockTimer *self)
{
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };

  if (self->deadline > 0)
    deadline_to_timespec (self->deadline, &its.it_value);
  else
    its.it_value.tv_sec = OF_TIME_T_MAX;

  if (timerfd_settime (self->fd,
                       TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
                       &its, NULL) == 0)
    return;

  if (errno == ECANCELED)
    {
      /* Armed all the same; only the notice needs passing on. */
      note_clock_changed (self);
    }
  else
    {
      /* Cannot happen with the values above; if it did we would never
       * fire, so say it loudly. */
      int errsv = errno;
      g_critical ("timerfd_settime(%" G_GINT64_FORMAT "): %s",
                  self->deadline, g_strerror (errsv));
    }
}

typedef enum {
  READ_NOTHING,
  READ_EXPIRED,
  READ_CANCELED,
} ReadResult;

static ReadResult
timer_read (OfWallclockTimer *self)
{
  guint64 expirations;
  ssize_t n;

  do
    n = read (self->fd, &expirations, sizeof expirations);
  while (n < 0 && errno == EINTR);

  if (n == (ssize_t) sizeof expirations)
    return READ_EXPIRED;
  if (n < 0 && errno == ECANCELED)
    return READ_CANCELED;
  if (n < 0 && errno != EAGAIN)
    {
      int errsv = errno;
      g_warning ("Reading the wall-clock timer: %s", g_strerror (errsv));
    }

  /* EAGAIN: the fd polled readable but a re-arm since then dropped the
   * expiry — exactly the "old deadline does not fire" we promise. */
  return READ_NOTHING;
}

static gboolean
wallclock_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  OfWallclockTimer *self = (OfWallclockTimer *) source;
  gboolean clock_changed = self->clock_changed_pending;

  (void) callback;
  (void) user_data;

  if (self->clock_changed_pending)
    {
      self->clock_changed_pending = FALSE;
      g_source_set_ready_time (source, -1);
    }

  switch (timer_read (self))
    {
    case READ_CANCELED:
      clock_changed = TRUE;
      break;

    case READ_EXPIRED:
      /* A clock change reported in this dispatch re-arms below, and the
       * (now past) deadline then fires on the next iteration; otherwise
       * this is the deadline. */
      if (!clock_changed && self->deadline > 0)
        {
          g_debug ("Wall-clock deadline %" G_GINT64_FORMAT " reached, now %"
                   G_GINT64_FORMAT, self->deadline, g_get_real_time ());
          self->deadline = 0;
          timer_program (self);
          /* Last: the callback may re-arm or free us. */
          self->func (OF_WALLCLOCK_EVENT_DEADLINE, self->user_data);
          return G_SOURCE_CONTINUE;
        }
      break;

    case READ_NOTHING:
    default:
      break;
    }

  if (clock_changed)
    {
      g_debug ("Wall clock changed, now %" G_GINT64_FORMAT
               ", deadline %" G_GINT64_FORMAT,
               g_get_real_time (), self->deadline);
      /* The cancel read dropped any pending expiry; re-arming brings it
       * back if the deadline has passed, and re-enables the cancel notice. */
      timer_program (self);
      self->func (OF_WALLCLOCK_EVENT_CLOCK_CHANGED, self->user_data);
    }

  return G_SOURCE_CONTINUE;
}

static void
wallclock_finalize (GSource *source)
{
  OfWallclockTimer *self = (OfWallclockTimer *) source;

  /* GLib has dropped the fd from the context by now (destroy precedes
   * finalize), so closing it cannot confuse a poll in progress. */
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
}

static GSourceFuncs wallclock_source_funcs = {
  .prepare = NULL,   /* no timeout of our own: the fd is the only wake-up */
  .check = NULL,     /* ready whenever the fd polled readable */
  .dispatch = wallclock_dispatch,
  .finalize = wallclock_finalize,
};

OfWallclockTimer *
of_wallclock_timer_new (OfWallclockFunc   func,
                        gpointer          user_data,
                        GError          **error)
{
  OfWallclockTimer *self;
  int fd;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create a wall-clock timer: %s", g_strerror (errsv));
      return NULL;
    }

  self = (OfWallclockTimer *) g_source_new (&wallclock_source_funcs,
                                            sizeof (OfWallclockTimer));
  g_source_set_name (&self->source, "OfWallclockTimer");
  self->fd = fd;
  self->deadline = 0;
  self->clock_changed_pending = FALSE;
  self->func = func;
  self->user_data = user_data;
  g_source_add_unix_fd (&self->source, fd, G_IO_IN);

  /* Watch for clock changes from the start. */
  timer_program (self);

  g_source_attach (&self->source, g_main_context_get_thread_default ());

  g_debug ("Wall-clock timer created (fd %d)", fd);
  return self;
}

void
of_wallclock_timer_arm (OfWallclockTimer *timer,
                        gint64            deadline_usec)
{
  g_return_if_fail (timer != NULL);
  g_return_if_fail (deadline_usec > 0);

  timer->deadline = deadline_usec;
  timer_program (timer);

  g_debug ("Wall-clock timer armed for %" G_GINT64_FORMAT
           " (in %" G_GINT64_FORMAT " ms)",
           deadline_usec, (deadline_usec - g_get_real_time ()) / 1000);
}

void
of_wallclock_timer_disarm (OfWallclockTimer *timer)
{
  g_return_if_fail (timer != NULL);

  timer->deadline = 0;
  timer_program (timer);

  g_debug ("Wall-clock timer disarmed");
}

gint64
of_wallclock_timer_get_deadline (OfWallclockTimer *timer)
{
  g_return_val_if_fail (timer != NULL, 0);

  return timer->deadline;
}

void
of_wallclock_timer_free (OfWallclockTimer *timer)
{
  if (timer == NULL)
    return;

  /* When called from our own callback, GLib still holds a reference for
   * the dispatch, so the memory outlives this call; dispatch touches
   * nothing after the callback. */
  g_source_destroy (&timer->source);
  g_source_unref (&timer->source);
}


/* ---- time-zone changes ------------------------------------------------ */

#define OF_TIMEZONE_DEBOUNCE_MS 100

struct _OfTimezoneMonitor {
  GFileMonitor   *monitor;
  GMainContext   *context;   /* where the debounce timeout runs */
  GSource        *debounce;  /* pending report, or NULL */
  OfTimezoneFunc  func;
  gpointer        user_data;
};

static gboolean
timezone_debounce_done (gpointer data)
{
  OfTimezoneMonitor *self = data;

  g_clear_pointer (&self->debounce, g_source_unref);

  /* glibc re-reads the zone only in tzset() and the non-reentrant
   * localtime(); the daemon uses localtime_r()/mktime(). */
  tzset ();
  g_debug ("Time zone changed");

  /* Last: the callback may free us. */
  self->func (self->user_data);
  return G_SOURCE_REMOVE;
}

static void
timezone_file_changed (GFileMonitor      *monitor,
                       GFile             *file,
                       GFile             *other_file,
                       GFileMonitorEvent  event,
                       gpointer           data)
{
  OfTimezoneMonitor *self = data;

  (void) monitor;
  (void) file;
  (void) other_file;

  /* Mode or owner changes do not change the zone; unmount events do not
   * apply to /etc.  Everything else (write, replace, delete) may. */
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT ||
      event == G_FILE_MONITOR_EVENT_UNMOUNTED)
    return;

  /* A zone change is a burst (timedatectl writes a temporary symlink and
   * renames it; a package rewrites the file): report once, after it. */
  if (self->debounce != NULL)
    {
      g_source_destroy (self->debounce);
      g_clear_pointer (&self->debounce, g_source_unref);
    }

  self->debounce = g_timeout_source_new (OF_TIMEZONE_DEBOUNCE_MS);
  g_source_set_name (self->debounce, "OfTimezoneMonitor debounce");
  g_source_set_callback (self->debounce, timezone_debounce_done, self, NULL);
  g_source_attach (self->debounce, self->context);
}

OfTimezoneMonitor *
of_timezone_monitor_new (const char      *path,
                         OfTimezoneFunc   func,
                         gpointer         user_data,
                         GError         **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  OfTimezoneMonitor *self;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path == NULL)
    path = "/etc/localtime";

  if (g_getenv ("TZ") != NULL)
    g_debug ("TZ is set (%s): the zone comes from it, not %s; "
             "watching %s anyway", g_getenv ("TZ"), path, path);

  /* A file monitor, not a directory monitor: GLib's inotify backend
   * already watches the parent directory and filters on the name, so the
   * usual replace-the-symlink rename is seen, without waking us for every
   * other file in /etc. */
  file = g_file_new_for_path (path);
  monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (monitor == NULL)
    return NULL;

  self = g_new0 (OfTimezoneMonitor, 1);
  self->monitor = g_steal_pointer (&monitor);
  self->context = g_main_context_ref_thread_default ();
  self->func = func;
  self->user_data = user_data;

  g_signal_connect (self->monitor, "changed",
                    G_CALLBACK (timezone_file_changed), self);

  /* Without inotify GLib falls back to polling, which docs/behaviour.md §4 forbids;
   * the type name in the log tells which one we got. */
  g_debug ("Watching %s for time-zone changes (%s)",
           path, G_OBJECT_TYPE_NAME (self->monitor));
  return self;
}

void
of_timezone_monitor_free (OfTimezoneMonitor *monitor)
{
  if (monitor == NULL)
    return;

  g_signal_handlers_disconnect_by_data (monitor->monitor, monitor);
  g_file_monitor_cancel (monitor->monitor);
  g_clear_object (&monitor->monitor);

  if (monitor->debounce != NULL)
    {
      g_source_destroy (monitor->debounce);
      g_clear_pointer (&monitor->debounce, g_source_unref);
    }

  g_main_context_unref (monitor->context);
  g_free (monitor);
}
