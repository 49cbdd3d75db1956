/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* panel-model.c — see panel-model.h. */
#include "config.h"

#include "names.h"
#include "panel-model.h"

struct _OfPanelModel
{
  GObject                     parent_instance;
  GCancellable               *cancellable;
  GDBusConnection            *bus;
  OfDBusBackgroundSync       *proxy;
  /* org.offlinefiles.MachineConfiguration on the same object. */
  OfDBusMachineConfiguration *machine;
  GDBusObjectManager         *manager;
  gboolean                    running;
};

G_DEFINE_TYPE (OfPanelModel, of_panel_model, G_TYPE_OBJECT)

enum { PROP_0, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, SIGNAL_SYNC_SIGNAL, SIGNAL_SHARES_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* A call may wait for a person at the polkit agent: no timeout. */
#define OF_PANEL_CALL_TIMEOUT G_MAXINT

static void
update_running (OfPanelModel *self)
{
  g_autofree char *owner = self->proxy ? g_dbus_proxy_get_name_owner (G_DBUS_PROXY (self->proxy)) : NULL;
  gboolean running = owner != NULL;

  g_debug ("daemon %s", running ? owner : "not running");
  if (running != self->running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* GDBusProxy reads every property again when the name gets an owner and
 * only then notifies "g-name-owner": the values are there when we look. */
static void
on_name_owner (GObject *proxy, GParamSpec *pspec, gpointer user_data)
{
  update_running (OF_PANEL_MODEL (user_data));
}

static void
on_properties_changed (GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_CHANGED], 0);
}

static void
on_g_signal (GDBusProxy *proxy, const char *sender, const char *name, GVariant *parameters, gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_SYNC_SIGNAL], g_quark_from_string (name), name, parameters);
}

static void
on_shares_changed (gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_SHARES_CHANGED], 0);
}

static void
on_proxy (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  OfDBusBackgroundSync *proxy = of_dbus_background_sync_proxy_new_finish (result, &error);
  OfPanelModel *self;

  if (proxy == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot watch the offlinefiles service: %s", error->message);
      return;
    }
  self = OF_PANEL_MODEL (user_data);
  self->proxy = proxy;
  g_signal_connect_object (proxy, "notify::g-name-owner", G_CALLBACK (on_name_owner), self, 0);
  /* After the generated class handler, which drops its cached copies of
   * changed arrays (LockedProperties): before it, getters return old values. */
  g_signal_connect_object (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), self, G_CONNECT_AFTER);
  g_signal_connect_object (proxy, "g-signal", G_CALLBACK (on_g_signal), self, 0);
  update_running (self);
}

/* The second interface's proxy reads its properties again on its own
 * when the daemon comes back, maybe after the main one: tell the pages
 * again then. */
static void
on_machine_proxy (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  OfDBusMachineConfiguration *machine = of_dbus_machine_configuration_proxy_new_finish (result, &error);
  OfPanelModel *self;

  if (machine == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot watch the machine configuration: %s", error->message);
      return;
    }
  self = OF_PANEL_MODEL (user_data);
  self->machine = machine;
  g_signal_connect_object (machine, "notify::g-name-owner", G_CALLBACK (on_name_owner), self, 0);
  g_signal_connect_object (machine, "g-properties-changed", G_CALLBACK (on_properties_changed), self, G_CONNECT_AFTER);
  update_running (self);
}

static void
on_manager (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusObjectManager *manager = of_dbus_object_manager_client_new_finish (result, &error);
  OfPanelModel *self;

  if (manager == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot list the shares: %s", error->message);
      return;
    }
  self = OF_PANEL_MODEL (user_data);
  self->manager = manager;
  g_signal_connect_object (manager, "object-added", G_CALLBACK (on_shares_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "object-removed", G_CALLBACK (on_shares_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::name-owner", G_CALLBACK (on_shares_changed), self, G_CONNECT_SWAPPED);
  on_shares_changed (self);
}

static void
on_bus (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  OfPanelModel *self;

  if (bus == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot connect to the system bus: %s", error->message);
      return;
    }
  self = OF_PANEL_MODEL (user_data);
  self->bus = bus;
  /* Never start the daemon for a look at its settings: it runs when
   * systemd says so, and the panel waits for it. */
  of_dbus_background_sync_proxy_new (bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                     OF_BUS_NAME, OF_OBJECT_PATH,
                                     self->cancellable, on_proxy, self);
  of_dbus_machine_configuration_proxy_new (bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                           OF_BUS_NAME, OF_OBJECT_PATH,
                                           self->cancellable, on_machine_proxy, self);
  of_dbus_object_manager_client_new (bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
                                     OF_BUS_NAME, OF_OBJECT_PATH,
                                     self->cancellable, on_manager, self);
}

static void
of_panel_model_dispose (GObject *object)
{
  OfPanelModel *self = OF_PANEL_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->proxy);
  g_clear_object (&self->machine);
  g_clear_object (&self->manager);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (of_panel_model_parent_class)->dispose (object);
}

static void
of_panel_model_finalize (GObject *object)
{
  g_clear_object (&OF_PANEL_MODEL (object)->cancellable);
  G_OBJECT_CLASS (of_panel_model_parent_class)->finalize (object);
}

static void
of_panel_model_get_gproperty (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, OF_PANEL_MODEL (object)->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
of_panel_model_class_init (OfPanelModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = of_panel_model_dispose;
  object_class->finalize = of_panel_model_finalize;
  object_class->get_property = of_panel_model_get_gproperty;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The main object's values changed, or the daemon came or went. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* SyncStarted, SyncProgress, SyncFinished (the detail is the name). */
  signals[SIGNAL_SYNC_SIGNAL] = g_signal_new ("sync-signal", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                              G_TYPE_STRING, G_TYPE_VARIANT);
  /* A share object was added or removed. */
  signals[SIGNAL_SHARES_CHANGED] = g_signal_new ("shares-changed", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 0);
}

static void
of_panel_model_init (OfPanelModel *self)
{
  self->cancellable = g_cancellable_new ();
}

OfPanelModel *
of_panel_model_new (void)
{
  OfPanelModel *self = g_object_new (OF_TYPE_PANEL_MODEL, NULL);

  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_bus, self);
  return self;
}

gboolean
of_panel_model_get_running (OfPanelModel *self)
{
  g_return_val_if_fail (OF_IS_PANEL_MODEL (self), FALSE);
  return self->running;
}

OfDBusBackgroundSync *
of_panel_model_get_proxy (OfPanelModel *self)
{
  g_return_val_if_fail (OF_IS_PANEL_MODEL (self), NULL);
  return self->proxy;
}

GDBusProxy *
of_panel_model_get_settings_proxy (OfPanelModel *self,
                                   const char   *interface_name)
{
  g_return_val_if_fail (OF_IS_PANEL_MODEL (self), NULL);
  if (g_strcmp0 (interface_name, OF_INTERFACE_BACKGROUND_SYNC) == 0)
    return self->proxy ? G_DBUS_PROXY (self->proxy) : NULL;
  if (g_strcmp0 (interface_name, OF_INTERFACE_MACHINE_CONFIGURATION) == 0)
    return self->machine ? G_DBUS_PROXY (self->machine) : NULL;
  return NULL;
}

static int
compare_shares (gconstpointer a, gconstpointer b)
{
  g_autoptr(OfDBusShare) share_a = of_dbus_object_get_share (OF_DBUS_OBJECT ((gpointer) a));
  g_autoptr(OfDBusShare) share_b = of_dbus_object_get_share (OF_DBUS_OBJECT ((gpointer) b));

  return g_strcmp0 (of_dbus_share_get_name (share_a), of_dbus_share_get_name (share_b));
}

GList *
of_panel_model_list_shares (OfPanelModel *self)
{
  GList *objects;
  GList *shares = NULL;

  g_return_val_if_fail (OF_IS_PANEL_MODEL (self), NULL);
  if (self->manager == NULL)
    return NULL;
  objects = g_dbus_object_manager_get_objects (self->manager);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      g_autoptr(OfDBusShare) share = of_dbus_object_get_share (OF_DBUS_OBJECT (l->data));
      if (share != NULL)
        shares = g_list_prepend (shares, g_object_ref (l->data));
    }
  g_list_free_full (objects, g_object_unref);
  return g_list_sort (shares, compare_shares);
}

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

static void
call (OfPanelModel        *self,
      const char          *object_path,
      const char          *interface_name,
      const char          *method,
      GVariant            *parameters,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (self->bus == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "Not connected to the system bus");
      g_object_unref (task);
      g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  g_debug ("calling %s.%s on %s", interface_name, method, object_path);
  g_dbus_connection_call (self->bus, OF_BUS_NAME, object_path, interface_name, method,
                          parameters, NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START | G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                          OF_PANEL_CALL_TIMEOUT, cancellable, on_call_done, task);
}

void
of_panel_model_set_property (OfPanelModel        *self,
                             const char          *object_path,
                             const char          *interface_name,
                             const char          *property,
                             GVariant            *value,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (OF_IS_PANEL_MODEL (self));
  call (self, object_path, "org.freedesktop.DBus.Properties", "Set",
        g_variant_new ("(ssv)", interface_name, property, value),
        cancellable, callback, user_data);
}

void
of_panel_model_call (OfPanelModel        *self,
                     const char          *method,
                     GVariant            *parameters,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (OF_IS_PANEL_MODEL (self));
  call (self, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC, method,
        parameters ? parameters : g_variant_new ("()"), cancellable, callback, user_data);
}

void
of_panel_model_call_share (OfPanelModel        *self,
                           const char          *object_path,
                           const char          *method,
                           GVariant            *parameters,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (OF_IS_PANEL_MODEL (self));
  call (self, object_path, OF_INTERFACE_SHARE, method,
        parameters ? parameters : g_variant_new ("()"), cancellable, callback, user_data);
}

GVariant *
of_panel_model_call_finish (OfPanelModel  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
of_panel_error_message (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);

  g_dbus_error_strip_remote_error (copy);
  return g_steal_pointer (&copy->message);
}
