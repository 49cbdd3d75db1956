/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* output-capture.h — reads a child's output pipe to its end, keeping the tail.
 *
 * Shared by both launchers: the engine may print megabytes (one line per
 * file on a first sync) and only its last lines matter.  Reading is
 * asynchronous in the caller's main context; the capture calls back once
 * when the pipe reaches end of file, fails, or is abandoned with
 * of_output_capture_abandon() (a descendant that escaped a kill may keep
 * the pipe open for ever).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OfOutputCapture OfOutputCapture;
typedef void (*OfOutputCaptureDone) (OfOutputCapture *capture,
                                     gpointer         user_data);

/* Takes ownership of @fd (the read end of a pipe) and starts reading. */
OfOutputCapture *of_output_capture_new      (int                 fd,
                                             gsize               tail_max,
                                             OfOutputCaptureDone done,
                                             gpointer            user_data);
gboolean         of_output_capture_is_done  (OfOutputCapture *capture);
/* Stops reading; calls back (once) if it had not yet. */
void             of_output_capture_abandon  (OfOutputCapture *capture);
/* What was kept: NUL bytes replaced, a cut first line dropped. */
char            *of_output_capture_take_tail (OfOutputCapture *capture);
guint64          of_output_capture_total    (OfOutputCapture *capture);
void             of_output_capture_free     (OfOutputCapture *capture);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfOutputCapture, of_output_capture_free)

G_END_DECLS
