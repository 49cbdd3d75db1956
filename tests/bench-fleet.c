/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-fleet.c — does a fleet with one configuration spread its load?
 *
 * 10 000 machines (ids drawn from a counter through SHA-256) with the
 * same settings, all started at the same instant (the worst case: a
 * fleet deployed at once), run the real schedule module for a simulated
 * week, each sync assumed to succeed at once.  Printed per case: the
 * busiest minute against the mean of the variance window around it and
 * against the fleet, and a chi-square test of uniformity within each
 * window where starts come from one fresh draw (the first cycle, and the
 * end of each blockout window).  Targets: peak ≤ 1.5 × its window's mean,
 * no minute with more than 2 % of the fleet.
 *
 * With OF_FLEET_PLOT_DIR set, writes the per-minute counts there and, if
 * gnuplot is installed, a PNG of them.
 */
#include <math.h>
#include <stdio.h>

#include "schedule.h"

#define MACHINES 10000
#define WEEK_MINUTES (7 * 24 * 60)
#define MINUTE_US (60 * G_USEC_PER_SEC)

typedef struct {
  const char *name;
  guint16     block_out_start;     /* HHMM */
  guint16     block_out_duration;  /* minutes */
} Case;

static char *
machine_id (guint fleet, guint i)
{
  g_autofree char *seed = g_strdup_printf ("offlinefiles-fleet-%u-%u", fleet, i);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strndup (hash, 32);
}

/* Wilson–Hilferty: chi-square with @df degrees of freedom as a z score. */
static double
chi_square_z (double chi2, double df)
{
  return (cbrt (chi2 / df) - (1.0 - 2.0 / (9.0 * df))) / sqrt (2.0 / (9.0 * df));
}

/* Chi-square of @counts[from .. from + n) against a flat distribution. */
static double
chi_square (const guint *counts, guint from, guint n)
{
  double total = 0, expected, chi2 = 0;

  for (guint i = 0; i < n; i++)
    total += counts[from + i];
  expected = total / n;
  if (expected == 0)
    return 0;
  for (guint i = 0; i < n; i++)
    chi2 += (counts[from + i] - expected) * (counts[from + i] - expected) / expected;
  return chi2;
}

typedef struct {
  double peak_share;   /* busiest minute / fleet */
  double peak_ratio;   /* busiest minute of a fresh-draw window / that window's mean */
  guint  windows;
  guint  rejected;
  double worst_z;
  guint  syncs;
} Result;

static void
run_case (const Case *c, char **ids, GTimeZone *tz, gint64 t0, gboolean keep_data, Result *result)
{
  g_autofree guint *counts = g_new0 (guint, WEEK_MINUTES);
  OfSettings s;
  guint peak = 0, syncs = 0, windows = 0, rejected = 0;
  double worst_ratio = 0, worst_z = -INFINITY;
  const guint variance = 60;
  gint64 week_end = t0 + (gint64) WEEK_MINUTES * MINUTE_US;

  of_settings_init_defaults (&s);
  s.sync_interval = 360;
  s.sync_variance = variance;
  s.block_out_start = c->block_out_start;
  s.block_out_duration = c->block_out_duration;

  for (guint m = 0; m < MACHINES; m++)
    {
      OfScheduleHistory h = { .first_start = t0 };
      gint64 now = t0;

      for (;;)
        {
          OfPlannedSync p;
          gint64 start;

          if (!of_schedule_plan (&s, &h, ids[m], tz, now, &p))
            break;
          start = p.start;
          of_planned_sync_clear (&p);
          if (start >= week_end)
            break;
          counts[(start - t0) / MINUTE_US]++;
          syncs++;
          h.last_start = h.last_success_start = start;
          now = start;
        }
    }

  for (guint i = 0; i < WEEK_MINUTES; i++)
    peak = MAX (peak, counts[i]);

  /* Windows of one fresh draw each: the first cycle, and every end of a
   * blockout (a sync due inside starts at the end plus a new draw).  That
   * is where starts bunch; later cycles spread further on their own. */
  {
    g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
    guint first = 0;

    g_array_append_val (starts, first);
    if (c->block_out_duration > 0)
      for (gint64 t = t0; t < week_end; t += MINUTE_US)
        {
          gint64 end;

          if (of_schedule_in_blockout (&s, tz, t, &end) && end < week_end)
            {
              guint minute = (guint) ((end - t0) / MINUTE_US);

              g_array_append_val (starts, minute);
              t = end;
            }
        }
    for (guint i = 0; i < starts->len; i++)
      {
        guint from = g_array_index (starts, guint, i);
        guint window_peak = 0;
        double sum = 0, z;

        if (from + variance > WEEK_MINUTES)
          continue;
        /* [from, from + variance): whole seconds in [0, variance * 60]. */
        for (guint m = from; m < from + variance; m++)
          {
            sum += counts[m];
            window_peak = MAX (window_peak, counts[m]);
          }
        if (sum > 0)
          worst_ratio = MAX (worst_ratio, window_peak / (sum / variance));
        z = chi_square_z (chi_square (counts, from, variance), variance - 1);
        windows++;
        rejected += z > 2.326;  /* p < 0.01 */
        worst_z = MAX (worst_z, z);
      }
  }

  result->peak_share = (double) peak / MACHINES;
  result->peak_ratio = worst_ratio;
  result->windows += windows;
  result->rejected += rejected;
  result->worst_z = MAX (result->worst_z, worst_z);
  result->syncs = syncs;

  if (keep_data && g_getenv ("OF_FLEET_PLOT_DIR"))
    {
      g_autofree char *data = g_strdup_printf ("%s/fleet-%s.dat", g_getenv ("OF_FLEET_PLOT_DIR"), c->name);
      FILE *out = fopen (data, "w");

      if (out != NULL)
        {
          for (guint i = 0; i < WEEK_MINUTES; i++)
            fprintf (out, "%.4f %u\n", i / 1440.0, counts[i]);
          fclose (out);
        }
    }
}

static void
plot (void)
{
  const char *dir = g_getenv ("OF_FLEET_PLOT_DIR");
  g_autofree char *script = NULL;
  g_autofree char *gnuplot = g_find_program_in_path ("gnuplot");
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { NULL, "-e", NULL, NULL };

  if (dir == NULL || gnuplot == NULL)
    return;
  script = g_strdup_printf ("set terminal png size 1000,420; set output '%s/fleet-spread.png';"
                            "set title 'Sync starts per minute, 10 000 machines, SyncInterval 360, SyncVariance 60';"
                            "set xlabel 'day of the simulated week'; set ylabel 'starts per minute';"
                            "set yrange [0:250]; set key top right;"
                            "plot '%s/fleet-plain.dat' with lines title 'no blockout',"
                            " '%s/fleet-blockout.dat' with lines title '8 h blockout 22:00-06:00 UTC',"
                            " 200 with lines dashtype 2 title '2 %% of the fleet'",
                            dir, dir, dir);
  argv[0] = gnuplot;
  argv[2] = script;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error))
    printf ("# gnuplot failed: %s\n", error->message);
  else
    printf ("# plot: %s/fleet-spread.png\n", dir);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

#define FLEETS 10

int
main (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  const Case cases[] = {
    { "plain", 0, 0 },
    { "blockout", 2200, 480 },
  };
  /* Monday 2026-11-30 00:00 UTC. */
  const gint64 t0 = G_GINT64_CONSTANT (1796083200) * G_USEC_PER_SEC;
  gint64 start = g_get_monotonic_time ();
  char **ids = g_new0 (char *, MACHINES);

  /* Ten independent fleets per case: a single fleet's busiest minute is
   * one sample of a random maximum, the spread over ten says more. */
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      double share[FLEETS], ratio[FLEETS];
      Result total = { .worst_z = -INFINITY };

      for (guint f = 0; f < FLEETS; f++)
        {
          Result r = { .worst_z = -INFINITY };

          for (guint i = 0; i < MACHINES; i++)
            {
              g_free (ids[i]);
              ids[i] = machine_id (f, i);
            }
          run_case (&cases[c], ids, tz, t0, f == 0, &r);
          share[f] = r.peak_share;
          ratio[f] = r.peak_ratio;
          total.windows += r.windows;
          total.rejected += r.rejected;
          total.worst_z = MAX (total.worst_z, r.worst_z);
          total.syncs = r.syncs;
        }
      qsort (share, FLEETS, sizeof share[0], (int (*) (const void *, const void *)) compare_double);
      qsort (ratio, FLEETS, sizeof ratio[0], (int (*) (const void *, const void *)) compare_double);
      printf ("# %s (%u fleets of %u, ~%u syncs a week each): busiest minute %.2f %% of the fleet "
              "(median; worst %.2f %%; target <= 2 %%), %.2f x its window's mean (median; worst %.2f; "
              "target <= 1.5)\n",
              cases[c].name, FLEETS, MACHINES, total.syncs, 100 * share[FLEETS / 2], 100 * share[FLEETS - 1],
              ratio[FLEETS / 2], ratio[FLEETS - 1]);
      printf ("# %s: chi-square uniformity in %u fresh-draw windows: %u rejected at p < 0.01 "
              "(%.1f expected by chance), worst z %.2f\n",
              cases[c].name, total.windows, total.rejected, total.windows * 0.01, total.worst_z);
    }
  plot ();
  for (guint i = 0; i < MACHINES; i++)
    g_free (ids[i]);
  g_free (ids);
  printf ("# %.1f s\n1..1\nok 1 /bench/fleet\n", (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
