/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-info.h — one org.offlinefiles.Share object as the client shows
 * it: a plain copy of its properties, so that the output (text and JSON)
 * is built without a bus and can be tested as such.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char     *path;
  char     *name;
  char     *local_path;
  char     *remote_path;
  char     *user;
  gboolean  enabled;
  gboolean  work_offline;
  guint64   last_sync_time;
  char     *last_result;
  char     *last_message;
  guint     connect_state;    /* Win32_OfflineFilesConnectionInfo's codes */
  guint     offline_reason;
  guint64   last_probe_time;
} OfShareInfo;

/* From the share's object path and its properties (a{sv}, as a proxy
 * caches them).  Missing strings read as "", a missing Enabled as TRUE
 * and WorkOffline as FALSE, as the daemon's defaults. */
OfShareInfo *of_share_info_new     (const char  *path,
                                    GVariant    *properties);
void         of_share_info_free    (OfShareInfo *share);
/* By name, for g_ptr_array_sort(). */
int          of_share_info_compare (gconstpointer a,
                                    gconstpointer b);
/* "online", "offline (not responding)", "unknown" — untranslated
 * words of the bus (for a terminal, see of_share_info_describe()). */
char        *of_share_info_connection (const OfShareInfo *share);
/* The share as a JSON object (the keys are offlinefilesctl(1)'s). */
void         of_share_info_add_json (JsonBuilder       *builder,
                                     const OfShareInfo *share);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfShareInfo, of_share_info_free)

G_END_DECLS
