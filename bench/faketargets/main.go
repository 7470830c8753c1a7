// faketargets stands in for a fleet of Go services in goroscope's watch
// benchmark: it listens on N loopback ports and serves, on each, a real
// recorded goroutine profile (debug=1 text, from the files given) at
// /debug/pprof/goroutine, chosen by port number. It writes the ports, one a
// line, to -ports and runs until killed. Requests are counted per second
// on stderr so that the benchmark can tell the watcher kept its pace.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	n := flag.Int("n", 1000, "targets (ports) to serve")
	portsFile := flag.String("ports", "ports.txt", "write the ports here")
	flag.Parse()
	var bodies [][]byte
	for _, f := range flag.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		bodies = append(bodies, b)
	}
	if len(bodies) == 0 {
		fmt.Fprintln(os.Stderr, "usage: faketargets [-n N] [-ports FILE] PROFILE...")
		os.Exit(2)
	}
	var served int64
	var ports []string
	for i := 0; i < *n; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		body := bodies[i%len(bodies)]
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) {
			atomic.AddInt64(&served, 1)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write(body)
		})
		go http.Serve(ln, mux)
		ports = append(ports, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	}
	if err := os.WriteFile(*portsFile, []byte(strings.Join(ports, "\n")+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %d ports\n", len(ports))
	for range time.Tick(10 * time.Second) {
		fmt.Fprintf(os.Stderr, "served %d\n", atomic.LoadInt64(&served))
	}
}
