/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-out.h — offlinefilesctl's --json, on json-glib: D-Bus values as
 * JSON values, the "KEY"/"KEY_usec" pair for times, and printing a
 * document as one line that is safe on a terminal.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A D-Bus value as JSON: b as a boolean, integers as numbers, d as a
 * double, s/o/g as strings, v as its content, a{sv} and other
 * string-keyed dictionaries as objects, other arrays and tuples as arrays.  Nothing of ours has other types; they
 * become their GVariant text, so the document stays valid anyway. */
JsonNode *of_json_from_variant     (GVariant    *value);
void      of_json_add_variant      (JsonBuilder *builder,
                                    GVariant    *value);
/* An unsigned number, exact up to 2^63 (see json-out.c). */
void      of_json_add_uint         (JsonBuilder *builder,
                                    guint64      value);
/* "KEY": "2026-11-25T10:00:00Z" (null for 0, "never"), "KEY_usec": N. */
void      of_json_add_time_members (JsonBuilder *builder,
                                    const char  *key,
                                    guint64      usec);
/* Compact JSON of @root; characters that of_unichar_is_unsafe() names are
 * written as \uNNNN escapes (a JSON parser reads back the same text), so
 * `offlinefilesctl --json` on a terminal cannot be made to lie either. */
char     *of_json_to_string        (JsonNode    *root);
/* of_json_to_string() and a newline on stdout, flushed: monitor's lines
 * must reach a pipe one by one. */
void      of_json_print            (JsonNode    *root);

G_END_DECLS
