/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* text.h — pure text helpers of offlinefilesctl: making strings from the
 * bus safe to print, and "did you mean" suggestions for mistyped words.
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

/* Levenshtein distance, ASCII case-insensitive. */
guint       of_edit_distance     (const char *a,
                                  const char *b);
/* The candidate that @word most likely meant (case-insensitive equal, or
 * at most 3 edits away and not a wholly different short word), or NULL. */
const char *of_suggest           (const char         *word,
                                  const char * const *candidates);
/* "WHAT. Did you mean “X”?" with of_suggest()'s guess, or "WHAT.". */
char       *of_did_you_mean      (const char         *what,
                                  const char         *word,
                                  const char * const *candidates);

G_END_DECLS
