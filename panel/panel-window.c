/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* panel-window.c — see panel-window.h. */
#include "config.h"

#include "escape.h"
#include "page-network.h"
#include "page-schedule.h"
#include "page-shares.h"
#include "page-status.h"
#include "panel-window.h"

struct _OfPanelWindow
{
  AdwPreferencesWindow  parent_instance;
  OfStatusPage         *status_page;
  OfSchedulePage       *schedule_page;
  OfNetworkPage        *network_page;
  OfSharesPage         *shares_page;
};

G_DEFINE_TYPE (OfPanelWindow, of_panel_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
of_panel_window_class_init (OfPanelWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (OF_TYPE_STATUS_PAGE);
  g_type_ensure (OF_TYPE_SCHEDULE_PAGE);
  g_type_ensure (OF_TYPE_NETWORK_PAGE);
  g_type_ensure (OF_TYPE_SHARES_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/panel-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OfPanelWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, OfPanelWindow, schedule_page);
  gtk_widget_class_bind_template_child (widget_class, OfPanelWindow, network_page);
  gtk_widget_class_bind_template_child (widget_class, OfPanelWindow, shares_page);
}

static void
of_panel_window_init (OfPanelWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

OfPanelWindow *
of_panel_window_new (GtkApplication *application,
                     OfPanelModel   *model)
{
  OfPanelWindow *self = g_object_new (OF_TYPE_PANEL_WINDOW, "application", application, NULL);

  of_status_page_set_model (self->status_page, model);
  of_schedule_page_set_model (self->schedule_page, model);
  of_network_page_set_model (self->network_page, model);
  of_shares_page_set_model (self->shares_page, model);
  return self;
}

void
of_panel_window_toast (GtkWidget  *widget,
                       const char *message)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *safe = of_escape_text (message);
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_debug ("toast: %s", safe);
  if (!ADW_IS_PREFERENCES_WINDOW (root))
    return;
  /* A toast's title is Pango markup; the daemon's words are text. */
  markup = g_markup_escape_text (safe, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 10);
  /* The latest refusal is the one the person is looking for: show it now,
   * not after the toasts before it. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (root), "of-last-toast", g_object_ref (toast), g_object_unref);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), toast);
}

AdwToast *
of_panel_window_get_last_toast (GtkWidget *window)
{
  g_return_val_if_fail (GTK_IS_WIDGET (window), NULL);
  return g_object_get_data (G_OBJECT (window), "of-last-toast");
}
