/* engine.h — one run of the file synchronizer (unison) for one share.
 *
 * unison has no library interface and no machine-readable output, and it
 * will happily create a missing root or prompt on a terminal.  This module
 * is the one place that knows how to drive it safely: it checks both
 * folders first, builds the command line and a clean environment, starts
 * it as the share's user in its own process group, bounds time and
 * captured output, kills the whole group on timeout or cancellation, and
 * turns exit status and output into an outcome with the pure, fuzzed
 * parser of engine-output.h.
 */
#pragma once

#include <gio/gio.h>

#include "engine-output.h"
#include "share.h"

G_BEGIN_DECLS

/* A run that is stopped gets SIGTERM, then SIGKILL this much later. */
#define OF_ENGINE_DEFAULT_KILL_GRACE_USEC (10 * G_TIME_SPAN_SECOND)

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

G_END_DECLS
