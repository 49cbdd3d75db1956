/* format.c — see format.h. */
#include "config.h"

#include "format.h"

#include <string.h>

#include <glib/gi18n.h>

void
of_json_init (OfJson *json,
              GString *out)
{
  memset (json, 0, sizeof *json);
  json->out = out;
}

/* Writes the comma that separates this value from the previous member,
 * unless the value is the one a key announced. */
static void
begin_value (OfJson *json)
{
  if (json->after_key)
    {
      json->after_key = FALSE;
      return;
    }
  if (json->depth > 0 && json->items[json->depth - 1]++ > 0)
    g_string_append (json->out, ", ");
}

static void
push (OfJson *json, char bracket)
{
  begin_value (json);
  g_string_append_c (json->out, bracket);
  g_return_if_fail (json->depth < OF_JSON_MAX_DEPTH);
  json->items[json->depth++] = 0;
}

static void
pop (OfJson *json, char bracket)
{
  g_return_if_fail (json->depth > 0);
  json->depth--;
  g_string_append_c (json->out, bracket);
}

void of_json_begin_object (OfJson *json) { push (json, '{'); }
void of_json_end_object (OfJson *json) { pop (json, '}'); }
void of_json_begin_array (OfJson *json) { push (json, '['); }
void of_json_end_array (OfJson *json) { pop (json, ']'); }

static void
append_escaped (GString *out, const char *text)
{
  /* JSON must be UTF-8; a share name from a broken file must not make
   * the whole document unparsable. */
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p; p++)
    {
      unsigned char c = (unsigned char) *p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

void
of_json_key (OfJson *json, const char *key)
{
  begin_value (json);
  append_escaped (json->out, key);
  g_string_append (json->out, ": ");
  json->after_key = TRUE;
}

void
of_json_string (OfJson *json, const char *value)
{
  begin_value (json);
  append_escaped (json->out, value ? value : "");
}

void
of_json_uint (OfJson *json, guint64 value)
{
  begin_value (json);
  g_string_append_printf (json->out, "%" G_GUINT64_FORMAT, value);
}

void
of_json_int (OfJson *json, gint64 value)
{
  begin_value (json);
  g_string_append_printf (json->out, "%" G_GINT64_FORMAT, value);
}

void
of_json_bool (OfJson *json, gboolean value)
{
  begin_value (json);
  g_string_append (json->out, value ? "true" : "false");
}

void
of_json_null (OfJson *json)
{
  begin_value (json);
  g_string_append (json->out, "null");
}

void
of_json_variant (OfJson *json, GVariant *value)
{
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BOOLEAN: of_json_bool (json, g_variant_get_boolean (value)); break;
    case G_VARIANT_CLASS_BYTE:    of_json_uint (json, g_variant_get_byte (value)); break;
    case G_VARIANT_CLASS_INT16:   of_json_int (json, g_variant_get_int16 (value)); break;
    case G_VARIANT_CLASS_UINT16:  of_json_uint (json, g_variant_get_uint16 (value)); break;
    case G_VARIANT_CLASS_INT32:   of_json_int (json, g_variant_get_int32 (value)); break;
    case G_VARIANT_CLASS_UINT32:  of_json_uint (json, g_variant_get_uint32 (value)); break;
    case G_VARIANT_CLASS_INT64:   of_json_int (json, g_variant_get_int64 (value)); break;
    case G_VARIANT_CLASS_UINT64:  of_json_uint (json, g_variant_get_uint64 (value)); break;
    case G_VARIANT_CLASS_DOUBLE:
      begin_value (json);
      g_string_append_printf (json->out, "%.17g", g_variant_get_double (value));
      break;
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      of_json_string (json, g_variant_get_string (value, NULL));
      break;
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (value);
        of_json_variant (json, inner);
      }
      break;
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
        {
          GVariantIter iter;
          const char *key;
          GVariant *member;

          of_json_begin_object (json);
          g_variant_iter_init (&iter, value);
          while (g_variant_iter_loop (&iter, "{&sv}", &key, &member))
            {
              of_json_key (json, key);
              of_json_variant (json, member);
            }
          of_json_end_object (json);
        }
      else
        {
          GVariantIter iter;
          GVariant *member;

          of_json_begin_array (json);
          g_variant_iter_init (&iter, value);
          while ((member = g_variant_iter_next_value (&iter)) != NULL)
            {
              of_json_variant (json, member);
              g_variant_unref (member);
            }
          of_json_end_array (json);
        }
      break;
    default:
      /* Nothing of ours has other types; keep the document valid anyway. */
      {
        g_autofree char *text = g_variant_print (value, FALSE);
        of_json_string (json, text);
      }
    }
}

void
of_json_time_members (OfJson *json, const char *key, guint64 usec)
{
  g_autofree char *usec_key = g_strconcat (key, "_usec", NULL);

  of_json_key (json, key);
  if (usec == 0)
    of_json_null (json);
  else
    {
      g_autofree char *iso = of_format_iso8601_utc (usec);
      of_json_string (json, iso);
    }
  of_json_key (json, usec_key);
  of_json_uint (json, usec);
}

static GDateTime *
date_time_from_usec (guint64 usec, gboolean local)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc ((gint64) (usec / G_USEC_PER_SEC));

  if (utc == NULL)
    return NULL;
  return local ? g_date_time_to_local (utc) : g_date_time_ref (utc);
}

char *
of_format_iso8601_utc (guint64 usec)
{
  g_autoptr(GDateTime) time = date_time_from_usec (usec, FALSE);

  if (time == NULL)
    return g_strdup_printf ("@%" G_GUINT64_FORMAT, usec);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

char *
of_format_local_time (guint64 usec)
{
  g_autoptr(GDateTime) time = date_time_from_usec (usec, TRUE);

  if (time == NULL)
    return g_strdup_printf ("@%" G_GUINT64_FORMAT, usec);
  /* timedatectl's format: weekday, ISO date, time, zone abbreviation. */
  return g_date_time_format (time, "%a %Y-%m-%d %H:%M:%S %Z");
}

char *
of_format_duration (guint64 seconds)
{
  static const struct { guint64 seconds; const char *unit; } units[] = {
    { 365 * 86400, "y" }, { 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" },
  };
  g_autoptr(GString) text = g_string_new (NULL);
  guint shown = 0;

  if (seconds == 0)
    return g_strdup ("0s");
  for (guint i = 0; i < G_N_ELEMENTS (units) && shown < 2; i++)
    {
      guint64 n = seconds / units[i].seconds;

      if (n == 0)
        {
          /* "1d 0h 5min" says less than "1d"; stop once started. */
          if (shown > 0)
            break;
          continue;
        }
      if (shown++ > 0)
        g_string_append_c (text, ' ');
      g_string_append_printf (text, "%" G_GUINT64_FORMAT "%s", n, units[i].unit);
      seconds -= n * units[i].seconds;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
of_format_relative (guint64 usec, guint64 now_usec)
{
  g_autofree char *span = NULL;

  if (usec / G_USEC_PER_SEC == now_usec / G_USEC_PER_SEC)
    return g_strdup (_("now"));
  if (usec > now_usec)
    {
      /* Round up, so a sync 59.5 s away reads "in 1min", not "in 59s". */
      span = of_format_duration ((usec - now_usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      /* TRANSLATORS: %s is a duration like "2h 13min" */
      return g_strdup_printf (_("in %s"), span);
    }
  span = of_format_duration ((now_usec - usec) / G_USEC_PER_SEC);
  /* TRANSLATORS: %s is a duration like "2h 13min" */
  return g_strdup_printf (_("%s ago"), span);
}

guint
of_edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

const char *
of_suggest (const char *word, const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit = MIN (3, strlen (word) / 2);

  for (guint i = 0; candidates[i]; i++)
    {
      guint distance;

      if (g_ascii_strcasecmp (word, candidates[i]) == 0)
        return candidates[i];
      distance = of_edit_distance (word, candidates[i]);
      if (distance <= limit && distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
        }
    }
  return best;
}
