/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fast-objects.c — see fast-objects.h. */
#include "fast-objects.h"

/* Shared by the owner, the filter (worker thread) and a scheduled
 * rebuild; freed with the last reference. */
typedef struct {
  GDBusConnection          *connection;
  GDBusObjectManagerServer *manager;   /* NULL once freed by the owner */
  GMainContext             *context;   /* where the objects live */
  char                     *path;
  guint                     filter_id;
  gint                      rebuild_pending;
  GMutex                    lock;      /* guards snapshot */
  GVariant                 *snapshot;  /* (a{oa{sa{sv}}}), NULL when stale */
} Shared;

struct _OfFastObjects {
  Shared *shared;
};

static void
shared_clear (gpointer data)
{
  Shared *shared = data;

  g_clear_pointer (&shared->snapshot, g_variant_unref);
  g_clear_object (&shared->connection);
  g_clear_pointer (&shared->context, g_main_context_unref);
  g_free (shared->path);
  g_mutex_clear (&shared->lock);
}

static void
shared_unref (Shared *shared)
{
  g_atomic_rc_box_release_full (shared, shared_clear);
}

/* Main context: what GDBus would answer, serialized once. */
static GVariant *
build_snapshot (GDBusObjectManagerServer *manager)
{
  GVariantBuilder objects;
  GList *list = g_dbus_object_manager_get_objects (G_DBUS_OBJECT_MANAGER (manager));

  g_variant_builder_init (&objects, G_VARIANT_TYPE ("a{oa{sa{sv}}}"));
  for (GList *l = list; l; l = l->next)
    {
      GDBusObject *object = l->data;
      GList *interfaces = g_dbus_object_get_interfaces (object);
      GVariantBuilder by_interface;

      g_variant_builder_init (&by_interface, G_VARIANT_TYPE ("a{sa{sv}}"));
      for (GList *i = interfaces; i; i = i->next)
        {
          GDBusInterfaceSkeleton *skeleton = i->data;
          /* A full reference, not a floating one: the builder takes its own. */
          g_autoptr(GVariant) properties = g_dbus_interface_skeleton_get_properties (skeleton);

          g_variant_builder_add (&by_interface, "{s@a{sv}}",
                                 g_dbus_interface_skeleton_get_info (skeleton)->name, properties);
        }
      g_list_free_full (interfaces, g_object_unref);
      g_variant_builder_add (&objects, "{o@a{sa{sv}}}", g_dbus_object_get_object_path (object),
                             g_variant_builder_end (&by_interface));
    }
  g_list_free_full (list, g_object_unref);
  return g_variant_ref_sink (g_variant_new ("(@a{oa{sa{sv}}})", g_variant_builder_end (&objects)));
}

static gboolean
rebuild (gpointer data)
{
  Shared *shared = data;
  GVariant *fresh;

  g_atomic_int_set (&shared->rebuild_pending, 0);
  if (shared->manager == NULL)
    return G_SOURCE_REMOVE;
  fresh = build_snapshot (shared->manager);
  /* Serialized here, not lazily on the worker thread. */
  (void) g_variant_get_data (fresh);
  g_mutex_lock (&shared->lock);
  g_clear_pointer (&shared->snapshot, g_variant_unref);
  shared->snapshot = fresh;
  g_mutex_unlock (&shared->lock);
  return G_SOURCE_REMOVE;
}

/* Worker thread: touches only the snapshot and the message. */
static GDBusMessage *
filter (GDBusConnection *connection,
        GDBusMessage    *message,
        gboolean         incoming,
        gpointer         user_data)
{
  Shared *shared = user_data;
  g_autoptr(GDBusMessage) reply = NULL;
  GVariant *snapshot = NULL;

  if (!incoming ||
      g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_path (message), shared->path) != 0 ||
      g_strcmp0 (g_dbus_message_get_interface (message), "org.freedesktop.DBus.ObjectManager") != 0 ||
      g_strcmp0 (g_dbus_message_get_member (message), "GetManagedObjects") != 0 ||
      (g_dbus_message_get_body (message) != NULL &&
       !g_variant_is_of_type (g_dbus_message_get_body (message), G_VARIANT_TYPE_UNIT)))
    return message;

  g_mutex_lock (&shared->lock);
  if (shared->snapshot != NULL)
    snapshot = g_variant_ref (shared->snapshot);
  g_mutex_unlock (&shared->lock);
  if (snapshot == NULL)
    {
      /* Stale: GDBus answers this one; one rebuild for whoever comes next. */
      if (g_atomic_int_compare_and_exchange (&shared->rebuild_pending, 0, 1))
        g_main_context_invoke_full (shared->context, G_PRIORITY_DEFAULT_IDLE, rebuild,
                                    g_atomic_rc_box_acquire (shared), (GDestroyNotify) shared_unref);
      return message;
    }
  reply = g_dbus_message_new_method_reply (message);
  g_dbus_message_set_body (reply, snapshot);
  g_variant_unref (snapshot);
  if (!(g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED))
    g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (message);
  return NULL;
}

OfFastObjects *
of_fast_objects_new (GDBusConnection          *connection,
                     GDBusObjectManagerServer *manager)
{
  OfFastObjects *objects = g_new0 (OfFastObjects, 1);
  Shared *shared = g_atomic_rc_box_new0 (Shared);

  g_mutex_init (&shared->lock);
  shared->connection = g_object_ref (connection);
  shared->manager = manager;
  shared->context = g_main_context_ref_thread_default ();
  shared->path = g_strdup (g_dbus_object_manager_get_object_path (G_DBUS_OBJECT_MANAGER (manager)));
  shared->filter_id = g_dbus_connection_add_filter (connection, filter, g_atomic_rc_box_acquire (shared),
                                                    (GDestroyNotify) shared_unref);
  objects->shared = shared;
  return objects;
}

void
of_fast_objects_invalidate (OfFastObjects *objects)
{
  Shared *shared = objects->shared;

  g_mutex_lock (&shared->lock);
  g_clear_pointer (&shared->snapshot, g_variant_unref);
  g_mutex_unlock (&shared->lock);
}

void
of_fast_objects_free (OfFastObjects *objects)
{
  if (objects == NULL)
    return;
  objects->shared->manager = NULL;
  g_dbus_connection_remove_filter (objects->shared->connection, objects->shared->filter_id);
  shared_unref (objects->shared);
  g_free (objects);
}
