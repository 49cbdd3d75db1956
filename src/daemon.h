/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon.h — the object that owns every part of offlinefiles-syncd.
 *
 * One owner, one place for the order of things.  Start-up: the settings
 * (OfConfigStore, the one owner of the six values), the state, polkit,
 * the shares, the sync manager and the bus object, then the bus name;
 * only once the name is owned does the manager plan and the
 * configuration get watched.  Shutdown runs the same list backwards and
 * is bounded: a running sync is cancelled (it still gets its
 * SyncFinished), polkit callers are answered and the state reaches the
 * disk, or ten seconds pass.  main.c keeps only options, signals and the
 * main loop.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  const char *config_dir;       /* background-sync.conf, its drop-ins, shares.d */
  const char *state_dir;        /* the state file and the engine archives */
  const char *machine_id_file;  /* /etc/machine-id */
  const char *engine;           /* "unison", or a stand-in for tests */
} OfDaemonOptions;

#define OF_TYPE_DAEMON (of_daemon_get_type ())
G_DECLARE_FINAL_TYPE (OfDaemon, of_daemon, OF, DAEMON, GObject)

/* Signal "fatal" (const char *message): the daemon cannot go on (the bus
 * went away, the name was lost or could not be had).  The message is one
 * line for the administrator. */

/* @options is copied. */
OfDaemon *of_daemon_new    (const OfDaemonOptions *options);
/* Reads the files, connects to the system bus, exports the objects and
 * asks for the name.  An error here is fatal: one line says why. */
gboolean  of_daemon_start  (OfDaemon   *daemon,
                            GError    **error);
/* Re-reads the settings and the shares (SIGHUP, files changed); a bad
 * settings file changes nothing and says so in the journal. */
void      of_daemon_reload (OfDaemon   *daemon,
                            const char *why);
/* Winds down within ten seconds, iterating the default main context:
 * call it after the main loop has returned. */
void      of_daemon_stop   (OfDaemon   *daemon);

G_END_DECLS
