/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errors.c — D-Bus names of the OF_ERROR codes. */
#include "errors.h"

#include "names.h"

static const GDBusErrorEntry of_error_entries[] = {
  { OF_ERROR_FAILED, OF_ERROR_NAME_FAILED },
  { OF_ERROR_STORAGE, OF_ERROR_NAME_STORAGE },
  { OF_ERROR_LOCKED, OF_ERROR_NAME_LOCKED },
  { OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, OF_ERROR_NAME_INTERACTIVE_AUTHORIZATION_REQUIRED },
  { OF_ERROR_EXISTS, OF_ERROR_NAME_EXISTS },
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
