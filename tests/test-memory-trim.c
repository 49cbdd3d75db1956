/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-memory-trim.c — the heap trimmer on a private session bus
 * (GTestDBus): nothing while idle, one trim per busy period, none after
 * it is freed. */
#include "memory-trim.h"

#include "main-context.h"

#define DELAY_S 1
/* Whole-second timeouts fire within the second after they are due (GLib
 * groups them), so a trim may come up to a second late. */
#define DUE_MS (DELAY_S * 1000 + 1500)

typedef struct {
  GTestDBus       *bus;
  GDBusConnection *watched;  /* the trimmer's */
  GDBusConnection *peer;     /* makes the traffic */
} Fixture;

static GDBusConnection *
connect_to (GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);
  fixture->watched = connect_to (fixture->bus);
  fixture->peer = connect_to (fixture->bus);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_dbus_connection_close_sync (fixture->peer, NULL, NULL);
  g_dbus_connection_close_sync (fixture->watched, NULL, NULL);
  g_clear_object (&fixture->peer);
  g_clear_object (&fixture->watched);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

/* @n round trips from the peer to the watched connection (GDBus answers
 * Peer.Ping itself, on its worker thread). */
static void
burst (Fixture *fixture, guint n)
{
  const char *name = g_dbus_connection_get_unique_name (fixture->watched);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GVariant *reply =
        g_dbus_connection_call_sync (fixture->peer, name, "/", "org.freedesktop.DBus.Peer", "Ping",
                                     NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
      g_variant_unref (reply);
    }
}

static void
test_idle (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfMemoryTrimmer) trimmer = of_memory_trimmer_new (fixture->watched, DELAY_S);

  (void) data;
  of_test_run_for (DELAY_S * 2500);
  g_assert_cmpuint (of_memory_trimmer_get_trims (trimmer), ==, 0);
}

static void
test_once_per_busy_period (Fixture *fixture, gconstpointer data)
{
  g_autoptr(OfMemoryTrimmer) trimmer = of_memory_trimmer_new (fixture->watched, DELAY_S);

  (void) data;
  burst (fixture, 300);
  of_test_run_for (DUE_MS);
  g_assert_cmpuint (of_memory_trimmer_get_trims (trimmer), ==, 1);
  /* Quiet: nothing more. */
  of_test_run_for (DELAY_S * 2000);
  g_assert_cmpuint (of_memory_trimmer_get_trims (trimmer), ==, 1);
  /* A second busy period, a second trim. */
  burst (fixture, 10);
  of_test_run_for (DUE_MS);
  g_assert_cmpuint (of_memory_trimmer_get_trims (trimmer), ==, 2);
}

static void
test_free_while_armed (Fixture *fixture, gconstpointer data)
{
  OfMemoryTrimmer *trimmer = of_memory_trimmer_new (fixture->watched, DELAY_S);

  (void) data;
  burst (fixture, 5);
  of_memory_trimmer_free (trimmer);
  /* The pending trim went with it (a use after free would show under
   * ASan and valgrind); traffic now meets no filter. */
  burst (fixture, 5);
  of_test_run_for (DUE_MS);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/memory-trim/idle", Fixture, NULL, setup, test_idle, teardown);
  g_test_add ("/memory-trim/once-per-busy-period", Fixture, NULL, setup, test_once_per_busy_period, teardown);
  g_test_add ("/memory-trim/free-while-armed", Fixture, NULL, setup, test_free_while_armed, teardown);
  return g_test_run ();
}
