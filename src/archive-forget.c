/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archive-forget.c — see archive-forget.h. */
#include "archive-forget.h"

#include "engine.h"

/* $1 the directory, $2 and $3 the roots as unison names them (it lists
 * them in its own order).  Quoted parts of a case pattern are literal.
 * No "${…}" (a launcher that forgot to turn systemd's expansion off
 * would blank it).
 * ar: archive, fp: fingerprint cache, tm: archive being written, sc:
 * scratch, lk: lock. */
static const char script[] =
  "cd \"$1\" 2>/dev/null || exit 0\n"
  "for f in ar*; do\n"
  "  test -f \"$f\" && test ! -L \"$f\" || continue\n"
  "  line=$(sed -n '2{p;q;}' \"$f\")\n"
  "  case \"$line\" in\n"
  "    *\" synchronizing roots $2, $3\"|*\" synchronizing roots $3, $2\") ;;\n"
  "    *) continue ;;\n"
  "  esac\n"
  "  h=$(printf '%s' \"$f\" | cut -c3-)\n"
  "  rm -f -- \"ar$h\" \"fp$h\" \"tm$h\" \"sc$h\" \"lk$h\" || exit 1\n"
  "done\n"
  "exit 0\n";

char **
of_archive_forget_argv (const char *archive_dir,
                        const char *local_path,
                        const char *remote_path)
{
  g_autofree char *local_root = g_strconcat ("//" OF_ENGINE_HOST_NAME "/", local_path, NULL);
  g_autofree char *remote_root = g_strconcat ("//" OF_ENGINE_HOST_NAME "/", remote_path, NULL);
  const char * const argv[] = { "/bin/sh", "-c", script, "sh", archive_dir, local_root, remote_root, NULL };

  return g_strdupv ((char **) argv);
}
