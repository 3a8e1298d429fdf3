//! Where things go in the cluster picture (SVG user units). Partitions are rows and brokers are
//! columns, so one partition's replicas line up and replication reads left to right (see
//! ARCHITECTURE.md for why). On a phone (`Layout::stacked`) the picture is one column instead:
//! controller, producers, then each broker as a block holding its replicas as rows, then the
//! consumer groups, at about one user unit per CSS pixel. Pure arithmetic, no DOM.

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
/// The stacked (phone) picture's width: about the width of a phone's page, so 1 unit ≈ 1 CSS px.
pub const STACK_W: f64 = 360.0;
/// Left edge of the stacked picture's blocks, and their width.
pub const STACK_X: f64 = 4.0;
pub const STACK_BLOCK_W: f64 = STACK_W - 2.0 * STACK_X;
pub const STACK_GAP: f64 = 12.0;

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
    /// One column (phone): brokers stack, each a block of its replicas (`hosted`).
    pub stacked: bool,
    /// Stacked only: per broker (in `brokers` order), the partitions it holds a replica of, in
    /// row order.
    pub hosted: Vec<Vec<Tp>>,
}

/// A box: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxAt {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
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
        if self.stacked {
            return STACK_W;
        }
        let consumers = if self.consumers.is_empty() { 0.0 } else { CONSUMER_W + 12.0 };
        self.brokers_right() + consumers + 4.0
    }

    pub fn height(&self) -> f64 {
        if self.stacked {
            let last = self.consumers.len().checked_sub(1).map(|i| self.consumer_box(i).1 + CONSUMER_H);
            return last.unwrap_or(self.groups_top()) + 8.0;
        }
        let rows = ROWS_Y + self.rows.len().max(1) as f64 * ROW_H;
        let producers = ROWS_Y + self.producers.len() as f64 * (PRODUCER_H + 12.0);
        let consumers = self.consumer_box(self.consumers.len()).1;
        rows.max(producers).max(consumers) + 8.0
    }

    /// Stacked: where the first broker block starts (under the controller and the producers).
    fn stack_brokers_top(&self) -> f64 {
        CTRL_Y + CTRL_H + STACK_GAP + self.producers.len() as f64 * (PRODUCER_H + 8.0) + 4.0
    }

    /// Stacked: the height of the i-th broker's block (header and one row per hosted replica).
    fn stack_block_h(&self, i: usize) -> f64 {
        let n = self.hosted.get(i).map_or(0, |h| h.len()).max(1);
        BROKER_H + n as f64 * ROW_H + 4.0
    }

    /// Stacked: the top of the consumer groups, under the last broker.
    fn groups_top(&self) -> f64 {
        let blocks: f64 = (0..self.brokers.len()).map(|i| self.stack_block_h(i) + STACK_GAP).sum();
        self.stack_brokers_top() + blocks + 4.0
    }

    /// A broker's column (wide screens: full height, header on top) or block (stacked).
    pub fn broker_box(&self, b: BrokerId) -> Option<BoxAt> {
        let i = self.brokers.iter().position(|&x| x == b)?;
        if self.stacked {
            let y = self.stack_brokers_top() + (0..i).map(|j| self.stack_block_h(j) + STACK_GAP).sum::<f64>();
            return Some(BoxAt { x: STACK_X, y, w: STACK_BLOCK_W, h: self.stack_block_h(i) });
        }
        let x = COLS_X + i as f64 * (COL_W + COL_GAP);
        Some(BoxAt { x, y: BROKER_Y, w: COL_W, h: self.height() - BROKER_Y - 4.0 })
    }

    /// Top-left of the consumers column's i-th box (group headers interleaved).
    pub fn consumer_box(&self, i: usize) -> (f64, f64) {
        let groups_before =
            self.consumers.iter().take(i + 1).map(|c| c.1).collect::<std::collections::BTreeSet<_>>().len();
        let (x, top) = if self.stacked { (STACK_X, self.groups_top()) } else { (self.brokers_right() + 4.0, BROKER_Y) };
        let y = top + groups_before as f64 * GROUP_HEADER_H + i as f64 * (CONSUMER_H + 8.0);
        (x, y)
    }

    pub fn consumer_w(&self) -> f64 {
        if self.stacked {
            STACK_BLOCK_W
        } else {
            CONSUMER_W
        }
    }

    /// Where a group's header sits: just above its first consumer.
    pub fn group_header(&self, group: usize) -> Option<(f64, f64)> {
        let i = self.consumers.iter().position(|c| c.1 == group)?;
        let (x, y) = self.consumer_box(i);
        Some((x, y - GROUP_HEADER_H + 4.0))
    }

    pub fn col_x(&self, b: BrokerId) -> Option<f64> {
        self.broker_box(b).map(|r| r.x)
    }

    /// Wide screens: the top of a partition's row.
    pub fn row_y(&self, tp: Tp) -> Option<f64> {
        let i = self.rows.iter().position(|&x| x == tp)?;
        Some(ROWS_Y + i as f64 * ROW_H)
    }

    /// The band a replica is drawn in (ROW_H high): in its broker's column on its partition's row,
    /// or (stacked) the replica's row inside its broker's block.
    pub fn replica_band(&self, b: BrokerId, tp: Tp) -> Option<BoxAt> {
        let col = self.broker_box(b)?;
        if self.stacked {
            let i = self.brokers.iter().position(|&x| x == b)?;
            let k = self.hosted.get(i)?.iter().position(|&x| x == tp)?;
            return Some(BoxAt { x: col.x, y: col.y + BROKER_H + k as f64 * ROW_H, w: col.w, h: ROW_H });
        }
        Some(BoxAt { x: col.x, y: self.row_y(tp)?, w: COL_W, h: ROW_H })
    }

    pub fn controller_box(&self) -> (f64, f64, f64, f64) {
        let w = 260.0;
        let mid = if self.stacked { STACK_W / 2.0 } else { (COLS_X + self.width()) / 2.0 };
        (mid - w / 2.0, CTRL_Y, w, CTRL_H)
    }

    pub fn producer_box(&self, i: usize) -> BoxAt {
        if self.stacked {
            let y = CTRL_Y + CTRL_H + STACK_GAP + i as f64 * (PRODUCER_H + 8.0);
            return BoxAt { x: STACK_X, y, w: STACK_BLOCK_W, h: PRODUCER_H };
        }
        BoxAt { x: PRODUCER_X, y: ROWS_Y + i as f64 * (PRODUCER_H + 12.0), w: PRODUCER_W, h: PRODUCER_H }
    }

    pub fn producer_y(&self, i: usize) -> f64 {
        self.producer_box(i).y
    }

    /// Where a message to or from `node` starts or ends; partition messages use the replica cell.
    pub fn anchor(&self, node: Node, tp: Option<Tp>, toward_controller: bool) -> Option<Pt> {
        match node {
            Node::Controller => {
                let (x, y, w, h) = self.controller_box();
                Some(Pt { x: x + w / 2.0, y: y + h })
            }
            Node::Broker(b) => {
                let col = self.broker_box(b)?;
                match tp.and_then(|tp| self.replica_band(b, tp)) {
                    Some(r) if !toward_controller => Some(Pt { x: r.x + r.w / 2.0, y: r.y + r.h / 2.0 }),
                    _ => Some(Pt { x: col.x + col.w / 2.0, y: col.y + if toward_controller { 0.0 } else { BROKER_H } }),
                }
            }
            Node::Producer(p) => {
                let i = self.producers.iter().position(|&x| x == p)?;
                let r = self.producer_box(i);
                Some(if self.stacked {
                    Pt { x: r.x + r.w / 2.0, y: r.y + r.h }
                } else {
                    Pt { x: r.x + r.w, y: r.y + r.h / 2.0 }
                })
            }
            Node::Consumer(c) => {
                let i = self.consumers.iter().position(|x| x.0 == c)?;
                let (x, y) = self.consumer_box(i);
                Some(if self.stacked {
                    Pt { x: x + self.consumer_w() / 2.0, y }
                } else {
                    Pt { x, y: y + CONSUMER_H / 2.0 }
                })
            }
        }
    }

    /// A point along a message's path at fraction `t` (`along`); stacked, the path's bow is kept
    /// inside the picture's width, so long vertical paths hug an edge instead of leaving it.
    pub fn along(&self, a: Pt, b: Pt, t: f64) -> Pt {
        if self.stacked {
            along_within(a, b, t, 6.0, STACK_W - 6.0)
        } else {
            along(a, b, t)
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
    along_within(a, b, t, f64::NEG_INFINITY, f64::INFINITY)
}

/// `along` with the control point's x kept within `lo..=hi` (a quadratic Bézier stays inside the
/// hull of its three points, so the whole path then does, when both ends do).
pub fn along_within(a: Pt, b: Pt, t: f64, lo: f64, hi: f64) -> Pt {
    let t = t.clamp(0.0, 1.0);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let bend = 0.18;
    let c = Pt { x: ((a.x + b.x) / 2.0 + dy * bend).clamp(lo, hi), y: (a.y + b.y) / 2.0 - dx.abs() * bend };
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

    fn tp(partition: u32) -> Tp {
        Tp { topic: 0, partition }
    }

    /// Three brokers, three partitions of RF 2, two producers, a group of two consumers.
    fn stacked_layout() -> Layout {
        Layout {
            brokers: vec![1, 2, 3],
            rows: vec![tp(0), tp(1), tp(2)],
            producers: vec![0, 1],
            consumers: vec![(0, 0), (1, 0)],
            groups: 1,
            compact: false,
            committed: Vec::new(),
            lost: Default::default(),
            duplicated: Default::default(),
            stacked: true,
            hosted: vec![vec![tp(0), tp(2)], vec![tp(0), tp(1)], vec![tp(1), tp(2)]],
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn stacked_brokers_are_one_column_between_producers_and_consumers() {
        let lay = stacked_layout();
        assert_eq!(lay.width(), STACK_W);
        let boxes: Vec<BoxAt> = lay.brokers.iter().map(|&b| lay.broker_box(b).unwrap()).collect();
        for w in boxes.windows(2) {
            assert_eq!(w[0].x, w[1].x, "one column");
            assert!(w[0].y + w[0].h < w[1].y, "blocks stack without overlapping: {w:?}");
        }
        for r in &boxes {
            assert!(r.x >= 0.0 && r.x + r.w <= lay.width(), "inside the width: {r:?}");
        }
        let last_producer = lay.producer_box(1);
        assert!(last_producer.y + last_producer.h < boxes[0].y, "producers above the brokers");
        let (_, header_y) = lay.group_header(0).unwrap();
        assert!(header_y > boxes[2].y + boxes[2].h, "groups below the last broker");
        assert!(lay.height() >= lay.consumer_box(1).1 + CONSUMER_H);
        // Each replica sits in its own broker's block, one row each, in row order.
        for (i, &b) in lay.brokers.iter().enumerate() {
            let block = boxes[i];
            let bands: Vec<BoxAt> = lay.hosted[i].iter().map(|&t| lay.replica_band(b, t).unwrap()).collect();
            assert_eq!(bands[0].y, block.y + BROKER_H);
            assert_eq!(bands[1].y, bands[0].y + ROW_H);
            assert!(bands[1].y + bands[1].h <= block.y + block.h);
            assert!(Layout::slot_x(bands[0].x + 6.0, SLOTS) <= block.x + block.w, "the log fits the block");
        }
        assert_eq!(lay.replica_band(1, tp(1)), None, "no replica of p1 on broker 1");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn stacked_messages_stay_inside_the_picture() {
        let lay = stacked_layout();
        let from = lay.anchor(Node::Broker(1), Some(tp(0)), false).unwrap();
        let to = lay.anchor(Node::Consumer(1), Some(tp(0)), false).unwrap();
        for i in 0..=20 {
            let p = lay.along(from, to, i as f64 / 20.0);
            assert!(p.x >= 0.0 && p.x <= lay.width(), "{p:?}");
        }
        // The wide picture is unchanged: the same bow as before.
        let wide = Layout { stacked: false, ..stacked_layout() };
        assert_eq!(wide.along(from, to, 0.3), along(from, to, 0.3));
        assert_eq!(wide.broker_box(2).unwrap().x, COLS_X + COL_W + COL_GAP);
    }
}
