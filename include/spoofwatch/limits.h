/* spoofwatch hard limits.
 *
 * Every buffer that grows with untrusted input has a cap, and every cap is named here so
 * that a reviewer can see at once how much memory hostile mail can make us spend. */
#ifndef SPOOFWATCH_LIMITS_H
#define SPOOFWATCH_LIMITS_H

/* Header block: the bytes before the first empty line. Longer blocks are cut here and
 * the message is reported as truncated (an attacker can pad to push From out of view). */
#define SW_MAX_HEADER_BLOCK (4u << 20)
/* Number of header fields kept per message; later fields are counted, not kept. */
#define SW_MAX_HEADER_FIELDS 2000
/* One unfolded field value; longer values are cut and flagged. DKIM/ARC signatures with
 * 4096-bit keys stay well under this. */
#define SW_MAX_FIELD_VALUE (256u << 10)
/* Header field name (RFC 5322 allows any printable ASCII; real names are short). */
#define SW_MAX_FIELD_NAME 1024
/* Mailboxes parsed from one address list, and results kept from one A-R header. */
#define SW_MAX_ADDRESSES 256
#define SW_MAX_AUTHRES_RESULTS 64
#define SW_MAX_AUTHRES_PROPS 32
/* Tags in one DKIM/ARC tag list. */
#define SW_MAX_TAGS 64
/* DKIM-Signature headers verified per message (attackers add hundreds; the rest are
 * counted as skipped), and names in one h= list. */
#define SW_MAX_DKIM_SIGS 32
#define SW_MAX_DKIM_HNAMES 256
/* Largest RSA key verified (RFC 8301 asks for 1024..4096; larger keys only cost CPU). */
#define SW_MAX_DKIM_RSA_BITS 8192
/* Distinct ARC keys (selector + domain) fetched while validating one chain: one sealer and
 * one signer per set of at most 50 (more cannot occur). Body hashes kept per chain (one
 * per canonicalization and l=); further ones are recomputed, not kept. */
#define SW_MAX_ARC_KEYS 100
#define SW_MAX_ARC_BODY_HASHES 8
/* Per-message arena: everything decoded from one message lives here. */
#define SW_MAX_ARENA (64u << 20)
/* One whole message read from a single file (.eml/.emlx) or stdin; mbox files are read
 * through a window and split, so their size is bounded only by the file system. */
#define SW_MAX_SPOOL (64ull << 30)
/* The window an mbox is read through holds one whole message: it grows to this, and a
 * larger message is read from a mapping of the file instead (see input.h). */
#define SW_MAX_MBOX_WINDOW (64u << 20)
/* Decoded RFC 2047 text of one field. */
#define SW_MAX_DECODED (64u << 10)
/* Directory recursion depth for tree walks. */
#define SW_MAX_WALK_DEPTH 64
/* One JSON record written for one message. */
#define SW_MAX_RECORD_JSON (16u << 20)

/* Log sources. One JSON document (a whole file that is not JSON Lines, or one line of
 * JSON Lines); larger documents are refused with advice to convert to JSON Lines. */
#define SW_MAX_JSON_DOC (256u << 20)
/* Nesting depth of one JSON document (BigQuery's positional rows nest about 12 deep). */
#define SW_MAX_JSON_DEPTH 128
/* One log line (JSON Lines, CSV record, tracking-log line). */
#define SW_MAX_LOG_LINE (16u << 20)
/* Fields in one CSV record (the widest source, the tracking log, has 30). */
#define SW_MAX_CSV_FIELDS 1024
/* A UTF-16 log (EXO reports, PowerShell 5.1 output) is converted to UTF-8 in memory,
 * unlike every other input, which is mapped; larger ones are refused with advice. */
#define SW_MAX_UTF16_INPUT (512u << 20)
/* Messages whose rows are still being merged (rows are per recipient); when full, the
 * oldest is written out, and a later row of it starts a second record. */
#define SW_LOG_MERGE_WINDOW 512
/* Recipients merged into one record from per-recipient rows. */
#define SW_MAX_LOG_RECIPIENTS 4096
/* Signals one assessment keeps (every signal spoofwatch has fits several times over). */
#define SW_MAX_SIGNALS 64
/* Extra source facts kept as evidence on one log record. */
#define SW_MAX_LOG_FIELDS 64
/* DMARC aggregate reports: one XML document after gzip/zip (and one zip entry), the
 * records read from one report, the text of one element, and zip entries looked at. */
#define SW_MAX_DMARC_XML (256u << 20)
#define SW_MAX_DMARC_RECORDS (1u << 20)
#define SW_MAX_DMARC_TEXT 4096
#define SW_MAX_ZIP_ENTRIES 64

/* Device context (scan/check --context, devctx.c): unified-log mail events held in memory
 * for the whole run; beyond the cap they are reported and dropped. Message text kept per
 * event is cut at SW_MAX_CONTEXT_MESSAGE bytes. At most SW_MAX_DEVICE_EVENTS are attached
 * to one record (the rest are counted). */
#define SW_MAX_CONTEXT_EVENTS 200000
#define SW_MAX_CONTEXT_MESSAGE 2048
#define SW_MAX_DEVICE_EVENTS 32
/* Default half-width of the time window around an .emlx date-received, in seconds. */
#define SW_CONTEXT_WINDOW_DEFAULT 600

/* SPF (spf.c, RFC 7208 §4.6.4): the protocol limits (10 DNS-querying terms over the whole
 * evaluation, 2 void lookups, 10 MX names per mx, 10 PTR names per ptr / %{p}) and our own
 * caps: one policy record's length and terms, one macro expansion, the records kept as
 * evidence, and the evidence text. */
#define SW_SPF_MAX_DNS_TERMS 10
#define SW_SPF_MAX_VOID 2
#define SW_SPF_MAX_MX 10
#define SW_SPF_MAX_PTR 10
#define SW_MAX_SPF_RECORD 8192
#define SW_MAX_SPF_TERMS 256
#define SW_MAX_SPF_EXPANSION 8192
#define SW_MAX_SPF_RECORDS_USED 16
#define SW_MAX_SPF_EVIDENCE (32u << 10)
/* DMARC policy evaluation (dmarcpol.h). One policy record (a TXT record may carry 64 KiB;
 * real ones are under 1 KiB); queries of one RFC 9989 tree walk (fixed by the RFC);
 * DKIM signatures considered for alignment per author domain (more are counted); _dmarc
 * answers remembered within one evaluation (beyond, names are asked again); evidence
 * lines kept per evaluation (later ones are counted). */
#define SW_DMARC_MAX_RECORD 8192
#define SW_DMARC_WALK_QUERIES 8
#define SW_DMARC_MAX_DKIM 32
#define SW_DMARC_MAX_CACHE 128
#define SW_DMARC_MAX_STEPS 96

/* Live DNS (dns_live.c): cached answers (name, type) before the cache is emptied, the
 * records kept from one answer, and the longest TTL honoured (seconds). */
#define SW_DNS_LIVE_CACHE 65536
#define SW_DNS_LIVE_MAX_RRS 64
#define SW_DNS_LIVE_MAX_TTL 86400
/* Bytes the live cache may hold (one TCP answer can carry ~64 KiB of TXT): emptied beyond. */
#define SW_DNS_LIVE_CACHE_BYTES ((size_t)64 << 20)

#endif
