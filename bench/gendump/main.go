// gendump parks N goroutines in a realistic mix of states and stack depths,
// then panics so that, run with GOTRACEBACK=all, the runtime writes a crash
// dump of all of them to stderr (no 64 MiB cap, unlike debug=2). goroscope's
// benchmark uses it to make 10k and 100k goroutine dumps (~14 MB, ~140 MB).
//
//	GOTRACEBACK=all gendump -n 100000 2> dump.txt
//
// Goroutines walk down a chain of "layer" functions chosen from the bits of a
// route number before they park, so stacks differ in depth (3 to 30 frames)
// and in call sites: thousands of distinct stacks, a few very large groups.
//
// With -distinct K the first K goroutines are a service's long-lived ones,
// each on a deep route of its own (K distinct stacks) before the usual mix:
// the shape of a leak in a real service, whose dump starts with them.
//
// With -profile FILE it writes the goroutine profile as gzipped protobuf
// (with -debug1, as debug=1 text) instead of crashing; -routes and -deep
// make stacks more varied and deeper (the profile benchmark: many distinct
// stacks).
//
//	gendump -n 100000 -routes 20000 -deep -profile goroutine.pb.gz
package main

import (
	"flag"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	shared  = make(chan int)
	mu      sync.Mutex
	wg      sync.WaitGroup
	condMu  sync.Mutex
	cond    = sync.NewCond(&condMu)
	never   = make(chan struct{})
	started sync.WaitGroup
)

type parker func(id int)

func parkRecv(id int) { started.Done(); <-make(chan int) }
func parkSend(id int) { started.Done(); shared <- id }
func parkSelect(id int) {
	started.Done()
	select {
	case <-never:
	case <-make(chan int):
	}
}
func parkMutex(id int)   { started.Done(); mu.Lock(); mu.Unlock() }
func parkWG(id int)      { started.Done(); wg.Wait() }
func parkCond(id int)    { started.Done(); condMu.Lock(); cond.Wait(); condMu.Unlock() }
func parkSleep(id int)   { started.Done(); time.Sleep(time.Hour) }
func parkRunning(id int) { started.Done(); <-never }

// descend calls one of four layers per level, picked by two bits of route.
func descend(route uint64, depth int, id int, p parker) {
	if depth == 0 {
		p(id)
		return
	}
	switch route & 3 {
	case 0:
		handlerLayer(route>>2, depth-1, id, p)
	case 1:
		serviceLayer(route>>2, depth-1, id, p)
	case 2:
		repositoryLayer(route>>2, depth-1, id, p)
	default:
		clientLayer(route>>2, depth-1, id, p)
	}
}

func handlerLayer(route uint64, depth int, id int, p parker)    { descend(route, depth, id, p) }
func serviceLayer(route uint64, depth int, id int, p parker)    { descend(route, depth, id, p) }
func repositoryLayer(route uint64, depth int, id int, p parker) { descend(route, depth, id, p) }
func clientLayer(route uint64, depth int, id int, p parker)     { descend(route, depth, id, p) }

func spawnWorkers(n, nroutes, distinct int, deep bool, rng *rand.Rand) {
	// The mix of a busy service: many receivers in pools, a leak of
	// senders, selects, lock and WaitGroup waiters, sleepers.
	kinds := []struct {
		share int
		p     parker
	}{{38, parkRecv}, {22, parkSend}, {14, parkSelect}, {8, parkMutex}, {5, parkWG}, {3, parkCond}, {8, parkSleep}, {2, parkRunning}}
	// A few hundred routes: popular ones get most goroutines.
	routes := make([]uint64, nroutes)
	for i := range routes {
		routes[i] = rng.Uint64()
	}
	started.Add(n)
	for i := 0; i < distinct && i < n; i++ {
		go descend(rng.Uint64(), 12+rng.Intn(16), i, parkSelect)
	}
	for i := distinct; i < n; i++ {
		r := rng.Intn(100)
		var p parker
		for _, k := range kinds {
			if r < k.share {
				p = k.p
				break
			}
			r -= k.share
		}
		route := routes[int(rng.ExpFloat64()*float64(nroutes)/10)%len(routes)]
		depth := 2 + int(route%4)*2 + rng.Intn(4) // 2..11 layers, 2 frames each
		if deep {
			depth = 4 + int(route%16) + rng.Intn(8) // 4..27 layers
		}
		go descend(route, depth, i, p)
	}
}

func main() {
	n := flag.Int("n", 10000, "goroutines to park")
	routes := flag.Int("routes", 400, "distinct call routes")
	deep := flag.Bool("deep", false, "deeper stacks (4 to 27 layers)")
	distinct := flag.Int("distinct", 0, "first park this many goroutines on routes of their own")
	profile := flag.String("profile", "", "write the goroutine profile (gzipped protobuf) here instead of crashing")
	debug1 := flag.Bool("debug1", false, "with -profile: write it as debug=1 text instead")
	flag.Parse()
	mu.Lock()
	wg.Add(1)
	spawnWorkers(*n, *routes, *distinct, *deep, rand.New(rand.NewSource(42)))
	started.Wait()
	time.Sleep(time.Second) // let every goroutine reach its parking spot
	runtime.GC()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			debug := 0
			if *debug1 {
				debug = 1
			}
			err = pprof.Lookup("goroutine").WriteTo(f, debug)
			f.Close()
		}
		if err != nil {
			panic(err)
		}
		return
	}
	panic("gendump: all goroutines parked")
}
