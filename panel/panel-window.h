/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* panel-window.h — the settings panel's window: an AdwPreferencesWindow
 * with one page per concern (Status, Schedule, Network and power,
 * Shares), all fed by one OfPanelModel, and the toasts that carry the
 * daemon's messages.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_PANEL_WINDOW (of_panel_window_get_type ())
G_DECLARE_FINAL_TYPE (OfPanelWindow, of_panel_window, OF, PANEL_WINDOW, AdwPreferencesWindow)

OfPanelWindow *of_panel_window_new   (GtkApplication *application,
                                      OfPanelModel   *model);

/* Shows @message in a toast of the window @widget is in (the panel's
 * window or one of its dialogs, all AdwPreferencesWindows). */
void           of_panel_window_toast (GtkWidget  *widget,
                                      const char *message);
/* The latest toast shown in @window by of_panel_window_toast(), or NULL.
 * Two refusals often have the same words: tests tell them apart by this. */
AdwToast      *of_panel_window_get_last_toast (GtkWidget *window);

G_END_DECLS
