/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* add-share-dialog.h — "Add share…" (docs/behaviour.md §5, shares users
 * add themselves): a name, a local and a remote folder chosen with
 * GtkFileChooserNative (GTK 4.8 has no GtkFileDialog), then AddShare for
 * the caller's own user with interactive authorization.  A refusal shows
 * the daemon's message in a toast and the dialog stays, as filled in; a
 * success closes it and says so in the panel's window.
 *
 * The dialog holds the model and the running file chooser; it is modal
 * over the panel's window.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_ADD_SHARE_DIALOG (of_add_share_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OfAddShareDialog, of_add_share_dialog, OF, ADD_SHARE_DIALOG, AdwPreferencesWindow)

typedef enum {
  OF_ADD_SHARE_LOCAL,
  OF_ADD_SHARE_REMOTE,
} OfAddShareFolder;

OfAddShareDialog *of_add_share_dialog_new        (GtkWindow    *parent,
                                                  OfPanelModel *model);

/* Takes @folder as the chosen local or remote folder: what the file
 * chooser's response does (tests call it in place of the chooser).  A
 * folder that is not a local path is refused with a toast; FALSE then. */
gboolean          of_add_share_dialog_set_folder (OfAddShareDialog *self,
                                                  OfAddShareFolder  which,
                                                  GFile            *folder);

G_END_DECLS
