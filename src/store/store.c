/* Evidence store, write path: see include/spoofwatch/store.h; schema in docs/store.md.
 *
 * Runs and their transactions, putting one observation (dedupe probe, message join, the
 * row, the subject index), key changes and retention; opening and the schema are open.c's.
 * Every derived table (joined messages, campaigns, coverage, baselines, the subject index)
 * changes in the transaction that inserts the observation, and only when the observation is
 * new, so a duplicate changes nothing and a killed run leaves no half-counted record behind;
 * the sums behind campaigns, coverage and baselines are kept by sums.c until the commit. */
#include "internal.h"

#include "spoofwatch/buf.h"
#include "spoofwatch/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    if ((++s->pending >= s->batch || s->sums.n >= SW_STORE_SUMS_COMMIT) &&
        (rc = tx_commit(s, err)))
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
        rc = sw_store_meta_set(s, "campaign_key", parts ? parts : "", err);
    if (!rc)
        rc = sw_store_meta_set(s, "campaign_window", w, err);
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
