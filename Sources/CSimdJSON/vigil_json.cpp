#include "vigil_json.h"

#include <simdjson.h>

#include <cstring>
#include <string_view>
#include <vector>

using namespace simdjson;

struct vj_parser {
    ondemand::parser parser;
    std::vector<vj_str> urls, hashtags, mentions, languages;
};

extern "C" vj_parser *vj_parser_new(void) { return new (std::nothrow) vj_parser(); }
extern "C" void vj_parser_free(vj_parser *parser) { delete parser; }
extern "C" size_t vj_padding(void) { return SIMDJSON_PADDING; }

static inline vj_str view(std::string_view s) { return vj_str{s.data(), s.size()}; }

namespace {

/// A token as simdjson hands it over runs up to the next structural character: without the
/// whitespace before it.
std::string_view trimmed(std::string_view token) {
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r')) {
        token.remove_suffix(1);
    }
    return token;
}

/// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool valid_number(std::string_view t) {
    size_t i = 0, n = t.size();
    auto digits = [&] {
        size_t start = i;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++;
        return i > start;
    };
    if (i < n && t[i] == '-') i++;
    if (i < n && t[i] == '0') {
        i++;
    } else if (!digits()) {
        return false;
    }
    if (i < n && t[i] == '.') {
        i++;
        if (!digits()) return false;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) i++;
        if (!digits()) return false;
    }
    return i == n;
}

/// Four hex digits (the text runs on to a closing quote, so reading stops at one).
int hex4(const char *s) {
    int value = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        value = value * 16 + d;
    }
    return value;
}

/// Why simdjson could not unescape a string, from its raw text (after the opening quote, up to
/// the closing one, which simdjson's first stage found): which escape is wrong.
int string_error(const char *s) {
    for (size_t i = 0; s[i] != '"'; i++) {
        if (s[i] != '\\') continue;
        char c = s[i + 1];
        if (c != 'u') {
            if (c == 0 || !std::strchr("\"\\/bfnrt", c)) return VJ_BAD_ESCAPE;
            i++;
            continue;
        }
        int unit = hex4(s + i + 2);
        if (unit < 0) return VJ_BAD_UNICODE;
        i += 5;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return VJ_LONE_SURROGATE;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            int low = s[i + 1] == '\\' && s[i + 2] == 'u' ? hex4(s + i + 3) : -1;
            if (low < 0xDC00 || low > 0xDFFF) return VJ_LONE_SURROGATE;
            i += 6;
        }
    }
    return VJ_BAD_ESCAPE;
}

/// `string_error` for a string value's raw token, which starts with its opening quote.
int string_error(std::string_view token) { return string_error(token.data() + 1); }

/// Validates a value the decoder does not otherwise read, as a full parser would: simdjson's
/// on-demand parser skips what it is not asked for without looking at it, so `tru`, `NaN` or
/// `01` in an ignored field would pass. Returns 0 or a VJ_ code.
int check(ondemand::value v) {
    ondemand::json_type type;
    if (v.type().get(type)) return VJ_BAD_VALUE;
    switch (type) {
    case ondemand::json_type::object: {
        ondemand::object object;
        if (v.get_object().get(object)) return VJ_BAD_VALUE;
        for (auto field : object) {
            ondemand::raw_json_string raw;
            std::string_view key;
            if (field.key().get(raw)) return VJ_BAD_VALUE;
            if (field.unescaped_key().get(key)) return string_error(raw.raw());
            if (field.value().error()) return VJ_BAD_VALUE;
            if (int rc = check(field.value().value_unsafe())) return rc;
        }
        return 0;
    }
    case ondemand::json_type::array: {
        ondemand::array array;
        if (v.get_array().get(array)) return VJ_BAD_VALUE;
        for (auto element : array) {
            if (element.error()) return VJ_BAD_VALUE;
            if (int rc = check(element.value_unsafe())) return rc;
        }
        return 0;
    }
    case ondemand::json_type::string: {
        std::string_view s;
        return v.get_string().get(s) ? string_error(v.raw_json_token()) : 0;
    }
    case ondemand::json_type::number:
        return valid_number(trimmed(v.raw_json_token())) ? 0 : VJ_BAD_VALUE;
    case ondemand::json_type::boolean: {
        std::string_view t = trimmed(v.raw_json_token());
        return t == "true" || t == "false" ? 0 : VJ_BAD_VALUE;
    }
    case ondemand::json_type::null:
        return trimmed(v.raw_json_token()) == "null" ? 0 : VJ_BAD_VALUE;
    }
    return VJ_BAD_VALUE;
}

/// Whether the line's first object closes before its end (then what follows is trailing
/// content, not an object that ended early). Only asked about lines simdjson refused.
bool closes_before_end(const char *buf, size_t len) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            for (size_t k = i + 1; k < len; k++) {
                if (buf[k] != ' ' && buf[k] != '\t' && buf[k] != '\r' && buf[k] != '\n') return true;
            }
            return false;
        }
    }
    return false;
}

struct Filler {
    vj_parser *p;
    vj_event *out;

    /// Names the field a VJ_ error was found in.
    int fail(std::string_view field, int rc) {
        if (rc) out->bad_field = view(field);
        return rc;
    }

    /// A value of the wrong type: VJ_WRONG_TYPE when it is valid JSON, else what is wrong with it.
    int wrong(ondemand::value v) {
        int rc = check(v);
        return rc ? rc : VJ_WRONG_TYPE;
    }

    /// Whether `v` is a JSON null. A token that only starts like one (`nx`, `ns"…"`) is an error
    /// in simdjson's result, which converting the result to bool would throw (uncaught: the
    /// process aborted; found by fuzz-feed): it is not a null, and the typed read that follows
    /// names the field.
    static bool is_null(ondemand::value &v) {
        bool null = false;
        return !v.is_null().get(null) && null;
    }

    // A JSON null counts as an absent field, so producers may write "reply_to": null.
    int string(ondemand::value &v, vj_str &dst, const char *name) {
        if (is_null(v)) return 0;
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(name, e == INCORRECT_TYPE ? wrong(v) : string_error(v.raw_json_token()));
        dst = view(s);
        return 0;
    }

    int integer(ondemand::value &v, int64_t &dst, int32_t &has, const char *name) {
        if (is_null(v)) return 0;
        int64_t n;
        if (v.get_int64().get(n)) return fail(name, wrong(v));
        dst = n;
        has = 1;
        return 0;
    }

    int list(ondemand::value &v, std::vector<vj_str> &store, vj_list &dst, const char *name) {
        store.clear();
        if (is_null(v)) return 0;
        ondemand::array arr;
        if (v.get_array().get(arr)) return fail(name, wrong(v));
        for (auto result : arr) {
            if (result.error()) return fail(name, VJ_BAD_VALUE);
            ondemand::value element = result.value_unsafe();
            std::string_view s;
            if (auto e = element.get_string().get(s)) return fail(name, e == INCORRECT_TYPE ? wrong(element) : string_error(element.raw_json_token()));
            store.push_back(view(s));
        }
        dst.items = store.data();
        dst.count = static_cast<int32_t>(store.size());
        dst.present = 1;
        return 0;
    }

    int kind(std::string_view s) {
        out->type = view(s);
        if (s == "post") return VJ_KIND_POST;
        if (s == "account") return VJ_KIND_ACCOUNT;
        if (s == "suspension") return VJ_KIND_SUSPENSION;
        if (s == "marker") return VJ_KIND_MARKER;
        if (s == "scenario") return VJ_KIND_SCENARIO;
        return VJ_KIND_OTHER;
    }

    static constexpr int unread = -1;

    /// Reads a field the decoder knows; `unread` for any other.
    int read(std::string_view key, ondemand::value &v) {
        int rc = unread;
        switch (key.size()) {
        case 2:
            if (key == "id") rc = string(v, out->id, "id");
            else if (key == "ts") rc = string(v, out->ts, "ts");
            break;
        case 3:
            if (key == "bio") rc = string(v, out->bio, "bio");
            break;
        case 4:
            if (key == "type") {
                vj_str s{};
                if ((rc = string(v, s, "type"))) break;
                if (!s.ptr) return fail("type", VJ_WRONG_TYPE);
                out->kind = kind(std::string_view(s.ptr, s.len));
            } else if (key == "text") rc = string(v, out->text, "text");
            else if (key == "lang") rc = string(v, out->lang, "lang");
            else if (key == "urls") rc = list(v, p->urls, out->urls, "urls");
            else if (key == "note") rc = string(v, out->note, "note");
            else if (key == "seed") rc = integer(v, out->seed, out->has_seed, "seed");
            break;
        case 5:
            if (key == "title") rc = string(v, out->title, "title");
            break;
        case 6:
            if (key == "handle") rc = string(v, out->handle, "handle");
            break;
        case 7:
            if (key == "account") rc = string(v, out->account, "account");
            break;
        case 8:
            if (key == "platform") rc = string(v, out->platform, "platform");
            else if (key == "reply_to") rc = string(v, out->reply_to, "reply_to");
            else if (key == "hashtags") rc = list(v, p->hashtags, out->hashtags, "hashtags");
            else if (key == "mentions") rc = list(v, p->mentions, out->mentions, "mentions");
            break;
        case 9:
            if (key == "followers") rc = integer(v, out->followers, out->has_followers, "followers");
            else if (key == "repost_of") rc = string(v, out->repost_of, "repost_of");
            else if (key == "languages") rc = list(v, p->languages, out->languages, "languages");
            break;
        case 10:
            if (key == "created_at") rc = string(v, out->created_at, "created_at");
            break;
        case 11:
            if (key == "description") rc = string(v, out->description, "description");
            break;
        case 12:
            if (key == "display_name") rc = string(v, out->display_name, "display_name");
            break;
        default:
            break;
        }
        return rc;
    }

    int fill(ondemand::object &obj) {
        for (auto field : obj) {  // one pass, any key order
            ondemand::raw_json_string raw;
            std::string_view key;
            if (auto e = field.key().get(raw)) return e;
            if (field.unescaped_key().get(key)) return string_error(raw.raw());
            ondemand::value v;
            if (auto e = field.value().get(v)) return e;
            int rc = read(key, v);
            // Unknown keys are allowed, but their values must be JSON too.
            if (rc == unread) rc = fail(key, check(v));
            if (rc) return rc;
        }
        return 0;
    }
};

}  // namespace

extern "C" int vj_parse_line(vj_parser *p, const char *buf, size_t len, size_t capacity, vj_event *out) {
    std::memset(out, 0, sizeof(*out));
    ondemand::document doc;
    if (auto e = p->parser.iterate(buf, len, capacity).get(doc)) return e;
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) {
        // simdjson reports a root object followed by a word ("{...} x") as one that ended early.
        return e == INCOMPLETE_ARRAY_OR_OBJECT && closes_before_end(buf, len) ? TRAILING_CONTENT : e;
    }
    Filler filler{p, out};
    if (int rc = filler.fill(obj)) return rc;
    // Anything structural left after the object means trailing content ("{...} x").
    if (doc.current_location().error() == SUCCESS) return TRAILING_CONTENT;
    return 0;
}

extern "C" const char *vj_error_message(int code) {
    switch (code) {
    case VJ_WRONG_TYPE: return "wrong type";
    case VJ_BAD_VALUE: return "invalid JSON value";
    case VJ_BAD_ESCAPE: return "invalid string escape";
    case VJ_BAD_UNICODE: return "invalid unicode escape";
    case VJ_LONE_SURROGATE: return "lone surrogate in a unicode escape";
    default: break;
    }
    switch (static_cast<error_code>(code)) {
    case UTF8_ERROR: return "invalid UTF-8";
    case TAPE_ERROR: return "invalid JSON: a comma, colon, brace or key missing or extra";
    case INCORRECT_TYPE: return "not a JSON object";
    case TRAILING_CONTENT: return "trailing content after the JSON object";
    case UNCLOSED_STRING: return "unclosed string";
    case EMPTY: return "empty line";
    case DEPTH_ERROR: return "JSON nested too deeply";
    case CAPACITY: return "line too long";
    case STRING_ERROR: return "invalid string escape";
    case UNESCAPED_CHARS: return "control character inside a string";
    default: return error_message(static_cast<error_code>(code));
    }
}
