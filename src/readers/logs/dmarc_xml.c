/* DMARC aggregate reports (formats.md §6.1), source id "dmarc-aggregate": one XML
 * document, RFC 7489 Appendix C or RFC 9990, with or without the dmarc-2.0 namespace, into
 * rows. dmarc_container.c finds the documents in files, gzip and zip.
 *
 * One row, and so one record, per <record>: a bucket of `count` messages from one source
 * IP with one set of identifiers and results, not one message. The report's metadata and
 * published policy are copied onto every row as fields.
 *
 * XML safety: the libxml2 streaming reader runs with network access off and WITHOUT entity
 * substitution or DTD loading, so entity references stay references and are ignored; a
 * DOCTYPE in the prolog is blanked out before parsing and reported. Element text is capped
 * (SW_MAX_DMARC_TEXT), as is the record count (dmarc_container.c caps the inflated size);
 * element names are kept MAX_DEPTH deep, and libxml2 refuses nesting past its own limit (256). Malformed XML is read in
 * recover mode as far as libxml2 gets, each error reported with the file's name and line;
 * when the streaming reader gives up, a document up to MAX_RECOVER_TREE is re-read as a
 * recovered tree and only the records not yet emitted are emitted. Bytes that are not UTF-8
 * in a document that claims UTF-8 (or no encoding) are replaced by U+FFFD first, so one bad
 * byte does not end the report.
 *
 * Memory: report-level strings live in an arena of one document's reading; a record's
 * strings in c->row_arena, reset after each row is emitted. */
#include "dmarc_report.h"
#include "spoofwatch/dmarc.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"
#include "spoofwatch/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SOURCE "dmarc-aggregate"
#define MAX_DEPTH 32
#define MAX_NAME 32
#define MAX_DKIM 8
#define MAX_SPF 4
#define MAX_REASONS 4
#define MAX_XML_ERRORS 5

typedef struct auth_entry {
    const char *domain, *selector, *result, *scope, *human;
} auth_entry;

typedef struct report {
    sw_arena arena; /* report-level strings */
    const char *ns, *version, *org_name, *email, *extra, *report_id, *begin, *end, *generator;
    const char *errors;
    const char *pol[10]; /* policy_published, in pol_names order */
    const char *entry;   /* zip entry name, when read from a zip */
} report;

static const char *const pol_names[10] = {"domain", "adkim", "aspf", "p",       "sp",
                                          "pct",    "fo",    "np",   "testing", "discovery_method"};

typedef struct rec_state {
    const char *source_ip, *count, *disposition, *pe_dkim, *pe_spf;
    const char *envelope_to, *envelope_from, *header_from;
    const char *reason_type[MAX_REASONS], *reason_comment[MAX_REASONS];
    size_t nreasons;
    auth_entry dkim[MAX_DKIM], spf[MAX_SPF];
    size_t ndkim, nspf;
    auth_entry cur; /* the dkim/spf entry being read */
    const char *cur_type, *cur_comment;
    uint64_t line;
} rec_state;

typedef struct xread {
    sw_logctx *c;
    report *r;
    rec_state rec;
    int in_record; /* depth of the open <record>, 0 outside */
    int base;      /* depth of <feedback>, 0 until seen */
    int not_report;
    uint64_t records;
    uint64_t skip; /* records already emitted by the streaming pass */
    int skip_pass; /* the recovery pass: errors were reported by the first */
    int xml_errors;
    char names[MAX_DEPTH][MAX_NAME];
    int depth;
    char text[SW_MAX_DMARC_TEXT];
    size_t tlen;
    int text_cut;
} xread;

/* ---- errors ---- */

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    xread *x = ctx;
    if (!e || e->level < XML_ERR_ERROR)
        return;
    if (++x->xml_errors > MAX_XML_ERRORS)
        return;
    char msg[300];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "error");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    sw_log_bad(x->c, e->line > 0 ? (uint64_t)e->line : 0, "XML%s%s: %s (read on in recover mode)",
               x->r->entry ? " in zip entry " : "", x->r->entry ? x->r->entry : "", msg);
}

/* ---- values ---- */

static const char *text_value(xread *x, sw_arena *a)
{
    const char *s = x->text;
    size_t n = x->tlen;
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return sw_arena_strndup(a, s, n);
}

/* Enumerated words (disposition, pass/fail, p=, reason types) and domain names are
 * lower-cased at ingest: reporters write "Pass", "None", "Outlook.com". */
static const char *lower_value(xread *x, sw_arena *a)
{
    char *v = (char *)text_value(x, a);
    if (v)
        for (char *p = v; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return v;
}

static int is_domain_like(const char *v)
{
    return v && strchr(v, '.') && !strpbrk(v, " \t@<>\"");
}

static const char *parent(const xread *x, int up)
{
    int i = x->depth - 1 - up;
    return i >= 0 && i < MAX_DEPTH ? x->names[i] : "";
}

static const char *epoch_text(sw_arena *a, const char *s)
{
    if (!s || !*s)
        return NULL;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0 || v > 253402300799LL)
        return NULL;
    time_t t = (time_t)v;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return NULL;
    return sw_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static const char *join(sw_arena *a, const char *old, const char *add)
{
    if (!add || !*add)
        return old;
    if (!old)
        return add;
    return sw_arena_printf(a, "%s; %s", old, add);
}

/* ---- one record to one row ---- */

static int emit_record(xread *x)
{
    sw_logctx *c = x->c;
    report *r = x->r;
    rec_state *s = &x->rec;
    sw_arena *a = c->row_arena;
    sw_log_row *row = c->row;
    sw_log_row_init(row, SOURCE, s->line);
    row->offset = 0;
    c->row_offset = 0;
    row->from_domain = s->header_from && *s->header_from ? s->header_from : NULL;
    row->envelope_from = s->envelope_from && *s->envelope_from ? s->envelope_from : NULL;
    sw_log_facts *f = &row->facts;
    if (!row->from_domain)
        f->absent |= SW_LOG_NO_HEADER_FROM;
    if (!row->envelope_from)
        f->absent |= SW_LOG_NO_ENVELOPE_FROM;
    /* a report names a disposition for the bucket, no per-recipient delivery */
    f->absent |= SW_LOG_NO_DELIVERY;

    row->auth_field = "dmarc-aggregate.auth_results";
    int dkim_nodomain = 0;
    for (size_t i = 0; i < s->ndkim; i++) {
        size_t before = row->nauth;
        sw_log_row_auth(row, "dkim", s->dkim[i].result, s->dkim[i].domain);
        if (row->nauth > before)
            row->auth[before].selector = s->dkim[i].selector;
        if (!s->dkim[i].domain || !*s->dkim[i].domain)
            dkim_nodomain = 1;
    }
    for (size_t i = 0; i < s->nspf; i++)
        sw_log_row_auth(row, "spf", s->spf[i].result, s->spf[i].domain);
    /* DMARC passes when either aligned result (policy_evaluated) passes */
    if (s->pe_dkim || s->pe_spf) {
        int pass = (s->pe_dkim && !strcasecmp(s->pe_dkim, "pass")) ||
                   (s->pe_spf && !strcasecmp(s->pe_spf, "pass"));
        sw_log_row_auth(row, "dmarc", pass ? "pass" : "fail", row->from_domain);
    }
    if (!row->nauth)
        f->absent |= SW_LOG_NO_AUTH;
    if (dkim_nodomain)
        f->absent |= SW_LOG_NO_DKIM_DOMAIN;

    f->sender_ip = s->source_ip && *s->source_ip ? s->source_ip : NULL;
    f->flags |= SW_LOGF_DMARC_AGGREGATE;
    if (s->count && *s->count) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(s->count, &end, 10);
        if (*end || s->count[0] == '-' || errno == ERANGE)
            sw_log_bad(c, s->line, "record count \"%s\" is not a number; counted as 1",
                       s->count);
        else
            f->count = n;
    }
    f->time = epoch_text(a, r->begin);
    f->provider_verdict = s->disposition && *s->disposition
                              ? sw_arena_printf(a, "disposition=%s", s->disposition)
                              : NULL;

    sw_log_row_field(row, "org_name", r->org_name);
    sw_log_row_field(row, "email", r->email);
    sw_log_row_field(row, "extra_contact_info", r->extra);
    sw_log_row_field(row, "report_id", r->report_id);
    sw_log_row_field(row, "date_range_begin", r->begin);
    sw_log_row_field(row, "date_range_end", r->end);
    sw_log_row_field(row, "date_range_end_utc", epoch_text(a, r->end));
    sw_log_row_field(row, "generator", r->generator);
    sw_log_row_field(row, "report_error", r->errors);
    static const char *const pol_keys[10] = {
        "policy_domain", "policy_adkim", "policy_aspf", "policy_p", "policy_sp",
        "policy_pct", "policy_fo", "policy_np", "policy_testing", "policy_discovery_method"};
    for (int i = 0; i < 10; i++) {
        const char *v = r->pol[i];
        /* RFC 7489 §6.3: adkim and aspf default to relaxed */
        if ((!v || !*v) && (i == 1 || i == 2))
            v = "r";
        sw_log_row_field(row, pol_keys[i], v);
    }
    sw_log_row_field(row, "disposition", s->disposition);
    sw_log_row_field(row, "policy_evaluated_dkim", s->pe_dkim);
    sw_log_row_field(row, "policy_evaluated_spf", s->pe_spf);
    const char *types = NULL, *comments = NULL;
    for (size_t i = 0; i < s->nreasons; i++) {
        types = join(a, types, s->reason_type[i]);
        comments = join(a, comments, s->reason_comment[i]);
    }
    sw_log_row_field(row, "reason_type", types);
    sw_log_row_field(row, "reason_comment", comments);
    sw_log_row_field(row, "envelope_to", s->envelope_to);
    const char *selectors = NULL, *scopes = NULL, *human = NULL;
    for (size_t i = 0; i < s->ndkim; i++) {
        selectors = join(a, selectors, s->dkim[i].selector);
        human = join(a, human, s->dkim[i].human);
    }
    for (size_t i = 0; i < s->nspf; i++) {
        scopes = join(a, scopes, s->spf[i].scope);
        human = join(a, human, s->spf[i].human);
    }
    sw_log_row_field(row, "dkim_selector", selectors);
    sw_log_row_field(row, "spf_scope", scopes);
    sw_log_row_field(row, "human_result", human);
    sw_log_row_field(row, "xml_namespace", r->ns);
    sw_log_row_field(row, "xml_schema", r->version);
    sw_log_row_field(row, "zip_entry", r->entry);
    int stop = sw_log_emit(c, row);
    sw_arena_reset(a);
    memset(s, 0, sizeof *s);
    return stop;
}

/* ---- element ends: where each value goes ---- */

static void end_element(xread *x, const char *name)
{
    report *r = x->r;
    rec_state *s = &x->rec;
    sw_arena *ra = &r->arena, *a = x->c->row_arena;
    const char *p1 = parent(x, 1), *p2 = parent(x, 2);
    if (x->text_cut) {
        sw_log_bad(x->c, s->line, "<%s> text longer than %u bytes; cut", name,
                   SW_MAX_DMARC_TEXT);
        x->text_cut = 0;
    }
    if (x->base && x->depth == x->base + 1 && !strcmp(name, "version")) {
        r->version = text_value(x, ra);
    } else if (!strcmp(p1, "report_metadata")) {
        const char *v = text_value(x, ra);
        if (!strcmp(name, "org_name"))
            r->org_name = is_domain_like(v) ? lower_value(x, ra) : v;
        else if (!strcmp(name, "email"))
            r->email = v;
        else if (!strcmp(name, "extra_contact_info"))
            r->extra = v;
        else if (!strcmp(name, "report_id"))
            r->report_id = v;
        else if (!strcmp(name, "generator"))
            r->generator = v;
        else if (!strcmp(name, "error"))
            r->errors = join(ra, r->errors, v);
    } else if (!strcmp(p1, "date_range") && !strcmp(p2, "report_metadata")) {
        if (!strcmp(name, "begin"))
            r->begin = text_value(x, ra);
        else if (!strcmp(name, "end"))
            r->end = text_value(x, ra);
    } else if (!strcmp(p1, "policy_published")) {
        for (int i = 0; i < 10; i++)
            if (!strcmp(name, pol_names[i]))
                r->pol[i] = i == 6 ? text_value(x, ra) : lower_value(x, ra);
    } else if (!x->in_record) {
        return;
    } else if (!strcmp(p1, "row")) {
        if (!strcmp(name, "source_ip"))
            s->source_ip = text_value(x, a);
        else if (!strcmp(name, "count"))
            s->count = text_value(x, a);
    } else if (!strcmp(p1, "policy_evaluated")) {
        if (!strcmp(name, "disposition"))
            s->disposition = lower_value(x, a);
        else if (!strcmp(name, "dkim"))
            s->pe_dkim = lower_value(x, a);
        else if (!strcmp(name, "spf"))
            s->pe_spf = lower_value(x, a);
        else if (!strcmp(name, "reason")) {
            if (s->nreasons < MAX_REASONS && ((s->cur_type && *s->cur_type) ||
                                              (s->cur_comment && *s->cur_comment))) {
                s->reason_type[s->nreasons] = s->cur_type;
                s->reason_comment[s->nreasons++] = s->cur_comment;
            }
            s->cur_type = s->cur_comment = NULL;
        }
    } else if (!strcmp(p1, "reason") && !strcmp(p2, "policy_evaluated")) {
        if (!strcmp(name, "type"))
            s->cur_type = lower_value(x, a);
        else if (!strcmp(name, "comment"))
            s->cur_comment = text_value(x, a);
    } else if (!strcmp(p1, "identifiers")) {
        if (!strcmp(name, "envelope_to"))
            s->envelope_to = text_value(x, a);
        else if (!strcmp(name, "envelope_from"))
            s->envelope_from = text_value(x, a);
        else if (!strcmp(name, "header_from"))
            s->header_from = lower_value(x, a); /* from.domain, lower case as for mail */
    } else if (!strcmp(p1, "auth_results")) {
        if (!strcmp(name, "dkim") && s->ndkim < MAX_DKIM)
            s->dkim[s->ndkim++] = s->cur;
        else if (!strcmp(name, "spf") && s->nspf < MAX_SPF)
            s->spf[s->nspf++] = s->cur;
        memset(&s->cur, 0, sizeof s->cur);
    } else if (!strcmp(p2, "auth_results") && (!strcmp(p1, "dkim") || !strcmp(p1, "spf"))) {
        const char *v = text_value(x, a);
        if (!strcmp(name, "domain"))
            s->cur.domain = v;
        else if (!strcmp(name, "selector"))
            s->cur.selector = v;
        else if (!strcmp(name, "result"))
            s->cur.result = v;
        else if (!strcmp(name, "scope"))
            s->cur.scope = lower_value(x, a);
        else if (!strcmp(name, "human_result"))
            s->cur.human = v;
    }
}

/* Ends the open record: emitted, unless an earlier pass already emitted it. 1 stops. */
static int finish_record(xread *x)
{
    x->in_record = 0;
    if (x->records > x->skip)
        return emit_record(x) || x->c->stop;
    memset(&x->rec, 0, sizeof x->rec);
    return 0;
}

/* Handles one closing element (or an empty one); 1 stops the reading. */
static int close_element(xread *x)
{
    if (x->depth <= 0)
        return 0;
    const char *name = x->depth <= MAX_DEPTH ? x->names[x->depth - 1] : "";
    int stop = 0;
    if (x->in_record && x->depth == x->in_record)
        stop = finish_record(x);
    else
        end_element(x, name);
    x->depth--;
    x->tlen = 0;
    return stop || x->c->stop;
}

/* ---- the document ---- */

/* Copy of xml with every byte that does not start valid UTF-8 replaced by U+FFFD, when
 * the document claims UTF-8 (or nothing) and is not; NULL when no copy is needed. */
static char *utf8_repair(const char *xml, size_t len, size_t *out_len, size_t *bad)
{
    *bad = 0;
    if (sw_utf8_valid(xml, len))
        return NULL;
    const char *gt = memchr(xml, '>', len < 200 ? len : 200);
    if (len >= 5 && !memcmp(xml, "<?xml", 5) && gt) {
        const char *enc = memmem(xml, (size_t)(gt - xml), "encoding", 8);
        if (enc && !memmem(enc, (size_t)(gt - enc), "utf-8", 5) &&
            !memmem(enc, (size_t)(gt - enc), "UTF-8", 5) &&
            !memmem(enc, (size_t)(gt - enc), "utf8", 4) &&
            !memmem(enc, (size_t)(gt - enc), "UTF8", 4))
            return NULL; /* another declared encoding: libxml2 converts it */
    }
    if (len > SW_MAX_DMARC_XML / 3)
        return NULL;
    char *o = malloc(len * 3 + 1);
    if (!o)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; i < len;) {
        size_t k = sw_utf8_valid_prefix((const unsigned char *)xml + i, len - i);
        if (k) {
            memcpy(o + at, xml + i, k);
            at += k;
            i += k;
        } else {
            memcpy(o + at, "\xEF\xBF\xBD", 3);
            at += 3;
            i++;
            (*bad)++;
        }
    }
    *out_len = at;
    return o;
}

/* Line of the current node's start tag, as the node recorded it (XML_PARSE_BIG_LINES
 * keeps it past 65535): the parser's own line number runs ahead of the node by whatever
 * it has read in advance, and a walker over a recovered tree has no parser at all. */
static uint64_t node_line(xmlTextReaderPtr rd)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(rd);
    long line = n ? xmlGetLineNo(n) : -1;
    if (line <= 0)
        line = xmlTextReaderGetParserLineNumber(rd);
    return line > 0 ? (uint64_t)line : 0;
}

/* Runs one reader (streaming, or a walker over a recovered tree) over the document.
 * Records up to x->skip were emitted by an earlier pass and are not emitted again.
 * Returns xmlTextReaderRead's last value: 0 at the end, -1 on an error it cannot pass. */
static int walk(xread *x, xmlTextReaderPtr rd)
{
    sw_logctx *c = x->c;
    report *r = x->r;
    int doctype = 0, rc;
    while ((rc = xmlTextReaderRead(rd)) == 1) {
        int type = xmlTextReaderNodeType(rd);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE && !doctype) {
            doctype = 1;
            if (!x->skip_pass)
                sw_log_bad(c, node_line(rd),
                           "DOCTYPE declaration in a DMARC report: entities are not expanded");
        } else if (type == XML_READER_TYPE_ELEMENT) {
            const char *name = (const char *)xmlTextReaderConstLocalName(rd);
            if (!name)
                name = "";
            int empty = xmlTextReaderIsEmptyElement(rd);
            x->depth++;
            if (x->depth <= MAX_DEPTH)
                snprintf(x->names[x->depth - 1], MAX_NAME, "%s", name);
            x->tlen = 0;
            /* <feedback> is the root, or (ikea.com) sits inside an <xs:schema> wrapper */
            if (!x->base && !strcmp(name, "feedback") && x->depth <= 3) {
                x->base = x->depth;
                const char *ns = (const char *)xmlTextReaderConstNamespaceUri(rd);
                r->ns = ns ? sw_arena_strndup(&r->arena, ns, strlen(ns)) : NULL;
            } else if (!x->base && x->depth > 3) {
                if (!x->skip_pass)
                    sw_log_bad(c, node_line(rd),
                               "not a DMARC aggregate report: no <feedback> element");
                x->not_report = 1;
                break;
            }
            /* a record anywhere below feedback: recovered trees of broken XML nest it
             * deeper than it was written, even inside the record before it (a mismatched
             * end tag closes the wrong element), so an open record ends where the next
             * one starts; this happens the same way in both passes, so x->skip counts
             * the same records */
            int is_record = x->base && x->depth > x->base && !strcmp(name, "record");
            if (is_record && x->in_record && finish_record(x))
                break;
            if (is_record) {
                if (x->records == SW_MAX_DMARC_RECORDS) {
                    sw_log_bad(c, node_line(rd),
                               "more than %u records in one report; the rest is not read",
                               SW_MAX_DMARC_RECORDS);
                    break;
                }
                x->records++;
                x->in_record = x->depth;
                memset(&x->rec, 0, sizeof x->rec);
                /* libxml2's byte count runs ahead of the node, so no offset is claimed */
                x->rec.line = node_line(rd);
            }
            if (empty && close_element(x))
                break;
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (close_element(x))
                break;
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
            /* entity references are separate nodes and are never read as text */
            const char *t = (const char *)xmlTextReaderConstValue(rd);
            size_t n = t ? strlen(t) : 0;
            if (x->tlen + n > sizeof x->text - 1) {
                n = sizeof x->text - 1 - x->tlen;
                x->text_cut = 1;
            }
            if (n)
                memcpy(x->text + x->tlen, t, n);
            x->tlen += n;
        }
    }
    if (x->in_record && !c->stop && rc == 0) {
        /* the document ended inside a record (truncated): keep what it said */
        finish_record(x);
    }
    return rc;
}

/* Largest document re-read as a recovered tree after the streaming reader gave up. The
 * tree costs about eleven times the document (measured: 31 MB of records, 360 MB peak). */
#define MAX_RECOVER_TREE (32u << 20)

/* Where the DOCTYPE declaration (internal subset included) starting at d ends: one past
 * its '>', or end. Quotes, comments and the [...] subset may hold a '>'. */
static const char *doctype_end(const char *d, const char *end)
{
    int subset = 0;
    for (const char *p = d + 9; p < end; p++) {
        if (*p == '"' || *p == '\'') {
            const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
            if (!q)
                return end;
            p = q;
        } else if (subset && end - p >= 4 && !memcmp(p, "<!--", 4)) {
            const char *q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
            if (!q)
                return end;
            p = q + 2;
        } else if (*p == '[') {
            subset = 1;
        } else if (*p == ']') {
            subset = 0;
        } else if (*p == '>' && !subset) {
            return p + 1;
        }
    }
    return end;
}

/* Blanks every DOCTYPE declaration in the prolog (the XML declaration, comments,
 * processing instructions and white space before the root element, however long), line
 * breaks kept so error lines stay right; the entities it defines are then undefined
 * references, which recover mode skips. Reports never need one; its entity definitions are
 * what billion-laughs and external-entity attacks are made of. Returns how many were
 * blanked; xml is copied to *copy (malloc'd) first when *copy is NULL, and *copy stays NULL
 * when there is none or memory runs out (-1). */
static int blank_doctypes(const char *xml, size_t len, char **copy)
{
    const char *p = xml, *end = xml + len;
    int n = 0;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    while (p < end) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            p++;
        } else if (end - p >= 2 && !memcmp(p, "<?", 2)) {
            const char *q = memmem(p + 2, (size_t)(end - p - 2), "?>", 2);
            p = q ? q + 2 : end;
        } else if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
            const char *q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
            p = q ? q + 3 : end;
        } else if (end - p >= 9 && !memcmp(p, "<!DOCTYPE", 9)) {
            const char *e = doctype_end(p, end);
            if (!*copy) {
                *copy = malloc(len);
                if (!*copy)
                    return -1;
                memcpy(*copy, xml, len);
            }
            for (char *b = *copy + (p - xml); b < *copy + (e - xml); b++)
                if (*b != '\n')
                    *b = ' ';
            n++;
            p = e;
        } else {
            break; /* the root element, or text libxml2 will complain about */
        }
    }
    return n;
}

/* The streaming reader stops at the first fatal error even in recover mode; libxml2's tree
 * parser recovers (an unclosed tag becomes an empty element), so the document is read
 * again that way, and only the records after those already emitted are emitted: the
 * record the error interrupted was not, and is read again in full. */
static void reread_recovered(xread *x, const char *xml, size_t len, int opts)
{
    report *r = x->r;
    uint64_t done = x->records - (x->in_record ? 1 : 0);
    xmlDocPtr doc = len <= MAX_RECOVER_TREE ? xmlReadMemory(xml, (int)len, NULL, NULL, opts)
                                            : NULL;
    xmlTextReaderPtr w = doc ? xmlReaderWalker(doc) : NULL;
    if (w) {
        /* the report's own fields are read again too (joined ones would double) */
        const char *entry = r->entry;
        sw_arena keep = r->arena;
        memset(r, 0, sizeof *r);
        r->arena = keep;
        r->entry = entry;
        x->depth = x->base = x->in_record = 0;
        x->records = 0;
        x->skip = done;
        x->skip_pass = 1;
        walk(x, w);
        xmlFreeTextReader(w);
    } else {
        sw_log_bad(x->c, 0, "XML could not be recovered%s; %llu record%s read, the rest of the "
                            "report is lost",
                   len > MAX_RECOVER_TREE ? " (too large to re-read)" : "",
                   (unsigned long long)done, done == 1 ? "" : "s");
    }
    if (doc)
        xmlFreeDoc(doc);
}

static void read_xml(sw_logctx *c, report *r, const char *xml, size_t len)
{
    if (len == 0) {
        sw_log_bad(c, 0, "empty DMARC report%s%s", r->entry ? " in zip entry " : "",
                   r->entry ? r->entry : "");
        return;
    }
    if (len > SW_MAX_DMARC_XML || len > INT32_MAX) {
        sw_log_bad(c, 0, "DMARC report of %zu bytes is over the %u-byte cap", len,
                   SW_MAX_DMARC_XML);
        return;
    }
    size_t fixed_len = 0, bad = 0;
    char *fixed = utf8_repair(xml, len, &fixed_len, &bad);
    if (fixed) {
        xml = fixed;
        len = fixed_len;
    }
    int doctypes = blank_doctypes(xml, len, &fixed);
    if (doctypes < 0) {
        sw_log_bad(c, 0, "out of memory");
        return;
    }
    if (doctypes) {
        xml = fixed;
        sw_log_bad(c, 0, "DOCTYPE declaration ignored: DMARC reports need none, and its "
                         "entities are not expanded");
    }
    xread *x = calloc(1, sizeof *x);
    if (!x) {
        free(fixed);
        sw_log_bad(c, 0, "out of memory");
        return;
    }
    x->c = c;
    x->r = r;
    /* never XML_PARSE_NOENT (entity substitution) nor XML_PARSE_DTDLOAD/DTDATTR */
    int opts = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
               XML_PARSE_BIG_LINES;
    xmlTextReaderPtr rd = xmlReaderForMemory(xml, (int)len, NULL, NULL, opts);
    if (!rd) {
        sw_log_bad(c, 0, "cannot start the XML reader");
        free(fixed);
        free(x);
        return;
    }
    xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, x);
    uint64_t bad_before = c->bad;
    int rc = walk(x, rd);
    xmlFreeTextReader(rd);
    if (rc < 0 && !c->stop && !x->not_report)
        reread_recovered(x, xml, len, opts);
    if (x->xml_errors > MAX_XML_ERRORS)
        sw_log_bad(c, 0, "%d more XML errors not shown", x->xml_errors - MAX_XML_ERRORS);
    if (!x->base && c->bad == bad_before)
        sw_log_bad(c, 0, "no <feedback> element: not a DMARC aggregate report");
    else if (x->base && !x->records && c->bad == bad_before)
        sw_log_bad(c, 0, "DMARC aggregate report without any <record>");
    if (bad)
        sw_log_bad(c, 0, "%zu byte%s not valid UTF-8, read as U+FFFD", bad,
                   bad == 1 ? "" : "s");
    free(fixed);
    free(x);
}

static void report_init(report *r)
{
    memset(r, 0, sizeof *r);
    sw_arena_init(&r->arena, 1u << 20);
}

void sw_dmarcxml_read_document(sw_logctx *c, const char *entry, const char *xml, size_t len)
{
    report r;
    report_init(&r);
    if (entry)
        r.entry = sw_arena_strndup(&r.arena, entry, strlen(entry));
    read_xml(c, &r, xml, len);
    sw_arena_free(&r.arena);
}
