/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-impact.c — what a background sync costs the person at the
 * machine.
 *
 * A CPU-bound foreground workload (one thread per core hashing memory)
 * is measured alone, then while a large sync runs through the fork
 * launcher (the engine at idle CPU and I/O priority and nice 19, as both
 * launchers start it), then while the same unison runs at normal
 * priority.  Printed: foreground throughput during each sync as a
 * fraction of alone.  Asserts nothing about speed.  Root only (the
 * launcher starts the engine as a user: root here).
 */
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine.h"
#include "launch-fork.h"

#define ROOT "/var/tmp/offlinefiles-bench-impact"
#define FILES 160
#define FILE_SIZE (8 * 1024 * 1024)
#define WINDOW_USEC (5 * G_USEC_PER_SEC)

typedef struct {
  volatile gboolean stop;
  guint64           bytes[64];
} Work;

static gpointer
hash_memory (gpointer data)
{
  Work *work = ((gpointer *) data)[0];
  guint index = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  g_autofree guchar *buffer = g_malloc (1024 * 1024);

  for (gsize i = 0; i < 1024 * 1024; i++)
    buffer[i] = (guchar) (i * 31 + index);
  while (!work->stop)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

      g_checksum_update (sum, buffer, 1024 * 1024);
      (void) g_checksum_get_string (sum);
      work->bytes[index] += 1024 * 1024;
    }
  return NULL;
}

/* Foreground throughput, MiB/s over all cores, for WINDOW_USEC or until
 * *@done (the sync ended), whichever comes first: only time that overlaps
 * the sync counts. */
static double
measure_window (const gint *done)
{
  guint cores = MIN (g_get_num_processors (), 64);
  Work work = { 0 };
  gpointer args[64][2];
  GThread *threads[64];
  guint64 total = 0;
  gint64 start = g_get_monotonic_time (), elapsed;

  for (guint i = 0; i < cores; i++)
    {
      args[i][0] = &work;
      args[i][1] = GUINT_TO_POINTER (i);
      threads[i] = g_thread_new ("foreground", hash_memory, args[i]);
    }
  while (g_get_monotonic_time () - start < WINDOW_USEC && (done == NULL || !g_atomic_int_get (done)))
    g_usleep (10 * 1000);
  work.stop = TRUE;
  elapsed = g_get_monotonic_time () - start;
  for (guint i = 0; i < cores; i++)
    {
      g_thread_join (threads[i]);
      total += work.bytes[i];
    }
  printf ("# window %.2f s%s\n", elapsed / 1e6, done && g_atomic_int_get (done) ? " (the sync ended)" : "");
  return total / (1024.0 * 1024.0) / (elapsed / (double) G_USEC_PER_SEC);
}

static void
make_share (void)
{
  g_autofree guchar *data = g_malloc (FILE_SIZE);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  g_mkdir_with_parents (ROOT "/local", 0755);
  for (int f = 0; f < FILES; f++)
    {
      g_autofree char *path = g_strdup_printf (ROOT "/local/file-%d.bin", f);

      for (gsize i = 0; i < FILE_SIZE; i += 4)
        *(guint32 *) (data + i) = g_rand_int (rand);
      g_assert_true (g_file_set_contents (path, (const char *) data, FILE_SIZE, NULL));
    }
}

/* Every phase starts alike: no copy on the server side, no archive, no
 * dirty pages of an earlier phase still being written back. */
static void
fresh_remote (void)
{
  g_autofree char *out = NULL;

  g_spawn_command_line_sync ("rm -rf " ROOT "/remote " ROOT "/state", &out, NULL, NULL, NULL);
  g_mkdir_with_parents (ROOT "/remote", 0755);
  g_spawn_command_line_sync ("sync", NULL, NULL, NULL, NULL);
}

static gint run_done;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OfEngineOutcome **outcome = user_data;

  (void) source;
  *outcome = of_engine_run_finish (result, NULL);
  g_atomic_int_set (&run_done, 1);
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  (void) user_data;
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_atomic_int_set (&run_done, 1);
}

static gpointer
run_loop (gpointer data)
{
  g_main_loop_run (data);
  return NULL;
}

/* The foreground window while the engine runs through the fork launcher
 * (idle priorities); the run is cancelled after the window. */
static double
during_launcher_sync (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(OfLauncher) launcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autofree char *run_name = of_engine_run_name ("impact", 1);
  OfShare share = { 0 };
  GThread *thread;
  double throughput;

  fresh_remote ();
  share.name = (char *) "impact";
  share.local_path = (char *) ROOT "/local";
  share.remote_path = (char *) ROOT "/remote";
  share.user = (char *) "root";
  share.enabled = TRUE;
  share.timeout_usec = G_TIME_SPAN_HOUR;
  g_atomic_int_set (&run_done, 0);
  g_main_context_push_thread_default (context);
  launcher = of_launch_fork_new ();
  of_engine_run_async (launcher, "unison", &share, ROOT "/state", run_name, G_USEC_PER_SEC,
                       cancellable, on_done, &outcome);
  g_main_context_pop_thread_default (context);
  thread = g_thread_new ("engine-supervisor", run_loop, loop);
  g_usleep (G_USEC_PER_SEC / 5);  /* past its start-up */
  throughput = measure_window (&run_done);
  g_cancellable_cancel (cancellable);
  while (g_atomic_pointer_get (&outcome) == NULL)
    g_usleep (10000);
  g_main_loop_quit (loop);
  g_thread_join (thread);
  printf ("# idle-priority run ended: %s\n", outcome->message);
  return throughput;
}

/* The same unison at normal priority, started directly. */
static double
during_plain_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) unison = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  GThread *thread;
  double throughput;

  fresh_remote ();
  g_atomic_int_set (&run_done, 0);
  g_mkdir_with_parents (ROOT "/state", 0700);
  g_subprocess_launcher_setenv (launcher, "UNISON", ROOT "/state", TRUE);
  unison = g_subprocess_launcher_spawn (launcher, &error, "unison", "-batch", "-ui", "text", "-terse",
                                        "-root", ROOT "/local", "-root", ROOT "/remote", NULL);
  g_assert_no_error (error);
  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (unison, NULL, on_exited, NULL);
  g_main_context_pop_thread_default (context);
  thread = g_thread_new ("engine-waiter", run_loop, loop);
  g_usleep (G_USEC_PER_SEC / 5);
  throughput = measure_window (&run_done);
  g_subprocess_force_exit (unison);
  while (!g_atomic_int_get (&run_done))
    g_usleep (10000);
  g_main_loop_quit (loop);
  g_thread_join (thread);
  return throughput;
}

int
main (void)
{
  double alone, idle, normal;

  if (getuid () != 0 || g_find_program_in_path ("unison") == NULL)
    {
      printf ("1..0 # SKIP needs root and unison\n");
      return 0;
    }
  make_share ();
  fresh_remote ();
  alone = measure_window (NULL);
  /* Normal first, then idle: an order effect would favour normal. */
  normal = during_plain_sync ();
  idle = during_launcher_sync ();
  printf ("# foreground alone %.0f MiB/s; during a sync at idle priority %.0f MiB/s (%.3f of alone, "
          "target >= 0.95); at normal priority %.0f MiB/s (%.3f of alone)\n",
          alone, idle, idle / alone, normal, normal / alone);
  g_spawn_command_line_sync ("rm -rf " ROOT, NULL, NULL, NULL, NULL);
  printf ("1..1\nok 1 /bench/impact\n");
  return 0;
}
