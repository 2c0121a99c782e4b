/* Mailbox context from the client side (Apple Mail .emlx), AN1204's user/device context.
 *
 * Filled by the emlx reader from the XML plist trailer and from the file's path
 * (~/Library/Mail/V<n>/<account>/<box>.mbox/...). Strings are owned by the reader's
 * arena or path buffer and live as long as the record. */
#ifndef SPOOFWATCH_MAILCTX_H
#define SPOOFWATCH_MAILCTX_H

#include <stdint.h>

/* A unified-log event from the same user's Mac, attached by devctx.c (scan/check
 * --context). Strings belong to the context index, which outlives every record. */
typedef struct sw_device_event {
    const char *time; /* as logged */
    int64_t time_epoch;
    const char *process, *subsystem, *message;
    const char *device; /* host name or osquery hostIdentifier, NULL when not logged */
    const char *source; /* macos-unified-log, jamf-unified-log, osquery-unified-log */
    const char *match;  /* "time" (inside the window) or "message-id" (names it) */
} sw_device_event;

typedef struct sw_mail_context {
    const char *client;       /* "apple-mail" */
    const char *user;         /* from /Users/<user>/Library/Mail, NULL when unknown */
    const char *mail_version; /* V10 ... */
    const char *account;      /* account folder (UUID on current macOS) */
    const char *mailbox;      /* mailbox path without .mbox, e.g. INBOX or Archive/2024 */
    int64_t date_received;    /* Unix seconds, valid when has_date_received */
    int has_date_received;
    int64_t date_last_viewed;
    int has_date_last_viewed;
    uint64_t flags; /* raw plist flags, valid when has_flags */
    int has_flags;
    const char *remote_id;    /* IMAP UID */
    int partial;              /* .partial.emlx: body parts stored under Attachments/ */
    uint64_t declared_length; /* the byte count line */
    /* device context: events attached by sw_devctx_attach(), oldest first */
    const sw_device_event *device_events;
    size_t ndevice_events;
    size_t device_events_omitted; /* matched beyond SW_MAX_DEVICE_EVENTS */
    int has_device_context;       /* an index was given: write the (maybe empty) list */
} sw_mail_context;

/* Named bits of the flags word (jwz's layout). */
enum {
    SW_EMLX_READ = 1u << 0,
    SW_EMLX_DELETED = 1u << 1,
    SW_EMLX_ANSWERED = 1u << 2,
    SW_EMLX_ENCRYPTED = 1u << 3,
    SW_EMLX_FLAGGED = 1u << 4,
    SW_EMLX_RECENT = 1u << 5,
    SW_EMLX_DRAFT = 1u << 6,
    SW_EMLX_INITIAL = 1u << 7,
    SW_EMLX_FORWARDED = 1u << 8,
    SW_EMLX_REDIRECTED = 1u << 9,
    SW_EMLX_SIGNED = 1u << 23,
    SW_EMLX_JUNK = 1u << 24,
    SW_EMLX_NOT_JUNK = 1u << 25
};

#endif
