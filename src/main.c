/* main.c — offlinefiles-syncd: options, bus name, signals, main loop. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "auth.h"
#include "config-store.h"
#include "config-watch.h"
#include "errors.h"
#include "fast-reads.h"
#include "launcher.h"
#include "memory-trim.h"
#include "service.h"
#include "share-registry.h"
#include "state-store.h"
#include "sync-manager.h"

typedef struct {
  GMainLoop     *loop;
  int            exit_status;
  gboolean       name_acquired;
  OfConfigStore *store;
  OfStateStore  *state_store;
  gboolean       state_is_fresh;
  OfAuth        *auth;
  OfService     *service;
  OfSyncManager *manager;
  OfShareRegistry *shares;
  const char    *config_dir;
  gint64         config_loaded_at;
  OfConfigWatch *config_watch;
} Daemon;

static void
fail (Daemon     *daemon,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Daemon     *daemon,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One clear line for the admin; the journal gets it through stderr. */
  fprintf (stderr, "offlinefiles-syncd: %s\n", message);
  daemon->exit_status = EXIT_FAILURE;
  g_main_loop_quit (daemon->loop);
}

static void
reload (Daemon     *daemon,
        const char *why)
{
  g_autoptr(GError) error = NULL;

  g_info ("Reloading the configuration (%s)", why);
  /* Validated whole before anything is applied: a bad file changes
   * nothing, and says so. */
  if (!of_service_reload (daemon->service, &error))
    g_warning ("Configuration not reloaded, the last good settings stay in force: %s",
               error->message);
  /* Shares are independent of each other: a bad file skips only itself. */
  of_share_registry_reload (daemon->shares);
}

static gboolean
on_hangup (gpointer user_data)
{
  reload (user_data, "SIGHUP");
  return G_SOURCE_CONTINUE;
}

static void
on_config_changed (gpointer user_data)
{
  reload (user_data, "files changed");
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Daemon *daemon = user_data;

  g_debug ("Stopping on signal");
  g_main_loop_quit (daemon->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Daemon *daemon = user_data;

  (void) connection;
  daemon->name_acquired = TRUE;
  g_debug ("Owning %s", name);
  /* Now no other instance can be writing them. */
  of_remove_stale_temp_files (of_config_store_get_path (daemon->store));
  of_remove_stale_temp_files (of_state_store_get_path (daemon->state_store));
  /* A fresh state is written at once (after the clean-up, which must not
   * meet our own temp file): the first start must not move on the next
   * restart. */
  if (daemon->state_is_fresh)
    of_state_store_save_async (daemon->state_store, NULL, NULL);
  /* Plan only now, so a catch-up sync is seen by clients waiting for us. */
  of_sync_manager_start (daemon->manager);
  /* Watched only now, after the state write has started: setting up file
   * monitors is the slowest part of start-up. */
  if (daemon->config_watch == NULL)
    daemon->config_watch = of_config_watch_new (daemon->config_dir, daemon->config_loaded_at,
                                              on_config_changed, daemon);
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Daemon *daemon = user_data;

  if (connection == NULL)
    fail (daemon, "lost the connection to the system bus");
  else if (daemon->name_acquired)
    fail (daemon, "lost the bus name %s", name);
  else
    fail (daemon, "cannot own the bus name %s: it is already owned, or the bus policy does not allow it", name);
}

/* The timerfd already notices a resume (CLOCK_REALTIME timers are
 * cancelled on it); logind's word is a second, explicit notice.  Without
 * logind on the bus nothing is ever received, which is fine. */
static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  Daemon *daemon = user_data;
  gboolean going_to_sleep;

  (void) connection; (void) sender; (void) path; (void) interface_name; (void) signal_name;
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    of_sync_manager_replan (daemon->manager, "the system resumed");
}

static gboolean
check_directory (const char *what,
                 const char *path,
                 gboolean    create,
                 GError    **error)
{
  struct stat st;

  if (create && g_mkdir_with_parents (path, 0755) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create the %s directory %s: %s", what, path, g_strerror (saved));
      return FALSE;
    }
  if (g_stat (path, &st) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "unusable %s directory %s: %s", what, path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "unusable %s directory %s: not a directory", what, path);
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *machine_id_file = NULL;
  g_autofree char *machine_id = NULL;
  g_autofree char *engine = NULL;
  g_autofree char *shares_dir = NULL;
  g_autofree char *archive_root = NULL;
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
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(OfLauncher) launcher = NULL;
  g_autoptr(OfConfigStore) store = NULL;
  g_autoptr(OfAuth) auth = NULL;
  g_autoptr(OfService) service = NULL;
  g_autoptr(OfStateStore) state_store = NULL;
  g_autoptr(OfSyncManager) manager = NULL;
  g_autoptr(OfShareRegistry) shares = NULL;
  OfSyncRunOptions run_options = { 0 };
  g_autoptr(OfFastReads) fast_reads = NULL;
  g_autoptr(OfMemoryTrimmer) trimmer = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  OfSettings settings;
  Daemon daemon = { 0 };
  guint owner_id;

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

  if (config_dir == NULL)
    config_dir = g_strdup (OF_CONFIG_DIR);
  if (state_dir == NULL)
    state_dir = g_strdup (OF_STATE_DIR);

  if (!check_directory ("configuration", config_dir, FALSE, &error) ||
      !check_directory ("state", state_dir, TRUE, &error))
    {
      fprintf (stderr, "offlinefiles-syncd: %s\n", error->message);
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  daemon.loop = loop;

  daemon.config_dir = config_dir;
  daemon.config_loaded_at = g_get_real_time ();
  store = of_config_store_new (config_dir);
  of_config_store_load (store, &settings);

  if (machine_id_file == NULL)
    machine_id_file = g_strdup ("/etc/machine-id");
  machine_id = of_read_machine_id (machine_id_file, &error);
  if (machine_id == NULL)
    {
      fprintf (stderr, "offlinefiles-syncd: cannot read the machine id: %s\n", error->message);
      return EXIT_FAILURE;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL)
    {
      fprintf (stderr, "offlinefiles-syncd: cannot connect to the system bus: %s\n", error->message);
      return EXIT_FAILURE;
    }
  /* The bus going away is fatal, reported through on_name_lost. */
  g_dbus_connection_set_exit_on_close (bus, FALSE);

  auth = of_auth_new (bus);

  state_store = of_state_store_new (state_dir);
  daemon.state_is_fresh = !of_state_store_load (state_store, g_get_real_time ());
  shares_dir = g_build_filename (config_dir, "shares.d", NULL);
  archive_root = g_build_filename (state_dir, "unison", NULL);
  shares = of_share_registry_new (shares_dir, OF_OBJECT_PATH, state_store, auth);
  daemon.shares = shares;
  /* Once, for every run: the choice depends on the machine, not the share. */
  launcher = of_launcher_new_default (bus);
  run_options.launcher = launcher;
  run_options.engine_path = engine ? engine : "unison";
  run_options.archive_root = archive_root;
  run_options.kill_grace_usec = OF_ENGINE_DEFAULT_KILL_GRACE_USEC;
  manager = of_sync_manager_new (state_store, shares, &run_options, machine_id, &settings, &error);
  if (manager == NULL)
    {
      fprintf (stderr, "offlinefiles-syncd: cannot set up the scheduler: %s\n", error->message);
      return EXIT_FAILURE;
    }
  daemon.manager = manager;
  daemon.store = store;
  daemon.state_store = state_store;

  service = of_service_new (store, auth, manager, &settings);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (service), bus,
                                         OF_OBJECT_PATH, &error))
    {
      fprintf (stderr, "offlinefiles-syncd: cannot export %s: %s\n", OF_OBJECT_PATH, error->message);
      return EXIT_FAILURE;
    }

  of_share_registry_export (shares, bus);
  fast_reads = of_fast_reads_new (bus, G_DBUS_INTERFACE_SKELETON (service));
  trimmer = of_memory_trimmer_new (bus, OF_MEMORY_TRIM_DELAY_S);

  daemon.service = service;
  g_unix_signal_add (SIGHUP, on_hangup, &daemon);
  g_unix_signal_add (SIGTERM, on_quit_signal, &daemon);
  g_unix_signal_add (SIGINT, on_quit_signal, &daemon);

  /* Everything is exported: the name may go out. */
  owner_id = g_bus_own_name_on_connection (bus, OF_BUS_NAME,
                                           G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                           on_name_acquired, on_name_lost,
                                           &daemon, NULL);
  /* Nothing is planned before the name is owned: a resume before that
   * changes nothing. */
  g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager",
                                      "PrepareForSleep", "/org/freedesktop/login1", NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep, &daemon, NULL);

  g_main_loop_run (loop);

  /* A running sync is cancelled (it still gets its SyncFinished), callers
   * waiting for polkit are answered and the state reaches the disk before
   * we go; bounded, a hung disk must not stop a shutdown. */
  of_sync_manager_cancel (manager);
  of_auth_stop (auth);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while ((of_sync_manager_is_busy (manager) || of_state_store_is_busy (state_store) ||
            of_auth_is_busy (auth)) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }

  g_clear_pointer (&daemon.config_watch, of_config_watch_free);
  g_bus_unown_name (owner_id);
  g_clear_pointer (&fast_reads, of_fast_reads_free);
  g_clear_pointer (&trimmer, of_memory_trimmer_free);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (service));
  /* Let pending replies and signals go out before the connection closes. */
  g_dbus_connection_flush_sync (bus, NULL, NULL);
  return daemon.exit_status;
}
