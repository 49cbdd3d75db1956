/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-share-request.c — AddShare's arguments through
 * of_share_options_parse(), of_share_request_to_data() and back through
 * of_share_parse(); and of_share_data_added_by() on any bytes.
 *
 * Input: four lines (name, local path, remote path, the adder's name),
 * then the options as a serialized a{sv} (any bytes: GVariant's normal
 * form makes them one).  The invariant is the one that matters for
 * security: whatever the arguments hold, a file that parses says exactly
 * what was asked — no argument adds a key or a line (User=root) — and
 * carries the mark of whoever asked.
 */
#include "fuzz-common.h"

#include "share-request.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  return 0;
}

/* The next line of the input, as valid UTF-8 (D-Bus strings are). */
static char *
next_line (const uint8_t **data,
           size_t         *size)
{
  const uint8_t *newline = memchr (*data, '\n', *size);
  size_t length = newline ? (size_t) (newline - *data) : *size;
  g_autofree char *raw = fuzz_strndup (*data, length);

  *data += newline ? length + 1 : length;
  *size -= newline ? length + 1 : length;
  return g_utf8_make_valid (raw, -1);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *name = NULL, *local = NULL, *remote = NULL, *adder = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(OfShare) reread = NULL;
  const char *text;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) serialized = NULL;
  g_autoptr(GVariant) options_variant = NULL;
  g_auto(OfShareOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(OfShare) share = NULL;
  const char *user;
  gsize length = 0;
  uid_t uid = 0;

  if (size > 64 * 1024)
    return -1;
  /* Whatever the first line of a file is, the mark parser holds. */
  (void) of_share_data_added_by ((const char *) data, size, &uid);

  name = next_line (&data, &size);
  local = next_line (&data, &size);
  remote = next_line (&data, &size);
  adder = next_line (&data, &size);
  bytes = g_bytes_new (data, size);
  serialized = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  options_variant = g_variant_get_normal_form (serialized);

  if (!of_share_options_parse (options_variant, &options, &error))
    {
      FUZZ_CHECK (error != NULL && error->message != NULL, "options refused without an error");
      FUZZ_CHECK (options.user == NULL && options.mount_point == NULL, "options kept after a refusal");
      return 0;
    }
  FUZZ_CHECK (options.timeout_min <= 10080, "timeout %u", options.timeout_min);
  FUZZ_CHECK (options.mount_point == NULL || options.mount_point[0] == '/', "mount point %s", options.mount_point);

  user = options.user ? options.user : adder;
  share = of_share_request_build (name, local, remote, user, &options, adder, 1000,
                                  G_GINT64_CONSTANT (1796022000000000), &file, &error);
  if (share == NULL)
    {
      FUZZ_CHECK (error != NULL && error->message != NULL && file == NULL, "refused without an error");
      return 0;
    }
  /* Accepted: exactly what was asked, nothing more, in the file too. */
  text = g_bytes_get_data (file, &length);
  FUZZ_CHECK (text != NULL && memchr (text, '\0', length) == NULL, "a file with a NUL");
  FUZZ_CHECK (of_share_data_added_by (text, length, &uid) && uid == 1000, "the mark does not read back");
  reread = of_share_parse (name, text, length, NULL);
  FUZZ_CHECK (reread != NULL, "the file does not parse again");
  FUZZ_CHECK (g_str_equal (share->name, name) && g_str_equal (reread->name, name), "name");
  FUZZ_CHECK (g_str_equal (reread->local_path, local), "LocalPath \"%s\" became \"%s\"", local,
              reread->local_path);
  FUZZ_CHECK (g_str_equal (reread->remote_path, remote), "RemotePath \"%s\" became \"%s\"", remote,
              reread->remote_path);
  FUZZ_CHECK (g_str_equal (reread->user, user), "User became \"%s\"", reread->user);
  FUZZ_CHECK (reread->enabled == options.enabled, "Enabled");
  FUZZ_CHECK (reread->timeout_usec == (options.timeout_min ? options.timeout_min * G_TIME_SPAN_MINUTE
                                                           : OF_SHARE_DEFAULT_TIMEOUT_USEC), "Timeout");
  return 0;
}
