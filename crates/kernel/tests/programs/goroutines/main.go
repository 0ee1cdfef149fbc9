// Goroutines on several OS threads (Go's runtime starts them with raw clone): CPU work in
// parallel, a mutex, a channel, and LockOSThread'd goroutines that report distinct tids.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
)

func main() {
	runtime.GOMAXPROCS(4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	ch := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			s := 0
			for j := 0; j < 2000000; j++ {
				s += j % (n + 1)
			}
			mu.Lock()
			total += s
			mu.Unlock()
			ch <- n
		}(i)
	}
	wg.Wait()
	close(ch)
	sum := 0
	for n := range ch {
		sum += n
	}
	fmt.Println("total", total, "sum", sum)

	tids := make(chan int, 3)
	release := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() {
			runtime.LockOSThread()
			tids <- syscall.Gettid()
			<-release
		}()
	}
	seen := map[int]bool{}
	for i := 0; i < 3; i++ {
		seen[<-tids] = true
	}
	close(release)
	fmt.Println("distinct thread ids", len(seen))
}
