/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
  char       *metrics_file;  /* [Daemon] MetricsFile=: NULL or "" = off */
} Loaded;

typedef struct _SaveData SaveData;

struct _OfConfigStore {
  GObject          parent_instance;

  char            *path;
  char            *dropin_dir;
  Loaded           loaded;
  OfSettings       effective;
  OfDurableWriter *writer;
  SaveData        *saving;   /* the save in flight */
};

G_DEFINE_TYPE (OfConfigStore, of_config_store, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The groups whose keys are settings; other groups are left alone. */
static const char * const setting_groups[] = { OF_CONFIG_GROUP, OF_CONFIG_GROUP_MACHINE };

static void
loaded_clear (Loaded *loaded)
{
  g_clear_pointer (&loaded->key_file, g_key_file_unref);
  g_clear_pointer (&loaded->unusable_reason, g_free);
  for (int i = 0; i < OF_N_SETTINGS; i++)
    g_clear_pointer (&loaded->locked_by[i], g_free);
  g_clear_pointer (&loaded->metrics_file, g_free);
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

struct _SaveData {
  GBytes     *data;
  GKeyFile   *key_file;  /* becomes the store's once written */
  OfSettings  main;      /* the file's values once written */
};

static void
save_data_free (SaveData *save)
{
  g_bytes_unref (save->data);
  g_key_file_unref (save->key_file);
  g_free (save);
}

/* The durable writer's snapshot: the one save in flight (the caller
 * serializes saves). */
static GBytes *
snapshot_pending_save (gpointer user_data)
{
  OfConfigStore *store = user_data;

  g_assert (store->saving != NULL);
  return g_bytes_ref (store->saving->data);
}

static void
of_config_store_finalize (GObject *object)
{
  OfConfigStore *store = OF_CONFIG_STORE (object);

  g_assert (store->saving == NULL);  /* the save's task holds a reference */
  g_clear_pointer (&store->writer, of_durable_writer_free);
  g_free (store->path);
  g_free (store->dropin_dir);
  loaded_clear (&store->loaded);
  G_OBJECT_CLASS (of_config_store_parent_class)->finalize (object);
}

static void
of_config_store_class_init (OfConfigStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = of_config_store_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
of_config_store_init (OfConfigStore *store)
{
  (void) store;
}

OfConfigStore *
of_config_store_new (const char *config_dir)
{
  OfConfigStore *store = g_object_new (OF_TYPE_CONFIG_STORE, NULL);

  store->path = g_build_filename (config_dir, OF_CONFIG_FILE_NAME, NULL);
  store->dropin_dir = g_build_filename (config_dir, OF_CONFIG_DROPIN_DIR_NAME, NULL);
  store->loaded.key_file = g_key_file_new ();
  store->writer = of_durable_writer_new (store->path, "the settings", 0644, snapshot_pending_save, store);
  of_settings_init_defaults (&store->loaded.main);
  update_effective (store);
  return store;
}

/* Bit per effective value that differs from @before, all bits when only
 * the locks moved; emits "changed" if anything did. */
static void
announce (OfConfigStore    *store,
          const OfSettings *before,
          guint             locked_before)
{
  guint mask = 0;

  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (of_settings_get (before, id) != of_settings_get (&store->effective, id))
      mask |= 1u << id;
  if (mask == 0 && locked_before != store->loaded.locked)
    mask = (1u << OF_N_SETTINGS) - 1;
  if (mask != 0)
    g_signal_emit (store, signals[SIGNAL_CHANGED], 0, mask);
}

const char *
of_config_store_get_path (OfConfigStore *store)
{
  return store->path;
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

      raw = g_key_file_get_value (key_file, of_setting_group (id), key, NULL);
      if (raw == NULL)
        continue;
      g_strstrip (raw);

      if (of_setting_info (id)->kind == OF_SETTING_KIND_BOOLEAN)
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

void
of_config_parse_daemon_group (GKeyFile   *key_file,
                              const char *origin,
                              char      **metrics_file,
                              GPtrArray  *problems)
{
  g_auto(GStrv) keys = g_key_file_get_keys (key_file, OF_CONFIG_DAEMON_GROUP, NULL, NULL);
  g_autofree char *raw = NULL;
  g_autofree char *normal = NULL;

  for (guint k = 0; keys && keys[k]; k++)
    if (!g_str_equal (keys[k], OF_CONFIG_METRICS_FILE_KEY))
      g_warning ("%s: unknown key %s in [%s] ignored", origin, keys[k], OF_CONFIG_DAEMON_GROUP);

  raw = g_key_file_get_value (key_file, OF_CONFIG_DAEMON_GROUP, OF_CONFIG_METRICS_FILE_KEY, NULL);
  if (raw == NULL)
    return;
  g_strstrip (raw);
  if (*raw != '\0')
    normal = g_canonicalize_filename (raw, "/");
  /* The daemon writes there as root: only a plain absolute path, so what
   * the administrator reads is what is written. */
  if (*raw != '\0' &&
      (!g_path_is_absolute (raw) || !g_str_equal (raw, normal) || g_str_equal (raw, "/") ||
       strlen (raw) >= 4096 || !g_utf8_validate (raw, -1, NULL)))
    {
      g_autofree char *shown = g_strescape (raw, NULL);

      g_ptr_array_add (problems,
                       g_strdup_printf ("%s: %s=%s: must be an absolute path to a file "
                                        "(no \".\", \"..\" or trailing \"/\"), or empty for no metrics",
                                        origin, OF_CONFIG_METRICS_FILE_KEY, shown));
      return;
    }
  g_free (*metrics_file);
  *metrics_file = g_steal_pointer (&raw);
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
  of_config_parse_daemon_group (key_file, store->path, &loaded->metrics_file, problems);
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
      OfSettings values = loaded->fixed;
      g_autofree char *metrics_file = g_strdup (loaded->metrics_file);
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
          of_config_parse_daemon_group (key_file, path, &metrics_file, file_problems);
          for (guint g = 0; g < G_N_ELEMENTS (setting_groups); g++)
            {
              g_auto(GStrv) keys = g_key_file_get_keys (key_file, setting_groups[g], NULL, NULL);

              for (guint k = 0; keys && keys[k]; k++)
                {
                  int id = of_setting_lookup (keys[k]);

                  if (id < 0 || !g_str_equal (of_setting_group (id), setting_groups[g]))
                    g_warning ("%s: unknown key %s in [%s] ignored", path, keys[k], setting_groups[g]);
                }
            }
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
      g_free (loaded->metrics_file);
      loaded->metrics_file = g_steal_pointer (&metrics_file);
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

  {
    OfSettings before = store->effective;
    guint locked_before = store->loaded.locked;

    loaded_clear (&store->loaded);
    store->loaded = loaded;
    update_effective (store);
    announce (store, &before, locked_before);
  }
  return TRUE;
}

const OfSettings *
of_config_store_get_settings (OfConfigStore *store)
{
  return &store->effective;
}

const char *
of_config_store_get_metrics_file (OfConfigStore *store)
{
  const char *path = store->loaded.metrics_file;

  return path && *path ? path : NULL;
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


static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OfConfigStore *store = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  SaveData *save = g_steal_pointer (&store->saving);
  OfSettings before = store->effective;

  (void) source;
  if (!of_durable_writer_save_finish (store->writer, result, &error))
    {
      save_data_free (save);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The file is now what was read from disk plus the written values:
   * the administrator's edits take effect with ours. */
  g_key_file_unref (store->loaded.key_file);
  store->loaded.key_file = g_key_file_ref (save->key_file);
  store->loaded.main = save->main;
  store->loaded.unusable = FALSE;
  g_clear_pointer (&store->loaded.unusable_reason, g_free);
  update_effective (store);
  save_data_free (save);
  announce (store, &before, store->loaded.locked);
  g_task_return_boolean (task, TRUE);
}

/* An invalid value that an administrator wrote since the last load (or
 * reload), in a key this write does not replace, refuses the write: it
 * would otherwise be taken with ours or silently defaulted.  A bad value
 * that was there at the last load was reported then and stays as it is
 * (or is replaced, when it is one we write). */
static gboolean
check_new_edits (OfConfigStore *store,
                 GKeyFile      *on_disk,
                 guint          mask,
                 GPtrArray     *problems)
{
  g_autoptr(GPtrArray) invalid = g_ptr_array_new_with_free_func (g_free);
  OfSettings ignored;
  guint valid = 0;

  of_settings_init_defaults (&ignored);
  of_config_parse_key_file (on_disk, store->path, &ignored, &valid, invalid);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      const char *key = of_setting_name (id);
      g_autofree char *now = NULL;
      g_autofree char *before = NULL;

      const char *group = of_setting_group (id);

      if ((mask | valid) & (1u << id) || !g_key_file_has_key (on_disk, group, key, NULL))
        continue;
      now = g_key_file_get_value (on_disk, group, key, NULL);
      before = g_key_file_get_value (store->loaded.key_file, group, key, NULL);
      if (g_strcmp0 (now, before) != 0)
        g_ptr_array_add (problems, g_strdup_printf ("%s was just edited and its %s is invalid; "
                                                    "fix it, then try again", store->path, key));
    }
  return problems->len == 0;
}

void
of_config_store_save_async (OfConfigStore      *store,
                            const OfSettings   *settings,
                            guint               mask,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  Loaded on_disk = { 0 };
  char *data;
  SaveData *save;
  gsize length;

  g_return_if_fail (store->saving == NULL);

  /* From the file as it is on disk now, not from the copy in memory: an
   * administrator's edit made a moment ago and not reloaded yet is kept.
   * An edit that does not validate fails the write and changes nothing:
   * writing over it would lose it, taking it would apply a bad value. */
  /* What load_main() reports of bad values was reported at load already;
   * only the new ones count. */
  known = g_ptr_array_new_with_free_func (g_free);
  problems = g_ptr_array_new_with_free_func (g_free);
  if (!load_main (store, &on_disk, known) ||
      !check_new_edits (store, on_disk.key_file, mask, problems))
    {
      g_autofree char *all = NULL;

      g_ptr_array_add (problems, NULL);
      all = g_strjoinv ("; ", (char **) problems->pdata);
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE, "Cannot save the settings: %s",
                               on_disk.unusable ? on_disk.unusable_reason : all);
      loaded_clear (&on_disk);
      return;
    }

  save = g_new0 (SaveData, 1);
  save->key_file = g_key_file_ref (on_disk.key_file);
  save->main = on_disk.main;
  loaded_clear (&on_disk);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      if (!(mask & (1u << id)))
        continue;
      of_settings_set (&save->main, id, of_settings_get (settings, id));
      if (of_setting_info (id)->kind == OF_SETTING_KIND_BOOLEAN)
        g_key_file_set_boolean (save->key_file, of_setting_group (id), of_setting_name (id),
                                of_settings_get (settings, id) != 0);
      else
        g_key_file_set_integer (save->key_file, of_setting_group (id), of_setting_name (id),
                                (int) of_settings_get (settings, id));
    }

  data = g_key_file_to_data (save->key_file, &length, NULL);
  save->data = g_bytes_new_take (data, length);
  store->saving = save;
  of_durable_writer_save_async (store->writer, on_saved, g_steal_pointer (&task));
}

gboolean
of_config_store_save_finish (OfConfigStore *store,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
