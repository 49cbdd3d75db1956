/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* harness.h — real components for integration tests.
 *
 * A private dbus-daemon configured like the system bus (with the
 * project's shipped bus policy), the real polkitd on it (when running as
 * root) with the project's .policy and the test's rules, and the real
 * offlinefiles-syncd binary.  Every child dies with the test process.
 * Below them, the fixtures the tests of shares have in common (a test
 * user's folders and files, share files, SyncNow and its signals, a
 * hanging file server): one version each, used by every test.
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Users created by .ci/run; polkit rules give each a fixed answer. */
#define OF_TEST_USER_ALLOW "oftest-allow"  /* rule: YES */
#define OF_TEST_USER_DENY  "oftest-deny"   /* rule: NO */
#define OF_TEST_USER_ASK   "oftest-ask"    /* no rule: the .policy's default applies */
#define OF_TEST_USER_SLOW  "oftest-slow"   /* rule: YES after 2 s */

/* A SyncStarted, SyncProgress or SyncFinished, as of_harness_watch_syncs()
 * records it. */
typedef struct {
  guint64  id;
  char    *name;     /* the signal's name */
  char    *detail;   /* reason (Started), share (Progress), result (Finished) */
  char    *message;  /* Finished only */
  gint64   at;       /* g_get_real_time () when received */
} OfSyncEvent;

typedef struct {
  char            *dir;          /* 0755 temp dir, removed at the end */
  char            *bus_address;
  GSubprocess     *bus;
  GSubprocess     *polkitd;      /* NULL when polkit could not be started */
  char            *config_dir;
  char            *state_dir;
  GSubprocess     *daemon;
  GDBusConnection *conn;         /* a root client connection */
  GPtrArray       *installed;    /* files put in system dirs, removed at the end */
  char            *daemon_log;
  GPtrArray       *properties_changed;  /* see of_harness_watch_properties() */
  guint            properties_changed_id;
  GPtrArray       *sync_events;  /* see of_harness_watch_syncs() */
  guint            sync_events_id;
} OfHarness;

/* Starts the bus, and polkitd if @with_polkit.  Fails the test on error. */
OfHarness *of_harness_new            (gboolean with_polkit);
/* The same with polkitd, and @extra_rules (JavaScript) as a rules file
 * consulted before the common ones: polkitd reads it at its start, so
 * no test races its reload. */
OfHarness *of_harness_new_with_rules (const char *extra_rules);
void       of_harness_free           (OfHarness *harness);
/* For teardowns: stops the daemon if it still runs, failing the test
 * unless it exits 0, then frees *@harness and sets it to NULL. */
void       of_harness_clear          (OfHarness **harness);
/* python-dbusmock's polkitd in place of the real one (for a harness made
 * without polkit): it answers by action only, and can hold checks open.
 * of_harness_mock_polkit() calls one of its org.freedesktop.DBus.Mock
 * methods (SetAllowed, SimulateHangActions, ReleaseHangingCalls…). */
void       of_harness_start_mock_polkit (OfHarness *harness);
void       of_harness_mock_polkit    (OfHarness  *harness,
                                      const char *method,
                                      GVariant   *parameters);
/* TRUE if polkitd runs and the test users exist; else skips the test
 * with a printed reason and returns FALSE. */
gboolean   of_harness_require_polkit (OfHarness *harness);
/* A python-dbusmock template (e.g. "networkmanager", "upower") on the
 * private bus, with its JSON @parameters (may be NULL); returns once it
 * owns @bus_name.  Stop it with g_subprocess_force_exit(). */
GSubprocess *of_harness_start_mock   (OfHarness  *harness,
                                      const char *template_name,
                                      const char *parameters,
                                      const char *bus_name);
/* One org.freedesktop.DBus.Mock method (AddProperty, UpdateProperties…)
 * of the mock owning @bus_name, on @path. */
void       of_harness_mock_call      (OfHarness  *harness,
                                      const char *bus_name,
                                      const char *path,
                                      const char *method,
                                      GVariant   *parameters);
gboolean   of_harness_require_root   (const char *why);

/* Starts offlinefiles-syncd with --config-dir/--state-dir in the harness
 * dir and @extra_args; waits until it owns its name. */
void       of_harness_start_daemon   (OfHarness          *harness,
                                      const char * const *extra_args);
/* SIGTERM, waits, returns the exit status. */
int        of_harness_stop_daemon    (OfHarness *harness);

GVariant  *of_harness_get            (OfHarness  *harness,
                                      const char *property);
/* Properties.Set as root; returns FALSE and sets @error on failure. */
gboolean   of_harness_set            (OfHarness  *harness,
                                      const char *property,
                                      GVariant   *value,
                                      GError    **error);
GVariant  *of_harness_call           (OfHarness   *harness,
                                      const char  *interface_name,
                                      const char  *method,
                                      GVariant    *parameters,
                                      GDBusCallFlags flags,
                                      GError     **error);

/* Runs `gdbus call --system ARGS…` as @user (setpriv); returns its exit
 * status, stdout and stderr. */
int        of_harness_gdbus_as       (OfHarness  *harness,
                                      const char *user,
                                      char      **out,
                                      char      **err,
                                      ...) G_GNUC_NULL_TERMINATED;
/* Same, started in the background. */
GSubprocess *of_harness_gdbus_as_async (OfHarness  *harness,
                                        const char *user,
                                        ...) G_GNUC_NULL_TERMINATED;

/* A round trip through the daemon's main loop (PreviewSchedule: Peer.Ping
 * would be answered by GDBus's worker thread), then everything queued
 * here is dispatched: any signal the daemon sent before is now seen. */
void       of_harness_settle         (OfHarness *harness);

/* Records every PropertiesChanged of the main interface, as its a{sv} of
 * changed values, into the returned array (owned by the harness; clear
 * it with g_ptr_array_set_size (…, 0)).  Signals are seen when the
 * default main context runs, e.g. in of_harness_settle(). */
GPtrArray *of_harness_watch_properties (OfHarness *harness);
/* The same for the sync signals of the main object, as OfSyncEvent. */
GPtrArray *of_harness_watch_syncs      (OfHarness *harness);

/* Iterates the default main context until *@flag or @timeout_ms pass. */
gboolean   of_harness_wait_for       (gboolean *flag,
                                      guint     timeout_ms);

char      *of_harness_config_path    (OfHarness *harness);

/* ---- the test users' files and syncs, shared by the share tests ---- */

/* The uid and gid of @user; FALSE, and both 0, when it does not exist. */
gboolean   of_harness_lookup_user    (const char *user,
                                      uid_t      *uid,
                                      gid_t      *gid);
/* TRUE when running as root (needed to @why) and @user exists; else
 * skips the test saying which is missing and returns FALSE. */
gboolean   of_harness_require_user   (const char *user,
                                      const char *why);
/* HARNESS-DIR/@name, made with its parents (0755) and owned by
 * @uid:@gid, as a folder of that user's would be.  Free it. */
char      *of_harness_user_dir       (OfHarness  *harness,
                                      const char *name,
                                      uid_t       uid,
                                      gid_t       gid);
/* Writes @contents to @dir/@name, making @dir if needed; fails the test
 * on error.  The file belongs to whoever runs the test. */
void       of_harness_write_file     (const char *dir,
                                      const char *name,
                                      const char *contents);
/* The same, then owned by @uid:@gid: a file of that user's. */
void       of_harness_write_file_as  (const char *dir,
                                      const char *name,
                                      const char *contents,
                                      uid_t       uid,
                                      gid_t       gid);
/* shares.d/@name.conf in the harness's config dir, written by root:
 * a [Share] of @user from @local to @remote, then the lines @extra (may
 * be NULL).  A NULL @local removes the file instead. */
void       of_harness_write_share    (OfHarness  *harness,
                                      const char *name,
                                      const char *local,
                                      const char *remote,
                                      const char *user,
                                      const char *extra);
/* SyncNow as root; fails the test on error; returns the sync's id. */
guint64    of_harness_sync_now       (OfHarness *harness);
/* The first sync signal @name (SyncStarted, SyncFinished…) of sync @id,
 * iterating the default main context for at most @timeout_s seconds;
 * fails the test (g_error) if none came.  Needs of_harness_watch_syncs();
 * the event is owned by the harness. */
OfSyncEvent *of_harness_wait_sync_event (OfHarness  *harness,
                                         const char *name,
                                         guint64     id,
                                         guint       timeout_s);

/* ---- a file server that hangs, and what the daemon does meanwhile ---- */

/* tests/hanging-fs.py ($OF_HANGING_FS) mounted on @dir, which this
 * makes: every access under it blocks in the kernel for ever, or for
 * @delay seconds ("1.5": a slow server; NULL: for ever).  Returns the
 * server process, or NULL with the test skipped where FUSE cannot be
 * used.  Undo it with of_harness_unmount_hanging_fs(). */
GSubprocess *of_harness_mount_hanging_fs   (const char   *dir,
                                            const char   *delay);
/* Stops the server (clearing *@server; NULL does nothing) and lazily
 * unmounts @dir, so that removing the harness dir does not hang. */
void         of_harness_unmount_hanging_fs (GSubprocess **server,
                                            const char   *dir);
/* How many of the daemon's threads wait in the kernel (state D) now. */
guint        of_harness_daemon_threads_in_d_state (OfHarness *harness);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OfHarness, of_harness_free)

G_END_DECLS
