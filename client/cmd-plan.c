/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-plan.c — `plan [N]`: the next N planned background syncs, from
 * PreviewSchedule, the way the daemon will run them if nothing changes.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "commands.h"
#include "json-out.h"
#include "text.h"
#include "time-format.h"

#define PLAN_DEFAULT 10
#define PLAN_MAX     1000   /* PreviewSchedule's own limit */

JsonNode *
of_plan_build_json (GVariant *syncs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GVariantIter iter;
  guint64 start;
  const char *reason, *note;

  json_builder_begin_array (builder);
  g_variant_iter_init (&iter, syncs);
  while (g_variant_iter_next (&iter, "(t&s&s)", &start, &reason, &note))
    {
      json_builder_begin_object (builder);
      of_json_add_time_members (builder, "time", start);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, reason);
      json_builder_set_member_name (builder, "note");
      json_builder_add_string_value (builder, note);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static void
print_plan (GVariant *syncs)
{
  guint64 now = (guint64) g_get_real_time ();
  GVariantIter iter;
  guint64 start;
  const char *reason, *note;
  guint index = 0;

  if (g_variant_n_children (syncs) == 0)
    g_print ("%s\n", _("No background sync is planned."));
  g_variant_iter_init (&iter, syncs);
  while (g_variant_iter_next (&iter, "(t&s&s)", &start, &reason, &note))
    {
      g_autofree char *local = of_format_local_time (start);
      g_autofree char *relative = of_format_relative (start, now);
      g_autofree char *reason_shown = of_escape_text (reason);
      g_autofree char *note_shown = of_escape_text (note);

      g_print ("%4u. %s  %-16s %-9s %s\n", ++index, local, relative, reason_shown, note_shown);
    }
}

int
of_cmd_plan (OfClient *client, char **args)
{
  g_autoptr(GVariant) syncs = NULL;
  g_autoptr(GError) error = NULL;
  guint64 count = PLAN_DEFAULT;

  if (args[0] && (!g_ascii_isdigit (args[0][0]) ||
                  !g_ascii_string_to_unsigned (args[0], 10, 1, PLAN_MAX, &count, NULL)))
    return of_client_report (OF_EXIT_USAGE, _("Invalid count “%s”: expected a number from 1 to %u"),
                             args[0], PLAN_MAX);

  if (!of_client_connect (client, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                          G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    return of_client_report_error (NULL, error);
  if (!of_dbus_background_sync_call_preview_schedule_sync (client->proxy, (guint) count, &syncs, NULL, &error))
    return of_client_report_error (_("Could not preview the schedule"), error);

  if (client->json)
    {
      g_autoptr(JsonNode) root = of_plan_build_json (syncs);
      of_json_print (root);
    }
  else
    print_plan (syncs);
  return OF_EXIT_OK;
}
