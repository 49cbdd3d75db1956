/* format.h — text and JSON output helpers of offlinefilesctl.
 *
 * JSON is written by hand rather than through json-glib: the client's
 * output is a handful of flat objects, and SPEC §1 allows no runtime
 * library without a reason.  OfJson only guarantees well-formed output
 * (escaping, commas); the keys are the caller's contract.
 */
#pragma once

#include <glib.h>

#include "time-format.h"

G_BEGIN_DECLS

#define OF_JSON_MAX_DEPTH 8

typedef struct {
  GString  *out;
  guint     depth;
  guint     items[OF_JSON_MAX_DEPTH];  /* members written so far per open container */
  gboolean  after_key;                 /* the next value belongs to a key just written */
} OfJson;

void   of_json_init          (OfJson *json, GString *out);
void   of_json_begin_object  (OfJson *json);
void   of_json_end_object    (OfJson *json);
void   of_json_begin_array   (OfJson *json);
void   of_json_end_array     (OfJson *json);
void   of_json_key           (OfJson *json, const char *key);
void   of_json_string        (OfJson *json, const char *value);
void   of_json_uint          (OfJson *json, guint64 value);
void   of_json_int           (OfJson *json, gint64 value);
void   of_json_bool          (OfJson *json, gboolean value);
void   of_json_null          (OfJson *json);
/* A D-Bus value of type b, y, n, q, i, u, x, t, d, s, o, g, as or a{sv}. */
void   of_json_variant       (OfJson *json, GVariant *value);
/* "KEY": "2026-11-25T10:00:00Z" (or null for 0), "KEY_usec": N */
void   of_json_time_members  (OfJson *json, const char *key, guint64 usec);

/* Levenshtein distance, ASCII case-insensitive. */
guint  of_edit_distance      (const char *a, const char *b);
/* The candidate that @word most likely meant (case-insensitive equal, or
 * at most 3 edits away and not a wholly different short word), or NULL. */
const char *of_suggest       (const char *word, const char * const *candidates);

G_END_DECLS
