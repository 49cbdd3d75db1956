/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-row.c — see share-row.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "conflicts-dialog.h"
#include "enums.h"
#include "escape.h"
#include "names.h"
#include "panel-window.h"
#include "share-row.h"
#include "time-format.h"

struct _OfShareRow
{
  AdwActionRow  parent_instance;
  GtkSwitch    *work_offline;
  GtkButton    *conflicts;
  GtkWidget    *sync;
  GtkWidget    *remove;
  OfPanelModel *model;
  OfDBusShare  *share;
  guint         in_flight;
  guint         refreshing;
  GtkWidget    *check_connection;
};

G_DEFINE_TYPE (OfShareRow, of_share_row, ADW_TYPE_ACTION_ROW)

static const char *
or_empty (const char *text)
{
  return text ? text : "";
}

static const char *
describe_result (const char *result)
{
  if (g_strcmp0 (result, "success") == 0)
    return _("Synchronized");
  if (g_strcmp0 (result, "partial") == 0)
    return _("Partly synchronized");
  if (g_strcmp0 (result, "failed") == 0)
    return _("Failed");
  if (g_strcmp0 (result, "cancelled") == 0)
    return _("Cancelled");
  if (g_strcmp0 (result, "skipped") == 0)
    return _("Skipped");
  return NULL;
}

/* ConnectState and OfflineReason in words (docs/behaviour.md §14). */
static char *
describe_connection (guint state, guint reason)
{
  const char *why;

  if (state == OF_CONNECT_ONLINE)
    return g_strdup (_("Online"));
  if (state != OF_CONNECT_OFFLINE)
    return g_strdup (_("Connection not checked yet"));
  switch (reason)
    {
    case OF_OFFLINE_WORKING_OFFLINE:
      why = _("working offline");
      break;
    case OF_OFFLINE_SLOW:
      why = _("slow connection");
      break;
    case OF_OFFLINE_DISCONNECTED:
      why = _("disconnected");
      break;
    case OF_OFFLINE_NOT_MOUNTED:
      why = _("not mounted");
      break;
    case OF_OFFLINE_NOT_RESPONDING:
      why = _("not responding");
      break;
    default:
      return g_strdup (_("Offline"));
    }
  /* TRANSLATORS: a share's connection state and why, e.g. "Offline (disconnected)" */
  return g_strdup_printf (_("Offline (%s)"), why);
}

static void
refresh (OfShareRow *self)
{
  g_autofree char *name = of_escape_text (or_empty (of_dbus_share_get_name (self->share)));
  g_autofree char *user = of_escape_text (or_empty (of_dbus_share_get_user (self->share)));
  g_autofree char *message = of_escape_text (or_empty (of_dbus_share_get_last_message (self->share)));
  const char *result = of_dbus_share_get_last_result (self->share);
  guint conflicts = of_dbus_share_get_conflict_count (self->share);
  guint64 last = of_dbus_share_get_last_sync_time (self->share);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
  g_string_append_printf (subtitle, _("User %s"), user);
  if (!of_dbus_share_get_enabled (self->share))
    g_string_append_printf (subtitle, " · %s", _("Disabled"));
  {
    g_autofree char *connection = describe_connection (of_dbus_share_get_connect_state (self->share),
                                                       of_dbus_share_get_offline_reason (self->share));
    g_string_append_printf (subtitle, " · %s", connection);
  }
  if (last != 0)
    {
      g_autofree char *when = of_format_local_time (last);
      const char *word = describe_result (result);
      g_autofree char *safe_result = word ? NULL : of_escape_text (or_empty (result));
      g_string_append_printf (subtitle, " · %s, %s", word ? word : safe_result, when);
    }
  else
    g_string_append_printf (subtitle, " · %s", _("Never synchronized"));
  if (conflicts > 0)
    {
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts", conflicts),
                                                conflicts);
      /* The button says it; the last message may say it too. */
      gtk_button_set_label (self->conflicts, count);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->conflicts), conflicts > 0);
  gtk_widget_set_sensitive (self->sync, of_dbus_share_get_enabled (self->share));
  if (*message)
    g_string_append_printf (subtitle, "\n%s", message);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);

  if (self->in_flight == 0)
    {
      self->refreshing++;
      gtk_switch_set_active (self->work_offline, of_dbus_share_get_work_offline (self->share));
      self->refreshing--;
    }
}

/* Probe()'s answer in a toast; the subtitle follows PropertiesChanged. */
static void
on_probed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(OfShareRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (self->model, result, &error);
  g_autofree char *message = NULL;

  gtk_widget_set_sensitive (self->check_connection, TRUE);
  if (reply != NULL && g_variant_is_of_type (reply, G_VARIANT_TYPE ("(uu)")))
    {
      g_autofree char *name = of_escape_text (or_empty (of_dbus_share_get_name (self->share)));
      g_autofree char *connection = NULL;
      guint state;
      guint reason;

      g_variant_get (reply, "(uu)", &state, &reason);
      connection = describe_connection (state, reason);
      /* TRANSLATORS: a share's name and its connection state, after "Check connection" */
      message = g_strdup_printf (_("%s: %s"), name, connection);
    }
  else if (reply == NULL)
    message = of_panel_error_message (error);
  if (message != NULL)
    of_panel_window_toast (GTK_WIDGET (self), message);
}

/* A probe may take up to its hard limit (SlowLinkProbeTimeoutSec): one at
 * a time from this row. */
static void
on_check_connection (OfShareRow *self)
{
  gtk_widget_set_sensitive (self->check_connection, FALSE);
  of_panel_model_call_share (self->model, g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->share)),
                             "Probe", NULL, NULL, on_probed, g_object_ref (self));
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(OfShareRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (self->model, result, &error);

  self->in_flight--;
  if (reply == NULL)
    {
      g_autofree char *message = of_panel_error_message (error);
      of_panel_window_toast (GTK_WIDGET (self), message);
    }
  refresh (self);
}

static void
on_work_offline (OfShareRow *self)
{
  gboolean active = gtk_switch_get_active (self->work_offline);

  if (self->refreshing > 0 || active == of_dbus_share_get_work_offline (self->share))
    return;
  self->in_flight++;
  of_panel_model_set_property (self->model, g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->share)),
                               OF_INTERFACE_SHARE, "WorkOffline", g_variant_new_boolean (active),
                               NULL, on_written, g_object_ref (self));
}

/* A failed call of the row's buttons: the daemon's words in a toast. */
static void
on_called (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GtkWidget) widget = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (OF_PANEL_MODEL (source), result, &error);

  if (reply == NULL)
    {
      g_autofree char *message = of_panel_error_message (error);
      of_panel_window_toast (widget, message);
    }
}

static void
on_sync (OfShareRow *self)
{
  of_panel_model_call_share (self->model, g_dbus_proxy_get_object_path (G_DBUS_PROXY (self->share)),
                             "SyncNow", NULL, NULL, on_called, g_object_ref (self));
}

static void
on_conflicts (OfShareRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  OfConflictsDialog *dialog = of_conflicts_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       self->model, self->share);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* The toast goes to the panel's window: the row itself is gone once the
 * share is. */
static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  OfShareRow *self = OF_SHARE_ROW (user_data);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));

  if (g_strcmp0 (response, "remove") != 0 || self->share == NULL)
    return;
  of_panel_model_call (self->model, "RemoveShare",
                       g_variant_new ("(s)", or_empty (of_dbus_share_get_name (self->share))),
                       NULL, on_called, g_object_ref (parent ? GTK_WIDGET (parent) : GTK_WIDGET (self)));
}

static void
on_remove (OfShareRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = of_escape_text (or_empty (of_dbus_share_get_name (self->share)));
  g_autofree char *heading = g_strdup_printf (_("Remove share %s?"), name);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("It will no longer be kept offline. Both folders and every file in them stay as they are."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_widget_set_name (dialog, "remove-share");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
of_share_row_dispose (GObject *object)
{
  OfShareRow *self = OF_SHARE_ROW (object);

  g_clear_object (&self->share);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (of_share_row_parent_class)->dispose (object);
}

static void
of_share_row_class_init (OfShareRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_share_row_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/share-row.ui");
  gtk_widget_class_bind_template_child (widget_class, OfShareRow, check_connection);
  gtk_widget_class_bind_template_callback (widget_class, on_check_connection);
  gtk_widget_class_bind_template_child (widget_class, OfShareRow, work_offline);
  gtk_widget_class_bind_template_child (widget_class, OfShareRow, conflicts);
  gtk_widget_class_bind_template_child (widget_class, OfShareRow, sync);
  gtk_widget_class_bind_template_child (widget_class, OfShareRow, remove);
  gtk_widget_class_bind_template_callback (widget_class, on_work_offline);
  gtk_widget_class_bind_template_callback (widget_class, on_sync);
  gtk_widget_class_bind_template_callback (widget_class, on_conflicts);
  gtk_widget_class_bind_template_callback (widget_class, on_remove);
}

static void
of_share_row_init (OfShareRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
of_share_row_new (OfPanelModel *model,
                  OfDBusObject *object)
{
  OfShareRow *self = g_object_new (OF_TYPE_SHARE_ROW, NULL);
  g_autofree char *accessible = NULL;
  g_autofree char *sync_label = NULL;
  g_autofree char *remove_label = NULL;

  self->model = g_object_ref (model);
  self->share = of_dbus_object_get_share (object);
  g_return_val_if_fail (self->share != NULL, GTK_WIDGET (self));
  /* Tests and assistive technology find a share's row by its name. */
  gtk_widget_set_name (GTK_WIDGET (self), of_dbus_share_get_name (self->share));
  /* The icon button says what it does, and to which share. */
  {
    g_autofree char *check_label = g_strdup_printf (_("Check connection: %s"), of_dbus_share_get_name (self->share));

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->check_connection), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    check_label, -1);
  }
  accessible = g_strdup_printf (_("Work offline: %s"), of_dbus_share_get_name (self->share));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->work_offline), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible, -1);
  /* The icon buttons say what they do, and to which share. */
  sync_label = g_strdup_printf (_("Sync now: %s"), of_dbus_share_get_name (self->share));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sync), GTK_ACCESSIBLE_PROPERTY_LABEL, sync_label, -1);
  remove_label = g_strdup_printf (_("Remove: %s"), of_dbus_share_get_name (self->share));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  /* After the generated class handler, as in panel-model.c. */
  g_signal_connect_object (self->share, "g-properties-changed", G_CALLBACK (refresh), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  refresh (self);
  return GTK_WIDGET (self);
}
