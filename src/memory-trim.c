/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memory-trim.c — see memory-trim.h. */
#include "config.h"

#include "memory-trim.h"

#if HAVE_MALLOC_TRIM
#  include <malloc.h>
#endif

/* Shared by the owner, the connection filter (GDBus's worker thread) and
 * the pending timeout: an atomic reference box, so whichever lets go last
 * frees it. */
typedef struct {
  GMutex        lock;      /* guards pending and stopped */
  GMainContext *context;
  GSource      *pending;   /* the armed trim, or NULL */
  gboolean      stopped;
  gint          armed;     /* atomic mirror of pending != NULL: the fast path */
  guint         delay_seconds;
  guint         trims;     /* main context only */
} TrimState;

struct _OfMemoryTrimmer {
  GDBusConnection *connection;
  TrimState       *state;
  guint            filter_id;
};

static void
trim_state_clear (gpointer data)
{
  TrimState *state = data;

  g_mutex_clear (&state->lock);
  g_main_context_unref (state->context);
}

static void
trim_state_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, trim_state_clear);
}

static void
trim_now (void)
{
#if HAVE_MALLOC_TRIM
  gboolean released = malloc_trim (0) != 0;
  g_debug ("Heap trimmed after a busy period%s", released ? "" : " (nothing to give back)");
#endif
}

static gboolean
on_trim_due (gpointer user_data)
{
  TrimState *state = user_data;

  g_mutex_lock (&state->lock);
  g_clear_pointer (&state->pending, g_source_unref);
  g_atomic_int_set (&state->armed, FALSE);
  g_mutex_unlock (&state->lock);
  state->trims++;
  trim_now ();
  return G_SOURCE_REMOVE;
}

static void
arm (TrimState *state)
{
  GSource *source;

  g_mutex_lock (&state->lock);
  if (state->pending != NULL || state->stopped)
    {
      g_mutex_unlock (&state->lock);
      return;
    }
  source = g_timeout_source_new_seconds (state->delay_seconds);
  g_source_set_static_name (source, "[offlinefiles] memory trim");
  g_source_set_callback (source, on_trim_due, g_atomic_rc_box_acquire (state), trim_state_unref);
  state->pending = source;
  g_atomic_int_set (&state->armed, TRUE);
  g_source_attach (source, state->context);
  g_mutex_unlock (&state->lock);
}

/* Runs on GDBus's worker thread for every message, in and out: one
 * atomic read while a trim is already armed. */
static GDBusMessage *
filter (GDBusConnection *connection,
        GDBusMessage    *message,
        gboolean         incoming,
        gpointer         user_data)
{
  TrimState *state = user_data;

  (void) connection;
  (void) incoming;
  if (!g_atomic_int_get (&state->armed))
    arm (state);
  return message;
}

OfMemoryTrimmer *
of_memory_trimmer_new (GDBusConnection *connection,
                       guint            delay_seconds)
{
  OfMemoryTrimmer *trimmer;
  TrimState *state;

  g_return_val_if_fail (delay_seconds > 0, NULL);

  trimmer = g_new0 (OfMemoryTrimmer, 1);
  state = g_atomic_rc_box_new0 (TrimState);
  g_mutex_init (&state->lock);
  state->context = g_main_context_ref_thread_default ();
  state->delay_seconds = delay_seconds;
  trimmer->state = state;
  trimmer->connection = g_object_ref (connection);
  /* The filter's reference goes when GDBus is sure it no longer runs. */
  trimmer->filter_id = g_dbus_connection_add_filter (connection, filter,
                                                     g_atomic_rc_box_acquire (state),
                                                     trim_state_unref);
  return trimmer;
}

void
of_memory_trimmer_free (OfMemoryTrimmer *trimmer)
{
  TrimState *state;

  if (trimmer == NULL)
    return;
  state = trimmer->state;
  g_dbus_connection_remove_filter (trimmer->connection, trimmer->filter_id);
  g_mutex_lock (&state->lock);
  state->stopped = TRUE;
  if (state->pending != NULL)
    {
      g_source_destroy (state->pending);
      g_clear_pointer (&state->pending, g_source_unref);
    }
  g_mutex_unlock (&state->lock);
  trim_state_unref (state);
  g_object_unref (trimmer->connection);
  g_free (trimmer);
}

guint
of_memory_trimmer_get_trims (OfMemoryTrimmer *trimmer)
{
  return trimmer->state->trims;
}
