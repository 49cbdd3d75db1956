/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conditions.c — see conditions.h. */
#include "conditions.h"

/* One watched service: its name on the bus and, while it runs, a proxy
 * bound to its unique name, whose property cache follows the service's
 * PropertiesChanged. */
typedef struct {
  OfConditions *owner;          /* unowned: owns us */
  const char   *name;
  const char   *path;
  const char   *interface_name;
  guint         watch_id;
  GDBusProxy   *proxy;
  GCancellable *cancellable;    /* of the proxy being made */
  gboolean      known;          /* found running (and read) or absent */
} Watch;

struct _OfConditions {
  GObject          parent_instance;

  GDBusConnection *bus;
  Watch            nm;
  Watch            upower;

  /* What was last announced. */
  gboolean         known;
  gboolean         metered;
  gboolean         on_battery;
};

G_DEFINE_TYPE (OfConditions, of_conditions, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_NETWORK_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

gboolean
of_nm_metered_is_costly (guint32 metered)
{
  return metered == OF_NM_METERED_YES || metered == OF_NM_METERED_GUESS_YES;
}

static gboolean
read_metered (OfConditions *self)
{
  g_autoptr(GVariant) value = NULL;

  if (self->nm.proxy == NULL)
    return FALSE;
  value = g_dbus_proxy_get_cached_property (self->nm.proxy, "Metered");
  return value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) &&
         of_nm_metered_is_costly (g_variant_get_uint32 (value));
}

static gboolean
read_on_battery (OfConditions *self)
{
  g_autoptr(GVariant) value = NULL;

  if (self->upower.proxy == NULL)
    return FALSE;
  value = g_dbus_proxy_get_cached_property (self->upower.proxy, "OnBattery");
  return value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) &&
         g_variant_get_boolean (value);
}

/* Announces a change of what the sync manager decides on, once. */
static void
update (OfConditions *self)
{
  gboolean known = self->nm.known && self->upower.known;
  gboolean metered = read_metered (self);
  gboolean on_battery = read_on_battery (self);

  if (known == self->known && metered == self->metered && on_battery == self->on_battery)
    return;
  g_debug ("Conditions: %s, %smetered, %son battery", known ? "known" : "not known yet",
           metered ? "" : "not ", on_battery ? "" : "not ");
  self->known = known;
  self->metered = metered;
  self->on_battery = on_battery;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_properties_changed (GDBusProxy         *proxy,
                       GVariant           *changed,
                       const char * const *invalidated,
                       gpointer            user_data)
{
  Watch *watch = user_data;

  (void) proxy;
  (void) invalidated;
  if (watch == &watch->owner->nm)
    {
      g_autoptr(GVariant) state = g_variant_lookup_value (changed, "State", NULL);
      g_autoptr(GVariant) connectivity = g_variant_lookup_value (changed, "Connectivity", NULL);

      if (state != NULL || connectivity != NULL)
        g_signal_emit (watch->owner, signals[SIGNAL_NETWORK_CHANGED], 0);
    }
  update (watch->owner);
}

static void
drop_proxy (Watch *watch)
{
  if (watch->cancellable != NULL)
    g_cancellable_cancel (watch->cancellable);
  g_clear_object (&watch->cancellable);
  if (watch->proxy != NULL)
    g_signal_handlers_disconnect_by_data (watch->proxy, watch);
  g_clear_object (&watch->proxy);
}

static void
proxy_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  GDBusProxy *proxy = g_dbus_proxy_new_finish (result, &error);

  (void) source;
  if (proxy == NULL)
    {
      /* Cancelled: the watch (or the whole object) has moved on. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Cannot read %s: %s; taking it as absent", watch->name, error->message);
    }
  g_clear_object (&watch->cancellable);
  watch->proxy = proxy;
  watch->known = TRUE;
  if (proxy != NULL)
    g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), watch);
  if (watch == &watch->owner->nm)
    g_signal_emit (watch->owner, signals[SIGNAL_NETWORK_CHANGED], 0);
  update (watch->owner);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *name_owner,
                  gpointer         user_data)
{
  Watch *watch = user_data;

  g_debug ("%s appeared as %s", name, name_owner);
  drop_proxy (watch);
  /* Not known until its properties are read: a due sync waits that long. */
  watch->known = FALSE;
  update (watch->owner);
  watch->cancellable = g_cancellable_new ();
  /* Bound to this instance (its unique name): a restart is a new proxy. */
  g_dbus_proxy_new (connection, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS | G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                    NULL, name_owner, watch->path, watch->interface_name, watch->cancellable,
                    proxy_ready, watch);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Watch *watch = user_data;
  gboolean was_there = watch->proxy != NULL || watch->cancellable != NULL;

  (void) connection;
  g_debug ("%s is not on the bus", name);
  drop_proxy (watch);
  watch->known = TRUE;
  if (was_there && watch == &watch->owner->nm)
    g_signal_emit (watch->owner, signals[SIGNAL_NETWORK_CHANGED], 0);
  update (watch->owner);
}

static void
watch_start (OfConditions *self,
             Watch        *watch,
             const char   *name,
             const char   *path,
             const char   *interface_name)
{
  watch->owner = self;
  watch->name = name;
  watch->path = path;
  watch->interface_name = interface_name;
  /* No auto-start: we follow the service, we never start it. */
  watch->watch_id = g_bus_watch_name_on_connection (self->bus, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                    on_name_appeared, on_name_vanished, watch, NULL);
}

static void
watch_stop (Watch *watch)
{
  if (watch->watch_id != 0)
    g_bus_unwatch_name (watch->watch_id);
  watch->watch_id = 0;
  drop_proxy (watch);
}

OfConditions *
of_conditions_new (GDBusConnection *bus)
{
  OfConditions *self = g_object_new (OF_TYPE_CONDITIONS, NULL);

  self->bus = g_object_ref (bus);
  watch_start (self, &self->nm, OF_NM_BUS_NAME, OF_NM_PATH, "org.freedesktop.NetworkManager");
  watch_start (self, &self->upower, OF_UPOWER_BUS_NAME, OF_UPOWER_PATH, "org.freedesktop.UPower");
  return self;
}

gboolean
of_conditions_is_known (OfConditions *self)
{
  return self->known;
}

gboolean
of_conditions_is_metered (OfConditions *self)
{
  return self->metered;
}

gboolean
of_conditions_is_on_battery (OfConditions *self)
{
  return self->on_battery;
}

static void
of_conditions_dispose (GObject *object)
{
  OfConditions *self = OF_CONDITIONS (object);

  watch_stop (&self->nm);
  watch_stop (&self->upower);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (of_conditions_parent_class)->dispose (object);
}

static void
of_conditions_class_init (OfConditionsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = of_conditions_dispose;
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_NETWORK_CHANGED] =
    g_signal_new ("network-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
of_conditions_init (OfConditions *self)
{
  (void) self;
}
