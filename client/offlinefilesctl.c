/* offlinefilesctl — the command-line client of offlinefiles-syncd.
 *
 * A timedatectl-like front end to org.offlinefiles.BackgroundSync on the
 * system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured through
 * G_BUS_TYPE_SYSTEM).  Exit codes: 0 ok, 1 failure, 2 usage error.
 *
 * The main interface is used through the proxy gdbus-codegen generates
 * from the one XML.  Shares (org.offlinefiles.Share via the ObjectManager)
 * are not in that XML yet, so they are read with plain GDBus calls.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "agent.h"
#include "format.h"
#include "offlinefiles-dbus.h"
#include "properties.h"

#define BUS_NAME     "org.offlinefiles.BackgroundSync"
#define OBJECT_PATH  "/org/offlinefiles/BackgroundSync"
#define MAIN_IFACE   "org.offlinefiles.BackgroundSync"
#define SHARE_IFACE  "org.offlinefiles.Share"
#define PROPS_IFACE  "org.freedesktop.DBus.Properties"
#define OM_IFACE     "org.freedesktop.DBus.ObjectManager"

#define PLAN_DEFAULT 10
#define PLAN_MAX     1000

enum {
  EXIT_OK = 0,
  EXIT_FAIL = 1,
  EXIT_USAGE = 2,
};

/* Options; GOption writes them, so they are static. */
static gboolean opt_json;
static gboolean opt_no_ask_password;
static gboolean opt_version;
static gboolean opt_wait;
static gboolean opt_names;

typedef struct {
  gboolean              tty;    /* stdout is a terminal: align and colour */
  gboolean              color;
  GDBusConnection      *bus;
  OfDBusBackgroundSync *proxy;
} Ctl;

static void
ctl_clear (Ctl *ctl)
{
  g_clear_object (&ctl->proxy);
  g_clear_object (&ctl->bus);
}

/* ---------------------------------------------------------------- errors */

static int G_GNUC_PRINTF (2, 3)
report (int code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", g_get_prgname (), message);
  return code;
}

/* "offlinefilesctl: Could not set SyncInterval: SyncInterval must be
 * 0..1440 minutes, got 1441" — the daemon's own words, without the
 * "GDBus.Error:org.freedesktop.DBus.Error.InvalidArgs: " dump. */
static int
report_dbus (const char *what, GError *error)
{
  g_dbus_error_strip_remote_error (error);
  return report (EXIT_FAIL, "%s: %s", what, error->message);
}

/* @what names the unknown @word ("Unknown property “Foo”"). */
static int
report_unknown (const char *what, const char *word, const char * const *candidates)
{
  const char *guess = of_suggest (word, candidates);

  if (guess)
    return report (EXIT_USAGE, _("%s. Did you mean “%s”?"), what, guess);
  return report (EXIT_USAGE, "%s.", what);
}

/* ------------------------------------------------------------- the bus */

static gboolean
ctl_connect (Ctl *ctl, GDBusProxyFlags flags)
{
  g_autoptr(GError) error = NULL;

  ctl->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (ctl->bus == NULL)
    {
      report_dbus (_("Could not connect to the system bus"), error);
      return FALSE;
    }
  ctl->proxy = of_dbus_background_sync_proxy_new_sync (ctl->bus, flags, BUS_NAME, OBJECT_PATH,
                                                       NULL, &error);
  if (ctl->proxy == NULL)
    {
      report_dbus (_("Could not reach offlinefiles-syncd"), error);
      return FALSE;
    }
  return TRUE;
}

/* The proxy hides a failed GetAll: no owner after construction (and its
 * D-Bus activation attempt) means there is nothing to read from. */
static gboolean
ctl_connect_for_reading (Ctl *ctl, GDBusProxyFlags flags)
{
  g_autofree char *owner = NULL;

  if (!ctl_connect (ctl, flags))
    return FALSE;
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (ctl->proxy));
  if (owner == NULL)
    {
      report (EXIT_FAIL, _("offlinefiles-syncd is not running (nobody owns %s on the system bus)"),
              BUS_NAME);
      return FALSE;
    }
  return TRUE;
}

static GDBusCallFlags
auth_call_flags (void)
{
  /* Like systemctl: allow interaction unless told not to; whether a text
   * agent runs is a separate question (it needs a terminal). */
  return opt_no_ask_password ? G_DBUS_CALL_FLAGS_NONE : G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
}

static int
auth_call_timeout (void)
{
  /* A person typing a password must not hit the 25 s default. */
  return opt_no_ask_password ? -1 : G_MAXINT;
}

/* A call that polkit may have to authorize: with a text agent on our
 * terminal for exactly its duration. */
static GVariant *
call_with_auth (Ctl          *ctl,
                const char   *object_path,
                const char   *interface_name,
                const char   *method,
                GVariant     *parameters,
                const GVariantType *reply_type,
                GError      **error)
{
  OfAgent *agent = of_agent_start (!opt_no_ask_password);
  GVariant *reply;

  reply = g_dbus_connection_call_sync (ctl->bus, BUS_NAME, object_path, interface_name, method,
                                       parameters, reply_type, auth_call_flags (),
                                       auth_call_timeout (), NULL, error);
  of_agent_stop (agent);
  return reply;
}

/* --------------------------------------------------------------- shares */

typedef struct {
  char     *path;
  char     *name;
  char     *local_path;
  char     *remote_path;
  char     *user;
  gboolean  enabled;
  gboolean  work_offline;
  guint64   last_sync_time;
  char     *last_result;
  char     *last_message;
} Share;

static void
share_free (Share *share)
{
  g_free (share->path);
  g_free (share->name);
  g_free (share->local_path);
  g_free (share->remote_path);
  g_free (share->user);
  g_free (share->last_result);
  g_free (share->last_message);
  g_free (share);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Share, share_free)

static char *
lookup_string (GVariant *props, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (props, key, "&s", &value))
    value = "";
  return g_strdup (value);
}

static gboolean
lookup_boolean (GVariant *props, const char *key, gboolean fallback)
{
  gboolean value = fallback;

  g_variant_lookup (props, key, "b", &value);
  return value;
}

static Share *
share_new (const char *path, GVariant *props)
{
  Share *share = g_new0 (Share, 1);
  guint64 last = 0;

  share->path = g_strdup (path);
  share->name = lookup_string (props, "Name");
  share->local_path = lookup_string (props, "LocalPath");
  share->remote_path = lookup_string (props, "RemotePath");
  share->user = lookup_string (props, "User");
  share->enabled = lookup_boolean (props, "Enabled", TRUE);
  share->work_offline = lookup_boolean (props, "WorkOffline", FALSE);
  g_variant_lookup (props, "LastSyncTime", "t", &last);
  share->last_sync_time = last;
  share->last_result = lookup_string (props, "LastResult");
  share->last_message = lookup_string (props, "LastMessage");
  return share;
}

static int
compare_shares (gconstpointer a, gconstpointer b)
{
  const Share *x = *(const Share * const *) a;
  const Share *y = *(const Share * const *) b;

  return strcmp (x->name, y->name);
}

/* The shares, sorted by name.  A daemon that exports no ObjectManager
 * (one from before shares existed) has none: that is not an error. */
static GPtrArray *
fetch_shares (Ctl *ctl, GError **error)
{
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) share_free);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) objects = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path;
  GVariant *interfaces;

  reply = g_dbus_connection_call_sync (ctl->bus, BUS_NAME, OBJECT_PATH, OM_IFACE, "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &local_error);
  if (reply == NULL)
    {
      if (g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
          g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE) ||
          g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT))
        return g_steal_pointer (&shares);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  g_variant_get (reply, "(a{oa{sa{sv}}})", &objects);
  while (g_variant_iter_loop (objects, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, SHARE_IFACE, G_VARIANT_TYPE_VARDICT);

      if (props)
        g_ptr_array_add (shares, share_new (path, props));
    }
  g_ptr_array_sort (shares, compare_shares);
  return g_steal_pointer (&shares);
}

static void
json_share (OfJson *json, const Share *share)
{
  of_json_begin_object (json);
  of_json_key (json, "name");          of_json_string (json, share->name);
  of_json_key (json, "object_path");   of_json_string (json, share->path);
  of_json_key (json, "local_path");    of_json_string (json, share->local_path);
  of_json_key (json, "remote_path");   of_json_string (json, share->remote_path);
  of_json_key (json, "user");          of_json_string (json, share->user);
  of_json_key (json, "enabled");       of_json_bool (json, share->enabled);
  of_json_key (json, "work_offline");  of_json_bool (json, share->work_offline);
  of_json_time_members (json, "last_sync_time", share->last_sync_time);
  of_json_key (json, "last_result");   of_json_string (json, share->last_result);
  of_json_key (json, "last_message");  of_json_string (json, share->last_message);
  of_json_end_object (json);
}

static void
json_shares (OfJson *json, GPtrArray *shares)
{
  of_json_begin_array (json);
  for (guint i = 0; i < shares->len; i++)
    json_share (json, shares->pdata[i]);
  of_json_end_array (json);
}

static void
print_json (GString *text)
{
  g_print ("%s\n", text->str);
}

/* --------------------------------------------------------- human output */

#define ANSI_BOLD   "\033[1m"
#define ANSI_GREEN  "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RED    "\033[31m"
#define ANSI_BLUE   "\033[34m"
#define ANSI_GREY   "\033[90m"
#define ANSI_RESET  "\033[0m"

static const char *
ansi (Ctl *ctl, const char *code)
{
  return ctl->color ? code : "";
}

static const char *
state_color (Ctl *ctl, const char *word)
{
  if (g_strcmp0 (word, "idle") == 0 || g_strcmp0 (word, "success") == 0)
    return ansi (ctl, ANSI_GREEN);
  if (g_strcmp0 (word, "syncing") == 0)
    return ansi (ctl, ANSI_BLUE);
  if (g_strcmp0 (word, "blocked-out") == 0 || g_strcmp0 (word, "partial") == 0 ||
      g_strcmp0 (word, "cancelled") == 0)
    return ansi (ctl, ANSI_YELLOW);
  if (g_strcmp0 (word, "failed") == 0 || g_strcmp0 (word, "disabled") == 0)
    return ansi (ctl, ANSI_RED);
  return "";
}

/* "Tue 2026-11-25 16:00:00 CET (in 5h 59min)", or @never for 0. */
static char *
describe_time (guint64 usec, const char *never)
{
  g_autofree char *local = NULL;
  g_autofree char *relative = NULL;

  if (usec == 0)
    return g_strdup (never);
  local = of_format_local_time (usec);
  relative = of_format_relative (usec, (guint64) g_get_real_time ());
  return g_strdup_printf ("%s (%s)", local, relative);
}

/* One "Label: value" line: right-aligned labels on a terminal, like
 * timedatectl; plain for pipes, so that grep and cut see no padding. */
static void
print_field (Ctl *ctl, guint width, const char *label, const char *value)
{
  guint pad = 0;
  glong length = g_utf8_strlen (label, -1);

  if (ctl->tty && (glong) width > length)
    pad = width - (guint) length;
  g_print ("%*s%s%s:%s %s\n", (int) pad, "", ansi (ctl, ANSI_BOLD), label, ansi (ctl, ANSI_RESET), value);
}

static char *
describe_share_state (Ctl *ctl, const Share *share)
{
  g_autofree char *last = NULL;

  if (!share->enabled)
    return g_strdup_printf ("%s%s%s", ansi (ctl, ANSI_GREY), _("disabled"), ansi (ctl, ANSI_RESET));
  if (share->last_sync_time == 0)
    last = g_strdup (_("never synced"));
  else
    {
      g_autofree char *when = describe_time (share->last_sync_time, "");
      /* TRANSLATORS: "last synced <time>, <result>"; %s%s%s is the result between colour codes */
      last = g_strdup_printf (_("last synced %s, %s%s%s"), when, state_color (ctl, share->last_result),
                              share->last_result, ansi (ctl, ANSI_RESET));
    }
  if (share->work_offline)
    return g_strdup_printf (_("working offline; %s"), last);
  return g_steal_pointer (&last);
}

/* --------------------------------------------------------------- status */

static int
status_json (Ctl *ctl, GPtrArray *shares)
{
  OfDBusBackgroundSync *p = ctl->proxy;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *const *locked = of_dbus_background_sync_get_locked_properties (p);
  const char * const *names = of_property_names (TRUE);
  OfJson json;

  of_json_init (&json, text);
  of_json_begin_object (&json);
  of_json_key (&json, "state");
  of_json_string (&json, of_dbus_background_sync_get_state (p));
  of_json_key (&json, "current_sync_id");
  of_json_uint (&json, of_dbus_background_sync_get_current_sync_id (p));
  of_json_time_members (&json, "next_sync_time", of_dbus_background_sync_get_next_sync_time (p));
  of_json_time_members (&json, "last_sync_start_time", of_dbus_background_sync_get_last_sync_start_time (p));
  of_json_time_members (&json, "last_sync_finish_time", of_dbus_background_sync_get_last_sync_finish_time (p));
  of_json_key (&json, "last_sync_result");
  of_json_string (&json, of_dbus_background_sync_get_last_sync_result (p));
  of_json_time_members (&json, "last_successful_sync_time",
                        of_dbus_background_sync_get_last_successful_sync_time (p));

  of_json_key (&json, "settings");
  of_json_begin_object (&json);
  for (guint i = 0; names[i]; i++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (p), names[i]);
      of_json_key (&json, names[i]);
      if (value)
        of_json_variant (&json, value);
      else
        of_json_null (&json);
    }
  of_json_end_object (&json);

  of_json_key (&json, "locked_properties");
  of_json_begin_array (&json);
  for (guint i = 0; locked && locked[i]; i++)
    of_json_string (&json, locked[i]);
  of_json_end_array (&json);

  of_json_key (&json, "shares");
  json_shares (&json, shares);
  of_json_end_object (&json);
  print_json (text);
  return EXIT_OK;
}

static void
status_settings (Ctl *ctl)
{
  const char *const *locked = of_dbus_background_sync_get_locked_properties (ctl->proxy);
  guint width = 0;

  for (const OfProperty *p = of_properties; p->writable; p++)
    width = MAX (width, strlen (p->name));

  g_print ("\n%s%s%s\n", ansi (ctl, ANSI_BOLD), _("Settings:"), ansi (ctl, ANSI_RESET));
  for (const OfProperty *p = of_properties; p->writable; p++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (ctl->proxy), p->name);
      g_autofree char *shown = value ? of_property_format_human (p, value) : g_strdup ("?");
      gboolean is_locked = locked && g_strv_contains (locked, p->name);
      int pad = ctl->tty ? (int) (width - strlen (p->name)) : 0;

      g_print ("  %s:%*s %s%s%s%s\n", p->name, pad, "", shown,
               is_locked ? ansi (ctl, ANSI_YELLOW) : "",
               is_locked ? _(" [locked by policy]") : "",
               is_locked ? ansi (ctl, ANSI_RESET) : "");
    }
}

static int
status_human (Ctl *ctl, GPtrArray *shares)
{
  OfDBusBackgroundSync *p = ctl->proxy;
  const char *labels[] = { _("State"), _("Next sync"), _("Last sync"), _("Last success"), _("Shares") };
  const char *state = of_dbus_background_sync_get_state (p);
  const char *result = of_dbus_background_sync_get_last_sync_result (p);
  guint64 current = of_dbus_background_sync_get_current_sync_id (p);
  guint64 last_start = of_dbus_background_sync_get_last_sync_start_time (p);
  g_autofree char *state_text = NULL;
  g_autofree char *next = NULL;
  g_autofree char *last = NULL;
  g_autofree char *success = NULL;
  g_autofree char *count = NULL;
  guint width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    width = MAX (width, (guint) g_utf8_strlen (labels[i], -1));

  if (current != 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, current);
      /* TRANSLATORS: "syncing (sync 5)"; the first %s is the state */
      g_autofree char *with_id = g_strdup_printf (_("%s (sync %s)"), state, id);
      state_text = g_strdup_printf ("%s%s%s", state_color (ctl, state), with_id, ansi (ctl, ANSI_RESET));
    }
  else
    state_text = g_strdup_printf ("%s%s%s", state_color (ctl, state), state, ansi (ctl, ANSI_RESET));
  next = describe_time (of_dbus_background_sync_get_next_sync_time (p), _("none planned"));
  if (last_start == 0)
    last = g_strdup (_("never"));
  else
    {
      g_autofree char *when = describe_time (last_start, "");
      last = g_strdup_printf ("%s, %s%s%s", when, state_color (ctl, result),
                              *result ? result : _("running"), ansi (ctl, ANSI_RESET));
    }
  success = describe_time (of_dbus_background_sync_get_last_successful_sync_time (p), _("never"));
  count = g_strdup_printf ("%u", shares->len);

  print_field (ctl, width, labels[0], state_text);
  print_field (ctl, width, labels[1], next);
  print_field (ctl, width, labels[2], last);
  print_field (ctl, width, labels[3], success);
  print_field (ctl, width, labels[4], count);
  for (guint i = 0; i < shares->len; i++)
    {
      const Share *share = shares->pdata[i];
      g_autofree char *share_state = describe_share_state (ctl, share);
      g_print ("%*s%s: %s\n", (int) (ctl->tty ? width + 2 : 2), "", share->name, share_state);
    }
  status_settings (ctl);
  return EXIT_OK;
}

static int
cmd_status (Ctl *ctl, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GError) error = NULL;

  (void) args;
  if (!ctl_connect_for_reading (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;
  shares = fetch_shares (ctl, &error);
  if (shares == NULL)
    return report_dbus (_("Could not list the shares"), error);
  return opt_json ? status_json (ctl, shares) : status_human (ctl, shares);
}

/* ------------------------------------------------------------------ get */

static int
cmd_get (Ctl *ctl, char **args)
{
  g_autoptr(GString) text = g_string_new (NULL);
  OfJson json;

  for (guint i = 0; args[i]; i++)
    if (of_property_lookup (args[i]) == NULL)
      {
        g_autofree char *what = g_strdup_printf (_("Unknown property “%s”"), args[i]);
        return report_unknown (what, args[i], of_property_names (FALSE));
      }

  if (!ctl_connect_for_reading (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;

  of_json_init (&json, text);
  of_json_begin_object (&json);
  for (guint i = 0; args[i]; i++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (ctl->proxy), args[i]);

      if (value == NULL)
        return report (EXIT_FAIL, _("Could not read %s: the daemon did not report it"), args[i]);
      if (opt_json)
        {
          of_json_key (&json, args[i]);
          of_json_variant (&json, value);
        }
      else
        {
          g_autofree char *shown = of_property_format_raw (value);
          /* An empty list prints nothing rather than an empty line. */
          if (*shown || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
            g_print ("%s\n", shown);
        }
    }
  of_json_end_object (&json);
  if (opt_json)
    print_json (text);
  return EXIT_OK;
}

/* ------------------------------------------------------------------ set */

static int
cmd_set (Ctl *ctl, char **args)
{
  g_auto(GVariantBuilder) settings = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *what = NULL;
  guint n = g_strv_length (args);

  if (n % 2 != 0)
    return report (EXIT_USAGE, _("Missing a value for %s: expected NAME VALUE [NAME VALUE…]"), args[n - 1]);

  /* Everything is checked before anything is sent: one Configure call,
   * all or nothing, as the daemon applies it. */
  for (guint i = 0; i < n; i += 2)
    {
      const OfProperty *property = of_property_lookup (args[i]);
      GVariant *value;

      if (property == NULL)
        {
          what = g_strdup_printf (_("Unknown property “%s”"), args[i]);
          return report_unknown (what, args[i], of_property_names (TRUE));
        }
      if (!property->writable)
        {
          joined = g_strjoinv (", ", (char **) of_property_names (TRUE));
          return report (EXIT_USAGE, _("%s is read-only; settable are: %s"), args[i], joined);
        }
      for (guint j = 0; j < names->len; j++)
        if (strcmp (names->pdata[j], args[i]) == 0)
          return report (EXIT_USAGE, _("%s is given more than once"), args[i]);
      value = of_property_parse (property, args[i + 1], &error);
      if (value == NULL)
        return report (EXIT_USAGE, "%s", error->message);
      g_variant_builder_add (&settings, "{sv}", args[i], value);
      g_ptr_array_add (names, args[i]);
    }

  if (!ctl_connect (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;
  reply = call_with_auth (ctl, OBJECT_PATH, MAIN_IFACE, "Configure",
                          g_variant_new ("(a{sv})", &settings), NULL, &error);
  if (reply == NULL)
    {
      g_ptr_array_add (names, NULL);
      joined = g_strjoinv (", ", (char **) names->pdata);
      what = g_strdup_printf (_("Could not set %s"), joined);
      return report_dbus (what, error);
    }
  return EXIT_OK;
}

/* ------------------------------------------------------- sync-now, cancel */

typedef struct {
  Ctl        *ctl;
  GMainLoop  *loop;
  guint64     id;
  gboolean    finished;
  gboolean    vanished;
  gboolean    interrupted;
  char       *result;
  char       *message;
  gboolean    progress_shown;
} SyncWait;

static void
clear_progress (SyncWait *wait)
{
  if (wait->progress_shown)
    {
      g_print ("\r\033[K");
      wait->progress_shown = FALSE;
    }
}

static void
on_sync_progress (OfDBusBackgroundSync *proxy, guint64 id, guint done, guint total,
                  const char *share, gpointer user_data)
{
  SyncWait *wait = user_data;

  (void) proxy;
  /* A progress line only makes sense where it can be redrawn. */
  if (id != wait->id || !wait->ctl->tty)
    return;
  g_print ("\r\033[K[%u/%u] %s", done, total, share);
  fflush (stdout);
  wait->progress_shown = TRUE;
}

static void
on_sync_finished (OfDBusBackgroundSync *proxy, guint64 id, const char *result,
                  const char *message, gpointer user_data)
{
  SyncWait *wait = user_data;

  (void) proxy;
  if (id != wait->id || wait->finished)
    return;
  wait->finished = TRUE;
  wait->result = g_strdup (result);
  wait->message = g_strdup (message);
  g_main_loop_quit (wait->loop);
}

static void
on_owner_changed (GObject *proxy, GParamSpec *pspec, gpointer user_data)
{
  SyncWait *wait = user_data;
  g_autofree char *owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (proxy));

  (void) pspec;
  if (owner == NULL)
    {
      wait->vanished = TRUE;
      g_main_loop_quit (wait->loop);
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  SyncWait *wait = user_data;

  wait->interrupted = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_CONTINUE;
}

static int
wait_for_sync (SyncWait *wait)
{
  guint sigint = g_unix_signal_add (SIGINT, on_interrupt, wait);
  guint sigterm = g_unix_signal_add (SIGTERM, on_interrupt, wait);
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, wait->id);

  g_main_loop_run (wait->loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  clear_progress (wait);

  if (wait->interrupted)
    return report (EXIT_FAIL, _("Stopped waiting; sync %s goes on"), id);
  if (wait->vanished)
    return report (EXIT_FAIL, _("offlinefiles-syncd stopped before sync %s finished"), id);
  if (g_strcmp0 (wait->result, "success") == 0)
    {
      g_print ("%s\n", wait->message);
      return EXIT_OK;
    }
  return report (EXIT_FAIL, _("Sync %s ended with result “%s”: %s"), id, wait->result, wait->message);
}

static int
cmd_sync_now (Ctl *ctl, char **args)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  SyncWait wait = { ctl, loop, 0, FALSE, FALSE, FALSE, NULL, NULL, FALSE };
  int status;

  (void) args;
  /* The proxy subscribes to the signals while it is built, before
   * SyncNow is sent: a quick sync's SyncFinished cannot slip past. */
  if (!ctl_connect (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                    (opt_wait ? 0 : G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS)))
    return EXIT_FAIL;
  if (opt_wait)
    {
      g_signal_connect (ctl->proxy, "sync-progress", G_CALLBACK (on_sync_progress), &wait);
      g_signal_connect (ctl->proxy, "sync-finished", G_CALLBACK (on_sync_finished), &wait);
      g_signal_connect (ctl->proxy, "notify::g-name-owner", G_CALLBACK (on_owner_changed), &wait);
    }

  reply = call_with_auth (ctl, OBJECT_PATH, MAIN_IFACE, "SyncNow", NULL, G_VARIANT_TYPE ("(t)"), &error);
  if (reply == NULL)
    return report_dbus (_("Could not start a sync"), error);
  g_variant_get (reply, "(t)", &wait.id);

  if (!opt_wait)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, wait.id);
      g_print (_("Sync %s is running.\n"), id);
      return EXIT_OK;
    }
  /* Signals received during the synchronous call wait in the main
   * context's queue; the loop dispatches them now that the id is known. */
  status = wait_for_sync (&wait);
  g_signal_handlers_disconnect_by_data (ctl->proxy, &wait);
  g_free (wait.result);
  g_free (wait.message);
  return status;
}

static int
cmd_cancel (Ctl *ctl, char **args)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  (void) args;
  if (!ctl_connect (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;
  reply = call_with_auth (ctl, OBJECT_PATH, MAIN_IFACE, "Cancel", NULL, NULL, &error);
  if (reply == NULL)
    return report_dbus (_("Could not cancel the sync"), error);
  return EXIT_OK;
}

/* ------------------------------------------------- shares, work-offline */

static void
print_share (Ctl *ctl, const Share *share)
{
  const char *labels[] = { _("Local path"), _("Remote path"), _("User"), _("Enabled"),
                           _("Work offline"), _("Last sync") };
  g_autofree char *last = NULL;
  guint width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    width = MAX (width, (guint) g_utf8_strlen (labels[i], -1));
  width += 2;

  if (share->last_sync_time == 0)
    last = g_strdup (_("never"));
  else
    {
      g_autofree char *when = describe_time (share->last_sync_time, "");
      last = g_strdup_printf ("%s, %s%s%s%s%s", when, state_color (ctl, share->last_result),
                              share->last_result, ansi (ctl, ANSI_RESET),
                              *share->last_message ? ": " : "", share->last_message);
    }

  g_print ("%s%s%s\n", ansi (ctl, ANSI_BOLD), share->name, ansi (ctl, ANSI_RESET));
  print_field (ctl, width, labels[0], share->local_path);
  print_field (ctl, width, labels[1], share->remote_path);
  print_field (ctl, width, labels[2], share->user);
  print_field (ctl, width, labels[3], share->enabled ? _("yes") : _("no"));
  print_field (ctl, width, labels[4], share->work_offline ? _("yes") : _("no"));
  print_field (ctl, width, labels[5], last);
}

static int
cmd_shares (Ctl *ctl, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GError) error = NULL;

  (void) args;
  if (!ctl_connect_for_reading (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;
  shares = fetch_shares (ctl, &error);
  if (shares == NULL)
    return report_dbus (_("Could not list the shares"), error);

  if (opt_json)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      OfJson json;

      of_json_init (&json, text);
      json_shares (&json, shares);
      print_json (text);
    }
  else if (opt_names)
    {
      for (guint i = 0; i < shares->len; i++)
        g_print ("%s\n", ((Share *) shares->pdata[i])->name);
    }
  else if (shares->len == 0)
    g_print ("%s\n", _("No shares configured."));
  else
    for (guint i = 0; i < shares->len; i++)
      {
        if (i > 0)
          g_print ("\n");
        print_share (ctl, shares->pdata[i]);
      }
  return EXIT_OK;
}

static int
cmd_work_offline (Ctl *ctl, char **args)
{
  g_autoptr(GPtrArray) shares = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  const Share *share = NULL;
  gboolean on;

  if (!of_parse_boolean (args[1], &on))
    return report (EXIT_USAGE, _("Invalid value “%s”: expected on or off"), args[1]);
  if (!ctl_connect_for_reading (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;
  /* Share object paths escape the name; asking by name keeps us out of
   * the escaping rules. */
  shares = fetch_shares (ctl, &error);
  if (shares == NULL)
    return report_dbus (_("Could not list the shares"), error);
  for (guint i = 0; i < shares->len; i++)
    {
      const Share *candidate = shares->pdata[i];
      if (strcmp (candidate->name, args[0]) == 0)
        share = candidate;
      g_ptr_array_add (names, candidate->name);
    }
  g_ptr_array_add (names, NULL);
  if (share == NULL)
    {
      const char *guess = of_suggest (args[0], (const char * const *) names->pdata);
      if (shares->len == 0)
        return report (EXIT_FAIL, _("No share named “%s”: no shares are configured"), args[0]);
      if (guess)
        return report (EXIT_FAIL, _("No share named “%s”. Did you mean “%s”?"), args[0], guess);
      return report (EXIT_FAIL, _("No share named “%s”"), args[0]);
    }

  reply = call_with_auth (ctl, share->path, PROPS_IFACE, "Set",
                          g_variant_new ("(ssv)", SHARE_IFACE, "WorkOffline", g_variant_new_boolean (on)),
                          NULL, &error);
  if (reply == NULL)
    {
      what = g_strdup_printf (on ? _("Could not put %s in work-offline mode")
                                 : _("Could not take %s out of work-offline mode"), share->name);
      return report_dbus (what, error);
    }
  return EXIT_OK;
}

/* ----------------------------------------------------------------- plan */

static int
cmd_plan (Ctl *ctl, char **args)
{
  g_autoptr(GVariant) syncs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint64 count = PLAN_DEFAULT;
  guint64 now = (guint64) g_get_real_time ();
  GVariantIter iter;
  guint64 start;
  const char *reason, *note;
  guint index = 0;
  OfJson json;

  if (args[0] && (!g_ascii_isdigit (args[0][0]) ||
                  !g_ascii_string_to_unsigned (args[0], 10, 1, PLAN_MAX, &count, NULL)))
    return report (EXIT_USAGE, _("Invalid count “%s”: expected a number from 1 to %u"), args[0], PLAN_MAX);

  if (!ctl_connect (ctl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS))
    return EXIT_FAIL;
  if (!of_dbus_background_sync_call_preview_schedule_sync (ctl->proxy, (guint) count, &syncs, NULL, &error))
    return report_dbus (_("Could not preview the schedule"), error);

  of_json_init (&json, text);
  of_json_begin_array (&json);
  if (!opt_json && g_variant_n_children (syncs) == 0)
    g_print ("%s\n", _("No background sync is planned."));
  g_variant_iter_init (&iter, syncs);
  while (g_variant_iter_next (&iter, "(t&s&s)", &start, &reason, &note))
    {
      index++;
      if (opt_json)
        {
          of_json_begin_object (&json);
          of_json_time_members (&json, "time", start);
          of_json_key (&json, "reason");
          of_json_string (&json, reason);
          of_json_key (&json, "note");
          of_json_string (&json, note);
          of_json_end_object (&json);
        }
      else
        {
          g_autofree char *local = of_format_local_time (start);
          g_autofree char *relative = of_format_relative (start, now);
          g_print ("%4u. %s  %-16s %-9s %s\n", index, local, relative, reason, note);
        }
    }
  of_json_end_array (&json);
  if (opt_json)
    print_json (text);
  return EXIT_OK;
}

/* -------------------------------------------------------------- monitor */

typedef struct {
  Ctl       *ctl;
  GMainLoop *loop;
  gboolean   owner_known;  /* the name watcher's first report is not a change */
} Monitor;

static void
print_human_value (GString *line, GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    {
      const char *s = g_variant_get_string (value, NULL);
      /* Quote only what would not read as one word. */
      if (*s == '\0' || strpbrk (s, " \t\"'=") != NULL)
        {
          g_autofree char *quoted = g_strescape (s, NULL);
          g_string_append_printf (line, "\"%s\"", quoted);
        }
      else
        g_string_append (line, s);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);
      print_human_value (line, inner);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autofree const char **strv = g_variant_get_strv (value, NULL);
      g_autofree char *joined = g_strjoinv (",", (char **) strv);
      g_string_append (line, joined);
    }
  else
    {
      g_autofree char *printed = g_variant_print (value, FALSE);
      g_string_append (line, printed);
    }
}

/* One event, one line: JSON with "event" and "time" first, or
 * "2026-11-25 10:00:01 SyncStarted id=5 reason=manual".  @fields is an
 * a{sv} whose keys are the JSON keys; a nested a{sv} (the changed
 * properties) reads as NAME=VALUE pairs for humans. */
static void
emit_event (Monitor *monitor, const char *event, GVariant *fields)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (fields);
  g_autoptr(GString) line = g_string_new (NULL);
  guint64 now = (guint64) g_get_real_time ();
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (opt_json)
    {
      OfJson json;

      of_json_init (&json, line);
      of_json_begin_object (&json);
      of_json_key (&json, "event");
      of_json_string (&json, event);
      of_json_time_members (&json, "time", now);
      g_variant_iter_init (&iter, owned);
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
        {
          of_json_key (&json, key);
          of_json_variant (&json, value);
        }
      of_json_end_object (&json);
    }
  else
    {
      g_autoptr(GDateTime) local = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");

      g_string_append_printf (line, "%s %s%s%s", stamp, ansi (monitor->ctl, ANSI_BOLD), event,
                              ansi (monitor->ctl, ANSI_RESET));
      g_variant_iter_init (&iter, owned);
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
        {
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
            {
              GVariantIter members;
              const char *name;
              GVariant *member;

              g_variant_iter_init (&members, value);
              while (g_variant_iter_loop (&members, "{&sv}", &name, &member))
                {
                  g_string_append_printf (line, " %s=", name);
                  print_human_value (line, member);
                }
              continue;
            }
          if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY) && g_variant_n_children (value) == 0)
            continue;
          g_string_append_printf (line, " %s=", key);
          print_human_value (line, value);
        }
    }
  /* Each line must reach a pipe at once, not when a buffer fills. */
  g_print ("%s\n", line->str);
  fflush (stdout);
}

static void
on_main_signal (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                const char *signal, GVariant *params, gpointer user_data)
{
  Monitor *monitor = user_data;
  GVariantDict fields;
  guint64 id;
  const char *a, *b;
  guint done, total;

  (void) bus; (void) sender; (void) path; (void) iface;
  g_variant_dict_init (&fields, NULL);
  if (strcmp (signal, "SyncStarted") == 0 && g_variant_is_of_type (params, G_VARIANT_TYPE ("(ts)")))
    {
      g_variant_get (params, "(t&s)", &id, &a);
      g_variant_dict_insert (&fields, "id", "t", id);
      g_variant_dict_insert (&fields, "reason", "s", a);
    }
  else if (strcmp (signal, "SyncFinished") == 0 && g_variant_is_of_type (params, G_VARIANT_TYPE ("(tss)")))
    {
      g_variant_get (params, "(t&s&s)", &id, &a, &b);
      g_variant_dict_insert (&fields, "id", "t", id);
      g_variant_dict_insert (&fields, "result", "s", a);
      g_variant_dict_insert (&fields, "message", "s", b);
    }
  else if (strcmp (signal, "SyncProgress") == 0 && g_variant_is_of_type (params, G_VARIANT_TYPE ("(tuus)")))
    {
      g_variant_get (params, "(tuu&s)", &id, &done, &total, &a);
      g_variant_dict_insert (&fields, "id", "t", id);
      g_variant_dict_insert (&fields, "shares_done", "u", done);
      g_variant_dict_insert (&fields, "shares_total", "u", total);
      g_variant_dict_insert (&fields, "share", "s", a);
    }
  else
    g_variant_dict_insert_value (&fields, "arguments", params);
  emit_event (monitor, signal, g_variant_dict_end (&fields));
}

static void
on_properties_changed (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                       const char *signal, GVariant *params, gpointer user_data)
{
  Monitor *monitor = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) invalidated = NULL;
  const char *interface_name;
  GVariantDict fields;

  (void) bus; (void) sender; (void) iface; (void) signal;
  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (params, "(&s@a{sv}@as)", &interface_name, &changed, &invalidated);
  g_variant_dict_init (&fields, NULL);
  g_variant_dict_insert (&fields, "path", "o", path);
  g_variant_dict_insert (&fields, "interface", "s", interface_name);
  g_variant_dict_insert_value (&fields, "changed", changed);
  g_variant_dict_insert_value (&fields, "invalidated", invalidated);
  emit_event (monitor, signal, g_variant_dict_end (&fields));
}

static void
on_object_manager_signal (GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                          const char *signal, GVariant *params, gpointer user_data)
{
  Monitor *monitor = user_data;
  GVariantDict fields;
  const char *object;

  (void) bus; (void) sender; (void) path; (void) iface;
  g_variant_dict_init (&fields, NULL);
  if (g_variant_is_of_type (params, G_VARIANT_TYPE ("(oa{sa{sv}})")))
    {
      g_autoptr(GVariant) added = NULL;
      GVariantIter iter;
      const char *name;
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      g_variant_get (params, "(&o@a{sa{sv}})", &object, &added);
      g_variant_iter_init (&iter, added);
      while (g_variant_iter_next (&iter, "{&s@a{sv}}", &name, NULL))
        g_ptr_array_add (names, (gpointer) name);
      g_ptr_array_add (names, NULL);
      g_variant_dict_insert (&fields, "path", "o", object);
      g_variant_dict_insert_value (&fields, "interfaces",
                                   g_variant_new_strv ((const char * const *) names->pdata, -1));
    }
  else if (g_variant_is_of_type (params, G_VARIANT_TYPE ("(oas)")))
    {
      g_autoptr(GVariant) removed = NULL;

      g_variant_get (params, "(&o@as)", &object, &removed);
      g_variant_dict_insert (&fields, "path", "o", object);
      g_variant_dict_insert_value (&fields, "interfaces", removed);
    }
  else
    return;
  emit_event (monitor, signal, g_variant_dict_end (&fields));
}

static void
on_daemon_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
  Monitor *monitor = user_data;
  GVariantDict fields;

  (void) bus; (void) name;
  if (!monitor->owner_known)
    {
      monitor->owner_known = TRUE;
      return;
    }
  g_variant_dict_init (&fields, NULL);
  g_variant_dict_insert (&fields, "owner", "s", owner);
  emit_event (monitor, "DaemonStarted", g_variant_dict_end (&fields));
}

static void
on_daemon_vanished (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Monitor *monitor = user_data;
  GVariantDict fields;

  (void) bus; (void) name;
  if (!monitor->owner_known)
    {
      monitor->owner_known = TRUE;
      return;
    }
  g_variant_dict_init (&fields, NULL);
  emit_event (monitor, "DaemonStopped", g_variant_dict_end (&fields));
}

static gboolean
on_monitor_interrupt (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
cmd_monitor (Ctl *ctl, char **args)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Monitor monitor = { ctl, loop, FALSE };
  guint subscriptions[3];
  guint watch, sigint, sigterm;

  (void) args;
  ctl->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (ctl->bus == NULL)
    return report_dbus (_("Could not connect to the system bus"), error);

  /* Raw subscriptions rather than the proxy: they also see the share
   * objects' PropertiesChanged and follow the daemon across restarts. */
  subscriptions[0] = g_dbus_connection_signal_subscribe (ctl->bus, BUS_NAME, MAIN_IFACE, NULL, OBJECT_PATH,
                                                         NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_main_signal, &monitor, NULL);
  subscriptions[1] = g_dbus_connection_signal_subscribe (ctl->bus, BUS_NAME, PROPS_IFACE, "PropertiesChanged",
                                                         NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_properties_changed, &monitor, NULL);
  subscriptions[2] = g_dbus_connection_signal_subscribe (ctl->bus, BUS_NAME, OM_IFACE, NULL, OBJECT_PATH,
                                                         NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_object_manager_signal, &monitor, NULL);
  watch = g_bus_watch_name_on_connection (ctl->bus, BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_daemon_appeared, on_daemon_vanished, &monitor, NULL);
  sigint = g_unix_signal_add (SIGINT, on_monitor_interrupt, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_monitor_interrupt, loop);
  if (ctl->tty && !opt_json)
    g_printerr ("%s\n", _("Watching offlinefiles-syncd; press Ctrl+C to stop."));

  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (watch);
  for (guint i = 0; i < G_N_ELEMENTS (subscriptions); i++)
    g_dbus_connection_signal_unsubscribe (ctl->bus, subscriptions[i]);
  return EXIT_OK;
}

/* ----------------------------------------------------- command line */

typedef enum {
  OPT_JSON  = 1 << 0,
  OPT_WAIT  = 1 << 1,
  OPT_NAMES = 1 << 2,
} CommandOptions;

typedef struct {
  const char     *name;
  const char     *params;       /* N_(): shown after the name in --help */
  const char     *summary;      /* N_() */
  int             min_args;
  int             max_args;     /* -1: no limit */
  CommandOptions  options;
  int           (*run) (Ctl *ctl, char **args);
} Command;

static const Command commands[] = {
  { "status", "", N_("Show the state, the schedule, the settings and the shares (default)"),
    0, 0, OPT_JSON, cmd_status },
  { "get", N_("NAME…"), N_("Print the value of one or more properties"),
    1, -1, OPT_JSON, cmd_get },
  { "set", N_("NAME VALUE [NAME VALUE…]"), N_("Change settings, all in one step"),
    2, -1, 0, cmd_set },
  { "sync-now", "", N_("Start a synchronization now"),
    0, 0, OPT_WAIT, cmd_sync_now },
  { "cancel", "", N_("Cancel the running synchronization"),
    0, 0, 0, cmd_cancel },
  { "shares", "", N_("List the shares and their state"),
    0, 0, OPT_JSON | OPT_NAMES, cmd_shares },
  { "work-offline", N_("SHARE on|off"), N_("Put a share in or out of work-offline mode"),
    2, 2, 0, cmd_work_offline },
  { "plan", N_("[N]"), N_("Show the next N planned synchronizations (default 10)"),
    0, 1, OPT_JSON, cmd_plan },
  { "monitor", "", N_("Print signals and property changes as they happen"),
    0, 0, OPT_JSON, cmd_monitor },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* Every option is a flag, so the first word that is not one is the
 * command; options may come before or after it, as with systemctl. */
static int
find_command_word (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return i + 1 < argc ? i + 1 : -1;
      if (argv[i][0] != '-' || argv[i][1] == '\0')
        return i;
    }
  return -1;
}

static GOptionEntry *
build_entries (CommandOptions options, gboolean all)
{
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry common[] = {
    { "no-ask-password", 0, 0, G_OPTION_ARG_NONE, &opt_no_ask_password,
      _("Do not ask for a password when an action needs authorization"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, _("Show the version and exit"), NULL },
  };
  const GOptionEntry json = { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
                              all ? _("Print JSON (status, get, shares, plan, monitor)") : _("Print JSON"),
                              NULL };
  const GOptionEntry wait = { "wait", 0, 0, G_OPTION_ARG_NONE, &opt_wait,
                              _("Wait until the sync finishes; fail unless it succeeds"), NULL };
  const GOptionEntry names = { "names", 0, 0, G_OPTION_ARG_NONE, &opt_names,
                               _("Print only the share names, one per line"), NULL };

  if (options & OPT_JSON)
    g_array_append_val (entries, json);
  if (options & OPT_WAIT)
    g_array_append_val (entries, wait);
  if (options & OPT_NAMES)
    g_array_append_val (entries, names);
  g_array_append_vals (entries, common, G_N_ELEMENTS (common));
  return (GOptionEntry *) g_array_free (entries, FALSE);
}

static char *
main_description (void)
{
  g_autoptr(GString) text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", commands[i].name,
                                                *commands[i].params ? _(commands[i].params) : "");
      glong length = g_utf8_strlen (usage, -1);

      /* printf pads bytes, not characters: "…" would shift the column. */
      g_string_append_printf (text, "  %s%*s %s\n", usage, (int) MAX (0, 30 - length), "",
                              _(commands[i].summary));
    }
  g_string_append_c (text, '\n');
  g_string_append (text, _("Exit status: 0 on success, 1 on failure, 2 on a usage error."));
  g_string_append_c (text, '\n');
  g_string_append (text, _("See offlinefilesctl(1) for the properties, their values and the JSON keys."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
command_description (const Command *command)
{
  if (strcmp (command->name, "set") == 0 || strcmp (command->name, "get") == 0)
    {
      const char * const *names = of_property_names (strcmp (command->name, "set") == 0);
      g_autofree char *joined = g_strjoinv ("\n  ", (char **) names);
      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, "%s\n  %s\n", _("Properties:"), joined);
      if (strcmp (command->name, "set") == 0)
        g_string_append_printf (text, "\n%s\n",
                                _("Values: minutes as numbers; BlockOutStartTimeHoursMinutes as 2230 or 22:30;\n"
                                  "BackgroundSyncWorkOfflineSharesEnabled as true/false, yes/no, on/off or 1/0.\n"
                                  "All values are sent in one Configure call: all or nothing."));
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  return NULL;
}

/* Parses the options for @command (NULL: no command given, the status
 * view with the main help).  Returns the positional words after the
 * command, or NULL on a usage error (already reported). */
static char **
parse_command_line (const Command *command, char **argv_strv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autofree char *parameter = NULL;
  g_autofree char *description = NULL;
  char **args = argv_strv;

  if (command == NULL)
    {
      parameter = g_strdup (_("[COMMAND …]"));
      entries = build_entries (OPT_JSON, TRUE);
      description = main_description ();
    }
  else
    {
      parameter = g_strdup_printf ("%s %s", command->name, *command->params ? _(command->params) : "");
      entries = build_entries (command->options, FALSE);
      description = command_description (command);
    }

  context = g_option_context_new (parameter);
  g_option_context_set_summary (context, command ? _(command->summary)
                                                 : _("Show and change when offline folders are synchronized."));
  if (description)
    g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      g_strfreev (args);
      report (EXIT_USAGE, "%s", error->message);
      return NULL;
    }
  return args;
}

static int
run (int argc, char **argv)
{
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  const Command *command = NULL;
  Ctl ctl = { 0 };
  int position = find_command_word (argc, argv);
  guint n_words;
  int status;

  if (position > 0)
    {
      command = find_command (argv[position]);
      if (command == NULL)
        {
          const char *names[G_N_ELEMENTS (commands) + 1] = { NULL };
          for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
            names[i] = commands[i].name;
          g_autofree char *what = g_strdup_printf (_("Unknown command “%s”"), argv[position]);
          return report_unknown (what, argv[position], names);
        }
    }

  words = parse_command_line (command, g_steal_pointer (&args));
  if (words == NULL)
    return EXIT_USAGE;
  if (opt_version)
    {
      g_print ("offlinefilesctl %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  if (command == NULL)
    command = find_command ("status");
  else
    {
      /* words[0] is the program, words[1] the command itself. */
      g_free (words[1]);
      memmove (&words[1], &words[2], (g_strv_length (words) - 1) * sizeof (char *));
    }
  n_words = g_strv_length (words) - 1;
  if ((int) n_words < command->min_args || (command->max_args >= 0 && (int) n_words > command->max_args))
    return report (EXIT_USAGE, _("Wrong number of arguments. Usage: %s %s %s"),
                   g_get_prgname (), command->name, *command->params ? _(command->params) : "");

  ctl.tty = isatty (STDOUT_FILENO);
  ctl.color = ctl.tty && g_getenv ("NO_COLOR") == NULL && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  status = command->run (&ctl, words + 1);
  ctl_clear (&ctl);
  return status;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* The tests' build reads the catalogs of the build tree. */
#ifdef OF_UNINSTALLED_LOCALEDIR
  bindtextdomain (GETTEXT_PACKAGE, OF_UNINSTALLED_LOCALEDIR);
#else
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
#endif
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("offlinefilesctl");

  return run (argc, argv);
}
