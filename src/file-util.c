/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* file-util.c — see file-util.h. */
#include "file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "errors.h"

static gboolean read_file (const char *path, gsize max_size, gboolean trusted_only,
                           char **contents, gsize *length, GError **error);

gboolean
of_read_small_file (const char *path,
                    gsize       max_size,
                    char      **contents,
                    gsize      *length,
                    GError    **error)
{
  return read_file (path, max_size, FALSE, contents, length, error);
}

gboolean
of_read_config_file (const char *path,
                     gsize       max_size,
                     char      **contents,
                     gsize      *length,
                     GError    **error)
{
  return read_file (path, max_size, TRUE, contents, length, error);
}

static gboolean
read_file (const char *path,
           gsize       max_size,
           gboolean    trusted_only,
           char      **contents,
           gsize      *length,
           GError    **error)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  gsize done = 0;
  gsize limit;
  int fd;

  /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot open %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "%s is not a regular file", path);
      close (fd);
      return FALSE;
    }
  /* Whoever can write the configuration decides as root what runs: only
   * root's own files count (or ours, when not run as root). */
  if (trusted_only && ((st.st_uid != 0 && st.st_uid != geteuid ()) || (st.st_mode & (S_IWGRP | S_IWOTH))))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s is not trusted (owner uid %u, mode %04o): configuration files must be owned "
                   "by root and writable by nobody else", path, (guint) st.st_uid, (guint) (st.st_mode & 07777));
      close (fd);
      return FALSE;
    }
  if ((guint64) st.st_size > max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "%s is too large (%" G_GUINT64_FORMAT " bytes, at most %" G_GSIZE_FORMAT ")",
                   path, (guint64) st.st_size, max_size);
      close (fd);
      return FALSE;
    }

  /* Sized from fstat(), plus one byte more than allowed, so a file that
   * grew since is noticed rather than cut. */
  limit = max_size;
  max_size = MIN (max_size, (gsize) st.st_size + 1);
  buffer = g_malloc (max_size + 2);
  while (done <= max_size)
    {
      ssize_t n = read (fd, buffer + done, max_size + 1 - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Cannot read %s: %s", path, g_strerror (saved));
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }
  close (fd);

  if (done > max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "%s changed while it was read (or is larger than %" G_GSIZE_FORMAT " bytes)", path, limit);
      return FALSE;
    }

  buffer[done] = '\0';
  *contents = g_steal_pointer (&buffer);
  if (length)
    *length = done;
  return TRUE;
}


gboolean
of_write_file_durably (const char *path,
                       const char *data,
                       gsize       length,
                       int         mode,
                       GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int dir_fd;

  if (!g_file_set_contents_full (path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 mode, error))
    return FALSE;

  /* The rename is only durable once the directory entry is on disk too. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || fsync (dir_fd) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot sync directory %s: %s", dir, g_strerror (saved));
      if (dir_fd >= 0)
        close (dir_fd);
      return FALSE;
    }
  close (dir_fd);
  return TRUE;
}

const char *
of_key_file_error_summary (const GError *error)
{
  /* GKeyFile's own messages quote the offending line: never repeat file
   * contents (a link to /etc/shadow) into logs or to callers. */
  if (error->domain == G_KEY_FILE_ERROR && error->code == G_KEY_FILE_ERROR_UNKNOWN_ENCODING)
    return "not UTF-8";
  if (error->domain == G_KEY_FILE_ERROR)
    return "syntax error";
  return "unreadable";
}

void
of_remove_stale_temp_files (const char *path)
{
  g_autofree char *dir_path = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  gsize base_length = strlen (base);
  const char *name;

  if (dir == NULL)
    return;
  /* g_file_set_contents() writes NAME.XXXXXX and renames it; a kill in
   * between leaves the temp file behind. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      struct stat st;

      if (strlen (name) != base_length + 7 || strncmp (name, base, base_length) != 0 ||
          name[base_length] != '.' || strspn (name + base_length + 1,
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != 6)
        continue;
      child = g_build_filename (dir_path, name, NULL);
      if (lstat (child, &st) == 0 && S_ISREG (st.st_mode) && g_unlink (child) == 0)
        g_debug ("Removed %s, left by an interrupted write", child);
    }
}

gboolean
of_parse_decimal (const char *text,
                  guint64     min,
                  guint64     max,
                  guint64    *out)
{
  guint64 value = 0;

  /* By hand, digits only.  g_ascii_string_to_unsigned() would take a
   * leading "\v-" (fuzzing found it), and in GLib 2.74 it can fail on a
   * valid number when errno is left set by the first use of its C locale
   * (seen here, once in tens of daemon starts). */
  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      guint digit;

      if (!g_ascii_isdigit (*p))
        return FALSE;
      digit = (guint) (*p - '0');
      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }
  if (value < min || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

char *
of_read_machine_id (const char *path,
                    GError    **error)
{
  g_autofree char *contents = NULL;

  if (!of_read_small_file (path, 4096, &contents, NULL, error))
    return NULL;
  g_strstrip (contents);
  if (strlen (contents) != 32 || strspn (contents, "0123456789abcdef") != 32)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s does not hold a machine id (32 lower-case hex digits)", path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

/* ---- OfDurableWriter ---- */

struct _OfDurableWriter {
  char           *path;
  char           *what;
  int             mode;
  OfSnapshotFunc  snapshot;
  gpointer        user_data;
  gboolean        writing;
  gboolean        freed;    /* freed while writing: the write frees it */
  GList          *waiting;  /* GTasks of saves requested during a write */
};

typedef struct {
  OfDurableWriter *writer;
  char            *path;
  char            *what;
  int              mode;
  GBytes          *data;
  GList           *waiters;  /* GTasks answered when this write ends */
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_free (job->path);
  g_free (job->what);
  g_bytes_unref (job->data);
  g_list_free_full (job->waiters, g_object_unref);
  g_free (job);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  WriteJob *job = task_data;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (job->data, &length);

  (void) source_object;
  (void) cancellable;
  if (!of_write_file_durably (job->path, data ? data : "", length, job->mode, &error))
    {
      g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE,
                               "Cannot save %s: %s", job->what, error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void start_write (OfDurableWriter *writer, GList *waiters);

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  OfDurableWriter *writer = user_data;
  WriteJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  (void) source;
  ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (!ok)
    g_warning ("%s", error->message);
  writer->writing = FALSE;
  if (writer->freed)
    {
      writer->freed = FALSE;
      of_durable_writer_free (writer);
    }
  else if (writer->waiting)
    start_write (writer, g_steal_pointer (&writer->waiting));
  /* Last, and without touching @writer: a caller may free it from its
   * callback. */
  for (GList *l = job->waiters; l; l = l->next)
    {
      if (ok)
        g_task_return_boolean (l->data, TRUE);
      else
        g_task_return_error (l->data, g_error_copy (error));
    }
}

static void
start_write (OfDurableWriter *writer,
             GList           *waiters)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, write_done, writer);
  WriteJob *job = g_new0 (WriteJob, 1);

  job->path = g_strdup (writer->path);
  job->what = g_strdup (writer->what);
  job->mode = writer->mode;
  job->data = writer->snapshot (writer->user_data);
  job->waiters = waiters;
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  writer->writing = TRUE;
  g_task_run_in_thread (task, write_in_thread);
}

OfDurableWriter *
of_durable_writer_new (const char     *path,
                       const char     *what,
                       int             mode,
                       OfSnapshotFunc  snapshot,
                       gpointer        user_data)
{
  OfDurableWriter *writer = g_new0 (OfDurableWriter, 1);

  writer->mode = mode;
  writer->path = g_strdup (path);
  writer->what = g_strdup (what);
  writer->snapshot = snapshot;
  writer->user_data = user_data;
  return writer;
}

void
of_durable_writer_free (OfDurableWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->writing)
    {
      /* The write in flight still answers its callers; requests queued
       * behind it are answered too, without a write (their owner is
       * gone, so is the data to write). */
      writer->freed = TRUE;
      for (GList *l = writer->waiting; l; l = l->next)
        g_task_return_new_error (l->data, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "Not saving %s: shutting down", writer->what);
      g_list_free_full (g_steal_pointer (&writer->waiting), g_object_unref);
      return;
    }
  g_free (writer->path);
  g_free (writer->what);
  g_free (writer);
}

const char *
of_durable_writer_get_path (OfDurableWriter *writer)
{
  return writer->path;
}

void
of_durable_writer_save_async (OfDurableWriter    *writer,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  if (writer->writing)
    {
      /* Written right after the current write, with whatever the data
       * is by then. */
      writer->waiting = g_list_append (writer->waiting, task);
      return;
    }
  start_write (writer, g_list_append (NULL, task));
}

gboolean
of_durable_writer_save_finish (OfDurableWriter *writer,
                               GAsyncResult    *result,
                               GError         **error)
{
  (void) writer;
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
of_durable_writer_is_busy (OfDurableWriter *writer)
{
  return writer->writing;
}
