/* Evidence store, write path: see include/spoofwatch/store.h; schema in docs/store.md.
 *
 * Opening and the schema, runs and their transactions, putting one observation (dedupe
 * probe, message join, the row, the subject index), key changes and retention. Every derived
 * table (joined messages, campaigns, coverage, baselines, the subject index) changes in the
 * transaction that inserts the observation, and only when the observation is new, so a
 * duplicate changes nothing and a killed run leaves no half-counted record behind; the sums
 * behind campaigns, coverage and baselines are kept by sums.c until the commit. */
#include "internal.h"

#include "spoofwatch/buf.h"
#include "spoofwatch/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SCHEMA_VERSION 1

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, command TEXT, started INTEGER,"
    " finished INTEGER, seen INTEGER DEFAULT 0, stored INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS observations(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
    " message INTEGER NOT NULL, run INTEGER NOT NULL, time INTEGER, format TEXT, path TEXT,"
    " offset INTEGER, line INTEGER, from_log INTEGER, message_id TEXT,"
    " network_message_id TEXT, from_address TEXT, from_display TEXT, from_domain TEXT,"
    " from_org TEXT, envelope_from TEXT, envelope_domain TEXT, reply_to TEXT, subject TEXT,"
    " client_ip TEXT, direction TEXT, verdict INTEGER, score INTEGER, auth TEXT,"
    " recipients TEXT, signals TEXT, facts INTEGER, campaign TEXT, record TEXT,"
    " mid_key TEXT, nmid_key TEXT, count INTEGER);"
    "CREATE INDEX IF NOT EXISTS obs_message ON observations(message);"
    "CREATE INDEX IF NOT EXISTS obs_mid ON observations(mid_key) WHERE mid_key IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS obs_nmid ON observations(nmid_key) WHERE nmid_key IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS obs_time ON observations(time);"
    "CREATE INDEX IF NOT EXISTS obs_campaign ON observations(campaign)"
    " WHERE campaign IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS campaigns(id TEXT PRIMARY KEY, key TEXT, from_org TEXT,"
    " subject TEXT, network TEXT, window_start INTEGER, window_end INTEGER,"
    " first_seen INTEGER, last_seen INTEGER, observations INTEGER, messages INTEGER,"
    " recipients INTEGER, spoofed INTEGER, suspicious INTEGER, worst INTEGER) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS campaign_members(campaign TEXT, message INTEGER,"
    " PRIMARY KEY(campaign, message)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS campaigns_last ON campaigns(last_seen);"
    "CREATE TABLE IF NOT EXISTS campaign_recipients(campaign TEXT, address TEXT,"
    " PRIMARY KEY(campaign, address)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS campaign_counts(campaign TEXT, kind INTEGER, name TEXT,"
    " n INTEGER, PRIMARY KEY(campaign, kind, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS coverage(source TEXT, day INTEGER, records INTEGER,"
    " f0 INTEGER, f1 INTEGER, f2 INTEGER, f3 INTEGER, f4 INTEGER, f5 INTEGER, f6 INTEGER,"
    " f7 INTEGER, f8 INTEGER, PRIMARY KEY(source, day)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS coverage_undated(source TEXT PRIMARY KEY, records INTEGER)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS baseline_domains(domain TEXT PRIMARY KEY, first_run INTEGER,"
    " first_seen INTEGER, last_seen INTEGER, messages INTEGER) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS baseline_networks(domain TEXT, network TEXT,"
    " first_run INTEGER, first_seen INTEGER, last_seen INTEGER, messages INTEGER,"
    " PRIMARY KEY(domain, network)) WITHOUT ROWID;"
    /* subjects are searched, never ranked: no per-row size table (columnsize=0) */
    "CREATE VIRTUAL TABLE IF NOT EXISTS subjects USING fts5(subject, content='observations',"
    " content_rowid='id', columnsize=0, tokenize='unicode61 remove_diacritics 2');";

int sw_store_db_error(sw_store *s, sw_error *err, const char *what)
{
    return sw_error_set(err, SW_EIO, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

int sw_store_exec(sw_store *s, const char *sql, sw_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sw_error_set(err, SW_EIO, "%s: %s", s->path, msg ? msg : "SQL error");
        sqlite3_free(msg);
        return rc;
    }
    return SW_OK;
}

int sw_store_prepare(sw_store *s, sqlite3_stmt **st, const char *sql, sw_error *err)
{
    if (*st) {
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        return SW_OK;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "prepare");
    return SW_OK;
}

const char *sw_store_col_text(sw_arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t)
        return NULL;
    return sw_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col));
}

int sw_store_default_path(char *buf, size_t size)
{
    const char *env = getenv("SPOOFWATCH_STORE");
    int n;
    if (env && *env)
        n = snprintf(buf, size, "%s", env);
    else if ((env = getenv("XDG_DATA_HOME")) && *env)
        n = snprintf(buf, size, "%s/spoofwatch/evidence.db", env);
    else if ((env = getenv("HOME")) && *env)
        n = snprintf(buf, size, "%s/.local/share/spoofwatch/evidence.db", env);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* mkdir -p of the folder holding path. */
static int make_parent(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return -1;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(dir, 0700) && errno != EEXIST ? -1 : 0;
}

static int meta_get(sw_store *s, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
            found = 1;
        }
    }
    sqlite3_finalize(st);
    return found;
}

static int meta_set(sw_store *s, const char *key, const char *value, sw_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SW_OK : sw_store_db_error(s, err, "meta");
    sqlite3_finalize(st);
    return rc;
}

/* Whether the database holds any table (or fails to say). */
static int has_tables(sw_store *s)
{
    sqlite3_stmt *st = NULL;
    int any = 1;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master LIMIT 1", -1, &st, NULL) ==
        SQLITE_OK) {
        int r = sqlite3_step(st);
        any = r != SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return any;
}

static void load_keyspec(sw_store *s)
{
    char v[256];
    s->keyspec.parts = SW_CK_DEFAULT;
    s->keyspec.window = SW_CAMPAIGN_DEFAULT_WINDOW;
    unsigned parts;
    if (meta_get(s, "campaign_key", v, sizeof v) && sw_campaign_parse_parts(v, &parts) == 0)
        s->keyspec.parts = parts;
    if (meta_get(s, "campaign_window", v, sizeof v)) {
        int64_t w = sw_duration_parse(v);
        if (w > 0)
            s->keyspec.window = w;
    }
}

int sw_store_open(sw_store **out, const char *path, int mode, sw_error *err)
{
    *out = NULL;
    sw_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return sw_error_set(err, SW_ENOMEM, "out of memory");
    }
    s->writable = mode == SW_STORE_WRITE;
    s->batch = SW_STORE_BATCH;
    if (s->writable && make_parent(path)) {
        int rc =
            sw_error_set(err, SW_EIO, "%s: cannot create its folder: %s", path, strerror(errno));
        free(s->path);
        free(s);
        return rc;
    }
    /* Memory statistics take a global mutex on every allocation, dozens per put; nothing
     * reads them. This must precede SQLite's initialization, so it is tried once, before
     * the first open (a later call would only return SQLITE_MISUSE). */
    static int configured;
    if (!configured) {
        configured = 1;
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
    /* NOMUTEX: a store is used by one thread at a time, and serialized mode locked and
     * unlocked a mutex around every call: a tenth of the cost of a put. */
    int flags = (s->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        int rc = sw_error_set(err, SW_EIO, "%s: cannot open the store: %s", path,
                              s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sw_store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sw_arena_init(&s->scratch, 1u << 20);
    sw_arena_init(&s->sums.arena, 256u << 20);
    sw_arena_init(&s->seen.arena, 64u << 20);
    s->history = (sw_history_source){sw_store_history_lookup, s};
    int rc = SW_OK;
    if (s->writable) {
        /* WAL: readers never block the ingest, and a kill -9 loses at most the open
         * transaction. NORMAL sync is durable against a crashed process (not power loss). */
        rc = sw_store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
        /* Observation keys are random, so their index is written all over: a page cache
         * that holds it, and checkpoints every ~64 MB of WAL instead of every 4 MB, keep
         * an ingest from rewriting the same pages again and again. */
        if (!rc)
            rc = sw_store_exec(s,
                               "PRAGMA cache_size=-262144; PRAGMA wal_autocheckpoint=16384;"
                               " PRAGMA temp_store=MEMORY;",
                               err);
        char v[32];
        /* before any table is made: a newer store is refused as it is for reading, and a
         * database of something else is not filled with this one's tables */
        if (!rc && meta_get(s, "schema_version", v, sizeof v)) {
            if (atoi(v) > SCHEMA_VERSION)
                rc = sw_error_set(err, SW_EFORMAT,
                                  "%s: store schema %s is newer than this "
                                  "spoofwatch (%d)",
                                  path, v, SCHEMA_VERSION);
        } else if (!rc && has_tables(s)) {
            rc = sw_error_set(err, SW_EFORMAT,
                              "%s: an SQLite database that is not a "
                              "spoofwatch store: not written",
                              path);
        }
        /* tables and version in one transaction: a store killed in between would look
         * like a foreign database */
        if (!rc)
            rc = sw_store_exec(s, "BEGIN IMMEDIATE", err);
        if (!rc)
            rc = sw_store_exec(s, schema_sql, err);
        if (!rc && !meta_get(s, "schema_version", v, sizeof v)) {
            snprintf(v, sizeof v, "%d", SCHEMA_VERSION);
            rc = meta_set(s, "schema_version", v, err);
        }
        if (!rc)
            rc = sw_store_exec(s, "COMMIT", err);
    } else {
        char v[32];
        if (!meta_get(s, "schema_version", v, sizeof v))
            rc = sw_error_set(err, SW_EFORMAT, "%s: not a spoofwatch store (ingest first)", path);
        else if (atoi(v) > SCHEMA_VERSION)
            rc = sw_error_set(err, SW_EFORMAT,
                              "%s: store schema %s is newer than this "
                              "spoofwatch (%d)",
                              path, v, SCHEMA_VERSION);
    }
    if (!rc)
        rc = sw_store_check_columns(s, err);
    if (rc) {
        sw_store_close(s);
        return rc;
    }
    load_keyspec(s);
    *out = s;
    return SW_OK;
}

void sw_store_close(sw_store *s)
{
    if (!s)
        return;
    sqlite3_stmt **stmts[] = {
        &s->obs_exists,   &s->obs_insert,  &s->obs_move,      &s->camp_upsert,  &s->camp_recipient,
        &s->camp_member,  &s->camp_count,  &s->cov_upsert,    &s->cov_undated,  &s->base_domain,
        &s->base_network, &s->hist_domain, &s->hist_networks, &s->hist_network, &s->fts_insert};
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
        sqlite3_finalize(*stmts[i]);
    if (s->db)
        sqlite3_close(s->db);
    sw_arena_free(&s->scratch);
    sw_arena_free(&s->sums.arena);
    free(s->sums.v);
    sw_arena_free(&s->seen.arena);
    free(s->seen.v);
    free(s->path);
    free(s);
}

const char *sw_store_path(const sw_store *s)
{
    return s->path;
}

void sw_store_keyspec(const sw_store *s, sw_campaign_keyspec *spec)
{
    *spec = s->keyspec;
}

const sw_store_stats *sw_store_run_stats(const sw_store *s)
{
    return &s->stats;
}

void sw_store_set_batch(sw_store *s, uint64_t records)
{
    s->batch = records ? records : 1;
}

const sw_history_source *sw_store_history(sw_store *s)
{
    return &s->history;
}

/* ---- runs and transactions ---- */

static int tx_begin(sw_store *s, sw_error *err)
{
    if (s->in_tx)
        return SW_OK;
    int rc = sw_store_exec(s, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    s->in_tx = 1;
    /* New messages take ids after the largest stored; read inside the write transaction,
     * so two ingests into one store never hand out the same id. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(message), 0) FROM observations", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        s->last_message = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return SW_OK;
}

static void tx_rollback(sw_store *s);

static int tx_commit(sw_store *s, sw_error *err)
{
    if (!s->in_tx)
        return SW_OK;
    int frc = sw_store_flush(s, err);
    if (frc) {
        tx_rollback(s);
        return frc;
    }
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE runs SET seen = %llu, stored = %llu WHERE id = %lld",
             (unsigned long long)s->stats.seen, (unsigned long long)s->stats.stored,
             (long long)s->run);
    int rc = sw_store_exec(s, sql, err);
    if (!rc)
        rc = sw_store_exec(s, "COMMIT", err);
    if (rc) {
        tx_rollback(s);
        return rc;
    }
    s->in_tx = 0;
    s->pending = 0;
    s->committed = s->stats;
    return rc;
}

int sw_store_run_begin(sw_store *s, const char *command, sw_error *err)
{
    if (!s->writable)
        return sw_error_set(err, SW_EINVAL, "%s: opened read-only", s->path);
    memset(&s->stats, 0, sizeof s->stats);
    s->committed = s->stats;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO runs(command, started) VALUES(?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return sw_store_db_error(s, err, "run");
    s->run_started = (int64_t)time(NULL);
    sqlite3_bind_text(st, 1, command, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)s->run_started);
    rc = sqlite3_step(st) == SQLITE_DONE ? SW_OK : sw_store_db_error(s, err, "run");
    sqlite3_finalize(st);
    if (rc)
        return rc;
    s->run = sqlite3_last_insert_rowid(s->db);
    sw_store_table_clear(&s->seen); /* answers about earlier runs: this run has others */
    /* Baselines learnt by a run that never finished (killed) are handed to this run, so
     * re-running it decides exactly as an uninterrupted run would have. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE baseline_domains SET first_run = %lld WHERE first_run IN"
             " (SELECT id FROM runs WHERE finished IS NULL AND id <> %lld);"
             "UPDATE baseline_networks SET first_run = %lld WHERE first_run IN"
             " (SELECT id FROM runs WHERE finished IS NULL AND id <> %lld);",
             (long long)s->run, (long long)s->run, (long long)s->run, (long long)s->run);
    rc = sw_store_exec(s, sql, err);
    if (rc)
        return rc;
    s->established = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM runs WHERE finished IS NOT NULL AND stored > 0 LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        s->established = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    s->in_run = 1;
    /* the run row is committed at once, so a put that fails and rolls its transaction
     * back never takes the run with it */
    return tx_commit(s, err);
}

int sw_store_run_end(sw_store *s, sw_error *err)
{
    if (!s->in_run)
        return SW_OK;
    int rc = tx_begin(s, err);
    if (!rc) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE runs SET finished = %lld WHERE id = %lld",
                 (long long)time(NULL), (long long)s->run);
        rc = sw_store_exec(s, sql, err);
    }
    if (!rc)
        rc = tx_commit(s, err);
    s->in_run = 0;
    return rc;
}

int sw_store_run_stop(sw_store *s, sw_error *err)
{
    s->in_run = 0;
    return tx_commit(s, err);
}

/* ---- derived tables ---- */

void sw_store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int sw_store_step_done(sw_store *s, sqlite3_stmt *st, sw_error *err, const char *what)
{
    int r = sqlite3_step(st);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return sw_store_db_error(s, err, what);
    return SW_OK;
}

/* The message an observation belongs to: found[] are the messages its Message-ID and
 * NetworkMessageId already name (0: unknown); a new message takes the next id; two
 * messages that one observation shows to be the same (it carries both ids) are merged into
 * the older one. */
static int join_message(sw_store *s, const int64_t found[2], int64_t *message, sw_error *err)
{
    int64_t m = found[0] ? found[0] : found[1];
    if (found[0] && found[1] && found[0] != found[1]) {
        int64_t keep = found[0] < found[1] ? found[0] : found[1];
        int64_t gone = found[0] < found[1] ? found[1] : found[0];
        /* A campaign counts distinct messages (campaign_members): the merged message must
         * become one member, or its campaigns count it twice until the next regroup. The
         * transaction's pending members are written first so the table is complete; merges
         * are rare, so the early flush costs little. */
        int rc = sw_store_flush(s, err);
        if (rc)
            return rc;
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "UPDATE campaigns SET messages = messages - 1 WHERE id IN (SELECT campaign"
                 " FROM observations WHERE message = %lld AND campaign IS NOT NULL) AND EXISTS"
                 " (SELECT 1 FROM campaign_members m WHERE m.campaign = campaigns.id AND"
                 " m.message = %lld);"
                 "UPDATE OR IGNORE campaign_members SET message = %lld WHERE message = %lld AND"
                 " campaign IN (SELECT campaign FROM observations WHERE message = %lld AND"
                 " campaign IS NOT NULL);"
                 "DELETE FROM campaign_members WHERE message = %lld AND campaign IN (SELECT"
                 " campaign FROM observations WHERE message = %lld AND campaign IS NOT NULL);",
                 (long long)gone, (long long)keep, (long long)keep, (long long)gone,
                 (long long)gone, (long long)gone, (long long)gone);
        if ((rc = sw_store_exec(s, sql, err)))
            return rc;
        if ((rc = sw_store_prepare(s, &s->obs_move,
                                   "UPDATE observations SET message = ?1 WHERE message = ?2", err)))
            return rc;
        sqlite3_bind_int64(s->obs_move, 1, keep);
        sqlite3_bind_int64(s->obs_move, 2, gone);
        if ((rc = sw_store_step_done(s, s->obs_move, err, "join")))
            return rc;
        m = keep;
    }
    if (m)
        s->stats.joined++;
    else
        m = ++s->last_message;
    *message = m;
    return SW_OK;
}

int64_t sw_store_day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* Drops the open transaction and the sums kept for it: a put that failed half-way must
 * not be committed (its campaign sums without its observation, or the reverse), so the
 * store goes back to its last commit, as after kill -9. */
static void tx_rollback(sw_store *s)
{
    if (s->in_tx)
        sw_store_exec(s, "ROLLBACK", NULL);
    s->in_tx = 0;
    s->pending = 0;
    s->stats = s->committed;
    sw_store_table_clear(&s->sums);
}

/* ---- the observation ---- */

static void json_outcome(sw_json *j, const char *key, const sw_ev_auth *o)
{
    if (!o->result)
        return;
    sw_json_key(j, key);
    sw_json_array_begin(j);
    sw_json_string(j, o->result);
    sw_json_string(j, o->domain);
    sw_json_string(j, o->origin);
    sw_json_array_end(j);
}

/* The auth, recipients and signals columns: small JSON documents read back by query.c,
 * in positional arrays because every clean message has a row and member names would
 * double its size:
 *   auth        {"spf": [result, domain, origin], ..., "dmarc_policy": p}
 *   recipients  [[address, field, action, location, delivered], ...]
 *   signals     [[id, weight, evidence], ...] */
static int child_json(const sw_evidence *ev, sw_buf *auth, sw_buf *rcpt, sw_buf *sig)
{
    sw_json j;
    sw_json_init(&j, auth);
    sw_json_object_begin(&j);
    json_outcome(&j, "spf", &ev->spf);
    json_outcome(&j, "dkim", &ev->dkim);
    json_outcome(&j, "dmarc", &ev->dmarc);
    json_outcome(&j, "compauth", &ev->compauth);
    json_outcome(&j, "arc", &ev->arc);
    SW_JSON_KV_STRING(&j, "dmarc_policy", ev->dmarc_policy);
    sw_json_object_end(&j);
    int rc = j.status;
    sw_json_init(&j, rcpt);
    sw_json_array_begin(&j);
    for (size_t i = 0; i < ev->nrecipients; i++) {
        const sw_ev_recipient *r = &ev->recipients[i];
        sw_json_array_begin(&j);
        sw_json_string(&j, r->address);
        sw_json_string(&j, r->field);
        sw_json_string(&j, r->action);
        sw_json_string(&j, r->location);
        sw_json_string(&j, r->delivered);
        sw_json_array_end(&j);
    }
    sw_json_array_end(&j);
    rc |= j.status;
    sw_json_init(&j, sig);
    sw_json_array_begin(&j);
    for (size_t i = 0; i < ev->nsignals; i++) {
        sw_json_array_begin(&j);
        sw_json_string(&j, ev->signals[i].id);
        sw_json_int(&j, ev->signals[i].weight);
        sw_json_string(&j, ev->signals[i].evidence);
        sw_json_array_end(&j);
    }
    sw_json_array_end(&j);
    return rc | j.status;
}

/* sw_store_put without its failure handling; *touched is set once it has changed the
 * transaction (rows or sums), after which a failure must roll the transaction back. */
static int put_one(sw_store *s, const sw_evidence *ev, const char *json, size_t json_len,
                   int *touched, sw_error *err)
{
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    /* One probe: is the observation stored, and which messages do its ids name? A
     * Message-ID is the sender's to choose, so it joins only records that do not contradict
     * each other: another NetworkMessageId (Exchange gives every message its own) or
     * another From in any record of a message means a second message that copied the id,
     * which trace then shows beside the first instead of merged into it. A NetworkMessageId
     * is the provider's, but a raw .eml can carry a forged one: it too joins no message
     * whose From differs. */
    if ((rc = sw_store_prepare(s, &s->obs_exists,
                               "SELECT (SELECT 1 FROM observations WHERE key = ?1),"
                               " (SELECT message FROM observations WHERE mid_key = ?2"
                               " GROUP BY message HAVING sum((?3 IS NOT NULL AND nmid_key"
                               " IS NOT NULL AND nmid_key <> ?3) OR (?4 IS NOT NULL AND"
                               " from_address IS NOT NULL AND lower(from_address) <>"
                               " lower(?4))) = 0 ORDER BY message LIMIT 1),"
                               " (SELECT message FROM observations WHERE nmid_key = ?3"
                               " GROUP BY message HAVING sum(?4 IS NOT NULL AND from_address"
                               " IS NOT NULL AND lower(from_address) <> lower(?4)) = 0"
                               " ORDER BY message LIMIT 1)",
                               err)))
        return rc;
    sw_store_bind_text(s->obs_exists, 1, ev->key);
    sw_store_bind_text(s->obs_exists, 2, ev->message_id_key);
    sw_store_bind_text(s->obs_exists, 3, ev->network_message_id_key);
    sw_store_bind_text(s->obs_exists, 4, ev->from_address);
    if (sqlite3_step(s->obs_exists) != SQLITE_ROW)
        return sw_store_db_error(s, err, "lookup");
    if (sqlite3_column_type(s->obs_exists, 0) != SQLITE_NULL) {
        /* reset: a statement left on a row holds a read snapshot, which keeps checkpoints
         * from finishing and makes another writer's next BEGIN IMMEDIATE fail busy */
        sqlite3_reset(s->obs_exists);
        s->stats.duplicates++;
        return 0;
    }
    int64_t found[2] = {sqlite3_column_int64(s->obs_exists, 1),
                        sqlite3_column_int64(s->obs_exists, 2)};
    sqlite3_reset(s->obs_exists);

    /* the column documents first: a record too large for them changes nothing */
    sw_buf auth, rcpt, sig;
    sw_buf_init(&auth, 1u << 16);
    sw_buf_init(&rcpt, 1u << 20);
    sw_buf_init(&sig, 1u << 20);
    if (child_json(ev, &auth, &rcpt, &sig)) {
        sw_buf_free(&auth);
        sw_buf_free(&rcpt);
        sw_buf_free(&sig);
        return sw_error_set(err, SW_ELIMIT, "%s: record too large for the store", ev->path);
    }
    *touched = 1;
    sw_arena_reset(&s->scratch);
    sw_arena *a = &s->scratch;
    int64_t message = 0;
    int flagged = ev->verdict == SW_VERDICT_SPOOFED || ev->verdict == SW_VERDICT_SUSPICIOUS;
    const char *campaign = NULL;
    if ((rc = join_message(s, found, &message, err)) ||
        (flagged && (rc = sw_store_campaign_add(s, a, ev, message, &campaign, err)))) {
        sw_buf_free(&auth);
        sw_buf_free(&rcpt);
        sw_buf_free(&sig);
        return rc;
    }
    if ((rc = sw_store_prepare(
             s, &s->obs_insert,
             "INSERT INTO observations(key, message, run, time, format, path, offset, line,"
             " from_log, message_id, network_message_id, from_address, from_display,"
             " from_domain, from_org, envelope_from, envelope_domain, reply_to, subject,"
             " client_ip, direction, verdict, score, auth, recipients, signals, facts,"
             " campaign, record, mid_key, nmid_key, count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
             " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
             " ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
             err))) {
        sw_buf_free(&auth);
        sw_buf_free(&rcpt);
        sw_buf_free(&sig);
        return rc;
    }
    sqlite3_stmt *st = s->obs_insert;
    sw_store_bind_text(st, 1, ev->key);
    sqlite3_bind_int64(st, 2, message);
    sqlite3_bind_int64(st, 3, s->run);
    if (ev->has_time)
        sqlite3_bind_int64(st, 4, ev->time);
    sw_store_bind_text(st, 5, ev->format);
    sw_store_bind_text(st, 6, ev->path);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)ev->offset);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)ev->line);
    sqlite3_bind_int(st, 9, ev->from_log);
    sw_store_bind_text(st, 10, ev->message_id);
    sw_store_bind_text(st, 11, ev->network_message_id);
    sw_store_bind_text(st, 12, ev->from_address);
    sw_store_bind_text(st, 13, ev->from_display);
    sw_store_bind_text(st, 14, ev->from_domain);
    sw_store_bind_text(st, 15, ev->from_org);
    sw_store_bind_text(st, 16, ev->envelope_from);
    sw_store_bind_text(st, 17, ev->envelope_domain);
    sw_store_bind_text(st, 18, ev->reply_to);
    sw_store_bind_text(st, 19, ev->subject);
    sw_store_bind_text(st, 20, ev->client_ip);
    sw_store_bind_text(st, 21, ev->direction);
    sqlite3_bind_int(st, 22, (int)ev->verdict);
    sqlite3_bind_int(st, 23, ev->score);
    sqlite3_bind_text(st, 24, auth.data, (int)auth.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 25, rcpt.data, (int)rcpt.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 26, sig.data, (int)sig.len, SQLITE_STATIC);
    sqlite3_bind_int(st, 27, (int)ev->facts);
    sw_store_bind_text(st, 28, campaign);
    if (flagged && json && json_len <= SW_STORE_MAX_JSON)
        sqlite3_bind_text(st, 29, json, (int)json_len, SQLITE_STATIC);
    sw_store_bind_text(st, 30, ev->message_id_key);
    sw_store_bind_text(st, 31, ev->network_message_id_key);
    if (ev->count > 1) /* NULL stands for one message: most rows */
        sqlite3_bind_int64(st, 32, (sqlite3_int64)ev->count);
    rc = sw_store_step_done(s, st, err, "insert");
    sqlite3_reset(st); /* drop the borrowed buffers before freeing them */
    sw_buf_free(&auth);
    sw_buf_free(&rcpt);
    sw_buf_free(&sig);
    if (rc)
        return rc;
    int64_t obs = sqlite3_last_insert_rowid(s->db);
    if (ev->subject) {
        if ((rc = sw_store_prepare(s, &s->fts_insert,
                                   "INSERT INTO subjects(rowid, subject) VALUES(?, ?)", err)))
            return rc;
        sqlite3_bind_int64(s->fts_insert, 1, obs);
        sw_store_bind_text(s->fts_insert, 2, ev->subject);
        if ((rc = sw_store_step_done(s, s->fts_insert, err, "subject index")))
            return rc;
    }
    if ((rc = sw_store_add_counts(s, ev, sw_campaign_network(a, ev->client_ip), err)))
        return rc;
    s->stats.stored++;
    if (flagged)
        s->stats.flagged++;
    if (++s->pending >= s->batch && (rc = tx_commit(s, err)))
        return rc;
    return 1;
}

int sw_store_put(sw_store *s, const sw_evidence *ev, const char *json, size_t json_len,
                 sw_error *err)
{
    if (!s->in_run)
        return sw_error_set(err, SW_EINVAL, "sw_store_put outside a run");
    s->stats.seen++;
    int touched = 0;
    int rc = put_one(s, ev, json, json_len, &touched, err);
    if (rc < 0 && touched)
        tx_rollback(s);
    return rc;
}

/* ---- key changes and retention ---- */

int sw_store_set_keyspec(sw_store *s, const sw_campaign_keyspec *spec, sw_error *err)
{
    if (spec->parts == s->keyspec.parts && spec->window == s->keyspec.window)
        return SW_OK;
    sw_arena a;
    sw_arena_init(&a, 1u << 16);
    char w[32];
    snprintf(w, sizeof w, "%lld", (long long)spec->window);
    const char *parts = sw_campaign_parts_text(&a, spec->parts);
    int rc = tx_begin(s, err);
    if (!rc)
        rc = meta_set(s, "campaign_key", parts ? parts : "", err);
    if (!rc)
        rc = meta_set(s, "campaign_window", w, err);
    sw_arena_free(&a);
    if (rc)
        return rc;
    s->keyspec = *spec;
    rc = sw_store_regroup(s, err);
    if (!rc && !s->in_run)
        rc = tx_commit(s, err);
    return rc;
}

int sw_store_prune(sw_store *s, int64_t cutoff, uint64_t *deleted, sw_error *err)
{
    *deleted = 0;
    int rc = tx_begin(s, err);
    if (rc)
        return rc;
    char sql[4096];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE IF NOT EXISTS gone(id INTEGER PRIMARY KEY, source TEXT, dated INT,"
             " day INT, facts INT);"
             "DELETE FROM gone;"
             "INSERT INTO gone SELECT o.id, coalesce(o.format, 'unknown'), o.time IS NOT NULL,"
             " CASE WHEN o.time >= 0 THEN o.time / 86400 ELSE -((-o.time + 86399) / 86400) END,"
             " o.facts FROM observations o JOIN runs r ON r.id = o.run"
             " WHERE coalesce(o.time, r.started) < %lld;",
             (long long)cutoff);
    if ((rc = sw_store_exec(s, sql, err)))
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM gone", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        *deleted = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    char facts[2048] = "";
    for (int b = 0, n = 0; b < SW_EV_NFACTS; b++)
        n += snprintf(facts + n, sizeof facts - (size_t)n,
                      ", f%d = f%d - (SELECT count(*) FROM gone g WHERE g.dated AND"
                      " g.source = coverage.source AND g.day = coverage.day AND g.facts & %d)",
                      b, b, 1 << b);
    int len =
        snprintf(sql, sizeof sql,
                 "UPDATE coverage_undated SET records = records - (SELECT count(*) FROM gone g"
                 " WHERE g.source = coverage_undated.source AND NOT g.dated);"
                 "DELETE FROM coverage_undated WHERE records <= 0;"
                 /* the cutoff's own day stays, less the records deleted from it */
                 "UPDATE coverage SET records = records - (SELECT count(*) FROM gone g WHERE"
                 " g.dated AND g.source = coverage.source AND g.day = coverage.day)%s"
                 " WHERE day = %lld;"
                 "DELETE FROM coverage WHERE records <= 0;"
                 "INSERT INTO subjects(subjects, rowid, subject) SELECT 'delete', id, subject"
                 " FROM observations WHERE id IN (SELECT id FROM gone) AND subject IS NOT NULL;"
                 "DELETE FROM observations WHERE id IN (SELECT id FROM gone);"
                 "DELETE FROM coverage WHERE day < %lld;"
                 "DELETE FROM baseline_domains WHERE last_seen < %lld;"
                 "DELETE FROM baseline_networks WHERE last_seen < %lld;"
                 "DELETE FROM gone;",
                 facts, (long long)sw_store_day_of(cutoff), (long long)sw_store_day_of(cutoff),
                 (long long)cutoff, (long long)cutoff);
    if (len < 0 || (size_t)len >= sizeof sql)
        return sw_error_set(err, SW_ELIMIT, "%s: prune: SQL text too long", s->path);
    if ((rc = sw_store_exec(s, sql, err)))
        return rc;
    if ((rc = sw_store_regroup(s, err)))
        return rc;
    return tx_commit(s, err);
}
