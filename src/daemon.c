/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon.c — see daemon.h. */
#include "config.h"

#include "daemon.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "auth.h"
#include "conditions.h"
#include "config-store.h"
#include "config-watch.h"
#include "engine.h"
#include "fast-objects.h"
#include "fast-reads.h"
#include "launcher.h"
#include "file-util.h"
#include "journal-events.h"
#include "memory-trim.h"
#include "metrics-writer.h"
#include "names.h"
#include "conflict-store.h"
#include "resolver.h"
#include "service.h"
#include "share-admin.h"
#include "share-registry.h"
#include "state-store.h"
#include "sync-manager.h"

/* How long shutdown may take: a hung disk must not stop it. */
#define STOP_DEADLINE_USEC (10 * G_USEC_PER_SEC)

struct _OfDaemon {
  GObject          parent_instance;

  /* Options. */
  char            *config_dir;
  char            *state_dir;
  char            *machine_id_file;
  char            *engine;

  /* The parts, in start-up order; torn down in reverse in dispose(). */
  OfConfigStore   *store;
  gint64           config_loaded_at;
  OfStateStore    *state_store;
  gboolean         state_is_fresh;
  GDBusConnection *bus;
  OfAuth          *auth;
  OfConflictStore *conflicts;
  OfConditions    *conditions;
  OfShareRegistry *shares;
  OfLauncher      *launcher;
  OfSyncManager   *manager;
  OfResolver      *resolver;
  OfShareAdmin    *share_admin;
  OfService       *service;
  OfMetricsWriter *metrics;
  OfFastReads     *fast_reads;
  OfFastObjects   *fast_objects;
  OfMemoryTrimmer *trimmer;
  guint            owner_id;
  gboolean         name_acquired;
  guint            sleep_subscription;
  OfConfigWatch   *config_watch;
};

G_DEFINE_TYPE (OfDaemon, of_daemon, G_TYPE_OBJECT)

enum { SIGNAL_FATAL, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
fatal (OfDaemon   *self,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

static void
fatal (OfDaemon   *self,
       const char *format,
       ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals[SIGNAL_FATAL], 0, message);
}

void
of_daemon_reload (OfDaemon   *self,
                  const char *why)
{
  g_autoptr(GError) error = NULL;

  g_info ("Reloading the configuration (%s)", why);
  /* Validated whole before anything is applied: a bad file changes
   * nothing, and says so.  Whoever shows the settings follows the
   * store's "changed". */
  if (!of_config_store_reload (self->store, &error))
    of_journal_reload_rejected (error->message);
  /* Shares are independent of each other: a bad file skips only itself. */
  of_share_registry_reload (self->shares);
  /* MetricsFile= may have moved too: the writer follows it. */
  if (self->name_acquired)
    of_metrics_writer_update (self->metrics, "reload");
}

static void
on_config_changed (gpointer user_data)
{
  of_daemon_reload (user_data, "files changed");
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  OfDaemon *self = user_data;

  (void) connection;
  self->name_acquired = TRUE;
  g_debug ("Owning %s", name);
  /* Now no other instance can be writing them. */
  of_remove_stale_temp_files (of_config_store_get_path (self->store));
  of_remove_stale_temp_files (of_state_store_get_path (self->state_store));
  /* A fresh state is written at once (after the clean-up, which must not
   * meet our own temp file): the first start must not move on the next
   * restart. */
  if (self->state_is_fresh)
    of_state_store_save_async (self->state_store, NULL, NULL);
  /* Plan only now, so a catch-up sync is seen by clients waiting for us. */
  of_sync_manager_start (self->manager);
  /* Only now: no other instance writes the file, or its temp files. */
  of_metrics_writer_update (self->metrics, "start");
  /* Watched only now, after the state write has started: setting up file
   * monitors is the slowest part of start-up. */
  if (self->config_watch == NULL)
    self->config_watch = of_config_watch_new (self->config_dir, self->config_loaded_at,
                                              on_config_changed, self);
}

static void
on_network_changed (OfDaemon *self)
{
  of_share_registry_probe_all (self->shares, "the network changed");
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  OfDaemon *self = user_data;

  if (connection == NULL)
    fatal (self, "lost the connection to the system bus");
  else if (self->name_acquired)
    fatal (self, "lost the bus name %s", name);
  else
    fatal (self, "cannot own the bus name %s: it is already owned, or the bus policy does not allow it", name);
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
  OfDaemon *self = user_data;
  gboolean going_to_sleep;

  (void) connection; (void) sender; (void) path; (void) interface_name; (void) signal_name;
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (!going_to_sleep)
    of_sync_manager_resumed (self->manager);
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

gboolean
of_daemon_start (OfDaemon *self,
                 GError  **error)
{
  g_autofree char *machine_id = NULL;
  g_autofree char *shares_dir = NULL;
  g_autofree char *archive_root = NULL;
  OfSyncRunOptions run_options = { 0 };

  g_return_val_if_fail (self->store == NULL, FALSE);

  if (!check_directory ("configuration", self->config_dir, FALSE, error) ||
      !check_directory ("state", self->state_dir, TRUE, error))
    return FALSE;

  self->config_loaded_at = g_get_real_time ();
  self->store = of_config_store_new (self->config_dir);
  of_config_store_load (self->store, NULL);

  machine_id = of_read_machine_id (self->machine_id_file, error);
  if (machine_id == NULL)
    {
      g_prefix_error (error, "cannot read the machine id: ");
      return FALSE;
    }

  self->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  if (self->bus == NULL)
    {
      g_prefix_error (error, "cannot connect to the system bus: ");
      return FALSE;
    }
  /* The bus going away is fatal, reported through on_name_lost. */
  g_dbus_connection_set_exit_on_close (self->bus, FALSE);

  self->auth = of_auth_new (self->bus);

  self->state_store = of_state_store_new (self->state_dir);
  self->state_is_fresh = !of_state_store_load (self->state_store, g_get_real_time ());
  shares_dir = g_build_filename (self->config_dir, "shares.d", NULL);
  archive_root = g_build_filename (self->state_dir, "unison", NULL);
  self->conflicts = of_conflict_store_new (self->state_dir);
  self->shares = of_share_registry_new (shares_dir, OF_OBJECT_PATH, self->state_store, self->auth);
  of_share_registry_set_conflict_store (self->shares, self->conflicts);
  /* Once, for every run: the choice depends on the machine, not the share. */
  self->launcher = of_launcher_new_default (self->bus);
  of_share_registry_set_prober (self->shares, self->launcher, self->store);
  run_options.launcher = self->launcher;
  run_options.engine_path = self->engine;
  run_options.archive_root = archive_root;
  run_options.kill_grace_usec = OF_ENGINE_DEFAULT_KILL_GRACE_USEC;
  self->manager = of_sync_manager_new (self->state_store, self->shares, &run_options, machine_id,
                                       self->store, error);
  if (self->manager == NULL)
    {
      g_prefix_error (error, "cannot set up the scheduler: ");
      return FALSE;
    }
  self->resolver = of_resolver_new (self->manager, self->shares, &run_options);
  of_share_registry_set_actions (self->shares, of_resolver_actions (), self->resolver);

  self->metrics = of_metrics_writer_new (self->store, self->state_store, self->shares, self->manager,
                                        PACKAGE_VERSION);
  self->share_admin = of_share_admin_new (shares_dir, archive_root, self->shares, self->state_store,
                                          self->auth, self->launcher, self->manager, self->store);
  /* Watched from now on, so that NetworkManager's and UPower's first
   * word is usually in before the name is owned; no due sync starts
   * before it is (docs/behaviour.md §14). */
  self->conditions = of_conditions_new (self->bus);
  of_sync_manager_set_conditions (self->manager, self->conditions);
  /* NetworkManager's State or Connectivity changed: are the servers there? */
  g_signal_connect_swapped (self->conditions, "network-changed", G_CALLBACK (on_network_changed), self);

  self->service = of_service_new (self->store, self->auth, self->manager);
  of_service_set_share_admin (self->service, self->share_admin);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->service), self->bus,
                                         OF_OBJECT_PATH, error) ||
      !g_dbus_interface_skeleton_export (of_service_get_machine_configuration (self->service), self->bus,
                                         OF_OBJECT_PATH, error))
    {
      g_prefix_error (error, "cannot export %s: ", OF_OBJECT_PATH);
      return FALSE;
    }
  of_share_registry_export (self->shares, self->bus);
  self->fast_reads = of_fast_reads_new (self->bus, G_DBUS_INTERFACE_SKELETON (self->service));
  self->fast_objects = of_fast_objects_new (self->bus, of_share_registry_get_manager (self->shares));
  g_signal_connect_swapped (self->shares, "changing", G_CALLBACK (of_fast_objects_invalidate),
                            self->fast_objects);
  self->trimmer = of_memory_trimmer_new (self->bus, OF_MEMORY_TRIM_DELAY_S);

  /* Everything is exported: the name may go out. */
  self->owner_id = g_bus_own_name_on_connection (self->bus, OF_BUS_NAME,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 on_name_acquired, on_name_lost,
                                                 self, NULL);
  /* Nothing is planned before the name is owned: a resume before that
   * changes nothing. */
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (self->bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager",
                                        "PrepareForSleep", "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep, self, NULL);
  return TRUE;
}

void
of_daemon_stop (OfDaemon *self)
{
  gint64 deadline = g_get_monotonic_time () + STOP_DEADLINE_USEC;

  if (self->manager == NULL)
    return;  /* never started */
  /* A running sync is cancelled (it still gets its SyncFinished), callers
   * waiting for polkit are answered and the state reaches the disk before
   * we go. */
  of_sync_manager_cancel (self->manager);
  of_resolver_stop (self->resolver);
  of_auth_stop (self->auth);
  while ((of_sync_manager_is_busy (self->manager) || of_state_store_is_busy (self->state_store) ||
          of_auth_is_busy (self->auth) || of_metrics_writer_is_busy (self->metrics) ||
          of_resolver_is_busy (self->resolver) || of_conflict_store_is_busy (self->conflicts) ||
          of_share_admin_is_busy (self->share_admin)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  of_metrics_writer_stop (self->metrics);

  g_clear_pointer (&self->config_watch, of_config_watch_free);
  if (self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  if (self->owner_id != 0)
    g_bus_unown_name (self->owner_id);
  self->owner_id = 0;
  g_clear_pointer (&self->fast_reads, of_fast_reads_free);
  if (self->fast_objects != NULL)
    g_signal_handlers_disconnect_by_data (self->shares, self->fast_objects);
  g_clear_pointer (&self->fast_objects, of_fast_objects_free);
  g_clear_pointer (&self->trimmer, of_memory_trimmer_free);
  if (self->service != NULL)
    {
      g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->service));
      g_dbus_interface_skeleton_unexport (of_service_get_machine_configuration (self->service));
    }
  /* Let pending replies and signals go out before the connection closes. */
  g_dbus_connection_flush_sync (self->bus, NULL, NULL);
}

static void
of_daemon_dispose (GObject *object)
{
  OfDaemon *self = OF_DAEMON (object);

  /* Reverse start-up order: users before what they use. */
  g_clear_pointer (&self->config_watch, of_config_watch_free);
  g_clear_pointer (&self->fast_reads, of_fast_reads_free);
  if (self->fast_objects != NULL)
    g_signal_handlers_disconnect_by_data (self->shares, self->fast_objects);
  g_clear_pointer (&self->fast_objects, of_fast_objects_free);
  g_clear_pointer (&self->trimmer, of_memory_trimmer_free);
  g_clear_object (&self->service);
  if (self->metrics != NULL)
    of_metrics_writer_stop (self->metrics);
  g_clear_object (&self->metrics);
  g_clear_pointer (&self->resolver, of_resolver_free);
  g_clear_object (&self->share_admin);
  g_clear_object (&self->manager);
  if (self->conditions != NULL)
    g_signal_handlers_disconnect_by_data (self->conditions, self);
  g_clear_object (&self->conditions);
  g_clear_object (&self->launcher);
  g_clear_object (&self->shares);
  g_clear_pointer (&self->conflicts, of_conflict_store_free);
  g_clear_pointer (&self->auth, of_auth_free);
  g_clear_object (&self->bus);
  g_clear_pointer (&self->state_store, of_state_store_free);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (of_daemon_parent_class)->dispose (object);
}

static void
of_daemon_finalize (GObject *object)
{
  OfDaemon *self = OF_DAEMON (object);

  g_free (self->config_dir);
  g_free (self->state_dir);
  g_free (self->machine_id_file);
  g_free (self->engine);
  G_OBJECT_CLASS (of_daemon_parent_class)->finalize (object);
}

static void
of_daemon_class_init (OfDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = of_daemon_dispose;
  object_class->finalize = of_daemon_finalize;
  signals[SIGNAL_FATAL] = g_signal_new ("fatal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
of_daemon_init (OfDaemon *self)
{
  (void) self;
}

OfDaemon *
of_daemon_new (const OfDaemonOptions *options)
{
  OfDaemon *self = g_object_new (OF_TYPE_DAEMON, NULL);

  self->config_dir = g_strdup (options->config_dir ? options->config_dir : OF_CONFIG_DIR);
  self->state_dir = g_strdup (options->state_dir ? options->state_dir : OF_STATE_DIR);
  self->machine_id_file = g_strdup (options->machine_id_file ? options->machine_id_file : "/etc/machine-id");
  self->engine = g_strdup (options->engine ? options->engine : "unison");
  return self;
}
