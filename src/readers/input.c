/* Opening inputs: mapping, gzip and stdin spooling, per-format message iteration.
 * See include/spoofwatch/input.h. */
#include "spoofwatch/input.h"
#include "spoofwatch/emlx.h"
#include "spoofwatch/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Releases already-scanned mbox pages every so often, so RSS stays flat on huge files. */
#define SW_RELEASE_STEP (64u << 20)
#define SW_MAP_ALIGN (2u << 20)
/* A window (sw_mbox_stream) is filled SW_WINDOW_CHUNK at a time, so that the bytes just
 * read are still in cache when they are split. */
#define SW_WINDOW_CHUNK (512u << 10)
/* A large mbox is first mapped. Mapping costs little when the kernel caches the file in
 * large folios (Linux 6.16+ on ext4, XFS), but in 4 KiB pages, as for a file just written or
 * on older kernels, each page is mapped on its own and a scan took 1.5 times as long (117
 * against 96 ms for the bench mbox). Past the first SW_PROBE_SKIP bytes the reader counts
 * its minor page faults over SW_PROBE_SPAN bytes: 1.8-2.4 a MiB in large folios, sixteen
 * in 4 KiB pages (one per 64 KiB of fault-around). Above SW_PROBE_FAULTS_PER_MIB the rest
 * of the file is read through the window, whose copy costs the same in either layout. Over
 * shorter spans, or sooner, the faults of the first messages' arena and buffers blur the
 * difference (8 MiB from byte 4 MiB: 26 a MiB in large folios). */
#define SW_PROBE_SKIP (8u << 20)
#define SW_PROBE_SPAN (32u << 20)
#define SW_PROBE_FAULTS_PER_MIB 8
/* Regular files up to this size are read into memory instead of mapped: for a Maildir of
 * small messages one copy costs less than mmap, its page faults and munmap. */
#define SW_READ_WHOLE_MAX (256u << 10)

static int make_spool(sw_error *err, const char *path)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL, 0600);
    if (fd < 0) {
        char tmpl[4096];
        snprintf(tmpl, sizeof tmpl, "%s/spoofwatch-XXXXXX", dir);
        fd = mkstemp(tmpl);
        if (fd >= 0)
            unlink(tmpl);
    }
    if (fd < 0)
        sw_error_set(err, SW_EIO, "%s: cannot create a spool file in %s: %s", path, dir,
                     strerror(errno));
    return fd;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copies an fd (stdin) into a spool; returns the spool fd or -1. */
static int spool_stream(int in, const char *path, sw_error *err)
{
    int fd = make_spool(err, path);
    if (fd < 0)
        return -1;
    char buf[1 << 16];
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            sw_error_set(err, SW_EIO, "%s: read error at byte %llu: %s", path,
                         (unsigned long long)total, strerror(errno));
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        total += (uint64_t)r;
        if (total > SW_MAX_SPOOL || write_all(fd, buf, (size_t)r)) {
            sw_error_set(err, SW_ELIMIT, "%s: cannot spool more than %llu bytes", path,
                         (unsigned long long)total);
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* Inflates gzip data (all members) into a spool; returns the spool fd or -1. */
static int spool_gunzip(const char *data, size_t len, const char *path, sw_error *err)
{
    int fd = make_spool(err, path);
    if (fd < 0)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        close(fd);
        sw_error_set(err, SW_ENOMEM, "%s: zlib init failed", path);
        return -1;
    }
    unsigned char out[1 << 16];
    size_t consumed = 0;
    uint64_t total = 0;
    int rc = Z_OK;
    while (consumed < len) {
        size_t chunk = len - consumed > (1u << 30) ? (1u << 30) : len - consumed;
        z.next_in = (unsigned char *)data + consumed;
        z.avail_in = (uInt)chunk;
        do {
            z.next_out = out;
            z.avail_out = sizeof out;
            rc = inflate(&z, Z_NO_FLUSH);
            size_t have = sizeof out - z.avail_out;
            total += have;
            if (total > SW_MAX_SPOOL || (have && write_all(fd, out, have))) {
                sw_error_set(err, SW_ELIMIT, "%s: decompressed size over the limit", path);
                goto fail;
            }
            if (rc == Z_STREAM_END) {
                /* concatenated gzip members: start the next one */
                consumed += chunk - z.avail_in;
                if (consumed < len)
                    inflateReset(&z);
                goto next_chunk;
            }
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                sw_error_set(err, SW_EFORMAT, "%s: corrupt gzip data near compressed byte %zu",
                             path, consumed + (chunk - z.avail_in));
                goto fail;
            }
        } while (z.avail_out == 0);
        consumed += chunk - z.avail_in;
        if (z.avail_in == 0 && rc != Z_STREAM_END && consumed >= len) {
            sw_error_set(err, SW_EFORMAT, "%s: truncated gzip data (%llu bytes recovered)", path,
                         (unsigned long long)total);
            goto fail;
        }
    next_chunk:;
    }
    inflateEnd(&z);
    return fd;
fail:
    inflateEnd(&z);
    close(fd);
    return -1;
}

/* n bytes at offset, or fewer when the file ends first (*got says how many); 0 or an errno.
 * pread: a spool fd's offset is at its end after the writes. Also the window's reader. */
static int pread_all(void *ctx, char *buf, size_t n, uint64_t offset, size_t *got)
{
    const sw_input *in = ctx;
    *got = 0;
    while (*got < n) {
        ssize_t r = pread(in->fd, buf + *got, n - *got, (off_t)(offset + *got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

/* The whole file mapped, read ahead by the kernel; MAP_FAILED when it cannot be. */
static void *map_sequential(const sw_input *in)
{
    void *p = mmap(NULL, in->len, PROT_READ, MAP_PRIVATE, in->fd, 0);
    if (p != MAP_FAILED)
        madvise(p, in->len, MADV_SEQUENTIAL);
    return p;
}

static int map_fd(sw_input *in, int fd, sw_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return sw_error_set(err, SW_EIO, "%s: %s", in->path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return sw_error_set(err, SW_EINVAL, "%s: is a directory", in->path);
    in->len = (size_t)st.st_size;
    in->fd = fd;
    if (in->len == 0) {
        in->data = NULL;
        return SW_OK;
    }
    if (S_ISREG(st.st_mode) && in->len <= SW_READ_WHOLE_MAX) {
        char *buf = malloc(in->len);
        if (!buf)
            return sw_error_set(err, SW_ENOMEM, "%s: out of memory", in->path);
        size_t got;
        int e = pread_all(in, buf, in->len, 0, &got);
        if (e) {
            free(buf);
            return sw_error_set(err, SW_EIO, "%s: read error at byte %zu: %s", in->path, got,
                                strerror(e));
        }
        in->data = buf;
        in->len = got; /* the file may have shrunk since fstat: what is there is read */
        in->copied = 1;
        return SW_OK;
    }
    void *p = map_sequential(in);
    if (p == MAP_FAILED)
        return sw_error_set(err, SW_EIO, "%s: cannot map: %s", in->path, strerror(errno));
    in->data = p;
    in->mapped = 1;
    return SW_OK;
}

static long minor_faults(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : 0;
}

/* Called with the offset of each message split from the mapping, until it decides. */
static void probe_mapping(sw_input *in, size_t at)
{
    if (in->probe == SW_PROBE_NOT_STARTED) {
        if (at >= SW_PROBE_SKIP) { /* past the first messages' arena and buffer growth */
            in->probe_from = at;
            in->probe_faults = minor_faults();
            in->probe = SW_PROBE_COUNTING;
        }
        return;
    }
    if (at - in->probe_from < SW_PROBE_SPAN)
        return;
    uint64_t faults = (uint64_t)(minor_faults() - in->probe_faults);
    in->probe = SW_PROBE_DONE;
    if (faults << 20 > (uint64_t)SW_PROBE_FAULTS_PER_MIB * (at - in->probe_from))
        in->to_window = 1; /* on the next call: the current message's span is mapped */
}

/* The rest of a mapped mbox, from in->pos, is read through the window instead. */
static void map_to_window(sw_input *in)
{
    munmap((void *)in->data, in->len);
    in->data = NULL;
    in->mapped = 0;
    in->to_window = 0;
    in->windowed = 1;
    posix_fadvise(in->fd, (off_t)in->pos, 0, POSIX_FADV_SEQUENTIAL);
    sw_mbox_stream_init(&in->window, pread_all, in, in->pos, in->len, SW_WINDOW_CHUNK,
                        SW_MAX_MBOX_WINDOW);
}

/* One message too large for the window: the rest of the file is mapped and split there,
 * as every mbox was before the window (its pages come in as they are touched). */
static int window_to_map(sw_input *in, sw_error *err)
{
    uint64_t at = sw_mbox_stream_offset(&in->window);
    sw_mbox_stream_free(&in->window);
    in->windowed = 0;
    void *p = map_sequential(in);
    if (p == MAP_FAILED) {
        in->done = 1;
        return sw_error_set(err, SW_EIO, "%s: cannot map for a message over %u MiB at byte "
                            "%llu: %s", in->path, SW_MAX_MBOX_WINDOW >> 20,
                            (unsigned long long)at, strerror(errno));
    }
    in->data = p;
    in->mapped = 1;
    in->pos = (size_t)at;
    in->released = 0;
    in->probe = SW_PROBE_DONE; /* stays mapped: its layout was the reason for the window */
    sw_input_advance(in, in->pos);
    return SW_OK;
}

static void unmap(sw_input *in)
{
    if (in->windowed)
        sw_mbox_stream_free(&in->window);
    in->windowed = 0;
    if (in->copied)
        free((void *)in->data);
    else if (in->data)
        munmap((void *)in->data, in->len);
    in->data = NULL;
    in->mapped = 0;
    in->copied = 0;
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
}

int sw_input_open(sw_input *in, const char *path, sw_format format, sw_error *err)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    in->fd = -1;
    int fd;
    if (!strcmp(path, "-")) {
        fd = spool_stream(STDIN_FILENO, "(stdin)", err);
        if (fd < 0)
            return err ? err->code : SW_EIO;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return sw_error_set(err, SW_EIO, "%s: %s", path, strerror(errno));
    }
    int rc = map_fd(in, fd, err);
    if (rc) {
        close(fd);
        in->fd = -1;
        return rc;
    }
    if (in->len >= 2 && (unsigned char)in->data[0] == 0x1f && (unsigned char)in->data[1] == 0x8b) {
        int z = spool_gunzip(in->data, in->len, path, err);
        unmap(in);
        if (z < 0)
            return err ? err->code : SW_EFORMAT;
        if ((rc = map_fd(in, z, err))) {
            close(z);
            in->fd = -1;
            return rc;
        }
        in->compressed = 1;
    }
    if (in->len == 0) {
        unmap(in);
        return sw_error_set(err, SW_EFORMAT, "%s: empty file", path);
    }
    /* The name inside a .gz decides emlx-ness just as the plain name would. */
    char inner[4096];
    const char *name = path;
    size_t pl = strlen(path);
    if (in->compressed && pl > 3 && pl < sizeof inner && !strcmp(path + pl - 3, ".gz")) {
        memcpy(inner, path, pl - 3);
        inner[pl - 3] = '\0';
        name = inner;
    }
    in->format = format == SW_FMT_AUTO ? sw_sniff(name, in->data, in->len) : format;
    if (in->format == SW_FMT_UNKNOWN) {
        unmap(in);
        return sw_error_set(err, SW_EFORMAT,
                            "%s: not a mail format spoofwatch reads (byte 0: neither a header "
                            "field, an mbox \"From \" line, an emlx byte count nor a log "
                            "format)",
                            path);
    }
    return SW_OK;
}

/* Prefixes the path to an error from a parser, so that the message stands on its own. */
static void prefix_path(const sw_input *in, sw_error *err)
{
    if (!err)
        return;
    char tmp[sizeof err->message];
    snprintf(tmp, sizeof tmp, "%.200s: %.300s", in->path, err->message);
    memcpy(err->message, tmp, sizeof tmp);
}

static int next_emlx(sw_input *in, sw_arena *a, sw_message *msg, sw_error *err)
{
    sw_emlx e;
    in->done = 1;
    int rc = sw_emlx_parse(a, in->data, in->len, in->format == SW_FMT_PARTIAL_EMLX, &e, err);
    if (rc) {
        prefix_path(in, err);
        return rc;
    }
    msg->data = e.msg;
    msg->len = e.msg_len;
    msg->offset = e.msg_offset;
    msg->ctx = e.ctx;
    sw_emlx_context_from_path(a, in->path, &msg->ctx);
    msg->has_ctx = 1;
    return SW_OK;
}

void sw_input_advance(sw_input *in, size_t done)
{
    if (!in->mapped) /* an input built in memory (tests, fuzzing) is not ours to advise */
        return;
    /* Pages ahead are left to the page faults: with MADV_SEQUENTIAL each fault maps the
     * 64 KiB around it from the page cache, which measured cheaper than mapping 8 MB
     * windows ahead with MADV_POPULATE_READ (mbox read + split 0.086 -> 0.081 s for the
     * bench's 335 MB; scan 0.215 -> 0.211 s). */
    /* Drop pages well behind the cursor; this keeps RSS flat on multi-GB files. */
    if (done > in->released && done - in->released > 2 * (size_t)SW_RELEASE_STEP) {
        /* up to a 2 MiB boundary of the address space: a file read from disk is cached in
         * folios of that size, mapped whole, and releasing part of one splits its mapping */
        uintptr_t to = (uintptr_t)in->data + done - SW_RELEASE_STEP;
        to &= ~(uintptr_t)(SW_MAP_ALIGN - 1);
        size_t upto = (size_t)(to - (uintptr_t)in->data);
        madvise((void *)(in->data + in->released), upto - in->released, MADV_DONTNEED);
        in->released = upto;
    }
}

int sw_input_next(sw_input *in, sw_arena *a, sw_message *msg, sw_error *err)
{
    memset(msg, 0, sizeof *msg);
    if (in->to_window)
        map_to_window(in);
    if (in->windowed) {
        sw_mbox_span span;
        int rc = sw_mbox_stream_next(&in->window, &span, err);
        if (rc == SW_OK) {
            msg->index = in->index++;
            msg->offset = span.offset;
            msg->data = span.data;
            msg->len = span.len;
            msg->mbox_quoted = 1;
            return SW_OK;
        }
        if (rc == SW_ELIMIT) {
            if ((rc = window_to_map(in, err)))
                return rc;
        } else {
            /* the end, or a read error: nothing more comes from this file */
            sw_mbox_stream_free(&in->window);
            in->windowed = 0;
            in->done = 1;
            if (rc != SW_ENOTFOUND)
                prefix_path(in, err);
            return rc;
        }
    }
    if (in->done || !in->data)
        return SW_ENOTFOUND;
    msg->index = in->index++;
    switch (in->format) {
    case SW_FMT_EMLX:
    case SW_FMT_PARTIAL_EMLX: return next_emlx(in, a, msg, err);
    case SW_FMT_MBOX: {
        size_t start, end, next;
        if (sw_mbox_next(in->data, in->len, in->pos, &start, &end, &next)) {
            in->done = 1;
            return SW_ENOTFOUND;
        }
        in->pos = next;
        if (next >= in->len)
            in->done = 1;
        msg->offset = start;
        msg->data = in->data + start;
        msg->len = end - start;
        msg->mbox_quoted = 1;
        sw_input_advance(in, start);
        if (in->mapped && in->probe != SW_PROBE_DONE)
            probe_mapping(in, start);
        return SW_OK;
    }
    default:
        in->done = 1;
        msg->data = in->data;
        msg->len = in->len;
        msg->offset = 0;
        return SW_OK;
    }
}

void sw_input_close(sw_input *in)
{
    unmap(in);
}
