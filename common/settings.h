/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* settings.h — the read/write settings: the six
 * Win32_OfflineFilesBackgroundSync values (group and interface
 * BackgroundSync) and the four Win32_OfflineFilesMachineConfiguration ones
 * (group and interface MachineConfiguration): names, D-Bus types, ranges,
 * defaults and validation.  Pure: no I/O.
 *
 * This is the one place that knows what a valid value is; the bus
 * (Set, Configure), the config files and the fuzzers all validate here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OF_SETTING_SYNC_INTERVAL,
  OF_SETTING_SYNC_VARIANCE,
  OF_SETTING_MAX_TIME_BETWEEN_SYNCS,
  OF_SETTING_BLOCK_OUT_START,
  OF_SETTING_BLOCK_OUT_DURATION,
  OF_SETTING_WORK_OFFLINE_SHARES_ENABLED,
  /* [MachineConfiguration], docs/behaviour.md §14 */
  OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED,
  OF_SETTING_SYNC_ON_BATTERY_ENABLED,
  OF_SETTING_SLOW_LINK_PROBE_TIMEOUT,
  OF_SETTING_USER_SHARES_ENABLED,
  OF_N_SETTINGS
} OfSettingId;

typedef enum {
  OF_SETTING_KIND_MINUTES,  /* q, a number of minutes */
  OF_SETTING_KIND_HHMM,     /* q, a local time of day written HHMM */
  OF_SETTING_KIND_BOOLEAN,  /* b */
  OF_SETTING_KIND_SECONDS,  /* q, a number of seconds */
} OfSettingKind;

/* The table every reader shares: the daemon validates with it, the
 * client and the panel show ranges, defaults and units from it. */
typedef struct {
  const char    *name;      /* as on D-Bus and in the key file */
  const char    *type;      /* D-Bus signature: "q" or "b" */
  OfSettingKind  kind;
  guint32        min;
  guint32        max;
  guint32        fallback;  /* the WMI default */
  const char    *unit;      /* for messages; NULL when the value has no unit */
  const char    *group;     /* key file group: "BackgroundSync" or "MachineConfiguration" */
  const char    *interface; /* the D-Bus interface that carries it */
} OfSettingInfo;

const OfSettingInfo *of_setting_info (OfSettingId id);

typedef struct {
  guint16  sync_interval;          /* minutes, 0..1440; 0 = no periodic sync */
  guint16  sync_variance;          /* minutes, 0..3600 */
  guint16  max_time_between_syncs; /* minutes, 0..65535; 0 = no limit */
  guint16  block_out_start;        /* HHMM as written; 2400 means 0000 */
  guint16  block_out_duration;     /* minutes, 0..1440; 0 = no window */
  gboolean work_offline_shares_enabled;
  gboolean sync_on_costed_network_enabled;  /* default false */
  gboolean sync_on_battery_enabled;         /* default true */
  guint16  slow_link_probe_timeout_sec;     /* seconds, 1..30, default 2 */
  gboolean user_shares_enabled;             /* default true; used by AddShare */
} OfSettings;

void         of_settings_init_defaults (OfSettings *settings);
gboolean     of_settings_equal         (const OfSettings *a,
                                        const OfSettings *b);

/* Property name as on D-Bus and in the key file, e.g. "SyncInterval". */
const char  *of_setting_name           (OfSettingId id);
/* -1 when @name is not one of the settings. */
int          of_setting_lookup         (const char *name);
/* "q" or "b". */
const GVariantType *of_setting_type    (OfSettingId id);
/* The key file group, and the D-Bus interface, of @id. */
const char  *of_setting_group          (OfSettingId id);
const char  *of_setting_interface      (OfSettingId id);

/* Range check of a plain number (booleans: 0 or 1).  The error is
 * G_IO_ERROR_INVALID_ARGUMENT with a message that names the property, the
 * value and the valid range, e.g. "SyncInterval must be 0..1440 minutes,
 * got 1441". */
gboolean     of_setting_validate       (OfSettingId id,
                                        guint64     value,
                                        GError    **error);

/* Type check, then range check; on success stores the value in *out. */
gboolean     of_setting_from_variant   (OfSettingId id,
                                        GVariant   *variant,
                                        guint32    *out,
                                        GError    **error);

/* Configure's a{sv}: every name one of the settings (of either interface), none given twice, each
 * of its type and range.  On success @settings holds the new values and
 * *@mask the bits (1 << id) of the names given; on failure nothing changes
 * and the G_IO_ERROR_INVALID_ARGUMENT names the offending setting. */
gboolean     of_settings_update_from_dict (OfSettings *settings,
                                           GVariant   *dict,
                                           guint      *mask,
                                           GError    **error);

guint32      of_settings_get           (const OfSettings *settings,
                                        OfSettingId       id);
/* The value must have been validated. */
void         of_settings_set           (OfSettings *settings,
                                        OfSettingId id,
                                        guint32     value);
GVariant    *of_settings_get_variant   (const OfSettings *settings,
                                        OfSettingId       id);

/* Minutes after local midnight at which the blockout window opens (2400 → 0). */
guint        of_settings_block_out_start_minutes (const OfSettings *settings);

/* A probe slower than SlowLinkProbeTimeoutSec that still answers is a
 * slow link; it is given up at max (10 s, 3 × that): SPEC 12.2. */
gint64       of_settings_probe_slow_usec  (const OfSettings *settings);
gint64       of_settings_probe_limit_usec (const OfSettings *settings);

G_END_DECLS
