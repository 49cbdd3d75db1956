/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-shares.c — `shares [--names]` and `work-offline SHARE on|off`: the
 * share objects the daemon's ObjectManager lists, read through the
 * generated object manager client.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "commands.h"
#include "enums.h"
#include "json-out.h"
#include "names.h"
#include "properties.h"
#include "share-info.h"
#include "text.h"

static void
print_share (OfClient *client, const OfShareInfo *share)
{
  const char *labels[] = { _("Local path"), _("Remote path"), _("User"), _("Enabled"),
                           _("Work offline"), _("Last sync"), _("Connection") };
  g_autofree char *name = of_escape_text (share->name);
  g_autofree char *local_path = of_escape_text (share->local_path);
  g_autofree char *remote_path = of_escape_text (share->remote_path);
  g_autofree char *user = of_escape_text (share->user);
  g_autofree char *last = NULL;
  g_autofree char *connection = of_share_info_connection (share);
  guint width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    width = MAX (width, (guint) g_utf8_strlen (labels[i], -1));
  width += 2;

  if (share->last_sync_time == 0)
    last = g_strdup (_("never"));
  else
    {
      g_autofree char *when = of_describe_time (share->last_sync_time, "");
      g_autofree char *result = of_escape_text (share->last_result);
      g_autofree char *message = of_escape_text (share->last_message);

      last = g_strdup_printf ("%s, %s%s%s%s%s", when, of_client_word_color (client, share->last_result),
                              result, of_client_ansi (client, OF_ANSI_RESET),
                              *message ? ": " : "", message);
    }

  g_print ("%s%s%s\n", of_client_ansi (client, OF_ANSI_BOLD), name, of_client_ansi (client, OF_ANSI_RESET));
  of_client_print_field (client, width, labels[0], local_path);
  of_client_print_field (client, width, labels[1], remote_path);
  of_client_print_field (client, width, labels[2], user);
  of_client_print_field (client, width, labels[3], share->enabled ? _("yes") : _("no"));
  of_client_print_field (client, width, labels[4], share->work_offline ? _("yes") : _("no"));
  of_client_print_field (client, width, labels[5], last);
  if (share->last_probe_time != 0)
    {
      g_autofree char *when = of_describe_time (share->last_probe_time, "");
      g_autofree char *with_time = g_strdup_printf ("%s, %s", connection, when);

      of_client_print_field (client, width, labels[6], with_time);
    }
  else
    of_client_print_field (client, width, labels[6], connection);
}

int
of_cmd_shares (OfClient *client, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GError) error = NULL;

  (void) args;
  if (!of_client_connect_for_reading (client, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                      G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    return of_client_report_error (NULL, error);
  shares = of_client_list_shares (client, &error);
  if (shares == NULL)
    return of_client_report_error (NULL, error);

  if (client->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < shares->len; i++)
        of_share_info_add_json (builder, shares->pdata[i]);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      of_json_print (root);
    }
  else if (client->names)
    {
      /* For completion and `for` loops: one name a line, escaped, so that
       * no name can pose as two. */
      for (guint i = 0; i < shares->len; i++)
        {
          g_autofree char *name = of_escape_text (((OfShareInfo *) shares->pdata[i])->name);
          g_print ("%s\n", name);
        }
    }
  else if (shares->len == 0)
    g_print ("%s\n", _("No shares configured."));
  else
    for (guint i = 0; i < shares->len; i++)
      {
        if (i > 0)
          g_print ("\n");
        print_share (client, shares->pdata[i]);
      }
  return OF_EXIT_OK;
}

const OfShareInfo *
of_client_find_share (GPtrArray  *shares,
                      const char *name,
                      int        *status)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *guess;

  /* Share object paths escape the name; looking it up by the Name
   * property keeps us out of the escaping rules. */
  for (guint i = 0; i < shares->len; i++)
    {
      const OfShareInfo *candidate = shares->pdata[i];

      if (strcmp (candidate->name, name) == 0)
        return candidate;
      g_ptr_array_add (names, candidate->name);
    }
  g_ptr_array_add (names, NULL);
  guess = of_suggest (name, (const char * const *) names->pdata);
  if (shares->len == 0)
    *status = of_client_report (OF_EXIT_FAILURE, _("No share named “%s”: no shares are configured"), name);
  else if (guess)
    *status = of_client_report (OF_EXIT_FAILURE, _("No share named “%s”. Did you mean “%s”?"), name, guess);
  else
    *status = of_client_report (OF_EXIT_FAILURE, _("No share named “%s”"), name);
  return NULL;
}

int
of_cmd_work_offline (OfClient *client, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  const OfShareInfo *share = NULL;
  gboolean on;
  int status;

  if (!of_parse_boolean (args[1], &on))
    return of_client_report (OF_EXIT_USAGE, _("Invalid value “%s”: expected on or off"), args[1]);
  if (!of_client_connect_for_reading (client, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                      G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    return of_client_report_error (NULL, error);
  shares = of_client_list_shares (client, &error);
  if (shares == NULL)
    return of_client_report_error (NULL, error);
  share = of_client_find_share (shares, args[0], &status);
  if (share == NULL)
    return status;

  /* A plain Properties.Set, not the generated setter: that one cannot
   * carry ALLOW_INTERACTIVE_AUTHORIZATION. */
  reply = of_client_call_with_auth (client, share->path, OF_DBUS_PROPERTIES_INTERFACE, "Set",
                                    g_variant_new ("(ssv)", OF_INTERFACE_SHARE, "WorkOffline",
                                                   g_variant_new_boolean (on)),
                                    NULL, &error);
  if (reply == NULL)
    {
      what = g_strdup_printf (on ? _("Could not put %s in work-offline mode")
                                 : _("Could not take %s out of work-offline mode"), share->name);
      return of_client_report_error (what, error);
    }
  return OF_EXIT_OK;
}

/* probe SHARE: Share.Probe() — whether the share's server copy is
 * reachable now, found out as the share's user; waits for the probe (at
 * most its hard limit). */
int
of_cmd_probe (OfClient *client, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  g_autofree char *text = NULL;
  const OfShareInfo *share = NULL;
  OfShareInfo found = { 0 };
  int status;

  if (!of_client_connect_for_reading (client, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                      G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    return of_client_report_error (NULL, error);
  shares = of_client_list_shares (client, &error);
  if (shares == NULL)
    return of_client_report_error (NULL, error);
  share = of_client_find_share (shares, args[0], &status);
  if (share == NULL)
    return status;

  reply = of_client_call_with_auth (client, share->path, OF_INTERFACE_SHARE, "Probe", NULL,
                                    G_VARIANT_TYPE ("(uu)"), &error);
  if (reply == NULL)
    {
      what = g_strdup_printf (_("Could not check the connection of %s"), share->name);
      return of_client_report_error (what, error);
    }
  g_variant_get (reply, "(uu)", &found.connect_state, &found.offline_reason);
  text = of_share_info_connection (&found);
  if (client->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, share->name);
      json_builder_set_member_name (builder, "connect_state");
      json_builder_add_string_value (builder, of_connect_state_to_string (found.connect_state));
      json_builder_set_member_name (builder, "offline_reason");
      of_json_add_uint (builder, found.offline_reason);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      of_json_print (root);
    }
  else
    g_print ("%s: %s\n", share->name, text);
  return found.connect_state == OF_CONNECT_ONLINE ? OF_EXIT_OK : OF_EXIT_FAILURE;
}
