/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* properties.h — the main interface's properties as the client sees them.
 *
 * Which properties exist comes from the introspection data gdbus-codegen
 * generated from the XML; which six may be set, their kinds and ranges
 * from the settings table in common/.  This file adds only what a client
 * needs on top: how a command-line word becomes a value and how a value
 * is shown.
 */
#pragma once

#include <glib.h>

#include "settings.h"

G_BEGIN_DECLS

/* NULL-terminated names, for suggestions, help and completion: all
 * properties in the XML's order, or (@writable_only) the six settings in
 * the table's order. */
const char * const *of_property_names     (gboolean writable_only);
gboolean            of_property_exists    (const char *name);

gboolean    of_parse_boolean              (const char *text,
                                           gboolean   *value);
/* Parses @text for setting @id: a number of minutes up to what the D-Bus
 * type holds, "2230" or "22:30" for HHMM, true/false/yes/no/on/off/1/0 for
 * booleans.  Only the syntax is checked here: the daemon owns the ranges,
 * so that its message (naming the valid range) is what the user sees.
 * The error is G_OPTION_ERROR_BAD_VALUE, a usage error. */
GVariant   *of_setting_parse              (OfSettingId  id,
                                           const char  *text,
                                           GError     **error);
/* "0..1440 minutes, default 360": the table's range for help texts. */
char       *of_setting_describe_range     (OfSettingId id);

/* The plain value, as `get` prints it for scripts: strings as they are
 * (escaped for the terminal), booleans as true/false, a list one item a
 * line, numbers as numbers. */
char       *of_property_format_raw        (GVariant *value);
/* The value with a human hint, as `status` shows it ("360 min (6h)"). */
char       *of_setting_format_human       (OfSettingId  id,
                                           GVariant    *value);

G_END_DECLS
