/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conflict-stat.c — see conflict-stat.h. */
#include "conflict-stat.h"

#include <string.h>
#include <sys/stat.h>

/* $1 local root, $2 remote root, then the paths.  lstat: a link is
 * reported as itself, never followed out of the share. */
static const char script[] =
  "l=$1; r=$2; shift 2\n"
  "for p; do for root in \"$l\" \"$r\"; do\n"
  "  stat -c '%s %.6Y %f' -- \"$root/$p\" 2>/dev/null || echo -\n"
  "done; done\n";

char **
of_conflict_stat_argv (const char *local_path,
                       const char *remote_path,
                       GPtrArray  *conflicts)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **argv;

  g_strv_builder_add_many (builder, "/bin/sh", "-c", script, "sh", local_path, remote_path, NULL);
  for (guint i = 0; i < conflicts->len; i++)
    g_strv_builder_add (builder, ((const OfEngineConflict *) conflicts->pdata[i])->path);
  argv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return argv;
}

/* "SIZE SECONDS.MICROS MODE_HEX" */
static gboolean
parse_line (const char *line,
            gint64     *size,
            gint64     *modified)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);
  guint64 bytes, seconds, micros = 0, mode;
  char *end;
  const char *dot;

  if (g_strv_length (fields) != 3)
    return FALSE;
  bytes = g_ascii_strtoull (fields[0], &end, 10);
  if (*fields[0] == '\0' || *end != '\0')
    return FALSE;
  seconds = g_ascii_strtoull (fields[1], &end, 10);
  if (*fields[1] == '\0' || (*end != '\0' && *end != '.'))
    return FALSE;
  dot = strchr (fields[1], '.');
  if (dot != NULL)
    {
      micros = g_ascii_strtoull (dot + 1, &end, 10);
      if (*end != '\0' || strlen (dot + 1) != 6)
        return FALSE;
    }
  mode = g_ascii_strtoull (fields[2], &end, 16);
  if (*fields[2] == '\0' || *end != '\0' || seconds > (guint64) G_MAXINT64 / G_USEC_PER_SEC - 1)
    return FALSE;
  *size = S_ISREG ((mode_t) mode) ? (gint64) MIN (bytes, (guint64) G_MAXINT64) : -1;
  *modified = (gint64) seconds * G_USEC_PER_SEC + (gint64) micros;
  return TRUE;
}

gboolean
of_conflict_stat_apply (const OfLaunchResult *result,
                        GPtrArray            *conflicts)
{
  g_auto(GStrv) lines = NULL;

  if (result->end != OF_LAUNCH_EXITED || result->exit_status != 0 || result->stdout_tail == NULL)
    return FALSE;
  lines = g_strsplit (result->stdout_tail, "\n", -1);
  /* Two lines per path; a tail that lost its start would shift every
   * answer onto the wrong path: all or nothing. */
  if (g_strv_length (lines) != conflicts->len * 2 + 1 || *lines[conflicts->len * 2] != '\0')
    return FALSE;
  for (guint i = 0; i < conflicts->len; i++)
    {
      OfEngineConflict *conflict = conflicts->pdata[i];

      if (!parse_line (lines[2 * i], &conflict->local_size, &conflict->local_modified))
        conflict->local_size = conflict->local_modified = -1;
      if (!parse_line (lines[2 * i + 1], &conflict->remote_size, &conflict->remote_modified))
        conflict->remote_size = conflict->remote_modified = -1;
    }
  return TRUE;
}
