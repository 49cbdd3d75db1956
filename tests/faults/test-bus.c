/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-bus.c — bus abuse (fault injection): 200 concurrent
 * clients doing Get/Set/Configure, clients that disconnect mid-call and
 * mid-authorization, a client that never reads its replies, wrong types
 * and wrong signatures on every method, SyncNow storms.
 *
 * The daemon must stay responsive: a prober measures Get latency before,
 * during and after (printed as p50/p99/max; every Get must be answered
 * within GET_LIMIT_MS), and its RSS must come back to within 2 MiB of the
 * baseline after a settle period (both printed). */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

#if defined(__SANITIZE_ADDRESS__)
#  define OF_UNDER_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define OF_UNDER_ASAN 1
#  endif
#endif

#define BUS_NAME "org.offlinefiles.BackgroundSync"
#define OBJECT_PATH "/org/offlinefiles/BackgroundSync"
#define IFACE "org.offlinefiles.BackgroundSync"
#define N_CLIENTS 200
#define N_DISCONNECTERS 50
#define N_SLOW 10
#define N_SYNC_NOW 500
#define N_UNREAD_CALLS 20000
#define GET_LIMIT_MS 5000
#define RSS_SLACK_KIB 2048
#define SETTLE_S 3

typedef struct {
  char     *address;
  gint      stop;
  GArray   *latencies;  /* gint64 µs */
  guint     failures;
  char     *first_failure;
} Prober;

static GDBusConnection *
new_client (const char *address)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *conn =
    g_dbus_connection_new_for_address_sync (address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

static gboolean
timed_get (GDBusConnection *conn, gint64 *took, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  gint64 before = g_get_monotonic_time ();

  reply = g_dbus_connection_call_sync (conn, BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", IFACE, "SyncInterval"), G_VARIANT_TYPE ("(v)"),
                                       G_DBUS_CALL_FLAGS_NONE, GET_LIMIT_MS, NULL, error);
  *took = g_get_monotonic_time () - before;
  return reply != NULL;
}

static void
probe_once (Prober *prober, GDBusConnection *conn)
{
  g_autoptr(GError) error = NULL;
  gint64 took;

  if (timed_get (conn, &took, &error))
    g_array_append_val (prober->latencies, took);
  else
    {
      prober->failures++;
      if (prober->first_failure == NULL)
        prober->first_failure = g_strdup (error->message);
    }
}

static gpointer
prober_thread (gpointer data)
{
  Prober *prober = data;
  g_autoptr(GDBusConnection) conn = new_client (prober->address);

  while (!g_atomic_int_get (&prober->stop))
    {
      probe_once (prober, conn);
      g_usleep (2000);
    }
  g_dbus_connection_close_sync (conn, NULL, NULL);
  return NULL;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *values, double p)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_gint64);
  return g_array_index (values, gint64, MIN (values->len - 1, (guint) (p * values->len)));
}

static void
report_phase (const char *phase, Prober *prober)
{
  g_test_message ("Get latency %-6s: %u Gets, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %u failed%s%s",
                  phase, prober->latencies->len,
                  percentile (prober->latencies, 0.50) / 1e3, percentile (prober->latencies, 0.99) / 1e3,
                  percentile (prober->latencies, 1.0) / 1e3, prober->failures,
                  prober->first_failure ? ": " : "", prober->first_failure ? prober->first_failure : "");
}

static void
prober_clear (Prober *prober)
{
  g_array_set_size (prober->latencies, 0);
  prober->failures = 0;
  g_clear_pointer (&prober->first_failure, g_free);
  g_atomic_int_set (&prober->stop, 0);
}

static guint
rss_kib (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

/* ---- async call accounting ---- */

typedef struct {
  guint pending;
  guint ok;
  guint errors;
  guint no_reply;     /* timed out or dropped: the daemon did not answer */
  GHashTable *error_names;  /* name → count */
  guint64 max_id;
  char *first_error;
} Tally;

static void
tally_init (Tally *tally)
{
  memset (tally, 0, sizeof *tally);
  tally->error_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
tally_error (Tally *tally, const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);
  const char *key = name ? name : error->message;

  tally->errors++;
  if (tally->first_error == NULL)
    tally->first_error = g_strdup (error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT))
    tally->no_reply++;
  g_hash_table_insert (tally->error_names, g_strdup (key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (tally->error_names, key)) + 1));
}

static char *
tally_errors_string (Tally *tally)
{
  GString *s = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, tally->error_names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (s, "%s%s ×%u", s->len ? ", " : "", (const char *) key, GPOINTER_TO_UINT (value));
  return g_string_free (s, FALSE);
}

static void
call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Tally *tally = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  tally->pending--;
  if (reply)
    {
      tally->ok++;
      if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(t)")))
        {
          guint64 id;
          g_variant_get (reply, "(t)", &id);
          tally->max_id = MAX (tally->max_id, id);
        }
    }
  else
    tally_error (tally, error);
}

static void
message_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Tally *tally = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusMessage) reply =
    g_dbus_connection_send_message_with_reply_finish (G_DBUS_CONNECTION (source), result, &error);

  tally->pending--;
  if (reply == NULL)
    {
      tally_error (tally, error);
      return;
    }
  if (g_dbus_message_get_message_type (reply) == G_DBUS_MESSAGE_TYPE_ERROR)
    {
      const char *name = g_dbus_message_get_error_name (reply);
      tally->errors++;
      g_hash_table_insert (tally->error_names, g_strdup (name),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (tally->error_names, name)) + 1));
    }
  else
    tally->ok++;
}

static void
wait_tally (Tally *tally, guint timeout_s, const char *what)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (tally->pending > 0 && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (tally->pending > 0)
    g_error ("%s: %u calls still unanswered after %u s", what, tally->pending, timeout_s);
}

static void
call_async (GDBusConnection *conn, const char *path, const char *iface, const char *method,
            GVariant *params, Tally *tally)
{
  tally->pending++;
  g_dbus_connection_call (conn, BUS_NAME, path, iface, method, params, NULL, G_DBUS_CALL_FLAGS_NONE,
                          30000, NULL, call_done, tally);
}

/* ---- the abuses ---- */

static void
many_clients (OfHarness *harness)
{
  GDBusConnection *clients[N_CLIENTS];
  g_autofree char *errors = NULL;
  Tally tally;
  gint64 before = g_get_monotonic_time ();

  tally_init (&tally);
  for (guint i = 0; i < N_CLIENTS; i++)
    clients[i] = new_client (harness->bus_address);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      GVariantBuilder b;

      call_async (clients[i], OBJECT_PATH, "org.freedesktop.DBus.Properties", "Get",
                  g_variant_new ("(ss)", IFACE, "SyncVariance"), &tally);
      call_async (clients[i], OBJECT_PATH, "org.freedesktop.DBus.Properties", "Set",
                  g_variant_new ("(ssv)", IFACE, "SyncInterval", g_variant_new_uint16 (100 + i % 50)), &tally);
      g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "SyncVariance", g_variant_new_uint16 (i % 60));
      g_variant_builder_add (&b, "{sv}", "BlockOutDurationMin", g_variant_new_uint16 (i % 120));
      call_async (clients[i], OBJECT_PATH, IFACE, "Configure", g_variant_new ("(a{sv})", &b), &tally);
    }
  wait_tally (&tally, 120, "200 clients");
  errors = tally_errors_string (&tally);
  g_test_message ("%u clients × Get/Set/Configure: %u ok, %u errors (%s) in %.2f s%s%s", N_CLIENTS, tally.ok,
                  tally.errors, errors, (g_get_monotonic_time () - before) / 1e6,
                  tally.first_error ? "; first: " : "", tally.first_error ? tally.first_error : "");
  /* Root is always authorized: every call must succeed. */
  if (tally.ok != 3 * N_CLIENTS)
    g_test_fail_printf ("%u of %u calls from %u concurrent root clients failed (%s); first: %s",
                        tally.errors, 3 * N_CLIENTS, N_CLIENTS, errors, tally.first_error);
  g_clear_pointer (&tally.first_error, g_free);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_dbus_connection_close_sync (clients[i], NULL, NULL);
      g_object_unref (clients[i]);
    }
  g_hash_table_unref (tally.error_names);
}

/* Sends writes and hangs up before the answer (mid-call: while polkit is
 * asked or the file is written). */
static void
disconnect_mid_call (OfHarness *harness)
{
  for (guint i = 0; i < N_DISCONNECTERS; i++)
    {
      g_autoptr(GDBusConnection) conn = new_client (harness->bus_address);
      GVariantBuilder b;

      g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "SyncVariance", g_variant_new_uint16 (i % 60));
      g_dbus_connection_call (conn, BUS_NAME, OBJECT_PATH, IFACE, "Configure", g_variant_new ("(a{sv})", &b),
                              NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
      g_dbus_connection_call (conn, BUS_NAME, OBJECT_PATH, "org.freedesktop.DBus.Properties", "Set",
                              g_variant_new ("(ssv)", IFACE, "SyncInterval", g_variant_new_uint16 (200 + i)),
                              NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
      g_dbus_connection_call (conn, BUS_NAME, OBJECT_PATH, IFACE, "SyncNow", NULL,
                              NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
      g_dbus_connection_flush_sync (conn, NULL, NULL);
      if (i % 2)
        g_usleep (1000);
      g_dbus_connection_close_sync (conn, NULL, NULL);
    }
}

/* oftest-slow's checks take 2 s in polkit: killed while waiting. */
static GPtrArray *
start_slow_callers (OfHarness *harness)
{
  GPtrArray *slow = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < N_SLOW; i++)
    g_ptr_array_add (slow, of_harness_gdbus_as_async (harness, OF_TEST_USER_SLOW,
                                                     "--method=org.freedesktop.DBus.Properties.Set",
                                                     IFACE, "SyncInterval", "<uint16 7>", NULL));
  return slow;
}

static void
kill_slow_callers (GPtrArray *slow)
{
  for (guint i = 0; i < slow->len; i++)
    {
      g_subprocess_force_exit (slow->pdata[i]);
      g_subprocess_wait (slow->pdata[i], NULL, NULL);
    }
  g_ptr_array_unref (slow);
}

static void
append_blob (GByteArray *out, GDBusMessage *message, guint32 serial)
{
  g_autoptr(GError) error = NULL;
  g_autofree guchar *blob = NULL;
  gsize size;

  g_dbus_message_set_serial (message, serial);
  blob = g_dbus_message_to_blob (message, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_byte_array_append (out, blob, (guint) size);
}

/* A raw client that authenticates, says Hello and then sends method calls
 * without ever reading a byte.  Returns its socket (close it to end it). */
static int
start_non_reader (OfHarness *harness, guint *sent_calls)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_autofree char *socket_path = g_build_filename (harness->dir, "socket", NULL);
  g_autofree char *auth = g_strdup_printf ("%cAUTH EXTERNAL %s\r\n", 0, "30" /* hex of "0", uid 0 */);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GDBusMessage) hello = g_dbus_message_new_method_call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                                  "org.freedesktop.DBus", "Hello");
  char line[256];
  gsize offset = 0;
  guint calls = 0;
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ssize_t n;

  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (addr.sun_path, socket_path, sizeof addr.sun_path);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (write (fd, auth, 1 + strlen (auth + 1)), ==, (gssize) (1 + strlen (auth + 1)));
  n = read (fd, line, sizeof line - 1);
  g_assert_cmpint (n, >, 0);
  line[n] = '\0';
  g_assert_true (g_str_has_prefix (line, "OK "));
  g_assert_cmpint (write (fd, "BEGIN\r\n", 7), ==, 7);

  append_blob (out, hello, 1);
  for (guint i = 0; i < N_UNREAD_CALLS; i++)
    {
      g_autoptr(GDBusMessage) call = g_dbus_message_new_method_call (BUS_NAME, OBJECT_PATH,
                                                                     "org.freedesktop.DBus.Properties", "GetAll");
      g_dbus_message_set_body (call, g_variant_new ("(s)", IFACE));
      append_blob (out, call, 2 + i);
    }

  /* As much as the bus takes without blocking; the rest is dropped. */
  g_assert_cmpint (fcntl (fd, F_SETFL, O_NONBLOCK), ==, 0);
  while (offset < out->len)
    {
      n = write (fd, out->data + offset, out->len - offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      offset += (gsize) n;
    }
  /* Whole messages only are counted (an estimate: all calls are the same size). */
  calls = (guint) ((offset * (gsize) N_UNREAD_CALLS) / out->len);
  *sent_calls = calls;
  return fd;
}

typedef struct {
  const char *path;
  const char *iface;
  const char *method;
} Method;

static void
wrong_calls (OfHarness *harness)
{
  static const Method methods[] = {
    { OBJECT_PATH, IFACE, "Configure" },
    { OBJECT_PATH, IFACE, "SyncNow" },
    { OBJECT_PATH, IFACE, "Cancel" },
    { OBJECT_PATH, IFACE, "PreviewSchedule" },
    { OBJECT_PATH, IFACE, "NoSuchMethod" },
    { OBJECT_PATH, "org.freedesktop.DBus.Properties", "Get" },
    { OBJECT_PATH, "org.freedesktop.DBus.Properties", "Set" },
    { OBJECT_PATH, "org.freedesktop.DBus.Properties", "GetAll" },
    { OBJECT_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects" },
    { OBJECT_PATH, "org.freedesktop.DBus.Introspectable", "Introspect" },
    { OBJECT_PATH, "org.freedesktop.DBus.Peer", "Ping" },
    { OBJECT_PATH "/share/nosuch", "org.offlinefiles.Share", "Foo" },
    { OBJECT_PATH "/share/nosuch", "org.freedesktop.DBus.Properties", "Set" },
    { "/", IFACE, "Configure" },
  };
  /* A bus connection may wait for at most 128 replies (dbus-daemon's
   * max_replies_per_connection): a fresh connection every 100 calls. */
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);
  GDBusConnection *conn = NULL;
  g_autofree guchar *big = g_malloc0 (256 * 1024);
  g_autofree char *errors = NULL;
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GVariantBuilder b;
  Tally tally;
  guint expected = 0;

  tally_init (&tally);
#define BODY(v) g_ptr_array_add (bodies, g_variant_ref_sink (v))
  BODY (g_variant_new ("()"));
  BODY (g_variant_new ("(s)", IFACE));
  BODY (g_variant_new ("(u)", 5));
  BODY (g_variant_new ("(q)", 5));
  BODY (g_variant_new ("(ss)", IFACE, "SyncInterval"));
  BODY (g_variant_new ("(ssv)", IFACE, "SyncInterval", g_variant_new_string ("100")));
  BODY (g_variant_new ("(ssv)", IFACE, "SyncInterval", g_variant_new_variant (g_variant_new_uint16 (5))));
  BODY (g_variant_new ("(ssv)", "org.example.Nope", "SyncInterval", g_variant_new_uint16 (5)));
  BODY (g_variant_new ("(ssv)", "org.offlinefiles.Share", "WorkOffline", g_variant_new_boolean (TRUE)));
  BODY (g_variant_new ("(ss)", IFACE, ""));
  BODY (g_variant_new ("(a{ss})", NULL));
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "SyncInterval", g_variant_new_string ("60"));
  g_variant_builder_add (&b, "{sv}", "SyncVariance", g_variant_new_int32 (-1));
  BODY (g_variant_new ("(a{sv})", &b));
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *key = g_strdup_printf ("Unknown%u", i);
      g_variant_builder_add (&b, "{sv}", key, g_variant_new_uint16 (1));
    }
  BODY (g_variant_new ("(a{sv})", &b));
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "SyncInterval", g_variant_new_uint16 (60));
  g_variant_builder_add (&b, "{sv}", "SyncInterval", g_variant_new_uint16 (61));
  BODY (g_variant_new ("(a{sv})", &b));
  BODY (g_variant_new ("(@ay)", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, big, 256 * 1024, 1)));
  BODY (g_variant_new ("(tsst)", G_MAXUINT64, "", "x", (guint64) 0));
  BODY (g_variant_new ("(v)", g_variant_new ("(a{sv})", NULL)));
  BODY (g_variant_new ("(u)", G_MAXUINT32));
  BODY (g_variant_new ("(u)", 0));
#undef BODY

  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    for (guint i = 0; i < bodies->len; i++)
      {
        g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (BUS_NAME, methods[m].path,
                                                                          methods[m].iface, methods[m].method);
        g_dbus_message_set_body (message, bodies->pdata[i]);
        if (expected % 100 == 0)
          g_ptr_array_add (conns, conn = new_client (harness->bus_address));
        tally.pending++;
        expected++;
        g_dbus_connection_send_message_with_reply (conn, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, 30000,
                                                   NULL, NULL, message_done, &tally);
      }
  /* And a call with no body at all for each. */
  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (BUS_NAME, methods[m].path,
                                                                        methods[m].iface, methods[m].method);
      if (expected % 100 == 0)
        g_ptr_array_add (conns, conn = new_client (harness->bus_address));
      tally.pending++;
      expected++;
      g_dbus_connection_send_message_with_reply (conn, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, 30000,
                                                 NULL, NULL, message_done, &tally);
    }
  wait_tally (&tally, 60, "wrong calls");
  errors = tally_errors_string (&tally);
  g_test_message ("%u wrong-type/-signature calls to %u methods: %u answered with a return, %u with an error (%s)",
                  expected, (guint) G_N_ELEMENTS (methods), tally.ok, tally.errors, errors);
  g_assert_cmpuint (tally.no_reply, ==, 0);
  g_assert_cmpuint (tally.ok + tally.errors, ==, expected);
  g_ptr_array_unref (bodies);
  g_ptr_array_unref (conns);
  g_hash_table_unref (tally.error_names);
}

static void
sync_now_storm (OfHarness *harness)
{
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);
  GDBusConnection *conn = NULL;
  g_autofree char *errors = NULL;
  gint64 before = g_get_monotonic_time ();
  Tally tally;

  tally_init (&tally);
  /* 100 per connection: under the bus's 128 pending replies per caller. */
  for (guint i = 0; i < N_SYNC_NOW; i++)
    {
      if (i % 100 == 0)
        g_ptr_array_add (conns, conn = new_client (harness->bus_address));
      call_async (conn, OBJECT_PATH, IFACE, "SyncNow", NULL, &tally);
    }
  wait_tally (&tally, 120, "SyncNow storm");
  errors = tally_errors_string (&tally);
  g_test_message ("%u SyncNow: %u answered with an id (highest %" G_GUINT64_FORMAT "), %u errors (%s) in %.2f s",
                  N_SYNC_NOW, tally.ok, tally.max_id, tally.errors, errors, (g_get_monotonic_time () - before) / 1e6);
  if (tally.ok != N_SYNC_NOW)
    g_test_fail_printf ("%u of %u SyncNow from root failed (%s); first: %s", tally.errors, N_SYNC_NOW,
                        errors, tally.first_error);
  g_ptr_array_unref (conns);
  g_hash_table_unref (tally.error_names);
}

static void
test_abuse (void)
{
  g_autoptr(OfHarness) harness = NULL;
  Prober prober = { 0 };
  GThread *thread;
  GPtrArray *slow;
  guint rss_start, rss_base, rss_during, rss_after, unread = 0;
  int non_reader;
  gint64 t0;

  if (!of_harness_require_root ("run the real polkitd (writes must be authorized)"))
    return;
  harness = of_harness_new (TRUE);
  if (!of_harness_require_polkit (harness))
    return;
  of_harness_start_daemon (harness, NULL);
  prober.address = harness->bus_address;
  prober.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  rss_start = rss_kib (harness->daemon);

  /* Warm up every path once (thread pools, polkit connection, a save, a
   * sync), then the baseline. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_assert_true (of_harness_set (harness, "SyncInterval", g_variant_new_uint16 (99), &error));
    reply = of_harness_call (harness, IFACE, "SyncNow", NULL, G_DBUS_CALL_FLAGS_NONE, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < 500; i++)
    probe_once (&prober, harness->conn);
  g_usleep (SETTLE_S * G_USEC_PER_SEC);
  rss_base = rss_kib (harness->daemon);
  report_phase ("before", &prober);
  g_assert_cmpuint (prober.failures, ==, 0);
  prober_clear (&prober);

  /* During: everything at once, the prober on its own thread and connection. */
  t0 = g_get_monotonic_time ();
  thread = g_thread_new ("prober", prober_thread, &prober);
  non_reader = start_non_reader (harness, &unread);
  g_test_message ("a client that never reads sent about %u GetAll calls", unread);
  many_clients (harness);
  wrong_calls (harness);
  sync_now_storm (harness);
  slow = start_slow_callers (harness);
  g_usleep (300 * 1000);
  disconnect_mid_call (harness);
  kill_slow_callers (slow);   /* mid-authorization: polkit still holds their checks */
  many_clients (harness);
  rss_during = rss_kib (harness->daemon);
  g_atomic_int_set (&prober.stop, 1);
  g_thread_join (thread);
  close (non_reader);
  report_phase ("during", &prober);
  g_test_message ("abuse took %.1f s", (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpuint (prober.failures, ==, 0);
  prober_clear (&prober);

  /* After: settled. */
  g_usleep ((SETTLE_S + 2) * G_USEC_PER_SEC);
  for (guint i = 0; i < 500; i++)
    probe_once (&prober, harness->conn);
  report_phase ("after", &prober);
  g_assert_cmpuint (prober.failures, ==, 0);
  rss_after = rss_kib (harness->daemon);
  g_test_message ("daemon RSS: %u KiB at start, %u KiB baseline (warmed up), %u KiB during, %u KiB after "
                  "(%+d KiB against the baseline, limit +%d)",
                  rss_start, rss_base, rss_during, rss_after, (int) rss_after - (int) rss_base, RSS_SLACK_KIB);
  g_assert_nonnull (g_subprocess_get_identifier (harness->daemon));
  /* The daemon trims its heap a few seconds after each busy period (and
   * the probes just made one): give that time. */
  for (guint s = 0; s < 10 && rss_after > rss_base + RSS_SLACK_KIB; s++)
    {
      g_usleep (G_USEC_PER_SEC);
      rss_after = rss_kib (harness->daemon);
    }
  g_test_message ("daemon RSS %u KiB after up to 10 s more (%+d KiB against the baseline)",
                  rss_after, (int) rss_after - (int) rss_base);
#ifdef OF_UNDER_ASAN
  /* ASan's quarantine keeps freed memory: RSS says nothing here. */
  g_test_message ("RSS not judged under AddressSanitizer");
#else
  if (rss_after > rss_base + RSS_SLACK_KIB)
    g_test_fail_printf ("the daemon's RSS did not come back: %u KiB after the abuse, %u KiB baseline (limit +%d KiB)",
                        rss_after, rss_base, RSS_SLACK_KIB);
#endif
  g_assert_cmpint (of_harness_stop_daemon (harness), ==, 0);
  g_array_unref (prober.latencies);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/bus/abuse", test_abuse);
  return g_test_run ();
}
