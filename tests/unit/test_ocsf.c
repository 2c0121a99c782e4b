/* Unit tests: OCSF Email Activity alerts from hand-built evidence and campaigns, read back
 * with the project's JSON reader the way a SIEM would read them. */
#include "test.h"
#include "spoofwatch/jsonread.h"
#include "spoofwatch/ocsf.h"
#include "spoofwatch/report.h"

#include <stdio.h>

/* A parsed alert: the reader, its arena and the tree live until done(). */
typedef struct parsed {
    sw_jreader *r;
    sw_arena a;
    const sw_jv *v;
} parsed;

static int parse(parsed *p, const sw_buf *b)
{
    sw_error err;
    p->r = sw_jreader_new();
    sw_arena_init(&p->a, 1 << 22);
    p->v = NULL;
    return p->r && sw_jparse(p->r, &p->a, b->data, b->len, &p->v, &err) == 0 && p->v &&
           p->v->type == SW_J_OBJECT;
}

static void done(parsed *p)
{
    sw_jreader_free(p->r);
    sw_arena_free(&p->a);
}

static int64_t num(const sw_jv *root, const char *path)
{
    int64_t v = -12345;
    const sw_jv *x = sw_jpath(root, path);
    if (!x || x->type != SW_J_INT || sw_jint(x, &v))
        return -12345;
    return v;
}

static const char *s_at(const sw_jv *root, const char *path)
{
    return sw_jstr(sw_jpath(root, path));
}

static sw_ev_recipient RCPTS[] = {
    {.address = "ann@victim.example", .field = "to", .action = "Delivered",
     .location = "Inbox/folder", .delivered = "delivered"},
    {.address = "bob@victim.example", .field = "to", .action = "Junked",
     .location = "JunkFolder", .delivered = "junk"},
    {.address = "Ann@Victim.example", .field = "to"}, /* same mailbox again: once in email.to */
    {.address = "carol@victim.example", .field = "cc", .delivered = "unknown"},
    {.address = "ann@victim.example", .field = "delivered-to"},
};

static sw_ev_signal SIGNALS[] = {
    {.id = "reply_to_freemail", .weight = 15, .evidence = "Reply-To collect@freemail.example"},
    {.id = "dmarc_fail", .weight = 50, .evidence = "dmarc=fail header.from=bank.example"},
    {.id = "display_name_brand", .weight = 10, .evidence = "\"Bank Security\""},
    {.id = "from_lookalike", .weight = 30, .evidence = "bank.example ~ bank-example.com"},
};

static void spoofed_evidence(sw_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    memcpy(ev->key, "0123456789abcdef0123456789abcdef", 33);
    ev->path = "mail/inbox.mbox";
    ev->offset = 4096;
    ev->format = "mbox";
    ev->time = 1704103200;
    ev->has_time = 1;
    ev->message_id = "<abc@evil.example>";
    ev->network_message_id = "5f0c1b2a-0000-4000-8000-00000000abcd";
    ev->from_address = "security@bank.example";
    ev->from_display = "Bank Security";
    ev->from_domain = "bank.example";
    ev->from_org = "bank.example";
    ev->envelope_from = "bounce@mailer.evil.example";
    ev->envelope_domain = "mailer.evil.example";
    ev->reply_to = "collect@freemail.example";
    ev->subject = "Urgent: verify your account";
    ev->client_ip = "198.51.100.7";
    ev->direction = "Inbound";
    ev->verdict = SW_VERDICT_SPOOFED;
    ev->score = 105;
    ev->spf = (sw_ev_auth){"pass", "mailer.evil.example", "Authentication-Results"};
    ev->dkim = (sw_ev_auth){"fail", "evil.example", "Authentication-Results"};
    ev->dmarc = (sw_ev_auth){"fail", "bank.example", "Authentication-Results"};
    ev->compauth = (sw_ev_auth){"fail", NULL, "Authentication-Results"};
    ev->recipients = RCPTS;
    ev->nrecipients = sizeof RCPTS / sizeof RCPTS[0];
    ev->signals = SIGNALS;
    ev->nsignals = sizeof SIGNALS / sizeof SIGNALS[0];
}

SW_TEST(ocsf_message_alert_fields)
{
    sw_evidence ev;
    spoofed_evidence(&ev);
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) == 0);
    CHECK(b.len > 0 && b.data[0] == '{' && b.data[b.len - 1] == '}');
    CHECK(!memchr(b.data, '\n', b.len)); /* one NDJSON line */
    parsed p;
    CHECK(parse(&p, &b));
    const sw_jv *v = p.v;
    CHECK(num(v, "class_uid") == 4009);
    CHECK(num(v, "category_uid") == 4);
    CHECK(num(v, "activity_id") == 3);
    CHECK(num(v, "type_uid") == 4009 * 100 + 3);
    CHECK(num(v, "severity_id") == 4);
    CHECK_STR(s_at(v, "severity"), "High");
    CHECK(num(v, "direction_id") == 1);
    CHECK(num(v, "time") == 1704103200000LL);
    CHECK(num(v, "disposition_id") == 15);
    int alert = 0;
    CHECK(sw_jbool(sw_jget(v, "is_alert"), &alert) == 0 && alert);
    CHECK_STR(s_at(v, "metadata.version"), "1.6.0");
    CHECK_STR(s_at(v, "metadata.product.name"), "spoofwatch");
    CHECK_STR(s_at(v, "metadata.product.vendor_name"), "spoofwatch");
    CHECK_STR(s_at(v, "metadata.uid"), "61b7b41ffaf5e279af68610e7388cb69");

    CHECK_STR(s_at(v, "email.from"), "security@bank.example");
    CHECK_STR(s_at(v, "email.reply_to"), "collect@freemail.example");
    CHECK_STR(s_at(v, "email.smtp_from"), "bounce@mailer.evil.example");
    CHECK_STR(s_at(v, "email.subject"), "Urgent: verify your account");
    CHECK_STR(s_at(v, "email.message_uid"), "<abc@evil.example>");
    CHECK_STR(s_at(v, "email.uid"), "5f0c1b2a-0000-4000-8000-00000000abcd");
    const sw_jv *to = sw_jpath(v, "email.to");
    CHECK(to && to->type == SW_J_ARRAY && to->len == 2);
    CHECK_STR(sw_jstr(sw_jindex(to, 0)), "ann@victim.example");
    CHECK_STR(sw_jstr(sw_jindex(to, 1)), "bob@victim.example");
    CHECK_STR(sw_jstr(sw_jindex(sw_jpath(v, "email.cc"), 0)), "carol@victim.example");
    CHECK_STR(sw_jstr(sw_jindex(sw_jpath(v, "email.delivered_to_list"), 0)),
              "ann@victim.example");
    CHECK_STR(sw_jstr(sw_jindex(sw_jpath(v, "email.x_originating_ip"), 0)), "198.51.100.7");
    CHECK_STR(s_at(v, "src_endpoint.ip"), "198.51.100.7");

    CHECK_STR(s_at(v, "email_auth.spf"), "pass");
    CHECK_STR(s_at(v, "email_auth.dkim"), "fail");
    CHECK_STR(s_at(v, "email_auth.dkim_domain"), "evil.example");
    CHECK_STR(s_at(v, "email_auth.dmarc"), "fail");
    CHECK_STR(s_at(v, "unmapped.auth.dmarc.domain"), "bank.example");
    CHECK_STR(s_at(v, "unmapped.auth.compauth.result"), "fail");
    CHECK(!sw_jpath(v, "unmapped.auth.arc")); /* no ARC result: no member */

    const sw_jv *obs = sw_jget(v, "observables");
    CHECK(obs && obs->type == SW_J_ARRAY && obs->len == 4);
    CHECK_STR(sw_jget_str(sw_jindex(obs, 0), "name"), "email.from");
    CHECK(num(sw_jindex(obs, 0), "type_id") == 5);
    CHECK_STR(sw_jget_str(sw_jindex(obs, 3), "value"), "198.51.100.7");
    CHECK(num(sw_jindex(obs, 3), "type_id") == 2);

    /* every recipient with its own delivery outcome */
    const sw_jv *rc = sw_jpath(v, "unmapped.recipients");
    CHECK(rc && rc->type == SW_J_ARRAY && rc->len == 5);
    CHECK(num(v, "unmapped.recipients_total") == 5);
    CHECK_STR(sw_jget_str(sw_jindex(rc, 1), "address"), "bob@victim.example");
    CHECK_STR(sw_jget_str(sw_jindex(rc, 1), "field"), "to");
    CHECK_STR(sw_jget_str(sw_jindex(rc, 1), "action"), "Junked");
    CHECK_STR(sw_jget_str(sw_jindex(rc, 1), "location"), "JunkFolder");
    CHECK_STR(sw_jget_str(sw_jindex(rc, 1), "delivered"), "junk");
    CHECK(!sw_jget(sw_jindex(rc, 4), "action")); /* not logged: left out */

    const sw_jv *sg = sw_jpath(v, "unmapped.signals");
    CHECK(sg && sg->len == 4);
    CHECK_STR(sw_jget_str(sw_jindex(sg, 1), "id"), "dmarc_fail");
    CHECK(num(sw_jindex(sg, 1), "weight") == 50);
    CHECK_STR(sw_jget_str(sw_jindex(sg, 1), "evidence"), "dmarc=fail header.from=bank.example");
    CHECK_STR(s_at(v, "unmapped.verdict"), "spoofed");
    CHECK(num(v, "unmapped.score") == 105);
    CHECK_STR(s_at(v, "unmapped.key"), "0123456789abcdef0123456789abcdef");
    CHECK_STR(s_at(v, "unmapped.source.path"), "mail/inbox.mbox");
    CHECK_STR(s_at(v, "unmapped.source.format"), "mbox");
    CHECK(num(v, "unmapped.source.offset") == 4096);
    CHECK(!sw_jpath(v, "unmapped.source.line"));

    /* the summary names the verdict, the From and the heaviest signals, heaviest first */
    CHECK_STR(s_at(v, "message"), "spoofed message from security@bank.example to 5 recipients "
                                  "(score 105): dmarc_fail, from_lookalike, reply_to_freemail "
                                  "(+1 more)");
    done(&p);
    sw_buf_free(&b);
}

SW_TEST(ocsf_message_uid_deterministic)
{
    sw_evidence ev;
    spoofed_evidence(&ev);
    sw_buf a, b;
    sw_buf_init(&a, 1 << 20);
    sw_buf_init(&b, 1 << 20);
    CHECK(sw_ocsf_write_message_alert(&ev, &a) == 0);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) == 0);
    CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len)); /* byte-identical */

    memcpy(ev.key, "fedcba9876543210fedcba9876543210", 33);
    sw_buf_clear(&b);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) == 0);
    parsed p;
    CHECK(parse(&p, &b));
    CHECK_STR(s_at(p.v, "metadata.uid"), "2d7e9bbe81951995be5cb656885f063d");
    done(&p);

    /* without an observation key there is nothing to deduplicate on: refused, untouched */
    ev.key[0] = '\0';
    sw_buf_clear(&b);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) == SW_EINVAL);
    CHECK(b.len == 0);
    sw_buf_free(&a);
    sw_buf_free(&b);
}

SW_TEST(ocsf_hostile_strings_stay_valid_json)
{
    static char subject[10000];
    static const char head[] = "Re: \"pay\" \\now\\\n\r\x01\x1f\x7f \xff\xfe bad \xc3(";
    memcpy(subject, head, sizeof head - 1);
    memset(subject + sizeof head - 1, 'A', sizeof subject - sizeof head);
    subject[sizeof subject - 1] = '\0';
    sw_ev_recipient r = {.address = "\"quoted\\local\"@victim.example", .field = "To\x02"};
    sw_ev_signal s = {.id = "display_name_\x80" "brand", .weight = 10, .evidence = "\"}{\"\n"};
    sw_evidence ev;
    spoofed_evidence(&ev);
    ev.subject = subject;
    ev.from_address = "\"evil\\\"\x05\"@bank.example";
    ev.from_display = "Bank \"Security\" \xe2\x82"; /* truncated UTF-8 sequence */
    ev.recipients = &r;
    ev.nrecipients = 1;
    ev.signals = &s;
    ev.nsignals = 1;
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) == 0);
    for (size_t i = 0; i < b.len; i++)
        CHECK((unsigned char)b.data[i] >= 0x20); /* every control byte escaped */
    parsed p;
    CHECK(parse(&p, &b));
    const char *subj = s_at(p.v, "email.subject");
    CHECK(subj && !strncmp(subj, "Re: \"pay\" \\now\\\n\r\x01", 18));
    CHECK(strstr(subj, "\xef\xbf\xbd")); /* invalid bytes became U+FFFD */
    CHECK(strlen(subj) <= 2048 + 16);   /* bounded, not 10000 bytes */
    CHECK_STR(s_at(p.v, "email.from"), "\"evil\\\"\x05\"@bank.example");
    const char *msg = s_at(p.v, "message");
    CHECK(msg && !strncmp(msg, "spoofed message from \"evil\\\" \"@bank.example", 43));
    for (const char *c = msg; *c; c++)
        CHECK((unsigned char)*c >= 0x20 && *c != 0x7f); /* the summary stays one line */
    CHECK_STR(sw_jget_str(sw_jindex(sw_jpath(p.v, "unmapped.signals"), 0), "evidence"),
              "\"}{\"\n");
    done(&p);
    sw_buf_free(&b);
}

SW_TEST(ocsf_missing_facts_are_omitted)
{
    sw_evidence ev;
    memset(&ev, 0, sizeof ev);
    memcpy(ev.key, "0123456789abcdef0123456789abcdef", 33);
    ev.verdict = SW_VERDICT_SUSPICIOUS;
    ev.score = 30;
    ev.from_address = ""; /* empty is no fact either */
    ev.from_log = 1;
    ev.line = 7;
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) == 0);
    CHECK(!strstr(b.data, "null"));
    CHECK(!strstr(b.data, "\"\""));
    parsed p;
    CHECK(parse(&p, &b));
    const sw_jv *v = p.v;
    CHECK(num(v, "class_uid") == 4009);
    CHECK(num(v, "severity_id") == 3);
    CHECK_STR(s_at(v, "severity"), "Medium");
    CHECK(num(v, "direction_id") == 0);
    const sw_jv *email = sw_jget(v, "email");
    CHECK(email && email->type == SW_J_OBJECT && email->len == 0); /* required, but empty */
    CHECK(!sw_jget(v, "time"));
    CHECK(!sw_jget(v, "email_auth"));
    CHECK(!sw_jget(v, "src_endpoint"));
    CHECK(!sw_jget(v, "observables"));
    CHECK(!sw_jpath(v, "unmapped.auth"));
    CHECK(!sw_jpath(v, "unmapped.from_display"));
    CHECK(sw_jpath(v, "unmapped.recipients")->len == 0);
    CHECK(num(v, "unmapped.source.line") == 7);
    CHECK(!sw_jpath(v, "unmapped.source.offset"));
    CHECK(!sw_jpath(v, "unmapped.source.path"));
    CHECK_STR(s_at(v, "message"), "suspicious message from an unknown sender (score 30)");
    done(&p);
    sw_buf_free(&b);
}

SW_TEST(ocsf_severity_and_direction_mapping)
{
    static const struct {
        sw_verdict verdict;
        const char *direction;
        int64_t sev, dir;
        const char *dirname;
        int alert;
    } cases[] = {
        {SW_VERDICT_SPOOFED, "Intra-org", 4, 3, "Internal", 1},
        {SW_VERDICT_SUSPICIOUS, "outbound", 3, 2, "Outbound", 1},
        {SW_VERDICT_PASS, "IntraOrg", 1, 3, "Internal", 0},
        {SW_VERDICT_UNKNOWN, "Sideways", 0, 99, "Sideways", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_evidence ev;
        spoofed_evidence(&ev);
        ev.verdict = cases[i].verdict;
        ev.direction = cases[i].direction;
        sw_buf b;
        sw_buf_init(&b, 1 << 20);
        CHECK(sw_ocsf_write_message_alert(&ev, &b) == 0);
        parsed p;
        CHECK(parse(&p, &b));
        CHECK(num(p.v, "severity_id") == cases[i].sev);
        CHECK(num(p.v, "direction_id") == cases[i].dir);
        CHECK_STR(s_at(p.v, "direction"), cases[i].dirname);
        int alert = -1;
        CHECK(sw_jbool(sw_jget(p.v, "is_alert"), &alert) == 0 && alert == cases[i].alert);
        CHECK(!!sw_jget(p.v, "disposition_id") == cases[i].alert);
        done(&p);
        sw_buf_free(&b);
    }
}

SW_TEST(ocsf_buffer_cap_leaves_buffer_unchanged)
{
    sw_evidence ev;
    spoofed_evidence(&ev);
    sw_buf b;
    sw_buf_init(&b, 600); /* far less than one alert */
    CHECK(sw_buf_puts(&b, "kept\n") == 0);
    CHECK(sw_ocsf_write_message_alert(&ev, &b) != 0);
    CHECK(b.len == 5 && !strcmp(b.data, "kept\n"));
    sw_buf_free(&b);
}

static sw_count AUTH_MIX[] = {{"dmarc=fail", 9}, {"spf=pass", 12}, {"dkim=fail", 3}};
static sw_count DELIVERY_MIX[] = {{"delivered", 25}, {"junk", 15}};
static sw_count TOP_SIGNALS[] = {{"dmarc_fail", 9}, {"from_lookalike", 7},
                                 {"reply_to_freemail", 4}, {"display_name_brand", 1}};
static const char *MESSAGE_IDS[] = {"<a1@evil.example>", "<a2@evil.example>"};
static const char *RCPT_SAMPLE[] = {"ann@victim.example", "bob@victim.example"};

static void campaign(sw_campaign *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->id, "00112233445566778899aabbccddeeff", 33);
    c->key = "from_org=bank.example subject=invoice # network=198.51.100.0/24";
    c->window_start = 1703721600;
    c->window_end = 1703721600 + 7 * 86400;
    c->first_seen = 1704103200;
    c->last_seen = 1704189600;
    c->messages = 12;
    c->recipients = 40;
    c->spoofed = 8;
    c->suspicious = 4;
    c->auth_mix = AUTH_MIX;
    c->nauth_mix = 3;
    c->delivery_mix = DELIVERY_MIX;
    c->ndelivery_mix = 2;
    c->top_signals = TOP_SIGNALS;
    c->ntop_signals = 4;
    c->message_ids = MESSAGE_IDS;
    c->nmessage_ids = 2;
    c->message_ids_total = 12;
    c->recipient_addrs = RCPT_SAMPLE;
    c->nrecipient_addrs = 2;
    c->from_org = "bank.example";
    c->subject = "invoice #";
    c->network = "198.51.100.0/24";
    c->worst_verdict = SW_VERDICT_SPOOFED;
}

SW_TEST(ocsf_campaign_alert_fields)
{
    sw_campaign c;
    campaign(&c);
    sw_evidence sample;
    spoofed_evidence(&sample);
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    CHECK(sw_ocsf_write_campaign_alert(&c, &sample, 1, &b) == 0);
    parsed p;
    CHECK(parse(&p, &b));
    const sw_jv *v = p.v;
    CHECK(num(v, "class_uid") == 4009);
    CHECK(num(v, "type_uid") == 400903);
    CHECK(num(v, "severity_id") == 4);
    CHECK(num(v, "time") == 1704189600000LL);
    CHECK(num(v, "start_time") == 1704103200000LL);
    CHECK(num(v, "end_time") == 1704189600000LL);
    CHECK(num(v, "count") == 12);
    CHECK_STR(s_at(v, "metadata.uid"), "403d823a4dbce6a4d37c762ccec2eece");
    CHECK_STR(s_at(v, "message"),
              "campaign of 12 messages to 40 recipients from bank.example: invoice # (worst "
              "spoofed; 8 spoofed, 4 suspicious; top signals: dmarc_fail, from_lookalike, "
              "reply_to_freemail)");
    CHECK_STR(s_at(v, "email.from"), "security@bank.example"); /* from the first sample */
    CHECK_STR(s_at(v, "email_auth.dmarc"), "fail");
    CHECK_STR(s_at(v, "unmapped.verdict"), "spoofed");
    CHECK_STR(s_at(v, "unmapped.campaign.id"), "00112233445566778899aabbccddeeff");
    CHECK_STR(s_at(v, "unmapped.campaign.key"),
              "from_org=bank.example subject=invoice # network=198.51.100.0/24");
    CHECK(num(v, "unmapped.campaign.window_start") == 1703721600000LL);
    CHECK(num(v, "unmapped.campaign.window_end") == (1703721600LL + 7 * 86400) * 1000);
    CHECK(num(v, "unmapped.campaign.messages") == 12);
    CHECK(num(v, "unmapped.campaign.recipients") == 40);
    CHECK(num(v, "unmapped.campaign.spoofed") == 8);
    CHECK(num(v, "unmapped.campaign.suspicious") == 4);
    CHECK(num(sw_jpath(v, "unmapped.campaign.auth_mix"), "dmarc=fail") == 9);
    CHECK(num(sw_jpath(v, "unmapped.campaign.delivery_mix"), "junk") == 15);
    const sw_jv *ts = sw_jpath(v, "unmapped.campaign.top_signals");
    CHECK(ts && ts->len == 4);
    CHECK_STR(sw_jget_str(sw_jindex(ts, 0), "id"), "dmarc_fail");
    CHECK(num(sw_jindex(ts, 0), "count") == 9);
    CHECK(sw_jpath(v, "unmapped.campaign.message_ids")->len == 2);
    CHECK(num(v, "unmapped.campaign.message_ids_total") == 12);
    CHECK_STR(sw_jstr(sw_jindex(sw_jpath(v, "unmapped.campaign.recipients_sample"), 1)),
              "bob@victim.example");
    CHECK_STR(sw_jget_str(sw_jindex(sw_jpath(v, "unmapped.samples"), 0), "key"),
              "0123456789abcdef0123456789abcdef");
    done(&p);

    /* same campaign: same bytes; another id: another uid */
    sw_buf again;
    sw_buf_init(&again, 1 << 20);
    CHECK(sw_ocsf_write_campaign_alert(&c, &sample, 1, &again) == 0);
    CHECK(again.len == b.len && !memcmp(again.data, b.data, b.len));
    memcpy(c.id, "0123456789abcdef0123456789abcdef", 33);
    sw_buf_clear(&again);
    CHECK(sw_ocsf_write_campaign_alert(&c, &sample, 1, &again) == 0);
    CHECK(parse(&p, &again));
    /* the message alert of an observation with this same hex has 61b7...: prefixes differ */
    CHECK_STR(s_at(p.v, "metadata.uid"), "8eedcdaa82ea86dd0c9a324a6bd05cfa");
    done(&p);
    sw_buf_free(&again);
    sw_buf_free(&b);
}

SW_TEST(ocsf_campaign_without_samples_or_dates)
{
    sw_campaign c;
    campaign(&c);
    c.first_seen = c.last_seen = 0; /* undated campaign */
    c.from_org = NULL;              /* not in the key */
    c.subject = NULL;
    c.worst_verdict = SW_VERDICT_SUSPICIOUS;
    sw_buf b;
    sw_buf_init(&b, 1 << 20);
    CHECK(sw_ocsf_write_campaign_alert(&c, NULL, 0, &b) == 0);
    CHECK(!strstr(b.data, "null"));
    parsed p;
    CHECK(parse(&p, &b));
    const sw_jv *v = p.v;
    CHECK(num(v, "severity_id") == 3);
    CHECK(!sw_jget(v, "time") && !sw_jget(v, "start_time") && !sw_jget(v, "end_time"));
    CHECK(num(v, "count") == 12);
    const sw_jv *email = sw_jget(v, "email");
    CHECK(email && email->type == SW_J_OBJECT && email->len == 0);
    CHECK(!sw_jget(v, "email_auth") && !sw_jget(v, "observables"));
    CHECK(!sw_jpath(v, "unmapped.samples"));
    CHECK(!sw_jpath(v, "unmapped.campaign.from_org"));
    const char *msg = s_at(v, "message");
    CHECK(msg && !strncmp(msg, "campaign of 12 messages to 40 recipients from unknown senders "
                               "(worst suspicious;", 79));
    done(&p);
    sw_buf_free(&b);
}

/* Text output goes to a terminal: C0, DEL, C1 controls written in UTF-8 (U+009B is a CSI)
 * and the bidi overrides that reorder a line come out as '?'; other UTF-8 is kept. */
SW_TEST(report_text_hides_terminal_controls)
{
    sw_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.subject = "a\x1b[2Jb\xc2\x9b" "31mc\xe2\x80\xae" "fdp.exe\xe2\x81\xa6z\x7f r\xc3\xa9union";
    ev.from_address = "x@y.example";
    sw_buf b;
    sw_buf_init(&b, 1 << 16);
    CHECK(sw_evidence_write_line(&ev, &b) == 0);
    CHECK(strstr(b.data, "a?[2Jb?31mc?fdp.exe?z? r\xc3\xa9union") != NULL);
    sw_ev_recipient r[3] = {{.address = "ann@corp.example", .delivered = "delivered"},
                            {.address = "bob@corp.example", .delivered = "junk"},
                            {.address = "ANN@corp.example", .delivered = "unknown"}};
    sw_evidence obs[2];
    memset(obs, 0, sizeof obs);
    obs[0].format = "defender-emailevents";
    obs[0].recipients = r;
    obs[0].nrecipients = 2;
    obs[1].format = "eml";
    obs[1].recipients = r + 2;
    obs[1].nrecipients = 1;
    sw_buf_clear(&b);
    CHECK(sw_trace_write_text("id", obs, 2, &b) == 0);
    /* one recipient's lines together, in the order first seen */
    const char *ann = strstr(b.data, "ann@corp.example  delivered");
    const char *ann2 = strstr(b.data, "ANN@corp.example  unknown  [2] eml");
    const char *bob = strstr(b.data, "bob@corp.example  junk");
    CHECK(ann && ann2 && bob && ann < ann2 && ann2 < bob);
    sw_buf_free(&b);
}
