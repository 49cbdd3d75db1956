/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-status.c — see page-status.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "daemon-banner.h"
#include "escape.h"
#include "page-status.h"
#include "panel-window.h"
#include "time-format.h"

/* How many planned syncs the page lists. */
#define OF_STATUS_PLAN_LENGTH 5

struct _OfStatusPage
{
  AdwPreferencesPage   parent_instance;
  OfDaemonBanner      *banner;
  AdwPreferencesGroup *state_group;
  AdwPreferencesGroup *sync_group;
  AdwPreferencesGroup *plan_group;
  AdwActionRow        *state_row;
  GtkLabel            *state_label;
  AdwActionRow        *last_row;
  AdwActionRow        *next_row;
  AdwActionRow        *sync_row;
  GtkButton           *sync_button;
  GtkButton           *cancel_button;
  GtkProgressBar      *progress;
  OfPanelModel        *model;
  GCancellable        *cancellable;   /* the PreviewSchedule in flight */
  GPtrArray           *plan_rows;
  GVariant            *plan;          /* PreviewSchedule's last answer */
  guint                clock_id;      /* redraws "in 5min" while shown */
  guint64              plan_for;      /* the NextSyncTime the plan was read for */
  gboolean             plan_stale;
};

G_DEFINE_TYPE (OfStatusPage, of_status_page, ADW_TYPE_PREFERENCES_PAGE)

/* The words of common/enums.h as people read them. */
static const char *
describe_word (const char *word)
{
  static const struct {
    const char *word;
    const char *text;
  } words[] = {
    { "idle", N_("Idle") },
    { "syncing", N_("Synchronizing") },
    { "blocked-out", N_("In the blocked time") },
    { "deferred", N_("Held back") },
    { "disabled", N_("Off: no sync starts on its own") },
    { "success", N_("Succeeded") },
    { "partial", N_("Partly succeeded") },
    { "failed", N_("Failed") },
    { "cancelled", N_("Cancelled") },
    { "scheduled", N_("Scheduled") },
    { "overdue", N_("Overdue: the longest time between syncs has passed") },
    { "catch-up", N_("Catching up: due while the computer was off") },
    { "manual", N_("Started by hand") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (words[i].word, word) == 0)
      return _(words[i].text);
  return NULL;
}

/* DeferReason in words (docs/behaviour.md §14); NULL for one we do not know. */
static const char *
describe_defer_reason (const char *reason)
{
  if (g_strcmp0 (reason, "costed-network") == 0)
    return _("Waiting: the network is metered");
  if (g_strcmp0 (reason, "on-battery") == 0)
    return _("Waiting: the computer is on battery");
  return NULL;
}

/* A word from the bus: ours translated, anything else shown safely. */
static char *
show_word (const char *word)
{
  const char *text = describe_word (word);

  return text ? g_strdup (text) : of_escape_text (word ? word : "");
}

static char *
show_time (guint64 usec, const char *never)
{
  g_autofree char *local = NULL;
  g_autofree char *relative = NULL;

  if (usec == 0)
    return g_strdup (never);
  local = of_format_local_time (usec);
  relative = of_format_relative (usec, (guint64) g_get_real_time ());
  return g_strdup_printf ("%s (%s)", local, relative);
}

static void
clear_plan (OfStatusPage *self)
{
  for (guint i = 0; i < self->plan_rows->len; i++)
    adw_preferences_group_remove (self->plan_group, self->plan_rows->pdata[i]);
  g_ptr_array_set_size (self->plan_rows, 0);
}

static void
show_plan (OfStatusPage *self)
{
  GVariantIter iter;
  guint64 start;
  const char *reason;
  const char *note;

  clear_plan (self);
  if (self->plan == NULL)
    return;
  g_variant_iter_init (&iter, self->plan);
  while (g_variant_iter_next (&iter, "(t&s&s)", &start, &reason, &note))
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *when = show_time (start, "");
      g_autofree char *why = show_word (reason);
      g_autofree char *safe_note = of_escape_text (note);
      g_autofree char *subtitle = *note ? g_strdup_printf ("%s — %s", why, safe_note) : g_strdup (why);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), when);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_group_add (self->plan_group, row);
      g_ptr_array_add (self->plan_rows, row);
    }
}

static void
on_plan (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) plan = NULL;
  OfStatusPage *self;

  if (!of_dbus_background_sync_call_preview_schedule_finish (OF_DBUS_BACKGROUND_SYNC (source),
                                                             &plan, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("PreviewSchedule failed: %s", error->message);
    }
  self = OF_STATUS_PAGE (user_data);
  g_clear_pointer (&self->plan, g_variant_unref);
  self->plan = g_steal_pointer (&plan);
  show_plan (self);
}

static void
read_plan (OfStatusPage *self)
{
  OfDBusBackgroundSync *proxy = of_panel_model_get_proxy (self->model);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (proxy == NULL || !of_panel_model_get_running (self->model))
    {
      g_clear_pointer (&self->plan, g_variant_unref);
      clear_plan (self);
      return;
    }
  self->cancellable = g_cancellable_new ();
  of_dbus_background_sync_call_preview_schedule (proxy, OF_STATUS_PLAN_LENGTH, self->cancellable,
                                                 on_plan, self);
}

static void
refresh (OfStatusPage *self)
{
  OfDBusBackgroundSync *proxy = of_panel_model_get_proxy (self->model);
  gboolean running = of_panel_model_get_running (self->model);
  g_autofree char *state = NULL;
  g_autofree char *last = NULL;
  g_autofree char *next = NULL;
  guint64 next_time;

  gtk_widget_set_sensitive (GTK_WIDGET (self->state_group), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_group), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->plan_group), running);
  /* The buttons' own sensitivity too, for assistive technology. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), running);
  if (proxy == NULL || !running)
    {
      gtk_label_set_text (self->state_label, _("Not running"));
      adw_action_row_set_subtitle (self->state_row, "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
      self->plan_for = 0;
      g_clear_pointer (&self->plan, g_variant_unref);
      clear_plan (self);
      return;
    }

  state = show_word (of_dbus_background_sync_get_state (proxy));
  gtk_label_set_text (self->state_label, state);
  /* Held back: say why, and that a sync by hand is not (SPEC 12.3). */
  if (g_strcmp0 (of_dbus_background_sync_get_state (proxy), "deferred") == 0)
    {
      const char *why = describe_defer_reason (of_dbus_background_sync_get_defer_reason (proxy));
      /* A reason we do not know (or none yet): no "this" to end. */
      g_autofree char *text = why ? g_strdup_printf ("%s\n%s", why,
                                                     _("The due sync starts as soon as this ends. Sync Now still works."))
                                  : g_strdup (_("Sync Now still works."));

      adw_action_row_set_subtitle (self->state_row, text);
    }
  else
    adw_action_row_set_subtitle (self->state_row, "");

  if (of_dbus_background_sync_get_last_sync_start_time (proxy) != 0)
    {
      g_autofree char *when = show_time (of_dbus_background_sync_get_last_sync_start_time (proxy), "");
      g_autofree char *result = show_word (of_dbus_background_sync_get_last_sync_result (proxy));
      last = g_strdup_printf ("%s — %s", result, when);
    }
  adw_action_row_set_subtitle (self->last_row, last ? last : _("Never"));

  next_time = of_dbus_background_sync_get_next_sync_time (proxy);
  next = show_time (next_time, _("None planned"));
  adw_action_row_set_subtitle (self->next_row, next);

  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button),
                            of_dbus_background_sync_get_current_sync_id (proxy) != 0);
  /* A sync that ran before the window opened: its next SyncProgress
   * moves the bar. */
  if (of_dbus_background_sync_get_current_sync_id (proxy) != 0
      && !gtk_widget_get_visible (GTK_WIDGET (self->progress)))
    {
      gtk_progress_bar_set_fraction (self->progress, 0.0);
      gtk_progress_bar_set_text (self->progress, _("Synchronizing…"));
      gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
    }

  /* The plan follows the settings and the last sync, all of which move
   * NextSyncTime; read it again only then (or after the daemon came back). */
  if (next_time != self->plan_for || self->plan_stale)
    {
      self->plan_for = next_time;
      self->plan_stale = FALSE;
      read_plan (self);
    }
}

static void
on_sync_signal (OfStatusPage *self, const char *name, GVariant *parameters)
{
  guint64 id;

  if (g_str_equal (name, "SyncStarted") && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ts)")))
    {
      const char *reason;
      g_autofree char *why = NULL;

      g_variant_get (parameters, "(t&s)", &id, &reason);
      why = show_word (reason);
      gtk_progress_bar_set_fraction (self->progress, 0.0);
      gtk_progress_bar_set_text (self->progress, why);
      gtk_widget_set_visible (GTK_WIDGET (self->progress), TRUE);
      adw_action_row_set_subtitle (self->sync_row, _("Synchronizing…"));
    }
  else if (g_str_equal (name, "SyncProgress") && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(tuus)")))
    {
      guint done;
      guint total;
      const char *share;
      g_autofree char *safe_share = NULL;
      g_autofree char *text = NULL;

      g_variant_get (parameters, "(tuu&s)", &id, &done, &total, &share);
      safe_share = of_escape_text (share);
      /* TRANSLATORS: shares done, shares in all, the last share's name */
      text = g_strdup_printf (_("%u of %u shares (%s)"), done, total, safe_share);
      gtk_progress_bar_set_fraction (self->progress, total ? (double) MIN (done, total) / total : 1.0);
      gtk_progress_bar_set_text (self->progress, text);
    }
  else if (g_str_equal (name, "SyncFinished") && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(tss)")))
    {
      const char *result;
      const char *message;
      g_autofree char *word = NULL;
      g_autofree char *safe_message = NULL;

      g_variant_get (parameters, "(t&s&s)", &id, &result, &message);
      word = show_word (result);
      safe_message = of_escape_text (message);
      gtk_progress_bar_set_fraction (self->progress, 1.0);
      gtk_progress_bar_set_text (self->progress, word);
      adw_action_row_set_subtitle (self->sync_row, safe_message);
    }
}

static void
on_called (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(OfStatusPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (self->model, result, &error);

  if (reply == NULL)
    {
      g_autofree char *message = of_panel_error_message (error);
      of_panel_window_toast (GTK_WIDGET (self), message);
    }
}

static void
on_sync_clicked (OfStatusPage *self)
{
  of_panel_model_call (self->model, "SyncNow", NULL, NULL, on_called, g_object_ref (self));
}

static void
on_cancel_clicked (OfStatusPage *self)
{
  of_panel_model_call (self->model, "Cancel", NULL, NULL, on_called, g_object_ref (self));
}

/* Relative times ("in 5min") age: redraw them twice a minute, only while
 * the page is on screen. */
static gboolean
on_clock (gpointer user_data)
{
  OfStatusPage *self = user_data;

  if (self->model == NULL)
    return G_SOURCE_CONTINUE;
  refresh (self);
  show_plan (self);
  return G_SOURCE_CONTINUE;
}

static void
on_map (OfStatusPage *self)
{
  if (self->clock_id == 0)
    self->clock_id = g_timeout_add_seconds (30, on_clock, self);
  on_clock (self);
}

static void
on_unmap (OfStatusPage *self)
{
  g_clear_handle_id (&self->clock_id, g_source_remove);
}

static void
on_running (OfStatusPage *self)
{
  /* Whatever the daemon planned before it went away is old news. */
  self->plan_stale = TRUE;
}

void
of_status_page_set_model (OfStatusPage *self,
                          OfPanelModel *model)
{
  g_return_if_fail (OF_IS_STATUS_PAGE (self));
  g_return_if_fail (self->model == NULL);

  self->model = g_object_ref (model);
  of_daemon_banner_set_model (self->banner, model);
  g_signal_connect_object (model, "notify::running", G_CALLBACK (on_running), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "changed", G_CALLBACK (refresh), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "sync-signal", G_CALLBACK (on_sync_signal), self, G_CONNECT_SWAPPED);
  refresh (self);
}

static void
of_status_page_dispose (GObject *object)
{
  OfStatusPage *self = OF_STATUS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_pointer (&self->plan, g_variant_unref);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (of_status_page_parent_class)->dispose (object);
}

static void
of_status_page_finalize (GObject *object)
{
  g_ptr_array_unref (OF_STATUS_PAGE (object)->plan_rows);
  G_OBJECT_CLASS (of_status_page_parent_class)->finalize (object);
}

static void
of_status_page_class_init (OfStatusPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = of_status_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = of_status_page_finalize;
  g_type_ensure (OF_TYPE_DAEMON_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/offlinefiles/Settings/page-status.ui");
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, banner);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, state_group);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, sync_group);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, plan_group);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, state_row);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, last_row);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, next_row);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, sync_row);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, OfStatusPage, progress);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
of_status_page_init (OfStatusPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* AdwPreferencesPage's "name" hides the widget's: give the widget the
   * page's name too, so tests and the GTK inspector find the page by it. */
  gtk_widget_set_name (GTK_WIDGET (self), adw_preferences_page_get_name (ADW_PREFERENCES_PAGE (self)));
  self->plan_rows = g_ptr_array_new ();
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), NULL);
}
