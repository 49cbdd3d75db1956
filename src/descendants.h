/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* descendants.h — the processes below one process, found in /proc and
 * pinned by pidfds so that signals reach them and nothing else.
 *
 * For the fork launcher: a descendant that called setsid() is out of the
 * engine's process group, but still below the engine (or below a
 * descendant found earlier, once its parent died).  The set owns a pidfd
 * per process found; a pidfd names that very process, so a signal sent
 * through it can never hit a recycled pid.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _OfDescendants OfDescendants;

/* pidfd_open(2) and pidfd_send_signal(2), through syscall(2): glibc 2.36
 * has no declarations of them in the headers this project may use. */
int            of_pidfd_open         (pid_t pid);
int            of_pidfd_send_signal  (int pidfd,
                                      int signal_number);

/* @root: the process whose descendants are wanted (not included). */
OfDescendants *of_descendants_new    (pid_t          root);
/* Walks /proc once, adding every new descendant of the root and of the
 * processes found before. */
void           of_descendants_scan   (OfDescendants *self);
/* To every process found so far that still exists. */
void           of_descendants_signal (OfDescendants *self,
                                      int            signal_number);
guint          of_descendants_count  (OfDescendants *self);
void           of_descendants_free   (OfDescendants *self);

G_END_DECLS
