/* Short-text formatting without stdio: see include/spoofwatch/fmt.h. */
#include "spoofwatch/fmt.h"
#include "spoofwatch/copy.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Appends n bytes to buf[0..cap) at *k as far as they fit (one byte kept for the NUL);
 * *k counts them all, as vsnprintf's return value does. The pieces of a text are mostly
 * under 32 bytes: with room for them, two overlapping moves of a fixed size copy them
 * inline, which the library call for a length unknown at compile time cost twice over. */
static inline void put(char *buf, size_t cap, size_t *k, const char *s, size_t n)
{
    size_t at = *k;
    *k = at + n;
    if (n <= 32 && cap > 32 && at < cap - 32) {
        sw_copy_upto32(buf + at, s, n);
        return;
    }
    if (at + 1 < cap) {
        size_t room = cap - 1 - at;
        memcpy(buf + at, s, n < room ? n : room);
    }
}

/* "00" to "99": two digits a division (evidence numbers run to five or six digits). */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "62636465666768697071727374757677787980818283848586878889909192"
                                  "93949596979899";

/* Decimal digits of v, with a sign when neg or plus, ending at end; returns the start. */
static char *decimal(char *end, unsigned long long v, int neg, int plus)
{
    char *p = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * d, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    if (neg || plus)
        *--p = neg ? '-' : '+';
    return p;
}

static char *signed_decimal(char *end, long long v, int plus)
{
    return v < 0 ? decimal(end, 0ull - (unsigned long long)v, 1, 0)
                 : decimal(end, (unsigned long long)v, 0, plus);
}

void sw_text_put_cut(sw_text *t, const char *s, size_t n)
{
    sw_text_put(t, s, n);
}

void sw_text_int(sw_text *t, long long v, int plus)
{
    char num[24], *end = num + sizeof num;
    const char *s = signed_decimal(end, v, plus);
    sw_text_put(t, s, (size_t)(end - s));
}

void sw_text_uint(sw_text *t, unsigned long long v)
{
    char num[24], *end = num + sizeof num;
    const char *s = decimal(end, v, 0, 0);
    sw_text_put(t, s, (size_t)(end - s));
}

int sw_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    va_list again; /* for vsnprintf from the start when a conversion is not ours */
    va_copy(again, ap);
    size_t k = 0;
    const char *p = fmt;
    for (;;) {
        const char *pct = strchr(p, '%');
        put(buf, cap, &k, p, pct ? (size_t)(pct - p) : strlen(p));
        if (!pct)
            break;
        p = pct + 1;
        int plus = *p == '+'; /* the one flag the texts use, and only on signed numbers */
        p += plus;
        char num[24], *end = num + sizeof num;
        const char *s;
        size_t n;
        if (p[0] == 's' && !plus) {
            s = va_arg(ap, const char *);
            if (!s)
                goto other;
            n = strlen(s);
            p += 1;
        } else if (p[0] == '.' && p[1] == '*' && p[2] == 's' && !plus) {
            int prec = va_arg(ap, int);
            s = va_arg(ap, const char *);
            if (!s || prec < 0)
                goto other;
            n = strnlen(s, (size_t)prec);
            p += 3;
        } else if (p[0] == '%' && !plus) {
            s = "%";
            n = 1;
            p += 1;
        } else {
            if (p[0] == 'd') {
                s = signed_decimal(end, va_arg(ap, int), plus);
                p += 1;
            } else if (p[0] == 'l' && p[1] == 'd') {
                s = signed_decimal(end, va_arg(ap, long), plus);
                p += 2;
            } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
                s = signed_decimal(end, va_arg(ap, long long), plus);
                p += 3;
            } else if (plus) {
                goto other;
            } else if (p[0] == 'u') {
                s = decimal(end, va_arg(ap, unsigned), 0, 0);
                p += 1;
            } else if (p[0] == 'z' && p[1] == 'u') {
                s = decimal(end, va_arg(ap, size_t), 0, 0);
                p += 2;
            } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'u') {
                s = decimal(end, va_arg(ap, unsigned long long), 0, 0);
                p += 3;
            } else {
                goto other;
            }
            n = (size_t)(end - s);
        }
        put(buf, cap, &k, s, n);
    }
    if (cap)
        buf[k < cap ? k : cap - 1] = '\0';
    va_end(again);
    return k > INT_MAX ? -1 : (int)k;
other:;
    int r = vsnprintf(buf, cap, fmt, again);
    va_end(again);
    return r;
}
