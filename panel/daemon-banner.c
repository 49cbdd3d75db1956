/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon-banner.c — see daemon-banner.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "daemon-banner.h"

struct _OfDaemonBanner
{
  AdwPreferencesGroup parent_instance;
};

G_DEFINE_TYPE (OfDaemonBanner, of_daemon_banner, ADW_TYPE_PREFERENCES_GROUP)

static void
of_daemon_banner_class_init (OfDaemonBannerClass *klass)
{
}

static void
of_daemon_banner_init (OfDaemonBanner *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("The Offline Files service is not running"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Nothing can be shown or changed until it runs again. "
                                 "This window follows it by itself."));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (row, "error");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  gtk_widget_set_name (GTK_WIDGET (self), "daemon-banner");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

void
of_daemon_banner_set_model (OfDaemonBanner *self,
                            OfPanelModel   *model)
{
  g_return_if_fail (OF_IS_DAEMON_BANNER (self));
  g_object_bind_property (model, "running", self, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
}
