/* Store internals shared by open.c (opening, schema), store.c (write path), sums.c and
 * query.c (read path); not public API. */
#ifndef SW_STORE_INTERNAL_H
#define SW_STORE_INTERNAL_H

#include "spoofwatch/store.h"

#include <sqlite3.h>

/* A hash table of sums or cached answers keyed by kind and up to two strings (sums.c). It
 * grows to SW_STORE_TABLE_SLOTS slots (about 60 MB) and then takes no new key once half
 * full: the sums commit before that (SW_STORE_SUMS_COMMIT), the history cache stops
 * caching. */
#define SW_STORE_TABLE_SLOTS 262144
typedef struct sw_store_table {
    struct sw_store_pend *v;
    size_t n, cap;
    sw_arena arena; /* the keys */
} sw_store_table;

struct sw_store {
    sqlite3 *db;
    char *path;
    int writable;
    sw_campaign_keyspec keyspec;
    /* the current run */
    int64_t run;
    int64_t run_started; /* UTC seconds */
    int in_run, in_tx;
    uint64_t pending; /* puts since the last commit */
    uint64_t batch;   /* puts per transaction */
    int established;  /* finished earlier runs exist (baselines apply) */
    sw_store_stats stats;
    sw_store_stats committed; /* stats as of the last commit (a rollback returns to them) */
    sw_history_source history;
    sw_arena scratch;     /* per put: campaign keys, networks */
    int64_t last_message; /* largest message id in use */
    /* coverage, baseline and campaign sums of the open transaction, and the baseline
     * answers of this run (store.c) */
    sw_store_table sums, seen;
    /* write statements, prepared once per open */
    sqlite3_stmt *obs_exists, *obs_insert, *obs_move, *camp_upsert, *camp_recipient, *camp_member,
        *camp_count, *cov_upsert, *cov_undated, *base_domain, *base_network, *hist_domain,
        *hist_networks, *hist_network, *fts_insert;
};

/* open.c: runs SQL text without results, setting err from the database on failure; sets a
 * meta table entry. */
int sw_store_exec(sw_store *s, const char *sql, sw_error *err);
int sw_store_meta_set(sw_store *s, const char *key, const char *value, sw_error *err);
int sw_store_db_error(sw_store *s, sw_error *err, const char *what);
/* Prepares or returns the cached statement (reset, bindings cleared). */
int sw_store_prepare(sw_store *s, sqlite3_stmt **st, const char *sql, sw_error *err);
/* Campaign aggregates rebuilt from the observations (after prune or a key change). */
int sw_store_regroup(sw_store *s, sw_error *err);
/* Adds one flagged observation (of the given message) to its campaign under the store's
 * key, summed until the transaction commits; *id_out gets the campaign id (in a). */
int sw_store_campaign_add(sw_store *s, sw_arena *a, const sw_evidence *ev, int64_t message,
                          const char **id_out, sw_error *err);
/* Statement helpers (store.c): binds v or NULL; steps, reporting an error with the store
 * path; the UTC day number of a time. */
void sw_store_bind_text(sqlite3_stmt *st, int i, const char *v);
int sw_store_step_done(sw_store *s, sqlite3_stmt *st, sw_error *err, const char *what);
int64_t sw_store_day_of(int64_t t);
/* sums.c: one record's coverage and baseline counts into the open transaction's sums
 * (network: its sending network, may be NULL); empties a table; the history source the
 * detector asks (baselines of finished earlier runs, cached for the run). */
int sw_store_add_counts(sw_store *s, const sw_evidence *ev, const char *network, sw_error *err);
void sw_store_table_clear(sw_store_table *t);
int sw_store_history_lookup(void *ctx, sw_arena *a, const char *org, const char *ip,
                            sw_history *out);
/* Writes the sums the open transaction has kept in memory (coverage, baselines,
 * campaigns); tx commits call it, long regroups too. */
int sw_store_flush(sw_store *s, sw_error *err);
/* query.c: SW_EFORMAT when the observations table lacks a column the queries read (a store
 * of the same schema version written before that column existed). */
int sw_store_check_columns(sw_store *s, sw_error *err);
/* open.c: column text or NULL, copied into a. */
const char *sw_store_col_text(sw_arena *a, sqlite3_stmt *st, int col);

#endif
