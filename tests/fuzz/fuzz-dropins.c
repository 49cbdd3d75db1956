/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-dropins.c — the main file with the admin drop-ins of
 * background-sync.conf.d, loaded (start-up, lenient) and reloaded (SIGHUP,
 * strict) by the store from a scratch directory.
 *
 * Input: the main file, then any number of drop-ins, each introduced by a
 * line "== NAME" (NAME is reduced to [A-Za-z0-9._-], so the fuzzer also
 * chooses the order, hidden files and names without ".conf"):
 *
 *   [BackgroundSync]
 *   SyncInterval=30
 *   == 10-site.conf
 *   [BackgroundSync]
 *   SyncInterval=60
 *
 * An empty main part means no main file.  At most MAX_FILES drop-ins; a
 * later one with the same name replaces the earlier.  The result is checked
 * against a model of the documented rules built from the pure parser: name
 * order, later files win, an invalid drop-in is skipped whole (load) or
 * rejects everything (reload), a fixed property names its file.
 */
#include "fuzz-common.h"

#include <glib/gstdio.h>

#include "config-store.h"

#define MAX_FILES 16
#define NAME_MAX_LENGTH 40

static char *scratch_dir;
static char *main_path;
static char *dropin_dir;

static void
empty_dropin_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (dropin_dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dropin_dir, name, NULL);
      g_unlink (path);
    }
}

static void
remove_scratch (void)
{
  empty_dropin_dir ();
  g_rmdir (dropin_dir);
  g_unlink (main_path);
  g_rmdir (scratch_dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  scratch_dir = g_dir_make_tmp ("fuzz-dropins-XXXXXX", NULL);
  if (scratch_dir == NULL)
    abort ();
  main_path = g_build_filename (scratch_dir, OF_CONFIG_FILE_NAME, NULL);
  dropin_dir = g_build_filename (scratch_dir, OF_CONFIG_DROPIN_DIR_NAME, NULL);
  if (g_mkdir (dropin_dir, 0755) < 0)
    abort ();
  atexit (remove_scratch);
  return 0;
}

static char *
sanitize_name (const char *raw,
               gsize       length,
               guint       index)
{
  GString *name = g_string_new (NULL);

  for (gsize i = 0; i < length && name->len < NAME_MAX_LENGTH; i++)
    if (g_ascii_isalnum (raw[i]) || raw[i] == '.' || raw[i] == '_' || raw[i] == '-')
      g_string_append_c (name, raw[i]);
  if (name->len == 0 || g_str_equal (name->str, ".") || g_str_equal (name->str, ".."))
    {
      g_string_free (name, TRUE);
      return g_strdup_printf ("%02u.conf", index);
    }
  return g_string_free (name, FALSE);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(OfConfigStore) lenient = NULL;
  g_autoptr(OfConfigStore) strict = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) main_file = NULL;
  const char *text = (const char *) data;
  const char *end = text + size;
  const char *segment = text;
  const char *name = NULL;
  gsize name_length = 0;
  guint n_dropins = 0;
  OfSettings expected_main, expected_fixed, expected, loaded;
  guint expected_locked = 0;
  gboolean expected_usable = TRUE, expected_strict_ok = TRUE;
  const char *expected_locked_by[OF_N_SETTINGS] = { NULL };
  GHashTableIter iter;
  gpointer key;

  if (size > 64 * 1024)
    return -1;

  /* Split at the "== NAME" lines. */
  for (const char *p = text; ; )
    {
      const char *eol = memchr (p, '\n', (size_t) (end - p));
      const char *line_end = eol ? eol : end;
      gboolean header = line_end - p >= 3 && p[0] == '=' && p[1] == '=' && p[2] == ' ';

      if (header || eol == NULL)
        {
          /* The segment before this header, or the last one. */
          GBytes *contents = g_bytes_new (segment, (gsize) ((header ? p : end) - segment));

          if (name == NULL)
            main_file = contents;
          else if (n_dropins < MAX_FILES)
            g_hash_table_replace (files, sanitize_name (name, name_length, n_dropins++), contents);
          else
            g_bytes_unref (contents);
          name = NULL;
          if (header)
            {
              name = p + 3;
              name_length = (gsize) (line_end - name);
              segment = eol ? eol + 1 : end;
            }
        }
      if (eol == NULL)
        {
          /* A header on the last line without a newline: an empty drop-in. */
          if (header && n_dropins < MAX_FILES)
            g_hash_table_replace (files, sanitize_name (name, name_length, n_dropins++), g_bytes_new (NULL, 0));
          break;
        }
      p = eol + 1;
    }

  /* Write them. */
  empty_dropin_dir ();
  g_unlink (main_path);
  if (main_file && g_bytes_get_size (main_file) > 0)
    fuzz_write_file (main_path, g_bytes_get_data (main_file, NULL), g_bytes_get_size (main_file));
  g_hash_table_iter_init (&iter, files);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GBytes *contents = g_hash_table_lookup (files, key);
      g_autofree char *path = g_build_filename (dropin_dir, (const char *) key, NULL);

      fuzz_write_file (path, g_bytes_get_data (contents, NULL), g_bytes_get_size (contents));
      if (((const char *) key)[0] != '.' && g_str_has_suffix (key, ".conf"))
        g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, compare_names);

  /* The model. */
  of_settings_init_defaults (&expected_main);
  of_settings_init_defaults (&expected_fixed);
  if (main_file && g_bytes_get_size (main_file) > 0)
    {
      g_autoptr(GKeyFile) key_file = g_key_file_new ();
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      gsize length;
      const char *contents = g_bytes_get_data (main_file, &length);

      if (g_key_file_load_from_data (key_file, contents, length,
                                     G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, NULL))
        of_config_parse_key_file (key_file, "main", &expected_main, NULL, problems);
      else
        expected_usable = FALSE;
      if (!expected_usable || problems->len > 0)
        expected_strict_ok = FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GKeyFile) key_file = g_key_file_new ();
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      GBytes *file = g_hash_table_lookup (files, names->pdata[i]);
      OfSettings values = expected_fixed;
      guint present = 0;
      gsize length;
      const char *contents = g_bytes_get_data (file, &length);

      if (!g_key_file_load_from_data (key_file, contents ? contents : "", length, G_KEY_FILE_NONE, NULL))
        {
          expected_strict_ok = FALSE;
          continue;
        }
      of_config_parse_key_file (key_file, names->pdata[i], &values, &present, problems);
      if (problems->len > 0)
        {
          expected_strict_ok = FALSE;
          continue;
        }
      expected_fixed = values;
      expected_locked |= present;
      for (int id = 0; id < OF_N_SETTINGS; id++)
        if (present & (1u << id))
          expected_locked_by[id] = names->pdata[i];
    }
  expected = expected_main;
  for (int id = 0; id < OF_N_SETTINGS; id++)
    if (expected_locked & (1u << id))
      of_settings_set (&expected, id, of_settings_get (&expected_fixed, id));

  /* Start-up: use what is valid. */
  lenient = of_config_store_new (scratch_dir);
  FUZZ_CHECK (of_config_store_load (lenient, &loaded) == expected_usable, "usable != %d", expected_usable);
  FUZZ_CHECK (of_settings_equal (&loaded, &expected), "load differs from the model");
  FUZZ_CHECK (of_config_store_get_locked (lenient) == expected_locked,
              "locked %#x, expected %#x", of_config_store_get_locked (lenient), expected_locked);
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      const char *by = of_config_store_get_locked_by (lenient, id);

      FUZZ_CHECK (of_setting_validate (id, of_settings_get (&loaded, id), NULL),
                  "%s=%u in effect", of_setting_name (id), of_settings_get (&loaded, id));
      FUZZ_CHECK ((by != NULL) == (expected_locked_by[id] != NULL), "locked_by[%d]", id);
      if (by != NULL)
        {
          g_autofree char *base = g_path_get_basename (by);
          FUZZ_CHECK (g_str_equal (base, expected_locked_by[id]),
                      "%s fixed by %s, expected %s", of_setting_name (id), by, expected_locked_by[id]);
        }
    }

  /* Reload: all or nothing. */
  strict = of_config_store_new (scratch_dir);
  FUZZ_CHECK (of_config_store_reload (strict, &error) == expected_strict_ok,
              "reload %s, expected %s", error ? error->message : "succeeded",
              expected_strict_ok ? "success" : "a failure");
  if (expected_strict_ok)
    {
      FUZZ_CHECK (of_settings_equal (of_config_store_get_settings (strict), &expected), "reload differs");
      FUZZ_CHECK (of_config_store_get_locked (strict) == expected_locked, "reload locked");
    }
  else
    {
      OfSettings defaults;

      /* A rejected reload keeps the last good settings: here the defaults. */
      of_settings_init_defaults (&defaults);
      FUZZ_CHECK (of_settings_equal (of_config_store_get_settings (strict), &defaults), "rejected reload changed settings");
      FUZZ_CHECK (of_config_store_get_locked (strict) == 0, "rejected reload locked");
    }
  /* And a good load then a reload of the same files: same result or rejected. */
  if (of_config_store_reload (lenient, NULL))
    FUZZ_CHECK (of_settings_equal (of_config_store_get_settings (lenient), &expected), "second reload differs");
  else
    FUZZ_CHECK (of_settings_equal (of_config_store_get_settings (lenient), &loaded), "rejected reload lost the last good settings");
  return 0;
}
