/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memory-trim.h — give the heap back to the system after bursts of work.
 *
 * glibc keeps what a thread frees in that thread's arena and returns pages
 * from the middle of an arena only in malloc_trim().  After a burst of
 * clients (the bus abuse test: 200 clients, thousands of calls, most of
 * them handled on GDBus's worker thread) several MiB stay resident in a
 * daemon that may then sit idle for weeks.  The trimmer watches the
 * connection's traffic and trims once, a few seconds after the first
 * message of each busy period; while idle it never wakes.
 *
 * (GSlice, in GLib before 2.76, keeps freed slices for itself where no
 * trim reaches them: the unit sets G_SLICE=always-malloc for that.)
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Long enough that a busy period pays for one trim, short enough that the
 * memory is back before anyone looks. */
#define OF_MEMORY_TRIM_DELAY_S 5

typedef struct _OfMemoryTrimmer OfMemoryTrimmer;

/* Trims @delay_seconds after traffic on @connection, at most once per
 * @delay_seconds, on the thread-default main context of the caller. */
OfMemoryTrimmer *of_memory_trimmer_new  (GDBusConnection *connection,
                                         guint            delay_seconds);
void             of_memory_trimmer_free (OfMemoryTrimmer *trimmer);
/* How many trims have run (main context only). */
guint            of_memory_trimmer_get_trims (OfMemoryTrimmer *trimmer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfMemoryTrimmer, of_memory_trimmer_free)

G_END_DECLS
