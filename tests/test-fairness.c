/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fairness.c — one user's unanswered password prompts make nobody
 * else wait.
 *
 * python-dbusmock's polkitd holds every check of the configure action
 * open, as a password dialog nobody answers would; one user fires 32
 * interactive writes.  Root's and another user's calls must still be
 * answered at once, the user gets at most OF_AUTH_MAX_PENDING_PER_UID
 * places (the rest LimitsExceeded at once), and the held ones end with
 * AccessDenied at the interactive deadline (shortened for the test).
 */
#include <pwd.h>
#include <string.h>

#include "auth.h"
#include "harness.h"
#include "names.h"

#define BURST 32
#define DEADLINE_MS 4000

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  guint *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  (*exited)++;
}

/* Runs the main context until @exited reaches @want or @timeout_ms pass. */
static void
wait_exited (const guint *exited, guint want, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (*exited < want && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
}

static char *
read_stderr (GSubprocess *process)
{
  g_autofree char *err = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, NULL);
  return g_steal_pointer (&err);
}

static gint64
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000;
}

static void
test_one_user_blocks_nobody (void)
{
  g_autoptr(OfHarness) harness = NULL;
  GSubprocess *burst[BURST];
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *hang[] = { OF_ACTION_CONFIGURE, NULL };
  const char *allowed[] = { OF_ACTION_CONFIGURE, OF_ACTION_SYNC, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint limited = 0, timed_out = 0, exited = 0;
  gint64 start;
  int status;

  if (!of_harness_require_root ("the test calls as other users and runs polkitd's stand-in as polkitd"))
    return;
  if (getpwnam (OF_TEST_USER_ASK) == NULL || getpwnam (OF_TEST_USER_ALLOW) == NULL || getpwnam ("polkitd") == NULL)
    {
      g_test_skip ("the test users or the polkitd user do not exist (run tools/install-deps.sh)");
      return;
    }
  harness = of_harness_new (FALSE);
  of_harness_start_mock_polkit (harness);
  of_harness_mock_polkit (harness, "SetAllowed", g_variant_new ("(^as)", allowed));
  of_harness_mock_polkit (harness, "SimulateHangActions", g_variant_new ("(^as)", hang));
  g_setenv ("OFFLINEFILES_AUTH_INTERACTIVE_TIMEOUT_MS", G_STRINGIFY (DEADLINE_MS), TRUE);
  of_harness_start_daemon (harness, NULL);
  g_unsetenv ("OFFLINEFILES_AUTH_INTERACTIVE_TIMEOUT_MS");

  start = g_get_monotonic_time ();
  for (guint i = 0; i < BURST; i++)
    {
      burst[i] = of_harness_gdbus_as_async (harness, OF_TEST_USER_ASK, "--interactive", "--timeout=60",
                                            "--method=org.freedesktop.DBus.Properties.Set",
                                            OF_INTERFACE_BACKGROUND_SYNC, "SyncInterval", "<uint16 100>", NULL);
      g_subprocess_wait_async (burst[i], NULL, on_exited, &exited);
    }
  /* Everything beyond the user's places is refused at once. */
  wait_exited (&exited, BURST - OF_AUTH_MAX_PENDING_PER_UID, DEADLINE_MS / 2);
  /* …and nothing more answers before the deadline. */
  g_usleep (200 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_test_message ("%u of %u calls answered after %" G_GINT64_FORMAT " ms", exited, BURST, ms_since (start));
  g_assert_cmpuint (exited, ==, BURST - OF_AUTH_MAX_PENDING_PER_UID);

  /* Root, and another user, are answered at once meanwhile. */
  start = g_get_monotonic_time ();
  reply = of_harness_call (harness, OF_INTERFACE_BACKGROUND_SYNC, "SyncNow", NULL,
                           G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, &error);
  g_assert_no_error (error);
  g_test_message ("root's SyncNow answered in %" G_GINT64_FORMAT " ms", ms_since (start));
  g_assert_cmpint (ms_since (start), <, 1000);
  start = g_get_monotonic_time ();
  status = of_harness_gdbus_as (harness, OF_TEST_USER_ALLOW, &out, &err, "--interactive",
                                "--method=" OF_INTERFACE_BACKGROUND_SYNC ".SyncNow", NULL);
  g_test_message ("another user's SyncNow answered in %" G_GINT64_FORMAT " ms: %d %s%s",
                  ms_since (start), status, out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (ms_since (start), <, 1000);

  /* The held ones end at the deadline, refused. */
  wait_exited (&exited, BURST, 3 * DEADLINE_MS);
  g_assert_cmpuint (exited, ==, BURST);
  for (guint i = 0; i < BURST; i++)
    {
      g_autofree char *message = read_stderr (burst[i]);

      if (strstr (message, "LimitsExceeded") != NULL)
        limited++;
      else if (strstr (message, "AccessDenied") != NULL && strstr (message, "timed out") != NULL)
        timed_out++;
      else
        g_test_message ("unexpected answer: %s", message);
      g_object_unref (burst[i]);
    }
  g_assert_cmpuint (limited, ==, BURST - OF_AUTH_MAX_PENDING_PER_UID);
  g_assert_cmpuint (timed_out, ==, OF_AUTH_MAX_PENDING_PER_UID);

  of_harness_mock_polkit (harness, "ReleaseHangingCalls", NULL);
  g_assert_cmpint (of_harness_stop_daemon (harness), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fairness/one-user-blocks-nobody", test_one_user_blocks_nobody);
  return g_test_run ();
}
