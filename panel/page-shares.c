/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-shares.c — see page-shares.h. */
#include "config.h"

#include "add-share-dialog.h"
#include "daemon-banner.h"
#include "page-shares.h"
#include "share-row.h"

struct _OfSharesPage
{
  AdwPreferencesPage   parent_instance;
  OfDaemonBanner      *banner;
  AdwPreferencesGroup *shares_group;
  GtkWidget           *empty_row;
  OfPanelModel        *model;
  GPtrArray           *rows;
};

G_DEFINE_TYPE (OfSharesPage, of_shares_page, ADW_TYPE_PREFERENCES_PAGE)

/* Shares are few (files in shares.d): build the list again on each change
 * rather than keep two lists in step. */
static void
rebuild (OfSharesPage *self)
{
  g_autolist(OfDBusObject) shares = of_panel_model_list_shares (self->model);

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->shares_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
  for (GList *l = shares; l != NULL; l = l->next)
    {
      GtkWidget *row = of_share_row_new (self->model, l->data);
      adw_preferences_group_add (self->shares_group, row);
      g_ptr_array_add (self->rows, row);
    }
  gtk_widget_set_visible (self->empty_row, shares == NULL);
}

static void
on_add_share (OfSharesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  OfAddShareDialog *dialog = of_add_share_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                      self->model);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_running (OfSharesPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->shares_group), of_panel_model_get_running (self->model));
}

void
of_shares_page_set_model (OfSharesPage *self,
                          OfPanelModel *model)
{
  g_return_if_fail (OF_IS_SHARES_PAGE (self));
  g_return_if_fail (self->model == NULL);

  self->model = g_object_ref (model);
  of_daemon_banner_set_model (self->banner, model);
  g_signal_connect_object (model, "shares-changed", G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "notify::running", G_CALLBACK (on_running), self, G_CONNECT_SWAPPED);
  rebuild (self);
  on_running (self);
}

static void
of_shares_page_dispose (GObject *object)
{
  g_clear_object (&OF_SHARES_PAGE (object)->model);
  G_OBJECT_CLASS (of_shares_page_parent_class)->dispose (object);
}

static void
of_shares_page_finalize (GObject *object)
{
  g_ptr_array_unref (OF_SHARES_PAGE (object)->rows);
  G_OBJECT_CLASS (of_shares_page_parent_class)->finalize (object);
}

static void
of_shares_page_class_init (OfSharesPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_shares_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = of_shares_page_finalize;
  g_type_ensure (OF_TYPE_DAEMON_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/page-shares.ui");
  gtk_widget_class_bind_template_child (widget_class, OfSharesPage, banner);
  gtk_widget_class_bind_template_child (widget_class, OfSharesPage, shares_group);
  gtk_widget_class_bind_template_child (widget_class, OfSharesPage, empty_row);
  gtk_widget_class_bind_template_callback (widget_class, on_add_share);
}

static void
of_shares_page_init (OfSharesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* AdwPreferencesPage's "name" hides the widget's: give the widget the
   * page's name too, so tests and the GTK inspector find the page by it. */
  gtk_widget_set_name (GTK_WIDGET (self), adw_preferences_page_get_name (ADW_PREFERENCES_PAGE (self)));
  self->rows = g_ptr_array_new ();
}
