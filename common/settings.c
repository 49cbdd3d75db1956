/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* settings.c — names, types, ranges and defaults of the WMI values. */
#include "settings.h"

#include "names.h"

#include <gio/gio.h>
#include <string.h>

#define BS "BackgroundSync", OF_INTERFACE_BACKGROUND_SYNC
#define MC "MachineConfiguration", OF_INTERFACE_MACHINE_CONFIGURATION

static const OfSettingInfo setting_info[OF_N_SETTINGS] = {
  [OF_SETTING_SYNC_INTERVAL]          =
    { "SyncInterval", "q", OF_SETTING_KIND_MINUTES, 0, 1440, 360, "minutes", BS },
  [OF_SETTING_SYNC_VARIANCE]          =
    { "SyncVariance", "q", OF_SETTING_KIND_MINUTES, 0, 3600, 60, "minutes", BS },
  [OF_SETTING_MAX_TIME_BETWEEN_SYNCS] =
    { "MaxTimeBetweenSyncs", "q", OF_SETTING_KIND_MINUTES, 0, 65535, 0, "minutes", BS },
  [OF_SETTING_BLOCK_OUT_START]        =
    { "BlockOutStartTimeHoursMinutes", "q", OF_SETTING_KIND_HHMM, 0, 2400, 0, NULL, BS },
  [OF_SETTING_BLOCK_OUT_DURATION]     =
    { "BlockOutDurationMin", "q", OF_SETTING_KIND_MINUTES, 0, 1440, 0, "minutes", BS },
  [OF_SETTING_WORK_OFFLINE_SHARES_ENABLED] =
    { "BackgroundSyncWorkOfflineSharesEnabled", "b", OF_SETTING_KIND_BOOLEAN, 0, 1, 0, NULL, BS },
  [OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED] =
    { "SyncOnCostedNetworkEnabled", "b", OF_SETTING_KIND_BOOLEAN, 0, 1, 0, NULL, MC },
  [OF_SETTING_SYNC_ON_BATTERY_ENABLED] =
    { "SyncOnBatteryEnabled", "b", OF_SETTING_KIND_BOOLEAN, 0, 1, 1, NULL, MC },
  [OF_SETTING_SLOW_LINK_PROBE_TIMEOUT] =
    { "SlowLinkProbeTimeoutSec", "q", OF_SETTING_KIND_SECONDS, 1, 30, 2, "seconds", MC },
  [OF_SETTING_USER_SHARES_ENABLED] =
    { "UserSharesEnabled", "b", OF_SETTING_KIND_BOOLEAN, 0, 1, 1, NULL, MC },
};

#undef BS
#undef MC

const OfSettingInfo *
of_setting_info (OfSettingId id)
{
  g_return_val_if_fail (id < OF_N_SETTINGS, NULL);
  return &setting_info[id];
}

const char *
of_setting_name (OfSettingId id)
{
  g_return_val_if_fail (id < OF_N_SETTINGS, NULL);
  return setting_info[id].name;
}

int
of_setting_lookup (const char *name)
{
  for (int i = 0; i < OF_N_SETTINGS; i++)
    if (g_strcmp0 (name, setting_info[i].name) == 0)
      return i;
  return -1;
}

const GVariantType *
of_setting_type (OfSettingId id)
{
  g_return_val_if_fail (id < OF_N_SETTINGS, NULL);
  return G_VARIANT_TYPE (setting_info[id].type);
}

const char *
of_setting_group (OfSettingId id)
{
  g_return_val_if_fail (id < OF_N_SETTINGS, NULL);
  return setting_info[id].group;
}

const char *
of_setting_interface (OfSettingId id)
{
  g_return_val_if_fail (id < OF_N_SETTINGS, NULL);
  return setting_info[id].interface;
}

gboolean
of_setting_validate (OfSettingId id,
                     guint64     value,
                     GError    **error)
{
  const OfSettingInfo *info;

  g_return_val_if_fail (id < OF_N_SETTINGS, FALSE);
  info = &setting_info[id];

  if (id == OF_SETTING_BLOCK_OUT_START)
    {
      /* HHMM: the hours and the minutes are checked separately, because
       * 0060 or 2360 are inside 0..2400 but are not times of day. */
      if (value == 2400 || (value < 2400 && value % 100 < 60))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s must be a time of day HHMM (HH 00..23, MM 00..59) or 2400, got %04" G_GUINT64_FORMAT,
                   info->name, value);
      return FALSE;
    }

  if (value >= info->min && value <= info->max)
    return TRUE;

  if (info->kind == OF_SETTING_KIND_BOOLEAN)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s must be true or false, got %" G_GUINT64_FORMAT,
                 info->name, value);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s must be %u..%u %s, got %" G_GUINT64_FORMAT,
                 info->name, info->min, info->max, info->unit, value);
  return FALSE;
}

gboolean
of_setting_from_variant (OfSettingId id,
                         GVariant   *variant,
                         guint32    *out,
                         GError    **error)
{
  guint64 value;

  g_return_val_if_fail (id < OF_N_SETTINGS, FALSE);
  g_return_val_if_fail (variant != NULL, FALSE);

  if (!g_variant_is_of_type (variant, of_setting_type (id)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s must be of D-Bus type '%s', got '%s'",
                   setting_info[id].name, setting_info[id].type,
                   g_variant_get_type_string (variant));
      return FALSE;
    }

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_BOOLEAN))
    value = g_variant_get_boolean (variant) ? 1 : 0;
  else
    value = g_variant_get_uint16 (variant);

  if (!of_setting_validate (id, value, error))
    return FALSE;

  if (out)
    *out = (guint32) value;
  return TRUE;
}

gboolean
of_settings_update_from_dict (OfSettings *settings,
                              GVariant   *dict,
                              guint      *mask,
                              GError    **error)
{
  OfSettings updated = *settings;
  guint given = 0;
  GVariantIter iter;
  const char *key;
  GVariant *next;

  g_return_val_if_fail (g_variant_is_of_type (dict, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &next))
    {
      g_autoptr(GVariant) value = next;
      int id = of_setting_lookup (key);
      guint32 parsed;

      if (id < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown setting '%s'", key);
          return FALSE;
        }
      if (given & (1u << id))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Setting '%s' is given twice", key);
          return FALSE;
        }
      if (!of_setting_from_variant (id, value, &parsed, error))
        return FALSE;
      of_settings_set (&updated, id, parsed);
      given |= 1u << id;
    }
  *settings = updated;
  if (mask)
    *mask = given;
  return TRUE;
}

void
of_settings_init_defaults (OfSettings *settings)
{
  g_return_if_fail (settings != NULL);

  memset (settings, 0, sizeof *settings);
  for (int i = 0; i < OF_N_SETTINGS; i++)
    of_settings_set (settings, i, setting_info[i].fallback);
}

gboolean
of_settings_equal (const OfSettings *a,
                   const OfSettings *b)
{
  for (int i = 0; i < OF_N_SETTINGS; i++)
    if (of_settings_get (a, i) != of_settings_get (b, i))
      return FALSE;
  return TRUE;
}

guint32
of_settings_get (const OfSettings *settings,
                 OfSettingId       id)
{
  switch (id)
    {
    case OF_SETTING_SYNC_INTERVAL:
      return settings->sync_interval;
    case OF_SETTING_SYNC_VARIANCE:
      return settings->sync_variance;
    case OF_SETTING_MAX_TIME_BETWEEN_SYNCS:
      return settings->max_time_between_syncs;
    case OF_SETTING_BLOCK_OUT_START:
      return settings->block_out_start;
    case OF_SETTING_BLOCK_OUT_DURATION:
      return settings->block_out_duration;
    case OF_SETTING_WORK_OFFLINE_SHARES_ENABLED:
      return settings->work_offline_shares_enabled ? 1 : 0;
    case OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED:
      return settings->sync_on_costed_network_enabled ? 1 : 0;
    case OF_SETTING_SYNC_ON_BATTERY_ENABLED:
      return settings->sync_on_battery_enabled ? 1 : 0;
    case OF_SETTING_SLOW_LINK_PROBE_TIMEOUT:
      return settings->slow_link_probe_timeout_sec;
    case OF_SETTING_USER_SHARES_ENABLED:
      return settings->user_shares_enabled ? 1 : 0;
    case OF_N_SETTINGS:
    default:
      g_return_val_if_reached (0);
    }
}

void
of_settings_set (OfSettings *settings,
                 OfSettingId id,
                 guint32     value)
{
  switch (id)
    {
    case OF_SETTING_SYNC_INTERVAL:
      settings->sync_interval = (guint16) value;
      break;
    case OF_SETTING_SYNC_VARIANCE:
      settings->sync_variance = (guint16) value;
      break;
    case OF_SETTING_MAX_TIME_BETWEEN_SYNCS:
      settings->max_time_between_syncs = (guint16) value;
      break;
    case OF_SETTING_BLOCK_OUT_START:
      settings->block_out_start = (guint16) value;
      break;
    case OF_SETTING_BLOCK_OUT_DURATION:
      settings->block_out_duration = (guint16) value;
      break;
    case OF_SETTING_WORK_OFFLINE_SHARES_ENABLED:
      settings->work_offline_shares_enabled = value != 0;
      break;
    case OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED:
      settings->sync_on_costed_network_enabled = value != 0;
      break;
    case OF_SETTING_SYNC_ON_BATTERY_ENABLED:
      settings->sync_on_battery_enabled = value != 0;
      break;
    case OF_SETTING_SLOW_LINK_PROBE_TIMEOUT:
      settings->slow_link_probe_timeout_sec = (guint16) value;
      break;
    case OF_SETTING_USER_SHARES_ENABLED:
      settings->user_shares_enabled = value != 0;
      break;
    case OF_N_SETTINGS:
    default:
      g_return_if_reached ();
    }
}

GVariant *
of_settings_get_variant (const OfSettings *settings,
                         OfSettingId       id)
{
  guint32 value = of_settings_get (settings, id);

  if (setting_info[id].kind == OF_SETTING_KIND_BOOLEAN)
    return g_variant_new_boolean (value != 0);
  return g_variant_new_uint16 ((guint16) value);
}

guint
of_settings_block_out_start_minutes (const OfSettings *settings)
{
  guint hhmm = settings->block_out_start == 2400 ? 0 : settings->block_out_start;

  return (hhmm / 100) * 60 + hhmm % 100;
}

gint64
of_settings_probe_slow_usec (const OfSettings *settings)
{
  return (gint64) settings->slow_link_probe_timeout_sec * G_USEC_PER_SEC;
}

gint64
of_settings_probe_limit_usec (const OfSettings *settings)
{
  return MAX (10 * G_USEC_PER_SEC, 3 * of_settings_probe_slow_usec (settings));
}
