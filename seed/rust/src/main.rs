//! The classic experiment, Rust's side: N `std::thread`s (default stacks) that each sleep one
//! second, then all are joined.
//!
//!     seed-rust TASKS [MEMORY_RESERVE_MIB]
//!
//! Stops starting threads at a wall: a thread the OS will not start (pid_max, threads-max,
//! max_map_count, memory), or MemAvailable under the reserve (default 2048 MiB, checked every
//! 1,000 threads). Prints one line: `seed variant=rust-thread tasks=K requested=N peak_alive=P
//! start_s=S [wall="…"]`, then exits 0.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let requested: usize = match args.get(0).and_then(|a| a.parse().ok()) {
        Some(n) => n,
        None => {
            eprintln!("usage: seed-rust TASKS [MEMORY_RESERVE_MIB]");
            std::process::exit(2);
        }
    };
    let reserve_kib: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2048) * 1024;

    let alive = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(requested);
    let mut wall: Option<String> = None;
    let start = Instant::now();
    for i in 0..requested {
        if i % 1000 == 0 {
            if let Some(available) = mem_available_kib() {
                if available < reserve_kib {
                    wall = Some(format!("memory: MemAvailable {} MiB, under the {} MiB reserve", available / 1024, reserve_kib / 1024));
                    break;
                }
            }
        }
        let (alive, peak) = (alive.clone(), peak.clone());
        match thread::Builder::new().spawn(move || {
            let now = alive.fetch_add(1, Ordering::Relaxed) + 1;
            peak.fetch_max(now, Ordering::Relaxed);
            thread::sleep(Duration::from_secs(1));
            alive.fetch_sub(1, Ordering::Relaxed);
        }) {
            Ok(h) => handles.push(h),
            Err(e) => {
                wall = Some(format!("thread start failed: {}", e));
                break;
            }
        }
    }
    let started = handles.len();
    let start_s = start.elapsed().as_secs_f64();
    for h in handles {
        let _ = h.join();
    }
    let wall_text = wall.map(|w| format!(" wall=\"{}\"", w.replace('"', "'"))).unwrap_or_default();
    println!(
        "seed variant=rust-thread tasks={} requested={} peak_alive={} start_s={:.2}{}",
        started,
        requested,
        peak.load(Ordering::Relaxed),
        start_s,
        wall_text
    );
}

fn mem_available_kib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
