/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main-context.h — main-loop helpers for the unit tests (the integration
 * tests have harness.h). */
#pragma once

#include <glib.h>

static inline gboolean
of_test_set_flag (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context for @ms. */
static inline void
of_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, of_test_set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}
