/* libFuzzer target for the .emlx reader (src/readers/emlx.c).
 *
 * Each input is parsed as a plain and as a .partial.emlx file image, each time with a
 * fresh arena that is freed before returning, and is then used, NUL-terminated, as a path
 * for sw_emlx_context_from_path(). Besides memory errors (ASan/UBSan) it checks the
 * reader's own promises: the message span lies inside the input, a plain file's message
 * is exactly the declared count, and a failure always carries a message. A broken promise
 * aborts so that the fuzzer records the input. The path copy is freed here too. */
#include "spoofwatch/arena.h"
#include "spoofwatch/emlx.h"
#include "spoofwatch/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Small enough that the cap itself gets exercised, large enough for any valid plist. */
#define SW_FUZZ_ARENA (4u << 20)

static void sw_fuzz_parse(const uint8_t *data, size_t size, int partial)
{
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_emlx e;
    sw_error err;
    sw_error_clear(&err);
    int rc = sw_emlx_parse(&a, (const char *)data, size, partial, &e, &err);
    if (rc == SW_OK) {
        if (e.msg != (const char *)data + e.msg_offset || e.msg_offset > size ||
            e.msg_len > size - e.msg_offset)
            abort();
        if (!partial && e.msg_len != e.ctx.declared_length)
            abort();
        /* Touch every byte and string so ASan sees any bad span or pointer. */
        volatile unsigned sum = 0;
        for (size_t i = 0; i < e.msg_len; i++)
            sum += (unsigned char)e.msg[i];
        if (e.ctx.remote_id)
            sum += (unsigned)strlen(e.ctx.remote_id);
        const char *names[32];
        size_t n = sw_emlx_flag_names(e.ctx.flags, names, 32);
        for (size_t i = 0; i < n; i++)
            sum += (unsigned)strlen(names[i]);
        (void)sum;
    } else if (!err.message[0] || e.msg != NULL) {
        abort();
    }
    sw_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_fuzz_parse(data, size, 0);
    sw_fuzz_parse(data, size, 1);

    char *path = malloc(size + 1);
    if (!path)
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    sw_arena a;
    sw_arena_init(&a, SW_FUZZ_ARENA);
    sw_mail_context ctx;
    memset(&ctx, 0, sizeof ctx);
    sw_emlx_context_from_path(&a, path, &ctx);
    const char *fields[] = {ctx.client, ctx.user, ctx.mail_version, ctx.account, ctx.mailbox};
    volatile size_t total = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i])
            total += strlen(fields[i]);
    (void)total;
    sw_arena_free(&a);
    free(path);
    return 0;
}
