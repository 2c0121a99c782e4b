/* Store options shared by ingest, scan --store and the store commands: --store FILE (default
 * sw_store_default_path()), --campaign-key LIST, --campaign-window DURATION, and the sink that
 * puts one assessed record into the store. */
#include "cli.h"
#include "spoofwatch/datetime.h"
#include "spoofwatch/json.h"
#include "spoofwatch/logsource.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A positive decimal count: digits only (strtoull alone takes "-1" as 2^64 - 1, and " 5",
 * "+5"), without overflow. */
static int positive_count(const char *v, unsigned long long *out)
{
    if (*v < '0' || *v > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*end || errno == ERANGE || !n || n > (unsigned long long)INT64_MAX)
        return -1;
    *out = n;
    return 0;
}

int sw_cli_store_option(int argc, char **argv, int *i, sw_cli_store *cs)
{
    const char *v;
    int r;
    if ((r = sw_cli_opt_value(argc, argv, i, "store", 0, &v))) {
        /* SQLite reads "" and ":memory:" as databases dropped on close: evidence would
         * be reported as kept and be gone */
        if (r > 0 && (!*v || !strcmp(v, ":memory:"))) {
            sw_cli_warn("--store takes a file name (got '%s')", v);
            return -1;
        }
        if (r > 0)
            cs->path = v;
        return r;
    }
    if ((r = sw_cli_opt_value(argc, argv, i, "commit-every", 0, &v))) {
        if (r < 0)
            return r;
        unsigned long long n;
        if (positive_count(v, &n)) {
            sw_cli_warn("--commit-every takes a positive number of records (got '%s')", v);
            return -1;
        }
        cs->batch = n;
        return 1;
    }
    if ((r = sw_cli_opt_value(argc, argv, i, "campaign-key", 0, &v))) {
        if (r < 0)
            return r;
        if (sw_campaign_parse_parts(v, &cs->parts)) {
            sw_cli_warn("--campaign-key takes from_org, subject, network, envelope_org, "
                        "display_name, from_address (got '%s')",
                        v);
            return -1;
        }
        cs->set_key = 1;
        return 1;
    }
    if ((r = sw_cli_opt_value(argc, argv, i, "campaign-window", 0, &v))) {
        if (r < 0)
            return r;
        if ((cs->window = sw_duration_parse(v)) <= 0) {
            sw_cli_warn("--campaign-window takes a duration such as 7d, 24h, 3600 (got '%s')", v);
            return -1;
        }
        cs->set_window = 1;
        return 1;
    }
    return 0;
}

int sw_cli_store_open(sw_cli_store *cs, int mode)
{
    if (!cs->path) {
        if (sw_store_default_path(cs->default_path, sizeof cs->default_path)) {
            sw_cli_warn("no store location: give --store FILE or set SPOOFWATCH_STORE");
            return -1;
        }
        cs->path = cs->default_path;
    }
    sw_error err;
    sw_error_clear(&err);
    if (sw_store_open(&cs->store, cs->path, mode, &err)) {
        sw_cli_warn("%s", err.message);
        return -1;
    }
    if (cs->batch)
        sw_store_set_batch(cs->store, cs->batch);
    if (cs->set_key || cs->set_window) {
        sw_campaign_keyspec spec;
        sw_store_keyspec(cs->store, &spec);
        if (cs->set_key)
            spec.parts = cs->parts;
        if (cs->set_window)
            spec.window = cs->window;
        if (mode != SW_STORE_WRITE) {
            sw_cli_warn("--campaign-key and --campaign-window change the store: give them to "
                        "ingest");
            sw_cli_store_close(cs);
            return -1;
        }
        if (sw_store_set_keyspec(cs->store, &spec, &err)) {
            sw_cli_warn("%s", err.message);
            sw_cli_store_close(cs);
            return -1;
        }
    }
    return 0;
}

void sw_cli_store_close(sw_cli_store *cs)
{
    sw_store_close(cs->store);
    cs->store = NULL;
}

int sw_cli_store_put(sw_cli_store *cs, const sw_evidence *ev, const sw_record *rec,
                     const sw_verification *ver, const sw_assessment *as, const char *json,
                     size_t json_len)
{
    sw_error err;
    sw_error_clear(&err);
    int flagged = as->verdict == SW_VERDICT_SPOOFED || as->verdict == SW_VERDICT_SUSPICIOUS;
    sw_buf own;
    sw_buf_init(&own, SW_STORE_MAX_JSON);
    if (flagged && !json && sw_cli_write_record(&own, rec, ver, as) == 0) {
        json = own.data;
        json_len = own.len;
    }
    int rc = sw_store_put(cs->store, ev, flagged ? json : NULL, flagged ? json_len : 0, &err);
    sw_buf_free(&own);
    if (rc < 0) {
        sw_cli_warn("%s", err.message);
        return -1;
    }
    return 0;
}

int sw_cli_time_arg(const char *v, int64_t *out)
{
    int64_t back = sw_duration_parse(v);
    if (back > 0 && !strchr(v, '-')) {
        *out = (int64_t)time(NULL) - back;
        return 0;
    }
    char buf[64];
    size_t n = strlen(v);
    const char *date = NULL;
    if (n == 10 && n < sizeof buf) { /* a bare date: midnight UTC */
        snprintf(buf, sizeof buf, "%sT00:00:00Z", v);
        date = v;
        v = buf;
    }
    if (sw_log_time(v, out))
        return -1;
    /* a date that does not exist (2024-02-30) is refused, not read as another day */
    char ts[32];
    sw_datetime_format_utc(*out, ts);
    return date && strncmp(ts, date, 10) ? -1 : 0;
}

/* "spoofed,suspicious" -> verdict bits; -1 on an unknown name. */
int sw_cli_verdicts(const char *v, unsigned *out)
{
    static const sw_verdict all[] = {SW_VERDICT_UNKNOWN, SW_VERDICT_PASS, SW_VERDICT_SUSPICIOUS,
                                     SW_VERDICT_SPOOFED};
    unsigned bits = 0;
    while (*v) {
        size_t n = strcspn(v, ",");
        int found = 0;
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            const char *name = sw_verdict_name(all[k]);
            if (strlen(name) == n && !strncmp(v, name, n)) {
                bits |= 1u << all[k];
                found = 1;
            }
        }
        if (!found) {
            sw_cli_warn("verdicts are spoofed, suspicious, pass, unknown (got '%.*s')", (int)n, v);
            return -1;
        }
        v += n;
        if (*v == ',')
            v++;
    }
    *out = bits;
    return bits ? 0 : -1;
}

int sw_cli_query_option(int argc, char **argv, int *i, unsigned allowed, sw_cli_query *q)
{
    const char *v;
    int r;
    if ((r = sw_cli_store_option(argc, argv, i, &q->store)))
        return r;
    if (!strcmp(argv[*i], "--json")) {
        q->json = 1;
        return 1;
    }
    struct {
        unsigned bit;
        const char *name;
    } opts[] = {
        {SW_Q_SINCE, "since"},          {SW_Q_UNTIL, "until"},         {SW_Q_LIMIT, "limit"},
        {SW_Q_SENDER, "sender-domain"}, {SW_Q_RECIPIENT, "recipient"}, {SW_Q_VERDICT, "verdict"},
        {SW_Q_SIGNAL, "signal"},        {SW_Q_TEXT, "subject"},        {SW_Q_CAMPAIGN, "campaign"}};
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        if (!(allowed & opts[k].bit))
            continue;
        if (!(r = sw_cli_opt_value(argc, argv, i, opts[k].name, 0, &v)))
            continue;
        if (r < 0)
            return -1;
        sw_store_filter *f = &q->filter;
        switch (opts[k].bit) {
        case SW_Q_SINCE:
        case SW_Q_UNTIL: {
            int64_t t;
            if (sw_cli_time_arg(v, &t)) {
                sw_cli_warn("--%s takes 2024-03-01, 2024-03-01T10:00:00Z or 30d (got '%s')",
                            opts[k].name, v);
                return -1;
            }
            if (opts[k].bit == SW_Q_SINCE) {
                f->since = t;
                f->has_since = 1;
            } else {
                f->until = t;
                f->has_until = 1;
            }
            /* checked when the second of the two arrives: an empty range is a typo, not
             * "nothing happened" */
            if (f->has_since && f->has_until && f->since >= f->until) {
                sw_cli_warn("--since must be before --until");
                return -1;
            }
            break;
        }
        case SW_Q_LIMIT: {
            unsigned long long n;
            if (positive_count(v, &n)) {
                sw_cli_warn("--limit takes a positive number (got '%s')", v);
                return -1;
            }
            f->limit = (size_t)n;
            break;
        }
        case SW_Q_SENDER: f->sender_domain = v; break;
        case SW_Q_RECIPIENT: f->recipient = v; break;
        case SW_Q_VERDICT:
            if (sw_cli_verdicts(v, &f->verdicts))
                return -1;
            break;
        case SW_Q_SIGNAL: f->signal = v; break;
        case SW_Q_TEXT: f->text = v; break;
        case SW_Q_CAMPAIGN: f->campaign = v; break;
        }
        return 1;
    }
    return 0;
}

int sw_cli_write_out(sw_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
        sw_cli_warn("write error: %s", strerror(errno));
        return -1;
    }
    sw_buf_clear(b);
    return 0;
}
