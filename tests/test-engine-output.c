/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-engine-output.c — unison's output parser on captured real outputs
 * and on hostile ones.  Links engine-output.c alone: the parser is pure. */
#include <string.h>

#include "engine-output.h"

/* ---- parser, on outputs captured from unison 2.52.1 ---- */

#define ARCHIVE_WARNING \
  "Warning: No archive files were found for these roots, whose canonical names are:\n" \
  "\t/tmp/uexp/a\n\t/tmp/uexp/b\n" \
  "This can happen either\nbecause this is the first time you have synchronized these roots, \n" \
  "Donations to the Unison project are gratefully accepted: \n" \
  "http://www.cis.upenn.edu/~bcpierce/unison\n\n\n"

static void
test_parse_first_sync (void)
{
  const char *out = ARCHIVE_WARNING
    "file     ---->            f1  \n"
    "         <---- file       f2  \n"
    "dir      ---->            sub  \n";
  const char *err =
    "[BGN] Copying f1 from /tmp/uexp/a to /tmp/uexp/b\n[END] Copying f1\n"
    "[BGN] Copying f2 from /tmp/uexp/b to /tmp/uexp/a\n[END] Copying f2\n"
    "[BGN] Copying sub from /tmp/uexp/a to /tmp/uexp/b\n[END] Copying sub\n"
    "Synchronization complete at 09:57:30  (3 items transferred, 0 skipped, 0 failed)\n";
  g_autoptr(OfEngineOutcome) outcome = of_engine_parse_output (0, out, err);

  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpuint (outcome->transferred, ==, 3);
  g_assert_cmpuint (outcome->skipped, ==, 0);
  g_assert_cmpuint (outcome->failed, ==, 0);
  g_assert_cmpuint (outcome->conflicts->len, ==, 0);
  g_assert_cmpstr (outcome->message, ==, "3 items transferred");
  g_assert_cmpint (outcome->exit_status, ==, 0);
}

static void
test_parse_nothing (void)
{
  g_autoptr(OfEngineOutcome) outcome =
    of_engine_parse_output (0, "", "Nothing to do: replicas have not changed since last sync.\n");
  g_autoptr(OfEngineOutcome) one =
    of_engine_parse_output (0, "", "Synchronization complete at 09:57:52  (1 item transferred, 0 skipped, 0 failed)\n");

  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_SUCCESS);
  g_assert_cmpstr (outcome->message, ==, "no changes");
  g_assert_cmpstr (one->message, ==, "1 item transferred");
}

static void
test_parse_conflict_only (void)
{
  /* Nothing else to propagate: no "[CONFLICT]" line, only the summary. */
  const char *out = "changed  <-?-> changed    docs/a.txt  \nNo updates to propagate\n";
  const char *err =
    "Synchronization complete at 09:57:34  (0 items transferred, 1 skipped, 0 failed)\n"
    "  skipped: docs/a.txt (contents changed on both sides)\n";
  g_autoptr(OfEngineOutcome) outcome = of_engine_parse_output (1, out, err);

  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_cmpuint (outcome->skipped, ==, 1);
  g_assert_cmpuint (outcome->conflicts->len, ==, 1);
  g_assert_cmpstr (outcome->conflicts->pdata[0], ==, "docs/a.txt");
  /* Counts only in what everyone sees; the path is a problem. */
  g_assert_cmpstr (outcome->message, ==, "1 conflict");
  g_assert_cmpuint (outcome->problems->len, ==, 1);
  g_assert_cmpstr (((OfEngineProblem *) outcome->problems->pdata[0])->path, ==, "docs/a.txt");
}

static void
test_parse_conflicts_and_transfers (void)
{
  const char *out =
    "new file <-?-> new dir    dd  \nprops    <-?-> props      p  \n"
    "new file <-?-> new file   x  \nnew file ---->            new  \n";
  const char *err =
    "[CONFLICT] Skipping dd\n  conflicting updates\n"
    "[CONFLICT] Skipping p\n  properties changed on both sides\n"
    "[CONFLICT] Skipping x\n  contents changed on both sides\n"
    "[CONFLICT] Skipping a (1).txt\n  contents changed on both sides\n"
    "[BGN] Copying new from /tmp/u3/a to /tmp/u3/b\n[END] Copying new\n"
    "Synchronization complete at 09:57:52  (1 item transferred, 4 skipped, 0 failed)\n"
    "  skipped: dd (conflicting updates)\n"
    "  skipped: p (properties changed on both sides)\n"
    "  skipped: x (contents changed on both sides)\n"
    "  skipped: a (1).txt (contents changed on both sides)\n";
  g_autoptr(OfEngineOutcome) outcome = of_engine_parse_output (1, out, err);

  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_cmpuint (outcome->transferred, ==, 1);
  g_assert_cmpuint (outcome->skipped, ==, 4);
  g_assert_cmpuint (outcome->conflicts->len, ==, 4);
  g_assert_cmpstr (outcome->conflicts->pdata[0], ==, "dd");
  g_assert_cmpstr (outcome->conflicts->pdata[1], ==, "p");
  g_assert_cmpstr (outcome->conflicts->pdata[2], ==, "x");
  g_assert_cmpstr (outcome->conflicts->pdata[3], ==, "a (1).txt");
  g_assert_cmpstr (outcome->message, ==, "4 conflicts; 1 item transferred");
  g_assert_cmpuint (outcome->problems->len, ==, 4);
  g_assert_cmpstr (((OfEngineProblem *) outcome->problems->pdata[3])->path, ==, "a (1).txt");
  /* The reasons come from the change table; a path it does not show
   * (cut off) counts as changed on both sides. */
  g_assert_true (outcome->conflicts_known);
  g_assert_cmpuint (outcome->conflict_details->len, ==, 4);
  g_assert_cmpint (((OfEngineConflict *) outcome->conflict_details->pdata[0])->reason, ==, OF_CONFLICT_TYPE_CHANGED);
  g_assert_cmpint (((OfEngineConflict *) outcome->conflict_details->pdata[1])->reason, ==, OF_CONFLICT_BOTH_CHANGED);
  g_assert_cmpint (((OfEngineConflict *) outcome->conflict_details->pdata[2])->reason, ==, OF_CONFLICT_BOTH_CHANGED);
  g_assert_cmpint (((OfEngineConflict *) outcome->conflict_details->pdata[3])->reason, ==, OF_CONFLICT_BOTH_CHANGED);
  g_assert_cmpint (((OfEngineConflict *) outcome->conflict_details->pdata[0])->local_size, ==, -1);
}

/* Captured from unison 2.52.1: deletions against changes, a file against
 * a folder, and a path that ends in spaces of its own. */
static void
test_parse_conflict_reasons (void)
{
  const char *out =
    "chgd dir <-?-> deleted    d  \n"
    "changed  <-?-> changed    f  \n"
    "deleted  <-?-> changed    g  \n"
    "new dir  <-?-> changed    t  \n"
    "changed  <-?-> deleted    sp   \n"
    "No updates to propagate\n";
  const char *err =
    "Synchronization complete at 07:29:58  (0 items transferred, 5 skipped, 0 failed)\n"
    "  skipped: d (conflicting updates)\n"
    "  skipped: f (contents changed on both sides)\n"
    "  skipped: g (conflicting updates)\n"
    "  skipped: t (conflicting updates)\n"
    "  skipped: sp  (conflicting updates)\n";
  g_autoptr(OfEngineOutcome) outcome = of_engine_parse_output (1, out, err);
  const OfConflictReason expected[] = {
    OF_CONFLICT_CHANGED_DELETED, OF_CONFLICT_BOTH_CHANGED, OF_CONFLICT_DELETED_CHANGED,
    OF_CONFLICT_TYPE_CHANGED, OF_CONFLICT_CHANGED_DELETED,
  };
  OfConflictReason parsed;

  g_assert_cmpuint (outcome->conflict_details->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const OfEngineConflict *conflict = outcome->conflict_details->pdata[i];

      g_assert_cmpstr (conflict->path, ==, outcome->conflicts->pdata[i]);
      g_assert_cmpint (conflict->reason, ==, expected[i]);
    }
  g_assert_cmpstr (((OfEngineConflict *) outcome->conflict_details->pdata[4])->path, ==, "sp ");
  g_assert_cmpstr (of_conflict_reason_to_string (OF_CONFLICT_DELETED_CHANGED), ==, "deleted-changed");
  g_assert_true (of_conflict_reason_from_string ("type-changed", &parsed));
  g_assert_cmpint (parsed, ==, OF_CONFLICT_TYPE_CHANGED);
  g_assert_false (of_conflict_reason_from_string ("both", &parsed));
}

/* A run that did not get through knows no conflicts: the store keeps its
 * list. */
static void
test_parse_fatal_knows_no_conflicts (void)
{
  g_autoptr(OfEngineOutcome) fatal = of_engine_parse_output (3, "", "Fatal error: Lost connection\n");
  g_autoptr(OfEngineOutcome) clean = of_engine_parse_output (0, "", "");
  g_autoptr(OfEngineOutcome) message = of_engine_outcome_new_message (OF_SHARE_RESULT_FAILED, "timed out");

  g_assert_false (fatal->conflicts_known);
  g_assert_true (clean->conflicts_known);
  g_assert_cmpuint (clean->conflict_details->len, ==, 0);
  g_assert_false (message->conflicts_known);
}

static void
test_parse_errors (void)
{
  /* Captured as an unprivileged user: an unreadable file and a target
   * directory it may not write. */
  const char *out =
    "         error            y  \nError in digesting /tmp/u2/a/y:\n/tmp/u2/a/y: Permission denied\n"
    "Failed [d]: Error in creating directory:\nPermission denied [mkdir(/tmp/u2/b/.unison.d.b77.unison.tmp)]\n";
  const char *err =
    "[ERROR] Skipping y\n  Error in digesting /tmp/u2/a/y:\n/tmp/u2/a/y: Permission denied\n"
    "[BGN] Copying d from /tmp/u2/a to /tmp/u2/b\n"
    "Failed: Error in creating directory:\nPermission denied [mkdir(/tmp/u2/b/.unison.d.b77.unison.tmp)]\n"
    "Synchronization incomplete at 09:57:39  (0 items transferred, 1 skipped, 3 failed)\n"
    "  skipped: y (Error in digesting /tmp/u2/a/y:\n/tmp/u2/a/y: Permission denied)\n"
    "  failed: d\n  failed: x\n  failed: z\n";
  g_autoptr(OfEngineOutcome) failed = of_engine_parse_output (2, out, err);
  g_autoptr(OfEngineOutcome) partial = NULL;
  g_autoptr(OfEngineOutcome) skipped = NULL;

  g_assert_cmpint (failed->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpuint (failed->transferred, ==, 0);
  g_assert_cmpuint (failed->skipped, ==, 1);
  g_assert_cmpuint (failed->failed, ==, 3);
  g_assert_cmpuint (failed->conflicts->len, ==, 0);
  g_assert_cmpstr (failed->message, ==, "1 item skipped; 3 items failed");
  g_assert_cmpuint (failed->problems->len, ==, 4);
  g_assert_cmpstr (((OfEngineProblem *) failed->problems->pdata[0])->path, ==, "y");
  g_assert_cmpstr (((OfEngineProblem *) failed->problems->pdata[0])->reason, ==, "skipped");
  g_assert_cmpstr (((OfEngineProblem *) failed->problems->pdata[1])->path, ==, "d");
  g_assert_cmpstr (((OfEngineProblem *) failed->problems->pdata[1])->reason, ==, "failed");

  /* Exit 2 with something transferred: the share moved forward. */
  partial = of_engine_parse_output (2, "",
    "Synchronization incomplete at 09:57:39  (2 items transferred, 0 skipped, 1 failed)\n"
    "  failed: d\n");
  g_assert_cmpint (partial->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_cmpstr (partial->message, ==, "1 item failed; 2 items transferred");

  /* Exit 1 for an error-skipped item: partial, but not a conflict. */
  skipped = of_engine_parse_output (1, "",
    "Synchronization complete at 09:57:39  (3 items transferred, 1 skipped, 0 failed)\n"
    "  skipped: y (Error in digesting /tmp/u2/a/y:\n/tmp/u2/a/y: Permission denied)\n");
  g_assert_cmpint (skipped->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_cmpuint (skipped->conflicts->len, ==, 0);
  g_assert_cmpstr (skipped->message, ==, "1 item skipped; 3 items transferred");
}

static void
test_parse_fatal (void)
{
  g_autoptr(OfEngineOutcome) locked = of_engine_parse_output (3, "",
    "Fatal error: Warning: the archives are locked.  \n"
    "If no other instance of unison is running, the locks should be removed.\n"
    "The file /tmp/u5/arch/lk7cd46743f1166ef499da83821183e3f9 on host vm should be deleted\n"
    "Please delete lock files as appropriate and try again.");
  g_autoptr(OfEngineOutcome) root = of_engine_parse_output (3, "",
    "Fatal error: Cannot find canonical name of /nonexist/x: unable to cd either to it (/nonexist/x: No such file or directory)\n"
    "or to its parent /nonexist\n(/nonexist: No such file or directory)");
  g_autoptr(OfEngineOutcome) bigdel = of_engine_parse_output (3, "Aborting...\n",
    "The root of one of the replicas has been completely emptied.\n"
    "Unison may delete everything in the other replica.  (Set the \n"
    "'confirmbigdel' preference to false to disable this check.)\n\n");
  g_autoptr(OfEngineOutcome) silent = of_engine_parse_output (3, NULL, NULL);
  g_autoptr(OfEngineOutcome) odd = of_engine_parse_output (126, "",
    "offlinefiles: cannot switch to the share's user: setresuid\n");

  g_assert_cmpint (locked->result, ==, OF_SHARE_RESULT_FAILED);
  /* unison's own line may name any file: a problem, not the message. */
  g_assert_cmpstr (locked->message, ==, "the engine stopped with a fatal error");
  g_assert_cmpstr (((OfEngineProblem *) locked->problems->pdata[0])->reason, ==,
                   "Fatal error: Warning: the archives are locked.  ");
  g_assert_cmpint (root->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_null (strstr (root->message, "/nonexist"));
  g_assert_true (g_str_has_prefix (((OfEngineProblem *) root->problems->pdata[0])->reason,
                                   "Fatal error: Cannot find canonical name of /nonexist/x"));
  g_assert_cmpint (bigdel->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (((OfEngineProblem *) bigdel->problems->pdata[0])->reason, ==,
                   "The root of one of the replicas has been completely emptied.");
  g_assert_cmpint (silent->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (((OfEngineProblem *) silent->problems->pdata[0])->reason, ==, "fatal error (no message)");
  g_assert_cmpint (odd->result, ==, OF_SHARE_RESULT_FAILED);
  g_assert_cmpstr (odd->message, ==, "engine exited with status 126");
  g_assert_cmpstr (((OfEngineProblem *) odd->problems->pdata[0])->reason, ==,
                   "offlinefiles: cannot switch to the share's user: setresuid");
}

static void
test_parse_hostile (void)
{
  /* Not UTF-8, control characters: the message must stay one valid line. */
  g_autoptr(OfEngineOutcome) outcome = of_engine_parse_output (1, "",
    "Synchronization complete at 09:57:34  (0 items transferred, 1 skipped, 0 failed)\n"
    "  skipped: bad\xff\x01name (contents changed on both sides)\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const char *alphabet[] = { "Synchronization complete at 1 (", "1 items transferred, ", "2 skipped, ",
                             "0 failed)", "\n", "  skipped: ", "  failed: ", " (", ")", "[CONFLICT] Skipping ",
                             "Fatal error: ", "x", "\xff", "\r", "contents changed on both sides" };

  g_assert_cmpint (outcome->result, ==, OF_SHARE_RESULT_PARTIAL);
  g_assert_true (g_utf8_validate (outcome->message, -1, NULL));
  g_assert_null (strchr (outcome->message, '\n'));
  g_assert_true (g_utf8_validate (outcome->conflicts->pdata[0], -1, NULL));

  for (int i = 0; i < 3000; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(OfEngineOutcome) fuzzed = NULL;
      int pieces = g_rand_int_range (rand, 0, 40);

      for (int j = 0; j < pieces; j++)
        g_string_append (text, alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);
      fuzzed = of_engine_parse_output (g_rand_int_range (rand, 0, 5), text->str, text->str);
      g_assert_nonnull (fuzzed->message);
      g_assert_true (g_utf8_validate (fuzzed->message, -1, NULL));
      g_assert_null (strchr (fuzzed->message, '\n'));
    }
}

static void
test_result_strings (void)
{
  g_assert_cmpstr (of_share_result_to_string (OF_SHARE_RESULT_SUCCESS), ==, "success");
  g_assert_cmpstr (of_share_result_to_string (OF_SHARE_RESULT_PARTIAL), ==, "partial");
  g_assert_cmpstr (of_share_result_to_string (OF_SHARE_RESULT_FAILED), ==, "failed");
  g_assert_cmpstr (of_share_result_to_string (OF_SHARE_RESULT_CANCELLED), ==, "cancelled");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/result-strings", test_result_strings);
  g_test_add_func ("/engine/parse/first-sync", test_parse_first_sync);
  g_test_add_func ("/engine/parse/nothing", test_parse_nothing);
  g_test_add_func ("/engine/parse/conflict-only", test_parse_conflict_only);
  g_test_add_func ("/engine/parse/conflicts-and-transfers", test_parse_conflicts_and_transfers);
  g_test_add_func ("/engine/parse/conflict-reasons", test_parse_conflict_reasons);
  g_test_add_func ("/engine/parse/fatal-knows-no-conflicts", test_parse_fatal_knows_no_conflicts);
  g_test_add_func ("/engine/parse/errors", test_parse_errors);
  g_test_add_func ("/engine/parse/fatal", test_parse_fatal);
  g_test_add_func ("/engine/parse/hostile", test_parse_hostile);
  return g_test_run ();
}
