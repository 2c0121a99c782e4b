/* Rows to records: see include/spoofwatch/logsource.h.
 *
 * Pending records sit in a FIFO ring of SW_LOG_MERGE_WINDOW slots with a hash index on
 * (source, merge key). Each pending record owns an arena: a row's strings are copied in
 * when the row first brings them, and the record is handed to the callback with that arena
 * (detection allocates there too) before the arena is reset for the slot's next record (its
 * first block is kept; all are freed when the file is done). The newest slot is tried
 * first, because exports write a message's per-recipient rows together. The index (hash and
 * chain link of each slot) is kept apart from the slots: a slot is over a kilobyte, and a
 * lookup that walked the slots themselves took a cache miss per step. */
#include "spoofwatch/logsource.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/limits.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BUCKETS (SW_LOG_MERGE_WINDOW * 2)

typedef struct pending {
    const char *source, *key; /* in the slot's arena */
    sw_arena arena;
    sw_record rec;
    size_t cap_recipients, cap_fields;
} pending;

struct sw_logmerge {
    pending slots[SW_LOG_MERGE_WINDOW];
    uint32_t hash[SW_LOG_MERGE_WINDOW]; /* of the slot's (source, key) */
    int next[SW_LOG_MERGE_WINDOW];      /* bucket chain, -1 ends */
    int buckets[BUCKETS];
    size_t head, count; /* ring: oldest at head */
    int (*on_record)(const sw_record *rec, sw_arena *a, void *ctx);
    void *ctx;
    const char *path;
    int compressed;
    uint64_t records;
};

/* ---- row helpers ---- */

void sw_log_row_init(sw_log_row *row, const char *source, uint64_t line)
{
    row->source = source;
    row->merge_key = NULL;
    row->line = line;
    row->offset = 0;
    row->from_address = row->from_display = row->envelope_from = row->sender = NULL;
    row->from_domain = NULL;
    row->reply_to = row->message_id = row->subject = NULL;
    row->nrecipients = 0;
    row->nauth = 0;
    row->auth_field = NULL;
    memset(&row->facts, 0, sizeof row->facts);
    row->nfields = 0;
}

sw_recipient *sw_log_row_recipient(sw_log_row *row, const char *address, const char *field)
{
    if (!address || !*address)
        return NULL;
    for (size_t i = 0; i < row->nrecipients; i++)
        if (!strcasecmp(row->recipients[i].address, address) &&
            !strcmp(row->recipients[i].field ? row->recipients[i].field : "", field ? field : ""))
            return &row->recipients[i];
    if (row->nrecipients == SW_LOG_MAX_ROW_RECIPIENTS)
        return NULL;
    sw_recipient *r = &row->recipients[row->nrecipients++];
    memset(r, 0, sizeof *r);
    r->address = address;
    r->field = field;
    return r;
}

const char *sw_log_auth_result(sw_arena *a, const char *v)
{
    if (!v)
        return NULL;
    while (*v == ' ')
        v++;
    if (!*v)
        return NULL;
    static const struct {
        const char *logged, *result;
    } map[] = {
        {"pass", "pass"},
        {"fail", "fail"},
        {"none", "none"},
        {"softfail", "softfail"},
        {"neutral", "neutral"},
        {"permerror", "permerror"},
        {"temperror", "temperror"},
        {"permanent error", "permerror"},
        {"temporary error", "temperror"},
        {"perm error", "permerror"},
        {"temp error", "temperror"},
        {"bestguesspass", "bestguesspass"},
        {"softpass", "softpass"},
        {"policy", "policy"},
        {"true", "pass"},
        {"false", "fail"},
        {"hardfail", "fail"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(v, map[i].logged))
            return map[i].result;
    return sw_arena_strndup_lower(a, v, strlen(v));
}

void sw_log_row_auth(sw_log_row *row, const char *method, const char *as_logged,
                     const char *domain)
{
    (void)row;
    if (!method || !as_logged || !*as_logged || row->nauth == SW_LOG_MAX_ROW_AUTH)
        return;
    sw_log_auth *x = &row->auth[row->nauth++];
    x->method = method;
    x->result = NULL; /* normalised at emit, in the record's arena */
    x->as_logged = as_logged;
    x->domain = domain && *domain ? domain : NULL;
    x->selector = NULL;
}

const char *sw_log_message_id(sw_arena *a, const char *v)
{
    if (!v)
        return NULL;
    if (!strchr(v, '\\')) /* the common case: nothing to undo */
        return v;
    size_t n = strlen(v);
    char *out = sw_arena_alloc(a, n + 1);
    if (!out)
        return v;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (v[i] == '\\' && i + 6 <= n && !strncasecmp(v + i, "\\u003c", 6)) {
            out[o++] = '<';
            i += 6;
        } else if (v[i] == '\\' && i + 6 <= n && !strncasecmp(v + i, "\\u003e", 6)) {
            out[o++] = '>';
            i += 6;
        } else {
            out[o++] = v[i++];
        }
    }
    out[o] = '\0';
    return out;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int sw_log_time(const char *s, int64_t *epoch)
{
    int y, mo, d, h, mi, sec = 0;
    if (!s || strlen(s) < 16 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &sec))
            return -1;
        p += 3;
    }
    if (*p == '.' || *p == ',') {
        p++;
        while (isdigit((unsigned char)*p))
            p++;
    }
    while (*p == ' ')
        p++;
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (digits(p, 2, &oh))
            return -1;
        p += 2;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p)) {
            if (digits(p, 2, &om))
                return -1;
            p += 2;
        }
        off = sign * (oh * 60 + om);
    }
    if (*p && *p != ' ')
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    *epoch = sw_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
             sec - (int64_t)off * 60;
    return 0;
}

/* Which classes of the delivery vocabulary the lower-case text s[0..n) names anywhere, in
 * one pass: a word is looked for only where its first letter is (this runs for every
 * recipient of every row, and a strstr per word was a measurable share of a scan). */
enum { W_JUNK = 1, W_BLOCKED = 2, W_INBOX = 4 };

static unsigned word_at(const char *p, size_t left, const char *w, size_t wn, unsigned cls)
{
    return left >= wn && !memcmp(p, w, wn) ? cls : 0u;
}
#define AT(w, cls) word_at(p, left, (w), sizeof(w) - 1, (cls))

static unsigned delivery_words(const char *s, size_t n)
{
    unsigned found = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = s + i;
        size_t left = n - i;
        switch (*p) {
        case 'j': found |= AT("junk", W_JUNK); break;
        case 's': found |= AT("spam", W_JUNK); break;
        case 'q': found |= AT("quarantine", W_BLOCKED); break;
        case 'b': found |= AT("block", W_BLOCKED); break;
        case 'f': found |= AT("fail", W_BLOCKED); break;
        case 'd':
            found |= AT("drop", W_BLOCKED) | AT("deleted", W_BLOCKED) | AT("deliver", W_INBOX);
            break;
        case 'r': found |= AT("reject", W_BLOCKED) | AT("replaced", W_BLOCKED); break;
        case 'u': found |= AT("undeliver", W_BLOCKED); break;
        case 'i': found |= AT("inbox", W_INBOX); break;
        case 'o': found |= AT("on-premises", W_INBOX); break;
        case 'e': found |= AT("external", W_INBOX); break;
        default: break;
        }
    }
    return found;
}
#undef AT

int sw_log_delivered(const char *action, const char *location)
{
    /* the location says where it ended up; the action is the fallback. Within one text a
     * junk word outweighs a blocking one, which outweighs a delivering one. */
    const char *t[2] = {location, action};
    for (int i = 0; i < 2; i++) {
        if (!t[i] || !*t[i])
            continue;
        char s[64]; /* the vocabularies are short words; a longer text is cut, not misread */
        size_t n = 0;
        for (; t[i][n] && n < sizeof s - 1; n++)
            s[n] = (char)tolower((unsigned char)t[i][n]);
        s[n] = '\0';
        unsigned found = delivery_words(s, n);
        if (found & W_JUNK)
            return SW_DELIVERED_JUNK;
        if (found & W_BLOCKED)
            return SW_DELIVERED_BLOCKED;
        if ((found & W_INBOX) || !strcmp(s, "success") || !strcmp(s, "true"))
            return SW_DELIVERED_INBOX;
    }
    return SW_DELIVERED_UNKNOWN;
}

/* ---- errors ---- */

void sw_log_bad(sw_logctx *c, uint64_t line, const char *fmt, ...)
{
    char why[1024], msg[5200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!line)
        snprintf(msg, sizeof msg, "%s: %s", c->path, why);
    else if (c->unit && strcmp(c->unit, "line"))
        snprintf(msg, sizeof msg, "%s: %s %llu: %s", c->path, c->unit, (unsigned long long)line,
                 why);
    else
        snprintf(msg, sizeof msg, "%s:%llu: %s", c->path, (unsigned long long)line, why);
    c->bad++;
    if (c->on_error)
        c->on_error(msg, c->error_ctx);
}

/* ---- the merger ---- */

/* A word at a time: every row hashes its source and merge key (a 36-byte GUID for
 * EmailEvents), and FNV's byte loop was a tenth of merging a row. The hash only picks a
 * bucket; equality is still decided by strcmp. */
static uint64_t mix_text(uint64_t h, const char *s)
{
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    size_t n = strlen(s);
    uint64_t w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    w = 0xff; /* ends the text, so ("ab","c") and ("a","bc") differ */
    while (n--)
        w = (w << 8) | (unsigned char)s[n];
    h = (h ^ w) * k;
    return h ^ (h >> 29);
}

static uint32_t key_hash(const char *source, const char *key)
{
    uint64_t h = mix_text(mix_text(2166136261u, source), key);
    return (uint32_t)(h ^ (h >> 32));
}

/* A record copies some 45 strings of its first row: the copy is done here, with the inline
 * sw_arena_alloc, rather than through a call to sw_arena_strndup per string. */
static const char *dup(sw_arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = sw_arena_alloc(a, n);
    return p ? memcpy(p, s, n) : NULL;
}

static int grow(sw_arena *a, void **arr, size_t count, size_t *cap, size_t elem, size_t max)
{
    if (count < *cap)
        return 0;
    if (count >= max)
        return -1;
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap > max)
        ncap = max;
    void *n = sw_arena_alloc(a, ncap * elem);
    if (!n)
        return -1;
    if (count)
        memcpy(n, *arr, count * elem);
    *arr = n;
    *cap = ncap;
    return 0;
}

static void fill_from(sw_arena *a, sw_record *rec, const sw_log_row *row)
{
    if (rec->has_from)
        return;
    if ((!row->from_address || !*row->from_address) && row->from_domain && *row->from_domain) {
        /* only the domain is known (DMARC aggregate rows): detection aligns on the domain;
         * the address stays NULL rather than inventing a local part */
        rec->from.domain = dup(a, row->from_domain);
        rec->has_from = rec->from.domain != NULL;
        rec->from_header_count = 1;
        return;
    }
    if (!row->from_address || !*row->from_address)
        return;
    const char *addr = row->from_address;
    sw_address_list l;
    memset(&l, 0, sizeof l);
    if (sw_address_parse(a, addr, strlen(addr), &l) == 0 && l.count) {
        rec->from = l.items[0];
        rec->from_all = l;
    } else {
        rec->from.address = dup(a, addr);
        const char *at = strrchr(addr, '@');
        rec->from.domain = at ? dup(a, at + 1) : NULL;
    }
    if (row->from_display && *row->from_display) {
        rec->from.display_name = dup(a, row->from_display);
        rec->from.display_raw = rec->from.display_name;
    }
    rec->has_from = rec->from.address && rec->from.domain;
    rec->from_header_count = 1;
}

static void fill_list(sw_arena *a, sw_address_list *l, const char *s)
{
    if (l->count || !s || !*s)
        return;
    sw_address_parse(a, s, strlen(s), l);
}

static void add_auth(sw_arena *a, sw_record *rec, const sw_log_row *row)
{
    if (rec->nauth || !row->nauth)
        return;
    sw_auth_fact *f = sw_arena_calloc(a, row->nauth * sizeof *f);
    sw_authres_header *h = sw_arena_calloc(a, sizeof *h);
    if (!f || !h)
        return;
    const char *origin = dup(a, row->auth_field ? row->auth_field : "log");
    for (size_t i = 0; i < row->nauth; i++) {
        const sw_log_auth *x = &row->auth[i];
        sw_auth_fact *o = &f[i];
        o->method = dup(a, x->method); /* a source may name a method from its row */
        o->result = sw_log_auth_result(a, x->as_logged);
        if (o->result && strcasecmp(o->result, x->as_logged))
            o->comment = sw_arena_printf(a, "logged as %s", x->as_logged);
        o->origin = origin;
        o->authserv_id = row->source;
        o->arc_instance = -1;
        /* the identity each method checked, so alignment can be recomputed */
        const char *ptype = NULL, *prop = NULL, *val = x->domain;
        if (!strcmp(x->method, "dkim")) {
            ptype = "header";
            prop = "d";
        } else if (!strcmp(x->method, "spf")) {
            ptype = "smtp";
            prop = "mailfrom";
            if (!val)
                val = rec->envelope_from;
        } else if (!strcmp(x->method, "dmarc")) {
            ptype = "header";
            prop = "from";
            if (!val)
                val = rec->from.domain;
        }
        if (ptype && val && *val) {
            sw_authres_prop *p = sw_arena_alloc(a, 2 * sizeof *p);
            if (p) {
                p[0] = (sw_authres_prop){ptype, prop, dup(a, val)};
                o->props = p;
                o->nprops = 1;
                if (!strcmp(x->method, "dkim") && x->selector && *x->selector)
                    p[o->nprops++] = (sw_authres_prop){"header", "s", dup(a, x->selector)};
            }
        }
        if (!o->result)
            o->result = "none";
    }
    h->origin = origin;
    h->authserv_id = row->source;
    h->first_fact = 0;
    h->nfacts = row->nauth;
    h->parsed = 1;
    h->from_log = 1;
    rec->auth = f;
    rec->nauth = row->nauth;
    rec->arh = h;
    rec->narh = 1;
}

static void merge_row(pending *p, const sw_log_row *row)
{
    sw_arena *a = &p->arena;
    sw_record *rec = &p->rec;
    sw_log_facts *lf = &rec->log;
    if (!rec->envelope_from && row->envelope_from) {
        rec->envelope_from = dup(a, row->envelope_from);
        rec->return_path_count = 1;
    }
    fill_from(a, rec, row);
    fill_list(a, &rec->sender, row->sender);
    fill_list(a, &rec->reply_to, row->reply_to);
    if (!rec->message_id && row->message_id && *row->message_id)
        rec->message_id = dup(a, sw_log_message_id(a, row->message_id));
    if (!rec->subject && row->subject)
        rec->subject = dup(a, row->subject);

    for (size_t i = 0; i < row->nrecipients; i++) {
        const sw_recipient *in = &row->recipients[i];
        sw_recipient *same = NULL;
        for (size_t j = 0; j < rec->nrecipients && !same; j++)
            if (!strcasecmp(rec->recipients[j].address, in->address) &&
                !strcmp(rec->recipients[j].field ? rec->recipients[j].field : "",
                        in->field ? in->field : ""))
                same = &rec->recipients[j];
        if (!same) {
            if (grow(a, (void **)&rec->recipients, rec->nrecipients, &p->cap_recipients,
                     sizeof *rec->recipients, SW_MAX_LOG_RECIPIENTS))
                continue;
            same = &rec->recipients[rec->nrecipients++];
            memset(same, 0, sizeof *same);
            same->address = dup(a, in->address);
            same->display_name = dup(a, in->display_name);
            same->field = dup(a, in->field);
        }
        /* a later row of the same recipient (post-delivery events) updates the outcome */
        if (in->delivery_action)
            same->delivery_action = dup(a, in->delivery_action);
        if (in->delivery_location)
            same->delivery_location = dup(a, in->delivery_location);
        if (in->latest_location)
            same->latest_location = dup(a, in->latest_location);
        if (in->status)
            same->status = dup(a, in->status);
        /* a row that says nothing about the outcome (a transport step such as
         * HAREDIRECTFAIL after SEND) keeps the one already known */
        int outcome = in->delivered ? in->delivered
                                    : sw_log_delivered(same->delivery_action,
                                                       same->latest_location
                                                           ? same->latest_location
                                                           : same->delivery_location);
        if (outcome != SW_DELIVERED_UNKNOWN)
            same->delivered = outcome;
    }
    add_auth(a, rec, row);

    const sw_log_facts *rf = &row->facts;
#define KEEP(field)                                                                                \
    do {                                                                                           \
        if (!lf->field && rf->field && *rf->field)                                                 \
            lf->field = dup(a, rf->field);                                                         \
    } while (0)
    KEEP(time);
    KEEP(network_message_id);
    KEEP(direction);
    KEEP(sender_ip);
    KEEP(provider_verdict);
    KEEP(detection);
    KEEP(overrides);
#undef KEEP
    if (!lf->has_time && rf->time && sw_log_time(rf->time, &lf->time_epoch) == 0)
        lf->has_time = 1;
    lf->flags |= rf->flags;
    lf->absent = lf->rows ? (lf->absent & rf->absent) : rf->absent;
    lf->count += rf->count;
    lf->rows++;
    for (size_t i = 0; i < row->nfields; i++) {
        /* rows of one message mostly carry the same columns in the same order: try the
         * same position before looking through all. The first row of a message finds none
         * of its keys, so the search compares a first byte before calling strcmp. */
        const char *key = row->fields[i].key;
        int seen = i < lf->nfields && !strcmp(lf->fields[i].key, key);
        for (size_t j = 0; j < lf->nfields && !seen; j++)
            seen = lf->fields[j].key[0] == key[0] && !strcmp(lf->fields[j].key, key);
        if (seen || grow(a, (void **)&lf->fields, lf->nfields, &p->cap_fields,
                         sizeof *lf->fields, SW_MAX_LOG_FIELDS))
            continue;
        lf->fields[lf->nfields].key = dup(a, row->fields[i].key);
        lf->fields[lf->nfields].value = dup(a, row->fields[i].value);
        lf->nfields++;
    }
}

static void unlink_slot(sw_logmerge *m, int idx)
{
    pending *p = &m->slots[idx];
    if (!p->key)
        return;
    int *link = &m->buckets[m->hash[idx] % BUCKETS];
    while (*link != -1 && *link != idx)
        link = &m->next[*link];
    if (*link == idx)
        *link = m->next[idx];
}

/* Hands the oldest pending record to the callback and frees its slot. */
static int flush_oldest(sw_logmerge *m)
{
    int idx = (int)m->head;
    pending *p = &m->slots[idx];
    unlink_slot(m, idx);
    int stop = 0;
    if (m->on_record)
        stop = m->on_record(&p->rec, &p->arena, m->ctx);
    m->records++;
    /* the slot's next record reuses the arena's first block: a 64 KiB malloc and free per
     * message showed in the profile */
    sw_arena_reset(&p->arena);
    p->key = NULL;
    m->head = (m->head + 1) % SW_LOG_MERGE_WINDOW;
    m->count--;
    return stop;
}

static pending *find(sw_logmerge *m, const char *source, const char *key, uint32_t h)
{
    if (m->count) {
        size_t newest = (m->head + m->count - 1) % SW_LOG_MERGE_WINDOW;
        pending *p = &m->slots[newest];
        if (p->key && m->hash[newest] == h && !strcmp(p->key, key) &&
            !strcmp(p->source, source))
            return p;
    }
    for (int i = m->buckets[h % BUCKETS]; i != -1; i = m->next[i]) {
        if (m->hash[i] != h)
            continue;
        pending *p = &m->slots[i];
        if (!strcmp(p->key, key) && !strcmp(p->source, source))
            return p;
    }
    return NULL;
}

/* h: key_hash of the row's source and merge key (when it has one) */
static int start_record(sw_logmerge *m, const sw_log_row *row, uint64_t offset, uint32_t h,
                        pending **out)
{
    int stop = 0;
    if (m->count == SW_LOG_MERGE_WINDOW)
        stop = flush_oldest(m);
    int idx = (int)((m->head + m->count) % SW_LOG_MERGE_WINDOW);
    pending *p = &m->slots[idx];
    m->count++;
    if (!p->arena.cap) /* first use of the slot; later ones were reset by flush_oldest */
        sw_arena_init(&p->arena, SW_MAX_ARENA);
    memset(&p->rec, 0, sizeof p->rec);
    p->cap_recipients = p->cap_fields = 0;
    p->source = dup(&p->arena, row->source);
    p->key = NULL;
    sw_record *rec = &p->rec;
    rec->source.path = m->path;
    rec->source.offset = offset;
    rec->source.format = p->source;
    rec->source.compressed = m->compressed;
    rec->source.index = -1;
    rec->source.line = row->line;
    rec->has_log = 1;
    if (row->merge_key && *row->merge_key) {
        p->key = dup(&p->arena, row->merge_key);
        m->hash[idx] = h;
        m->next[idx] = m->buckets[m->hash[idx] % BUCKETS];
        m->buckets[m->hash[idx] % BUCKETS] = idx;
    }
    *out = p;
    return stop;
}

int sw_log_emit(sw_logctx *c, const sw_log_row *row)
{
    sw_logmerge *m = c->merge;
    pending *p = NULL;
    int stop = 0;
    c->rows++;
    uint64_t offset = row->offset ? row->offset : c->row_offset;
    uint32_t h = 0;
    if (row->merge_key && *row->merge_key) {
        h = key_hash(row->source, row->merge_key);
        p = find(m, row->source, row->merge_key, h);
    }
    if (!p)
        stop = start_record(m, row, offset, h, &p);
    merge_row(p, row);
    /* a row without a key is a record of its own: out at once, keeping file order */
    if (!p->key)
        while (m->count && !stop)
            stop = flush_oldest(m);
    if (stop)
        c->stop = stop;
    return stop;
}

/* ---- entry point ---- */

int sw_logjson_read(sw_logctx *c);  /* logjson.c */
int sw_logcsv_read(sw_logctx *c);   /* logcsv.c */
int sw_tracklog_read(sw_logctx *c); /* tracklog.c */
int sw_dmarcxml_read(sw_logctx *c); /* dmarc_container.c */

void sw_log_advance(sw_logctx *c, size_t offset)
{
    if (c->input && !c->offsets_unknown && c->data == c->input->data)
        sw_input_advance(c->input, offset);
}

int sw_log_read(sw_input *in, sw_arena *record_arena,
                int (*on_record)(const sw_record *rec, sw_arena *a, void *ctx), void *ctx,
                void (*on_error)(const char *message, void *ctx), uint64_t *records,
                uint64_t *errors)
{
    sw_logmerge *m = calloc(1, sizeof *m);
    sw_logctx c;
    memset(&c, 0, sizeof c);
    c.path = in->path;
    c.data = in->data;
    c.len = in->len;
    c.compressed = in->compressed;
    c.row_arena = record_arena;
    c.on_error = on_error;
    c.error_ctx = ctx;
    c.json = sw_jreader_new();
    c.json_inner = sw_jreader_new();
    c.json_unwrap = sw_jreader_new();
    c.row = malloc(sizeof *c.row);
    c.unit = "line";
    c.input = in;
    if (!m || !c.json || !c.json_inner || !c.json_unwrap || !c.row) {
        free(c.row);
        sw_jreader_free(c.json_unwrap);
        sw_jreader_free(c.json);
        sw_jreader_free(c.json_inner);
        free(m);
        sw_log_bad(&c, 0, "out of memory");
        *errors += c.bad;
        return 0;
    }
    for (size_t i = 0; i < BUCKETS; i++)
        m->buckets[i] = -1;
    m->on_record = on_record;
    m->ctx = ctx;
    m->path = in->path;
    m->compressed = in->compressed;
    c.merge = m;

    switch (in->format) {
    case SW_FMT_JSONLOG:
        sw_logjson_read(&c);
        break;
    case SW_FMT_CSVLOG:
        sw_logcsv_read(&c);
        break;
    case SW_FMT_TRACKLOG:
        sw_tracklog_read(&c);
        break;
    case SW_FMT_DMARCXML:
        sw_dmarcxml_read(&c);
        break;
    default:
        sw_log_bad(&c, 0, "not a log format spoofwatch reads");
        break;
    }
    while (m->count) {
        if (c.stop)
            m->on_record = NULL; /* the caller stopped: drop the rest unseen */
        int stop = flush_oldest(m);
        if (stop && !c.stop)
            c.stop = stop;
    }
    *records += m->records;
    *errors += c.bad;
    for (size_t i = 0; i < SW_LOG_MERGE_WINDOW; i++)
        sw_arena_free(&m->slots[i].arena);
    sw_jreader_free(c.json);
    sw_jreader_free(c.json_inner);
    sw_jreader_free(c.json_unwrap);
    free(c.row);
    free(c.auth_memo);
    free(m);
    return c.stop;
}
