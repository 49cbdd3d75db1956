/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-share-file.c — shares.d/NAME.conf through of_share_parse().
 *
 * Input: the share's name on the first line, then the file.  An accepted
 * share must be one the engine can be handed as is: a valid name, two
 * absolute canonical paths neither inside the other, a user name that
 * cannot be a path, a timeout in (0, 7 days].
 */
#include "fuzz-common.h"

#include "share.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  return 0;
}

static gboolean
has_control_chars (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s < 0x20 || *s == 0x7f)
      return TRUE;
  return FALSE;
}

static void
check_path (const char *what,
            const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename (path, "/nonexistent");

  FUZZ_CHECK (g_path_is_absolute (path), "%s \"%s\" is relative", what, path);
  FUZZ_CHECK (g_str_equal (canonical, path), "%s \"%s\" is not canonical (\"%s\")", what, path, canonical);
  FUZZ_CHECK (!has_control_chars (path), "%s has control characters", what);
}

/* @inner is @outer or below it. */
static gboolean
within (const char *inner,
        const char *outer)
{
  g_autofree char *prefix = g_str_has_suffix (outer, "/") ? g_strdup (outer) : g_strconcat (outer, "/", NULL);

  return g_str_equal (inner, outer) || g_str_has_prefix (inner, prefix);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *newline = memchr (data, '\n', size);
  gsize name_length = newline ? (gsize) (newline - data) : size;
  g_autofree char *name = fuzz_strndup (data, name_length);
  const char *file = newline ? (const char *) newline + 1 : "";
  gsize file_length = newline ? size - name_length - 1 : 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = NULL;
  g_autoptr(OfShare) copy = NULL;
  g_autofree char *duration = NULL;

  if (size > OF_SHARE_MAX_FILE_SIZE)
    return -1;

  share = of_share_parse (name, file, file_length, &error);
  if (share == NULL)
    {
      FUZZ_CHECK (error != NULL && error->message != NULL, "refused without an error");
      return 0;
    }
  FUZZ_CHECK (error == NULL, "accepted with an error");

  FUZZ_CHECK (of_share_name_is_valid (name) && g_str_equal (share->name, name), "name %s", name);
  FUZZ_CHECK (strlen (name) >= 1 && strlen (name) <= OF_SHARE_NAME_MAX && name[0] != '.', "name %s", name);
  for (const char *p = name; *p; p++)
    FUZZ_CHECK (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-', "name %s", name);
  check_path ("LocalPath", share->local_path);
  check_path ("RemotePath", share->remote_path);
  FUZZ_CHECK (!within (share->local_path, share->remote_path) && !within (share->remote_path, share->local_path),
              "nested: \"%s\" and \"%s\"", share->local_path, share->remote_path);
  FUZZ_CHECK (share->user && share->user[0] && !strchr (share->user, '/') &&
              !g_str_equal (share->user, ".") && !g_str_equal (share->user, "..") &&
              !has_control_chars (share->user) && strlen (share->user) <= 256,
              "user \"%s\"", share->user);
  FUZZ_CHECK (share->timeout_usec > 0 && share->timeout_usec <= OF_SHARE_MAX_TIMEOUT_USEC,
              "timeout %" G_GINT64_FORMAT, share->timeout_usec);

  duration = of_share_format_duration (share->timeout_usec);
  FUZZ_CHECK (duration && duration[0], "duration");
  copy = of_share_copy (share);
  FUZZ_CHECK (g_str_equal (copy->name, share->name) && g_str_equal (copy->local_path, share->local_path) &&
              g_str_equal (copy->remote_path, share->remote_path) && g_str_equal (copy->user, share->user) &&
              copy->enabled == share->enabled && copy->timeout_usec == share->timeout_usec,
              "copy differs");
  return 0;
}
