/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* journal-events.h — the events an administrator reads in the journal.
 *
 * One function per kind of event (docs/behaviour.md §12), each logged
 * once, with its own fixed MESSAGE_ID and structured fields, so that
 * `journalctl MESSAGE_ID=…` finds every occurrence on a fleet and
 * `journalctl -x` explains it from data/offlinefiles.catalog (one entry
 * per id below; keep the two in step, the test checks).  Everything else
 * the daemon logs is tracing or a plain notice without an id.
 *
 * Fields (besides MESSAGE and MESSAGE_ID):
 *   OFFLINEFILES_SYNC_ID   the sync's id, as on the bus
 *   OFFLINEFILES_SHARE     a share's name
 *   OFFLINEFILES_RESULT    success, partial, failed, cancelled
 *   OFFLINEFILES_REASON    why: a sync's reason, a deferral's, an offline share's,
 *                          a rejected reload's problems
 *   OFFLINEFILES_SETTING, OFFLINEFILES_VALUE   a setting and its new value
 *   OFFLINEFILES_COUNT     how many (conflicts)
 *   OFFLINEFILES_DUE       when a deferred sync was due, µs UTC
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Made once with `systemd-id128 new`; never change one: fleets filter
 * on them. */
#define OF_JOURNAL_ID_SYNC_STARTED      "14cb2e8ff5b844fca7468cbc026c4d76"
#define OF_JOURNAL_ID_SYNC_FINISHED     "4c3bf81624804f8faeb01bc98212cf88"
#define OF_JOURNAL_ID_SHARE_FAILED      "075b238a533a42b5bf00e469a451b7c6"
#define OF_JOURNAL_ID_CONFLICT_FOUND    "2f4658c00935480881cdce957aadc67d"
#define OF_JOURNAL_ID_SYNC_DEFERRED     "583ab7b448564e2898410f14dbb9811b"
#define OF_JOURNAL_ID_SHARE_OFFLINE     "e2013d212703409bb1493c1252c7eda2"
#define OF_JOURNAL_ID_SETTINGS_CHANGED  "f92b2fc122954ab1a74f9582d1add6f8"
#define OF_JOURNAL_ID_RELOAD_REJECTED   "3ccdd611d3304413a41815b7cb49b8e8"

/* The eight ids, in the order above, NULL-terminated (for the tests). */
extern const char * const of_journal_ids[];

/* The daemon's log writer: GLib's default one, except that the events
 * above are written at info level too (the default drops info like
 * debug unless G_MESSAGES_DEBUG asks for it). */
GLogWriterOutput of_journal_writer (GLogLevelFlags   level,
                                    const GLogField *fields,
                                    gsize            n_fields,
                                    gpointer         user_data);

/* A sync got its id and starts; @reason as in SyncStarted. */
void of_journal_sync_started     (guint64     sync_id,
                                  const char *reason);
/* Its one SyncFinished: @result and @message as in the signal. */
void of_journal_sync_finished    (guint64     sync_id,
                                  const char *result,
                                  const char *message);
/* A share of sync @sync_id failed as a whole; @message is the engine's
 * reason (may name a path: the journal is for administrators). */
void of_journal_share_failed     (guint64     sync_id,
                                  const char *share,
                                  const char *message);
/* Sync @sync_id left @count new or remaining conflicts in @share.
 * Called by the conflict store (#14), once per share and sync. */
void of_journal_conflict_found   (guint64     sync_id,
                                  const char *share,
                                  guint       count);
/* A background sync due at @due (µs UTC) is held back; @reason is
 * DeferReason's value ("costed-network", "on-battery").  Called once when
 * the deferral begins (#15). */
void of_journal_sync_deferred    (const char *reason,
                                  gint64      due);
/* @share became offline; @reason is OfflineReason's name ("disconnected",
 * "not-responding", …).  Called on the change to offline only (#15). */
void of_journal_share_offline    (const char *share,
                                  const char *reason);
/* The effective value of @setting is now @value (a Set, a Configure or
 * a reload). */
void of_journal_setting_changed  (const char *setting,
                                  const char *value);
/* A reload found problems and changed nothing; @problems lists them. */
void of_journal_reload_rejected  (const char *problems);

G_END_DECLS
