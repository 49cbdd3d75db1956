/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* service.h — the org.offlinefiles.BackgroundSync bus object.
 *
 * Glue between the bus and the daemon's modules: it answers the
 * generated skeleton's reads, and runs every write through
 * validate → authorize (async) → store (durable) → apply → one
 * PropertiesChanged.  Writes are applied one at a time, in the order
 * their authorization completed, so each file write contains all the
 * changes before it.
 */
#pragma once

#include <gio/gio.h>

#include "auth.h"
#include "config-store.h"
#include "names.h"
#include "offlinefiles-dbus.h"
#include "settings.h"
#include "share-admin.h"
#include "sync-manager.h"

G_BEGIN_DECLS


#define OF_TYPE_SERVICE (of_service_get_type ())
G_DECLARE_FINAL_TYPE (OfService, of_service, OF, SERVICE, OfDBusBackgroundSyncSkeleton)

/* @store, @auth and @manager are borrowed and must outlive the service.
 * The settings shown are @store's, followed through its "changed". */
OfService        *of_service_new          (OfConfigStore *store,
                                           OfAuth        *auth,
                                           OfSyncManager *manager);
/* AddShare and RemoveShare go to @share_admin (borrowed, must outlive
 * the service). */
void              of_service_set_share_admin (OfService    *service,
                                              OfShareAdmin *share_admin);
/* org.offlinefiles.MachineConfiguration, to be exported on the same
 * object path; owned by the service, which writes its settings. */
GDBusInterfaceSkeleton *of_service_get_machine_configuration (OfService *service);

G_END_DECLS
