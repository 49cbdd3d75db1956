/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share.h — one share's file, shares.d/<name>.conf: parse and validate.
 *
 * A share pairs a local folder with its server copy and names the user the
 * sync runs as.  Its file is an administrator's, so everything is checked
 * here before the engine ever sees it: a bad file is reported with its
 * reason and skipped, and the other shares still work.  Parsing is pure
 * (fuzzable); loading adds the file-system and user-database checks.
 *
 *   [Share]
 *   LocalPath=/srv/offline/alice     absolute, normalized
 *   RemotePath=/mnt/server/alice     absolute, normalized, not nested with LocalPath
 *   User=alice                       required; must exist (checked on load)
 *   Enabled=true                     default true
 *   Timeout=60                       minutes; or "30s", "5min", "2h"; default 60 min
 *   MountPoint=/mnt/server           optional: the mount RemotePath lives on (RemotePath
 *                                    is it or inside it); not mounted → share offline
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define OF_SHARE_GROUP "Share"
#define OF_SHARE_FILE_SUFFIX ".conf"
#define OF_SHARE_NAME_MAX 64
/* A share file is a handful of lines; anything bigger is a mistake. */
#define OF_SHARE_MAX_FILE_SIZE (64 * 1024)
#define OF_SHARE_DEFAULT_TIMEOUT_USEC (60 * G_TIME_SPAN_MINUTE)
/* A week: longer is surely a typo, and it keeps the arithmetic far from overflow. */
#define OF_SHARE_MAX_TIMEOUT_USEC (7 * G_TIME_SPAN_DAY)

typedef struct {
  char    *name;          /* file name without ".conf" */
  char    *local_path;
  char    *remote_path;
  char    *mount_point;   /* NULL when the file names none */
  char    *user;
  uid_t    uid;           /* of_share_load() looks it up; (uid_t) -1 until then */
  gboolean enabled;
  gint64   timeout_usec;  /* > 0 */
} OfShare;

/* [A-Za-z0-9._-]+, not starting with '.', at most OF_SHARE_NAME_MAX bytes. */
gboolean  of_share_name_is_valid (const char *name);

/* Absolute, no "." or ".." or empty component, no trailing "/", no
 * control character: one spelling per folder. */
gboolean  of_share_path_is_normalized (const char *path);

/* Pure: parses and validates @data (a key file) as share @name.  Does not
 * look the user up.  Errors are G_KEY_FILE_ERROR for syntax and
 * G_IO_ERROR_INVALID_ARGUMENT for values, with a message naming the key
 * and the value. */
OfShare  *of_share_parse         (const char *name,
                                  const char *data,
                                  gsize       length,
                                  GError    **error);

/* Reads @path (a regular file, not a symlink; never blocks on a FIFO),
 * parses it as share "basename without .conf", then checks that its user
 * exists.  Error messages start with @path. */
OfShare  *of_share_load          (const char *path,
                                  GError    **error);

/* Every "*.conf" in @shares_dir that is not hidden, sorted by name.  An
 * entry that is not a regular file or does not validate is skipped and
 * adds one message (file and reason) to @problems (may be NULL).  A
 * missing directory means no shares.  Returns OfShare* elements, freed
 * with the array. */
GPtrArray *of_shares_load_dir    (const char *shares_dir,
                                  GPtrArray  *problems);

OfShare  *of_share_copy          (const OfShare *share);
void      of_share_free          (OfShare *share);

/* "60 min", "1 h", "30 s", "1.5 s" — for messages. */
char     *of_share_format_duration (gint64 usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfShare, of_share_free)

G_END_DECLS
