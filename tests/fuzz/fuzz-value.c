/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-value.c — the settings one by one (both groups): HHMM and ranges
 * (of_setting_validate), the key-file text form (of_config_parse_key_file),
 * the D-Bus form (of_setting_from_variant) and the names (of_setting_lookup),
 * each against a model written from the documented rules.
 *
 * Input: byte 0 picks the setting, bytes 1..8 are a number (little endian,
 * zero padded), the rest (up to a NUL) is text: the value as written in a
 * file, and a candidate property name.
 */
#include "fuzz-common.h"

#include "config-store.h"
#include "settings.h"

#define BS "BackgroundSync"
#define MC "MachineConfiguration"

static const struct {
  const char *name;
  guint64     min;
  guint64     max;
  gboolean    boolean;
  const char *group;
} model[OF_N_SETTINGS] = {
  [OF_SETTING_SYNC_INTERVAL]              = { "SyncInterval", 0, 1440, FALSE, BS },
  [OF_SETTING_SYNC_VARIANCE]              = { "SyncVariance", 0, 3600, FALSE, BS },
  [OF_SETTING_MAX_TIME_BETWEEN_SYNCS]     = { "MaxTimeBetweenSyncs", 0, 65535, FALSE, BS },
  [OF_SETTING_BLOCK_OUT_START]            = { "BlockOutStartTimeHoursMinutes", 0, 2400, FALSE, BS },
  [OF_SETTING_BLOCK_OUT_DURATION]         = { "BlockOutDurationMin", 0, 1440, FALSE, BS },
  [OF_SETTING_WORK_OFFLINE_SHARES_ENABLED] = { "BackgroundSyncWorkOfflineSharesEnabled", 0, 1, TRUE, BS },
  [OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED] = { "SyncOnCostedNetworkEnabled", 0, 1, TRUE, MC },
  [OF_SETTING_SYNC_ON_BATTERY_ENABLED]    = { "SyncOnBatteryEnabled", 0, 1, TRUE, MC },
  [OF_SETTING_SLOW_LINK_PROBE_TIMEOUT]    = { "SlowLinkProbeTimeoutSec", 1, 30, FALSE, MC },
  [OF_SETTING_USER_SHARES_ENABLED]        = { "UserSharesEnabled", 0, 1, TRUE, MC },
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  return 0;
}

static gboolean
model_valid (OfSettingId id,
             guint64     value)
{
  if (id == OF_SETTING_BLOCK_OUT_START)
    {
      /* A time of day HHMM, or 2400 for midnight. */
      if (value == 2400)
        return TRUE;
      for (guint64 h = 0; h < 24; h++)
        if (value >= h * 100 && value <= h * 100 + 59)
          return TRUE;
      return FALSE;
    }
  return value >= model[id].min && value <= model[id].max;
}

typedef enum { TEXT_INVALID, TEXT_VALID, TEXT_EITHER } TextVerdict;

/* The text of a key file value: surrounding ASCII white space ignored;
 * decimal digits only for numbers; true/false/1/0 for the boolean.
 *
 * One GLib quirk is tolerated, not required: g_strstrip() leaves a leading
 * vertical tab, and g_ascii_string_to_unsigned() then lets strtoull() skip
 * it, more white space and a sign, negating modulo 2^64: "\v+30" reads as
 * 30, "\v-0" as 0 and "\v-18446744073709551615" as 1.  Either verdict is
 * fine there; a value, when taken, must be that one. */
static TextVerdict
model_parse_text (OfSettingId id,
                  const char *text,
                  guint64    *value)
{
  g_autofree char *copy = g_strdup (text);
  gboolean quirk = FALSE, negative = FALSE;
  const char *s;

  g_strstrip (copy);
  s = copy;
  if (model[id].boolean)
    {
      if (strcmp (s, "true") == 0 || strcmp (s, "1") == 0)
        *value = 1;
      else if (strcmp (s, "false") == 0 || strcmp (s, "0") == 0)
        *value = 0;
      else
        return TEXT_INVALID;
      return TEXT_VALID;
    }
  if (*s == '\v')
    {
      quirk = TRUE;
      s += strspn (s, " \t\n\v\f\r");
      if (*s == '+' || *s == '-')
        negative = *s++ == '-';
    }
  if (*s == '\0')
    return TEXT_INVALID;
  *value = 0;
  for (; *s; s++)
    {
      guint digit = (guint) (*s - '0');

      if (*s < '0' || *s > '9')
        return TEXT_INVALID;
      if (*value > (G_MAXUINT64 - digit) / 10)
        return TEXT_INVALID;
      *value = *value * 10 + digit;
      if (!quirk && *value > G_MAXUINT16)
        return TEXT_INVALID;
    }
  if (negative)
    *value = (guint64) 0 - *value;
  if (*value > G_MAXUINT16)
    return TEXT_INVALID;
  return quirk ? TEXT_EITHER : TEXT_VALID;
}

static void
check_number (OfSettingId id,
              guint64     value)
{
  g_autoptr(GError) error = NULL;
  gboolean valid = of_setting_validate (id, value, &error);

  FUZZ_CHECK (valid == model_valid (id, value), "%s=%" G_GUINT64_FORMAT ": validate says %d",
              model[id].name, value, valid);
  FUZZ_CHECK (valid == (error == NULL), "error set %d for valid %d", error != NULL, valid);
  if (error)
    FUZZ_CHECK (strstr (error->message, model[id].name) != NULL, "message without the name: %s", error->message);
  if (valid && id == OF_SETTING_BLOCK_OUT_START)
    {
      OfSettings settings;
      guint minutes;

      of_settings_init_defaults (&settings);
      of_settings_set (&settings, id, (guint32) value);
      minutes = of_settings_block_out_start_minutes (&settings);
      FUZZ_CHECK (minutes < 24 * 60 && minutes == (value % 2400) / 100 * 60 + value % 100,
                  "%" G_GUINT64_FORMAT " is %u minutes after midnight", value, minutes);
    }
}

static void
check_text (OfSettingId id,
            const char *text)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  OfSettings settings, defaults;
  guint64 expected = 0;
  TextVerdict verdict = model_parse_text (id, text, &expected);
  gboolean valid = verdict != TEXT_INVALID && model_valid (id, expected);
  guint present = 0;

  g_key_file_set_value (key_file, model[id].group, model[id].name, text);
  of_settings_init_defaults (&settings);
  defaults = settings;
  of_config_parse_key_file (key_file, "fuzz", &settings, &present, problems);
  if (verdict == TEXT_EITHER && present == 0)
    valid = FALSE;
  FUZZ_CHECK ((present == (1u << id)) == valid && (present & ~(1u << id)) == 0,
              "%s=\"%s\": present %#x, model valid %d", model[id].name, text, present, valid);
  FUZZ_CHECK (problems->len == (valid ? 0u : 1u), "%u problems", problems->len);
  if (valid)
    FUZZ_CHECK (of_settings_get (&settings, id) == expected, "%s=\"%s\" read as %u", model[id].name, text,
                of_settings_get (&settings, id));
  else
    FUZZ_CHECK (of_settings_equal (&settings, &defaults), "an invalid value changed the settings");
}

static void
check_variant (OfSettingId id,
               GVariant   *variant)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (variant);
  g_autoptr(GError) error = NULL;
  gboolean right_type = g_variant_is_of_type (owned, model[id].boolean ? G_VARIANT_TYPE_BOOLEAN : G_VARIANT_TYPE_UINT16);
  guint64 value = 0;
  guint32 out = G_MAXUINT32;
  gboolean ok;

  if (right_type)
    value = model[id].boolean ? (guint64) g_variant_get_boolean (owned) : g_variant_get_uint16 (owned);
  ok = of_setting_from_variant (id, owned, &out, &error);
  FUZZ_CHECK (ok == (right_type && model_valid (id, value)), "%s from %s: %d", model[id].name,
              g_variant_get_type_string (owned), ok);
  FUZZ_CHECK (ok == (error == NULL), "error");
  FUZZ_CHECK (!ok || out == value, "%u != %" G_GUINT64_FORMAT, out, value);
  FUZZ_CHECK (ok || out == G_MAXUINT32, "out written on failure");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  OfSettingId id;
  guint64 number = 0;
  int found;

  if (size < 1 || size > 4096)
    return -1;
  id = (OfSettingId) (data[0] % OF_N_SETTINGS);
  for (size_t i = 0; i < 8 && 1 + i < size; i++)
    number |= (guint64) data[1 + i] << (8 * i);
  text = fuzz_strndup (size > 9 ? data + 9 : data, size > 9 ? size - 9 : 0);

  FUZZ_CHECK (g_str_equal (of_setting_name (id), model[id].name), "name of %d", id);
  check_number (id, number);
  check_number (id, number & 0xffff);
  check_number (id, number % 2500);
  check_text (id, text);
  check_variant (id, g_variant_new_uint16 ((guint16) number));
  check_variant (id, g_variant_new_boolean (number & 1));
  check_variant (id, g_variant_new_uint32 ((guint32) number));
  check_variant (id, g_variant_new_int16 ((gint16) number));
  check_variant (id, g_variant_new_uint64 (number));
  if (g_utf8_validate (text, -1, NULL))
    check_variant (id, g_variant_new_string (text));

  found = of_setting_lookup (text);
  if (found >= 0)
    FUZZ_CHECK (found < OF_N_SETTINGS && g_str_equal (model[found].name, text), "lookup %s → %d", text, found);
  else
    for (int i = 0; i < OF_N_SETTINGS; i++)
      FUZZ_CHECK (!g_str_equal (model[i].name, text), "lookup missed %s", text);
  return 0;
}
