/* Unit-test runner: see test.h. Usage: unit_tests [name-substring] */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TESTS 2048

static struct {
    const char *name;
    sw_test_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int cur_failed, cur_skipped;

void sw_test_register(const char *name, sw_test_fn fn)
{
    if (ntests < MAX_TESTS) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
    }
}

void sw_test_fail(const char *file, int line, const char *what)
{
    cur_failed = 1;
    printf("    %s:%d: check failed: %s\n", file, line, what);
}

void sw_test_fail_str(const char *file, int line, const char *expr, const char *got,
                      const char *want)
{
    cur_failed = 1;
    printf("    %s:%d: %s is \"%s\", expected \"%s\"\n", file, line, expr, got ? got : "(null)",
           want ? want : "(null)");
}

void sw_test_skip(const char *why)
{
    cur_skipped = 1;
    printf("    skipped: %s\n", why);
}

int sw_test_failed(void)
{
    return cur_failed;
}

const char *sw_test_shared_dir(void)
{
    const char *e = getenv("SW_SHARED_DIR");
    return e ? e : SW_SOURCE_ROOT "/../shared";
}

const char *sw_test_fixture_dir(void)
{
    return SW_SOURCE_ROOT "/tests/fixtures";
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        cur_failed = cur_skipped = 0;
        tests[i].fn();
        if (cur_failed) {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        } else if (cur_skipped) {
            skipped++;
            printf("skip %s\n", tests[i].name);
        } else {
            passed++;
            printf("ok   %s\n", tests[i].name);
        }
    }
    printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
