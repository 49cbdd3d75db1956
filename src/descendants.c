/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* descendants.c — see descendants.h. */
#include "descendants.h"

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
  pid_t pid;
  int   pidfd;
} Tracked;

struct _OfDescendants {
  pid_t   root;
  GArray *found;   /* of Tracked */
};

int
of_pidfd_open (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

int
of_pidfd_send_signal (int pidfd,
                      int signal_number)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, signal_number, NULL, 0);
}

OfDescendants *
of_descendants_new (pid_t root)
{
  OfDescendants *self = g_new0 (OfDescendants, 1);

  self->root = root;
  self->found = g_array_new (FALSE, FALSE, sizeof (Tracked));
  return self;
}

void
of_descendants_free (OfDescendants *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->found->len; i++)
    close (g_array_index (self->found, Tracked, i).pidfd);
  g_array_unref (self->found);
  g_free (self);
}

guint
of_descendants_count (OfDescendants *self)
{
  return self->found->len;
}

void
of_descendants_signal (OfDescendants *self,
                       int            signal_number)
{
  /* ESRCH for those gone already: nothing to do. */
  for (guint i = 0; i < self->found->len; i++)
    of_pidfd_send_signal (g_array_index (self->found, Tracked, i).pidfd, signal_number);
}

/* Parent pid (field 4) of /proc/PID/stat; the name in field 2 may
 * contain anything, so fields are counted from its last ')'. */
static pid_t
read_ppid (const char *pid_name)
{
  g_autofree char *path = g_strconcat ("/proc/", pid_name, "/stat", NULL);
  g_autofree char *text = NULL;
  const char *close_paren;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  close_paren = strrchr (text, ')');
  if (close_paren == NULL || close_paren[1] != ' ' || close_paren[2] == '\0' || close_paren[3] != ' ')
    return 0;
  return (pid_t) g_ascii_strtoll (close_paren + 4, NULL, 10);
}

static gboolean
is_tracked (OfDescendants *self,
            pid_t          pid)
{
  for (guint i = 0; i < self->found->len; i++)
    if (g_array_index (self->found, Tracked, i).pid == pid)
      return TRUE;
  return FALSE;
}

/* A parent found before must still be alive: its pid, once free, may be
 * some unrelated process's by now. */
static gboolean
is_live_tracked (OfDescendants *self,
                 pid_t          pid)
{
  for (guint i = 0; i < self->found->len; i++)
    if (g_array_index (self->found, Tracked, i).pid == pid)
      return of_pidfd_send_signal (g_array_index (self->found, Tracked, i).pidfd, 0) == 0;
  return FALSE;
}

/* Adds the root's descendants (and those of descendants found before,
 * which may have been orphaned since), a pidfd for each new one.  The
 * root must not have been reaped yet: its pid must still be its own. */
void
of_descendants_scan (OfDescendants *self)
{
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  gboolean grew = TRUE;

  if (dir == NULL)
    return;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      pid_t pid, ppid;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      pid = (pid_t) g_ascii_strtoll (entry, NULL, 10);
      if (pid == self->root || is_tracked (self, pid) || (ppid = read_ppid (entry)) <= 0)
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (ppid));
    }
  /* Until no process is added: a parent may be listed after its child. */
  while (grew)
    {
      GHashTableIter iter;
      gpointer key, value;

      grew = FALSE;
      g_hash_table_iter_init (&iter, parents);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          pid_t pid = GPOINTER_TO_INT (key), ppid = GPOINTER_TO_INT (value);
          Tracked tracked;

          if (ppid != self->root && !is_live_tracked (self, ppid))
            continue;
          g_hash_table_iter_remove (&iter);
          /* The pidfd pins this very process: a later signal cannot hit a
           * recycled pid.  Recheck the parent, now that it is pinned. */
          tracked.pid = pid;
          tracked.pidfd = of_pidfd_open (pid);
          if (tracked.pidfd < 0)
            continue;
          {
            g_autofree char *name = g_strdup_printf ("%d", (int) pid);
            if (read_ppid (name) != ppid)
              {
                close (tracked.pidfd);
                continue;
              }
          }
          g_debug ("Found descendant %d of %d", (int) pid, (int) self->root);
          g_array_append_val (self->found, tracked);
          grew = TRUE;
        }
    }
}
