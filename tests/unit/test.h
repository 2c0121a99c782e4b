/* A tiny unit-test harness: tests register themselves; main.c runs them all and prints
 * "unit: N passed, N failed, N skipped". A test fails on its first failed CHECK. */
#ifndef SW_TEST_H
#define SW_TEST_H

#include <string.h>

typedef void (*sw_test_fn)(void);
void sw_test_register(const char *name, sw_test_fn fn);
void sw_test_fail(const char *file, int line, const char *what);
void sw_test_fail_str(const char *file, int line, const char *expr, const char *got,
                      const char *want);
void sw_test_skip(const char *why);
int sw_test_failed(void);
/* Path of ../shared relative to the source tree (SW_SHARED_DIR env var overrides). */
const char *sw_test_shared_dir(void);
/* Directory of project-written fixtures (tests/fixtures). */
const char *sw_test_fixture_dir(void);

#define SW_TEST(name)                                                                              \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void reg_##name(void)                                      \
    {                                                                                              \
        sw_test_register(#name, name);                                                             \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            sw_test_fail(__FILE__, __LINE__, #cond);                                               \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0))) {                  \
            sw_test_fail_str(__FILE__, __LINE__, #got, g_, w_);                                    \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define SKIP(why)                                                                                  \
    do {                                                                                           \
        sw_test_skip(why);                                                                         \
        return;                                                                                    \
    } while (0)

#endif
