/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errors.h — the daemon's GError domain and its D-Bus error names.
 *
 * Registered once so that g_dbus_method_invocation_return_gerror() sends
 * org.offlinefiles.BackgroundSync.Error.* (and the two freedesktop
 * authorization errors polkit answers map to) without string plumbing.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OF_ERROR (of_error_quark ())

typedef enum {
  OF_ERROR_FAILED,                              /* ...Error.Failed */
  OF_ERROR_STORAGE,                             /* ...Error.Storage */
  OF_ERROR_LOCKED,                              /* ...Error.Locked */
  OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,  /* org.freedesktop.DBus.Error.InteractiveAuthorizationRequired */
  OF_ERROR_EXISTS,                              /* ...Error.Exists */
} OfError;

GQuark of_error_quark (void);

G_END_DECLS
