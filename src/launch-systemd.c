/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-systemd.c — see launch-systemd.h.
 *
 * One run, all asynchronous on the caller's main context:
 *   Manager.Subscribe (once per launcher, so that systemd emits unit
 *   signals at all) → watch the unit's PropertiesChanged and the
 *   manager's JobRemoved → StartTransientUnit with the pipes' write ends
 *   as StandardOutput/ErrorFileDescriptor and AddRef=yes → when the start
 *   job is gone and the unit is inactive or failed, read Result,
 *   ExecMainCode and ExecMainStatus → Unref (systemd then collects the
 *   unit: CollectMode=inactive-or-failed) → wait for the pipes' end.
 * Cancellation is StopUnit(name, "replace"): systemd sends SIGTERM to the
 * whole cgroup, SIGKILL after TimeoutStopSec.  The time limit is the
 * unit's own RuntimeMaxSec (Result=timeout); a safety timer a little
 * later covers a systemd that never answers.
 *
 * Ownership: a run (SystemdRun) belongs to its GTask; it owns the read
 * ends of the pipes (in the captures), its signal subscriptions and, on
 * systemd's side, one reference on its unit until it calls Unref.
 */
#include "launch-systemd.h"

#include "escape.h"

#include "output-capture.h"

#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT "org.freedesktop.systemd1.Unit"
/* sched.h's SCHED_IDLE and linux/ioprio.h's IOPRIO_CLASS_IDLE, as
 * systemd's properties take them. */
#define CPU_SCHED_IDLE 5
#define IO_CLASS_IDLE 3
/* siginfo's si_code, as in ExecMainCode. */
#define EXEC_CODE_EXITED 1
/* After the unit ended, how long its pipes may stay open (systemd closes
 * its copies when it collects the unit). */
#define DRAIN_TIMEOUT_MS 2000
/* Beyond RuntimeMaxSec + TimeoutStopSec: systemd did not end the unit. */
#define SAFETY_MARGIN_MS (15 * 1000)
#define DBUS_TIMEOUT_MS (30 * 1000)

struct _OfLaunchSystemd {
  GObject          parent_instance;
  GDBusConnection *bus;
  gboolean         subscribed;   /* Manager.Subscribe sent on this connection */
};

static void of_launch_systemd_iface_init (OfLauncherInterface *iface);

G_DEFINE_TYPE_WITH_CODE (OfLaunchSystemd, of_launch_systemd, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (OF_TYPE_LAUNCHER, of_launch_systemd_iface_init))

typedef enum {
  KILL_NONE,
  KILL_TIMEOUT,
  KILL_CANCEL,
} KillReason;

typedef struct {
  GTask           *task;         /* our reference until completion */
  GDBusConnection *bus;
  char            *unit;         /* "<name>.service" */
  char            *unit_path;
  guint            properties_id;
  guint            job_removed_id;
  gboolean         start_replied;
  char            *job_result;   /* of the start job, once removed */
  gboolean         querying;
  gboolean         query_again;
  gboolean         ended;        /* the unit is inactive or failed */
  KillReason       kill_reason;
  OfLaunchResult  *result;       /* decided, waiting for the pipes */
  OfOutputCapture *out;
  OfOutputCapture *err;
  guint            safety_ms;
  GSource         *cancel_source;
  GSource         *safety_source;
  GSource         *drain_source;
} SystemdRun;

/* systemd's object path of a unit: every byte but [A-Za-z0-9] as _xx. */
static char *
unit_object_path (const char *unit)
{
  GString *path = g_string_new (SYSTEMD_PATH "/unit/");

  of_append_path_label (path, unit);
  return g_string_free (path, FALSE);
}

static void
unsubscribe (SystemdRun *run)
{
  if (run->properties_id != 0)
    g_dbus_connection_signal_unsubscribe (run->bus, run->properties_id);
  if (run->job_removed_id != 0)
    g_dbus_connection_signal_unsubscribe (run->bus, run->job_removed_id);
  run->properties_id = run->job_removed_id = 0;
}

static void
systemd_run_free (SystemdRun *run)
{
  unsubscribe (run);
  g_clear_object (&run->bus);
  g_free (run->unit);
  g_free (run->unit_path);
  g_free (run->job_result);
  g_clear_pointer (&run->result, of_launch_result_free);
  g_clear_pointer (&run->out, of_output_capture_free);
  g_clear_pointer (&run->err, of_output_capture_free);
  of_source_clear (&run->cancel_source);
  of_source_clear (&run->safety_source);
  of_source_clear (&run->drain_source);
  g_free (run);
}

static GSource *
attach (SystemdRun  *run,
        GSource     *source,
        GSourceFunc  func)
{
  g_source_set_callback (source, func, run, NULL);
  g_source_attach (source, g_task_get_context (run->task));
  return source;
}

/* Returns the result once it is decided and both pipes ended. */
static void
complete (SystemdRun *run)
{
  OfLaunchResult *result = run->result;
  GTask *task;

  if (result == NULL || run->task == NULL ||
      (run->out != NULL && !of_output_capture_is_done (run->out)) ||
      (run->err != NULL && !of_output_capture_is_done (run->err)))
    return;
  run->result = NULL;
  g_free (result->stdout_tail);
  g_free (result->stderr_tail);
  result->stdout_tail = run->out ? of_output_capture_take_tail (run->out) : g_strdup ("");
  result->stderr_tail = run->err ? of_output_capture_take_tail (run->err) : g_strdup ("");
  result->stdout_bytes = run->out ? of_output_capture_total (run->out) : 0;
  result->stderr_bytes = run->err ? of_output_capture_total (run->err) : 0;
  g_debug ("Unit %s done: end %d, status %d, signal %d", run->unit, result->end,
           result->exit_status, result->term_signal);
  unsubscribe (run);
  of_source_clear (&run->cancel_source);
  of_source_clear (&run->safety_source);
  of_source_clear (&run->drain_source);
  task = g_steal_pointer (&run->task);
  g_task_return_pointer (task, result, (GDestroyNotify) of_launch_result_free);
  g_object_unref (task);
}

static gboolean
on_drain_expired (gpointer user_data)
{
  SystemdRun *run = user_data;

  g_debug ("Pipes of unit %s still open after it ended: not waiting any longer", run->unit);
  g_clear_pointer (&run->drain_source, g_source_unref);
  of_output_capture_abandon (run->out);
  of_output_capture_abandon (run->err);
  return G_SOURCE_REMOVE;
}

/* The result is known: let systemd collect the unit, then wait a bounded
 * while for the pipes to end. */
static void
decide (SystemdRun     *run,
        OfLaunchResult *result)
{
  if (run->result != NULL || run->task == NULL)
    {
      of_launch_result_free (result);
      return;
    }
  run->result = result;
  unsubscribe (run);
  of_source_clear (&run->safety_source);
  of_source_clear (&run->cancel_source);
  if (run->start_replied)
    g_dbus_connection_call (run->bus, SYSTEMD_BUS_NAME, run->unit_path, SYSTEMD_UNIT, "Unref",
                            NULL, NULL, G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, NULL, NULL);
  run->drain_source = attach (run, g_timeout_source_new (DRAIN_TIMEOUT_MS), on_drain_expired);
  complete (run);
}

static OfLaunchResult *
result_new (OfLaunchEnd end)
{
  OfLaunchResult *result = g_new0 (OfLaunchResult, 1);

  result->end = end;
  result->exit_status = -1;
  return result;
}

static void query_state (SystemdRun *run);

static void
on_state (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SystemdRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);
  g_autoptr(GVariant) all = NULL;
  const char *active = NULL, *unit_result = NULL;
  gint32 code = 0, status = 0;
  OfLaunchResult *result;

  run->querying = FALSE;
  if (run->task == NULL || run->result != NULL)
    return;
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      decide (run, of_launch_result_new_not_started ("cannot read the state of unit %s: %s",
                                                     run->unit, error->message));
      return;
    }
  all = g_variant_get_child_value (reply, 0);
  g_variant_lookup (all, "ActiveState", "&s", &active);
  g_variant_lookup (all, "Result", "&s", &unit_result);
  g_variant_lookup (all, "ExecMainCode", "i", &code);
  g_variant_lookup (all, "ExecMainStatus", "i", &status);
  g_debug ("Unit %s: %s, result %s, code %d, status %d", run->unit, active ? active : "?",
           unit_result ? unit_result : "?", code, status);

  if (active == NULL || (!g_str_equal (active, "inactive") && !g_str_equal (active, "failed")))
    {
      if (run->query_again)
        query_state (run);
      return;
    }

  run->ended = TRUE;
  if (run->kill_reason == KILL_NONE && g_strcmp0 (unit_result, "timeout") != 0 &&
      (code == 0 || g_strcmp0 (run->job_result, "done") != 0))
    {
      /* Type=exec: the start job fails when the exec (or the user switch,
       * or the sandbox) does. */
      decide (run, of_launch_result_new_not_started ("unit %s did not start (job %s, result %s, status %d)",
                                                     run->unit, run->job_result,
                                                     unit_result ? unit_result : "?", status));
      return;
    }
  if (run->kill_reason == KILL_CANCEL)
    result = result_new (OF_LAUNCH_CANCELLED);
  else if (run->kill_reason == KILL_TIMEOUT || g_strcmp0 (unit_result, "timeout") == 0)
    result = result_new (OF_LAUNCH_TIMED_OUT);
  else
    result = result_new (code == EXEC_CODE_EXITED ? OF_LAUNCH_EXITED : OF_LAUNCH_SIGNALED);
  /* How the process ended, whatever stopped it. */
  if (code == EXEC_CODE_EXITED)
    result->exit_status = status;
  else
    result->term_signal = status;
  decide (run, result);
}

/* Every property of the unit ("" = all interfaces), as systemd-run's
 * --wait reads them. */
static void
query_state (SystemdRun *run)
{
  if (run->job_result == NULL || run->result != NULL)
    return;   /* until the start job is gone, the unit may not be there */
  if (run->querying)
    {
      run->query_again = TRUE;
      return;
    }
  run->querying = TRUE;
  run->query_again = FALSE;
  g_dbus_connection_call (run->bus, SYSTEMD_BUS_NAME, run->unit_path, "org.freedesktop.DBus.Properties",
                          "GetAll", g_variant_new ("(s)", ""), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, on_state, g_object_ref (run->task));
}

static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  (void) connection; (void) sender; (void) path; (void) interface; (void) signal; (void) parameters;
  query_state (user_data);
}

static void
on_job_removed (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *signal,
                GVariant        *parameters,
                gpointer         user_data)
{
  SystemdRun *run = user_data;
  const char *unit, *job_result;

  (void) connection; (void) sender; (void) path; (void) interface; (void) signal;
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(uoss)")))
    return;
  g_variant_get (parameters, "(u&o&s&s)", NULL, NULL, &unit, &job_result);
  /* Only the start job's result counts; a stop job comes later. */
  if (!g_str_equal (unit, run->unit) || run->job_result != NULL)
    return;
  g_debug ("Start job of %s: %s", run->unit, job_result);
  run->job_result = g_strdup (job_result);
  query_state (run);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  g_autofree char *unit = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);

  /* NoSuchUnit: it had ended already; the state query says how. */
  if (reply == NULL)
    g_debug ("StopUnit %s: %s", unit, error->message);
}

static void
stop_unit (SystemdRun *run,
           KillReason  reason)
{
  if (run->kill_reason != KILL_NONE || run->ended)
    return;
  run->kill_reason = reason;
  g_debug ("Stopping unit %s: %s", run->unit, reason == KILL_TIMEOUT ? "timeout" : "cancelled");
  g_dbus_connection_call (run->bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "StopUnit",
                          g_variant_new ("(ss)", run->unit, "replace"), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, on_stopped, g_strdup (run->unit));
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  SystemdRun *run = user_data;

  (void) cancellable;
  g_clear_pointer (&run->cancel_source, g_source_unref);
  stop_unit (run, KILL_CANCEL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_given_up (gpointer user_data)
{
  SystemdRun *run = user_data;

  g_warning ("Unit %s did not end after it was stopped: no longer waiting for it", run->unit);
  g_clear_pointer (&run->safety_source, g_source_unref);
  decide (run, result_new (OF_LAUNCH_TIMED_OUT));
  return G_SOURCE_REMOVE;
}

static gboolean
on_safety (gpointer user_data)
{
  SystemdRun *run = user_data;

  g_warning ("Unit %s outlived its RuntimeMaxSec: stopping it", run->unit);
  g_clear_pointer (&run->safety_source, g_source_unref);
  stop_unit (run, KILL_TIMEOUT);
  run->safety_source = attach (run, g_timeout_source_new (run->safety_ms), on_given_up);
  return G_SOURCE_REMOVE;
}

static void
on_capture_done (OfOutputCapture *capture,
                 gpointer         user_data)
{
  (void) capture;
  complete (user_data);
}

static void
on_start_replied (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SystemdRun *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source),
                                                                               NULL, res, &error);

  if (run->task == NULL)
    return;
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_debug ("StartTransientUnit %s: %s", run->unit, error->message);
      /* Nobody else holds the write ends: the pipes end at once. */
      decide (run, of_launch_result_new_not_started ("StartTransientUnit failed: %s", error->message));
      return;
    }
  /* A StopUnit sent meanwhile follows the start on this connection, so
   * systemd saw them in order. */
  run->start_replied = TRUE;
}

static void
add (GVariantBuilder *props,
     const char      *name,
     GVariant        *value)
{
  g_variant_builder_add (props, "(sv)", name, value);
}

static GVariant *
strv_variant (const char * const *strv)
{
  return g_variant_new_strv (strv ? (const char * const *) strv : (const char * const[]) { NULL }, -1);
}

/* The unit: the command, its user and environment, its pipes, its
 * sandbox, its limits and priorities. */
static GVariant *
build_properties (const OfLaunchSpec *spec,
                  int                 stdout_index,
                  int                 stderr_index)
{
  GVariantBuilder props, exec;

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a(sv)"));
  add (&props, "Description", g_variant_new_string (spec->description ? spec->description : spec->unit_name));
  add (&props, "Type", g_variant_new_string ("exec"));
  /* We read its end, then Unref: only then may systemd collect it. */
  add (&props, "AddRef", g_variant_new_boolean (TRUE));
  add (&props, "CollectMode", g_variant_new_string ("inactive-or-failed"));
  add (&props, "User", g_variant_new_string (spec->user_name));
  /* ExecStartEx with "no-env-expand" (the ":" prefix of a unit file):
   * systemd would otherwise expand "$NAME", "${NAME}" and "$$" in the
   * arguments, and a share's path or a helper's shell script may hold
   * them (a folder named "a$$b" would become "a$b"). */
  g_variant_builder_init (&exec, G_VARIANT_TYPE ("a(sasas)"));
  {
    const char * const flags[] = { "no-env-expand", NULL };

    g_variant_builder_add (&exec, "(s@as@as)", spec->argv[0], strv_variant (spec->argv),
                           strv_variant (flags));
  }
  add (&props, "ExecStartEx", g_variant_builder_end (&exec));
  add (&props, "Environment", strv_variant (spec->envp));
  if (spec->working_directory != NULL)
    add (&props, "WorkingDirectory", g_variant_new_string (spec->working_directory));
  add (&props, "StandardInput", g_variant_new_string ("null"));
  add (&props, "StandardOutputFileDescriptor", g_variant_new_handle (stdout_index));
  add (&props, "StandardErrorFileDescriptor", g_variant_new_handle (stderr_index));
  /* As the fork path: the engine sees SIGPIPE as any program does. */
  add (&props, "IgnoreSIGPIPE", g_variant_new_boolean (FALSE));

  /* Sandbox.  Not ProtectHome: shares live in /home, and ReadWritePaths
   * would have to pierce it anyway.  Not MemoryDenyWriteExecute or a
   * system call filter: unison's OCaml runtime and its ssh are not ours
   * to vouch for. */
  add (&props, "ProtectSystem", g_variant_new_string ("strict"));
  add (&props, "ReadWritePaths", strv_variant (spec->read_write_paths));
  add (&props, "PrivateTmp", g_variant_new_boolean (TRUE));
  add (&props, "NoNewPrivileges", g_variant_new_boolean (TRUE));
  add (&props, "PrivateDevices", g_variant_new_boolean (TRUE));
  add (&props, "ProtectKernelTunables", g_variant_new_boolean (TRUE));
  add (&props, "ProtectKernelModules", g_variant_new_boolean (TRUE));
  add (&props, "ProtectKernelLogs", g_variant_new_boolean (TRUE));
  add (&props, "ProtectControlGroups", g_variant_new_boolean (TRUE));
  add (&props, "ProtectClock", g_variant_new_boolean (TRUE));
  add (&props, "ProtectHostname", g_variant_new_boolean (TRUE));
  add (&props, "RestrictSUIDSGID", g_variant_new_boolean (TRUE));
  add (&props, "RestrictRealtime", g_variant_new_boolean (TRUE));
  /* The set of namespace types still allowed: none. */
  add (&props, "RestrictNamespaces", g_variant_new_uint64 (0));
  add (&props, "LockPersonality", g_variant_new_boolean (TRUE));

  /* Limits and the end. */
  if (spec->tasks_max > 0)
    add (&props, "TasksMax", g_variant_new_uint64 (spec->tasks_max));
  if (spec->memory_max > 0)
    add (&props, "MemoryMax", g_variant_new_uint64 (spec->memory_max));
  if (spec->timeout_usec > 0)
    add (&props, "RuntimeMaxUSec", g_variant_new_uint64 ((guint64) spec->timeout_usec));
  add (&props, "TimeoutStopUSec", g_variant_new_uint64 ((guint64) MAX (spec->kill_grace_usec, 1)));
  add (&props, "KillMode", g_variant_new_string ("control-group"));

  /* Background priorities. */
  add (&props, "Nice", g_variant_new_int32 (19));
  add (&props, "CPUSchedulingPolicy", g_variant_new_int32 (CPU_SCHED_IDLE));
  add (&props, "IOSchedulingClass", g_variant_new_int32 (IO_CLASS_IDLE));
  return g_variant_builder_end (&props);
}

static void
ensure_subscribed (OfLaunchSystemd *self)
{
  if (self->subscribed)
    return;
  /* Without it systemd sends no unit signals.  Sent before the first
   * StartTransientUnit on the same connection, so it is in force by then;
   * its reply matters to nobody (a second one says AlreadySubscribed). */
  self->subscribed = TRUE;
  g_dbus_connection_call (self->bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "Subscribe",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, NULL, NULL);
}

static void
of_launch_systemd_run_async (OfLauncher          *launcher,
                             const OfLaunchSpec  *spec,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  OfLaunchSystemd *self = OF_LAUNCH_SYSTEMD (launcher);
  GTask *task = g_task_new (launcher, cancellable, callback, user_data);
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GError) error = NULL;
  SystemdRun *run;
  int out[2], err[2];
  int out_index, err_index;

  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_is_cancelled (cancellable))
    {
      OfLaunchResult *result = result_new (OF_LAUNCH_CANCELLED);
      result->stdout_tail = g_strdup ("");
      result->stderr_tail = g_strdup ("");
      g_task_return_pointer (task, result, (GDestroyNotify) of_launch_result_free);
      g_object_unref (task);
      return;
    }

  run = g_new0 (SystemdRun, 1);
  run->task = task;
  run->bus = g_object_ref (self->bus);
  run->unit = g_strconcat (spec->unit_name, ".service", NULL);
  run->unit_path = unit_object_path (run->unit);
  g_task_set_task_data (task, run, (GDestroyNotify) systemd_run_free);

  if (!g_unix_open_pipe (out, FD_CLOEXEC, &error) || !g_unix_open_pipe (err, FD_CLOEXEC, &error))
    {
      g_autoptr(GTask) owned = g_steal_pointer (&run->task);
      g_task_return_pointer (owned, of_launch_result_new_not_started ("cannot create pipes: %s", error->message),
                             (GDestroyNotify) of_launch_result_free);
      return;
    }
  out_index = g_unix_fd_list_append (fds, out[1], &error);
  err_index = out_index >= 0 ? g_unix_fd_list_append (fds, err[1], &error) : -1;
  /* The list holds its own copies: ours would keep the pipes open. */
  close (out[1]);
  close (err[1]);
  run->out = of_output_capture_new (out[0], OF_LAUNCH_OUTPUT_TAIL_MAX, on_capture_done, run);
  run->err = of_output_capture_new (err[0], OF_LAUNCH_OUTPUT_TAIL_MAX, on_capture_done, run);
  if (err_index < 0)
    {
      decide (run, of_launch_result_new_not_started ("cannot pass pipes: %s", error->message));
      return;
    }

  /* Before the start, so that no change of the unit is missed. */
  run->properties_id =
    g_dbus_connection_signal_subscribe (run->bus, SYSTEMD_BUS_NAME, "org.freedesktop.DBus.Properties",
                                        "PropertiesChanged", run->unit_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_properties_changed, run, NULL);
  run->job_removed_id =
    g_dbus_connection_signal_subscribe (run->bus, SYSTEMD_BUS_NAME, SYSTEMD_MANAGER, "JobRemoved",
                                        SYSTEMD_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_job_removed, run, NULL);
  ensure_subscribed (self);

  g_debug ("Starting unit %s: %s as %s", run->unit, spec->argv[0], spec->user_name);
  g_dbus_connection_call_with_unix_fd_list (run->bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                            "StartTransientUnit",
                                            g_variant_new ("(ss@a(sv)@a(sa(sv)))", run->unit, "fail",
                                                           build_properties (spec, out_index, err_index),
                                                           g_variant_new_array (G_VARIANT_TYPE ("(sa(sv))"),
                                                                                NULL, 0)),
                                            G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS,
                                            fds, NULL, on_start_replied, g_object_ref (task));

  if (spec->timeout_usec > 0)
    {
      run->safety_ms = SAFETY_MARGIN_MS;
      run->safety_source = attach (run, g_timeout_source_new ((guint) MIN ((spec->timeout_usec + MAX (spec->kill_grace_usec, 0)) / 1000
                                                                           + SAFETY_MARGIN_MS, G_MAXUINT)),
                                   on_safety);
    }
  if (cancellable != NULL)
    run->cancel_source = attach (run, g_cancellable_source_new (cancellable), G_SOURCE_FUNC (on_cancelled));
}

static OfLaunchResult *
of_launch_systemd_run_finish (OfLauncher    *launcher,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, launcher), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
of_launch_systemd_iface_init (OfLauncherInterface *iface)
{
  iface->run_async = of_launch_systemd_run_async;
  iface->run_finish = of_launch_systemd_run_finish;
}

static void
of_launch_systemd_finalize (GObject *object)
{
  OfLaunchSystemd *self = OF_LAUNCH_SYSTEMD (object);

  g_clear_object (&self->bus);
  G_OBJECT_CLASS (of_launch_systemd_parent_class)->finalize (object);
}

static void
of_launch_systemd_class_init (OfLaunchSystemdClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = of_launch_systemd_finalize;
}

static void
of_launch_systemd_init (OfLaunchSystemd *self)
{
  (void) self;
}

static void
on_leftovers_listed (GObject      *source,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  GDBusConnection *bus = G_DBUS_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (bus, res, &error);
  g_autoptr(GVariantIter) units = NULL;
  const char *name, *active;

  (void) user_data;
  if (reply == NULL)
    {
      g_debug ("Cannot list leftover engine units: %s", error->message);
      return;
    }
  g_variant_get (reply, "(a(ssssssouso))", &units);
  while (g_variant_iter_next (units, "(&s&s&s&s&s&s&ou&s&o)", &name, NULL, NULL, &active,
                              NULL, NULL, NULL, NULL, NULL, NULL))
    {
      if (g_str_equal (active, "inactive") || g_str_equal (active, "failed"))
        continue;
      g_message ("Stopping %s, an engine run left over by an earlier daemon", name);
      g_dbus_connection_call (bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "StopUnit",
                              g_variant_new ("(ss)", name, "replace"), G_VARIANT_TYPE ("(o)"),
                              G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, on_stopped, g_strdup (name));
    }
}

void
of_launch_systemd_stop_leftovers (OfLaunchSystemd *self,
                                  const char      *pattern)
{
  const char *patterns[] = { pattern, NULL };

  g_return_if_fail (OF_IS_LAUNCH_SYSTEMD (self));
  g_return_if_fail (pattern != NULL);

  g_dbus_connection_call (self->bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "ListUnitsByPatterns",
                          g_variant_new ("(^as^as)", (const char * const[]) { NULL }, patterns),
                          G_VARIANT_TYPE ("(a(ssssssouso))"), G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS,
                          NULL, on_leftovers_listed, NULL);
}

OfLauncher *
of_launch_systemd_new (GDBusConnection *bus)
{
  OfLaunchSystemd *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), NULL);
  self = g_object_new (OF_TYPE_LAUNCH_SYSTEMD, NULL);
  self->bus = g_object_ref (bus);
  return OF_LAUNCHER (self);
}
