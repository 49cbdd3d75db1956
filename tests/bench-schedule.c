/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-schedule.c — cost of planning, against the cost of reading the
 * clock as a GDateTime (g_date_time_new_now), measured in the same run. */
#include <stdio.h>

#include "schedule.h"

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Berlin");
  OfScheduleHistory history = { 0 };
  OfSettings settings;
  const guint plans = 200000, previews = 200, clocks = 2000000;
  gint64 now = G_GINT64_CONSTANT (1795600000000000), start;
  double plan_s, preview_s, clock_s;
  volatile gint64 sink = 0;

  of_settings_init_defaults (&settings);
  settings.block_out_start = 2200;
  settings.block_out_duration = 480;
  settings.max_time_between_syncs = 2880;
  history.first_start = now - G_GINT64_CONSTANT (86400000000);
  history.last_start = now - G_GINT64_CONSTANT (3600000000);
  history.last_success_start = history.last_start;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < clocks; i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_now (tz);
      sink += g_date_time_get_minute (dt);
    }
  clock_s = seconds_since (start) / clocks;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < plans; i++)
    {
      OfPlannedSync planned = { 0 };
      of_schedule_plan (&settings, &history, "0123456789abcdef0123456789abcdef", tz,
                        now + (gint64) i * 1000000, &planned);
      sink += planned.start;
      of_planned_sync_clear (&planned);
    }
  plan_s = seconds_since (start) / plans;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < previews; i++)
    {
      g_autoptr(GArray) list = of_schedule_preview (&settings, &history, "0123456789abcdef0123456789abcdef",
                                                    tz, now + (gint64) i * 1000000, 1000);
      sink += list->len;
    }
  preview_s = seconds_since (start) / previews;

  printf ("# g_date_time_new_now: %.3f us (reference)\n", clock_s * 1e6);
  printf ("# one plan: %.3f us = %.0f plans/s = %.1f x the reference\n", plan_s * 1e6, 1 / plan_s, plan_s / clock_s);
  printf ("# 1000-entry preview: %.3f ms = %.1f x the reference\n", preview_s * 1e3, preview_s / clock_s);
  printf ("1..1\nok 1 /bench/schedule%s\n", sink == 42 ? " " : "");
  return 0;
}
