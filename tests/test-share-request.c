/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-share-request.c — AddShare's options, the file it writes (read
 * back by the share parser, whatever the arguments hold) and the mark
 * that says who added a share. */
#include <string.h>

#include "share-request.h"

/* 2026-11-30 07:00:00 UTC */
#define NOW (G_GINT64_CONSTANT (1796022000) * G_USEC_PER_SEC)

static gboolean
parse_options (const char      *text,
               OfShareOptions  *options,
               GError         **error)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_parsed (text));

  return of_share_options_parse (value, options, error);
}

static void
test_options (void)
{
  g_auto(OfShareOptions) none = { 0 };
  g_auto(OfShareOptions) all = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_options ("@a{sv} {}", &none, &error));
  g_assert_no_error (error);
  g_assert_true (none.enabled);
  g_assert_cmpuint (none.timeout_min, ==, 0);
  g_assert_null (none.mount_point);
  g_assert_null (none.user);

  g_assert_true (parse_options ("{'Enabled': <false>, 'Timeout': <uint32 10080>, "
                                "'MountPoint': <'/mnt/server'>, 'User': <'alice'>}", &all, &error));
  g_assert_no_error (error);
  g_assert_false (all.enabled);
  g_assert_cmpuint (all.timeout_min, ==, 10080);
  g_assert_cmpstr (all.mount_point, ==, "/mnt/server");
  g_assert_cmpstr (all.user, ==, "alice");
}

static void
test_options_refused (void)
{
  const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "{'Timeout': <uint32 0>}", "Timeout must be 1..10080 minutes, got 0" },
    { "{'Timeout': <uint32 10081>}", "Timeout must be 1..10080 minutes, got 10081" },
    { "{'Timeout': <60>}", "Option Timeout must be of type u, got i" },
    { "{'Enabled': <'yes'>}", "Option Enabled must be of type b, got s" },
    { "{'User': <uint32 0>}", "Option User must be of type s, got u" },
    { "{'MountPoint': <'mnt'>}", "MountPoint must be an absolute, normalized path*" },
    { "{'MountPoint': <'/mnt/../etc'>}", "MountPoint must be an absolute, normalized path*" },
    { "{'Colour': <'blue'>}", "Unknown option \"Colour\"*" },
    /* A leak of the value taken before the refusal would show under valgrind. */
    { "{'User': <'alice'>, 'Bogus': <1>}", "Unknown option \"Bogus\"*" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(OfShareOptions) options = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (parse_options (cases[i].text, &options, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      if (!g_pattern_match_simple (cases[i].message, error->message))
        g_error ("%s: \"%s\" does not match \"%s\"", cases[i].text, error->message, cases[i].message);
      g_assert_null (options.user);
    }
}

static void
test_file_round_trip (void)
{
  g_auto(OfShareOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfShare) reread = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize length = 0;
  uid_t uid = 0;

  g_assert_true (parse_options ("{'Enabled': <false>, 'Timeout': <uint32 5>}", &options, &error));
  share = of_share_request_build ("docs", "/home/alice/Documents", "/mnt/server/alice", "alice", &options,
                                  "alice", 1000, NOW, &bytes, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &length);
  g_test_message ("%.*s", (int) length, data);
  g_assert_true (g_str_has_prefix (data, "# Added by alice (uid 1000) through AddShare at 2026-11-30T07:00:00Z.\n"));
  g_assert_cmpstr (share->local_path, ==, "/home/alice/Documents");
  g_assert_cmpstr (share->remote_path, ==, "/mnt/server/alice");
  g_assert_cmpstr (share->user, ==, "alice");
  g_assert_false (share->enabled);
  g_assert_cmpint (share->timeout_usec, ==, 5 * G_TIME_SPAN_MINUTE);
  /* The bytes are the share: the parser reads the same from them. */
  reread = of_share_parse ("docs", data, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reread->user, ==, "alice");
  g_assert_cmpint (reread->timeout_usec, ==, share->timeout_usec);
  g_assert_true (of_share_data_added_by (data, length, &uid));
  g_assert_cmpuint (uid, ==, 1000);
}

/* No argument can add a line or a key: a newline in a path is kept
 * escaped, and the parser then refuses the path; a value GKeyFile would
 * change on the way is refused. */
static void
test_no_injection (void)
{
  g_auto(OfShareOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfShare) stripped = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (parse_options ("@a{sv} {}", &options, &error));
  share = of_share_request_build ("x", "/home/alice/a\nUser=root", "/mnt/b", "alice", &options,
                                  "ali\nce", 1000, NOW, &bytes, &error);
  g_assert_null (share);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "LocalPath must be an absolute, normalized path"));
  g_clear_error (&error);

  /* GKeyFile drops a leading form feed from a value it reads. */
  stripped = of_share_request_build ("x", "/home/alice/a", "/mnt/b", "\fbob", &options, "alice", 1000, NOW,
                                     &bytes, &error);
  g_assert_null (stripped);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "The user name cannot be written to a share file as it is");
}

static void
test_added_by (void)
{
  const struct {
    const char *data;
    gboolean    marked;
    guint       uid;
  } cases[] = {
    { "# Added by bob (uid 1001) through AddShare at 2026-11-30T07:00:00Z.\n[Share]\n", TRUE, 1001 },
    { "# Added by root (uid 0) through AddShare at 2026-11-30T07:00:00Z.\n", TRUE, 0 },
    /* An administrator's file: no mark, or not on the first line. */
    { "[Share]\nLocalPath=/a\n", FALSE, 0 },
    { "# My share\n# Added by bob (uid 1001) through AddShare at x.\n", FALSE, 0 },
    { "", FALSE, 0 },
    /* Malformed marks count as none. */
    { "# Added by bob (uid ) through AddShare\n", FALSE, 0 },
    { "# Added by bob (uid 1001\n", FALSE, 0 },
    { "# Added by bob (uid 99999999999) through AddShare\n", FALSE, 0 },
    { "# Added by bob (uid -1) through AddShare\n", FALSE, 0 },
    /* The last "(uid" of the line counts: a name cannot fake it. */
    { "# Added by x (uid 0) (uid 1001) through AddShare\n", TRUE, 1001 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      uid_t uid = 4242;
      gboolean marked = of_share_data_added_by (cases[i].data, strlen (cases[i].data), &uid);

      g_assert_cmpint (marked, ==, cases[i].marked);
      if (marked)
        g_assert_cmpuint (uid, ==, cases[i].uid);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/share-request/options", test_options);
  g_test_add_func ("/share-request/options-refused", test_options_refused);
  g_test_add_func ("/share-request/file-round-trip", test_file_round_trip);
  g_test_add_func ("/share-request/no-injection", test_no_injection);
  g_test_add_func ("/share-request/added-by", test_added_by);
  return g_test_run ();
}
