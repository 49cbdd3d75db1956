/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main.c — offlinefiles-settings: the application, its options and its
 * one window; nothing else (the window and its pages are in
 * panel-window.c, the daemon's side in panel-model.c).
 */
#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "panel-model.h"
#include "panel-window.h"

#define OF_PANEL_APP_ID "org.offlinefiles.Settings"

static void
on_activate (GtkApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (application);

  if (window == NULL)
    {
      /* The window's pages hold the model from here on. */
      g_autoptr(OfPanelModel) model = of_panel_model_new ();
      window = GTK_WINDOW (of_panel_window_new (application, model));
    }
  gtk_window_present (window);
}

static int
on_local_options (GApplication *application, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("offlinefiles-settings %s\n", PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

int
main (int argc, char **argv)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(AdwApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("Offline Files"));

  application = adw_application_new (OF_PANEL_APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_application_add_main_option_entries (G_APPLICATION (application), entries);
  g_signal_connect (application, "handle-local-options", G_CALLBACK (on_local_options), NULL);
  g_signal_connect (application, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (application), argc, argv);
}
