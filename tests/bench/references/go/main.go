// A reference echo server in Go, standard library only: one goroutine per connection on a
// net.Listener, each a plain blocking read/write loop. Go's runtime parks the goroutine in its
// netpoller (epoll) while the read waits: non-blocking I/O under a user-space scheduler, which is
// the model the shootout's own epoll engine follows.
//
//	go-echo [--port P] [--bind ADDR] [--buffer-bytes N]
//
// Announces "echo-reference engine=go listening=ADDR:PORT pid=N" once listening. The listener
// sets SO_REUSEPORT, so several copies can share a port (each process is held to 20,000 open
// files). SIGTERM: stop accepting, close every connection, exit 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func main() {
	port := flag.Int("port", 7000, "TCP port (0 picks a free one, announced on stdout)")
	bind := flag.String("bind", "0.0.0.0", "address to listen on")
	bufferBytes := flag.Int("buffer-bytes", 2048, "receive buffer per connection")
	flag.Parse()
	if *port < 0 || *port > 65535 || *bufferBytes < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go-echo [--port 0..65535] [--bind ADDR] [--buffer-bytes N>0]")
		os.Exit(2)
	}

	config := net.ListenConfig{Control: reusePort}
	listener, err := config.Listen(context.Background(), "tcp4", net.JoinHostPort(*bind, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-echo: listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("echo-reference engine=go listening=%s pid=%d\n", listener.Addr(), os.Getpid())

	var open sync.Map // net.Conn -> struct{}: what SIGTERM closes
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		listener.Close()
		open.Range(func(c, _ any) bool { c.(net.Conn).Close(); return true })
		os.Exit(0)
	}()

	for {
		conn, err := listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				select {} // stopping: the signal goroutine exits the process
			}
			// EMFILE and the like: back off a little rather than spin; the connection waits in the backlog.
			log.Printf("go-echo: accept: %v", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		open.Store(conn, struct{}{})
		go func() {
			echo(conn, *bufferBytes)
			open.Delete(conn)
			conn.Close()
		}()
	}
}

// echo writes back everything it reads until the client closes its side (after which everything
// received has been echoed) or the connection fails (a reset ends this connection only).
func echo(conn net.Conn, bufferBytes int) {
	buf := make([]byte, bufferBytes)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // io.EOF after a half-close, or a reset
			return
		}
	}
}

func reusePort(_, _ string, raw syscall.RawConn) error {
	var optErr error
	err := raw.Control(func(fd uintptr) {
		optErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
	})
	if err != nil {
		return err
	}
	return optErr
}
