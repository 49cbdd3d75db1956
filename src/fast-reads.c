/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fast-reads.c — see fast-reads.h. */
#include "fast-reads.h"

/* The replies' bodies, built and serialized once per change of the
 * properties: a read then costs a lookup and a copy of bytes, the same
 * for GetAll as for Get, instead of building and serializing an a{sv} on
 * every call. */
typedef struct {
  GVariant   *get_all;   /* (a{sv}), serialized */
  GHashTable *get;       /* property name → (v), serialized */
} Snapshot;

static void
snapshot_clear (gpointer data)
{
  Snapshot *snapshot = data;

  g_variant_unref (snapshot->get_all);
  g_hash_table_unref (snapshot->get);
}

static Snapshot *
snapshot_new (GVariant *properties)
{
  Snapshot *snapshot = g_atomic_rc_box_new0 (Snapshot);
  GVariantIter iter;
  const char *name;
  GVariant *value;

  snapshot->get_all = g_variant_ref_sink (g_variant_new ("(@a{sv})", properties));
  /* Serialized now, on the main thread, not lazily on the worker's. */
  (void) g_variant_get_data (snapshot->get_all);
  snapshot->get = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_variant_iter_init (&iter, properties);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      GVariant *body = g_variant_ref_sink (g_variant_new ("(v)", value));

      (void) g_variant_get_data (body);
      g_hash_table_insert (snapshot->get, g_strdup (name), body);
      g_variant_unref (value);
    }
  return snapshot;
}

static void
snapshot_unref (Snapshot *snapshot)
{
  g_atomic_rc_box_release_full (snapshot, snapshot_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_unref)

struct _OfFastReads {
  GDBusConnection        *connection;
  GDBusInterfaceSkeleton *skeleton;
  char                   *object_path;
  char                   *interface_name;
  guint                   filter_id;
  gulong                  notify_id;

  GMutex                  lock;      /* guards snapshot */
  Snapshot               *snapshot;  /* never modified, only replaced */
};

static void
take_snapshot (OfFastReads *reads)
{
  /* Already a full (non-floating) reference. */
  g_autoptr(GVariant) properties = g_dbus_interface_skeleton_get_properties (reads->skeleton);
  Snapshot *fresh = snapshot_new (properties);
  Snapshot *old;

  g_mutex_lock (&reads->lock);
  old = reads->snapshot;
  reads->snapshot = fresh;
  g_mutex_unlock (&reads->lock);
  g_clear_pointer (&old, snapshot_unref);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (void) object;
  (void) pspec;
  take_snapshot (user_data);
}

static Snapshot *
current_snapshot (OfFastReads *reads)
{
  Snapshot *snapshot;

  g_mutex_lock (&reads->lock);
  snapshot = g_atomic_rc_box_acquire (reads->snapshot);
  g_mutex_unlock (&reads->lock);
  return snapshot;
}

/* Runs on GDBus's worker thread: touches only the snapshot and the
 * message. */
static GDBusMessage *
filter (GDBusConnection *connection,
        GDBusMessage    *message,
        gboolean         incoming,
        gpointer         user_data)
{
  OfFastReads *reads = user_data;
  g_autoptr(Snapshot) snapshot = NULL;
  g_autoptr(GDBusMessage) reply = NULL;
  GVariant *body;
  const char *member;
  const char *interface_name;
  const char *property = NULL;

  if (!incoming ||
      g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0 (g_dbus_message_get_path (message), reads->object_path) != 0 ||
      g_strcmp0 (g_dbus_message_get_interface (message), "org.freedesktop.DBus.Properties") != 0)
    return message;

  member = g_dbus_message_get_member (message);
  body = g_dbus_message_get_body (message);
  if (g_strcmp0 (member, "Get") == 0 && body && g_variant_is_of_type (body, G_VARIANT_TYPE ("(ss)")))
    g_variant_get (body, "(&s&s)", &interface_name, &property);
  else if (g_strcmp0 (member, "GetAll") == 0 && body && g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
    g_variant_get (body, "(&s)", &interface_name);
  else
    return message;

  if (g_strcmp0 (interface_name, reads->interface_name) != 0)
    return message;

  snapshot = current_snapshot (reads);
  reply = g_dbus_message_new_method_reply (message);
  if (property)
    {
      GVariant *prebuilt = g_hash_table_lookup (snapshot->get, property);

      /* Unknown or write-only: GDBus gives the proper error. */
      if (prebuilt == NULL)
        return message;
      g_dbus_message_set_body (reply, prebuilt);
    }
  else
    g_dbus_message_set_body (reply, snapshot->get_all);

  if (!(g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED))
    g_dbus_connection_send_message (connection, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (message);
  return NULL;
}

/* The filter may still be running when remove_filter() returns; GDBus
 * calls this once it no longer can. */
static void
fast_reads_destroy (gpointer data)
{
  OfFastReads *reads = data;

  g_clear_pointer (&reads->snapshot, snapshot_unref);
  g_free (reads->object_path);
  g_free (reads->interface_name);
  g_mutex_clear (&reads->lock);
  g_free (reads);
}

OfFastReads *
of_fast_reads_new (GDBusConnection        *connection,
                   GDBusInterfaceSkeleton *skeleton)
{
  OfFastReads *reads = g_new0 (OfFastReads, 1);

  g_mutex_init (&reads->lock);
  reads->connection = g_object_ref (connection);
  reads->skeleton = g_object_ref (skeleton);
  reads->object_path = g_strdup (g_dbus_interface_skeleton_get_object_path (skeleton));
  reads->interface_name = g_strdup (g_dbus_interface_skeleton_get_info (skeleton)->name);
  take_snapshot (reads);
  reads->notify_id = g_signal_connect (skeleton, "notify", G_CALLBACK (on_notify), reads);
  reads->filter_id = g_dbus_connection_add_filter (connection, filter, reads, fast_reads_destroy);
  return reads;
}

void
of_fast_reads_free (OfFastReads *reads)
{
  GDBusConnection *connection;

  if (reads == NULL)
    return;
  g_signal_handler_disconnect (reads->skeleton, reads->notify_id);
  g_clear_object (&reads->skeleton);
  connection = g_steal_pointer (&reads->connection);
  g_dbus_connection_remove_filter (connection, reads->filter_id);
  g_object_unref (connection);
}
