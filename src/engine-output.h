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
