/* config-store.c — see config-store.h. */
#include "config-store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "errors.h"

/* Everything read from the files at one load: swapped in whole, so a
 * rejected reload leaves the previous one untouched. */
typedef struct {
  GKeyFile   *key_file;      /* the main file, comments included */
  gboolean    unusable;      /* not a key file: never overwrite it */
  char       *unusable_reason;
  OfSettings  main;          /* the main file's values (defaults where unset) */
  OfSettings  fixed;         /* the drop-ins' values, where @locked says */
  guint       locked;        /* bit (1 << OfSettingId) per fixed property */
  char       *locked_by[OF_N_SETTINGS];  /* the drop-in that fixes it */
} Loaded;

struct _OfConfigStore {
  char      *path;
  char      *dropin_dir;
  Loaded     loaded;
  OfSettings effective;
};

static void
loaded_clear (Loaded *loaded)
{
  g_clear_pointer (&loaded->key_file, g_key_file_unref);
  g_clear_pointer (&loaded->unusable_reason, g_free);
  for (int i = 0; i < OF_N_SETTINGS; i++)
    g_clear_pointer (&loaded->locked_by[i], g_free);
  memset (loaded, 0, sizeof *loaded);
}

static void
update_effective (OfConfigStore *store)
{
  store->effective = store->loaded.main;
  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (store->loaded.locked & (1u << id))
      of_settings_set (&store->effective, id, of_settings_get (&store->loaded.fixed, id));
}

OfConfigStore *
of_config_store_new (const char *config_dir)
{
  OfConfigStore *store = g_new0 (OfConfigStore, 1);

  store->path = g_build_filename (config_dir, OF_CONFIG_FILE_NAME, NULL);
  store->dropin_dir = g_build_filename (config_dir, OF_CONFIG_DROPIN_DIR_NAME, NULL);
  store->loaded.key_file = g_key_file_new ();
  of_settings_init_defaults (&store->loaded.main);
  update_effective (store);
  return store;
}

void
of_config_store_free (OfConfigStore *store)
{
  if (store == NULL)
    return;
  g_free (store->path);
  g_free (store->dropin_dir);
  loaded_clear (&store->loaded);
  g_free (store);
}

const char *
of_config_store_get_path (OfConfigStore *store)
{
  return store->path;
}

static gboolean read_file (const char *path, gsize max_size, gboolean trusted_only,
                           char **contents, gsize *length, GError **error);

gboolean
of_read_small_file (const char *path,
                    gsize       max_size,
                    char      **contents,
                    gsize      *length,
                    GError    **error)
{
  return read_file (path, max_size, FALSE, contents, length, error);
}

gboolean
of_read_config_file (const char *path,
                     gsize       max_size,
                     char      **contents,
                     gsize      *length,
                     GError    **error)
{
  return read_file (path, max_size, TRUE, contents, length, error);
}

static gboolean
read_file (const char *path,
           gsize       max_size,
           gboolean    trusted_only,
           char      **contents,
           gsize      *length,
           GError    **error)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  gsize done = 0;
  gsize limit;
  int fd;

  /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot open %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s is not a regular file", path);
      close (fd);
      return FALSE;
    }
  /* Whoever can write the configuration decides as root what runs: only
   * root's own files count (or ours, when not run as root). */
  if (trusted_only && ((st.st_uid != 0 && st.st_uid != geteuid ()) || (st.st_mode & (S_IWGRP | S_IWOTH))))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s is not trusted (owner uid %u, mode %04o): configuration files must be owned "
                   "by root and writable by nobody else", path, (guint) st.st_uid, (guint) (st.st_mode & 07777));
      close (fd);
      return FALSE;
    }
  if ((guint64) st.st_size > max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "%s is too large (%" G_GUINT64_FORMAT " bytes, at most %" G_GSIZE_FORMAT ")",
                   path, (guint64) st.st_size, max_size);
      close (fd);
      return FALSE;
    }

  /* Sized from fstat(), plus one byte more than allowed, so a file that
   * grew since is noticed rather than cut. */
  limit = max_size;
  max_size = MIN (max_size, (gsize) st.st_size + 1);
  buffer = g_malloc (max_size + 2);
  while (done <= max_size)
    {
      ssize_t n = read (fd, buffer + done, max_size + 1 - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Cannot read %s: %s", path, g_strerror (saved));
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }
  close (fd);

  if (done > max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "%s changed while it was read (or is larger than %" G_GSIZE_FORMAT " bytes)", path, limit);
      return FALSE;
    }

  buffer[done] = '\0';
  *contents = g_steal_pointer (&buffer);
  if (length)
    *length = done;
  return TRUE;
}

void
of_config_parse_key_file (GKeyFile   *key_file,
                          const char *origin,
                          OfSettings *settings,
                          guint      *present,
                          GPtrArray  *problems)
{
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      const char *key = of_setting_name (id);
      g_autofree char *raw = NULL;
      g_autoptr(GError) local_error = NULL;
      guint64 value;

      raw = g_key_file_get_value (key_file, OF_CONFIG_GROUP, key, NULL);
      if (raw == NULL)
        continue;
      g_strstrip (raw);

      if (id == OF_SETTING_WORK_OFFLINE_SHARES_ENABLED)
        {
          /* GKeyFile's own boolean syntax: true/false/1/0. */
          if (g_str_equal (raw, "true") || g_str_equal (raw, "1"))
            value = 1;
          else if (g_str_equal (raw, "false") || g_str_equal (raw, "0"))
            value = 0;
          else
            {
              g_ptr_array_add (problems,
                               g_strdup_printf ("%s: %s=%s: %s must be true or false",
                                                origin, key, raw, key));
              continue;
            }
        }
      else if (!of_parse_decimal (raw, 0, G_MAXUINT16, &value))
        {
          g_ptr_array_add (problems,
                           g_strdup_printf ("%s: %s=%s: not a number in 0..65535",
                                            origin, key, raw));
          continue;
        }

      if (!of_setting_validate (id, value, &local_error))
        {
          g_ptr_array_add (problems,
                           g_strdup_printf ("%s: %s=%s: %s",
                                            origin, key, raw, local_error->message));
          continue;
        }

      of_settings_set (settings, id, (guint32) value);
      if (present)
        *present |= 1u << id;
    }
}

/* The main file.  Problems go to @problems; FALSE only when the file
 * exists but cannot be used at all. */
static gboolean
load_main (OfConfigStore *store,
           Loaded        *loaded,
           GPtrArray     *problems)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  of_settings_init_defaults (&loaded->main);

  if (!of_read_config_file (store->path, OF_CONFIG_MAX_FILE_SIZE, &contents, &length, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_debug ("%s does not exist: using the defaults", store->path);
          loaded->key_file = g_steal_pointer (&key_file);
          return TRUE;
        }
      loaded->unusable = TRUE;
      loaded->unusable_reason = g_strdup (error->message);
      g_ptr_array_add (problems, g_strdup (error->message));
      loaded->key_file = g_steal_pointer (&key_file);
      return FALSE;
    }

  if (!g_key_file_load_from_data (key_file, contents, length,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &error))
    {
      loaded->unusable = TRUE;
      loaded->unusable_reason = g_strdup_printf ("%s is not a valid key file (%s); fix or remove it first",
                                                 store->path, of_key_file_error_summary (error));
      g_ptr_array_add (problems, g_strdup_printf ("%s: not a valid key file: %s",
                                                  store->path, of_key_file_error_summary (error)));
      loaded->key_file = g_key_file_new ();
      return FALSE;
    }

  of_config_parse_key_file (key_file, store->path, &loaded->main, NULL, problems);
  loaded->key_file = g_steal_pointer (&key_file);
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Drop-ins in name order, later ones winning.  With @strict, any problem
 * fails the whole load; without, a bad file is skipped whole (never half
 * of it) and reported. */
static gboolean
load_dropins (OfConfigStore *store,
              Loaded        *loaded,
              gboolean       strict,
              GPtrArray     *problems)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;
  const char *name;

  dir = g_dir_open (store->dropin_dir, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_ptr_array_add (problems, g_strdup_printf ("%s: %s", store->dropin_dir, error->message));
          return FALSE;
        }
      return TRUE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && g_str_has_suffix (name, ".conf"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (store->dropin_dir, names->pdata[i], NULL);
      g_autoptr(GKeyFile) key_file = g_key_file_new ();
      g_autoptr(GPtrArray) file_problems = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *contents = NULL;
      g_auto(GStrv) keys = NULL;
      OfSettings values = loaded->fixed;
      guint present = 0;
      gsize length;

      g_clear_error (&error);
      if (!of_read_config_file (path, OF_CONFIG_MAX_FILE_SIZE, &contents, &length, &error))
        {
          /* A sub-directory, a FIFO, a dangling link: not a drop-in. */
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE))
            g_debug ("Skipping %s: %s", path, error->message);
          else
            g_ptr_array_add (file_problems, g_strdup (error->message));
        }
      else if (!g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, &error))
        g_ptr_array_add (file_problems, g_strdup_printf ("%s: not a valid key file: %s", path,
                                                         of_key_file_error_summary (error)));
      else
        {
          of_config_parse_key_file (key_file, path, &values, &present, file_problems);
          keys = g_key_file_get_keys (key_file, OF_CONFIG_GROUP, NULL, NULL);
          for (guint k = 0; keys && keys[k]; k++)
            if (of_setting_lookup (keys[k]) < 0)
              g_warning ("%s: unknown key %s ignored", path, keys[k]);
        }

      if (file_problems->len > 0)
        {
          for (guint k = 0; k < file_problems->len; k++)
            g_ptr_array_add (problems, g_strdup (file_problems->pdata[k]));
          ok = FALSE;
          if (strict)
            return FALSE;
          continue;
        }

      loaded->fixed = values;
      loaded->locked |= present;
      for (int id = 0; id < OF_N_SETTINGS; id++)
        if (present & (1u << id))
          {
            g_free (loaded->locked_by[id]);
            loaded->locked_by[id] = g_strdup (path);
          }
    }
  return ok;
}

gboolean
of_config_store_load (OfConfigStore *store,
                      OfSettings    *settings)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  Loaded loaded = { 0 };
  gboolean usable;

  /* At start-up there is no last good state to keep: use what is valid,
   * report the rest. */
  usable = load_main (store, &loaded, problems);
  load_dropins (store, &loaded, FALSE, problems);
  for (guint i = 0; i < problems->len; i++)
    g_warning ("Ignored, using the default or the last valid value instead: %s",
               (const char *) problems->pdata[i]);

  loaded_clear (&store->loaded);
  store->loaded = loaded;
  update_effective (store);
  if (settings)
    *settings = store->effective;
  g_debug ("Loaded %s", store->path);
  return usable;
}

gboolean
of_config_store_reload (OfConfigStore *store,
                        GError       **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  Loaded loaded = { 0 };

  if (!load_main (store, &loaded, problems) || problems->len > 0 ||
      !load_dropins (store, &loaded, TRUE, problems))
    {
      g_autofree char *all = NULL;

      g_ptr_array_add (problems, NULL);
      all = g_strjoinv ("; ", (char **) problems->pdata);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", all);
      loaded_clear (&loaded);
      return FALSE;
    }

  loaded_clear (&store->loaded);
  store->loaded = loaded;
  update_effective (store);
  return TRUE;
}

const OfSettings *
of_config_store_get_settings (OfConfigStore *store)
{
  return &store->effective;
}

guint
of_config_store_get_locked (OfConfigStore *store)
{
  return store->loaded.locked;
}

const char *
of_config_store_get_locked_by (OfConfigStore *store,
                               OfSettingId    id)
{
  g_return_val_if_fail (id < OF_N_SETTINGS, NULL);
  return store->loaded.locked_by[id];
}

gboolean
of_write_file_durably (const char *path,
                       const char *data,
                       gsize       length,
                       GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int dir_fd;

  if (!g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, error))
    return FALSE;

  /* The rename is only durable once the directory entry is on disk too. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || fsync (dir_fd) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot sync directory %s: %s", dir, g_strerror (saved));
      if (dir_fd >= 0)
        close (dir_fd);
      return FALSE;
    }
  close (dir_fd);
  return TRUE;
}

typedef struct {
  char       *path;
  char       *data;
  gsize       length;
  GKeyFile   *key_file;  /* becomes the store's once written */
  OfSettings  values;
  guint       mask;
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_free (save->path);
  g_free (save->data);
  g_key_file_unref (save->key_file);
  g_free (save);
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SaveData *save = task_data;
  GError *error = NULL;

  (void) source_object;
  (void) cancellable;

  if (!of_write_file_durably (save->path, save->data, save->length, &error))
    {
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE,
                               "Cannot save the settings: %s", error->message);
      g_error_free (error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
of_config_store_save_async (OfConfigStore      *store,
                            const OfSettings   *settings,
                            guint               mask,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;
  SaveData *save;
  gsize length;


  if (store->loaded.unusable)
    {
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE,
                               "Cannot save the settings: %s", store->loaded.unusable_reason);
      return;
    }

  /* Edit a copy, so that the store's own key file only ever holds what
   * is on disk. */
  save = g_new0 (SaveData, 1);
  save->path = g_strdup (store->path);
  save->key_file = g_key_file_new ();
  current = g_key_file_to_data (store->loaded.key_file, &length, NULL);
  if (!g_key_file_load_from_data (save->key_file, current, length,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &error))
    {
      /* An empty store has no groups; that is fine. */
      g_debug ("Starting the settings file afresh: %s", error->message);
    }

  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      if (!(mask & (1u << id)))
        continue;
      if (id == OF_SETTING_WORK_OFFLINE_SHARES_ENABLED)
        g_key_file_set_boolean (save->key_file, OF_CONFIG_GROUP, of_setting_name (id),
                                settings->work_offline_shares_enabled);
      else
        g_key_file_set_integer (save->key_file, OF_CONFIG_GROUP, of_setting_name (id),
                                (int) of_settings_get (settings, id));
    }

  save->data = g_key_file_to_data (save->key_file, &save->length, NULL);
  save->values = *settings;
  save->mask = mask;
  g_task_set_task_data (task, save, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_in_thread);
}

gboolean
of_config_store_save_finish (OfConfigStore *store,
                             GAsyncResult  *result,
                             GError       **error)
{
  GTask *task = G_TASK (result);
  SaveData *save;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (!g_task_propagate_boolean (task, error))
    return FALSE;

  save = g_task_get_task_data (task);
  g_key_file_unref (store->loaded.key_file);
  store->loaded.key_file = g_key_file_ref (save->key_file);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (save->mask & (1u << id))
      of_settings_set (&store->loaded.main, id, of_settings_get (&save->values, id));
  update_effective (store);
  return TRUE;
}

const char *
of_key_file_error_summary (const GError *error)
{
  /* GKeyFile's own messages quote the offending line: never repeat file
   * contents (a link to /etc/shadow) into logs or to callers. */
  if (error->domain == G_KEY_FILE_ERROR && error->code == G_KEY_FILE_ERROR_UNKNOWN_ENCODING)
    return "not UTF-8";
  if (error->domain == G_KEY_FILE_ERROR)
    return "syntax error";
  return "unreadable";
}

void
of_remove_stale_temp_files (const char *path)
{
  g_autofree char *dir_path = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  gsize base_length = strlen (base);
  const char *name;

  if (dir == NULL)
    return;
  /* g_file_set_contents() writes NAME.XXXXXX and renames it; a kill in
   * between leaves the temp file behind. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat st;

      if (strlen (name) != base_length + 7 || strncmp (name, base, base_length) != 0 ||
          name[base_length] != '.' || strspn (name + base_length + 1,
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != 6)
        continue;
      child = g_build_filename (dir_path, name, NULL);
      if (lstat (child, &st) == 0 && S_ISREG (st.st_mode) && g_unlink (child) == 0)
        g_debug ("Removed %s, left by an interrupted write", child);
    }
}

gboolean
of_parse_decimal (const char *text,
                  guint64     min,
                  guint64     max,
                  guint64    *out)
{
  guint64 value = 0;

  /* By hand, digits only.  g_ascii_string_to_unsigned() would take a
   * leading "\v-" (fuzzing found it), and in GLib 2.74 it can fail on a
   * valid number when errno is left set by the first use of its C locale
   * (seen here, once in tens of daemon starts). */
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      guint digit;

      if (!g_ascii_isdigit (*p))
        return FALSE;
      digit = (guint) (*p - '0');
      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  if (value < min || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}
