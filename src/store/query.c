/* Evidence store, read path: trace, search, campaigns, coverage cells, regrouping.
 * See include/spoofwatch/store.h. Rows come back as sw_evidence with every string copied
 * into the caller's arena; the auth, recipients and signals columns are the small JSON
 * documents store.c wrote. */
#include "internal.h"

#include "spoofwatch/jsonread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBS_COLUMNS                                                                                \
    "o.key, o.time, o.format, o.path, o.offset, o.line, o.from_log, o.message_id,"                 \
    " o.network_message_id, o.from_address, o.from_display, o.from_domain, o.from_org,"            \
    " o.envelope_from, o.envelope_domain, o.reply_to, o.subject, o.client_ip, o.direction,"        \
    " o.verdict, o.score, o.auth, o.recipients, o.signals, o.facts, o.campaign, o.message,"        \
    " o.count, o.record"
enum { COL_CAMPAIGN = 25, COL_MESSAGE = 26, COL_COUNT = 27, COL_RECORD = 28 };

/* Room for one more element at the end of an arena array that doubles when full; returns
 * the new element (zeroed), or NULL when the arena is exhausted. */
static void *push(sw_arena *a, void **arr, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char *nv = sw_arena_alloc(a, ncap * elem);
        if (!nv)
            return NULL;
        if (*n)
            memcpy(nv, *arr, *n * elem);
        *arr = nv;
        *cap = ncap;
    }
    char *e = (char *)*arr + (*n)++ * elem;
    memset(e, 0, elem);
    return e;
}

static const char *jcopy(sw_arena *a, const sw_jv *v)
{
    const char *s = sw_jstr(v);
    return s ? sw_arena_strndup(a, s, v->len) : NULL;
}

/* Positional members of the column arrays store.c writes (child_json). */
static const char *jat(sw_arena *a, const sw_jv *arr, size_t i)
{
    return jcopy(a, sw_jindex(arr, i));
}

static void read_outcome(sw_arena *a, const sw_jv *obj, const char *key, sw_ev_auth *o)
{
    const sw_jv *v = sw_jget(obj, key);
    if (!v || v->type != SW_J_ARRAY)
        return;
    o->result = jat(a, v, 0);
    o->domain = jat(a, v, 1);
    o->origin = jat(a, v, 2);
}

static const sw_jv *parse_col(sw_jreader *jr, sw_arena *a, sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (!t)
        return NULL;
    const sw_jv *v = NULL;
    sw_error err;
    if (sw_jparse(jr, a, t, (size_t)sqlite3_column_bytes(st, col), &v, &err))
        return NULL;
    return v;
}

int sw_store_check_columns(sw_store *s, sw_error *err)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(s->db,
                                "SELECT " OBS_COLUMNS ", o.mid_key, o.nmid_key FROM observations o"
                                " LIMIT 0",
                                -1, &st, NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    if (ok)
        return SW_OK;
    return sw_error_set(err, SW_EFORMAT,
                        "%s: the store lacks columns this spoofwatch reads (%s); it was made by "
                        "an earlier development build: ingest into a new store",
                        sw_store_path(s), sqlite3_errmsg(s->db));
}

/* One observations row (selected with OBS_COLUMNS) as evidence in a. */
static int row_evidence(sw_jreader *jr, sw_arena *a, sqlite3_stmt *st, sw_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    const char *key = (const char *)sqlite3_column_text(st, 0);
    snprintf(ev->key, sizeof ev->key, "%s", key ? key : "");
    ev->has_time = sqlite3_column_type(st, 1) != SQLITE_NULL;
    ev->time = sqlite3_column_int64(st, 1);
    ev->format = sw_store_col_text(a, st, 2);
    ev->path = sw_store_col_text(a, st, 3);
    ev->offset = (uint64_t)sqlite3_column_int64(st, 4);
    ev->line = (uint64_t)sqlite3_column_int64(st, 5);
    ev->from_log = sqlite3_column_int(st, 6);
    ev->message_id = sw_store_col_text(a, st, 7);
    ev->message_id_key = sw_evidence_message_id_key(a, ev->message_id);
    ev->network_message_id = sw_store_col_text(a, st, 8);
    if (ev->network_message_id)
        ev->network_message_id_key =
            sw_arena_strndup_lower(a, ev->network_message_id, strlen(ev->network_message_id));
    ev->from_address = sw_store_col_text(a, st, 9);
    ev->from_display = sw_store_col_text(a, st, 10);
    ev->from_domain = sw_store_col_text(a, st, 11);
    ev->from_org = sw_store_col_text(a, st, 12);
    ev->envelope_from = sw_store_col_text(a, st, 13);
    ev->envelope_domain = sw_store_col_text(a, st, 14);
    ev->reply_to = sw_store_col_text(a, st, 15);
    ev->subject = sw_store_col_text(a, st, 16);
    ev->client_ip = sw_store_col_text(a, st, 17);
    ev->direction = sw_store_col_text(a, st, 18);
    ev->verdict = (sw_verdict)sqlite3_column_int(st, 19);
    ev->score = sqlite3_column_int(st, 20);
    ev->facts = (unsigned)sqlite3_column_int(st, 24);
    ev->campaign = sw_store_col_text(a, st, COL_CAMPAIGN);
    ev->message = sqlite3_column_int64(st, COL_MESSAGE);
    ev->count = sqlite3_column_type(st, COL_COUNT) == SQLITE_NULL
                    ? 1
                    : (uint64_t)sqlite3_column_int64(st, COL_COUNT);

    const sw_jv *auth = parse_col(jr, a, st, 21);
    read_outcome(a, auth, "spf", &ev->spf);
    read_outcome(a, auth, "dkim", &ev->dkim);
    read_outcome(a, auth, "dmarc", &ev->dmarc);
    read_outcome(a, auth, "compauth", &ev->compauth);
    read_outcome(a, auth, "arc", &ev->arc);
    ev->dmarc_policy = jcopy(a, sw_jget(auth, "dmarc_policy"));

    const sw_jv *rc = parse_col(jr, a, st, 22);
    if (rc && rc->type == SW_J_ARRAY && rc->len) {
        ev->recipients = sw_arena_calloc(a, rc->len * sizeof *ev->recipients);
        if (!ev->recipients)
            return SW_ENOMEM;
        for (uint32_t i = 0; i < rc->len; i++) {
            const sw_jv *r = &rc->u.items[i];
            sw_ev_recipient *o = &ev->recipients[ev->nrecipients++];
            o->address = jat(a, r, 0);
            o->field = jat(a, r, 1);
            o->action = jat(a, r, 2);
            o->location = jat(a, r, 3);
            o->delivered = jat(a, r, 4);
        }
    }
    const sw_jv *sg = parse_col(jr, a, st, 23);
    if (sg && sg->type == SW_J_ARRAY && sg->len) {
        ev->signals = sw_arena_calloc(a, sg->len * sizeof *ev->signals);
        if (!ev->signals)
            return SW_ENOMEM;
        for (uint32_t i = 0; i < sg->len; i++) {
            const sw_jv *g = &sg->u.items[i];
            sw_ev_signal *o = &ev->signals[ev->nsignals++];
            int64_t w = 0;
            o->id = jat(a, g, 0);
            o->evidence = jat(a, g, 2);
            sw_jint(sw_jindex(g, 1), &w);
            o->weight = (int)w;
        }
    }
    return SW_OK;
}

int sw_store_trace(sw_store *s, sw_arena *a, const char *id, sw_evidence **out, size_t *n,
                   sw_error *err)
{
    *out = NULL;
    *n = 0;
    const char *key = sw_evidence_message_id_key(a, id);
    if (!key)
        return sw_error_set(err, SW_EINVAL, "trace: empty message id");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " OBS_COLUMNS " FROM observations o WHERE o.message IN"
                           " (SELECT message FROM observations WHERE mid_key = ?1"
                           " UNION SELECT message FROM observations WHERE nmid_key = ?1)"
                           " ORDER BY o.message, o.time IS NULL, o.time, o.from_log, o.format,"
                           " o.id",
                           -1, &st, NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "trace");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sw_jreader *jr = sw_jreader_new();
    size_t cap = 0;
    int rc = jr ? SW_OK : sw_error_set(err, SW_ENOMEM, "out of memory");
    int r;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        sw_evidence *ev = push(a, (void **)out, n, &cap, sizeof *ev);
        if (!ev || row_evidence(jr, a, st, ev))
            rc = sw_error_set(err, SW_ENOMEM, "out of memory");
    }
    if (!rc && r != SQLITE_DONE)
        rc = sw_store_db_error(s, err, "trace");
    sw_jreader_free(jr);
    sqlite3_finalize(st);
    return rc;
}

/* Appends " AND <cond>" clauses for f; binds are numbered in order by bind_filter. */
static void filter_sql(const sw_store_filter *f, char *sql, size_t size)
{
    size_t n = strlen(sql);
#define ADD(text) n += (size_t)snprintf(sql + n, n < size ? size - n : 0, "%s", text)
    if (f->sender_domain)
        ADD(" AND (o.from_domain = lower(?) OR o.from_org = lower(?))");
    /* recipients is [[address, field, ...], ...]: "@corp.example" must end an address
     * (not match ann@corp.example.attacker.example), a full address be the whole of one */
    if (f->recipient && f->recipient[0] == '@')
        ADD(" AND instr(lower(o.recipients), lower(?) || '\",') > 0");
    else if (f->recipient && strchr(f->recipient, '@'))
        ADD(" AND instr(lower(o.recipients), '[\"' || lower(?) || '\",') > 0");
    else if (f->recipient)
        ADD(" AND instr(lower(o.recipients), lower(?)) > 0");
    if (f->verdicts) {
        ADD(" AND o.verdict IN (-1");
        for (int v = 0; v < 4; v++)
            if (f->verdicts & (1u << v)) {
                char t[8];
                snprintf(t, sizeof t, ",%d", v);
                ADD(t);
            }
        ADD(")");
    }
    if (f->signal)
        ADD(" AND instr(o.signals, '[\"' || ? || '\",') > 0");
    if (f->text)
        ADD(" AND o.id IN (SELECT rowid FROM subjects WHERE subjects MATCH ?)");
    if (f->campaign)
        ADD(" AND o.campaign = ?");
    if (f->has_since)
        ADD(" AND o.time >= ?");
    if (f->has_until)
        ADD(" AND o.time < ?");
#undef ADD
}

static int bind_filter(sqlite3_stmt *st, const sw_store_filter *f)
{
    int i = 1;
    if (f->sender_domain) {
        sqlite3_bind_text(st, i++, f->sender_domain, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, i++, f->sender_domain, -1, SQLITE_STATIC);
    }
    if (f->recipient)
        sqlite3_bind_text(st, i++, f->recipient, -1, SQLITE_STATIC);
    if (f->signal)
        sqlite3_bind_text(st, i++, f->signal, -1, SQLITE_STATIC);
    if (f->text)
        sqlite3_bind_text(st, i++, f->text, -1, SQLITE_STATIC);
    if (f->campaign)
        sqlite3_bind_text(st, i++, f->campaign, -1, SQLITE_STATIC);
    if (f->has_since)
        sqlite3_bind_int64(st, i++, f->since);
    if (f->has_until)
        sqlite3_bind_int64(st, i++, f->until);
    return i;
}

/* Runs the filtered query; rows are decoded into a when given (kept), else into an arena
 * reset per row. */
static int run_search(sw_store *s, const sw_store_filter *f, sw_arena *keep,
                      int (*fn)(const sw_evidence *ev, const char *json, void *ctx), void *ctx,
                      sw_error *err)
{
    if (f->text) {
        /* a malformed query is the user's mistake, not a broken store: told apart here */
        sqlite3_stmt *q = NULL;
        int bad = sqlite3_prepare_v2(s->db,
                                     "SELECT 1 FROM subjects WHERE subjects MATCH ?"
                                     " LIMIT 1",
                                     -1, &q, NULL) != SQLITE_OK;
        if (!bad) {
            sqlite3_bind_text(q, 1, f->text, -1, SQLITE_STATIC);
            int r = sqlite3_step(q);
            bad = r != SQLITE_ROW && r != SQLITE_DONE;
        }
        int rc =
            bad ? sw_error_set(err, SW_EINVAL, "%s: --subject: %s", s->path, sqlite3_errmsg(s->db))
                : SW_OK;
        sqlite3_finalize(q);
        if (rc)
            return rc;
    }
    char sql[2048] = "SELECT " OBS_COLUMNS " FROM observations o WHERE 1";
    filter_sql(f, sql, sizeof sql);
    size_t n = strlen(sql);
    snprintf(sql + n, sizeof sql - n, " ORDER BY o.time IS NULL, o.time DESC, o.id DESC%s",
             f->limit ? " LIMIT ?" : "");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "search");
    int i = bind_filter(st, f);
    if (f->limit)
        sqlite3_bind_int64(st, i, (sqlite3_int64)f->limit);
    sw_jreader *jr = sw_jreader_new();
    sw_arena own;
    sw_arena_init(&own, 64u << 20);
    sw_arena *a = keep ? keep : &own;
    int rc = jr ? SW_OK : sw_error_set(err, SW_ENOMEM, "out of memory");
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (!keep)
            sw_arena_reset(&own);
        sw_evidence ev;
        if (row_evidence(jr, a, st, &ev)) {
            rc = sw_error_set(err, SW_ENOMEM, "out of memory");
            break;
        }
        rc = fn(&ev, (const char *)sqlite3_column_text(st, COL_RECORD), ctx);
    }
    if (!rc && r != SQLITE_DONE && r != SQLITE_ROW)
        rc = sw_store_db_error(s, err, "search");
    sw_arena_free(&own);
    sw_jreader_free(jr);
    sqlite3_finalize(st);
    return rc;
}

int sw_store_search(sw_store *s, const sw_store_filter *f,
                    int (*fn)(const sw_evidence *ev, const char *json, void *ctx), void *ctx,
                    sw_error *err)
{
    return run_search(s, f, NULL, fn, ctx, err);
}

typedef struct collect_ctx {
    sw_arena *a;
    sw_evidence *items;
    size_t n, cap;
} collect_ctx;

static int collect(const sw_evidence *ev, const char *json, void *p)
{
    (void)json;
    collect_ctx *c = p;
    sw_evidence *e = push(c->a, (void **)&c->items, &c->n, &c->cap, sizeof *e);
    if (!e)
        return SW_ENOMEM;
    *e = *ev;
    return 0;
}

int sw_store_select(sw_store *s, sw_arena *a, const sw_store_filter *f, sw_evidence **out,
                    size_t *n, sw_error *err)
{
    collect_ctx c = {.a = a};
    int rc = run_search(s, f, a, collect, &c, err);
    if (rc == SW_ENOMEM && !err->message[0])
        rc = sw_error_set(err, SW_ENOMEM, "out of memory");
    *out = c.items;
    *n = c.n;
    return rc;
}

/* Up to max names of one kind of count for campaign id, most frequent first. */
static int load_counts(sw_store *s, sw_arena *a, const char *id, int kind, size_t max,
                       sw_count **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name, n FROM campaign_counts WHERE campaign = ? AND kind = ?"
                           " ORDER BY n DESC, name LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, kind);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    *out = sw_arena_alloc(a, max * sizeof **out);
    while (*out && sqlite3_step(st) == SQLITE_ROW) {
        (*out)[*n].name = sw_store_col_text(a, st, 0);
        (*out)[*n].n = (uint64_t)sqlite3_column_int64(st, 1);
        (*n)++;
    }
    sqlite3_finalize(st);
    return *out ? 0 : -1;
}

static int load_strings(sw_store *s, sw_arena *a, const char *sql, const char *id, size_t max,
                        const char ***out, size_t *n)
{
    *out = sw_arena_alloc(a, max * sizeof **out);
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (!*out || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    while (*n < max && sqlite3_step(st) == SQLITE_ROW) {
        const char *v = sw_store_col_text(a, st, 0);
        if (v)
            (*out)[(*n)++] = v;
    }
    sqlite3_finalize(st);
    return 0;
}

#define CAMPAIGN_SAMPLE 20

int sw_store_campaigns(sw_store *s, sw_arena *a, const sw_store_filter *f, sw_campaign **out,
                       size_t *n, sw_error *err)
{
    *out = NULL;
    *n = 0;
    char sql[1024] = "SELECT id, key, from_org, subject, network, window_start, window_end,"
                     " first_seen, last_seen, messages, recipients, spoofed, suspicious, worst,"
                     " observations"
                     " FROM campaigns c WHERE 1";
    size_t len = strlen(sql);
    if (f->sender_domain) /* a key without from_org keeps no domain: its members have it */
        len += (size_t)snprintf(sql + len, sizeof sql - len,
                                " AND (c.from_org = lower(?1) OR (c.from_org IS NULL AND c.id IN"
                                " (SELECT campaign FROM observations WHERE campaign IS NOT NULL"
                                " AND (from_org = lower(?1) OR from_domain = lower(?1)))))");
    if (f->has_since)
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND c.last_seen >= ?");
    if (f->has_until)
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND c.first_seen < ?");
    if (f->campaign)
        len += (size_t)snprintf(sql + len, sizeof sql - len, " AND c.id = ?");
    snprintf(sql + len, sizeof sql - len,
             " ORDER BY c.last_seen IS NULL, c.last_seen DESC, c.id LIMIT ?");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "campaigns");
    int i = 1;
    if (f->sender_domain)
        sqlite3_bind_text(st, i++, f->sender_domain, -1, SQLITE_STATIC); /* ?1 */
    if (f->has_since)
        sqlite3_bind_int64(st, i++, f->since);
    if (f->has_until)
        sqlite3_bind_int64(st, i++, f->until);
    if (f->campaign)
        sqlite3_bind_text(st, i++, f->campaign, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i, f->limit ? (sqlite3_int64)f->limit : -1);
    size_t cap = 0;
    int rc = SW_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        sw_campaign *c = push(a, (void **)out, n, &cap, sizeof *c);
        if (!c) {
            rc = sw_error_set(err, SW_ENOMEM, "out of memory");
            break;
        }
        const char *id = (const char *)sqlite3_column_text(st, 0);
        snprintf(c->id, sizeof c->id, "%s", id ? id : "");
        c->key = sw_store_col_text(a, st, 1);
        c->from_org = sw_store_col_text(a, st, 2);
        c->subject = sw_store_col_text(a, st, 3);
        c->network = sw_store_col_text(a, st, 4);
        c->window_start = sqlite3_column_int64(st, 5);
        c->window_end = sqlite3_column_int64(st, 6);
        c->first_seen = sqlite3_column_int64(st, 7);
        c->last_seen = sqlite3_column_int64(st, 8);
        c->messages = (uint64_t)sqlite3_column_int64(st, 9);
        c->recipients = (uint64_t)sqlite3_column_int64(st, 10);
        c->spoofed = (uint64_t)sqlite3_column_int64(st, 11);
        c->suspicious = (uint64_t)sqlite3_column_int64(st, 12);
        c->worst_verdict = sqlite3_column_int(st, 13);
        c->observations = (uint64_t)sqlite3_column_int64(st, 14);
    }
    sqlite3_finalize(st);
    for (size_t k = 0; !rc && k < *n; k++) {
        sw_campaign *c = &(*out)[k];
        if (load_counts(s, a, c->id, 1, 16, &c->auth_mix, &c->nauth_mix) ||
            load_counts(s, a, c->id, 2, 8, &c->delivery_mix, &c->ndelivery_mix) ||
            load_counts(s, a, c->id, 3, 5, &c->top_signals, &c->ntop_signals) ||
            load_strings(s, a,
                         "SELECT DISTINCT message_id FROM observations WHERE campaign = ?"
                         " AND message_id IS NOT NULL ORDER BY message_id LIMIT ?",
                         c->id, CAMPAIGN_SAMPLE, &c->message_ids, &c->nmessage_ids) ||
            load_strings(s, a,
                         "SELECT address FROM campaign_recipients WHERE campaign = ?"
                         " ORDER BY address LIMIT ?",
                         c->id, CAMPAIGN_SAMPLE, &c->recipient_addrs, &c->nrecipient_addrs))
            rc = sw_store_db_error(s, err, "campaigns");
        sqlite3_stmt *q = NULL;
        if (!rc && sqlite3_prepare_v2(s->db,
                                      "SELECT count(DISTINCT message_id) FROM observations"
                                      " WHERE campaign = ?",
                                      -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_text(q, 1, c->id, -1, SQLITE_STATIC);
            if (sqlite3_step(q) == SQLITE_ROW)
                c->message_ids_total = (uint64_t)sqlite3_column_int64(q, 0);
        }
        sqlite3_finalize(q);
    }
    return rc;
}

int sw_store_regroup(sw_store *s, sw_error *err)
{
    int rc = sw_store_exec(s,
                           "DELETE FROM campaigns; DELETE FROM campaign_recipients;"
                           " DELETE FROM campaign_members; DELETE FROM campaign_counts;",
                           err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL, *up = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " OBS_COLUMNS ", o.id FROM observations o"
                           " WHERE o.verdict IN (2, 3) ORDER BY o.id",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "UPDATE observations SET campaign = ? WHERE id = ?", -1, &up,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return sw_store_db_error(s, err, "regroup");
    }
    sw_jreader *jr = sw_jreader_new();
    sw_arena a;
    sw_arena_init(&a, 64u << 20);
    rc = jr ? SW_OK : sw_error_set(err, SW_ENOMEM, "out of memory");
    uint64_t regrouped = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        sw_arena_reset(&a);
        sw_evidence ev;
        const char *id = NULL;
        if (row_evidence(jr, &a, st, &ev)) {
            rc = sw_error_set(err, SW_ENOMEM, "out of memory");
            break;
        }
        int64_t obs = sqlite3_column_int64(st, COL_RECORD + 1);
        if ((rc = sw_store_campaign_add(s, &a, &ev, ev.message, &id, err)))
            break;
        sqlite3_reset(up);
        sqlite3_bind_text(up, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(up, 2, obs);
        if (sqlite3_step(up) != SQLITE_DONE)
            rc = sw_store_db_error(s, err, "regroup");
        else if (++regrouped % 10000 == 0) /* keep the in-memory sums bounded */
            rc = sw_store_flush(s, err);
    }
    sw_arena_free(&a);
    sw_jreader_free(jr);
    sqlite3_finalize(up);
    sqlite3_finalize(st);
    return rc;
}

int sw_store_coverage(sw_store *s, sw_arena *a, sw_coverage_cell **out, size_t *n,
                      uint64_t *undated, sw_error *err)
{
    *out = NULL;
    *n = 0;
    *undated = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(sum(records), 0) FROM coverage_undated", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        *undated = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT source, day, records, f0, f1, f2, f3, f4, f5, f6, f7, f8"
                           " FROM coverage ORDER BY source, day",
                           -1, &st, NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "coverage");
    size_t cap = 0;
    int rc = SW_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        sw_coverage_cell *c = push(a, (void **)out, n, &cap, sizeof *c);
        if (!c) {
            rc = sw_error_set(err, SW_ENOMEM, "out of memory");
            break;
        }
        c->source = sw_store_col_text(a, st, 0);
        c->day = sqlite3_column_int64(st, 1);
        c->records = (uint64_t)sqlite3_column_int64(st, 2);
        for (int b = 0; b < SW_EV_NFACTS; b++)
            c->facts[b] = (uint64_t)sqlite3_column_int64(st, 3 + b);
    }
    sqlite3_finalize(st);
    return rc;
}
