/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launcher.h — how one engine process is started and supervised.
 *
 * The engine module decides *what* runs (unison's command line, its
 * environment, the user, the folders it may write); a launcher decides
 * *how*: it starts the process, keeps the tail of its output, bounds its
 * time, stops it on cancellation and reports how it ended.  Two
 * implementations, one file each (as power-profiles-daemon's drivers):
 *
 *   launch-fork.c     forks with privilege drop; for machines where
 *                     systemd is not the service manager, and the fast
 *                     integration suite;
 *   launch-systemd.c  a transient systemd service per run
 *                     (StartTransientUnit), when /run/systemd/system exists.
 *
 * Every way a run can end is a result, never a GError: the caller turns
 * it into a share outcome.
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* How much of each of stdout and stderr is kept: the tail, where unison
 * prints its summary.  The rest is counted and dropped. */
#define OF_LAUNCH_OUTPUT_TAIL_MAX (64 * 1024)

/* What to run; all borrowed for the duration of the run_async() call
 * (implementations copy what they keep). */
typedef struct {
  /* Unique among running engines, [A-Za-z0-9_.-] only: the transient
   * unit is "<unit_name>.service"; the fork path uses it in logs. */
  const char         *unit_name;
  const char         *description;
  const char * const *argv;              /* argv[0] is an absolute path */
  const char * const *envp;              /* the whole environment */
  const char         *working_directory;
  const char         *user_name;         /* whom it runs as */
  uid_t               uid;
  gid_t               gid;
  const gid_t        *groups;            /* supplementary groups, fork path */
  int                 n_groups;
  /* The only places it may write (the transient unit's sandbox). */
  const char * const *read_write_paths;
  gint64              timeout_usec;      /* > 0: then SIGTERM to all of it */
  gint64              kill_grace_usec;   /* SIGTERM → SIGKILL */
  guint               tasks_max;         /* 0: no limit */
  guint64             memory_max;        /* bytes, 0: no limit */
} OfLaunchSpec;

typedef enum {
  OF_LAUNCH_EXITED,       /* exit_status is valid */
  OF_LAUNCH_SIGNALED,     /* term_signal is valid */
  OF_LAUNCH_TIMED_OUT,    /* stopped after spec->timeout_usec */
  OF_LAUNCH_CANCELLED,    /* stopped because the cancellable fired */
  OF_LAUNCH_NOT_STARTED,  /* message says why */
} OfLaunchEnd;

typedef struct {
  OfLaunchEnd end;
  int         exit_status;   /* -1 unless EXITED */
  int         term_signal;   /* 0 unless SIGNALED */
  char       *message;       /* NOT_STARTED: why, one line; else NULL */
  char       *stdout_tail;   /* ≤ OF_LAUNCH_OUTPUT_TAIL_MAX, NULs replaced, never NULL */
  char       *stderr_tail;
  guint64     stdout_bytes;  /* how much there was in all */
  guint64     stderr_bytes;
} OfLaunchResult;

void            of_launch_result_free (OfLaunchResult *result);
OfLaunchResult *of_launch_result_new_not_started (const char *format,
                                                  ...) G_GNUC_PRINTF (1, 2);

#define OF_TYPE_LAUNCHER (of_launcher_get_type ())
G_DECLARE_INTERFACE (OfLauncher, of_launcher, OF, LAUNCHER, GObject)

struct _OfLauncherInterface {
  GTypeInterface parent_iface;

  /* The callback runs in the caller's thread-default main context once
   * the process and everything it started are gone (or, for a process
   * stuck in the kernel, once the launcher gave up on it). */
  void            (*run_async)  (OfLauncher          *self,
                                 const OfLaunchSpec  *spec,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
  OfLaunchResult *(*run_finish) (OfLauncher          *self,
                                 GAsyncResult        *result,
                                 GError             **error);
};

void            of_launcher_run_async  (OfLauncher          *self,
                                        const OfLaunchSpec  *spec,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* Never NULL for a run started with run_async(); @error is only set for
 * a programming error (a foreign GAsyncResult). */
OfLaunchResult *of_launcher_run_finish (OfLauncher          *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* The launcher this machine should use: systemd's when systemd is the
 * service manager (/run/systemd/system exists) and @bus reaches it, the
 * fork path otherwise.  @bus is the system bus connection.  For the
 * daemon, once: systemd's then stops engine units an earlier daemon
 * left running.  OFFLINEFILES_LAUNCHER=fork|systemd forces one. */
OfLauncher     *of_launcher_new_default (GDBusConnection *bus);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfLaunchResult, of_launch_result_free)

/* Detaches and drops a timeout, a child watch or the like, if set: the
 * engine and both launchers keep several each. */
static inline void
of_source_clear (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

G_END_DECLS
