/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-panel.c — the settings panel under Xvfb against the real daemon,
 * the real polkitd (or python-dbusmock's, to be refused) and a private
 * system bus: values from the bus show in the panel, values entered in the
 * panel reach the bus and the settings file, a refused write snaps back
 * with the daemon's message, a drop-in's lock, Sync now to the end of the
 * progress bar, work offline, and the daemon going away and coming back;
 * a real conflict (real unison) counted on its row and resolved from the
 * conflicts dialog, files checked on both sides; a share added through
 * the dialog (one folder through GTK's own file chooser) and removed
 * after the confirmation; refused or bad adds, Sync now, remove and
 * conflict lists showing the daemon's message.
 * Each page is saved as a PNG in $OF_PANEL_SCREENSHOT_DIR.
 *
 * The window is the very OfPanelWindow offlinefiles-settings shows,
 * driven through its widgets, found by their names.  Run one test path
 * per process (tests/panel/meson.build): each has its own bus, daemon and
 * window.
 */
#include <pwd.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "add-share-dialog.h"
#include "conflicts-dialog.h"
#include "harness.h"
#include "panel-model.h"
#include "panel-window.h"

#define IFACE "org.offlinefiles.BackgroundSync"
#define SHARE_IFACE "org.offlinefiles.Share"
#define SHARES_PATH "/org/offlinefiles/BackgroundSync/share/"
#define USER OF_TEST_USER_ALLOW
/* "Within a second" (SPEC 15); ten when the daemon runs under valgrind
 * (meson test --setup=valgrind), where the promise is not measured. */
#define LIVE_MS (g_getenv ("OF_DAEMON_WRAPPER") && *g_getenv ("OF_DAEMON_WRAPPER") ? 10000 : 1000)

typedef struct {
  OfHarness     *harness;
  OfPanelModel  *model;
  OfPanelWindow *window;
} Fixture;

/* Iterates the main context until @cond holds or @ms pass; the value of @cond. */
#define WAIT_UNTIL(cond, ms)                                                 \
  G_STMT_START {                                                             \
    gint64 end_ = g_get_monotonic_time () + (gint64) (ms) * 1000;            \
    while (!(cond) && g_get_monotonic_time () < end_)                        \
      if (!g_main_context_iteration (NULL, FALSE))                           \
        g_usleep (2000);                                                     \
  } G_STMT_END

static void
spin_main_context (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* ------------------------------------------------------------ widgets */

static GtkWidget *
find_named (GtkWidget *root, const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);
      if (found)
        return found;
    }
  return NULL;
}

/* The widget named @name inside the one named @within. */
static GtkWidget *
widget (Fixture *fixture, const char *within, const char *name)
{
  GtkWidget *outer = within ? find_named (GTK_WIDGET (fixture->window), within) : GTK_WIDGET (fixture->window);
  GtkWidget *found;

  if (outer == NULL)
    g_error ("no widget named %s in the window", within);
  found = find_named (outer, name);
  if (found == NULL)
    g_error ("no widget named %s in %s", name, within ? within : "the window");
  return found;
}

/* A label showing exactly @text anywhere in the window (a toast's title is one). */
static gboolean
label_shows (GtkWidget *root, const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    if (label_shows (child, text))
      return TRUE;
  return FALSE;
}

static int
spin_value (Fixture *fixture, const char *setting, const char *name)
{
  return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (widget (fixture, setting, name)));
}

/* What a person does: type into the field, then Enter. */
static void
type_text (GtkWidget *spin, const char *text)
{
  gtk_widget_grab_focus (spin);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
}

static void
press_enter (GtkWidget *spin)
{
  /* Enter activates the spin button's text. */
  g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (spin)), "activate");
}

static void
show_page (Fixture *fixture, const char *page)
{
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (fixture->window), page);
  spin_main_context (300);
}

/* @window as it is drawn, into $OF_PANEL_SCREENSHOT_DIR/NAME.png. */
static void
screenshot_window (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("OF_PANEL_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  int width;
  int height;

  if (dir == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (width, >, 0);
  paintable = gtk_widget_paintable_new (window);
  /* A window just shown has nothing to draw until its first frame. */
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC; node == NULL && g_get_monotonic_time () < end;)
    {
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node == NULL)
        spin_main_context (50);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("%s.png", name);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* The panel's window showing @page. */
static void
screenshot (Fixture *fixture, const char *page, const char *name)
{
  show_page (fixture, page);
  screenshot_window (GTK_WIDGET (fixture->window), name);
}


/* The first window of @type that is shown (the panel's dialogs). */
static GtkWidget *
find_window (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static GtkWidget *
named_in (GtkWidget *root, const char *name)
{
  GtkWidget *found = find_named (root, name);

  if (found == NULL)
    g_error ("no widget named %s in %s", name, G_OBJECT_TYPE_NAME (root));
  return found;
}

/* A toast shown in @window after @before, with @text as its words. */
static gboolean
new_toast_says (GtkWidget *window, AdwToast *before, const char *text)
{
  AdwToast *last = of_panel_window_get_last_toast (window);
  g_autofree char *markup = g_markup_escape_text (text, -1);

  return last != NULL && last != before && g_strcmp0 (adw_toast_get_title (last), markup) == 0;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static const char *
subtitle_of (GtkWidget *row)
{
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  return subtitle ? subtitle : "";
}

/* ------------------------------------------------------------ bus and files */

static guint
bus_uint (Fixture *fixture, const char *property)
{
  g_autoptr(GVariant) value = of_harness_get (fixture->harness, property);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return g_variant_get_uint16 (value);
}

static char *
config_file (Fixture *fixture)
{
  g_autofree char *path = of_harness_config_path (fixture->harness);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents ? contents : g_strdup ("");
}

static gboolean
config_has (Fixture *fixture, const char *line)
{
  g_autofree char *contents = config_file (fixture);

  return strstr (contents, line) != NULL;
}

/* busctl set-property on the main object's @interface_name. */
static void
busctl_set_on (Fixture *fixture, const char *interface_name, const char *property, const char *type,
               const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "busctl", "--system", "set-property", "org.offlinefiles.BackgroundSync",
                         "/org/offlinefiles/BackgroundSync", interface_name, property, type, value, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("busctl set-property %s failed: %s", property, err);
}

static void
busctl_set (Fixture *fixture, const char *property, const char *type, const char *value)
{
  busctl_set_on (fixture, IFACE, property, type, value);
}

static void
write_dropin (Fixture *fixture, const char *name, const char *contents)
{
  g_autofree char *dir = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A property of the share @name, or NULL when there is no such share. */
static GVariant *
share_get (Fixture *fixture, const char *name, const char *property)
{
  g_autofree char *path = g_strconcat (SHARES_PATH, name, NULL);
  g_autoptr(GVariant) reply = NULL;
  GVariant *value = NULL;

  reply = g_dbus_connection_call_sync (fixture->harness->conn, IFACE, path,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", SHARE_IFACE, property),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply)
    g_variant_get (reply, "(v)", &value);
  return value;
}

static guint
conflict_count (Fixture *fixture, const char *name)
{
  g_autoptr(GVariant) value = share_get (fixture, name, "ConflictCount");

  return value ? g_variant_get_uint32 (value) : G_MAXUINT;
}

/* Writes DIR/NAME as the test user owns it. */
static void
put_as_user (const char *dir, const char *name, const char *contents)
{
  struct passwd *pw = getpwnam (USER);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_nonnull (pw);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (chown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static char *
share_file (Fixture *fixture, const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.conf", name);

  return g_build_filename (fixture->harness->config_dir, "shares.d", file, NULL);
}

/* The daemon's message for a call polkit refuses (as root). */
static char *
refused_share_call (Fixture *fixture, const char *path, const char *iface, const char *method, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (fixture->harness->conn, IFACE, path, iface, method,
                                                           parameters, NULL, G_DBUS_CALL_FLAGS_NONE, 5000,
                                                           NULL, &error);

  g_assert_null (reply);
  g_test_message ("%s refused: %s", method, error->message);
  return of_panel_error_message (error);
}

/* A share of the test user's, with the real unison on temp dirs. */
static gboolean
add_share (Fixture *fixture, const char *name)
{
  struct passwd *pw = getpwnam (USER);
  g_autofree char *shares = g_build_filename (fixture->harness->config_dir, "shares.d", NULL);
  g_autofree char *file = g_strdup_printf ("%s/%s.conf", shares, name);
  g_autofree char *local = g_build_filename (fixture->harness->dir, "local", NULL);
  g_autofree char *remote = g_build_filename (fixture->harness->dir, "remote", NULL);
  g_autofree char *data = g_build_filename (remote, "report.txt", NULL);
  g_autofree char *contents = NULL;

  if (pw == NULL)
    {
      g_test_skip ("test user " USER " does not exist (.ci/run creates it)");
      return FALSE;
    }
  g_mkdir_with_parents (shares, 0755);
  g_mkdir_with_parents (local, 0755);
  g_mkdir_with_parents (remote, 0755);
  g_assert_true (g_file_set_contents (data, "quarterly numbers\n", -1, NULL));
  g_assert_cmpint (chown (local, pw->pw_uid, pw->pw_gid), ==, 0);
  g_assert_cmpint (chown (remote, pw->pw_uid, pw->pw_gid), ==, 0);
  g_assert_cmpint (chown (data, pw->pw_uid, pw->pw_gid), ==, 0);
  contents = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n", local, remote, USER);
  g_assert_true (g_file_set_contents (file, contents, -1, NULL));
  return TRUE;
}

/* ------------------------------------------------------------ fixture */

static void
open_panel (Fixture *fixture)
{
  fixture->model = of_panel_model_new ();
  fixture->window = of_panel_window_new (NULL, fixture->model);
  gtk_window_present (GTK_WINDOW (fixture->window));
  WAIT_UNTIL (of_panel_model_get_running (fixture->model), 10000);
  g_assert_true (of_panel_model_get_running (fixture->model));
  spin_main_context (200);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->harness = of_harness_new (TRUE);
}

static void
setup_mock_polkit (Fixture *fixture, gconstpointer data)
{
  fixture->harness = of_harness_new (FALSE);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->window)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->model);
  spin_main_context (50);
  if (fixture->harness->daemon)
    g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  g_clear_pointer (&fixture->harness, of_harness_free);
}

/* ------------------------------------------------------------ tests */

/* A value set with busctl by someone else shows within a second. */
static void
test_bus_to_panel (Fixture *fixture, gconstpointer data)
{
  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  g_assert_cmpint (spin_value (fixture, "SyncInterval", "value"), ==, 360);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (widget (fixture, NULL, "state"))), ==, "Idle");

  busctl_set (fixture, "SyncInterval", "q", "120");
  WAIT_UNTIL (spin_value (fixture, "SyncInterval", "value") == 120, LIVE_MS);
  g_assert_cmpint (spin_value (fixture, "SyncInterval", "value"), ==, 120);

  busctl_set (fixture, "BlockOutStartTimeHoursMinutes", "q", "2230");
  WAIT_UNTIL (spin_value (fixture, "BlockOutStartTimeHoursMinutes", "minutes") == 30, LIVE_MS);
  g_assert_cmpint (spin_value (fixture, "BlockOutStartTimeHoursMinutes", "hours"), ==, 22);
  g_assert_cmpint (spin_value (fixture, "BlockOutStartTimeHoursMinutes", "minutes"), ==, 30);

  busctl_set (fixture, "BackgroundSyncWorkOfflineSharesEnabled", "b", "true");
  WAIT_UNTIL (gtk_switch_get_active (GTK_SWITCH (widget (fixture, "BackgroundSyncWorkOfflineSharesEnabled", "value"))), LIVE_MS);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (widget (fixture, "BackgroundSyncWorkOfflineSharesEnabled", "value"))));
}

/* Typed digits write nothing; Enter writes once, to the bus and the file. */
static void
test_panel_to_bus (Fixture *fixture, gconstpointer data)
{
  GtkWidget *spin;
  g_autoptr(GPtrArray) changes = NULL;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  changes = g_ptr_array_ref (of_harness_watch_properties (fixture->harness));
  open_panel (fixture);
  show_page (fixture, "schedule");

  spin = widget (fixture, "SyncInterval", "value");
  type_text (spin, "4");
  type_text (spin, "45");
  spin_main_context (1500);
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (bus_uint (fixture, "SyncInterval"), ==, 360);
  g_assert_cmpuint (changes->len, ==, 0);

  press_enter (spin);
  WAIT_UNTIL (bus_uint (fixture, "SyncInterval") == 45, 5000);
  g_assert_cmpuint (bus_uint (fixture, "SyncInterval"), ==, 45);
  g_assert_true (config_has (fixture, "SyncInterval=45\n"));
  of_harness_settle (fixture->harness);
  g_assert_cmpuint (changes->len, ==, 1);

  /* The blockout start is written as HHMM from its two fields. */
  type_text (widget (fixture, "BlockOutStartTimeHoursMinutes", "hours"), "7");
  press_enter (widget (fixture, "BlockOutStartTimeHoursMinutes", "hours"));
  WAIT_UNTIL (bus_uint (fixture, "BlockOutStartTimeHoursMinutes") == 700, 5000);
  type_text (widget (fixture, "BlockOutStartTimeHoursMinutes", "minutes"), "15");
  press_enter (widget (fixture, "BlockOutStartTimeHoursMinutes", "minutes"));
  WAIT_UNTIL (bus_uint (fixture, "BlockOutStartTimeHoursMinutes") == 715, 5000);
  g_assert_cmpuint (bus_uint (fixture, "BlockOutStartTimeHoursMinutes"), ==, 715);
  g_assert_true (config_has (fixture, "BlockOutStartTimeHoursMinutes=715\n"));

  /* A switch writes when toggled. */
  gtk_switch_set_active (GTK_SWITCH (widget (fixture, "BackgroundSyncWorkOfflineSharesEnabled", "value")), TRUE);
  WAIT_UNTIL (bus_uint (fixture, "BackgroundSyncWorkOfflineSharesEnabled") == 1, 5000);
  g_assert_cmpuint (bus_uint (fixture, "BackgroundSyncWorkOfflineSharesEnabled"), ==, 1);
  g_assert_true (config_has (fixture, "BackgroundSyncWorkOfflineSharesEnabled=true\n"));
}

/* polkit (python-dbusmock's, denying everyone) refuses: the field goes back
 * to the daemon's value and a toast shows the daemon's own message. */
static void
test_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkWidget *spin;

  if (!of_harness_require_root ("run python-dbusmock's polkitd as polkitd"))
    return;
  if (!add_share (fixture, "projects"))
    return;
  of_harness_start_mock_polkit (fixture->harness);
  of_harness_start_daemon (fixture->harness, NULL);
  g_assert_false (of_harness_set (fixture->harness, "SyncInterval", g_variant_new_uint16 (100), &error));
  expected = of_panel_error_message (error);
  before = config_file (fixture);
  open_panel (fixture);
  show_page (fixture, "schedule");

  spin = widget (fixture, "SyncInterval", "value");
  type_text (spin, "100");
  press_enter (spin);
  WAIT_UNTIL (label_shows (GTK_WIDGET (fixture->window), expected), 5000);
  g_assert_true (label_shows (GTK_WIDGET (fixture->window), expected));
  g_assert_cmpint (spin_value (fixture, "SyncInterval", "value"), ==, 360);
  g_assert_cmpuint (bus_uint (fixture, "SyncInterval"), ==, 360);
  after = config_file (fixture);
  g_assert_cmpstr (before, ==, after);
  screenshot (fixture, "schedule", "refused-write");

  /* The same for a share's work-offline switch (polkit action work-offline). */
  {
    GtkSwitch *toggle;
    g_autoptr(GError) share_error = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autofree char *share_expected = NULL;

    reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                         "/org/offlinefiles/BackgroundSync/share/projects",
                                         "org.freedesktop.DBus.Properties", "Set",
                                         g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline",
                                                        g_variant_new_boolean (TRUE)),
                                         NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &share_error);
    g_assert_null (reply);
    share_expected = of_panel_error_message (share_error);
    show_page (fixture, "shares");
    toggle = GTK_SWITCH (widget (fixture, "projects", "work-offline"));
    gtk_switch_set_active (toggle, TRUE);
    WAIT_UNTIL (!gtk_switch_get_active (toggle) && label_shows (GTK_WIDGET (fixture->window), share_expected), 5000);
    g_assert_false (gtk_switch_get_active (toggle));
    g_assert_true (label_shows (GTK_WIDGET (fixture->window), share_expected));
  }

  /* The share's own calls: Sync now, remove, and the conflicts list. */
  {
    g_autofree char *sync_expected = refused_share_call (fixture, SHARES_PATH "projects", SHARE_IFACE, "SyncNow", NULL);
    g_autofree char *remove_expected = refused_share_call (fixture, "/org/offlinefiles/BackgroundSync", IFACE,
                                                           "RemoveShare", g_variant_new ("(s)", "projects"));
    g_autofree char *list_expected = refused_share_call (fixture, SHARES_PATH "projects", SHARE_IFACE,
                                                         "ListConflicts", NULL);
    g_autolist(OfDBusObject) shares = of_panel_model_list_shares (fixture->model);
    g_autoptr(OfDBusShare) share = NULL;
    g_autoptr(AdwToast) last_toast = NULL;
    GtkWidget *confirm;
    GtkWidget *dialog;

    /* Held, so that a new toast cannot take its address. */
    last_toast = g_object_ref (of_panel_window_get_last_toast (GTK_WIDGET (fixture->window)));
    click (widget (fixture, "projects", "sync"));
    WAIT_UNTIL (new_toast_says (GTK_WIDGET (fixture->window), last_toast, sync_expected), 5000);
    g_assert_true (new_toast_says (GTK_WIDGET (fixture->window), last_toast, sync_expected));
    g_assert_true (label_shows (GTK_WIDGET (fixture->window), sync_expected));

    g_clear_object (&last_toast);
    last_toast = g_object_ref (of_panel_window_get_last_toast (GTK_WIDGET (fixture->window)));
    click (widget (fixture, "projects", "remove"));
    WAIT_UNTIL ((confirm = find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 5000);
    g_assert_nonnull (confirm);
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "remove");
    WAIT_UNTIL (new_toast_says (GTK_WIDGET (fixture->window), last_toast, remove_expected), 5000);
    g_assert_true (new_toast_says (GTK_WIDGET (fixture->window), last_toast, remove_expected));
    g_assert_nonnull (find_named (GTK_WIDGET (fixture->window), "projects"));

    /* No conflicts to show (its button is hidden): the dialog opened the
     * way the button does says it could not list them, not "none". */
    g_assert_false (gtk_widget_get_visible (widget (fixture, "projects", "conflicts")));
    g_assert_cmpuint (g_list_length (shares), ==, 1);
    share = of_dbus_object_get_share (shares->data);
    dialog = GTK_WIDGET (of_conflicts_dialog_new (GTK_WINDOW (fixture->window), fixture->model, share));
    gtk_window_present (GTK_WINDOW (dialog));
    WAIT_UNTIL (label_shows (dialog, list_expected), 5000);
    g_assert_true (label_shows (dialog, list_expected));
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (named_in (dialog, "no-conflicts"))), ==,
                     "Could not list the conflicts");
    g_assert_false (gtk_widget_is_sensitive (named_in (dialog, "resolve")));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
}

/* A drop-in fixes a setting: its field turns insensitive with a lock. */
static void
test_locked (Fixture *fixture, gconstpointer data)
{
  GtkWidget *row;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  /* The daemon watches the drop-in directory that exists when it starts. */
  write_dropin (fixture, "10-empty.conf", "[BackgroundSync]\n");
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  row = widget (fixture, NULL, "SyncVariance");
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, "SyncVariance", "value")));
  g_assert_false (gtk_widget_get_visible (widget (fixture, "SyncVariance", "lock")));

  write_dropin (fixture, "50-site.conf", "[BackgroundSync]\nSyncVariance=30\n");
  WAIT_UNTIL (!gtk_widget_is_sensitive (widget (fixture, "SyncVariance", "value")), 10000);
  g_assert_true (gtk_widget_get_visible (widget (fixture, "SyncVariance", "lock")));
  g_assert_cmpint (spin_value (fixture, "SyncVariance", "value"), ==, 30);
  /* LockedBy names the file. */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Fixed by 50-site.conf"));
  /* The others stay writable. */
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, "SyncInterval", "value")));
  screenshot (fixture, "schedule", "schedule-locked");
}

/* Sync now from the panel: the progress bar goes to the end, the share's
 * row shows its result; then every page is saved. */
static void
test_sync_now (Fixture *fixture, gconstpointer data)
{
  GtkProgressBar *progress;
  g_autofree char *copied = NULL;

  if (!of_harness_require_root ("run the engine as another user"))
    return;
  if (!add_share (fixture, "projects"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  progress = GTK_PROGRESS_BAR (widget (fixture, NULL, "progress"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (progress)));
  g_assert_false (gtk_widget_get_sensitive (widget (fixture, NULL, "cancel")));

  gtk_widget_activate (widget (fixture, NULL, "sync-now"));
  WAIT_UNTIL (gtk_progress_bar_get_fraction (progress) == 1.0
              && g_strcmp0 (gtk_progress_bar_get_text (progress), "Succeeded") == 0, 60000);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (progress), ==, 1.0);
  g_assert_cmpstr (gtk_progress_bar_get_text (progress), ==, "Succeeded");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (progress)));
  copied = g_build_filename (fixture->harness->dir, "local", "report.txt", NULL);
  g_assert_true (g_file_test (copied, G_FILE_TEST_IS_REGULAR));
  WAIT_UNTIL (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (fixture, NULL, "projects"))),
                      "Synchronized") != NULL, LIVE_MS);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (fixture, NULL, "projects"))),
                            "Synchronized"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (fixture, NULL, "last-sync"))),
                            "Succeeded"));

  screenshot (fixture, "status", "page-status");
  screenshot (fixture, "schedule", "page-schedule");
  screenshot (fixture, "shares", "page-shares");
}

/* The work-offline switch reaches the share's object. */
static void
test_work_offline (Fixture *fixture, gconstpointer data)
{
  GtkSwitch *toggle;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  if (!add_share (fixture, "projects"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  WAIT_UNTIL (find_named (GTK_WIDGET (fixture->window), "projects") != NULL, LIVE_MS);
  toggle = GTK_SWITCH (widget (fixture, "projects", "work-offline"));
  g_assert_false (gtk_switch_get_active (toggle));

  gtk_switch_set_active (toggle, TRUE);
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC; g_get_monotonic_time () < end;)
    {
      g_clear_pointer (&reply, g_variant_unref);
      g_clear_pointer (&value, g_variant_unref);
      reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                           "/org/offlinefiles/BackgroundSync/share/projects",
                                           "org.freedesktop.DBus.Properties", "Get",
                                           g_variant_new ("(ss)", SHARE_IFACE, "WorkOffline"),
                                           G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
      g_assert_no_error (error);
      g_variant_get (reply, "(v)", &value);
      if (g_variant_get_boolean (value))
        break;
      spin_main_context (50);
    }
  g_assert_true (g_variant_get_boolean (value));
  g_assert_true (gtk_switch_get_active (toggle));
}

/* ------------------------------------------------------------ network and power, connection state */

/* The Network and power page (MachineConfiguration) both ways and refused,
 * the drop-in named by each lock, a sync held back on a metered network
 * and on battery (python-dbusmock's NetworkManager and UPower), and a
 * share's connection state from Check connection. */

#define MACHINE_IFACE "org.offlinefiles.MachineConfiguration"
#define NM "org.freedesktop.NetworkManager"
#define NM_PATH "/org/freedesktop/NetworkManager"

/* A property of org.offlinefiles.MachineConfiguration, as a number. */
static guint
machine_uint (Fixture *fixture, const char *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "Get",
                                               g_variant_new ("(ss)", MACHINE_IFACE, property),
                                               G_DBUS_CALL_FLAGS_NONE, &error);
  g_autoptr(GVariant) value = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (value);
  return g_variant_get_uint16 (value);
}

/* A number property of the share @name. */
static guint
share_uint (Fixture *fixture, const char *name, const char *property)
{
  g_autofree char *path = g_strconcat ("/org/offlinefiles/BackgroundSync/share/", name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                                           path, "org.freedesktop.DBus.Properties", "Get",
                                                           g_variant_new ("(ss)", SHARE_IFACE, property),
                                                           G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                                           5000, NULL, &error);
  g_autoptr(GVariant) value = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return g_variant_get_uint32 (value);
}

/* @key of @group in the settings file as written, or NULL. */
static char *
config_value (Fixture *fixture, const char *group, const char *key)
{
  g_autofree char *path = of_harness_config_path (fixture->harness);
  g_autoptr(GKeyFile) file = g_key_file_new ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_key_file_get_value (file, group, key, NULL);
}

static gboolean
switch_on (Fixture *fixture, const char *setting)
{
  return gtk_switch_get_active (GTK_SWITCH (widget (fixture, setting, "value")));
}

static const char *
subtitle_of_row (Fixture *fixture, const char *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (fixture, NULL, row)));
}

static gboolean
subtitle_has (Fixture *fixture, const char *row, const char *text)
{
  const char *subtitle = subtitle_of_row (fixture, row);

  return subtitle != NULL && strstr (subtitle, text) != NULL;
}

static const char *
state_text (Fixture *fixture)
{
  return gtk_label_get_text (GTK_LABEL (widget (fixture, NULL, "state")));
}

/* The four settings of MachineConfiguration show the daemon's values; a
 * value set with busctl by someone else shows within a second; and they
 * are read again when the daemon comes back. */
static void
test_machine_bus_to_panel (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = NULL;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  show_page (fixture, "network");
  /* The spin button starts at its minimum, 1: 2 is the daemon's default. */
  WAIT_UNTIL (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 2, LIVE_MS);
  g_assert_cmpint (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value"), ==, 2);
  g_assert_false (switch_on (fixture, "SyncOnCostedNetworkEnabled"));
  g_assert_true (switch_on (fixture, "SyncOnBatteryEnabled"));
  g_assert_true (switch_on (fixture, "UserSharesEnabled"));
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, "SyncOnCostedNetworkEnabled", "value")));
  g_assert_false (gtk_widget_get_visible (widget (fixture, "SyncOnCostedNetworkEnabled", "lock")));
  g_assert_true (subtitle_has (fixture, "SlowLinkProbeTimeoutSec", "(1–30)"));
  screenshot (fixture, "network", "page-network");

  busctl_set_on (fixture, MACHINE_IFACE, "SyncOnCostedNetworkEnabled", "b", "true");
  WAIT_UNTIL (switch_on (fixture, "SyncOnCostedNetworkEnabled"), LIVE_MS);
  g_assert_true (switch_on (fixture, "SyncOnCostedNetworkEnabled"));

  busctl_set_on (fixture, MACHINE_IFACE, "SyncOnBatteryEnabled", "b", "false");
  WAIT_UNTIL (!switch_on (fixture, "SyncOnBatteryEnabled"), LIVE_MS);
  g_assert_false (switch_on (fixture, "SyncOnBatteryEnabled"));

  busctl_set_on (fixture, MACHINE_IFACE, "SlowLinkProbeTimeoutSec", "q", "17");
  WAIT_UNTIL (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 17, LIVE_MS);
  g_assert_cmpint (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value"), ==, 17);

  busctl_set_on (fixture, MACHINE_IFACE, "UserSharesEnabled", "b", "false");
  WAIT_UNTIL (!switch_on (fixture, "UserSharesEnabled"), LIVE_MS);
  g_assert_false (switch_on (fixture, "UserSharesEnabled"));
  /* The schedule's settings did not move. */
  g_assert_cmpint (spin_value (fixture, "SyncInterval", "value"), ==, 360);

  /* The daemon goes: the page says so and nothing can be changed; it comes
   * back with another value in its file: that value shows. */
  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  WAIT_UNTIL (!of_panel_model_get_running (fixture->model), LIVE_MS);
  g_assert_true (gtk_widget_get_visible (widget (fixture, "network", "daemon-banner")));
  g_assert_false (gtk_widget_is_sensitive (widget (fixture, "SyncOnBatteryEnabled", "value")));
  path = of_harness_config_path (fixture->harness);
  g_assert_true (g_file_set_contents (path, "[MachineConfiguration]\nSlowLinkProbeTimeoutSec=23\n", -1, NULL));
  of_harness_start_daemon (fixture->harness, NULL);
  WAIT_UNTIL (of_panel_model_get_running (fixture->model)
              && spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 23, LIVE_MS);
  g_assert_cmpint (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value"), ==, 23);
  g_assert_false (gtk_widget_get_visible (widget (fixture, "network", "daemon-banner")));
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, "SyncOnBatteryEnabled", "value")));
  g_assert_true (switch_on (fixture, "SyncOnBatteryEnabled"));
}

/* A switch and a spin button of the page write on the MachineConfiguration
 * interface, into the settings file's [MachineConfiguration] group. */
static void
test_machine_panel_to_bus (Fixture *fixture, gconstpointer data)
{
  g_autofree char *written = NULL;
  g_autofree char *elsewhere = NULL;
  GtkWidget *spin;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  show_page (fixture, "network");
  WAIT_UNTIL (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 2, LIVE_MS);

  gtk_switch_set_active (GTK_SWITCH (widget (fixture, "SyncOnCostedNetworkEnabled", "value")), TRUE);
  WAIT_UNTIL (machine_uint (fixture, "SyncOnCostedNetworkEnabled") == 1, 5000);
  g_assert_cmpuint (machine_uint (fixture, "SyncOnCostedNetworkEnabled"), ==, 1);
  written = config_value (fixture, "MachineConfiguration", "SyncOnCostedNetworkEnabled");
  g_assert_cmpstr (written, ==, "true");
  g_clear_pointer (&written, g_free);

  /* Typed digits write nothing; Enter writes. */
  spin = widget (fixture, "SlowLinkProbeTimeoutSec", "value");
  type_text (spin, "7");
  spin_main_context (1000);
  g_assert_cmpuint (machine_uint (fixture, "SlowLinkProbeTimeoutSec"), ==, 2);
  press_enter (spin);
  WAIT_UNTIL (machine_uint (fixture, "SlowLinkProbeTimeoutSec") == 7, 5000);
  g_assert_cmpuint (machine_uint (fixture, "SlowLinkProbeTimeoutSec"), ==, 7);
  written = config_value (fixture, "MachineConfiguration", "SlowLinkProbeTimeoutSec");
  g_assert_cmpstr (written, ==, "7");
  /* Not in the other group. */
  elsewhere = config_value (fixture, "BackgroundSync", "SlowLinkProbeTimeoutSec");
  g_assert_null (elsewhere);
  g_assert_cmpint (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value"), ==, 7);
}

/* polkit (python-dbusmock's, denying everyone) refuses a switch of the
 * page: it goes back, and a toast shows the daemon's message. */
static void
test_machine_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GtkSwitch *toggle;

  if (!of_harness_require_root ("run python-dbusmock's polkitd as polkitd"))
    return;
  of_harness_start_mock_polkit (fixture->harness);
  of_harness_start_daemon (fixture->harness, NULL);
  reply = of_harness_call (fixture->harness, "org.freedesktop.DBus.Properties", "Set",
                           g_variant_new ("(ssv)", MACHINE_IFACE, "SyncOnBatteryEnabled", g_variant_new_boolean (FALSE)),
                           G_DBUS_CALL_FLAGS_NONE, &error);
  g_assert_null (reply);
  expected = of_panel_error_message (error);
  before = config_file (fixture);
  open_panel (fixture);
  show_page (fixture, "network");
  toggle = GTK_SWITCH (widget (fixture, "SyncOnBatteryEnabled", "value"));
  WAIT_UNTIL (gtk_switch_get_active (toggle), LIVE_MS);
  g_assert_true (gtk_switch_get_active (toggle));

  gtk_switch_set_active (toggle, FALSE);
  WAIT_UNTIL (gtk_switch_get_active (toggle) && label_shows (GTK_WIDGET (fixture->window), expected), 5000);
  g_assert_true (gtk_switch_get_active (toggle));
  g_assert_true (label_shows (GTK_WIDGET (fixture->window), expected));
  g_assert_cmpuint (machine_uint (fixture, "SyncOnBatteryEnabled"), ==, 1);
  after = config_file (fixture);
  g_assert_cmpstr (before, ==, after);
}

/* Drop-ins fix settings of both interfaces: each locked row names the
 * drop-in that fixes it (LockedBy), the last one to set it. */
static void
test_locked_by (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  /* The daemon watches the drop-in directory that exists when it starts. */
  write_dropin (fixture, "10-empty.conf", "[BackgroundSync]\n");
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  show_page (fixture, "network");
  WAIT_UNTIL (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 2, LIVE_MS);
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, "SyncOnBatteryEnabled", "value")));

  write_dropin (fixture, "50-site.conf",
                "[BackgroundSync]\nSyncInterval=90\n"
                "[MachineConfiguration]\nSyncOnBatteryEnabled=false\nSlowLinkProbeTimeoutSec=5\n");
  write_dropin (fixture, "70-local.conf", "[MachineConfiguration]\nSlowLinkProbeTimeoutSec=7\n");
  /* The values come in MachineConfiguration's PropertiesChanged, the
   * locks in the main interface's: two signals. */
  WAIT_UNTIL (subtitle_has (fixture, "SyncOnBatteryEnabled", "Fixed by 50-site.conf")
              && subtitle_has (fixture, "SlowLinkProbeTimeoutSec", "Fixed by 70-local.conf")
              && subtitle_has (fixture, "SyncInterval", "Fixed by 50-site.conf")
              && !switch_on (fixture, "SyncOnBatteryEnabled")
              && spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 7, 10000);
  g_assert_true (subtitle_has (fixture, "SyncOnBatteryEnabled", "Fixed by 50-site.conf"));
  g_assert_true (subtitle_has (fixture, "SlowLinkProbeTimeoutSec", "Fixed by 70-local.conf"));
  g_assert_true (subtitle_has (fixture, "SyncInterval", "Fixed by 50-site.conf"));
  g_assert_false (gtk_widget_is_sensitive (widget (fixture, "SyncOnBatteryEnabled", "value")));
  g_assert_false (gtk_widget_is_sensitive (widget (fixture, "SlowLinkProbeTimeoutSec", "value")));
  g_assert_true (gtk_widget_get_visible (widget (fixture, "SyncOnBatteryEnabled", "lock")));
  g_assert_false (switch_on (fixture, "SyncOnBatteryEnabled"));
  g_assert_cmpint (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value"), ==, 7);
  /* The others stay writable, and say nothing of a policy. */
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, "UserSharesEnabled", "value")));
  g_assert_false (gtk_widget_get_visible (widget (fixture, "UserSharesEnabled", "lock")));
  g_assert_false (subtitle_has (fixture, "UserSharesEnabled", "Fixed"));
  g_test_message ("SlowLinkProbeTimeoutSec row: %s", subtitle_of_row (fixture, "SlowLinkProbeTimeoutSec"));
  screenshot (fixture, "network", "network-locked");

  /* Without the later drop-in, the earlier one fixes it. */
  local = g_build_filename (fixture->harness->config_dir, "background-sync.conf.d", "70-local.conf", NULL);
  g_assert_cmpint (g_remove (local), ==, 0);
  WAIT_UNTIL (subtitle_has (fixture, "SlowLinkProbeTimeoutSec", "Fixed by 50-site.conf")
              && spin_value (fixture, "SlowLinkProbeTimeoutSec", "value") == 5, 10000);
  g_assert_true (subtitle_has (fixture, "SlowLinkProbeTimeoutSec", "Fixed by 50-site.conf"));
  g_assert_cmpint (spin_value (fixture, "SlowLinkProbeTimeoutSec", "value"), ==, 5);
}

/* A sync is due at once: the last one two hours ago, every hour; and
 * @more_settings in the settings file. */
static void
make_sync_due (Fixture *fixture, const char *more_settings)
{
  gint64 now = g_get_real_time ();
  gint64 last = now - 120 * G_GINT64_CONSTANT (60000000);
  g_autofree char *state = g_strdup_printf ("[State]\nFirstStart=%" G_GINT64_FORMAT "\nNextSyncId=5\n"
                                            "LastSyncStart=%" G_GINT64_FORMAT "\nLastSyncFinish=%" G_GINT64_FORMAT "\n"
                                            "LastSyncResult=success\nLastSuccessfulSyncStart=%" G_GINT64_FORMAT "\n",
                                            now - 600 * G_GINT64_CONSTANT (60000000), last, last, last);
  g_autofree char *state_path = g_build_filename (fixture->harness->state_dir, "state", NULL);
  g_autofree char *config_path = of_harness_config_path (fixture->harness);
  g_autofree char *settings = g_strconcat ("[BackgroundSync]\nSyncInterval=60\nSyncVariance=0\n", more_settings, NULL);

  g_mkdir_with_parents (fixture->harness->state_dir, 0755);
  g_assert_true (g_file_set_contents (state_path, state, -1, NULL));
  g_assert_true (g_file_set_contents (config_path, settings, -1, NULL));
}

static void
set_metered (Fixture *fixture, guint32 metered)
{
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&props, "{sv}", "Metered", g_variant_new_uint32 (metered));
  of_harness_mock_call (fixture->harness, NM, NM_PATH, "UpdateProperties",
                        g_variant_new ("(sa{sv})", NM, &props));
}

/* On a metered network (python-dbusmock's NetworkManager) the due sync is
 * held back: the status page says why and that Sync now still works; the
 * network unmetered, it still waits for mains power (python-dbusmock's
 * UPower, SyncOnBatteryEnabled=false); Sync Now runs meanwhile, and then
 * nothing is due any more. */
static void
test_deferred (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) nm = NULL;
  g_autoptr(GSubprocess) upower = NULL;
  const char *waiting = "Waiting: the network is metered";
  const char *on_battery = "Waiting: the computer is on battery";
  GtkProgressBar *progress;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  nm = of_harness_start_mock (fixture->harness, "networkmanager", NULL, NM);
  /* The template has no Metered (TESTING.md): add it, yes. */
  of_harness_mock_call (fixture->harness, NM, NM_PATH, "AddProperty",
                        g_variant_new ("(ssv)", NM, "Metered", g_variant_new_uint32 (1)));
  upower = of_harness_start_mock (fixture->harness, "upower", "{\"OnBattery\": true}", "org.freedesktop.UPower");
  make_sync_due (fixture, "[MachineConfiguration]\nSyncOnBatteryEnabled=false\n");
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  WAIT_UNTIL (subtitle_has (fixture, "state-row", waiting), LIVE_MS);
  g_assert_true (subtitle_has (fixture, "state-row", waiting));
  g_assert_true (subtitle_has (fixture, "state-row", "Sync Now still works"));
  g_assert_cmpstr (state_text (fixture), ==, "Held back");
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, NULL, "sync-now")));
  g_test_message ("State: %s; %s", state_text (fixture), subtitle_of_row (fixture, "state-row"));
  screenshot (fixture, "status", "status-deferred");

  set_metered (fixture, 4 /* guess-no */);
  WAIT_UNTIL (subtitle_has (fixture, "state-row", on_battery), LIVE_MS);
  g_assert_true (subtitle_has (fixture, "state-row", on_battery));
  g_assert_false (subtitle_has (fixture, "state-row", waiting));
  g_assert_cmpstr (state_text (fixture), ==, "Held back");

  /* What the page says is true: Sync Now runs while the due sync waits,
   * and that sync, done, is no longer due. */
  progress = GTK_PROGRESS_BAR (widget (fixture, NULL, "progress"));
  gtk_widget_activate (widget (fixture, NULL, "sync-now"));
  WAIT_UNTIL (gtk_progress_bar_get_fraction (progress) == 1.0
              && g_strcmp0 (gtk_progress_bar_get_text (progress), "Succeeded") == 0, 60000);
  g_assert_cmpstr (gtk_progress_bar_get_text (progress), ==, "Succeeded");
  /* The daemon says "deferred" once more, without a DeferReason, in the
   * PropertiesChanged of the sync's end, and "idle" just after. */
  WAIT_UNTIL (g_strcmp0 (state_text (fixture), "Idle") == 0, LIVE_MS);
  g_assert_cmpstr (state_text (fixture), ==, "Idle");
  g_assert_false (subtitle_has (fixture, "state-row", on_battery));
  g_assert_false (subtitle_has (fixture, "state-row", "Sync Now still works"));
  g_subprocess_force_exit (nm);
  g_subprocess_wait (nm, NULL, NULL);
  g_subprocess_force_exit (upower);
  g_subprocess_wait (upower, NULL, NULL);
}

/* A share whose server copy is missing: "Check connection" shows it
 * offline/disconnected; back online when the server copy is; and a
 * change made elsewhere shows live. */
static void
test_connection (Fixture *fixture, gconstpointer data)
{
  struct passwd *pw = getpwnam (USER);
  g_autofree char *remote = NULL;
  g_autofree char *report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GtkWidget *window;
  GtkWidget *check;

  if (!of_harness_require_root ("run probes as another user"))
    return;
  if (!add_share (fixture, "projects"))
    return;
  remote = g_build_filename (fixture->harness->dir, "remote", NULL);
  report = g_build_filename (remote, "report.txt", NULL);
  g_assert_cmpint (g_remove (report), ==, 0);
  g_assert_cmpint (g_rmdir (remote), ==, 0);
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  show_page (fixture, "shares");
  window = GTK_WIDGET (fixture->window);
  WAIT_UNTIL (find_named (window, "projects") != NULL, LIVE_MS);
  /* "Connection not checked yet" unless a mount anywhere on the machine
   * (another test's FUSE server, GVfs) made the daemon probe every share. */
  g_assert_true (subtitle_has (fixture, "projects", "Connection not checked yet")
                 || subtitle_has (fixture, "projects", "Offline (disconnected)"));

  check = widget (fixture, "projects", "check-connection");
  gtk_widget_activate (check);
  WAIT_UNTIL (label_shows (window, "projects: Offline (disconnected)")
              && subtitle_has (fixture, "projects", "Offline (disconnected)"), 30000);
  g_assert_true (label_shows (window, "projects: Offline (disconnected)"));
  g_assert_true (subtitle_has (fixture, "projects", "Offline (disconnected)"));
  g_assert_cmpuint (share_uint (fixture, "projects", "ConnectState"), ==, 1);
  g_assert_cmpuint (share_uint (fixture, "projects", "OfflineReason"), ==, 4);
  g_assert_true (gtk_widget_is_sensitive (check));
  /* The probe never creates the server copy. */
  g_assert_false (g_file_test (remote, G_FILE_TEST_EXISTS));
  g_test_message ("projects row: %s", subtitle_of_row (fixture, "projects"));
  screenshot (fixture, "shares", "shares-offline");

  g_assert_cmpint (g_mkdir (remote, 0755), ==, 0);
  g_assert_cmpint (chown (remote, pw->pw_uid, pw->pw_gid), ==, 0);
  gtk_widget_activate (check);
  WAIT_UNTIL (label_shows (window, "projects: Online") && subtitle_has (fixture, "projects", "Online"), 30000);
  g_assert_true (label_shows (window, "projects: Online"));
  g_assert_true (subtitle_has (fixture, "projects", "Online"));

  /* Work offline switched on by someone else: offline at once, live. */
  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                       "/org/offlinefiles/BackgroundSync/share/projects",
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline", g_variant_new_boolean (TRUE)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (subtitle_has (fixture, "projects", "Offline (working offline)"), LIVE_MS);
  g_assert_true (subtitle_has (fixture, "projects", "Offline (working offline)"));
}

/* Check connection refused (python-dbusmock's polkitd denies manage-shares
 * to root, who is not the share's user): the daemon's message in a toast,
 * and the button usable again.  (Whether anything was probed cannot be
 * told here: any mount on the machine makes the daemon probe every share.) */
static void
test_connection_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *check;

  if (!of_harness_require_root ("run python-dbusmock's polkitd as polkitd"))
    return;
  if (!add_share (fixture, "projects"))
    return;
  of_harness_start_mock_polkit (fixture->harness);
  of_harness_start_daemon (fixture->harness, NULL);
  reply = g_dbus_connection_call_sync (fixture->harness->conn, "org.offlinefiles.BackgroundSync",
                                       "/org/offlinefiles/BackgroundSync/share/projects", SHARE_IFACE, "Probe",
                                       NULL, G_VARIANT_TYPE ("(uu)"), G_DBUS_CALL_FLAGS_NONE, 60000, NULL, &error);
  g_assert_null (reply);
  expected = of_panel_error_message (error);
  open_panel (fixture);
  show_page (fixture, "shares");
  WAIT_UNTIL (find_named (GTK_WIDGET (fixture->window), "projects") != NULL, LIVE_MS);
  check = widget (fixture, "projects", "check-connection");

  gtk_widget_activate (check);
  WAIT_UNTIL (label_shows (GTK_WIDGET (fixture->window), expected), 30000);
  g_assert_true (label_shows (GTK_WIDGET (fixture->window), expected));
  WAIT_UNTIL (gtk_widget_is_sensitive (check), LIVE_MS);
  g_assert_true (gtk_widget_is_sensitive (check));
}

/* The daemon stops: a banner, nothing to change; it comes back with a
 * value changed in its file meanwhile: the banner goes, the value shows. */
static void
test_daemon_restart (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = NULL;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  g_assert_false (gtk_widget_get_visible (widget (fixture, "schedule", "daemon-banner")));

  g_assert_cmpint (of_harness_stop_daemon (fixture->harness), ==, 0);
  WAIT_UNTIL (!of_panel_model_get_running (fixture->model), LIVE_MS);
  g_assert_false (of_panel_model_get_running (fixture->model));
  g_assert_true (gtk_widget_get_visible (widget (fixture, "status", "daemon-banner")));
  g_assert_true (gtk_widget_get_visible (widget (fixture, "schedule", "daemon-banner")));
  g_assert_true (gtk_widget_get_visible (widget (fixture, "shares", "daemon-banner")));
  g_assert_false (gtk_widget_is_sensitive (widget (fixture, NULL, "SyncInterval")));
  g_assert_false (gtk_widget_is_sensitive (widget (fixture, NULL, "sync-now")));
  screenshot (fixture, "status", "daemon-stopped");

  path = of_harness_config_path (fixture->harness);
  g_assert_true (g_file_set_contents (path, "[BackgroundSync]\nSyncInterval=200\n", -1, NULL));
  of_harness_start_daemon (fixture->harness, NULL);
  WAIT_UNTIL (of_panel_model_get_running (fixture->model)
              && spin_value (fixture, "SyncInterval", "value") == 200, LIVE_MS);
  g_assert_true (of_panel_model_get_running (fixture->model));
  g_assert_cmpint (spin_value (fixture, "SyncInterval", "value"), ==, 200);
  g_assert_false (gtk_widget_get_visible (widget (fixture, "schedule", "daemon-banner")));
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, NULL, "SyncInterval")));
  g_assert_true (gtk_widget_is_sensitive (widget (fixture, NULL, "sync-now")));
}

/* A file name a local attacker might pick to inject markup. */
#define HOSTILE "<big>notes & plans&amp;.txt"

/* A real conflict made with the real unison: the row's count follows
 * ConflictCount within a second; the dialog lists it with both sides; the
 * server's version chosen there is the one on both sides afterwards, and
 * the count goes back to none.  A failed resolution shows the daemon's
 * reason and touches nothing. */
static void
test_conflicts (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *local_after = NULL;
  g_autofree char *remote_after = NULL;
  g_autofree char *away = NULL;
  g_autofree char *toast = NULL;
  GtkWidget *button;
  GtkWidget *dialog;
  GtkWidget *row;
  GtkWidget *hostile;
  g_autoptr(GList) rows = NULL;

  if (!of_harness_require_root ("run the engine as another user"))
    return;
  if (!add_share (fixture, "projects"))
    return;
  local = g_build_filename (fixture->harness->dir, "local", NULL);
  remote = g_build_filename (fixture->harness->dir, "remote", NULL);
  away = g_build_filename (fixture->harness->dir, "remote-unmounted", NULL);
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);
  show_page (fixture, "shares");
  WAIT_UNTIL (find_named (GTK_WIDGET (fixture->window), "projects") != NULL, LIVE_MS);
  button = widget (fixture, "projects", "conflicts");
  g_assert_false (gtk_widget_get_visible (button));

  /* The row's own Sync now brings the server's files here. */
  put_as_user (remote, HOSTILE, "draft\n");
  click (widget (fixture, "projects", "sync"));
  WAIT_UNTIL ((copied = read_file (local, "report.txt")) != NULL
              && strstr (subtitle_of (widget (fixture, NULL, "projects")), "Synchronized"), 60000);
  g_assert_cmpstr (copied, ==, "quarterly numbers\n");

  put_as_user (local, "report.txt", "edited on the laptop\n");
  put_as_user (remote, "report.txt", "edited on the server, by someone else\n");
  put_as_user (local, HOSTILE, "draft, mine\n");
  put_as_user (remote, HOSTILE, "draft, theirs\n");
  click (widget (fixture, "projects", "sync"));
  for (gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
       conflict_count (fixture, "projects") != 2 && g_get_monotonic_time () < end;)
    spin_main_context (50);
  g_assert_cmpuint (conflict_count (fixture, "projects"), ==, 2);
  WAIT_UNTIL (gtk_widget_get_visible (button), LIVE_MS);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "2 conflicts");
  screenshot (fixture, "shares", "shares-conflict");

  click (button);
  WAIT_UNTIL ((dialog = find_window (OF_TYPE_CONFLICTS_DIALOG)) != NULL
              && (rows = of_conflicts_dialog_rows (OF_CONFLICTS_DIALOG (dialog))) != NULL, 10000);
  g_assert_nonnull (dialog);
  g_assert_cmpuint (g_list_length (rows), ==, 2);
  row = named_in (dialog, "report.txt");
  hostile = named_in (dialog, HOSTILE);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "report.txt");
  /* A file name is shown as it is, never read as markup. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (hostile)), ==, HOSTILE);
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (hostile)));
  g_test_message ("row: %s", subtitle_of (row));
  g_assert_nonnull (strstr (subtitle_of (row), "Changed here and on the server"));
  /* Both sides' sizes, as the share's user found them after the sync. */
  g_assert_nonnull (strstr (subtitle_of (row), "This computer: 21 bytes"));
  g_assert_nonnull (strstr (subtitle_of (row), "Server: 38 bytes"));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, OF_CONFLICT_SKIP);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (hostile)), ==, OF_CONFLICT_SKIP);
  spin_main_context (300);
  screenshot_window (dialog, "conflicts-dialog");

  /* The server's folder gone: every choice fails with the daemon's
   * reason, on its row and in a toast; nothing is touched. */
  g_assert_cmpint (g_rename (remote, away), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), OF_CONFLICT_KEEP_REMOTE);
  click (named_in (dialog, "resolve"));
  WAIT_UNTIL (g_str_has_prefix (subtitle_of (row), "Failed: "), 60000);
  g_test_message ("row: %s", subtitle_of (row));
  g_assert_true (g_str_has_prefix (subtitle_of (row), "Failed: "));
  toast = g_strdup_printf ("report.txt: %s", subtitle_of (row) + strlen ("Failed: "));
  WAIT_UNTIL (label_shows (dialog, toast), 2000);
  g_assert_true (label_shows (dialog, toast));
  g_assert_true (gtk_widget_get_sensitive (row));
  g_assert_cmpint (g_rename (away, remote), ==, 0);
  g_assert_cmpuint (conflict_count (fixture, "projects"), ==, 2);
  local_after = read_file (local, "report.txt");
  g_assert_cmpstr (local_after, ==, "edited on the laptop\n");
  g_clear_pointer (&local_after, g_free);

  /* One choice for all: the server's version of both. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (named_in (dialog, "all")), OF_CONFLICT_KEEP_REMOTE);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (hostile)), ==, OF_CONFLICT_KEEP_REMOTE);
  click (named_in (dialog, "resolve"));
  WAIT_UNTIL (g_strcmp0 (subtitle_of (row), "Resolved") == 0 && g_strcmp0 (subtitle_of (hostile), "Resolved") == 0,
              60000);
  g_assert_cmpstr (subtitle_of (row), ==, "Resolved");
  g_assert_cmpstr (subtitle_of (hostile), ==, "Resolved");
  g_assert_false (gtk_widget_get_sensitive (row));
  g_assert_false (gtk_widget_get_sensitive (named_in (dialog, "resolve")));
  local_after = read_file (local, "report.txt");
  remote_after = read_file (remote, "report.txt");
  g_assert_cmpstr (local_after, ==, "edited on the server, by someone else\n");
  g_assert_cmpstr (remote_after, ==, "edited on the server, by someone else\n");
  g_clear_pointer (&local_after, g_free);
  g_clear_pointer (&remote_after, g_free);
  local_after = read_file (local, HOSTILE);
  remote_after = read_file (remote, HOSTILE);
  g_assert_cmpstr (local_after, ==, "draft, theirs\n");
  g_assert_cmpstr (remote_after, ==, "draft, theirs\n");
  g_assert_cmpuint (conflict_count (fixture, "projects"), ==, 0);
  WAIT_UNTIL (!gtk_widget_get_visible (button), LIVE_MS);
  g_assert_false (gtk_widget_get_visible (button));
  WAIT_UNTIL (strstr (subtitle_of (widget (fixture, NULL, "projects")), "conflicts resolved") != NULL, LIVE_MS);
  g_assert_nonnull (strstr (subtitle_of (widget (fixture, NULL, "projects")), "Synchronized"));
  g_assert_nonnull (strstr (subtitle_of (widget (fixture, NULL, "projects")), "conflicts resolved"));
  screenshot_window (dialog, "conflicts-resolved");
}

/* Fills the add-share dialog as a person would; the folders go through
 * the file chooser's own response path. */
static GtkWidget *
fill_add_share (Fixture *fixture, const char *name, const char *local, const char *remote)
{
  g_autoptr(GFile) local_file = g_file_new_for_path (local);
  g_autoptr(GFile) remote_file = g_file_new_for_path (remote);
  GtkWidget *dialog;
  GtkWidget *chooser;

  show_page (fixture, "shares");
  click (widget (fixture, "shares", "add-share"));
  WAIT_UNTIL ((dialog = find_window (OF_TYPE_ADD_SHARE_DIALOG)) != NULL, 5000);
  g_assert_nonnull (dialog);
  g_assert_false (gtk_widget_is_sensitive (named_in (dialog, "add")));
  gtk_editable_set_text (GTK_EDITABLE (named_in (dialog, "name")), name);
  g_assert_false (gtk_widget_is_sensitive (named_in (dialog, "add")));
  g_assert_true (of_add_share_dialog_set_folder (OF_ADD_SHARE_DIALOG (dialog), OF_ADD_SHARE_LOCAL, local_file));
  /* The remote one through the real chooser: GTK's own dialog where no
   * portal runs, answered as a person would. */
  click (named_in (dialog, "choose-remote"));
  WAIT_UNTIL ((chooser = find_window (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL, 5000);
  g_assert_nonnull (chooser);
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), remote_file, NULL));
  spin_main_context (200);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  WAIT_UNTIL (g_strcmp0 (subtitle_of (named_in (dialog, "remote")), remote) == 0, 5000);
  g_assert_cmpstr (subtitle_of (named_in (dialog, "local")), ==, local);
  g_assert_cmpstr (subtitle_of (named_in (dialog, "remote")), ==, remote);
  g_assert_true (gtk_widget_is_sensitive (named_in (dialog, "add")));
  spin_main_context (300);
  return dialog;
}

/* Add a share from the panel: on the bus, in shares.d, in the list; then
 * remove it after the confirmation: gone from all three, folders kept. */
static void
test_add_remove_share (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GVariant) name = NULL;
  g_autoptr(GVariant) gone = NULL;
  GtkWidget *dialog;
  GtkWidget *confirm;

  if (!of_harness_require_root ("run polkitd and the daemon"))
    return;
  local = g_build_filename (fixture->harness->dir, "documents-here", NULL);
  remote = g_build_filename (fixture->harness->dir, "documents-server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (remote, 0755), ==, 0);
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);

  dialog = fill_add_share (fixture, "documents", local, remote);
  screenshot_window (dialog, "add-share-dialog");
  click (named_in (dialog, "add"));
  /* The row comes from InterfacesAdded, which the daemon sends before
   * its reply; the dialog closes on the reply. */
  WAIT_UNTIL (find_named (GTK_WIDGET (fixture->window), "documents") != NULL &&
              find_window (OF_TYPE_ADD_SHARE_DIALOG) == NULL, 10000);
  g_assert_nonnull (find_named (GTK_WIDGET (fixture->window), "documents"));
  g_assert_null (find_window (OF_TYPE_ADD_SHARE_DIALOG));
  name = share_get (fixture, "documents", "Name");
  g_assert_nonnull (name);
  g_assert_cmpstr (g_variant_get_string (name, NULL), ==, "documents");
  file = share_file (fixture, "documents");
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "# Added by root (uid 0) through AddShare at "));
  g_assert_nonnull (strstr (contents, local));
  g_assert_nonnull (strstr (contents, remote));
  WAIT_UNTIL (label_shows (GTK_WIDGET (fixture->window), "Share documents added"), 2000);
  g_assert_true (label_shows (GTK_WIDGET (fixture->window), "Share documents added"));
  screenshot (fixture, "shares", "share-added");

  click (widget (fixture, "documents", "remove"));
  WAIT_UNTIL ((confirm = find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 5000);
  g_assert_nonnull (confirm);
  g_assert_cmpstr (gtk_widget_get_name (confirm), ==, "remove-share");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (confirm)), "stay"));
  spin_main_context (300);
  screenshot_window (confirm, "remove-share-dialog");
  /* Cancel changes nothing. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
  spin_main_context (500);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_nonnull (find_named (GTK_WIDGET (fixture->window), "documents"));

  click (widget (fixture, "documents", "remove"));
  WAIT_UNTIL ((confirm = find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL, 5000);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "remove");
  WAIT_UNTIL (find_named (GTK_WIDGET (fixture->window), "documents") == NULL, 10000);
  g_assert_null (find_named (GTK_WIDGET (fixture->window), "documents"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  gone = share_get (fixture, "documents", "Name");
  g_assert_null (gone);
  g_assert_true (g_file_test (local, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (remote, G_FILE_TEST_IS_DIR));
}

/* Bad input and a refusal (python-dbusmock's polkit, denying everyone):
 * the dialog stays, filled in, showing the daemon's own message; nothing
 * is written. */
static void
test_add_share_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *file = NULL;
  const struct { const char *name; const char *why; } cases[] = {
    { "..hidden", "an invalid name" },
    { "documents", "polkit's refusal" },
  };

  if (!of_harness_require_root ("run python-dbusmock's polkitd as polkitd"))
    return;
  local = g_build_filename (fixture->harness->dir, "here", NULL);
  remote = g_build_filename (fixture->harness->dir, "server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (local, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (remote, 0755), ==, 0);
  of_harness_start_mock_polkit (fixture->harness);
  of_harness_start_daemon (fixture->harness, NULL);
  open_panel (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = NULL;
      g_autofree char *expected = NULL;
      GtkWidget *dialog;

      g_test_message ("%s", cases[i].why);
      reply = of_harness_call (fixture->harness, IFACE, "AddShare",
                               g_variant_new ("(sssa{sv})", cases[i].name, local, remote, NULL),
                               G_DBUS_CALL_FLAGS_NONE, &error);
      g_assert_null (reply);
      expected = of_panel_error_message (error);
      g_test_message ("the daemon says: %s", expected);

      dialog = fill_add_share (fixture, cases[i].name, local, remote);
      click (named_in (dialog, "add"));
      WAIT_UNTIL (label_shows (dialog, expected), 5000);
      g_assert_true (label_shows (dialog, expected));
      g_assert_true (find_window (OF_TYPE_ADD_SHARE_DIALOG) == dialog);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (named_in (dialog, "name"))), ==, cases[i].name);
      WAIT_UNTIL (gtk_widget_is_sensitive (named_in (dialog, "add")), 2000);
      g_assert_true (gtk_widget_is_sensitive (named_in (dialog, "add")));
      file = share_file (fixture, cases[i].name);
      g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
      g_clear_pointer (&file, g_free);
      g_assert_null (find_named (GTK_WIDGET (fixture->window), cases[i].name));
      spin_main_context (600);
      if (i == G_N_ELEMENTS (cases) - 1)
        screenshot_window (dialog, "add-share-refused");
      gtk_window_destroy (GTK_WINDOW (dialog));
      spin_main_context (100);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      /* Only the TAP plan: meson runs this under xvfb-run. */
      g_print ("1..0 # SKIP no display: run under xvfb-run\n");
      return 0;
    }
  adw_init ();

#define ADD(path, setup_fn, fn) g_test_add ("/panel/" path, Fixture, NULL, setup_fn, fn, teardown)
  ADD ("bus-to-panel", setup, test_bus_to_panel);
  ADD ("panel-to-bus", setup, test_panel_to_bus);
  ADD ("refused", setup_mock_polkit, test_refused);
  ADD ("locked", setup, test_locked);
  ADD ("machine-bus-to-panel", setup, test_machine_bus_to_panel);
  ADD ("machine-panel-to-bus", setup, test_machine_panel_to_bus);
  ADD ("machine-refused", setup_mock_polkit, test_machine_refused);
  ADD ("locked-by", setup, test_locked_by);
  ADD ("deferred", setup, test_deferred);
  ADD ("connection", setup, test_connection);
  ADD ("connection-refused", setup_mock_polkit, test_connection_refused);
  ADD ("sync-now", setup, test_sync_now);
  ADD ("work-offline", setup, test_work_offline);
  ADD ("daemon-restart", setup, test_daemon_restart);
  ADD ("conflicts", setup, test_conflicts);
  ADD ("add-remove-share", setup, test_add_remove_share);
  ADD ("add-share-refused", setup_mock_polkit, test_add_share_refused);
#undef ADD
  return g_test_run ();
}
