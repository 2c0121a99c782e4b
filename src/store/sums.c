/* Evidence store, the sums a transaction keeps in memory: coverage cells, baselines and
 * campaigns (rows, members, recipients, outcome counts), summed per key while records are put
 * and written once per key when the transaction commits (sw_store_flush); plus the answers
 * about earlier runs' baselines, cached for the run. See include/spoofwatch/store.h.
 *
 * The tables live in the store (s->sums, s->seen) and are freed by sw_store_close(); their
 * keys are copied into the tables' own arenas. */
#include "internal.h"

#include "spoofwatch/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Thousands of records share a (source, day), a sender domain or a campaign: summing them
 * in memory and writing each key once at commit costs a fraction of an upsert per record
 * and is just as consistent (a killed run loses the sums together with the observations
 * they count). */

enum {
    PEND_COVERAGE = 1, /* k1 source, day */
    PEND_UNDATED,      /* k1 source */
    PEND_DOMAIN,       /* k1 org domain */
    PEND_NETWORK,      /* k1 org domain, k2 network */
    PEND_CAMPAIGN,     /* k1 id; text: key, from_org, subject, network; x: window, verdicts */
    PEND_CAMP_MEMBER,  /* k1 id, day = message; x[0] further messages it stands for */
    PEND_CAMP_RCPT,    /* k1 id, k2 recipient address (lower-cased) */
    PEND_CAMP_COUNT,   /* k1 id, k2 name, day = COUNT_* kind */
    SEEN_DOMAIN,       /* history cache: k1 org; x[0] seen, x[1] networks; n = 1 known */
    SEEN_NETWORK,      /* history cache: k1 org, k2 network; x[0] seen */
};
enum { COUNT_AUTH = 1, COUNT_DELIVERY = 2, COUNT_SIGNAL = 3 };

typedef struct sw_store_pend {
    uint64_t hash;
    int kind;
    const char *k1, *k2; /* the key (see PEND_*) */
    int64_t day;
    uint64_t n;
    int64_t tmin, tmax;
    uint64_t facts[SW_EV_NFACTS];
    /* campaigns: key text and parts; window start and end, spoofed, suspicious, worst,
     * dated; new members and recipients found at flush */
    const char *text[4];
    int64_t x[6];
    uint64_t new_members, new_recipients;
} sw_store_pend;

static uint64_t pend_hash(int kind, const char *k1, const char *k2, int64_t day)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;
    for (const char *p = k1; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = k2; p && *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (h ^ (uint64_t)day) * 1099511628211ULL;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* One put adds at most a campaign, its member, a recipient and a delivery count per
 * recipient, four outcome counts, its signals and three coverage and baseline keys: with
 * the early commit the sums never reach the table's limit. */
_Static_assert(SW_STORE_SUMS_COMMIT + 2 * SW_MAX_LOG_RECIPIENTS + SW_MAX_SIGNALS + 16 <=
                   SW_STORE_TABLE_SLOTS / 2,
               "a transaction's sums must fit the table");

/* The entry of t for a key, created zeroed when new; NULL when out of memory or when the
 * table is at its limit and the key is new. */
static sw_store_pend *table_get(sw_store_table *t, int kind, const char *k1, const char *k2,
                                int64_t day)
{
    int full = 0;
    if (t->n * 2 >= t->cap && t->cap >= SW_STORE_TABLE_SLOTS)
        full = 1;
    else if (t->n * 2 >= t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        sw_store_pend *nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].kind)
                continue;
            size_t j = (size_t)t->v[i].hash & (ncap - 1);
            while (nt[j].kind)
                j = (j + 1) & (ncap - 1);
            nt[j] = t->v[i];
        }
        free(t->v);
        t->v = nt;
        t->cap = ncap;
    }
    uint64_t h = pend_hash(kind, k1, k2, day);
    size_t j = (size_t)h & (t->cap - 1);
    for (; t->v[j].kind; j = (j + 1) & (t->cap - 1)) {
        sw_store_pend *e = &t->v[j];
        if (e->hash == h && e->kind == kind && e->day == day && same_str(e->k1, k1) &&
            same_str(e->k2, k2))
            return e;
    }
    if (full)
        return NULL;
    sw_store_pend *e = &t->v[j];
    e->hash = h;
    e->kind = kind;
    e->day = day;
    e->k1 = k1 ? sw_arena_strndup(&t->arena, k1, strlen(k1)) : NULL;
    e->k2 = k2 ? sw_arena_strndup(&t->arena, k2, strlen(k2)) : NULL;
    if ((k1 && !e->k1) || (k2 && !e->k2)) {
        e->kind = 0;
        return NULL;
    }
    e->tmin = INT64_MAX;
    e->tmax = INT64_MIN;
    t->n++;
    return e;
}

void sw_store_table_clear(sw_store_table *t)
{
    if (t->cap)
        memset(t->v, 0, t->cap * sizeof *t->v);
    t->n = 0;
    sw_arena_reset(&t->arena);
}

/* The pending sum of the open transaction for a key. */
static sw_store_pend *pend_get(sw_store *s, int kind, const char *k1, const char *k2, int64_t day)
{
    return table_get(&s->sums, kind, k1, k2, day);
}

static const char *pend_str(sw_store *s, const char *v)
{
    return v ? sw_arena_strndup(&s->sums.arena, v, strlen(v)) : NULL;
}

static void widen(sw_store_pend *e, int64_t t)
{
    if (t < e->tmin)
        e->tmin = t;
    if (t > e->tmax)
        e->tmax = t;
}

static void pend_time(sw_store_pend *e, int64_t t)
{
    e->n++;
    widen(e, t);
}

/* Baselines learn every sender organization seen, and the networks of the senders that
 * authenticated (verdict pass): a network learnt from spoofed mail would make the next
 * spoof from it look usual. */
int sw_store_add_counts(sw_store *s, const sw_evidence *ev, const char *network, sw_error *err)
{
    const char *src = ev->format ? ev->format : "unknown";
    sw_store_pend *e = ev->has_time
                           ? pend_get(s, PEND_COVERAGE, src, NULL, sw_store_day_of(ev->time))
                           : pend_get(s, PEND_UNDATED, src, NULL, 0);
    if (!e)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    e->n++;
    for (int b = 0; b < SW_EV_NFACTS; b++)
        e->facts[b] += (ev->facts >> b) & 1;
    if (!ev->from_org)
        return SW_OK;
    /* an undated record was seen when it was ingested (as prune counts it too) */
    int64_t t = ev->has_time ? ev->time : s->run_started;
    if (!(e = pend_get(s, PEND_DOMAIN, ev->from_org, NULL, 0)))
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    pend_time(e, t);
    if (network && ev->verdict == SW_VERDICT_PASS) {
        if (!(e = pend_get(s, PEND_NETWORK, ev->from_org, network, 0)))
            return sw_error_set(err, SW_ENOMEM, "out of memory");
        pend_time(e, t);
    }
    return SW_OK;
}

static int flush_one(sw_store *s, const sw_store_pend *e, sw_error *err)
{
    int rc;
    sqlite3_stmt *st;
    switch (e->kind) {
    case PEND_COVERAGE:
        if ((rc = sw_store_prepare(
                 s, &s->cov_upsert,
                 "INSERT INTO coverage(source, day, records, f0, f1, f2, f3, f4, f5, f6, f7, f8)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                 " ON CONFLICT(source, day) DO UPDATE SET records = records + ?3,"
                 " f0 = f0 + ?4, f1 = f1 + ?5, f2 = f2 + ?6, f3 = f3 + ?7, f4 = f4 + ?8,"
                 " f5 = f5 + ?9, f6 = f6 + ?10, f7 = f7 + ?11, f8 = f8 + ?12",
                 err)))
            return rc;
        st = s->cov_upsert;
        sw_store_bind_text(st, 1, e->k1);
        sqlite3_bind_int64(st, 2, e->day);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)e->n);
        for (int b = 0; b < SW_EV_NFACTS; b++)
            sqlite3_bind_int64(st, 4 + b, (sqlite3_int64)e->facts[b]);
        return sw_store_step_done(s, st, err, "coverage");
    case PEND_UNDATED:
        if ((rc = sw_store_prepare(s, &s->cov_undated,
                                   "INSERT INTO coverage_undated(source, records) VALUES(?1, ?2)"
                                   " ON CONFLICT(source) DO UPDATE SET records = records + ?2",
                                   err)))
            return rc;
        sw_store_bind_text(s->cov_undated, 1, e->k1);
        sqlite3_bind_int64(s->cov_undated, 2, (sqlite3_int64)e->n);
        return sw_store_step_done(s, s->cov_undated, err, "coverage");
    case PEND_DOMAIN:
        if ((rc = sw_store_prepare(s, &s->base_domain,
                                   "INSERT INTO baseline_domains(domain, first_run, first_seen,"
                                   " last_seen, messages) VALUES(?1, ?2, ?3, ?4, ?5)"
                                   " ON CONFLICT(domain) DO UPDATE SET messages = messages + ?5,"
                                   " first_seen = min(first_seen, ?3),"
                                   " last_seen = max(last_seen, ?4)",
                                   err)))
            return rc;
        st = s->base_domain;
        sw_store_bind_text(st, 1, e->k1);
        sqlite3_bind_int64(st, 2, s->run);
        sqlite3_bind_int64(st, 3, e->tmin);
        sqlite3_bind_int64(st, 4, e->tmax);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)e->n);
        return sw_store_step_done(s, st, err, "baseline");
    case PEND_NETWORK:
        if ((rc =
                 sw_store_prepare(s, &s->base_network,
                                  "INSERT INTO baseline_networks(domain, network, first_run,"
                                  " first_seen, last_seen, messages) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                                  " ON CONFLICT(domain, network) DO UPDATE SET"
                                  " messages = messages + ?6, first_seen = min(first_seen, ?4),"
                                  " last_seen = max(last_seen, ?5)",
                                  err)))
            return rc;
        st = s->base_network;
        sw_store_bind_text(st, 1, e->k1);
        sw_store_bind_text(st, 2, e->k2);
        sqlite3_bind_int64(st, 3, s->run);
        sqlite3_bind_int64(st, 4, e->tmin);
        sqlite3_bind_int64(st, 5, e->tmax);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)e->n);
        return sw_store_step_done(s, st, err, "baseline");
    }
    return SW_OK;
}

/* A campaign's members and recipients are inserted first, so that the campaign row can
 * count only the ones the store did not have. */
static int flush_member(sw_store *s, sw_store_pend *e, sw_error *err)
{
    int rc;
    int member = e->kind == PEND_CAMP_MEMBER;
    if ((rc = sw_store_prepare(s, member ? &s->camp_member : &s->camp_recipient,
                               member ? "INSERT OR IGNORE INTO campaign_members(campaign, message)"
                                        " VALUES(?1, ?2)"
                                      : "INSERT OR IGNORE INTO campaign_recipients(campaign,"
                                        " address) VALUES(?1, ?3)",
                               err)))
        return rc;
    sqlite3_stmt *st = member ? s->camp_member : s->camp_recipient;
    sw_store_bind_text(st, 1, e->k1);
    if (member)
        sqlite3_bind_int64(st, 2, e->day);
    else
        sw_store_bind_text(st, 3, e->k2);
    if ((rc = sw_store_step_done(s, st, err, "campaign")))
        return rc;
    if (sqlite3_changes(s->db) > 0) {
        sw_store_pend *c = pend_get(s, PEND_CAMPAIGN, e->k1, NULL, 0);
        if (!c)
            return sw_error_set(err, SW_ENOMEM, "out of memory");
        if (member)
            c->new_members += 1 + (uint64_t)e->x[0];
        else
            c->new_recipients++;
    }
    return SW_OK;
}

static int flush_campaign(sw_store *s, const sw_store_pend *e, sw_error *err)
{
    int rc;
    if ((rc = sw_store_prepare(
             s, &s->camp_upsert,
             "INSERT INTO campaigns(id, key, from_org, subject, network, window_start,"
             " window_end, first_seen, last_seen, observations, messages, recipients, spoofed,"
             " suspicious, worst) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
             " ?13, ?14, ?15) ON CONFLICT(id) DO UPDATE SET"
             " observations = observations + ?10, messages = messages + ?11,"
             " recipients = recipients + ?12, first_seen = min(first_seen, ?8),"
             " last_seen = max(last_seen, ?9), spoofed = spoofed + ?13,"
             " suspicious = suspicious + ?14, worst = max(worst, ?15)",
             err)))
        return rc;
    sqlite3_stmt *st = s->camp_upsert;
    sw_store_bind_text(st, 1, e->k1);
    for (int i = 0; i < 4; i++)
        sw_store_bind_text(st, 2 + i, e->text[i]);
    sqlite3_bind_int64(st, 6, e->x[0]);
    sqlite3_bind_int64(st, 7, e->x[1]);
    if (e->x[5]) {
        sqlite3_bind_int64(st, 8, e->tmin);
        sqlite3_bind_int64(st, 9, e->tmax);
    }
    sqlite3_bind_int64(st, 10, (sqlite3_int64)e->n);
    sqlite3_bind_int64(st, 11, (sqlite3_int64)e->new_members);
    sqlite3_bind_int64(st, 12, (sqlite3_int64)e->new_recipients);
    sqlite3_bind_int64(st, 13, e->x[2]);
    sqlite3_bind_int64(st, 14, e->x[3]);
    sqlite3_bind_int64(st, 15, e->x[4]);
    return sw_store_step_done(s, st, err, "campaign");
}

static int flush_count(sw_store *s, const sw_store_pend *e, sw_error *err)
{
    int rc;
    if ((rc = sw_store_prepare(s, &s->camp_count,
                               "INSERT INTO campaign_counts(campaign, kind, name, n)"
                               " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(campaign, kind, name)"
                               " DO UPDATE SET n = n + ?4",
                               err)))
        return rc;
    sw_store_bind_text(s->camp_count, 1, e->k1);
    sqlite3_bind_int64(s->camp_count, 2, e->day);
    sw_store_bind_text(s->camp_count, 3, e->k2);
    sqlite3_bind_int64(s->camp_count, 4, (sqlite3_int64)e->n);
    return sw_store_step_done(s, s->camp_count, err, "campaign");
}

int sw_store_flush(sw_store *s, sw_error *err)
{
    int rc = SW_OK;
    /* members and recipients first (they count into their campaign's entry, which exists:
     * it was made by the same sw_store_campaign_add), then everything else */
    for (size_t i = 0; !rc && i < s->sums.cap; i++) {
        sw_store_pend *e = &s->sums.v[i];
        if (e->kind == PEND_CAMP_MEMBER || e->kind == PEND_CAMP_RCPT)
            rc = flush_member(s, e, err);
    }
    for (size_t i = 0; !rc && i < s->sums.cap; i++) {
        sw_store_pend *e = &s->sums.v[i];
        if (e->kind == PEND_CAMPAIGN)
            rc = flush_campaign(s, e, err);
        else if (e->kind == PEND_CAMP_COUNT)
            rc = flush_count(s, e, err);
        else if (e->kind && e->kind != PEND_CAMP_MEMBER && e->kind != PEND_CAMP_RCPT)
            rc = flush_one(s, e, err);
    }
    sw_store_table_clear(&s->sums);
    return rc;
}

static int history_query(sw_store *s, const char *org, sw_history *out);

int sw_store_history_lookup(void *ctx, sw_arena *a, const char *org, const char *ip,
                            sw_history *out)
{
    sw_store *s = ctx;
    memset(out, 0, sizeof *out);
    if (!s->in_run || !s->established)
        return SW_OK;
    out->established = 1;
    out->network = sw_campaign_network(a, ip);
    /* Earlier runs' baselines cannot change during this run (its own entries are never
     * "earlier"), so each answer is kept for the run: most mail comes from few senders. */
    sw_store_pend *dom = table_get(&s->seen, SEEN_DOMAIN, org, NULL, 0);
    sw_store_pend *net =
        dom && out->network ? table_get(&s->seen, SEEN_NETWORK, org, out->network, 0) : NULL;
    if (dom && dom->n && (!out->network || (net && net->n))) {
        out->domain_seen = (int)dom->x[0];
        out->domain_networks = out->domain_seen ? (uint64_t)dom->x[1] : 0;
        out->network_seen = out->domain_seen && net ? (int)net->x[0] : 0;
        return SW_OK;
    }
    int rc = history_query(s, org, out);
    if (!rc && dom) {
        dom->n = 1;
        dom->x[0] = out->domain_seen;
        dom->x[1] = (int64_t)out->domain_networks;
    }
    if (!rc && net) {
        net->n = 1;
        net->x[0] = out->network_seen;
    }
    return rc;
}

/* history_lookup() from the baseline tables; out->network is set. */
static int history_query(sw_store *s, const char *org, sw_history *out)
{
    sw_error err;
    if (sw_store_prepare(s, &s->hist_domain,
                         "SELECT 1 FROM baseline_domains WHERE domain = ? AND first_run < ?", &err))
        return -1;
    sw_store_bind_text(s->hist_domain, 1, org);
    sqlite3_bind_int64(s->hist_domain, 2, s->run);
    out->domain_seen = sqlite3_step(s->hist_domain) == SQLITE_ROW;
    sqlite3_reset(s->hist_domain); /* no statement is left on a row (see sw_store_put) */
    if (!out->domain_seen || !out->network)
        return SW_OK;
    if (sw_store_prepare(
            s, &s->hist_networks,
            "SELECT count(*) FROM baseline_networks WHERE domain = ? AND first_run < ?", &err))
        return -1;
    sw_store_bind_text(s->hist_networks, 1, org);
    sqlite3_bind_int64(s->hist_networks, 2, s->run);
    if (sqlite3_step(s->hist_networks) == SQLITE_ROW)
        out->domain_networks = (uint64_t)sqlite3_column_int64(s->hist_networks, 0);
    sqlite3_reset(s->hist_networks);
    if (sw_store_prepare(s, &s->hist_network,
                         "SELECT 1 FROM baseline_networks WHERE domain = ? AND network = ?"
                         " AND first_run < ?",
                         &err))
        return -1;
    sw_store_bind_text(s->hist_network, 1, org);
    sw_store_bind_text(s->hist_network, 2, out->network);
    sqlite3_bind_int64(s->hist_network, 3, s->run);
    out->network_seen = sqlite3_step(s->hist_network) == SQLITE_ROW;
    sqlite3_reset(s->hist_network);
    return SW_OK;
}

static int campaign_count(sw_store *s, const char *id, int kind, const char *name, sw_error *err)
{
    sw_store_pend *e = pend_get(s, PEND_CAMP_COUNT, id, name, kind);
    if (!e)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    e->n++;
    return SW_OK;
}

int sw_store_campaign_add(sw_store *s, sw_arena *a, const sw_evidence *ev, int64_t message,
                          const char **id_out, sw_error *err)
{
    char id[33];
    const char *text;
    int64_t bucket;
    if (sw_campaign_key(a, &s->keyspec, ev, id, &text, &bucket))
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    sw_store_pend *e = pend_get(s, PEND_CAMPAIGN, id, NULL, 0);
    if (!e)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    if (!e->n) {
        unsigned parts = s->keyspec.parts;
        e->text[0] = pend_str(s, text);
        e->text[1] = pend_str(s, (parts & SW_CK_FROM_ORG) ? ev->from_org : NULL);
        e->text[2] =
            pend_str(s, (parts & SW_CK_SUBJECT) ? sw_campaign_subject(a, ev->subject) : NULL);
        e->text[3] =
            pend_str(s, (parts & SW_CK_NETWORK) ? sw_campaign_network(a, ev->client_ip) : NULL);
        e->x[0] = bucket;
        e->x[1] = ev->has_time ? bucket + s->keyspec.window : 0;
    }
    e->n++;
    if (ev->has_time) {
        widen(e, ev->time);
        e->x[5] = 1;
    }
    e->x[2] += ev->verdict == SW_VERDICT_SPOOFED;
    e->x[3] += ev->verdict == SW_VERDICT_SUSPICIOUS;
    if ((int64_t)ev->verdict > e->x[4])
        e->x[4] = (int64_t)ev->verdict;
    int rc;
    sw_store_pend *member = pend_get(s, PEND_CAMP_MEMBER, id, NULL, message);
    if (!member)
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    /* a DMARC aggregate row stands for count messages */
    if (ev->count > 1 && (int64_t)(ev->count - 1) > member->x[0])
        member->x[0] = (int64_t)(ev->count - 1);
    for (size_t i = 0; i < ev->nrecipients; i++) {
        const sw_ev_recipient *r = &ev->recipients[i];
        if (!r->address)
            continue;
        const char *lower = sw_arena_strndup_lower(a, r->address, strlen(r->address));
        if (!lower || !pend_get(s, PEND_CAMP_RCPT, id, lower, 0))
            return sw_error_set(err, SW_ENOMEM, "out of memory");
        if ((rc = campaign_count(s, id, COUNT_DELIVERY, r->delivered ? r->delivered : "unknown",
                                 err)))
            return rc;
    }
    const struct {
        const char *method;
        const sw_ev_auth *o;
    } outcomes[] = {
        {"spf", &ev->spf}, {"dkim", &ev->dkim}, {"dmarc", &ev->dmarc}, {"compauth", &ev->compauth}};
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s=%.64s", outcomes[i].method,
                 outcomes[i].o->result ? outcomes[i].o->result : "none");
        if ((rc = campaign_count(s, id, COUNT_AUTH, name, err)))
            return rc;
    }
    for (size_t i = 0; i < ev->nsignals; i++)
        if ((rc = campaign_count(s, id, COUNT_SIGNAL, ev->signals[i].id, err)))
            return rc;
    *id_out = sw_arena_strndup(a, id, 32);
    return *id_out ? SW_OK : sw_error_set(err, SW_ENOMEM, "out of memory");
}
