/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-engine.c — the unison engine: real runs of unison 2.52 on
 * temporary directories (two-way, conflict, missing roots, as a test
 * user, stale locks), through the fork launcher.  Fake engines are in
 * test-engine-fake.c, the parser's own tests in test-engine-output.c. */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine-fixture.h"

static void
test_unison_two_way (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(OfEngineOutcome) again = NULL;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  write_file (fixture->local, "from-local.txt", "local\n");
  write_file (fixture->remote, "sub/from-remote.txt", "remote\n");

  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpint (outcome->exit_status, ==, 0);
  g_assert_cmpuint (outcome->transferred, ==, 2);
  g_assert_cmpstr (outcome->message, ==, "2 items transferred");
  assert_file (fixture->remote, "from-local.txt", "local\n");
  assert_file (fixture->local, "sub/from-remote.txt", "remote\n");

  again = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (again->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (again->message, ==, "no changes");
  assert_no_children ();
}

static void
test_unison_conflict (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) first = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  write_file (fixture->local, "docs/a.txt", "original\n");
  first = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (first->result, ==, OF_SHARE_RESULT_SUCCESS);
  assert_file (fixture->remote, "docs/a.txt", "original\n");

  write_file (fixture->local, "docs/a.txt", "changed locally\n");
  write_file (fixture->remote, "docs/a.txt", "changed on the server\n");
  write_file (fixture->local, "new.txt", "new\n");
  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_cmpint (outcome->exit_status, ==, 1);
  g_assert_cmpuint (outcome->conflicts->len, ==, 1);
  g_assert_cmpstr (outcome->conflicts->pdata[0], ==, "docs/a.txt");
  g_assert_cmpstr (outcome->message, ==, "1 conflict; 1 item transferred");
  /* Never resolved by guessing: both versions stay as they were. */
  assert_file (fixture->local, "docs/a.txt", "changed locally\n");
  assert_file (fixture->remote, "docs/a.txt", "changed on the server\n");
  assert_file (fixture->remote, "new.txt", "new\n");
}

static void
test_unison_missing_remote (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(OfEngineOutcome) no_local = NULL;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  /* The dangerous case: the parent exists, so unison would create it. */
  g_assert_cmpint (g_rmdir (fixture->remote), ==, 0);
  write_file (fixture->local, "keep.txt", "keep\n");

  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_FAILED);
  /* Found out as the share's user; what exactly is wrong is nobody
   * else's business. */
  g_assert_cmpstr (outcome->message, ==, "remote folder is not reachable");
  g_assert_false (g_file_test (fixture->remote, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (fixture->archive_root, G_FILE_TEST_EXISTS));
  assert_file (fixture->local, "keep.txt", "keep\n");

  /* A missing local folder is not created either. */
  g_assert_cmpint (g_mkdir (fixture->remote, 0755), ==, 0);
  g_free (share->local_path);
  share->local_path = g_build_filename (fixture->base, "no-local", NULL);
  no_local = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (no_local->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_true (g_str_has_prefix (no_local->message, "local folder "));
  g_assert_false (g_file_test (share->local_path, G_FILE_TEST_EXISTS));
  g_assert_true (dir_is_empty (fixture->remote));
}

static void
test_unison_as_user (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *archive_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  struct stat st;
  uid_t uid;
  gid_t gid;

  (void) data;
  if (!need_user ("oftest-allow", &uid, &gid) || !need_unison ())
    return;
  g_assert_cmpint (chown (fixture->local, uid, gid), ==, 0);
  g_assert_cmpint (chown (fixture->remote, uid, gid), ==, 0);
  write_file (fixture->local, "mine.txt", "local\n");
  write_file (fixture->remote, "theirs.txt", "remote\n");
  share = make_share (fixture, "oftest-allow", G_TIME_SPAN_MINUTE);

  outcome = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  /* Created by the engine, so owned by the share's user. */
  assert_owner (fixture->remote, "mine.txt", uid);
  assert_owner (fixture->local, "theirs.txt", uid);

  /* Named by uid, not by user name. */
  archive_dir = g_strdup_printf ("%s/%u", fixture->archive_root, (guint) uid);
  g_assert_cmpint (lstat (archive_dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpuint (st.st_uid, ==, uid);
  g_assert_cmpuint (st.st_gid, ==, gid);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  dir = g_dir_open (archive_dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    assert_owner (archive_dir, entry, uid);
  g_assert_false (g_file_test (fixture->archive_root, G_FILE_TEST_IS_SYMLINK));
}

static char *
plant (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  return g_steal_pointer (&path);
}

static void
test_unison_stale_lock (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfEngineOutcome) first = NULL;
  g_autoptr(OfEngineOutcome) busy = NULL;
  g_autoptr(OfEngineOutcome) cleaned = NULL;
  g_autofree char *archive_dir = NULL;
  g_autofree char *outside = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autofree char *keep = NULL;
  const char *entry;
  int fd;

  (void) data;
  if (!need_unison ())
    return;
  share = make_share (fixture, "root", G_TIME_SPAN_MINUTE);
  write_file (fixture->local, "a.txt", "a\n");
  first = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (first->result, ==, OF_SHARE_RESULT_SUCCESS);

  /* What a killed run leaves: a lock per archive (named like the archive
   * files), maybe one still carrying the taker's pid. */
  archive_dir = g_build_filename (fixture->archive_root, "0", NULL);
  dir = g_dir_open (archive_dir, 0, NULL);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (entry, "ar"))
      {
        g_autofree char *name = g_strconcat ("lk", entry + 2, NULL);
        g_ptr_array_add (locks, plant (archive_dir, name));
      }
  g_assert_cmpuint (locks->len, ==, 2);
  g_ptr_array_add (locks, plant (archive_dir, "lk0123456789abcdef0123456789abcdef4242"));
  keep = plant (archive_dir, "lk-not-a-lock");
  /* A lock-named symlink is removed, not followed. */
  outside = plant (fixture->base, "outside");
  link = g_build_filename (archive_dir, "lkffffffffffffffffffffffffffffffff", NULL);
  g_assert_cmpint (symlink (outside, link), ==, 0);

  write_file (fixture->local, "b.txt", "b\n");
  /* Another run of ours holds the archive: its locks are not ours to take. */
  fd = open (archive_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_SH), ==, 0);
  busy = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (busy->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (busy->message, ==, "the engine stopped with a fatal error");
  g_assert_cmpstr (((OfEngineProblem *) busy->problems->pdata[0])->reason, ==,
                   "Fatal error: Warning: the archives are locked.  ");
  g_assert_true (g_file_test (locks->pdata[0], G_FILE_TEST_EXISTS));
  close (fd);

  cleaned = run_engine ("unison", share, fixture->archive_root, G_TIME_SPAN_SECOND, -1, NULL);
  g_assert_cmpint (cleaned->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (cleaned->message, ==, "1 item transferred");
  for (guint i = 0; i < locks->len; i++)
    g_assert_false (g_file_test (locks->pdata[i], G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  assert_file (fixture->remote, "b.txt", "b\n");
}

/* A run of ours cleaning the archive holds it exclusively for a moment;
 * one held for ever (the directory's owner can flock it) makes the run
 * fail after a bounded wait, never hang in flock(). */

int
main (int argc, char **argv)
{
  int status;

  engine_fixture_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/engine/unison/two-way", test_unison_two_way);
  ADD ("/engine/unison/conflict", test_unison_conflict);
  ADD ("/engine/unison/missing-remote", test_unison_missing_remote);
  ADD ("/engine/unison/as-user", test_unison_as_user);
  ADD ("/engine/unison/stale-lock", test_unison_stale_lock);
#undef ADD
  status = g_test_run ();
  engine_fixture_done ();
  return status;
}
