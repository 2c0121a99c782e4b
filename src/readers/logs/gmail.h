/* Gmail log sources (gmail.c, gmail_tree.c): what the two files share. Private to them.
 *
 * Every Gmail shape is first brought to one named tree, the nested JSON that a BigQuery
 * export writes (event_info.*, message_info.*), and gmail.c reads only that tree:
 * positional tabledata.list rows are named by a schema, Reports API parameters by their
 * `name`. The trees are built in the arena the caller passes (gmail.c: a scratch arena per
 * row) and point into the parsed document for their strings. */
#ifndef SPOOFWATCH_READERS_GMAIL_H
#define SPOOFWATCH_READERS_GMAIL_H

#include "spoofwatch/arena.h"
#include "spoofwatch/jsonread.h"

/* The positional row `f` (the array of {"v":...} cells) named by `schema_fields` (the
 * array under "schema":{"fields":[...]}, NULL when the row came without one: then the
 * built-in column order of the activity table is used). Returns the named object, or NULL
 * with *why set when the row does not fit the schema. */
const sw_jv *sw_gmail_positional(sw_arena *a, const sw_jv *f, const sw_jv *schema_fields,
                                 const char **why);

/* Admin SDK Reports API parameters ([{"name":..,"value"|"intValue"|"boolValue"|
 * "multiValue"|"multiIntValue"|"messageValue"|"multiMessageValue":..}]) as a named object;
 * NULL when params is not an array or the arena is full. */
const sw_jv *sw_gmail_params(sw_arena *a, const sw_jv *params);

/* obj at a dotted path, tolerant of SIEM flattening: every split of the path into nested
 * keys and dotted keys is tried ({"a":{"b.c":1}}, {"a.b":{"c":1}}, {"a.b.c":1}). */
const sw_jv *sw_gmail_get(const sw_jv *obj, const char *path);

/* 1 when obj has a member whose key starts with prefix (fully flattened exports). */
int sw_gmail_has_prefix(const sw_jv *obj, const char *prefix);

#endif
