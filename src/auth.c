/* auth.c — see auth.h. */
#include "auth.h"

#include <polkit/polkit.h>

#include "errors.h"

/* polkitd is asked at most this many questions at once: the bus refuses a
 * connection more than 128 pending replies, and a flood must not starve
 * polkitd.  The rest wait their turn, in order. */
#define MAX_CHECKS_IN_FLIGHT 32
/* Questions one caller may have pending (the system bus's own default
 * limit of calls in progress): beyond, LimitsExceeded at once rather
 * than a queue that grows without bound. */
#define MAX_CHECKS_PER_SENDER 128

typedef struct _Check Check;

struct _OfAuth {
  PolkitAuthority *authority;
  char            *authority_error;  /* set: polkit unreachable, deny all */
  gboolean         connecting;
  GCancellable    *cancellable;      /* the connection attempt */
  GDBusConnection *bus;
  guint            name_owner_changed_id;
  GQueue           waiting;          /* Checks not asked yet, in order */
  GList           *in_flight;        /* Checks polkitd is answering */
  GHashTable      *per_sender;       /* sender → number of pending Checks */
};

struct _Check {
  OfAuth       *auth;         /* NULL once the OfAuth is gone */
  GTask        *task;         /* NULL once answered (the caller left) */
  GCancellable *cancellable;  /* for the OfAuth going away only */
  char         *action_id;
  char         *sender;
  gboolean      interactive;
};

static void start_checks (OfAuth *auth);

static void
check_free (Check *check)
{
  g_clear_object (&check->task);
  g_clear_object (&check->cancellable);
  g_free (check->action_id);
  g_free (check->sender);
  g_free (check);
}

static void
forget_sender (OfAuth     *auth,
               const char *sender)
{
  guint pending = GPOINTER_TO_UINT (g_hash_table_lookup (auth->per_sender, sender));

  if (pending <= 1)
    g_hash_table_remove (auth->per_sender, sender);
  else
    g_hash_table_insert (auth->per_sender, g_strdup (sender), GUINT_TO_POINTER (pending - 1));
}

/* Answers the caller and forgets the check. */
static void
complete (Check  *check,
          GError *error)  /* taken; NULL: authorized */
{
  OfAuth *auth = check->auth;

  if (check->task == NULL)
    g_clear_error (&error);  /* the caller left: nobody to tell */
  else if (error)
    g_task_return_error (check->task, error);
  else
    g_task_return_boolean (check->task, TRUE);

  if (auth)
    {
      auth->in_flight = g_list_remove (auth->in_flight, check);
      forget_sender (auth, check->sender);
    }
  check_free (check);
}

/* Same, and lets the next waiting check go. */
static void
finish (Check  *check,
        GError *error)
{
  OfAuth *auth = check->auth;

  complete (check, error);
  if (auth)
    start_checks (auth);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Check *check = user_data;
  g_autoptr(PolkitAuthorizationResult) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  if (answer == NULL)
    {
      g_debug ("polkit check of %s for %s failed: %s", check->action_id, check->sender, error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          finish (check, g_steal_pointer (&error));
          return;
        }
      /* A full bus is worth retrying, unlike a refusal: say which it is. */
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED))
        {
          g_dbus_error_strip_remote_error (error);
          finish (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                      "Authorization check not possible now: %s", error->message));
          return;
        }
      /* The caller wants polkit's reason, not GDBus's wrapping of it. */
      g_dbus_error_strip_remote_error (error);
      finish (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                  "Authorization check failed: %s", error->message));
      return;
    }

  if (polkit_authorization_result_get_is_authorized (answer))
    {
      g_debug ("%s authorized for %s", check->action_id, check->sender);
      finish (check, NULL);
    }
  else if (polkit_authorization_result_get_is_challenge (answer) && !check->interactive)
    {
      g_debug ("%s needs interactive authorization for %s", check->action_id, check->sender);
      finish (check, g_error_new (OF_ERROR, OF_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                  "Interactive authentication required for %s", check->action_id));
    }
  else
    {
      g_debug ("%s not authorized for %s", check->action_id, check->sender);
      finish (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                  "Not authorized for %s", check->action_id));
    }
}

static void
start_checks (OfAuth *auth)
{
  Check *check;

  if (auth->connecting)
    return;
  while (g_list_length (auth->in_flight) < MAX_CHECKS_IN_FLIGHT &&
         (check = g_queue_pop_head (&auth->waiting)) != NULL)
    {
      g_autoptr(PolkitSubject) subject = NULL;
      PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

      auth->in_flight = g_list_prepend (auth->in_flight, check);
      if (auth->authority == NULL)
        {
          complete (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                        "Authorization check failed: %s", auth->authority_error));
          continue;
        }
      if (check->interactive)
        flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

      g_debug ("Asking polkit whether %s may %s%s", check->sender, check->action_id,
               check->interactive ? " (interactive)" : "");
      subject = polkit_system_bus_name_new (check->sender);
      polkit_authority_check_authorization (auth->authority, subject, check->action_id, NULL,
                                            flags, check->cancellable, check_done, check);
    }
}

static void
authority_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PolkitAuthority *authority;
  OfAuth *auth = user_data;

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
  start_checks (auth);
}

/* A caller that left the bus no longer needs an answer: its checks stop
 * holding places in polkitd and in our queue. */
static void
on_name_owner_changed (GDBusConnection *connection,
                       const char      *sender_name,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  OfAuth *auth = user_data;
  const char *name, *old_owner, *new_owner;

  (void) connection; (void) sender_name; (void) object_path; (void) interface_name; (void) signal_name;
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (name[0] != ':' || *new_owner != '\0' || !g_hash_table_contains (auth->per_sender, name))
    return;

  g_debug ("%s left the bus: dropping its authorization checks", name);
  /* Those polkitd is working on are answered now, but keep their place
   * until polkitd replies: the bus counts the call as pending until then,
   * and cancelling here would let more calls in than it allows. */
  for (GList *l = auth->in_flight; l; l = l->next)
    {
      Check *check = l->data;
      if (check->task && g_str_equal (check->sender, name))
        {
          g_task_return_new_error (check->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s left the bus", name);
          g_clear_object (&check->task);
        }
    }
  for (GList *l = auth->waiting.head; l;)
    {
      Check *check = l->data;
      GList *next = l->next;

      if (g_str_equal (check->sender, name))
        {
          g_queue_delete_link (&auth->waiting, l);
          complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s left the bus", name));
        }
      l = next;
    }
}

OfAuth *
of_auth_new (GDBusConnection *bus)
{
  OfAuth *auth = g_new0 (OfAuth, 1);

  g_queue_init (&auth->waiting);
  auth->per_sender = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  auth->bus = g_object_ref (bus);
  auth->name_owner_changed_id =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                        "NameOwnerChanged", "/org/freedesktop/DBus", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, auth, NULL);
  /* Connected in the background: start-up does not wait for polkit, and
   * checks asked meanwhile wait for the connection. */
  auth->cancellable = g_cancellable_new ();
  auth->connecting = TRUE;
  polkit_authority_get_async (auth->cancellable, authority_ready, auth);
  return auth;
}

void
of_auth_free (OfAuth *auth)
{
  Check *check;

  if (auth == NULL)
    return;
  g_dbus_connection_signal_unsubscribe (auth->bus, auth->name_owner_changed_id);
  g_cancellable_cancel (auth->cancellable);
  /* Checks still with polkitd end later, without us. */
  for (GList *l = auth->in_flight; l; l = l->next)
    {
      check = l->data;
      check->auth = NULL;
      g_cancellable_cancel (check->cancellable);
    }
  g_list_free (auth->in_flight);
  while ((check = g_queue_pop_head (&auth->waiting)) != NULL)
    {
      check->auth = NULL;
      complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
    }
  g_hash_table_unref (auth->per_sender);
  g_clear_object (&auth->cancellable);
  g_clear_object (&auth->authority);
  g_clear_object (&auth->bus);
  g_free (auth->authority_error);
  g_free (auth);
}

void
of_auth_check_async (OfAuth                *auth,
                     GDBusMethodInvocation *invocation,
                     const char            *action_id,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  guint pending = GPOINTER_TO_UINT (g_hash_table_lookup (auth->per_sender, sender));
  Check *check;

  check = g_new0 (Check, 1);
  check->auth = auth;
  check->task = g_task_new (NULL, cancellable, callback, user_data);
  check->cancellable = g_cancellable_new ();
  check->action_id = g_strdup (action_id);
  check->sender = g_strdup (sender);
  check->interactive = (g_dbus_message_get_flags (message) &
                        G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;

  if (pending >= MAX_CHECKS_PER_SENDER)
    {
      g_task_return_new_error (check->task, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                               "Too many authorization requests pending for %s", sender);
      check_free (check);
      return;
    }
  g_hash_table_insert (auth->per_sender, g_strdup (sender), GUINT_TO_POINTER (pending + 1));
  g_queue_push_tail (&auth->waiting, check);
  start_checks (auth);
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
