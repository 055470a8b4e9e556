// A minimal JSON writer for the exporters: appends to a std::string (the caller flushes it to a
// stream in large chunks). Strings are escaped per RFC 8259, and bytes that are not valid UTF-8
// become U+FFFD, so the output parses whatever a (possibly hand-edited) trace holds.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace skbscope::json {

// Appends s as a quoted JSON string.
void append_string(std::string& out, std::string_view s);

// Writes one object: {"key":value,...}. Keys are our own identifiers and are not escaped.
class Object {
  public:
    explicit Object(std::string& out) : m_out(out) { m_out += '{'; }
    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;
    ~Object() { close(); }

    Object& str(std::string_view key, std::string_view v) {
        this->key(key);
        append_string(m_out, v);
        return *this;
    }
    Object& num(std::string_view key, int64_t v) {
        this->key(key);
        m_out += std::to_string(v);
        return *this;
    }
    Object& unum(std::string_view key, uint64_t v) {
        this->key(key);
        m_out += std::to_string(v);
        return *this;
    }
    Object& boolean(std::string_view key, bool v) {
        this->key(key);
        m_out += v ? "true" : "false";
        return *this;
    }
    // Appends an already-formatted JSON value (a number with decimals, a nested object).
    Object& raw(std::string_view key, std::string_view json) {
        this->key(key);
        m_out += json;
        return *this;
    }
    // Opens a nested object under key; it closes when the returned Object goes out of scope.
    std::string& nested(std::string_view key) {
        this->key(key);
        return m_out;
    }
    void close() {
        if (!m_closed) m_out += '}';
        m_closed = true;
    }

  private:
    void key(std::string_view k) {
        if (!m_first) m_out += ',';
        m_first = false;
        m_out += '"';
        m_out += k;
        m_out += "\":";
    }
    std::string& m_out;
    bool m_first = true;
    bool m_closed = false;
};

} // namespace skbscope::json
