/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conditions.h — is the network metered, is the machine on battery?
 *
 * Learned from NetworkManager's and UPower's own PropertiesChanged
 * signals and from their names appearing and vanishing on the system
 * bus; never polled, so an idle daemon stays idle.  A service that does
 * not run says nothing: not metered, not on battery (docs/behaviour.md
 * §14).  The sync manager decides what to do with the answers; this
 * module only keeps them.
 *
 * Signals:
 *   "changed" ()          — metered, on battery or known changed
 *   "network-changed" ()  — NetworkManager's State or Connectivity changed,
 *                           or NetworkManager came or went: shares are
 *                           probed again
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OF_NM_BUS_NAME     "org.freedesktop.NetworkManager"
#define OF_NM_PATH         "/org/freedesktop/NetworkManager"
#define OF_UPOWER_BUS_NAME "org.freedesktop.UPower"
#define OF_UPOWER_PATH     "/org/freedesktop/UPower"

/* NetworkManager's NMMetered. */
typedef enum {
  OF_NM_METERED_UNKNOWN   = 0,
  OF_NM_METERED_YES       = 1,
  OF_NM_METERED_NO        = 2,
  OF_NM_METERED_GUESS_YES = 3,
  OF_NM_METERED_GUESS_NO  = 4,
} OfNmMetered;

/* Pure: yes and guess-yes count as metered. */
gboolean      of_nm_metered_is_costly (guint32 metered);

#define OF_TYPE_CONDITIONS (of_conditions_get_type ())
G_DECLARE_FINAL_TYPE (OfConditions, of_conditions, OF, CONDITIONS, GObject)

/* Starts watching both services on @bus (referenced). */
OfConditions *of_conditions_new          (GDBusConnection *bus);
/* TRUE once both services were found running (and their properties
 * read) or absent: before that, no due sync should start. */
gboolean      of_conditions_is_known     (OfConditions *conditions);
gboolean      of_conditions_is_metered   (OfConditions *conditions);
gboolean      of_conditions_is_on_battery (OfConditions *conditions);

G_END_DECLS
