/* Generates a deterministic mbox of realistic messages for `make bench`.
 * usage: gen_mbox OUT_FILE MEGABYTES
 * Each message carries a Microsoft- or Gmail-style header block (Received chain,
 * Authentication-Results, DKIM-Signature, ARC set, anti-spam report) of 3-6 KB and a body
 * of 2-120 KB, some of it base64 "attachments"; a few body lines start with "From " after
 * quoting, as in real mboxrd files. A fixed LCG keeps runs identical. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long seed = 0x5eedf00dULL;

static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

/* `lines` lines of random base64, each `width` characters, ending with `sep`. */
static void base64_lines(FILE *f, unsigned lines, unsigned width, const char *sep)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (unsigned l = 0; l < lines; l++) {
        for (unsigned c = 0; c < width; c++)
            fputc(b64[rnd(64)], f);
        fputs(sep, f);
    }
}

static const char *const domains[] = {"example.com",      "bank.example", "mail.example.org",
                                      "news.example.net", "shop.example", "corp.example.co.uk"};

static void header_block(FILE *f, unsigned i)
{
    const char *d = domains[rnd(6)];
    const char *d2 = domains[rnd(6)];
    fprintf(f, "Return-Path: <bounce-%u@%s>\n", i, d2);
    fprintf(f, "Delivered-To: user%u@corp.example\n", i % 97);
    for (unsigned h = 0; h < 3 + rnd(4); h++)
        fprintf(f,
                "Received: from mx%u.%s (mx%u.%s [198.51.%u.%u])\n"
                "\tby mx.corp.example (Postfix) with ESMTPS id %08X%u\n"
                "\tfor <user%u@corp.example>; Mon, %u Jan 2024 %02u:%02u:%02u +0000\n",
                h, d2, h, d2, rnd(255), rnd(255), rnd(0xffffffffu), h, i % 97, 1 + rnd(28), rnd(24),
                rnd(60), rnd(60));
    fprintf(f,
            "Authentication-Results: mx.corp.example;\n"
            "\tdkim=%s header.d=%s header.s=sel1 header.b=AbCdEf%u;\n"
            "\tspf=%s (corp.example: domain of bounce-%u@%s designates 198.51.100.7 as "
            "permitted sender) smtp.mailfrom=bounce-%u@%s;\n"
            "\tdmarc=%s (p=REJECT sp=REJECT dis=NONE) header.from=%s\n",
            rnd(5) ? "pass" : "fail", d, i, rnd(4) ? "pass" : "softfail", i, d2, i, d2,
            rnd(6) ? "pass" : "fail", d);
    fprintf(f, "ARC-Seal: i=1; a=rsa-sha256; t=1704103200; cv=none; d=corp.example; s=arc;\n"
               "\tb=");
    base64_lines(f, 5, 70, "\n\t");
    fputs("x=\n", f);
    fprintf(f,
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=sel1;\n"
            "\tt=1704103200; h=from:to:subject:date:message-id:mime-version;\n"
            "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n\tb=",
            d);
    base64_lines(f, 5, 70, "\n\t");
    fputs("y=\n", f);
    fprintf(f,
            "X-Forefront-Antispam-Report: CIP:198.51.100.%u;CTRY:NL;LANG:en;SCL:%u;SRV:;"
            "IPV:NLI;SFV:%s;H:mx0.%s;PTR:mx0.%s;CAT:NONE;SFS:(13230028)(4636009);DIR:INB;\n",
            rnd(255), rnd(2) ? 1 : 5, rnd(3) ? "NSPM" : "SPM", d2, d2);
    fprintf(f, "From: \"Sender %u\" <sender%u@%s>\n", i, i % 311, d);
    fprintf(f, "To: user%u@corp.example\n", i % 97);
    if (rnd(4) == 0)
        fprintf(f, "Reply-To: reply%u@%s\n", i, d2);
    fprintf(f, "Subject: =?utf-8?B?UmU6IHF1YXJ0ZXJseSByZXBvcnQ=?= %u\n", i);
    fprintf(f, "Date: Mon, %u Jan 2024 %02u:%02u:%02u +0000\n", 1 + rnd(28), rnd(24), rnd(60),
            rnd(60));
    fprintf(f, "Message-ID: <%u.%u@%s>\n", i, rnd(1000000), d);
    fprintf(f, "List-Id: <list%u.%s>\n", rnd(5), d);
    fprintf(f, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b%u\"\n\n", i);
}

static void body(FILE *f, unsigned i)
{
    fprintf(f, "--b%u\nContent-Type: text/plain; charset=utf-8\n\n", i);
    unsigned lines = 20 + rnd(200);
    for (unsigned l = 0; l < lines; l++) {
        if (rnd(150) == 0)
            fputs(">From the desk of the sender, quoted by mboxrd\n", f);
        unsigned w = 6 + rnd(12);
        for (unsigned k = 0; k < w; k++)
            fputs(k ? " lorem" : "Ipsum", f);
        fputc('\n', f);
    }
    if (rnd(3) == 0) {
        fprintf(f, "--b%u\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n",
                i);
        base64_lines(f, 100 + rnd(1500), 76, "\n");
    }
    fprintf(f, "--b%u--\n\n", i);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_mbox OUT_FILE MEGABYTES\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    unsigned long long want = strtoull(argv[2], NULL, 10) << 20;
    for (unsigned i = 0; (unsigned long long)ftell(f) < want; i++) {
        fprintf(f, "From sender%u@example.com Mon Jan  1 00:00:00 2024\n", i);
        header_block(f, i);
        body(f, i);
    }
    fclose(f);
    return 0;
}
