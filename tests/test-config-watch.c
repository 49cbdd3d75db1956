/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-config-watch.c — the configuration watch: edits call back once
 * after a quiet second, and so do edits made between reading the files
 * and starting to watch them. */
#include <glib/gstdio.h>

#include "config-watch.h"
#include "main-context.h"

typedef struct {
  char *dir;
  guint calls;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("offlinefiles-watch-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  (void) data;
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->dir);
}

static void
on_changed (gpointer user_data)
{
  Fixture *fixture = user_data;
  fixture->calls++;
}

static void
write_config (Fixture *fixture, const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, "background-sync.conf", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
test_edit_while_watched (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigWatch) watch = NULL;

  (void) data;
  write_config (fixture, "[BackgroundSync]\n");
  /* Read long ago: nothing new since. */
  watch = of_config_watch_new (fixture->dir, g_get_real_time () + 60 * G_USEC_PER_SEC, on_changed, fixture);
  of_test_run_for (OF_CONFIG_WATCH_QUIET_MS + 300);
  g_assert_cmpuint (fixture->calls, ==, 0);

  /* Three quick writes, one call. */
  for (guint i = 0; i < 3; i++)
    write_config (fixture, "[BackgroundSync]\nSyncInterval=5\n");
  of_test_run_for (OF_CONFIG_WATCH_QUIET_MS + 500);
  g_assert_cmpuint (fixture->calls, ==, 1);
}

static void
test_edit_before_watch (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfConfigWatch) watch = NULL;
  gint64 loaded_at = g_get_real_time ();
  g_autofree char *shares = g_build_filename (fixture->dir, "shares.d", NULL);
  g_autofree char *share = g_build_filename (shares, "docs.share", NULL);

  (void) data;
  /* Written after the daemon read its files, before it watches them. */
  g_assert_cmpint (g_mkdir (shares, 0755), ==, 0);
  g_assert_true (g_file_set_contents (share, "[Share]\n", -1, NULL));
  watch = of_config_watch_new (fixture->dir, loaded_at, on_changed, fixture);
  of_test_run_for (OF_CONFIG_WATCH_QUIET_MS + 500);
  g_assert_cmpuint (fixture->calls, ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/config-watch/edit-while-watched", Fixture, NULL, setup, test_edit_while_watched, teardown);
  g_test_add ("/config-watch/edit-before-watch", Fixture, NULL, setup, test_edit_before_watch, teardown);
  return g_test_run ();
}
