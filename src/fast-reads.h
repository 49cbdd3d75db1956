/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fast-reads.h — Properties.Get/GetAll answered on GDBus's worker thread.
 *
 * A plain skeleton answers reads on the main loop: each Get hops from the
 * worker thread to the main context and back, which costs about a fifth of
 * a round trip (measured by `meson test --benchmark`).  This connection
 * filter answers Get and GetAll of one interface on one object straight
 * from an immutable a{sv} snapshot, replaced whole whenever a property
 * changes.  Everything else — other objects, other interfaces, malformed
 * calls, unknown properties — passes on to GDBus untouched.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OfFastReads OfFastReads;

/* Serves reads of @skeleton's interface at its object path on
 * @connection.  The snapshot follows every "notify" of @skeleton. */
OfFastReads *of_fast_reads_new  (GDBusConnection        *connection,
                                 GDBusInterfaceSkeleton *skeleton);
void         of_fast_reads_free (OfFastReads *reads);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfFastReads, of_fast_reads_free)

G_END_DECLS
