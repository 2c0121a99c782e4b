/* Errors: an int status plus a message the caller can read.
 *
 * Functions return 0 on success and a negative SW_E* code on failure; when they take a
 * `sw_error *`, they fill it with a one-line message (file and byte offset where known).
 * The struct is caller-owned, fixed-size, and never allocates. */
#ifndef SPOOFWATCH_ERROR_H
#define SPOOFWATCH_ERROR_H

#include <stddef.h>

enum {
    SW_OK = 0,
    SW_EIO = -1,      /* could not open or read */
    SW_EFORMAT = -2,  /* bytes are not the format they claim to be */
    SW_ELIMIT = -3,   /* a hard cap in limits.h was reached */
    SW_ENOMEM = -4,   /* allocation failed */
    SW_EINVAL = -5,   /* bad argument or configuration */
    SW_ENOTFOUND = -6 /* nothing there (end of input, missing field) */
};

typedef struct sw_error {
    int code;
    char message[512];
} sw_error;

/* Sets err (when non-NULL) and returns code, so callers can write `return sw_error_set(...)`. */
int sw_error_set(sw_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sw_error_clear(sw_error *err);
const char *sw_strerror(int code);

#endif
