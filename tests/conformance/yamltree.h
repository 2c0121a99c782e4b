/* yamltree: a YAML document loaded into a read-only tree (test runners only).
 *
 * Built on libyaml's document API. The document owns every node and string; yt_free()
 * releases them all. Lookups on a node of the wrong kind return NULL / 0, so runners can
 * chain them without checks: yt_str(yt_get(yt_get(c, "expect"), "parse")). */
#ifndef SW_YAMLTREE_H
#define SW_YAMLTREE_H

#include <stddef.h>

typedef struct yt_doc yt_doc;
typedef struct yt_node yt_node;

/* Loads a file; on failure returns NULL and writes a message with line/column to err. */
yt_doc *yt_load_file(const char *path, char *err, size_t errlen);
void yt_free(yt_doc *d);
const yt_node *yt_root(const yt_doc *d);

int yt_is_map(const yt_node *n);
int yt_is_seq(const yt_node *n);
int yt_is_scalar(const yt_node *n);
/* Scalar text (NUL-terminated; yt_len gives its byte length, which may contain NULs). */
const char *yt_str(const yt_node *n);
/* 1 for a plain "null"/"~"/empty scalar or a missing node. */
int yt_is_null(const yt_node *n);
/* Map lookup by key; NULL when absent or n is not a map. */
const yt_node *yt_get(const yt_node *n, const char *key);
/* Sequence or map size; scalar: byte length. */
size_t yt_len(const yt_node *n);
/* i-th element of a sequence, or i-th value of a map. */
const yt_node *yt_at(const yt_node *n, size_t i);
/* i-th key of a map. */
const char *yt_key_at(const yt_node *n, size_t i);
/* Scalar as integer / boolean with a default when absent or not convertible. */
long long yt_int(const yt_node *n, long long dflt);
int yt_bool(const yt_node *n, int dflt);

#endif
