/* libFuzzer target for the device-context index (src/readers/logs/devctx.c).
 *
 * Each input is written to a temporary file and loaded as a --context file (so it goes
 * through the JSON log family and the three unified-log sources, then the index's own
 * parsing: /Users/<name>/ paths and bracketed Message-IDs in event messages). Then
 * records of two users are attached. Besides memory errors it checks the index's promises:
 * at most SW_MAX_DEVICE_EVENTS attached, oldest first, each inside the window or naming
 * the record's Message-ID. A broken promise aborts. The index and arenas are freed here. */
#include "spoofwatch/devctx.h"
#include "spoofwatch/limits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void check(sw_devctx *d, const char *user, int64_t received, const char *mid)
{
    sw_arena a;
    sw_arena_init(&a, 1u << 20);
    sw_record rec;
    memset(&rec, 0, sizeof rec);
    rec.has_ctx = 1;
    rec.ctx.user = user;
    rec.ctx.date_received = received;
    rec.ctx.has_date_received = 1;
    rec.message_id = mid;
    size_t n = sw_devctx_attach(d, &rec, &a);
    if (n != rec.ctx.ndevice_events || n > SW_MAX_DEVICE_EVENTS || !rec.ctx.has_device_context)
        abort();
    volatile size_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        const sw_device_event *e = &rec.ctx.device_events[i];
        if (i && e->time_epoch < rec.ctx.device_events[i - 1].time_epoch)
            abort();
        if (!e->match || !e->time || !e->source)
            abort();
        if (!strcmp(e->match, "time") &&
            (e->time_epoch < received - SW_CONTEXT_WINDOW_DEFAULT ||
             e->time_epoch > received + SW_CONTEXT_WINDOW_DEFAULT))
            abort();
        if (!strcmp(e->match, "message-id") && (!e->message || !strcasestr(e->message, mid + 1)))
            abort();
        const char *s[] = {e->time, e->process, e->subsystem, e->message, e->device, e->source};
        for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
            if (s[k])
                sum += strlen(s[k]);
    }
    (void)sum;
    sw_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/sw-fuzz-devctx-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(path);
        return 0;
    }
    fwrite(data, 1, size, f);
    fclose(f);
    sw_devctx *d = sw_devctx_new();
    if (d) {
        sw_devctx_map_user(d, "501=alice");
        sw_devctx_load(d, path, NULL, NULL);
        check(d, "alice", 1740903240, "<promo-102@news.example>");
        check(d, "bob", 1740903300, "<inv-201@billing.example>");
        sw_devctx_free(d);
    }
    unlink(path);
    return 0;
}
