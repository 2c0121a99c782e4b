/* Fills an evidence store with synthetic records for `make bench`, and times it.
 * usage: gen_store STORE RECORDS          -> the store path (sw_store_put), records/s
 *        gen_store --bare DB RECORDS      -> baseline: the same rows into one SQLite table
 *                                            without indexes, joins or derived tables
 *        gen_store --indexed DB RECORDS   -> baseline: the same table with the least the
 *                                            store's promises need (key, ids, time, FTS5)
 * Records are shaped like a tenant's mail: 1-3 recipients, one message in three also logged
 * by a second source (so observations join), 1 in 20 flagged into some 2,000 campaigns, times
 * over 90 days. A fixed LCG keeps runs identical; the last line printed is the Message-ID of
 * a joined message, for the trace benchmark. */
#include "spoofwatch/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long seed = 0x570e5eedULL;

static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *const formats[] = {"defender-emailevents", "o365-timaildata",
                                      "exo-message-trace", "mbox"};
static const char *const deliveries[] = {"delivered", "delivered", "delivered", "junk",
                                         "blocked"};

typedef struct gen {
    char key[33], mid[96], nmid[48], from[96], domain[48], subject[128], ip[24], rcpt[3][64];
    sw_ev_recipient recipients[3];
    sw_ev_signal signals[3];
    sw_evidence ev;
} gen;

/* Record i: records 3k and 3k+1 are the same message seen by two sources. */
static void make(gen *g, unsigned long i)
{
    unsigned long msg = i - (i % 3 == 1);
    int flagged = rnd(20) == 0;
    unsigned dom = flagged ? rnd(400) : rnd(5000);
    snprintf(g->key, sizeof g->key, "%016lx%016lx", i * 0x9E3779B97F4A7C15UL, i);
    snprintf(g->mid, sizeof g->mid, "%lu.%u@mail%u.example", msg, (unsigned)(msg % 977), dom);
    snprintf(g->nmid, sizeof g->nmid, "%08lx-1c2d-4e5f-a6b7-%012lx", msg, msg * 7919);
    snprintf(g->domain, sizeof g->domain, "sender%u.example", dom);
    snprintf(g->from, sizeof g->from, "user%u@%s", rnd(50), g->domain);
    if (flagged)
        snprintf(g->subject, sizeof g->subject, "Invoice %u overdue: action %u required",
                 rnd(100000), rnd(5));
    else
        snprintf(g->subject, sizeof g->subject, "Weekly report %u for team %u", rnd(52),
                 rnd(300));
    snprintf(g->ip, sizeof g->ip, "198.%u.%u.%u", 18 + rnd(2), rnd(256), 1 + rnd(254));
    unsigned nr = 1 + rnd(3);
    for (unsigned r = 0; r < nr; r++) {
        snprintf(g->rcpt[r], sizeof g->rcpt[r], "employee%u@corp.example", rnd(20000));
        g->recipients[r] = (sw_ev_recipient){.address = g->rcpt[r],
                                             .field = "RecipientEmailAddress",
                                             .action = "Delivered",
                                             .location = "Inbox/folder",
                                             .delivered = deliveries[rnd(5)]};
    }
    g->signals[0] = (sw_ev_signal){"dmarc_fail", 35, "AuthenticationDetails: dmarc=fail"};
    g->signals[1] = (sw_ev_signal){"spf_fail", 15, "AuthenticationDetails: spf=fail"};
    g->signals[2] = (sw_ev_signal){"delivered_despite_auth_failure", 15, "delivered to inbox"};
    sw_evidence *ev = &g->ev;
    memset(ev, 0, sizeof *ev);
    memcpy(ev->key, g->key, sizeof ev->key);
    ev->path = "bench/generated";
    ev->line = i + 1;
    ev->format = formats[i % 3 == 1 ? 1 + rnd(2) : (rnd(4) == 0 ? 3 : 0)];
    ev->from_log = ev->format[0] != 'm';
    ev->time = 1704067200 + (int64_t)(i % 7776000);
    ev->has_time = 1;
    ev->message_id = g->mid;
    ev->message_id_key = g->mid;
    ev->network_message_id = ev->network_message_id_key = g->nmid;
    ev->from_address = g->from;
    ev->from_domain = ev->from_org = ev->envelope_domain = g->domain;
    ev->envelope_from = g->from;
    ev->subject = g->subject;
    ev->client_ip = g->ip;
    ev->direction = "Inbound";
    ev->verdict = flagged ? (rnd(2) ? SW_VERDICT_SPOOFED : SW_VERDICT_SUSPICIOUS)
                          : SW_VERDICT_PASS;
    ev->score = flagged ? 65 : 0;
    ev->spf = (sw_ev_auth){flagged ? "fail" : "pass", g->domain, "AuthenticationDetails"};
    ev->dkim = (sw_ev_auth){flagged ? "none" : "pass", g->domain, "AuthenticationDetails"};
    ev->dmarc = (sw_ev_auth){flagged ? "fail" : "pass", g->domain, "AuthenticationDetails"};
    ev->recipients = g->recipients;
    ev->nrecipients = nr;
    ev->signals = flagged ? g->signals : NULL;
    ev->nsignals = flagged ? 3 : 0;
    ev->facts = 0x1ff;
}

/* The baselines' SQL: the store's page cache and journal settings, and one table of the
 * rows' main columns. The indexed baseline adds what the store's promises need at the
 * least, and nothing of spoofwatch's own: the unique observation key (re-ingest stores
 * nothing twice), the Message-ID and NetworkMessageId lookups (joins, trace), the time
 * index (retention, time-range search) and the subject index (FTS5, the store's
 * tokenizer). */
static const char bare_sql[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
    " PRAGMA wal_autocheckpoint=16384;"
    "CREATE TABLE o(key TEXT, time INTEGER, format TEXT, path TEXT, line INTEGER,"
    " message_id TEXT, nmid TEXT, from_address TEXT, subject TEXT, client_ip TEXT,"
    " verdict INTEGER, recipients TEXT)";
static const char indexed_sql[] =
    "CREATE UNIQUE INDEX o_key ON o(key); CREATE INDEX o_mid ON o(message_id);"
    "CREATE INDEX o_nmid ON o(nmid); CREATE INDEX o_time ON o(time);"
    "CREATE VIRTUAL TABLE o_subject USING fts5(subject, content='o', columnsize=0,"
    " tokenize='unicode61 remove_diacritics 2')";

static int bare(const char *path, unsigned long n, int indexed)
{
    sqlite3 *db;
    sqlite3_stmt *st, *fts = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, bare_sql, NULL, NULL, NULL) != SQLITE_OK ||
        (indexed && (sqlite3_exec(db, indexed_sql, NULL, NULL, NULL) != SQLITE_OK ||
                     sqlite3_prepare_v2(db, "INSERT INTO o_subject(rowid, subject) VALUES(?, ?)",
                                        -1, &fts, NULL) != SQLITE_OK)) ||
        sqlite3_prepare_v2(db, "INSERT INTO o VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "gen_store: %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }
    gen g;
    double t0 = now();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (unsigned long i = 0; i < n; i++) {
        make(&g, i);
        char rc[256];
        snprintf(rc, sizeof rc, "[{\"address\":\"%s\",\"delivered\":\"%s\"}]", g.rcpt[0],
                 g.recipients[0].delivered);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, g.ev.key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, g.ev.time);
        sqlite3_bind_text(st, 3, g.ev.format, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, g.ev.path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)g.ev.line);
        sqlite3_bind_text(st, 6, g.mid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, g.nmid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, g.from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, g.subject, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, g.ip, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 11, (int)g.ev.verdict);
        sqlite3_bind_text(st, 12, rc, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "gen_store: %s: %s\n", path, sqlite3_errmsg(db));
            return 1;
        }
        if (fts) {
            sqlite3_reset(fts);
            sqlite3_bind_int64(fts, 1, sqlite3_last_insert_rowid(db));
            sqlite3_bind_text(fts, 2, g.subject, -1, SQLITE_STATIC);
            if (sqlite3_step(fts) != SQLITE_DONE) {
                fprintf(stderr, "gen_store: %s: %s\n", path, sqlite3_errmsg(db));
                return 1;
            }
        }
        if (i % SW_STORE_BATCH == SW_STORE_BATCH - 1) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double t = now() - t0;
    sqlite3_finalize(st);
    sqlite3_finalize(fts);
    sqlite3_close(db);
    printf("%lu %.3f\n", n, t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && (!strcmp(argv[1], "--bare") || !strcmp(argv[1], "--indexed")))
        return bare(argv[2], strtoul(argv[3], NULL, 10), !strcmp(argv[1], "--indexed"));
    if (argc != 3) {
        fprintf(stderr, "usage: gen_store [--bare|--indexed] STORE RECORDS\n");
        return 2;
    }
    unsigned long n = strtoul(argv[2], NULL, 10);
    sw_store *s;
    sw_error err;
    sw_error_clear(&err);
    if (sw_store_open(&s, argv[1], SW_STORE_WRITE, &err) ||
        sw_store_run_begin(s, "bench", &err)) {
        fprintf(stderr, "gen_store: %s\n", err.message);
        return 1;
    }
    gen g;
    char traced[96] = "";
    /* flagged records keep their full JSON: about 3 KB, as scan writes them */
    static char json[3072];
    memset(json, 'x', sizeof json - 3);
    json[0] = '"';
    json[sizeof json - 3] = '"';
    double t0 = now();
    for (unsigned long i = 0; i < n; i++) {
        make(&g, i);
        int flagged = g.ev.verdict >= SW_VERDICT_SUSPICIOUS;
        if (sw_store_put(s, &g.ev, flagged ? json : NULL, flagged ? sizeof json - 2 : 0, &err) <
            0) {
            fprintf(stderr, "gen_store: %s\n", err.message);
            return 1;
        }
        if (i == n / 2 - (n / 2) % 3)
            snprintf(traced, sizeof traced, "%s", g.mid);
    }
    if (sw_store_run_end(s, &err)) {
        fprintf(stderr, "gen_store: %s\n", err.message);
        return 1;
    }
    double t = now() - t0;
    sw_store_close(s);
    printf("%lu %.3f\n%s\n", n, t, traced);
    return 0;
}
