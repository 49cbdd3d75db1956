/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent.c — a text polkit agent (pkttyagent) for the duration of one call; see agent.h. */
#include "config.h"

#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib-unix.h>

#ifndef OF_PKTTYAGENT
#define OF_PKTTYAGENT "/usr/bin/pkttyagent"
#endif

/* How long to wait for the agent to register before calling anyway. */
#define REGISTER_TIMEOUT_MS 10000

struct _OfAgent {
  GSubprocess *process;
};

static void
die_with_parent (gpointer user_data)
{
  (void) user_data;
  /* A killed client must not leave an agent holding the terminal. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* pkttyagent closes --notify-fd once it is registered (or exits): until
 * then a challenge would find no agent and fail. */
static void
wait_for_registration (int fd)
{
  gint64 end = g_get_monotonic_time () + REGISTER_TIMEOUT_MS * 1000;

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left_ms = (end - g_get_monotonic_time ()) / 1000;
      char byte;
      int r;

      if (left_ms <= 0)
        return;
      r = poll (&pfd, 1, (int) left_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return;
      if (read (fd, &byte, 1) <= 0)
        return;
    }
}

/* Whether we run inside a logind session: logind puts each session's
 * processes in a "session-N.scope" cgroup (what sd_pid_get_session()
 * reads, without linking libsystemd for it). */
static gboolean
in_login_session (void)
{
  g_autofree char *cgroup = NULL;
  const char *session;

  if (!g_file_get_contents ("/proc/self/cgroup", &cgroup, NULL, NULL))
    return FALSE;
  session = strstr (cgroup, "/session-");
  return session != NULL && strstr (session, ".scope") != NULL;
}

OfAgent *
of_agent_start (gboolean allowed)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  GSubprocess *process;
  OfAgent *agent;
  int fds[2];

  if (!allowed || !isatty (STDIN_FILENO) || !g_file_test (OF_PKTTYAGENT, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    {
      g_debug ("no authentication agent: %s", error->message);
      return NULL;
    }

  pid = g_strdup_printf ("%d", (int) getpid ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* Like systemctl, --fallback: a graphical agent of the session keeps
   * precedence.  But polkit only considers a fallback agent for callers
   * in a logind session (it looks it up through the session), so outside
   * one — containers, machines without logind — the agent registers for
   * this process plainly, or it would never be asked. */
  if (in_login_session ())
    process = g_subprocess_launcher_spawn (launcher, &error, OF_PKTTYAGENT,
                                           "--notify-fd", "3", "--fallback",
                                           "--process", pid, NULL);
  else
    process = g_subprocess_launcher_spawn (launcher, &error, OF_PKTTYAGENT,
                                           "--notify-fd", "3", "--process", pid, NULL);
  /* Drops our copy of the write end, so EOF means "registered". */
  g_clear_object (&launcher);
  if (process == NULL)
    {
      g_debug ("no authentication agent: %s", error->message);
      close (fds[0]);
      return NULL;
    }
  wait_for_registration (fds[0]);
  close (fds[0]);

  agent = g_new0 (OfAgent, 1);
  agent->process = process;
  return agent;
}

void
of_agent_stop (OfAgent *agent)
{
  if (agent == NULL)
    return;
  g_subprocess_send_signal (agent->process, SIGTERM);
  g_subprocess_wait (agent->process, NULL, NULL);
  g_object_unref (agent->process);
  g_free (agent);
}
