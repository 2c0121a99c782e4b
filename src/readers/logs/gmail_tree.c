/* Gmail shapes that do not name their values, turned into the named BigQuery tree that
 * gmail.c reads (formats.md §5.1 "Row encodings", §5.2 value keys).
 *
 * Owns: the built-in column order of the activity table for positional tabledata.list rows
 * that come without a schema, the reading of a schema that comes with the row, and the
 * naming of Reports API typed parameters. Everything built here is allocated in the arena
 * the caller passes (the row arena) and points into the parsed document, which lives there
 * too; nothing is freed here. Recursion follows the document, whose depth the JSON reader
 * caps (SW_MAX_JSON_DEPTH), and the schema, which is either the static table below or
 * parsed from the same capped document. */
#include "gmail.h"

#include <string.h>

/* One column of a BigQuery schema. A RECORD has its columns in sub; a column with sub NULL
 * is a scalar, or a record whose columns spoofwatch does not read (its cells are then kept
 * positional, and nothing looks inside). */
typedef struct gm_col {
    const char *name;
    int repeated;
    const struct gm_col *sub;
    size_t nsub;
} gm_col;

#define NCOLS(t) (sizeof(t) / sizeof((t)[0]))
/* clang-format off */
#define COL(n) {n, 0, NULL, 0}
#define COLS(n) {n, 1, NULL, 0}
#define REC(n, t) {n, 0, t, NCOLS(t)}
#define RECS(n, t) {n, 1, t, NCOLS(t)}
/* clang-format on */

/* Built-in order of the Workspace "activity" table as `SELECT ... gmail.*` returns it
 * positionally. Source of every position: the schema that travels with each row of
 * elastic/integrations packages/google_workspace/data_stream/gmail/_dev/test/pipeline/
 * test-gmail.log @ 0df9636b (the same schema on all three lines; /work/shared/samples/gws),
 * field names and types as formats.md §5.1 lists them. The legacy daily tables have the
 * same names but no public sample of their positional order, so a legacy row must carry its
 * schema (BigQuery's tables.get) or it is reported. Index comments are 0-based positions. */
static const gm_col client_session[] = {
    COL("delegate_user_email"), /* 0 */
};
static const gm_col client_context[] = {
    REC("session_context", client_session), /* 0 */
    COL("client_type"),                     /* 1 */
};
static const gm_col event_info[] = {
    COL("timestamp_usec"),                 /* 0 INTEGER, µs */
    COL("elapsed_time_usec"),              /* 1 INTEGER */
    COL("success"),                        /* 2 BOOLEAN */
    REC("client_context", client_context), /* 3 RECORD */
    COL("mail_event_type"),                /* 4 INTEGER */
};
static const gm_col source[] = {
    COL("address"),                 /* 0 P1 */
    COL("service"),                 /* 1 */
    COL("selector"),                /* 2 */
    COL("from_header_address"),     /* 3 P2 */
    COL("from_header_displayname"), /* 4 */
};
static const gm_col destination[] = {
    COL("address"),                              /* 0 */
    COL("service"),                              /* 1 */
    COL("selector"),                             /* 2 */
    COL("smime_signature_verification_success"), /* 3 */
    COL("smime_decryption_success"),             /* 4 */
    COL("smime_parsing_success"),                /* 5 */
    COL("smime_extraction_success"),             /* 6 */
    COL("rcpt_response"),                        /* 7 INTEGER */
};
static const gm_col attachment[] = {
    COL("sha256"),              /* 0 */
    COL("file_extension_type"), /* 1 */
    COL("malware_family"),      /* 2 INTEGER */
    COL("file_name"),           /* 3 */
};
static const gm_col authenticated_domain[] = {
    COL("name"), /* 0 */
    COL("type"), /* 1 INTEGER */
};
static const gm_col connection_info[] = {
    COL("client_ip"),                                   /* 0 */
    COL("smtp_in_connect_ip"),                          /* 1 */
    COL("smtp_out_connect_ip"),                         /* 2 */
    COLS("failed_smtp_out_connect_ip"),                 /* 3 REPEATED STRING */
    COL("smtp_tls_state"),                              /* 4 */
    COL("smtp_tls_version"),                            /* 5 */
    COL("smtp_tls_cipher"),                             /* 6 */
    COL("smtp_reply_code"),                             /* 7 */
    COL("tls_required_but_unavailable"),                /* 8 */
    COL("smtp_out_remote_host"),                        /* 9 */
    COL("smtp_user_agent_ip"),                          /* 10 */
    COL("is_intra_domain"),                             /* 11 */
    COL("dmarc_pass"),                                  /* 12 BOOLEAN */
    COL("dmarc_published_domain"),                      /* 13 */
    COL("client_host_zone"),                            /* 14 */
    COL("smtp_response_reason"),                        /* 15 */
    COL("ip_geo_city"),                                 /* 16 */
    COL("ip_geo_country"),                              /* 17 */
    RECS("authenticated_domain", authenticated_domain), /* 18 REPEATED RECORD */
    COL("is_internal"),                                 /* 19 */
    COL("dkim_pass"),                                   /* 20 BOOLEAN */
    COL("spf_pass"),                                    /* 21 BOOLEAN */
};
static const gm_col message_set[] = {
    COL("type"), /* 0 INTEGER */
};
static const gm_col spam_info[] = {
    COL("disposition"),                   /* 0 */
    COL("classification_reason"),         /* 1 */
    COL("ip_whitelist_entry"),            /* 2 */
    COL("classification_timestamp_usec"), /* 3 */
};
static const gm_col interaction[] = {
    COL("link_url"),                /* 0 */
    COLS("drive_id"),               /* 1 REPEATED STRING */
    RECS("attachment", attachment), /* 2 same columns as message_info.attachment */
};
static const gm_col post_delivery_info[] = {
    COL("action_type"),              /* 0 */
    REC("interaction", interaction), /* 1 */
    COL("data_classification"),      /* 2 RECORD, not read */
};
static const gm_col message_info[] = {
    COL("action_type"),                            /* 0 INTEGER */
    COL("rfc2822_message_id"),                     /* 1 */
    COL("subject"),                                /* 2 */
    COL("payload_size"),                           /* 3 INTEGER */
    REC("source", source),                         /* 4 RECORD */
    RECS("destination", destination),              /* 5 REPEATED RECORD */
    COL("flattened_destinations"),                 /* 6 */
    COL("description"),                            /* 7 */
    COL("is_spam"),                                /* 8 BOOLEAN */
    COL("is_policy_check_for_sender"),             /* 9 BOOLEAN */
    COL("num_message_attachments"),                /* 10 INTEGER */
    RECS("attachment", attachment),                /* 11 REPEATED RECORD */
    REC("connection_info", connection_info),       /* 12 RECORD */
    RECS("message_set", message_set),              /* 13 REPEATED RECORD */
    COL("smtp_relay_error"),                       /* 14 */
    COL("upload_error_category"),                  /* 15 */
    COLS("triggered_rule_info"),                   /* 16 REPEATED RECORD, not read */
    COL("flattened_triggered_rule_info"),          /* 17 JSON text */
    COL("structured_policy_log_info"),             /* 18 RECORD, not read */
    COL("smime_sign_message"),                     /* 19 */
    COL("smime_encrypt_message"),                  /* 20 */
    COL("smime_packaging_success"),                /* 21 */
    COL("smime_extraction_success"),               /* 22 */
    COL("smime_content_type"),                     /* 23 */
    COLS("link_domain"),                           /* 24 REPEATED STRING */
    REC("spam_info", spam_info),                   /* 25 RECORD */
    REC("post_delivery_info", post_delivery_info), /* 26 RECORD */
    COL("confidential_mode_info"),                 /* 27 RECORD, not read */
};
static const gm_col activity[] = {
    COL("domain_name"),                /* 0 */
    COL("email"),                      /* 1 the mailbox the event is about */
    COL("event_id"),                   /* 2 */
    COL("event_name"),                 /* 3 "delivery" */
    COL("event_type"),                 /* 4 "delivery_type" */
    COL("has_sensitive_content"),      /* 5 BOOLEAN */
    COL("ip_address"),                 /* 6 BYTES: base64 of the ASCII address */
    COL("record_type"),                /* 7 "gmail" */
    COL("time_usec"),                  /* 8 INTEGER, µs */
    COL("unique_identifier"),          /* 9 INTEGER */
    REC("event_info", event_info),     /* 10 RECORD */
    REC("message_info", message_info), /* 11 RECORD */
    COLS("resource_details"),          /* 12 REPEATED RECORD, not read */
};

/* ---- a schema that comes with the row ---- */

static int schema_of(sw_arena *a, const sw_jv *fields, const gm_col **out, size_t *n)
{
    if (!fields || fields->type != SW_J_ARRAY)
        return -1;
    gm_col *cols = fields->len ? sw_arena_calloc(a, fields->len * sizeof *cols) : NULL;
    if (fields->len && !cols)
        return -1;
    for (uint32_t i = 0; i < fields->len; i++) {
        const sw_jv *f = &fields->u.items[i];
        cols[i].name = sw_jget_str(f, "name");
        if (!cols[i].name)
            return -1;
        const char *mode = sw_jget_str(f, "mode");
        cols[i].repeated = mode && !strcmp(mode, "REPEATED");
        const sw_jv *sub = sw_jget(f, "fields");
        if (sub && sub->type == SW_J_ARRAY && schema_of(a, sub, &cols[i].sub, &cols[i].nsub))
            return -1;
    }
    *out = cols;
    *n = fields->len;
    return 0;
}

/* ---- positional cells to named values ---- */

static int decode_record(sw_arena *a, const gm_col *cols, size_t ncols, const sw_jv *f, sw_jv *out,
                         const char **why);

static void set_null(sw_jv *out)
{
    memset(out, 0, sizeof *out);
    out->type = SW_J_NULL;
}

/* One value of column col (the content of a "v", not repeated). */
static int decode_one(sw_arena *a, const gm_col *col, const sw_jv *v, sw_jv *out, const char **why)
{
    if (!v || v->type == SW_J_NULL) {
        set_null(out);
        return 0;
    }
    if (!col->sub) {
        *out = *v;
        return 0;
    }
    const sw_jv *f = sw_jget(v, "f");
    if (v->type != SW_J_OBJECT || !f || f->type != SW_J_ARRAY) {
        *why = col->name;
        return -1;
    }
    return decode_record(a, col->sub, col->nsub, f, out, why);
}

/* One cell {"v":...} of column col. */
static int decode_cell(sw_arena *a, const gm_col *col, const sw_jv *cell, sw_jv *out,
                       const char **why)
{
    if (!cell || cell->type != SW_J_OBJECT) {
        *why = col->name;
        return -1;
    }
    const sw_jv *v = sw_jget(cell, "v");
    if (!v || v->type == SW_J_NULL) {
        set_null(out);
        return 0;
    }
    if (!col->repeated)
        return decode_one(a, col, v, out, why);
    if (v->type != SW_J_ARRAY) {
        *why = col->name;
        return -1;
    }
    sw_jv *items = v->len ? sw_arena_alloc(a, v->len * sizeof *items) : NULL;
    if (v->len && !items) {
        *why = "arena full";
        return -1;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        const sw_jv *item = &v->u.items[i];
        if (item->type != SW_J_OBJECT) {
            *why = col->name;
            return -1;
        }
        if (decode_one(a, col, sw_jget(item, "v"), &items[i], why))
            return -1;
    }
    memset(out, 0, sizeof *out);
    out->type = SW_J_ARRAY;
    out->len = v->len;
    out->u.items = items;
    return 0;
}

/* Cells past the schema's columns are ignored (a newer table with columns appended); a
 * row shorter than the schema names what it has. */
static int decode_record(sw_arena *a, const gm_col *cols, size_t ncols, const sw_jv *f, sw_jv *out,
                         const char **why)
{
    size_t n = f->len < ncols ? f->len : ncols;
    sw_jmember *m = n ? sw_arena_alloc(a, n * sizeof *m) : NULL;
    if (n && !m) {
        *why = "arena full";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        m[i].key = cols[i].name;
        m[i].keylen = (uint32_t)strlen(cols[i].name);
        if (decode_cell(a, &cols[i], &f->u.items[i], &m[i].value, why))
            return -1;
    }
    memset(out, 0, sizeof *out);
    out->type = SW_J_OBJECT;
    out->len = (uint32_t)n;
    out->u.members = m;
    return 0;
}

const sw_jv *sw_gmail_positional(sw_arena *a, const sw_jv *f, const sw_jv *schema_fields,
                                 const char **why)
{
    const gm_col *cols = activity;
    size_t ncols = NCOLS(activity);
    *why = NULL;
    if (!f || f->type != SW_J_ARRAY) {
        *why = "\"f\" is not an array of cells";
        return NULL;
    }
    if (schema_fields) {
        if (schema_of(a, schema_fields, &cols, &ncols)) {
            *why = "the schema's fields cannot be read";
            return NULL;
        }
    } else if (f->len != NCOLS(activity)) {
        *why = sw_arena_printf(a,
                               "positional row of %u columns without a schema (the built-in "
                               "order is the %zu-column activity table's)",
                               (unsigned)f->len, NCOLS(activity));
        return NULL;
    }
    sw_jv *out = sw_arena_alloc(a, sizeof *out);
    const char *col = NULL;
    if (!out || decode_record(a, cols, ncols, f, out, &col)) {
        /* decode sets col to the column that did not fit, or to "arena full" */
        if (!out || (col && !strcmp(col, "arena full")))
            *why = "row too large for the arena";
        else
            *why = sw_arena_printf(a, "positional row does not fit the schema at column %.64s",
                                   col ? col : "?");
        return NULL;
    }
    return out;
}

/* ---- Reports API parameters ---- */

static int param_value(sw_arena *a, const sw_jv *p, sw_jv *out)
{
    static const char *const plain[] = {"value",      "intValue",      "boolValue",
                                        "multiValue", "multiIntValue", NULL};
    for (const char *const *k = plain; *k; k++) {
        const sw_jv *v = sw_jget(p, *k);
        if (v) {
            *out = *v;
            return 0;
        }
    }
    const sw_jv *mv = sw_jget(p, "messageValue");
    if (mv) {
        const sw_jv *o = sw_gmail_params(a, sw_jget(mv, "parameter"));
        if (!o)
            return -1;
        *out = *o;
        return 0;
    }
    const sw_jv *mm = sw_jget(p, "multiMessageValue");
    if (mm && mm->type == SW_J_ARRAY) {
        sw_jv *items = mm->len ? sw_arena_alloc(a, mm->len * sizeof *items) : NULL;
        if (mm->len && !items)
            return -1;
        uint32_t n = 0;
        for (uint32_t i = 0; i < mm->len; i++) {
            const sw_jv *o = sw_gmail_params(a, sw_jget(&mm->u.items[i], "parameter"));
            if (o)
                items[n++] = *o;
        }
        memset(out, 0, sizeof *out);
        out->type = SW_J_ARRAY;
        out->len = n;
        out->u.items = items;
        return 0;
    }
    return -1;
}

const sw_jv *sw_gmail_params(sw_arena *a, const sw_jv *params)
{
    if (!params || params->type != SW_J_ARRAY)
        return NULL;
    sw_jv *out = sw_arena_alloc(a, sizeof *out);
    sw_jmember *m = params->len ? sw_arena_alloc(a, params->len * sizeof *m) : NULL;
    if (!out || (params->len && !m))
        return NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < params->len; i++) {
        const sw_jv *p = &params->u.items[i];
        const sw_jv *name = sw_jget(p, "name");
        if (!name || name->type != SW_J_STRING)
            continue;
        if (param_value(a, p, &m[n].value))
            continue;
        m[n].key = name->u.s;
        m[n].keylen = name->len;
        n++;
    }
    memset(out, 0, sizeof *out);
    out->type = SW_J_OBJECT;
    out->len = n;
    out->u.members = m;
    return out;
}

/* ---- lookups ---- */

static const sw_jv *member_n(const sw_jv *obj, const char *key, size_t n)
{
    for (uint32_t i = 0; i < obj->len; i++)
        if (obj->u.members[i].keylen == n && !memcmp(obj->u.members[i].key, key, n))
            return &obj->u.members[i].value;
    return NULL;
}

const sw_jv *sw_gmail_get(const sw_jv *obj, const char *path)
{
    if (!obj || obj->type != SW_J_OBJECT || !path)
        return NULL;
    const sw_jv *whole = member_n(obj, path, strlen(path));
    if (whole)
        return whole;
    /* the nested form first (shortest head), then longer dotted heads */
    for (const char *d = strchr(path, '.'); d; d = strchr(d + 1, '.')) {
        const sw_jv *head = member_n(obj, path, (size_t)(d - path));
        const sw_jv *r = head ? sw_gmail_get(head, d + 1) : NULL;
        if (r)
            return r;
    }
    return NULL;
}

int sw_gmail_has_prefix(const sw_jv *obj, const char *prefix)
{
    if (!obj || obj->type != SW_J_OBJECT)
        return 0;
    size_t n = strlen(prefix);
    for (uint32_t i = 0; i < obj->len; i++)
        if (obj->u.members[i].keylen >= n && !memcmp(obj->u.members[i].key, prefix, n))
            return 1;
    return 0;
}
