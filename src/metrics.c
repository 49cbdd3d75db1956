/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <string.h>

const char * const of_metrics_defer_reasons[] = { "costed-network", "on-battery", NULL };

OfMetricsShare *
of_metrics_share_new (const char *name)
{
  OfMetricsShare *share = g_new0 (OfMetricsShare, 1);

  share->name = g_strdup (name);
  share->last_duration = -1;
  return share;
}

void
of_metrics_share_free (OfMetricsShare *share)
{
  if (share == NULL)
    return;
  g_free (share->name);
  g_free (share);
}

char *
of_metrics_escape_label (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  GString *out = g_string_sized_new (strlen (valid) + 2);

  for (const char *p = valid; *p; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '"')
        g_string_append (out, "\\\"");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* µs as seconds, exactly and without the locale's decimal comma:
 * "1700000000", "12.5", "0.000001". */
static void
append_seconds (GString *out,
                gint64   usec)
{
  gint64 whole;
  gint64 fraction;

  if (usec < 0)
    usec = 0;
  whole = usec / G_USEC_PER_SEC;
  fraction = usec % G_USEC_PER_SEC;
  g_string_append_printf (out, "%" G_GINT64_FORMAT, whole);
  if (fraction != 0)
    {
      char digits[8];

      g_snprintf (digits, sizeof digits, "%06" G_GINT64_FORMAT, fraction);
      for (int i = 5; i > 0 && digits[i] == '0'; i--)
        digits[i] = '\0';
      g_string_append_printf (out, ".%s", digits);
    }
}

static void
family (GString    *out,
        const char *name,
        const char *type,
        const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample_seconds (GString    *out,
                const char *name,
                gint64      usec)
{
  g_string_append_printf (out, "%s ", name);
  append_seconds (out, usec);
  g_string_append_c (out, '\n');
}

/* A gauge of one unlabelled sample in seconds. */
static void
gauge_seconds (GString    *out,
               const char *name,
               const char *help,
               gint64      usec)
{
  family (out, name, "gauge", help);
  sample_seconds (out, name, usec);
}

static void
share_sample (GString              *out,
              const char           *name,
              const OfMetricsShare *share)
{
  g_autofree char *label = of_metrics_escape_label (share->name);

  g_string_append_printf (out, "%s{share=\"%s\"} ", name, label);
}

char *
of_metrics_format (const OfMetricsSnapshot *snapshot)
{
  GString *out = g_string_new (NULL);
  const OfSettings *settings = &snapshot->settings;
  GPtrArray *shares = snapshot->shares;
  guint n_shares = shares ? shares->len : 0;
  gboolean any;

  {
    g_autofree char *version = of_metrics_escape_label (snapshot->version);

    family (out, "offlinefiles_build_info", "gauge", "Always 1; the daemon's version is its label.");
    g_string_append_printf (out, "offlinefiles_build_info{version=\"%s\"} 1\n", version);
  }

  gauge_seconds (out, "offlinefiles_first_start_timestamp_seconds",
                 "When the daemon first ran on this machine.", snapshot->first_start);
  gauge_seconds (out, "offlinefiles_last_sync_start_timestamp_seconds",
                 "When the last sync started; 0 if none ever did.", snapshot->last_sync_start);
  gauge_seconds (out, "offlinefiles_last_success_timestamp_seconds",
                 "When the last sync that succeeded started; 0 if none ever did.", snapshot->last_success);
  gauge_seconds (out, "offlinefiles_next_sync_timestamp_seconds",
                 "When the next background sync is planned; 0 if none is.", snapshot->next_sync);

  family (out, "offlinefiles_syncs_total", "counter", "Syncs finished since the daemon started, by result.");
  for (guint r = 0; r < OF_METRICS_N_RESULTS; r++)
    g_string_append_printf (out, "offlinefiles_syncs_total{result=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            of_share_result_to_string ((OfShareResult) r), snapshot->syncs[r]);

  if (snapshot->has_deferred)
    {
      const char *reason = snapshot->deferred_reason ? snapshot->deferred_reason : "";

      family (out, "offlinefiles_deferred", "gauge", "1 while a due background sync is held back for this reason.");
      for (const char * const *r = of_metrics_defer_reasons; *r; r++)
        g_string_append_printf (out, "offlinefiles_deferred{reason=\"%s\"} %d\n", *r, g_str_equal (reason, *r));
    }

  if (n_shares > 0)
    {
      family (out, "offlinefiles_share_last_success_timestamp_seconds", "gauge",
              "When the share's last successful run ended; 0 if none ever did.");
      for (guint i = 0; i < n_shares; i++)
        {
          const OfMetricsShare *share = shares->pdata[i];

          share_sample (out, "offlinefiles_share_last_success_timestamp_seconds", share);
          append_seconds (out, share->last_success);
          g_string_append_c (out, '\n');
        }
    }

  any = FALSE;
  for (guint i = 0; i < n_shares; i++)
    {
      const OfMetricsShare *share = shares->pdata[i];

      if (share->last_duration < 0)
        continue;
      if (!any)
        family (out, "offlinefiles_share_last_duration_seconds", "gauge",
                "How long the share's last run took (shares that never ran are not listed).");
      any = TRUE;
      share_sample (out, "offlinefiles_share_last_duration_seconds", share);
      append_seconds (out, share->last_duration);
      g_string_append_c (out, '\n');
    }

  any = FALSE;
  for (guint i = 0; i < n_shares; i++)
    {
      const OfMetricsShare *share = shares->pdata[i];

      if (!share->has_conflicts)
        continue;
      if (!any)
        family (out, "offlinefiles_share_conflicts", "gauge", "Conflicts of the share waiting to be resolved.");
      any = TRUE;
      share_sample (out, "offlinefiles_share_conflicts", share);
      g_string_append_printf (out, "%u\n", share->conflicts);
    }

  any = FALSE;
  for (guint i = 0; i < n_shares; i++)
    {
      const OfMetricsShare *share = shares->pdata[i];

      if (!share->has_online)
        continue;
      if (!any)
        family (out, "offlinefiles_share_online", "gauge", "1 if the share is online, 0 if it is offline or unknown.");
      any = TRUE;
      share_sample (out, "offlinefiles_share_online", share);
      g_string_append_printf (out, "%d\n", share->online ? 1 : 0);
    }

  gauge_seconds (out, "offlinefiles_sync_interval_seconds",
                 "SyncInterval: time between background syncs; 0 = none.",
                 (gint64) settings->sync_interval * 60 * G_USEC_PER_SEC);
  gauge_seconds (out, "offlinefiles_sync_variance_seconds",
                 "SyncVariance: the most a sync is moved from its slot, per machine.",
                 (gint64) settings->sync_variance * 60 * G_USEC_PER_SEC);
  gauge_seconds (out, "offlinefiles_max_time_between_syncs_seconds",
                 "MaxTimeBetweenSyncs: a sync runs even in the blockout window after this long; 0 = no limit.",
                 (gint64) settings->max_time_between_syncs * 60 * G_USEC_PER_SEC);
  gauge_seconds (out, "offlinefiles_blockout_start_seconds",
                 "BlockOutStartTimeHoursMinutes: when the blockout window opens, after local midnight.",
                 (gint64) of_settings_block_out_start_minutes (settings) * 60 * G_USEC_PER_SEC);
  gauge_seconds (out, "offlinefiles_blockout_duration_seconds",
                 "BlockOutDurationMin: how long the blockout window lasts; 0 = no window.",
                 (gint64) settings->block_out_duration * 60 * G_USEC_PER_SEC);
  family (out, "offlinefiles_work_offline_shares_enabled", "gauge",
          "BackgroundSyncWorkOfflineSharesEnabled: 1 if background syncs include shares in work-offline mode.");
  g_string_append_printf (out, "offlinefiles_work_offline_shares_enabled %d\n",
                          settings->work_offline_shares_enabled ? 1 : 0);

  return g_string_free (out, FALSE);
}
