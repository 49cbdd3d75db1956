/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-conflict-store.c — the conflict store: merging a sync's findings
 * (first-seen times kept, fixed conflicts gone), its file (0600, across
 * a new store, damaged files refused), deletion for RemoveShare; and the
 * size-and-time helper's output parser. */
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "conflict-stat.h"
#include "conflict-store.h"
#include "log-capture.h"
#include "main-context.h"

/* What the code under test warned about (log-capture.h). */
static GPtrArray *logged;

static GPtrArray *
found (const char *first, ...)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) of_engine_conflict_free);
  va_list args;

  va_start (args, first);
  for (const char *path = first; path != NULL; path = va_arg (args, const char *))
    g_ptr_array_add (list, of_engine_conflict_new (path, (OfConflictReason) va_arg (args, int)));
  va_end (args);
  return list;
}

static const OfEngineConflict *
nth (GPtrArray *list, guint i)
{
  g_assert_cmpuint (i, <, list->len);
  return list->pdata[i];
}

static void
test_merge (void)
{
  g_autoptr(GPtrArray) first = found ("b", OF_CONFLICT_BOTH_CHANGED, "a", OF_CONFLICT_CHANGED_DELETED, NULL);
  g_autoptr(GPtrArray) merged = of_conflicts_merge (NULL, first, 1000);
  g_autoptr(GPtrArray) second = found ("c", OF_CONFLICT_TYPE_CHANGED, "b", OF_CONFLICT_DELETED_CHANGED, NULL);
  g_autoptr(GPtrArray) again = of_conflicts_merge (merged, second, 2000);

  /* Path order; all first seen now. */
  g_assert_cmpuint (merged->len, ==, 2);
  g_assert_cmpstr (nth (merged, 0)->path, ==, "a");
  g_assert_cmpint (nth (merged, 0)->detected, ==, 1000);
  /* "a" was fixed by hand: gone; "b" persists with its first-seen time
   * and its new reason; "c" is new. */
  g_assert_cmpuint (again->len, ==, 2);
  g_assert_cmpstr (nth (again, 0)->path, ==, "b");
  g_assert_cmpint (nth (again, 0)->detected, ==, 1000);
  g_assert_cmpint (nth (again, 0)->reason, ==, OF_CONFLICT_DELETED_CHANGED);
  g_assert_cmpstr (nth (again, 1)->path, ==, "c");
  g_assert_cmpint (nth (again, 1)->detected, ==, 2000);
}

static void
test_bytes (void)
{
  g_autoptr(GPtrArray) list = found ("x\ny", OF_CONFLICT_BOTH_CHANGED, "z", OF_CONFLICT_TYPE_CHANGED, NULL);
  g_autoptr(GPtrArray) merged = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\xff\xfe not a list", 14);
  g_autoptr(GPtrArray) none = NULL;

  g_assert_cmpint (nth (list, 0)->local_size, ==, -1);
  ((OfEngineConflict *) list->pdata[0])->local_size = 42;
  ((OfEngineConflict *) list->pdata[0])->remote_modified = 7000000;
  merged = of_conflicts_merge (NULL, list, 5);
  bytes = of_conflicts_to_bytes (merged);
  back = of_conflicts_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  g_assert_cmpstr (nth (back, 0)->path, ==, "x\ny");  /* any name but NUL */
  g_assert_cmpint (nth (back, 0)->local_size, ==, 42);
  g_assert_cmpint (nth (back, 0)->remote_size, ==, -1);
  g_assert_cmpint (nth (back, 0)->remote_modified, ==, 7000000);
  g_assert_cmpint (nth (back, 1)->reason, ==, OF_CONFLICT_TYPE_CHANGED);
  g_assert_cmpint (nth (back, 1)->detected, ==, 5);

  none = of_conflicts_from_bytes (garbage, &error);
  g_assert_null (none);
  g_assert_nonnull (error);
}

static void
test_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("of-conflicts-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, OF_CONFLICTS_DIR_NAME, "home", NULL);
  g_autoptr(GPtrArray) list = found ("a", OF_CONFLICT_BOTH_CHANGED, "b", OF_CONFLICT_BOTH_CHANGED, NULL);
  struct stat st;

  {
    g_autoptr(OfConflictStore) store = of_conflict_store_new (dir);

    g_assert_cmpuint (of_conflict_store_get (store, "home")->len, ==, 0);
    g_assert_true (of_conflict_store_update (store, "home", list, 1234));
    /* The same findings again: nothing to write. */
    g_assert_false (of_conflict_store_update (store, "home", list, 9999));
    g_assert_true (of_conflict_store_remove (store, "home", "a"));
    g_assert_false (of_conflict_store_remove (store, "home", "a"));
    while (of_conflict_store_is_busy (store))
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  {
    g_autoptr(OfConflictStore) store = of_conflict_store_new (dir);
    GPtrArray *again = of_conflict_store_get (store, "home");

    /* Across a new store (a restart), with the first-seen time. */
    g_assert_cmpuint (again->len, ==, 1);
    g_assert_cmpstr (nth (again, 0)->path, ==, "b");
    g_assert_cmpint (nth (again, 0)->detected, ==, 1234);

    of_conflict_store_delete_for_share (store, "home");
    g_assert_cmpuint (of_conflict_store_get (store, "home")->len, ==, 0);
    while (of_conflict_store_is_busy (store))
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  /* A damaged file counts as empty, and is replaced at the next change. */
  g_assert_true (g_file_set_contents (file, "garbage", -1, NULL));
  {
    g_autoptr(OfConflictStore) store = of_conflict_store_new (dir);

    g_ptr_array_set_size (logged, 0);
    g_assert_cmpuint (of_conflict_store_get (store, "home")->len, ==, 0);
    g_assert_cmpuint (logged->len, ==, 1);
    g_assert_true (g_str_has_prefix (logged->pdata[0], "Ignoring the conflict list of share home"));
  }
  g_unlink (file);
  {
    g_autofree char *conflicts_dir = g_build_filename (dir, OF_CONFLICTS_DIR_NAME, NULL);
    g_rmdir (conflicts_dir);
  }
  g_rmdir (dir);
}

static void
test_stat_output (void)
{
  g_autoptr(GPtrArray) list = found ("f", OF_CONFLICT_BOTH_CHANGED, "gone", OF_CONFLICT_CHANGED_DELETED,
                                     "dir", OF_CONFLICT_TYPE_CHANGED, NULL);
  g_auto(GStrv) argv = of_conflict_stat_argv ("/l", "/r", list);
  OfLaunchResult result = { OF_LAUNCH_EXITED, 0, 0, NULL, NULL, NULL, 0, 0 };
  OfLaunchResult short_result = { OF_LAUNCH_EXITED, 0, 0, NULL, NULL, NULL, 0, 0 };
  OfLaunchResult killed = { OF_LAUNCH_TIMED_OUT, -1, 0, NULL, NULL, NULL, 0, 0 };

  /* The paths are arguments, never part of the script. */
  g_assert_cmpstr (argv[0], ==, "/bin/sh");
  g_assert_cmpstr (argv[4], ==, "/l");
  g_assert_cmpstr (argv[5], ==, "/r");
  g_assert_cmpstr (argv[6], ==, "f");
  g_assert_cmpstr (argv[8], ==, "dir");
  g_assert_null (argv[9]);

  result.stdout_tail = (char *) "13 1796023826.741848 81a4\n7 1796023827.000001 81a4\n"
                                "5 1796023828.500000 81a4\n-\n"
                                "4096 1796023829.000000 41ed\n9 1796023830.000000 81a4\n";
  g_assert_true (of_conflict_stat_apply (&result, list));
  g_assert_cmpint (nth (list, 0)->local_size, ==, 13);
  g_assert_cmpint (nth (list, 0)->local_modified, ==, G_GINT64_CONSTANT (1796023826741848));
  g_assert_cmpint (nth (list, 0)->remote_modified, ==, G_GINT64_CONSTANT (1796023827000001));
  g_assert_cmpint (nth (list, 1)->remote_size, ==, -1);
  g_assert_cmpint (nth (list, 1)->remote_modified, ==, -1);
  g_assert_cmpint (nth (list, 2)->local_size, ==, -1);   /* a folder has no size here */
  g_assert_cmpint (nth (list, 2)->local_modified, ==, G_GINT64_CONSTANT (1796023829000000));
  g_assert_cmpint (nth (list, 2)->remote_size, ==, 9);

  /* A tail that lost lines would put answers on the wrong paths. */
  short_result.stdout_tail = (char *) "9 1796023830.000000 81a4\n";
  g_assert_false (of_conflict_stat_apply (&short_result, list));
  g_assert_false (of_conflict_stat_apply (&killed, list));
  g_assert_cmpint (nth (list, 0)->local_size, ==, 13);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  logged = of_test_capture_warnings ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func ("/conflict-store/merge", test_merge);
  g_test_add_func ("/conflict-store/bytes", test_bytes);
  g_test_add_func ("/conflict-store/store", test_store);
  g_test_add_func ("/conflict-store/stat-output", test_stat_output);
  return g_test_run ();
}
