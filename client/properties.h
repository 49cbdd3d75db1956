/* properties.h — the main interface's properties as the client sees them:
 * which exist, which may be set, how a command-line word becomes a value
 * and how a value is shown. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OF_KIND_MINUTES,  /* q, minutes */
  OF_KIND_HHMM,     /* q, local time of day as HHMM */
  OF_KIND_BOOLEAN,  /* b */
  OF_KIND_STRING,   /* s */
  OF_KIND_TIME,     /* t, µs since the epoch, 0 = never */
  OF_KIND_ID,       /* t */
  OF_KIND_STRV,     /* as */
} OfPropertyKind;

typedef struct {
  const char     *name;
  OfPropertyKind  kind;
  gboolean        writable;  /* one of the six WMI properties */
} OfProperty;

/* All properties of org.offlinefiles.BackgroundSync, the six WMI ones
 * first, NULL-name terminated. */
extern const OfProperty of_properties[];

const OfProperty *of_property_lookup   (const char *name);
/* NULL-terminated names, for suggestions and completion; @writable_only
 * restricts to the WMI ones. */
const char * const *of_property_names  (gboolean writable_only);

/* Parses @text for a writable property: numbers 0..65535 for minutes,
 * "2230" or "22:30" for HHMM, true/false/yes/no/on/off/1/0 for booleans.
 * Only syntax is checked here; the daemon owns the ranges, so that its
 * message (naming the valid range) is what the user sees. */
GVariant   *of_property_parse          (const OfProperty *property,
                                        const char       *text,
                                        GError          **error);
gboolean    of_parse_boolean           (const char *text,
                                        gboolean   *value);
/* The plain value, as `get` prints it for scripts. */
char       *of_property_format_raw     (GVariant *value);
/* The value with a human hint, as `status` shows it ("360 min (6h)"). */
char       *of_property_format_human   (const OfProperty *property,
                                        GVariant         *value);

G_END_DECLS
