/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-wallclock-timer.c — the wall-clock timer against the real kernel:
 * timing, re-arming, disarming, freeing, clock steps (when we may set the
 * clock) and the time-zone file monitor on a private directory.
 *
 * Timing checks are one-sided where it matters ("not early" is exact) and
 * generous where it does not ("not late" allows for valgrind).  A clock
 * change from outside (NTP) during a run only adds CLOCK_CHANGED events,
 * which the tests that do not step the clock ignore.
 */

#include "wallclock-timer.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "main-context.h"

#define MS 1000 /* µs */

/* How late an event may be and still pass; valgrind is slow. */
#define SLACK_MS 1500

typedef struct {
  OfWallclockTimer *timer;
  guint  n_deadline;
  guint  n_clock_changed;
  gint64 fired_at;              /* real time of the last DEADLINE */
  GArray *events;               /* OfWallclockEvent, in order */
  /* What the callback does besides recording. */
  gboolean free_on_deadline;
  guint    rearm_remaining;
} Recorder;

static void
recorder_init (Recorder *r)
{
  memset (r, 0, sizeof *r);
  r->events = g_array_new (FALSE, FALSE, sizeof (OfWallclockEvent));
}

static void
recorder_clear (Recorder *r)
{
  g_clear_pointer (&r->timer, of_wallclock_timer_free);
  g_clear_pointer (&r->events, g_array_unref);
}

static void
on_wallclock (OfWallclockEvent event,
              gpointer         user_data)
{
  Recorder *r = user_data;

  g_array_append_val (r->events, event);

  if (event == OF_WALLCLOCK_EVENT_CLOCK_CHANGED)
    {
      r->n_clock_changed++;
      return;
    }

  r->n_deadline++;
  r->fired_at = g_get_real_time ();
  g_assert_cmpint (of_wallclock_timer_get_deadline (r->timer), ==, 0);

  if (r->rearm_remaining > 0)
    {
      r->rearm_remaining--;
      of_wallclock_timer_arm (r->timer, g_get_real_time () + 20 * MS);
    }
  else if (r->free_on_deadline)
    {
      g_clear_pointer (&r->timer, of_wallclock_timer_free);
    }
}

/* Iterates the default context until *counter reaches @want or @ms pass.
 * The guard timeout is test-only; the timer itself never needs one. */
static void
run_until (const guint *counter,
           guint        want,
           guint        ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, of_test_set_flag, &timed_out);

  while (*counter < want && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
new_timer (Recorder *r)
{
  g_autoptr(GError) error = NULL;

  recorder_init (r);
  r->timer = of_wallclock_timer_new (on_wallclock, r, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r->timer);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r->timer), ==, 0);
}

static void
test_deadline_fires_once (void)
{
  Recorder r;
  gint64 deadline;

  new_timer (&r);
  deadline = g_get_real_time () + 200 * MS;
  of_wallclock_timer_arm (r.timer, deadline);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, deadline);

  run_until (&r.n_deadline, 1, 200 + SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 1);
  g_assert_cmpint (r.fired_at, >=, deadline);
  g_assert_cmpint (r.fired_at - deadline, <, SLACK_MS * MS);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, 0);

  of_test_run_for (300);
  g_assert_cmpuint (r.n_deadline, ==, 1);

  recorder_clear (&r);
}

static void
test_rearm_replaces (void)
{
  Recorder r;
  gint64 first, second;

  new_timer (&r);

  /* Later replaces earlier. */
  first = g_get_real_time () + 100 * MS;
  second = first + 200 * MS;
  of_wallclock_timer_arm (r.timer, first);
  of_wallclock_timer_arm (r.timer, second);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, second);
  run_until (&r.n_deadline, 1, 300 + SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 1);
  g_assert_cmpint (r.fired_at, >=, second);
  of_test_run_for (200);
  g_assert_cmpuint (r.n_deadline, ==, 1);

  /* Earlier replaces later. */
  first = g_get_real_time () + 10 * 1000 * MS;
  second = g_get_real_time () + 50 * MS;
  of_wallclock_timer_arm (r.timer, first);
  of_wallclock_timer_arm (r.timer, second);
  run_until (&r.n_deadline, 2, 50 + SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 2);
  g_assert_cmpint (r.fired_at, >=, second);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, 0);

  /* The old deadline expired in the kernel but was never dispatched: the
   * re-arm must still win. */
  first = g_get_real_time () + 10 * MS;
  of_wallclock_timer_arm (r.timer, first);
  g_usleep (50 * 1000);
  second = g_get_real_time () + 200 * MS;
  of_wallclock_timer_arm (r.timer, second);
  run_until (&r.n_deadline, 3, 200 + SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 3);
  g_assert_cmpint (r.fired_at, >=, second);

  recorder_clear (&r);
}

static void
test_disarm (void)
{
  Recorder r;

  new_timer (&r);

  of_wallclock_timer_arm (r.timer, g_get_real_time () + 100 * MS);
  of_wallclock_timer_disarm (r.timer);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, 0);
  of_test_run_for (300);
  g_assert_cmpuint (r.n_deadline, ==, 0);

  /* Expired but not yet dispatched, then disarmed. */
  of_wallclock_timer_arm (r.timer, g_get_real_time () + 10 * MS);
  g_usleep (50 * 1000);
  of_wallclock_timer_disarm (r.timer);
  of_test_run_for (100);
  g_assert_cmpuint (r.n_deadline, ==, 0);

  /* Disarming twice is harmless, and arming again works. */
  of_wallclock_timer_disarm (r.timer);
  of_wallclock_timer_arm (r.timer, g_get_real_time () + 20 * MS);
  run_until (&r.n_deadline, 1, 20 + SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 1);

  recorder_clear (&r);
}

static void
test_past_deadline (void)
{
  Recorder r;
  gint64 start;

  new_timer (&r);

  start = g_get_monotonic_time ();
  of_wallclock_timer_arm (r.timer, g_get_real_time () - (gint64) 3600 * G_USEC_PER_SEC);
  run_until (&r.n_deadline, 1, SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, SLACK_MS * MS);

  /* The earliest deadline we accept, 1 µs after the epoch (0 would
   * disarm a timerfd). */
  of_wallclock_timer_arm (r.timer, 1);
  run_until (&r.n_deadline, 2, SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 2);

  /* Far future: accepted, never fires here. */
  of_wallclock_timer_arm (r.timer, G_MAXINT64);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, G_MAXINT64);
  of_test_run_for (50);
  g_assert_cmpuint (r.n_deadline, ==, 2);

  recorder_clear (&r);
}

static void
test_free_while_armed (void)
{
  Recorder r;
  guint fds_before;

  /* GLib opens its wake-up fd on first use of the context. */
  g_main_context_iteration (NULL, FALSE);
  fds_before = count_open_fds ();

  new_timer (&r);
  g_assert_cmpuint (count_open_fds (), ==, fds_before + 1);
  of_wallclock_timer_arm (r.timer, g_get_real_time () + 30 * MS);
  g_clear_pointer (&r.timer, of_wallclock_timer_free);
  g_assert_cmpuint (count_open_fds (), ==, fds_before);

  of_test_run_for (100);
  g_assert_cmpuint (r.n_deadline, ==, 0);

  /* Also when the deadline expired but was not dispatched. */
  recorder_clear (&r);
  new_timer (&r);
  of_wallclock_timer_arm (r.timer, g_get_real_time () + 1 * MS);
  g_usleep (20 * 1000);
  g_clear_pointer (&r.timer, of_wallclock_timer_free);
  of_test_run_for (50);
  g_assert_cmpuint (r.n_deadline, ==, 0);
  g_assert_cmpuint (count_open_fds (), ==, fds_before);

  /* And autoptr. */
  {
    g_autoptr(OfWallclockTimer) t = of_wallclock_timer_new (on_wallclock, &r, NULL);
    g_assert_nonnull (t);
    of_wallclock_timer_arm (t, g_get_real_time () + 1000 * MS);
  }
  g_assert_cmpuint (count_open_fds (), ==, fds_before);

  recorder_clear (&r);
}

static void
test_callback_rearms_and_frees (void)
{
  Recorder r;

  new_timer (&r);
  r.rearm_remaining = 2;
  r.free_on_deadline = TRUE;

  of_wallclock_timer_arm (r.timer, g_get_real_time () + 20 * MS);
  run_until (&r.n_deadline, 3, 3 * SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 3);
  g_assert_null (r.timer);   /* freed inside its own callback */

  of_test_run_for (100);
  g_assert_cmpuint (r.n_deadline, ==, 3);

  recorder_clear (&r);
}

static guint n_polls;

static gint
counting_poll (GPollFD *fds,
               guint    nfds,
               gint     timeout)
{
  n_polls++;
  return g_poll (fds, nfds, timeout);
}

/* docs/behaviour.md §4: while waiting, no wake-ups.  Over 500 ms the loop may wake for
 * our own guard timeout and nothing else. */
static void
test_idle_no_wakeups (void)
{
  Recorder r;

  new_timer (&r);
  g_main_context_set_poll_func (NULL, counting_poll);

  of_test_run_for (10);   /* settle */
  n_polls = 0;
  of_test_run_for (500);
  g_test_message ("disarmed: %u polls in 500 ms", n_polls);
  g_assert_cmpuint (n_polls, <=, 3);

  of_wallclock_timer_arm (r.timer, g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC);
  of_test_run_for (10);
  n_polls = 0;
  of_test_run_for (500);
  g_test_message ("armed: %u polls in 500 ms", n_polls);
  g_assert_cmpuint (n_polls, <=, 3);
  g_assert_cmpuint (r.n_deadline, ==, 0);

  g_main_context_set_poll_func (NULL, g_poll);
  recorder_clear (&r);
}

/* ---- clock steps -------------------------------------------------------- */

/* Steps CLOCK_REALTIME to the value it has (a step of a few µs backwards,
 * which the kernel treats as a discontinuous change), then waits until the
 * kernel has told cancel-on-set timers, so that later checks do not race
 * with older kernels that notify from a work queue.  FALSE, with the test
 * skipped, when we may not set the clock. */
static gboolean
step_clock_to_now (void)
{
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };
  struct pollfd pfd = { -1, POLLIN, 0 };
  struct timespec now;
  int fd;

  fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  its.it_value.tv_sec = G_MAXINT32; /* far enough for a witness */
  g_assert_cmpint (timerfd_settime (fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
                                    &its, NULL), ==, 0);

  g_assert_cmpint (clock_gettime (CLOCK_REALTIME, &now), ==, 0);
  if (clock_settime (CLOCK_REALTIME, &now) < 0)
    {
      int errsv = errno;
      g_autofree char *msg = g_strdup_printf ("cannot set CLOCK_REALTIME (%s); "
                                              "clock-change path not tested",
                                              g_strerror (errsv));
      close (fd);
      if (errsv != EPERM)
        g_error ("clock_settime: %s", g_strerror (errsv));
      g_printerr ("# SKIP %s\n", msg);
      g_test_skip (msg);
      return FALSE;
    }

  pfd.fd = fd;
  g_assert_cmpint (poll (&pfd, 1, 5000), ==, 1);
  close (fd);
  return TRUE;
}

static void
test_clock_changed_disarmed (void)
{
  Recorder r;

  new_timer (&r);
  if (!step_clock_to_now ())
    {
      recorder_clear (&r);
      return;
    }

  run_until (&r.n_clock_changed, 1, SLACK_MS);
  g_assert_cmpuint (r.n_clock_changed, >=, 1);
  g_assert_cmpuint (r.n_deadline, ==, 0);

  /* Re-armed for the next change. */
  g_assert_true (step_clock_to_now ());
  run_until (&r.n_clock_changed, 2, SLACK_MS);
  g_assert_cmpuint (r.n_clock_changed, >=, 2);
  g_assert_cmpuint (r.n_deadline, ==, 0);

  recorder_clear (&r);
}

static void
test_clock_changed_keeps_deadline (void)
{
  Recorder r;
  gint64 deadline;

  new_timer (&r);
  deadline = g_get_real_time () + 300 * MS;
  of_wallclock_timer_arm (r.timer, deadline);
  if (!step_clock_to_now ())
    {
      recorder_clear (&r);
      return;
    }

  run_until (&r.n_clock_changed, 1, SLACK_MS);
  g_assert_cmpuint (r.n_clock_changed, >=, 1);
  g_assert_cmpuint (r.n_deadline, ==, 0);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, deadline);

  run_until (&r.n_deadline, 1, 300 + SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 1);
  g_assert_cmpint (r.fired_at, >=, deadline);

  recorder_clear (&r);
}

/* The kernel drops a pending expiry when it reports the change: the
 * deadline must still be delivered, after the change. */
static void
test_clock_changed_after_expiry (void)
{
  Recorder r;
  OfWallclockEvent first, last;

  new_timer (&r);
  of_wallclock_timer_arm (r.timer, g_get_real_time () + 10 * MS);
  g_usleep (50 * 1000);
  if (!step_clock_to_now ())
    {
      recorder_clear (&r);
      return;
    }

  run_until (&r.n_deadline, 1, SLACK_MS);
  g_assert_cmpuint (r.n_deadline, ==, 1);
  g_assert_cmpuint (r.n_clock_changed, >=, 1);
  first = g_array_index (r.events, OfWallclockEvent, 0);
  last = g_array_index (r.events, OfWallclockEvent, r.events->len - 1);
  g_assert_cmpint (first, ==, OF_WALLCLOCK_EVENT_CLOCK_CHANGED);
  g_assert_cmpint (last, ==, OF_WALLCLOCK_EVENT_DEADLINE);

  recorder_clear (&r);
}

/* A change noticed by arm() (before the main loop saw it) is not lost. */
static void
test_clock_changed_then_arm (void)
{
  Recorder r;
  gint64 deadline;

  new_timer (&r);
  if (!step_clock_to_now ())
    {
      recorder_clear (&r);
      return;
    }

  deadline = g_get_real_time () + 10 * 1000 * MS;
  of_wallclock_timer_arm (r.timer, deadline);
  run_until (&r.n_clock_changed, 1, SLACK_MS);
  g_assert_cmpuint (r.n_clock_changed, ==, 1);
  g_assert_cmpint (of_wallclock_timer_get_deadline (r.timer), ==, deadline);

  /* Reported once, not on every iteration. */
  of_test_run_for (100);
  g_assert_cmpuint (r.n_clock_changed, ==, 1);

  recorder_clear (&r);
}

/* ---- time zone ---------------------------------------------------------- */

typedef struct {
  guint n_changed;
  OfTimezoneMonitor *monitor;
  gboolean free_in_callback;
} TzRecorder;

static void
on_timezone (gpointer user_data)
{
  TzRecorder *r = user_data;

  r->n_changed++;
  if (r->free_in_callback)
    g_clear_pointer (&r->monitor, of_timezone_monitor_free);
}

/* As timedatectl does it: a new symlink under a temporary name, renamed
 * over the old one. */
static void
replace_symlink (const char *path,
                 const char *target)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);

  g_assert_cmpint (symlink (target, tmp), ==, 0);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
}

typedef struct {
  char *dir;
  char *path;
} TzDir;

static void
tz_dir_init (TzDir *d, gboolean with_link)
{
  g_autoptr(GError) error = NULL;

  d->dir = g_dir_make_tmp ("test-wallclock-XXXXXX", &error);
  g_assert_no_error (error);
  d->path = g_build_filename (d->dir, "localtime", NULL);
  if (with_link)
    g_assert_cmpint (symlink ("/usr/share/zoneinfo/Etc/UTC", d->path), ==, 0);
}

static void
tz_dir_clear (TzDir *d)
{
  g_unlink (d->path);
  g_rmdir (d->dir);
  g_clear_pointer (&d->path, g_free);
  g_clear_pointer (&d->dir, g_free);
}

static void
tz_monitor_start (TzRecorder  *r,
                  const TzDir *d)
{
  g_autoptr(GError) error = NULL;

  r->monitor = of_timezone_monitor_new (d->path, on_timezone, r, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r->monitor);
}

static void
test_timezone_replace (void)
{
  TzDir d;
  TzRecorder r = { 0, NULL, FALSE };

  tz_dir_init (&d, TRUE);
  tz_monitor_start (&r, &d);

  of_test_run_for (50);
  g_assert_cmpuint (r.n_changed, ==, 0);

  replace_symlink (d.path, "/usr/share/zoneinfo/Europe/Berlin");
  run_until (&r.n_changed, 1, SLACK_MS);
  g_assert_cmpuint (r.n_changed, ==, 1);

  /* A burst is one report. */
  replace_symlink (d.path, "/usr/share/zoneinfo/Europe/Paris");
  replace_symlink (d.path, "/usr/share/zoneinfo/Europe/Rome");
  replace_symlink (d.path, "/usr/share/zoneinfo/Etc/UTC");
  run_until (&r.n_changed, 2, SLACK_MS);
  g_assert_cmpuint (r.n_changed, ==, 2);
  of_test_run_for (300);
  g_assert_cmpuint (r.n_changed, ==, 2);

  /* Other files in the directory do not count. */
  {
    g_autofree char *other = g_build_filename (d.dir, "hostname", NULL);
    g_assert_true (g_file_set_contents (other, "x\n", -1, NULL));
    of_test_run_for (300);
    g_assert_cmpuint (r.n_changed, ==, 2);
    g_unlink (other);
  }

  g_clear_pointer (&r.monitor, of_timezone_monitor_free);
  tz_dir_clear (&d);
}

static void
test_timezone_appears (void)
{
  TzDir d;
  TzRecorder r = { 0, NULL, FALSE };

  tz_dir_init (&d, FALSE);
  tz_monitor_start (&r, &d);

  g_assert_cmpint (symlink ("/usr/share/zoneinfo/Etc/UTC", d.path), ==, 0);
  run_until (&r.n_changed, 1, SLACK_MS);
  g_assert_cmpuint (r.n_changed, ==, 1);

  /* And its removal is a change too. */
  g_unlink (d.path);
  run_until (&r.n_changed, 2, SLACK_MS);
  g_assert_cmpuint (r.n_changed, ==, 2);

  g_clear_pointer (&r.monitor, of_timezone_monitor_free);
  tz_dir_clear (&d);
}

static void
test_timezone_free (void)
{
  TzDir d;
  TzRecorder r = { 0, NULL, FALSE };

  tz_dir_init (&d, TRUE);

  /* Freed with the debounce pending: no call afterwards.  The report
   * cannot come before 100 ms after the change, so at 30 ms it is not
   * there yet whether or not the event has arrived. */
  tz_monitor_start (&r, &d);
  replace_symlink (d.path, "/usr/share/zoneinfo/Europe/Berlin");
  of_test_run_for (30);
  g_assert_cmpuint (r.n_changed, ==, 0);
  g_clear_pointer (&r.monitor, of_timezone_monitor_free);
  of_test_run_for (300);
  g_assert_cmpuint (r.n_changed, ==, 0);

  /* Freed from its own callback. */
  tz_monitor_start (&r, &d);
  r.free_in_callback = TRUE;
  replace_symlink (d.path, "/usr/share/zoneinfo/Etc/UTC");
  run_until (&r.n_changed, 1, SLACK_MS);
  g_assert_cmpuint (r.n_changed, ==, 1);
  g_assert_null (r.monitor);
  of_test_run_for (100);

  tz_dir_clear (&d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallclock/deadline-fires-once", test_deadline_fires_once);
  g_test_add_func ("/wallclock/rearm-replaces", test_rearm_replaces);
  g_test_add_func ("/wallclock/disarm", test_disarm);
  g_test_add_func ("/wallclock/past-deadline", test_past_deadline);
  g_test_add_func ("/wallclock/free-while-armed", test_free_while_armed);
  g_test_add_func ("/wallclock/callback-rearms-and-frees", test_callback_rearms_and_frees);
  g_test_add_func ("/wallclock/idle-no-wakeups", test_idle_no_wakeups);
  g_test_add_func ("/wallclock/clock-changed/disarmed", test_clock_changed_disarmed);
  g_test_add_func ("/wallclock/clock-changed/keeps-deadline", test_clock_changed_keeps_deadline);
  g_test_add_func ("/wallclock/clock-changed/after-expiry", test_clock_changed_after_expiry);
  g_test_add_func ("/wallclock/clock-changed/then-arm", test_clock_changed_then_arm);
  g_test_add_func ("/timezone/replace", test_timezone_replace);
  g_test_add_func ("/timezone/appears", test_timezone_appears);
  g_test_add_func ("/timezone/free", test_timezone_free);

  return g_test_run ();
}
