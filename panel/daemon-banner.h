/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon-banner.h — the notice at the top of every page while the daemon
 * is not running (libadwaita 1.2 has no AdwBanner): a group of its own
 * that shows itself when the model says the daemon is gone and hides
 * when it is back.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_DAEMON_BANNER (of_daemon_banner_get_type ())
G_DECLARE_FINAL_TYPE (OfDaemonBanner, of_daemon_banner, OF, DAEMON_BANNER, AdwPreferencesGroup)

void of_daemon_banner_set_model (OfDaemonBanner *self,
                                 OfPanelModel   *model);

G_END_DECLS
