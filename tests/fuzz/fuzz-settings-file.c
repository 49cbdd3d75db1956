/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-settings-file.c — background-sync.conf, as the daemon reads it.
 *
 * The input is the whole main file.  It goes through the pure path
 * (GKeyFile with the daemon's flags, then of_config_parse_key_file()) and
 * through the store itself (written to a scratch directory, then
 * of_config_store_load() as at start-up), and the two must agree.  (The
 * strict reload is the dropins target's: each read of a file costs a 1 MiB
 * buffer, which dominates the time of an execution.)  What the daemon does when it saves is replayed on the parsed key
 * file: the file must read back with its comments and unknown keys, and the
 * written values must read back as written.  [Daemon] MetricsFile= takes
 * only a plain absolute path, the same on both paths.
 */
#include "fuzz-common.h"

#include <glib/gstdio.h>

#include "config-store.h"

#define LOAD_FLAGS (G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS)

static char *scratch_dir;
static char *main_path;

static void
remove_scratch (void)
{
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
  scratch_dir = g_dir_make_tmp ("fuzz-settings-file-XXXXXX", NULL);
  if (scratch_dir == NULL)
    abort ();
  main_path = g_build_filename (scratch_dir, OF_CONFIG_FILE_NAME, NULL);
  atexit (remove_scratch);
  return 0;
}

static void
check_all_valid (const OfSettings *settings)
{
  for (int id = 0; id < OF_N_SETTINGS; id++)
    FUZZ_CHECK (of_setting_validate (id, of_settings_get (settings, id), NULL),
                "%s=%u is in effect but invalid", of_setting_name (id), of_settings_get (settings, id));
}

/* What of_config_store_save_async() does to the loaded file, checked. */
static void
replay_save (GKeyFile         *loaded,
             const OfSettings *parsed)
{
  g_autoptr(GKeyFile) copy = g_key_file_new ();
  g_autoptr(GKeyFile) reread = g_key_file_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;
  g_autofree char *written = NULL;
  OfSettings values, back;
  guint present = 0;
  gsize length;

  current = g_key_file_to_data (loaded, &length, NULL);
  /* Otherwise the save would start afresh and drop the admin's file. */
  FUZZ_CHECK (g_key_file_load_from_data (copy, current, length, LOAD_FLAGS, &error),
              "the loaded file does not read back: %s", error->message);

  /* New values, all different from the parsed ones and all valid. */
  values = *parsed;
  values.sync_interval = parsed->sync_interval == 1440 ? 0 : parsed->sync_interval + 1;
  values.sync_variance = parsed->sync_variance == 3600 ? 0 : parsed->sync_variance + 1;
  values.max_time_between_syncs = (guint16) (parsed->max_time_between_syncs + 1);
  values.block_out_start = parsed->block_out_start == 2400 ? 2359 : 2400;
  values.block_out_duration = parsed->block_out_duration == 1440 ? 0 : parsed->block_out_duration + 1;
  values.work_offline_shares_enabled = !parsed->work_offline_shares_enabled;
  values.sync_on_costed_network_enabled = !parsed->sync_on_costed_network_enabled;
  values.sync_on_battery_enabled = !parsed->sync_on_battery_enabled;
  values.slow_link_probe_timeout_sec = parsed->slow_link_probe_timeout_sec == 30 ? 1 : parsed->slow_link_probe_timeout_sec + 1;
  values.user_shares_enabled = !parsed->user_shares_enabled;
  /* Each in its own group, as the store writes it. */
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      if (of_setting_info (id)->kind == OF_SETTING_KIND_BOOLEAN)
        g_key_file_set_boolean (copy, of_setting_group (id), of_setting_name (id),
                                of_settings_get (&values, id) != 0);
      else
        g_key_file_set_integer (copy, of_setting_group (id), of_setting_name (id),
                                (int) of_settings_get (&values, id));
    }
  written = g_key_file_to_data (copy, &length, NULL);
  FUZZ_CHECK (g_key_file_load_from_data (reread, written, length, LOAD_FLAGS, &error),
              "a saved file does not read back: %s", error->message);
  of_settings_init_defaults (&back);
  of_config_parse_key_file (reread, "saved", &back, &present, problems);
  FUZZ_CHECK (problems->len == 0, "a saved file has problems: %s", (char *) problems->pdata[0]);
  FUZZ_CHECK (present == (1u << OF_N_SETTINGS) - 1, "a saved file lacks keys (present %#x)", present);
  FUZZ_CHECK (of_settings_equal (&back, &values), "a saved file reads back other values");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(OfConfigStore) store = NULL;
  OfSettings parsed, loaded;
  g_autofree char *metrics_file = NULL;
  gboolean is_key_file, usable;
  guint present = 0;

  if (size > OF_CONFIG_MAX_FILE_SIZE)
    return -1;

  /* The pure path. */
  of_settings_init_defaults (&parsed);
  is_key_file = g_key_file_load_from_data (key_file, (const char *) data, size, LOAD_FLAGS, NULL);
  if (is_key_file)
    {
      of_config_parse_key_file (key_file, "fuzz", &parsed, &present, problems);
      check_all_valid (&parsed);
      FUZZ_CHECK (present < (1u << OF_N_SETTINGS), "present %#x", present);
      for (guint i = 0; i < problems->len; i++)
        FUZZ_CHECK (g_str_has_prefix (problems->pdata[i], "fuzz: "),
                    "problem without origin: %s", (char *) problems->pdata[i]);
      /* [Daemon] MetricsFile=: the daemon writes there as root, so only
       * a plain absolute path (or empty, for off) may come out. */
      of_config_parse_daemon_group (key_file, "fuzz", &metrics_file, problems);
      if (metrics_file != NULL && *metrics_file != '\0')
        {
          g_autofree char *canonical = g_canonicalize_filename (metrics_file, "/");

          FUZZ_CHECK (g_path_is_absolute (metrics_file) && g_str_equal (canonical, metrics_file) &&
                      !g_str_equal (metrics_file, "/"), "MetricsFile=%s taken", metrics_file);
        }
      replay_save (key_file, &parsed);
    }

  /* The store, from a real file. */
  fuzz_write_file (main_path, data, size);
  store = of_config_store_new (scratch_dir);
  usable = of_config_store_load (store, &loaded);
  FUZZ_CHECK (usable == is_key_file, "load says usable=%d, key file=%d", usable, is_key_file);
  FUZZ_CHECK (of_settings_equal (&loaded, &parsed), "load and the pure parse disagree");
  FUZZ_CHECK (of_config_store_get_locked (store) == 0, "locked without drop-ins");
  check_all_valid (&loaded);
  FUZZ_CHECK (g_strcmp0 (of_config_store_get_metrics_file (store),
                         metrics_file && *metrics_file ? metrics_file : NULL) == 0,
              "load and the pure parse disagree on MetricsFile=");
  return 0;
}
