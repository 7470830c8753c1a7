/* classify.c: wait classes and leak patterns (see classify.h). The reason
 * strings are the union of waitReasonStrings across Go 1.3-1.27
 * (go-formats.md §1.5). */
#include "../base/common.h"
#include "classify.h"
#include "../model/goname.h"

static const char *const class_names[WC_COUNT] = {
	"channel", "select", "lock", "waitgroup", "cond", "sleep",
	"io", "syscall", "running", "runtime", "other",
};

const char *wait_class_name(enum wait_class c) { return c < WC_COUNT ? class_names[c] : "other"; }

bool wait_class_can_leak(enum wait_class c)
{
	return c == WC_CHANNEL || c == WC_SELECT || c == WC_LOCK || c == WC_WAITGROUP || c == WC_COND;
}

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static bool stack_has(const struct snapshot *s, const struct stack *st, const char *prefix)
{
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes && i < 12; i++)
		if (starts(snapshot_str(s, FRAME(f, i).func), prefix))
			return true;
	return false;
}

enum wait_class wait_class_of(const struct snapshot *s, uint32_t state, const struct stack *st)
{
	return wait_class_of_text(s, snapshot_str(s, state), st);
}

enum wait_class wait_class_of_text(const struct snapshot *s, const char *r, const struct stack *st)
{
	if (starts(r, "chan receive") || starts(r, "chan send"))
		return WC_CHANNEL;
	if (starts(r, "select"))
		return WC_SELECT;
	if (starts(r, "sync.Mutex.Lock") || starts(r, "sync.RWMutex."))
		return WC_LOCK;
	if (starts(r, "sync.WaitGroup.Wait"))
		return WC_WAITGROUP;
	if (starts(r, "sync.Cond.Wait"))
		return WC_COND;
	if (starts(r, "semacquire")) {
		if (st && stack_has(s, st, "sync.(*WaitGroup).Wait"))
			return WC_WAITGROUP;
		if (st && stack_has(s, st, "sync.(*Cond).Wait"))
			return WC_COND;
		return WC_LOCK;
	}
	if (starts(r, "sleep"))
		return WC_SLEEP;
	if (!strcmp(r, "IO wait"))
		return WC_IO;
	if (!strcmp(r, "syscall"))
		return WC_SYSCALL;
	if (!strcmp(r, "running") || !strcmp(r, "runnable") || !strcmp(r, "preempted"))
		return WC_RUNNING;
	if (starts(r, "GC ") || starts(r, "force gc") || starts(r, "finalizer wait") ||
	    starts(r, "timer goroutine") || !strcmp(r, "idle") || starts(r, "wait for GC") ||
	    starts(r, "garbage collection") || starts(r, "trace ") || starts(r, "cleanup wait") ||
	    starts(r, "GOMAXPROCS updater") || starts(r, "stopping the world") ||
	    starts(r, "flushing proc caches") || starts(r, "page trace flush") || starts(r, "dumping heap") ||
	    starts(r, "panicwait") || starts(r, "debug call") || starts(r, "copystack") || starts(r, "dead"))
		return WC_RUNTIME;
	return WC_OTHER;
}

bool state_blocks_forever(const char *r)
{
	return strstr(r, "(nil chan)") != NULL || starts(r, "select (no cases)");
}

bool is_stdlib_func(const char *name) { return goname_is_stdlib(name, strlen(name)); }

uint32_t first_user_frame(const struct snapshot *s, const struct stack *st)
{
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++)
		if (!is_stdlib_func(snapshot_str(s, FRAME(f, i).func)))
			return i;
	/* all standard library: the first frame past the runtime's parking */
	for (uint32_t i = 0; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		if (strncmp(fn, "runtime.", 8) && strncmp(fn, "internal/runtime/", 17))
			return i;
	}
	return 0;
}

static const struct leak_pattern P_ABANDONED_SEND = {
	"abandoned-send",
	"blocked sending on a channel nobody receives from any more: typically the receiver returned early "
	"(timeout, error, cancelled request) and left an unbuffered result channel behind",
	"give the channel a buffer of 1 so the single send always completes, or send inside a select that "
	"also waits on ctx.Done()",
};
static const struct leak_pattern P_UNCLOSED_RECV = {
	"unclosed-channel",
	"blocked receiving from a channel that is never sent to or closed: the producer exited or forgot "
	"close(), so range/receive loops wait forever",
	"close the channel on the producer side when it is done (defer close(ch)), or receive inside a "
	"select that also waits on ctx.Done()",
};
static const struct leak_pattern P_NIL_CHAN = {
	"nil-channel",
	"blocked on a nil channel, which blocks forever: a channel that was never made (missing make()) "
	"or was set to nil",
	"initialise the channel with make() before use; set it to nil only to disable a select case on "
	"purpose",
};
static const struct leak_pattern P_SELECT_NO_DONE = {
	"select-without-done",
	"parked in a select whose cases no longer fire: usually the select has no case for ctx.Done() or "
	"a quit channel, so the goroutine outlives the work it served",
	"add `case <-ctx.Done(): return` (or a done channel closed on shutdown) to the select",
};
static const struct leak_pattern P_SELECT_FOREVER = {
	"select-forever",
	"`select {}` blocks forever by design: fine at the end of main, a leak in any goroutine that is "
	"started per request or per connection",
	"wait on a done channel or ctx.Done() instead of `select {}`",
};
static const struct leak_pattern P_LOCK_HELD = {
	"lock-held-forever",
	"waiting for a lock that is not released: a holder is itself blocked inside its critical section, "
	"or returned on an error path without Unlock",
	"`defer mu.Unlock()` right after Lock; find the holder: a goroutine of this dump inside the same "
	"critical section that waits on something else (channel, I/O) while holding the lock",
};
static const struct leak_pattern P_WAITGROUP = {
	"waitgroup-miscount",
	"Wait never returns because Done was called fewer times than Add: a worker returned early without "
	"Done, Add ran inside the goroutine, or a worker is itself stuck",
	"call wg.Add before `go`, and `defer wg.Done()` as the first statement of every worker",
};
static const struct leak_pattern P_COND = {
	"cond-never-signalled",
	"waiting on a sync.Cond that is never signalled for this state change",
	"Broadcast after every state change the waiters check, or replace the Cond with a channel",
};
static const struct leak_pattern P_CONTEXT = {
	"context-never-cancelled",
	"a context.WithCancel/WithTimeout child whose cancel function is never called keeps a goroutine "
	"and its parent's references alive",
	"call the cancel function on every path: `ctx, cancel := context.WithTimeout(...); defer cancel()`",
};
static const struct leak_pattern P_HTTP_BODY = {
	"http-body-not-closed",
	"HTTP client connections held open: response bodies are not closed (or a new http.Client/Transport "
	"is made per request), so each connection keeps its read and write loop goroutines",
	"`defer resp.Body.Close()` after every successful request (drain it to reuse the connection) and "
	"share one http.Client",
};
static const struct leak_pattern P_RETRY = {
	"retry-loop-without-exit",
	"sleeping in a poll or retry loop whose condition never comes true and that has no other way out: no deadline, "
	"no attempt limit, no ctx.Done() check",
	"bound the loop (a deadline or attempt limit) and wait with select on ctx.Done() and a time.Timer instead of "
	"time.Sleep, so cancellation ends it",
};

static const struct leak_pattern P_TICKER = {
	"unstopped-ticker",
	"a polling loop sleeping or ticking forever: a time.Ticker/Timer loop without an exit condition",
	"stop the ticker with `defer t.Stop()` and return on ctx.Done() in the same select",
};

const struct leak_pattern *leak_pattern_for(const struct snapshot *s, uint32_t state, const struct stack *st)
{
	return leak_pattern_for_text(s, snapshot_str(s, state), st);
}

const char *state_from_stack(const struct snapshot *s, const struct stack *st)
{
	/* innermost first: the first frame that names a wait decides */
	static const struct {
		const char *func, *state;
	} waits[] = {
		{"runtime.chansend", "chan send"},
		{"runtime.chanrecv", "chan receive"},
		{"runtime.selectgo", "select"},
		{"runtime.block", "select (no cases)"},
		{"sync.(*RWMutex).RLock", "sync.RWMutex.RLock"},
		{"sync.(*RWMutex).Lock", "sync.RWMutex.Lock"},
		{"sync.(*Mutex).Lock", "sync.Mutex.Lock"},
		{"sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"},
		{"sync.(*Cond).Wait", "sync.Cond.Wait"},
		{"time.Sleep", "sleep"},
		{"internal/poll.runtime_pollWait", "IO wait"},
	};
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		for (size_t k = 0; k < ARRAY_LEN(waits); k++)
			if (starts(fn, waits[k].func))
				return waits[k].state;
	}
	return NULL;
}

const struct leak_pattern *leak_pattern_for_text(const struct snapshot *s, const char *r, const struct stack *st)
{
	if (st && (stack_has(s, st, "net/http.(*persistConn).readLoop") ||
		   stack_has(s, st, "net/http.(*persistConn).writeLoop")))
		return &P_HTTP_BODY;
	if (st && stack_has(s, st, "context.propagateCancel"))
		return &P_CONTEXT;
	if (strstr(r, "(nil chan)"))
		return &P_NIL_CHAN;
	if (starts(r, "select (no cases)"))
		return &P_SELECT_FOREVER;
	switch (wait_class_of_text(s, r, st)) {
	case WC_CHANNEL:
		return starts(r, "chan send") ? &P_ABANDONED_SEND : &P_UNCLOSED_RECV;
	case WC_SELECT:
		if (st && (stack_has(s, st, "time.(*Ticker)") || stack_has(s, st, "time.Tick")))
			return &P_TICKER;
		return &P_SELECT_NO_DONE;
	case WC_LOCK:
		return &P_LOCK_HELD;
	case WC_WAITGROUP:
		return &P_WAITGROUP;
	case WC_COND:
		return &P_COND;
	case WC_SLEEP:
		return &P_RETRY;
	default:
		return NULL;
	}
}
