/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine-output.c — see engine-output.h.
 *
 * What unison 2.52 prints with "-batch -ui text -terse" (checked by hand,
 * see tests/test-engine.c for captured samples):
 *   stdout: the change table ("changed  <-?-> changed    f1"), the
 *           first-run archive warning, "Failed [p]: ..." details;
 *   stderr: "[CONFLICT] Skipping <path>" / "[ERROR] Skipping <path>" (only
 *           when something else is propagated), "[BGN]/[END] Copying ...",
 *           "Fatal error: ...", and at the end the summary
 *           "Synchronization complete at HH:MM:SS  (N item(s) transferred,
 *           S skipped, F failed)" (or "incomplete") followed by one
 *           "  skipped: <path> (<reason>)" or "  failed: <path>" per item;
 *           a reason may continue on further lines.
 * Paths are printed raw: a path containing a newline cannot be told apart
 * from the next line, and one that is not UTF-8 is made valid for D-Bus.
 */
#include "engine-output.h"

#include "escape.h"

#include <string.h>

/* The one-line message goes to D-Bus properties and the journal. */
#define MESSAGE_MAX 1024

void
of_engine_problem_free (OfEngineProblem *problem)
{
  g_free (problem->path);
  g_free (problem->reason);
  g_free (problem);
}

static const char * const reason_names[] = {
  [OF_CONFLICT_BOTH_CHANGED] = "both-changed",
  [OF_CONFLICT_CHANGED_DELETED] = "changed-deleted",
  [OF_CONFLICT_DELETED_CHANGED] = "deleted-changed",
  [OF_CONFLICT_TYPE_CHANGED] = "type-changed",
};

const char *
of_conflict_reason_to_string (OfConflictReason reason)
{
  g_return_val_if_fail ((gsize) reason < G_N_ELEMENTS (reason_names), "both-changed");
  return reason_names[reason];
}

gboolean
of_conflict_reason_from_string (const char       *text,
                                OfConflictReason *reason)
{
  for (gsize i = 0; i < G_N_ELEMENTS (reason_names); i++)
    if (g_strcmp0 (text, reason_names[i]) == 0)
      {
        *reason = (OfConflictReason) i;
        return TRUE;
      }
  return FALSE;
}

void
of_engine_conflict_free (OfEngineConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->path);
  g_free (conflict);
}

OfEngineConflict *
of_engine_conflict_new (const char       *path,
                        OfConflictReason  reason)
{
  OfEngineConflict *conflict = g_new0 (OfEngineConflict, 1);

  conflict->path = g_utf8_make_valid (path, -1);
  conflict->reason = reason;
  conflict->local_size = conflict->remote_size = -1;
  conflict->local_modified = conflict->remote_modified = -1;
  return conflict;
}

OfEngineConflict *
of_engine_conflict_copy (const OfEngineConflict *conflict)
{
  OfEngineConflict *copy = g_memdup2 (conflict, sizeof *conflict);

  copy->path = g_strdup (conflict->path);
  return copy;
}

void
of_engine_outcome_add_problem (OfEngineOutcome *outcome,
                               const char      *path,
                               const char      *reason)
{
  OfEngineProblem *problem;

  if (outcome->problems->len >= OF_ENGINE_PROBLEMS_MAX)
    return;
  problem = g_new0 (OfEngineProblem, 1);
  problem->path = g_utf8_make_valid (path, -1);
  problem->reason = g_utf8_make_valid (reason, -1);
  g_ptr_array_add (outcome->problems, problem);
}

void
of_engine_outcome_free (OfEngineOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->message);
  g_clear_pointer (&outcome->conflicts, g_ptr_array_unref);
  g_clear_pointer (&outcome->conflict_details, g_ptr_array_unref);
  g_clear_pointer (&outcome->problems, g_ptr_array_unref);
  g_free (outcome->stdout_tail);
  g_free (outcome->stderr_tail);
  g_free (outcome);
}

static OfEngineOutcome *
outcome_new (OfShareResult result)
{
  OfEngineOutcome *outcome = g_new0 (OfEngineOutcome, 1);

  outcome->result = result;
  outcome->conflicts = g_ptr_array_new_with_free_func (g_free);
  outcome->conflict_details = g_ptr_array_new_with_free_func ((GDestroyNotify) of_engine_conflict_free);
  outcome->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) of_engine_problem_free);
  outcome->exit_status = -1;
  return outcome;
}

/* Valid UTF-8, one line, bounded: it ends up in a D-Bus string and the
 * journal, and file names are neither. */
static char *
sanitize_line (const char *text)
{
  g_autofree char *valid = g_strstrip (g_utf8_make_valid (text, -1));
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (out->len >= MESSAGE_MAX)
        {
          g_string_append (out, "…");
          break;
        }
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (of_unichar_is_unsafe (c))
        {
          /* C0, C1, bidi controls and other format characters: a file
           * name must not steer a terminal or reorder what follows. */
          g_autofree char *one = g_strndup (p, g_utf8_next_char (p) - p);
          g_autofree char *escaped = of_escape_text (one);

          g_string_append (out, escaped);
        }
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

OfEngineOutcome *
of_engine_outcome_new_message (OfShareResult result,
                               const char   *format,
                               ...)
{
  OfEngineOutcome *outcome = outcome_new (result);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  outcome->message = sanitize_line (text);
  return outcome;
}

/* ---- output parsing (pure) ---- */

static const char * const conflict_reasons[] = {
  "contents changed on both sides",
  "properties changed on both sides",
  "symbolic links changed on both sides",
  "conflicting updates",
};

static gboolean
reason_is_conflict (const char *reason)
{
  for (gsize i = 0; i < G_N_ELEMENTS (conflict_reasons); i++)
    if (g_str_equal (reason, conflict_reasons[i]))
      return TRUE;
  /* Reasons of future versions; an error is never phrased like this. */
  return strstr (reason, "both sides") != NULL || strstr (reason, "onflict") != NULL;
}

/* One side's status in the change table, padded to 8 columns:
 * "changed ", "deleted ", "new file", "new dir ", "chgd dir", "props   ",
 * "new link", "chgd lnk"… and what kind of thing it names. */
typedef enum { KIND_FILE, KIND_DIR, KIND_LINK, KIND_DELETED } SideKind;

static SideKind
side_kind (const char *status)
{
  if (g_str_has_prefix (status, "deleted"))
    return KIND_DELETED;
  if (strstr (status, "dir") != NULL)
    return KIND_DIR;
  if (strstr (status, "link") != NULL || strstr (status, "lnk") != NULL)
    return KIND_LINK;
  return KIND_FILE;
}

/* "LLLLLLLL <-?-> RRRRRRRR   PATH  ": the arrow of a conflict; the
 * statuses are 8 columns wide, the path follows three spaces and is
 * followed by two (stripped once, so a path ending in spaces keeps them). */
static gboolean
parse_table_line (const char       *line,
                  char            **path,
                  OfConflictReason *reason)
{
  static const char arrow[] = " <-?-> ";
  gsize length = strlen (line);
  g_autofree char *left = NULL;
  g_autofree char *right = NULL;
  SideKind l, r;

  if (length < 8 + 7 + 8 + 3 + 1 || strncmp (line + 8, arrow, 7) != 0)
    return FALSE;
  left = g_strndup (line, 8);
  right = g_strndup (line + 15, 8);
  if (strncmp (line + 23, "   ", 3) != 0)
    return FALSE;
  *path = g_utf8_make_valid (line + 26, -1);
  if (g_str_has_suffix (*path, "  "))
    (*path)[strlen (*path) - 2] = '\0';
  l = side_kind (left);
  r = side_kind (right);
  if (l == KIND_DELETED && r != KIND_DELETED)
    *reason = OF_CONFLICT_DELETED_CHANGED;
  else if (r == KIND_DELETED && l != KIND_DELETED)
    *reason = OF_CONFLICT_CHANGED_DELETED;
  else if (l != r)
    *reason = OF_CONFLICT_TYPE_CHANGED;
  else
    *reason = OF_CONFLICT_BOTH_CHANGED;
  return TRUE;
}

typedef struct {
  GPtrArray  *conflicts;        /* ordered, unique */
  GHashTable *conflict_set;
  GPtrArray  *other_skipped;
  GPtrArray  *failed;
} ParsedItems;

static void
add_conflict (ParsedItems *items,
              const char  *path)
{
  char *valid = g_utf8_make_valid (path, -1);

  if (g_hash_table_contains (items->conflict_set, valid))
    {
      g_free (valid);
      return;
    }
  g_ptr_array_add (items->conflicts, valid);
  g_hash_table_add (items->conflict_set, valid);
}

/* @text: "PATH (REASON)", the reason possibly spanning lines. */
static void
add_skipped_item (ParsedItems *items,
                  GPtrArray   *conflict_lines,
                  const char  *text)
{
  gsize length = strlen (text);
  const char *open;

  /* Known conflict reasons first: exact, whatever the path contains. */
  for (gsize i = 0; i < G_N_ELEMENTS (conflict_reasons); i++)
    {
      g_autofree char *suffix = g_strdup_printf (" (%s)", conflict_reasons[i]);

      if (g_str_has_suffix (text, suffix))
        {
          g_autofree char *path = g_strndup (text, length - strlen (suffix));
          add_conflict (items, path);
          return;
        }
    }
  /* Then the paths unison announced with "[CONFLICT] Skipping". */
  for (guint i = 0; i < conflict_lines->len; i++)
    {
      const char *path = conflict_lines->pdata[i];
      gsize path_length = strlen (path);

      if (strncmp (text, path, path_length) == 0 && strncmp (text + path_length, " (", 2) == 0)
        {
          add_conflict (items, path);
          return;
        }
    }
  /* Otherwise split at the first " (": only a path that itself contains
   * " (" is then shown shortened. */
  open = strstr (text, " (");
  if (open != NULL && length > 0 && text[length - 1] == ')')
    {
      g_autofree char *path = g_strndup (text, (gsize) (open - text));
      g_autofree char *reason = g_strndup (open + 2, length - (gsize) (open - text) - 3);

      if (reason_is_conflict (reason))
        add_conflict (items, path);
      else
        g_ptr_array_add (items->other_skipped, g_utf8_make_valid (path, -1));
      return;
    }
  g_ptr_array_add (items->other_skipped, g_utf8_make_valid (text, -1));
}

static void
flush_item (ParsedItems *items,
            GPtrArray   *conflict_lines,
            GString     *item,
            gboolean     is_failed)
{
  g_autofree char *text = g_string_free (item, FALSE);

  /* Continuation lines may end with the empty last line of the output. */
  g_strchomp (text);
  if (is_failed)
    g_ptr_array_add (items->failed, g_utf8_make_valid (text, -1));
  else
    add_skipped_item (items, conflict_lines, text);
}

/* "; 3 items failed": counts only, the paths go to the problems. */
static void
append_count (GString    *message,
              guint       count,
              const char *singular,
              const char *plural)
{
  if (count == 0)
    return;
  if (message->len > 0)
    g_string_append (message, "; ");
  g_string_append_printf (message, "%u %s", count, count == 1 ? singular : plural);
}

static void
add_problems (OfEngineOutcome *outcome,
              GPtrArray       *paths,
              const char      *reason)
{
  for (guint i = 0; i < paths->len; i++)
    of_engine_outcome_add_problem (outcome, paths->pdata[i], reason);
}

static const char *
first_nonempty_line (char **lines)
{
  for (gsize i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      return lines[i];
  return NULL;
}

static const char *
last_nonempty_line (char **lines)
{
  const char *last = NULL;

  for (gsize i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      last = lines[i];
  return last;
}

static char **
split_lines (const char *text)
{
  char **lines = g_strsplit (text ? text : "", "\n", -1);

  /* A progress line ends in "\r": keep what follows the last one. */
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      char *cr = strrchr (lines[i], '\r');

      if (cr != NULL && cr[1] == '\0')
        *cr = '\0';
    }
  return lines;
}

static gboolean
parse_count (const char **p,
             guint       *value)
{
  char *end;
  guint64 n;

  if (!g_ascii_isdigit (**p))
    return FALSE;
  n = g_ascii_strtoull (*p, &end, 10);
  *value = (guint) MIN (n, G_MAXUINT);
  *p = end;
  return TRUE;
}

static gboolean
skip_literal (const char **p,
              const char  *literal)
{
  if (!g_str_has_prefix (*p, literal))
    return FALSE;
  *p += strlen (literal);
  return TRUE;
}

/* "Synchronization complete at 09:57:30  (3 items transferred, 0 skipped, 0 failed)",
 * or "incomplete".  By hand rather than with GRegex: PCRE's JIT is
 * unwelcome under MemoryDenyWriteExecute=. */
static gboolean
parse_summary (const char *line,
               guint      *transferred,
               guint      *skipped,
               guint      *failed)
{
  const char *p;
  guint n, s, f;

  if (!g_str_has_prefix (line, "Synchronization complete") &&
      !g_str_has_prefix (line, "Synchronization incomplete"))
    return FALSE;
  p = strrchr (line, '(');
  if (p == NULL)
    return FALSE;
  p++;
  if (!parse_count (&p, &n) ||
      !(skip_literal (&p, " items transferred, ") || skip_literal (&p, " item transferred, ")) ||
      !parse_count (&p, &s) || !skip_literal (&p, " skipped, ") ||
      !parse_count (&p, &f) || !skip_literal (&p, " failed)"))
    return FALSE;
  *transferred = n;
  *skipped = s;
  *failed = f;
  return TRUE;
}

OfEngineOutcome *
of_engine_parse_output (int         exit_status,
                        const char *stdout_text,
                        const char *stderr_text)
{
  g_auto(GStrv) err_lines = split_lines (stderr_text);
  g_auto(GStrv) out_lines = split_lines (stdout_text);
  g_autoptr(GPtrArray) conflict_lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) conflict_set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) other_skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) item = NULL;
  g_autoptr(GString) message = g_string_new (NULL);
  ParsedItems items;
  OfEngineOutcome *outcome = outcome_new (OF_SHARE_RESULT_FAILED);
  const char *fatal = NULL;
  gboolean have_summary = FALSE;
  gboolean item_is_failed = FALSE;

  items.conflicts = outcome->conflicts;
  items.conflict_set = conflict_set;
  items.other_skipped = other_skipped;
  items.failed = failed;
  outcome->exit_status = exit_status;

  for (gsize i = 0; err_lines[i] != NULL; i++)
    {
      const char *line = err_lines[i];

      if (parse_summary (line, &outcome->transferred, &outcome->skipped, &outcome->failed))
        {
          have_summary = TRUE;
          /* Items of an earlier summary (there is none in 2.52, but a
           * retry would print one) would be counted twice. */
          if (item != NULL)
            g_string_free (g_steal_pointer (&item), TRUE);
          g_ptr_array_set_size (failed, 0);
          g_ptr_array_set_size (other_skipped, 0);
          continue;
        }
      if (g_str_has_prefix (line, "[CONFLICT] Skipping "))
        {
          g_ptr_array_add (conflict_lines, g_strdup (line + strlen ("[CONFLICT] Skipping ")));
          continue;
        }
      if (fatal == NULL && g_str_has_prefix (line, "Fatal error"))
        fatal = line;
      if (!have_summary)
        continue;

      if (g_str_has_prefix (line, "  skipped: ") || g_str_has_prefix (line, "  failed: "))
        {
          if (item != NULL)
            flush_item (&items, conflict_lines, g_steal_pointer (&item), item_is_failed);
          item_is_failed = g_str_has_prefix (line, "  failed: ");
          item = g_string_new (strchr (line, ':') + 2);
        }
      else if (item != NULL)
        {
          g_string_append_c (item, '\n');
          g_string_append (item, line);
        }
    }
  if (item != NULL)
    flush_item (&items, conflict_lines, g_steal_pointer (&item), item_is_failed);
  /* The summary may have been cut off the kept tail, or never printed. */
  for (guint i = 0; i < conflict_lines->len; i++)
    add_conflict (&items, conflict_lines->pdata[i]);
  /* The reasons, from the change table on stdout; a path the table does
   * not show (cut off the kept tail) counts as changed on both sides. */
  {
    g_autoptr(GHashTable) reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (gsize i = 0; out_lines[i] != NULL; i++)
      {
        char *path = NULL;
        OfConflictReason reason;

        if (parse_table_line (out_lines[i], &path, &reason))
          g_hash_table_insert (reasons, path, GINT_TO_POINTER (reason + 1));
      }
    for (guint i = 0; i < outcome->conflicts->len; i++)
      {
        const char *path = outcome->conflicts->pdata[i];
        int found = GPOINTER_TO_INT (g_hash_table_lookup (reasons, path));

        g_ptr_array_add (outcome->conflict_details,
                         of_engine_conflict_new (path, found > 0 ? (OfConflictReason) (found - 1)
                                                                 : OF_CONFLICT_BOTH_CHANGED));
      }
  }
  outcome->conflicts_known = exit_status >= 0 && exit_status <= 2;
  if (!have_summary)
    {
      outcome->skipped = outcome->conflicts->len + other_skipped->len;
      outcome->failed = failed->len;
    }

  append_count (message, outcome->conflicts->len, "conflict", "conflicts");
  if (outcome->skipped > outcome->conflicts->len)
    append_count (message, outcome->skipped - outcome->conflicts->len, "item skipped", "items skipped");
  append_count (message, outcome->failed, "item failed", "items failed");
  add_problems (outcome, outcome->conflicts, "conflict: changed on both sides");
  add_problems (outcome, other_skipped, "skipped");
  add_problems (outcome, failed, "failed");
  if (outcome->transferred > 0)
    g_string_append_printf (message, "%s%u %s transferred", message->len ? "; " : "",
                            outcome->transferred, outcome->transferred == 1 ? "item" : "items");

  switch (exit_status)
    {
    case 0:
      outcome->result = OF_SHARE_RESULT_SUCCESS;
      if (message->len == 0)
        /* -terse prints nothing at all when nothing changed. */
        g_string_append (message, "no changes");
      break;
    case 1:
      outcome->result = OF_SHARE_RESULT_PARTIAL;
      if (message->len == 0)
        g_string_append (message, "some items were skipped");
      break;
    case 2:
      /* Non-fatal failures: the share did move forward when something was
       * transferred, and the failed items are named either way. */
      outcome->result = outcome->transferred > 0 ? OF_SHARE_RESULT_PARTIAL : OF_SHARE_RESULT_FAILED;
      if (message->len == 0)
        g_string_append (message, "some items could not be synchronized");
      break;
    default:
      {
        const char *why = fatal;

        outcome->result = OF_SHARE_RESULT_FAILED;
        if (why == NULL)
          why = first_nonempty_line (err_lines);
        if (why == NULL)
          why = last_nonempty_line (out_lines);
        g_string_truncate (message, 0);
        /* unison's own line may name any file: it goes to the problems,
         * the message only says what kind of end it was. */
        if (exit_status == 3)
          g_string_append (message, "the engine stopped with a fatal error");
        else
          g_string_append_printf (message, "engine exited with status %d", exit_status);
        of_engine_outcome_add_problem (outcome, "", why ? why : "fatal error (no message)");
      }
      break;
    }

  outcome->message = sanitize_line (message->str);
  return outcome;
}
