/* config-store.c — see config-store.h. */
#include "config-store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "errors.h"

struct _OfConfigStore {
  char     *path;
  GKeyFile *key_file;   /* as last read or written, comments included */
  gboolean  unusable;   /* not a key file: never overwrite it */
  char     *unusable_reason;
};

OfConfigStore *
of_config_store_new (const char *config_dir)
{
  OfConfigStore *store = g_new0 (OfConfigStore, 1);

  store->path = g_build_filename (config_dir, OF_CONFIG_FILE_NAME, NULL);
  store->key_file = g_key_file_new ();
  return store;
}

void
of_config_store_free (OfConfigStore *store)
{
  if (store == NULL)
    return;
  g_free (store->path);
  g_key_file_unref (store->key_file);
  g_free (store->unusable_reason);
  g_free (store);
}

const char *
of_config_store_get_path (OfConfigStore *store)
{
  return store->path;
}

gboolean
of_read_small_file (const char *path,
                    gsize       max_size,
                    char      **contents,
                    gsize      *length,
                    GError    **error)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  gsize done = 0;
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
  if ((guint64) st.st_size > max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "%s is too large (%" G_GUINT64_FORMAT " bytes, at most %" G_GSIZE_FORMAT ")",
                   path, (guint64) st.st_size, max_size);
      close (fd);
      return FALSE;
    }

  /* Read up to one byte more than allowed, so a file that grew since fstat() is noticed. */
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
                   "%s is too large (more than %" G_GSIZE_FORMAT " bytes)", path, max_size);
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
      else if (!g_ascii_string_to_unsigned (raw, 10, 0, G_MAXUINT16, &value, &local_error))
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

gboolean
of_config_store_load (OfConfigStore *store,
                      OfSettings    *settings)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  of_settings_init_defaults (settings);
  g_clear_pointer (&store->unusable_reason, g_free);
  store->unusable = FALSE;

  if (!of_read_small_file (store->path, OF_CONFIG_MAX_FILE_SIZE, &contents, &length, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_debug ("%s does not exist: using the defaults", store->path);
          g_key_file_unref (store->key_file);
          store->key_file = g_steal_pointer (&key_file);
          return TRUE;
        }
      g_warning ("Ignoring %s, using the defaults: %s", store->path, error->message);
      store->unusable = TRUE;
      store->unusable_reason = g_strdup (error->message);
      return FALSE;
    }

  if (!g_key_file_load_from_data (key_file, contents, length,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &error))
    {
      g_warning ("Ignoring %s, using the defaults: not a valid key file: %s",
                 store->path, error->message);
      store->unusable = TRUE;
      store->unusable_reason = g_strdup_printf ("%s is not a valid key file (%s); fix or remove it first",
                                                store->path, error->message);
      return FALSE;
    }

  of_config_parse_key_file (key_file, store->path, settings, NULL, problems);
  for (guint i = 0; i < problems->len; i++)
    g_warning ("Using the default instead of an invalid value: %s",
               (const char *) problems->pdata[i]);

  g_key_file_unref (store->key_file);
  store->key_file = g_steal_pointer (&key_file);
  g_debug ("Loaded %s", store->path);
  return TRUE;
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
  char     *path;
  char     *data;
  gsize     length;
  GKeyFile *key_file;  /* becomes the store's once written */
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


  if (store->unusable)
    {
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE,
                               "Cannot save the settings: %s", store->unusable_reason);
      return;
    }

  /* Edit a copy, so that the store's own key file only ever holds what
   * is on disk. */
  save = g_new0 (SaveData, 1);
  save->path = g_strdup (store->path);
  save->key_file = g_key_file_new ();
  current = g_key_file_to_data (store->key_file, &length, NULL);
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
  g_key_file_unref (store->key_file);
  store->key_file = g_key_file_ref (save->key_file);
  return TRUE;
}
