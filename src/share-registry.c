/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-registry.c — see share-registry.h. */
#include "share-registry.h"

#include "engine-output.h"
#include "enums.h"
#include "errors.h"
#include "escape.h"
#include "journal-events.h"
#include "offlinefiles-dbus.h"
#include "probe.h"

#include <gio/gunixmounts.h>

/* After a probe hung, automatic probes of that share wait this long
 * (docs/behaviour.md §14): each hung probe may leave a process stuck in
 * the kernel until the server answers. */
#define PROBE_RETRY_AFTER_HANG_USEC (60 * G_USEC_PER_SEC)

/* ---- one share's interface, with a WorkOffline that waits for polkit ---- */

#define OF_TYPE_SHARE_SKELETON (of_share_skeleton_get_type ())
G_DECLARE_FINAL_TYPE (OfShareSkeleton, of_share_skeleton, OF, SHARE_SKELETON, OfDBusShareSkeleton)

struct _OfShareSkeleton {
  OfDBusShareSkeleton  parent_instance;
  OfShareRegistry     *registry;  /* unowned: the registry outlives its objects */
  GDBusInterfaceVTable vtable;
  GDBusInterfaceMethodCallFunc generated_method_call;
};

static void of_share_skeleton_iface_init (OfDBusShareIface *iface);

G_DEFINE_TYPE_WITH_CODE (OfShareSkeleton, of_share_skeleton, OF_DBUS_TYPE_SHARE_SKELETON,
                         G_IMPLEMENT_INTERFACE (OF_DBUS_TYPE_SHARE, of_share_skeleton_iface_init))

struct _OfShareRegistry {
  GObject                   parent_instance;
  char                     *shares_dir;
  char                     *manager_path;
  OfStateStore             *state_store;  /* borrowed */
  OfAuth                   *auth;         /* borrowed */
  GDBusObjectManagerServer *manager;
  GHashTable               *shares;       /* name → Entry */
  OfConflictStore          *conflicts;    /* borrowed */
  OfShareActions            actions;
  gpointer                  actions_data;
  OfLauncher               *launcher;     /* for probes; NULL until set_prober() */
  OfConfigStore            *store;        /* the probe's limits; borrowed */
  GUnixMountMonitor        *mounts;
};

G_DEFINE_TYPE (OfShareRegistry, of_share_registry, G_TYPE_OBJECT)

enum { SIGNAL_CHANGING, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Before any change of what the share objects show (see the header). */
static void
changing (OfShareRegistry *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGING], 0);
}

typedef struct {
  OfShare              *config;
  OfDBusObjectSkeleton *object;
  OfShareSkeleton      *iface;
  /* Connection state (Share.ConnectState, OfflineReason, LastProbeTime). */
  guint                 connect_state;
  guint                 offline_reason;
  gint64                last_probe_time;
  gint64                hung_at;       /* monotonic, when a probe last hung; 0 = never */
  GPtrArray            *probe_waiters; /* of GTask; non-NULL while a probe runs */
} Entry;

static void
entry_free (Entry *entry)
{
  /* Waiters of a share that went away hear "unknown". */
  if (entry->probe_waiters != NULL)
    {
      for (guint i = 0; i < entry->probe_waiters->len; i++)
        g_task_return_new_error (entry->probe_waiters->pdata[i], G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                 "Share %s was removed", entry->config->name);
      g_ptr_array_unref (entry->probe_waiters);
    }
  of_share_free (entry->config);
  g_clear_object (&entry->iface);
  g_clear_object (&entry->object);
  g_free (entry);
}

static void set_connection (OfShareRegistry *self, Entry *entry, guint state, guint reason);

typedef struct {
  OfShareRegistry       *registry;
  GDBusMethodInvocation *invocation;
  char                  *name;
  gboolean               value;
  gboolean               previous;
} WorkOfflineWrite;

static void
work_offline_write_free (WorkOfflineWrite *write)
{
  g_object_unref (write->registry);
  g_free (write->name);
  g_free (write);
}

static void
work_offline_saved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  WorkOfflineWrite *write = user_data;
  OfShareRegistry *self = write->registry;
  g_autoptr(GError) error = NULL;
  Entry *entry = g_hash_table_lookup (self->shares, write->name);

  (void) source;
  if (!of_state_store_save_finish (self->state_store, result, &error))
    {
      /* Memory goes back to what is on disk. */
      of_state_get_share (of_state_store_get (self->state_store), write->name)->work_offline = write->previous;
      g_dbus_method_invocation_return_error (write->invocation, OF_ERROR, OF_ERROR_STORAGE,
                                             "%s", error->message);
      work_offline_write_free (write);
      return;
    }

  g_info ("Share %s: work-offline mode %s", write->name, write->value ? "on" : "off");
  if (entry)
    {
      changing (write->registry);
      of_dbus_share_set_work_offline (OF_DBUS_SHARE (entry->iface), write->value);
      /* On: offline at once, without a probe.  Off: find out. */
      if (write->value)
        set_connection (self, entry, OF_CONNECT_OFFLINE, OF_OFFLINE_WORKING_OFFLINE);
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (entry->iface));
      if (!write->value)
        of_share_registry_probe_async (self, write->name, FALSE, NULL, NULL);
    }
  g_dbus_method_invocation_return_value (write->invocation, NULL);
  work_offline_write_free (write);
}

/* Polkit's answer to a call on the share @name: FALSE, with the caller
 * answered, when it said no or the share was removed meanwhile. */
static gboolean
authorized_and_present (OfShareRegistry       *self,
                        GAsyncResult          *result,
                        GDBusMethodInvocation *invocation,
                        const char            *name)
{
  g_autoptr(GError) error = NULL;

  if (!of_auth_check_finish (self->auth, result, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return FALSE;
    }
  if (!g_hash_table_contains (self->shares, name))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                             "Share %s was removed", name);
      return FALSE;
    }
  return TRUE;
}

static void
work_offline_authorized (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  WorkOfflineWrite *write = user_data;
  OfShareRegistry *self = write->registry;
  OfShareState *state;

  (void) source;
  if (!authorized_and_present (self, result, write->invocation, write->name))
    {
      work_offline_write_free (write);
      return;
    }

  state = of_state_get_share (of_state_store_get (self->state_store), write->name);
  if (state->work_offline == write->value)
    {
      g_dbus_method_invocation_return_value (write->invocation, NULL);
      work_offline_write_free (write);
      return;
    }
  write->previous = state->work_offline;
  state->work_offline = write->value;
  of_state_store_save_async (self->state_store, work_offline_saved, write);
}

/* Every share method and WorkOffline: of_auth_check_share_async(). */
static void
authorize_share_call (OfShareSkeleton       *skeleton,
                      GDBusMethodInvocation *invocation,
                      const char            *name,
                      const char            *own_action,
                      GAsyncReadyCallback    callback,
                      gpointer               user_data)
{
  Entry *entry = g_hash_table_lookup (skeleton->registry->shares, name);

  g_assert (entry != NULL);  /* exported objects are in the table */
  of_auth_check_share_async (skeleton->registry->auth, invocation, name, entry->config->user, entry->config->uid,
                             own_action, callback, user_data);
}

static void
share_method_call (GDBusConnection       *connection,
                   const char            *sender,
                   const char            *object_path,
                   const char            *interface_name,
                   const char            *method_name,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  OfShareSkeleton *skeleton = OF_SHARE_SKELETON (user_data);
  g_autoptr(GVariant) value = NULL;
  const char *property;
  WorkOfflineWrite *write;

  /* The interface's methods go to the generated dispatch (and the
   * handle_* functions below); only Properties.Set is ours. */
  if (!g_str_equal (interface_name, "org.freedesktop.DBus.Properties"))
    {
      skeleton->generated_method_call (connection, sender, object_path, interface_name, method_name,
                                       parameters, invocation, user_data);
      return;
    }
  if (!g_str_equal (method_name, "Set"))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "Unknown method %s", method_name);
      return;
    }
  g_variant_get (parameters, "(&s&sv)", NULL, &property, &value);
  if (!g_str_equal (property, "WorkOffline") || !g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Only WorkOffline (a boolean) can be set, not %s (%s)",
                                             property, g_variant_get_type_string (value));
      return;
    }

  write = g_new0 (WorkOfflineWrite, 1);
  write->registry = g_object_ref (skeleton->registry);
  write->invocation = invocation;
  write->name = g_strdup (of_dbus_share_get_name (OF_DBUS_SHARE (skeleton)));
  write->value = g_variant_get_boolean (value);
  authorize_share_call (skeleton, invocation, write->name, OF_ACTION_WORK_OFFLINE, work_offline_authorized, write);
}

/* ---- the share's methods: problems, conflicts, a sync, a probe ---- */

typedef enum { CALL_LAST_PROBLEMS, CALL_LIST_CONFLICTS, CALL_RESOLVE, CALL_SYNC, CALL_PROBE } CallKind;

typedef struct {
  OfShareRegistry       *registry;
  GDBusMethodInvocation *invocation;
  char                  *name;
  CallKind               kind;
  GVariant              *choices;     /* CALL_RESOLVE */
} ShareCall;

static void
share_call_free (ShareCall *call)
{
  g_object_unref (call->registry);
  g_free (call->name);
  g_clear_pointer (&call->choices, g_variant_unref);
  g_free (call);
}

static GVariant *
conflicts_variant (GPtrArray *conflicts)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sa{sv})"));
  for (guint i = 0; i < conflicts->len; i++)
    {
      const OfEngineConflict *c = conflicts->pdata[i];
      g_autofree char *path = of_escape_text (c->path);
      GVariantBuilder details;

      g_variant_builder_init (&details, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&details, "{sv}", "Reason", g_variant_new_string (of_conflict_reason_to_string (c->reason)));
      g_variant_builder_add (&details, "{sv}", "Detected", g_variant_new_uint64 ((guint64) c->detected));
      if (c->local_size >= 0)
        g_variant_builder_add (&details, "{sv}", "LocalSize", g_variant_new_uint64 ((guint64) c->local_size));
      if (c->remote_size >= 0)
        g_variant_builder_add (&details, "{sv}", "RemoteSize", g_variant_new_uint64 ((guint64) c->remote_size));
      if (c->local_modified >= 0)
        g_variant_builder_add (&details, "{sv}", "LocalModified", g_variant_new_uint64 ((guint64) c->local_modified));
      if (c->remote_modified >= 0)
        g_variant_builder_add (&details, "{sv}", "RemoteModified", g_variant_new_uint64 ((guint64) c->remote_modified));
      g_variant_builder_add (&builder, "(s@a{sv})", path, g_variant_builder_end (&details));
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
problems_variant (const OfShareState *state)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; state->problems != NULL && state->problems[i] != NULL && state->problems[i + 1] != NULL; i += 2)
    {
      g_autofree char *path = of_escape_text (state->problems[i]);
      g_autofree char *reason = of_escape_text (state->problems[i + 1]);

      g_variant_builder_add (&builder, "(ss)", path, reason);
    }
  return g_variant_builder_end (&builder);
}

static void
probe_replied (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data);

static void
share_call_authorized (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  ShareCall *call = user_data;
  OfShareRegistry *self = call->registry;
  Entry *entry;

  (void) source;
  if (!authorized_and_present (self, result, call->invocation, call->name))
    {
      share_call_free (call);
      return;
    }
  entry = g_hash_table_lookup (self->shares, call->name);
  switch (call->kind)
    {
    case CALL_LAST_PROBLEMS:
      of_dbus_share_complete_get_last_problems (
        NULL, call->invocation,
        problems_variant (of_state_get_share (of_state_store_get (self->state_store), call->name)));
      break;
    case CALL_PROBE:
      of_share_registry_probe_async (self, call->name, FALSE, probe_replied, call->invocation);
      break;
    case CALL_LIST_CONFLICTS:
      of_dbus_share_complete_list_conflicts (NULL, call->invocation,
                                             conflicts_variant (of_conflict_store_get (self->conflicts, call->name)));
      break;
    case CALL_RESOLVE:
      self->actions.resolve (entry->config, call->choices, call->invocation, self->actions_data);
      break;
    case CALL_SYNC:
    default:
      self->actions.sync_share (entry->config, call->invocation, self->actions_data);
      break;
    }
  share_call_free (call);
}

/* The share's user: @own_action (NULL: no check); anyone else:
 * manage-shares.  Rules may look at the details. */
static void
start_share_call (OfShareSkeleton       *skeleton,
                  GDBusMethodInvocation *invocation,
                  CallKind               kind,
                  const char            *own_action,
                  GVariant              *choices)
{
  ShareCall *call = g_new0 (ShareCall, 1);

  call->registry = g_object_ref (skeleton->registry);
  call->invocation = invocation;
  call->name = g_strdup (of_dbus_share_get_name (OF_DBUS_SHARE (skeleton)));
  call->kind = kind;
  call->choices = choices ? g_variant_ref (choices) : NULL;
  authorize_share_call (skeleton, invocation, call->name, own_action, share_call_authorized, call);
}

/* File names inside a share are its user's business: the user gets them
 * without asking, anyone else needs manage-shares. */
static gboolean
handle_get_last_problems (OfDBusShare           *object,
                          GDBusMethodInvocation *invocation)
{
  start_share_call (OF_SHARE_SKELETON (object), invocation, CALL_LAST_PROBLEMS, NULL, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_list_conflicts (OfDBusShare           *object,
                       GDBusMethodInvocation *invocation)
{
  start_share_call (OF_SHARE_SKELETON (object), invocation, CALL_LIST_CONFLICTS, NULL, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_sync_now (OfDBusShare           *object,
                 GDBusMethodInvocation *invocation)
{
  start_share_call (OF_SHARE_SKELETON (object), invocation, CALL_SYNC, OF_ACTION_MANAGE_OWN_SHARES, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Bad input is refused before polkit is asked, and changes nothing. */
static gboolean
handle_resolve_conflicts (OfDBusShare           *object,
                          GDBusMethodInvocation *invocation,
                          GVariant              *choices)
{
  static const char * const hows[] = { "keep-local", "keep-remote", "keep-latest", "keep-both", "skip" };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantIter iter;
  const char *path, *how;

  if (g_variant_n_children (choices) == 0 || g_variant_n_children (choices) > OF_CONFLICTS_MAX)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Name 1 to %u conflicts", OF_CONFLICTS_MAX);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_variant_iter_init (&iter, choices);
  while (g_variant_iter_next (&iter, "(&s&s)", &path, &how))
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (hows); i++)
        known |= g_str_equal (how, hows[i]);
      if (!known)
        {
          g_autofree char *shown = of_escape_text (how);

          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "Unknown choice \"%s\": keep-local, keep-remote, keep-latest, "
                                                 "keep-both or skip", shown);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
      if (!g_hash_table_add (seen, (gpointer) path))
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "A path is named twice");
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
    }
  start_share_call (OF_SHARE_SKELETON (object), invocation, CALL_RESOLVE, OF_ACTION_MANAGE_OWN_SHARES, choices);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
probe_replied (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  g_autoptr(GError) error = NULL;
  guint state, reason;

  if (!of_share_registry_probe_finish (OF_SHARE_REGISTRY (source), result, &state, &reason, &error))
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    of_dbus_share_complete_probe (NULL, invocation, state, reason);
}

/* The same rule as GetLastProblems: the share's user without asking,
 * anyone else with manage-shares; not rate-limited, but a call while a
 * probe runs joins it. */
static gboolean
handle_probe (OfDBusShare           *object,
              GDBusMethodInvocation *invocation)
{
  start_share_call (OF_SHARE_SKELETON (object), invocation, CALL_PROBE, NULL, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
of_share_skeleton_iface_init (OfDBusShareIface *iface)
{
  iface->handle_get_last_problems = handle_get_last_problems;
  iface->handle_list_conflicts = handle_list_conflicts;
  iface->handle_resolve_conflicts = handle_resolve_conflicts;
  iface->handle_sync_now = handle_sync_now;
  iface->handle_probe = handle_probe;
}

static GDBusInterfaceVTable *
of_share_skeleton_get_vtable (GDBusInterfaceSkeleton *skeleton)
{
  OfShareSkeleton *self = OF_SHARE_SKELETON (skeleton);

  /* As for the main object: Set must wait for polkit. */
  self->vtable = *G_DBUS_INTERFACE_SKELETON_CLASS (of_share_skeleton_parent_class)->get_vtable (skeleton);
  self->generated_method_call = self->vtable.method_call;
  self->vtable.method_call = share_method_call;
  self->vtable.set_property = NULL;
  return &self->vtable;
}

static void
of_share_skeleton_class_init (OfShareSkeletonClass *klass)
{
  G_DBUS_INTERFACE_SKELETON_CLASS (klass)->get_vtable = of_share_skeleton_get_vtable;
}

static void
of_share_skeleton_init (OfShareSkeleton *self)
{
  (void) self;
}

/* ---- connection state (docs/behaviour.md §14) ---- */

guint
of_share_registry_get_connect_state (OfShareRegistry *self,
                                     const char      *name)
{
  Entry *entry = g_hash_table_lookup (self->shares, name);

  return entry ? entry->connect_state : OF_CONNECT_UNKNOWN;
}

typedef struct {
  guint state;
  guint reason;
} ProbeAnswer;

static gboolean
is_working_offline (OfShareRegistry *self,
                    const char      *name)
{
  return of_state_get_share (of_state_store_get (self->state_store), name)->work_offline;
}

/* Publishes what a probe (or WorkOffline, or the mount table) found. */
static void
set_connection (OfShareRegistry *self,
                Entry           *entry,
                guint            state,
                guint            reason)
{
  OfDBusShare *iface = OF_DBUS_SHARE (entry->iface);
  gboolean changed = state != entry->connect_state || reason != entry->offline_reason;

  if (changed && state == OF_CONNECT_OFFLINE)
    of_journal_share_offline (entry->config->name, of_offline_reason_to_string (reason));
  else if (changed && state == OF_CONNECT_ONLINE)
    g_info ("Share %s is online", entry->config->name);
  entry->connect_state = state;
  entry->offline_reason = reason;
  entry->last_probe_time = g_get_real_time ();
  changing (self);
  of_dbus_share_set_connect_state (iface, state);
  of_dbus_share_set_offline_reason (iface, reason);
  of_dbus_share_set_last_probe_time (iface, (guint64) entry->last_probe_time);
}

static void
return_answer (GTask *task,
               guint  state,
               guint  reason)
{
  ProbeAnswer *found = g_new (ProbeAnswer, 1);

  found->state = state;
  found->reason = reason;
  g_task_return_pointer (task, found, g_free);
}

typedef struct {
  OfShareRegistry *registry;
  char            *name;
} ProbeContext;

static void
probe_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ProbeContext *context = user_data;
  OfShareRegistry *self = context->registry;
  g_autoptr(GPtrArray) waiters = NULL;
  Entry *entry = g_hash_table_lookup (self->shares, context->name);
  guint state, reason;

  (void) source;
  of_probe_run_finish (result, &state, &reason);
  /* Removed meanwhile (its waiters were answered then), or a new share
   * of the same name that has not asked. */
  if (entry != NULL && entry->probe_waiters != NULL)
    {
      if (reason == OF_OFFLINE_NOT_RESPONDING)
        entry->hung_at = g_get_monotonic_time ();
      /* Work-offline mode, switched on while the probe ran, wins. */
      if (is_working_offline (self, context->name))
        {
          state = OF_CONNECT_OFFLINE;
          reason = OF_OFFLINE_WORKING_OFFLINE;
        }
      set_connection (self, entry, state, reason);
      g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (entry->iface));
      waiters = g_steal_pointer (&entry->probe_waiters);
      for (guint i = 0; i < waiters->len; i++)
        return_answer (waiters->pdata[i], state, reason);
    }
  g_object_unref (context->registry);
  g_free (context->name);
  g_free (context);
}

void
of_share_registry_probe_async (OfShareRegistry    *self,
                               const char         *name,
                               gboolean            automatic,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  Entry *entry = g_hash_table_lookup (self->shares, name);
  const OfSettings *settings;
  ProbeContext *context;

  if (entry == NULL)
    {
      g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT, "No share %s", name);
      return;
    }
  /* No probe: the user said so. */
  if (is_working_offline (self, name))
    {
      set_connection (self, entry, OF_CONNECT_OFFLINE, OF_OFFLINE_WORKING_OFFLINE);
      return_answer (task, entry->connect_state, entry->offline_reason);
      return;
    }
  /* The mount table is ours to read; nothing of the user's is touched. */
  if (entry->config->mount_point != NULL && !of_probe_is_mounted (entry->config->mount_point))
    {
      set_connection (self, entry, OF_CONNECT_OFFLINE, OF_OFFLINE_NOT_MOUNTED);
      return_answer (task, entry->connect_state, entry->offline_reason);
      return;
    }
  if (entry->probe_waiters != NULL)
    {
      g_ptr_array_add (entry->probe_waiters, g_steal_pointer (&task));
      return;
    }
  if (self->launcher == NULL ||
      (automatic && entry->offline_reason == OF_OFFLINE_NOT_RESPONDING && entry->hung_at != 0 &&
       g_get_monotonic_time () - entry->hung_at < PROBE_RETRY_AFTER_HANG_USEC))
    {
      g_debug ("Share %s: not probed again so soon after a hung probe", name);
      return_answer (task, entry->connect_state, entry->offline_reason);
      return;
    }

  settings = of_config_store_get_settings (self->store);
  entry->probe_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (entry->probe_waiters, g_steal_pointer (&task));
  context = g_new0 (ProbeContext, 1);
  context->registry = g_object_ref (self);
  context->name = g_strdup (name);
  of_probe_run_async (self->launcher, entry->config, of_settings_probe_slow_usec (settings),
                      of_settings_probe_limit_usec (settings), probe_done, context);
}

gboolean
of_share_registry_probe_finish (OfShareRegistry *self,
                                GAsyncResult    *result,
                                guint           *connect_state,
                                guint           *offline_reason,
                                GError         **error)
{
  g_autofree ProbeAnswer *found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;
  *connect_state = found->state;
  *offline_reason = found->reason;
  return TRUE;
}

void
of_share_registry_probe_all (OfShareRegistry *self,
                             const char      *why)
{
  g_autoptr(GList) names = g_hash_table_get_keys (self->shares);

  g_debug ("Probing every share: %s", why);
  for (GList *l = names; l; l = l->next)
    of_share_registry_probe_async (self, l->data, TRUE, NULL, NULL);
}

static void
on_mounts_changed (GUnixMountMonitor *monitor,
                   gpointer           user_data)
{
  (void) monitor;
  of_share_registry_probe_all (user_data, "the mount table changed");
}

void
of_share_registry_set_prober (OfShareRegistry *self,
                              OfLauncher      *launcher,
                              OfConfigStore   *store)
{
  g_return_if_fail (self->launcher == NULL);
  self->launcher = g_object_ref (launcher);
  self->store = store;
  /* Woken by the kernel when the mount table changes, never by a timer. */
  self->mounts = g_unix_mount_monitor_get ();
  g_signal_connect_object (self->mounts, "mounts-changed", G_CALLBACK (on_mounts_changed), self, 0);
}

/* ---- the registry ---- */

char *
of_share_object_path (const char *manager_path,
                      const char *name)
{
  GString *path = g_string_new (manager_path);

  g_string_append (path, "/share/");
  of_append_path_label (path, name);
  return g_string_free (path, FALSE);
}

static void
publish (OfShareRegistry *self,
         Entry           *entry)
{
  OfDBusShare *iface = OF_DBUS_SHARE (entry->iface);
  OfShareState *state = of_state_get_share (of_state_store_get (self->state_store), entry->config->name);
  /* Engine output, and a state file an older version wrote: whatever
   * reaches the bus is escaped. */
  g_autofree char *message = of_escape_text (state->last_message);

  changing (self);
  of_dbus_share_set_name (iface, entry->config->name);
  of_dbus_share_set_local_path (iface, entry->config->local_path);
  of_dbus_share_set_remote_path (iface, entry->config->remote_path);
  of_dbus_share_set_user (iface, entry->config->user);
  of_dbus_share_set_enabled (iface, entry->config->enabled);
  of_dbus_share_set_work_offline (iface, state->work_offline);
  of_dbus_share_set_last_sync_time (iface, (guint64) state->last_sync_time);
  of_dbus_share_set_last_result (iface, state->last_result ? state->last_result : "");
  of_dbus_share_set_last_message (iface, message);
  of_dbus_share_set_conflict_count (iface, self->conflicts
                                           ? of_conflict_store_get (self->conflicts, entry->config->name)->len
                                           : 0);
  of_dbus_share_set_connect_state (iface, entry->connect_state);
  of_dbus_share_set_offline_reason (iface, entry->offline_reason);
  of_dbus_share_set_last_probe_time (iface, (guint64) entry->last_probe_time);
}

static void
add_share (OfShareRegistry *self,
           OfShare         *config)
{
  g_autofree char *path = of_share_object_path (self->manager_path, config->name);
  Entry *entry = g_new0 (Entry, 1);

  entry->config = config;
  entry->object = of_dbus_object_skeleton_new (path);
  entry->iface = g_object_new (OF_TYPE_SHARE_SKELETON, NULL);
  entry->iface->registry = self;
  /* Working offline is known without a probe. */
  if (is_working_offline (self, config->name))
    {
      entry->connect_state = OF_CONNECT_OFFLINE;
      entry->offline_reason = OF_OFFLINE_WORKING_OFFLINE;
      entry->last_probe_time = g_get_real_time ();
    }
  publish (self, entry);
  of_dbus_object_skeleton_set_share (entry->object, OF_DBUS_SHARE (entry->iface));
  g_hash_table_insert (self->shares, g_strdup (config->name), entry);
  g_dbus_object_manager_server_export (self->manager, G_DBUS_OBJECT_SKELETON (entry->object));
  g_debug ("Share %s at %s", config->name, path);
}

static gboolean
same_config (const OfShare *a,
             const OfShare *b)
{
  return g_str_equal (a->local_path, b->local_path) && g_str_equal (a->remote_path, b->remote_path) &&
         g_str_equal (a->user, b->user) && a->enabled == b->enabled && a->timeout_usec == b->timeout_usec &&
         g_strcmp0 (a->mount_point, b->mount_point) == 0;
}

void
of_share_registry_reload (OfShareRegistry *self)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) loaded = of_shares_load_dir (self->shares_dir, problems);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < problems->len; i++)
    g_warning ("Share skipped: %s", (const char *) problems->pdata[i]);

  for (guint i = 0; i < loaded->len; i++)
    {
      OfShare *config = g_steal_pointer (&loaded->pdata[i]);
      Entry *entry = g_hash_table_lookup (self->shares, config->name);

      g_hash_table_add (seen, g_strdup (config->name));
      if (entry == NULL)
        {
          g_info ("Share %s added", config->name);
          add_share (self, config);
        }
      else if (!same_config (entry->config, config))
        {
          g_info ("Share %s changed", config->name);
          of_share_free (entry->config);
          entry->config = config;
          publish (self, entry);
        }
      else
        of_share_free (config);
    }

  g_hash_table_iter_init (&iter, self->shares);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (g_hash_table_contains (seen, key))
        continue;
      g_info ("Share %s removed", (const char *) key);
      changing (self);
      g_dbus_object_manager_server_unexport (self->manager,
                                             g_dbus_object_get_object_path (G_DBUS_OBJECT (entry->object)));
      g_hash_table_iter_remove (&iter);
    }
}

char *
of_share_registry_insert (OfShareRegistry *self,
                          OfShare         *config)
{
  Entry *entry = g_hash_table_lookup (self->shares, config->name);
  char *path = of_share_object_path (self->manager_path, config->name);

  if (entry == NULL)
    {
      g_info ("Share %s added (user %s)", config->name, config->user);
      add_share (self, config);
    }
  else if (!same_config (entry->config, config))
    {
      /* A reload got there first with a different file: the file wins,
       * as it would on the next reload. */
      g_info ("Share %s changed", config->name);
      of_share_free (entry->config);
      entry->config = config;
      publish (self, entry);
    }
  else
    of_share_free (config);
  return path;
}

gboolean
of_share_registry_remove (OfShareRegistry *self,
                          const char      *name)
{
  Entry *entry = g_hash_table_lookup (self->shares, name);

  if (entry == NULL)
    return FALSE;
  g_info ("Share %s removed", name);
  changing (self);
  /* Emits InterfacesRemoved. */
  g_dbus_object_manager_server_unexport (self->manager,
                                         g_dbus_object_get_object_path (G_DBUS_OBJECT (entry->object)));
  g_hash_table_remove (self->shares, name);
  return TRUE;
}

void
of_share_registry_forget (OfShareRegistry *self,
                          const char      *name)
{
  if (self->conflicts != NULL)
    of_conflict_store_delete_for_share (self->conflicts, name);
  if (self->actions.withdraw != NULL)
    self->actions.withdraw (name, self->actions_data);
}

const OfShare *
of_share_registry_lookup (OfShareRegistry *self,
                          const char      *name)
{
  Entry *entry = g_hash_table_lookup (self->shares, name);

  return entry ? entry->config : NULL;
}

guint
of_share_registry_count_for_uid (OfShareRegistry *self,
                                 uid_t            uid)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_hash_table_iter_init (&iter, self->shares);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Entry *) value)->config->uid == uid)
      count++;
  return count;
}

GPtrArray *
of_share_registry_get_included (OfShareRegistry *self,
                                gboolean         with_work_offline)
{
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (self->shares), (GCompareFunc) g_strcmp0);
  GPtrArray *included = g_ptr_array_new_with_free_func ((GDestroyNotify) of_share_free);

  for (GList *l = names; l; l = l->next)
    {
      Entry *entry = g_hash_table_lookup (self->shares, l->data);
      OfShareState *state = of_state_get_share (of_state_store_get (self->state_store), l->data);

      if (!entry->config->enabled)
        continue;
      if (state->work_offline && !with_work_offline)
        {
          g_debug ("Share %s is in work-offline mode: not included", (const char *) l->data);
          continue;
        }
      g_ptr_array_add (included, of_share_copy (entry->config));
    }
  return included;
}

GStrv
of_share_registry_get_names (OfShareRegistry *self)
{
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (self->shares), (GCompareFunc) g_strcmp0);
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv result;

  for (GList *l = names; l; l = l->next)
    g_strv_builder_add (builder, l->data);
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

guint
of_share_registry_get_count (OfShareRegistry *self)
{
  return g_hash_table_size (self->shares);
}

void
of_share_registry_record_result (OfShareRegistry *self,
                                 const char      *name,
                                 gint64           when,
                                 const char      *result,
                                 const char      *message,
                                 GPtrArray       *problems)
{
  OfShareState *state;
  Entry *entry = g_hash_table_lookup (self->shares, name);
  GStrvBuilder *builder;

  /* Removed while it synced: its state is gone and stays gone. */
  if (entry == NULL)
    return;
  state = of_state_get_share (of_state_store_get (self->state_store), name);
  builder = g_strv_builder_new ();

  state->last_sync_time = when;
  if (g_str_equal (result, of_share_result_to_string (OF_SHARE_RESULT_SUCCESS)))
    state->last_success_time = when;
  g_free (state->last_result);
  state->last_result = g_strdup (result);
  g_free (state->last_message);
  state->last_message = g_strdup (message);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const OfEngineProblem *problem = problems->pdata[i];

      g_strv_builder_add (builder, problem->path);
      g_strv_builder_add (builder, problem->reason);
    }
  g_strfreev (state->problems);
  state->problems = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  publish (self, entry);
  /* Written with the sync's own state save at its end. */
}

void
of_share_registry_set_conflict_store (OfShareRegistry *self,
                                      OfConflictStore *conflicts)
{
  GHashTableIter iter;
  gpointer value;

  self->conflicts = conflicts;
  g_hash_table_iter_init (&iter, self->shares);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    publish (self, value);
}

void
of_share_registry_record_conflicts (OfShareRegistry *self,
                                    const char      *name,
                                    GPtrArray       *conflicts,
                                    gint64           now)
{
  Entry *entry = g_hash_table_lookup (self->shares, name);

  if (self->conflicts == NULL || entry == NULL)
    return;
  if (of_conflict_store_update (self->conflicts, name, conflicts, now))
    publish (self, entry);
}

static void
resolved_state_saved (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  (void) source;
  /* Logged by the store; the conflict list is already right. */
  of_state_store_save_finish (user_data, result, &error);
}

void
of_share_registry_conflicts_resolved (OfShareRegistry *self,
                                      const char      *name,
                                      GPtrArray       *paths)
{
  Entry *entry = g_hash_table_lookup (self->shares, name);
  OfShareState *state;
  g_autoptr(GHashTable) settled = g_hash_table_new (g_str_hash, g_str_equal);
  GStrvBuilder *builder;

  /* Removed meanwhile (RemoveShare): nothing of it is kept. */
  if (entry == NULL || self->conflicts == NULL || paths->len == 0)
    return;
  state = of_state_get_share (of_state_store_get (self->state_store), name);
  for (guint i = 0; i < paths->len; i++)
    {
      of_conflict_store_remove (self->conflicts, name, paths->pdata[i]);
      g_hash_table_add (settled, paths->pdata[i]);
    }
  /* The problems follow: a settled path is no longer one. */
  builder = g_strv_builder_new ();
  for (guint i = 0; state->problems != NULL && state->problems[i] != NULL && state->problems[i + 1] != NULL; i += 2)
    if (!g_hash_table_contains (settled, state->problems[i]))
      {
        g_strv_builder_add (builder, state->problems[i]);
        g_strv_builder_add (builder, state->problems[i + 1]);
      }
  g_strfreev (state->problems);
  state->problems = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  if (state->problems[0] == NULL && of_conflict_store_get (self->conflicts, name)->len == 0 &&
      g_strcmp0 (state->last_result, of_share_result_to_string (OF_SHARE_RESULT_PARTIAL)) == 0)
    {
      g_free (state->last_result);
      state->last_result = g_strdup (of_share_result_to_string (OF_SHARE_RESULT_SUCCESS));
      g_free (state->last_message);
      state->last_message = g_strdup ("conflicts resolved");
    }
  of_state_store_save_async (self->state_store, resolved_state_saved, self->state_store);
  publish (self, entry);
}

GPtrArray *
of_share_registry_get_conflicts (OfShareRegistry *self,
                                 const char      *name)
{
  return self->conflicts ? of_conflict_store_get (self->conflicts, name) : NULL;
}

OfShare *
of_share_registry_get_share (OfShareRegistry *self,
                             const char      *name)
{
  Entry *entry = g_hash_table_lookup (self->shares, name);

  return entry ? of_share_copy (entry->config) : NULL;
}

void
of_share_registry_set_actions (OfShareRegistry      *self,
                               const OfShareActions *actions,
                               gpointer              user_data)
{
  self->actions = *actions;
  self->actions_data = user_data;
}

void
of_share_registry_export (OfShareRegistry *self,
                          GDBusConnection *connection)
{
  g_dbus_object_manager_server_set_connection (self->manager, connection);
}

OfShareRegistry *
of_share_registry_new (const char   *shares_dir,
                       const char   *manager_path,
                       OfStateStore *state_store,
                       OfAuth       *auth)
{
  OfShareRegistry *self = g_object_new (OF_TYPE_SHARE_REGISTRY, NULL);

  self->shares_dir = g_strdup (shares_dir);
  self->manager_path = g_strdup (manager_path);
  self->state_store = state_store;
  self->auth = auth;
  self->manager = g_dbus_object_manager_server_new (manager_path);
  of_share_registry_reload (self);
  return self;
}

static void
of_share_registry_finalize (GObject *object)
{
  OfShareRegistry *self = OF_SHARE_REGISTRY (object);

  g_dbus_object_manager_server_set_connection (self->manager, NULL);
  if (self->mounts != NULL)
    g_signal_handlers_disconnect_by_data (self->mounts, self);
  g_clear_object (&self->mounts);
  g_clear_object (&self->launcher);
  g_hash_table_unref (self->shares);
  g_clear_object (&self->manager);
  g_free (self->shares_dir);
  g_free (self->manager_path);
  G_OBJECT_CLASS (of_share_registry_parent_class)->finalize (object);
}

static void
of_share_registry_class_init (OfShareRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = of_share_registry_finalize;
  signals[SIGNAL_CHANGING] = g_signal_new ("changing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

GDBusObjectManagerServer *
of_share_registry_get_manager (OfShareRegistry *self)
{
  return self->manager;
}

static void
of_share_registry_init (OfShareRegistry *self)
{
  self->shares = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
}
