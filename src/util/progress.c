/* Terminal progress bar: see include/spoofwatch/progress.h. */
#include "spoofwatch/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double sw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sw_progress_init(sw_progress *p, int enabled, uint64_t total_bytes)
{
    p->enabled = enabled < 0 ? isatty(STDERR_FILENO) : enabled;
    p->total_bytes = total_bytes;
    p->done_bytes = 0;
    p->messages = 0;
    p->started = sw_now();
    p->last_draw = 0;
    p->drawn = 0;
}

static void draw(sw_progress *p, double now)
{
    double el = now - p->started;
    double mbs = el > 0 ? (double)p->done_bytes / el / 1e6 : 0;
    if (p->total_bytes) {
        double frac = (double)p->done_bytes / (double)p->total_bytes;
        if (frac > 1)
            frac = 1;
        int w = 30, fill = (int)(frac * w);
        char bar[31];
        for (int i = 0; i < w; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[w] = '\0';
        double eta = frac > 0 ? el / frac - el : 0;
        fprintf(stderr, "\r[%s] %5.1f%%  %llu msgs  %.0f MB/s  eta %.0fs ", bar, frac * 100,
                (unsigned long long)p->messages, mbs, eta);
    } else {
        fprintf(stderr, "\r%llu msgs  %.0f MB  %.0f MB/s ", (unsigned long long)p->messages,
                (double)p->done_bytes / 1e6, mbs);
    }
    p->drawn = 1;
}

void sw_progress_update(sw_progress *p, uint64_t done_bytes, uint64_t messages)
{
    p->done_bytes = done_bytes;
    p->messages = messages;
    if (!p->enabled)
        return;
    double now = sw_now();
    if (now - p->started < 0.5 || now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    draw(p, now);
}

void sw_progress_finish(sw_progress *p)
{
    if (p->enabled && p->drawn)
        fprintf(stderr, "\r%*s\r", 78, "");
}
