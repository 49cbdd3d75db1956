/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* escape.c — see escape.h. */
#include "escape.h"

#include <string.h>

gboolean
of_unichar_is_unsafe (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return TRUE;
    default:
      return FALSE;
    }
}

char *
of_escape_text (const char *text)
{
  g_autoptr(GString) out = NULL;
  const char *p = text;
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  end = text + strlen (text);
  out = g_string_sized_new (end - text);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: show the byte, and resynchronise on the next one. */
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (!of_unichar_is_unsafe (c))
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (c <= 0xff)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c <= 0xffff)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_printf (out, "\\U%08x", c);
      p = g_utf8_next_char (p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
of_append_path_label (GString    *path,
                      const char *label)
{
  for (const char *p = label; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (path, *p);
      else
        g_string_append_printf (path, "_%02x", (guint) (guchar) *p);
    }
}
