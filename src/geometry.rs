//! Where things go in the cluster picture (SVG user units). Partitions are rows and brokers are
//! columns, so one partition's replicas line up and replication reads left to right (see
//! ARCHITECTURE.md for why). Pure arithmetic, no DOM.

use kafkascope_sim::model::{BrokerId, Node, Tp};

pub const PRODUCER_X: f64 = 8.0;
pub const PRODUCER_W: f64 = 150.0;
pub const PRODUCER_H: f64 = 96.0;
pub const LABEL_X: f64 = 168.0;
pub const COLS_X: f64 = 236.0;
pub const COL_W: f64 = 300.0;
pub const COL_GAP: f64 = 22.0;
pub const CTRL_Y: f64 = 6.0;
pub const CTRL_H: f64 = 40.0;
pub const BROKER_Y: f64 = 76.0;
pub const BROKER_H: f64 = 52.0;
pub const ROWS_Y: f64 = 146.0;
pub const ROW_H: f64 = 74.0;
/// Log slots drawn per replica: the last `SLOTS - 1` offsets and the next free one.
pub const SLOTS: u64 = 10;
pub const SLOT_W: f64 = 24.0;
pub const SLOT_GAP: f64 = 3.5;
pub const CONSUMER_W: f64 = 210.0;
pub const CONSUMER_H: f64 = 58.0;
pub const GROUP_HEADER_H: f64 = 34.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub brokers: Vec<BrokerId>,
    pub rows: Vec<Tp>,
    /// Producers drawn, top to bottom (indices into `Sim::producers`; removed ones are not drawn).
    pub producers: Vec<u32>,
    /// Consumers in drawing order (grouped by group), each with its group's index.
    pub consumers: Vec<(u32, usize)>,
    pub groups: usize,
    /// Many partitions: logs drawn without per-record letters, offsets and titles.
    pub compact: bool,
    /// Each drawn group's committed offsets, read once per frame.
    pub committed: Vec<(String, std::collections::BTreeMap<Tp, u64>)>,
    /// Records the ledger says were lost (acked, only on copies that cannot serve) or duplicated.
    pub lost: std::collections::BTreeSet<kafkascope_sim::model::RecordId>,
    pub duplicated: std::collections::BTreeSet<kafkascope_sim::model::RecordId>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Layout {
    fn brokers_right(&self) -> f64 {
        COLS_X + self.brokers.len().max(1) as f64 * (COL_W + COL_GAP)
    }

    pub fn width(&self) -> f64 {
        let consumers = if self.consumers.is_empty() { 0.0 } else { CONSUMER_W + 12.0 };
        self.brokers_right() + consumers + 4.0
    }

    pub fn height(&self) -> f64 {
        let rows = ROWS_Y + self.rows.len().max(1) as f64 * ROW_H;
        let producers = ROWS_Y + self.producers.len() as f64 * (PRODUCER_H + 12.0);
        let consumers = self.consumer_box(self.consumers.len()).1;
        rows.max(producers).max(consumers) + 8.0
    }

    /// Top-left of the consumers column's i-th box (group headers interleaved).
    pub fn consumer_box(&self, i: usize) -> (f64, f64) {
        let x = self.brokers_right() + 4.0;
        let groups_before =
            self.consumers.iter().take(i + 1).map(|c| c.1).collect::<std::collections::BTreeSet<_>>().len();
        let y = BROKER_Y + groups_before as f64 * GROUP_HEADER_H + i as f64 * (CONSUMER_H + 8.0);
        (x, y)
    }

    /// Where a group's header sits: just above its first consumer.
    pub fn group_header(&self, group: usize) -> Option<(f64, f64)> {
        let i = self.consumers.iter().position(|c| c.1 == group)?;
        let (x, y) = self.consumer_box(i);
        Some((x, y - GROUP_HEADER_H + 4.0))
    }

    pub fn col_x(&self, b: BrokerId) -> Option<f64> {
        let i = self.brokers.iter().position(|&x| x == b)?;
        Some(COLS_X + i as f64 * (COL_W + COL_GAP))
    }

    pub fn row_y(&self, tp: Tp) -> Option<f64> {
        let i = self.rows.iter().position(|&x| x == tp)?;
        Some(ROWS_Y + i as f64 * ROW_H)
    }

    pub fn controller_box(&self) -> (f64, f64, f64, f64) {
        let w = 260.0;
        let mid = (COLS_X + self.width()) / 2.0;
        (mid - w / 2.0, CTRL_Y, w, CTRL_H)
    }

    pub fn producer_y(&self, i: usize) -> f64 {
        ROWS_Y + i as f64 * (PRODUCER_H + 12.0)
    }

    /// Where a message to or from `node` starts or ends; partition messages use the replica cell.
    pub fn anchor(&self, node: Node, tp: Option<Tp>, toward_controller: bool) -> Option<Pt> {
        match node {
            Node::Controller => {
                let (x, y, w, h) = self.controller_box();
                Some(Pt { x: x + w / 2.0, y: y + h })
            }
            Node::Broker(b) => {
                let x = self.col_x(b)?;
                match tp.and_then(|tp| self.row_y(tp)) {
                    Some(y) if !toward_controller => Some(Pt { x: x + COL_W / 2.0, y: y + ROW_H / 2.0 }),
                    _ => Some(Pt { x: x + COL_W / 2.0, y: BROKER_Y + if toward_controller { 0.0 } else { BROKER_H } }),
                }
            }
            Node::Producer(p) => {
                let i = self.producers.iter().position(|&x| x == p)?;
                Some(Pt { x: PRODUCER_X + PRODUCER_W, y: self.producer_y(i) + PRODUCER_H / 2.0 })
            }
            Node::Consumer(c) => {
                let i = self.consumers.iter().position(|x| x.0 == c)?;
                let (x, y) = self.consumer_box(i);
                Some(Pt { x, y: y + CONSUMER_H / 2.0 })
            }
        }
    }

    /// The first offset shown for a partition whose longest replica ends at `max_leo`.
    pub fn window_start(max_leo: u64) -> u64 {
        max_leo.saturating_sub(SLOTS - 1)
    }

    pub fn slot_x(cell_x: f64, i: u64) -> f64 {
        cell_x + 12.0 + i as f64 * (SLOT_W + SLOT_GAP)
    }
}

/// A point along a gently curved path from `a` to `b` at fraction `t` (quadratic Bézier whose
/// control point sits off the straight line, so paths between far columns clear the middle one).
pub fn along(a: Pt, b: Pt, t: f64) -> Pt {
    let t = t.clamp(0.0, 1.0);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let bend = 0.18;
    let c = Pt { x: (a.x + b.x) / 2.0 + dy * bend, y: (a.y + b.y) / 2.0 - dx.abs() * bend };
    let u = 1.0 - t;
    Pt { x: u * u * a.x + 2.0 * u * t * c.x + t * t * b.x, y: u * u * a.y + 2.0 * u * t * c.y + t * t * b.y }
}

/// Fraction of the way a message sent at `sent` and delivered at `deliver` is at time `now`.
pub fn progress(sent: u64, deliver: u64, now: f64) -> f64 {
    if deliver <= sent {
        return 1.0;
    }
    ((now - sent as f64) / (deliver - sent) as f64).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn messages_move_from_sender_to_receiver() {
        let a = Pt { x: 0.0, y: 100.0 };
        let b = Pt { x: 300.0, y: 100.0 };
        assert_eq!(along(a, b, 0.0), a);
        assert_eq!(along(a, b, 1.0), b);
        let mid = along(a, b, 0.5);
        assert!((mid.x - 150.0).abs() < 1e-9);
        assert!(mid.y < 100.0, "paths bow upwards");
        assert_eq!(progress(100, 150, 125.0), 0.5);
        assert_eq!(progress(100, 150, 90.0), 0.0);
        assert_eq!(progress(100, 150, 200.0), 1.0);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn window_shows_the_latest_offsets_and_the_next_slot() {
        assert_eq!(Layout::window_start(0), 0);
        assert_eq!(Layout::window_start(5), 0);
        assert_eq!(Layout::window_start(25), 16);
    }
}
