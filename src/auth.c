/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth.c — see auth.h.
 *
 * polkitd is asked over the bus directly (CheckAuthorization with a
 * system-bus-name subject, as polkit_system_bus_name_new() builds it), the
 * way systemd's bus-polkit.c does: libpolkit-gobject would add nothing we
 * use, but its dependencies (libsystemd, libgcrypt, three compression
 * libraries) cost a megabyte of resident memory and half of the start-up
 * time (see the README's benchmarks). */
#include "auth.h"

#include <stdlib.h>

#include "errors.h"

#define POLKIT_BUS_NAME  "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
/* CheckAuthorizationFlags.AllowUserInteraction */
#define POLKIT_ALLOW_USER_INTERACTION 0x1u

/* polkitd is asked at most this many non-interactive questions at once:
 * the bus refuses a connection more than 128 pending replies, and a flood
 * must not starve polkitd.  The rest wait their turn, in order. */
#define MAX_PLAIN_IN_FLIGHT 32
/* Interactive questions have places of their own (so they never hold up
 * the others); beyond them, LimitsExceeded at once, never a queue behind
 * dialogs nobody may answer. */
#define MAX_INTERACTIVE_IN_FLIGHT 64
/* A non-interactive answer is polkitd's rules only: if it takes longer
 * than this, polkitd is stuck. */
#define CHECK_TIMEOUT_MS (25 * 1000)

typedef struct _Check Check;

struct _OfAuth {
  GDBusConnection *bus;
  guint            name_owner_changed_id;
  guint64          next_cancellation_id;
  guint            interactive_timeout_ms;
  gboolean         polkit_missing_reported;
  gboolean         stopping;
  GList           *resolving;        /* Checks waiting for their caller's uid */
  GQueue           waiting;          /* non-interactive Checks not asked yet, in order */
  GList           *in_flight;        /* Checks polkitd is answering */
  guint            n_plain_in_flight;
  guint            n_interactive_in_flight;
  GHashTable      *uids;             /* sender → uid + 1, callers seen */
  GHashTable      *per_uid;          /* uid + 1 → admitted Checks not completed */
};

struct _Check {
  OfAuth       *auth;             /* NULL once the OfAuth is gone */
  GTask        *task;             /* NULL once answered */
  char         *sender;
  gboolean      interactive;
  /* What to ask: action_id, or one of the two by the caller's uid. */
  char         *action_id;
  gboolean      by_owner;
  uid_t         owner_uid;
  char         *own_action;
  char         *other_action;
  GVariant     *details;          /* a{ss} */
  uid_t         uid;
  gboolean      admitted;         /* counted in per_uid */
  gboolean      asked;            /* in in_flight */
  char         *cancellation_id;  /* for polkitd's CancelCheckAuthorization */
  GSource      *deadline;         /* interactive only */
};

static void start_checks (OfAuth *auth);

static void
check_free (Check *check)
{
  if (check->deadline != NULL)
    {
      g_source_destroy (check->deadline);
      g_source_unref (check->deadline);
    }
  g_clear_object (&check->task);
  g_free (check->sender);
  g_free (check->action_id);
  g_free (check->own_action);
  g_free (check->other_action);
  g_clear_pointer (&check->details, g_variant_unref);
  g_free (check->cancellation_id);
  g_free (check);
}

/* Tells the caller, once; the check itself may live on (polkitd still
 * has it). */
static void
answer (Check  *check,
        GError *error)  /* taken; NULL: authorized */
{
  if (check->task == NULL)
    g_clear_error (&error);  /* answered already, or the caller left */
  else if (error)
    g_task_return_error (check->task, error);
  else
    g_task_return_boolean (check->task, TRUE);
  g_clear_object (&check->task);
}

static void
forget_admitted (OfAuth *auth,
                 Check  *check)
{
  gpointer key = GUINT_TO_POINTER (check->uid + 1);
  guint pending = GPOINTER_TO_UINT (g_hash_table_lookup (auth->per_uid, key));

  if (pending <= 1)
    g_hash_table_remove (auth->per_uid, key);
  else
    g_hash_table_insert (auth->per_uid, key, GUINT_TO_POINTER (pending - 1));
}

/* Answers the caller (if not yet) and forgets the check. */
static void
complete (Check  *check,
          GError *error)  /* taken; NULL: authorized */
{
  OfAuth *auth = check->auth;

  answer (check, error);
  if (auth)
    {
      if (check->asked)
        {
          auth->in_flight = g_list_remove (auth->in_flight, check);
          if (check->interactive)
            auth->n_interactive_in_flight--;
          else
            auth->n_plain_in_flight--;
        }
      if (check->admitted)
        forget_admitted (auth, check);
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

/* A person did not answer in time: the caller hears so now, polkitd
 * drops the dialog, and the check ends when polkitd confirms. */
static gboolean
on_deadline (gpointer user_data)
{
  Check *check = user_data;

  g_clear_pointer (&check->deadline, g_source_unref);
  g_debug ("Interactive check of %s for %s timed out", check->action_id, check->sender);
  answer (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                              "Not authorized for %s: authentication timed out", check->action_id));
  if (check->auth)
    cancel_with_polkitd (check->auth->bus, check);
  return G_SOURCE_REMOVE;
}

static void
ask_polkitd (OfAuth *auth,
             Check  *check)
{
  GVariantBuilder subject_details;

  check->asked = TRUE;
  auth->in_flight = g_list_prepend (auth->in_flight, check);
  if (check->interactive)
    auth->n_interactive_in_flight++;
  else
    auth->n_plain_in_flight++;
  check->cancellation_id = g_strdup_printf ("offlinefiles-%" G_GUINT64_FORMAT, ++auth->next_cancellation_id);
  g_debug ("Asking polkit whether %s (uid %u) may %s%s", check->sender, (guint) check->uid,
           check->action_id, check->interactive ? " (interactive)" : "");
  g_variant_builder_init (&subject_details, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&subject_details, "{sv}", "name", g_variant_new_string (check->sender));
  /* Not cancellable on our side: the bus counts the call as pending
   * until polkitd replies, so the check keeps its place until then. */
  g_dbus_connection_call (auth->bus, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                          "CheckAuthorization",
                          g_variant_new ("((s@a{sv})s@a{ss}us)",
                                         "system-bus-name", g_variant_builder_end (&subject_details),
                                         check->action_id, check->details,
                                         check->interactive ? POLKIT_ALLOW_USER_INTERACTION : 0u,
                                         check->cancellation_id),
                          G_VARIANT_TYPE ("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE,
                          check->interactive ? G_MAXINT : CHECK_TIMEOUT_MS,
                          NULL, check_done, check);
  if (check->interactive)
    {
      check->deadline = g_timeout_source_new (auth->interactive_timeout_ms);
      g_source_set_callback (check->deadline, on_deadline, check, NULL);
      g_source_attach (check->deadline, g_main_context_get_thread_default ());
    }
}

static void
start_checks (OfAuth *auth)
{
  Check *check;

  while (auth->n_plain_in_flight < MAX_PLAIN_IN_FLIGHT &&
         (check = g_queue_pop_head (&auth->waiting)) != NULL)
    ask_polkitd (auth, check);
}

/* The caller's uid is known: choose the action, count it against the
 * user's places, and ask (or queue, or refuse). */
static void
admit (OfAuth *auth,
       Check  *check)
{
  guint pending;

  if (check->by_owner)
    check->action_id = g_strdup (check->uid == check->owner_uid ? check->own_action : check->other_action);
  if (check->action_id == NULL)
    {
      g_debug ("%s owns what it asks for: no check needed", check->sender);
      complete (check, NULL);
      return;
    }
  pending = GPOINTER_TO_UINT (g_hash_table_lookup (auth->per_uid, GUINT_TO_POINTER (check->uid + 1)));
  /* Root is not limited: its checks are answered at once by polkitd,
   * and root's own scripts may well run many in parallel. */
  if ((check->uid != 0 && pending >= OF_AUTH_MAX_PENDING_PER_UID) ||
      (check->interactive && auth->n_interactive_in_flight >= MAX_INTERACTIVE_IN_FLIGHT))
    {
      complete (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                    "Too many authorization requests pending for uid %u; try again later",
                                    (guint) check->uid));
      return;
    }
  g_hash_table_insert (auth->per_uid, GUINT_TO_POINTER (check->uid + 1), GUINT_TO_POINTER (pending + 1));
  check->admitted = TRUE;
  if (check->interactive)
    ask_polkitd (auth, check);
  else
    {
      g_queue_push_tail (&auth->waiting, check);
      start_checks (auth);
    }
}

static void
uid_known (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Check *check = user_data;
  OfAuth *auth = check->auth;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 uid;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (auth == NULL || check->task == NULL)
    {
      /* The service stopped, or the caller left, meanwhile. */
      if (auth)
        auth->resolving = g_list_remove (auth->resolving, check);
      complete (check, NULL);
      return;
    }
  auth->resolving = g_list_remove (auth->resolving, check);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      complete (check, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                    "Cannot tell who %s is: %s", check->sender, error->message));
      return;
    }
  g_variant_get (reply, "(u)", &uid);
  g_hash_table_insert (auth->uids, g_strdup (check->sender), GUINT_TO_POINTER (uid + 1));
  check->uid = uid;
  admit (auth, check);
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
  if (name[0] != ':' || *new_owner != '\0' || !g_hash_table_remove (auth->uids, name))
    {
      /* Not one we know (a caller whose uid is still being asked for is
       * handled when that answer comes). */
      for (GList *l = auth->resolving; l; l = l->next)
        {
          Check *check = l->data;
          if (name[0] == ':' && *new_owner == '\0' && g_str_equal (check->sender, name))
            answer (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s left the bus", name));
        }
      return;
    }

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
          answer (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s left the bus", name));
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
  const char *timeout = g_getenv ("OFFLINEFILES_AUTH_INTERACTIVE_TIMEOUT_MS");
  guint64 ms;

  g_queue_init (&auth->waiting);
  auth->uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  auth->per_uid = g_hash_table_new (g_direct_hash, g_direct_equal);
  auth->bus = g_object_ref (bus);
  auth->interactive_timeout_ms = OF_AUTH_INTERACTIVE_TIMEOUT_MS;
  if (timeout != NULL && g_ascii_string_to_unsigned (timeout, 10, 1, G_MAXUINT, &ms, NULL))
    auth->interactive_timeout_ms = (guint) ms;
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
  /* Checks still with polkitd (or with the bus, for the uid) end later,
   * without us: their callers are told now or when polkitd answers (the
   * service stops only after that). */
  for (GList *l = auth->in_flight; l; l = l->next)
    {
      check = l->data;
      check->auth = NULL;
      if (check->interactive)
        cancel_with_polkitd (auth->bus, check);
    }
  g_list_free (auth->in_flight);
  for (GList *l = auth->resolving; l; l = l->next)
    {
      check = l->data;
      check->auth = NULL;
      answer (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
    }
  g_list_free (auth->resolving);
  while ((check = g_queue_pop_head (&auth->waiting)) != NULL)
    {
      check->auth = NULL;
      complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
    }
  g_hash_table_unref (auth->uids);
  g_hash_table_unref (auth->per_uid);
  g_clear_object (&auth->bus);
  g_free (auth);
}

void
of_auth_stop (OfAuth *auth)
{
  Check *check;

  while ((check = g_queue_pop_head (&auth->waiting)) != NULL)
    complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
  for (GList *l = auth->resolving; l; l = l->next)
    answer (l->data, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
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
  return auth->in_flight != NULL || auth->resolving != NULL;
}

static GVariant *
details_variant (const char * const *details)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; details != NULL && details[i] != NULL && details[i + 1] != NULL; i += 2)
    g_variant_builder_add (&builder, "{ss}", details[i], details[i + 1]);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
start_check (OfAuth *auth,
             Check  *check)
{
  gpointer cached;

  if (auth->stopping)
    {
      complete (check, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The service is stopping"));
      return;
    }
  /* Subscribed with the first check, not at start-up, where every match
   * rule delays taking the bus name.  The bus has it before it can answer
   * the uid lookup below; a caller gone even sooner only costs an error. */
  if (auth->name_owner_changed_id == 0)
    auth->name_owner_changed_id =
      g_dbus_connection_signal_subscribe (auth->bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                          "NameOwnerChanged", "/org/freedesktop/DBus", NULL,
                                          G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, auth, NULL);
  cached = g_hash_table_lookup (auth->uids, check->sender);
  if (cached != NULL)
    {
      check->uid = GPOINTER_TO_UINT (cached) - 1;
      admit (auth, check);
      return;
    }
  /* The bus knows who the caller is; polkitd's answer depends on it, and
   * so do the per-user places. */
  auth->resolving = g_list_prepend (auth->resolving, check);
  g_dbus_connection_call (auth->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetConnectionUnixUser", g_variant_new ("(s)", check->sender),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, CHECK_TIMEOUT_MS,
                          NULL, uid_known, check);
}

static Check *
check_new (OfAuth                *auth,
           GDBusMethodInvocation *invocation,
           const char * const    *details,
           GCancellable          *cancellable,
           GAsyncReadyCallback    callback,
           gpointer               user_data)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  Check *check = g_new0 (Check, 1);

  check->auth = auth;
  check->task = g_task_new (NULL, cancellable, callback, user_data);
  check->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  check->details = details_variant (details);
  check->interactive = (g_dbus_message_get_flags (message) &
                        G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION) != 0;
  return check;
}

void
of_auth_check_async (OfAuth                *auth,
                     GDBusMethodInvocation *invocation,
                     const char            *action_id,
                     const char * const    *details,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  Check *check = check_new (auth, invocation, details, cancellable, callback, user_data);

  check->action_id = g_strdup (action_id);
  start_check (auth, check);
}

void
of_auth_check_owner_async (OfAuth                *auth,
                           GDBusMethodInvocation *invocation,
                           uid_t                  owner_uid,
                           const char            *own_action,
                           const char            *other_action,
                           const char * const    *details,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  Check *check = check_new (auth, invocation, details, cancellable, callback, user_data);

  check->by_owner = TRUE;
  check->owner_uid = owner_uid;
  check->own_action = g_strdup (own_action);
  check->other_action = g_strdup (other_action);
  start_check (auth, check);
}

void
of_auth_check_share_async (OfAuth                *auth,
                           GDBusMethodInvocation *invocation,
                           const char            *share,
                           const char            *share_user,
                           uid_t                  owner_uid,
                           const char            *own_action,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  const char *details[] = { "share", share, "share_user", share_user, NULL };

  of_auth_check_owner_async (auth, invocation, owner_uid, own_action, OF_ACTION_MANAGE_SHARES, details, NULL,
                             callback, user_data);
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
