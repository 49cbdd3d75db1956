/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmd-sync.c — `sync-now [--wait]` and `cancel`.  SyncNow answers with
 * the id of the sync it started (or of the one already running); --wait
 * follows that id's SyncProgress and SyncFinished through the generated
 * proxy's signals.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "commands.h"
#include "enums.h"
#include "names.h"
#include "text.h"

typedef struct {
  OfClient   *client;
  GMainLoop  *loop;
  guint64     id;
  gboolean    finished;
  gboolean    vanished;
  gboolean    interrupted;
  char       *result;
  char       *message;
  gboolean    progress_shown;
} SyncWait;

static void
clear_progress (SyncWait *wait)
{
  if (wait->progress_shown)
    {
      g_print ("\r\033[K");
      wait->progress_shown = FALSE;
    }
}

static void
on_sync_progress (OfDBusBackgroundSync *proxy, guint64 id, guint done, guint total,
                  const char *share, gpointer user_data)
{
  SyncWait *wait = user_data;
  g_autofree char *shown = NULL;

  (void) proxy;
  /* A progress line only makes sense where it can be redrawn. */
  if (id != wait->id || !wait->client->tty)
    return;
  shown = of_escape_text (share);
  g_print ("\r\033[K[%u/%u] %s", done, total, shown);
  fflush (stdout);
  wait->progress_shown = TRUE;
}

static void
on_sync_finished (OfDBusBackgroundSync *proxy, guint64 id, const char *result,
                  const char *message, gpointer user_data)
{
  SyncWait *wait = user_data;

  (void) proxy;
  if (id != wait->id || wait->finished)
    return;
  wait->finished = TRUE;
  wait->result = g_strdup (result);
  wait->message = g_strdup (message);
  g_main_loop_quit (wait->loop);
}

static void
on_owner_changed (GObject *proxy, GParamSpec *pspec, gpointer user_data)
{
  SyncWait *wait = user_data;
  g_autofree char *owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (proxy));

  (void) pspec;
  if (owner == NULL)
    {
      wait->vanished = TRUE;
      g_main_loop_quit (wait->loop);
    }
}

static gboolean
on_interrupt (gpointer user_data)
{
  SyncWait *wait = user_data;

  wait->interrupted = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_CONTINUE;
}

static int
wait_for_sync (SyncWait *wait)
{
  guint sigint = g_unix_signal_add (SIGINT, on_interrupt, wait);
  guint sigterm = g_unix_signal_add (SIGTERM, on_interrupt, wait);
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, wait->id);
  OfShareResult result;

  g_main_loop_run (wait->loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  clear_progress (wait);

  if (wait->interrupted)
    return of_client_report (OF_EXIT_FAILURE, _("Stopped waiting; sync %s goes on"), id);
  if (wait->vanished)
    return of_client_report (OF_EXIT_FAILURE, _("offlinefiles-syncd stopped before sync %s finished"), id);
  if (of_share_result_from_string (wait->result, &result) && result == OF_SHARE_RESULT_SUCCESS)
    {
      g_autofree char *message = of_escape_text (wait->message);
      g_print ("%s\n", message);
      return OF_EXIT_OK;
    }
  return of_client_report (OF_EXIT_FAILURE, _("Sync %s ended with result “%s”: %s"), id, wait->result,
                           wait->message);
}

int
of_cmd_sync_now (OfClient *client, char **args)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  SyncWait wait = { client, loop, 0, FALSE, FALSE, FALSE, NULL, NULL, FALSE };
  int status;

  (void) args;
  /* The proxy subscribes to the signals while it is built, before
   * SyncNow is sent: a quick sync's SyncFinished cannot slip past. */
  if (!of_client_connect (client, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                          (client->wait ? 0 : G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS), &error))
    return of_client_report_error (NULL, error);
  if (client->wait)
    {
      g_signal_connect (client->proxy, "sync-progress", G_CALLBACK (on_sync_progress), &wait);
      g_signal_connect (client->proxy, "sync-finished", G_CALLBACK (on_sync_finished), &wait);
      g_signal_connect (client->proxy, "notify::g-name-owner", G_CALLBACK (on_owner_changed), &wait);
    }

  reply = of_client_call_with_auth (client, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC, "SyncNow",
                                    NULL, G_VARIANT_TYPE ("(t)"), &error);
  if (reply == NULL)
    return of_client_report_error (_("Could not start a sync"), error);
  g_variant_get (reply, "(t)", &wait.id);

  if (!client->wait)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, wait.id);
      g_print (_("Sync %s is running.\n"), id);
      return OF_EXIT_OK;
    }
  /* Signals that came during the synchronous call wait in the main
   * context's queue; the loop dispatches them now that the id is known. */
  status = wait_for_sync (&wait);
  g_signal_handlers_disconnect_by_data (client->proxy, &wait);
  g_free (wait.result);
  g_free (wait.message);
  return status;
}

int
of_cmd_cancel (OfClient *client, char **args)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  (void) args;
  reply = of_client_call_with_auth (client, OF_OBJECT_PATH, OF_INTERFACE_BACKGROUND_SYNC, "Cancel",
                                    NULL, NULL, &error);
  if (reply == NULL)
    return of_client_report_error (_("Could not cancel the sync"), error);
  return OF_EXIT_OK;
}
