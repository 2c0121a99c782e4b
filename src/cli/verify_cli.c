/* --verify for scan and check: the options, the resolver they choose, and detection fed
 * with spoofwatch's own SPF, DKIM and DMARC results (include/spoofwatch/verify.h).
 *
 * The resolver: --dns-fixture FILE (zone lines, offline, what tests use), else the live
 * c-ares resolver (--dns-server LIST, default the system's). The sw_cli_verify owns it. */
#include "cli.h"
#include "spoofwatch/logsource.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sw_cli_verify_option(int argc, char **argv, int *i, sw_cli_verify *v)
{
    const char *val;
    int r;
    if (!strcmp(argv[*i], "--verify")) {
        v->on = 1;
        return 1;
    }
    static const struct {
        const char *name;
        size_t offset;
    } opts[] = {
        {"dns-fixture", offsetof(sw_cli_verify, dns_fixture)},
        {"dns-server", offsetof(sw_cli_verify, dns_servers)},
        {"now", offsetof(sw_cli_verify, now)},
        {"client-ip", offsetof(sw_cli_verify, client_ip)},
        {"helo", offsetof(sw_cli_verify, helo)},
        {"mailfrom", offsetof(sw_cli_verify, mailfrom)},
        {"dmarc-discovery", offsetof(sw_cli_verify, discovery)},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        if ((r = sw_cli_opt_value(argc, argv, i, opts[k].name, 0, &val))) {
            if (r < 0)
                return -1;
            *(const char **)((char *)v + opts[k].offset) = val;
            v->on = 1; /* every one of these only makes sense when verifying */
            return 1;
        }
    }
    return 0;
}

static int parse_now(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long t = strtoll(s, &end, 10);
    if (!errno && end != s && !*end) {
        *out = t;
        return 0;
    }
    return sw_log_time(s, out);
}

int sw_cli_verify_open(sw_cli_verify *v, sw_detector *d)
{
    if (!v->on)
        return 0;
    sw_verify_opts_default(&v->opts);
    v->opts.psl = &d->psl;
    v->opts.client_ip = v->client_ip;
    v->opts.helo = v->helo;
    v->opts.mailfrom = v->mailfrom;
    if (v->now && parse_now(v->now, &v->opts.now)) {
        sw_cli_warn("--now: '%s' is neither Unix seconds nor an ISO 8601 time", v->now);
        return -1;
    }
    if (v->discovery) {
        if (!strcmp(v->discovery, "psl")) {
            v->opts.method = SW_DMARC_METHOD_PSL;
        } else if (!strcmp(v->discovery, "treewalk")) {
            v->opts.method = SW_DMARC_METHOD_TREEWALK;
        } else {
            sw_cli_warn("--dmarc-discovery takes psl (RFC 7489) or treewalk (RFC 9989)");
            return -1;
        }
    }
    sw_error err;
    sw_error_clear(&err);
    if (v->dns_fixture) {
        v->dns = sw_dns_fixture_new();
        if (!v->dns || sw_dns_fixture_load(v->dns, v->dns_fixture, &err)) {
            sw_cli_warn("%s", v->dns ? err.message : "out of memory");
            return -1;
        }
    } else {
        sw_dns_live_opts lo = {.servers = v->dns_servers};
        if (!(v->dns = sw_dns_live_new(&lo, &err))) {
            sw_cli_warn("live DNS: %s", err.message);
            return -1;
        }
    }
    v->opts.dns = v->dns;
    v->opts.dkim.keys = sw_dkim_keycache_new(); /* NULL just means no reuse */
    return 0;
}

void sw_cli_verify_close(sw_cli_verify *v)
{
    sw_resolver_free(v->dns);
    v->dns = NULL;
    sw_dkim_keycache_free(v->opts.dkim.keys);
    v->opts.dkim.keys = NULL;
}

/* The verification in the verdict engine's terms (detect.h sw_verified). */
static void to_verified(const sw_verification *ver, sw_verified *out)
{
    memset(out, 0, sizeof *out);
    if (ver->spf_checked) {
        out->spf_result = sw_spf_result_name(ver->spf.result);
        out->spf_domain = ver->spf.domain;
        out->spf_detail = ver->spf.mechanism ? ver->spf.mechanism : ver->spf.problem;
    }
    const sw_dkim_report *dk = &ver->dkim;
    out->dkim_result = sw_dkim_result_name(dk->result);
    if (dk->best >= 0 && (size_t)dk->best < dk->nsigs) {
        out->dkim_domain = dk->sigs[dk->best].sig.d;
        out->dkim_detail = dk->sigs[dk->best].reason;
    }
    for (size_t i = 0; i < dk->nsigs; i++) {
        sw_dkim_result r = dk->sigs[i].result;
        if (r == SW_DKIM_PASS && out->ndkim_pass < SW_VERIFIED_MAX_DKIM)
            out->dkim_pass_domains[out->ndkim_pass++] = dk->sigs[i].sig.d;
        if (r == SW_DKIM_FAIL || r == SW_DKIM_PERMERROR)
            out->dkim_any_fail = 1;
    }
    if (ver->arc.count) {
        out->arc_result = sw_arc_result_name(ver->arc.result);
        out->arc_detail = ver->arc.reason;
    }
    if (ver->dmarc_checked) {
        const sw_dmarc_eval_result *dm = &ver->dmarc;
        out->dmarc_result = sw_dmarc_result_name(dm->result);
        out->dmarc_domain = dm->author_domain;
        const char *p = sw_dmarc_policy_name(dm->requested);
        out->dmarc_policy = p && *p ? p : NULL;
        /* like a receiver's action=: what the policy asks done with this message */
        out->dmarc_detail = dm->result == SW_DMARC_FAIL && dm->disposition != SW_DMARC_POLICY_UNSET
                                ? sw_dmarc_policy_name(dm->disposition)
                                : NULL;
    }
}

void sw_cli_assess(sw_detector *d, sw_cli_verify *v, sw_arena *a, const sw_record *rec,
                   sw_assessment *as, const sw_verification **verp)
{
    *verp = NULL;
    if (!v || !v->on || rec->has_log || !rec->msg) {
        sw_detect(d, a, rec, as); /* a log row has no message to verify */
        return;
    }
    sw_verification *ver = sw_arena_alloc(a, sizeof *ver);
    long hop = sw_detect_inbound_hop(d, a, rec);
    if (!ver || sw_verify_message(&v->opts, a, rec->msg, rec->msg_len, rec, hop, ver)) {
        sw_cli_warn("%s: message at byte %llu: out of memory verifying; header results used",
                    rec->source.path, (unsigned long long)rec->source.offset);
        sw_detect(d, a, rec, as);
        return;
    }
    sw_verified vd;
    to_verified(ver, &vd);
    sw_detect_verified(d, a, rec, &vd, as);
    *verp = ver;
}
