/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* share-admin.c — see share-admin.h.
 *
 * Ownership: each call is one request (AddRequest, RemoveRequest) that
 * owns its invocation until it answers, holds a reference on the admin
 * and its name in self->busy; the request is freed right after the
 * answer.  The share file is the only file the daemon itself touches
 * here, in a worker (it is root's own, under the configuration
 * directory); the user's folders and archives are only ever touched by
 * helpers running as the user.
 */
#include "share-admin.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "archive-forget.h"
#include "errors.h"
#include "file-util.h"
#include "folder-check.h"
#include "share-request.h"
#include "user-run.h"

/* The share file: readable by everyone (the trust rule wants it
 * root-owned and not writable by others, like an administrator's). */
#define SHARE_FILE_MODE 0644

struct _OfShareAdmin {
  GObject          parent_instance;
  char            *shares_dir;
  char            *archive_root;
  OfShareRegistry *registry;     /* borrowed */
  OfStateStore    *state_store;  /* borrowed */
  OfAuth          *auth;         /* borrowed */
  OfLauncher      *launcher;     /* borrowed */
  OfSyncManager   *manager;      /* borrowed */
  OfConfigStore   *store;        /* borrowed: UserSharesEnabled */
  GHashTable      *busy;         /* name → uid + 1 of a share being added, or 0 (removed) */
  guint            helpers;      /* helper runs so far, for their unit names */
};

G_DEFINE_TYPE (OfShareAdmin, of_share_admin, G_TYPE_OBJECT)

/* Runs @argv as @user, named after @what and the share. */
static void
run_helper (OfShareAdmin        *self,
            const char          *what,
            const char          *share_name,
            const OfUserInfo    *user,
            const char * const  *argv,
            const char * const  *read_write_paths,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  /* Named like the engines' units, so that a daemon restarted after a
   * crash stops what is left of them (launcher.c); the time keeps the
   * name apart from such a leftover. */
  g_autofree char *unit_name = g_strdup_printf ("offlinefiles-engine-%s-%s-%" G_GINT64_FORMAT "-%u", what,
                                                share_name, g_get_real_time (), ++self->helpers);
  g_autofree char *description = g_strdup_printf ("offlinefiles %s of share %s", what, share_name);

  of_user_run_async (self->launcher, unit_name, description, user, argv, read_write_paths,
                     OF_SHARE_ADMIN_HELPER_TIMEOUT_USEC, callback, user_data);
}

static char *
share_file_path (OfShareAdmin *self,
                 const char   *name)
{
  g_autofree char *base = g_strconcat (name, OF_SHARE_FILE_SUFFIX, NULL);

  return g_build_filename (self->shares_dir, base, NULL);
}

/* A share file there, loaded or not (a broken one still takes the name). */
static gboolean
share_file_exists (OfShareAdmin *self,
                   const char   *name)
{
  g_autofree char *path = share_file_path (self, name);
  struct stat st;

  return lstat (path, &st) == 0 || errno != ENOENT;
}

static void
return_invalid_args (GDBusMethodInvocation *invocation,
                     const char            *message)
{
  g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, message);
}

/* ---- the file, in a worker: root's own directory ---- */

typedef struct {
  char   *dir;
  char   *path;
  GBytes *data;  /* NULL: delete */
} FileJob;

static void
file_job_free (FileJob *job)
{
  g_free (job->dir);
  g_free (job->path);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_free (job);
}

static void
file_job_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  FileJob *job = task_data;
  GError *error = NULL;

  (void) source; (void) cancellable;
  if (job->data != NULL)
    {
      gsize length;
      const char *data = g_bytes_get_data (job->data, &length);

      if (g_mkdir_with_parents (job->dir, 0755) < 0)
        {
          int saved = errno;
          g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE, "Cannot create %s: %s", job->dir,
                                   g_strerror (saved));
          return;
        }
      if (!of_write_file_durably (job->path, data, length, SHARE_FILE_MODE, &error))
        {
          g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE, "Cannot write %s: %s", job->path,
                                   error->message);
          g_error_free (error);
          return;
        }
    }
  else
    {
      int dir_fd;

      if (g_unlink (job->path) < 0 && errno != ENOENT)
        {
          int saved = errno;
          g_task_return_new_error (task, OF_ERROR, OF_ERROR_STORAGE, "Cannot remove %s: %s", job->path,
                                   g_strerror (saved));
          return;
        }
      /* The removal is only durable once the directory is on disk. */
      dir_fd = open (job->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd >= 0)
        {
          fsync (dir_fd);
          close (dir_fd);
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
file_job_start (OfShareAdmin        *self,
                const char          *name,
                GBytes              *data,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  FileJob *job = g_new0 (FileJob, 1);

  job->dir = g_strdup (self->shares_dir);
  job->path = share_file_path (self, name);
  job->data = data ? g_bytes_ref (data) : NULL;
  g_task_set_task_data (task, job, (GDestroyNotify) file_job_free);
  g_task_run_in_thread (task, file_job_thread);
}

/* ---- AddShare ---- */

typedef struct {
  OfShareAdmin          *admin;
  GDBusMethodInvocation *invocation;
  char                  *name;
  char                  *local_path;
  char                  *remote_path;
  OfShareOptions         options;
  OfUserInfo             user;      /* whom the share syncs as */
  OfShare               *share;     /* parsed back from data */
  GBytes                *data;
  gboolean               reserved;  /* name in admin->busy */
} AddRequest;

static void
add_request_free (AddRequest *request)
{
  if (request->reserved)
    g_hash_table_remove (request->admin->busy, request->name);
  g_object_unref (request->admin);
  g_free (request->name);
  g_free (request->local_path);
  g_free (request->remote_path);
  of_share_options_clear (&request->options);
  of_user_info_clear (&request->user);
  of_share_free (request->share);
  g_clear_pointer (&request->data, g_bytes_unref);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AddRequest, add_request_free)

static guint
pending_adds_for (OfShareAdmin *self,
                  uid_t         uid)
{
  GHashTableIter iter;
  gpointer value;
  guint count = 0;

  g_hash_table_iter_init (&iter, self->busy);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (GPOINTER_TO_UINT (value) == (guint) uid + 1)
      count++;
  return count;
}

static void
add_written (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AddRequest) request = user_data;
  OfShareAdmin *self = request->admin;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  (void) source;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("AddShare %s: %s", request->name, error->message);
      g_dbus_method_invocation_return_gerror (request->invocation, error);
      return;
    }
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "OFFLINEFILES_SHARE", request->name,
                    "MESSAGE", "Share %s added for %s (uid %u) through AddShare", request->name,
                    request->user.name, (guint) request->user.uid);
  /* Exported now; the file monitor's reload finds it unchanged. */
  path = of_share_registry_insert (self->registry, g_steal_pointer (&request->share));
  g_dbus_method_invocation_return_value (request->invocation, g_variant_new ("(o)", path));
}

static void
add_checked (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(AddRequest) request = user_data;
  OfShareAdmin *self = request->admin;
  g_autoptr(GError) error = NULL;
  g_autoptr(OfLaunchResult) checked = of_launcher_run_finish (OF_LAUNCHER (source), result, &error);
  GDBusMethodInvocation *invocation = request->invocation;

  if (checked == NULL)
    checked = of_launch_result_new_not_started ("%s", error->message);
  switch (of_folder_check_result (checked))
    {
    case OF_FOLDERS_OK:
      break;
    case OF_FOLDERS_LOCAL_UNAVAILABLE:
    case OF_FOLDERS_REMOTE_UNREACHABLE:
      {
        gboolean local = of_folder_check_result (checked) == OF_FOLDERS_LOCAL_UNAVAILABLE;
        g_autofree char *shown = g_strescape (local ? request->local_path : request->remote_path, NULL);

        /* The caller named the folder: telling them it is not usable
         * tells nothing new.  Which permission is missing stays unsaid. */
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "%s \"%s\" is not a folder that user %s can read, write and enter",
                                               local ? "LocalPath" : "RemotePath", shown, request->user.name);
        return;
      }
    case OF_FOLDERS_TIMED_OUT:
      g_dbus_method_invocation_return_error (invocation, OF_ERROR, OF_ERROR_FAILED,
                                             "Checking the folders as user %s took longer than %d s "
                                             "(is a network mount not answering?)", request->user.name,
                                             (int) (OF_SHARE_ADMIN_HELPER_TIMEOUT_USEC / G_TIME_SPAN_SECOND));
      return;
    case OF_FOLDERS_CANCELLED:
    case OF_FOLDERS_FAILED:
    default:
      g_warning ("AddShare %s: cannot check the folders as %s: %s", request->name, request->user.name,
                 checked->message ? checked->message : checked->stderr_tail);
      g_dbus_method_invocation_return_error (invocation, OF_ERROR, OF_ERROR_FAILED,
                                             "Cannot check the folders as user %s", request->user.name);
      return;
    }

  /* An administrator's file may have appeared meanwhile: never replaced. */
  if (share_file_exists (self, request->name))
    {
      g_dbus_method_invocation_return_error (invocation, OF_ERROR, OF_ERROR_EXISTS,
                                             "A share named %s exists already", request->name);
      return;
    }
  {
    AddRequest *owned = g_steal_pointer (&request);

    file_job_start (self, owned->name, owned->data, add_written, owned);
  }
}

static void
add_authorized (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(AddRequest) request = user_data;
  OfShareAdmin *self = request->admin;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *local = NULL;
  g_autofree char *remote = NULL;

  (void) source;
  if (!of_auth_check_finish (self->auth, result, &error))
    {
      g_dbus_method_invocation_return_gerror (request->invocation, error);
      return;
    }
  /* As the share's user, never as root: root would see through
   * permissions the user lacks ("-": a missing folder must not stop a
   * transient unit from starting; the check is there to say so). */
  argv = of_folder_check_argv (request->local_path, request->remote_path);
  local = g_strconcat ("-", request->local_path, NULL);
  remote = g_strconcat ("-", request->remote_path, NULL);
  {
    const char * const read_write_paths[] = { local, remote, NULL };
    AddRequest *owned = g_steal_pointer (&request);

    run_helper (self, "check", owned->name, &owned->user, (const char * const *) argv, read_write_paths,
                add_checked, owned);
  }
}

static void
add_caller_known (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(AddRequest) request = user_data;
  OfShareAdmin *self = request->admin;
  GDBusMethodInvocation *invocation = request->invocation;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_auto(OfUserInfo) caller = { 0 };
  guint32 caller_uid;

  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                             "Cannot tell who the caller is: %s", error->message);
      return;
    }
  g_variant_get (reply, "(u)", &caller_uid);
  if (!of_user_info_lookup (NULL, caller_uid, &caller, &error) ||
      !of_user_info_lookup (request->options.user ? request->options.user : caller.name, 0, &request->user,
                         &error))
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                     error->message);
      return;
    }
  /* UserSharesEnabled=false: users may not add their own folders; root,
   * and an administrator adding a share for someone else (manage-shares),
   * still may.  Before polkit, like Error.Locked: the same answer for
   * everyone it concerns, without a password asked for nothing. */
  if (!of_config_store_get_settings (self->store)->user_shares_enabled && caller_uid != 0 &&
      request->user.uid == caller_uid)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                                     "The administrator has disabled adding shares of one's "
                                                     "own folders (UserSharesEnabled=false)");
      return;
    }

  /* The file as it will be written, read back by the one parser of
   * share files: whatever it refuses is refused here, before anything
   * is asked or written. */
  request->share = of_share_request_build (request->name, request->local_path, request->remote_path,
                                           request->user.name, &request->options, caller.name, caller.uid,
                                           g_get_real_time (), &request->data, &error);
  if (request->share == NULL)
    {
      return_invalid_args (invocation, error->message);
      return;
    }
  request->share->uid = request->user.uid;

  if (of_share_registry_lookup (self->registry, request->name) != NULL ||
      g_hash_table_contains (self->busy, request->name) || share_file_exists (self, request->name))
    {
      g_dbus_method_invocation_return_error (invocation, OF_ERROR, OF_ERROR_EXISTS,
                                             "A share named %s exists already", request->name);
      return;
    }
  if (of_share_registry_count_for_uid (self->registry, request->user.uid) +
      pending_adds_for (self, request->user.uid) >= OF_SHARES_PER_USER_MAX)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                             "User %s has %d shares already, the most one user may have",
                                             request->user.name, OF_SHARES_PER_USER_MAX);
      return;
    }

  g_hash_table_insert (self->busy, g_strdup (request->name), GUINT_TO_POINTER ((guint) request->user.uid + 1));
  request->reserved = TRUE;
  {
    AddRequest *owned = g_steal_pointer (&request);

    /* For oneself manage-own-shares; for anyone else manage-shares. */
    of_auth_check_share_async (self->auth, owned->invocation, owned->name, owned->user.name, owned->user.uid,
                               OF_ACTION_MANAGE_OWN_SHARES, add_authorized, owned);
  }
}

void
of_share_admin_add (OfShareAdmin          *self,
                    GDBusMethodInvocation *invocation,
                    const char            *name,
                    const char            *local_path,
                    const char            *remote_path,
                    GVariant              *options)
{
  g_autoptr(AddRequest) request = g_new0 (AddRequest, 1);
  g_autoptr(GError) error = NULL;

  request->admin = g_object_ref (self);
  request->invocation = invocation;
  request->name = g_strdup (name);
  request->local_path = g_strdup (local_path);
  request->remote_path = g_strdup (remote_path);
  if (!of_share_name_is_valid (name))
    {
      g_autofree char *shown = g_strescape (name, NULL);

      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Share name \"%s\" is invalid: use 1 to %d of A-Z a-z 0-9 . _ - "
                                             "and do not start with a dot", shown, OF_SHARE_NAME_MAX);
      return;
    }
  if (!of_share_options_parse (options, &request->options, &error))
    {
      return_invalid_args (invocation, error->message);
      return;
    }
  /* The bus says who the caller is; their own user is the default. */
  g_dbus_connection_call (g_dbus_method_invocation_get_connection (invocation), "org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, add_caller_known,
                          g_steal_pointer (&request));
}

/* ---- RemoveShare ---- */

typedef struct {
  OfShareAdmin          *admin;
  GDBusMethodInvocation *invocation;
  OfShare               *share;     /* a copy, as it was when asked */
  OfUserInfo             user;
  gboolean               reserved;
} RemoveRequest;

static void
remove_request_free (RemoveRequest *request)
{
  if (request->reserved)
    g_hash_table_remove (request->admin->busy, request->share->name);
  g_object_unref (request->admin);
  of_share_free (request->share);
  of_user_info_clear (&request->user);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemoveRequest, remove_request_free)

static void
remove_done (RemoveRequest *request)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "OFFLINEFILES_SHARE", request->share->name,
                    "MESSAGE", "Share %s removed through RemoveShare", request->share->name);
  g_dbus_method_invocation_return_value (request->invocation, NULL);
  remove_request_free (request);
}

static void
remove_archives_done (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RemoveRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OfLaunchResult) ran = of_launcher_run_finish (OF_LAUNCHER (source), result, &error);

  /* The share is gone either way; what is left costs disk space only,
   * and unison would start afresh for these roots. */
  if (ran == NULL || ran->end != OF_LAUNCH_EXITED || ran->exit_status != 0)
    g_warning ("Share %s: its archives could not all be removed from %s/%u: %s", request->share->name,
               request->admin->archive_root, (guint) request->share->uid,
               ran == NULL ? error->message : ran->message ? ran->message : ran->stderr_tail);
  remove_done (request);
}

static void
state_saved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  (void) source;
  /* The store logs it; the share's state is gone from memory anyway. */
  of_state_store_save_finish ((OfStateStore *) user_data, result, &error);
}

static void
remove_withdrawn (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RemoveRequest *request = user_data;
  OfShareAdmin *self = request->admin;
  g_autoptr(GError) error = NULL;
  g_autofree char *archive_dir = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *writable = NULL;

  of_sync_manager_withdraw_share_finish (OF_SYNC_MANAGER (source), result, NULL);
  /* No engine of the share runs now, and none will again: its archives
   * can go. */
  archive_dir = g_strdup_printf ("%s/%u", self->archive_root, (guint) request->share->uid);
  if (!of_user_info_lookup (request->share->user, 0, &request->user, &error))
    {
      g_warning ("Share %s: its archives stay in %s: %s", request->share->name, archive_dir, error->message);
      remove_done (request);
      return;
    }
  argv = of_archive_forget_argv (archive_dir, request->share->local_path, request->share->remote_path);
  writable = g_strconcat ("-", archive_dir, NULL);
  {
    const char * const read_write_paths[] = { writable, NULL };

    run_helper (self, "removal", request->share->name, &request->user, (const char * const *) argv,
                read_write_paths, remove_archives_done, request);
  }
}

static void
remove_file_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RemoveRequest *request = user_data;
  OfShareAdmin *self = request->admin;
  g_autoptr(GError) error = NULL;
  OfState *state = of_state_store_get (self->state_store);

  (void) source;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Nothing changed: the share is still there, its sync untouched. */
      g_warning ("RemoveShare %s: %s", request->share->name, error->message);
      g_dbus_method_invocation_return_gerror (request->invocation, error);
      remove_request_free (request);
      return;
    }

  /* InterfacesRemoved; the file monitor's reload then finds nothing to
   * do, and no sync from now on includes the share. */
  of_share_registry_remove (self->registry, request->share->name);
  if (state->shares != NULL && g_hash_table_remove (state->shares, request->share->name))
    of_state_store_save_async (self->state_store, state_saved, self->state_store);
  /* Its conflict store, and a resolution running or waiting for it. */
  of_share_registry_forget (self->registry, request->share->name);

  /* A sync that took the share before it left the registry stops its
   * engine, or leaves it out if its turn has not come. */
  of_sync_manager_withdraw_share_async (self->manager, request->share->name, remove_withdrawn, request);
}

static void
remove_authorized (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RemoveRequest) request = user_data;
  OfShareAdmin *self = request->admin;
  g_autoptr(GError) error = NULL;

  (void) source;
  if (!of_auth_check_finish (self->auth, result, &error))
    {
      g_dbus_method_invocation_return_gerror (request->invocation, error);
      return;
    }
  if (of_share_registry_lookup (self->registry, request->share->name) == NULL)
    {
      g_dbus_method_invocation_return_error (request->invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "There is no share named %s", request->share->name);
      return;
    }
  {
    RemoveRequest *owned = g_steal_pointer (&request);

    file_job_start (self, owned->share->name, NULL, remove_file_done, owned);
  }
}

void
of_share_admin_remove (OfShareAdmin          *self,
                       GDBusMethodInvocation *invocation,
                       const char            *name)
{
  const OfShare *share = of_share_registry_lookup (self->registry, name);
  g_autoptr(RemoveRequest) request = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  uid_t added_by;
  uid_t owner = (uid_t) -1;

  if (share == NULL)
    {
      g_autofree char *shown = g_strescape (name, NULL);

      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "There is no share named \"%s\"", shown);
      return;
    }
  if (g_hash_table_contains (self->busy, name))
    {
      g_dbus_method_invocation_return_error (invocation, OF_ERROR, OF_ERROR_FAILED,
                                             "Share %s is being added or removed already", name);
      return;
    }
  request = g_new0 (RemoveRequest, 1);
  request->admin = g_object_ref (self);
  request->invocation = invocation;
  request->share = of_share_copy (share);
  g_hash_table_insert (self->busy, g_strdup (name), GUINT_TO_POINTER (0));
  request->reserved = TRUE;

  /* The share's user decides alone only about a share added for them
   * through AddShare (its mark names them); an administrator's file, or
   * one someone else added for them, needs manage-shares.  The file is
   * root's (the trust rule), so the mark is as good as the file. */
  path = share_file_path (self, name);
  if (of_read_config_file (path, OF_SHARE_MAX_FILE_SIZE, &contents, &length, NULL) &&
      of_share_data_added_by (contents, length, &added_by) && added_by == share->uid)
    owner = share->uid;
  {
    RemoveRequest *owned = g_steal_pointer (&request);

    of_auth_check_share_async (self->auth, invocation, name, share->user, owner, OF_ACTION_MANAGE_OWN_SHARES,
                               remove_authorized, owned);
  }
}

/* ---- the object ---- */

gboolean
of_share_admin_is_busy (OfShareAdmin *self)
{
  return g_hash_table_size (self->busy) > 0;
}

OfShareAdmin *
of_share_admin_new (const char      *shares_dir,
                    const char      *archive_root,
                    OfShareRegistry *registry,
                    OfStateStore    *state_store,
                    OfAuth          *auth,
                    OfLauncher      *launcher,
                    OfSyncManager   *manager,
                    OfConfigStore   *store)
{
  OfShareAdmin *self = g_object_new (OF_TYPE_SHARE_ADMIN, NULL);

  self->store = store;
  self->shares_dir = g_strdup (shares_dir);
  self->archive_root = g_strdup (archive_root);
  self->registry = registry;
  self->state_store = state_store;
  self->auth = auth;
  self->launcher = launcher;
  self->manager = manager;
  return self;
}

static void
of_share_admin_finalize (GObject *object)
{
  OfShareAdmin *self = OF_SHARE_ADMIN (object);

  g_hash_table_unref (self->busy);
  g_free (self->shares_dir);
  g_free (self->archive_root);
  G_OBJECT_CLASS (of_share_admin_parent_class)->finalize (object);
}

static void
of_share_admin_class_init (OfShareAdminClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = of_share_admin_finalize;
}

static void
of_share_admin_init (OfShareAdmin *self)
{
  self->busy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
