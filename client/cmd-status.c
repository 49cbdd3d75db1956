/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-status.c — `offlinefilesctl [status]` and `get NAME…`: the state,
 * the schedule, the settings and the shares, for people (like
 * timedatectl) and as JSON; single properties for scripts.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "commands.h"
#include "json-out.h"
#include "properties.h"
#include "settings.h"
#include "share-info.h"
#include "text.h"

/* A snapshot's string, "" when the daemon did not report it (as the
 * generated getters would give NULL). */
static const char *
lookup_string (GVariant *properties, const char *name)
{
  const char *value = NULL;

  if (!g_variant_lookup (properties, name, "&s", &value))
    return "";
  return value;
}

static guint64
lookup_uint64 (GVariant *properties, const char *name)
{
  guint64 value = 0;

  g_variant_lookup (properties, name, "t", &value);
  return value;
}

/* LockedProperties, NULL-terminated; the strings belong to @properties. */
static const char **
lookup_locked (GVariant *properties)
{
  const char **locked = NULL;

  if (!g_variant_lookup (properties, "LockedProperties", "^a&s", &locked))
    locked = g_new0 (const char *, 1);
  return locked;
}

JsonNode *
of_status_build_json (GVariant  *properties,
                      GPtrArray *shares)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree const char **locked = lookup_locked (properties);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, lookup_string (properties, "State"));
  json_builder_set_member_name (builder, "defer_reason");
  json_builder_add_string_value (builder, lookup_string (properties, "DeferReason"));
  json_builder_set_member_name (builder, "current_sync_id");
  of_json_add_uint (builder, lookup_uint64 (properties, "CurrentSyncId"));
  of_json_add_time_members (builder, "next_sync_time", lookup_uint64 (properties, "NextSyncTime"));
  of_json_add_time_members (builder, "last_sync_start_time", lookup_uint64 (properties, "LastSyncStartTime"));
  of_json_add_time_members (builder, "last_sync_finish_time", lookup_uint64 (properties, "LastSyncFinishTime"));
  json_builder_set_member_name (builder, "last_sync_result");
  json_builder_add_string_value (builder, lookup_string (properties, "LastSyncResult"));
  of_json_add_time_members (builder, "last_successful_sync_time",
                            lookup_uint64 (properties, "LastSuccessfulSyncTime"));

  /* The six settings in the table's order; null for one the daemon did
   * not report, so that the keys are always there. */
  json_builder_set_member_name (builder, "settings");
  json_builder_begin_object (builder);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      const char *name = of_setting_name (id);
      g_autoptr(GVariant) value = g_variant_lookup_value (properties, name, NULL);

      json_builder_set_member_name (builder, name);
      if (value)
        of_json_add_variant (builder, value);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "locked_properties");
  json_builder_begin_array (builder);
  for (guint i = 0; locked[i]; i++)
    json_builder_add_string_value (builder, locked[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "shares");
  json_builder_begin_array (builder);
  for (guint i = 0; i < shares->len; i++)
    of_share_info_add_json (builder, shares->pdata[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ------------------------------------------------------------- for people */

static char *
describe_share_state (OfClient *client, const OfShareInfo *share)
{
  g_autofree char *last = NULL;

  if (!share->enabled)
    return g_strdup_printf ("%s%s%s", of_client_ansi (client, OF_ANSI_GREY), _("disabled"),
                            of_client_ansi (client, OF_ANSI_RESET));
  if (share->last_sync_time == 0)
    last = g_strdup (_("never synced"));
  else
    {
      g_autofree char *when = of_describe_time (share->last_sync_time, "");
      g_autofree char *result = of_escape_text (share->last_result);
      /* TRANSLATORS: "last synced <time>, <result>"; %s%s%s is the result between colour codes */
      last = g_strdup_printf (_("last synced %s, %s%s%s"), when, of_client_word_color (client, share->last_result),
                              result, of_client_ansi (client, OF_ANSI_RESET));
    }
  if (share->work_offline)
    return g_strdup_printf (_("working offline; %s"), last);
  if (share->connect_state != 0)
    {
      g_autofree char *connection = of_share_info_connection (share);

      /* TRANSLATORS: "offline (not responding); last synced …" */
      return g_strdup_printf (_("%s; %s"), connection, last);
    }
  return g_steal_pointer (&last);
}

static void
print_settings (OfClient *client, GVariant *properties)
{
  g_autofree const char **locked = lookup_locked (properties);
  guint width = 0;

  for (int id = 0; id < OF_N_SETTINGS; id++)
    width = MAX (width, strlen (of_setting_name (id)));

  g_print ("\n%s%s%s\n", of_client_ansi (client, OF_ANSI_BOLD), _("Settings:"),
           of_client_ansi (client, OF_ANSI_RESET));
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      const char *name = of_setting_name (id);
      g_autoptr(GVariant) value = g_variant_lookup_value (properties, name, NULL);
      g_autofree char *shown = value ? of_setting_format_human (id, value) : g_strdup ("?");
      gboolean is_locked = g_strv_contains (locked, name);
      int pad = client->tty ? (int) (width - strlen (name)) : 0;

      g_print ("  %s:%*s %s%s%s%s\n", name, pad, "", shown,
               is_locked ? of_client_ansi (client, OF_ANSI_YELLOW) : "",
               is_locked ? _(" [locked by policy]") : "",
               is_locked ? of_client_ansi (client, OF_ANSI_RESET) : "");
    }
}

static void
print_status (OfClient *client, GVariant *properties, GPtrArray *shares)
{
  const char *labels[] = { _("State"), _("Next sync"), _("Last sync"), _("Last success"), _("Shares") };
  const char *state = lookup_string (properties, "State");
  const char *result = lookup_string (properties, "LastSyncResult");
  guint64 current = lookup_uint64 (properties, "CurrentSyncId");
  guint64 last_start = lookup_uint64 (properties, "LastSyncStartTime");
  g_autofree char *state_shown = of_escape_text (state);
  g_autofree char *state_text = NULL;
  g_autofree char *next = NULL;
  g_autofree char *last = NULL;
  g_autofree char *success = NULL;
  g_autofree char *count = NULL;
  guint width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    width = MAX (width, (guint) g_utf8_strlen (labels[i], -1));

  if (current != 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, current);
      /* TRANSLATORS: "syncing (sync 5)"; the first %s is the state */
      g_autofree char *with_id = g_strdup_printf (_("%s (sync %s)"), state_shown, id);
      state_text = g_strdup_printf ("%s%s%s", of_client_word_color (client, state), with_id,
                                    of_client_ansi (client, OF_ANSI_RESET));
    }
  else if (*lookup_string (properties, "DeferReason") != '\0')
    {
      g_autofree char *why = of_escape_text (lookup_string (properties, "DeferReason"));
      /* TRANSLATORS: "deferred (costed-network)"; the first %s is the state */
      g_autofree char *with_reason = g_strdup_printf (_("%s (%s)"), state_shown, why);

      state_text = g_strdup_printf ("%s%s%s", of_client_word_color (client, state), with_reason,
                                    of_client_ansi (client, OF_ANSI_RESET));
    }
  else
    state_text = g_strdup_printf ("%s%s%s", of_client_word_color (client, state), state_shown,
                                  of_client_ansi (client, OF_ANSI_RESET));
  next = of_describe_time (lookup_uint64 (properties, "NextSyncTime"), _("none planned"));
  if (last_start == 0)
    last = g_strdup (_("never"));
  else
    {
      g_autofree char *when = of_describe_time (last_start, "");
      g_autofree char *result_shown = of_escape_text (result);

      last = g_strdup_printf ("%s, %s%s%s", when, of_client_word_color (client, result),
                              *result ? result_shown : _("running"), of_client_ansi (client, OF_ANSI_RESET));
    }
  success = of_describe_time (lookup_uint64 (properties, "LastSuccessfulSyncTime"), _("never"));
  count = g_strdup_printf ("%u", shares->len);

  of_client_print_field (client, width, labels[0], state_text);
  of_client_print_field (client, width, labels[1], next);
  of_client_print_field (client, width, labels[2], last);
  of_client_print_field (client, width, labels[3], success);
  of_client_print_field (client, width, labels[4], count);
  for (guint i = 0; i < shares->len; i++)
    {
      const OfShareInfo *share = shares->pdata[i];
      g_autofree char *name = of_escape_text (share->name);
      g_autofree char *share_state = describe_share_state (client, share);

      g_print ("%*s%s: %s\n", (int) (client->tty ? width + 2 : 2), "", name, share_state);
    }
  print_settings (client, properties);
}

int
of_cmd_status (OfClient *client, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GVariant) properties = NULL;
  g_autoptr(GError) error = NULL;

  (void) args;
  if (!of_client_connect_for_reading (client, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    return of_client_report_error (NULL, error);
  shares = of_client_list_shares (client, &error);
  if (shares == NULL)
    return of_client_report_error (NULL, error);
  properties = of_client_get_properties (client);

  if (client->json)
    {
      g_autoptr(JsonNode) root = of_status_build_json (properties, shares);
      of_json_print (root);
    }
  else
    print_status (client, properties, shares);
  return OF_EXIT_OK;
}

/* ------------------------------------------------------------------- get */

int
of_cmd_get (OfClient *client, char **args)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GVariant) properties = NULL;
  g_autoptr(GError) error = NULL;

  /* Every name is checked before the bus is asked. */
  for (guint i = 0; args[i]; i++)
    if (!of_property_exists (args[i]))
      {
        g_autofree char *what = g_strdup_printf (_("Unknown property “%s”"), args[i]);
        return of_client_report_unknown (what, args[i], of_property_names (FALSE));
      }

  if (!of_client_connect_for_reading (client, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    return of_client_report_error (NULL, error);
  properties = of_client_get_properties (client);

  json_builder_begin_object (builder);
  for (guint i = 0; args[i]; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (properties, args[i], NULL);

      if (value == NULL)
        return of_client_report (OF_EXIT_FAILURE, _("Could not read %s: the daemon did not report it"), args[i]);
      if (client->json)
        {
          json_builder_set_member_name (builder, args[i]);
          of_json_add_variant (builder, value);
        }
      else
        {
          g_autofree char *shown = of_property_format_raw (value);
          /* An empty list prints nothing rather than an empty line. */
          if (*shown || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
            g_print ("%s\n", shown);
        }
    }
  json_builder_end_object (builder);
  if (client->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      of_json_print (root);
    }
  return OF_EXIT_OK;
}
