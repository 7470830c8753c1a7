// bombserver is a hostile pprof target for goroscope's tests of the watch
// daemon: it serves prepared bodies where a goroutine profile belongs, and
// its own real net/http/pprof under healthy prefixes, on 127.0.0.1. It
// also serves files as they are (an http_sd endpoint for the discovery
// tests).
//
//	bombserver -dir DIR -ready FILE
//
// GET /bomb/NAME/debug/pprof/goroutine answers with the bytes of the files
// DIR/NAME.0, DIR/NAME.1, ... in turn (one per request, round robin), so a
// bomb can change from poll to poll. GET /healthyN/debug/pprof/... is this
// process's own pprof (a few goroutines parked on purpose). GET /file/NAME
// is DIR/NAME as it is now (404 when absent). The port, from the kernel, is
// written to FILE once the listener is open.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

type bomb struct {
	mu    sync.Mutex
	files []string
	next  int
}

func main() {
	dir := flag.String("dir", "", "directory of NAME.N bodies")
	ready := flag.String("ready", "", "file to write the port to")
	flag.Parse()

	bombs := map[string]*bomb{}
	paths, _ := filepath.Glob(filepath.Join(*dir, "*.*"))
	sort.Strings(paths)
	for _, p := range paths {
		name := strings.SplitN(filepath.Base(p), ".", 2)[0]
		if bombs[name] == nil {
			bombs[name] = &bomb{}
		}
		bombs[name].files = append(bombs[name].files, p)
	}

	// something to see in the healthy profiles
	block := make(chan struct{})
	for i := 0; i < 5; i++ {
		go func() { <-block }()
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/bomb/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/bomb/"), "/", 2)
		b := bombs[parts[0]]
		if b == nil || len(parts) < 2 || parts[1] != "debug/pprof/goroutine" {
			http.NotFound(w, r)
			return
		}
		b.mu.Lock()
		file := b.files[b.next%len(b.files)]
		b.next++
		b.mu.Unlock()
		data, err := os.ReadFile(file)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(data)
	})
	mux.HandleFunc("/file/", func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(strings.TrimPrefix(r.URL.Path, "/file/"))
		data, err := os.ReadFile(filepath.Join(*dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	})
	for i := 0; i < 10; i++ {
		prefix := fmt.Sprintf("/healthy%d", i)
		mux.Handle(prefix+"/", http.StripPrefix(prefix, http.DefaultServeMux))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	port := fmt.Sprintf("%d\n", ln.Addr().(*net.TCPAddr).Port)
	if err := os.WriteFile(*ready+".tmp", []byte(port), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Rename(*ready+".tmp", *ready)
	http.Serve(ln, mux)
}
