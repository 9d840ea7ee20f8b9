/*
 * kassert.h — invariants stated in code, as the kernel states them.
 *
 * KASSERT(expr, ("fmt", args)) checks a model invariant (buffer accounting,
 * queue membership, ...).  It is compiled in when INVARIANTS is defined —
 * the debug and test builds (make check) define it; the release build does
 * not, so the hot path pays nothing.  A failed assertion is a simulator bug:
 * it prints the message and aborts, like panic(9).
 */
#ifndef VFSSIM_KASSERT_H
#define VFSSIM_KASSERT_H

#include <stdarg.h>

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#ifdef INVARIANTS
#define KASSERT(exp, msg) do {                                          \
        if (__builtin_expect(!(exp), 0))                                \
                panic msg;                                              \
} while (0)
#else
#define KASSERT(exp, msg) do { } while (0)
#endif

#endif
