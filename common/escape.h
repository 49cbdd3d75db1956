/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* escape.h — text from users' files made safe to publish and to print.
 *
 * File names and an engine's output may hold anything: terminal escape
 * sequences, bidi overrides that make "txt.exe" read "exe.txt", bytes
 * that are not UTF-8.  The daemon escapes every such string it publishes
 * (properties, signals, replies) and the client escapes again whatever it
 * prints, both with this one function.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @c must not reach a terminal as it is: Unicode Cc (C0, DEL,
 * C1) and Cf (bidi controls, zero-width characters, …), and the line and
 * paragraph separators, which some terminals and viewers break lines at. */
gboolean    of_unichar_is_unsafe (gunichar c);

/* @text with every unsafe character written as \xNN (up to U+00FF),
 * \uNNNN or \UNNNNNNNN, and every byte of invalid UTF-8 as \xNN: one
 * line that shows what is there and cannot move the cursor, recolour the
 * terminal or reorder what follows.  Backslashes stay as they are, so a
 * remote path like \\server\share reads naturally.  NULL gives "". */
char       *of_escape_text       (const char *text);

/* Appends @label to a D-Bus object path: every byte other than
 * [A-Za-z0-9] as _xx, as systemd names its units' objects and as the
 * share objects are named. */
void        of_append_path_label (GString    *path,
                                  const char *label);

G_END_DECLS
