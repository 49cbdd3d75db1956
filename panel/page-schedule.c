/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-schedule.c — see page-schedule.h. */
#include "config.h"

#include "daemon-banner.h"
#include "page-schedule.h"
#include "setting-row.h"

struct _OfSchedulePage
{
  AdwPreferencesPage   parent_instance;
  OfDaemonBanner      *banner;
  AdwPreferencesGroup *interval_group;
  AdwPreferencesGroup *blockout_group;
  AdwPreferencesGroup *shares_group;
  OfPanelModel        *model;
  GtkWidget           *rows[OF_N_SETTINGS];
};

G_DEFINE_TYPE (OfSchedulePage, of_schedule_page, ADW_TYPE_PREFERENCES_PAGE)

static void
refresh (OfSchedulePage *self)
{
  gboolean running = of_panel_model_get_running (self->model);

  gtk_widget_set_sensitive (GTK_WIDGET (self->interval_group), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->blockout_group), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->shares_group), running);
  for (guint i = 0; i < OF_N_SETTINGS; i++)
    if (self->rows[i] != NULL)
      of_setting_row_refresh (OF_SETTING_ROW (self->rows[i]));
}

void
of_schedule_page_set_model (OfSchedulePage *self,
                            OfPanelModel   *model)
{
  static const struct {
    OfSettingId id;
    gsize       group;  /* offset of the group in OfSchedulePage */
  } layout[] = {
    { OF_SETTING_SYNC_INTERVAL, G_STRUCT_OFFSET (OfSchedulePage, interval_group) },
    { OF_SETTING_SYNC_VARIANCE, G_STRUCT_OFFSET (OfSchedulePage, interval_group) },
    { OF_SETTING_MAX_TIME_BETWEEN_SYNCS, G_STRUCT_OFFSET (OfSchedulePage, interval_group) },
    { OF_SETTING_BLOCK_OUT_START, G_STRUCT_OFFSET (OfSchedulePage, blockout_group) },
    { OF_SETTING_BLOCK_OUT_DURATION, G_STRUCT_OFFSET (OfSchedulePage, blockout_group) },
    { OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, G_STRUCT_OFFSET (OfSchedulePage, shares_group) },
  };

  g_return_if_fail (OF_IS_SCHEDULE_PAGE (self));
  g_return_if_fail (self->model == NULL);
  /* The six of org.offlinefiles.BackgroundSync; the machine
   * configuration has a page of its own. */
  G_STATIC_ASSERT (G_N_ELEMENTS (layout) == OF_SETTING_SYNC_ON_COSTED_NETWORK_ENABLED);

  self->model = g_object_ref (model);
  of_daemon_banner_set_model (self->banner, model);
  for (guint i = 0; i < G_N_ELEMENTS (layout); i++)
    {
      AdwPreferencesGroup *group = G_STRUCT_MEMBER (AdwPreferencesGroup *, self, layout[i].group);
      self->rows[layout[i].id] = of_setting_row_new (model, layout[i].id);
      adw_preferences_group_add (group, self->rows[layout[i].id]);
    }
  g_signal_connect_object (model, "changed", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
  refresh (self);
}

static void
of_schedule_page_dispose (GObject *object)
{
  g_clear_object (&OF_SCHEDULE_PAGE (object)->model);
  G_OBJECT_CLASS (of_schedule_page_parent_class)->dispose (object);
}

static void
of_schedule_page_class_init (OfSchedulePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_schedule_page_dispose;
  g_type_ensure (OF_TYPE_DAEMON_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/page-schedule.ui");
  gtk_widget_class_bind_template_child (widget_class, OfSchedulePage, banner);
  gtk_widget_class_bind_template_child (widget_class, OfSchedulePage, interval_group);
  gtk_widget_class_bind_template_child (widget_class, OfSchedulePage, blockout_group);
  gtk_widget_class_bind_template_child (widget_class, OfSchedulePage, shares_group);
}

static void
of_schedule_page_init (OfSchedulePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* AdwPreferencesPage's "name" hides the widget's: give the widget the
   * page's name too, so tests and the GTK inspector find the page by it. */
  gtk_widget_set_name (GTK_WIDGET (self), adw_preferences_page_get_name (ADW_PREFERENCES_PAGE (self)));
}
