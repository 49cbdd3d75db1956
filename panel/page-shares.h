/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* page-shares.h — the Shares page: one OfShareRow per share object the
 * daemon lists, added and removed as the object manager reports them.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_SHARES_PAGE (of_shares_page_get_type ())
G_DECLARE_FINAL_TYPE (OfSharesPage, of_shares_page, OF, SHARES_PAGE, AdwPreferencesPage)

void of_shares_page_set_model (OfSharesPage *self,
                               OfPanelModel *model);

G_END_DECLS
