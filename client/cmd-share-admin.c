/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-share-admin.c — `add-share NAME LOCAL REMOTE [--timeout MIN]
 * [--mount-point PATH] [--user USER]` and `remove-share NAME`: a user's
 * own "always available offline" folders (AddShare, RemoveShare).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "commands.h"
#include "names.h"
#include "text.h"

/* Absolute and without ".", ".." or a trailing "/": the daemon accepts
 * only that spelling, a person types any. */
static char *
absolute_folder (const char *path,
                 const char *cwd)
{
  g_autofree char *canonical = g_canonicalize_filename (path, cwd);

  return g_steal_pointer (&canonical);
}

GVariant *
of_add_share_build_args (char       **args,
                         const char  *timeout,
                         const char  *mount_point,
                         const char  *user,
                         const char  *cwd,
                         GError     **error)
{
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (timeout != NULL)
    {
      guint64 minutes = 0;

      if (!g_ascii_string_to_unsigned (timeout, 10, 1, 7 * 24 * 60, &minutes, NULL))
        {
          g_variant_builder_clear (&options);
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Invalid timeout “%s”: expected minutes, 1 to 10080"), timeout);
          return NULL;
        }
      g_variant_builder_add (&options, "{sv}", "Timeout", g_variant_new_uint32 ((guint32) minutes));
    }
  if (mount_point != NULL)
    {
      g_autofree char *absolute = absolute_folder (mount_point, cwd);

      g_variant_builder_add (&options, "{sv}", "MountPoint", g_variant_new_string (absolute));
    }
  if (user != NULL)
    g_variant_builder_add (&options, "{sv}", "User", g_variant_new_string (user));

  local = absolute_folder (args[1], cwd);
  remote = absolute_folder (args[2], cwd);
  return g_variant_new ("(sss@a{sv})", args[0], local, remote, g_variant_builder_end (&options));
}

int
of_cmd_add_share (OfClient *client, char **args)
{
  GVariant *parameters;  /* floating, until the call takes it */
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *what = NULL;
  g_autofree char *name = of_escape_text (args[0]);

  parameters = of_add_share_build_args (args, client->share_timeout, client->share_mount_point,
                                        client->share_user, cwd, &error);
  if (parameters == NULL)
    return of_client_report (OF_EXIT_USAGE, "%s", error->message);
  /* Polkit may ask for a password: manage-own-shares, or manage-shares
   * for another user's folders. */
  reply = of_client_call_with_auth (client, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC, "AddShare",
                                    parameters, G_VARIANT_TYPE ("(o)"), &error);
  if (reply == NULL)
    {
      what = g_strdup_printf (_("Could not add share %s"), name);
      return of_client_report_error (what, error);
    }
  g_print (_("Share %s added; it is synchronized with the next synchronization.\n"), name);
  return OF_EXIT_OK;
}

int
of_cmd_remove_share (OfClient *client, char **args)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  g_autofree char *name = of_escape_text (args[0]);

  reply = of_client_call_with_auth (client, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC, "RemoveShare",
                                    g_variant_new ("(s)", args[0]), NULL, &error);
  if (reply == NULL)
    {
      what = g_strdup_printf (_("Could not remove share %s"), name);
      return of_client_report_error (what, error);
    }
  g_print (_("Share %s removed; its folders are left as they are.\n"), name);
  return OF_EXIT_OK;
}
