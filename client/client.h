/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* client.h — offlinefilesctl's model of the daemon: the bus connection,
 * the generated proxy of the main object, the object manager client for
 * the shares, calls that polkit may have to authorize, and the way
 * everything is reported and shown on the terminal.
 */
#pragma once

#include <gio/gio.h>

#include "offlinefiles-dbus.h"

G_BEGIN_DECLS

enum {
  OF_EXIT_OK = 0,
  OF_EXIT_FAILURE = 1,
  OF_EXIT_USAGE = 2,
};

/* The standard interface the generated setters would use; spelled here
 * because a write through it must carry our call flags (see
 * of_client_call_with_auth()). */
#define OF_DBUS_PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

typedef struct {
  /* The command line's options. */
  gboolean               json;
  gboolean               no_ask_password;
  gboolean               wait;
  gboolean               names;
  gboolean               all;       /* resolve --all */
  /* add-share's --timeout, --mount-point, --user (borrowed; NULL: not given). */
  const char            *share_timeout;
  const char            *share_mount_point;
  const char            *share_user;
  /* stdout is a terminal: align and (unless NO_COLOR or TERM=dumb) colour. */
  gboolean               tty;
  gboolean               color;

  GDBusConnection       *bus;
  OfDBusBackgroundSync  *proxy;
  OfDBusMachineConfiguration *machine;  /* the same object's second interface */
  GDBusObjectManager    *manager;   /* OfDBusObjectManagerClient, on demand */
} OfClient;

void      of_client_init                (OfClient *client);
void      of_client_clear               (OfClient *client);

/* "offlinefilesctl: MESSAGE" on stderr, escaped into one line; returns
 * @code so that commands can `return of_client_report (…)`. */
int       of_client_report              (int         code,
                                         const char *format,
                                         ...) G_GNUC_PRINTF (2, 3);
/* "WHAT: the daemon's own words", without the "GDBus.Error:…: " prefix;
 * exit code 1. */
int       of_client_report_error        (const char *what,
                                         GError     *error);
/* "WHAT. Did you mean “X”?" (or "WHAT."); exit code 2. */
int       of_client_report_unknown      (const char         *what,
                                         const char         *word,
                                         const char * const *candidates);

/* Connects to the system bus and builds the main proxy with @flags. */
gboolean  of_client_connect             (OfClient        *client,
                                         GDBusProxyFlags  flags,
                                         GError         **error);
/* Same, and fails unless the daemon runs: the proxy hides a failed
 * GetAll, so without an owner there would be nothing to read. */
gboolean  of_client_connect_for_reading (OfClient        *client,
                                         GDBusProxyFlags  flags,
                                         GError         **error);

/* The proxies' cached properties as an a{sv} in the XML's order (the
 * main interface, then MachineConfiguration): the snapshot `status` and
 * `get` print from. */
GVariant *of_client_get_properties      (OfClient *client);
/* The shares (OfShareInfo), sorted by name, from the object manager
 * client; connects first if needed. */
GPtrArray *of_client_list_shares        (OfClient  *client,
                                         GError   **error);

/* A method call that polkit may have to authorize.  The generated
 * proxy's calls and property setters send no
 * ALLOW_INTERACTIVE_AUTHORIZATION, so this one does (unless
 * --no-ask-password), with a text agent on our terminal for exactly its
 * duration and no timeout while a person types a password. */
GVariant *of_client_call_with_auth      (OfClient            *client,
                                         const char          *object_path,
                                         const char          *interface_name,
                                         const char          *method,
                                         GVariant            *parameters,
                                         const GVariantType  *reply_type,
                                         GError             **error);

/* ------------------------------------------------------ human output */

#define OF_ANSI_BOLD   "\033[1m"
#define OF_ANSI_GREEN  "\033[32m"
#define OF_ANSI_YELLOW "\033[33m"
#define OF_ANSI_RED    "\033[31m"
#define OF_ANSI_BLUE   "\033[34m"
#define OF_ANSI_GREY   "\033[90m"
#define OF_ANSI_RESET  "\033[0m"

/* @code when colour is on, "" otherwise. */
const char *of_client_ansi         (const OfClient *client,
                                    const char     *code);
/* The colour of a State or result word (green for idle and success, …). */
const char *of_client_word_color   (const OfClient *client,
                                    const char     *word);
/* "Tue 2026-11-25 16:00:00 CET (in 5h 59min)", or @never for 0. */
char       *of_describe_time       (guint64     usec,
                                    const char *never);
/* One "Label: value" line: right-aligned labels on a terminal, like
 * timedatectl; plain for pipes, so that grep and cut see no padding.
 * @value must already be safe to print. */
void        of_client_print_field  (const OfClient *client,
                                    guint           width,
                                    const char     *label,
                                    const char     *value);

G_END_DECLS
