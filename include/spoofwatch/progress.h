/* Progress bar on stderr for long runs: only when stderr is a terminal, redrawn at most
 * ten times a second, erased when done. The struct is caller-owned; no allocation. */
#ifndef SPOOFWATCH_PROGRESS_H
#define SPOOFWATCH_PROGRESS_H

#include <stdint.h>

typedef struct sw_progress {
    int enabled;
    uint64_t total_bytes; /* 0 when unknown */
    uint64_t done_bytes;
    uint64_t messages;
    double started, last_draw;
    int drawn;
} sw_progress;

/* enabled: -1 = auto (stderr is a tty), 0 = off, 1 = on. */
void sw_progress_init(sw_progress *p, int enabled, uint64_t total_bytes);
void sw_progress_update(sw_progress *p, uint64_t done_bytes, uint64_t messages);
void sw_progress_finish(sw_progress *p);
double sw_now(void); /* monotonic seconds */

#endif
