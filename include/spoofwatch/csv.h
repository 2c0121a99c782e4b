/* CSV reader: RFC 4180 records out of one file image, for the CSV log family (logcsv.c)
 * and the Exchange tracking log (tracklog.c).
 *
 * Accepted: quoted fields with doubled quotes, CRLF or LF line ends, line breaks inside
 * quotes, a UTF-8 BOM (skipped), UTF-16 LE/BE with a BOM (converted to UTF-8 with iconv),
 * an Export-Csv "#TYPE ..." first line (skipped) and, with SW_CSV_HASH_LINES, '#' lines
 * handed out as comments (W3C-style "#Fields:" headers). A quote inside an unquoted field
 * is kept as a character; ragged rows are the caller's business (sw_csv_cell gives "" for
 * a missing cell). A record is malformed when a closing quote is followed by something
 * other than a comma or a line end, when a quote is still open at the end of the file,
 * when it holds a NUL byte (a C string would cut the field short without a word), or
 * when it is longer than SW_MAX_LOG_LINE or has more than SW_MAX_CSV_FIELDS fields (both
 * caps are checked while scanning, so a hostile record costs at most the cap);
 * sw_csv_next() then reports it with the line it starts on and resumes on the next line,
 * so the records after it are still read.
 *
 * Ownership: sw_csv_open() points into the caller's bytes, or into a malloc'd UTF-8 copy
 * of a UTF-16 file that sw_csv_close() frees. A record's field strings are NUL-terminated
 * copies in the arena passed to sw_csv_next() (the caller resets it between records). A
 * header (sw_csv_header) copies its names into its own arena, freed by
 * sw_csv_header_free(), so it outlives the per-record arena. */
#ifndef SPOOFWATCH_CSV_H
#define SPOOFWATCH_CSV_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"

enum { SW_CSV_UTF8 = 0, SW_CSV_UTF16LE, SW_CSV_UTF16BE };

/* sw_csv_open() flags */
enum {
    SW_CSV_HASH_LINES = 1u << 0, /* lines starting with '#' are comments, not records */
};

typedef struct sw_csv {
    const char *data; /* UTF-8 text being read (the input, or `owned`) */
    size_t len;
    size_t pos;       /* start of the next record */
    uint64_t line;    /* 1-based line number at pos */
    char *owned;      /* malloc'd UTF-8 conversion of a UTF-16 input, or NULL */
    int encoding;     /* SW_CSV_UTF8 / UTF16LE / UTF16BE, as found in the BOM */
    unsigned flags;
} sw_csv;

typedef struct sw_csv_record {
    char **fields; /* NUL-terminated, unquoted; in the arena given to sw_csv_next() */
    size_t nfields;
    uint64_t line;   /* 1-based line where the record starts */
    uint64_t offset; /* byte offset of the record in sw_csv.data (the UTF-8 text) */
    int comment;     /* SW_CSV_HASH_LINES: a '#' line, whole (without the line end) in
                      * fields[0] */
} sw_csv_record;

/* Prepares to read data[0..len). UTF-16 with a BOM is converted (the input must be at most
 * SW_MAX_UTF16_INPUT bytes, else SW_ELIMIT); SW_EFORMAT when it does not convert. */
int sw_csv_open(sw_csv *r, const char *data, size_t len, unsigned flags, sw_error *err);
/* Next record: SW_OK, SW_ENOTFOUND at the end, SW_EFORMAT for a malformed record (err
 * says why, rec->line where it starts; call again for the next one), SW_ENOMEM when the
 * arena is full. Blank lines are skipped. */
int sw_csv_next(sw_csv *r, sw_arena *a, sw_csv_record *rec, sw_error *err);
void sw_csv_close(sw_csv *r);

/* The first bytes of a file as text, for sniffing: a UTF-8 BOM skipped, UTF-16 with a BOM
 * decoded as ASCII (other characters become '?', NULs too); at most cap-1 bytes,
 * NUL-terminated into out. Returns its length. */
size_t sw_csv_head(const char *data, size_t len, char *out, size_t cap);

/* Column names of a header record. */
typedef struct sw_csv_header {
    sw_arena arena;
    const char **names;
    size_t count;
} sw_csv_header;

void sw_csv_header_init(sw_csv_header *h);
/* Takes the names from rec (trimmed of spaces); replaces any earlier header. */
int sw_csv_header_set(sw_csv_header *h, char *const *names, size_t n);
void sw_csv_header_free(sw_csv_header *h);
/* Index of the column called name, or -1. Matching ignores case and treats '-', '_' and
 * ' ' alike, so "recipient-address" finds recipient_address and "Recipient address". */
int sw_csv_col(const sw_csv_header *h, const char *name);
/* rec's cell in column col: "" for a missing cell of a short row, NULL when col < 0. */
const char *sw_csv_cell(const sw_csv_record *rec, int col);
/* The cell of the column called name (sw_csv_col matching); NULL when the column is absent
 * or the cell empty, which is how log sources treat both. */
const char *sw_csv_get(const sw_csv_header *h, const sw_csv_record *rec, const char *name);

#endif
