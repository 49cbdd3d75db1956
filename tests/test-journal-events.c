/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-journal-events.c — each event kind is logged once, with its fixed
 * MESSAGE_ID and its structured fields (captured through
 * g_log_set_writer_func), and the shipped catalog has an entry for every
 * id that journalctl accepts (--update-catalog against a temporary root,
 * as TESTING.md describes). */
#include <string.h>

#include <gio/gio.h>

#include "journal-events.h"

/* One captured record: its level and every field as text. */
typedef struct {
  GLogLevelFlags  level;
  GHashTable     *fields;
} Record;

typedef struct {
  GPtrArray *records;
  gboolean   daemon_writer;  /* pass everything to of_journal_writer() */
} Capture;

static void
record_free (Record *record)
{
  g_hash_table_unref (record->fields);
  g_free (record);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  Capture *capture = user_data;
  Record *record;

  /* GLib takes one writer per process: the daemon's is reached through ours. */
  if (capture->daemon_writer)
    return of_journal_writer (level, fields, n_fields, NULL);
  record = g_new0 (Record, 1);
  record->level = level;
  record->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < n_fields; i++)
    g_hash_table_insert (record->fields, g_strdup (fields[i].key),
                         fields[i].length < 0 ? g_strdup (fields[i].value)
                                              : g_strndup (fields[i].value, (gsize) fields[i].length));
  g_ptr_array_add (capture->records, record);
  return G_LOG_WRITER_HANDLED;
}

/* The one record logged since the last call; fails on none or several. */
static Record *
only_record (Capture *capture)
{
  g_assert_cmpuint (capture->records->len, ==, 1);
  return capture->records->pdata[0];
}

static const char *
field (Record     *record,
       const char *name)
{
  return g_hash_table_lookup (record->fields, name);
}

static void
test_fields (gconstpointer data)
{
  Capture *capture = (Capture *) data;
  Record *r;

  g_ptr_array_set_size (capture->records, 0);
  of_journal_sync_started (42, "scheduled");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_SYNC_STARTED);
  g_assert_cmpstr (field (r, "OFFLINEFILES_SYNC_ID"), ==, "42");
  g_assert_cmpstr (field (r, "OFFLINEFILES_REASON"), ==, "scheduled");
  g_assert_cmpstr (field (r, "MESSAGE"), ==, "Sync 42 started (scheduled)");
  g_assert_cmpint (r->level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_INFO);

  g_ptr_array_set_size (capture->records, 0);
  of_journal_sync_finished (42, "success", "2 shares synced");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_SYNC_FINISHED);
  g_assert_cmpstr (field (r, "OFFLINEFILES_SYNC_ID"), ==, "42");
  g_assert_cmpstr (field (r, "OFFLINEFILES_RESULT"), ==, "success");
  g_assert_cmpint (r->level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_INFO);

  /* Anything but success is a notice, for `journalctl -p notice`. */
  g_ptr_array_set_size (capture->records, 0);
  of_journal_sync_finished (43, "partial", "1 of 2 shares synced");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "OFFLINEFILES_RESULT"), ==, "partial");
  g_assert_cmpint (r->level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_MESSAGE);

  g_ptr_array_set_size (capture->records, 0);
  of_journal_share_failed (43, "docs", "remote folder not reachable");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_SHARE_FAILED);
  g_assert_cmpstr (field (r, "OFFLINEFILES_SYNC_ID"), ==, "43");
  g_assert_cmpstr (field (r, "OFFLINEFILES_SHARE"), ==, "docs");
  g_assert_cmpstr (field (r, "OFFLINEFILES_RESULT"), ==, "failed");
  g_assert_nonnull (strstr (field (r, "MESSAGE"), "remote folder not reachable"));
  g_assert_cmpint (r->level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_WARNING);

  g_ptr_array_set_size (capture->records, 0);
  of_journal_conflict_found (44, "home", 2);
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_CONFLICT_FOUND);
  g_assert_cmpstr (field (r, "OFFLINEFILES_SHARE"), ==, "home");
  g_assert_cmpstr (field (r, "OFFLINEFILES_COUNT"), ==, "2");
  g_assert_cmpstr (field (r, "OFFLINEFILES_SYNC_ID"), ==, "44");

  g_ptr_array_set_size (capture->records, 0);
  of_journal_sync_deferred ("on-battery", G_GINT64_CONSTANT (1700000000000000));
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_SYNC_DEFERRED);
  g_assert_cmpstr (field (r, "OFFLINEFILES_REASON"), ==, "on-battery");
  g_assert_cmpstr (field (r, "OFFLINEFILES_DUE"), ==, "1700000000000000");
  g_assert_nonnull (strstr (field (r, "MESSAGE"), "2023-11-14"));

  g_ptr_array_set_size (capture->records, 0);
  of_journal_share_offline ("docs", "not-responding");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_SHARE_OFFLINE);
  g_assert_cmpstr (field (r, "OFFLINEFILES_SHARE"), ==, "docs");
  g_assert_cmpstr (field (r, "OFFLINEFILES_REASON"), ==, "not-responding");

  g_ptr_array_set_size (capture->records, 0);
  of_journal_setting_changed ("SyncInterval", "77");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_SETTINGS_CHANGED);
  g_assert_cmpstr (field (r, "OFFLINEFILES_SETTING"), ==, "SyncInterval");
  g_assert_cmpstr (field (r, "OFFLINEFILES_VALUE"), ==, "77");
  g_assert_cmpstr (field (r, "MESSAGE"), ==, "SyncInterval is now 77");

  g_ptr_array_set_size (capture->records, 0);
  of_journal_reload_rejected ("/etc/x.conf: SyncInterval=0: out of range");
  r = only_record (capture);
  g_assert_cmpstr (field (r, "MESSAGE_ID"), ==, OF_JOURNAL_ID_RELOAD_REJECTED);
  g_assert_cmpstr (field (r, "OFFLINEFILES_REASON"), ==, "/etc/x.conf: SyncInterval=0: out of range");
  g_assert_cmpint (r->level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_WARNING);
  g_ptr_array_set_size (capture->records, 0);
}

/* Eight distinct ids, each 32 lower-case hex digits (what the journal
 * and the catalog take). */
static void
test_ids (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  for (const char * const *id = of_journal_ids; *id; id++, n++)
    {
      g_assert_cmpuint (strlen (*id), ==, 32);
      g_assert_cmpuint (strspn (*id, "0123456789abcdef"), ==, 32);
      g_assert_false (g_hash_table_contains (seen, *id));
      g_hash_table_add (seen, (gpointer) *id);
    }
  g_assert_cmpuint (n, ==, 8);
}

static const char *
catalog_path (void)
{
  const char *path = g_getenv ("OF_CATALOG");

  g_assert_nonnull (path);  /* set by tests/meson.build */
  return path;
}

/* Every id has an untranslated entry, after an empty line (the parser
 * quietly merges an entry that lacks one into the previous one), with a
 * Subject; and the catalog has no id the daemon does not log. */
static void
test_catalog_text (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint entries = 0;

  g_file_get_contents (catalog_path (), &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *id;
      gboolean known = FALSE;

      if (!g_str_has_prefix (lines[i], "-- "))
        continue;
      id = lines[i] + 3;
      entries++;
      g_assert_cmpuint (i, >, 0);
      g_assert_cmpstr (lines[i - 1], ==, "");
      g_assert_nonnull (lines[i + 1]);
      g_assert_true (g_str_has_prefix (lines[i + 1], "Subject: "));
      for (const char * const *ours = of_journal_ids; *ours; ours++)
        known |= g_str_equal (id, *ours);
      if (!known)
        g_error ("catalog entry %s is not an id of journal-events.h", id);
    }
  g_assert_cmpuint (entries, ==, g_strv_length ((char **) of_journal_ids));
}

static void
test_catalog_journalctl (void)
{
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) update = NULL;
  g_autoptr(GSubprocess) list = NULL;
  g_autoptr(GSubprocess) dump = NULL;
  g_autofree char *dump_out = NULL;
  g_autofree char *journalctl = g_find_program_in_path ("journalctl");

  if (journalctl == NULL)
    {
      g_test_skip ("journalctl is not installed (package systemd)");
      return;
    }
  root = g_dir_make_tmp ("of-catalog-XXXXXX", &error);
  g_assert_no_error (error);
  dir = g_build_filename (root, "usr", "lib", "systemd", "catalog", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  copy = g_build_filename (dir, "offlinefiles.catalog", NULL);
  g_file_get_contents (catalog_path (), &contents, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, contents, -1, &error);
  g_assert_no_error (error);

  update = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             journalctl, "--root", root, "--update-catalog", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (update, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("--update-catalog: %s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (update));
  g_assert_cmpint (g_subprocess_get_exit_status (update), ==, 0);

  /* --list-catalog prints "ID DEFINED-BY: SUBJECT" per entry it took. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  list = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           journalctl, "--root", root, "--list-catalog", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (list, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (list), ==, 0);
  for (const char * const *id = of_journal_ids; *id; id++)
    {
      g_autofree char *line = g_strdup_printf ("%s offlinefiles: Offline files: ", *id);

      if (strstr (out, line) == NULL)
        g_error ("journalctl --list-catalog lacks %s:\n%s%s", *id, out, err);
    }

  /* One entry whole, as journalctl -x would show it. */
  dump = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           journalctl, "--root", root, "--dump-catalog",
                           OF_JOURNAL_ID_RELOAD_REJECTED, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (dump, NULL, NULL, &dump_out, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (dump_out, "the last good settings\nstay in force"));

  {
    const char *argv[] = { "rm", "-rf", root, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
}

/* GLib drops info like debug by default; the daemon's writer lets the
 * events through (and only them), or the journal would never see a
 * sync start. */
static void
test_writer (gconstpointer data)
{
  Capture *capture = (Capture *) data;

  if (g_test_subprocess ())
    {
      g_unsetenv ("G_MESSAGES_DEBUG");
      capture->daemon_writer = TRUE;
      g_info ("plain info, dropped as by default");
      of_journal_sync_started (42, "scheduled");
      of_journal_setting_changed ("SyncInterval", "77");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*Sync 42 started (scheduled)*SyncInterval is now 77*");
  g_test_trap_assert_stdout_unmatched ("*plain info*");
  g_test_trap_assert_stderr_unmatched ("*plain info*");
}

int
main (int argc, char *argv[])
{
  Capture capture = { g_ptr_array_new_with_free_func ((GDestroyNotify) record_free), FALSE };
  int status;

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (capture_writer, &capture, NULL);
  g_test_add_data_func ("/journal-events/fields", &capture, test_fields);
  g_test_add_func ("/journal-events/ids", test_ids);
  g_test_add_data_func ("/journal-events/writer", &capture, test_writer);
  g_test_add_func ("/journal-events/catalog-text", test_catalog_text);
  g_test_add_func ("/journal-events/catalog-journalctl", test_catalog_journalctl);
  status = g_test_run ();
  g_ptr_array_unref (capture.records);
  return status;
}
