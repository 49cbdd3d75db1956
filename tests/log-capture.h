/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log-capture.h — the warnings a unit test's code logs.  The daemon logs
 * structured, which g_test_expect_message() does not see in GLib 2.74:
 * of_test_capture_warnings() installs a writer that keeps the MESSAGE of
 * every warning, critical and error, and still prints them. */
#pragma once

#include <glib.h>

static inline GLogWriterOutput
of_test_capture_writer (GLogLevelFlags   level,
                        const GLogField *fields,
                        gsize            n_fields,
                        gpointer         user_data)
{
  GPtrArray *logged = user_data;

  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE"))
        g_ptr_array_add (logged, g_strdup (fields[i].value));
  return g_log_writer_default (level, fields, n_fields, NULL);
}

/* Installs the writer for the rest of the process (GLib takes one
 * writer, once); returns the messages it collects, which the test may
 * clear with g_ptr_array_set_size (…, 0). */
static inline GPtrArray *
of_test_capture_warnings (void)
{
  GPtrArray *logged = g_ptr_array_new_with_free_func (g_free);

  g_log_set_writer_func (of_test_capture_writer, logged, NULL);
  return logged;
}
