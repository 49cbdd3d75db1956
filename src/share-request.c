/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-request.c — see share-request.h. */
#include "share-request.h"

#include <string.h>

#define MARK_PREFIX "Added by "

gboolean
of_share_options_parse (GVariant        *options,
                        OfShareOptions  *out,
                        GError         **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  memset (out, 0, sizeof *out);
  out->enabled = TRUE;
  g_return_val_if_fail (g_variant_is_of_type (options, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      const char *type = NULL;

      if (g_str_equal (key, "Enabled") && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        out->enabled = g_variant_get_boolean (value);
      else if (g_str_equal (key, "Timeout") && g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
        {
          guint32 minutes = g_variant_get_uint32 (value);

          if (minutes < 1 || (gint64) minutes * G_TIME_SPAN_MINUTE > OF_SHARE_MAX_TIMEOUT_USEC)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Timeout must be 1..%u minutes, got %u",
                           (guint) (OF_SHARE_MAX_TIMEOUT_USEC / G_TIME_SPAN_MINUTE), minutes);
              goto fail;
            }
          out->timeout_min = minutes;
        }
      else if (g_str_equal (key, "MountPoint") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          const char *path = g_variant_get_string (value, NULL);

          if (!of_share_path_is_normalized (path))
            {
              g_autofree char *shown = g_strescape (path, NULL);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "MountPoint must be an absolute, normalized path (no \"..\", \".\", \"//\" "
                           "or trailing \"/\"), got \"%s\"", shown);
              goto fail;
            }
          g_free (out->mount_point);
          out->mount_point = g_strdup (path);
        }
      else if (g_str_equal (key, "User") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          g_free (out->user);
          out->user = g_strdup (g_variant_get_string (value, NULL));
        }
      else
        {
          if (g_str_equal (key, "Enabled"))
            type = "b";
          else if (g_str_equal (key, "Timeout"))
            type = "u";
          else if (g_str_equal (key, "MountPoint") || g_str_equal (key, "User"))
            type = "s";
          if (type != NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "Option %s must be of type %s, got %s", key, type,
                         g_variant_get_type_string (value));
          else
            {
              g_autofree char *shown = g_strescape (key, NULL);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Unknown option \"%s\" (known: Enabled, Timeout, MountPoint, User)", shown);
            }
          goto fail;
        }
    }
  return TRUE;

fail:
  g_variant_unref (value);  /* g_variant_iter_loop() would have */
  of_share_options_clear (out);
  return FALSE;
}

void
of_share_options_clear (OfShareOptions *options)
{
  g_clear_pointer (&options->mount_point, g_free);
  g_clear_pointer (&options->user, g_free);
}

static char *
request_to_data (const char           *local_path,
                 const char           *remote_path,
                 const char           *user,
                 const OfShareOptions *options,
                 const char           *added_by,
                 uid_t                 added_by_uid,
                 gint64                now,
                 gsize                *length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *safe_by = g_strescape (added_by, NULL);
  g_autofree char *comment = NULL;

  /* The mark's format is what of_share_data_added_by() reads. */
  comment = g_strdup_printf (" " MARK_PREFIX "%s (uid %u) through AddShare at %s.\n"
                             " Written by offlinefiles-syncd; RemoveShare deletes it.",
                             safe_by, (guint) added_by_uid, stamp);
  g_key_file_set_string (key_file, OF_SHARE_GROUP, "LocalPath", local_path);
  g_key_file_set_string (key_file, OF_SHARE_GROUP, "RemotePath", remote_path);
  g_key_file_set_string (key_file, OF_SHARE_GROUP, "User", user);
  g_key_file_set_boolean (key_file, OF_SHARE_GROUP, "Enabled", options->enabled);
  if (options->timeout_min != 0)
    g_key_file_set_uint64 (key_file, OF_SHARE_GROUP, "Timeout", options->timeout_min);
  /* The mount the remote lives on (docs/behaviour.md §14). */
  if (options->mount_point != NULL)
    g_key_file_set_string (key_file, OF_SHARE_GROUP, "MountPoint", options->mount_point);
  g_key_file_set_comment (key_file, NULL, NULL, comment, NULL);
  return g_key_file_to_data (key_file, length, NULL);
}

OfShare *
of_share_request_build (const char           *name,
                        const char           *local_path,
                        const char           *remote_path,
                        const char           *user,
                        const OfShareOptions *options,
                        const char           *added_by,
                        uid_t                 added_by_uid,
                        gint64                now,
                        GBytes              **data,
                        GError              **error)
{
  gsize length = 0;
  g_autofree char *text = request_to_data (local_path, remote_path, user, options, added_by, added_by_uid,
                                           now, &length);
  g_autoptr(OfShare) share = of_share_parse (name, text, length, error);

  if (share == NULL)
    return NULL;
  if (!g_str_equal (share->local_path, local_path) || !g_str_equal (share->remote_path, remote_path) ||
      !g_str_equal (share->user, user))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s cannot be written to a share file as it is",
                   !g_str_equal (share->user, user) ? "The user name" : "A path");
      return NULL;
    }
  *data = g_bytes_new_take (g_steal_pointer (&text), length);
  return g_steal_pointer (&share);
}

gboolean
of_share_data_added_by (const char *data,
                        gsize       length,
                        uid_t      *uid)
{
  static const char prefix[] = "# " MARK_PREFIX;
  const char *end = data + length;
  const char *line_end = memchr (data, '\n', length);
  const char *p;
  guint64 value = 0;

  if (line_end == NULL)
    line_end = end;
  if ((gsize) (line_end - data) < sizeof prefix - 1 || memcmp (data, prefix, sizeof prefix - 1) != 0)
    return FALSE;
  /* "(uid N)" closes the name, which is escaped and cannot hold it:
   * look for the last one on the line. */
  p = g_strrstr_len (data, line_end - data, " (uid ");
  if (p == NULL)
    return FALSE;
  p += strlen (" (uid ");
  if (p >= line_end || !g_ascii_isdigit (*p))
    return FALSE;
  for (; p < line_end && g_ascii_isdigit (*p); p++)
    {
      value = value * 10 + (guint64) (*p - '0');
      if (value > G_MAXUINT32 - 1)
        return FALSE;
    }
  if (p >= line_end || *p != ')')
    return FALSE;
  *uid = (uid_t) value;
  return TRUE;
}
