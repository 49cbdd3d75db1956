/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service.c — see service.h. */
#include "service.h"

#include "errors.h"
#include "escape.h"
#include "journal-events.h"

#include <string.h>

/* ---- org.offlinefiles.MachineConfiguration on the same object ---- */

/* Its Properties.Set goes through the service's one write pipeline. */
#define OF_TYPE_MACHINE_SKELETON (of_machine_skeleton_get_type ())
G_DECLARE_FINAL_TYPE (OfMachineSkeleton, of_machine_skeleton, OF, MACHINE_SKELETON,
                      OfDBusMachineConfigurationSkeleton)

struct _OfMachineSkeleton {
  OfDBusMachineConfigurationSkeleton parent_instance;
  OfService                         *service;  /* unowned: the service owns us */
  GDBusInterfaceVTable               vtable;
};

G_DEFINE_TYPE (OfMachineSkeleton, of_machine_skeleton, OF_DBUS_TYPE_MACHINE_CONFIGURATION_SKELETON)

struct _OfService {
  OfDBusBackgroundSyncSkeleton parent_instance;

  OfMachineSkeleton *machine;  /* owned */

  OfConfigStore *store;   /* borrowed; owns the settings */
  OfAuth        *auth;    /* borrowed */
  OfSyncManager *manager; /* borrowed */
  OfShareAdmin  *share_admin; /* borrowed; NULL: AddShare and RemoveShare fail */

  GQueue         authorized_writes;  /* of WriteRequest, applied in order */
  gboolean       writing;
  GDBusInterfaceVTable vtable;
  GDBusInterfaceMethodCallFunc generated_method_call;
};

static void of_service_iface_init (OfDBusBackgroundSyncIface *iface);

G_DEFINE_TYPE_WITH_CODE (OfService, of_service, OF_DBUS_TYPE_BACKGROUND_SYNC_SKELETON,
                         G_IMPLEMENT_INTERFACE (OF_DBUS_TYPE_BACKGROUND_SYNC, of_service_iface_init))

typedef struct {
  OfService             *service;
  GDBusMethodInvocation *invocation;
  OfSettings             values;  /* the requested values, where @mask says */
  guint                  mask;
} WriteRequest;

static void
write_request_free (WriteRequest *request)
{
  g_clear_object (&request->service);
  g_clear_object (&request->invocation);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WriteRequest, write_request_free)

static void process_next_write (OfService *self);

/* Pushes the settings to the skeleton; it compares each value, so only
 * real changes are announced, all in one PropertiesChanged. */
static void
publish_settings (OfService *self)
{
  OfDBusBackgroundSync *iface = OF_DBUS_BACKGROUND_SYNC (self);
  const OfSettings *s = of_config_store_get_settings (self->store);

  of_dbus_background_sync_set_sync_interval (iface, s->sync_interval);
  of_dbus_background_sync_set_sync_variance (iface, s->sync_variance);
  of_dbus_background_sync_set_max_time_between_syncs (iface, s->max_time_between_syncs);
  of_dbus_background_sync_set_block_out_start_time_hours_minutes (iface, s->block_out_start);
  of_dbus_background_sync_set_block_out_duration_min (iface, s->block_out_duration);
  of_dbus_background_sync_set_background_sync_work_offline_shares_enabled (iface, s->work_offline_shares_enabled);
  if (self->machine != NULL)
    {
      OfDBusMachineConfiguration *machine = OF_DBUS_MACHINE_CONFIGURATION (self->machine);

      of_dbus_machine_configuration_set_sync_on_costed_network_enabled (machine, s->sync_on_costed_network_enabled);
      of_dbus_machine_configuration_set_sync_on_battery_enabled (machine, s->sync_on_battery_enabled);
      of_dbus_machine_configuration_set_slow_link_probe_timeout_sec (machine, s->slow_link_probe_timeout_sec);
      of_dbus_machine_configuration_set_user_shares_enabled (machine, s->user_shares_enabled);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Shows the store's settings and locks on the bus: the skeleton compares
 * each value, so only real changes go out, in one PropertiesChanged. */
static void
publish_settings_and_locks (OfService *self)
{
  g_autoptr(GPtrArray) locked = g_ptr_array_new ();
  guint mask = of_config_store_get_locked (self->store);

  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (mask & (1u << id))
      g_ptr_array_add (locked, (gpointer) of_setting_name (id));
  g_ptr_array_sort (locked, compare_strings);
  g_ptr_array_add (locked, NULL);

  publish_settings (self);
  of_dbus_background_sync_set_locked_properties (OF_DBUS_BACKGROUND_SYNC (self),
                                                 (const char * const *) locked->pdata);
  {
    GVariantBuilder by;

    g_variant_builder_init (&by, G_VARIANT_TYPE ("a{ss}"));
    for (guint i = 0; locked->pdata[i] != NULL; i++)
      {
        int id = of_setting_lookup (locked->pdata[i]);
        g_autofree char *file = g_path_get_basename (of_config_store_get_locked_by (self->store, id));
        g_autofree char *shown = of_escape_text (file);

        g_variant_builder_add (&by, "{ss}", (const char *) locked->pdata[i], shown);
      }
    /* The skeleton compares: unchanged locks emit nothing. */
    of_dbus_background_sync_set_locked_by (OF_DBUS_BACKGROUND_SYNC (self), g_variant_builder_end (&by));
  }
}

static void
on_settings_changed (OfConfigStore *store,
                     guint          mask,
                     gpointer       user_data)
{
  const OfSettings *now = of_config_store_get_settings (store);

  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (mask & (1u << id))
      {
        g_autofree char *value = g_strdup_printf ("%u", of_settings_get (now, id));

        of_journal_setting_changed (of_setting_name (id), value);
      }
  publish_settings_and_locks (user_data);
}

/* Error.Locked for the first fixed property in @mask; FALSE if none is. */
static gboolean
check_locked (OfService *self,
              guint      mask,
              GError   **error)
{
  guint locked = mask & of_config_store_get_locked (self->store);

  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (locked & (1u << id))
      {
        g_set_error (error, OF_ERROR, OF_ERROR_LOCKED,
                     "%s is fixed by admin policy in %s", of_setting_name (id),
                     of_config_store_get_locked_by (self->store, id));
        return TRUE;
      }
  return FALSE;
}

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(WriteRequest) request = user_data;
  OfService *self = request->service;
  g_autoptr(GError) error = NULL;

  (void) source;
  self->writing = FALSE;

  if (!of_config_store_save_finish (self->store, result, &error))
    {
      g_warning ("%s", error->message);
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&request->invocation), error);
      process_next_write (self);
      return;
    }

  /* The store announced the change (on_settings_changed): it goes out
   * before the reply, so a client that gets the
   * reply already sees a consistent object. */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
  g_dbus_method_invocation_return_value (g_steal_pointer (&request->invocation), NULL);

  process_next_write (self);
}

static void
process_next_write (OfService *self)
{
  WriteRequest *request;
  OfSettings wanted;
  guint changed = 0;

  if (self->writing)
    return;
  request = g_queue_pop_head (&self->authorized_writes);
  if (request == NULL)
    return;

  /* A drop-in may have appeared while polkit was asked. */
  {
    g_autoptr(GError) error = NULL;

    if (check_locked (self, request->mask, &error))
      {
        g_dbus_method_invocation_return_gerror (g_steal_pointer (&request->invocation), error);
        write_request_free (request);
        process_next_write (self);
        return;
      }
  }

  /* Compared now, not at request time: earlier writes may have landed. */
  wanted = *of_config_store_get_settings (self->store);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      guint32 value;

      if (!(request->mask & (1u << id)))
        continue;
      value = of_settings_get (&request->values, id);
      if (value != of_settings_get (of_config_store_get_settings (self->store), id))
        {
          of_settings_set (&wanted, id, value);
          changed |= 1u << id;
        }
    }

  if (changed == 0)
    {
      g_debug ("Write of unchanged values: nothing to do");
      g_dbus_method_invocation_return_value (g_steal_pointer (&request->invocation), NULL);
      write_request_free (request);
      process_next_write (self);
      return;
    }

  request->mask = changed;
  request->values = wanted;
  self->writing = TRUE;
  of_config_store_save_async (self->store, &wanted, changed, NULL, save_done, request);
}

static void
write_authorized (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(WriteRequest) request = user_data;
  OfService *self = request->service;
  g_autoptr(GError) error = NULL;

  (void) source;
  if (!of_auth_check_finish (self->auth, result, &error))
    {
      g_dbus_method_invocation_return_gerror (g_steal_pointer (&request->invocation), error);
      return;
    }

  g_queue_push_tail (&self->authorized_writes, g_steal_pointer (&request));
  process_next_write (self);
}

static void
start_write (OfService             *self,
             GDBusMethodInvocation *invocation,
             const OfSettings      *values,
             guint                  mask)
{
  WriteRequest *request = g_new0 (WriteRequest, 1);

  request->service = g_object_ref (self);
  request->invocation = invocation;  /* ours until we reply */
  request->values = *values;
  request->mask = mask;
  of_auth_check_async (self->auth, invocation, OF_ACTION_CONFIGURE, NULL, NULL,
                       write_authorized, request);
}

static void
return_invalid_args (GDBusMethodInvocation *invocation,
                     const GError          *error)
{
  g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR,
                                                 G_DBUS_ERROR_INVALID_ARGS,
                                                 error->message);
}

static void
handle_set_property (OfService             *self,
                     GDBusMethodInvocation *invocation,
                     GVariant              *parameters)
{
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *interface_name;
  const char *property_name;
  OfSettings values;
  guint32 parsed;
  int id;

  g_variant_get (parameters, "(&s&sv)", &interface_name, &property_name, &value);
  id = of_setting_lookup (property_name);
  /* Each setting is written on its own interface only. */
  if (id >= 0 && !g_str_equal (interface_name, of_setting_interface (id)))
    id = -1;
  if (id < 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_PROPERTY_READ_ONLY,
                                             "Property %s is read-only", property_name);
      return;
    }

  if (!of_setting_from_variant (id, value, &parsed, &error))
    {
      return_invalid_args (invocation, error);
      return;
    }

  if (check_locked (self, 1u << id, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  values = *of_config_store_get_settings (self->store);
  of_settings_set (&values, id, parsed);
  start_write (self, invocation, &values, 1u << id);
}

static gboolean
handle_configure (OfDBusBackgroundSync  *object,
                  GDBusMethodInvocation *invocation,
                  GVariant              *settings)
{
  OfService *self = OF_SERVICE (object);
  g_autoptr(GError) error = NULL;
  OfSettings values = *of_config_store_get_settings (self->store);
  guint mask = 0;

  /* Everything is checked before anything is asked or changed. */
  if (!of_settings_update_from_dict (&values, settings, &mask, &error))
    {
      return_invalid_args (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  /* Before polkit: a fixed value is refused whoever asks. */
  if (check_locked (self, mask, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  start_write (self, invocation, &values, mask);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef void (*AuthorizedFunc) (OfService             *self,
                                GDBusMethodInvocation *invocation);

typedef struct {
  OfService             *service;
  GDBusMethodInvocation *invocation;
  AuthorizedFunc         func;
} AuthorizedCall;

static void
authorized_call_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  AuthorizedCall *call = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  if (of_auth_check_finish (call->service->auth, result, &error))
    call->func (call->service, call->invocation);
  else
    g_dbus_method_invocation_return_gerror (call->invocation, error);
  g_object_unref (call->service);
  g_free (call);
}

/* Runs @func once polkit allows @action for the caller; answers the
 * caller with polkit's refusal otherwise.  @func must answer. */
static void
authorize_then (OfService             *self,
                GDBusMethodInvocation *invocation,
                const char            *action,
                AuthorizedFunc         func)
{
  AuthorizedCall *call = g_new0 (AuthorizedCall, 1);

  call->service = g_object_ref (self);
  call->invocation = invocation;  /* owned by the pending reply */
  call->func = func;
  of_auth_check_async (self->auth, invocation, action, NULL, NULL, authorized_call_done, call);
}

static void
sync_now_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  guint64 id = of_sync_manager_sync_now_finish (OF_SYNC_MANAGER (source), result, &error);

  if (id == 0)
    g_dbus_method_invocation_return_gerror (g_steal_pointer (&invocation), error);
  else
    of_dbus_background_sync_complete_sync_now (NULL, g_steal_pointer (&invocation), id);
}

static void
do_sync_now (OfService             *self,
             GDBusMethodInvocation *invocation)
{
  /* The id comes once it is on disk and SyncStarted went out. */
  of_sync_manager_sync_now_async (self->manager, sync_now_done, invocation);
}

static void
do_cancel (OfService             *self,
           GDBusMethodInvocation *invocation)
{
  of_sync_manager_cancel (self->manager);
  of_dbus_background_sync_complete_cancel (OF_DBUS_BACKGROUND_SYNC (self), invocation);
}

static gboolean
handle_sync_now (OfDBusBackgroundSync  *object,
                 GDBusMethodInvocation *invocation)
{
  authorize_then (OF_SERVICE (object), invocation, OF_ACTION_SYNC, do_sync_now);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_cancel (OfDBusBackgroundSync  *object,
               GDBusMethodInvocation *invocation)
{
  authorize_then (OF_SERVICE (object), invocation, OF_ACTION_SYNC, do_cancel);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_preview_schedule (OfDBusBackgroundSync  *object,
                         GDBusMethodInvocation *invocation,
                         guint                  count)
{
  OfService *self = OF_SERVICE (object);

  if (count < 1 || count > OF_SCHEDULE_PREVIEW_MAX)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "count must be 1..%d, got %u",
                                             OF_SCHEDULE_PREVIEW_MAX, count);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  {
    g_autoptr(GVariant) preview = of_sync_manager_preview (self->manager, count);

    of_dbus_background_sync_complete_preview_schedule (object, invocation, preview);
  }
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_add_share (OfDBusBackgroundSync  *object,
                  GDBusMethodInvocation *invocation,
                  const char            *name,
                  const char            *local_path,
                  const char            *remote_path,
                  GVariant              *options)
{
  OfService *self = OF_SERVICE (object);

  if (self->share_admin == NULL)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                                           "Shares cannot be added here");
  else
    of_share_admin_add (self->share_admin, invocation, name, local_path, remote_path, options);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_remove_share (OfDBusBackgroundSync  *object,
                     GDBusMethodInvocation *invocation,
                     const char            *name)
{
  OfService *self = OF_SERVICE (object);

  if (self->share_admin == NULL)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                                           "Shares cannot be removed here");
  else
    of_share_admin_remove (self->share_admin, invocation, name);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
publish_status (OfService *self)
{
  OfDBusBackgroundSync *iface = OF_DBUS_BACKGROUND_SYNC (self);
  const OfState *history = of_sync_manager_get_history (self->manager);

  of_dbus_background_sync_set_state (iface, of_sync_manager_get_state (self->manager));
  of_dbus_background_sync_set_next_sync_time (iface, (guint64) of_sync_manager_get_next_sync_time (self->manager));
  of_dbus_background_sync_set_current_sync_id (iface, of_sync_manager_get_current_sync_id (self->manager));
  of_dbus_background_sync_set_last_sync_start_time (iface, (guint64) history->last_start);
  of_dbus_background_sync_set_last_sync_finish_time (iface, (guint64) history->last_finish);
  of_dbus_background_sync_set_last_sync_result (iface, history->last_result ? history->last_result : "");
  of_dbus_background_sync_set_last_successful_sync_time (iface, (guint64) history->last_success_start);
  of_dbus_background_sync_set_defer_reason (iface, of_sync_manager_get_defer_reason (self->manager));
}

static void
on_status_changed (OfSyncManager *manager,
                   gpointer       user_data)
{
  (void) manager;
  publish_status (user_data);
}

static void
on_sync_started (OfSyncManager *manager,
                 guint64        id,
                 const char    *reason,
                 gpointer       user_data)
{
  OfService *self = user_data;

  (void) manager;
  publish_status (self);
  /* Properties first, so a client reacting to the signal reads them. */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
  of_dbus_background_sync_emit_sync_started (OF_DBUS_BACKGROUND_SYNC (self), id, reason);
}

static void
on_sync_progress (OfSyncManager *manager,
                  guint64        id,
                  guint          done,
                  guint          total,
                  const char    *share,
                  gpointer       user_data)
{
  (void) manager;
  of_dbus_background_sync_emit_sync_progress (OF_DBUS_BACKGROUND_SYNC (user_data), id, done, total, share);
}

static void
on_sync_finished (OfSyncManager *manager,
                  guint64        id,
                  const char    *result,
                  const char    *message,
                  gpointer       user_data)
{
  OfService *self = user_data;
  g_autofree char *shown = of_escape_text (message);

  (void) manager;
  publish_status (self);
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self));
  /* Every user on the bus receives it: nothing in it may steer a terminal. */
  of_dbus_background_sync_emit_sync_finished (OF_DBUS_BACKGROUND_SYNC (self), id, result, shown);
}

/* Only Properties.Set is ours to intercept (it must wait for polkit);
 * every method of the interface goes to the generated dispatch and from
 * there to the handle_* functions above. */
static void
service_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  OfService *self = OF_SERVICE (user_data);

  g_debug ("%s.%s from %s", interface_name, method_name, sender);
  if (g_str_equal (interface_name, "org.freedesktop.DBus.Properties"))
    {
      /* Get and GetAll are answered by the skeleton's get_property. */
      if (g_str_equal (method_name, "Set"))
        handle_set_property (self, invocation, parameters);
      else
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                               G_DBUS_ERROR_UNKNOWN_METHOD,
                                               "Unknown method %s", method_name);
      return;
    }
  self->generated_method_call (connection, sender, object_path, interface_name, method_name,
                               parameters, invocation, user_data);
}

static GDBusInterfaceVTable *
of_service_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  OfService *self = OF_SERVICE (skeleton);
  GDBusInterfaceSkeletonClass *parent_class =
    G_DBUS_INTERFACE_SKELETON_CLASS (of_service_parent_class);

  /* The generated vtable would apply a Set at once; with set_property
   * NULL, GDBus hands Set to method_call, where it can wait for polkit. */
  self->vtable = *parent_class->get_vtable (skeleton);
  self->generated_method_call = self->vtable.method_call;
  self->vtable.method_call = service_method_call;
  self->vtable.set_property = NULL;
  return &self->vtable;
}

static void
machine_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  OfMachineSkeleton *machine = OF_MACHINE_SKELETON (user_data);

  (void) connection; (void) object_path;
  g_debug ("%s.%s from %s", interface_name, method_name, sender);
  /* The interface has no methods: only Properties.Set comes here. */
  if (g_str_equal (interface_name, "org.freedesktop.DBus.Properties") && g_str_equal (method_name, "Set"))
    handle_set_property (machine->service, invocation, parameters);
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "Unknown method %s", method_name);
}

static GDBusInterfaceVTable *
of_machine_skeleton_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  OfMachineSkeleton *self = OF_MACHINE_SKELETON (skeleton);

  /* As for the main interface: Set must wait for polkit. */
  self->vtable = *G_DBUS_INTERFACE_SKELETON_CLASS (of_machine_skeleton_parent_class)->get_vtable (skeleton);
  self->vtable.method_call = machine_method_call;
  self->vtable.set_property = NULL;
  return &self->vtable;
}

static void
of_machine_skeleton_class_init (OfMachineSkeletonClass *klass)
{
  G_DBUS_INTERFACE_SKELETON_CLASS (klass)->get_vtable = of_machine_skeleton_get_vtable;
}

static void
of_machine_skeleton_init (OfMachineSkeleton *self)
{
  (void) self;
}

GDBusInterfaceSkeleton *
of_service_get_machine_configuration (OfService *self)
{
  return G_DBUS_INTERFACE_SKELETON (self->machine);
}

static void
of_service_finalize (GObject *object)
{
  OfService *self = OF_SERVICE (object);

  g_clear_object (&self->machine);

  g_queue_clear_full (&self->authorized_writes, (GDestroyNotify) write_request_free);
  G_OBJECT_CLASS (of_service_parent_class)->finalize (object);
}

static void
of_service_class_init (OfServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GDBusInterfaceSkeletonClass *skeleton_class = G_DBUS_INTERFACE_SKELETON_CLASS (klass);

  object_class->finalize = of_service_finalize;
  skeleton_class->get_vtable = of_service_get_vtable;
}

static void
of_service_iface_init (OfDBusBackgroundSyncIface *iface)
{
  iface->handle_configure = handle_configure;
  iface->handle_sync_now = handle_sync_now;
  iface->handle_cancel = handle_cancel;
  iface->handle_preview_schedule = handle_preview_schedule;
  iface->handle_add_share = handle_add_share;
  iface->handle_remove_share = handle_remove_share;
}

static void
of_service_init (OfService *self)
{
  static const char *const no_locks[] = { NULL };
  OfDBusBackgroundSync *iface = OF_DBUS_BACKGROUND_SYNC (self);

  g_queue_init (&self->authorized_writes);
  of_dbus_background_sync_set_locked_properties (iface, no_locks);
  of_dbus_background_sync_set_locked_by (iface, g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0));
}

OfService *
of_service_new (OfConfigStore *store,
                OfAuth        *auth,
                OfSyncManager *manager)
{
  OfService *self = g_object_new (OF_TYPE_SERVICE, NULL);

  self->store = store;
  self->auth = auth;
  self->manager = manager;
  self->machine = g_object_new (OF_TYPE_MACHINE_SKELETON, NULL);
  self->machine->service = self;
  publish_settings_and_locks (self);
  publish_status (self);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_settings_changed), self, 0);
  g_signal_connect_object (manager, "status-changed", G_CALLBACK (on_status_changed), self, 0);
  g_signal_connect_object (manager, "sync-started", G_CALLBACK (on_sync_started), self, 0);
  g_signal_connect_object (manager, "sync-progress", G_CALLBACK (on_sync_progress), self, 0);
  g_signal_connect_object (manager, "sync-finished", G_CALLBACK (on_sync_finished), self, 0);
  return self;
}

void
of_service_set_share_admin (OfService    *self,
                            OfShareAdmin *share_admin)
{
  self->share_admin = share_admin;
}
