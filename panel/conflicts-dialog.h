/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conflicts-dialog.h — one share's conflicts (docs/behaviour.md §13): the
 * list from Share.ListConflicts (path, reason, sizes and times of both
 * sides), a choice per path or one for all, and Share.ResolveConflicts
 * with interactive authorization.  Each row then shows its result; a
 * failure shows the daemon's message in a toast.  The list is read when
 * the dialog opens; a resolved row stays, insensitive, saying so, so the
 * person sees what became of each choice.
 *
 * The dialog owns its rows and holds the model and the share's proxy; it
 * is modal over the panel's window and goes when that window goes.
 */
#pragma once

#include <adwaita.h>

#include "panel-model.h"

G_BEGIN_DECLS

#define OF_TYPE_CONFLICTS_DIALOG (of_conflicts_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OfConflictsDialog, of_conflicts_dialog, OF, CONFLICTS_DIALOG, AdwPreferencesWindow)

/* The choices of ResolveConflicts, in the order the dialog offers them. */
typedef enum {
  OF_CONFLICT_KEEP_LOCAL,
  OF_CONFLICT_KEEP_REMOTE,
  OF_CONFLICT_KEEP_LATEST,
  OF_CONFLICT_KEEP_BOTH,
  OF_CONFLICT_SKIP,
} OfConflictChoice;

/* Shows the conflicts of @share, over @parent (may be NULL). */
OfConflictsDialog *of_conflicts_dialog_new    (GtkWindow    *parent,
                                               OfPanelModel *model,
                                               OfDBusShare  *share);

/* The rows of the listed paths, in path order: AdwComboRows named by
 * their path, whose selected item is an OfConflictChoice.  The dialog
 * owns the rows: free the list with g_list_free. */
GList             *of_conflicts_dialog_rows   (OfConflictsDialog *self);

G_END_DECLS
