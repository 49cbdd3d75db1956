/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-conflicts.c — `conflicts SHARE` and `resolve SHARE HOW PATH…|--all`:
 * a share's conflicts as a table (or JSON), and settling them through
 * Share.ResolveConflicts.  The file names come from the daemon already
 * escaped and are escaped again before they are printed.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "commands.h"
#include "json-out.h"
#include "names.h"
#include "text.h"

/* NULL-terminated, for of_suggest(). */
static const char * const hows[] = { "keep-local", "keep-remote", "keep-latest", "keep-both", "skip", NULL };

char *
of_conflicts_format_size (GVariant   *details,
                          const char *key)
{
  guint64 size;

  if (!g_variant_lookup (details, key, "t", &size))
    return g_strdup ("-");
  return g_strdup_printf ("%" G_GUINT64_FORMAT, size);
}

static char *
format_time (GVariant   *details,
             const char *key)
{
  guint64 usec;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (!g_variant_lookup (details, key, "t", &usec) ||
      (utc = g_date_time_new_from_unix_utc ((gint64) (usec / G_USEC_PER_SEC))) == NULL)
    return g_strdup ("-");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

JsonNode *
of_conflicts_build_json (GVariant *conflicts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  static const char * const sizes[] = { "LocalSize", "RemoteSize" };
  static const char * const times[] = { "Detected", "LocalModified", "RemoteModified" };
  static const char * const size_keys[] = { "local_size", "remote_size" };
  static const char * const time_keys[] = { "detected", "local_modified", "remote_modified" };
  GVariantIter iter;
  const char *path;
  GVariant *details;

  json_builder_begin_array (builder);
  g_variant_iter_init (&iter, conflicts);
  while (g_variant_iter_next (&iter, "(&s@a{sv})", &path, &details))
    {
      const char *reason = "";
      guint64 value;

      g_variant_lookup (details, "Reason", "&s", &reason);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, reason);
      for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          json_builder_set_member_name (builder, size_keys[i]);
          if (g_variant_lookup (details, sizes[i], "t", &value))
            of_json_add_uint (builder, value);
          else
            json_builder_add_null_value (builder);
        }
      for (gsize i = 0; i < G_N_ELEMENTS (times); i++)
        of_json_add_time_members (builder, time_keys[i],
                                  g_variant_lookup (details, times[i], "t", &value) ? value : 0);
      json_builder_end_object (builder);
      g_variant_unref (details);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/* ListConflicts of the share called @name; NULL after saying why. */
static GVariant *
list_conflicts (OfClient           *client,
                const char         *name,
                const OfShareInfo **out_share,
                GPtrArray         **out_shares,
                int                *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const OfShareInfo *share;

  if (!of_client_connect_for_reading (client, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                      G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &error))
    {
      *status = of_client_report_error (NULL, error);
      return NULL;
    }
  *out_shares = of_client_list_shares (client, &error);
  if (*out_shares == NULL)
    {
      *status = of_client_report_error (NULL, error);
      return NULL;
    }
  share = of_client_find_share (*out_shares, name, status);
  if (share == NULL)
    return NULL;
  *out_share = share;
  /* The share's own user is never asked; anyone else may be. */
  reply = of_client_call_with_auth (client, share->path, OF_INTERFACE_SHARE, "ListConflicts", NULL,
                                    G_VARIANT_TYPE ("(a(sa{sv}))"), &error);
  if (reply == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not list the conflicts of %s"), share->name);

      *status = of_client_report_error (what, error);
      return NULL;
    }
  return g_variant_get_child_value (reply, 0);
}

int
of_cmd_conflicts (OfClient *client, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GVariant) conflicts = NULL;
  const OfShareInfo *share = NULL;
  int status = OF_EXIT_OK;
  GVariantIter iter;
  const char *path;
  GVariant *details;

  conflicts = list_conflicts (client, args[0], &share, &shares, &status);
  if (conflicts == NULL)
    return status;
  if (client->json)
    {
      g_autoptr(JsonNode) root = of_conflicts_build_json (conflicts);

      of_json_print (root);
      return OF_EXIT_OK;
    }
  if (client->names)
    {
      /* For completion: one path a line, escaped, so that no name can
       * pose as two. */
      g_variant_iter_init (&iter, conflicts);
      while (g_variant_iter_next (&iter, "(&s@a{sv})", &path, &details))
        {
          g_autofree char *shown = of_escape_text (path);

          g_print ("%s\n", shown);
          g_variant_unref (details);
        }
      return OF_EXIT_OK;
    }
  if (g_variant_n_children (conflicts) == 0)
    {
      g_autofree char *name = of_escape_text (share->name);

      g_print (_("No conflicts in %s.\n"), name);
      return OF_EXIT_OK;
    }
  g_print ("%s%-32s %-16s %10s %-19s %10s %s%s\n", of_client_ansi (client, OF_ANSI_BOLD),
           _("PATH"), _("REASON"), _("LOCAL SIZE"), _("LOCAL MODIFIED"), _("REMOTE SIZE"),
           _("REMOTE MODIFIED"), of_client_ansi (client, OF_ANSI_RESET));
  g_variant_iter_init (&iter, conflicts);
  while (g_variant_iter_next (&iter, "(&s@a{sv})", &path, &details))
    {
      g_autofree char *shown = of_escape_text (path);
      const char *reason_text = "";
      g_autofree char *reason = NULL;
      g_autofree char *local_size = of_conflicts_format_size (details, "LocalSize");
      g_autofree char *remote_size = of_conflicts_format_size (details, "RemoteSize");
      g_autofree char *local_time = format_time (details, "LocalModified");
      g_autofree char *remote_time = format_time (details, "RemoteModified");

      g_variant_lookup (details, "Reason", "&s", &reason_text);
      reason = of_escape_text (reason_text);
      /* A long name pushes the columns rather than being cut: the whole
       * name is what the user types back to resolve it. */
      g_print ("%-32s %-16s %10s %-19s %10s %s\n", shown, reason, local_size, local_time,
               remote_size, remote_time);
      g_variant_unref (details);
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "\n%u conflict.\n", "\n%u conflicts.\n",
                        (gulong) g_variant_n_children (conflicts)),
           (guint) g_variant_n_children (conflicts));
  return OF_EXIT_OK;
}

int
of_cmd_resolve (OfClient *client, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GVariant) conflicts = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) results = NULL;
  g_autoptr(GError) error = NULL;
  const OfShareInfo *share = NULL;
  const char *how = args[1];
  gboolean known = FALSE;
  int status = OF_EXIT_OK;
  GVariantBuilder choices;
  guint n_choices = 0;
  GVariantIter iter;
  const char *path, *result, *message;

  for (gsize i = 0; hows[i] != NULL; i++)
    known |= strcmp (how, hows[i]) == 0;
  if (!known)
    {
      const char *guess = of_suggest (how, hows);

      if (guess)
        return of_client_report (OF_EXIT_USAGE, _("Unknown choice “%s”. Did you mean “%s”?"), how, guess);
      return of_client_report (OF_EXIT_USAGE,
                               _("Unknown choice “%s”: keep-local, keep-remote, keep-latest, keep-both or skip"),
                               how);
    }
  if (client->all == (args[2] != NULL))
    return of_client_report (OF_EXIT_USAGE, _("Name the paths to resolve, or give --all (not both)"));

  conflicts = list_conflicts (client, args[0], &share, &shares, &status);
  if (conflicts == NULL)
    return status;
  g_variant_builder_init (&choices, G_VARIANT_TYPE ("a(ss)"));
  if (client->all)
    {
      GVariant *details;

      g_variant_iter_init (&iter, conflicts);
      while (g_variant_iter_next (&iter, "(&s@a{sv})", &path, &details))
        {
          g_variant_builder_add (&choices, "(ss)", path, how);
          n_choices++;
          g_variant_unref (details);
        }
    }
  else
    for (guint i = 2; args[i] != NULL; i++)
      {
        g_variant_builder_add (&choices, "(ss)", args[i], how);
        n_choices++;
      }
  if (n_choices == 0)
    {
      g_autofree char *name = of_escape_text (share->name);

      g_variant_builder_clear (&choices);
      g_print (_("No conflicts in %s.\n"), name);
      return OF_EXIT_OK;
    }

  reply = of_client_call_with_auth (client, share->path, OF_INTERFACE_SHARE, "ResolveConflicts",
                                    g_variant_new ("(a(ss))", &choices), G_VARIANT_TYPE ("(a(sss))"), &error);
  if (reply == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not resolve conflicts in %s"), share->name);

      return of_client_report_error (what, error);
    }
  results = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, results);
  while (g_variant_iter_next (&iter, "(&s&s&s)", &path, &result, &message))
    {
      g_autofree char *shown_path = of_escape_text (path);
      g_autofree char *shown_result = of_escape_text (result);
      g_autofree char *shown_message = of_escape_text (message);

      if (strcmp (result, "failed") == 0)
        status = OF_EXIT_FAILURE;
      g_print ("%s: %s%s%s%s%s\n", shown_path,
               of_client_word_color (client, strcmp (result, "resolved") == 0 ? "success"
                                             : strcmp (result, "failed") == 0 ? "failed" : "partial"),
               shown_result, of_client_ansi (client, OF_ANSI_RESET), *shown_message ? ": " : "", shown_message);
    }
  return status;
}
