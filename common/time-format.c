/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* time-format.c — see time-format.h. */
#include "config.h"

#include "time-format.h"

#include <glib/gi18n.h>

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
