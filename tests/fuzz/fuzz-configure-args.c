/* fuzz-configure-args.c — the a{sv} argument of Configure().
 *
 * The input is a serialized GVariant of type a{sv}, untrusted.  GDBus
 * hands the handler values in normal form, so the input is normalized
 * first; then it goes through the same steps as handle_configure() in
 * src/service.c: unknown names, a name given twice, the wrong type or a
 * value out of range refuse the whole call, and nothing is changed before
 * everything has been checked.  The verdict is compared with a model that
 * reads the dictionary another way.
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

/* handle_configure() without the bus: TRUE when the call would go on to
 * the lock check and polkit with @values and @mask. */
static gboolean
configure (GVariant   *parameters,
           OfSettings *values,
           guint      *mask)
{
  g_autoptr(GVariant) dict = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_get (parameters, "(@a{sv})", &dict);
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GError) error = NULL;
      guint32 parsed;
      int id = of_setting_lookup (key);

      if (id < 0)
        {
          g_variant_unref (value);
          return FALSE;
        }
      if (*mask & (1u << id))
        {
          g_variant_unref (value);
          return FALSE;
        }
      if (!of_setting_from_variant (id, value, &parsed, &error))
        {
          FUZZ_CHECK (error != NULL && strstr (error->message, key) != NULL,
                      "the error does not name %s: %s", key, error ? error->message : "(none)");
          g_variant_unref (value);
          return FALSE;
        }
      FUZZ_CHECK (error == NULL, "accepted with an error");
      of_settings_set (values, id, parsed);
      *mask |= 1u << id;
    }
  return TRUE;
}

/* The model: the documented names, types and ranges. */
static gboolean
model_accepts (GVariant *dict)
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
      gsize r;

      for (r = 0; r < G_N_ELEMENTS (rules); r++)
        if (strcmp (key, rules[r].name) == 0)
          break;
      if (r == G_N_ELEMENTS (rules) || g_hash_table_contains (seen, rules[r].name))
        return FALSE;
      g_hash_table_add (seen, (gpointer) rules[r].name);
      if (strcmp (g_variant_get_type_string (value), rules[r].type) != 0)
        return FALSE;
      if (rules[r].type[0] == 'q')
        {
          guint v = g_variant_get_uint16 (value);

          if (v > rules[r].max)
            return FALSE;
          if (r == 3 && v != 2400 && (v / 100 > 23 || v % 100 > 59))
            return FALSE;
        }
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GVariant) untrusted = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GVariant) parameters = NULL;
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
  parameters = g_variant_ref_sink (g_variant_new_tuple (&dict, 1));

  of_settings_init_defaults (&before);
  values = before;
  accepted = configure (parameters, &values, &mask);
  FUZZ_CHECK (accepted == model_accepts (dict), "Configure %s, the model %s",
              accepted ? "accepts" : "refuses", accepted ? "refuses" : "accepts");
  if (!accepted)
    return 0;

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
