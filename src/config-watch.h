/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config-watch.h — notices edits of the configuration directory.
 *
 * Watches the config dir, background-sync.conf.d/ and shares.d/ (those
 * that exist; a directory created later is picked up) and calls back once
 * things have been quiet for a second, so an editor's save or a
 * configuration-management run writing fifty files causes one reload.
 * Missing directories are not watched at all: GLib would poll for them.
 *
 * The daemon reads its files before it may watch them (watching waits for
 * the bus name): whatever changed since @loaded_at (g_get_real_time(),
 * taken before reading; up to a second before it, file system clocks
 * being coarse) calls back too, so nothing written in between is lost.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OF_CONFIG_WATCH_QUIET_MS 1000

typedef struct _OfConfigWatch OfConfigWatch;
typedef void (*OfConfigWatchFunc) (gpointer user_data);

OfConfigWatch *of_config_watch_new  (const char        *config_dir,
                                     gint64             loaded_at,
                                     OfConfigWatchFunc  func,
                                     gpointer           user_data);
void           of_config_watch_free (OfConfigWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfConfigWatch, of_config_watch_free)

G_END_DECLS
