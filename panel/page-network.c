/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-network.c — see page-network.h. */
#include "config.h"

#include "daemon-banner.h"
#include "page-network.h"
#include "setting-row.h"

/* The machine configuration's settings follow the six schedule ones in
 * the table. */
#define OF_FIRST_MACHINE_SETTING OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED
#define OF_N_MACHINE_SETTINGS    (OF_N_SETTINGS - OF_FIRST_MACHINE_SETTING)

struct _OfNetworkPage
{
  AdwPreferencesPage   parent_instance;
  OfDaemonBanner      *banner;
  AdwPreferencesGroup *when_group;
  AdwPreferencesGroup *connection_group;
  AdwPreferencesGroup *shares_group;
  OfPanelModel        *model;
  GtkWidget           *rows[OF_N_MACHINE_SETTINGS];
};

G_DEFINE_TYPE (OfNetworkPage, of_network_page, ADW_TYPE_PREFERENCES_PAGE)

static void
refresh (OfNetworkPage *self)
{
  gboolean running = of_panel_model_get_running (self->model);

  gtk_widget_set_sensitive (GTK_WIDGET (self->when_group), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->connection_group), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->shares_group), running);
  for (guint i = 0; i < OF_N_MACHINE_SETTINGS; i++)
    of_setting_row_refresh (OF_SETTING_ROW (self->rows[i]));
}

void
of_network_page_set_model (OfNetworkPage *self,
                           OfPanelModel  *model)
{
  static const struct {
    OfSettingId id;
    gsize       group;  /* offset of the group in OfNetworkPage */
  } layout[] = {
    { OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED, G_STRUCT_OFFSET (OfNetworkPage, when_group) },
    { OF_SETTING_SYNC_ON_BATTERY_ENABLED, G_STRUCT_OFFSET (OfNetworkPage, when_group) },
    { OF_SETTING_SLOW_LINK_PROBE_TIMEOUT, G_STRUCT_OFFSET (OfNetworkPage, connection_group) },
    { OF_SETTING_USER_SHARES_ENABLED, G_STRUCT_OFFSET (OfNetworkPage, shares_group) },
  };

  g_return_if_fail (OF_IS_NETWORK_PAGE (self));
  g_return_if_fail (self->model == NULL);
  /* Every setting of org.offlinefiles.MachineConfiguration, once. */
  G_STATIC_ASSERT (G_N_ELEMENTS (layout) == OF_N_MACHINE_SETTINGS);

  self->model = g_object_ref (model);
  of_daemon_banner_set_model (self->banner, model);
  for (guint i = 0; i < G_N_ELEMENTS (layout); i++)
    {
      AdwPreferencesGroup *group = G_STRUCT_MEMBER (AdwPreferencesGroup *, self, layout[i].group);
      GtkWidget *row = of_setting_row_new (model, layout[i].id);

      self->rows[layout[i].id - OF_FIRST_MACHINE_SETTING] = row;
      adw_preferences_group_add (group, row);
    }
  g_signal_connect_object (model, "changed", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
  refresh (self);
}

static void
of_network_page_dispose (GObject *object)
{
  g_clear_object (&OF_NETWORK_PAGE (object)->model);
  G_OBJECT_CLASS (of_network_page_parent_class)->dispose (object);
}

static void
of_network_page_class_init (OfNetworkPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_network_page_dispose;
  g_type_ensure (OF_TYPE_DAEMON_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/page-network.ui");
  gtk_widget_class_bind_template_child (widget_class, OfNetworkPage, banner);
  gtk_widget_class_bind_template_child (widget_class, OfNetworkPage, when_group);
  gtk_widget_class_bind_template_child (widget_class, OfNetworkPage, connection_group);
  gtk_widget_class_bind_template_child (widget_class, OfNetworkPage, shares_group);
}

static void
of_network_page_init (OfNetworkPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* AdwPreferencesPage's "name" hides the widget's: give the widget the
   * page's name too, so tests and the GTK inspector find the page by it. */
  gtk_widget_set_name (GTK_WIDGET (self), adw_preferences_page_get_name (ADW_PREFERENCES_PAGE (self)));
}
