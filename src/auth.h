/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth.h — asynchronous polkit checks for bus callers, fair between users.
 *
 * The one place that turns "may this caller do that?" into a polkit
 * query and polkit's answer into the D-Bus error a client expects:
 * AccessDenied, or InteractiveAuthorizationRequired when the caller could
 * have authenticated but did not allow interaction on its message.
 * Checks never block the main loop; many can be pending at once.
 *
 * Fairness, so that one user can never make another user's (or root's)
 * calls wait (root too is asked about: without polkitd nobody writes):
 *   - at most OF_AUTH_MAX_PENDING_PER_UID checks per caller uid (root's
 *     excepted) are pending at once; beyond, LimitsExceeded at once;
 *   - interactive checks (a person may take minutes, or never answer)
 *     never queue: they have their own places with polkitd, and beyond
 *     those LimitsExceeded; they end after OF_AUTH_INTERACTIVE_TIMEOUT_MS
 *     with AccessDenied "authentication timed out", and polkitd's dialog
 *     is cancelled;
 *   - non-interactive checks (polkitd's rules only, answered in
 *     milliseconds) queue among themselves, never behind interactive
 *     ones.
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "names.h"

G_BEGIN_DECLS

#define OF_AUTH_MAX_PENDING_PER_UID 4
/* Five minutes for a person to type a password.  Tests shorten it with
 * the environment variable OFFLINEFILES_AUTH_INTERACTIVE_TIMEOUT_MS. */
#define OF_AUTH_INTERACTIVE_TIMEOUT_MS (5 * 60 * 1000)

typedef struct _OfAuth OfAuth;

/* Asks polkitd on @bus.  Never fails: without polkit every check is
 * denied (and says why). */
OfAuth  *of_auth_new               (GDBusConnection *bus);
void     of_auth_free              (OfAuth *auth);
/* For shutdown: checks not yet asked, and any asked from now on, end
 * with G_IO_ERROR_CANCELLED; polkitd drops the interactive ones it is
 * working on.  Busy until polkitd has answered every check it has. */
void     of_auth_stop              (OfAuth *auth);
gboolean of_auth_is_busy           (OfAuth *auth);

/* Checks @action_id for the sender of @invocation, interactive only if
 * the message carries ALLOW_INTERACTIVE_AUTHORIZATION.  @details: NULL,
 * or key, value, …, NULL — passed to polkit so rules can decide on them
 * (e.g. "share", "share_user"). */
void     of_auth_check_async       (OfAuth                *auth,
                                    GDBusMethodInvocation *invocation,
                                    const char            *action_id,
                                    const char * const    *details,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
/* The same, with the action chosen by who asks: @own_action when the
 * caller's uid is @owner_uid (NULL there: allowed without asking),
 * @other_action for anyone else. */
void     of_auth_check_owner_async (OfAuth                *auth,
                                    GDBusMethodInvocation *invocation,
                                    uid_t                  owner_uid,
                                    const char            *own_action,
                                    const char            *other_action,
                                    const char * const    *details,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
/* The rule for a call on one share, @share of @share_user (uid
 * @owner_uid, or (uid_t) -1 when no caller counts as its owner): for
 * its owner @own_action (NULL: allowed without asking), for anyone else
 * manage-shares; rules see the details "share" and "share_user". */
void     of_auth_check_share_async (OfAuth                *auth,
                                    GDBusMethodInvocation *invocation,
                                    const char            *share,
                                    const char            *share_user,
                                    uid_t                  owner_uid,
                                    const char            *own_action,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
/* FALSE with G_DBUS_ERROR_ACCESS_DENIED,
 * OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED or (too many pending for
 * this user, or the bus is full) G_DBUS_ERROR_LIMITS_EXCEEDED, ready
 * for the caller; G_IO_ERROR_CANCELLED when the caller left the bus. */
gboolean of_auth_check_finish      (OfAuth       *auth,
                                    GAsyncResult *result,
                                    GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfAuth, of_auth_free)

G_END_DECLS
