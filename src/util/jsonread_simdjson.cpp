// The simdjson side of include/spoofwatch/jsonread.h: parse, then copy into the C tree.
// This is the only C++ in spoofwatch (DESIGN.md §4); it uses simdjson's error codes, never
// exceptions, and nothing of simdjson leaks past this file.
extern "C" { // the C headers this file uses carry no linkage markers of their own
#include "spoofwatch/arena.h"
#include "spoofwatch/error.h"
#include "spoofwatch/limits.h"
}
#include "spoofwatch/jsonread.h"

#include <simdjson.h>

#include <cstring>
#include <new>

using simdjson::dom::element;

struct sw_jreader {
    simdjson::dom::parser parser;
    sw_jreader() : parser(SW_MAX_JSON_DOC) {}
};

extern "C" sw_jreader *sw_jreader_new(void)
{
    sw_jreader *r = new (std::nothrow) sw_jreader();
    if (!r)
        return nullptr;
    // The depth cap is fixed at allocation; later documents grow the capacity and keep it.
    if (r->parser.allocate(64 << 10, SW_MAX_JSON_DEPTH) != simdjson::SUCCESS) {
        delete r;
        return nullptr;
    }
    return r;
}

extern "C" void sw_jreader_free(sw_jreader *r) { delete r; }

// The tree is copied from the DOM's tape (simdjson's doc/tape.md) rather than through
// dom::element: the element API re-reads each word's type and bounds per accessor, and the
// copy ran once per value of every log line (a tenth of an EmailEvents scan). One 64-bit word
// per value, its type in the top byte: strings hold an offset into the string buffer (a
// 4-byte length, the bytes, a NUL: the tree points there, so its strings live until the
// reader's next document); numbers keep their bits in the next word; '[' and '{' hold the
// index past their closing word and, in bits 32..55, their item count saturated at 0xFFFFFF,
// which is what dom::array::size() and dom::object::size() report, so the cap is the same.
struct tape {
    const uint64_t *t;
    const uint8_t *s;
};

static tape tape_of(const sw_jreader *r) { return {r->parser.doc.tape.get(), r->parser.doc.string_buf.get()}; }

static inline char type_at(const tape &tp, size_t i) { return char(tp.t[i] >> 56); }

static inline const char *string_at(const tape &tp, size_t i, uint32_t *len)
{
    const uint8_t *p = tp.s + (tp.t[i] & simdjson::internal::JSON_VALUE_MASK);
    std::memcpy(len, p, sizeof *len);
    return reinterpret_cast<const char *>(p + sizeof *len);
}

// Index of the value after the one at i.
static inline size_t after(const tape &tp, size_t i)
{
    switch (type_at(tp, i)) {
    case '[':
    case '{':
        return uint32_t(tp.t[i]);
    case 'l':
    case 'u':
    case 'd':
        return i + 2;
    default:
        return i + 1;
    }
}

static size_t copy_container(sw_arena *a, const tape &tp, size_t i, sw_jv *out);

// Fills *out from the value at tape index i; returns the index after it, 0 for SW_ENOMEM
// (the arena cap). Scalars are filled here, inline in the loops over members and items:
// they are most values, and a call per value cost as much as the copy.
static inline size_t copy_value(sw_arena *a, const tape &tp, size_t i, sw_jv *out)
{
    uint64_t w = tp.t[i];
    out->len = 0;
    switch (char(w >> 56)) {
    case '"':
        out->type = SW_J_STRING;
        out->u.s = string_at(tp, i, &out->len);
        return i + 1;
    case 'n':
        out->type = SW_J_NULL;
        out->u.i = 0;
        return i + 1;
    case 't':
    case 'f':
        out->type = SW_J_BOOL;
        out->u.i = 0;
        out->u.b = char(w >> 56) == 't';
        return i + 1;
    case 'l':
        out->type = SW_J_INT;
        std::memcpy(&out->u.i, &tp.t[i + 1], sizeof out->u.i);
        return i + 2;
    case 'u': {
        uint64_t u;
        std::memcpy(&u, &tp.t[i + 1], sizeof u);
        out->type = SW_J_DOUBLE;
        out->u.d = (double)u;
        return i + 2;
    }
    case 'd':
        out->type = SW_J_DOUBLE;
        std::memcpy(&out->u.d, &tp.t[i + 1], sizeof out->u.d);
        return i + 2;
    case '[':
    case '{':
        return copy_container(a, tp, i, out);
    }
    out->type = SW_J_NULL;
    out->u.i = 0;
    return after(tp, i);
}

static size_t copy_container(sw_arena *a, const tape &tp, size_t i, sw_jv *out)
{
    uint64_t w = tp.t[i];
    size_t n = (w >> 32) & simdjson::internal::JSON_COUNT_MASK, end = uint32_t(w) - 1;
    out->u.i = 0;
    if (char(w >> 56) == '[') {
        out->type = SW_J_ARRAY;
        if (!n)
            return end + 1;
        sw_jv *items = static_cast<sw_jv *>(sw_arena_alloc(a, n * sizeof *items));
        if (!items)
            return 0;
        size_t k = 0;
        for (size_t j = i + 1; j < end && k < n; k++)
            if (!(j = copy_value(a, tp, j, &items[k])))
                return 0;
        out->len = (uint32_t)k;
        out->u.items = items;
        return end + 1;
    }
    out->type = SW_J_OBJECT;
    if (!n)
        return end + 1;
    sw_jmember *m = static_cast<sw_jmember *>(sw_arena_alloc(a, n * sizeof *m));
    if (!m)
        return 0;
    size_t k = 0;
    for (size_t j = i + 1; j < end && k < n; k++) {
        m[k].key = string_at(tp, j, &m[k].keylen);
        if (!(j = copy_value(a, tp, j + 1, &m[k].value)))
            return 0;
    }
    out->len = (uint32_t)k;
    out->u.members = m;
    return end + 1;
}

static_assert(SW_JSON_PADDING >= simdjson::SIMDJSON_PADDING, "sw_jparse_padded's promise");

// Parses into r's DOM; the root value is at tape index 1 (index 0 is the root word).
// padded: text has SW_JSON_PADDING readable bytes after it, so simdjson need not copy it
// (its documented contract: the padding's content does not matter).
static int parse_doc(sw_jreader *r, const char *text, size_t len, sw_error *err,
                     bool padded = false)
{
    if (len > SW_MAX_JSON_DOC)
        return sw_error_set(err, SW_ELIMIT,
                            "JSON document of %zu bytes is over the %u MiB cap; convert it to "
                            "JSON Lines (one record per line)",
                            len, SW_MAX_JSON_DOC >> 20);
    element doc;
    simdjson::error_code ec = r->parser.parse(text, len, !padded).get(doc);
    if (ec == simdjson::DEPTH_ERROR)
        return sw_error_set(err, SW_ELIMIT, "JSON nested deeper than %d levels",
                            SW_MAX_JSON_DEPTH);
    if (ec == simdjson::MEMALLOC)
        return sw_error_set(err, SW_ENOMEM, "out of memory parsing JSON");
    if (ec != simdjson::SUCCESS)
        return sw_error_set(err, SW_EFORMAT, "not valid JSON: %s", simdjson::error_message(ec));
    return 0;
}

static int tree_of(sw_arena *a, const tape &tp, size_t i, const sw_jv **out, sw_error *err)
{
    sw_jv *root = static_cast<sw_jv *>(sw_arena_alloc(a, sizeof *root));
    if (!root || !copy_value(a, tp, i, root))
        return sw_error_set(err, SW_ENOMEM, "JSON record larger than the %u MiB arena cap",
                            SW_MAX_ARENA >> 20);
    *out = root;
    return 0;
}

extern "C" int sw_jparse(sw_jreader *r, sw_arena *a, const char *text, size_t len,
                         const sw_jv **out, sw_error *err)
{
    int rc = parse_doc(r, text, len, err);
    return rc ? rc : tree_of(a, tape_of(r), 1, out, err);
}

extern "C" int sw_jparse_padded(sw_jreader *r, sw_arena *a, const char *text, size_t len,
                                const sw_jv **out, sw_error *err)
{
    int rc = parse_doc(r, text, len, err, true);
    return rc ? rc : tree_of(a, tape_of(r), 1, out, err);
}

// Tape index of the value of obj's first member named key, 0 when there is none (as
// dom::object::at_key).
static size_t member_at(const tape &tp, size_t obj, const char *key)
{
    size_t n = std::strlen(key), end = uint32_t(tp.t[obj]) - 1;
    for (size_t j = obj + 1; j < end; j = after(tp, j + 1)) {
        uint32_t len;
        const char *k = string_at(tp, j, &len);
        if (len == n && !std::memcmp(k, key, n))
            return j + 1;
    }
    return 0;
}

extern "C" int sw_jeach(sw_jreader *r, sw_arena *a, const char *text, size_t len,
                        const char *const *wrappers, const char **wrapper_used,
                        const char *sibling_key, const sw_jv **sibling,
                        int (*fn)(const sw_jv *rec, size_t index, void *ctx), void *ctx,
                        sw_error *err)
{
    if (wrapper_used)
        *wrapper_used = nullptr;
    if (sibling)
        *sibling = nullptr;
    int rc = parse_doc(r, text, len, err);
    if (rc)
        return rc;
    tape tp = tape_of(r);
    size_t list = 1, beside = 0;
    if (type_at(tp, 1) == '{' && wrappers) {
        for (const char *const *w = wrappers; *w; w++) {
            size_t v = member_at(tp, 1, *w);
            if (v && type_at(tp, v) == '[') {
                list = v;
                if (wrapper_used)
                    *wrapper_used = *w;
                if (sibling_key && sibling)
                    beside = member_at(tp, 1, sibling_key);
                break;
            }
        }
    }
    if (type_at(tp, list) != '[') {
        sw_arena_reset(a);
        const sw_jv *rec = nullptr;
        if ((rc = tree_of(a, tp, list, &rec, err)))
            return rc;
        return fn(rec, 0, ctx);
    }
    size_t index = 0, end = uint32_t(tp.t[list]) - 1;
    for (size_t e = list + 1; e < end; e = after(tp, e)) {
        sw_arena_reset(a);
        const sw_jv *rec = nullptr;
        if (beside && (rc = tree_of(a, tp, beside, sibling, err)))
            return rc;
        if ((rc = tree_of(a, tp, e, &rec, err)))
            return rc;
        if ((rc = fn(rec, index++, ctx)))
            return rc;
    }
    return 0;
}
