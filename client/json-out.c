/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-out.c — JSON output through json-glib; see json-out.h. */
#include "config.h"

#include "json-out.h"

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "time-format.h"

static JsonNode *
node_from_uint64 (guint64 value)
{
  /* JSON-GLib's integers are gint64.  No value of ours comes near 2^63
   * (times are µs since 1970, ids count syncs), but a number that cannot
   * be represented must not turn negative: past that, a double. */
  if (value > (guint64) G_MAXINT64)
    return json_node_init_double (json_node_alloc (), (double) value);
  return json_node_init_int (json_node_alloc (), (gint64) value);
}

JsonNode *
of_json_from_variant (GVariant *value)
{
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      return json_node_init_boolean (json_node_alloc (), g_variant_get_boolean (value));
    case G_VARIANT_CLASS_BYTE:
      return json_node_init_int (json_node_alloc (), g_variant_get_byte (value));
    case G_VARIANT_CLASS_INT16:
      return json_node_init_int (json_node_alloc (), g_variant_get_int16 (value));
    case G_VARIANT_CLASS_UINT16:
      return json_node_init_int (json_node_alloc (), g_variant_get_uint16 (value));
    case G_VARIANT_CLASS_INT32:
      return json_node_init_int (json_node_alloc (), g_variant_get_int32 (value));
    case G_VARIANT_CLASS_UINT32:
      return json_node_init_int (json_node_alloc (), g_variant_get_uint32 (value));
    case G_VARIANT_CLASS_INT64:
      return json_node_init_int (json_node_alloc (), g_variant_get_int64 (value));
    case G_VARIANT_CLASS_UINT64:
      return node_from_uint64 (g_variant_get_uint64 (value));
    case G_VARIANT_CLASS_DOUBLE:
      return json_node_init_double (json_node_alloc (), g_variant_get_double (value));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return json_node_init_string (json_node_alloc (), g_variant_get_string (value, NULL));
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (value);
        return of_json_from_variant (inner);
      }
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_type_is_subtype_of (g_variant_get_type (value), G_VARIANT_TYPE ("a{s*}")))
        {
          /* a{sv}, and string-keyed dictionaries like LockedBy's a{ss}. */
          g_autoptr(JsonObject) object = json_object_new ();
          GVariantIter iter;
          GVariant *entry;

          g_variant_iter_init (&iter, value);
          while ((entry = g_variant_iter_next_value (&iter)) != NULL)
            {
              g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
              g_autoptr(GVariant) member = g_variant_get_child_value (entry, 1);

              json_object_set_member (object, g_variant_get_string (key, NULL), of_json_from_variant (member));
              g_variant_unref (entry);
            }
          return json_node_init_object (json_node_alloc (), object);
        }
      G_GNUC_FALLTHROUGH;
    case G_VARIANT_CLASS_TUPLE:
      {
        g_autoptr(JsonArray) array = json_array_new ();
        GVariantIter iter;
        GVariant *member;

        g_variant_iter_init (&iter, value);
        while ((member = g_variant_iter_next_value (&iter)) != NULL)
          {
            json_array_add_element (array, of_json_from_variant (member));
            g_variant_unref (member);
          }
        return json_node_init_array (json_node_alloc (), array);
      }
    case G_VARIANT_CLASS_MAYBE:
    case G_VARIANT_CLASS_HANDLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      {
        g_autofree char *text = g_variant_print (value, FALSE);
        return json_node_init_string (json_node_alloc (), text);
      }
    }
}

void
of_json_add_variant (JsonBuilder *builder,
                     GVariant    *value)
{
  json_builder_add_value (builder, of_json_from_variant (value));
}

void
of_json_add_uint (JsonBuilder *builder,
                  guint64      value)
{
  json_builder_add_value (builder, node_from_uint64 (value));
}

void
of_json_add_time_members (JsonBuilder *builder,
                          const char  *key,
                          guint64      usec)
{
  g_autofree char *usec_key = g_strconcat (key, "_usec", NULL);

  json_builder_set_member_name (builder, key);
  if (usec == 0)
    json_builder_add_null_value (builder);
  else
    {
      g_autofree char *iso = of_format_iso8601_utc (usec);
      json_builder_add_string_value (builder, iso);
    }
  json_builder_set_member_name (builder, usec_key);
  json_builder_add_value (builder, node_from_uint64 (usec));
}

char *
of_json_to_string (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr(GString) out = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  /* The generator escapes C0 controls and writes everything else as
   * UTF-8.  Outside strings the text is plain ASCII, so whatever else is
   * unsafe sits inside a string, where \uNNNN means the same character. */
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; )
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Bus strings are valid UTF-8; should one not be, the document
           * must still parse: U+FFFD, as g_utf8_make_valid() would. */
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }
      if (!of_unichar_is_unsafe (c))
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (c <= 0xffff)
        g_string_append_printf (out, "\\u%04x", c);
      else
        {
          /* JSON spells characters beyond the BMP as a surrogate pair. */
          gunichar v = c - 0x10000;
          g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
        }
      p = g_utf8_next_char (p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
of_json_print (JsonNode *root)
{
  g_autofree char *text = of_json_to_string (root);

  g_print ("%s\n", text);
  fflush (stdout);
}
