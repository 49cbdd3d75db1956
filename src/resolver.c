/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolver.c — see resolver.h. */
#include "resolver.h"

#include "engine.h"
#include "errors.h"
#include "escape.h"
#include "offlinefiles-dbus.h"

#include <string.h>

struct _OfResolver {
  OfSyncManager   *manager;     /* borrowed */
  OfShareRegistry *registry;    /* borrowed */
  OfLauncher      *launcher;
  char            *engine_path;
  char            *archive_root;
  gint64           kill_grace_usec;
  GCancellable    *cancellable;
  guint            running;     /* resolutions between the call and its answer */
  /* share name → GQueue of Resolutions waiting for the one running on
   * that share: one at a time per share (they share its archive), side
   * by side for different shares. */
  GHashTable      *busy;
  /* share name → GCancellable its resolutions run with, so that
   * RemoveShare stops them; each a child of @cancellable. */
  GHashTable      *cancels;
  guint            serial;      /* names the runs (their units) */
};

typedef enum { RESULT_PENDING, RESULT_RESOLVED, RESULT_SKIPPED, RESULT_FAILED } ItemResult;

typedef struct {
  char          *path;          /* as the caller gave it */
  char          *store_path;    /* the stored (raw) path; NULL if not in conflict */
  char          *how;
  OfEngineKeep   keep;
  gboolean       deletion_may_win;
  ItemResult     result;
  char          *message;
} Item;

typedef struct {
  OfResolver            *resolver;
  OfShare               *share;
  GDBusMethodInvocation *invocation;
  GPtrArray             *items;       /* Item*, in the caller's order */
  GPtrArray             *runs;        /* GPtrArray of Item* (borrowed) per engine run */
  guint                  next_run;
  GCancellable          *cancellable; /* the share's, see OfResolver.cancels */
} Resolution;

static void
item_free (Item *item)
{
  g_free (item->path);
  g_free (item->store_path);
  g_free (item->how);
  g_free (item->message);
  g_free (item);
}

static void
resolution_free (Resolution *resolution)
{
  of_share_free (resolution->share);
  g_object_unref (resolution->cancellable);
  g_ptr_array_unref (resolution->runs);
  g_ptr_array_unref (resolution->items);
  g_free (resolution);
}

static void
set_result (Item       *item,
            ItemResult  result,
            const char *message)
{
  item->result = result;
  g_free (item->message);
  item->message = g_strdup (message);
}

/* Whether one side of the path is gone (or is a folder against a file):
 * unison's -confirmbigdel then trips on the path as "completely emptied
 * in one replica", whichever side wins, so the run needs it off and the
 * stricter check of the remote instead (engine.h). */
static gboolean
one_side_gone (OfConflictReason reason)
{
  return reason != OF_CONFLICT_BOTH_CHANGED;
}

/* unison reads "Path P -> ROOT" itself, and a Path pattern globs (* ? [ ]
 * { } and \ escapes): a name it would read otherwise, or one that would
 * also match another chosen path and give it the wrong winner, cannot be
 * given to it safely. */
static gboolean
path_is_nameable (const char *path)
{
  return *path != '\0' && strstr (path, "->") == NULL && strpbrk (path, "\n*?[]{}\\") == NULL &&
         !g_ascii_isspace (path[0]) && !g_ascii_isspace (path[strlen (path) - 1]) && path[0] != '/';
}

static void next_run (Resolution *resolution);
static void on_held (GObject *source, GAsyncResult *result, gpointer user_data);

/* The share's next resolution, if one waits; else the share is free. */
static void
start_next_on_share (OfResolver *self,
                     const char *share)
{
  GQueue *waiting = g_hash_table_lookup (self->busy, share);
  Resolution *next = waiting ? g_queue_pop_head (waiting) : NULL;

  if (next == NULL)
    {
      g_hash_table_remove (self->busy, share);
      g_hash_table_remove (self->cancels, share);
      return;
    }
  /* Waits for a running sync; no sync starts until we release. */
  of_sync_manager_hold_async (self->manager, on_held, next);
}

static void
finish_resolution (Resolution *resolution)
{
  OfResolver *self = resolution->resolver;
  g_autoptr(GPtrArray) settled = g_ptr_array_new ();
  GVariantBuilder builder;
  guint counts[4] = { 0 };

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sss)"));
  for (guint i = 0; i < resolution->items->len; i++)
    {
      Item *item = resolution->items->pdata[i];
      static const char * const names[] = { "failed", "resolved", "skipped", "failed" };
      g_autofree char *path = of_escape_text (item->path);
      g_autofree char *message = of_escape_text (item->message ? item->message : "");

      if (item->result == RESULT_RESOLVED)
        g_ptr_array_add (settled, item->store_path);
      counts[item->result]++;
      g_variant_builder_add (&builder, "(sss)", path, names[item->result], message);
    }
  of_share_registry_conflicts_resolved (self->registry, resolution->share->name, settled);
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "OFFLINEFILES_SHARE", resolution->share->name,
                    "MESSAGE", "Share %s: conflicts resolved: %u, skipped: %u, failed: %u",
                    resolution->share->name, counts[RESULT_RESOLVED], counts[RESULT_SKIPPED],
                    counts[RESULT_FAILED] + counts[RESULT_PENDING]);
  of_dbus_share_complete_resolve_conflicts (NULL, resolution->invocation, g_variant_builder_end (&builder));
  self->running--;
  of_sync_manager_release (self->manager);
  start_next_on_share (self, resolution->share->name);
  resolution_free (resolution);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Resolution *resolution = user_data;
  GPtrArray *run = resolution->runs->pdata[resolution->next_run - 1];
  g_autoptr(OfEngineOutcome) outcome = of_engine_run_finish (result, NULL);
  g_autoptr(GHashTable) unsettled = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *run_failure = NULL;
  const char *engine_line = NULL;

  (void) source;
  for (guint i = 0; i < outcome->problems->len; i++)
    {
      const OfEngineProblem *problem = outcome->problems->pdata[i];
      g_hash_table_insert (unsettled, problem->path, problem->reason);
      if (*problem->path == '\0' && engine_line == NULL)
        engine_line = problem->reason;
    }
  /* The caller may read the share's names (its user, or manage-shares):
   * unison's own line says more than our summary. */
  run_failure = engine_line ? g_strdup_printf ("%s: %s", outcome->message, engine_line)
                            : g_strdup (outcome->message);
  for (guint i = 0; i < run->len; i++)
    {
      Item *item = run->pdata[i];
      const char *reason = g_hash_table_lookup (unsettled, item->store_path);

      /* The folders were not there, the engine stopped, the run timed
       * out: nothing was settled (a fatal error stops unison before it
       * propagates anything). */
      if (!outcome->conflicts_known)
        set_result (item, RESULT_FAILED, run_failure);
      else if (reason != NULL)
        set_result (item, RESULT_FAILED, reason);
      else
        set_result (item, RESULT_RESOLVED, item->how);
    }
  next_run (resolution);
}

static void
next_run (Resolution *resolution)
{
  OfResolver *self = resolution->resolver;
  g_autofree OfEngineChoice *choices = NULL;
  g_autofree char *base = NULL;
  g_autofree char *run_name = NULL;
  GPtrArray *run;

  if (resolution->next_run >= resolution->runs->len)
    {
      finish_resolution (resolution);
      return;
    }
  run = resolution->runs->pdata[resolution->next_run++];
  choices = g_new0 (OfEngineChoice, run->len);
  for (guint i = 0; i < run->len; i++)
    {
      Item *item = run->pdata[i];

      choices[i].path = item->store_path;
      choices[i].keep = item->keep;
      choices[i].deletion_may_win = item->deletion_may_win;
    }
  /* Unique across restarts too (a unit of an earlier daemon may still
   * be there): the time, and a counter for runs within one. */
  base = of_engine_run_name (resolution->share->name, (guint64) g_get_real_time ());
  run_name = g_strdup_printf ("%s-resolve%u", base, ++self->serial);
  of_engine_resolve_async (self->launcher, self->engine_path, resolution->share, self->archive_root, run_name,
                           self->kill_grace_usec, choices, run->len, resolution->cancellable, on_resolved,
                           resolution);
}

static const OfEngineConflict *
find_conflict (GPtrArray  *conflicts,
               const char *path)
{
  for (guint i = 0; i < conflicts->len; i++)
    {
      const OfEngineConflict *conflict = conflicts->pdata[i];
      g_autofree char *escaped = NULL;

      if (g_str_equal (conflict->path, path))
        return conflict;
      /* ListConflicts shows names escaped: that spelling names it too. */
      escaped = of_escape_text (conflict->path);
      if (g_str_equal (escaped, path))
        return conflict;
    }
  return NULL;
}

static void
on_held (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Resolution *resolution = user_data;
  OfResolver *self = resolution->resolver;
  GPtrArray *conflicts;
  GPtrArray *keep_one = g_ptr_array_new ();
  GPtrArray *keep_both = g_ptr_array_new ();

  (void) source;
  of_sync_manager_hold_finish (self->manager, result, NULL);
  /* Read only now: the sync we waited for may have changed the list. */
  conflicts = of_share_registry_get_conflicts (self->registry, resolution->share->name);
  for (guint i = 0; i < resolution->items->len; i++)
    {
      Item *item = resolution->items->pdata[i];
      const OfEngineConflict *conflict;

      if (g_str_equal (item->how, "skip"))
        {
          set_result (item, RESULT_SKIPPED, "left as it is");
          continue;
        }
      conflict = conflicts ? find_conflict (conflicts, item->path) : NULL;
      if (conflict == NULL)
        {
          set_result (item, RESULT_SKIPPED, "not in conflict");
          continue;
        }
      if (!path_is_nameable (conflict->path))
        {
          set_result (item, RESULT_FAILED, "this name cannot be given to the engine; resolve it by hand");
          continue;
        }
      item->store_path = g_strdup (conflict->path);
      item->keep = g_str_equal (item->how, "keep-local") ? OF_ENGINE_KEEP_LOCAL
                 : g_str_equal (item->how, "keep-remote") ? OF_ENGINE_KEEP_REMOTE
                 : g_str_equal (item->how, "keep-latest") ? OF_ENGINE_KEEP_LATEST
                 : OF_ENGINE_KEEP_BOTH;
      item->deletion_may_win = one_side_gone (conflict->reason);
      g_ptr_array_add (item->keep == OF_ENGINE_KEEP_BOTH ? keep_both : keep_one, item);
    }
  /* -copyonconflict holds for a whole run: keep-both choices get their
   * own, so no other choice leaves a copy behind. */
  if (keep_one->len > 0)
    g_ptr_array_add (resolution->runs, keep_one);
  else
    g_ptr_array_unref (keep_one);
  if (keep_both->len > 0)
    g_ptr_array_add (resolution->runs, keep_both);
  else
    g_ptr_array_unref (keep_both);
  next_run (resolution);
}

static GCancellable *
share_cancellable (OfResolver *self,
                   const char *share)
{
  GCancellable *cancellable = g_hash_table_lookup (self->cancels, share);

  if (cancellable == NULL)
    {
      cancellable = g_cancellable_new ();
      g_hash_table_insert (self->cancels, g_strdup (share), cancellable);
      if (g_cancellable_is_cancelled (self->cancellable))
        g_cancellable_cancel (cancellable);
      else
        g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel), cancellable,
                                 G_CONNECT_SWAPPED);
    }
  return cancellable;
}

static void
resolve (const OfShare         *share,
         GVariant              *choices,
         GDBusMethodInvocation *invocation,
         gpointer               user_data)
{
  OfResolver *self = user_data;
  Resolution *resolution = g_new0 (Resolution, 1);
  GVariantIter iter;
  const char *path, *how;

  resolution->resolver = self;
  resolution->share = of_share_copy (share);
  resolution->invocation = invocation;
  resolution->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  resolution->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_variant_iter_init (&iter, choices);
  while (g_variant_iter_next (&iter, "(&s&s)", &path, &how))
    {
      Item *item = g_new0 (Item, 1);

      item->path = g_strdup (path);
      item->how = g_strdup (how);
      g_ptr_array_add (resolution->items, item);
    }
  resolution->cancellable = g_object_ref (share_cancellable (self, share->name));
  self->running++;
  if (g_hash_table_contains (self->busy, share->name))
    {
      g_queue_push_tail (g_hash_table_lookup (self->busy, share->name), resolution);
      return;
    }
  g_hash_table_insert (self->busy, g_strdup (share->name), g_queue_new ());
  /* Waits for a running sync; no sync starts until we release. */
  of_sync_manager_hold_async (self->manager, on_held, resolution);
}

static void
on_share_sync_started (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  g_autoptr(GError) error = NULL;
  guint64 id = of_sync_manager_sync_now_finish (OF_SYNC_MANAGER (source), result, &error);

  if (id == 0)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    of_dbus_share_complete_sync_now (NULL, invocation, id);
}

static void
sync_share (const OfShare         *share,
            GDBusMethodInvocation *invocation,
            gpointer               user_data)
{
  OfResolver *self = user_data;

  if (!share->enabled)
    {
      g_dbus_method_invocation_return_error (invocation, OF_ERROR, OF_ERROR_FAILED,
                                             "Share %s is not enabled", share->name);
      return;
    }
  of_sync_manager_sync_share_async (self->manager, share->name, on_share_sync_started, invocation);
}

/* RemoveShare: the running resolution of @name and those waiting for it
 * end as "failed: cancelled"; a later one (a new share of that name)
 * starts afresh. */
static void
withdraw (const char *name,
          gpointer    user_data)
{
  OfResolver *self = user_data;
  GCancellable *cancellable = g_hash_table_lookup (self->cancels, name);

  if (cancellable == NULL)
    return;
  g_debug ("Resolutions of share %s withdrawn", name);
  g_cancellable_cancel (cancellable);
  g_hash_table_remove (self->cancels, name);
}

static const OfShareActions actions = { sync_share, resolve, withdraw };

const OfShareActions *
of_resolver_actions (void)
{
  return &actions;
}

OfResolver *
of_resolver_new (OfSyncManager          *manager,
                 OfShareRegistry        *registry,
                 const OfSyncRunOptions *options)
{
  OfResolver *self = g_new0 (OfResolver, 1);

  self->manager = manager;
  self->registry = registry;
  self->launcher = g_object_ref (options->launcher);
  self->engine_path = g_strdup (options->engine_path);
  self->archive_root = g_strdup (options->archive_root);
  self->kill_grace_usec = options->kill_grace_usec;
  self->cancellable = g_cancellable_new ();
  self->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_queue_free);
  self->cancels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  return self;
}

void
of_resolver_free (OfResolver *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->launcher);
  g_clear_object (&self->cancellable);
  /* Stopped and waited for by the daemon: nothing is queued any more. */
  g_hash_table_unref (self->busy);
  g_hash_table_unref (self->cancels);
  g_free (self->engine_path);
  g_free (self->archive_root);
  g_free (self);
}

void
of_resolver_stop (OfResolver *self)
{
  g_cancellable_cancel (self->cancellable);
}

gboolean
of_resolver_is_busy (OfResolver *self)
{
  return self->running > 0;
}
