/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sync-manager.c — see sync-manager.h. */
#include "sync-manager.h"

#include "errors.h"
#include "conditions.h"
#include "file-util.h"
#include "journal-events.h"
#include "sync-runner.h"
#include "wallclock-timer.h"

struct _OfSyncManager {
  GObject            parent_instance;

  OfStateStore      *state_store;   /* borrowed */
  OfShareRegistry   *shares;        /* borrowed */
  OfLauncher        *launcher;
  char              *engine_path;
  char              *archive_root;
  gint64             kill_grace_usec;
  char              *machine_id;
  OfConfigStore     *store;         /* the settings' owner */
  GTimeZone         *tz;
  OfWallclockTimer  *timer;
  OfTimezoneMonitor *tz_monitor;

  OfPlannedSync      plan;
  OfSyncState        schedule_state;
  gint64             wake_at;       /* what the timer is armed for; 0 = nothing */
  gint64             planned_at;    /* the instant the plan was made for */
  GVariant          *preview;       /* a(tss) of that plan, made on demand */
  gint64             awake_since;   /* watching the clock without a gap since (start, resume, jump) */
  gboolean           started;       /* of_sync_manager_start() ran: the timer may fire */
  guint64            interrupted_id; /* running at the last stop, as loaded; finished at start */

  guint64            current_id;    /* 0 = idle */
  GList             *id_waiters;    /* GTasks of sync_now_async() waiting for the id */
  gboolean           announced;     /* current_id is on disk and SyncStarted out */
  OfSyncReason       current_reason;
  gint64             share_started; /* monotonic µs: when the running share's turn began */
  GCancellable      *cancellable;
  OfSyncRunControl  *control;       /* of the running sync; NULL when idle */
  gboolean           pending;       /* a sync came due while one ran */
  OfSyncReason       pending_reason;
  guint              saves_in_flight;
  char              *current_share;  /* a Share.SyncNow: only this one; NULL: all */
  guint              holds;         /* conflict resolutions running: no sync starts */
  GQueue             hold_waiters;  /* GTasks of hold_async(), in order */

  OfConditions      *conditions;    /* NULL: nothing is ever held back */
  OfPlannedSync      held;          /* a due sync held back (start 0: none), its time and reason kept */
  OfDeferReason      defer_reason;  /* why it is held back */
};

G_DEFINE_TYPE (OfSyncManager, of_sync_manager, G_TYPE_OBJECT)

enum {
  SIGNAL_SYNC_STARTED,
  SIGNAL_SYNC_PROGRESS,
  SIGNAL_SYNC_FINISHED,
  SIGNAL_STATUS_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_sync (OfSyncManager *self, OfSyncReason reason, const char *share);
static gboolean grant_hold (OfSyncManager *self);

static gboolean
conditions_known (OfSyncManager *self)
{
  return self->conditions == NULL || of_conditions_is_known (self->conditions);
}

static OfDeferReason
current_defer_reason (OfSyncManager *self,
                      OfSyncReason   reason)
{
  if (self->conditions == NULL)
    return OF_DEFER_NONE;
  return of_schedule_defer_reason (of_config_store_get_settings (self->store), reason,
                                   of_conditions_is_metered (self->conditions),
                                   of_conditions_is_on_battery (self->conditions));
}

static void replan (OfSyncManager *self);

/* A background sync came due at @due: it starts, unless the network is
 * metered or the machine on battery (then it is held with its time and
 * reason), or the conditions are not known yet (then the first word of
 * NetworkManager and UPower re-plans and decides). */
static void
start_due_sync (OfSyncManager *self,
                OfSyncReason   reason,
                gint64         due,
                const char    *note)
{
  OfDeferReason defer;

  if (!conditions_known (self))
    {
      g_debug ("A %s sync is due; waiting to hear whether the network is metered or the machine on battery",
               of_sync_reason_to_string (reason));
      replan (self);
      return;
    }
  defer = current_defer_reason (self, reason);
  if (defer != OF_DEFER_NONE)
    {
      if (self->held.start == 0)
        of_journal_sync_deferred (of_defer_reason_to_string (defer), due);
      of_planned_sync_clear (&self->held);
      self->held.start = due;
      self->held.reason = reason;
      self->held.note = g_strdup (note ? note : "");
      replan (self);
      return;
    }
  start_sync (self, reason, NULL);
}

/* The zone is re-read from its file each time: GLib's own local zone is
 * cached for the life of the process and would miss a change. */
static GTimeZone *
load_time_zone (void)
{
  const char *tz = g_getenv ("TZ");
  GTimeZone *zone;

  if (tz && *tz == ':')
    tz++;
  zone = g_time_zone_new_identifier (tz && *tz ? tz : "/etc/localtime");
  if (zone == NULL)
    {
      g_warning ("Cannot load the time zone %s, using UTC for the blockout window",
                 tz && *tz ? tz : "/etc/localtime");
      zone = g_time_zone_new_utc ();
    }
  g_debug ("Time zone: %s", g_time_zone_get_identifier (zone));
  return zone;
}

static OfScheduleHistory
history (OfSyncManager *self)
{
  const OfState *state = of_state_store_get (self->state_store);
  OfScheduleHistory h = {
    .first_start = state->first_start,
    .last_start = state->last_start,
    .last_success_start = state->last_success_start,
    .last_was_failed_overdue = state->last_was_failed_overdue,
    .awake_since = self->awake_since,
  };
  return h;
}

static void
replan (OfSyncManager *self)
{
  OfScheduleHistory h = history (self);
  gint64 now = g_get_real_time ();
  gint64 state_change;

  self->planned_at = now;
  g_clear_pointer (&self->preview, g_variant_unref);
  of_planned_sync_clear (&self->plan);
  of_schedule_plan (of_config_store_get_settings (self->store), &h, self->machine_id, self->tz, now, &self->plan);
  self->schedule_state = of_schedule_state (of_config_store_get_settings (self->store), self->tz, now);

  /* A sync held back keeps its due time and reason (docs/behaviour.md §14). */
  if (self->held.start != 0)
    {
      self->defer_reason = current_defer_reason (self, self->held.reason);
      of_planned_sync_clear (&self->plan);
      self->plan.start = self->held.start;
      self->plan.reason = self->held.reason;
      self->plan.note = g_strdup (self->held.note);
      if (self->defer_reason != OF_DEFER_NONE)
        self->schedule_state = OF_SYNC_STATE_DEFERRED;
      else
        {
          /* The condition ended: the timer fires at once and starts it. */
          g_debug ("The held-back sync may start now");
          of_planned_sync_clear (&self->held);
        }
    }
  else
    self->defer_reason = OF_DEFER_NONE;

  /* Also wake when the window opens or closes: State must follow. */
  self->wake_at = self->plan.start;
  /* Held back, or the conditions are not known yet: only a change of the
   * conditions (a signal, not a timer) may start it. */
  if (self->held.start != 0 || (self->plan.start != 0 && self->plan.start <= now && !conditions_known (self)))
    self->wake_at = 0;
  state_change = of_schedule_next_state_change (of_config_store_get_settings (self->store), self->tz, now);
  if (state_change > 0 && (self->wake_at == 0 || state_change < self->wake_at))
    self->wake_at = state_change;

  /* Before start() the plan is shown but nothing fires: a sync must not
   * begin before clients can see the name. */
  if (!self->started || self->current_id != 0 || self->wake_at == 0)
    of_wallclock_timer_disarm (self->timer);
  else
    of_wallclock_timer_arm (self->timer, self->wake_at);

  g_debug ("Planned: next sync %" G_GINT64_FORMAT " (%s%s%s), state %s, wake at %" G_GINT64_FORMAT,
           self->plan.start, of_sync_reason_to_string (self->plan.reason),
           self->plan.note && *self->plan.note ? ", " : "", self->plan.note ? self->plan.note : "",
           of_sync_state_to_string (self->schedule_state), self->wake_at);
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
}

static void
on_timer (OfWallclockEvent event,
          gpointer         user_data)
{
  OfSyncManager *self = user_data;
  gint64 now = g_get_real_time ();

  if (event == OF_WALLCLOCK_EVENT_CLOCK_CHANGED)
    {
      /* Whatever came due across the jump or the sleep was missed. */
      self->awake_since = now;
      g_debug ("The wall clock changed (or the system resumed): re-planning");
      replan (self);
      return;
    }

  if (self->current_id == 0 && self->plan.start != 0 && self->plan.start <= now)
    start_due_sync (self, self->plan.reason, self->plan.start, self->plan.note);
  else
    replan (self);
}

static void
on_time_zone_changed (gpointer user_data)
{
  OfSyncManager *self = user_data;

  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = load_time_zone ();
  replan (self);
}

static void
state_saved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(OfSyncManager) self = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  self->saves_in_flight--;
  /* Logged by the store; the sync goes on regardless. */
  of_state_store_save_finish (self->state_store, result, &error);
}

static void
save_state (OfSyncManager *self)
{
  self->saves_in_flight++;
  of_state_store_save_async (self->state_store, state_saved, g_object_ref (self));
}

static void
on_share_done (const OfShare         *share,
               const OfEngineOutcome *outcome,
               guint                  done,
               guint                  total,
               gpointer               user_data)
{
  OfSyncManager *self = user_data;
  const char *result = of_share_result_to_string (outcome->result);
  g_autofree char *id_string = g_strdup_printf ("%" G_GUINT64_FORMAT, self->current_id);

  if (outcome->result == OF_SHARE_RESULT_FAILED)
    of_journal_share_failed (self->current_id, share->name, outcome->message);
  else
    g_log_structured (G_LOG_DOMAIN,
                      outcome->result == OF_SHARE_RESULT_SUCCESS ? G_LOG_LEVEL_INFO : G_LOG_LEVEL_MESSAGE,
                      "OFFLINEFILES_SYNC_ID", id_string,
                      "OFFLINEFILES_SHARE", share->name,
                      "OFFLINEFILES_RESULT", result,
                      "MESSAGE", "Sync %s, share %s: %s (%s)", id_string, share->name, result, outcome->message);
  /* On disk with the sync's own state at its end: one durable write per
   * sync, not per share (each costs an fsync). */
  of_share_registry_record_result (self->shares, share->name, g_get_real_time (), result, outcome->message,
                                   outcome->problems);
  /* Shares run in turn: each one's time is from the end of the one
   * before (or the start) to its own end (the metrics' last duration). */
  {
    gint64 now = g_get_monotonic_time ();

    /* Not for a share removed meanwhile: that would bring its state back. */
    if (of_share_registry_lookup (self->shares, share->name) != NULL)
      of_state_get_share (of_state_store_get (self->state_store), share->name)->last_duration =
        MAX (now - self->share_started, 1);
    self->share_started = now;
  }
  /* Only a run that got through the share knows all its conflicts; a
   * failed one leaves the list as it was. */
  if (outcome->conflicts_known)
    {
      of_share_registry_record_conflicts (self->shares, share->name, outcome->conflict_details,
                                          g_get_real_time ());
      if (outcome->conflict_details->len > 0)
        of_journal_conflict_found (self->current_id, share->name, outcome->conflict_details->len);
    }
  g_signal_emit (self, signals[SIGNAL_SYNC_PROGRESS], 0, self->current_id, done, total, share->name);
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(OfSyncManager) self = user_data;
  OfState *state = of_state_store_get (self->state_store);
  g_autofree char *sync_result = NULL;
  g_autofree char *message = NULL;
  guint64 id = self->current_id;
  gboolean success;

  (void) source;
  of_sync_run_finish (result, &sync_result, &message);
  success = g_str_equal (sync_result, of_share_result_to_string (OF_SHARE_RESULT_SUCCESS));

  state->running_sync_id = 0;
  /* A sync of one share is not a background sync: the schedule's history
   * is that of full syncs only. */
  if (self->current_share == NULL)
    {
      state->last_finish = g_get_real_time ();
      g_free (state->last_result);
      state->last_result = g_strdup (sync_result);
      if (success)
        state->last_success_start = state->last_start;
      state->last_was_failed_overdue = !success && self->current_reason == OF_SYNC_REASON_OVERDUE;
    }
  save_state (self);
  g_clear_pointer (&self->current_share, g_free);

  self->current_id = 0;
  self->announced = FALSE;
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->control, of_sync_run_control_unref);
  /* Status first: a client that hears SyncFinished reads the new history. */
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
  of_journal_sync_finished (id, sync_result, message);
  g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, id, sync_result, message);

  /* A resolution that waited goes first; what came due meanwhile starts
   * after it. */
  if (grant_hold (self))
    replan (self);
  else if (self->pending)
    {
      /* Once, however many slots passed while the last one ran. */
      self->pending = FALSE;
      start_due_sync (self, self->pending_reason, g_get_real_time (), NULL);
    }
  else
    replan (self);
}

/* Ids are guint64: wider than what g_task_return_int() carries everywhere. */
static void
return_id (GTask   *task,
           guint64  id)
{
  g_task_return_pointer (task, g_memdup2 (&id, sizeof id), g_free);
}

static void
id_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(OfSyncManager) self = user_data;
  g_autoptr(GError) error = NULL;
  OfSyncRunOptions options = {
    self->launcher, self->engine_path, self->archive_root, self->kill_grace_usec, self->current_id,
    self->control, self->shares
  };
  GPtrArray *shares;

  (void) source;
  self->saves_in_flight--;
  if (!of_state_store_save_finish (self->state_store, result, &error))
    g_warning ("Sync %" G_GUINT64_FORMAT " starts although its id could not be saved", self->current_id);

  of_journal_sync_started (self->current_id, of_sync_reason_to_string (self->current_reason));
  self->announced = TRUE;
  g_signal_emit (self, signals[SIGNAL_SYNC_STARTED], 0, self->current_id,
                 of_sync_reason_to_string (self->current_reason));
  {
    GList *waiters = g_steal_pointer (&self->id_waiters);

    for (GList *l = waiters; l; l = l->next)
      return_id (l->data, self->current_id);
    g_list_free_full (waiters, g_object_unref);
  }
  if (self->current_share != NULL)
    {
      /* Asked for by name: even in work-offline mode. */
      OfShare *share = of_share_registry_get_share (self->shares, self->current_share);

      shares = g_ptr_array_new_with_free_func ((GDestroyNotify) of_share_free);
      if (share != NULL)
        g_ptr_array_add (shares, share);
    }
  else
    shares = of_share_registry_get_included (self->shares, of_config_store_get_settings (self->store)->work_offline_shares_enabled);
  self->share_started = g_get_monotonic_time ();
  of_sync_run_async (shares, &options, self->cancellable, on_share_done, self, sync_done, g_object_ref (self));
}

static void
start_sync (OfSyncManager *self,
            OfSyncReason   reason,
            const char    *share)
{
  OfState *state = of_state_store_get (self->state_store);

  if (self->holds > 0 && self->current_id == 0)
    {
      /* A resolution runs: whatever comes due (and SyncNow's waiters)
       * starts once it ends. */
      g_debug ("A %s sync waits for a conflict resolution", of_sync_reason_to_string (reason));
      if (!self->pending)
        {
          self->pending = TRUE;
          self->pending_reason = reason;
        }
      else if (reason == OF_SYNC_REASON_MANUAL)
        /* A SyncNow is never held back: it must not inherit the waiting
         * background sync's reason (which deferral applies to). */
        self->pending_reason = reason;
      return;
    }
  if (self->current_id != 0)
    {
      if (reason != OF_SYNC_REASON_MANUAL && !self->pending)
        {
          g_debug ("A %s sync came due during sync %" G_GUINT64_FORMAT ": it starts when that ends",
                   of_sync_reason_to_string (reason), self->current_id);
          self->pending = TRUE;
          self->pending_reason = reason;
        }
      return;
    }

  /* Any sync of every share, a manual one too, is the one that was held
   * back; one share's (Share.SyncNow) is not. */
  if (share == NULL)
    {
      of_planned_sync_clear (&self->held);
      self->defer_reason = OF_DEFER_NONE;
      /* Not "deferred" any more once it ends (the next plan says what
       * comes after), not even for the moment before the replan. */
      if (self->schedule_state == OF_SYNC_STATE_DEFERRED)
        self->schedule_state = of_schedule_state (of_config_store_get_settings (self->store), self->tz,
                                                  g_get_real_time ());
    }
  self->current_id = state->next_sync_id;
  state->next_sync_id++;
  state->running_sync_id = self->current_id;
  self->current_share = g_strdup (share);
  if (share == NULL)
    state->last_start = g_get_real_time ();
  self->current_reason = reason;
  self->cancellable = g_cancellable_new ();
  self->control = of_sync_run_control_new ();
  of_wallclock_timer_disarm (self->timer);
  /* Nothing is announced (not even CurrentSyncId) before the id is on
   * disk: a crash in between must not hand the same id out again. */

  /* The id is on disk before anyone hears of it: ids never repeat. */
  self->saves_in_flight++;
  of_state_store_save_async (self->state_store, id_saved, g_object_ref (self));
}

void
of_sync_manager_sync_now_async (OfSyncManager      *self,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  if (self->announced)
    {
      return_id (task, self->current_id);
      return;
    }
  /* Answered in id_saved, once the id is on disk. */
  self->id_waiters = g_list_append (self->id_waiters, g_steal_pointer (&task));
  if (self->current_id == 0)
    start_sync (self, OF_SYNC_REASON_MANUAL, NULL);
}

void
of_sync_manager_sync_share_async (OfSyncManager      *self,
                                  const char         *share,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  if (self->current_id != 0)
    {
      if (self->current_share != NULL && !g_str_equal (self->current_share, share))
        {
          g_task_return_new_error (task, OF_ERROR, OF_ERROR_FAILED,
                                   "Another share is being synchronized; try again when it is done");
          return;
        }
      if (self->announced)
        return_id (task, self->current_id);
      else
        self->id_waiters = g_list_append (self->id_waiters, g_steal_pointer (&task));
      return;
    }
  if (self->holds > 0)
    {
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_FAILED,
                               "Conflicts are being resolved; try again when that is done");
      return;
    }
  self->id_waiters = g_list_append (self->id_waiters, g_steal_pointer (&task));
  start_sync (self, OF_SYNC_REASON_MANUAL, share);
}

/* Hands the hold to every waiter if no sync runs; TRUE if any.  Holds
 * are shared (resolutions of different shares run side by side, so one
 * user's slow server does not hold another user's resolution up; the
 * resolver keeps one per share); syncs are not starved: a waiting sync
 * goes before resolutions asked for after it. */
static gboolean
grant_hold (OfSyncManager *self)
{
  gboolean granted = FALSE;

  if (self->current_id != 0)
    return FALSE;
  while (!g_queue_is_empty (&self->hold_waiters))
    {
      GTask *task = g_queue_pop_head (&self->hold_waiters);

      self->holds++;
      granted = TRUE;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  return granted;
}

void
of_sync_manager_hold_async (OfSyncManager      *self,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_queue_push_tail (&self->hold_waiters, g_task_new (self, NULL, callback, user_data));
  if (!self->pending)
    grant_hold (self);
}

gboolean
of_sync_manager_hold_finish (OfSyncManager *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
of_sync_manager_release (OfSyncManager *self)
{
  g_return_if_fail (self->holds > 0);
  if (--self->holds > 0)
    return;
  if (self->pending)
    {
      self->pending = FALSE;
      start_due_sync (self, self->pending_reason, g_get_real_time (), NULL);
      /* Held back (metered, on battery): the resolutions that queued
       * behind it need not wait for the condition to end. */
      if (self->current_id == 0)
        grant_hold (self);
    }
  else if (!grant_hold (self))
    replan (self);
}

guint64
of_sync_manager_sync_now_finish (OfSyncManager *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_autofree guint64 *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  id = g_task_propagate_pointer (G_TASK (result), error);
  return id ? *id : 0;
}

void
of_sync_manager_cancel (OfSyncManager *self)
{
  if (self->cancellable)
    {
      g_debug ("Cancelling sync %" G_GUINT64_FORMAT, self->current_id);
      g_cancellable_cancel (self->cancellable);
    }
}

void
of_sync_manager_withdraw_share_async (OfSyncManager      *self,
                                      const char         *name,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  /* Between start_sync() and the run's start too: the control is made
   * with the id, and the runner consults it before each share. */
  if (self->control == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  of_sync_run_control_withdraw (self->control, name, task);
}

gboolean
of_sync_manager_withdraw_share_finish (OfSyncManager *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
of_sync_manager_replan (OfSyncManager *self,
                        const char    *why)
{
  g_debug ("Re-planning: %s", why);
  replan (self);
}

void
of_sync_manager_resumed (OfSyncManager *self)
{
  /* Whatever came due during the sleep was missed: catch-up. */
  self->awake_since = g_get_real_time ();
  of_sync_manager_replan (self, "the system resumed");
}

static void
on_settings_changed (OfConfigStore *store,
                     guint          mask,
                     gpointer       user_data)
{
  (void) store;
  (void) mask;
  of_sync_manager_replan (user_data, "the settings changed");
}

GVariant *
of_sync_manager_preview (OfSyncManager *self,
                         guint          count)
{
  GVariantBuilder builder;
  gsize n;

  /* Computed once per plan, for the longest preview anyone may ask: a
   * caller asking again and again costs a copy, not two milliseconds of
   * the main loop that also supervises the engines.  Planned at the same
   * instant as NextSyncTime, so the first entry is always that. */
  if (self->preview == NULL)
    {
      OfScheduleHistory h = history (self);
      g_autoptr(GArray) planned = of_schedule_preview (of_config_store_get_settings (self->store), &h,
                                                       self->machine_id, self->tz, self->planned_at,
                                                       OF_SCHEDULE_PREVIEW_MAX);

      g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(tss)"));
      for (guint i = 0; i < planned->len; i++)
        {
          const OfPlannedSync *p = &g_array_index (planned, OfPlannedSync, i);
          g_variant_builder_add (&builder, "(tss)", (guint64) p->start,
                                 of_sync_reason_to_string (p->reason), p->note ? p->note : "");
        }
      self->preview = g_variant_ref_sink (g_variant_builder_end (&builder));
    }
  n = g_variant_n_children (self->preview);
  if (count >= n)
    return g_variant_ref (self->preview);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(tss)"));
  for (gsize i = 0; i < count; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (self->preview, i);

      g_variant_builder_add_value (&builder, entry);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

const char *
of_sync_manager_get_defer_reason (OfSyncManager *self)
{
  return of_defer_reason_to_string (self->announced ? OF_DEFER_NONE : self->defer_reason);
}

static void
on_conditions_changed (OfConditions *conditions,
                       gpointer      user_data)
{
  (void) conditions;
  of_sync_manager_replan (user_data, "the network's cost or the power source changed");
}

void
of_sync_manager_set_conditions (OfSyncManager *self,
                                OfConditions  *conditions)
{
  g_return_if_fail (self->conditions == NULL);
  self->conditions = g_object_ref (conditions);
  g_signal_connect_object (conditions, "changed", G_CALLBACK (on_conditions_changed), self, 0);
  replan (self);
}

const char *
of_sync_manager_get_state (OfSyncManager *self)
{
  if (self->announced)
    return of_sync_state_to_string (OF_SYNC_STATE_SYNCING);
  return of_sync_state_to_string (self->schedule_state);
}

gint64
of_sync_manager_get_next_sync_time (OfSyncManager *self)
{
  return self->plan.start;
}

guint64
of_sync_manager_get_current_sync_id (OfSyncManager *self)
{
  return self->announced ? self->current_id : 0;
}

const OfState *
of_sync_manager_get_history (OfSyncManager *self)
{
  return of_state_store_get (self->state_store);
}

gboolean
of_sync_manager_is_busy (OfSyncManager *self)
{
  return self->current_id != 0 || self->saves_in_flight > 0 || self->holds > 0;
}

/* A sync that the state shows as started and never finished was cut
 * short by a crash or a kill: it gets its SyncFinished now, so that every
 * SyncStarted keeps exactly one, even across crashes.  Its engine died
 * with the daemon (PR_SET_PDEATHSIG), or is stopped with its unit. */
static void
finish_interrupted (OfSyncManager *self)
{
  OfState *state = of_state_store_get (self->state_store);
  const char *failed = of_share_result_to_string (OF_SHARE_RESULT_FAILED);
  guint64 id = self->interrupted_id;

  if (id == 0)
    return;
  self->interrupted_id = 0;
  if (state->running_sync_id == id)
    state->running_sync_id = 0;
  state->last_finish = g_get_real_time ();
  g_free (state->last_result);
  state->last_result = g_strdup (failed);
  save_state (self);

  of_journal_sync_finished (id, failed, "interrupted: the daemon stopped during it");
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, id, failed, "interrupted");
}

void
of_sync_manager_start (OfSyncManager *self)
{
  g_autoptr(GError) tz_error = NULL;

  g_return_if_fail (!self->started);

  self->started = TRUE;
  finish_interrupted (self);

  /* Watched only now, so that setting up inotify and GIO's extension
   * points does not delay taking the bus name; the zone is read again
   * after the watch starts, so no change in between is missed.  A zone
   * given by TZ does not change under us; /etc/localtime may. */
  self->tz_monitor = of_timezone_monitor_new (NULL, on_time_zone_changed, self, &tz_error);
  if (self->tz_monitor == NULL)
    g_debug ("Not watching the time zone: %s", tz_error->message);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  self->tz = load_time_zone ();
  replan (self);
}

OfSyncManager *
of_sync_manager_new (OfStateStore           *state_store,
                     OfShareRegistry        *shares,
                     const OfSyncRunOptions *options,
                     const char             *machine_id,
                     OfConfigStore          *store,
                     GError                **error)
{
  g_autoptr(OfSyncManager) self = g_object_new (OF_TYPE_SYNC_MANAGER, NULL);

  self->state_store = state_store;
  self->shares = shares;
  self->launcher = g_object_ref (options->launcher);
  self->engine_path = g_strdup (options->engine_path);
  self->archive_root = g_strdup (options->archive_root);
  self->kill_grace_usec = options->kill_grace_usec;
  self->machine_id = g_strdup (machine_id);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_settings_changed), self, 0);
  self->tz = load_time_zone ();
  /* Anything due before now came due while the daemon was not running. */
  self->awake_since = g_get_real_time ();
  self->interrupted_id = of_state_store_get (state_store)->running_sync_id;
  self->timer = of_wallclock_timer_new (on_timer, self, error);
  if (self->timer == NULL)
    return NULL;
  /* Planned from the start, so the bus object's first read already
   * shows NextSyncTime; start() plans again once the clock is watched. */
  replan (self);
  return g_steal_pointer (&self);
}

static void
of_sync_manager_finalize (GObject *object)
{
  OfSyncManager *self = OF_SYNC_MANAGER (object);

  g_clear_pointer (&self->timer, of_wallclock_timer_free);
  g_clear_pointer (&self->tz_monitor, of_timezone_monitor_free);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->control, of_sync_run_control_unref);
  of_planned_sync_clear (&self->plan);
  of_planned_sync_clear (&self->held);
  g_clear_object (&self->conditions);
  g_free (self->machine_id);
  g_clear_object (&self->launcher);
  g_free (self->engine_path);
  g_free (self->archive_root);
  g_clear_object (&self->store);
  g_clear_pointer (&self->preview, g_variant_unref);
  /* Unanswered at shutdown: their callers get no id. */
  g_list_free_full (self->id_waiters, g_object_unref);
  g_queue_clear_full (&self->hold_waiters, g_object_unref);
  g_free (self->current_share);
  G_OBJECT_CLASS (of_sync_manager_parent_class)->finalize (object);
}

static void
of_sync_manager_class_init (OfSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = of_sync_manager_finalize;

  signals[SIGNAL_SYNC_STARTED] =
    g_signal_new ("sync-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_STRING);
  signals[SIGNAL_SYNC_PROGRESS] =
    g_signal_new ("sync-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_UINT64, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_SYNC_FINISHED] =
    g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT64, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
of_sync_manager_init (OfSyncManager *self)
{
  self->schedule_state = OF_SYNC_STATE_IDLE;
}
