/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conflict-store.c — see conflict-store.h.
 *
 * The file is one serialized GVariant a(ssxxxxx): path, reason, first
 * seen, local size, remote size, local and remote modification time
 * (-1: not known).  GVariant rather than a key file: paths may hold
 * anything but NUL, and a normal-form check rejects any damage.
 */
#include "conflict-store.h"

#include "errors.h"
#include "file-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define FILE_TYPE "a(ssxxxxx)"

typedef struct {
  OfConflictStore *store;        /* unowned: the store outlives its entries */
  char            *name;
  GPtrArray       *conflicts;    /* OfEngineConflict*, path order */
  OfDurableWriter *writer;
  gboolean         deleting;     /* delete_for_share(): unlink once written */
  guint            saves;        /* callbacks still to come: the entry lives until then */
} Entry;

struct _OfConflictStore {
  char       *dir;
  GHashTable *entries;           /* share name → Entry */
};

static void
entry_free (Entry *entry)
{
  g_free (entry->name);
  g_ptr_array_unref (entry->conflicts);
  g_clear_pointer (&entry->writer, of_durable_writer_free);
  g_free (entry);
}

static GPtrArray *
new_list (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) of_engine_conflict_free);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  const OfEngineConflict *x = *(const OfEngineConflict * const *) a;
  const OfEngineConflict *y = *(const OfEngineConflict * const *) b;

  return strcmp (x->path, y->path);
}

GPtrArray *
of_conflicts_merge (GPtrArray *old,
                    GPtrArray *found,
                    gint64     now)
{
  g_autoptr(GHashTable) before = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *merged = new_list ();

  for (guint i = 0; old != NULL && i < old->len; i++)
    {
      OfEngineConflict *conflict = old->pdata[i];
      g_hash_table_insert (before, conflict->path, conflict);
    }
  for (guint i = 0; found != NULL && i < found->len && merged->len < OF_CONFLICTS_MAX; i++)
    {
      const OfEngineConflict *conflict = found->pdata[i];
      const OfEngineConflict *earlier = g_hash_table_lookup (before, conflict->path);
      OfEngineConflict *copy;

      if (!g_hash_table_add (seen, conflict->path))
        continue;
      copy = of_engine_conflict_copy (conflict);
      /* The same path in conflict again keeps its first-seen time, even
       * if the reason moved (edited again on one side). */
      copy->detected = earlier != NULL && earlier->detected > 0 ? earlier->detected : now;
      g_ptr_array_add (merged, copy);
    }
  g_ptr_array_sort (merged, compare_paths);
  return merged;
}

GBytes *
of_conflicts_to_bytes (GPtrArray *conflicts)
{
  GVariantBuilder builder;
  g_autoptr(GVariant) value = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (FILE_TYPE));
  for (guint i = 0; i < conflicts->len; i++)
    {
      const OfEngineConflict *c = conflicts->pdata[i];

      g_variant_builder_add (&builder, "(ssxxxxx)", c->path, of_conflict_reason_to_string (c->reason),
                             c->detected, c->local_size, c->remote_size, c->local_modified,
                             c->remote_modified);
    }
  value = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_get_data_as_bytes (value);
}

GPtrArray *
of_conflicts_from_bytes (GBytes  *bytes,
                         GError **error)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (FILE_TYPE),
                                                                              bytes, FALSE));
  g_autoptr(GPtrArray) conflicts = new_list ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GVariantIter iter;
  const char *path, *reason_text;
  gint64 detected, local_size, remote_size, local_modified, remote_modified;

  /* Not in normal form: damaged or forged, and its strings may not even
   * be valid UTF-8. */
  if (!g_variant_is_normal_form (value))
    {
      g_set_error (error, OF_ERROR, OF_ERROR_STORAGE, "not a conflict list");
      return NULL;
    }
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&sxxxxx)", &path, &reason_text, &detected, &local_size,
                              &remote_size, &local_modified, &remote_modified))
    {
      OfConflictReason reason;
      OfEngineConflict *conflict;

      if (!of_conflict_reason_from_string (reason_text, &reason) || *path == '\0' ||
          !g_hash_table_add (seen, (gpointer) path) || conflicts->len >= OF_CONFLICTS_MAX)
        {
          g_set_error (error, OF_ERROR, OF_ERROR_STORAGE, "invalid entry %u", conflicts->len + 1);
          return NULL;
        }
      conflict = of_engine_conflict_new (path, reason);
      conflict->detected = MAX (detected, 0);
      conflict->local_size = MAX (local_size, -1);
      conflict->remote_size = MAX (remote_size, -1);
      conflict->local_modified = MAX (local_modified, -1);
      conflict->remote_modified = MAX (remote_modified, -1);
      g_ptr_array_add (conflicts, conflict);
    }
  g_ptr_array_sort (conflicts, compare_paths);
  return g_steal_pointer (&conflicts);
}

static GBytes *
snapshot_entry (gpointer user_data)
{
  Entry *entry = user_data;

  return of_conflicts_to_bytes (entry->conflicts);
}

OfConflictStore *
of_conflict_store_new (const char *state_dir)
{
  OfConflictStore *store = g_new0 (OfConflictStore, 1);

  store->dir = g_build_filename (state_dir, OF_CONFLICTS_DIR_NAME, NULL);
  store->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  /* Root's alone, like the files in it. */
  if (g_mkdir (store->dir, 0700) < 0 && errno != EEXIST)
    g_warning ("Cannot create %s: %s", store->dir, g_strerror (errno));
  return store;
}

void
of_conflict_store_free (OfConflictStore *store)
{
  if (store == NULL)
    return;
  g_hash_table_unref (store->entries);
  g_free (store->dir);
  g_free (store);
}

static Entry *
lookup (OfConflictStore *store,
        const char      *share)
{
  Entry *entry = g_hash_table_lookup (store->entries, share);
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (entry != NULL)
    return entry;
  entry = g_new0 (Entry, 1);
  entry->store = store;
  entry->name = g_strdup (share);
  path = g_build_filename (store->dir, share, NULL);
  entry->writer = of_durable_writer_new (path, "the conflict list", OF_CONFLICTS_FILE_MODE,
                                         snapshot_entry, entry);
  /* Our own root-owned state directory, a small file: read at once. */
  if (of_read_small_file (path, OF_CONFLICTS_MAX_FILE_SIZE, &data, &length, &error))
    {
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), length);

      entry->conflicts = of_conflicts_from_bytes (bytes, &error);
      if (entry->conflicts == NULL)
        g_warning ("Ignoring the conflict list of share %s: %s", share, error->message);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_warning ("Cannot read the conflict list of share %s: %s", share, error->message);
  if (entry->conflicts == NULL)
    entry->conflicts = new_list ();
  g_hash_table_insert (store->entries, entry->name, entry);
  return entry;
}

GPtrArray *
of_conflict_store_get (OfConflictStore *store,
                       const char      *share)
{
  return lookup (store, share)->conflicts;
}

static void
saved (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  Entry *entry = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  entry->saves--;
  if (!of_durable_writer_save_finish (entry->writer, result, &error))
    g_warning ("Cannot save the conflict list of share %s: %s", entry->name, error->message);
  if (entry->deleting && entry->saves == 0)
    {
      if (g_unlink (of_durable_writer_get_path (entry->writer)) < 0 && errno != ENOENT)
        g_warning ("Cannot delete the conflict list of share %s: %s", entry->name, g_strerror (errno));
      g_hash_table_remove (entry->store->entries, entry->name);
    }
}

static void
save (Entry *entry)
{
  entry->saves++;
  of_durable_writer_save_async (entry->writer, saved, entry);
}

gboolean
of_conflict_store_update (OfConflictStore *store,
                          const char      *share,
                          GPtrArray       *found,
                          gint64           now)
{
  Entry *entry = lookup (store, share);
  g_autoptr(GPtrArray) merged = of_conflicts_merge (entry->conflicts, found, now);
  g_autoptr(GBytes) before = of_conflicts_to_bytes (entry->conflicts);
  g_autoptr(GBytes) after = of_conflicts_to_bytes (merged);

  if (entry->deleting)
    return FALSE;
  if (g_bytes_equal (before, after))
    return FALSE;
  g_ptr_array_unref (entry->conflicts);
  entry->conflicts = g_steal_pointer (&merged);
  save (entry);
  return TRUE;
}

gboolean
of_conflict_store_remove (OfConflictStore *store,
                          const char      *share,
                          const char      *path)
{
  Entry *entry = lookup (store, share);

  for (guint i = 0; i < entry->conflicts->len; i++)
    {
      const OfEngineConflict *conflict = entry->conflicts->pdata[i];

      if (g_str_equal (conflict->path, path))
        {
          g_ptr_array_remove_index (entry->conflicts, i);
          save (entry);
          return TRUE;
        }
    }
  return FALSE;
}

void
of_conflict_store_delete_for_share (OfConflictStore *store,
                                    const char      *share)
{
  Entry *entry = lookup (store, share);

  /* An empty list goes through the writer first, so a write in flight
   * cannot bring the file back after the unlink in saved(). */
  entry->deleting = TRUE;
  g_ptr_array_set_size (entry->conflicts, 0);
  save (entry);
}

gboolean
of_conflict_store_is_busy (OfConflictStore *store)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, store->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (of_durable_writer_is_busy (((Entry *) value)->writer))
      return TRUE;
  return FALSE;
}
