// SKB_ASSERT: a broken invariant in our own code. Active in every build type (tests rely on it);
// prints the expression and location, then aborts. Bad input never reaches an assert: it is an
// error result or a drop with a reason.
#pragma once
#include <cstdio>
#include <cstdlib>

#define SKB_ASSERT(cond)                                                                             \
    do {                                                                                             \
        if (!(cond)) {                                                                               \
            std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);        \
            std::abort();                                                                            \
        }                                                                                            \
    } while (0)
