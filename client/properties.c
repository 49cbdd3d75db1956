/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* properties.c — property names, value parsing and display; see
 * properties.h. */
#include "config.h"

#include "properties.h"

#include <string.h>

#include <glib/gi18n.h>

#include "offlinefiles-dbus.h"
#include "text.h"
#include "time-format.h"

const char * const *
of_property_names (gboolean writable_only)
{
  /* Built once from the two sources; the client is single-threaded. */
  static const char **all;
  static const char *writable[OF_N_SETTINGS + 1];

  if (writable_only)
    {
      if (writable[0] == NULL)
        for (int id = 0; id < OF_N_SETTINGS; id++)
          writable[id] = of_setting_info (id)->name;
      return writable;
    }
  if (all == NULL)
    {
      /* The settings in the table's order (both interfaces), then the
       * main interface's status properties. */
      GDBusPropertyInfo **properties = of_dbus_background_sync_interface_info ()->properties;
      guint n = 0, k = 0;

      while (properties[n])
        n++;
      all = g_new0 (const char *, n + OF_N_SETTINGS + 1);
      for (int id = 0; id < OF_N_SETTINGS; id++)
        all[k++] = of_setting_info (id)->name;
      for (guint i = 0; i < n; i++)
        if (of_setting_lookup (properties[i]->name) < 0)
          all[k++] = properties[i]->name;
    }
  return all;
}

gboolean
of_property_exists (const char *name)
{
  return g_dbus_interface_info_lookup_property (of_dbus_background_sync_interface_info (), name) != NULL ||
         g_dbus_interface_info_lookup_property (of_dbus_machine_configuration_interface_info (), name) != NULL;
}

gboolean
of_parse_boolean (const char *text, gboolean *value)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        return *value = TRUE, TRUE;
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        return *value = FALSE, TRUE;
    }
  return FALSE;
}

static gboolean
parse_uint16 (const char *text, guint16 *value)
{
  guint64 n;

  /* g_ascii_string_to_unsigned() would take a leading "+"; a number of
   * ours is digits only. */
  if (!g_ascii_isdigit (text[0]) ||
      !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT16, &n, NULL))
    return FALSE;
  *value = (guint16) n;
  return TRUE;
}

static gboolean
parse_hhmm (const char *text, guint16 *value)
{
  const char *colon = strchr (text, ':');
  g_autofree char *hours = NULL;
  guint16 hh, mm;

  if (colon == NULL)
    return parse_uint16 (text, value);

  /* "22:30" or "7:05": the minutes must be two digits below 60, or the
   * HHMM number would silently mean something else. */
  hours = g_strndup (text, colon - text);
  if (strlen (colon + 1) != 2 || !parse_uint16 (hours, &hh) || !parse_uint16 (colon + 1, &mm) ||
      hh > 99 || mm > 59)
    return FALSE;
  *value = (guint16) (hh * 100 + mm);
  return TRUE;
}

GVariant *
of_setting_parse (OfSettingId  id,
                  const char  *text,
                  GError     **error)
{
  const OfSettingInfo *info = of_setting_info (id);
  g_autofree char *shown = of_escape_text (text);
  guint16 number;
  gboolean flag;

  switch (info->kind)
    {
    case OF_SETTING_KIND_MINUTES:
      if (parse_uint16 (text, &number))
        return g_variant_new_uint16 (number);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected a number of minutes"), shown, info->name);
      return NULL;
    case OF_SETTING_KIND_SECONDS:
      if (parse_uint16 (text, &number))
        return g_variant_new_uint16 (number);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected a number of seconds"), shown, info->name);
      return NULL;
    case OF_SETTING_KIND_HHMM:
      if (parse_hhmm (text, &number))
        return g_variant_new_uint16 (number);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected a time of day like 2230 or 22:30"),
                   shown, info->name);
      return NULL;
    case OF_SETTING_KIND_BOOLEAN:
      if (of_parse_boolean (text, &flag))
        return g_variant_new_boolean (flag);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected true or false (yes/no, on/off, 1/0)"),
                   shown, info->name);
      return NULL;
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
of_setting_describe_range (OfSettingId id)
{
  const OfSettingInfo *info = of_setting_info (id);

  switch (info->kind)
    {
    case OF_SETTING_KIND_MINUTES:
      /* TRANSLATORS: a setting's range and default, e.g. "0..1440 minutes, default 360" */
      return g_strdup_printf (_("%u..%u minutes, default %u"), info->min, info->max, info->fallback);
    case OF_SETTING_KIND_SECONDS:
      /* TRANSLATORS: a setting's range and default, e.g. "1..30 seconds, default 2" */
      return g_strdup_printf (_("%u..%u seconds, default %u"), info->min, info->max, info->fallback);
    case OF_SETTING_KIND_HHMM:
      /* TRANSLATORS: the blockout start's range and default; %04u is e.g. 0000 */
      return g_strdup_printf (_("time of day HHMM or HH:MM, default %04u"), info->fallback);
    case OF_SETTING_KIND_BOOLEAN:
      return g_strdup (info->fallback ? _("true or false, default true") : _("true or false, default false"));
    default:
      g_return_val_if_reached (NULL);
    }
}

char *
of_property_format_raw (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return of_escape_text (g_variant_get_string (value, NULL));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autoptr(GString) text = g_string_new (NULL);
      GVariantIter iter;
      const char *item;

      /* One per line, so that `while read` loops work; each escaped, so
       * that no item can pose as two. */
      g_variant_iter_init (&iter, value);
      while (g_variant_iter_next (&iter, "&s", &item))
        {
          g_autofree char *shown = of_escape_text (item);

          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, shown);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  {
    /* Numbers; anything else would be a new type in the XML, shown in
     * GVariant's text format, which may quote strings of the bus. */
    g_autofree char *printed = g_variant_print (value, FALSE);
    return of_escape_text (printed);
  }
}

static char *
format_minutes (guint minutes, const char *zero_meaning)
{
  g_autofree char *span = NULL;

  if (minutes == 0)
    return g_strdup_printf ("0 (%s)", zero_meaning);
  if (minutes < 60)
    return g_strdup_printf (_("%u min"), minutes);
  span = of_format_duration ((guint64) minutes * 60);
  return g_strdup_printf (_("%u min (%s)"), minutes, span);
}

char *
of_setting_format_human (OfSettingId  id,
                         GVariant    *value)
{
  guint n;

  if (!g_variant_is_of_type (value, of_setting_type (id)))
    return of_property_format_raw (value);

  switch (of_setting_info (id)->kind)
    {
    case OF_SETTING_KIND_MINUTES:
      n = g_variant_get_uint16 (value);
      /* What 0 means differs per setting; the words are display only. */
      switch (id)
        {
        case OF_SETTING_SYNC_INTERVAL:
          return format_minutes (n, _("no periodic sync"));
        case OF_SETTING_MAX_TIME_BETWEEN_SYNCS:
          return format_minutes (n, _("no limit"));
        case OF_SETTING_BLOCK_OUT_DURATION:
          return format_minutes (n, _("no blockout window"));
        case OF_SETTING_SYNC_VARIANCE:
        case OF_SETTING_BLOCK_OUT_START:
        default:
          return format_minutes (n, _("none"));
        }
    case OF_SETTING_KIND_SECONDS:
      return g_strdup_printf (_("%u s"), g_variant_get_uint16 (value));
    case OF_SETTING_KIND_HHMM:
      n = g_variant_get_uint16 (value);
      return g_strdup_printf ("%04u (%02u:%02u)", n, (n / 100) % 24, n % 100);
    case OF_SETTING_KIND_BOOLEAN:
      return g_strdup (g_variant_get_boolean (value) ? _("yes") : _("no"));
    default:
      g_return_val_if_reached (NULL);
    }
}
