/* errors.c — D-Bus names of the OF_ERROR codes. */
#include "errors.h"

static const GDBusErrorEntry of_error_entries[] = {
  { OF_ERROR_FAILED, "org.offlinefiles.BackgroundSync.Error.Failed" },
  { OF_ERROR_STORAGE, "org.offlinefiles.BackgroundSync.Error.Storage" },
  { OF_ERROR_LOCKED, "org.offlinefiles.BackgroundSync.Error.Locked" },
  { OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
    "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" },
};

GQuark
of_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("offlinefiles-error-quark", &quark,
                                      of_error_entries,
                                      G_N_ELEMENTS (of_error_entries));
  return (GQuark) quark;
}
