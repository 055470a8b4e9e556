// A strict little JSON parser (RFC 8259) for the exporter tests: parses a document into a tree or
// says where it fails, so the tests need no Python. Numbers are kept as their text and a double.
#pragma once
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace skbscope::testing {

struct JsonValue {
    enum Type { Null, Bool, Number, String, Array, Object } type = Null;
    bool b = false;
    double num = 0;
    std::string text; // string value, or the number's text
    std::vector<JsonValue> arr;
    std::vector<std::pair<std::string, JsonValue>> obj;

    const JsonValue* get(std::string_view key) const {
        for (const auto& [k, v] : obj)
            if (k == key) return &v;
        return nullptr;
    }
};

class JsonParser {
  public:
    explicit JsonParser(std::string_view s) : m_s(s) {}
    // Parses one whole document; false (with error()) on any syntax error or trailing bytes.
    bool parse(JsonValue& out) {
        ws();
        if (!value(out, 0)) return false;
        ws();
        if (m_i != m_s.size()) return fail("trailing characters");
        return true;
    }
    const std::string& error() const { return m_err; }

  private:
    bool fail(const std::string& why) {
        if (m_err.empty()) m_err = why + " at offset " + std::to_string(m_i);
        return false;
    }
    void ws() {
        while (m_i < m_s.size() &&
               (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\r' || m_s[m_i] == '\t'))
            ++m_i;
    }
    bool lit(std::string_view w) {
        if (m_s.substr(m_i, w.size()) != w) return fail("bad literal");
        m_i += w.size();
        return true;
    }
    bool string(std::string& out) {
        if (m_i >= m_s.size() || m_s[m_i] != '"') return fail("expected string");
        ++m_i;
        while (m_i < m_s.size()) {
            unsigned char c = static_cast<unsigned char>(m_s[m_i++]);
            if (c == '"') return true;
            if (c < 0x20) return fail("control character in string");
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (m_i >= m_s.size()) return fail("bad escape");
            char e = m_s[m_i++];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u':
                for (int k = 0; k < 4; ++k)
                    if (m_i >= m_s.size() || !std::isxdigit(static_cast<unsigned char>(m_s[m_i++])))
                        return fail("bad \\u escape");
                out += '?';
                break;
            default:
                return fail("bad escape");
            }
        }
        return fail("unterminated string");
    }
    bool number(JsonValue& v) {
        size_t start = m_i;
        if (m_i < m_s.size() && m_s[m_i] == '-') ++m_i;
        auto digits = [&] {
            size_t d = m_i;
            while (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i])))
                ++m_i;
            return m_i > d;
        };
        if (m_i < m_s.size() && m_s[m_i] == '0')
            ++m_i;
        else if (!digits())
            return fail("bad number");
        if (m_i < m_s.size() && m_s[m_i] == '.') {
            ++m_i;
            if (!digits()) return fail("bad fraction");
        }
        if (m_i < m_s.size() && (m_s[m_i] == 'e' || m_s[m_i] == 'E')) {
            ++m_i;
            if (m_i < m_s.size() && (m_s[m_i] == '+' || m_s[m_i] == '-')) ++m_i;
            if (!digits()) return fail("bad exponent");
        }
        v.type = JsonValue::Number;
        v.text = std::string(m_s.substr(start, m_i - start));
        v.num = std::strtod(v.text.c_str(), nullptr);
        return true;
    }
    bool value(JsonValue& v, int depth) {
        if (depth > 200) return fail("nested too deep");
        if (m_i >= m_s.size()) return fail("unexpected end");
        char c = m_s[m_i];
        if (c == '{') {
            v.type = JsonValue::Object;
            ++m_i;
            ws();
            if (m_i < m_s.size() && m_s[m_i] == '}') return ++m_i, true;
            for (;;) {
                ws();
                std::string k;
                if (!string(k)) return false;
                ws();
                if (m_i >= m_s.size() || m_s[m_i++] != ':') return fail("expected ':'");
                ws();
                JsonValue child;
                if (!value(child, depth + 1)) return false;
                v.obj.emplace_back(std::move(k), std::move(child));
                ws();
                if (m_i < m_s.size() && m_s[m_i] == ',') {
                    ++m_i;
                    continue;
                }
                if (m_i < m_s.size() && m_s[m_i] == '}') return ++m_i, true;
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            v.type = JsonValue::Array;
            ++m_i;
            ws();
            if (m_i < m_s.size() && m_s[m_i] == ']') return ++m_i, true;
            for (;;) {
                ws();
                JsonValue child;
                if (!value(child, depth + 1)) return false;
                v.arr.push_back(std::move(child));
                ws();
                if (m_i < m_s.size() && m_s[m_i] == ',') {
                    ++m_i;
                    continue;
                }
                if (m_i < m_s.size() && m_s[m_i] == ']') return ++m_i, true;
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') {
            v.type = JsonValue::String;
            return string(v.text);
        }
        if (c == 't') {
            v.type = JsonValue::Bool;
            v.b = true;
            return lit("true");
        }
        if (c == 'f') {
            v.type = JsonValue::Bool;
            return lit("false");
        }
        if (c == 'n') return lit("null");
        return number(v);
    }
    std::string_view m_s;
    size_t m_i = 0;
    std::string m_err;
};

} // namespace skbscope::testing
