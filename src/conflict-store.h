/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conflict-store.h — each share's unresolved conflicts, remembered.
 *
 * One file per share, $state-dir/conflicts/NAME, mode 0600 (file names
 * inside a share are its user's business, docs/behaviour.md §13): the
 * conflicts the last sync that got through the share found, with when
 * each was first seen.  Every such sync replaces the list (a conflict
 * fixed by hand goes; one that persists keeps its first-seen time); a
 * resolution removes what it settled.  Written durably off the main loop
 * (file-util.h); a file that does not parse is reported and counts as
 * empty.  The store owns its lists; callers borrow them.
 */
#pragma once

#include <gio/gio.h>

#include "engine-output.h"

G_BEGIN_DECLS

#define OF_CONFLICTS_DIR_NAME "conflicts"
#define OF_CONFLICTS_FILE_MODE 0600
/* A share with more conflicts keeps the first ones (as the problems). */
#define OF_CONFLICTS_MAX 10000
#define OF_CONFLICTS_MAX_FILE_SIZE (16 * 1024 * 1024)

typedef struct _OfConflictStore OfConflictStore;

OfConflictStore *of_conflict_store_new    (const char      *state_dir);
void             of_conflict_store_free   (OfConflictStore *store);

/* The share's conflicts (OfEngineConflict*, in path order), read from its
 * file the first time.  Borrowed: valid until the next change. */
GPtrArray       *of_conflict_store_get    (OfConflictStore *store,
                                           const char      *share);
/* What a sync that got through found (@found: OfEngineConflict*, not
 * taken), at @now: the new list, saved.  Returns TRUE if the list
 * changed. */
gboolean         of_conflict_store_update (OfConflictStore *store,
                                           const char      *share,
                                           GPtrArray       *found,
                                           gint64           now);
/* A resolution settled @path: gone from the list, saved.  TRUE if it was
 * there. */
gboolean         of_conflict_store_remove (OfConflictStore *store,
                                           const char      *share,
                                           const char      *path);
/* The share is gone for good (RemoveShare): its list is dropped and its
 * file deleted once any write in flight has landed. */
void             of_conflict_store_delete_for_share (OfConflictStore *store,
                                                     const char      *share);
/* TRUE while a write is in flight or queued. */
gboolean         of_conflict_store_is_busy (OfConflictStore *store);

/* Pure, for the store and its tests: the list after a sync found @found
 * at @now, with the first-seen times of @old kept (a new array of
 * copies, in path order). */
GPtrArray       *of_conflicts_merge       (GPtrArray *old,
                                           GPtrArray *found,
                                           gint64     now);
/* The file's bytes and back; parsing is strict (GVariant normal form,
 * known reasons, no duplicate paths). */
GBytes          *of_conflicts_to_bytes    (GPtrArray    *conflicts);
GPtrArray       *of_conflicts_from_bytes  (GBytes       *bytes,
                                           GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfConflictStore, of_conflict_store_free)

G_END_DECLS
