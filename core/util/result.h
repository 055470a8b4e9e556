// A value or a typed error, for calls that can fail without exceptions (core, stack, nic throw none).
// Error is a small struct with a message; loaders put file, line and field into it.
#pragma once
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace skbscope {

struct Error {
    std::string message;
};

template <typename T> class Result {
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error e) : m_v(std::move(e)) {}
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { SKB_RESULT_CHECK(ok()); return std::get<0>(m_v); }
    const T& value() const { SKB_RESULT_CHECK(ok()); return std::get<0>(m_v); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { SKB_RESULT_CHECK(!ok()); return std::get<1>(m_v); }

private:
    static void SKB_RESULT_CHECK(bool c) { if (!c) std::abort(); }
    std::variant<T, Error> m_v;
};

template <> class Result<void> {
public:
    Result() = default;
    Result(Error e) : m_err(std::move(e)), m_ok(false) {}
    bool ok() const { return m_ok; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return m_err; }

private:
    Error m_err;
    bool m_ok = true;
};

inline Error make_error(std::string msg) { return Error{std::move(msg)}; }

} // namespace skbscope
