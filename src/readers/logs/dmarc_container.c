/* DMARC aggregate reports, the containers: a report arrives as plain XML, gzip (inflated
 * here when the bytes come from a mail attachment; sw_input already inflates .gz files) or a
 * zip of .xml entries (libarchive), and each XML document found goes to dmarc_xml.c. Also
 * the cheap peek that tells a report attachment from other mail parts.
 *
 * Caps: the inflated size of a gzip, and of all of a zip's entries together, is checked
 * while inflating (SW_MAX_DMARC_XML), so a zip bomb costs no more than one report at the
 * cap; at most SW_MAX_ZIP_ENTRIES entries are looked at. Inflated buffers are malloc'd here
 * and freed before returning. */
#include "dmarc_report.h"
#include "spoofwatch/dmarc.h"
#include "spoofwatch/limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* ---- containers ---- */

/* Doubles the malloc'd *buf of *cap bytes, to at most limit: 0 when it grew, 1 when it is
 * at the limit already (the caller reports the cap), -1 when realloc failed (*buf is then
 * freed and NULL). */
static int grow_capped(char **buf, size_t *cap, size_t limit)
{
    if (*cap >= limit)
        return 1;
    size_t ncap = *cap * 2 > limit ? limit : *cap * 2;
    char *nb = realloc(*buf, ncap);
    if (!nb) {
        free(*buf);
        *buf = NULL;
        return -1;
    }
    *buf = nb;
    *cap = ncap;
    return 0;
}

/* Inflates gzip bytes (mail attachments; files are inflated by sw_input), every member,
 * into *out, capped at SW_MAX_DMARC_XML while inflating. 0 ok, 1 cut short (what was
 * inflated is returned), -1 nothing usable; *why says what went wrong. */
static int gunzip(const char *in, size_t len, char **out, size_t *out_len, const char **why)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        *why = "zlib init failed";
        return -1;
    }
    size_t cap = len * 4 + 4096, n = 0;
    if (cap > SW_MAX_DMARC_XML)
        cap = SW_MAX_DMARC_XML;
    char *buf = malloc(cap);
    int rc = Z_OK;
    z.next_in = (unsigned char *)in;
    z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    while (buf) {
        if (n == cap) {
            int grown = grow_capped(&buf, &cap, SW_MAX_DMARC_XML);
            if (grown > 0) {
                *why = "decompressed report over the size cap";
                rc = Z_MEM_ERROR;
                break;
            }
            if (grown < 0)
                break;
        }
        z.next_out = (unsigned char *)buf + n;
        z.avail_out = (uInt)(cap - n);
        rc = inflate(&z, Z_NO_FLUSH);
        n = cap - z.avail_out;
        if (rc == Z_STREAM_END && z.avail_in >= 2 && z.next_in[0] == 0x1f &&
            z.next_in[1] == 0x8b && inflateReset(&z) == Z_OK)
            continue; /* concatenated members, as gzip(1) reads them */
        if (rc == Z_STREAM_END)
            break; /* trailing bytes that start no member are ignored, as gzip(1) does */
        if (rc != Z_OK) {
            *why = rc == Z_BUF_ERROR ? "truncated gzip data" : "corrupt gzip data";
            break;
        }
    }
    inflateEnd(&z);
    if (!buf) {
        *why = "out of memory";
        return -1;
    }
    if (rc != Z_STREAM_END && n == 0) {
        free(buf);
        return -1;
    }
    /* a truncated stream still gives what was inflated; the XML reader reports the rest */
    *out = buf;
    *out_len = n;
    return rc == Z_STREAM_END ? 0 : 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* Reads an entry's data into a malloc'd buffer; NULL on error (reported). *out_len is
 * what was inflated, also on error. At most `left`
 * bytes are inflated, checked while reading: what the zip's earlier entries have not used
 * of SW_MAX_DMARC_XML, so that a zip of many entries sharing one compressed stream (a zip
 * bomb) costs no more than one report at the cap. */
static char *zip_entry_data(sw_logctx *c, struct archive *ar, const char *name, size_t left,
                            size_t *out_len)
{
    size_t cap = left < (1u << 16) ? left : 1u << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            int grown = grow_capped(&buf, &cap, left);
            if (grown > 0) {
                *out_len = n;
                sw_log_bad(c, 0, "zip entry %s is over the %u-byte cap%s", name,
                           SW_MAX_DMARC_XML,
                           left < SW_MAX_DMARC_XML ? " for all entries together" : "");
                free(buf);
                return NULL;
            }
            if (grown < 0)
                break;
        }
        la_ssize_t got = archive_read_data(ar, buf + n, cap - n);
        if (got == 0)
            break;
        if (got < 0) {
            *out_len = n;
            sw_log_bad(c, 0, "zip entry %s: %s", name, archive_error_string(ar));
            free(buf);
            return NULL;
        }
        n += (size_t)got;
    }
    *out_len = n;
    if (!buf) {
        sw_log_bad(c, 0, "out of memory reading zip entry %s", name);
        return NULL;
    }
    return buf;
}

static void read_zip(sw_logctx *c, const char *data, size_t len)
{
    struct archive *ar = archive_read_new();
    if (!ar) {
        sw_log_bad(c, 0, "out of memory");
        return;
    }
    archive_read_support_format_zip(ar);
    if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
        sw_log_bad(c, 0, "not a readable zip: %s", archive_error_string(ar));
        archive_read_free(ar);
        return;
    }
    struct archive_entry *e;
    int entries = 0, xml = 0, rc;
    size_t left = SW_MAX_DMARC_XML; /* inflated bytes the remaining entries may use */
    while ((rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK && !c->stop) {
        if (++entries > SW_MAX_ZIP_ENTRIES) {
            sw_log_bad(c, 0, "more than %d zip entries; the rest is not read",
                       SW_MAX_ZIP_ENTRIES);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name || archive_entry_filetype(e) != AE_IFREG || !ends_with(name, ".xml"))
            continue;
        xml++;
        if (!left) {
            sw_log_bad(c, 0, "zip entry %s not read: the entries before it used the "
                             "%u-byte cap", name, SW_MAX_DMARC_XML);
            continue;
        }
        size_t n = 0;
        char *buf = zip_entry_data(c, ar, name, left, &n);
        left -= n;
        if (buf)
            sw_dmarcxml_read_document(c, name, buf, n);
        free(buf);
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_EOF && entries <= SW_MAX_ZIP_ENTRIES)
        sw_log_bad(c, 0, "zip: %s", archive_error_string(ar));
    else if (!xml)
        sw_log_bad(c, 0, "zip without an .xml entry: not a DMARC aggregate report");
    archive_read_free(ar);
}

static void read_any(sw_logctx *c, const char *data, size_t len, int depth)
{
    if (len >= 4 && !memcmp(data, "PK\x03\x04", 4)) {
        read_zip(c, data, len);
        return;
    }
    if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b &&
        depth == 0) {
        char *buf = NULL;
        size_t n = 0;
        const char *why = "corrupt gzip data";
        int rc = gunzip(data, len, &buf, &n, &why);
        if (rc)
            sw_log_bad(c, 0, "%s%s", why, rc > 0 ? "; read what was inflated" : "");
        if (buf)
            read_any(c, buf, n, depth + 1);
        free(buf);
        return;
    }
    sw_dmarcxml_read_document(c, NULL, data, len);
}

int sw_dmarcxml_read(sw_logctx *c)
{
    c->unit = "line";
    read_any(c, c->data, c->len, 0);
    return 0;
}

/* ---- peeking (mail attachments) ---- */

#define PEEK 8192

static int xml_has_feedback(const char *p, size_t n)
{
    return memmem(p, n < PEEK ? n : PEEK, "<feedback", 9) != NULL ||
           memmem(p, n < PEEK ? n : PEEK, ":feedback", 9) != NULL;
}

int sw_dmarc_is_aggregate(const char *data, size_t len)
{
    if (!data || len < 4)
        return 0;
    if ((unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
        char out[PEEK];
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 15 + 32) != Z_OK)
            return 0;
        z.next_in = (unsigned char *)data;
        z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
        z.next_out = (unsigned char *)out;
        z.avail_out = sizeof out;
        int rc = inflate(&z, Z_NO_FLUSH);
        size_t n = sizeof out - z.avail_out;
        inflateEnd(&z);
        return (rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR) &&
               xml_has_feedback(out, n);
    }
    if (!memcmp(data, "PK\x03\x04", 4)) {
        struct archive *ar = archive_read_new();
        if (!ar)
            return 0;
        archive_read_support_format_zip(ar);
        int found = 0, entries = 0;
        struct archive_entry *e;
        if (archive_read_open_memory(ar, data, len) == ARCHIVE_OK)
            while (!found && entries++ < SW_MAX_ZIP_ENTRIES &&
                   archive_read_next_header(ar, &e) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);
                if (!name || !ends_with(name, ".xml"))
                    continue;
                char out[PEEK];
                la_ssize_t got = archive_read_data(ar, out, sizeof out);
                found = got > 0 && xml_has_feedback(out, (size_t)got);
            }
        archive_read_free(ar);
        return found;
    }
    return xml_has_feedback(data, len);
}
