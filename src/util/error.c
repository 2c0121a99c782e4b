/* Error messages: see include/spoofwatch/error.h. */
#include "spoofwatch/error.h"

#include <stdarg.h>
#include <stdio.h>

int sw_error_set(sw_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void sw_error_clear(sw_error *err)
{
    if (err) {
        err->code = 0;
        err->message[0] = '\0';
    }
}

const char *sw_strerror(int code)
{
    switch (code) {
    case SW_OK: return "ok";
    case SW_EIO: return "input/output error";
    case SW_EFORMAT: return "malformed input";
    case SW_ELIMIT: return "size limit reached";
    case SW_ENOMEM: return "out of memory";
    case SW_EINVAL: return "invalid argument";
    case SW_ENOTFOUND: return "not found";
    }
    return "unknown error";
}
