//! A reference echo server in Rust, standard library only: one `std::thread` per connection,
//! blocking reads and writes, each thread with a small stack (`--thread-stack-kb`, like the
//! shootout's threads engine) holding its receive buffer.
//!
//!     rust-echo [--port P] [--bind ADDR] [--thread-stack-kb K]
//!
//! Announces "echo-reference engine=rust listening=ADDR:PORT pid=N" once listening. The listener
//! sets SO_REUSEPORT, so several copies can share a port (each process is held to 20,000 open
//! files). SIGTERM exits with 0 (the kernel closes every connection).
//!
//! std has no SO_REUSEPORT and no signal handling, so the few libc calls needed are declared here
//! (std links libc anyway): no crates, builds offline with Debian's rustc 1.63.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::os::unix::io::FromRawFd;
use std::process;
use std::thread;
use std::time::Duration;

/// The receive buffer, on the connection thread's stack.
const BUFFER_BYTES: usize = 2048;

fn main() {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("rust-echo: {}", message);
            eprintln!("usage: rust-echo [--port 0..65535] [--bind ADDR] [--thread-stack-kb 16..8192]");
            process::exit(2);
        }
    };
    unsafe { sys::on_sigterm_exit() };
    let listener = match sys::listen_reuse_port(SocketAddrV4::new(options.bind, options.port), 4096) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("rust-echo: listen: {}", e);
            process::exit(1);
        }
    };
    let local = listener.local_addr().expect("a bound listener has an address");
    println!("echo-reference engine=rust listening={} pid={}", local, process::id());
    io::stdout().flush().ok();

    let stack = options.thread_stack_kb * 1024;
    let mut refused: u64 = 0;
    loop {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) => {
                // EMFILE and the like: back off a little rather than spin; the connection waits in the backlog.
                eprintln!("rust-echo: accept: {}", e);
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        // A thread that cannot be started (pid_max, threads-max, max_map_count, memory) refuses this
        // connection only: the stream is dropped (closed) with the failed closure.
        if let Err(e) = thread::Builder::new().stack_size(stack).spawn(move || echo(stream)) {
            refused += 1;
            if refused.is_power_of_two() {
                eprintln!("rust-echo: cannot start a thread ({}); {} connection(s) closed so far", e, refused);
            }
        }
    }
}

/// Writes back everything it reads until the client closes its side (everything received has then
/// been echoed) or the connection fails (a reset ends this connection only).
fn echo(mut stream: TcpStream) {
    let mut buffer = [0u8; BUFFER_BYTES];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return,
            Ok(n) => {
                if stream.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
    }
}

struct Options {
    port: u16,
    bind: Ipv4Addr,
    thread_stack_kb: usize,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut o = Options { port: 7000, bind: Ipv4Addr::UNSPECIFIED, thread_stack_kb: 64 };
        while let Some(name) = args.next() {
            let value = args.next().ok_or_else(|| format!("{} needs a value", name))?;
            let bad = |what: &str| format!("{} must be {}, got '{}'", name, what, value);
            match name.as_str() {
                "--port" => o.port = value.parse().map_err(|_| bad("a port 0..65535"))?,
                "--bind" => o.bind = value.parse().map_err(|_| bad("an IPv4 address"))?,
                "--thread-stack-kb" => {
                    o.thread_stack_kb = value.parse().map_err(|_| bad("16..8192"))?;
                    if !(16..=8192).contains(&o.thread_stack_kb) {
                        return Err(bad("16..8192"));
                    }
                }
                _ => return Err(format!("unknown option {}", name)),
            }
        }
        Ok(o)
    }
}

mod sys {
    use super::*;
    use std::os::raw::{c_int, c_void};

    const AF_INET: c_int = 2;
    const SOCK_STREAM: c_int = 1;
    const SOCK_CLOEXEC: c_int = 0o2000000;
    const SOL_SOCKET: c_int = 1;
    const SO_REUSEADDR: c_int = 2;
    const SO_REUSEPORT: c_int = 15;
    const SIGTERM: c_int = 15;

    #[repr(C)]
    struct SockAddrIn {
        family: u16,
        port: u16,
        addr: u32,
        zero: [u8; 8],
    }

    extern "C" {
        fn socket(domain: c_int, kind: c_int, protocol: c_int) -> c_int;
        fn setsockopt(fd: c_int, level: c_int, name: c_int, value: *const c_void, len: u32) -> c_int;
        fn bind(fd: c_int, addr: *const SockAddrIn, len: u32) -> c_int;
        fn listen(fd: c_int, backlog: c_int) -> c_int;
        fn close(fd: c_int) -> c_int;
        fn signal(signum: c_int, handler: extern "C" fn(c_int)) -> usize;
        fn _exit(status: c_int) -> !;
    }

    /// A listening socket with SO_REUSEADDR and SO_REUSEPORT set before bind, as std cannot.
    pub fn listen_reuse_port(addr: SocketAddrV4, backlog: c_int) -> io::Result<TcpListener> {
        unsafe {
            let fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            let one: c_int = 1;
            let sa = SockAddrIn {
                family: AF_INET as u16,
                port: addr.port().to_be(),
                addr: u32::from(*addr.ip()).to_be(),
                zero: [0; 8],
            };
            let size = std::mem::size_of::<c_int>() as u32;
            let one_ptr = &one as *const c_int as *const c_void;
            if setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one_ptr, size) != 0
                || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, one_ptr, size) != 0
                || bind(fd, &sa, std::mem::size_of::<SockAddrIn>() as u32) != 0
                || listen(fd, backlog) != 0
            {
                let e = io::Error::last_os_error();
                close(fd);
                return Err(e);
            }
            Ok(TcpListener::from_raw_fd(fd))
        }
    }

    extern "C" fn exit_now(_: c_int) {
        unsafe { _exit(0) }
    }

    /// SIGTERM ends the process with status 0; _exit is async-signal-safe.
    pub unsafe fn on_sigterm_exit() {
        signal(SIGTERM, exit_now);
    }
}
