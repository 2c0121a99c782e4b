/* Microsoft 365 / Exchange transport and anti-spam headers: see
 * include/spoofwatch/mstransport.h.
 *
 * Contract: reads the topmost instance of each header from a scanned block (the one the
 * receiving tenant stamped last), splits report headers into KEY:value pairs in the
 * caller's arena, and never fails on malformed text. Meanings come from Microsoft's
 * documentation as summarised in shared/docs/formats.md §2.7; a code the documents do
 * not explain has no meaning here (NULL), rather than a guess. */
#include "spoofwatch/mstransport.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Real reports carry 10-20 pairs; the cap bounds what a hostile header can cost. */
#define SW_MS_MAX_PAIRS 128

/* Every whitespace byte is <= ' ', so the usual byte (a key or value letter) is told apart
 * with one compare. */
static int is_ws(char c)
{
    unsigned char u = (unsigned char)c;
    return u <= ' ' && (u == ' ' || u == '\t' || u == '\r' || u == '\n');
}

static void trim(const char **b, const char **e)
{
    while (*b < *e && is_ws(**b))
        (*b)++;
    while (*e > *b && is_ws((*e)[-1]))
        (*e)--;
}

/* Byte classes of a report, one lookup per key byte: where a key ends, and the letters
 * folded. toupper in the C locale (spoofwatch never calls setlocale) folds only a-z. */
enum { MS_WS = 1, MS_KEY_END = 2, MS_LOWER = 0x20 /* the bit folding takes off */ };
static const unsigned char ms_class[256] = {
    [' '] = MS_WS, ['\t'] = MS_WS, ['\r'] = MS_WS, ['\n'] = MS_WS, [':'] = MS_KEY_END,
    [';'] = MS_KEY_END, ['a' ... 'z'] = MS_LOWER,
};

/* First ';' in [p,e), or e. Values are a few bytes to a few dozen: 16 are screened at a
 * time while 16 remain, without a library call per pair. */
static const char *find_semi(const char *p, const char *e)
{
#if defined(__SSE2__)
    const __m128i semi = _mm_set1_epi8(';');
    for (; e - p >= 16; p += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), semi));
        if (m)
            return p + __builtin_ctz(m);
    }
#endif
    while (p < e && *p != ';')
        p++;
    return p;
}

/* Reads a key from p: upper-cases it in key (its place in the copy) and returns where it
 * ends, at the first ':' or ';' or e. Keys are a few letters, written upper-case already:
 * when 16 bytes remain, one screen finds the key's end and its lower-case letters. */
static const char *read_key(char *key, const char *p, const char *e)
{
#if defined(__SSE2__)
    if (e - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        unsigned stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(v, _mm_set1_epi8(':')), _mm_cmpeq_epi8(v, _mm_set1_epi8(';'))));
        if (stop) {
            unsigned k = (unsigned)__builtin_ctz(stop);
            /* signed compares: bytes >= 0x80 are below 'a' */
            __m128i low = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
            unsigned lm = (unsigned)_mm_movemask_epi8(low) & ((1u << k) - 1);
            for (; lm; lm &= lm - 1)
                key[__builtin_ctz(lm)] ^= MS_LOWER;
            return p + k;
        }
    }
#endif
    const char *b = p;
    for (; p < e; p++) {
        unsigned char cls = ms_class[(unsigned char)*p];
        if (cls & MS_KEY_END)
            break;
        key[p - b] ^= (char)(cls & MS_LOWER);
    }
    return p;
}

/* "K1:v1;K2:v2;..." -> pairs. Splits each fragment on its FIRST ':' so values that
 * contain ':' (IPv6 CIP, "SFS:(…)") stay whole. A fragment without ':' is kept as a key
 * with an empty value; empty fragments are skipped. The pairs are collected on the stack
 * and the arena array is sized at the end from the number of fragments, which the loop
 * counts itself (as sw_taglist_parse does): a pass over the value just to count its ';'
 * cost a quarter of the parse. Keys and values are cut out of one arena copy of the value,
 * each ended by a NUL written over the byte after it (its ':', ';', trimmed space or the
 * copy's last byte), instead of two copies a pair. One pass reads a fragment: the key up
 * to its ':' (or ';'), upper-cased into the copy as it goes, then the value up to the ';'. */
static int parse_pairs(sw_arena *a, const char *s, size_t n, sw_ms_antispam *out)
{
    sw_ms_pair pairs[SW_MS_MAX_PAIRS];
    size_t frags = 1, count = 0;
    out->pairs = NULL;
    out->count = 0;
    char *copy = sw_arena_alloc(a, n + 1);
    if (!copy)
        return SW_ENOMEM;
    memcpy(copy, s, n);
    const char *p = s, *end = s + n;
    while (p < end && count < SW_MS_MAX_PAIRS) {
        while (p < end && is_ws(*p))
            p++;
        if (p == end)
            break;
        if (*p == ';') { /* an empty fragment */
            frags++;
            p++;
            continue;
        }
        const char *fb = p;
        char *key = copy + (fb - s);
        p = read_key(key, p, end);
        const char *ke = p, *vb = p, *ve = p;
        if (p < end && *p == ':') {
            vb = p + 1;
            ve = p = find_semi(vb, end);
        }
        /* p is at the fragment's ';' or the end */
        frags += p < end;
        p += p < end;
        while (ke > fb && is_ws(ke[-1]))
            ke--;
        if (vb == ve) /* no ':' (or an empty value): the value is the key's NUL */
            vb = ve = ke;
        trim(&vb, &ve);
        /* the key ends at or before the ':' and the value starts after it, so the NUL that
         * ends the key never falls inside the value */
        copy[ke - s] = '\0';
        copy[ve - s] = '\0';
        pairs[count].key = key;
        pairs[count].value = copy + (vb - s);
        count++;
    }
    /* After a stop at the cap the uncounted fragments do not matter: cap is the maximum. */
    size_t cap = frags < SW_MS_MAX_PAIRS ? frags : SW_MS_MAX_PAIRS;
    out->pairs = sw_arena_alloc(a, cap * sizeof *out->pairs);
    if (!out->pairs)
        return SW_ENOMEM;
    memcpy(out->pairs, pairs, count * sizeof *pairs);
    out->count = count;
    return SW_OK;
}

/* Inline so that the literal names of the callers fold into constant keys. */
static inline __attribute__((always_inline)) int
collect_report(sw_arena *a, const sw_header_block *h, const char *name, sw_ms_antispam *out)
{
    memset(out, 0, sizeof *out);
    const sw_header_key key = sw_header_key_of(name);
    out->field_index = sw_header_find_key(h, &key, 0);
    if (out->field_index < 0)
        return SW_OK;
    const sw_header_field *f = &h->fields[out->field_index];
    return parse_pairs(a, f->value, f->value_len, out);
}

/* The prefixes of the fields read below, as bits of the presence walk's result. */
enum { MS_SEEN_EXCHANGE = 1, MS_SEEN_ANTISPAM = 2, MS_SEEN_FOREFRONT = 4, MS_SEEN_ALL = 7 };

int sw_ms_transport_collect(sw_arena *a, const sw_header_block *h, sw_ms_transport *out)
{
    memset(out, 0, sizeof *out);
    out->forefront.field_index = -1;
    out->forefront_untrusted.field_index = -1;
    out->antispam.field_index = -1;
    /* Any Microsoft stamp counts, including ones not decoded below: the record needs to
     * know the message went through Exchange even when the reports are absent. Every field
     * read below has one of three prefixes, and a lookup under a prefix the block lacks
     * finds nothing. An X-MS-Exchange- or X-Microsoft-Antispam field ends the walk and
     * every lookup is made (Exchange writes dozens of them, the X-Forefront report among
     * them or not: walking on to prove a prefix absent would cost more than the lookups).
     * A Forefront report alone (EOP in front of another mail system) does not: the walk
     * goes on over the fields after it, and only the Forefront lookups are made when
     * neither other prefix turns up. */
    unsigned seen = 0;
    for (size_t i = 0; i < h->count; i++) {
        const sw_header_field *f = &h->fields[i];
        if (f->flags & SW_HF_SPACE_BEFORE_COLON)
            continue;
        /* every Microsoft stamp starts "X-M" or "X-F": most fields stop at two bytes */
        if ((f->name[0] | 0x20) != 'x' || f->name[1] != '-' ||
            ((f->name[2] | 0x20) != 'm' && (f->name[2] | 0x20) != 'f'))
            continue;
        /* the third byte tells which prefixes the name can have: only those are compared */
        if ((f->name[2] | 0x20) == 'm') {
            if (strncasecmp(f->name, "X-MS-Exchange-", 14) == 0 ||
                strncasecmp(f->name, "X-Microsoft-Antispam", 20) == 0) {
                seen = MS_SEEN_ALL;
                break;
            }
        } else if (!(seen & MS_SEEN_FOREFRONT) &&
                   strncasecmp(f->name, "X-Forefront-Antispam-Report", 27) == 0) {
            seen |= MS_SEEN_FOREFRONT;
        }
    }
    out->present = seen != 0;
    int rc;
    if ((seen & MS_SEEN_FOREFRONT) &&
        ((rc = collect_report(a, h, "X-Forefront-Antispam-Report", &out->forefront)) ||
         (rc = collect_report(a, h, "X-Forefront-Antispam-Report-Untrusted",
                              &out->forefront_untrusted))))
        return rc;
    if (seen & MS_SEEN_ANTISPAM) {
        if ((rc = collect_report(a, h, "X-Microsoft-Antispam", &out->antispam)))
            return rc;
        const sw_header_key mbd_key = sw_header_key_of("X-Microsoft-Antispam-Mailbox-Delivery");
        long mi = sw_header_find_key(h, &mbd_key, 0);
        if (mi >= 0) {
            const sw_header_field *f = &h->fields[mi];
            out->mailbox_delivery = f->value;
            sw_ms_antispam md;
            if ((rc = parse_pairs(a, f->value, f->value_len, &md)))
                return rc;
            out->delivery_dest = sw_ms_get(&md, "dest");
        }
    }
    if (!(seen & MS_SEEN_EXCHANGE))
        return SW_OK;

    out->network_message_id =
        sw_header_first_value(h, "X-MS-Exchange-Organization-Network-Message-Id");
    out->crosstenant_network_message_id =
        sw_header_first_value(h, "X-MS-Exchange-CrossTenant-Network-Message-Id");
    out->auth_as = sw_header_first_value(h, "X-MS-Exchange-Organization-AuthAs");
    out->auth_source = sw_header_first_value(h, "X-MS-Exchange-Organization-AuthSource");
    out->directionality =
        sw_header_first_value(h, "X-MS-Exchange-Organization-MessageDirectionality");
    out->org_scl = sw_header_first_value(h, "X-MS-Exchange-Organization-SCL");
    out->crosstenant_original_arrival =
        sw_header_first_value(h, "X-MS-Exchange-CrossTenant-OriginalArrivalTime");
    out->external_original_sender =
        sw_header_first_value(h, "X-MS-Exchange-ExternalOriginalInternetSender");

    return SW_OK;
}

/* A-Z folded, as strcasecmp folds in the C locale. */
static unsigned char ms_fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Longest key sw_ms_get folds on the stack; a longer one is compared with strcasecmp. */
#define SW_MS_KEY_FOLD 64

const char *sw_ms_get(const sw_ms_antispam *r, const char *key)
{
    /* parse_pairs stored every key upper-cased (a-z folded, as strcasecmp folds), so the
     * key asked for is upper-cased once and each stored key is compared byte for byte: a
     * report has a dozen pairs, nearly all of which differ in their first or second byte,
     * and none costs a libc call. A stored key ends at its NUL (one written inside the
     * value stops it there, as it stops strcasecmp). */
    if (!r->count) /* most mail never crossed Exchange */
        return NULL;
    char q[SW_MS_KEY_FOLD + 1];
    size_t qn = 0;
    for (; key[qn]; qn++) {
        if (qn == SW_MS_KEY_FOLD) {
            unsigned char k0 = ms_fold((unsigned char)key[0]);
            for (size_t i = 0; i < r->count; i++)
                if (ms_fold((unsigned char)r->pairs[i].key[0]) == k0 &&
                    strcasecmp(r->pairs[i].key, key) == 0)
                    return r->pairs[i].value;
            return NULL;
        }
        unsigned char c = (unsigned char)key[qn];
        q[qn] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    q[qn] = '\0'; /* an empty key is then matched by its NUL */
    const char q0 = q[0];
    for (size_t i = 0; i < r->count; i++) {
        const char *k = r->pairs[i].key;
        if (k[0] != q0)
            continue;
        /* q has no NUL in its qn bytes, so a stored key's NUL stops the walk by mismatch */
        size_t j = 1;
        while (j < qn && k[j] == q[j])
            j++;
        if (j >= qn && k[qn] == '\0')
            return r->pairs[i].value;
    }
    return NULL;
}

typedef struct code_meaning {
    const char *code;
    const char *meaning;
} code_meaning;

/* [docs] message-headers-eop-mdo.md; SKI and DMS per microsoft/MHA (formats.md §2.7). */
static const code_meaning sfv_codes[] = {
    {"BLK", "blocked: sender is on the recipient's Blocked Senders list (filtering skipped)"},
    {"NSPM", "not spam"},
    {"SFE", "allowed: sender is on the recipient's Safe Senders list (filtering skipped)"},
    {"SKA", "allowed: sender or domain is on an anti-spam policy allow list (filtering skipped)"},
    {"SKB", "spam: sender or domain is on an anti-spam policy block list"},
    {"SKN", "marked not spam before spam filtering (e.g. a mail flow rule set SCL -1)"},
    {"SKQ", "released from quarantine"},
    {"SKS", "marked spam before spam filtering (e.g. a mail flow rule set SCL 5-9)"},
    {"SPM", "spam"},
    {"SKI", "filtering skipped for another reason, e.g. intra-organisation mail (same tenant)"},
    {"DMS", "filtering verdict ignored because of tenant settings"},
    {NULL, NULL}};

/* [docs] CAT: the category of threat policy that applied. */
static const code_meaning cat_codes[] = {{"AMP", "anti-malware"},
                                         {"BIMP", "brand impersonation"},
                                         {"BULK", "bulk"},
                                         {"DIMP", "domain impersonation"},
                                         {"FTBP", "anti-malware common attachments filter"},
                                         {"GIMP", "mailbox intelligence impersonation"},
                                         {"HPHSH", "high confidence phishing"},
                                         {"HPHISH", "high confidence phishing"},
                                         {"HSPM", "high confidence spam"},
                                         {"INTOS", "intra-organisation phishing"},
                                         {"MALW", "malware"},
                                         {"OSPM", "outbound spam"},
                                         {"PHSH", "phishing"},
                                         {"SAP", "Safe Attachments"},
                                         {"SPM", "spam"},
                                         {"SPOOF", "spoofing"},
                                         {"UIMP", "user impersonation"},
                                         {NULL, NULL}};

static const code_meaning ipv_codes[] = {
    {"CAL", "source IP is on the connection filter IP Allow List (spam filtering skipped)"},
    {"NLI", "IP address not found on any IP reputation list"},
    {NULL, NULL}};

static const code_meaning dir_codes[] = {{"INB", "inbound message"},
                                         {"OUT", "outbound message"},
                                         {"INT", "internal message"},
                                         {NULL, NULL}};

static const code_meaning sfty_codes[] = {
    {"9.19", "domain impersonation: the sending domain impersonates a protected domain"},
    {"9.20", "user impersonation: the sender impersonates a user or a protected user"},
    {"9.25", "first contact safety tip: might indicate a suspicious or phishing message"},
    {NULL, NULL}};

static const code_meaning srv_codes[] = {
    {"BULK", "identified as bulk email by spam filtering and the BCL threshold"}, {NULL, NULL}};

/* formats.md documents only I, J and C; other dest letters stay unexplained. */
static const code_meaning dest_codes[] = {{"I", "delivered to the Inbox"},
                                          {"J", "delivered to the Junk Email folder"},
                                          {"C", "delivered to a custom folder"},
                                          {NULL, NULL}};

/* X-MS-Exchange-Organization-AuthAs: how the sending session was authenticated. */
static const code_meaning authas_codes[] = {
    {"Anonymous", "not authenticated (typically a connection from the internet)"},
    {"Internal", "authenticated as a sender inside this organisation"},
    {"Partner", "authenticated as a partner organisation"},
    {"External", "authenticated, but as a sender outside this organisation"},
    {NULL, NULL}};

static const code_meaning directionality_codes[] = {
    {"Incoming", "message entered this organisation from outside"},
    {"Originating", "message was sent from inside this organisation"},
    {NULL, NULL}};

static const char *lookup(const code_meaning *t, const char *value)
{
    for (; t->code; t++)
        if (strcasecmp(t->code, value) == 0)
            return t->meaning;
    return NULL;
}

/* Strict small integer: optional '-', 1-3 digits, nothing else. */
static int parse_small_int(const char *s, int *out)
{
    int neg = 0, v = 0, digits = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || ++digits > 3)
            return 0;
        v = v * 10 + (*s - '0');
    }
    if (!digits)
        return 0;
    *out = neg ? -v : v;
    return 1;
}

/* [docs] anti-spam-spam-confidence-level-scl-about.md: EOP spam filtering itself only
 * assigns -1, 0, 1, 5, 6 and 9. 2-4 and 7-8 can still be stamped by mail flow rules or
 * other filters, so they are read as the neighbouring band. */
static const char *scl_meaning(const char *value)
{
    int v;
    if (!parse_small_int(value, &v))
        return NULL;
    switch (v) {
    case -1: return "spam filtering skipped (e.g. allowed sender or mail flow rule)";
    case 0:
    case 1: return "not spam";
    case 2:
    case 3:
    case 4: return "not spam (low)";
    case 5:
    case 6:
    case 7:
    case 8: return "spam";
    case 9: return "high confidence spam";
    }
    return NULL;
}

/* [docs] anti-spam-bulk-complaint-level-bcl-about.md bands; formats.md: MHA flags 6-9. */
static const char *bcl_meaning(const char *value)
{
    int v;
    if (!parse_small_int(value, &v))
        return NULL;
    switch (v) {
    case 0: return "not from a bulk sender";
    case 1:
    case 2:
    case 3: return "bulk sender that generates few complaints";
    case 4:
    case 5: return "bulk sender that generates a mixed number of complaints";
    case 6:
    case 7: return "bulk sender that generates a mixed number of complaints (noteworthy: BCL 6-9)";
    case 8:
    case 9: return "bulk sender that generates a high number of complaints (noteworthy: BCL 6-9)";
    }
    return NULL;
}

const char *sw_ms_meaning(const char *key, const char *value)
{
    if (!key || !value)
        return NULL;
    if (!strcasecmp(key, "SFV"))
        return lookup(sfv_codes, value);
    if (!strcasecmp(key, "CAT"))
        return lookup(cat_codes, value);
    if (!strcasecmp(key, "IPV"))
        return lookup(ipv_codes, value);
    if (!strcasecmp(key, "DIR"))
        return lookup(dir_codes, value);
    if (!strcasecmp(key, "SFTY"))
        return lookup(sfty_codes, value);
    if (!strcasecmp(key, "SRV"))
        return lookup(srv_codes, value);
    if (!strcasecmp(key, "SCL"))
        return scl_meaning(value);
    if (!strcasecmp(key, "BCL"))
        return bcl_meaning(value);
    if (!strcasecmp(key, "dest"))
        return lookup(dest_codes, value);
    if (!strcasecmp(key, "AuthAs"))
        return lookup(authas_codes, value);
    if (!strcasecmp(key, "MessageDirectionality"))
        return lookup(directionality_codes, value);
    return NULL;
}

static const code_meaning key_names[] = {{"ARC", "ARC information (AAR, AMS, AS with cv=)"},
                                         {"CAT", "category of threat policy applied"},
                                         {"CIP", "connecting IP address"},
                                         {"CTRY", "source country/region, from the connecting IP"},
                                         {"DIR", "message direction"},
                                         {"H", "HELO/EHLO name of the connecting server"},
                                         {"IPV", "IP reputation verdict"},
                                         {"LANG", "language of the message"},
                                         {"PCL", "phishing confidence level"},
                                         {"PTR", "reverse DNS (PTR) of the connecting IP"},
                                         {"SCL", "spam confidence level"},
                                         {"SFS", "spam filter rule ids (undocumented)"},
                                         {"SFTY", "safety tip: phishing type"},
                                         {"SFV", "spam filtering verdict"},
                                         {"SRV", "bulk marker (SRV:BULK)"},
                                         {"BCL", "bulk complaint level"},
                                         {"DEST", "mailbox delivery folder"},
                                         {"AUTHAS", "how the sending session authenticated"},
                                         {NULL, NULL}};

const char *sw_ms_key_name(const char *key)
{
    if (!key)
        return NULL;
    return lookup(key_names, key);
}
