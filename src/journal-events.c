/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* journal-events.c — see journal-events.h. */
#include "journal-events.h"

#include <stdio.h>

#include "enums.h"
#include "time-format.h"

const char * const of_journal_ids[] = {
  OF_JOURNAL_ID_SYNC_STARTED,
  OF_JOURNAL_ID_SYNC_FINISHED,
  OF_JOURNAL_ID_SHARE_FAILED,
  OF_JOURNAL_ID_CONFLICT_FOUND,
  OF_JOURNAL_ID_SYNC_DEFERRED,
  OF_JOURNAL_ID_SHARE_OFFLINE,
  OF_JOURNAL_ID_SETTINGS_CHANGED,
  OF_JOURNAL_ID_RELOAD_REJECTED,
  NULL
};

GLogWriterOutput
of_journal_writer (GLogLevelFlags   level,
                   const GLogField *fields,
                   gsize            n_fields,
                   gpointer         user_data)
{
  gboolean event = FALSE;

  for (gsize i = 0; i < n_fields && !event; i++)
    event = g_str_equal (fields[i].key, "MESSAGE_ID");
  if (event && (level & G_LOG_LEVEL_INFO) && g_log_writer_default_would_drop (level, G_LOG_DOMAIN))
    {
      if (g_log_writer_is_journald (fileno (stderr)) &&
          g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
      return g_log_writer_standard_streams (level, fields, n_fields, user_data);
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
of_journal_sync_started (guint64     sync_id,
                         const char *reason)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, sync_id);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "MESSAGE_ID", OF_JOURNAL_ID_SYNC_STARTED,
                    "OFFLINEFILES_SYNC_ID", id,
                    "OFFLINEFILES_REASON", reason,
                    "MESSAGE", "Sync %s started (%s)", id, reason);
}

void
of_journal_sync_finished (guint64     sync_id,
                          const char *result,
                          const char *message)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, sync_id);
  gboolean success = g_str_equal (result, of_share_result_to_string (OF_SHARE_RESULT_SUCCESS));

  /* A sync that did not succeed is a notice: it is what an administrator
   * filters on with `journalctl -p notice`. */
  g_log_structured (G_LOG_DOMAIN, success ? G_LOG_LEVEL_INFO : G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", OF_JOURNAL_ID_SYNC_FINISHED,
                    "OFFLINEFILES_SYNC_ID", id,
                    "OFFLINEFILES_RESULT", result,
                    "MESSAGE", "Sync %s finished: %s (%s)", id, result, message);
}

void
of_journal_share_failed (guint64     sync_id,
                         const char *share,
                         const char *message)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, sync_id);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                    "MESSAGE_ID", OF_JOURNAL_ID_SHARE_FAILED,
                    "OFFLINEFILES_SYNC_ID", id,
                    "OFFLINEFILES_SHARE", share,
                    "OFFLINEFILES_RESULT", of_share_result_to_string (OF_SHARE_RESULT_FAILED),
                    "MESSAGE", "Sync %s, share %s failed: %s", id, share, message);
}

void
of_journal_conflict_found (guint64     sync_id,
                           const char *share,
                           guint       count)
{
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, sync_id);
  g_autofree char *n = g_strdup_printf ("%u", count);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", OF_JOURNAL_ID_CONFLICT_FOUND,
                    "OFFLINEFILES_SYNC_ID", id,
                    "OFFLINEFILES_SHARE", share,
                    "OFFLINEFILES_COUNT", n,
                    "MESSAGE", "Sync %s, share %s: %u conflict%s waiting to be resolved",
                    id, share, count, count == 1 ? "" : "s");
}

void
of_journal_sync_deferred (const char *reason,
                          gint64      due)
{
  g_autofree char *due_field = g_strdup_printf ("%" G_GINT64_FORMAT, due);
  g_autofree char *due_text = of_format_iso8601_utc ((guint64) MAX (due, 0));

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "MESSAGE_ID", OF_JOURNAL_ID_SYNC_DEFERRED,
                    "OFFLINEFILES_REASON", reason,
                    "OFFLINEFILES_DUE", due_field,
                    "MESSAGE", "The sync due at %s is deferred (%s)", due_text, reason);
}

void
of_journal_share_offline (const char *share,
                          const char *reason)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", OF_JOURNAL_ID_SHARE_OFFLINE,
                    "OFFLINEFILES_SHARE", share,
                    "OFFLINEFILES_REASON", reason,
                    "MESSAGE", "Share %s is offline (%s)", share, reason);
}

void
of_journal_setting_changed (const char *setting,
                            const char *value)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "MESSAGE_ID", OF_JOURNAL_ID_SETTINGS_CHANGED,
                    "OFFLINEFILES_SETTING", setting,
                    "OFFLINEFILES_VALUE", value,
                    "MESSAGE", "%s is now %s", setting, value);
}

void
of_journal_reload_rejected (const char *problems)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                    "MESSAGE_ID", OF_JOURNAL_ID_RELOAD_REJECTED,
                    "OFFLINEFILES_REASON", problems,
                    "MESSAGE", "Configuration not reloaded, the last good settings stay in force: %s",
                    problems);
}
