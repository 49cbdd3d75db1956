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
