/* RFC 5322 date-time parsing and UTC formatting: see include/spoofwatch/datetime.h.
 *
 * One forward pass over s[0..n) with a cursor; CFWS (whitespace, folding, nested comments)
 * is skipped between any two tokens, as the obsolete grammar of RFC 5322 §4.3 allows.
 * Beyond the RFC we accept what real mail carries: a missing comma after the day name,
 * fractional seconds ("08:13:49.306"), a zero-padded three-digit day ("029"), "+hh:mm",
 * the asctime order "Apr 29 23:34:45 2005", and any trailing text after a complete zone
 * (comments like "(UTC)" or stray words). The epoch is computed with civil-calendar
 * arithmetic so that no locale, TZ or libc time function is involved. */
#include "spoofwatch/datetime.h"
#include "spoofwatch/error.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct dt_cursor {
    const char *s;
    size_t n, i;
} dt_cursor;

static const char *const dt_day_full[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};
static const char *const dt_mon_full[12] = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};

/* The three-letter names packed as lower-case little-endian words and placed by a perfect
 * hash of that word (the multipliers found by search; a clash would be a duplicate
 * designator, which -Woverride-init reports): one multiply, one load and one compare find
 * a name or its absence, where a scan compared with each name in turn. */
#define DT_PACK3(a, b, c) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16)
#define DT_DAY_SLOT(v) ((uint32_t)(v) * 2522u >> 29)
#define DT_MON_SLOT(v) ((uint32_t)(v) * 26596u >> 28)
typedef struct dt_name_slot {
    uint32_t packed; /* 0 for a free slot: no packed name is 0 */
    int index;
} dt_name_slot;
#define DT_DAY(a, b, c, k) [DT_DAY_SLOT(DT_PACK3(a, b, c))] = {DT_PACK3(a, b, c), k}
static const dt_name_slot dt_day_hash[8] = {
    DT_DAY('m', 'o', 'n', 0), DT_DAY('t', 'u', 'e', 1), DT_DAY('w', 'e', 'd', 2),
    DT_DAY('t', 'h', 'u', 3), DT_DAY('f', 'r', 'i', 4), DT_DAY('s', 'a', 't', 5),
    DT_DAY('s', 'u', 'n', 6),
};
#define DT_MON(a, b, c, k) [DT_MON_SLOT(DT_PACK3(a, b, c))] = {DT_PACK3(a, b, c), k}
static const dt_name_slot dt_mon_hash[16] = {
    DT_MON('j', 'a', 'n', 0), DT_MON('f', 'e', 'b', 1),  DT_MON('m', 'a', 'r', 2),
    DT_MON('a', 'p', 'r', 3), DT_MON('m', 'a', 'y', 4),  DT_MON('j', 'u', 'n', 5),
    DT_MON('j', 'u', 'l', 6), DT_MON('a', 'u', 'g', 7),  DT_MON('s', 'e', 'p', 8),
    DT_MON('o', 'c', 't', 9), DT_MON('n', 'o', 'v', 10), DT_MON('d', 'e', 'c', 11),
};

static int dt_is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int dt_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int dt_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int dt_peek(const dt_cursor *c)
{
    return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

/* Skips whitespace and nested comments without recursion, so deep nesting costs O(n).
 * An unterminated comment swallows the rest: nothing inside it is date text. */
static void dt_skip_cfws_slow(dt_cursor *c)
{
    while (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (dt_is_ws(ch)) {
            c->i++;
            continue;
        }
        if (ch != '(')
            return;
        size_t depth = 0;
        while (c->i < c->n) {
            ch = (unsigned char)c->s[c->i++];
            if (ch == '\\') {
                if (c->i < c->n)
                    c->i++;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')' && --depth == 0) {
                break;
            }
        }
    }
}

/* Called a dozen times per date, nearly always right before a token: decide that case with
 * one byte test (whitespace is all <= ' ') and leave the loop to the rare rest. */
static inline void dt_skip_cfws(dt_cursor *c)
{
    if (c->i < c->n) {
        unsigned char ch = (unsigned char)c->s[c->i];
        if (ch > ' ' && ch != '(')
            return;
        /* The other usual case: one space between tokens. */
        if (ch == ' ' && c->i + 1 < c->n) {
            ch = (unsigned char)c->s[c->i + 1];
            if (ch > ' ' && ch != '(') {
                c->i++;
                return;
            }
        }
    }
    dt_skip_cfws_slow(c);
}

/* Reads a run of letters; returns its length (0 when none). */
static size_t dt_read_alpha(dt_cursor *c, const char **start)
{
    *start = c->s + c->i;
    size_t k = c->i;
    while (k < c->n && dt_is_alpha((unsigned char)c->s[k]))
        k++;
    size_t len = k - c->i;
    c->i = k;
    return len;
}

/* Reads a run of digits; returns the digit count and stores the value. The value saturates
 * so that a thousand-digit "year" cannot overflow; callers reject such counts anyway. */
static size_t dt_read_digits(dt_cursor *c, long *value)
{
    size_t k = c->i;
    long v = 0;
    /* A date has a dozen digits: one unsigned compare per byte tests for a digit. */
    for (unsigned d; k < c->n && (d = (unsigned)(unsigned char)c->s[k] - '0') <= 9; k++)
        if (v < 100000000L)
            v = v * 10 + (long)d;
    size_t count = k - c->i;
    c->i = k;
    *value = v;
    return count;
}

/* Index of w among the day names (count 7) or the month names (count 12), abbreviated
 * (from the hashed tables) or full, or -1. */
static inline __attribute__((always_inline)) int
dt_lookup(const char *w, size_t len, const char *const *full, int count)
{
    if (len == 3) {
        /* w is letters only (dt_read_alpha), so |0x20 lower-cases it exactly as
         * strncasecmp would; every date has a month and most a day name in this form. The
         * only three-letter full name ("may") is also its own abbreviation. */
        uint32_t v = DT_PACK3((unsigned char)w[0] | 0x20, (unsigned char)w[1] | 0x20,
                              (unsigned char)w[2] | 0x20);
        const dt_name_slot *slot = count == 7 ? &dt_day_hash[DT_DAY_SLOT(v)]
                                              : &dt_mon_hash[DT_MON_SLOT(v)];
        return slot->packed == v ? slot->index : -1;
    }
    for (int k = 0; k < count; k++) {
        size_t fl = 0;
        while (full[k][fl])
            fl++;
        if (len == fl && strncasecmp(w, full[k], fl) == 0)
            return k;
    }
    return -1;
}

static int dt_is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned dt_days_in_month(long y, unsigned m)
{
    static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && dt_is_leap(y))
        return 29;
    return len[m - 1];
}

/* Obsolete zone names (RFC 5322 §4.3). Military letters are +0000 because their sign was
 * specified backwards in RFC 822 and senders disagree; unknown names mean "-0000". */
static int dt_named_zone(const char *w, size_t len)
{
    static const struct {
        const char *name;
        int minutes;
    } zones[] = {
        {"ut", 0},        {"gmt", 0},       {"utc", 0},       {"z", 0},
        {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
        {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
    };
    for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++) {
        size_t zl = 0;
        while (zones[k].name[zl])
            zl++;
        if (len == zl && strncasecmp(w, zones[k].name, zl) == 0)
            return zones[k].minutes;
    }
    return 0;
}

/* hour ":" minute [":" second ["." fraction]], CFWS allowed around the colons. Always
 * inlined, like dt_lookup: every Received hop has a date, and inside its one caller the
 * cursor stays in registers instead of being handed over by address. */
static inline __attribute__((always_inline)) int dt_read_time(dt_cursor *c, long *h, long *mi,
                                                              long *sec)
{
    long v;
    size_t nd = dt_read_digits(c, &v);
    if (nd < 1 || nd > 2)
        return SW_EFORMAT;
    *h = v;
    dt_skip_cfws(c);
    if (dt_peek(c) != ':')
        return SW_EFORMAT;
    c->i++;
    dt_skip_cfws(c);
    nd = dt_read_digits(c, &v);
    if (nd < 1 || nd > 2)
        return SW_EFORMAT;
    *mi = v;
    *sec = 0;
    size_t save = c->i;
    dt_skip_cfws(c);
    if (dt_peek(c) == ':') {
        c->i++;
        dt_skip_cfws(c);
        nd = dt_read_digits(c, &v);
        if (nd < 1 || nd > 2)
            return SW_EFORMAT;
        *sec = v;
        /* Fractional seconds (SendGrid and others); the fraction is dropped. */
        if (dt_peek(c) == '.' && c->i + 1 < c->n && dt_is_digit((unsigned char)c->s[c->i + 1])) {
            c->i++;
            dt_read_digits(c, &v);
        }
    } else {
        c->i = save;
    }
    return 0;
}

static int dt_read_year(dt_cursor *c, long *year)
{
    long v;
    size_t nd = dt_read_digits(c, &v);
    /* RFC 5322 §4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx; three digits add 1900. */
    if (nd == 2)
        v += v < 50 ? 2000 : 1900;
    else if (nd == 3)
        v += 1900;
    else if (nd != 4)
        return SW_EFORMAT;
    *year = v;
    return 0;
}

/* The zone, or nothing: a missing zone is read as UTC. Returns SW_EFORMAT only for a sign
 * that is not followed by a well-formed offset. */
static int dt_read_zone(dt_cursor *c, int *offset_min)
{
    *offset_min = 0;
    int ch = dt_peek(c);
    if (ch == '+' || ch == '-') {
        int sign = ch == '-' ? -1 : 1;
        long v, mm;
        c->i++;
        const unsigned char *z = (const unsigned char *)c->s + c->i;
        size_t left = c->n - c->i;
        if (left >= 4 && dt_is_digit(z[0]) && dt_is_digit(z[1]) && dt_is_digit(z[2]) &&
            dt_is_digit(z[3]) && (left == 4 || !dt_is_digit(z[4]))) {
            /* a run of exactly four digits, "hhmm", read by position: no digit loop and no
             * division to split it */
            v = (z[0] - '0') * 10 + (z[1] - '0');
            mm = (z[2] - '0') * 10 + (z[3] - '0');
            c->i += 4;
        } else if (dt_read_digits(c, &v) == 2 && dt_peek(c) == ':') {
            /* "+02:00": ISO habits leaking into mail headers. */
            c->i++;
            if (dt_read_digits(c, &mm) != 2)
                return SW_EFORMAT;
        } else {
            return SW_EFORMAT;
        }
        if (v > 23 || mm > 59)
            return SW_EFORMAT;
        *offset_min = sign * (int)(v * 60 + mm);
        return 0;
    }
    if (ch >= 0 && dt_is_alpha((unsigned char)ch)) {
        const char *w;
        size_t len = dt_read_alpha(c, &w);
        *offset_min = dt_named_zone(w, len);
    }
    return 0;
}

/* Eight bytes as a little-endian word, whatever the machine's order. */
static uint64_t dt_load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* Four bytes as a little-endian word, whatever the machine's order. */
static uint32_t dt_load4(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap32(w);
#endif
    return w;
}

/* Reads " +hhmm" or " -hhmm" at c, four digits and no fifth, in range: the zone as nearly
 * every MTA writes it after the fixed shape, read by position as one word. Returns 0 with
 * nothing read for any other text, which dt_read_zone then reads (to the same offset when
 * it is this shape, or to the same SW_EFORMAT when the digits are out of range). */
static int dt_read_fixed_zone(dt_cursor *c, int *offset_min)
{
    const unsigned char *z = (const unsigned char *)c->s + c->i;
    size_t left = c->n - c->i;
    if (left < 6 || z[0] != ' ' || (z[1] != '+' && z[1] != '-'))
        return 0;
    /* the digit test of dt_read_fixed, on four bytes */
    uint32_t d = dt_load4(z + 2) ^ 0x30303030u;
    if (((d | (d + 0x76767676u)) & 0x80808080u) || (left > 6 && dt_is_digit(z[6])))
        return 0;
    uint32_t hh = (d & 0xFF) * 10 + (d >> 8 & 0xFF), mm = (d >> 16 & 0xFF) * 10 + (d >> 24);
    if (hh > 23 || mm > 59)
        return 0;
    int v = (int)(hh * 60 + mm);
    *offset_min = z[1] == '-' ? -v : v;
    c->i += 6;
    return 1;
}

/* Reads "[Www, ]D[D] Mmm YYYY HH:MM:SS" by fixed positions, the shape nearly every MTA and
 * client writes, and leaves c at what follows (the zone). Returns 0 with nothing stored when
 * the text has any other shape (CFWS, a missing comma or seconds, a two-digit year, asctime
 * order, ...), for the general reader to start over. Whatever this accepts, the general
 * reader reads to the same fields: there, a single space before a token is all its CFWS
 * skipping does, and each digit run it reads ends where this one does. */
static int dt_read_fixed(dt_cursor *c, long *day, int *month, long *year, long *h, long *mi,
                         long *sec)
{
    const unsigned char *s = (const unsigned char *)c->s;
    size_t n = c->n, i = 0;
    if (n >= 5 && dt_is_alpha(s[0])) {
        if (!dt_is_alpha(s[1]) || !dt_is_alpha(s[2]) || s[3] != ',' || s[4] != ' ' ||
            dt_lookup(c->s, 3, dt_day_full, 7) < 0)
            return 0;
        i = 5;
    }
    /* the day, then " Mmm YYYY HH:MM:SS": 18 bytes */
    if (n - i < 19 || !dt_is_digit(s[i]))
        return 0;
    long d = s[i++] - '0';
    if (dt_is_digit(s[i])) {
        d = d * 10 + (s[i++] - '0');
        if (n - i < 18)
            return 0;
    }
    const unsigned char *t = s + i;
    if (t[0] != ' ' || !dt_is_alpha(t[1]) || !dt_is_alpha(t[2]) || !dt_is_alpha(t[3]))
        return 0;
    /* " YYYY HH" and "HH:MM:SS" (t[4..11] and t[10..17]) as two 8-byte words, byte k at bits
     * 8k. XOR with the expected text leaves zero separators and each digit's value; a byte
     * is a digit exactly when that value is below 10, i.e. adding 0x76 leaves bit 7 clear
     * (only an already failing byte can carry into the next). */
    const uint64_t ydig = 0xFFFF00FFFFFFFF00u, tdig = 0xFFFF00FFFF00FFFFu;
    const uint64_t yv = dt_load8(t + 4) ^ 0x3030203030303020u;  /* " 0000 00" */
    const uint64_t tv = dt_load8(t + 10) ^ 0x30303A30303A3030u; /* "00:00:00" */
    const uint64_t yd = yv & ydig, td = tv & tdig, b7 = 0x8080808080808080u;
    if ((yv & ~ydig) | (tv & ~tdig) | ((yd | (yd + (0x7676767676767676u & ydig))) & b7) |
        ((td | (td + (0x7676767676767676u & tdig))) & b7))
        return 0;
    /* no more seconds digits and no fraction for the general reader to consume */
    if (i + 18 < n && s[i + 18] != ' ')
        return 0;
    int m = dt_lookup((const char *)t + 1, 3, dt_mon_full, 12);
    if (m < 0)
        return 0;
    *day = d;
    *month = m;
    /* Every digit byte of yd and td holds its value (0..9) and every other byte is 0, so one
     * multiply and one shift make byte k 10 * digit k + digit k+1 (at most 99: no carry into
     * the next byte) and each two-digit field is then one byte. */
    const uint64_t yp = yd * 10 + (yd >> 8), tp = td * 10 + (td >> 8);
    *year = (long)(yp >> 8 & 0xFF) * 100 + (long)(yp >> 24 & 0xFF);
    *h = (long)(tp & 0xFF);
    *mi = (long)(tp >> 24 & 0xFF);
    *sec = (long)(tp >> 48 & 0xFF);
    c->i = i + 18;
    return 1;
}

/* sw_days_from_civil for years 1 to a million, a real month and day (see there). */
static inline int64_t dt_days_from_civil32(uint32_t y, unsigned m, unsigned d)
{
    uint32_t yy = y - (m <= 2);
    uint32_t era = yy / 400, yoe = yy - era * 400;
    uint32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

int sw_datetime_parse_rfc5322(const char *s, size_t n, int64_t *epoch_out, int *offset_min_out)
{
    if (!s)
        return SW_EFORMAT;
    dt_cursor cur = {s, n, 0};
    dt_cursor *c = &cur;
    long day = 0, year = 0, h = 0, mi = 0, sec = 0;
    int month = -1;
    int asctime_order = 0;
    const char *w;
    size_t len;

    /* Most dates have the fixed shape; the general reader below takes every other. */
    int offset = 0, have_zone = 0;
    if (dt_read_fixed(c, &day, &month, &year, &h, &mi, &sec)) {
        have_zone = dt_read_fixed_zone(c, &offset);
    } else {
        dt_skip_cfws(c);
        int ch = dt_peek(c);
        if (ch >= 0 && dt_is_alpha((unsigned char)ch)) {
            len = dt_read_alpha(c, &w);
            if (dt_lookup(w, len, dt_day_full, 7) >= 0) {
                /* The day name is not checked against the date: senders get it wrong and the
                 * date itself is what we keep. */
                dt_skip_cfws(c);
                if (dt_peek(c) == ',') {
                    c->i++;
                    dt_skip_cfws(c);
                }
                ch = dt_peek(c);
                if (ch >= 0 && dt_is_alpha((unsigned char)ch)) {
                    len = dt_read_alpha(c, &w);
                    month = dt_lookup(w, len, dt_mon_full, 12);
                    if (month < 0)
                        return SW_EFORMAT;
                    asctime_order = 1;
                }
            } else {
                month = dt_lookup(w, len, dt_mon_full, 12);
                if (month < 0)
                    return SW_EFORMAT;
                asctime_order = 1;
            }
        }

        if (asctime_order) {
            /* "Apr 29 23:34:45 2005 [zone]" */
            dt_skip_cfws(c);
            size_t nd = dt_read_digits(c, &day);
            if (nd < 1 || nd > 2)
                return SW_EFORMAT;
            dt_skip_cfws(c);
            if (dt_read_time(c, &h, &mi, &sec) != 0)
                return SW_EFORMAT;
            dt_skip_cfws(c);
            if (dt_read_year(c, &year) != 0)
                return SW_EFORMAT;
        } else {
            /* A zero-padded three-digit day ("029") shows up in real bounces; the range check
             * below still rejects anything past 31. */
            size_t nd = dt_read_digits(c, &day);
            if (nd < 1 || nd > 3)
                return SW_EFORMAT;
            dt_skip_cfws(c);
            len = dt_read_alpha(c, &w);
            month = dt_lookup(w, len, dt_mon_full, 12);
            if (month < 0)
                return SW_EFORMAT;
            dt_skip_cfws(c);
            if (dt_read_year(c, &year) != 0)
                return SW_EFORMAT;
            dt_skip_cfws(c);
            if (dt_read_time(c, &h, &mi, &sec) != 0)
                return SW_EFORMAT;
        }
    }

    if (!have_zone) {
        dt_skip_cfws(c);
        if (dt_read_zone(c, &offset) != 0)
            return SW_EFORMAT;
    }

    unsigned m = (unsigned)month + 1;
    if (day < 1 || (unsigned long)day > dt_days_in_month(year, m))
        return SW_EFORMAT;
    if (h > 23 || mi > 59 || sec > 60)
        return SW_EFORMAT;

    /* the year and month are in range here, and day in 1..31: the 32-bit form, inline */
    int64_t days = year >= 1 && year <= 1000000
                       ? dt_days_from_civil32((uint32_t)year, m, (unsigned)day)
                       : sw_days_from_civil(year, m, (unsigned)day);
    int64_t epoch = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec;
    epoch -= (int64_t)offset * 60;
    if (epoch_out)
        *epoch_out = epoch;
    if (offset_min_out)
        *offset_min_out = offset;
    return 0;
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar. The year is shifted to start in
 * March so that the leap day falls at the end, then counted in 400-year eras of 146097 days. */
int64_t sw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* The dates mail carries (years 1 to a million, a real month and day) on 32-bit
     * unsigned values, whose divisions by constants are a multiply and a shift each: the
     * same sums as below, none of them negative there. */
    if (y >= 1 && y <= 1000000 && m - 1 < 12 && d - 1 < 31)
        return dt_days_from_civil32((uint32_t)y, m, d);
    int64_t mm = m, dd = d;
    y -= mm <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                       /* [0, 399] */
    int64_t doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + dd - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse of sw_days_from_civil. Only the era is signed: the day of the era is in
 * [0, 146096], so the rest runs on 32-bit unsigned values, whose divisions by constants
 * are a multiply and a shift each (the 64-bit signed ones also fix up the sign). */
static void dt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468; /* days since 0000-03-01 */
    if (z >= 0 && z < ((int64_t)1 << 30)) {
        /* The same calendar with every step an exact multiply and shift (Neri and
         * Schneider's Euclidean affine forms), for the days of years 0 to 2.9 million:
         * the century from 4z + 3 by 146097, the year of the century and its day at once
         * from one 64-bit product (2939745 / 2^32 is 4 / 1461 close enough for the 100
         * years of a century), and month and day from 2141 * day + 197913, whose high
         * half is the month (March = 3) and whose low half over 2141 the day. The unit
         * tests compare it with the general form below. */
        uint32_t n1 = 4 * (uint32_t)z + 3;
        uint32_t cent = n1 / 146097, nc = n1 % 146097 / 4;
        uint64_t p2 = (uint64_t)2939745 * (4 * nc + 3);
        uint32_t yoc = (uint32_t)(p2 >> 32), ny = (uint32_t)p2 / 2939745 / 4;
        uint32_t n3 = 2141 * ny + 197913;
        uint32_t mm = n3 >> 16, dd = (n3 & 0xFFFF) / 2141;
        uint32_t jan_feb = ny >= 306;
        *y = (int64_t)(100 * cent + yoc + jan_feb);
        *m = jan_feb ? mm - 12 : mm;
        *d = dd + 1;
        return;
    }
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    uint32_t doe = (uint32_t)(z - era * 146097);
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "00" to "99". */
static const char dt_pairs[100][2] = {
#define DT_P10(t) {t, '0'}, {t, '1'}, {t, '2'}, {t, '3'}, {t, '4'}, \
                  {t, '5'}, {t, '6'}, {t, '7'}, {t, '8'}, {t, '9'}
    DT_P10('0'), DT_P10('1'), DT_P10('2'), DT_P10('3'), DT_P10('4'),
    DT_P10('5'), DT_P10('6'), DT_P10('7'), DT_P10('8'), DT_P10('9'),
#undef DT_P10
};

void sw_datetime_format_utc(int64_t epoch, char out[32])
{
    /* floor division into days and the second of the day, unsigned for the times after
     * 1970 (nearly all), where it is a multiply and a shift */
    int64_t days;
    uint32_t rem;
    if (epoch >= 0) {
        days = (int64_t)((uint64_t)epoch / 86400);
        rem = (uint32_t)((uint64_t)epoch - (uint64_t)days * 86400);
    } else {
        days = epoch / 86400;
        int64_t r = epoch % 86400;
        if (r < 0) {
            r += 86400;
            days--;
        }
        rem = (uint32_t)r;
    }
    int64_t y;
    unsigned m, d;
    dt_civil_from_days(days, &y, &m, &d);
    /* one division by 60 serves both the minutes and the seconds */
    uint32_t mins = rem / 60;
    unsigned hh = mins / 60, mi = mins % 60, ss = rem - mins * 60;
    if (y < 0 || y > 9999) {
        /* Every field is in range (m <= 12, d <= 31, rem < 86400) and y has at most 12
         * digits, so the text fits; the reductions change nothing but tell the compiler so,
         * which otherwise warns of truncation. */
        snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m % 13u, d % 32u,
                 hh % 24u, mi, ss % 60u);
        return;
    }
    /* The common case by hand: this runs for every date of every record. Each field is
     * two digits (the year two pairs) written from a table, with no division per digit. */
    unsigned yy = (unsigned)y;
    memcpy(out, dt_pairs[yy / 100], 2);
    memcpy(out + 2, dt_pairs[yy % 100], 2);
    out[4] = '-';
    memcpy(out + 5, dt_pairs[m], 2);
    out[7] = '-';
    memcpy(out + 8, dt_pairs[d], 2);
    out[10] = 'T';
    memcpy(out + 11, dt_pairs[hh], 2);
    out[13] = ':';
    memcpy(out + 14, dt_pairs[mi], 2);
    out[16] = ':';
    memcpy(out + 17, dt_pairs[ss], 2);
    out[19] = 'Z';
    out[20] = '\0';
}
