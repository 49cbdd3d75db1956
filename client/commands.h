/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* commands.h — the commands of offlinefilesctl, one file per command or
 * close group, each called by the dispatcher with the words after the
 * command name and returning the exit code; and the pure parts of them
 * that the unit tests call.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "client.h"
#include "share-info.h"

G_BEGIN_DECLS

/* cmd-status.c */
int       of_cmd_status       (OfClient *client, char **args);
int       of_cmd_get          (OfClient *client, char **args);
/* `status --json` of a snapshot: @properties is the main object's a{sv}
 * (missing ones read as empty or 0, settings as null), @shares holds
 * OfShareInfo. */
JsonNode *of_status_build_json (GVariant  *properties,
                                GPtrArray *shares);

/* cmd-set.c */
int       of_cmd_set          (OfClient *client, char **args);
/* The Configure argument a{sv} from NAME VALUE pairs; a usage error
 * (G_OPTION_ERROR) names the first bad word.  Exposed for the tests. */
GVariant *of_set_build_settings (char   **args,
                                 GError **error);

/* cmd-sync.c */
int       of_cmd_sync_now     (OfClient *client, char **args);
int       of_cmd_cancel       (OfClient *client, char **args);

/* cmd-plan.c */
int       of_cmd_plan         (OfClient *client, char **args);
/* `plan --json` of PreviewSchedule's a(tss). */
JsonNode *of_plan_build_json  (GVariant *syncs);

/* cmd-shares.c */
int       of_cmd_shares       (OfClient *client, char **args);
int       of_cmd_work_offline (OfClient *client, char **args);
int       of_cmd_probe        (OfClient *client, char **args);
/* The share called @name in @shares (OfShareInfo), or NULL after saying
 * so (with a "did you mean"); *@status is then the exit code. */
const OfShareInfo *of_client_find_share (GPtrArray  *shares,
                                         const char *name,
                                         int        *status);

/* cmd-conflicts.c */
int       of_cmd_conflicts    (OfClient *client, char **args);
int       of_cmd_resolve      (OfClient *client, char **args);
/* `conflicts --json` of ListConflicts' a(sa{sv}). */
JsonNode *of_conflicts_build_json (GVariant *conflicts);
/* A size for the table: "-" when unknown (@details lacks @key). */
char     *of_conflicts_format_size (GVariant   *details,
                                    const char *key);

/* cmd-share-admin.c */
int       of_cmd_add_share    (OfClient *client, char **args);
int       of_cmd_remove_share (OfClient *client, char **args);
/* AddShare's (sssa{sv}) from NAME LOCAL REMOTE and the options (each
 * NULL when not given): relative folders are taken from @cwd and
 * normalized, as a shell user expects; the daemon checks the rest.  A
 * usage error (G_OPTION_ERROR) names the bad word. */
GVariant *of_add_share_build_args (char       **args,
                                   const char  *timeout,
                                   const char  *mount_point,
                                   const char  *user,
                                   const char  *cwd,
                                   GError     **error);

/* monitor.c */
int       of_cmd_monitor      (OfClient *client, char **args);
/* A signal's arguments as (name, value) members, named as in the XML;
 * NULL for a signal the XML does not know with that signature. */
GVariant *of_monitor_signal_fields (const char *signal_name,
                                    GVariant   *parameters);

G_END_DECLS
