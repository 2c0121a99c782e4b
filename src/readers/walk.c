/* Directory walking: see include/spoofwatch/walk.h. */
#include "spoofwatch/walk.h"
#include "spoofwatch/limits.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The entry's type (DT_*) from the directory itself, which saves an lstat per message; file
 * systems that leave it DT_UNKNOWN are asked. -1 with errno set when lstat fails. */
static int entry_type(const struct dirent *e, const char *path)
{
    if (e->d_type != DT_UNKNOWN)
        return e->d_type;
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    return S_ISLNK(st.st_mode)   ? DT_LNK
           : S_ISDIR(st.st_mode) ? DT_DIR
           : S_ISREG(st.st_mode) ? DT_REG
                                 : DT_UNKNOWN;
}

static int skip_name(const char *name)
{
    return name[0] == '.'; /* ".", "..", hidden files such as .DS_Store and Maildir's .mailboxes */
}

static int walk_dir(const char *dir, int depth, int maildir_leaf, sw_walk_fn fn, void *ctx)
{
    if (depth > SW_MAX_WALK_DEPTH)
        return fn(dir, SW_WALK_ERROR, "directory nesting deeper than the walk limit", ctx);
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0)
        return fn(dir, SW_WALK_ERROR, strerror(errno), ctx);
    /* A Maildir has cur/ new/ tmp/: walk cur and new only, files there are messages. */
    char path[4096];
    int has_cur = 0, has_new = 0, has_tmp = 0;
    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        int *has = !strcmp(nm, "cur") ? &has_cur : !strcmp(nm, "new") ? &has_new
                 : !strcmp(nm, "tmp") ? &has_tmp : NULL;
        if (!has)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, nm);
        *has = entry_type(list[i], path) == DT_DIR;
    }
    int maildir = (has_cur + has_new + has_tmp) >= 2;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const char *nm = list[i]->d_name;
        if (skip_name(nm))
            continue;
        int written = snprintf(path, sizeof path, "%s/%s", dir, nm);
        if (written < 0 || (size_t)written >= sizeof path) {
            rc = fn(dir, SW_WALK_ERROR, "path too long", ctx);
            continue;
        }
        int type = entry_type(list[i], path);
        if (type < 0) {
            rc = fn(path, SW_WALK_ERROR, strerror(errno), ctx);
            continue;
        }
        if (type == DT_DIR) {
            if (maildir && !strcmp(nm, "tmp"))
                continue; /* messages still being delivered */
            int leaf = maildir && (!strcmp(nm, "cur") || !strcmp(nm, "new"));
            rc = walk_dir(path, depth + 1, leaf, fn, ctx);
        } else if (type == DT_REG) {
            rc = fn(path, maildir_leaf ? SW_WALK_MAILDIR_FILE : SW_WALK_FILE, NULL, ctx);
        }
    }
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return rc;
}

int sw_walk(const char *root, sw_walk_fn fn, void *ctx)
{
    /* "dir/" and "dir" name the same tree; keep evidence paths free of "//". */
    char clean[4096];
    size_t n = strlen(root);
    if (n >= sizeof clean)
        return fn(root, SW_WALK_ERROR, "path too long", ctx);
    memcpy(clean, root, n + 1);
    while (n > 1 && clean[n - 1] == '/')
        clean[--n] = '\0';
    return walk_dir(clean, 0, 0, fn, ctx);
}
