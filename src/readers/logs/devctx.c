/* Device context index: see include/spoofwatch/devctx.h.
 *
 * Loading reads each file with the ordinary log reader (sw_log_read) and keeps, of every
 * unified-log record, what an investigator needs next to a message: time, process,
 * subsystem, message text (cut at SW_MAX_CONTEXT_MESSAGE), device and user. The index is
 * finished lazily on the first attach, so --context-user may come after --context: user
 * ids are mapped to names, events without a name are counted and left out for good, the
 * rest is sorted by (user, time),
 * and the bracketed Message-IDs named in event messages get an index of their own
 * (sorted by id) so a record's id is found by binary search.
 *
 * Memory: one arena for every string of the index, one malloc'd array of events (grown
 * by doubling up to SW_MAX_CONTEXT_EVENTS) and one of ids. Both live until
 * sw_devctx_free(), after the last record was written. */
#include "spoofwatch/devctx.h"
#include "spoofwatch/input.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/logsource.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the strings of every indexed event; the event and message caps keep it well below */
#define DEVCTX_ARENA_CAP (512u << 20)
#define MAX_USER_MAPS 256
#define MAX_MSGID 998 /* RFC 5322 line limit: longer is not an id */

typedef struct dev_event {
    sw_device_event pub;
    const char *user; /* login name, NULL until resolved */
    const char *uid;  /* userID as logged */
    const char *path_user; /* from a /Users/<name>/ path in the event, the last resort */
} dev_event;

typedef struct msgid_ref {
    const char *id; /* lower case, no brackets */
    size_t event;
} msgid_ref;

struct sw_devctx {
    sw_arena arena;
    dev_event *ev;
    size_t nev, cap;
    msgid_ref *ids;
    size_t nids, capids;
    int finished;
    int64_t window;
    struct {
        const char *uid, *name;
    } maps[MAX_USER_MAPS];
    size_t nmaps;
    sw_devctx_stats st;
};

sw_devctx *sw_devctx_new(void)
{
    sw_devctx *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    sw_arena_init(&d->arena, DEVCTX_ARENA_CAP);
    d->window = SW_CONTEXT_WINDOW_DEFAULT;
    return d;
}

void sw_devctx_free(sw_devctx *d)
{
    if (!d)
        return;
    free(d->ev);
    free(d->ids);
    sw_arena_free(&d->arena);
    free(d);
}

void sw_devctx_set_window(sw_devctx *d, int64_t seconds)
{
    d->window = seconds < 0 ? 0 : seconds;
}

int sw_devctx_map_user(sw_devctx *d, const char *spec)
{
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || eq == spec || !eq[1] || d->nmaps == MAX_USER_MAPS)
        return -1;
    for (const char *p = spec; p < eq; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    const char *uid = sw_arena_strndup(&d->arena, spec, (size_t)(eq - spec));
    const char *name = sw_arena_strndup(&d->arena, eq + 1, strlen(eq + 1));
    if (!uid || !name) /* index arena full: finish() compares these */
        return -1;
    d->maps[d->nmaps].uid = uid;
    d->maps[d->nmaps].name = name;
    d->nmaps++;
    d->finished = 0;
    return 0;
}

const sw_devctx_stats *sw_devctx_stats_get(const sw_devctx *d)
{
    return &d->st;
}

/* ---- loading ---- */

static const char *field(const sw_record *rec, const char *key)
{
    for (size_t i = 0; i < rec->log.nfields; i++)
        if (!strcmp(rec->log.fields[i].key, key))
            return rec->log.fields[i].value;
    return NULL;
}

static const char *keep(sw_devctx *d, const char *s, size_t cap)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n > cap) {
        n = cap;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* do not split a UTF-8 sequence */
    }
    return sw_arena_strndup(&d->arena, s, n);
}

/* The login name in "/Users/<name>/..." (not Shared, the machine-wide folder). */
static const char *user_from_path(sw_devctx *d, const char *s)
{
    for (const char *p = s ? strstr(s, "/Users/") : NULL; p; p = strstr(p + 1, "/Users/")) {
        const char *u = p + 7, *e = u;
        while (*e && *e != '/' && !isspace((unsigned char)*e) && *e != '"' && *e != '\'' &&
               e - u < 256)
            e++;
        if (*e != '/' || e == u || (e - u == 6 && !memcmp(u, "Shared", 6)))
            continue;
        return sw_arena_strndup(&d->arena, u, (size_t)(e - u));
    }
    return NULL;
}

static void add_ids(sw_devctx *d, const char *msg, size_t event)
{
    for (const char *p = msg ? strchr(msg, '<') : NULL; p; p = strchr(p + 1, '<')) {
        const char *s = p + 1, *e = s;
        int at = 0;
        while (*e && *e != '>' && *e != '<' && !isspace((unsigned char)*e) && e - s <= MAX_MSGID)
            at |= *e++ == '@';
        if (*e != '>' || !at || e == s)
            continue;
        if (d->nids == d->capids) {
            size_t ncap = d->capids ? d->capids * 2 : 64;
            msgid_ref *n = realloc(d->ids, ncap * sizeof *n);
            if (!n)
                return;
            d->ids = n;
            d->capids = ncap;
        }
        char *id = sw_arena_strndup(&d->arena, s, (size_t)(e - s));
        if (!id)
            return;
        for (char *q = id; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        d->ids[d->nids].id = id;
        d->ids[d->nids].event = event;
        d->nids++;
        p = e;
    }
}

typedef struct load_run {
    sw_devctx *d;
    const char *path;
    void (*on_error)(const char *msg, void *ctx);
    void *ctx;
    uint64_t other; /* records of other sources in a context file */
    int cap_reported;
} load_run;

static int is_context_source(const char *f)
{
    return f && (!strcmp(f, "macos-unified-log") || !strcmp(f, "jamf-unified-log") ||
                 !strcmp(f, "osquery-unified-log"));
}

static void load_error(const char *msg, void *p)
{
    load_run *r = p;
    r->d->st.errors++;
    if (r->on_error)
        r->on_error(msg, r->ctx);
}

static void report(load_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(load_run *r, const char *fmt, ...)
{
    char why[512], msg[4700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s: %s", r->path, why);
    load_error(msg, r);
}

static int on_context_record(const sw_record *rec, sw_arena *a, void *p)
{
    (void)a;
    load_run *r = p;
    sw_devctx *d = r->d;
    if (!is_context_source(rec->source.format)) {
        r->other++;
        return 0;
    }
    if (!rec->log.has_time) {
        r->other++;
        return 0;
    }
    if (d->nev == SW_MAX_CONTEXT_EVENTS) {
        d->st.dropped++;
        if (!r->cap_reported++)
            report(r, "context index full (%u events); later events dropped",
                   SW_MAX_CONTEXT_EVENTS);
        return 0;
    }
    if (d->nev == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 256;
        if (ncap > SW_MAX_CONTEXT_EVENTS)
            ncap = SW_MAX_CONTEXT_EVENTS;
        dev_event *n = realloc(d->ev, ncap * sizeof *n);
        if (!n) {
            d->st.dropped++;
            return 0;
        }
        d->ev = n;
        d->cap = ncap;
    }
    dev_event *e = &d->ev[d->nev];
    memset(e, 0, sizeof *e);
    sw_device_event *pe = &e->pub;
    pe->time = keep(d, rec->log.time, 64);
    pe->time_epoch = rec->log.time_epoch;
    pe->process = keep(d, field(rec, "process"), 256);
    pe->subsystem = keep(d, field(rec, "subsystem"), 256);
    const char *msg = field(rec, "message");
    pe->message = keep(d, msg, SW_MAX_CONTEXT_MESSAGE);
    pe->device = keep(d, field(rec, "host"), 256);
    pe->source = keep(d, rec->source.format, 32);
    e->uid = keep(d, field(rec, "userID"), 32);
    e->user = keep(d, field(rec, "user"), 256);
    e->path_user = user_from_path(d, field(rec, "processImagePath"));
    if (!e->path_user)
        e->path_user = user_from_path(d, field(rec, "senderImagePath"));
    if (!e->path_user)
        e->path_user = user_from_path(d, msg);
    if (!pe->time) {
        d->st.dropped++;
        if (!r->cap_reported++)
            report(r, "context index memory cap reached; later events dropped");
        return 0;
    }
    d->nev++;
    d->finished = 0;
    return 0;
}

int sw_devctx_load(sw_devctx *d, const char *path, void (*on_error)(const char *msg, void *ctx),
                   void *ctx)
{
    load_run r = {.d = d, .path = path, .on_error = on_error, .ctx = ctx};
    sw_input in;
    sw_error err;
    sw_error_clear(&err);
    if (sw_input_open(&in, path, SW_FMT_AUTO, &err)) {
        report(&r, "cannot read context file: %s", err.message);
        return -1;
    }
    if (!sw_format_is_log(in.format)) {
        report(&r, "not a unified-log file (read as %s); see docs/sources.md",
               sw_format_name(in.format));
        sw_input_close(&in);
        return -1;
    }
    sw_arena rows;
    sw_arena_init(&rows, SW_MAX_ARENA);
    uint64_t records = 0, errors = 0;
    sw_log_read(&in, &rows, on_context_record, &r, load_error, &records, &errors);
    sw_arena_free(&rows);
    sw_input_close(&in);
    d->st.files++;
    if (r.other)
        report(&r, "%" PRIu64 " records are not unified-log events; ignored as context",
               r.other);
    return 0;
}

/* ---- the finished index ---- */

static int cmp_user_time(const void *pa, const void *pb)
{
    const dev_event *a = pa, *b = pb;
    int c = strcmp(a->user, b->user);
    if (c)
        return c;
    return a->pub.time_epoch < b->pub.time_epoch ? -1 : a->pub.time_epoch > b->pub.time_epoch;
}

static int cmp_id(const void *pa, const void *pb)
{
    const msgid_ref *a = pa, *b = pb;
    return strcmp(a->id, b->id);
}

static void finish(sw_devctx *d)
{
    if (d->finished)
        return;
    d->finished = 1;
    /* resolve users, move the nameless out */
    size_t kept = 0;
    for (size_t i = 0; i < d->nev; i++) {
        dev_event *e = &d->ev[i];
        /* the account the process ran as says whose Mail it was better than a path that
         * the message happens to name */
        for (size_t m = 0; !e->user && e->uid && m < d->nmaps; m++)
            if (!strcmp(e->uid, d->maps[m].uid))
                e->user = d->maps[m].name;
        if (!e->user)
            e->user = e->path_user;
        if (!e->user) {
            d->st.unattributed++;
            continue;
        }
        d->ev[kept++] = *e;
    }
    d->nev = kept;
    if (d->nev > 1) /* qsort's base may not be NULL, even for no elements */
        qsort(d->ev, d->nev, sizeof *d->ev, cmp_user_time);
    /* ids point at events by position, so they are collected after the sort */
    d->nids = 0;
    for (size_t i = 0; i < d->nev; i++)
        add_ids(d, d->ev[i].pub.message, i);
    if (d->nids > 1)
        qsort(d->ids, d->nids, sizeof *d->ids, cmp_id);
    d->st.events = d->nev;
}

/* a + b clamped to int64: date-received comes from the message's own plist, any integer */
static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* First event of user at or after time t (or past the user's run). */
static size_t lower_bound(const sw_devctx *d, const char *user, int64_t t)
{
    size_t lo = 0, hi = d->nev;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const dev_event *e = &d->ev[mid];
        int c = strcmp(e->user, user);
        if (c < 0 || (c == 0 && e->pub.time_epoch < t))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_attached(const void *pa, const void *pb)
{
    const sw_device_event *a = pa, *b = pb;
    return a->time_epoch < b->time_epoch ? -1 : a->time_epoch > b->time_epoch;
}

/* The record's Message-ID as the id index keeps them: no brackets, lower case. */
static int norm_id(const char *in, char *out, size_t cap)
{
    if (!in)
        return 0;
    while (isspace((unsigned char)*in))
        in++;
    if (*in == '<')
        in++;
    size_t n = 0;
    while (in[n] && in[n] != '>' && !isspace((unsigned char)in[n]))
        n++;
    if (!n || n >= cap || !memchr(in, '@', n))
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[n] = '\0';
    return 1;
}

/* The events picked for one record: each at most once, at most SW_MAX_DEVICE_EVENTS. */
typedef struct picks {
    size_t ev[SW_MAX_DEVICE_EVENTS];
    const char *why[SW_MAX_DEVICE_EVENTS];
    size_t n, omitted;
} picks;

/* Adds ev unless one of the first `among` picks is already ev. */
static void pick_event(picks *p, size_t among, size_t ev, const char *why)
{
    for (size_t k = 0; k < among; k++)
        if (p->ev[k] == ev)
            return;
    if (p->n == SW_MAX_DEVICE_EVENTS) {
        p->omitted++;
        return;
    }
    p->why[p->n] = why;
    p->ev[p->n++] = ev;
}

size_t sw_devctx_attach(sw_devctx *d, sw_record *rec, sw_arena *a)
{
    if (!d || !rec->has_ctx)
        return 0;
    sw_mail_context *mc = &rec->ctx;
    mc->has_device_context = 1;
    mc->device_events = NULL;
    mc->ndevice_events = 0;
    mc->device_events_omitted = 0;
    if (!mc->user)
        return 0;
    finish(d);

    picks p = {.n = 0};

    /* events naming the Message-ID first: the strongest link there is */
    char id[MAX_MSGID + 1];
    if (norm_id(rec->message_id, id, sizeof id) && d->nids) {
        size_t lo = 0, hi = d->nids;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(d->ids[mid].id, id) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < d->nids && !strcmp(d->ids[i].id, id); i++) {
            size_t ev = d->ids[i].event;
            if (!strcmp(d->ev[ev].user, mc->user))
                pick_event(&p, p.n, ev, "message-id");
        }
    }
    size_t by_id = p.n;

    /* then the window around date-received, nearest first */
    if (mc->has_date_received) {
        int64_t t0 = mc->date_received;
        size_t lo = lower_bound(d, mc->user, sat_add(t0, -d->window));
        size_t hi = lower_bound(d, mc->user, sat_add(sat_add(t0, d->window), 1));
        size_t mid = lower_bound(d, mc->user, t0);
        size_t l = mid, r = mid; /* [l, r) taken; grow towards the nearer side */
        while (l > lo || r < hi) {
            size_t ev;
            /* distances in uint64: both sides are ordered, and t0 may be near the ends */
            if (l > lo && (r >= hi || (uint64_t)t0 - (uint64_t)d->ev[l - 1].pub.time_epoch <=
                                          (uint64_t)d->ev[r].pub.time_epoch - (uint64_t)t0))
                ev = --l;
            else
                ev = r++;
            pick_event(&p, by_id, ev, "time");
        }
    }
    mc->device_events_omitted = p.omitted;
    if (!p.n)
        return 0;
    sw_device_event *out = sw_arena_alloc(a, p.n * sizeof *out);
    if (!out)
        return 0;
    for (size_t i = 0; i < p.n; i++) {
        out[i] = d->ev[p.ev[i]].pub;
        out[i].match = p.why[i];
    }
    if (p.n > 1)
        qsort(out, p.n, sizeof *out, cmp_attached);
    mc->device_events = out;
    mc->ndevice_events = p.n;
    d->st.attached += p.n;
    return p.n;
}
