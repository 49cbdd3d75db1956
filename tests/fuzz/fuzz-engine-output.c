/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-engine-output.c — what unison printed, through of_engine_parse_output().
 *
 * Input: the exit status in the first byte, then stdout, a NUL byte, and
 * stderr (no NUL: stderr is NULL; only the status: both are NULL).  The
 * daemon replaces NUL bytes in the captured output and keeps 64 KiB of
 * each, so nothing else can reach the parser.  The outcome must follow the
 * exit status as documented, and its message and conflict paths must be
 * fit for a D-Bus string and the journal.
 */
#include "fuzz-common.h"

#include "engine-output.h"

/* engine-output.c: MESSAGE_MAX, plus the longest escape or character and "…". */
#define MESSAGE_LIMIT (1024 + 6 + 3)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(OfEngineOutcome) outcome = NULL;
  g_autoptr(GHashTable) unique = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const uint8_t *nul;
  int status;

  if (size < 1)
    return -1;
  if (size > 2 * OF_ENGINE_OUTPUT_TAIL_MAX)
    return -1;
  status = data[0];
  data++;
  size--;
  if (size > 0)
    {
      nul = memchr (data, '\0', size);
      if (nul == NULL)
        out = fuzz_strndup (data, size);
      else
        {
          gsize out_length = (gsize) (nul - data);
          out = fuzz_strndup (data, out_length);
          /* Further NUL bytes end stderr early, as a C string would. */
          err = fuzz_strndup (nul + 1, size - out_length - 1);
        }
    }

  outcome = of_engine_parse_output (status, out, err);
  FUZZ_CHECK (outcome != NULL, "no outcome");
  FUZZ_CHECK (outcome->exit_status == status, "exit status %d != %d", outcome->exit_status, status);
  switch (status)
    {
    case 0:
      FUZZ_CHECK (outcome->result == OF_SHARE_RESULT_SUCCESS, "status 0: result %d", outcome->result);
      break;
    case 1:
      FUZZ_CHECK (outcome->result == OF_SHARE_RESULT_PARTIAL, "status 1: result %d", outcome->result);
      break;
    case 2:
      FUZZ_CHECK (outcome->result == (outcome->transferred > 0 ? OF_SHARE_RESULT_PARTIAL : OF_SHARE_RESULT_FAILED),
                  "status 2: result %d with %u transferred", outcome->result, outcome->transferred);
      break;
    default:
      FUZZ_CHECK (outcome->result == OF_SHARE_RESULT_FAILED, "status %d: result %d", status, outcome->result);
      break;
    }

  FUZZ_CHECK (outcome->message != NULL && outcome->message[0] != '\0', "empty message");
  FUZZ_CHECK (g_utf8_validate (outcome->message, -1, NULL), "message not UTF-8");
  FUZZ_CHECK (strlen (outcome->message) <= MESSAGE_LIMIT, "message of %zu bytes", strlen (outcome->message));
  for (const char *p = outcome->message; *p; p++)
    FUZZ_CHECK ((guchar) *p >= 0x20 && *p != 0x7f, "control character %#x in the message", (guchar) *p);

  FUZZ_CHECK (outcome->conflicts != NULL, "no conflict list");
  for (guint i = 0; i < outcome->conflicts->len; i++)
    {
      const char *path = outcome->conflicts->pdata[i];

      FUZZ_CHECK (path != NULL && g_utf8_validate (path, -1, NULL), "conflict %u not UTF-8", i);
      FUZZ_CHECK (!g_hash_table_contains (unique, path), "conflict \"%s\" twice", path);
      g_hash_table_add (unique, (gpointer) path);
    }
  FUZZ_CHECK (g_str_equal (of_share_result_to_string (outcome->result), "success") ||
              g_str_equal (of_share_result_to_string (outcome->result), "partial") ||
              g_str_equal (of_share_result_to_string (outcome->result), "failed"),
              "result %d", outcome->result);
  return 0;
}
