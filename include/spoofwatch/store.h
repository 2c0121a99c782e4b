/* The evidence store: SQLite (WAL), one file, the embedded default.
 *
 * Write path (store.c): a run (one `ingest` or `scan --store`) opens a transaction, puts one
 * sw_evidence per record and commits every SW_STORE_BATCH records and at the end, so a
 * process killed mid-run leaves the store as of its last commit and a re-run completes it.
 * Each observation is keyed by its content (sw_evidence.key): putting it twice stores
 * nothing the second time. Flagged records (spoofed, suspicious) keep their full JSON; clean
 * ones a compact row. Observations of one message from different sources are joined on the
 * Internet Message-ID and the NetworkMessageId (either one links them). Campaign, coverage
 * and baseline tables are updated in the same transaction as the observation, so they never
 * disagree with it.
 *
 * Read path (query.c): trace, campaigns, search, coverage cells, alerts. Results live in the
 * arena the caller passes.
 *
 * The store owns its SQLite handle and statements; sw_store_close() frees them. Schema and
 * its meaning: docs/store.md. A store is used by one thread at a time (its connection is
 * opened without SQLite's own mutexes), and SQLite's memory statistics are off. */
#ifndef SPOOFWATCH_STORE_H
#define SPOOFWATCH_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/campaign.h"
#include "spoofwatch/coverage.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/error.h"
#include "spoofwatch/evidence.h"

/* Records per transaction: large enough that commits cost little, small enough that a
 * killed run loses seconds of work at most. Each commit rewrites every page the random
 * observation keys and message ids touched in their indexes, so fewer, larger commits
 * write much less (1 M records: 100,000 a commit took 44 s, 20,000 took 64 s); the pages
 * of one transaction still fit the 256 MB page cache (docs/performance.md). */
#define SW_STORE_BATCH 100000
/* A transaction also commits once its in-memory sums (store/sums.c: coverage cells, sender
 * domains and networks, campaign members, recipients and counts) hold this many keys. One
 * record adds a few plus its recipients (at most SW_MAX_LOG_RECIPIENTS), so the table never
 * needs more than 262,144 slots (about 60 MB), however many distinct keys an input brings. */
#define SW_STORE_SUMS_COMMIT 100000
/* Full record JSON kept per flagged observation (larger ones keep the compact row only). */
#define SW_STORE_MAX_JSON (4u << 20)

typedef struct sw_store sw_store;

typedef struct sw_store_stats {
    uint64_t seen;       /* records offered in this run */
    uint64_t stored;     /* new observations */
    uint64_t duplicates; /* already in the store */
    uint64_t flagged;    /* new observations that are spoofed or suspicious */
    uint64_t joined;     /* new observations of a message the store already knew */
} sw_store_stats;

/* The store path when --store is not given: $SPOOFWATCH_STORE, else
 * $XDG_DATA_HOME/spoofwatch/evidence.db, else ~/.local/share/spoofwatch/evidence.db.
 * Returns 0, or -1 when no location can be derived or it does not fit. */
int sw_store_default_path(char *buf, size_t size);

enum { SW_STORE_READ = 0, SW_STORE_WRITE = 1 };
/* Opens (SW_STORE_WRITE: creating the file, its folder and the schema when missing). */
int sw_store_open(sw_store **out, const char *path, int mode, sw_error *err);
void sw_store_close(sw_store *s);
const char *sw_store_path(const sw_store *s);

/* The campaign key the store groups by (kept in the store; defaults on a new store). */
void sw_store_keyspec(const sw_store *s, sw_campaign_keyspec *spec);
/* Changes it and regroups every flagged observation under the new key. */
int sw_store_set_keyspec(sw_store *s, const sw_campaign_keyspec *spec, sw_error *err);

/* A run: begin, put records, end. The history source (baselines from earlier finished runs)
 * is valid between begin and end; give it to the detector. */
int sw_store_run_begin(sw_store *s, const char *command, sw_error *err);
/* Records per transaction (default SW_STORE_BATCH). */
void sw_store_set_batch(sw_store *s, uint64_t records);
/* Puts one record's evidence; json (may be NULL) is its full JSON form, kept when the
 * record is flagged. Returns 1 stored, 0 already there, <0 on error; an error after the
 * put changed anything rolls the open transaction back (the store is as of its last
 * commit, as after kill -9), so the caller stops the run rather than go on. */
int sw_store_put(sw_store *s, const sw_evidence *ev, const char *json, size_t json_len,
                 sw_error *err);
int sw_store_run_end(sw_store *s, sw_error *err);
/* Ends a run that was stopped: commits what it stored, but leaves it unfinished, so its
 * baselines are not trusted as "earlier runs" and a re-run completes it. */
int sw_store_run_stop(sw_store *s, sw_error *err);
const sw_store_stats *sw_store_run_stats(const sw_store *s);
const sw_history_source *sw_store_history(sw_store *s);

/* Retention: deletes observations older than cutoff (UTC seconds; undated ones by the time
 * their run began), messages left without observations, and coverage days before it;
 * campaigns are regrouped. *deleted gets the observations removed. */
int sw_store_prune(sw_store *s, int64_t cutoff, uint64_t *deleted, sw_error *err);

/* ---- read path (query.c) ---- */

/* Every observation of the message with this Internet Message-ID (brackets optional, any
 * case) or NetworkMessageId, oldest first. *n = 0 when the store does not know it. */
int sw_store_trace(sw_store *s, sw_arena *a, const char *id, sw_evidence **out, size_t *n,
                   sw_error *err);

typedef struct sw_store_filter {
    const char *sender_domain; /* From domain or its organizational domain */
    const char *recipient;     /* address, or @domain */
    unsigned verdicts;         /* bit (1 << sw_verdict) per verdict; 0 = any */
    const char *signal;        /* a counted signal id */
    const char *text;          /* full-text query on subjects (FTS5 syntax) */
    const char *campaign;      /* campaign id */
    int64_t since, until;      /* UTC seconds; has_since / has_until */
    int has_since, has_until;
    size_t limit;              /* 0 = no limit */
} sw_store_filter;
/* Calls fn for each matching observation, newest first; a non-zero return stops. */
int sw_store_search(sw_store *s, const sw_store_filter *f,
                    int (*fn)(const sw_evidence *ev, const char *json, void *ctx), void *ctx,
                    sw_error *err);

/* The same, collected into a (for small result sets: a campaign's newest member). */
int sw_store_select(sw_store *s, sw_arena *a, const sw_store_filter *f, sw_evidence **out,
                    size_t *n, sw_error *err);

/* Campaigns, most recent last_seen first; f->since/until/sender_domain/limit apply. */
int sw_store_campaigns(sw_store *s, sw_arena *a, const sw_store_filter *f, sw_campaign **out,
                       size_t *n, sw_error *err);

/* Coverage cells for sw_coverage_report_build(), and the count of undated records. */
int sw_store_coverage(sw_store *s, sw_arena *a, sw_coverage_cell **out, size_t *n,
                      uint64_t *undated, sw_error *err);

#endif
