/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-schedule.h — the Schedule page: the six settings of
 * common/settings.h, one OfSettingRow each, grouped as a person thinks of
 * them (how often; when not), kept in step with the daemon.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_SCHEDULE_PAGE (of_schedule_page_get_type ())
G_DECLARE_FINAL_TYPE (OfSchedulePage, of_schedule_page, OF, SCHEDULE_PAGE, AdwPreferencesPage)

void of_schedule_page_set_model (OfSchedulePage *self,
                                 OfPanelModel   *model);

G_END_DECLS
