/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-request.h — AddShare's arguments as a share file, and the mark
 * that says who added a share.  Pure: no I/O, time given.
 *
 * A share added over the bus is an ordinary shares.d/NAME.conf, written
 * by the daemon as root (so the trust rule holds) and read back by the
 * same parser as an administrator's file (share.h).  Its first comment
 * is the mark "Added by USER (uid N) through AddShare at TIME": the uid
 * in it decides whether the share's user may remove it with
 * manage-own-shares (docs/behaviour.md §5).  Only root writes there, so
 * a mark is as trustworthy as the rest of the file; a file without it is
 * the administrator's.
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "share.h"

G_BEGIN_DECLS

/* Shares one user may have (docs/behaviour.md §5). */
#define OF_SHARES_PER_USER_MAX 64

typedef struct {
  gboolean enabled;         /* default TRUE */
  guint32  timeout_min;     /* 0: the default */
  char    *mount_point;     /* NULL: none */
  char    *user;            /* NULL: the caller */
} OfShareOptions;

/* AddShare's a{sv}: Enabled b, Timeout u (minutes, 1 to 7 days),
 * MountPoint s (normalized absolute path), User s.  Anything else, or a
 * wrong type, is G_IO_ERROR_INVALID_ARGUMENT with a message naming it. */
gboolean  of_share_options_parse (GVariant        *options,
                                  OfShareOptions  *out,
                                  GError         **error);
void      of_share_options_clear (OfShareOptions  *options);

/* The file for share @name of @user, added by @added_by (uid
 * @added_by_uid) at @now (µs UTC), and the share it describes as the
 * share parser reads it back.  Values go through GKeyFile, so no
 * argument can add a line or a key; and a value GKeyFile would not give
 * back as it was given (a leading form feed in a user name) is refused
 * too, so the file always says exactly what was asked.  Errors are
 * G_IO_ERROR_INVALID_ARGUMENT with the parser's message naming the key.
 * The share's uid is left unset. */
OfShare  *of_share_request_build  (const char           *name,
                                   const char           *local_path,
                                   const char           *remote_path,
                                   const char           *user,
                                   const OfShareOptions *options,
                                   const char           *added_by,
                                   uid_t                 added_by_uid,
                                   gint64                now,
                                   GBytes              **data,
                                   GError              **error);

/* TRUE and the uid of the mark if @data (a share file) starts with one. */
gboolean  of_share_data_added_by  (const char *data,
                                   gsize       length,
                                   uid_t      *uid);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OfShareOptions, of_share_options_clear)

G_END_DECLS
