/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-settings.c — validation of the six WMI values. */
#include <gio/gio.h>

#include "settings.h"

static void
test_defaults (void)
{
  OfSettings s;

  of_settings_init_defaults (&s);
  g_assert_cmpuint (s.sync_interval, ==, 360);
  g_assert_cmpuint (s.sync_variance, ==, 60);
  g_assert_cmpuint (s.max_time_between_syncs, ==, 0);
  g_assert_cmpuint (s.block_out_start, ==, 0);
  g_assert_cmpuint (s.block_out_duration, ==, 0);
  g_assert_false (s.work_offline_shares_enabled);
  /* Win32_OfflineFilesMachineConfiguration's defaults (SPEC 12.2). */
  g_assert_false (s.sync_on_costed_network_enabled);
  g_assert_true (s.sync_on_battery_enabled);
  g_assert_cmpuint (s.slow_link_probe_timeout_sec, ==, 2);
  g_assert_true (s.user_shares_enabled);
}

static void
test_machine_configuration (void)
{
  const OfSettingId machine[] = {
    OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED, OF_SETTING_SYNC_ON_BATTERY_ENABLED,
    OF_SETTING_SLOW_LINK_PROBE_TIMEOUT, OF_SETTING_USER_SHARES_ENABLED,
  };
  OfSettings s;

  for (guint i = 0; i < G_N_ELEMENTS (machine); i++)
    {
      g_assert_cmpstr (of_setting_group (machine[i]), ==, "MachineConfiguration");
      g_assert_cmpstr (of_setting_interface (machine[i]), ==, "org.offlinefiles.MachineConfiguration");
    }
  g_assert_cmpstr (of_setting_group (OF_SETTING_SYNC_INTERVAL), ==, "BackgroundSync");
  g_assert_cmpstr (of_setting_interface (OF_SETTING_SYNC_INTERVAL), ==, "org.offlinefiles.BackgroundSync");
  g_assert_cmpint (of_setting_lookup ("SlowLinkProbeTimeoutSec"), ==, OF_SETTING_SLOW_LINK_PROBE_TIMEOUT);
  g_assert_cmpstr (of_setting_info (OF_SETTING_SLOW_LINK_PROBE_TIMEOUT)->type, ==, "q");
  g_assert_cmpstr (of_setting_info (OF_SETTING_SYNC_ON_BATTERY_ENABLED)->type, ==, "b");

  /* The probe's limits: slow above the setting, given up at max (10 s, 3×). */
  of_settings_init_defaults (&s);
  g_assert_cmpint (of_settings_probe_slow_usec (&s), ==, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (of_settings_probe_limit_usec (&s), ==, 10 * G_USEC_PER_SEC);
  s.slow_link_probe_timeout_sec = 30;
  g_assert_cmpint (of_settings_probe_limit_usec (&s), ==, 90 * G_USEC_PER_SEC);
  s.slow_link_probe_timeout_sec = 4;
  g_assert_cmpint (of_settings_probe_limit_usec (&s), ==, 12 * G_USEC_PER_SEC);
}

static void
test_names (void)
{
  for (int id = 0; id < OF_N_SETTINGS; id++)
    g_assert_cmpint (of_setting_lookup (of_setting_name (id)), ==, id);
  g_assert_cmpint (of_setting_lookup ("syncinterval"), ==, -1);
  g_assert_cmpint (of_setting_lookup (""), ==, -1);
  g_assert_cmpint (of_setting_lookup (NULL), ==, -1);
}

static void
assert_valid (OfSettingId id, guint64 value)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (of_setting_validate (id, value, &error));
  g_assert_no_error (error);
}

static void
assert_invalid (OfSettingId id, guint64 value, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_assert_false (of_setting_validate (id, value, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_ranges (void)
{
  assert_valid (OF_SETTING_SYNC_INTERVAL, 0);
  assert_valid (OF_SETTING_SYNC_INTERVAL, 1440);
  assert_invalid (OF_SETTING_SYNC_INTERVAL, 1441, "SyncInterval must be 0..1440 minutes, got 1441");
  assert_valid (OF_SETTING_SYNC_VARIANCE, 3600);
  assert_invalid (OF_SETTING_SYNC_VARIANCE, 3601, "SyncVariance must be 0..3600 minutes, got 3601");
  assert_valid (OF_SETTING_MAX_TIME_BETWEEN_SYNCS, 65535);
  assert_invalid (OF_SETTING_MAX_TIME_BETWEEN_SYNCS, 65536, "MaxTimeBetweenSyncs must be 0..65535 minutes, got 65536");
  assert_valid (OF_SETTING_BLOCK_OUT_DURATION, 1440);
  assert_invalid (OF_SETTING_BLOCK_OUT_DURATION, 1441, "BlockOutDurationMin must be 0..1440 minutes, got 1441");
  assert_valid (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, 1);
  assert_invalid (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, 2, "BackgroundSyncWorkOfflineSharesEnabled must be true or false, got 2");
  assert_invalid (OF_SETTING_SLOW_LINK_PROBE_TIMEOUT, 0, "SlowLinkProbeTimeoutSec must be 1..30 seconds, got 0");
  assert_valid (OF_SETTING_SLOW_LINK_PROBE_TIMEOUT, 1);
  assert_valid (OF_SETTING_SLOW_LINK_PROBE_TIMEOUT, 30);
  assert_invalid (OF_SETTING_SLOW_LINK_PROBE_TIMEOUT, 31, "SlowLinkProbeTimeoutSec must be 1..30 seconds, got 31");
  assert_invalid (OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED, 2, "SyncOnCostedNetworkEnabled must be true or false, got 2");
  assert_valid (OF_SETTING_SYNC_ON_BATTERY_ENABLED, 0);
  assert_invalid (OF_SETTING_USER_SHARES_ENABLED, 7, "UserSharesEnabled must be true or false, got 7");
}

static void
test_hhmm (void)
{
  /* Every value 0..9999: valid exactly when it is a time of day or 2400. */
  for (guint v = 0; v < 10000; v++)
    {
      gboolean expected = v == 2400 || (v / 100 <= 23 && v % 100 <= 59);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (of_setting_validate (OF_SETTING_BLOCK_OUT_START, v, &error), ==, expected);
      if (!expected)
        g_assert_nonnull (strstr (error->message, "BlockOutStartTimeHoursMinutes"));
    }
  assert_invalid (OF_SETTING_BLOCK_OUT_START, 60,
                  "BlockOutStartTimeHoursMinutes must be a time of day HHMM (HH 00..23, MM 00..59) or 2400, got 0060");
}

static void
test_variant (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) q = g_variant_ref_sink (g_variant_new_uint16 (1441));
  g_autoptr(GVariant) u = g_variant_ref_sink (g_variant_new_uint32 (10));
  g_autoptr(GVariant) b = g_variant_ref_sink (g_variant_new_boolean (TRUE));
  guint32 out = 0;

  g_assert_false (of_setting_from_variant (OF_SETTING_SYNC_INTERVAL, q, &out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (of_setting_from_variant (OF_SETTING_SYNC_INTERVAL, u, &out, &error));
  g_assert_cmpstr (error->message, ==, "SyncInterval must be of D-Bus type 'q', got 'u'");
  g_clear_error (&error);

  g_assert_false (of_setting_from_variant (OF_SETTING_SYNC_INTERVAL, b, &out, &error));
  g_clear_error (&error);

  g_assert_true (of_setting_from_variant (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, b, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out, ==, 1);
}

static void
test_get_set (void)
{
  OfSettings a, b;

  of_settings_init_defaults (&a);
  b = a;
  g_assert_true (of_settings_equal (&a, &b));
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      guint32 value = of_setting_info (id)->kind == OF_SETTING_KIND_BOOLEAN ? !of_setting_info (id)->fallback : 1234;
      g_autoptr(GVariant) variant = NULL;

      of_settings_set (&b, id, value);
      g_assert_cmpuint (of_settings_get (&b, id), ==, value);
      variant = g_variant_ref_sink (of_settings_get_variant (&b, id));
      g_assert_true (g_variant_is_of_type (variant, of_setting_type (id)));
    }
  g_assert_false (of_settings_equal (&a, &b));

  b.block_out_start = 2400;
  g_assert_cmpuint (of_settings_block_out_start_minutes (&b), ==, 0);
  b.block_out_start = 2230;
  g_assert_cmpuint (of_settings_block_out_start_minutes (&b), ==, 22 * 60 + 30);
}

/* Configure's dictionary: all or nothing, and the error names the culprit. */
static void
test_update_from_dict (void)
{
  static const struct { const char *dict; const char *culprit; } refused[] = {
    { "{'SyncInterval': <uint16 10>, 'Bogus': <uint16 1>}", "Bogus" },
    { "{'SyncInterval': <uint16 10>, 'SyncInterval': <uint16 20>}", "SyncInterval" },
    { "{'SyncVariance': <uint16 10>, 'BlockOutDurationMin': <uint32 5>}", "BlockOutDurationMin" },
    { "{'BlockOutStartTimeHoursMinutes': <uint16 2360>}", "BlockOutStartTimeHoursMinutes" },
  };
  OfSettings defaults, values;
  guint mask = 0;

  of_settings_init_defaults (&defaults);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GVariant) dict = g_variant_ref_sink (g_variant_new_parsed (refused[i].dict));
      g_autoptr(GError) error = NULL;

      values = defaults;
      g_assert_false (of_settings_update_from_dict (&values, dict, &mask, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, refused[i].culprit));
      g_assert_true (of_settings_equal (&values, &defaults));
    }

  {
    g_autoptr(GVariant) dict =
      g_variant_ref_sink (g_variant_new_parsed ("{'SyncInterval': <uint16 10>, "
                                                "'BackgroundSyncWorkOfflineSharesEnabled': <true>}"));
    g_autoptr(GError) error = NULL;

    values = defaults;
    g_assert_true (of_settings_update_from_dict (&values, dict, &mask, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (mask, ==, (1u << OF_SETTING_SYNC_INTERVAL) |
                                (1u << OF_SETTING_WORK_OFFLINE_SHARES_ENABLED));
    g_assert_cmpuint (of_settings_get (&values, OF_SETTING_SYNC_INTERVAL), ==, 10);
    g_assert_cmpuint (of_settings_get (&values, OF_SETTING_SYNC_VARIANCE), ==,
                      of_settings_get (&defaults, OF_SETTING_SYNC_VARIANCE));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/defaults", test_defaults);
  g_test_add_func ("/settings/names", test_names);
  g_test_add_func ("/settings/ranges", test_ranges);
  g_test_add_func ("/settings/machine-configuration", test_machine_configuration);
  g_test_add_func ("/settings/hhmm", test_hhmm);
  g_test_add_func ("/settings/variant", test_variant);
  g_test_add_func ("/settings/get-set", test_get_set);
  g_test_add_func ("/settings/update-from-dict", test_update_from_dict);
  return g_test_run ();
}
