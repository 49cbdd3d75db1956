/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* offlinefilesctl.c — the command-line client's dispatcher: options, the
 * table of commands (verbs, as in systemd's timedatectl), usage and exit
 * codes: 0 ok, 1 failure, 2 usage error.
 *
 * A timedatectl-like front end to org.offlinefiles.BackgroundSync on the
 * system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured through
 * G_BUS_TYPE_SYSTEM).  The commands live in cmd-*.c and monitor.c; the
 * bus in client.c.
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "commands.h"
#include "properties.h"
#include "settings.h"

/* Options; GOption writes them, so they are static. */
static gboolean opt_json;
static gboolean opt_no_ask_password;
static gboolean opt_version;
static gboolean opt_wait;
static gboolean opt_names;
static gboolean opt_all;
static char    *opt_timeout;
static char    *opt_mount_point;
static char    *opt_user;

typedef enum {
  OPT_JSON  = 1 << 0,
  OPT_WAIT  = 1 << 1,
  OPT_NAMES = 1 << 2,
  OPT_ALL   = 1 << 3,
  OPT_SHARE = 1 << 4,  /* --timeout, --mount-point, --user */
} VerbOptions;

typedef struct {
  const char  *name;
  const char  *params;       /* N_(): shown after the name in --help */
  const char  *summary;      /* N_() */
  int          min_args;
  int          max_args;     /* -1: no limit */
  VerbOptions  options;      /* beyond --no-ask-password and --version */
  int        (*run) (OfClient *client, char **args);
} Verb;

static const Verb verbs[] = {
  { "status", "", N_("Show the state, the schedule, the settings and the shares (default)"),
    0, 0, OPT_JSON, of_cmd_status },
  { "get", N_("NAME…"), N_("Print the value of one or more properties"),
    1, -1, OPT_JSON, of_cmd_get },
  { "set", N_("NAME VALUE [NAME VALUE…]"), N_("Change settings, all in one step"),
    2, -1, 0, of_cmd_set },
  { "sync-now", "", N_("Start a synchronization now"),
    0, 0, OPT_WAIT, of_cmd_sync_now },
  { "cancel", "", N_("Cancel the running synchronization"),
    0, 0, 0, of_cmd_cancel },
  { "shares", "", N_("List the shares and their state"),
    0, 0, OPT_JSON | OPT_NAMES, of_cmd_shares },
  { "work-offline", N_("SHARE on|off"), N_("Put a share in or out of work-offline mode"),
    2, 2, 0, of_cmd_work_offline },
  { "probe", N_("SHARE"), N_("Check now whether a share's server copy is reachable"),
    1, 1, OPT_JSON, of_cmd_probe },
  { "conflicts", N_("SHARE"), N_("List a share's unresolved conflicts"),
    1, 1, OPT_JSON | OPT_NAMES, of_cmd_conflicts },
  { "resolve", N_("SHARE keep-local|keep-remote|keep-latest|keep-both|skip PATH…|--all"),
    N_("Settle conflicts of a share"),
    2, -1, OPT_ALL, of_cmd_resolve },
  { "add-share", N_("NAME LOCAL REMOTE"), N_("Keep a pair of folders available offline"),
    3, 3, OPT_SHARE, of_cmd_add_share },
  { "remove-share", N_("NAME"), N_("Stop keeping a share offline; its folders stay"),
    1, 1, 0, of_cmd_remove_share },
  { "plan", N_("[N]"), N_("Show the next N planned synchronizations (default 10)"),
    0, 1, OPT_JSON, of_cmd_plan },
  { "monitor", "", N_("Print signals and property changes as they happen"),
    0, 0, OPT_JSON, of_cmd_monitor },
};

static const Verb *
find_verb (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (strcmp (verbs[i].name, name) == 0)
      return &verbs[i];
  return NULL;
}

/* The options that take a value as the next word ("--timeout 30"). */
static gboolean
takes_value (const char *word)
{
  return strcmp (word, "--timeout") == 0 || strcmp (word, "--mount-point") == 0 ||
         strcmp (word, "--user") == 0;
}

/* The first word that is neither an option nor an option's value is the
 * command; options may come before or after it, as with systemctl. */
static int
find_verb_word (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return i + 1 < argc ? i + 1 : -1;
      if (argv[i][0] != '-' || argv[i][1] == '\0')
        return i;
      if (takes_value (argv[i]))
        i++;
    }
  return -1;
}

/* Each command accepts only its own options, so that `sync-now --json`
 * is a usage error rather than silently ignored. */
static GOptionEntry *
build_entries (VerbOptions options, gboolean all)
{
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry common[] = {
    { "no-ask-password", 0, 0, G_OPTION_ARG_NONE, &opt_no_ask_password,
      _("Do not ask for a password when an action needs authorization"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, _("Show the version and exit"), NULL },
  };
  const GOptionEntry json = { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
                              all ? _("Print JSON (status, get, shares, plan, monitor)") : _("Print JSON"),
                              NULL };
  const GOptionEntry wait = { "wait", 0, 0, G_OPTION_ARG_NONE, &opt_wait,
                              _("Wait until the sync finishes; fail unless it succeeds"), NULL };
  const GOptionEntry names = { "names", 0, 0, G_OPTION_ARG_NONE, &opt_names,
                               _("Print only the names, one per line"), NULL };
  const GOptionEntry all_conflicts = { "all", 0, 0, G_OPTION_ARG_NONE, &opt_all,
                                       _("Every conflict of the share"), NULL };
  const GOptionEntry share[] = {
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &opt_timeout,
      _("Stop a sync of the share after MIN minutes (default 60)"), _("MIN") },
    { "mount-point", 0, 0, G_OPTION_ARG_FILENAME, &opt_mount_point,
      _("The mount the remote folder lives on"), _("PATH") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &opt_user,
      _("Sync as USER instead of yourself (needs manage-shares)"), _("USER") },
  };

  if (options & OPT_JSON)
    g_array_append_val (entries, json);
  if (options & OPT_WAIT)
    g_array_append_val (entries, wait);
  if (options & OPT_NAMES)
    g_array_append_val (entries, names);
  if (options & OPT_ALL)
    g_array_append_val (entries, all_conflicts);
  if (options & OPT_SHARE)
    g_array_append_vals (entries, share, G_N_ELEMENTS (share));
  g_array_append_vals (entries, common, G_N_ELEMENTS (common));
  return (GOptionEntry *) g_array_free (entries, FALSE);
}

static char *
main_description (void)
{
  g_autoptr(GString) text = g_string_new (_("Commands:"));

  g_string_append_c (text, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", verbs[i].name,
                                                *verbs[i].params ? _(verbs[i].params) : "");
      glong length = g_utf8_strlen (usage, -1);

      /* printf pads bytes, not characters: "…" would shift the column. */
      g_string_append_printf (text, "  %s%*s %s\n", usage, (int) MAX (0, 30 - length), "",
                              _(verbs[i].summary));
    }
  g_string_append_c (text, '\n');
  g_string_append (text, _("Exit status: 0 on success, 1 on failure, 2 on a usage error."));
  g_string_append_c (text, '\n');
  g_string_append (text, _("See offlinefilesctl(1) for the properties, their values and the JSON keys."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* `get --help` lists the properties; `set --help` the six settings with
 * their ranges and defaults from the settings table. */
static char *
verb_description (const Verb *verb)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (strcmp (verb->name, "get") == 0)
    {
      g_autofree char *joined = g_strjoinv ("\n  ", (char **) of_property_names (FALSE));

      g_string_append_printf (text, "%s\n  %s\n", _("Properties:"), joined);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (strcmp (verb->name, "set") == 0)
    {
      g_string_append_printf (text, "%s\n", _("Properties:"));
      for (int id = 0; id < OF_N_SETTINGS; id++)
        {
          g_autofree char *range = of_setting_describe_range (id);
          g_string_append_printf (text, "  %-40s %s\n", of_setting_name (id), range);
        }
      g_string_append_printf (text, "\n%s\n",
                              _("Values: minutes as numbers; BlockOutStartTimeHoursMinutes as 2230 or 22:30;\n"
                                "BackgroundSyncWorkOfflineSharesEnabled as true/false, yes/no, on/off or 1/0.\n"
                                "All values are sent in one Configure call: all or nothing."));
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  return NULL;
}

/* Parses the options for @verb (NULL: no command given, the status view
 * with the main help).  Returns the positional words after the command,
 * or NULL on a usage error (already reported). */
static char **
parse_command_line (const Verb *verb, char **argv_strv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *entries = NULL;
  g_autofree char *parameter = NULL;
  g_autofree char *description = NULL;
  char **args = argv_strv;

  if (verb == NULL)
    {
      parameter = g_strdup (_("[COMMAND …]"));
      entries = build_entries (OPT_JSON, TRUE);
      description = main_description ();
    }
  else
    {
      parameter = g_strdup_printf ("%s %s", verb->name, *verb->params ? _(verb->params) : "");
      entries = build_entries (verb->options, FALSE);
      description = verb_description (verb);
    }

  context = g_option_context_new (parameter);
  g_option_context_set_summary (context, verb ? _(verb->summary)
                                              : _("Show and change when offline folders are synchronized."));
  if (description)
    g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      g_strfreev (args);
      of_client_report (OF_EXIT_USAGE, "%s", error->message);
      return NULL;
    }
  return args;
}

static int
run (int argc, char **argv)
{
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  const Verb *verb = NULL;
  OfClient client;
  int position = find_verb_word (argc, argv);
  guint n_words;
  int status;

  if (position > 0)
    {
      verb = find_verb (argv[position]);
      if (verb == NULL)
        {
          const char *names[G_N_ELEMENTS (verbs) + 1] = { NULL };
          g_autofree char *what = NULL;

          for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
            names[i] = verbs[i].name;
          what = g_strdup_printf (_("Unknown command “%s”"), argv[position]);
          return of_client_report_unknown (what, argv[position], names);
        }
    }

  words = parse_command_line (verb, g_steal_pointer (&args));
  if (words == NULL)
    return OF_EXIT_USAGE;
  if (opt_version)
    {
      g_print ("offlinefilesctl %s\n", PACKAGE_VERSION);
      return OF_EXIT_OK;
    }
  if (verb == NULL)
    verb = find_verb ("status");
  else
    {
      /* words[0] is the program, words[1] the command itself. */
      g_free (words[1]);
      memmove (&words[1], &words[2], (g_strv_length (words) - 1) * sizeof (char *));
    }
  n_words = g_strv_length (words) - 1;
  if ((int) n_words < verb->min_args || (verb->max_args >= 0 && (int) n_words > verb->max_args))
    return of_client_report (OF_EXIT_USAGE, _("Wrong number of arguments. Usage: %s %s %s"),
                             g_get_prgname (), verb->name, *verb->params ? _(verb->params) : "");

  of_client_init (&client);
  client.json = opt_json;
  client.no_ask_password = opt_no_ask_password;
  client.wait = opt_wait;
  client.names = opt_names;
  client.all = opt_all;
  client.share_timeout = opt_timeout;
  client.share_mount_point = opt_mount_point;
  client.share_user = opt_user;
  client.tty = isatty (STDOUT_FILENO);
  client.color = client.tty && g_getenv ("NO_COLOR") == NULL && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  status = verb->run (&client, words + 1);
  of_client_clear (&client);
  return status;
}

int
main (int argc, char **argv)
{
  int status;

  setlocale (LC_ALL, "");
  /* The tests' build reads the catalogs of the build tree. */
#ifdef OF_UNINSTALLED_LOCALEDIR
  bindtextdomain (GETTEXT_PACKAGE, OF_UNINSTALLED_LOCALEDIR);
#else
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
#endif
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("offlinefilesctl");

  status = run (argc, argv);
  g_free (opt_timeout);
  g_free (opt_mount_point);
  g_free (opt_user);
  return status;
}
