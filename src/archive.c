/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* archive.c — see archive.h. */
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <glib/gstdio.h>

/* A run whose archive directory another run is cleaning waits at most
 * this long (ARCHIVE_LOCK_TRIES × ARCHIVE_LOCK_INTERVAL_USEC). */
#define ARCHIVE_LOCK_TRIES 50
#define ARCHIVE_LOCK_INTERVAL_USEC (100 * 1000)

/* unison's lock files are "lk" + 32 hex digits, while being taken with
 * the taker's pid appended. */
static gboolean
is_unison_lock_name (const char *name)
{
  gsize i;

  if (!g_str_has_prefix (name, "lk"))
    return FALSE;
  for (i = 2; i < 34; i++)
    if (!g_ascii_isxdigit (name[i]))
      return FALSE;
  for (; name[i]; i++)
    if (!g_ascii_isdigit (name[i]))
      return FALSE;
  return TRUE;
}

static void
remove_stale_locks (int         dir_fd,
                    const char *dir_path)
{
  int fd = dup (dir_fd);
  DIR *dir;
  struct dirent *entry;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;

      if (!is_unison_lock_name (entry->d_name))
        continue;
      if (fstatat (dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR (st.st_mode))
        continue;
      /* unlinkat() never follows a symlink the user may have planted. */
      if (unlinkat (dir_fd, entry->d_name, 0) == 0)
        g_message ("Removed stale unison lock %s/%s left by an interrupted run", dir_path, entry->d_name);
      else
        g_debug ("Cannot remove %s/%s: %s", dir_path, entry->d_name, g_strerror (errno));
    }
  closedir (dir);
}


/* Old versions named the archive directory after the user; keep its
 * archives (without them every difference is a conflict) by renaming it,
 * if it is a real directory of that user's. */
static void
adopt_named_archive (int         root_fd,
                     const char *archive_root,
                     const char *user,
                     uid_t       uid,
                     const char *uid_name)
{
  struct stat st;

  if (fstatat (root_fd, uid_name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
    return;
  if (fstatat (root_fd, user, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != uid)
    return;
  if (renameat (root_fd, user, root_fd, uid_name) == 0)
    g_message ("Archive directory of %s renamed to %s/%s", user, archive_root, uid_name);
}

/* Every run of ours holds a shared flock on the archive directory while
 * it runs; whoever gets it exclusively knows that no engine of ours is
 * using the directory, so any lock file in it is a leftover of a killed
 * run.  (unison itself uses the lk* files, not flock.)  Never a blocking
 * flock(): the directory's owner can hold a lock on it for ever. */
static gboolean
lock_archive (const char *archive_dir,
              int         fd,
              char      **error_message)
{
  for (int i = 0; i < ARCHIVE_LOCK_TRIES; i++)
    {
      if (i > 0)
        g_usleep (ARCHIVE_LOCK_INTERVAL_USEC);
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        {
          remove_stale_locks (fd, archive_dir);
          /* Not atomic (flock drops, then takes): may meet a cleaner. */
          if (flock (fd, LOCK_SH | LOCK_NB) == 0)
            return TRUE;
          continue;
        }
      if (errno != EWOULDBLOCK && errno != EINTR)
        break;
      /* Held: shared by a run of ours (we may join it, leaving its locks
       * alone) or exclusively while one cleans up (we wait a little). */
      if (flock (fd, LOCK_SH | LOCK_NB) == 0)
        {
          g_debug ("%s is in use by another run: leaving its locks alone", archive_dir);
          return TRUE;
        }
      if (errno != EWOULDBLOCK && errno != EINTR)
        break;
    }
  *error_message = g_strdup_printf ("archive directory %s is busy", archive_dir);
  return FALSE;
}

int
of_archive_open (const char *archive_root,
                 const char *user,
                 uid_t       uid,
                 gid_t       gid,
                 char      **out_dir,
                 char      **error_message)
{
  g_autofree char *uid_name = g_strdup_printf ("%u", (guint) uid);
  g_autofree char *archive_dir = g_build_filename (archive_root, uid_name, NULL);
  struct stat st;
  int root_fd, fd;

  /* 0711: the user, once switched to, must traverse it to reach its own
   * directory, but has no business listing the others'. */
  if (g_mkdir_with_parents (archive_root, 0711) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot create %s: %s", archive_root, g_strerror (saved));
      return -1;
    }
  root_fd = open (archive_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot open %s: %s", archive_root, g_strerror (saved));
      return -1;
    }
  adopt_named_archive (root_fd, archive_root, user, uid, uid_name);
  if (mkdirat (root_fd, uid_name, 0700) < 0 && errno != EEXIST)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot create %s: %s", archive_dir, g_strerror (saved));
      close (root_fd);
      return -1;
    }
  /* O_NOFOLLOW: the entry is ours, never a link elsewhere. */
  fd = openat (root_fd, uid_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close (root_fd);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot open %s: %s", archive_dir, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if ((st.st_uid != uid || st.st_gid != gid) && fchown (fd, uid, gid) < 0)
    {
      int saved = errno;
      *error_message = g_strdup_printf ("cannot give %s to %s: %s", archive_dir,
                                        user, g_strerror (saved));
      close (fd);
      return -1;
    }
  if ((st.st_mode & 07777) != 0700 && fchmod (fd, 0700) < 0)
    g_debug ("Cannot chmod %s: %s", archive_dir, g_strerror (errno));
  if (!lock_archive (archive_dir, fd, error_message))
    {
      close (fd);
      return -1;
    }
  *out_dir = g_steal_pointer (&archive_dir);
  return fd;
}
