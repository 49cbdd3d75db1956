/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-metrics.c — the Prometheus text of a snapshot: every series of
 * docs/behaviour.md §12 with HELP and TYPE, base units, all four results
 * from the start, no timestamps, label values escaped, and the series
 * whose source is unknown left out rather than invented. */
#include <string.h>

#include "metrics.h"

#define T0 G_GINT64_CONSTANT (1700000000000000)  /* 2023-11-14 22:13:20 UTC */

static void
snapshot_init (OfMetricsSnapshot *snapshot)
{
  memset (snapshot, 0, sizeof *snapshot);
  snapshot->version = "0.1.0";
  snapshot->first_start = T0 - 86400 * G_TIME_SPAN_SECOND;
  of_settings_init_defaults (&snapshot->settings);
}

static char *
format_lines (const OfMetricsSnapshot *snapshot)
{
  char *text = of_metrics_format (snapshot);

  g_assert_true (g_str_has_suffix (text, "\n"));
  g_test_message ("%s", text);
  return text;
}

static gboolean
has_line (const char *text,
          const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);
  g_autofree char *haystack = g_strdup_printf ("\n%s", text);

  return strstr (haystack, needle) != NULL;
}

/* Each sample's family was announced by HELP and TYPE before it, every
 * sample is "name{labels} value" without a timestamp, and no family is
 * announced twice (the node exporter rejects all three). */
static void
assert_well_formed (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GHashTable) typed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) helped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; lines[i] && lines[i][0]; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "# HELP ") || g_str_has_prefix (line, "# TYPE "))
        {
          GHashTable *table = line[2] == 'H' ? helped : typed;
          g_auto(GStrv) words = g_strsplit (line + 7, " ", 2);

          g_assert_false (g_hash_table_contains (table, words[0]));
          g_hash_table_add (table, g_strdup (words[0]));
          if (line[2] == 'T')
            g_assert_true (g_str_equal (words[1], "gauge") || g_str_equal (words[1], "counter"));
          continue;
        }
      {
        gsize name_length = strcspn (line, "{ ");
        g_autofree char *name = g_strndup (line, name_length);
        const char *rest = line + name_length;
        const char *value;
        char *end;

        g_assert_true (g_str_has_prefix (name, "offlinefiles_"));
        g_assert_true (g_hash_table_contains (typed, name));
        g_assert_true (g_hash_table_contains (helped, name));
        if (*rest == '{')
          rest = strstr (rest, "} ") + 1;
        g_assert_cmpint (*rest, ==, ' ');
        value = rest + 1;
        /* One number, nothing after it: no timestamp. */
        g_ascii_strtod (value, &end);
        g_assert_true (end != value);
        g_assert_cmpint (*end, ==, '\0');
      }
    }
}

static void
test_fresh (void)
{
  OfMetricsSnapshot snapshot;
  g_autofree char *text = NULL;

  snapshot_init (&snapshot);
  text = format_lines (&snapshot);
  assert_well_formed (text);
  g_assert_true (has_line (text, "offlinefiles_build_info{version=\"0.1.0\"} 1"));
  g_assert_true (has_line (text, "offlinefiles_first_start_timestamp_seconds 1699913600"));
  g_assert_true (has_line (text, "offlinefiles_last_sync_start_timestamp_seconds 0"));
  g_assert_true (has_line (text, "offlinefiles_last_success_timestamp_seconds 0"));
  g_assert_true (has_line (text, "offlinefiles_next_sync_timestamp_seconds 0"));
  /* All four results from the start, so that rate() works. */
  g_assert_true (has_line (text, "# TYPE offlinefiles_syncs_total counter"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"success\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"partial\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"failed\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"cancelled\"} 0"));
  /* The WMI defaults in seconds: 360 and 60 minutes, no limit, no window. */
  g_assert_true (has_line (text, "offlinefiles_sync_interval_seconds 21600"));
  g_assert_true (has_line (text, "offlinefiles_sync_variance_seconds 3600"));
  g_assert_true (has_line (text, "offlinefiles_max_time_between_syncs_seconds 0"));
  g_assert_true (has_line (text, "offlinefiles_blockout_start_seconds 0"));
  g_assert_true (has_line (text, "offlinefiles_blockout_duration_seconds 0"));
  g_assert_true (has_line (text, "offlinefiles_work_offline_shares_enabled 0"));
  /* No share, no source for these: not listed at all. */
  g_assert_null (strstr (text, "offlinefiles_share_"));
  g_assert_null (strstr (text, "offlinefiles_deferred"));
}

static void
test_full (void)
{
  OfMetricsSnapshot snapshot;
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_metrics_share_free);
  g_autofree char *text = NULL;
  OfMetricsShare *docs, *home, *fresh;

  snapshot_init (&snapshot);
  snapshot.last_sync_start = T0 + 500000;         /* half a second */
  snapshot.last_success = T0 - 3600 * G_TIME_SPAN_SECOND;
  snapshot.next_sync = T0 + 21600 * G_TIME_SPAN_SECOND + 1;
  snapshot.syncs[OF_SHARE_RESULT_SUCCESS] = 12;
  snapshot.syncs[OF_SHARE_RESULT_PARTIAL] = 3;
  snapshot.syncs[OF_SHARE_RESULT_FAILED] = 1;
  snapshot.has_deferred = TRUE;
  snapshot.deferred_reason = "on-battery";
  snapshot.settings.sync_interval = 90;
  snapshot.settings.sync_variance = 15;
  snapshot.settings.max_time_between_syncs = 1440;
  snapshot.settings.block_out_start = 2230;       /* 22:30 */
  snapshot.settings.block_out_duration = 480;
  snapshot.settings.work_offline_shares_enabled = TRUE;
  docs = of_metrics_share_new ("docs");
  docs->last_success = T0;
  docs->last_duration = 2750000;                  /* 2.75 s */
  docs->has_conflicts = TRUE;
  docs->conflicts = 2;
  docs->has_online = TRUE;
  docs->online = TRUE;
  home = of_metrics_share_new ("home.v2_x-y");
  home->last_duration = 1;
  home->has_online = TRUE;
  home->online = FALSE;
  fresh = of_metrics_share_new ("fresh");
  g_ptr_array_add (shares, docs);
  g_ptr_array_add (shares, fresh);
  g_ptr_array_add (shares, home);
  snapshot.shares = shares;

  text = format_lines (&snapshot);
  assert_well_formed (text);
  g_assert_true (has_line (text, "offlinefiles_last_sync_start_timestamp_seconds 1700000000.5"));
  g_assert_true (has_line (text, "offlinefiles_last_success_timestamp_seconds 1699996400"));
  g_assert_true (has_line (text, "offlinefiles_next_sync_timestamp_seconds 1700021600.000001"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"success\"} 12"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"partial\"} 3"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"failed\"} 1"));
  g_assert_true (has_line (text, "offlinefiles_syncs_total{result=\"cancelled\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_deferred{reason=\"costed-network\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_deferred{reason=\"on-battery\"} 1"));
  g_assert_true (has_line (text, "offlinefiles_sync_interval_seconds 5400"));
  g_assert_true (has_line (text, "offlinefiles_sync_variance_seconds 900"));
  g_assert_true (has_line (text, "offlinefiles_max_time_between_syncs_seconds 86400"));
  g_assert_true (has_line (text, "offlinefiles_blockout_start_seconds 81000"));
  g_assert_true (has_line (text, "offlinefiles_blockout_duration_seconds 28800"));
  g_assert_true (has_line (text, "offlinefiles_work_offline_shares_enabled 1"));

  g_assert_true (has_line (text, "offlinefiles_share_last_success_timestamp_seconds{share=\"docs\"} 1700000000"));
  g_assert_true (has_line (text, "offlinefiles_share_last_success_timestamp_seconds{share=\"fresh\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_share_last_success_timestamp_seconds{share=\"home.v2_x-y\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_share_last_duration_seconds{share=\"docs\"} 2.75"));
  g_assert_true (has_line (text, "offlinefiles_share_last_duration_seconds{share=\"home.v2_x-y\"} 0.000001"));
  g_assert_null (strstr (text, "offlinefiles_share_last_duration_seconds{share=\"fresh\"}"));
  g_assert_true (has_line (text, "offlinefiles_share_conflicts{share=\"docs\"} 2"));
  g_assert_null (strstr (text, "offlinefiles_share_conflicts{share=\"home"));
  g_assert_true (has_line (text, "offlinefiles_share_online{share=\"docs\"} 1"));
  g_assert_true (has_line (text, "offlinefiles_share_online{share=\"home.v2_x-y\"} 0"));
  g_assert_null (strstr (text, "offlinefiles_share_online{share=\"fresh\"}"));

  /* 2400 is midnight, as 0000. */
  snapshot.settings.block_out_start = 2400;
  snapshot.has_deferred = TRUE;
  snapshot.deferred_reason = "";
  g_clear_pointer (&text, g_free);
  text = format_lines (&snapshot);
  g_assert_true (has_line (text, "offlinefiles_blockout_start_seconds 0"));
  g_assert_true (has_line (text, "offlinefiles_deferred{reason=\"costed-network\"} 0"));
  g_assert_true (has_line (text, "offlinefiles_deferred{reason=\"on-battery\"} 0"));
}

static void
test_escape (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "docs", "docs" },
    { "", "" },
    { "a\"b", "a\\\"b" },
    { "back\\slash", "back\\\\slash" },
    { "two\nlines", "two\\nlines" },
    { "\\\"\n", "\\\\\\\"\\n" },
    { "caf\xc3\xa9", "caf\xc3\xa9" },
    { "bad\xff", "bad\xef\xbf\xbd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = of_metrics_escape_label (cases[i].in);

      g_assert_cmpstr (escaped, ==, cases[i].out);
    }

  /* Through the formatter: a hostile name stays inside its quotes. */
  {
    OfMetricsSnapshot snapshot;
    g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_metrics_share_free);
    g_autofree char *text = NULL;

    snapshot_init (&snapshot);
    snapshot.version = "1\"} 99\n";
    g_ptr_array_add (shares, of_metrics_share_new ("x\"} 1\noffline_fake 7"));
    snapshot.shares = shares;
    text = format_lines (&snapshot);
    g_assert_true (has_line (text, "offlinefiles_build_info{version=\"1\\\"} 99\\n\"} 1"));
    g_assert_true (has_line (text, "offlinefiles_share_last_success_timestamp_seconds{share=\"x\\\"} 1\\noffline_fake 7\"} 0"));
    g_assert_null (strstr (text, "\noffline_fake"));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/fresh", test_fresh);
  g_test_add_func ("/metrics/full", test_full);
  g_test_add_func ("/metrics/escape", test_escape);
  return g_test_run ();
}
