/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-configure-args.c — the a{sv} argument of Configure().
 *
 * The input is a serialized GVariant of type a{sv}, untrusted.  GDBus
 * hands the handler values in normal form, so the input is normalized
 * first; then it goes through of_settings_update_from_dict(), which
 * handle_configure() in src/service.c calls: unknown names, a name given
 * twice, the wrong type or a value out of range refuse the whole call, and
 * nothing is changed before everything has been checked.  The verdict is
 * compared with a model that reads the dictionary another way.
 *
 * The seeds were made with
 *   g_variant_get_data (g_variant_parse (G_VARIANT_TYPE ("a{sv}"), TEXT, ...))
 * from texts such as {'SyncInterval': <uint16 120>, 'SyncVariance': <uint16 30>}.
 */
#include "fuzz-common.h"

#include "settings.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_init_glib ();
  return 0;
}

/* The model: the documented names, types and ranges.  On refusal,
 * *@culprit is the name of the first entry at fault (to be freed). */
static gboolean
model_accepts (GVariant  *dict,
               char     **culprit)
{
  static const struct { const char *name; const char *type; guint max; } rules[] = {
    { "SyncInterval", "q", 1440 },
    { "SyncVariance", "q", 3600 },
    { "MaxTimeBetweenSyncs", "q", 65535 },
    { "BlockOutStartTimeHoursMinutes", "q", 2400 },
    { "BlockOutDurationMin", "q", 1440 },
    { "BackgroundSyncWorkOfflineSharesEnabled", "b", 1 },
  };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gsize n = g_variant_n_children (dict);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (dict, i);
      g_autoptr(GVariant) name = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);
      const char *key = g_variant_get_string (name, NULL);
      gboolean ok;
      gsize r;

      for (r = 0; r < G_N_ELEMENTS (rules); r++)
        if (strcmp (key, rules[r].name) == 0)
          break;
      ok = r < G_N_ELEMENTS (rules) && !g_hash_table_contains (seen, rules[r].name) &&
           strcmp (g_variant_get_type_string (value), rules[r].type) == 0;
      if (ok && rules[r].type[0] == 'q')
        {
          guint v = g_variant_get_uint16 (value);

          ok = v <= rules[r].max && (r != 3 || v == 2400 || (v / 100 <= 23 && v % 100 <= 59));
        }
      if (!ok)
        {
          *culprit = g_strdup (key);
          return FALSE;
        }
      g_hash_table_add (seen, (gpointer) rules[r].name);
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GVariant) untrusted = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *culprit = NULL;
  OfSettings before, values;
  guint mask = 0;
  gboolean accepted;
  gpointer copy;

  if (size > 64 * 1024)
    return -1;

  /* Aligned and owned by the variant; of nothing, NULL, fine with size 0. */
  copy = g_memdup2 (data, size);
  untrusted = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE ("a{sv}"),
                                                           copy, size,
                                                           FALSE, g_free, copy));
  dict = g_variant_get_normal_form (untrusted);
  FUZZ_CHECK (g_variant_is_normal_form (dict), "not normal");

  of_settings_init_defaults (&before);
  values = before;
  accepted = of_settings_update_from_dict (&values, dict, &mask, &error);
  FUZZ_CHECK (accepted == model_accepts (dict, &culprit), "Configure %s, the model %s",
              accepted ? "accepts" : "refuses", accepted ? "refuses" : "accepts");
  FUZZ_CHECK (accepted == (error == NULL), "verdict and error disagree");
  if (!accepted)
    {
      FUZZ_CHECK (strstr (error->message, culprit) != NULL,
                  "the error does not name %s: %s", culprit, error->message);
      FUZZ_CHECK (of_settings_equal (&values, &before), "changed although refused");
      return 0;
    }

  FUZZ_CHECK (mask < (1u << OF_N_SETTINGS), "mask %#x", mask);
  FUZZ_CHECK ((gsize) __builtin_popcount (mask) == g_variant_n_children (dict), "mask %#x for %zu entries",
              mask, g_variant_n_children (dict));
  for (int id = 0; id < OF_N_SETTINGS; id++)
    {
      g_autoptr(GVariant) back = of_settings_get_variant (&values, id);
      guint32 again;

      FUZZ_CHECK (of_setting_from_variant (id, back, &again, NULL) && again == of_settings_get (&values, id),
                  "%s does not round-trip", of_setting_name (id));
      if (!(mask & (1u << id)))
        FUZZ_CHECK (of_settings_get (&values, id) == of_settings_get (&before, id),
                    "%s changed without being given", of_setting_name (id));
    }
  return 0;
}
