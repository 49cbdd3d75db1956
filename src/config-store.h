/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-store.h — background-sync.conf: load, validate, durable save.
 *
 * The file is an administrator's: comments, unknown groups and unknown keys
 * survive every write, a value that fails validation is reported and
 * replaced by its default in memory only, and a file that is not a key file
 * at all is never overwritten.
 */
#pragma once

#include <gio/gio.h>

#include "file-util.h"
#include "settings.h"

G_BEGIN_DECLS

#define OF_CONFIG_GROUP "BackgroundSync"
/* The daemon's own file-only keys (not on the bus): MetricsFile=. */
#define OF_CONFIG_DAEMON_GROUP "Daemon"
#define OF_CONFIG_METRICS_FILE_KEY "MetricsFile"
#define OF_CONFIG_GROUP_MACHINE "MachineConfiguration"
#define OF_CONFIG_FILE_NAME "background-sync.conf"
#define OF_CONFIG_DROPIN_DIR_NAME "background-sync.conf.d"
/* Settings files are small; anything bigger is hostile or a mistake. */
#define OF_CONFIG_MAX_FILE_SIZE (1024 * 1024)

/* The one owner of the settings: everybody else reads them here and
 * follows "changed" (guint mask: bit 1 << OfSettingId per effective value
 * that changed, or all bits when only the locks changed), emitted after a
 * save or a reload took effect.  Never during load(). */
#define OF_TYPE_CONFIG_STORE (of_config_store_get_type ())
G_DECLARE_FINAL_TYPE (OfConfigStore, of_config_store, OF, CONFIG_STORE, GObject)

OfConfigStore *of_config_store_new       (const char *config_dir);
const char    *of_config_store_get_path  (OfConfigStore *store);

/* Start-up load of the main file and the admin drop-ins
 * (background-sync.conf.d/NAME.conf in name order, later files winning; a
 * property set there is fixed).  A missing file means defaults; every
 * problem is logged with file, key and value, and that key keeps its
 * default, an invalid drop-in is skipped whole.  The effective settings go
 * to @settings (may be NULL).  Returns FALSE only to tell that the main
 * file could not be used at all (it is then never overwritten). */
gboolean       of_config_store_load      (OfConfigStore *store,
                                          OfSettings    *settings);
/* Reload: everything is parsed and validated first; any problem rejects
 * the whole reload (the error lists them) and the last good settings stay. */
gboolean       of_config_store_reload    (OfConfigStore *store,
                                          GError       **error);
/* Main file overlaid with the drop-ins. */
const OfSettings *of_config_store_get_settings  (OfConfigStore *store);
/* [Daemon] MetricsFile= as the main file and the drop-ins set it (later
 * drop-ins winning): an absolute path, or NULL when metrics are off (the
 * default, or an empty value). */
const char    *of_config_store_get_metrics_file (OfConfigStore *store);
/* Bit (1 << OfSettingId) per property fixed by a drop-in. */
guint          of_config_store_get_locked    (OfConfigStore *store);
/* The drop-in that fixes @id, or NULL. */
const char    *of_config_store_get_locked_by (OfConfigStore *store,
                                              OfSettingId    id);

/* Writes the settings whose bit (1 << OfSettingId) is set in @mask to the
 * main file (also fixed ones: they apply again when the lock is lifted),
 * atomically and durably, in a worker thread.  One save at a time:
 * the caller serializes them.  Only when _finish() succeeds does the store
 * consider the new contents its own. */
void           of_config_store_save_async  (OfConfigStore      *store,
                                            const OfSettings   *settings,
                                            guint               mask,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean       of_config_store_save_finish (OfConfigStore *store,
                                            GAsyncResult  *result,
                                            GError       **error);

/* Pure part, shared with the drop-in reader and the fuzzers: validates
 * every setting of groups [BackgroundSync] and [MachineConfiguration] in @key_file.  Valid values go
 * to @settings and set their bit in *@present; each invalid one appends a
 * message naming @origin, the key and the value to @problems. */
void           of_config_parse_key_file  (GKeyFile   *key_file,
                                          const char *origin,
                                          OfSettings *settings,
                                          guint      *present,
                                          GPtrArray  *problems);

/* Pure, like of_config_parse_key_file(): group [Daemon] of @key_file.
 * A valid MetricsFile= (an absolute, normalized path, or empty for off)
 * replaces *@metrics_file; an invalid one appends a message naming
 * @origin, the key and the value to @problems; unknown keys are
 * reported as warnings and ignored. */
void           of_config_parse_daemon_group (GKeyFile   *key_file,
                                             const char *origin,
                                             char      **metrics_file,
                                             GPtrArray  *problems);

G_END_DECLS
