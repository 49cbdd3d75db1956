/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-set.c — `set NAME VALUE [NAME VALUE…]`: every pair checked here,
 * then all of them in one Configure call, all or nothing, as the daemon
 * applies it.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "commands.h"
#include "names.h"
#include "properties.h"
#include "settings.h"
#include "text.h"

GVariant *
of_set_build_settings (char **args, GError **error)
{
  g_auto(GVariantBuilder) settings = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  guint n = g_strv_length (args);
  guint given = 0;

  if (n == 0 || n % 2 != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Missing a value for %s: expected NAME VALUE [NAME VALUE…]"), n ? args[n - 1] : "");
      return NULL;
    }

  for (guint i = 0; i < n; i += 2)
    {
      int id = of_setting_lookup (args[i]);
      GVariant *value;

      if (id < 0 && of_property_exists (args[i]))
        {
          g_autofree char *joined = g_strjoinv (", ", (char **) of_property_names (TRUE));
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s is read-only; settable are: %s"), args[i], joined);
          return NULL;
        }
      if (id < 0)
        {
          g_autofree char *what = g_strdup_printf (_("Unknown property “%s”"), args[i]);
          g_autofree char *message = of_did_you_mean (what, args[i], of_property_names (TRUE));
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
          return NULL;
        }
      if (given & (1u << id))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("%s is given more than once"), args[i]);
          return NULL;
        }
      value = of_setting_parse (id, args[i + 1], error);
      if (value == NULL)
        return NULL;
      g_variant_builder_add (&settings, "{sv}", args[i], value);
      given |= 1u << id;
    }
  return g_variant_ref_sink (g_variant_builder_end (&settings));
}

int
of_cmd_set (OfClient *client, char **args)
{
  g_autoptr(GVariant) settings = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *joined = NULL;
  g_autofree char *what = NULL;

  /* Usage errors never reach the daemon. */
  settings = of_set_build_settings (args, &error);
  if (settings == NULL)
    return of_client_report (OF_EXIT_USAGE, "%s", error->message);

  reply = of_client_call_with_auth (client, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC, "Configure",
                                    g_variant_new ("(@a{sv})", settings), NULL, &error);
  if (reply == NULL)
    {
      for (guint i = 0; args[i]; i += 2)
        g_ptr_array_add (names, args[i]);
      g_ptr_array_add (names, NULL);
      joined = g_strjoinv (", ", (char **) names->pdata);
      what = g_strdup_printf (_("Could not set %s"), joined);
      return of_client_report_error (what, error);
    }
  return OF_EXIT_OK;
}
