/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share.c — see share.h. */
#include "share.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-util.h"

gboolean
of_share_name_is_valid (const char *name)
{
  gsize length;

  if (name == NULL || name[0] == '\0' || name[0] == '.')
    return FALSE;
  length = strlen (name);
  if (length > OF_SHARE_NAME_MAX)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
has_control_chars (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s < 0x20 || *s == 0x7f)
      return TRUE;
  return FALSE;
}

/* Absolute and already in canonical form, so that two spellings of one
 * folder cannot slip past the nesting check and the engine sees exactly
 * what the administrator wrote. */
gboolean
of_share_path_is_normalized (const char *path)
{
  const char *p;

  if (path[0] != '/' || has_control_chars (path))
    return FALSE;
  if (g_str_equal (path, "/"))
    return TRUE;
  if (g_str_has_suffix (path, "/"))
    return FALSE;
  for (p = path; *p; )
    {
      const char *component = p + 1;
      const char *end = strchr (component, '/');
      gsize length = end ? (gsize) (end - component) : strlen (component);

      if (length == 0 ||
          (length == 1 && component[0] == '.') ||
          (length == 2 && component[0] == '.' && component[1] == '.'))
        return FALSE;
      p = component + length;
    }
  return TRUE;
}

/* TRUE when @inner is @outer or lies below it; both normalized. */
static gboolean
path_is_within (const char *inner,
                const char *outer)
{
  gsize length = strlen (outer);

  if (g_str_equal (outer, "/"))
    return TRUE;
  return strncmp (inner, outer, length) == 0 && (inner[length] == '\0' || inner[length] == '/');
}

static const struct {
  const char *suffix;
  gint64      usec;
} duration_units[] = {
  { "us", 1 }, { "usec", 1 },
  { "ms", 1000 }, { "msec", 1000 },
  { "s", G_TIME_SPAN_SECOND }, { "sec", G_TIME_SPAN_SECOND },
  { "second", G_TIME_SPAN_SECOND }, { "seconds", G_TIME_SPAN_SECOND },
  { "m", G_TIME_SPAN_MINUTE }, { "min", G_TIME_SPAN_MINUTE },
  { "minute", G_TIME_SPAN_MINUTE }, { "minutes", G_TIME_SPAN_MINUTE },
  { "h", G_TIME_SPAN_HOUR }, { "hr", G_TIME_SPAN_HOUR },
  { "hour", G_TIME_SPAN_HOUR }, { "hours", G_TIME_SPAN_HOUR },
  { "d", G_TIME_SPAN_DAY }, { "day", G_TIME_SPAN_DAY }, { "days", G_TIME_SPAN_DAY },
};

/* A plain number means minutes (docs/behaviour.md §5); one systemd-style unit is also
 * accepted so that tests and impatient admins can say "30s". */
static gboolean
parse_timeout (const char *text,
               gint64     *usec,
               GError    **error)
{
  const char *p = text;
  guint64 number = 0;
  gint64 unit = -1;

  while (g_ascii_isspace (*p))
    p++;
  if (!g_ascii_isdigit (*p))
    goto invalid;
  for (; g_ascii_isdigit (*p); p++)
    {
      number = number * 10 + (guint64) (*p - '0');
      if (number > (guint64) OF_SHARE_MAX_TIMEOUT_USEC)
        goto too_long;
    }
  while (g_ascii_isspace (*p))
    p++;

  if (*p == '\0')
    unit = G_TIME_SPAN_MINUTE;
  else
    {
      g_autofree char *suffix = g_strchomp (g_strdup (p));

      for (gsize i = 0; i < G_N_ELEMENTS (duration_units); i++)
        if (g_str_equal (suffix, duration_units[i].suffix))
          unit = duration_units[i].usec;
      if (unit < 0)
        goto invalid;
    }

  if (number == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Timeout must be greater than zero, got \"%s\"", text);
      return FALSE;
    }
  if (number > (guint64) (OF_SHARE_MAX_TIMEOUT_USEC / unit))
    goto too_long;
  *usec = (gint64) number * unit;
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Timeout must be a number of minutes or a duration like \"30s\", \"5min\", \"2h\", got \"%s\"",
               text);
  return FALSE;
too_long:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Timeout must be at most 7 days, got \"%s\"", text);
  return FALSE;
}

char *
of_share_format_duration (gint64 usec)
{
  if (usec % G_TIME_SPAN_HOUR == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT " h", usec / G_TIME_SPAN_HOUR);
  if (usec % G_TIME_SPAN_MINUTE == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", usec / G_TIME_SPAN_MINUTE);
  if (usec % G_TIME_SPAN_SECOND == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", usec / G_TIME_SPAN_SECOND);
  return g_strdup_printf ("%.3g s", (double) usec / G_TIME_SPAN_SECOND);
}

static char *
get_required (GKeyFile   *key_file,
              const char *key,
              GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  char *value = g_key_file_get_string (key_file, OF_SHARE_GROUP, key, &local_error);

  if (local_error == NULL)
    return value;
  /* GLib 2.74 returns the raw value along with an invalid-escape error. */
  g_free (value);
  if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s is required", key);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: %s", key, local_error->message);
  return NULL;
}

static char *
get_path (GKeyFile   *key_file,
          const char *key,
          GError    **error)
{
  g_autofree char *value = get_required (key_file, key, error);

  if (value == NULL)
    return NULL;
  if (!of_share_path_is_normalized (value))
    {
      g_autofree char *shown = g_strescape (value, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s must be an absolute, normalized path (no \"..\", \".\", \"//\" "
                   "or trailing \"/\"), got \"%s\"", key, shown);
      return NULL;
    }
  return g_steal_pointer (&value);
}

OfShare *
of_share_parse (const char *name,
                const char *data,
                gsize       length,
                GError    **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(OfShare) share = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *timeout = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (!of_share_name_is_valid (name))
    {
      g_autofree char *shown = g_strescape (name, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Share name \"%s\" is invalid: use 1 to %d of A-Z a-z 0-9 . _ - "
                   "and do not start with a dot", shown, OF_SHARE_NAME_MAX);
      return NULL;
    }
  {
    g_autoptr(GError) parse_error = NULL;

    if (!g_key_file_load_from_data (key_file, data ? data : "", length, G_KEY_FILE_NONE, &parse_error))
      {
        g_set_error (error, parse_error->domain, parse_error->code, "Not a valid key file: %s",
                     of_key_file_error_summary (parse_error));
        return NULL;
      }
  }
  if (!g_key_file_has_group (key_file, OF_SHARE_GROUP))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   "No [%s] group", OF_SHARE_GROUP);
      return NULL;
    }

  share = g_new0 (OfShare, 1);
  share->uid = (uid_t) -1;
  share->name = g_strdup (name);
  share->enabled = TRUE;
  share->timeout_usec = OF_SHARE_DEFAULT_TIMEOUT_USEC;

  if ((share->local_path = get_path (key_file, "LocalPath", error)) == NULL ||
      (share->remote_path = get_path (key_file, "RemotePath", error)) == NULL)
    return NULL;
  if (path_is_within (share->local_path, share->remote_path) ||
      path_is_within (share->remote_path, share->local_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "LocalPath \"%s\" and RemotePath \"%s\" must be different folders, "
                   "neither inside the other", share->local_path, share->remote_path);
      return NULL;
    }

  /* The mount the server copy lives on (docs/behaviour.md §14): when
   * nothing is mounted there the share is offline, "not mounted". */
  if (g_key_file_has_key (key_file, OF_SHARE_GROUP, "MountPoint", NULL))
    {
      if ((share->mount_point = get_path (key_file, "MountPoint", error)) == NULL)
        return NULL;
      if (!path_is_within (share->remote_path, share->mount_point))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "RemotePath \"%s\" must lie on MountPoint \"%s\" (be it or inside it)",
                       share->remote_path, share->mount_point);
          return NULL;
        }
    }

  share->user = get_required (key_file, "User", error);
  if (share->user == NULL)
    return NULL;
  /* The name also becomes the archive directory's name. */
  if (share->user[0] == '\0' || strchr (share->user, '/') != NULL ||
      g_str_equal (share->user, ".") || g_str_equal (share->user, "..") ||
      has_control_chars (share->user) || strlen (share->user) > 256)
    {
      g_autofree char *shown = g_strescape (share->user, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "User \"%s\" is not a valid user name", shown);
      return NULL;
    }

  if (g_key_file_has_key (key_file, OF_SHARE_GROUP, "Enabled", NULL))
    {
      share->enabled = g_key_file_get_boolean (key_file, OF_SHARE_GROUP, "Enabled", &local_error);
      if (local_error != NULL)
        {
          g_autofree char *raw = g_key_file_get_value (key_file, OF_SHARE_GROUP, "Enabled", NULL);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Enabled must be true or false, got \"%s\"", raw ? raw : "");
          return NULL;
        }
    }

  timeout = g_key_file_get_value (key_file, OF_SHARE_GROUP, "Timeout", NULL);
  if (timeout != NULL && !parse_timeout (timeout, &share->timeout_usec, error))
    return NULL;

  return g_steal_pointer (&share);
}

static gboolean
user_exists (const char *user,
             uid_t      *uid,
             GError    **error)
{
  struct passwd pwd, *found = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buffer = NULL;
  int err;

  if (size <= 0)
    size = 16384;
  for (;;)
    {
      buffer = g_realloc (buffer, (gsize) size);
      err = getpwnam_r (user, &pwd, buffer, (gsize) size, &found);
      if (err != ERANGE || size > 1024 * 1024)
        break;
      size *= 2;
    }
  if (found != NULL)
    {
      *uid = pwd.pw_uid;
      return TRUE;
    }
  if (err != 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                 "Cannot look up user \"%s\": %s", user, g_strerror (err));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "User \"%s\" does not exist", user);
  return FALSE;
}

OfShare *
of_share_load (const char *path,
               GError    **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *contents = NULL;
  g_autoptr(OfShare) share = NULL;
  struct stat st;
  gsize length = 0;

  if (!g_str_has_suffix (base, OF_SHARE_FILE_SUFFIX))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: a share file's name must end with %s", path, OF_SHARE_FILE_SUFFIX);
      return NULL;
    }
  base[strlen (base) - strlen (OF_SHARE_FILE_SUFFIX)] = '\0';

  /* A symlink could point at /etc/shadow; of_read_small_file() already
   * refuses FIFOs and devices, this refuses to follow links at all. */
  if (lstat (path, &st) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s: not a regular file", path);
      return NULL;
    }
  if (!of_read_config_file (path, OF_SHARE_MAX_FILE_SIZE, &contents, &length, error))
    return NULL;

  share = of_share_parse (base, contents, length, error);
  if (share == NULL || !user_exists (share->user, &share->uid, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&share);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
of_shares_load_dir (const char *shares_dir,
                    GPtrArray  *problems)
{
  g_autoptr(GPtrArray) shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_share_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (shares_dir, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) && problems != NULL)
        g_ptr_array_add (problems, g_strdup_printf ("%s: %s", shares_dir, error->message));
      return g_steal_pointer (&shares);
    }

  /* Sorted first, so that problems are reported in a stable order too. */
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (entry[0] != '.' && g_str_has_suffix (entry, OF_SHARE_FILE_SUFFIX))
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (shares_dir, names->pdata[i], NULL);
      g_autoptr(GError) load_error = NULL;
      OfShare *share;

      share = of_share_load (path, &load_error);
      if (share == NULL)
        {
          g_debug ("Skipping share file %s: %s", path, load_error->message);
          if (problems != NULL)
            g_ptr_array_add (problems, g_strdup (load_error->message));
          continue;
        }
      g_ptr_array_add (shares, share);
    }

  return g_steal_pointer (&shares);
}

OfShare *
of_share_copy (const OfShare *share)
{
  OfShare *copy;

  g_return_val_if_fail (share != NULL, NULL);
  copy = g_new0 (OfShare, 1);
  copy->name = g_strdup (share->name);
  copy->local_path = g_strdup (share->local_path);
  copy->remote_path = g_strdup (share->remote_path);
  copy->mount_point = g_strdup (share->mount_point);
  copy->user = g_strdup (share->user);
  copy->uid = share->uid;
  copy->enabled = share->enabled;
  copy->timeout_usec = share->timeout_usec;
  return copy;
}

void
of_share_free (OfShare *share)
{
  if (share == NULL)
    return;
  g_free (share->name);
  g_free (share->local_path);
  g_free (share->remote_path);
  g_free (share->mount_point);
  g_free (share->user);
  g_free (share);
}
