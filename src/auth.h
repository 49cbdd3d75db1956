/* auth.h — asynchronous polkit checks for bus callers.
 *
 * The one place that turns "may this caller do that?" into a polkit
 * query and polkit's answer into the D-Bus error a client expects:
 * AccessDenied, or InteractiveAuthorizationRequired when the caller could
 * have authenticated but did not allow interaction on its message.
 * Checks never block the main loop; many can be pending at once.
 */
#pragma once

#include <gio/gio.h>

#include "names.h"

G_BEGIN_DECLS


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
 * the message carries ALLOW_INTERACTIVE_AUTHORIZATION. */
void     of_auth_check_async       (OfAuth                *auth,
                                    GDBusMethodInvocation *invocation,
                                    const char            *action_id,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data);
/* FALSE with G_DBUS_ERROR_ACCESS_DENIED,
 * OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED or (too many pending for
 * this caller, or the bus is full) G_DBUS_ERROR_LIMITS_EXCEEDED, ready
 * for the caller; G_IO_ERROR_CANCELLED when the caller left the bus. */
gboolean of_auth_check_finish      (OfAuth       *auth,
                                    GAsyncResult *result,
                                    GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfAuth, of_auth_free)

G_END_DECLS
