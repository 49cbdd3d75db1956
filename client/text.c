/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* text.c — "did you mean" suggestions; see text.h. */
#include "config.h"

#include "text.h"

#include <string.h>

#include <glib/gi18n.h>

guint
of_edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

const char *
of_suggest (const char *word, const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  /* Half the word at most: "ab" is not a typo of "cd". */
  guint limit = MIN (3, strlen (word) / 2);

  for (guint i = 0; candidates[i]; i++)
    {
      guint distance;

      if (g_ascii_strcasecmp (word, candidates[i]) == 0)
        return candidates[i];
      distance = of_edit_distance (word, candidates[i]);
      if (distance <= limit && distance < best_distance)
        {
          best = candidates[i];
          best_distance = distance;
        }
    }
  return best;
}

char *
of_did_you_mean (const char *what, const char *word, const char * const *candidates)
{
  const char *guess = of_suggest (word, candidates);

  if (guess)
    return g_strdup_printf (_("%s. Did you mean “%s”?"), what, guess);
  return g_strdup_printf ("%s.", what);
}
