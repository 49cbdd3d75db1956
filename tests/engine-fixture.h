/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* engine-fixture.h — what the engine's test programs share: a temporary
 * share (local, remote, archive root), fake engines, one engine run to its
 * end in a main loop of its own with its journal record checked, and
 * assertions on files and processes. */
#pragma once

#include <sys/types.h>

#include "engine.h"

typedef struct {
  char *base;      /* 0711, so that a test user reaches what is inside */
  char *local;
  char *remote;
  char *archive_root;
} Fixture;

/* g_test_init() and the journal capture; call first in main(). */
void             engine_fixture_init (int    *argc,
                                      char ***argv);
void             engine_fixture_done (void);

gboolean         need_root          (void);
gboolean         need_user          (const char *user,
                                     uid_t      *uid,
                                     gid_t      *gid);
gboolean         need_unison        (void);
void             setup              (Fixture *fixture, gconstpointer data);
void             teardown           (Fixture *fixture, gconstpointer data);
OfShare         *make_share         (Fixture    *fixture,
                                     const char *user,
                                     gint64      timeout_usec);
/* Through the fork launcher; @cancel_after_ms ≥ 0 cancels the run that
 * long after it started. */
OfEngineOutcome *run_engine         (const char    *engine,
                                     const OfShare *share,
                                     const char    *archive_root,
                                     gint64         kill_grace_usec,
                                     int            cancel_after_ms,
                                     gint64        *elapsed_usec);
void             assert_no_children (void);
void             write_file         (const char *dir,
                                     const char *name,
                                     const char *contents);
void             assert_file        (const char *dir,
                                     const char *name,
                                     const char *contents);
void             assert_owner       (const char *dir,
                                     const char *name,
                                     uid_t       uid);
gboolean         dir_is_empty       (const char *path);
/* A shell script "engine.sh" in the fixture's base. */
char            *write_engine       (Fixture    *fixture,
                                     const char *script);
gboolean         process_is_gone    (pid_t pid);
pid_t            read_pid           (Fixture    *fixture,
                                     const char *name);
