/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* add-share-dialog.c — see add-share-dialog.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "add-share-dialog.h"
#include "escape.h"
#include "panel-window.h"

struct _OfAddShareDialog
{
  AdwPreferencesWindow  parent_instance;
  AdwEntryRow          *name_row;
  AdwActionRow         *local_row;
  AdwActionRow         *remote_row;
  GtkWidget            *add;
  OfPanelModel         *model;
  GCancellable         *cancellable;
  GtkNativeDialog      *chooser;
  OfAddShareFolder      choosing;
  char                 *folders[2];   /* by OfAddShareFolder */
  gboolean              busy;
};

G_DEFINE_TYPE (OfAddShareDialog, of_add_share_dialog, ADW_TYPE_PREFERENCES_WINDOW)

static void
update_add (OfAddShareDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  gtk_widget_set_sensitive (self->add, !self->busy && name && *name
                            && self->folders[OF_ADD_SHARE_LOCAL] && self->folders[OF_ADD_SHARE_REMOTE]);
}

gboolean
of_add_share_dialog_set_folder (OfAddShareDialog *self,
                                OfAddShareFolder  which,
                                GFile            *folder)
{
  g_autofree char *path = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (OF_IS_ADD_SHARE_DIALOG (self), FALSE);
  g_return_val_if_fail (which <= OF_ADD_SHARE_REMOTE, FALSE);
  path = g_file_get_path (folder);
  if (path == NULL)
    {
      /* The daemon's user checks a path; a URI of GVfs is none. */
      of_panel_window_toast (GTK_WIDGET (self), _("Choose a folder that has a path on this computer"));
      return FALSE;
    }
  shown = of_escape_text (path);
  adw_action_row_set_subtitle (which == OF_ADD_SHARE_LOCAL ? self->local_row : self->remote_row, shown);
  g_free (self->folders[which]);
  self->folders[which] = g_steal_pointer (&path);
  update_add (self);
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  OfAddShareDialog *self = OF_ADD_SHARE_DIALOG (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (folder != NULL)
        of_add_share_dialog_set_folder (self, self->choosing, folder);
    }
  g_clear_object (&self->chooser);
}

static void
choose (OfAddShareDialog *self,
        OfAddShareFolder  which)
{
  const char *title = which == OF_ADD_SHARE_LOCAL ? _("Folder on This Computer") : _("Folder on the Server");
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (self->folders[which] != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (self->folders[which]);
      g_autoptr(GFile) parent = g_file_get_parent (current);
      if (parent != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), parent, NULL);
    }
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  self->choosing = which;
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (self->chooser);
}

static void
on_choose_local (OfAddShareDialog *self)
{
  choose (self, OF_ADD_SHARE_LOCAL);
}

static void
on_choose_remote (OfAddShareDialog *self)
{
  choose (self, OF_ADD_SHARE_REMOTE);
}

static void
on_added (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (OF_PANEL_MODEL (source), result, &error);
  OfAddShareDialog *self;
  GtkWindow *parent;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = OF_ADD_SHARE_DIALOG (user_data);
  self->busy = FALSE;
  if (reply == NULL)
    {
      message = of_panel_error_message (error);
      of_panel_window_toast (GTK_WIDGET (self), message);
      update_add (self);
      return;
    }
  name = of_escape_text (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  message = g_strdup_printf (_("Share %s added"), name);
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (parent != NULL)
    of_panel_window_toast (GTK_WIDGET (parent), message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_add (OfAddShareDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (self->busy || self->folders[OF_ADD_SHARE_LOCAL] == NULL || self->folders[OF_ADD_SHARE_REMOTE] == NULL)
    return;
  self->busy = TRUE;
  update_add (self);
  /* For the caller's own user: the daemon takes the user from the call. */
  of_panel_model_call (self->model, "AddShare",
                       g_variant_new ("(sssa{sv})", name, self->folders[OF_ADD_SHARE_LOCAL],
                                      self->folders[OF_ADD_SHARE_REMOTE], NULL),
                       self->cancellable, on_added, self);
}

static void
of_add_share_dialog_dispose (GObject *object)
{
  OfAddShareDialog *self = OF_ADD_SHARE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->model);
  G_OBJECT_CLASS (of_add_share_dialog_parent_class)->dispose (object);
}

static void
of_add_share_dialog_finalize (GObject *object)
{
  OfAddShareDialog *self = OF_ADD_SHARE_DIALOG (object);

  g_free (self->folders[OF_ADD_SHARE_LOCAL]);
  g_free (self->folders[OF_ADD_SHARE_REMOTE]);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (of_add_share_dialog_parent_class)->finalize (object);
}

static void
of_add_share_dialog_class_init (OfAddShareDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_add_share_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = of_add_share_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/add-share-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OfAddShareDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, OfAddShareDialog, local_row);
  gtk_widget_class_bind_template_child (widget_class, OfAddShareDialog, remote_row);
  gtk_widget_class_bind_template_child (widget_class, OfAddShareDialog, add);
  gtk_widget_class_bind_template_callback (widget_class, update_add);
  gtk_widget_class_bind_template_callback (widget_class, on_add);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_local);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_remote);
}

static void
of_add_share_dialog_init (OfAddShareDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

OfAddShareDialog *
of_add_share_dialog_new (GtkWindow    *parent,
                         OfPanelModel *model)
{
  OfAddShareDialog *self = g_object_new (OF_TYPE_ADD_SHARE_DIALOG, "transient-for", parent, NULL);

  self->model = g_object_ref (model);
  return self;
}
