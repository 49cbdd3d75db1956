/* properties.c — see properties.h. */
#include "config.h"

#include "properties.h"

#include <string.h>

#include <glib/gi18n.h>

#include "format.h"

const OfProperty of_properties[] = {
  { "SyncInterval",                           OF_KIND_MINUTES, TRUE },
  { "SyncVariance",                           OF_KIND_MINUTES, TRUE },
  { "MaxTimeBetweenSyncs",                    OF_KIND_MINUTES, TRUE },
  { "BlockOutStartTimeHoursMinutes",          OF_KIND_HHMM,    TRUE },
  { "BlockOutDurationMin",                    OF_KIND_MINUTES, TRUE },
  { "BackgroundSyncWorkOfflineSharesEnabled", OF_KIND_BOOLEAN, TRUE },
  { "State",                                  OF_KIND_STRING,  FALSE },
  { "NextSyncTime",                           OF_KIND_TIME,    FALSE },
  { "LastSyncStartTime",                      OF_KIND_TIME,    FALSE },
  { "LastSyncFinishTime",                     OF_KIND_TIME,    FALSE },
  { "LastSyncResult",                         OF_KIND_STRING,  FALSE },
  { "LastSuccessfulSyncTime",                 OF_KIND_TIME,    FALSE },
  { "CurrentSyncId",                          OF_KIND_ID,      FALSE },
  { "LockedProperties",                       OF_KIND_STRV,    FALSE },
  { NULL, 0, FALSE },
};

const OfProperty *
of_property_lookup (const char *name)
{
  for (const OfProperty *p = of_properties; p->name; p++)
    if (strcmp (p->name, name) == 0)
      return p;
  return NULL;
}

const char * const *
of_property_names (gboolean writable_only)
{
  static const char *all[G_N_ELEMENTS (of_properties)];
  static const char *writable[G_N_ELEMENTS (of_properties)];
  const char **names = writable_only ? writable : all;

  if (names[0] == NULL)
    {
      guint n = 0;
      for (const OfProperty *p = of_properties; p->name; p++)
        if (p->writable || !writable_only)
          names[n++] = p->name;
    }
  return names;
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

  /* g_ascii_string_to_unsigned accepts a leading "+" and spaces nowhere. */
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
of_property_parse (const OfProperty *property,
                   const char       *text,
                   GError          **error)
{
  guint16 number;
  gboolean flag;

  switch (property->kind)
    {
    case OF_KIND_MINUTES:
      if (parse_uint16 (text, &number))
        return g_variant_new_uint16 (number);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected a number of minutes"), text, property->name);
      return NULL;
    case OF_KIND_HHMM:
      if (parse_hhmm (text, &number))
        return g_variant_new_uint16 (number);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected a time of day like 2230 or 22:30"),
                   text, property->name);
      return NULL;
    case OF_KIND_BOOLEAN:
      if (of_parse_boolean (text, &flag))
        return g_variant_new_boolean (flag);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Invalid value “%s” for %s: expected true or false (yes/no, on/off, 1/0)"),
                   text, property->name);
      return NULL;
    case OF_KIND_STRING:
    case OF_KIND_TIME:
    case OF_KIND_ID:
    case OF_KIND_STRV:
    default:
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s is read-only"), property->name);
      return NULL;
    }
}

char *
of_property_format_raw (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autofree const char **strv = g_variant_get_strv (value, NULL);
      /* One per line, so that `while read` loops work. */
      return g_strjoinv ("\n", (char **) strv);
    }
  return g_variant_print (value, FALSE);
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
of_property_format_human (const OfProperty *property,
                          GVariant         *value)
{
  const char *name = property->name;
  guint n;

  switch (property->kind)
    {
    case OF_KIND_MINUTES:
      n = g_variant_get_uint16 (value);
      if (strcmp (name, "SyncInterval") == 0)
        return format_minutes (n, _("no periodic sync"));
      if (strcmp (name, "MaxTimeBetweenSyncs") == 0)
        return format_minutes (n, _("no limit"));
      if (strcmp (name, "BlockOutDurationMin") == 0)
        return format_minutes (n, _("no blockout window"));
      return format_minutes (n, _("none"));
    case OF_KIND_HHMM:
      n = g_variant_get_uint16 (value);
      return g_strdup_printf ("%04u (%02u:%02u)", n, (n / 100) % 24, n % 100);
    case OF_KIND_BOOLEAN:
      return g_strdup (g_variant_get_boolean (value) ? _("yes") : _("no"));
    case OF_KIND_STRING:
    case OF_KIND_TIME:
    case OF_KIND_ID:
    case OF_KIND_STRV:
    default:
      return of_property_format_raw (value);
    }
}
