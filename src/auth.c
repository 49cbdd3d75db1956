/* auth.c — see auth.h.
 *
 * polkitd is asked over the bus directly (CheckAuthorization with a
 * system-bus-name subject, as polkit_system_bus_name_new() builds it), the
 * way systemd's bus-polkit.c does: libpolkit-gobject would add nothing we
 * use, but its dependencies (libsystemd, libgcrypt, three compression
 * libraries) cost a megabyte of resident memory and half of the start-up
 * time (see the README's benchmarks). */
#include "auth.h"

#include "errors.h"

#define POLKIT_BUS_NAME  "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
/* CheckAuthorizationFlags.AllowUserInteraction */
#define POLKIT_ALLOW_USER_INTERACTION 0x1u

/* polkitd is asked at most this many questions at once: the bus refuses a
 * connection more than 128 pending replies, and a flood must not starve
 * polkitd.  The rest wait their turn, in order. */
#define MAX_CHECKS_IN_FLIGHT 32
/* Questions one caller may have pending (the system bus's own default
 * limit of calls in progress): beyond, LimitsExceeded at once rather
 * than a queue that grows without bound. */
#define MAX_CHECKS_PER_SENDER 128
/* A non-interactive answer is polkitd's rules only: if it takes longer
 * than this, polkitd is stuck.  An interactive one waits for a person. */
#define CHECK_TIMEOUT_MS (25 * 1000)

typedef struct _Check Check;

struct _OfAuth {
  GDBusConnection *bus;
  guint            name_owner_changed_id;
  guint64          next_cancellation_id;
  gboolean         polkit_missing_reported;
  gboolean         stopping;
  GQueue           waiting;          /* Checks not asked yet, in order */
  GList           *in_flight;        /* Checks polkitd is answering */
  GHashTable      *per_sender;       /* sender → number of pending Checks */
};

struct _Check {
  OfAuth       *auth;             /* NULL once the OfAuth is gone */
  GTask        *task;             /* NULL once answered (the caller left) */
  char         *action_id;
  char         *sender;
  char         *cancellation_id;  /* for polkitd's CancelCheckAuthorization */
  gboolean      interactive;
};

static void start_checks (OfAuth *auth);

static void
check_free (Check *check)
{
  g_clear_object (&check->task);
  g_free (check->action_id);
  g_free (check->sender);
  g_free (check->cancellation_id);
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

/* Asks polkitd to drop a check it is still working on (an authentication
 * dialog nobody will answer); its reply to the check then comes soon. */
static void
cancel_with_polkitd (GDBusConnection *bus,
                     Check           *check)
{
  g_debug ("Cancelling the polkit check of %s for %s", check->action_id, check->sender);
  g_dbus_connection_call (bus, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                          "CancelCheckAuthorization", g_variant_new ("(s)", check->cancellation_id),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static gboolean
is_polkit_unreachable (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Check *check = user_data;
  OfAuth *auth = check->auth;
  g_autoptr(GVariant) answer = NULL;
  g_autoptr(GError) error = NULL;
  gboolean authorized, challenge;

  answer = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (answer == NULL)
    {
      g_debug ("polkit check of %s for %s failed: %s", check->action_id, check->sender, error->message);
      /* A full bus is worth retrying, unlike a refusal: say which it is. */
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED))
        {
          g_dbus_error_strip_remote_error (error);
          finish (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                      "Authorization check not possible now: %s", error->message));
          return;
        }
      /* Without polkit nobody is authorized, and the admin should know
       * why (once, not once per refused call). */
      if (auth && is_polkit_unreachable (error) && !auth->polkit_missing_reported)
        {
          g_warning ("polkit is not available, every change is refused: %s", error->message);
          auth->polkit_missing_reported = TRUE;
        }
      /* The caller wants polkit's reason, not GDBus's wrapping of it. */
      g_dbus_error_strip_remote_error (error);
      finish (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                  "Authorization check failed: %s", error->message));
      return;
    }

  if (auth)
    auth->polkit_missing_reported = FALSE;
  g_variant_get (answer, "((bb@a{ss}))", &authorized, &challenge, NULL);
  if (authorized)
    {
      g_debug ("%s authorized for %s", check->action_id, check->sender);
      finish (check, NULL);
    }
  else if (challenge && !check->interactive)
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

  while (g_list_length (auth->in_flight) < MAX_CHECKS_IN_FLIGHT &&
         (check = g_queue_pop_head (&auth->waiting)) != NULL)
    {
      GVariantBuilder subject_details;

      auth->in_flight = g_list_prepend (auth->in_flight, check);
      check->cancellation_id = g_strdup_printf ("offlinefiles-%" G_GUINT64_FORMAT, ++auth->next_cancellation_id);
      g_debug ("Asking polkit whether %s may %s%s", check->sender, check->action_id,
               check->interactive ? " (interactive)" : "");
      g_variant_builder_init (&subject_details, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&subject_details, "{sv}", "name", g_variant_new_string (check->sender));
      /* Not cancellable on our side: the bus counts the call as pending
       * until polkitd replies, so the check keeps its place until then. */
      g_dbus_connection_call (auth->bus, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                              "CheckAuthorization",
                              g_variant_new ("((s@a{sv})s@a{ss}us)",
                                             "system-bus-name", g_variant_builder_end (&subject_details),
                                             check->action_id,
                                             g_variant_new_array (G_VARIANT_TYPE ("{ss}"), NULL, 0),
                                             check->interactive ? POLKIT_ALLOW_USER_INTERACTION : 0u,
                                             check->cancellation_id),
                              G_VARIANT_TYPE ("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE,
                              check->interactive ? G_MAXINT : CHECK_TIMEOUT_MS,
                              NULL, check_done, check);
    }
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
   * and forgetting it here would let more calls in than it allows.  An
   * interactive one could wait for a person forever: polkitd drops it. */
  for (GList *l = auth->in_flight; l; l = l->next)
    {
      Check *check = l->data;
      if (check->task && g_str_equal (check->sender, name))
        {
          g_task_return_new_error (check->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s left the bus", name);
          g_clear_object (&check->task);
          if (check->interactive)
            cancel_with_polkitd (auth->bus, check);
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
  return auth;
}

void
of_auth_free (OfAuth *auth)
{
  Check *check;

  if (auth == NULL)
    return;
  if (auth->name_owner_changed_id != 0)
    g_dbus_connection_signal_unsubscribe (auth->bus, auth->name_owner_changed_id);
  /* Checks still with polkitd end later, without us: their callers are
   * told when polkitd answers (the service stops only after that). */
  for (GList *l = auth->in_flight; l; l = l->next)
    {
      check = l->data;
      check->auth = NULL;
      if (check->interactive)
        cancel_with_polkitd (auth->bus, check);
    }
  g_list_free (auth->in_flight);
  while ((check = g_queue_pop_head (&auth->waiting)) != NULL)
    {
      check->auth = NULL;
      complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
    }
  g_hash_table_unref (auth->per_sender);
  g_clear_object (&auth->bus);
  g_free (auth);
}

void
of_auth_stop (OfAuth *auth)
{
  Check *check;

  while ((check = g_queue_pop_head (&auth->waiting)) != NULL)
    complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
  for (GList *l = auth->in_flight; l; l = l->next)
    {
      check = l->data;
      if (check->interactive)
        cancel_with_polkitd (auth->bus, check);
    }
  auth->stopping = TRUE;
}

gboolean
of_auth_is_busy (OfAuth *auth)
{
  return auth->in_flight != NULL;
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
  check->action_id = g_strdup (action_id);
  check->sender = g_strdup (sender);
  check->interactive = (g_dbus_message_get_flags (message) &
                        G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;

  if (auth->stopping)
    {
      g_task_return_new_error (check->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping");
      check_free (check);
      return;
    }
  if (pending >= MAX_CHECKS_PER_SENDER)
    {
      g_task_return_new_error (check->task, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                               "Too many authorization requests pending for %s", sender);
      check_free (check);
      return;
    }
  /* Subscribed with the first check, not at start-up, where every match
   * rule delays taking the bus name.  The bus has it before polkitd can
   * answer this check; a caller gone even sooner only costs polkitd an
   * error for a name it cannot find. */
  if (auth->name_owner_changed_id == 0)
    auth->name_owner_changed_id =
      g_dbus_connection_signal_subscribe (auth->bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                          "NameOwnerChanged", "/org/freedesktop/DBus", NULL,
                                          G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, auth, NULL);
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
