/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* output-capture.c — see output-capture.h. */
#include "output-capture.h"

#include <gio/gunixinputstream.h>
#include <string.h>

#define READ_CHUNK (16 * 1024)

struct _OfOutputCapture {
  GInputStream        *stream;
  GCancellable        *cancellable;
  GByteArray          *tail;
  gsize                tail_max;
  guint64              total;
  gboolean             done;
  gboolean             reading;   /* a read is in flight and holds a ref-less pointer */
  gboolean             freed;     /* freed while a read was in flight */
  OfOutputCaptureDone  done_func;
  gpointer             user_data;
  guint8               buffer[READ_CHUNK];
};

static void read_more (OfOutputCapture *capture);

static void
capture_finish (OfOutputCapture *capture)
{
  if (capture->done)
    return;
  capture->done = TRUE;
  if (capture->done_func != NULL)
    capture->done_func (capture, capture->user_data);
}

static void
keep_tail (OfOutputCapture *capture,
           const guint8    *data,
           gsize            n)
{
  GByteArray *tail = capture->tail;

  if (n >= capture->tail_max)
    {
      g_byte_array_set_size (tail, 0);
      g_byte_array_append (tail, data + n - capture->tail_max, (guint) capture->tail_max);
      return;
    }
  if (tail->len + n > capture->tail_max)
    g_byte_array_remove_range (tail, 0, (guint) (tail->len + n - capture->tail_max));
  g_byte_array_append (tail, data, (guint) n);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  OfOutputCapture *capture = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  capture->reading = FALSE;
  if (capture->freed)
    {
      /* of_output_capture_free() ran while this read was in flight. */
      of_output_capture_free (capture);
      return;
    }
  if (n <= 0)
    {
      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Reading a child's output: %s", error->message);
      capture_finish (capture);
      return;
    }
  capture->total += (guint64) n;
  keep_tail (capture, capture->buffer, (gsize) n);
  read_more (capture);
}

static void
read_more (OfOutputCapture *capture)
{
  capture->reading = TRUE;
  g_input_stream_read_async (capture->stream, capture->buffer, sizeof capture->buffer,
                             G_PRIORITY_DEFAULT, capture->cancellable, on_read, capture);
}

OfOutputCapture *
of_output_capture_new (int                 fd,
                       gsize               tail_max,
                       OfOutputCaptureDone done,
                       gpointer            user_data)
{
  OfOutputCapture *capture = g_new0 (OfOutputCapture, 1);

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (tail_max > 0, NULL);

  capture->stream = g_unix_input_stream_new (fd, TRUE);
  capture->cancellable = g_cancellable_new ();
  capture->tail = g_byte_array_sized_new (4096);
  capture->tail_max = tail_max;
  capture->done_func = done;
  capture->user_data = user_data;
  read_more (capture);
  return capture;
}

gboolean
of_output_capture_is_done (OfOutputCapture *capture)
{
  return capture->done;
}

void
of_output_capture_abandon (OfOutputCapture *capture)
{
  g_cancellable_cancel (capture->cancellable);
  capture_finish (capture);
}

char *
of_output_capture_take_tail (OfOutputCapture *capture)
{
  GByteArray *tail = capture->tail;
  gsize start = 0;

  /* A cut tail starts mid-line: that fragment would only mislead. */
  if (capture->total > tail->len)
    {
      guint8 *newline = memchr (tail->data, '\n', tail->len);
      start = newline ? (gsize) (newline - tail->data) + 1 : tail->len;
    }
  for (gsize i = start; i < tail->len; i++)
    if (tail->data[i] == '\0')
      tail->data[i] = '?';
  return g_strndup ((const char *) tail->data + start, tail->len - start);
}

guint64
of_output_capture_total (OfOutputCapture *capture)
{
  return capture->total;
}

void
of_output_capture_free (OfOutputCapture *capture)
{
  if (capture == NULL)
    return;
  if (capture->reading)
    {
      /* The read in flight still points at the buffer: let its callback,
       * which cancellation brings on soon, free the rest. */
      capture->freed = TRUE;
      capture->done_func = NULL;
      g_cancellable_cancel (capture->cancellable);
      return;
    }
  g_clear_object (&capture->stream);
  g_clear_object (&capture->cancellable);
  g_clear_pointer (&capture->tail, g_byte_array_unref);
  g_free (capture);
}
