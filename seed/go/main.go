// The classic experiment, Go's side: N goroutines that each sleep one second, then all are joined.
//
//	seed-go TASKS [MEMORY_RESERVE_MIB]
//
// (The reserve is taken for the same command line as the thread variants; 1,000,000 goroutines
// need a few GiB, so it is not checked.)
// Prints one line: `seed variant=go-goroutine tasks=N requested=N peak_alive=P start_s=S`.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: seed-go TASKS [MEMORY_RESERVE_MIB]")
		os.Exit(2)
	}
	requested, err := strconv.Atoi(os.Args[1])
	if err != nil || requested < 0 {
		fmt.Fprintln(os.Stderr, "seed-go: TASKS must be a number >= 0")
		os.Exit(2)
	}
	var alive, peak int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < requested; i++ {
		wg.Add(1)
		go func() {
			now := atomic.AddInt64(&alive, 1)
			for p := atomic.LoadInt64(&peak); now > p && !atomic.CompareAndSwapInt64(&peak, p, now); p = atomic.LoadInt64(&peak) {
			}
			time.Sleep(time.Second)
			atomic.AddInt64(&alive, -1)
			wg.Done()
		}()
	}
	startS := time.Since(start).Seconds()
	wg.Wait()
	fmt.Printf("seed variant=go-goroutine tasks=%d requested=%d peak_alive=%d start_s=%.2f\n", requested, requested, atomic.LoadInt64(&peak), startS)
}
