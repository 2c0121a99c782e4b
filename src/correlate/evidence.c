/* Evidence from a record and its assessment: see include/spoofwatch/evidence.h.
 *
 * The observation key is what makes re-ingesting idempotent, so it hashes content, never
 * where the content was found: a message's own bytes, or for a log record the facts the
 * provider logged (an export copied to another name is still the same evidence). */
#include "spoofwatch/evidence.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* SHA-256 over length-prefixed fields, so ("ab","c") and ("a","bc") differ. A log row is
 * some forty short fields: they are gathered in buf and hashed in a few updates, since
 * each EVP_DigestUpdate call costs more than hashing a short field. */
typedef struct hasher {
    EVP_MD_CTX *md;
    size_t used;
    unsigned char buf[2048];
} hasher;

static void h_flush(hasher *h)
{
    if (h->used)
        EVP_DigestUpdate(h->md, h->buf, h->used);
    h->used = 0;
}

static void h_put(hasher *h, const void *p, size_t n)
{
    if (n > sizeof h->buf - h->used) {
        h_flush(h);
        if (n > sizeof h->buf / 2) { /* a message's bytes go straight to the hash */
            EVP_DigestUpdate(h->md, p, n);
            return;
        }
    }
    memcpy(h->buf + h->used, p, n);
    h->used += n;
}

static void h_bytes(hasher *h, const void *p, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)n >> (8 * i));
    h_put(h, len, sizeof len);
    if (n)
        h_put(h, p, n);
}

static void h_str(hasher *h, const char *s)
{
    if (s)
        h_bytes(h, s, strlen(s));
    else
        h_put(h, "\xff", 1); /* NULL differs from "" */
}

static void h_int(hasher *h, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%lld", (long long)v);
    h_bytes(h, t, (size_t)n);
}

static void hex16(const unsigned char *dig, char out[33])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hx[dig[i] >> 4];
        out[2 * i + 1] = hx[dig[i] & 15];
    }
    out[32] = '\0';
}

static void log_facts_hash(hasher *h, const sw_record *rec)
{
    const sw_log_facts *l = &rec->log;
    h_str(h, rec->source.format);
    h_str(h, rec->message_id);
    h_str(h, l->network_message_id);
    h_str(h, l->time);
    h_str(h, rec->has_from ? rec->from.address : NULL);
    h_str(h, rec->envelope_from);
    h_str(h, rec->subject);
    h_str(h, l->direction);
    h_str(h, l->sender_ip);
    h_str(h, l->provider_verdict);
    h_str(h, l->detection);
    h_int(h, (int64_t)l->count);
    for (size_t i = 0; i < rec->nrecipients; i++) {
        const sw_recipient *r = &rec->recipients[i];
        h_str(h, r->address);
        h_str(h, r->delivery_action);
        h_str(h, r->delivery_location);
        h_str(h, r->latest_location);
        h_str(h, r->status);
    }
    for (size_t i = 0; i < rec->nauth; i++) {
        h_str(h, rec->auth[i].method);
        h_str(h, rec->auth[i].result);
    }
    for (size_t i = 0; i < l->nfields; i++) {
        h_str(h, l->fields[i].key);
        h_str(h, l->fields[i].value);
    }
}

static int make_key(const sw_record *rec, char out[33])
{
    hasher h;
    h.md = EVP_MD_CTX_new();
    h.used = 0;
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    if (!h.md || !EVP_DigestInit_ex(h.md, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(h.md);
        return SW_ENOMEM;
    }
    if (rec->msg && !rec->has_log) {
        h_put(&h, "mail", 4);
        h_bytes(&h, rec->msg, rec->msg_len);
    } else {
        h_put(&h, "log", 3);
        log_facts_hash(&h, rec);
    }
    h_flush(&h);
    int ok = EVP_DigestFinal_ex(h.md, dig, &dl);
    EVP_MD_CTX_free(h.md);
    if (!ok)
        return SW_ENOMEM;
    hex16(dig, out);
    return SW_OK;
}

const char *sw_evidence_message_id_key(sw_arena *a, const char *mid)
{
    if (!mid)
        return NULL;
    size_t n = strlen(mid);
    while (n && (*mid == ' ' || *mid == '\t' || *mid == '<')) {
        mid++;
        n--;
    }
    while (n && (mid[n - 1] == ' ' || mid[n - 1] == '\t' || mid[n - 1] == '>'))
        n--;
    return n ? sw_arena_strndup_lower(a, mid, n) : NULL;
}

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at && at[1] ? at + 1 : NULL;
}

static void copy_outcome(sw_ev_auth *dst, const sw_auth_outcome *o)
{
    dst->result = o->result;
    dst->domain = o->domain;
    dst->origin = o->origin;
}

/* A time more than a day ahead of the clock was written by a forger or a broken clock: it
 * would sort a message to the top of every "most recent" list, so the next source is used. */
static int plausible(int64_t t, int64_t now)
{
    return t <= now + 86400;
}

/* When the message happened: the log's own time, else the newest Received stamp (the
 * receiving server wrote it; the Date header is the sender's claim), else Apple Mail's
 * date-received, else Date; each only when plausible(). */
static void event_time(const sw_record *rec, sw_evidence *ev)
{
    int64_t now = (int64_t)time(NULL);
    int64_t t = 0;
    int found = 0;
    if (rec->has_log && rec->log.has_time && plausible(rec->log.time_epoch, now)) {
        t = rec->log.time_epoch;
        found = 1;
    }
    for (size_t i = 0; !found && i < rec->nreceived; i++)
        if (rec->received[i].has_time && plausible(rec->received[i].epoch, now)) {
            t = rec->received[i].epoch;
            found = 1;
        }
    if (!found && rec->has_ctx && rec->ctx.has_date_received &&
        plausible(rec->ctx.date_received, now)) {
        t = rec->ctx.date_received;
        found = 1;
    }
    if (!found && rec->has_date && plausible(rec->date_epoch, now)) {
        t = rec->date_epoch;
        found = 1;
    }
    ev->time = t;
    ev->has_time = found;
}

int sw_evidence_from(sw_detector *d, sw_arena *a, const sw_record *rec, const sw_assessment *as,
                     sw_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    if (make_key(rec, ev->key))
        return SW_ENOMEM;
    ev->path = rec->source.path;
    ev->offset = rec->source.offset;
    ev->line = rec->source.line;
    ev->format = rec->source.format;
    ev->from_log = rec->has_log;
    ev->count = rec->has_log && rec->log.count > 1 ? rec->log.count : 1;
    event_time(rec, ev);

    ev->message_id = rec->message_id;
    ev->message_id_key = sw_evidence_message_id_key(a, rec->message_id);
    /* Exchange stamps the NetworkMessageId into the message it delivers, so a reported
     * .eml joins its EmailEvents rows even when the Message-ID was rewritten. */
    const char *nmid = rec->has_log ? rec->log.network_message_id : rec->ms.network_message_id;
    if (nmid && nmid[0]) {
        ev->network_message_id = nmid;
        ev->network_message_id_key = sw_arena_strndup_lower(a, nmid, strlen(nmid));
    }
    if (rec->has_from) {
        ev->from_address = rec->from.address;
        ev->from_display = rec->from.display_name;
        ev->from_domain = rec->from.domain;
    }
    ev->from_org = as->from_org_domain;
    ev->envelope_from = rec->envelope_from;
    ev->envelope_domain = as->mailfrom_domain ? as->mailfrom_domain : domain_of(rec->envelope_from);
    if (rec->reply_to.count)
        ev->reply_to = rec->reply_to.items[0].address;
    ev->subject = rec->subject;
    if (rec->has_log) {
        ev->client_ip = rec->log.sender_ip;
        ev->direction = rec->log.direction;
    } else if (d) {
        long hop = sw_detect_inbound_hop(d, a, rec);
        if (hop >= 0)
            ev->client_ip = rec->received[hop].from_ip;
    }

    ev->verdict = as->verdict;
    ev->score = as->score;
    copy_outcome(&ev->spf, &as->spf);
    copy_outcome(&ev->dkim, &as->dkim);
    copy_outcome(&ev->dmarc, &as->dmarc);
    copy_outcome(&ev->compauth, &as->compauth);
    copy_outcome(&ev->arc, &as->arc);
    ev->dmarc_policy = as->dmarc_policy;

    int any_delivery = 0;
    if (rec->nrecipients) {
        ev->recipients = sw_arena_alloc(a, rec->nrecipients * sizeof *ev->recipients);
        if (!ev->recipients)
            return SW_ENOMEM;
        for (size_t i = 0; i < rec->nrecipients; i++) {
            const sw_recipient *r = &rec->recipients[i];
            ev->recipients[i] = (sw_ev_recipient){
                .address = r->address,
                .field = r->field,
                .action = r->delivery_action ? r->delivery_action : r->status,
                .location = r->latest_location ? r->latest_location : r->delivery_location,
                .delivered = sw_delivered_name(r->delivered)};
            if (r->delivered != SW_DELIVERED_UNKNOWN || r->delivery_action || r->status)
                any_delivery = 1;
        }
        ev->nrecipients = rec->nrecipients;
    }
    size_t counted = 0;
    for (size_t i = 0; i < as->nsignals; i++)
        counted += as->signals[i].weight > 0 && !as->signals[i].suppressed_by;
    if (counted) {
        ev->signals = sw_arena_alloc(a, counted * sizeof *ev->signals);
        if (!ev->signals)
            return SW_ENOMEM;
        for (size_t i = 0; i < as->nsignals; i++) {
            const sw_signal *s = &as->signals[i];
            if (s->weight > 0 && !s->suppressed_by)
                ev->signals[ev->nsignals++] =
                    (sw_ev_signal){.id = s->id, .weight = s->weight, .evidence = s->evidence};
        }
    }

    unsigned f = 0;
    if (ev->spf.result)
        f |= SW_EV_SPF;
    if (ev->dkim.result)
        f |= SW_EV_DKIM;
    if (ev->dmarc.result)
        f |= SW_EV_DMARC;
    if (ev->envelope_from)
        f |= SW_EV_ENVELOPE;
    if (ev->nrecipients)
        f |= SW_EV_RECIPIENTS;
    if (ev->message_id_key)
        f |= SW_EV_MESSAGE_ID;
    if (any_delivery)
        f |= SW_EV_DELIVERY;
    if (ev->from_address)
        f |= SW_EV_FROM;
    if (ev->client_ip)
        f |= SW_EV_CLIENT_IP;
    ev->facts = f;
    return SW_OK;
}
