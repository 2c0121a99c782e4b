/* Byte-at-a-time references for the fast DKIM code paths, written straight from the RFCs
 * and shared by the unit tests (tests/unit/test_dkim.c) and the differential fuzz targets
 * (fuzz/fuzz_canon.c, fuzz/fuzz_dkim_key.c), so that both compare against one oracle.
 * Each writes into buffers its caller provides and allocates nothing. */
#ifndef SW_DKIM_REF_H
#define SW_DKIM_REF_H

#include "spoofwatch/canon.h"

#include <stddef.h>

/* RFC 6376 §3.4.3 (simple) / §3.4.4 (relaxed) body canonicalization, a bare LF read as a
 * line end as CRLF is (canon.h), without any l= limit. out holds 2 * n + 2 bytes, line
 * n bytes (scratch). Returns the canonical length. */
size_t sw_ref_canon_body(sw_canon_mode m, const char *body, size_t n, char *out, char *line);

/* §3.4.1 simple header canonicalization of one raw field (every bare LF written as CRLF),
 * without the final CRLF. out holds 2 * n bytes. */
size_t sw_ref_canon_header_simple(const char *raw, size_t n, char *out);

/* §3.4.2 relaxed: the name lower-cased without WSP or line ends before the colon, the
 * value unfolded, WSP runs as one SP, none at either end; a field without a colon goes as
 * simple does. out holds 2 * n bytes. */
size_t sw_ref_canon_header_relaxed(const char *raw, size_t n, char *out);

/* DKIM base64 (RFC 6376 §2.11 with FWS anywhere): '=' only as the last one or two of a
 * quantum, nothing after a padded quantum, no partial quantum. out holds n / 4 * 3 + 3
 * bytes. SW_OK or SW_EFORMAT. */
int sw_ref_base64_decode(const char *s, size_t n, unsigned char *out, size_t *out_len);

#endif
