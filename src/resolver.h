/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolver.h — what a share's user asks of one share: Share.SyncNow and
 * Share.ResolveConflicts, once polkit said yes (share-registry.c asks).
 *
 * A resolution takes the sync manager's hold (it waits for a running
 * sync and holds the next back; resolutions of different shares run side
 * by side, those of one share one after the other), matches the choices against the
 * conflict store, runs the engine once as the share's user on exactly
 * the chosen paths (engine.h; a second run only for keep-both choices
 * mixed with others, as -copyonconflict applies to a whole run), and
 * answers each choice.  The resolver owns its runs and their
 * cancellable; the daemon owns the resolver.
 */
#pragma once

#include <gio/gio.h>

#include "share-registry.h"
#include "sync-manager.h"
#include "sync-runner.h"

G_BEGIN_DECLS

typedef struct _OfResolver OfResolver;

/* @manager and @registry are borrowed and outlive the resolver; @options
 * (launcher, engine, archive root, kill grace) is copied. */
OfResolver *of_resolver_new     (OfSyncManager          *manager,
                                 OfShareRegistry        *registry,
                                 const OfSyncRunOptions *options);
void        of_resolver_free    (OfResolver *resolver);
/* The registry's actions, to pass to of_share_registry_set_actions()
 * with the resolver as data. */
const OfShareActions *of_resolver_actions (void);
/* Stops what runs (its callers get "failed: cancelled"). */
void        of_resolver_stop    (OfResolver *resolver);
gboolean    of_resolver_is_busy (OfResolver *resolver);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfResolver, of_resolver_free)

G_END_DECLS
