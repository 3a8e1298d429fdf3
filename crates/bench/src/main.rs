//! `scripts/bench.sh` runs this: how many records per second of wall-clock time the model pushes
//! through produce → replicate → high-watermark advance, natively on one core. It lives outside
//! the sim crate because it reads the OS clock, which the sim never does.

use kafkascope_sim::session::exec::Session;
use kafkascope_sim::{parse_script, Sim};
use std::time::Instant;

struct Case {
    name: &'static str,
    script: String,
    virtual_s: u64,
}

fn slice() -> Case {
    Case {
        name: "slice: 3 brokers, orders 3 partitions RF 3, 1 producer (acks=all, keyed)",
        script: "seed 1\n\
                 kafka-topics --create --topic orders --partitions 3 --replication-factor 3\n\
                 producer start p1 --topic orders --rate 300000/s --keys a,b,c,d,e,f,g,h\n"
            .to_string(),
        virtual_s: 10,
    }
}

fn large() -> Case {
    let mut s = String::from("seed 2\ncluster --brokers 9\n");
    for t in ["orders", "payments", "clicks"] {
        s.push_str(&format!("kafka-topics --create --topic {t} --partitions 12 --replication-factor 3\n"));
    }
    for (i, t) in ["orders", "payments", "clicks", "orders"].iter().enumerate() {
        s.push_str(&format!(
            "producer start p{i} --topic {t} --rate 250000/s --keys k0,k1,k2,k3,k4,k5,k6,k7,k8,k9,k10,k11\n"
        ));
    }
    Case {
        name: "large: 9 brokers, 3 topics x 12 partitions RF 3, 4 producers (acks=all, keyed)",
        script: s,
        virtual_s: 5,
    }
}

/// Records below the high watermark, summed over every partition's leader: what got committed.
fn committed(sim: &Sim) -> u64 {
    sim.controller.partitions.iter().filter_map(|(&tp, m)| sim.replica_log(m.leader?, tp).map(|l| l.hw)).sum()
}

fn run(case: &Case) {
    let lines = parse_script(&case.script).expect("bench script parses");
    let mut session = Session::new(1);
    for l in &lines {
        let out = session.execute(&l.command);
        assert!(!out.error, "{}: {:?}", l.text, out.lines);
    }
    let start_committed = committed(&session.sim);
    let start_msgs = session.sim.net.sent;
    let t0 = Instant::now();
    let target = session.sim.now() + case.virtual_s * 1000;
    session.sim.run_until(target);
    let wall = t0.elapsed().as_secs_f64();
    let records = committed(&session.sim) - start_committed;
    let msgs = session.sim.net.sent - start_msgs;
    println!("{}", case.name);
    println!(
        "  {records} records committed in {} s of virtual time, {wall:.2} s wall: {:.0} records/s, {:.0} messages/s",
        case.virtual_s,
        records as f64 / wall,
        msgs as f64 / wall
    );
}

mod memory;
mod seek;

/// Counts live heap bytes, so the seek bench can report what a checkpoint costs exactly.
mod alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    fn grew(by: usize) {
        let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    pub struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            grew(l.size());
            unsafe { System.alloc(l) }
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
            unsafe { System.dealloc(p, l) }
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
            grew(new);
            LIVE.fetch_sub(l.size(), Ordering::Relaxed);
            unsafe { System.realloc(p, l, new) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    pub fn live_bytes() -> usize {
        LIVE.load(Ordering::Relaxed)
    }

    pub fn restore_peak(p: usize) {
        PEAK.fetch_max(p, Ordering::Relaxed);
    }

    /// The highest `live_bytes` since the last call (which starts a new period at the present).
    pub fn take_peak() -> usize {
        PEAK.swap(LIVE.load(Ordering::Relaxed), Ordering::Relaxed)
    }
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("seek") => return seek::run(),
        Some("memory") => return memory::run(),
        _ => {}
    }
    println!("kafkascope-sim throughput (native, one core; records = offsets below the HW on every leader)");
    run(&slice());
    run(&large());
}
