/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* monitor.c — `monitor [--json]`: the daemon's signals, property changes
 * (its own and its shares'), shares coming and going and the daemon
 * itself starting and stopping, one line per event as they happen.
 *
 * Plain signal subscriptions rather than the generated proxies: proxies
 * invent a PropertiesChanged of their own when the daemon goes away and
 * only follow the objects they were made for, whereas the monitor prints
 * what is on the bus.  The main interface's signals are decoded with the
 * argument names of the generated introspection data.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "commands.h"
#include "json-out.h"
#include "names.h"
#include "text.h"

#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

typedef struct {
  OfClient  *client;
  GMainLoop *loop;
  gboolean   owner_known;  /* the name watcher's first report is not a change */
} Monitor;

GVariant *
of_monitor_signal_fields (const char *signal_name,
                          GVariant   *parameters)
{
  GDBusSignalInfo *info =
    g_dbus_interface_info_lookup_signal (of_dbus_background_sync_interface_info (), signal_name);
  g_autoptr(GString) signature = NULL;
  GVariantBuilder fields;

  if (info == NULL)
    return NULL;
  signature = g_string_new ("(");
  for (guint i = 0; info->args && info->args[i]; i++)
    g_string_append (signature, info->args[i]->signature);
  g_string_append_c (signature, ')');
  if (!g_variant_type_string_is_valid (signature->str) ||
      !g_variant_is_of_type (parameters, G_VARIANT_TYPE (signature->str)))
    return NULL;

  g_variant_builder_init (&fields, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; info->args && info->args[i]; i++)
    {
      g_autoptr(GVariant) value = g_variant_get_child_value (parameters, i);
      g_variant_builder_add (&fields, "{sv}", info->args[i]->name, value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&fields));
}

/* A value for people: a string bare when it reads as one word, quoted
 * otherwise; a list comma-separated; anything else in GVariant's text
 * format.  Always escaped for the terminal. */
static void
append_human_value (GString *line, GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    {
      const char *s = g_variant_get_string (value, NULL);

      if (*s == '\0' || strpbrk (s, " \t\"'=\\") != NULL)
        {
          g_autoptr(GString) quoted = g_string_new ("\"");
          g_autofree char *shown = NULL;

          for (const char *p = s; *p; p++)
            {
              if (*p == '"' || *p == '\\')
                g_string_append_c (quoted, '\\');
              g_string_append_c (quoted, *p);
            }
          g_string_append_c (quoted, '"');
          shown = of_escape_text (quoted->str);
          g_string_append (line, shown);
        }
      else
        {
          g_autofree char *shown = of_escape_text (s);
          g_string_append (line, shown);
        }
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);
      append_human_value (line, inner);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autofree const char **strv = g_variant_get_strv (value, NULL);
      g_autofree char *joined = g_strjoinv (",", (char **) strv);
      g_autofree char *shown = of_escape_text (joined);
      g_string_append (line, shown);
    }
  else
    {
      g_autofree char *printed = g_variant_print (value, FALSE);
      g_autofree char *shown = of_escape_text (printed);
      g_string_append (line, shown);
    }
}

static void
print_json_event (const char *event, GVariant *fields)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  of_json_add_time_members (builder, "time", (guint64) g_get_real_time ());
  g_variant_iter_init (&iter, fields);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      json_builder_set_member_name (builder, key);
      of_json_add_variant (builder, value);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  of_json_print (root);
}

/* "2026-11-25 10:00:01 SyncStarted id=5 reason=manual"; a nested a{sv}
 * (the changed properties) reads as NAME=VALUE pairs, an empty list
 * (nothing invalidated) as nothing. */
static void
print_human_event (Monitor *monitor, const char *event, GVariant *fields)
{
  g_autoptr(GDateTime) local = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  g_autoptr(GString) line = g_string_new (NULL);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_string_append_printf (line, "%s %s%s%s", stamp, of_client_ansi (monitor->client, OF_ANSI_BOLD), event,
                          of_client_ansi (monitor->client, OF_ANSI_RESET));
  g_variant_iter_init (&iter, fields);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
        {
          GVariantIter members;
          const char *name;
          GVariant *member;

          g_variant_iter_init (&members, value);
          while (g_variant_iter_loop (&members, "{&sv}", &name, &member))
            {
              g_autofree char *name_shown = of_escape_text (name);
              g_string_append_printf (line, " %s=", name_shown);
              append_human_value (line, member);
            }
          continue;
        }
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY) && g_variant_n_children (value) == 0)
        continue;
      g_string_append_printf (line, " %s=", key);
      append_human_value (line, value);
    }
  g_print ("%s\n", line->str);
  /* Each line must reach a pipe at once, not when a buffer fills. */
  fflush (stdout);
}

/* One event, one line; @fields is an a{sv} whose keys are the JSON keys,
 * after "event" and "time".  Takes a floating @fields; a caller that owns
 * its reference keeps it. */
static void
emit_event (Monitor *monitor, const char *event, GVariant *fields)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (fields);

  if (monitor->client->json)
    print_json_event (event, owned);
  else
    print_human_event (monitor, event, owned);
}

static void
on_main_signal (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                const char *signal, GVariant *params, gpointer user_data)
{
  Monitor *monitor = user_data;
  g_autoptr(GVariant) fields = of_monitor_signal_fields (signal, params);

  (void) bus; (void) sender; (void) path; (void) iface;
  if (fields == NULL)
    {
      /* A signal of a newer daemon: shown, not guessed at. */
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "arguments", params);
      fields = g_variant_ref_sink (g_variant_builder_end (&builder));
    }
  emit_event (monitor, signal, fields);
}

static void
on_properties_changed (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                       const char *signal, GVariant *params, gpointer user_data)
{
  Monitor *monitor = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) invalidated = NULL;
  const char *interface_name;
  GVariantBuilder fields;

  (void) bus; (void) sender; (void) iface;
  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (params, "(&s@a{sv}@as)", &interface_name, &changed, &invalidated);
  g_variant_builder_init (&fields, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&fields, "{sv}", "path", g_variant_new_object_path (path));
  g_variant_builder_add (&fields, "{sv}", "interface", g_variant_new_string (interface_name));
  g_variant_builder_add (&fields, "{sv}", "changed", changed);
  g_variant_builder_add (&fields, "{sv}", "invalidated", invalidated);
  emit_event (monitor, signal, g_variant_builder_end (&fields));
}

static void
on_object_manager_signal (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                          const char *signal, GVariant *params, gpointer user_data)
{
  Monitor *monitor = user_data;
  GVariantBuilder fields;
  const char *object;

  (void) bus; (void) sender; (void) path; (void) iface;
  if (g_variant_is_of_type (params, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    {
      /* InterfacesAdded: the names of the interfaces, not their values,
       * which the next status shows. */
      g_autoptr(GVariant) added = NULL;
      GVariantBuilder names;
      GVariantIter iter;
      const char *name;

      g_variant_get (params, "(&o@a{sa{sv}})", &object, &added);
      g_variant_builder_init (&names, G_VARIANT_TYPE_STRING_ARRAY);
      g_variant_iter_init (&iter, added);
      while (g_variant_iter_next (&iter, "{&s@a{sv}}", &name, NULL))
        g_variant_builder_add (&names, "s", name);
      g_variant_builder_init (&fields, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&fields, "{sv}", "path", g_variant_new_object_path (object));
      g_variant_builder_add (&fields, "{sv}", "interfaces", g_variant_builder_end (&names));
    }
  else if (g_variant_is_of_type (params, G_VARIANT_TYPE ("(oas)")))
    {
      g_autoptr(GVariant) removed = NULL;

      g_variant_get (params, "(&o@as)", &object, &removed);
      g_variant_builder_init (&fields, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&fields, "{sv}", "path", g_variant_new_object_path (object));
      g_variant_builder_add (&fields, "{sv}", "interfaces", removed);
    }
  else
    return;
  emit_event (monitor, signal, g_variant_builder_end (&fields));
}

static void
on_daemon_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
  Monitor *monitor = user_data;
  GVariantBuilder fields;

  (void) bus; (void) name;
  if (!monitor->owner_known)
    {
      monitor->owner_known = TRUE;
      return;
    }
  g_variant_builder_init (&fields, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&fields, "{sv}", "owner", g_variant_new_string (owner));
  emit_event (monitor, "DaemonStarted", g_variant_builder_end (&fields));
}

static void
on_daemon_vanished (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Monitor *monitor = user_data;

  (void) bus; (void) name;
  if (!monitor->owner_known)
    {
      monitor->owner_known = TRUE;
      return;
    }
  emit_event (monitor, "DaemonStopped", g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
}

static gboolean
on_interrupt (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
of_cmd_monitor (OfClient *client, char **args)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Monitor monitor = { client, loop, FALSE };
  guint subscriptions[3];
  guint watch, sigint, sigterm;

  (void) args;
  client->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (client->bus == NULL)
    return of_client_report_error (_("Could not connect to the system bus"), error);

  /* Matching on the well-known name follows the daemon across restarts;
   * PropertiesChanged on any path includes the share objects. */
  subscriptions[0] = g_dbus_connection_signal_subscribe (client->bus, OF_BUS_NAME, OF_INTERFACE_BACKGROUND_SYNC,
                                                         NULL, OF_OBJECT_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_main_signal, &monitor, NULL);
  subscriptions[1] = g_dbus_connection_signal_subscribe (client->bus, OF_BUS_NAME, OF_DBUS_PROPERTIES_INTERFACE,
                                                         "PropertiesChanged", NULL, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_properties_changed, &monitor, NULL);
  subscriptions[2] = g_dbus_connection_signal_subscribe (client->bus, OF_BUS_NAME, OBJECT_MANAGER_INTERFACE,
                                                         NULL, OF_OBJECT_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_object_manager_signal, &monitor, NULL);
  watch = g_bus_watch_name_on_connection (client->bus, OF_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_daemon_appeared, on_daemon_vanished, &monitor, NULL);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, loop);
  if (client->tty && !client->json)
    g_printerr ("%s\n", _("Watching offlinefiles-syncd; press Ctrl+C to stop."));

  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (watch);
  for (guint i = 0; i < G_N_ELEMENTS (subscriptions); i++)
    g_dbus_connection_signal_unsubscribe (client->bus, subscriptions[i]);
  return OF_EXIT_OK;
}
