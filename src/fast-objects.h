/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fast-objects.h — GetManagedObjects answered from a snapshot.
 *
 * Anyone may call GetManagedObjects, and with a thousand shares GDBus
 * builds its reply on the main loop in about 27 ms: a user with many
 * connections could delay the timers that supervise engines.  This
 * connection filter answers it on GDBus's worker thread from a snapshot
 * built on the main loop at most once per change of the shares (and only
 * when someone asks), so the main loop's work is bounded by the changes,
 * not by the callers.  While the snapshot is stale (a change was
 * announced), calls go the plain way and one rebuild is scheduled.
 * The owner of the objects calls of_fast_objects_invalidate() *before*
 * each change, so no caller can see a snapshot older than a signal it
 * already received.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OfFastObjects OfFastObjects;

OfFastObjects *of_fast_objects_new        (GDBusConnection          *connection,
                                           GDBusObjectManagerServer *manager);
void           of_fast_objects_invalidate (OfFastObjects *objects);
void           of_fast_objects_free       (OfFastObjects *objects);

G_END_DECLS
