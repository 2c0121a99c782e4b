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
using simdjson::dom::element_type;

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

// simdjson's DOM keeps every string NUL-terminated in the parser's string buffer, so the tree
// points there instead of copying: the tree's strings live until the reader's next document.
static const char *text_of(std::string_view s) { return s.data(); }

// Fills *out from e; returns 0 or SW_ENOMEM (the arena cap).
static int copy_value(sw_arena *a, element e, sw_jv *out)
{
    std::memset(out, 0, sizeof *out);
    switch (e.type()) {
    case element_type::NULL_VALUE:
        out->type = SW_J_NULL;
        return 0;
    case element_type::BOOL:
        out->type = SW_J_BOOL;
        out->u.b = e.get_bool().value_unsafe() ? 1 : 0;
        return 0;
    case element_type::INT64:
        out->type = SW_J_INT;
        out->u.i = e.get_int64().value_unsafe();
        return 0;
    case element_type::UINT64:
        out->type = SW_J_DOUBLE;
        out->u.d = (double)e.get_uint64().value_unsafe();
        return 0;
    case element_type::DOUBLE:
        out->type = SW_J_DOUBLE;
        out->u.d = e.get_double().value_unsafe();
        return 0;
    case element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        out->type = SW_J_STRING;
        out->len = (uint32_t)s.size();
        out->u.s = text_of(s);
        return 0;
    }
    case element_type::ARRAY: {
        simdjson::dom::array arr = e.get_array().value_unsafe();
        size_t n = arr.size();
        out->type = SW_J_ARRAY;
        if (!n)
            return 0;
        sw_jv *items = static_cast<sw_jv *>(sw_arena_alloc(a, n * sizeof *items));
        if (!items)
            return SW_ENOMEM;
        size_t i = 0;
        for (element child : arr) {
            if (i == n)
                break;
            if (copy_value(a, child, &items[i]))
                return SW_ENOMEM;
            i++;
        }
        out->len = (uint32_t)i;
        out->u.items = items;
        return 0;
    }
    case element_type::OBJECT: {
        simdjson::dom::object obj = e.get_object().value_unsafe();
        size_t n = obj.size();
        out->type = SW_J_OBJECT;
        if (!n)
            return 0;
        sw_jmember *m = static_cast<sw_jmember *>(sw_arena_alloc(a, n * sizeof *m));
        if (!m)
            return SW_ENOMEM;
        size_t i = 0;
        for (simdjson::dom::key_value_pair kv : obj) {
            if (i == n)
                break;
            m[i].keylen = (uint32_t)kv.key.size();
            m[i].key = text_of(kv.key);
            if (copy_value(a, kv.value, &m[i].value))
                return SW_ENOMEM;
            i++;
        }
        out->len = (uint32_t)i;
        out->u.members = m;
        return 0;
    }
    }
    out->type = SW_J_NULL;
    return 0;
}

static int parse_doc(sw_jreader *r, const char *text, size_t len, element *doc, sw_error *err)
{
    if (len > SW_MAX_JSON_DOC)
        return sw_error_set(err, SW_ELIMIT,
                            "JSON document of %zu bytes is over the %u MiB cap; convert it to "
                            "JSON Lines (one record per line)",
                            len, SW_MAX_JSON_DOC >> 20);
    simdjson::error_code ec = r->parser.parse(text, len, true).get(*doc);
    if (ec == simdjson::DEPTH_ERROR)
        return sw_error_set(err, SW_ELIMIT, "JSON nested deeper than %d levels",
                            SW_MAX_JSON_DEPTH);
    if (ec == simdjson::MEMALLOC)
        return sw_error_set(err, SW_ENOMEM, "out of memory parsing JSON");
    if (ec != simdjson::SUCCESS)
        return sw_error_set(err, SW_EFORMAT, "not valid JSON: %s", simdjson::error_message(ec));
    return 0;
}

static int tree_of(sw_arena *a, element e, const sw_jv **out, sw_error *err)
{
    sw_jv *root = static_cast<sw_jv *>(sw_arena_alloc(a, sizeof *root));
    if (!root || copy_value(a, e, root))
        return sw_error_set(err, SW_ENOMEM, "JSON record larger than the %u MiB arena cap",
                            SW_MAX_ARENA >> 20);
    *out = root;
    return 0;
}

extern "C" int sw_jparse(sw_jreader *r, sw_arena *a, const char *text, size_t len,
                         const sw_jv **out, sw_error *err)
{
    element doc;
    int rc = parse_doc(r, text, len, &doc, err);
    return rc ? rc : tree_of(a, doc, out, err);
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
    element doc;
    int rc = parse_doc(r, text, len, &doc, err);
    if (rc)
        return rc;
    element list = doc, beside;
    bool have_beside = false;
    if (doc.type() == element_type::OBJECT && wrappers) {
        simdjson::dom::object obj = doc.get_object().value_unsafe();
        for (const char *const *w = wrappers; *w; w++) {
            element v;
            if (obj.at_key(*w).get(v) == simdjson::SUCCESS && v.type() == element_type::ARRAY) {
                list = v;
                if (wrapper_used)
                    *wrapper_used = *w;
                have_beside = sibling_key && sibling &&
                              obj.at_key(sibling_key).get(beside) == simdjson::SUCCESS;
                break;
            }
        }
    }
    if (list.type() != element_type::ARRAY) {
        sw_arena_reset(a);
        const sw_jv *rec = nullptr;
        if ((rc = tree_of(a, list, &rec, err)))
            return rc;
        return fn(rec, 0, ctx);
    }
    size_t index = 0;
    simdjson::dom::array arr = list.get_array().value_unsafe();
    for (element e : arr) {
        sw_arena_reset(a);
        const sw_jv *rec = nullptr;
        if (have_beside && (rc = tree_of(a, beside, sibling, err)))
            return rc;
        if ((rc = tree_of(a, e, &rec, err)))
            return rc;
        if ((rc = fn(rec, index++, ctx)))
            return rc;
    }
    return 0;
}
