/* Directory trees: every regular file under a path, in sorted order, with Maildir
 * (cur/ new/; tmp/ is skipped as in-delivery) and Apple Mail (*.emlx) recognised.
 * Symlinks are not followed (a loop or an escape from the tree is not our business);
 * depth is capped at SW_MAX_WALK_DEPTH. The callback gets each file's path, valid only
 * during the call; a non-zero return stops the walk. */
#ifndef SPOOFWATCH_WALK_H
#define SPOOFWATCH_WALK_H

#include "spoofwatch/error.h"

typedef enum sw_walk_kind { SW_WALK_FILE, SW_WALK_MAILDIR_FILE, SW_WALK_ERROR } sw_walk_kind;

typedef int (*sw_walk_fn)(const char *path, sw_walk_kind kind, const char *error, void *ctx);

/* Walks root (a directory). Returns 0 or the callback's non-zero value. */
int sw_walk(const char *root, sw_walk_fn fn, void *ctx);

#endif
