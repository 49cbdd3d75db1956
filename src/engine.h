/* engine.h — one run of the file synchronizer (unison) for one share.
 *
 * unison has no library interface and no machine-readable output, and it
 * will happily create a missing root or prompt on a terminal.  This module
 * is the one place that knows how to drive it safely: it checks both
 * folders first, builds the command line and a clean environment, starts
 * it as the share's user in its own process group, bounds time and
 * captured output, kills the whole group on timeout or cancellation, and
 * turns exit status and output into an outcome.  The output parser is
 * pure and fuzzable.
 */
#pragma once

#include <gio/gio.h>

#include "enums.h"
#include "share.h"

G_BEGIN_DECLS

/* How much of each of stdout and stderr is kept: the tail, where unison
 * prints its summary.  The rest is counted and dropped. */
#define OF_ENGINE_OUTPUT_TAIL_MAX (64 * 1024)
/* docs/behaviour.md §5: SIGTERM, then SIGKILL this much later. */
#define OF_ENGINE_DEFAULT_KILL_GRACE_USEC (10 * G_TIME_SPAN_SECOND)
/* Conflicting paths named in the one-line message; the full list is in
 * OfEngineOutcome.conflicts. */
#define OF_ENGINE_MESSAGE_MAX_PATHS 3

typedef struct {
  OfShareResult result;
  /* One human line, valid UTF-8 without control characters, e.g.
   * "3 items transferred", "1 conflict: docs/a.txt; 2 items transferred",
   * "remote /mnt/x is not reachable: No such file or directory". */
  char      *message;
  guint      transferred;
  guint      skipped;      /* includes the conflicts */
  guint      failed;
  GPtrArray *conflicts;    /* char* paths relative to the roots, valid UTF-8 */
  int        exit_status;  /* -1 when the engine did not exit normally or never ran */
  int        term_signal;  /* 0 unless the engine was killed by a signal */
  /* What was kept of the output (each ≤ OF_ENGINE_OUTPUT_TAIL_MAX bytes,
   * NUL bytes replaced) and how much there was in all. */
  char      *stdout_tail;
  char      *stderr_tail;
  guint64    stdout_bytes;
  guint64    stderr_bytes;
} OfEngineOutcome;

void of_engine_outcome_free (OfEngineOutcome *outcome);

/* Pure: the outcome of a unison run that exited with @exit_status (0–255)
 * and printed @stdout_text and @stderr_text (either may be NULL).
 *   0 → SUCCESS; 1 → PARTIAL (conflicts or other skipped items);
 *   2 → PARTIAL when some items were transferred, else FAILED;
 *   3 and anything else → FAILED, naming unison's own error line. */
OfEngineOutcome *of_engine_parse_output (int         exit_status,
                                         const char *stdout_text,
                                         const char *stderr_text);

/* Synchronizes @share once.  @engine_path: absolute, or a name looked up
 * on the daemon's PATH ("unison").  The archive directory is
 * @archive_root/<user>, created mode 0700 and owned by the share's user;
 * @archive_root itself is created 0711 if missing (the user must be able
 * to traverse it).  Stale unison locks in that directory are removed
 * when no other run of ours uses it.  The run is killed (SIGTERM, then
 * SIGKILL @kill_grace_usec later, to its whole process group) after
 * share->timeout_usec or when @cancellable is cancelled.  @share is
 * copied.  The callback runs in the thread-default main context of the
 * caller. */
void             of_engine_run_async    (const char         *engine_path,
                                         const OfShare      *share,
                                         const char         *archive_root,
                                         gint64              kill_grace_usec,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
/* Every engine problem (unreachable remote, missing engine or user,
 * timeout, crash, cancellation) is an outcome, not an error: @error is
 * only there for the GAsyncResult convention and is never set by
 * of_engine_run_async().  Each run is also logged with the journal
 * fields OFFLINEFILES_SHARE and OFFLINEFILES_RESULT. */
OfEngineOutcome *of_engine_run_finish   (GAsyncResult *result,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfEngineOutcome, of_engine_outcome_free)

G_END_DECLS
