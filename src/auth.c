/* auth.c — see auth.h. */
#include "auth.h"

#include <polkit/polkit.h>

#include "errors.h"

struct _OfAuth {
  PolkitAuthority *authority;
  char            *authority_error;  /* set: polkit unreachable, deny all */
  gboolean         connecting;
  GQueue           waiting;          /* GTasks of checks asked meanwhile */
  GCancellable    *cancellable;      /* the connection attempt */
};

static void start_check (OfAuth *auth, GTask *task);

static void
authority_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PolkitAuthority *authority;
  OfAuth *auth = user_data;
  GTask *task;

  (void) source;
  authority = polkit_authority_get_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* auth is gone */
  auth->connecting = FALSE;
  if (authority == NULL)
    {
      g_warning ("polkit is not available, every change will be refused: %s", error->message);
      auth->authority_error = g_strdup (error->message);
    }
  auth->authority = authority;
  while ((task = g_queue_pop_head (&auth->waiting)) != NULL)
    start_check (auth, task);
}

OfAuth *
of_auth_new (void)
{
  OfAuth *auth = g_new0 (OfAuth, 1);

  /* Connected in the background: start-up does not wait for polkit, and
   * checks asked meanwhile wait for the connection. */
  g_queue_init (&auth->waiting);
  auth->cancellable = g_cancellable_new ();
  auth->connecting = TRUE;
  polkit_authority_get_async (auth->cancellable, authority_ready, auth);
  return auth;
}

void
of_auth_free (OfAuth *auth)
{
  if (auth == NULL)
    return;
  g_cancellable_cancel (auth->cancellable);
  g_clear_object (&auth->cancellable);
  g_queue_clear_full (&auth->waiting, g_object_unref);
  g_clear_object (&auth->authority);
  g_free (auth->authority_error);
  g_free (auth);
}

typedef struct {
  char     *action_id;
  char     *sender;
  gboolean  interactive;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->action_id);
  g_free (data->sender);
  g_free (data);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(PolkitAuthorizationResult) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  if (answer == NULL)
    {
      g_debug ("polkit check of %s for %s failed: %s",
               data->action_id, data->sender, error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* The caller wants polkit's reason, not GDBus's wrapping of it. */
      g_dbus_error_strip_remote_error (error);
      g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                 "Authorization check failed: %s", error->message);
      return;
    }

  if (polkit_authorization_result_get_is_authorized (answer))
    {
      g_debug ("%s authorized for %s", data->action_id, data->sender);
      g_task_return_boolean (task, TRUE);
    }
  else if (polkit_authorization_result_get_is_challenge (answer) && !data->interactive)
    {
      g_debug ("%s needs interactive authorization for %s", data->action_id, data->sender);
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                               "Interactive authentication required for %s", data->action_id);
    }
  else
    {
      g_debug ("%s not authorized for %s", data->action_id, data->sender);
      g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                               "Not authorized for %s", data->action_id);
    }
}

void
of_auth_check_async (OfAuth                *auth,
                     GDBusMethodInvocation *invocation,
                     const char            *action_id,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  CheckData *data;

  data = g_new0 (CheckData, 1);
  data->action_id = g_strdup (action_id);
  data->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  data->interactive = (g_dbus_message_get_flags (message) &
                       G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  if (auth->connecting)
    {
      g_queue_push_tail (&auth->waiting, g_steal_pointer (&task));
      return;
    }
  start_check (auth, g_steal_pointer (&task));
}

static void
start_check (OfAuth *auth,
             GTask  *task)  /* taken */
{
  CheckData *data = g_task_get_task_data (task);
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
  g_autoptr(PolkitSubject) subject = NULL;

  if (auth->authority == NULL)
    {
      g_task_return_new_error (task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                               "Authorization check failed: %s", auth->authority_error);
      g_object_unref (task);
      return;
    }

  if (data->interactive)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  g_debug ("Asking polkit whether %s may %s%s", data->sender, data->action_id,
           data->interactive ? " (interactive)" : "");
  subject = polkit_system_bus_name_new (data->sender);
  polkit_authority_check_authorization (auth->authority, subject, data->action_id,
                                        NULL, flags, g_task_get_cancellable (task),
                                        check_done, task);
}

gboolean
of_auth_check_finish (OfAuth       *auth,
                      GAsyncResult *result,
                      GError      **error)
{
  (void) auth;
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
