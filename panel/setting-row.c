/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* setting-row.c — see setting-row.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "escape.h"
#include "names.h"
#include "panel-window.h"
#include "setting-row.h"

/* After the last arrow click: the value is taken as complete. */
#define OF_SETTING_ROW_PAUSE_MS 800

struct _OfSettingRow
{
  AdwActionRow  parent_instance;
  OfPanelModel *model;
  OfSettingId   id;
  GtkWidget    *spin;      /* minutes; the hours of an HHMM */
  GtkWidget    *minutes;   /* the minutes of an HHMM */
  GtkWidget    *toggle;    /* a boolean */
  GtkWidget    *lock;
  char         *subtitle;
  guint         pause_id;
  guint         in_flight;
  guint         refreshing;
};

G_DEFINE_TYPE (OfSettingRow, of_setting_row, ADW_TYPE_ACTION_ROW)

typedef struct {
  const char *title;
  const char *meaning;
} OfSettingText;

/* In the order of OfSettingId. */
static const OfSettingText setting_texts[OF_N_SETTINGS] = {
  { N_("Sync interval"), N_("Minutes from the start of one sync to the next; 0: no periodic sync") },
  { N_("Random delay"), N_("Up to this many minutes are added to each interval") },
  { N_("Longest time between syncs"), N_("Minutes after the last successful sync after which a sync runs even in the blocked time; 0: no limit") },
  { N_("Blocked time starts at"), N_("Local time of day at which no background sync starts") },
  { N_("Blocked time length"), N_("Minutes; 0: no blocked time, 1440: the whole day") },
  { N_("Include shares working offline"), N_("Background syncs also synchronize shares put in work-offline mode") },
  { N_("Sync on metered networks"), N_("Background syncs also run while the network is metered, such as a phone's hotspot") },
  { N_("Sync on battery"), N_("Background syncs also run while the computer is on battery") },
  { N_("Slow connection after"), N_("Seconds; a server slower than this to answer makes its shares offline") },
  { N_("Users may add their own shares"), N_("Users may make their own network folders available offline") },
};

static const char *
setting_name (OfSettingRow *self)
{
  return of_setting_info (self->id)->name;
}

/* The daemon's value, from the cache of the proxy of the setting's
 * interface. */
static guint32
daemon_value (OfSettingRow *self, gboolean *known)
{
  GDBusProxy *proxy = of_panel_model_get_settings_proxy (self->model, of_setting_interface (self->id));
  g_autoptr(GVariant) value = NULL;
  guint32 out = 0;

  if (proxy != NULL)
    value = g_dbus_proxy_get_cached_property (proxy, setting_name (self));
  *known = value != NULL && of_setting_from_variant (self->id, value, &out, NULL);
  return out;
}

/* LockedProperties and LockedBy, on the main interface, name the
 * settings of both interfaces. */
static gboolean
is_locked (OfSettingRow *self)
{
  OfDBusBackgroundSync *proxy = of_panel_model_get_proxy (self->model);
  const char *const *locked = proxy ? of_dbus_background_sync_get_locked_properties (proxy) : NULL;

  return locked != NULL && g_strv_contains (locked, setting_name (self));
}

/* "Fixed by 50-site.conf", or the generic words when LockedBy does not
 * name the file (yet): the two properties change in one PropertiesChanged,
 * but an older daemon has no LockedBy. */
static char *
locked_text (OfSettingRow *self)
{
  OfDBusBackgroundSync *proxy = of_panel_model_get_proxy (self->model);
  GVariant *by = proxy ? of_dbus_background_sync_get_locked_by (proxy) : NULL;
  const char *file = NULL;

  if (by != NULL && g_variant_lookup (by, setting_name (self), "&s", &file) && *file)
    {
      g_autofree char *safe = of_escape_text (file);
      /* TRANSLATORS: the name of the drop-in file that fixes the setting */
      return g_strdup_printf (_("Fixed by %s"), safe);
    }
  return g_strdup (_("Fixed by the administrator’s policy"));
}

static guint32
control_value (OfSettingRow *self)
{
  switch (of_setting_info (self->id)->kind)
    {
    case OF_SETTING_KIND_BOOLEAN:
      return gtk_switch_get_active (GTK_SWITCH (self->toggle));
    case OF_SETTING_KIND_HHMM:
      return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->spin)) * 100
             + gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->minutes));
    case OF_SETTING_KIND_MINUTES:
    case OF_SETTING_KIND_SECONDS:
    default:
      return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->spin));
    }
}

/* Setting a spin button to the value it holds rewrites its text: digits
 * being typed, not yet complete, would vanish on any news from the bus
 * (another setting's PropertiesChanged refreshes every row). */
static void
show_spin_value (GtkWidget *spin, guint value)
{
  if (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)) != (int) value)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
}

static void
show_value (OfSettingRow *self, guint32 value)
{
  self->refreshing++;
  switch (of_setting_info (self->id)->kind)
    {
    case OF_SETTING_KIND_BOOLEAN:
      gtk_switch_set_active (GTK_SWITCH (self->toggle), value != 0);
      break;
    case OF_SETTING_KIND_HHMM:
      /* 2400 is midnight, written the other way. */
      show_spin_value (self->spin, (value / 100) % 24);
      show_spin_value (self->minutes, value % 100);
      break;
    case OF_SETTING_KIND_MINUTES:
    case OF_SETTING_KIND_SECONDS:
    default:
      show_spin_value (self->spin, value);
      break;
    }
  self->refreshing--;
}

void
of_setting_row_refresh (OfSettingRow *self)
{
  gboolean locked = is_locked (self);
  /* The controls' own sensitivity, not only their page's: assistive
   * technology reads each widget's own state. */
  gboolean editable = !locked && of_panel_model_get_running (self->model);
  gboolean known;
  guint32 value;

  g_return_if_fail (OF_IS_SETTING_ROW (self));
  gtk_widget_set_visible (self->lock, locked);
  gtk_widget_set_sensitive (self->spin ? self->spin : self->toggle, editable);
  if (self->minutes)
    gtk_widget_set_sensitive (self->minutes, editable);
  if (locked)
    {
      g_autofree char *why = locked_text (self);
      g_autofree char *text = g_strdup_printf ("%s\n%s", self->subtitle, why);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text);
      gtk_widget_set_tooltip_text (self->lock, why);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), self->subtitle);

  if (self->in_flight > 0 || self->pause_id != 0)
    return;
  value = daemon_value (self, &known);
  if (known)
    show_value (self, value);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(OfSettingRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_panel_model_call_finish (self->model, result, &error);

  self->in_flight--;
  if (reply == NULL)
    {
      g_autofree char *message = of_panel_error_message (error);
      g_debug ("writing %s failed: %s", setting_name (self), message);
      of_panel_window_toast (GTK_WIDGET (self), message);
    }
  /* Success or not, show what the daemon holds now. */
  of_setting_row_refresh (self);
}

static void
write_now (OfSettingRow *self)
{
  const OfSettingInfo *info = of_setting_info (self->id);
  guint32 value = control_value (self);
  gboolean known;
  guint32 current = daemon_value (self, &known);
  GVariant *variant;

  g_clear_handle_id (&self->pause_id, g_source_remove);
  if (known && current == value)
    return;
  variant = info->kind == OF_SETTING_KIND_BOOLEAN ? g_variant_new_boolean (value != 0)
                                                  : g_variant_new_uint16 ((guint16) value);
  g_debug ("writing %s = %u", info->name, value);
  self->in_flight++;
  of_panel_model_set_property (self->model, OF_OBJECT_PATH, of_setting_interface (self->id),
                               info->name, variant, NULL, on_written, g_object_ref (self));
}

static gboolean
on_pause_over (gpointer user_data)
{
  OfSettingRow *self = user_data;

  self->pause_id = 0;
  write_now (self);
  return G_SOURCE_REMOVE;
}

static void
on_value_changed (OfSettingRow *self)
{
  if (self->refreshing > 0)
    return;
  if (self->toggle != NULL)
    {
      write_now (self);
      return;
    }
  g_clear_handle_id (&self->pause_id, g_source_remove);
  self->pause_id = g_timeout_add (OF_SETTING_ROW_PAUSE_MS, on_pause_over, self);
}

/* Enter or leaving the field completes the value. */
static void
on_complete (OfSettingRow *self)
{
  if (self->pause_id != 0)
    write_now (self);
}

static GtkWidget *
new_spin (OfSettingRow *self, guint min, guint max, const char *accessible_name)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, 1);
  GtkEventController *focus = gtk_event_controller_focus_new ();

  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (spin), GTK_UPDATE_IF_VALID);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), max >= 10000 ? 6 : 4);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  g_signal_connect_swapped (spin, "value-changed", G_CALLBACK (on_value_changed), self);
  /* GTK 4.8's spin button has no "activate" of its own: its text has.  The
   * spin button takes the typed value first (it connected first). */
  g_signal_connect_swapped (gtk_editable_get_delegate (GTK_EDITABLE (spin)), "activate",
                            G_CALLBACK (on_complete), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_complete), self);
  gtk_widget_add_controller (spin, focus);
  return spin;
}

static void
of_setting_row_dispose (GObject *object)
{
  OfSettingRow *self = OF_SETTING_ROW (object);

  g_clear_handle_id (&self->pause_id, g_source_remove);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (of_setting_row_parent_class)->dispose (object);
}

static void
of_setting_row_finalize (GObject *object)
{
  g_free (OF_SETTING_ROW (object)->subtitle);
  G_OBJECT_CLASS (of_setting_row_parent_class)->finalize (object);
}

static void
of_setting_row_class_init (OfSettingRowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = of_setting_row_dispose;
  G_OBJECT_CLASS (klass)->finalize = of_setting_row_finalize;
}

static void
of_setting_row_init (OfSettingRow *self)
{
}

GtkWidget *
of_setting_row_new (OfPanelModel *model, OfSettingId id)
{
  const OfSettingInfo *info = of_setting_info (id);
  OfSettingRow *self = g_object_new (OF_TYPE_SETTING_ROW, NULL);
  const char *title = _(setting_texts[id].title);

  self->model = g_object_ref (model);
  self->id = id;
  /* The range comes from the one table the daemon validates with. */
  if (info->kind == OF_SETTING_KIND_MINUTES || info->kind == OF_SETTING_KIND_SECONDS)
    self->subtitle = g_strdup_printf (_("%s (%u–%u)"), _(setting_texts[id].meaning), info->min, info->max);
  else
    self->subtitle = g_strdup (_(setting_texts[id].meaning));
  gtk_widget_set_name (GTK_WIDGET (self), info->name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), self->subtitle);

  self->lock = gtk_image_new_from_icon_name ("changes-prevent-symbolic");
  gtk_widget_set_name (self->lock, "lock");
  gtk_widget_set_tooltip_text (self->lock, _("Fixed by the administrator’s policy"));
  gtk_widget_set_visible (self->lock, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->lock);

  switch (info->kind)
    {
    case OF_SETTING_KIND_BOOLEAN:
      self->toggle = gtk_switch_new ();
      gtk_widget_set_valign (self->toggle, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      g_signal_connect_swapped (self->toggle, "notify::active", G_CALLBACK (on_value_changed), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), self->toggle);
      break;
    case OF_SETTING_KIND_HHMM:
      {
        GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
        self->spin = new_spin (self, 0, 23, _("Hours"));
        self->minutes = new_spin (self, 0, 59, _("Minutes"));
        gtk_widget_set_name (self->minutes, "minutes");
        gtk_box_append (GTK_BOX (box), self->spin);
        gtk_box_append (GTK_BOX (box), gtk_label_new (":"));
        gtk_box_append (GTK_BOX (box), self->minutes);
        adw_action_row_add_suffix (ADW_ACTION_ROW (self), box);
      }
      break;
    case OF_SETTING_KIND_MINUTES:
    case OF_SETTING_KIND_SECONDS:
    default:
      self->spin = new_spin (self, info->min, info->max, title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (self), self->spin);
      break;
    }
  if (self->spin)
    gtk_widget_set_name (self->spin, self->minutes ? "hours" : "value");
  else
    gtk_widget_set_name (self->toggle, "value");
  of_setting_row_refresh (self);
  return GTK_WIDGET (self);
}
