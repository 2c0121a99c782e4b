/* Device context: macOS unified-log mail events attached to Apple Mail messages.
 *
 * `scan --context FILE` / `check --context FILE` load unified-log files (log show ndjson,
 * Jamf Compliance Reporter, osquery unified_log results; read by the ordinary JSON log
 * family, src/readers/logs/macos_log.c) into one in-memory index before the scan. Every
 * .emlx record with a user (its path /Users/<user>/Library/Mail) then gets, at output time,
 * the events of the same user within +-window seconds of its date-received, and the events
 * whose message text names its Message-ID, as mail_client.device_events.
 *
 * Users: an event's user is, in this order, the login name the source gives (osquery
 * decorations username), its numeric userID mapped through sw_devctx_map_user
 * ("501=alice"; ids are never guessed), or the name in a /Users/<name>/ path in the
 * event's image paths or message. Events with no name are kept out of the index and
 * counted (unattributed).
 *
 * Memory: the index owns every string (its own arena) and must outlive the records it is
 * attached to; sw_devctx_attach() allocates the record's event array in the record's
 * arena. Capped at SW_MAX_CONTEXT_EVENTS events (limits.h). Not thread-safe while
 * loading; attach only reads. */
#ifndef SPOOFWATCH_DEVCTX_H
#define SPOOFWATCH_DEVCTX_H

#include <stddef.h>
#include <stdint.h>
#include "spoofwatch/arena.h"
#include "spoofwatch/record.h"

typedef struct sw_devctx sw_devctx;

typedef struct sw_devctx_stats {
    uint64_t files, events;  /* files loaded, mail events indexed */
    uint64_t unattributed;   /* mail events with no user name (nor a mapped userID) */
    uint64_t dropped;        /* beyond SW_MAX_CONTEXT_EVENTS */
    uint64_t errors;         /* bad lines and unreadable files */
    uint64_t attached;       /* events attached to records, over the run */
} sw_devctx_stats;

sw_devctx *sw_devctx_new(void);
void sw_devctx_free(sw_devctx *d);
/* Half-width of the window around date-received, in seconds (default
 * SW_CONTEXT_WINDOW_DEFAULT). */
void sw_devctx_set_window(sw_devctx *d, int64_t seconds);
/* "UID=NAME": events logged with userID UID belong to login NAME. 0, or -1 when malformed. */
int sw_devctx_map_user(sw_devctx *d, const char *spec);
/* Reads one context file; problems go to on_error ("path:line: why") and are counted.
 * Returns 0 when the file was read (even with bad lines), -1 when it could not be. */
int sw_devctx_load(sw_devctx *d, const char *path, void (*on_error)(const char *msg, void *ctx),
                   void *ctx);
/* Attaches the matching events to rec->ctx (rec must be a copy the caller may change).
 * Does nothing for a record without Mail context. Returns the number attached. */
size_t sw_devctx_attach(sw_devctx *d, sw_record *rec, sw_arena *a);
const sw_devctx_stats *sw_devctx_stats_get(const sw_devctx *d);

#endif
