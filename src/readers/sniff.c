/* Format sniffing: content first, file name as a tie-breaker. */
#include "spoofwatch/csv.h"
#include "spoofwatch/input.h"
#include "spoofwatch/utf8.h"
#include "spoofwatch/logsource.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Does the text start like a header field "Name:"? */
static int looks_like_header(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 1024 && p[i] != ':') {
        unsigned char c = (unsigned char)p[i];
        if (c <= 32 || c >= 127)
            return 0;
        i++;
    }
    return i > 0 && i < n && p[i] == ':';
}

sw_format sw_sniff(const char *path, const char *data, size_t len)
{
    if (len == 0)
        return SW_FMT_UNKNOWN;
    /* emlx: a line of digits (maybe space-padded) */
    size_t i = 0;
    while (i < len && i < 32 && data[i] == ' ')
        i++;
    size_t d = i;
    while (i < len && i < 32 && isdigit((unsigned char)data[i]))
        i++;
    if (i > d) {
        size_t j = i;
        while (j < len && j < 40 && (data[j] == ' ' || data[j] == '\t'))
            j++;
        if (j < len && (data[j] == '\n' || data[j] == '\r'))
            return path && ends_with(path, ".partial.emlx") ? SW_FMT_PARTIAL_EMLX : SW_FMT_EMLX;
    }
    if (path && ends_with(path, ".partial.emlx"))
        return SW_FMT_PARTIAL_EMLX;
    if (path && ends_with(path, ".emlx"))
        return SW_FMT_EMLX;
    if (len >= 5 && memcmp(data, "From ", 5) == 0)
        return SW_FMT_MBOX;
    /* skip a UTF-8 BOM and leading blank lines some exporters write */
    size_t s = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        s = 3;
    /* JSON: no header field name starts with a brace or a bracket */
    size_t js = s;
    while (js < len && js < 4096 && (data[js] == ' ' || data[js] == '\t' || data[js] == '\r' ||
                                      data[js] == '\n'))
        js++;
    if (js < len && (data[js] == '{' || data[js] == '['))
        return SW_FMT_JSONLOG;
    if (sw_utf16_bom(data, len)) { /* UTF-16 JSON: its first character, decoded */
        char head[64];
        size_t hn = sw_csv_head(data, len, head, sizeof head), h = 0;
        while (h < hn && (head[h] == ' ' || head[h] == '\t' || head[h] == '\r' || head[h] == '\n'))
            h++;
        if (h < hn && (head[h] == '{' || head[h] == '['))
            return SW_FMT_JSONLOG;
    }
    /* CSV logs and Exchange tracking logs: only a header row naming a known source's
     * columns, a "#Software: Microsoft Exchange"/"#Fields:" line or a line starting with an
     * ISO 8601 time and a comma; no mail header line looks like any of them (a header row
     * must have no colon). UTF-16 files (EXO reports) are sniffed from their BOM on. */
    sw_format lf = sw_log_sniff_csv(data, len);
    if (lf != SW_FMT_UNKNOWN)
        return lf;
    /* DMARC aggregate reports: XML with a <feedback> element near the start (no header
     * field name starts with '<'), or a zip whose first entry is named .xml. Other XML and
     * zips stay "not mail", so directory walks skip them as before. */
    if (len >= 30 && !memcmp(data, "PK\x03\x04", 4)) {
        size_t nl = (unsigned char)data[26] | (size_t)(unsigned char)data[27] << 8;
        if (nl >= 4 && 30 + nl <= len && !strncasecmp(data + 30 + nl - 4, ".xml", 4))
            return SW_FMT_DMARCXML;
    }
    if (js < len && data[js] == '<') {
        size_t n = len - js < 8192 ? len - js : 8192;
        if (memmem(data + js, n, "feedback", 8))
            return SW_FMT_DMARCXML;
    }
    while (s < len && (data[s] == '\r' || data[s] == '\n'))
        s++;
    if (looks_like_header(data + s, len - s))
        return SW_FMT_EML;
    /* a folded first field or a leading space before the first field is still mail */
    if (s < len && (data[s] == ' ' || data[s] == '\t')) {
        const char *nl = memchr(data + s, '\n', len - s);
        if (nl && looks_like_header(nl + 1, len - (size_t)(nl + 1 - data)))
            return SW_FMT_EML;
    }
    return SW_FMT_UNKNOWN;
}

const char *sw_format_name(sw_format f)
{
    switch (f) {
    case SW_FMT_AUTO: return "auto";
    case SW_FMT_EML: return "eml";
    case SW_FMT_MBOX: return "mbox";
    case SW_FMT_EMLX: return "emlx";
    case SW_FMT_PARTIAL_EMLX: return "partial-emlx";
    case SW_FMT_JSONLOG: return "json";
    case SW_FMT_CSVLOG: return "csv";
    case SW_FMT_TRACKLOG: return "exchange-tracking";
    case SW_FMT_DMARCXML: return "dmarc-xml";
    case SW_FMT_UNKNOWN: break;
    }
    return "unknown";
}

sw_format sw_format_from_name(const char *name)
{
    static const sw_format all[] = {SW_FMT_AUTO, SW_FMT_EML, SW_FMT_MBOX, SW_FMT_EMLX,
                                    SW_FMT_PARTIAL_EMLX, SW_FMT_JSONLOG, SW_FMT_CSVLOG,
                                    SW_FMT_TRACKLOG, SW_FMT_DMARCXML};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcasecmp(name, sw_format_name(all[i])))
            return all[i];
    if (!strcasecmp(name, "maildir"))
        return SW_FMT_EML;
    return SW_FMT_UNKNOWN;
}

int sw_format_is_log(sw_format f)
{
    return f == SW_FMT_JSONLOG || f == SW_FMT_CSVLOG || f == SW_FMT_TRACKLOG ||
           f == SW_FMT_DMARCXML;
}
