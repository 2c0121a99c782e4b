/* Readers: turn a file (or stdin) into a sequence of raw messages.
 *
 * An sw_input maps one file read-only (gzip and stdin are first spooled into an unlinked
 * temporary file, so memory stays flat however large the input), sniffs its format and
 * hands out messages one at a time as spans into the mapping: nothing is copied. A large
 * mbox whose pages prove costly to map is read through a window instead (sw_mbox_stream,
 * below): one copy, into a buffer that stays in cache. mboxrd
 * ">From " unquoting is left to the body's reader (sw_mbox_unquote, in its arena), so a
 * header-only scan never copies a body. Readers know nothing downstream.
 *
 * Ownership: sw_input_open() fills a caller-owned struct; sw_input_close() unmaps. A
 * message's span lives until the next sw_input_next() or sw_input_close(), whichever comes
 * first. Errors carry the path and byte offset. */
#ifndef SPOOFWATCH_INPUT_H
#define SPOOFWATCH_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"
#include "spoofwatch/mailctx.h"

typedef enum sw_format {
    SW_FMT_AUTO = 0,
    SW_FMT_EML,
    SW_FMT_MBOX,
    SW_FMT_EMLX,
    SW_FMT_PARTIAL_EMLX,
    /* log families (include/spoofwatch/logsource.h): rows, not messages */
    SW_FMT_JSONLOG, /* JSON Lines or one JSON document of log records */
    SW_FMT_CSVLOG,   /* CSV with a header row: EXO message trace and reports, Gmail search */
    SW_FMT_TRACKLOG, /* Exchange Server message tracking log (MSGTRK*.LOG) */
    SW_FMT_DMARCXML, /* DMARC aggregate report: XML, or a zip of XML (gzip is undone first) */
    SW_FMT_UNKNOWN
} sw_format;

const char *sw_format_name(sw_format f);
/* 1 for the log families, which sw_log_read() reads instead of sw_input_next(). */
int sw_format_is_log(sw_format f);
/* Parses a --format value ("eml", "mbox", "emlx", "json", "csv",
 * "exchange-tracking", "auto"); SW_FMT_UNKNOWN if bad. */
sw_format sw_format_from_name(const char *name);

typedef struct sw_message {
    const char *data; /* the RFC 5322 message */
    size_t len;
    uint64_t offset; /* of the message in the (decompressed) file */
    long index;      /* n-th message in the file */
    int mbox_quoted; /* mbox: the body may carry ">From " quoting. The span is left as
                      * stored (header lines never carry the quoting); whoever reads the
                      * body calls sw_mbox_unquote() first, which finds out whether any
                      * line is quoted: the split does not look, to stay at memory speed. */
    sw_mail_context ctx;
    int has_ctx;
} sw_message;

/* An mbox read through a window instead of mapped (sw_input_next goes over to this when
 * mapping a large mbox proves costly). Reading into a buffer that stays in cache costs the
 * same whether the kernel holds the file in 4 KiB pages or in large folios, while mapping
 * 4 KiB pages one by one made a scan 1.5 times as long; and a file cut short while it is
 * read gives an error, not SIGBUS.
 *
 * The window holds the current message whole: it grows (doubling) while one message fills
 * more than half of it, up to max_window; a larger message gives SW_ELIMIT, with
 * sw_mbox_stream_offset() at its "From " line, for the caller to read it another way. A
 * span handed out lives until the next call (a sanitizer build poisons what lies behind
 * it). read() fills buf with up to n bytes at offset, sets *got (0 at the end of the file)
 * and returns 0 or an errno. */
typedef int (*sw_mbox_read_fn)(void *ctx, char *buf, size_t n, uint64_t offset, size_t *got);
typedef struct sw_mbox_stream {
    sw_mbox_read_fn read;
    void *ctx;
    uint64_t size;     /* bytes to split: the file's size when opened */
    size_t chunk;      /* bytes asked of read() at a time */
    size_t max_window;
    char *buf;         /* file bytes [base, base + tail), owned; the message from head */
    size_t cap, head, tail, resume;
    uint64_t base;
    long index;
    int eof;
    int shrunk; /* read() ended before size: reported once, after the last message */
} sw_mbox_stream;
typedef struct sw_mbox_span {
    const char *data;
    size_t len;
    uint64_t offset;
    long index;
} sw_mbox_span;
typedef struct sw_input {
    const char *path; /* as given; "-" for stdin */
    const char *data; /* whole file: mapped, or a copy when small (freed at close) */
    size_t len;
    sw_format format;
    int compressed;
    size_t pos;       /* next byte to read (mbox) */
    size_t released;  /* pages before this offset were given back to the kernel */
    long index;       /* messages handed out so far */
    int done;
    int fd;
    int mapped; /* data is our mmap of the file (page advice applies) */
    int copied; /* data is our malloc'd copy of a small file */
    /* A large mbox is mapped, and read through `window` instead (data is then NULL) when
     * mapping it proves costly: input.c, "SW_PROBE". */
    enum { SW_PROBE_NOT_STARTED, SW_PROBE_COUNTING, SW_PROBE_DONE } probe;
    uint64_t probe_from;
    long probe_faults;
    int to_window; /* decided: the next call goes over to the window */
    int windowed;
    sw_mbox_stream window;
} sw_input;

/* Opens path ("-" = stdin) with format (SW_FMT_AUTO sniffs). */
int sw_input_open(sw_input *in, const char *path, sw_format format, sw_error *err);
/* Next message. Returns SW_OK, SW_ENOTFOUND at the end, or SW_EFORMAT for a message that
 * cannot be read (err says where); after SW_EFORMAT the caller may call again. */
int sw_input_next(sw_input *in, sw_arena *a, sw_message *msg, sw_error *err);
void sw_input_close(sw_input *in);
/* Streaming readers report their cursor: bytes before `done` are finished with. Pages far
 * behind it are given back to the kernel, so memory stays flat however large the file. */
void sw_input_advance(sw_input *in, size_t done);

/* Format sniffing from the first bytes and the file name. */
sw_format sw_sniff(const char *path, const char *data, size_t len);

/* mbox: offset just past the "From " line of the message starting at pos, its end, and the
 * offset of the next separator line (or len). Exposed for tests and fuzzing. */
int sw_mbox_next(const char *data, size_t len, size_t pos, size_t *msg_start, size_t *msg_end,
                 size_t *next);
/* The same over bytes of which more may follow (!at_eof): SW_MBOX_MORE when data[pos..len)
 * cannot yet tell where the message ends. *resume (0 for a new message) records how far the
 * search got, so that the call after more bytes arrive does not search them again; it is an
 * offset in data, moved along with the bytes when the caller moves them. */
#define SW_MBOX_MORE 1
int sw_mbox_split(const char *data, size_t len, int at_eof, size_t pos, size_t *resume,
                  size_t *msg_start, size_t *msg_end, size_t *next);

/* Splits bytes [from, size) of the source, from offset `from`, which starts a message. */
void sw_mbox_stream_init(sw_mbox_stream *s, sw_mbox_read_fn read, void *ctx, uint64_t from,
                         uint64_t size, size_t chunk, size_t max_window);
/* SW_OK, SW_ENOTFOUND at the end, SW_ELIMIT (above), SW_EIO, SW_ENOMEM. */
int sw_mbox_stream_next(sw_mbox_stream *s, sw_mbox_span *out, sw_error *err);
/* File offset of the message not yet handed out (its "From " line). */
uint64_t sw_mbox_stream_offset(const sw_mbox_stream *s);
void sw_mbox_stream_free(sw_mbox_stream *s);
/* Undoes mboxrd/mboxo quoting (">From " -> "From ") into the arena when needed; returns the
 * original span when no line is quoted. */
const char *sw_mbox_unquote(sw_arena *a, const char *msg, size_t len, size_t *out_len);

#endif
