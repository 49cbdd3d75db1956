/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* file-util.h — the daemon's file primitives: careful reads, durable
 * writes, and the machine id.
 *
 * Every file the daemon reads may be an administrator's mistake or a
 * user's trap (a FIFO, a huge file, a symlink), and every file it writes
 * must be either the old or the new version after a crash.  These helpers
 * are the one place that knows how; the stores and the share loader call
 * them.  OfDurableWriter adds the asynchronous, coalescing side: one
 * write at a time in a worker thread, later requests folded into one more
 * write of whatever the owner's data is by then.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads a regular file of at most @max_size bytes without following it
 * into a FIFO or a device (it is opened non-blocking and checked first).
 * G_IO_ERROR_NOT_FOUND when it does not exist. */
gboolean       of_read_small_file        (const char *path,
                                          gsize       max_size,
                                          char      **contents,
                                          gsize      *length,
                                          GError    **error);

/* Same, and the file must be trusted: owned by root (or by the daemon's
 * own user) and writable by nobody else.  For every configuration file. */
gboolean       of_read_config_file       (const char *path,
                                          gsize       max_size,
                                          char      **contents,
                                          gsize      *length,
                                          GError    **error);

/* Replaces @path with @data, file mode @mode: temp file in the same
 * directory, fsync, rename, fsync of the directory.  Blocking: call it
 * from a worker. */
gboolean       of_write_file_durably     (const char *path,
                                          const char *data,
                                          gsize       length,
                                          int         mode,
                                          GError    **error);

/* Removes NAME.XXXXXX temp files that an interrupted durable write of
 * @path left behind.  Only when no other writer can be at work. */
void           of_remove_stale_temp_files (const char *path);

/* A plain decimal number in [min, max]: digits only, nothing else. */
gboolean       of_parse_decimal          (const char *text,
                                          guint64     min,
                                          guint64     max,
                                          guint64    *out);

/* A GKeyFile parse error, said without quoting the file's contents. */
const char    *of_key_file_error_summary (const GError *error);

/* Reads a machine id file (/etc/machine-id format: 32 lower-case hex
 * digits). */
char          *of_read_machine_id        (const char *path,
                                          GError    **error);

/* Produces the bytes to write, at the moment the write starts. */
typedef GBytes *(*OfSnapshotFunc) (gpointer user_data);

typedef struct _OfDurableWriter OfDurableWriter;

/* Writes @path durably, mode @mode, with what @snapshot returns.  @what
 * names the contents in errors ("the state", "the settings"); failures
 * are OF_ERROR_STORAGE. */
OfDurableWriter *of_durable_writer_new     (const char     *path,
                                            const char     *what,
                                            int             mode,
                                            OfSnapshotFunc  snapshot,
                                            gpointer        user_data);
/* Frees at once when idle; a write in flight finishes first (its callers
 * are still answered). */
void             of_durable_writer_free    (OfDurableWriter *writer);
const char      *of_durable_writer_get_path (OfDurableWriter *writer);
/* Starts a write now, or — while one runs — queues for exactly one more
 * write after it, which serves every request queued meanwhile. */
void             of_durable_writer_save_async  (OfDurableWriter    *writer,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean         of_durable_writer_save_finish (OfDurableWriter *writer,
                                                GAsyncResult    *result,
                                                GError         **error);
gboolean         of_durable_writer_is_busy (OfDurableWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfDurableWriter, of_durable_writer_free)

G_END_DECLS
