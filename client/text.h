/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* text.h — pure text helpers of offlinefilesctl: "did you mean"
 * suggestions for mistyped words (escaping is common/escape.h).
 */
#pragma once

#include <glib.h>

#include "escape.h"

G_BEGIN_DECLS

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
