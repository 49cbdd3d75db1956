/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* panel-model.h — the settings panel's view of the daemon: one system bus
 * connection, the generated proxies of the main object's two interfaces,
 * the object manager client of the shares, whether the daemon runs, and
 * the calls that write.
 *
 * The model owns the proxies and the object manager; the pages only listen
 * to the model's signals and read through it.  All are made once and
 * follow the bus name by themselves, so the daemon going away and coming
 * back needs no reconnecting: "changed" fires and everything is read again.
 *
 * Every write is an explicit call carrying
 * G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION with no timeout (a
 * person may be typing a password into the desktop's polkit agent): the
 * generated setters send neither.
 */
#pragma once

#include <gio/gio.h>

#include "offlinefiles-dbus.h"

G_BEGIN_DECLS

#define OF_TYPE_PANEL_MODEL (of_panel_model_get_type ())
G_DECLARE_FINAL_TYPE (OfPanelModel, of_panel_model, OF, PANEL_MODEL, GObject)

/* Starts connecting to the system bus; "changed" fires when there is
 * something to read.  Never blocks. */
OfPanelModel         *of_panel_model_new         (void);

/* TRUE when the daemon owns its name and its properties have been read.
 * Notifies "running". */
gboolean              of_panel_model_get_running (OfPanelModel *self);
/* The main object's proxy (its cached values are the daemon's), or NULL
 * before the connection is made. */
OfDBusBackgroundSync *of_panel_model_get_proxy   (OfPanelModel *self);
/* The proxy carrying the settings of @interface_name (the "interface" of
 * common/settings.h's table: org.offlinefiles.BackgroundSync or
 * org.offlinefiles.MachineConfiguration, both on the main object), or
 * NULL before its connection is made.  "changed" fires for either. */
GDBusProxy           *of_panel_model_get_settings_proxy (OfPanelModel *self,
                                                         const char   *interface_name);
/* The shares' OfDBusObject list, sorted by name; empty while the daemon is
 * not running.  Free with g_list_free_full (…, g_object_unref). */
GList                *of_panel_model_list_shares (OfPanelModel *self);

/* Properties.Set of @property on @object_path's @interface_name. */
void      of_panel_model_set_property (OfPanelModel        *self,
                                       const char          *object_path,
                                       const char          *interface_name,
                                       const char          *property,
                                       GVariant            *value,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* A method of the main interface. */
void      of_panel_model_call         (OfPanelModel        *self,
                                       const char          *method,
                                       GVariant            *parameters,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* A method of the share object at @object_path (org.offlinefiles.Share). */
void      of_panel_model_call_share   (OfPanelModel        *self,
                                       const char          *object_path,
                                       const char          *method,
                                       GVariant            *parameters,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* Finishes any of the three; the reply, or NULL with @error set. */
GVariant *of_panel_model_call_finish  (OfPanelModel  *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/* The daemon's own words from a failed call, without GDBus's
 * "GDBus.Error:NAME: " prefix. */
char     *of_panel_error_message      (const GError *error);

G_END_DECLS
