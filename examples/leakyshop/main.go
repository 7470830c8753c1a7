// leakyshop is a small web shop backend that leaks goroutines under its own
// load, the way real services do. It is goroscope's bundled example.
//
//	leakyshop dump [-requests N]   serve on 127.0.0.1, send itself N requests,
//	                               then print its /debug/pprof/goroutine?debug=2
//	leakyshop serve [-addr A] [-load R]
//	                               serve until killed (net/http/pprof mounted),
//	                               sending itself R requests a second to each
//	                               endpoint (default 0: no load of its own)
//
// The leaks, each a classic:
//   - /checkout asks the payment service with a timeout and returns early;
//     the payment goroutine then blocks forever sending its result on an
//     unbuffered channel (abandoned result channel).
//   - /search fans out to shards and waits for all of them with a
//     WaitGroup, but a shard that fails returns without calling Done.
//   - every request subscribes to a price feed and never unsubscribes: the
//     subscriber's select loop has no ctx.Done() case.
//
// Alongside them it runs healthy goroutines that look busy but are fine: a
// fixed pool of order workers parked on a queue, and a metrics ticker loop.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

type shop struct {
	orders  chan int
	mu      sync.Mutex
	prices  map[string]chan float64
	nextSub int
}

func newShop() *shop {
	s := &shop{orders: make(chan int), prices: map[string]chan float64{}}
	for i := 0; i < 8; i++ {
		go s.orderWorker(i) // a fixed pool: parked, but not a leak
	}
	go s.metricsLoop()
	return s
}

func (s *shop) orderWorker(id int) {
	for o := range s.orders {
		_ = o * id
	}
}

func (s *shop) metricsLoop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for range t.C {
	}
}

// chargeCard talks to a slow payment provider.
func chargeCard(amount int, result chan<- error) {
	time.Sleep(50 * time.Millisecond)
	result <- nil // blocks forever once the handler has given up
}

func (s *shop) checkout(w http.ResponseWriter, r *http.Request) {
	result := make(chan error) // BUG: unbuffered, nobody reads after a timeout
	go chargeCard(42, result)
	select {
	case err := <-result:
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		io.WriteString(w, "paid\n")
	case <-time.After(10 * time.Millisecond):
		http.Error(w, "payment timed out", http.StatusGatewayTimeout)
	}
}

func searchShard(shard int, wg *sync.WaitGroup, out chan<- string) {
	if shard == 3 {
		return // BUG: the error path forgets wg.Done()
	}
	defer wg.Done()
	out <- fmt.Sprintf("hit from shard %d", shard)
}

func collect(wg *sync.WaitGroup, out chan string) {
	wg.Wait() // never returns: shard 3 never calls Done
	close(out)
}

func (s *shop) search(w http.ResponseWriter, r *http.Request) {
	var wg sync.WaitGroup
	out := make(chan string, 8)
	for shard := 0; shard < 4; shard++ {
		wg.Add(1)
		go searchShard(shard, &wg, out)
	}
	go collect(&wg, out)
	io.WriteString(w, "searching\n")
}

func (s *shop) subscribePrices(ctx context.Context, feed chan float64) {
	for {
		select { // BUG: no case <-ctx.Done(): outlives the request
		case p := <-feed:
			_ = p
		}
	}
}

func (s *shop) product(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.nextSub++
	feed := make(chan float64)
	s.prices[fmt.Sprint(s.nextSub)] = feed
	s.mu.Unlock()
	go s.subscribePrices(r.Context(), feed)
	io.WriteString(w, "product page\n")
}

func serve(ln net.Listener) {
	s := newShop()
	http.HandleFunc("/checkout", s.checkout)
	http.HandleFunc("/search", s.search)
	http.HandleFunc("/product", s.product)
	http.Serve(ln, nil)
}

// selfLoad plays the service's users: rate requests a second to each endpoint.
func selfLoad(base string, rate int) {
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for range tick.C {
		for _, p := range []string{"/checkout", "/search", "/product"} {
			go get(base, p)
		}
	}
}

func get(base, path string) ([]byte, error) {
	resp, err := http.Get(base + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: leakyshop dump [-requests N] | serve [-addr 127.0.0.1:6060]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	requests := fs.Int("requests", 60, "requests per endpoint to send to itself (dump)")
	load := fs.Int("load", 0, "requests a second to each endpoint to send to itself (serve)")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	fs.Parse(os.Args[2:])
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "leakyshop:", err)
		os.Exit(1)
	}
	switch os.Args[1] {
	case "serve":
		fmt.Printf("leakyshop listening on http://%s\n", ln.Addr())
		if *load > 0 {
			go selfLoad("http://"+ln.Addr().String(), *load)
		}
		serve(ln)
	case "dump":
		go serve(ln)
		base := "http://" + ln.Addr().String()
		for i := 0; i < *requests; i++ {
			for _, p := range []string{"/checkout", "/search", "/product"} {
				if _, err := get(base, p); err != nil {
					fmt.Fprintln(os.Stderr, "leakyshop:", err)
					os.Exit(1)
				}
			}
		}
		time.Sleep(200 * time.Millisecond) // let the leaked goroutines park
		body, err := get(base, "/debug/pprof/goroutine?debug=2")
		if err != nil {
			fmt.Fprintln(os.Stderr, "leakyshop:", err)
			os.Exit(1)
		}
		os.Stdout.Write(body)
	default:
		fmt.Fprintln(os.Stderr, "leakyshop: unknown mode", os.Args[1])
		os.Exit(2)
	}
}
