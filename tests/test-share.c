/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-share.c — parsing and validating shares.d/<name>.conf. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "share.h"

static OfShare *
parse (const char *name,
       const char *data,
       GError    **error)
{
  return of_share_parse (name, data, strlen (data), error);
}

static void
assert_invalid (const char *name,
                const char *data,
                const char *message_pattern)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = parse (name, data, &error);

  g_assert_null (share);
  g_assert_nonnull (error);
  if (!g_pattern_match_simple (message_pattern, error->message))
    g_error ("share %s: message \"%s\" does not match \"%s\"", name, error->message, message_pattern);
}

#define VALID_PATHS "[Share]\nLocalPath=/srv/offline/alice\nRemotePath=/mnt/server/alice\n"

static void
test_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = parse ("home", VALID_PATHS "User=alice\n"
                                    "# a comment\nUnknownKey=kept for later versions\n", &error);
  g_autoptr(OfShare) copy = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (share->name, ==, "home");
  g_assert_cmpstr (share->local_path, ==, "/srv/offline/alice");
  g_assert_cmpstr (share->remote_path, ==, "/mnt/server/alice");
  g_assert_cmpstr (share->user, ==, "alice");
  g_assert_true (share->enabled);
  g_assert_cmpint (share->timeout_usec, ==, 60 * G_TIME_SPAN_MINUTE);

  copy = of_share_copy (share);
  g_assert_cmpstr (copy->local_path, ==, share->local_path);
  g_assert_true (copy->name != share->name);
}

static void
test_enabled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = parse ("s", VALID_PATHS "User=a\nEnabled=false\n", &error);

  g_assert_no_error (error);
  g_assert_false (share->enabled);
  assert_invalid ("s", VALID_PATHS "User=a\nEnabled=maybe\n", "Enabled must be true or false, got \"maybe\"");
}

static void
test_timeout (void)
{
  static const struct {
    const char *text;
    gint64      usec;
  } valid[] = {
    { "30", 30 * G_TIME_SPAN_MINUTE },
    { "1", G_TIME_SPAN_MINUTE },
    { "30s", 30 * G_TIME_SPAN_SECOND },
    { "1 s", G_TIME_SPAN_SECOND },
    { "5min", 5 * G_TIME_SPAN_MINUTE },
    { "2h", 2 * G_TIME_SPAN_HOUR },
    { "1500ms", 1500 * 1000 },
    { "10080", 7 * G_TIME_SPAN_DAY },
    { "7d", 7 * G_TIME_SPAN_DAY },
  };
  static const char * const invalid[] = {
    "0", "0s", "-1", "abc", "", "5 fortnights", "1.5h", "10080m1", "99999999999999999999999",
    "10081", "8d", "169h",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_strdup_printf (VALID_PATHS "User=a\nTimeout=%s\n", valid[i].text);
      g_autoptr(OfShare) share = parse ("s", data, &error);

      g_assert_no_error (error);
      g_assert_cmpint (share->timeout_usec, ==, valid[i].usec);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *data = g_strdup_printf (VALID_PATHS "User=a\nTimeout=%s\n", invalid[i]);
      assert_invalid ("s", data, "Timeout must be *");
    }
}

static void
test_format_duration (void)
{
  static const struct {
    gint64      usec;
    const char *text;
  } cases[] = {
    { G_TIME_SPAN_HOUR, "1 h" },
    { 60 * G_TIME_SPAN_MINUTE, "1 h" },
    { 90 * G_TIME_SPAN_MINUTE, "90 min" },
    { G_TIME_SPAN_SECOND, "1 s" },
    { 1500 * 1000, "1.5 s" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = of_share_format_duration (cases[i].usec);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_names (void)
{
  g_autofree char *longest = g_strnfill (OF_SHARE_NAME_MAX, 'a');
  g_autofree char *too_long = g_strnfill (OF_SHARE_NAME_MAX + 1, 'a');

  g_assert_true (of_share_name_is_valid ("home"));
  g_assert_true (of_share_name_is_valid ("Team_docs-2.old"));
  g_assert_true (of_share_name_is_valid (longest));
  g_assert_false (of_share_name_is_valid (too_long));
  g_assert_false (of_share_name_is_valid (""));
  g_assert_false (of_share_name_is_valid (NULL));
  g_assert_false (of_share_name_is_valid (".hidden"));
  g_assert_false (of_share_name_is_valid ("a/b"));
  g_assert_false (of_share_name_is_valid ("a b"));
  g_assert_false (of_share_name_is_valid ("é"));
  g_assert_false (of_share_name_is_valid ("a\nb"));

  assert_invalid (".hidden", VALID_PATHS "User=a\n", "Share name \".hidden\" is invalid*");
  assert_invalid ("a\nb", VALID_PATHS "User=a\n", "Share name \"a\\nb\" is invalid*");
}

static void
test_paths (void)
{
  static const char * const bad[] = {
    "srv/x", "", "/srv/../etc", "/srv/..", "/..", "//srv", "/srv//x", "/srv/", "/srv/./x", "/srv/.",
    "./srv", "/srv/x\\n", "/srv/\\tx",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *local = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=/mnt/r\nUser=a\n", bad[i]);
      g_autofree char *remote = g_strdup_printf ("[Share]\nLocalPath=/srv/l\nRemotePath=%s\nUser=a\n", bad[i]);

      assert_invalid ("s", local, "LocalPath must be an absolute, normalized path*");
      assert_invalid ("s", remote, "RemotePath must be an absolute, normalized path*");
    }
  /* Dots inside names are fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OfShare) share = parse ("s", "[Share]\nLocalPath=/srv/..a/b.\nRemotePath=/mnt/...\nUser=a\n", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (share->local_path, ==, "/srv/..a/b.");
  }
}

/* docs/behaviour.md §14: MountPoint= names the mount RemotePath lives on. */
static void
test_mount_point (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) none = parse ("home", VALID_PATHS "User=alice\n", &error);
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfShare) same = NULL;
  g_autoptr(OfShare) copy = NULL;

  g_assert_no_error (error);
  g_assert_null (none->mount_point);
  share = parse ("home", VALID_PATHS "User=alice\nMountPoint=/mnt/server\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (share->mount_point, ==, "/mnt/server");
  copy = of_share_copy (share);
  g_assert_cmpstr (copy->mount_point, ==, "/mnt/server");
  same = parse ("home", VALID_PATHS "User=alice\nMountPoint=/mnt/server/alice\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (same->mount_point, ==, "/mnt/server/alice");

  assert_invalid ("home", VALID_PATHS "User=alice\nMountPoint=/mnt/other\n",
                  "RemotePath \"/mnt/server/alice\" must lie on MountPoint \"/mnt/other\"*");
  assert_invalid ("home", VALID_PATHS "User=alice\nMountPoint=/mnt/server/alice/deeper\n",
                  "RemotePath*must lie on MountPoint*");
  assert_invalid ("home", VALID_PATHS "User=alice\nMountPoint=mnt/server\n",
                  "MountPoint must be an absolute, normalized path*");
  assert_invalid ("home", VALID_PATHS "User=alice\nMountPoint=/mnt/server/../x\n",
                  "MountPoint must be an absolute, normalized path*");
  assert_invalid ("home", VALID_PATHS "User=alice\nMountPoint=\n", "MountPoint must be*");
}

static void
test_nesting (void)
{
  static const struct {
    const char *local;
    const char *remote;
    gboolean    valid;
  } cases[] = {
    { "/a", "/a", FALSE },
    { "/a/b", "/a", FALSE },
    { "/a", "/a/b", FALSE },
    { "/", "/a", FALSE },
    { "/a", "/", FALSE },
    { "/a/b/c", "/a/b", FALSE },
    { "/ab", "/a", TRUE },
    { "/a", "/ab", TRUE },
    { "/srv/x", "/mnt/x", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_strdup_printf ("[Share]\nLocalPath=%s\nRemotePath=%s\nUser=a\n",
                                               cases[i].local, cases[i].remote);
      g_autoptr(OfShare) share = parse ("s", data, &error);

      if (cases[i].valid)
        {
          g_assert_no_error (error);
          g_assert_nonnull (share);
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          g_assert_true (g_str_has_prefix (error->message, "LocalPath \""));
          g_assert_nonnull (strstr (error->message, "neither inside the other"));
        }
    }
}

static void
test_missing (void)
{
  assert_invalid ("s", "[Share]\nRemotePath=/r\nUser=a\n", "LocalPath is required");
  assert_invalid ("s", "[Share]\nLocalPath=/l\nUser=a\n", "RemotePath is required");
  assert_invalid ("s", "[Share]\nLocalPath=/l\nRemotePath=/r\n", "User is required");
  assert_invalid ("s", "[Other]\nLocalPath=/l\n", "No [Share] group");
  assert_invalid ("s", "", "No [Share] group");
  assert_invalid ("s", "this is not a key file\n", "*");
  assert_invalid ("s", VALID_PATHS "User=\n", "User \"\" is not a valid user name");
  assert_invalid ("s", VALID_PATHS "User=../etc\n", "User \"../etc\" is not a valid user name");
  assert_invalid ("s", VALID_PATHS "User=..\n", "User \"..\" is not a valid user name");
}

static void
test_garbage (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);

  /* Random bytes and random mutations of a valid file must never crash. */
  for (int i = 0; i < 2000; i++)
    {
      char data[256];
      gsize length = (gsize) g_rand_int_range (rand, 0, sizeof data);
      g_autoptr(GError) error = NULL;
      g_autoptr(OfShare) share = NULL;

      if (i % 2 == 0)
        for (gsize j = 0; j < length; j++)
          data[j] = (char) g_rand_int_range (rand, 0, 256);
      else
        {
          const char *valid = VALID_PATHS "User=alice\nTimeout=5min\n";
          length = strlen (valid);
          memcpy (data, valid, length);
          data[g_rand_int_range (rand, 0, (gint32) length)] = (char) g_rand_int_range (rand, 0, 256);
        }
      share = of_share_parse ("fuzz", data, length, &error);
      g_assert_true ((share == NULL) != (error == NULL));
    }
}

typedef struct {
  char *dir;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  (void) data;
  fixture->dir = g_dir_make_tmp ("offlinefiles-shares-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "rm", "-rf", fixture->dir, NULL };

  (void) data;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, NULL, NULL));
  g_free (fixture->dir);
}

static void
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static gboolean
problems_match (GPtrArray  *problems,
                const char *pattern)
{
  for (guint i = 0; i < problems->len; i++)
    if (g_pattern_match_simple (pattern, problems->pdata[i]))
      return TRUE;
  return FALSE;
}

static void
test_load (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "docs.conf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = NULL;

  (void) data;
  write_file (fixture, "docs.conf", "[Share]\nLocalPath=/srv/l\nRemotePath=/mnt/r\nUser=root\nTimeout=2h\n");
  share = of_share_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (share->name, ==, "docs");
  g_assert_cmpint (share->timeout_usec, ==, 2 * G_TIME_SPAN_HOUR);
  g_clear_pointer (&share, of_share_free);

  write_file (fixture, "ghost.conf", "[Share]\nLocalPath=/srv/l\nRemotePath=/mnt/r\nUser=no-such-user-of\n");
  g_free (path);
  path = g_build_filename (fixture->dir, "ghost.conf", NULL);
  share = of_share_load (path, &error);
  g_assert_null (share);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "User \"no-such-user-of\" does not exist"));
  g_clear_error (&error);

  g_free (path);
  path = g_build_filename (fixture->dir, "absent.conf", NULL);
  share = of_share_load (path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_load_dir (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) shares = NULL;
  g_autofree char *fifo = g_build_filename (fixture->dir, "fifo.conf", NULL);
  g_autofree char *link_fifo = g_build_filename (fixture->dir, "linkfifo.conf", NULL);
  g_autofree char *link_shadow = g_build_filename (fixture->dir, "shadow.conf", NULL);
  g_autofree char *subdir = g_build_filename (fixture->dir, "sub.conf", NULL);
#define VALID_SHARE "[Share]\nLocalPath=/srv/%s\nRemotePath=/mnt/%s\nUser=root\n"
  g_autofree char *b = g_strdup_printf (VALID_SHARE, "b", "b");
  g_autofree char *a = g_strdup_printf (VALID_SHARE, "a", "a");
  g_autofree char *c = g_strdup_printf (VALID_SHARE, "c", "c");
#undef VALID_SHARE
  gint64 start;

  (void) data;
  write_file (fixture, "b.conf", b);
  write_file (fixture, "a.conf", a);
  write_file (fixture, "c-1.conf", c);
  write_file (fixture, ".hidden.conf", a);            /* ignored silently */
  write_file (fixture, "notes.txt", "hello");          /* ignored silently */
  write_file (fixture, "b.conf~", b);                  /* editor backup: ignored */
  write_file (fixture, "bad.conf", "[Share]\nLocalPath=relative\nRemotePath=/mnt/x\nUser=root\n");
  write_file (fixture, "nested.conf", "[Share]\nLocalPath=/mnt/x/y\nRemotePath=/mnt/x\nUser=root\n");
  write_file (fixture, "bad name!.conf", a);
  write_file (fixture, ".conf", a);                    /* hidden: ignored */
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (symlink (fifo, link_fifo), ==, 0);
  g_assert_cmpint (symlink ("/etc/shadow", link_shadow), ==, 0);
  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);

  start = g_get_monotonic_time ();
  shares = of_shares_load_dir (fixture->dir, problems);
  /* A FIFO must not have been opened for a blocking read. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);

  g_assert_cmpuint (shares->len, ==, 3);
  g_assert_cmpstr (((OfShare *) shares->pdata[0])->name, ==, "a");
  g_assert_cmpstr (((OfShare *) shares->pdata[1])->name, ==, "b");
  g_assert_cmpstr (((OfShare *) shares->pdata[2])->name, ==, "c-1");
  g_assert_cmpstr (((OfShare *) shares->pdata[0])->local_path, ==, "/srv/a");

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (const char *) problems->pdata[i]);
  g_assert_cmpuint (problems->len, ==, 7);
  g_assert_true (problems_match (problems, "*/bad.conf: LocalPath must be an absolute*"));
  g_assert_true (problems_match (problems, "*/nested.conf: LocalPath *neither inside the other"));
  g_assert_true (problems_match (problems, "*/bad name!.conf: Share name \"bad name!\" is invalid*"));
  g_assert_true (problems_match (problems, "*/fifo.conf: not a regular file"));
  g_assert_true (problems_match (problems, "*/linkfifo.conf: not a regular file"));
  g_assert_true (problems_match (problems, "*/shadow.conf: not a regular file"));
  g_assert_true (problems_match (problems, "*/sub.conf: not a regular file"));
}

static void
test_load_dir_missing (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) shares = of_shares_load_dir ("/nonexistent/offlinefiles/shares.d", problems);

  g_assert_cmpuint (shares->len, ==, 0);
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_pointer (&shares, g_ptr_array_unref);
  shares = of_shares_load_dir ("/nonexistent/offlinefiles/shares.d", NULL);
  g_assert_cmpuint (shares->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/share/parse/valid", test_valid);
  g_test_add_func ("/share/parse/enabled", test_enabled);
  g_test_add_func ("/share/parse/timeout", test_timeout);
  g_test_add_func ("/share/format-duration", test_format_duration);
  g_test_add_func ("/share/parse/names", test_names);
  g_test_add_func ("/share/parse/paths", test_paths);
  g_test_add_func ("/share/parse/nesting", test_nesting);
  g_test_add_func ("/share/parse/mount-point", test_mount_point);
  g_test_add_func ("/share/parse/missing", test_missing);
  g_test_add_func ("/share/parse/garbage", test_garbage);
  g_test_add ("/share/load/file", Fixture, NULL, setup, test_load, teardown);
  g_test_add ("/share/load/dir", Fixture, NULL, setup, test_load_dir, teardown);
  g_test_add_func ("/share/load/dir-missing", test_load_dir_missing);

  return g_test_run ();
}
