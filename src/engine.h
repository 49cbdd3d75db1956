/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine.h — one run of the file synchronizer (unison) for one share.
 *
 * unison has no library interface and no machine-readable output, and it
 * will happily create a missing root or prompt on a terminal.  This module
 * is the one place that knows how to drive it safely: it checks both
 * folders first, prepares the share's archive directory, builds the
 * command line and a clean environment, and hands that to a launcher
 * (launcher.h), which runs it as the share's user and reports how it
 * ended; the outcome comes from engine-output.h's pure parser.
 *
 * Blocking preparation (the user database, stat() of a possibly hung
 * network mount, the archive directory's lock) runs in a thread of its
 * own per run, never in GLib's shared worker pool and never on the main
 * loop: a hung mount costs one parked thread, not the daemon.
 */
#pragma once

#include <gio/gio.h>

#include "engine-output.h"
#include "launcher.h"
#include "share.h"

G_BEGIN_DECLS

/* unison's name for this machine in its archives (UNISONLOCALHOSTNAME):
 * fixed, so that archives survive a rename of the host; a share's roots
 * appear in its archives as "//" OF_ENGINE_HOST_NAME "/" + the path. */
#define OF_ENGINE_HOST_NAME "offlinefiles"

/* A run that is stopped gets SIGTERM, then SIGKILL this much later. */
#define OF_ENGINE_DEFAULT_KILL_GRACE_USEC (10 * G_TIME_SPAN_SECOND)
/* At most this many processes per run: unison starts a handful (ssh at
 * most); a fork bomb in a hostile share's hooks stops here. */
#define OF_ENGINE_TASKS_MAX 512

/* "offlinefiles-engine-<share>-<sync id>", usable as a unit name: a
 * share name is already [A-Za-z0-9._-]; anything else becomes '_'. */
char            *of_engine_run_name     (const char *share_name,
                                         guint64     sync_id);

/* The memory limit of one run: half the RAM, at most 2 GiB.  unison
 * keeps its archive (some hundred bytes per file) in memory, so a share
 * of a million files fits in 2 GiB; on a small machine half the RAM keeps
 * one runaway run from pushing the desktop into swap or the OOM killer. */
guint64          of_engine_memory_max   (void);

/* Synchronizes @share once through @launcher.  @engine_path: absolute,
 * or a name looked up on the daemon's PATH ("unison").  @run_name: from
 * of_engine_run_name(), unique among running engines.  The archive
 * directory is @archive_root/<uid of the share's user>, created mode 0700
 * and owned by that user; @archive_root itself is created 0711 if missing
 * (the user must be able to traverse it).  Stale unison locks in that
 * directory are removed when no other run of ours uses it.  The run
 * (preparation included) is stopped (SIGTERM, then SIGKILL
 * @kill_grace_usec later, to all of it) after share->timeout_usec or
 * when @cancellable is cancelled.  @share is copied.  The callback runs
 * in the thread-default main context of the caller.  When the run ends
 * with conflicts, their sizes and times are then found as the share's
 * user (conflict-stat.h), within the same time limit. */
void             of_engine_run_async    (OfLauncher         *launcher,
                                         const char         *engine_path,
                                         const OfShare      *share,
                                         const char         *archive_root,
                                         const char         *run_name,
                                         gint64              kill_grace_usec,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
/* Which version of a conflicting path a resolution keeps. */
typedef enum {
  OF_ENGINE_KEEP_LOCAL,
  OF_ENGINE_KEEP_REMOTE,
  OF_ENGINE_KEEP_LATEST,   /* the newer modification time (-times -prefer newer) */
  OF_ENGINE_KEEP_BOTH,     /* local wins, the server's version kept beside it
                            * (-copyonconflict: a run of keep-both only) */
} OfEngineKeep;

typedef struct {
  const char  *path;           /* relative to the roots */
  OfEngineKeep keep;
  /* One side is deleted (or a folder against a file): -confirmbigdel
   * trips on such a -path whichever side wins, so the run needs it off,
   * and the remote must pass the stricter check of folder-check.h
   * first. */
  gboolean     deletion_may_win;
} OfEngineChoice;

/* Settles @n_choices conflicts of @share in one run of the engine, on
 * exactly those paths (-path), each with its own winner (-preferpartial),
 * with the same user, checks, archive, launcher and limits as a sync.
 * The outcome's conflicts and problems name what was not settled. */
void             of_engine_resolve_async (OfLauncher           *launcher,
                                          const char           *engine_path,
                                          const OfShare        *share,
                                          const char           *archive_root,
                                          const char           *run_name,
                                          gint64                kill_grace_usec,
                                          const OfEngineChoice *choices,
                                          guint                 n_choices,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);

/* Every engine problem (unreachable remote, missing engine or user,
 * timeout, crash, cancellation) is an outcome, not an error: @error is
 * only there for the GAsyncResult convention and is never set by
 * of_engine_run_async().  Each run is also traced (debug level) with
 * the journal fields OFFLINEFILES_SHARE and OFFLINEFILES_RESULT; logging
 * the outcome for the administrator is the caller's. */
OfEngineOutcome *of_engine_run_finish   (GAsyncResult *result,
                                         GError      **error);

G_END_DECLS
