/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-info.c — a share's properties and their JSON; see share-info.h. */
#include "config.h"

#include "share-info.h"

#include <string.h>

#include "enums.h"
#include "json-out.h"

static char *
lookup_string (GVariant *props, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (props, key, "&s", &value))
    value = "";
  return g_strdup (value);
}

static gboolean
lookup_boolean (GVariant *props, const char *key, gboolean fallback)
{
  gboolean value = fallback;

  g_variant_lookup (props, key, "b", &value);
  return value;
}

OfShareInfo *
of_share_info_new (const char *path,
                   GVariant   *properties)
{
  OfShareInfo *share = g_new0 (OfShareInfo, 1);
  guint64 last = 0;

  g_return_val_if_fail (g_variant_is_of_type (properties, G_VARIANT_TYPE_VARDICT), share);

  share->path = g_strdup (path);
  share->name = lookup_string (properties, "Name");
  share->local_path = lookup_string (properties, "LocalPath");
  share->remote_path = lookup_string (properties, "RemotePath");
  share->user = lookup_string (properties, "User");
  share->enabled = lookup_boolean (properties, "Enabled", TRUE);
  share->work_offline = lookup_boolean (properties, "WorkOffline", FALSE);
  g_variant_lookup (properties, "LastSyncTime", "t", &last);
  share->last_sync_time = last;
  share->last_result = lookup_string (properties, "LastResult");
  share->last_message = lookup_string (properties, "LastMessage");
  g_variant_lookup (properties, "ConnectState", "u", &share->connect_state);
  g_variant_lookup (properties, "OfflineReason", "u", &share->offline_reason);
  g_variant_lookup (properties, "LastProbeTime", "t", &share->last_probe_time);
  return share;
}

void
of_share_info_free (OfShareInfo *share)
{
  if (share == NULL)
    return;
  g_free (share->path);
  g_free (share->name);
  g_free (share->local_path);
  g_free (share->remote_path);
  g_free (share->user);
  g_free (share->last_result);
  g_free (share->last_message);
  g_free (share);
}

int
of_share_info_compare (gconstpointer a,
                       gconstpointer b)
{
  const OfShareInfo *x = *(const OfShareInfo * const *) a;
  const OfShareInfo *y = *(const OfShareInfo * const *) b;

  return g_strcmp0 (x->name, y->name);
}

char *
of_share_info_connection (const OfShareInfo *share)
{
  if (share->connect_state == OF_CONNECT_OFFLINE)
    return g_strdup_printf ("offline (%s)", of_offline_reason_to_string (share->offline_reason));
  return g_strdup (of_connect_state_to_string (share->connect_state));
}

static void
add_string (JsonBuilder *builder, const char *key, const char *value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value ? value : "");
}

static void
add_boolean (JsonBuilder *builder, const char *key, gboolean value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_boolean_value (builder, value);
}

void
of_share_info_add_json (JsonBuilder       *builder,
                        const OfShareInfo *share)
{
  json_builder_begin_object (builder);
  add_string (builder, "name", share->name);
  add_string (builder, "object_path", share->path);
  add_string (builder, "local_path", share->local_path);
  add_string (builder, "remote_path", share->remote_path);
  add_string (builder, "user", share->user);
  add_boolean (builder, "enabled", share->enabled);
  add_boolean (builder, "work_offline", share->work_offline);
  of_json_add_time_members (builder, "last_sync_time", share->last_sync_time);
  add_string (builder, "last_result", share->last_result);
  add_string (builder, "last_message", share->last_message);
  add_string (builder, "connect_state", of_connect_state_to_string (share->connect_state));
  json_builder_set_member_name (builder, "offline_reason");
  of_json_add_uint (builder, share->offline_reason);
  add_string (builder, "offline_reason_text", share->connect_state == OF_CONNECT_OFFLINE
                                                ? of_offline_reason_to_string (share->offline_reason) : "");
  of_json_add_time_members (builder, "last_probe_time", share->last_probe_time);
  json_builder_end_object (builder);
}
