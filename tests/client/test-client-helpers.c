/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-client-helpers.c — offlinefilesctl's pure parts, without a bus and
 * without root: escaping, suggestions, value parsing and display, time
 * formatting, and the JSON documents built from D-Bus values.
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "commands.h"
#include "json-out.h"
#include "properties.h"
#include "settings.h"
#include "share-info.h"
#include "text.h"
#include "time-format.h"

#define T0 G_GUINT64_CONSTANT (1764000000000000)   /* 2025-11-24 16:00:00 UTC, in µs */

/* ------------------------------------------------------------- escaping */

static void
assert_escaped (const char *text, const char *expected)
{
  g_autofree char *escaped = of_escape_text (text);

  g_assert_cmpstr (escaped, ==, expected);
}

static void
test_escape (void)
{
  assert_escaped (NULL, "");
  assert_escaped ("", "");
  assert_escaped ("home", "home");
  /* Printable Unicode and backslashes are shown as they are. */
  assert_escaped ("Bücher für Ölmühle", "Bücher für Ölmühle");
  assert_escaped ("\\\\server\\share", "\\\\server\\share");
  /* C0, DEL and C1 controls. */
  assert_escaped ("a\nb\tc\r", "a\\x0ab\\x09c\\x0d");
  assert_escaped ("\033[31mred\033[0m", "\\x1b[31mred\\x1b[0m");
  assert_escaped ("x\177y", "x\\x7fy");
  assert_escaped ("x\302\205y", "x\\x85y");                       /* U+0085 NEL */
  /* Format characters: bidi overrides and isolates, zero-width ones. */
  assert_escaped ("abc\342\200\256fdp.exe", "abc\\u202efdp.exe");  /* U+202E RLO */
  assert_escaped ("\342\201\246x\342\201\251", "\\u2066x\\u2069");  /* LRI … PDI */
  assert_escaped ("a\342\200\213b", "a\\u200bb");                   /* ZWSP */
  assert_escaped ("\357\273\277bom", "\\ufeffbom");                 /* U+FEFF */
  assert_escaped ("tag\363\240\200\201", "tag\\U000e0001");         /* U+E0001, Cf beyond the BMP */
  /* Line and paragraph separators. */
  assert_escaped ("a\342\200\250b", "a\\u2028b");
  /* Invalid UTF-8: each bad byte, then the rest as it is. */
  assert_escaped ("a\377b", "a\\xffb");
  assert_escaped ("\303", "\\xc3");
  assert_escaped ("\300\257ok", "\\xc0\\xafok");

  g_assert_true (of_unichar_is_unsafe (0x1b));
  g_assert_true (of_unichar_is_unsafe (0x200f));   /* RLM */
  g_assert_true (of_unichar_is_unsafe (0x061c));   /* ALM */
  g_assert_false (of_unichar_is_unsafe ('a'));
  g_assert_false (of_unichar_is_unsafe (0x00e9));
  g_assert_false (of_unichar_is_unsafe (' '));
}

/* ---------------------------------------------------------- suggestions */

static void
test_suggest (void)
{
  const char * const *settable = of_property_names (TRUE);
  const char *commands[] = { "status", "get", "set", "sync-now", "cancel", NULL };
  g_autofree char *with_guess = NULL;
  g_autofree char *without = NULL;

  g_assert_cmpuint (of_edit_distance ("", ""), ==, 0);
  g_assert_cmpuint (of_edit_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (of_edit_distance ("ABC", "abc"), ==, 0);

  g_assert_cmpstr (of_suggest ("Syncinterval", settable), ==, "SyncInterval");
  g_assert_cmpstr (of_suggest ("SyncIntervall", settable), ==, "SyncInterval");
  g_assert_cmpstr (of_suggest ("SyncIntrval", settable), ==, "SyncInterval");
  g_assert_cmpstr (of_suggest ("synx-now", commands), ==, "sync-now");
  g_assert_cmpstr (of_suggest ("stauts", commands), ==, "status");
  g_assert_null (of_suggest ("Bogus", settable));
  /* A short word is not "almost" every other short word. */
  g_assert_null (of_suggest ("xy", commands));

  with_guess = of_did_you_mean ("Unknown property “SyncIntervall”", "SyncIntervall", settable);
  g_assert_cmpstr (with_guess, ==, "Unknown property “SyncIntervall”. Did you mean “SyncInterval”?");
  without = of_did_you_mean ("Unknown property “Bogus”", "Bogus", settable);
  g_assert_cmpstr (without, ==, "Unknown property “Bogus”.");
}

/* ---------------------------------------------------------- properties */

static void
test_property_names (void)
{
  const char * const *settable = of_property_names (TRUE);
  const char * const *all = of_property_names (FALSE);

  /* The six, in the settings table's order, and first among all. */
  g_assert_cmpuint (g_strv_length ((char **) settable), ==, OF_N_SETTINGS);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      g_assert_cmpstr (settable[id], ==, of_setting_info (id)->name);
      g_assert_cmpstr (all[id], ==, settable[id]);
    }
  g_assert_true (g_strv_contains (all, "State"));
  g_assert_true (g_strv_contains (all, "NextSyncTime"));
  g_assert_true (g_strv_contains (all, "LockedProperties"));
  g_assert_false (g_strv_contains (settable, "State"));

  g_assert_true (of_property_exists ("CurrentSyncId"));
  g_assert_true (of_property_exists ("SyncInterval"));
  g_assert_false (of_property_exists ("syncinterval"));
  g_assert_false (of_property_exists ("Bogus"));
}

static void
assert_parses (OfSettingId id, const char *text, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = of_setting_parse (id, text, &error);
  g_autofree char *printed = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_assert_true (g_variant_is_of_type (value, of_setting_type (id)));
  printed = g_variant_print (value, FALSE);
  g_assert_cmpstr (printed, ==, expected);
}

static void
assert_rejects (OfSettingId id, const char *text, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = of_setting_parse (id, text, &error);

  g_assert_null (value);
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, of_setting_name (id)));
  g_assert_nonnull (strstr (error->message, needle));
}

static void
test_parse_values (void)
{
  gboolean flag;

  assert_parses (OF_SETTING_SYNC_INTERVAL, "120", "120");
  assert_parses (OF_SETTING_SYNC_INTERVAL, "0", "0");
  /* Ranges are the daemon's to check (its message names them); the
   * client only stops what the D-Bus type cannot hold. */
  assert_parses (OF_SETTING_SYNC_INTERVAL, "1441", "1441");
  assert_parses (OF_SETTING_MAX_TIME_BETWEEN_SYNCS, "65535", "65535");
  assert_rejects (OF_SETTING_MAX_TIME_BETWEEN_SYNCS, "65536", "expected a number of minutes");
  assert_rejects (OF_SETTING_SYNC_INTERVAL, "abc", "expected a number of minutes");
  assert_rejects (OF_SETTING_SYNC_INTERVAL, "+5", "expected a number of minutes");
  assert_rejects (OF_SETTING_SYNC_INTERVAL, " 5", "expected a number of minutes");
  assert_rejects (OF_SETTING_SYNC_INTERVAL, "", "expected a number of minutes");
  assert_rejects (OF_SETTING_SYNC_VARIANCE, "5min", "expected a number of minutes");

  assert_parses (OF_SETTING_BLOCK_OUT_START, "2230", "2230");
  assert_parses (OF_SETTING_BLOCK_OUT_START, "22:30", "2230");
  assert_parses (OF_SETTING_BLOCK_OUT_START, "0715", "715");
  assert_parses (OF_SETTING_BLOCK_OUT_START, "7:05", "705");
  assert_rejects (OF_SETTING_BLOCK_OUT_START, "22:75", "like 2230 or 22:30");
  assert_rejects (OF_SETTING_BLOCK_OUT_START, "22:5", "like 2230 or 22:30");
  assert_rejects (OF_SETTING_BLOCK_OUT_START, ":30", "like 2230 or 22:30");
  assert_rejects (OF_SETTING_BLOCK_OUT_START, "22:30:00", "like 2230 or 22:30");

  assert_parses (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, "yes", "true");
  assert_parses (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, "OFF", "false");
  assert_parses (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, "1", "true");
  assert_parses (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, "False", "false");
  assert_rejects (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, "maybe", "expected true or false");

  g_assert_true (of_parse_boolean ("on", &flag) && flag);
  g_assert_true (of_parse_boolean ("no", &flag) && !flag);
  g_assert_false (of_parse_boolean ("sideways", &flag));
}

static void
test_parse_escapes_value (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = of_setting_parse (OF_SETTING_SYNC_INTERVAL, "1\0332", &error);

  /* The user's word comes back in the message, but not as an escape
   * sequence for the terminal. */
  g_assert_null (value);
  g_assert_null (strchr (error->message, '\033'));
  g_assert_nonnull (strstr (error->message, "“1\\x1b2”"));
}

static void
test_set_arguments (void)
{
  char *good[] = { "SyncInterval", "120", "BlockOutStartTimeHoursMinutes", "22:30",
                   "BackgroundSyncWorkOfflineSharesEnabled", "on", NULL };
  char *read_only[] = { "State", "idle", NULL };
  char *twice[] = { "SyncInterval", "5", "SyncInterval", "6", NULL };
  char *unknown[] = { "SyncIntrval", "5", NULL };
  char *odd[] = { "SyncInterval", "5", "SyncVariance", NULL };
  g_autoptr(GVariant) settings = NULL;
  g_autofree char *printed = NULL;
  GError *error = NULL;

  settings = of_set_build_settings (good, &error);
  g_assert_no_error (error);
  printed = g_variant_print (settings, TRUE);
  g_assert_cmpstr (printed, ==, "{'SyncInterval': <uint16 120>, 'BlockOutStartTimeHoursMinutes': <uint16 2230>, "
                                "'BackgroundSyncWorkOfflineSharesEnabled': <true>}");

  g_assert_null (of_set_build_settings (read_only, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "State is read-only; settable are: SyncInterval, "));
  g_clear_error (&error);

  g_assert_null (of_set_build_settings (twice, &error));
  g_assert_nonnull (strstr (error->message, "SyncInterval is given more than once"));
  g_clear_error (&error);

  g_assert_null (of_set_build_settings (unknown, &error));
  g_assert_cmpstr (error->message, ==, "Unknown property “SyncIntrval”. Did you mean “SyncInterval”?");
  g_clear_error (&error);

  g_assert_null (of_set_build_settings (odd, &error));
  g_assert_nonnull (strstr (error->message, "Missing a value for SyncVariance"));
  g_clear_error (&error);
}

static void
test_add_share_arguments (void)
{
  char *args[] = { "docs", "Documents/./x/", "/mnt/server/../server/docs", NULL };
  char *plain[] = { "docs", "/a", "/b", NULL };
  g_autoptr(GVariant) built = NULL;
  g_autoptr(GVariant) bare = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *printed_bare = NULL;
  GError *error = NULL;

  /* Folders as a person types them, from the current directory. */
  built = g_variant_ref_sink (of_add_share_build_args (args, "30", "mnt", "alice", "/home/alice", &error));
  g_assert_no_error (error);
  printed = g_variant_print (built, FALSE);
  g_assert_cmpstr (printed, ==, "('docs', '/home/alice/Documents/x', '/mnt/server/docs', "
                                "{'Timeout': <uint32 30>, 'MountPoint': <'/home/alice/mnt'>, 'User': <'alice'>})");

  bare = g_variant_ref_sink (of_add_share_build_args (plain, NULL, NULL, NULL, "/", &error));
  printed_bare = g_variant_print (bare, TRUE);
  g_assert_cmpstr (printed_bare, ==, "('docs', '/a', '/b', @a{sv} {})");

  for (gsize i = 0; i < 4; i++)
    {
      const char *bad[] = { "0", "10081", "soon", "-5" };

      g_assert_null (of_add_share_build_args (plain, bad[i], NULL, NULL, "/", &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, "expected minutes, 1 to 10080"));
      g_clear_error (&error);
    }
}

static void
assert_human (OfSettingId id, GVariant *value, const char *expected)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autofree char *shown = of_setting_format_human (id, owned);

  g_assert_cmpstr (shown, ==, expected);
}

static void
assert_raw (GVariant *value, const char *expected)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autofree char *shown = of_property_format_raw (owned);

  g_assert_cmpstr (shown, ==, expected);
}

static void
test_format_values (void)
{
  const char *locked[] = { "SyncInterval", "Bad\nName", NULL };
  g_autofree char *range = of_setting_describe_range (OF_SETTING_SYNC_INTERVAL);
  g_autofree char *hhmm = of_setting_describe_range (OF_SETTING_BLOCK_OUT_START);

  assert_human (OF_SETTING_SYNC_INTERVAL, g_variant_new_uint16 (360), "360 min (6h)");
  assert_human (OF_SETTING_SYNC_INTERVAL, g_variant_new_uint16 (0), "0 (no periodic sync)");
  assert_human (OF_SETTING_SYNC_VARIANCE, g_variant_new_uint16 (45), "45 min");
  assert_human (OF_SETTING_SYNC_VARIANCE, g_variant_new_uint16 (0), "0 (none)");
  assert_human (OF_SETTING_MAX_TIME_BETWEEN_SYNCS, g_variant_new_uint16 (0), "0 (no limit)");
  assert_human (OF_SETTING_MAX_TIME_BETWEEN_SYNCS, g_variant_new_uint16 (2880), "2880 min (2d)");
  assert_human (OF_SETTING_BLOCK_OUT_DURATION, g_variant_new_uint16 (0), "0 (no blockout window)");
  assert_human (OF_SETTING_BLOCK_OUT_DURATION, g_variant_new_uint16 (90), "90 min (1h 30min)");
  assert_human (OF_SETTING_BLOCK_OUT_START, g_variant_new_uint16 (2230), "2230 (22:30)");
  assert_human (OF_SETTING_BLOCK_OUT_START, g_variant_new_uint16 (2400), "2400 (00:00)");
  assert_human (OF_SETTING_BLOCK_OUT_START, g_variant_new_uint16 (5), "0005 (00:05)");
  assert_human (OF_SETTING_WORK_OFFLINE_SHARES_ENABLED, g_variant_new_boolean (TRUE), "yes");
  /* A value of another type than the table's is shown, not trusted. */
  assert_human (OF_SETTING_SYNC_INTERVAL, g_variant_new_string ("x"), "x");

  assert_raw (g_variant_new_uint16 (360), "360");
  assert_raw (g_variant_new_uint64 (G_GUINT64_CONSTANT (1764000000000000)), "1764000000000000");
  assert_raw (g_variant_new_boolean (FALSE), "false");
  assert_raw (g_variant_new_string ("idle"), "idle");
  assert_raw (g_variant_new_string ("evil\033]0;title\007"), "evil\\x1b]0;title\\x07");
  assert_raw (g_variant_new_strv (locked, -1), "SyncInterval\nBad\\x0aName");
  assert_raw (g_variant_new_strv (NULL, 0), "");

  g_assert_cmpstr (range, ==, "0..1440 minutes, default 360");
  g_assert_cmpstr (hhmm, ==, "time of day HHMM or HH:MM, default 0000");
}

/* ---------------------------------------------------------------- time */

static void
test_time_format (void)
{
  struct { guint64 seconds; const char *text; } durations[] = {
    { 0, "0s" }, { 1, "1s" }, { 59, "59s" }, { 60, "1min" }, { 61, "1min 1s" },
    { 3600, "1h" }, { 7980, "2h 13min" }, { 86400, "1d" }, { 86400 + 3 * 3600 + 59, "1d 3h" },
    { 86400 + 300, "1d" }, { 400 * 86400, "1y 35d" },
  };
  g_autofree char *iso = of_format_iso8601_utc (T0);
  g_autofree char *local = of_format_local_time (T0 + 123456);
  g_autofree char *ahead = of_format_relative (T0 + 7980 * (guint64) G_USEC_PER_SEC, T0);
  g_autofree char *almost = of_format_relative (T0 + 59500000, T0);
  g_autofree char *behind = of_format_relative (T0 - 180 * G_USEC_PER_SEC, T0);
  g_autofree char *same = of_format_relative (T0 + 1000, T0);

  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      g_autofree char *text = of_format_duration (durations[i].seconds);
      g_assert_cmpstr (text, ==, durations[i].text);
    }
  g_assert_cmpstr (iso, ==, "2025-11-24T16:00:00Z");
  /* main() runs the tests in TZ=UTC. */
  g_assert_cmpstr (local, ==, "Mon 2025-11-24 16:00:00 UTC");
  g_assert_cmpstr (ahead, ==, "in 2h 13min");
  g_assert_cmpstr (almost, ==, "in 1min");
  g_assert_cmpstr (behind, ==, "3min ago");
  g_assert_cmpstr (same, ==, "now");
}

/* ---------------------------------------------------------------- JSON */

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static GVariant *
status_snapshot (gboolean with_settings)
{
  const char *locked[] = { "SyncVariance", NULL };
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  if (with_settings)
    {
      g_variant_builder_add (&builder, "{sv}", "SyncInterval", g_variant_new_uint16 (120));
      g_variant_builder_add (&builder, "{sv}", "SyncVariance", g_variant_new_uint16 (30));
      g_variant_builder_add (&builder, "{sv}", "MaxTimeBetweenSyncs", g_variant_new_uint16 (0));
      g_variant_builder_add (&builder, "{sv}", "BlockOutStartTimeHoursMinutes", g_variant_new_uint16 (2230));
      g_variant_builder_add (&builder, "{sv}", "BlockOutDurationMin", g_variant_new_uint16 (480));
      g_variant_builder_add (&builder, "{sv}", "BackgroundSyncWorkOfflineSharesEnabled",
                             g_variant_new_boolean (TRUE));
    }
  g_variant_builder_add (&builder, "{sv}", "State", g_variant_new_string ("syncing"));
  g_variant_builder_add (&builder, "{sv}", "NextSyncTime", g_variant_new_uint64 (T0));
  g_variant_builder_add (&builder, "{sv}", "LastSyncStartTime", g_variant_new_uint64 (T0 - 60 * G_USEC_PER_SEC));
  g_variant_builder_add (&builder, "{sv}", "LastSyncFinishTime", g_variant_new_uint64 (0));
  g_variant_builder_add (&builder, "{sv}", "LastSyncResult", g_variant_new_string (""));
  g_variant_builder_add (&builder, "{sv}", "LastSuccessfulSyncTime", g_variant_new_uint64 (0));
  g_variant_builder_add (&builder, "{sv}", "CurrentSyncId", g_variant_new_uint64 (7));
  g_variant_builder_add (&builder, "{sv}", "LockedProperties", g_variant_new_strv (locked, -1));
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static GPtrArray *
one_share (const char *name)
{
  GPtrArray *shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_share_info_free);
  GVariantBuilder builder;
  g_autoptr(GVariant) props = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "Name", g_variant_new_string (name));
  g_variant_builder_add (&builder, "{sv}", "LocalPath", g_variant_new_string ("/home/ann/Documents"));
  g_variant_builder_add (&builder, "{sv}", "RemotePath", g_variant_new_string ("/mnt/server/ann"));
  g_variant_builder_add (&builder, "{sv}", "User", g_variant_new_string ("ann"));
  g_variant_builder_add (&builder, "{sv}", "WorkOffline", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&builder, "{sv}", "LastSyncTime", g_variant_new_uint64 (T0));
  g_variant_builder_add (&builder, "{sv}", "LastResult", g_variant_new_string ("partial"));
  g_variant_builder_add (&builder, "{sv}", "LastMessage", g_variant_new_string ("1 conflict"));
  g_variant_builder_add (&builder, "{sv}", "ConnectState", g_variant_new_uint32 (1));
  g_variant_builder_add (&builder, "{sv}", "OfflineReason", g_variant_new_uint32 (101));
  props = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_ptr_array_add (shares, of_share_info_new ("/org/offlinefiles/BackgroundSync/share/home", props));
  return shares;
}

static void
test_json_status (void)
{
  g_autoptr(GVariant) snapshot = status_snapshot (TRUE);
  g_autoptr(GPtrArray) shares = one_share ("home");
  g_autoptr(JsonNode) built = of_status_build_json (snapshot, shares);
  g_autofree char *text = of_json_to_string (built);
  g_autoptr(JsonNode) root = parse (text);
  JsonObject *status = json_node_get_object (root);
  JsonObject *settings = json_object_get_object_member (status, "settings");
  JsonObject *share = NULL;
  g_autoptr(GList) keys = json_object_get_members (status);
  g_autoptr(GList) setting_keys = json_object_get_members (settings);
  const char *expected_keys[] = {
    "state", "defer_reason", "current_sync_id", "next_sync_time", "next_sync_time_usec",
    "last_sync_start_time", "last_sync_start_time_usec", "last_sync_finish_time",
    "last_sync_finish_time_usec", "last_sync_result", "last_successful_sync_time",
    "last_successful_sync_time_usec", "settings", "locked_properties", "shares",
  };
  GList *l;
  guint i;

  /* One line, the keys of offlinefilesctl(1) in their order. */
  g_assert_null (strchr (text, '\n'));
  for (l = keys, i = 0; l; l = l->next, i++)
    {
      g_assert_cmpuint (i, <, G_N_ELEMENTS (expected_keys));
      g_assert_cmpstr (l->data, ==, expected_keys[i]);
    }
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (expected_keys));

  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "syncing");
  g_assert_cmpint (json_object_get_int_member (status, "current_sync_id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (status, "next_sync_time"), ==, "2025-11-24T16:00:00Z");
  g_assert_cmpint (json_object_get_int_member (status, "next_sync_time_usec"), ==, (gint64) T0);
  g_assert_cmpstr (json_object_get_string_member (status, "last_sync_start_time"), ==, "2025-11-24T15:59:00Z");
  g_assert_true (json_object_get_null_member (status, "last_sync_finish_time"));
  g_assert_cmpint (json_object_get_int_member (status, "last_sync_finish_time_usec"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (status, "last_sync_result"), ==, "");
  g_assert_true (json_object_get_null_member (status, "last_successful_sync_time"));

  /* The settings in the table's order, as numbers and a boolean. */
  for (l = setting_keys, i = 0; l; l = l->next, i++)
    g_assert_cmpstr (l->data, ==, of_setting_name (i));
  g_assert_cmpuint (i, ==, OF_N_SETTINGS);
  g_assert_cmpint (json_object_get_int_member (settings, "SyncInterval"), ==, 120);
  g_assert_cmpint (json_object_get_int_member (settings, "BlockOutStartTimeHoursMinutes"), ==, 2230);
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (settings, "BackgroundSyncWorkOfflineSharesEnabled")));
  g_assert_true (json_object_get_boolean_member (settings, "BackgroundSyncWorkOfflineSharesEnabled"));

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (status, "locked_properties")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (status, "locked_properties"), 0),
                   ==, "SyncVariance");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (status, "shares")), ==, 1);
  share = json_array_get_object_element (json_object_get_array_member (status, "shares"), 0);
  g_assert_cmpstr (json_object_get_string_member (share, "name"), ==, "home");
  g_assert_cmpstr (json_object_get_string_member (share, "object_path"), ==,
                   "/org/offlinefiles/BackgroundSync/share/home");
  g_assert_cmpstr (json_object_get_string_member (share, "user"), ==, "ann");
  /* Enabled was not given: the daemon's default. */
  g_assert_true (json_object_get_boolean_member (share, "enabled"));
  g_assert_true (json_object_get_boolean_member (share, "work_offline"));
  g_assert_cmpstr (json_object_get_string_member (share, "last_sync_time"), ==, "2025-11-24T16:00:00Z");
  g_assert_cmpint (json_object_get_int_member (share, "last_sync_time_usec"), ==, (gint64) T0);
  g_assert_cmpstr (json_object_get_string_member (share, "last_result"), ==, "partial");
  g_assert_cmpstr (json_object_get_string_member (share, "last_message"), ==, "1 conflict");
  /* docs/behaviour.md §14: the connection state and its reason. */
  g_assert_cmpstr (json_object_get_string_member (share, "connect_state"), ==, "offline");
  g_assert_cmpint (json_object_get_int_member (share, "offline_reason"), ==, 101);
  g_assert_cmpstr (json_object_get_string_member (share, "offline_reason_text"), ==, "not responding");
  g_assert_true (json_object_get_null_member (share, "last_probe_time"));
}

static void
test_json_status_missing (void)
{
  g_autoptr(GVariant) snapshot = status_snapshot (FALSE);
  g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(JsonNode) partial = of_status_build_json (snapshot, none);
  g_autoptr(JsonNode) bare = of_status_build_json (empty, none);
  g_autofree char *partial_text = of_json_to_string (partial);
  g_autofree char *bare_text = of_json_to_string (bare);

  /* Settings the daemon did not report are null, still present. */
  g_assert_nonnull (strstr (partial_text,
                            "\"settings\":{\"SyncInterval\":null,\"SyncVariance\":null,"
                            "\"MaxTimeBetweenSyncs\":null,\"BlockOutStartTimeHoursMinutes\":null,"
                            "\"BlockOutDurationMin\":null,\"BackgroundSyncWorkOfflineSharesEnabled\":null,"
                            "\"SyncOnCostedNetworkEnabled\":null,\"SyncOnBatteryEnabled\":null,"
                            "\"SlowLinkProbeTimeoutSec\":null,\"UserSharesEnabled\":null}"));
  g_assert_true (g_str_has_suffix (partial_text, ",\"locked_properties\":[\"SyncVariance\"],\"shares\":[]}"));
  /* Nothing at all: empty strings, zeros and nulls, never a crash. */
  g_assert_true (g_str_has_prefix (bare_text,
                                   "{\"state\":\"\",\"defer_reason\":\"\",\"current_sync_id\":0,\"next_sync_time\":null,"
                                   "\"next_sync_time_usec\":0,"));
  g_assert_true (g_str_has_suffix (bare_text, ",\"locked_properties\":[],\"shares\":[]}"));
}

static void
test_json_escaping (void)
{
  /* Name with an escape sequence, a bidi override, DEL, a C1 control and
   * a tag character beyond the BMP: all \u escapes in the text, all the
   * same characters again for a parser. */
  const char *hostile = "a\033[2Jb\342\200\256c\177d\302\233e\363\240\200\201f\"g\\h\ni";
  g_autoptr(GPtrArray) shares = one_share (hostile);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) built = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  of_share_info_add_json (builder, shares->pdata[0]);
  json_builder_end_array (builder);
  built = json_builder_get_root (builder);
  text = of_json_to_string (built);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    g_assert_false (of_unichar_is_unsafe (g_utf8_get_char (p)));
  g_assert_nonnull (strstr (text, "\"name\":\"a\\u001b[2Jb\\u202ec\\u007fd\\u009be\\udb40\\udc01f\\\"g\\\\h\\ni\""));

  root = parse (text);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (root), 0),
                                                  "name"), ==, hostile);
}

static void
test_json_variants (void)
{
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "b", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&builder, "{sv}", "q", g_variant_new_uint16 (65535));
  g_variant_builder_add (&builder, "{sv}", "i", g_variant_new_int32 (-5));
  g_variant_builder_add (&builder, "{sv}", "t", g_variant_new_uint64 (G_GUINT64_CONSTANT (9007199254740993)));
  g_variant_builder_add (&builder, "{sv}", "o", g_variant_new_object_path ("/a/b"));
  g_variant_builder_add (&builder, "{sv}", "as", g_variant_new_strv (NULL, 0));
  g_variant_builder_add (&builder, "{sv}", "v", g_variant_new_variant (g_variant_new_string ("in")));
  g_variant_builder_add (&builder, "{sv}", "tuple", g_variant_new ("(tss)", (guint64) 1, "x", "y"));
  g_variant_builder_add (&builder, "{sv}", "a{ss}", g_variant_new_parsed ("{'SyncInterval': '50-site.conf'}"));
  dict = g_variant_ref_sink (g_variant_builder_end (&builder));

  node = of_json_from_variant (dict);
  text = of_json_to_string (node);
  g_assert_cmpstr (text, ==, "{\"b\":true,\"q\":65535,\"i\":-5,\"t\":9007199254740993,\"o\":\"/a/b\","
                             "\"as\":[],\"v\":\"in\",\"tuple\":[1,\"x\",\"y\"],\"a{ss}\":{\"SyncInterval\":\"50-site.conf\"}}");

  /* Past 2^63 a number stays positive (a double), never wraps. */
  {
    g_autoptr(GVariant) huge = g_variant_ref_sink (g_variant_new_uint64 (G_MAXUINT64));
    g_autoptr(JsonNode) big = of_json_from_variant (huge);

    g_assert_cmpint (json_node_get_value_type (big), ==, G_TYPE_DOUBLE);
    g_assert_cmpfloat (json_node_get_double (big), >, 1.8e19);
  }
}

static void
test_json_plan (void)
{
  g_autoptr(GVariant) syncs = g_variant_ref_sink (g_variant_new_parsed (
    "[(uint64 1764000000000000, 'scheduled', ''), (uint64 1764021600000000, 'overdue', 'after blockout')]"));
  g_autoptr(JsonNode) node = of_plan_build_json (syncs);
  g_autofree char *text = of_json_to_string (node);

  g_assert_cmpstr (text, ==,
                   "[{\"time\":\"2025-11-24T16:00:00Z\",\"time_usec\":1764000000000000,\"reason\":\"scheduled\",\"note\":\"\"},"
                   "{\"time\":\"2025-11-24T22:00:00Z\",\"time_usec\":1764021600000000,\"reason\":\"overdue\","
                   "\"note\":\"after blockout\"}]");
}

static void
test_monitor_fields (void)
{
  g_autoptr(GVariant) started = g_variant_ref_sink (g_variant_new ("(ts)", (guint64) 5, "manual"));
  g_autoptr(GVariant) progress = g_variant_ref_sink (g_variant_new ("(tuus)", (guint64) 5, 1, 2, "home"));
  g_autoptr(GVariant) wrong = g_variant_ref_sink (g_variant_new ("(s)", "manual"));
  g_autoptr(GVariant) fields = NULL;
  g_autofree char *printed = NULL;

  /* The argument names of the XML are the JSON keys of monitor. */
  fields = of_monitor_signal_fields ("SyncStarted", started);
  printed = g_variant_print (fields, FALSE);
  g_assert_cmpstr (printed, ==, "{'id': <uint64 5>, 'reason': <'manual'>}");
  g_clear_pointer (&fields, g_variant_unref);
  g_clear_pointer (&printed, g_free);

  fields = of_monitor_signal_fields ("SyncProgress", progress);
  printed = g_variant_print (fields, FALSE);
  g_assert_cmpstr (printed, ==, "{'id': <uint64 5>, 'shares_done': <uint32 1>, 'shares_total': <uint32 2>, "
                                "'share': <'home'>}");

  g_assert_null (of_monitor_signal_fields ("SyncStarted", wrong));
  g_assert_null (of_monitor_signal_fields ("NoSuchSignal", started));
}

int
main (int argc, char *argv[])
{
  /* Local times in the tests are UTC, whatever the machine's zone. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client-helpers/escape", test_escape);
  g_test_add_func ("/client-helpers/suggest", test_suggest);
  g_test_add_func ("/client-helpers/property-names", test_property_names);
  g_test_add_func ("/client-helpers/parse-values", test_parse_values);
  g_test_add_func ("/client-helpers/parse-escapes-value", test_parse_escapes_value);
  g_test_add_func ("/client-helpers/set-arguments", test_set_arguments);
  g_test_add_func ("/client-helpers/add-share-arguments", test_add_share_arguments);
  g_test_add_func ("/client-helpers/format-values", test_format_values);
  g_test_add_func ("/client-helpers/time-format", test_time_format);
  g_test_add_func ("/client-helpers/json/status", test_json_status);
  g_test_add_func ("/client-helpers/json/status-missing", test_json_status_missing);
  g_test_add_func ("/client-helpers/json/escaping", test_json_escaping);
  g_test_add_func ("/client-helpers/json/variants", test_json_variants);
  g_test_add_func ("/client-helpers/json/plan", test_json_plan);
  g_test_add_func ("/client-helpers/monitor-fields", test_monitor_fields);
  return g_test_run ();
}
