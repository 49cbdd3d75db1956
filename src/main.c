/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main.c — offlinefiles-syncd: options, signals and the main loop.
 *
 * Everything else belongs to OfDaemon (daemon.c).  Exit codes: 0 after
 * SIGTERM or SIGINT, 1 with one line on stderr when the daemon cannot
 * start or go on, 2 for bad options.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "daemon.h"
#include "journal-events.h"

typedef struct {
  GMainLoop *loop;
  OfDaemon  *daemon;
  int        exit_status;
} Main;

static gboolean
on_hangup (gpointer user_data)
{
  Main *main_data = user_data;

  of_daemon_reload (main_data->daemon, "SIGHUP");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Main *main_data = user_data;

  g_debug ("Stopping on signal");
  g_main_loop_quit (main_data->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_fatal (OfDaemon   *daemon,
          const char *message,
          gpointer    user_data)
{
  Main *main_data = user_data;

  (void) daemon;
  /* One clear line for the admin; the journal gets it through stderr. */
  fprintf (stderr, "offlinefiles-syncd: %s\n", message);
  main_data->exit_status = EXIT_FAILURE;
  g_main_loop_quit (main_data->loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *machine_id_file = NULL;
  g_autofree char *engine = NULL;
  gboolean verbose = FALSE;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "config-dir", 0, 0, G_OPTION_ARG_FILENAME, &config_dir,
      "Read background-sync.conf, its drop-ins and shares.d from DIR (default " OF_CONFIG_DIR ")", "DIR" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      "Keep the state file and the engine archives in DIR (default " OF_STATE_DIR ")", "DIR" },
    { "machine-id-file", 0, 0, G_OPTION_ARG_FILENAME, &machine_id_file,
      "Read the machine identity from FILE (default /etc/machine-id)", "FILE" },
    { "engine", 0, 0, G_OPTION_ARG_FILENAME, &engine,
      "Run PATH as the sync engine instead of unison", "PATH" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages (like G_MESSAGES_DEBUG=all)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(OfDaemon) daemon = NULL;
  OfDaemonOptions options = { 0 };
  Main main_data = { 0 };

  /* The admin's charset and language for messages; the daemon formats no
   * numbers or dates through the locale, and loading all of it costs a
   * tenth of a millisecond of start-up. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");

  context = g_option_context_new ("");
  g_option_context_set_summary (context,
                                "The offlinefiles background synchronization service.\n"
                                "It is started by systemd or D-Bus activation on the system bus.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "offlinefiles-syncd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("offlinefiles-syncd %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (verbose)
    g_log_set_debug_enabled (TRUE);
  /* The journal events at info level must reach the journal. */
  g_log_set_writer_func (of_journal_writer, NULL, NULL);

  loop = g_main_loop_new (NULL, FALSE);
  options.config_dir = config_dir;
  options.state_dir = state_dir;
  options.machine_id_file = machine_id_file;
  options.engine = engine;
  daemon = of_daemon_new (&options);
  main_data.loop = loop;
  main_data.daemon = daemon;
  g_signal_connect (daemon, "fatal", G_CALLBACK (on_fatal), &main_data);

  /* Before the name is asked for: a client that sees it owned may send
   * SIGHUP at once (systemctl reload, a test), and SIGHUP's default
   * action would end the daemon.  They are handled from the main loop,
   * once start-up is over. */
  g_unix_signal_add (SIGHUP, on_hangup, &main_data);
  g_unix_signal_add (SIGTERM, on_quit_signal, &main_data);
  g_unix_signal_add (SIGINT, on_quit_signal, &main_data);

  if (!of_daemon_start (daemon, &error))
    {
      fprintf (stderr, "offlinefiles-syncd: %s\n", error->message);
      return EXIT_FAILURE;
    }

  g_main_loop_run (loop);
  of_daemon_stop (daemon);
  return main_data.exit_status;
}
