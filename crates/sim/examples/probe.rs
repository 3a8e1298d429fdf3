use kafkascope_sim::{parse_script, Session};
fn main() {
    let src = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let lines = parse_script(&src).unwrap();
    let mut s = Session::new(1);
    for l in &lines {
        let o = s.execute(&l.command);
        println!("> {}", l.text);
        for x in o.lines {
            println!("{x}");
        }
    }
    let sim = &s.sim;
    for (&tp, m) in &sim.controller.partitions {
        println!("{} leader {:?} e{} isr {:?}", sim.tp_name(tp), m.leader, m.leader_epoch, m.isr);
        for &b in &m.replicas {
            let br = &sim.brokers[&b];
            if let Some(r) = br.replicas.get(&tp) {
                println!(
                    "   b{b} {:?} leo {} hw {} believes leader {:?} e{} fetch_to {:?} epochs {:?} mv {}",
                    br.status,
                    r.log.leo(),
                    r.log.hw,
                    r.leader,
                    r.leader_epoch,
                    r.fetch_to,
                    r.log.epochs,
                    br.metadata_version
                );
            }
        }
    }
    println!("controller mv {}", sim.controller.metadata_version);
    for p in &sim.producers {
        println!(
            "producer {} {:?} leaders {:?} queues {:?} inflight {:?} md_sent {:?} md_ans {:?}",
            p.name,
            p.status,
            p.leaders,
            p.queues
                .iter()
                .map(|(tp, q)| (tp, q.len(), q.front().map(|b| (b.ready_ms, b.attempts, b.last_error))))
                .collect::<Vec<_>>(),
            p.in_flight.keys().collect::<Vec<_>>(),
            p.metadata_sent_ms,
            p.metadata_answered_ms
        );
    }
    for c in &sim.consumers {
        println!("consumer {} {:?} {:?} member {:?} gen {} assigned {:?} positions {:?} committed {:?} buffer {} batch {} fetching {:?} commit_in_flight {:?}", c.client_id, c.status, c.state, c.member_id, c.generation, c.assigned, c.positions, c.committed, c.buffer.len(), c.batch.len(), c.fetching, c.commit_in_flight);
    }
    let q: Vec<_> = sim
        .net
        .queue
        .iter()
        .filter(|(_, e)| {
            matches!(e, kafkascope_sim::net::Event::Timer(kafkascope_sim::net::Timer::ProducerWake { .. }))
        })
        .map(|(k, _)| *k)
        .collect();
    println!("producer wakes queued: {q:?}");
}
#[allow(dead_code)]
fn _unused() {}
