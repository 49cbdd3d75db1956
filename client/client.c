/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* client.c — the bus, the proxies, authorized calls and the terminal;
 * see client.h. */
#include "config.h"

#include "client.h"

#include <string.h>

#include <glib/gi18n.h>

#include "agent.h"
#include "enums.h"
#include "names.h"
#include "share-info.h"
#include "text.h"
#include "time-format.h"

void
of_client_init (OfClient *client)
{
  memset (client, 0, sizeof *client);
}

void
of_client_clear (OfClient *client)
{
  g_clear_object (&client->manager);
  g_clear_object (&client->machine);
  g_clear_object (&client->proxy);
  g_clear_object (&client->bus);
}

/* --------------------------------------------------------------- errors */

int
of_client_report (int code, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *shown = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Messages carry the daemon's words and the user's; either could hold
   * a newline or an escape sequence.  Escaping the whole line keeps it
   * one line: our own texts have nothing to escape. */
  shown = of_escape_text (message);
  g_printerr ("%s: %s\n", g_get_prgname (), shown);
  return code;
}

int
of_client_report_error (const char *what, GError *error)
{
  /* "Could not set SyncInterval: SyncInterval must be 0..1440 minutes,
   * got 1441" — not "GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs:". */
  g_dbus_error_strip_remote_error (error);
  if (what == NULL)
    return of_client_report (OF_EXIT_FAILURE, "%s", error->message);
  return of_client_report (OF_EXIT_FAILURE, "%s: %s", what, error->message);
}

int
of_client_report_unknown (const char *what, const char *word, const char * const *candidates)
{
  g_autofree char *message = of_did_you_mean (what, word, candidates);

  return of_client_report (OF_EXIT_USAGE, "%s", message);
}

/* -------------------------------------------------------------- the bus */

static gboolean
ensure_bus (OfClient *client, GError **error)
{
  if (client->bus != NULL)
    return TRUE;
  client->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  if (client->bus == NULL)
    {
      g_dbus_error_strip_remote_error (*error);
      g_prefix_error (error, "%s: ", _("Could not connect to the system bus"));
      return FALSE;
    }
  return TRUE;
}

gboolean
of_client_connect (OfClient *client, GDBusProxyFlags flags, GError **error)
{
  g_return_val_if_fail (client->proxy == NULL, FALSE);

  if (!ensure_bus (client, error))
    return FALSE;
  client->proxy = of_dbus_background_sync_proxy_new_sync (client->bus, flags, OF_BUS_NAME, OF_OBJECT_PATH,
                                                          NULL, error);
  if (client->proxy == NULL)
    {
      g_dbus_error_strip_remote_error (*error);
      g_prefix_error (error, "%s: ", _("Could not reach offlinefiles-syncd"));
      return FALSE;
    }
  client->machine = of_dbus_machine_configuration_proxy_new_sync (client->bus, flags, OF_BUS_NAME,
                                                                  OF_OBJECT_PATH, NULL, error);
  if (client->machine == NULL)
    {
      g_clear_object (&client->proxy);
      g_dbus_error_strip_remote_error (*error);
      g_prefix_error (error, "%s: ", _("Could not reach offlinefiles-syncd"));
      return FALSE;
    }
  return TRUE;
}

gboolean
of_client_connect_for_reading (OfClient *client, GDBusProxyFlags flags, GError **error)
{
  g_autofree char *owner = NULL;

  if (!of_client_connect (client, flags, error))
    return FALSE;
  /* Construction has tried D-Bus activation already: no owner now means
   * the daemon is not there. */
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (client->proxy));
  if (owner == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("offlinefiles-syncd is not running (nobody owns %s on the system bus)"), OF_BUS_NAME);
      return FALSE;
    }
  return TRUE;
}

/* A proxy's cached properties, in @info's order, added to @builder. */
static void
snapshot_proxy (GVariantBuilder *builder, GDBusProxy *proxy, GDBusInterfaceInfo *info)
{
  for (guint i = 0; info->properties && info->properties[i]; i++)
    {
      const char *name = info->properties[i]->name;
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (proxy, name);

      if (value)
        g_variant_builder_add (builder, "{sv}", name, value);
    }
}

GVariant *
of_client_get_properties (OfClient *client)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_return_val_if_fail (client->proxy != NULL, NULL);

  snapshot_proxy (&builder, G_DBUS_PROXY (client->proxy), of_dbus_background_sync_interface_info ());
  if (client->machine != NULL)
    snapshot_proxy (&builder, G_DBUS_PROXY (client->machine), of_dbus_machine_configuration_interface_info ());
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

GPtrArray *
of_client_list_shares (OfClient *client, GError **error)
{
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_share_info_free);
  GList *objects;

  if (!ensure_bus (client, error))
    return NULL;
  if (client->manager == NULL)
    {
      /* The generated manager client builds an OfDBusShare proxy for each
       * share object, with the properties GetManagedObjects brought. */
      client->manager = of_dbus_object_manager_client_new_sync (client->bus,
                                                                G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                                OF_BUS_NAME, OF_OBJECT_PATH, NULL, error);
      if (client->manager == NULL)
        {
          g_dbus_error_strip_remote_error (*error);
          g_prefix_error (error, "%s: ", _("Could not list the shares"));
          return NULL;
        }
    }

  objects = g_dbus_object_manager_get_objects (client->manager);
  for (GList *l = objects; l; l = l->next)
    {
      g_autoptr(OfDBusShare) share = of_dbus_object_get_share (OF_DBUS_OBJECT (l->data));
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
      g_autoptr(GVariant) properties = NULL;

      if (share == NULL)
        continue;
      snapshot_proxy (&builder, G_DBUS_PROXY (share), of_dbus_share_interface_info ());
      properties = g_variant_ref_sink (g_variant_builder_end (&builder));
      g_ptr_array_add (shares, of_share_info_new (g_dbus_object_get_object_path (l->data), properties));
    }
  g_list_free_full (objects, g_object_unref);
  g_ptr_array_sort (shares, of_share_info_compare);
  return g_steal_pointer (&shares);
}

GVariant *
of_client_call_with_auth (OfClient            *client,
                          const char          *object_path,
                          const char          *interface_name,
                          const char          *method,
                          GVariant            *parameters,
                          const GVariantType  *reply_type,
                          GError             **error)
{
  g_autoptr(OfAgent) agent = NULL;
  GDBusCallFlags flags = G_DBUS_CALL_FLAGS_NONE;
  int timeout = -1;

  if (!ensure_bus (client, error))
    {
      if (parameters)
        g_variant_unref (g_variant_ref_sink (parameters));
      return NULL;
    }
  /* Like systemctl: interaction is allowed unless told not to; whether a
   * text agent runs is a separate question (it needs a terminal).  A
   * person typing a password must not hit the 25 s default timeout. */
  if (!client->no_ask_password)
    {
      flags |= G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
      timeout = G_MAXINT;
    }
  agent = of_agent_start (!client->no_ask_password);
  return g_dbus_connection_call_sync (client->bus, OF_BUS_NAME, object_path, interface_name, method,
                                      parameters, reply_type, flags, timeout, NULL, error);
}

/* --------------------------------------------------------- human output */

const char *
of_client_ansi (const OfClient *client, const char *code)
{
  return client->color ? code : "";
}

const char *
of_client_word_color (const OfClient *client, const char *word)
{
  OfSyncState state;
  OfShareResult result;

  if (of_sync_state_from_string (word, &state))
    switch (state)
      {
      case OF_SYNC_STATE_IDLE:
        return of_client_ansi (client, OF_ANSI_GREEN);
      case OF_SYNC_STATE_SYNCING:
        return of_client_ansi (client, OF_ANSI_BLUE);
      case OF_SYNC_STATE_BLOCKED_OUT:
      case OF_SYNC_STATE_DEFERRED:
        return of_client_ansi (client, OF_ANSI_YELLOW);
      case OF_SYNC_STATE_DISABLED:
      default:
        return of_client_ansi (client, OF_ANSI_RED);
      }
  if (of_share_result_from_string (word, &result))
    switch (result)
      {
      case OF_SHARE_RESULT_SUCCESS:
        return of_client_ansi (client, OF_ANSI_GREEN);
      case OF_SHARE_RESULT_PARTIAL:
      case OF_SHARE_RESULT_CANCELLED:
        return of_client_ansi (client, OF_ANSI_YELLOW);
      case OF_SHARE_RESULT_FAILED:
      default:
        return of_client_ansi (client, OF_ANSI_RED);
      }
  return "";
}

char *
of_describe_time (guint64 usec, const char *never)
{
  g_autofree char *local = NULL;
  g_autofree char *relative = NULL;

  if (usec == 0)
    return g_strdup (never);
  local = of_format_local_time (usec);
  relative = of_format_relative (usec, (guint64) g_get_real_time ());
  return g_strdup_printf ("%s (%s)", local, relative);
}

void
of_client_print_field (const OfClient *client, guint width, const char *label, const char *value)
{
  guint pad = 0;
  glong length = g_utf8_strlen (label, -1);

  if (client->tty && (glong) width > length)
    pad = width - (guint) length;
  g_print ("%*s%s%s:%s %s\n", (int) pad, "", of_client_ansi (client, OF_ANSI_BOLD), label,
           of_client_ansi (client, OF_ANSI_RESET), value);
}
