/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-admin.h — shares users add and remove themselves over the bus
 * (AddShare, RemoveShare; docs/behaviour.md §5).
 *
 * AddShare: options and paths checked (pure, share-request.h and the
 * share parser) → name free, at most OF_SHARES_PER_USER_MAX per user →
 * polkit (manage-own-shares for oneself, manage-shares for another user)
 * → both folders checked as the share's user in a helper process with a
 * time limit (folder-check.h, through the launcher) → the file written
 * durably as root → the share exported at once (share-registry.h).
 * RemoveShare: polkit (manage-own-shares only for a share added for the
 * caller through AddShare) → the file deleted (if that fails, nothing
 * changed) → unexported, state dropped, so no later sync takes it → the
 * share's engine stopped if a running sync took it → its archives
 * deleted as its user (archive-forget.h) → the reply.
 *
 * Owns the names being added or removed, so that two calls for one name
 * cannot both go ahead.  Nothing here blocks the main loop on a user's
 * files: those are only ever looked at by helpers running as the user.
 */
#pragma once

#include <gio/gio.h>

#include "auth.h"
#include "config-store.h"
#include "launcher.h"
#include "share-registry.h"
#include "state-store.h"
#include "sync-manager.h"

G_BEGIN_DECLS

/* How long the folder check and the archive clean-up may take. */
#define OF_SHARE_ADMIN_HELPER_TIMEOUT_USEC (15 * G_TIME_SPAN_SECOND)

#define OF_TYPE_SHARE_ADMIN (of_share_admin_get_type ())
G_DECLARE_FINAL_TYPE (OfShareAdmin, of_share_admin, OF, SHARE_ADMIN, GObject)

/* Everything is borrowed and must outlive the admin.  @shares_dir is
 * where share files go; @archive_root the engines' (<state dir>/unison).
 * A call in progress keeps the admin alive until it is answered. */
OfShareAdmin *of_share_admin_new    (const char      *shares_dir,
                                     const char      *archive_root,
                                     OfShareRegistry *registry,
                                     OfStateStore    *state_store,
                                     OfAuth          *auth,
                                     OfLauncher      *launcher,
                                     OfSyncManager   *manager,
                                     OfConfigStore   *store);
/* TRUE while a call is being worked on (shutdown waits for it). */
gboolean      of_share_admin_is_busy (OfShareAdmin *admin);

/* The handlers of the two methods: each answers @invocation. */
void          of_share_admin_add    (OfShareAdmin          *admin,
                                     GDBusMethodInvocation *invocation,
                                     const char            *name,
                                     const char            *local_path,
                                     const char            *remote_path,
                                     GVariant              *options);
void          of_share_admin_remove (OfShareAdmin          *admin,
                                     GDBusMethodInvocation *invocation,
                                     const char            *name);

G_END_DECLS
