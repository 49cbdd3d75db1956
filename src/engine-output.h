/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine-output.h — what one unison run means: its outcome, from its exit
 * status and output.
 *
 * Pure (no I/O, no global state), so that the fuzzer and the parse tests
 * link this file alone.  The outcome owns all its strings; the share
 * result's name is what the bus and the journal show.
 */
#pragma once

#include <glib.h>

#include "enums.h"

G_BEGIN_DECLS

/* How much of each of stdout and stderr is kept: the tail, where unison
 * prints its summary.  The rest is counted and dropped. */
#define OF_ENGINE_OUTPUT_TAIL_MAX (64 * 1024)
/* Problems kept per run; a share with more shows the first ones. */
#define OF_ENGINE_PROBLEMS_MAX 1000

/* One thing the engine could not handle: a path relative to the share's
 * folders ("" for the run as a whole) and the engine's reason.  Only its
 * owner, root and manage-shares may read these (Share.GetLastProblems):
 * file names are private. */
typedef struct {
  char *path;
  char *reason;
} OfEngineProblem;

/* Why a path is in conflict, from unison's change table ("changed  <-?->
 * deleted    PATH"): local is the first root, remote the second. */
typedef enum {
  OF_CONFLICT_BOTH_CHANGED,     /* "both-changed" */
  OF_CONFLICT_CHANGED_DELETED,  /* "changed-deleted": changed here, deleted on the server */
  OF_CONFLICT_DELETED_CHANGED,  /* "deleted-changed" */
  OF_CONFLICT_TYPE_CHANGED,     /* "type-changed": a file against a folder or link */
} OfConflictReason;

const char *of_conflict_reason_to_string   (OfConflictReason reason);
gboolean    of_conflict_reason_from_string (const char       *text,
                                            OfConflictReason *reason);

/* One conflict as a run found it.  Sizes and times are -1 where not known
 * (a deleted side, or not looked at): the parser cannot know them; the
 * engine fills them in as the share's user (conflict-stat.h). */
typedef struct {
  char            *path;            /* relative to the roots, valid UTF-8 */
  OfConflictReason reason;
  gint64           local_size;
  gint64           remote_size;
  gint64           local_modified;  /* µs since the epoch */
  gint64           remote_modified;
  gint64           detected;        /* µs UTC, first seen; 0 until the conflict store sets it */
} OfEngineConflict;

void              of_engine_conflict_free (OfEngineConflict *conflict);
OfEngineConflict *of_engine_conflict_new  (const char       *path,
                                           OfConflictReason  reason);
OfEngineConflict *of_engine_conflict_copy (const OfEngineConflict *conflict);

typedef struct {
  OfShareResult result;
  /* One human line, valid UTF-8 without control or format characters,
   * published to every local user: counts, never a path inside the
   * share, e.g. "3 items transferred", "1 conflict; 2 items transferred",
   * "the engine stopped with a fatal error". */
  char      *message;
  guint      transferred;
  guint      skipped;      /* includes the conflicts */
  guint      failed;
  GPtrArray *conflicts;    /* char* paths relative to the roots, valid UTF-8 */
  /* OfEngineConflict*, one per entry of conflicts, in the same order. */
  GPtrArray *conflict_details;
  /* TRUE when the engine got through the share (exit 0, 1 or 2): the
   * conflicts are then all there are, and the conflict store follows
   * them; otherwise it keeps what it had. */
  gboolean   conflicts_known;
  GPtrArray *problems;     /* OfEngineProblem*, at most OF_ENGINE_PROBLEMS_MAX */
  int        exit_status;  /* -1 when the engine did not exit normally or never ran */
  int        term_signal;  /* 0 unless the engine was killed by a signal */
  /* What was kept of the output (each ≤ OF_ENGINE_OUTPUT_TAIL_MAX bytes,
   * NUL bytes replaced) and how much there was in all. */
  char      *stdout_tail;
  char      *stderr_tail;
  guint64    stdout_bytes;
  guint64    stderr_bytes;
} OfEngineOutcome;

void             of_engine_outcome_free        (OfEngineOutcome *outcome);
void             of_engine_problem_free        (OfEngineProblem *problem);
/* Adds a problem (copied, made valid UTF-8) unless the list is full. */
void             of_engine_outcome_add_problem (OfEngineOutcome *outcome,
                                                const char      *path,
                                                const char      *reason);

/* An outcome decided without parsing (timeout, crash, a missing folder):
 * the message is made one valid, bounded line. */
OfEngineOutcome *of_engine_outcome_new_message (OfShareResult result,
                                                const char   *format,
                                                ...) G_GNUC_PRINTF (2, 3);

/* The outcome of a unison run that exited with @exit_status (0–255)
 * and printed @stdout_text and @stderr_text (either may be NULL).
 *   0 → SUCCESS; 1 → PARTIAL (conflicts or other skipped items);
 *   2 → PARTIAL when some items were transferred, else FAILED;
 *   3 and anything else → FAILED; unison's own error line goes to the
 *   problems, not the message. */
OfEngineOutcome *of_engine_parse_output        (int         exit_status,
                                                const char *stdout_text,
                                                const char *stderr_text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfEngineOutcome, of_engine_outcome_free)

G_END_DECLS
