/* classify.h: what a goroutine is doing, in words an on-call engineer uses.
 * Maps wait reasons (of every Go version) to a small set of wait classes,
 * and a group's stack and state to a likely leak cause and its fix. Pure
 * functions over a snapshot; no I/O. */
#ifndef GOROSCOPE_CLASSIFY_H
#define GOROSCOPE_CLASSIFY_H

#include "../model/snapshot.h"

enum wait_class {
	WC_CHANNEL,   /* chan send / receive */
	WC_SELECT,
	WC_LOCK,      /* Mutex, RWMutex, semaphore */
	WC_WAITGROUP,
	WC_COND,
	WC_SLEEP,
	WC_IO,        /* network poller */
	WC_SYSCALL,
	WC_RUNNING,   /* running, runnable, preempted */
	WC_RUNTIME,   /* GC workers, finalizer, idle g0 ... */
	WC_OTHER,
	WC_COUNT
};

/* Short name ("channel", "select", ...), stable: used as JSON keys. */
const char *wait_class_name(enum wait_class c);
/* Class of a state string; the stack disambiguates "semacquire", which
 * before Go 1.20/1.24 covers Mutex, RWMutex and WaitGroup alike. */
enum wait_class wait_class_of(const struct snapshot *s, uint32_t state, const struct stack *st);
enum wait_class wait_class_of_text(const struct snapshot *s, const char *state, const struct stack *st);
/* Can goroutines in this class block forever on a program bug? */
bool wait_class_can_leak(enum wait_class c);

/* A known leak pattern with its explanation. */
struct leak_pattern {
	const char *id;     /* stable key, e.g. "abandoned-send" */
	const char *cause;  /* one sentence: why goroutines get stuck here */
	const char *fix;    /* one sentence: what to change */
};

/* Pick the pattern for goroutines in state with this stack, or NULL when no
 * pattern applies. */
const struct leak_pattern *leak_pattern_for(const struct snapshot *s, uint32_t state,
					    const struct stack *st);
const struct leak_pattern *leak_pattern_for_text(const struct snapshot *s, const char *state,
						 const struct stack *st);

/* The wait a stack shows in its runtime and sync frames ("chan send",
 * "select", "sync.Mutex.Lock", ...), for profiles, which carry no state;
 * NULL when none. Only protobuf and debug=2 stacks keep those frames. */
const char *state_from_stack(const struct snapshot *s, const struct stack *st);

/* True for states that block forever by definition (nil channel, select {}). */
bool state_blocks_forever(const char *state);

/* Index of the first frame that is not runtime/stdlib machinery (the
 * blocking site in user code); for a stack all in the standard library, the
 * first frame outside the runtime; else 0. */
uint32_t first_user_frame(const struct snapshot *s, const struct stack *st);

/* Is the function name part of Go's standard library (no dot in the first
 * path element, e.g. "sync.(*Mutex).Lock", "net/http.(*conn).serve")? */
bool is_stdlib_func(const char *name);

#endif
