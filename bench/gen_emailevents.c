/* Generates deterministic Defender EmailEvents Streaming API lines for `make bench`.
 * usage: gen_emailevents OUT_FILE LINES
 * One JSON Lines record per row, CRLF-terminated as the storage export writes them, shaped like
 * live records (envelope plus some 35 properties, ~1.3 KB). Messages have 1-4 recipients, so
 * rows merge; about 1 in 8 fails DMARC, some with a spoof detection, and 1 line in 25 belongs to a
 * sibling table (EmailUrlInfo) that the reader skips. A fixed LCG keeps runs identical. */
#include <stdio.h>
#include <stdlib.h>

static unsigned long long seed = 0x5eedbeefULL;

static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

static const char *const senders[] = {"billing@bank.example", "news@lists.example.org",
                                      "ceo@corp.example", "noreply@shop.example",
                                      "alerts@service.example.net", "hr@corp.example"};
static const char *const mailfrom[] = {"bounce@mailer.bank.example", "bounces@lists.example.org",
                                       "bounce@mailer.example.net", "noreply@shop.example",
                                       "alerts@service.example.net", "hr@corp.example"};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_emailevents OUT_FILE LINES\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    long lines = atol(argv[2]), written = 0;
    for (unsigned long m = 0; written < lines; m++) {
        unsigned s = rnd(6), nrcpt = 1 + rnd(4);
        int fail = rnd(8) == 0, spoof = fail && rnd(2);
        const char *auth = fail ? "{\\\"SPF\\\":\\\"fail\\\",\\\"DKIM\\\":\\\"none\\\",\\\"DMARC\\\":"
                                  "\\\"fail\\\",\\\"CompAuth\\\":\\\"fail\\\"}"
                                : "{\\\"SPF\\\":\\\"pass\\\",\\\"DKIM\\\":\\\"pass\\\",\\\"DMARC\\\":"
                                  "\\\"pass\\\",\\\"CompAuth\\\":\\\"pass\\\"}";
        for (unsigned r = 0; r < nrcpt && written < lines; r++, written++) {
            int junk = rnd(10) == 0;
            unsigned day = 1 + (unsigned)(m % 28), min = (unsigned)(m / 60) % 60,
                     sec = (unsigned)(m % 60);
            fprintf(f,
                    "{\"time\":\"2024-05-%02uT10:%02u:%02u.1234567Z\",\"tenantId\":"
                    "\"3f1c2a9e-7b1d-4c55-9a0e-5b2d8c7e1f00\",\"operationName\":\"Publish\","
                    "\"category\":\"AdvancedHunting-EmailEvents\",\"_TimeReceivedBySvc\":"
                    "\"2024-05-01T10:00:00.0000000Z\",\"properties\":{",
                    day, min, sec);
            fprintf(f,
                    "\"Timestamp\":\"2024-05-%02uT10:%02u:%02uZ\",\"NetworkMessageId\":"
                    "\"%08lx-1c2d-4e5f-a6b7-08dc%08lx\",\"InternetMessageId\":\"<%lu.%u@%s>\",",
                    day, min, sec, m, m, m, s, senders[s] + 4);
            const char *from = fail ? "ceo@corp.example" : senders[s];
            const char *at = mailfrom[s];
            while (*at && *at != '@')
                at++;
            fprintf(f,
                    "\"SenderMailFromAddress\":\"%s\",\"SenderMailFromDomain\":\"%s\","
                    "\"SenderFromAddress\":\"%s\",\"SenderDisplayName\":\"Sender %u\","
                    "\"SenderObjectId\":null,\"SenderIPv4\":\"198.51.100.%u\",\"SenderIPv6\":null,",
                    mailfrom[s], *at ? at + 1 : at, from, s, rnd(250));
            fprintf(f,
                    "\"RecipientEmailAddress\":\"user%u@corp.example\",\"RecipientObjectId\":"
                    "\"0c9e6a1f-1111-2222-3333-%012lu\",\"Subject\":\"Quarterly report %lu\","
                    "\"EmailClusterId\":%lu,\"EmailDirection\":\"Inbound\",",
                    rnd(5000), m, m, m % 100000);
            fprintf(f,
                    "\"DeliveryAction\":\"%s\",\"DeliveryLocation\":\"%s\",\"ThreatTypes\":%s,"
                    "\"ThreatNames\":null,\"DetectionMethods\":%s,\"ConfidenceLevel\":null,"
                    "\"BulkComplaintLevel\":%u,\"EmailAction\":null,\"EmailActionPolicy\":null,"
                    "\"EmailActionPolicyGuid\":null,\"AuthenticationDetails\":\"%s\",",
                    junk ? "Junked" : "Delivered", junk ? "Junk" : "Inbox/folder",
                    spoof ? "\"Phish\"" : "null",
                    spoof ? "\"{\\\"Phish\\\":[\\\"Spoof DMARC\\\"]}\"" : "null", rnd(9), auth);
            fprintf(f,
                    "\"AttachmentCount\":%u,\"UrlCount\":%u,\"EmailLanguage\":\"en\","
                    "\"Connectors\":\"\",\"OrgLevelAction\":null,\"OrgLevelPolicy\":null,"
                    "\"UserLevelAction\":null,\"UserLevelPolicy\":null,\"ReportId\":\"%lu-%u\","
                    "\"AdditionalFields\":\"{}\"}}\r\n",
                    rnd(3), rnd(6), m, r);
            if (rnd(25) == 0 && written + 1 < lines) {
                fprintf(f,
                        "{\"time\":\"2024-05-01T10:00:00Z\",\"category\":\"AdvancedHunting-"
                        "EmailUrlInfo\",\"properties\":{\"NetworkMessageId\":\"%08lx\",\"Url\":"
                        "\"https://shop.example/p/%lu\",\"UrlDomain\":\"shop.example\"}}\r\n",
                        m, m);
                written++;
            }
        }
    }
    return fclose(f) ? 1 : 0;
}
