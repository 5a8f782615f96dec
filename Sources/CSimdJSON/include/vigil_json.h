#ifndef VIGIL_JSON_H
#define VIGIL_JSON_H
// Plain C face of the simdjson event decoder: Swift imports this as an ordinary Clang module.
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// A byte range; valid only until the next vj_parse_line call on the same parser.
typedef struct { const char *ptr; size_t len; } vj_str;

/// A list of strings; the array belongs to the parser (valid until the next parse).
typedef struct { const vj_str *items; int32_t count; int32_t present; } vj_list;

enum {
    VJ_KIND_MISSING = 0,   // no "type" field
    VJ_KIND_OTHER = 1,     // a "type" this decoder does not know (counted, skipped)
    VJ_KIND_SCENARIO = 2,
    VJ_KIND_ACCOUNT = 3,
    VJ_KIND_POST = 4,
    VJ_KIND_SUSPENSION = 5,
    VJ_KIND_MARKER = 6,
};

/// Every field any event type uses; absent strings have ptr == NULL.
typedef struct {
    int32_t kind;
    vj_str type;
    vj_str id, account, handle, display_name, platform, created_at, bio, lang;
    vj_str ts, text, reply_to, repost_of, title, description, note;
    int64_t followers; int32_t has_followers;
    int64_t seed; int32_t has_seed;
    vj_list urls, hashtags, mentions, languages;
    /// On an error inside a field's value: that field's key (the top-level one for a nested value).
    vj_str bad_field;
} vj_event;

typedef struct vj_parser vj_parser;

vj_parser *vj_parser_new(void);
void vj_parser_free(vj_parser *parser);

/// Parses one NDJSON line in place. `capacity` must leave at least 64 readable bytes past `len`.
/// The whole line is validated, fields the decoder does not read included. Returns 0, a simdjson
/// error code, or one of the VJ_ codes below (then `bad_field` names the key).
int vj_parse_line(vj_parser *parser, const char *buf, size_t len, size_t capacity, vj_event *out);

/// The padding simdjson needs past the end of every line.
size_t vj_padding(void);

/// Human-readable reason for a code returned by vj_parse_line.
const char *vj_error_message(int code);

#define VJ_WRONG_TYPE 1000      // valid JSON of another type than the field needs
#define VJ_BAD_VALUE 1001       // not a JSON value (tru, NaN, 01, -)
#define VJ_BAD_ESCAPE 1002      // a backslash escape JSON does not have (\q)
#define VJ_BAD_UNICODE 1003     // \u not followed by four hex digits
#define VJ_LONE_SURROGATE 1004  // \uD800–\uDFFF not in a high-low pair

#ifdef __cplusplus
}
#endif
#endif
