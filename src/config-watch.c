/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-watch.c — see config-watch.h. */
#include "config-watch.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "config-store.h"

#define SHARES_DIR_NAME "shares.d"

struct _OfConfigWatch {
  char              *config_dir;
  OfConfigWatchFunc  func;
  gpointer           user_data;
  GHashTable        *monitors;  /* path → GFileMonitor */
  guint              quiet_id;
};

static void watch_existing (OfConfigWatch *watch);

static gboolean
on_quiet (gpointer user_data)
{
  OfConfigWatch *watch = user_data;

  watch->quiet_id = 0;
  g_debug ("Configuration files changed");
  watch->func (watch->user_data);
  return G_SOURCE_REMOVE;
}

static void
reload_when_quiet (OfConfigWatch *watch)
{
  g_clear_handle_id (&watch->quiet_id, g_source_remove);
  watch->quiet_id = g_timeout_add (OF_CONFIG_WATCH_QUIET_MS, on_quiet, watch);
}

static gint64
stamp_usec (const struct stat *st)
{
  gint64 modified = st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
  gint64 changed = st->st_ctim.tv_sec * G_USEC_PER_SEC + st->st_ctim.tv_nsec / 1000;

  return MAX (modified, changed);
}

/* @path or an entry of it (through symlinks too) changed at or after @since. */
static gboolean
changed_since (const char *path,
               gint64      since)
{
  g_autoptr(GDir) dir = NULL;
  struct stat st;
  const char *name;

  if (g_stat (path, &st) == 0 && stamp_usec (&st) >= since)
    return TRUE;
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *entry = g_build_filename (path, name, NULL);

      if ((g_lstat (entry, &st) == 0 && stamp_usec (&st) >= since) ||
          (g_stat (entry, &st) == 0 && stamp_usec (&st) >= since))
        return TRUE;
    }
  return FALSE;
}

static void
on_changed (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            gpointer           user_data)
{
  OfConfigWatch *watch = user_data;

  (void) monitor; (void) other;
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  if (g_getenv ("OF_DEBUG_WATCH"))
    {
      g_autofree char *path = g_file_get_path (file);
      g_debug ("%s changed (event %d)", path, event);
    }
  /* A drop-in or shares directory may just have been made. */
  watch_existing (watch);
  reload_when_quiet (watch);
}

static void
watch_directory (OfConfigWatch *watch,
                 const char    *path)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_hash_table_remove (watch->monitors, path);
      return;
    }
  if (g_hash_table_contains (watch->monitors, path))
    return;

  dir = g_file_new_for_path (path);
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_warning ("Cannot watch %s for changes (reload with SIGHUP): %s", path, error->message);
      return;
    }
  g_signal_connect (monitor, "changed", G_CALLBACK (on_changed), watch);
  g_hash_table_insert (watch->monitors, g_strdup (path), monitor);
  g_debug ("Watching %s (%s)", path, G_OBJECT_TYPE_NAME (monitor));
}

static void
watch_existing (OfConfigWatch *watch)
{
  g_autofree char *dropins = g_build_filename (watch->config_dir, OF_CONFIG_DROPIN_DIR_NAME, NULL);
  g_autofree char *shares = g_build_filename (watch->config_dir, SHARES_DIR_NAME, NULL);

  watch_directory (watch, watch->config_dir);
  watch_directory (watch, dropins);
  watch_directory (watch, shares);
}

static void
monitor_free (gpointer data)
{
  GFileMonitor *monitor = data;

  /* A cancelled monitor emits nothing more. */
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

OfConfigWatch *
of_config_watch_new (const char        *config_dir,
                     gint64             loaded_at,
                     OfConfigWatchFunc  func,
                     gpointer           user_data)
{
  OfConfigWatch *watch = g_new0 (OfConfigWatch, 1);
  GHashTableIter iter;
  gpointer path;

  watch->config_dir = g_strdup (config_dir);
  watch->func = func;
  watch->user_data = user_data;
  watch->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);
  watch_existing (watch);

  /* Watching now: anything older than this is what was read. */
  g_hash_table_iter_init (&iter, watch->monitors);
  while (g_hash_table_iter_next (&iter, &path, NULL))
    if (changed_since (path, loaded_at - G_USEC_PER_SEC))
      {
        g_debug ("%s changed while it was not watched yet", (const char *) path);
        reload_when_quiet (watch);
        break;
      }
  return watch;
}

void
of_config_watch_free (OfConfigWatch *watch)
{
  if (watch == NULL)
    return;
  g_clear_handle_id (&watch->quiet_id, g_source_remove);
  g_hash_table_unref (watch->monitors);
  g_free (watch->config_dir);
  g_free (watch);
}
