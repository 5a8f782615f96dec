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

struct Filler {
    vj_parser *p;
    vj_event *out;

    // A JSON null counts as an absent field, so producers may write "reply_to": null.
    int string(ondemand::value &v, vj_str &dst, const char *name) {
        if (v.is_null()) return 0;
        std::string_view s;
        if (v.get_string().get(s)) { out->bad_field = name; return VJ_WRONG_TYPE; }
        dst = view(s);
        return 0;
    }

    int integer(ondemand::value &v, int64_t &dst, int32_t &has, const char *name) {
        if (v.is_null()) return 0;
        int64_t n;
        if (v.get_int64().get(n)) { out->bad_field = name; return VJ_WRONG_TYPE; }
        dst = n;
        has = 1;
        return 0;
    }

    int list(ondemand::value &v, std::vector<vj_str> &store, vj_list &dst, const char *name) {
        store.clear();
        if (v.is_null()) return 0;
        ondemand::array arr;
        if (v.get_array().get(arr)) { out->bad_field = name; return VJ_WRONG_TYPE; }
        for (auto element : arr) {
            std::string_view s;
            if (element.get_string().get(s)) { out->bad_field = name; return VJ_WRONG_TYPE; }
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

    int fill(ondemand::object &obj) {
        for (auto field : obj) {  // one pass, any key order; unknown keys are skipped
            std::string_view key;
            if (auto e = field.unescaped_key().get(key)) return e;
            ondemand::value v;
            if (auto e = field.value().get(v)) return e;
            int rc = 0;
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
                    std::string_view s;
                    if (v.get_string().get(s)) { out->bad_field = "type"; return VJ_WRONG_TYPE; }
                    out->kind = kind(s);
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
    if (auto e = doc.get_object().get(obj)) return e;
    Filler filler{p, out};
    if (int rc = filler.fill(obj)) return rc;
    // Anything structural left after the object means trailing content ("{...} x").
    if (doc.current_location().error() == SUCCESS) return TRAILING_CONTENT;
    return 0;
}

extern "C" const char *vj_error_message(int code) {
    if (code == VJ_WRONG_TYPE) return "a field has the wrong type";
    switch (static_cast<error_code>(code)) {
    case UTF8_ERROR: return "invalid UTF-8";
    case TAPE_ERROR:
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
