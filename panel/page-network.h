/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-network.h — the Network and power page: the four settings of
 * org.offlinefiles.MachineConfiguration (docs/behaviour.md §14), one
 * OfSettingRow each, grouped as a person thinks of them (when background
 * syncs may run; when a server counts as offline; who may add shares),
 * kept in step with the daemon.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_NETWORK_PAGE (of_network_page_get_type ())
G_DECLARE_FINAL_TYPE (OfNetworkPage, of_network_page, OF, NETWORK_PAGE, AdwPreferencesPage)

void of_network_page_set_model (OfNetworkPage *self,
                                OfPanelModel  *model);

G_END_DECLS
