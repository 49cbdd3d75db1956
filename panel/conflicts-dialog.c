/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conflicts-dialog.c — see conflicts-dialog.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "conflicts-dialog.h"
#include "escape.h"
#include "panel-window.h"

struct _OfConflictsDialog
{
  AdwPreferencesWindow  parent_instance;
  AdwPreferencesGroup  *all_group;
  AdwPreferencesGroup  *list_group;
  AdwComboRow          *all;
  GtkWidget            *empty_row;
  GtkWidget            *resolve;
  GtkStringList        *choices;
  OfPanelModel         *model;
  OfDBusShare          *share;
  GCancellable         *cancellable;
  GPtrArray            *rows;       /* AdwComboRow, in path order */
  GPtrArray            *paths;      /* char *, the daemon's spelling, parallel to rows */
  gboolean              busy;
};

G_DEFINE_TYPE (OfConflictsDialog, of_conflicts_dialog, ADW_TYPE_PREFERENCES_WINDOW)

/* The daemon's spelling of each OfConflictChoice. */
static const char * const hows[] = { "keep-local", "keep-remote", "keep-latest", "keep-both", "skip" };

static const char *
describe_reason (const char *reason)
{
  if (g_strcmp0 (reason, "both-changed") == 0)
    return _("Changed here and on the server");
  if (g_strcmp0 (reason, "changed-deleted") == 0)
    return _("Changed here, deleted on the server");
  if (g_strcmp0 (reason, "deleted-changed") == 0)
    return _("Deleted here, changed on the server");
  if (g_strcmp0 (reason, "type-changed") == 0)
    return _("A file on one side, a folder or link on the other");
  return NULL;
}

/* "18 bytes, 2026-11-30 08:20", or "deleted" for a side with neither. */
static char *
describe_side (GVariant   *details,
               const char *size_key,
               const char *time_key)
{
  guint64 size;
  guint64 usec;
  gboolean has_size = g_variant_lookup (details, size_key, "t", &size);
  gboolean has_time = g_variant_lookup (details, time_key, "t", &usec);
  g_autofree char *size_text = has_size ? g_format_size_full (size, G_FORMAT_SIZE_LONG_FORMAT) : NULL;
  g_autofree char *time_text = NULL;

  if (has_time)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc ((gint64) (usec / G_USEC_PER_SEC));
      g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
      time_text = local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;
    }
  if (size_text && time_text)
    return g_strdup_printf ("%s, %s", size_text, time_text);
  if (size_text || time_text)
    return g_strdup (size_text ? size_text : time_text);
  return g_strdup (_("deleted"));
}

static void
clear_rows (OfConflictsDialog *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->list_group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->paths, 0);
}

static void
add_row (OfConflictsDialog *self,
         const char        *path,
         GVariant          *details)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autofree char *title = of_escape_text (path);
  const char *reason = NULL;
  const char *reason_text;
  g_autofree char *safe_reason = NULL;
  g_autofree char *local = describe_side (details, "LocalSize", "LocalModified");
  g_autofree char *remote = describe_side (details, "RemoteSize", "RemoteModified");
  g_autofree char *subtitle = NULL;

  g_variant_lookup (details, "Reason", "&s", &reason);
  reason_text = describe_reason (reason);
  if (reason_text == NULL)
    reason_text = safe_reason = of_escape_text (reason ? reason : "");
  /* TRANSLATORS: the reason of a conflict, then what each side holds. */
  subtitle = g_strdup_printf (_("%s\nThis computer: %s · Server: %s"), reason_text, local, remote);
  /* File names are text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (self->choices));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), adw_combo_row_get_selected (self->all));
  gtk_widget_set_name (row, path);
  adw_preferences_group_add (self->list_group, row);
  g_ptr_array_add (self->rows, row);
  g_ptr_array_add (self->paths, g_strdup (path));
}

static void
update_sensitivity (OfConflictsDialog *self)
{
  gboolean open = FALSE;

  for (guint i = 0; i < self->rows->len; i++)
    open |= gtk_widget_get_sensitive (self->rows->pdata[i]);
  gtk_widget_set_sensitive (self->resolve, open && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->all), open && !self->busy);
  gtk_widget_set_visible (self->empty_row, self->rows->len == 0);
}

static void
on_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (OF_PANEL_MODEL (source), result, &error);
  OfConflictsDialog *self;
  g_autoptr(GVariantIter) iter = NULL;
  const char *path;
  GVariant *details;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = OF_CONFLICTS_DIALOG (user_data);
  self->busy = FALSE;
  clear_rows (self);
  if (reply == NULL)
    {
      g_autofree char *message = of_panel_error_message (error);
      g_autofree char *safe = of_escape_text (message);

      /* Not "No conflicts": the list is unknown, and the row says why. */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("Could not list the conflicts"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->empty_row), safe);
      of_panel_window_toast (GTK_WIDGET (self), message);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("No conflicts"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->empty_row), "");
      g_variant_get (reply, "(a(sa{sv}))", &iter);
      while (g_variant_iter_next (iter, "(&s@a{sv})", &path, &details))
        {
          add_row (self, path, details);
          g_variant_unref (details);
        }
    }
  update_sensitivity (self);
}

static void
reload (OfConflictsDialog *self)
{
  self->busy = TRUE;
  update_sensitivity (self);
  of_panel_model_call_share (self->model, g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->share)),
                             "ListConflicts", NULL, self->cancellable, on_listed, self);
}

static void
on_all_selected (OfConflictsDialog *self)
{
  guint choice = adw_combo_row_get_selected (self->all);

  for (guint i = 0; i < self->rows->len; i++)
    if (gtk_widget_get_sensitive (self->rows->pdata[i]))
      adw_combo_row_set_selected (self->rows->pdata[i], choice);
}

/* Each row shows what became of it; a resolved one can no longer be chosen. */
static void
on_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (OF_PANEL_MODEL (source), result, &error);
  OfConflictsDialog *self;
  g_autoptr(GVariantIter) iter = NULL;
  const char *path;
  const char *status;
  const char *message;
  guint failed = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = OF_CONFLICTS_DIALOG (user_data);
  self->busy = FALSE;
  if (reply == NULL)
    {
      g_autofree char *text = of_panel_error_message (error);
      of_panel_window_toast (GTK_WIDGET (self), text);
      update_sensitivity (self);
      return;
    }
  g_variant_get (reply, "(a(sss))", &iter);
  while (g_variant_iter_next (iter, "(&s&s&s)", &path, &status, &message))
    {
      g_autofree char *safe = of_escape_text (message);
      g_autofree char *line = NULL;
      GtkWidget *row = NULL;

      for (guint i = 0; i < self->paths->len && row == NULL; i++)
        if (g_str_equal (self->paths->pdata[i], path))
          row = self->rows->pdata[i];
      if (row == NULL)
        continue;
      if (g_str_equal (status, "resolved"))
        {
          line = g_strdup (_("Resolved"));
          gtk_widget_set_sensitive (row, FALSE);
        }
      else if (g_str_equal (status, "skipped"))
        line = *safe ? g_strdup_printf (_("Skipped: %s"), safe) : g_strdup (_("Skipped"));
      else
        {
          g_autofree char *toast = g_strdup_printf ("%s: %s", path, message);
          line = g_strdup_printf (_("Failed: %s"), safe);
          of_panel_window_toast (GTK_WIDGET (self), toast);
          failed++;
        }
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), line);
    }
  g_debug ("resolution answered, %u failed", failed);
  update_sensitivity (self);
}

static void
on_resolve (OfConflictsDialog *self)
{
  g_auto(GVariantBuilder) choices = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a(ss)"));
  guint count = 0;

  for (guint i = 0; i < self->rows->len; i++)
    {
      guint choice = adw_combo_row_get_selected (self->rows->pdata[i]);

      if (!gtk_widget_get_sensitive (self->rows->pdata[i]) || choice >= G_N_ELEMENTS (hows))
        continue;
      g_variant_builder_add (&choices, "(ss)", self->paths->pdata[i], hows[choice]);
      count++;
    }
  if (count == 0)
    return;
  self->busy = TRUE;
  update_sensitivity (self);
  of_panel_model_call_share (self->model, g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->share)),
                             "ResolveConflicts", g_variant_new ("(@a(ss))", g_variant_builder_end (&choices)),
                             self->cancellable, on_resolved, self);
}

static void
of_conflicts_dialog_dispose (GObject *object)
{
  OfConflictsDialog *self = OF_CONFLICTS_DIALOG (object);

  /* A reply after the dialog went finds nothing to show; the daemon still
   * does what was asked. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->share);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (of_conflicts_dialog_parent_class)->dispose (object);
}

static void
of_conflicts_dialog_finalize (GObject *object)
{
  OfConflictsDialog *self = OF_CONFLICTS_DIALOG (object);

  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->paths);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (of_conflicts_dialog_parent_class)->finalize (object);
}

static void
of_conflicts_dialog_class_init (OfConflictsDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_conflicts_dialog_dispose;
  G_OBJECT_CLASS (klass)->finalize = of_conflicts_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/conflicts-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OfConflictsDialog, all_group);
  gtk_widget_class_bind_template_child (widget_class, OfConflictsDialog, list_group);
  gtk_widget_class_bind_template_child (widget_class, OfConflictsDialog, all);
  gtk_widget_class_bind_template_child (widget_class, OfConflictsDialog, empty_row);
  gtk_widget_class_bind_template_child (widget_class, OfConflictsDialog, resolve);
  gtk_widget_class_bind_template_child (widget_class, OfConflictsDialog, choices);
  gtk_widget_class_bind_template_callback (widget_class, on_resolve);
  gtk_widget_class_bind_template_callback (widget_class, on_all_selected);
}

static void
of_conflicts_dialog_init (OfConflictsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_ptr_array_new ();
  self->paths = g_ptr_array_new_with_free_func (g_free);
}

OfConflictsDialog *
of_conflicts_dialog_new (GtkWindow    *parent,
                         OfPanelModel *model,
                         OfDBusShare  *share)
{
  OfConflictsDialog *self = g_object_new (OF_TYPE_CONFLICTS_DIALOG, "transient-for", parent, NULL);
  g_autofree char *name = of_escape_text (of_dbus_share_get_name (share) ? of_dbus_share_get_name (share) : "");
  g_autofree char *title = g_strdup_printf (_("Conflicts in %s"), name);

  self->model = g_object_ref (model);
  self->share = g_object_ref (share);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_preferences_group_set_title (self->all_group, title);
  reload (self);
  return self;
}

GList *
of_conflicts_dialog_rows (OfConflictsDialog *self)
{
  GList *rows = NULL;

  g_return_val_if_fail (OF_IS_CONFLICTS_DIALOG (self), NULL);
  for (guint i = self->rows->len; i > 0; i--)
    rows = g_list_prepend (rows, self->rows->pdata[i - 1]);
  return rows;
}
