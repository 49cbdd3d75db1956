/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* minimal-owner.c — the reference for the idle RSS benchmark: a GDBus
 * program that owns one name on the system bus and does nothing else. */
#include <gio/gio.h>

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_bus_own_name (G_BUS_TYPE_SYSTEM, "org.offlinefiles.Bench.MinimalOwner",
                  G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL, NULL);
  g_main_loop_run (loop);
  return 0;
}
