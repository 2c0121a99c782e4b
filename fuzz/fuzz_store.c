/* Fuzz target: one raw message through record, detection and evidence into an in-memory
 * evidence store, then read back the ways the store commands do (trace by its ids, search,
 * campaigns, coverage), and the campaign key functions on the message's strings.
 *
 * Hostile headers reach SQL only as bound values and come back as JSON the store wrote
 * itself; the target checks the promises that make the store evidence: a new observation is
 * found again by its own Message-ID, putting the same input twice stores nothing the second
 * time, and a campaign id is the same when computed twice. A broken promise aborts. The
 * store, detector and configuration are built once and freed at exit. The OCSF and text
 * writers see the same hostile strings. */
#include "spoofwatch/campaign.h"
#include "spoofwatch/detect.h"
#include "spoofwatch/limits.h"
#include "spoofwatch/ocsf.h"
#include "spoofwatch/report.h"
#include "spoofwatch/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static sw_config cfg;
static sw_detector det;
static sw_store *store;
static int ready;

static void setup(void)
{
    sw_config_defaults(&cfg);
    sw_error err;
    if (sw_detector_init(&det, &cfg, &err) || sw_store_open(&store, ":memory:", SW_STORE_WRITE,
                                                            &err))
        abort();
    det.history = sw_store_history(store);
    ready = 1;
}

static int count_hit(const sw_evidence *ev, const char *json, void *ctx)
{
    (void)ev;
    (void)json;
    ++*(size_t *)ctx;
    return 0;
}

static void campaign_strings(sw_arena *a, const sw_evidence *ev)
{
    sw_campaign_keyspec spec = {SW_CK_FROM_ORG | SW_CK_SUBJECT | SW_CK_NETWORK |
                                    SW_CK_ENVELOPE_ORG | SW_CK_DISPLAY_NAME | SW_CK_FROM_ADDRESS,
                                3600};
    char id1[33], id2[33];
    const char *t1, *t2;
    int64_t b1, b2;
    if (sw_campaign_key(a, &spec, ev, id1, &t1, &b1) ||
        sw_campaign_key(a, &spec, ev, id2, &t2, &b2))
        return;
    if (strcmp(id1, id2) || strcmp(t1, t2) || b1 != b2)
        abort();
    if (ev->subject) {
        unsigned parts;
        sw_campaign_parse_parts(ev->subject, &parts);
        sw_duration_parse(ev->subject);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    sw_arena a;
    sw_arena_init(&a, SW_MAX_ARENA);
    sw_record r;
    sw_source src = {.path = "fuzz", .format = "eml", .index = -1};
    sw_error err;
    sw_error_clear(&err);
    if (sw_record_from_mail(&a, (const char *)data, size, &src, &r, NULL) == 0 &&
        sw_store_run_begin(store, "fuzz", &err) == 0) {
        sw_assessment as;
        sw_detect(&det, &a, &r, &as);
        sw_evidence ev;
        if (sw_evidence_from(&det, &a, &r, &as, &ev) == 0) {
            campaign_strings(&a, &ev);
            int first = sw_store_put(store, &ev, "{}", 2, &err);
            int again = sw_store_put(store, &ev, "{}", 2, &err);
            if (first < 0 || again != 0)
                abort();
            if (sw_store_run_end(store, &err))
                abort();
            if (first == 1 && ev.message_id_key) {
                sw_evidence *obs;
                size_t n;
                if (sw_store_trace(store, &a, ev.message_id, &obs, &n, &err) || n == 0)
                    abort();
            }
            sw_store_filter f = {.recipient = ev.nrecipients ? ev.recipients[0].address : NULL,
                                 .sender_domain = ev.from_domain,
                                 .limit = 5};
            size_t hits = 0;
            sw_store_search(store, &f, count_hit, &hits, &err);
            sw_campaign *cs;
            size_t nc;
            sw_coverage_cell *cells;
            size_t ncells;
            uint64_t undated;
            sw_store_filter all = {.limit = 5};
            sw_buf out;
            sw_buf_init(&out, SW_MAX_RECORD_JSON);
            sw_ocsf_write_message_alert(&ev, &out);
            if (first == 1 && ev.message_id_key) {
                sw_evidence *obs;
                size_t n;
                if (sw_store_trace(store, &a, ev.message_id, &obs, &n, &err) == 0) {
                    sw_trace_write_text(ev.message_id, obs, n, &out);
                    sw_trace_write_json(ev.message_id, obs, n, &out);
                }
            }
            if (sw_store_campaigns(store, &a, &all, &cs, &nc, &err) == 0)
                for (size_t i = 0; i < nc; i++) {
                    sw_ocsf_write_campaign_alert(&cs[i], &ev, 1, &out);
                    sw_campaign_write_text(&cs[i], &out);
                    sw_campaign_write_json(&cs[i], &out);
                }
            sw_buf_free(&out);
            sw_store_coverage(store, &a, &cells, &ncells, &undated, &err);
        } else {
            sw_store_run_end(store, &err);
        }
    }
    sw_arena_free(&a);
    return 0;
}

__attribute__((destructor)) static void teardown(void)
{
    if (ready) {
        sw_store_close(store);
        sw_detector_close(&det);
        sw_config_free(&cfg);
    }
}
