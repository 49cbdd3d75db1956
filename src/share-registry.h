/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-registry.h — the configured shares, on the bus and in memory.
 *
 * Reads shares.d/, exports one org.offlinefiles.Share object per valid
 * share under /org/offlinefiles/BackgroundSync/share/, listed by the
 * ObjectManager on the main object, and keeps them in step with the
 * files on reload (InterfacesAdded/Removed).  Owns the write path of
 * WorkOffline (polkit action work-offline, then the state file, then the
 * property) and records each share's last result.  Keeps each share's
 * connection state (ConnectState, OfflineReason, LastProbeTime) from
 * probes (probe.h), the mount table and WorkOffline, and answers
 * Share.Probe() (docs/behaviour.md §14).
 */
#pragma once

#include <gio/gio.h>

#include "auth.h"
#include "conflict-store.h"
#include "config-store.h"
#include "launcher.h"
#include "share.h"
#include "state-store.h"

G_BEGIN_DECLS

#define OF_TYPE_SHARE_REGISTRY (of_share_registry_get_type ())
G_DECLARE_FINAL_TYPE (OfShareRegistry, of_share_registry, OF, SHARE_REGISTRY, GObject)

/* @state_store and @auth are borrowed and must outlive the registry. */
OfShareRegistry *of_share_registry_new          (const char      *shares_dir,
                                                 const char      *manager_path,
                                                 OfStateStore    *state_store,
                                                 OfAuth          *auth);
void             of_share_registry_export       (OfShareRegistry *registry,
                                                 GDBusConnection *connection);
/* Reads shares.d again; invalid files are reported and skipped. */
void             of_share_registry_reload       (OfShareRegistry *registry);
/* The shares a background sync includes, in name order (of OfShare):
 * enabled ones, and those in work-offline mode only if @with_work_offline. */
GPtrArray       *of_share_registry_get_included (OfShareRegistry *registry,
                                                 gboolean         with_work_offline);
guint            of_share_registry_get_count    (OfShareRegistry *registry);
/* Every configured share's name (enabled or not), in name order. */
GStrv            of_share_registry_get_names    (OfShareRegistry *registry);
/* A share whose file was just written (AddShare): exported at once, so
 * that the file monitor's later reload finds it unchanged.  Takes
 * @config (loaded: uid set).  Returns its object path. */
char            *of_share_registry_insert       (OfShareRegistry *registry,
                                                 OfShare         *config);
/* Unexports share @name (InterfacesRemoved); FALSE if there is none.
 * Its state is the caller's to drop. */
gboolean         of_share_registry_remove       (OfShareRegistry *registry,
                                                 const char      *name);
/* RemoveShare, after of_share_registry_remove(): the share is gone for
 * good, so its conflict store is deleted and a resolution of it stops.
 * (A share file removed by hand only leaves the bus: it may come back.) */
void             of_share_registry_forget       (OfShareRegistry *registry,
                                                 const char      *name);
/* The share's configuration, or NULL; valid until the next change. */
const OfShare   *of_share_registry_lookup       (OfShareRegistry *registry,
                                                 const char      *name);
/* How many shares sync as @uid. */
guint            of_share_registry_count_for_uid (OfShareRegistry *registry,
                                                  uid_t            uid);
/* @message is public (counts only); @problems (OfEngineProblem*, may be
 * NULL) are kept for Share.GetLastProblems. */
void             of_share_registry_record_result (OfShareRegistry *registry,
                                                  const char      *name,
                                                  gint64           when,
                                                  const char      *result,
                                                  const char      *message,
                                                  GPtrArray       *problems);

/* The conflict store (borrowed, outlives the registry); set once, before
 * export: ConflictCount and ListConflicts come from it. */
void             of_share_registry_set_conflict_store (OfShareRegistry *registry,
                                                       OfConflictStore *conflicts);
/* What a sync that got through @name found (OfEngineConflict*): the
 * store follows, and ConflictCount with it. */
void             of_share_registry_record_conflicts (OfShareRegistry *registry,
                                                     const char      *name,
                                                     GPtrArray       *conflicts,
                                                     gint64           now);
/* A resolution settled @paths (char*) of @name: out of the store, out of
 * the problems; a share left without conflicts or other problems whose
 * last result was partial becomes success ("conflicts resolved"). */
void             of_share_registry_conflicts_resolved (OfShareRegistry *registry,
                                                       const char      *name,
                                                       GPtrArray       *paths);
/* The conflicts of @name (OfEngineConflict*, borrowed until the next
 * change), or NULL without a store. */
GPtrArray       *of_share_registry_get_conflicts (OfShareRegistry *registry,
                                                  const char      *name);
/* A copy of the share called @name, or NULL. */
OfShare         *of_share_registry_get_share    (OfShareRegistry *registry,
                                                 const char      *name);

/* What Share.SyncNow and Share.ResolveConflicts do once polkit said yes:
 * the daemon's (the registry knows neither syncs nor engines).  Each
 * answers @invocation.  @share is borrowed for the call. */
typedef struct {
  void (*sync_share) (const OfShare         *share,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data);
  void (*resolve)    (const OfShare         *share,
                      GVariant              *choices,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data);
  /* The share is gone for good: what still runs for it stops. */
  void (*withdraw)   (const char            *name,
                      gpointer               user_data);
} OfShareActions;

void             of_share_registry_set_actions  (OfShareRegistry      *registry,
                                                 const OfShareActions *actions,
                                                 gpointer              user_data);
/* Probes run through @launcher (referenced) with the limits of @store's
 * settings (borrowed); the mount table is watched from now on.  Once,
 * after new().  Without it, probes only report what is known. */
void             of_share_registry_set_prober   (OfShareRegistry *registry,
                                                 OfLauncher      *launcher,
                                                 OfConfigStore   *store);
/* Establishes share @name's connection state: at once for WorkOffline
 * (1, 2) and an unmounted MountPoint= (1, 100), else by a probe as its
 * user; a call while a probe of the share runs joins it.  @automatic
 * probes (at a sync, on a change of the network or the mount table) are
 * not run again within a minute after one hung; they answer with the
 * state known.  @callback may be NULL. */
void             of_share_registry_probe_async  (OfShareRegistry    *registry,
                                                 const char         *name,
                                                 gboolean            automatic,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
/* FALSE only when the share is gone. */
gboolean         of_share_registry_probe_finish (OfShareRegistry *registry,
                                                 GAsyncResult    *result,
                                                 guint           *connect_state,
                                                 guint           *offline_reason,
                                                 GError         **error);
/* Share @name's ConnectState (OfConnectState; unknown for no share). */
guint            of_share_registry_get_connect_state (OfShareRegistry *registry,
                                                      const char      *name);
/* An automatic probe of every share (@why for the debug log). */
void             of_share_registry_probe_all    (OfShareRegistry *registry,
                                                 const char      *why);

/* Signal "changing" (): emitted before each change of the share objects
 * (one added or removed, a property set), so that a cache of them is
 * dropped before any client can hear of the change. */
GDBusObjectManagerServer *of_share_registry_get_manager (OfShareRegistry *registry);

/* "/…/share/" + the name with every byte outside [A-Za-z0-9] as _XX. */
char            *of_share_object_path           (const char      *manager_path,
                                                 const char      *name);

G_END_DECLS
