/* Evidence store, opening: see include/spoofwatch/store.h; schema in docs/store.md.
 *
 * The schema and its version, opening a store for reading or writing (refusing a newer
 * schema and a database that is not a store), the meta table, closing, and the small
 * statement helpers store.c and query.c share. A writer's connection gets its pragmas
 * here; everything a put changes is in store.c. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int sw_store_meta_set(sw_store *s, const char *key, const char *value, sw_error *err)
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
            rc = sw_store_meta_set(s, "schema_version", v, err);
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
