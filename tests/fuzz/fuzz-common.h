/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-common.h — shared by the libFuzzer targets in tests/fuzz.
 *
 * GLib's warnings are what a hostile input is expected to cause: they are
 * swallowed (and never fatal, whatever G_DEBUG says), so that the fuzzer
 * runs at full speed with a quiet log.  A critical, on the other hand, is a
 * g_return_if_fail() reached from outside input: a bug, reported as a crash.
 * FUZZ_CHECK() states an invariant of the code under test; a violation is
 * also a crash, with the message on stderr.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                            \
  do {                                                                   \
    if (G_UNLIKELY (!(cond)))                                            \
      {                                                                  \
        fprintf (stderr, "%s:%d: invariant failed: %s: ",                \
                 __FILE__, __LINE__, #cond);                             \
        fprintf (stderr, __VA_ARGS__);                                   \
        fputc ('\n', stderr);                                            \
        abort ();                                                        \
      }                                                                  \
  } while (0)

static inline GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  (void) user_data;
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
          fprintf (stderr, "GLib critical reached from fuzz input: %.*s\n",
                   fields[i].length < 0 ? (int) -1 : (int) fields[i].length,
                   (const char *) fields[i].value);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init_glib (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  /* Only errors are fatal: undo G_DEBUG=fatal-warnings/fatal-criticals,
   * criticals abort in the writer above with their message. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
}

/* A NUL-terminated copy of @size bytes of @data. */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  char *copy = g_malloc (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  copy[size] = '\0';
  return copy;
}

/* Writes @size bytes of @data to @path, replacing it; any failure is a
 * crash (the scratch directory is the fuzzer's own). */
static inline void
fuzz_write_file (const char *path,
                 const void *data,
                 size_t      size)
{
  const char *next = data;
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  FUZZ_CHECK (fd >= 0, "open %s: %s", path, g_strerror (errno));
  while (size > 0)
    {
      ssize_t n = write (fd, next, size);
      FUZZ_CHECK (n > 0, "write %s: %s", path, g_strerror (errno));
      next += n;
      size -= (size_t) n;
    }
  close (fd);
}
