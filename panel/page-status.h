/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-status.h — the Status page: the daemon's state (when a due sync is
 * held back, why: DeferReason in words), the last and next sync, the next
 * syncs as PreviewSchedule plans them with their reasons, and Sync now /
 * Cancel with a progress bar fed by SyncProgress.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_STATUS_PAGE (of_status_page_get_type ())
G_DECLARE_FINAL_TYPE (OfStatusPage, of_status_page, OF, STATUS_PAGE, AdwPreferencesPage)

void of_status_page_set_model (OfStatusPage *self,
                               OfPanelModel *model);

G_END_DECLS
