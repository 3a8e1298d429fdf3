//! Where things go in the cluster picture, in SVG user units. The picture is laid out for the width
//! of its frame at one unit per CSS pixel (times the fit zoom, see `fit_zoom`), so a font size in
//! units is a font size in pixels: the smallest text is `FS_SMALL` (11 px) times the zoom, never
//! less. What does not fit the width is not shrunk: the logs show fewer slots (`Metrics::slots`),
//! texts switch to shorter forms (`fit_text`), and only when even the minimum does not fit is the
//! picture wider than its frame (then it pans, and zoomed out below 1 its small texts are hidden:
//! the overview; see `components/cluster.rs`).
//!
//! Partitions are rows and brokers are columns, so one partition's replicas line up and
//! replication reads left to right (see ARCHITECTURE.md for why). On a phone (`Layout::stacked`)
//! the picture is one column instead: controller, producers, then each broker as a block holding
//! its replicas as rows, then the consumer groups. Pure arithmetic, no DOM.

use kafkascope_sim::model::{BrokerId, Node, Tp};

/// Font sizes of the picture (monospaced, see `text_w`): small (offsets, sub-lines), body (key
/// letters, partition names), titles.
pub const FS_SMALL: f64 = 11.0;
pub const FS_BODY: f64 = 12.0;
pub const FS_TITLE: f64 = 13.0;
/// Advance width of a monospaced glyph, in em (DejaVu Sans Mono, Menlo, Consolas: 0.60–0.602).
pub const MONO_EM: f64 = 0.61;

/// How wide `chars` glyphs of the picture's monospaced font are at `px`.
pub fn text_w(chars: usize, px: f64) -> f64 {
    chars as f64 * px * MONO_EM
}

/// How many glyphs fit in `w` units at `px`.
pub fn chars_in(w: f64, px: f64) -> usize {
    (w.max(0.0) / (px * MONO_EM)).floor() as usize
}

/// The first of `forms` (longest first) that fits in `w` at `px`; the last one shortened with an
/// ellipsis when none does (its full text stays in the element's title).
pub fn fit_text(forms: &[&str], w: f64, px: f64) -> String {
    let max = chars_in(w, px);
    for f in forms {
        if f.chars().count() <= max {
            return f.to_string();
        }
    }
    let last = forms.last().copied().unwrap_or("");
    if max == 0 {
        return String::new();
    }
    let mut s: String = last.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

pub const MARGIN: f64 = 8.0;
pub const PRODUCER_W: f64 = 168.0;
pub const PRODUCER_H: f64 = 72.0;
pub const PRODUCER_GAP: f64 = 12.0;
pub const COL_GAP: f64 = 12.0;
pub const CONSUMER_W: f64 = 212.0;
pub const CONSUMER_GAP: f64 = 12.0;
pub const CTRL_Y: f64 = 8.0;
pub const CTRL_H: f64 = 38.0;
pub const CTRL_W: f64 = 240.0;
/// One controller's cell in the strip (its id, role, epoch, log end and high watermark).
pub const CTRL_CELL_W: f64 = 124.0;
pub const CTRL_PAD: f64 = 4.0;
pub const BROKER_Y: f64 = 54.0;
pub const BROKER_H: f64 = 44.0;
pub const ROWS_Y: f64 = 104.0;
/// A replica's band: header line, the log's slots, their offsets, the committed-offset marks.
pub const ROW_H: f64 = 84.0;
pub const SLOT_W: f64 = 22.0;
pub const SLOT_GAP: f64 = 3.0;
pub const SLOT_PITCH: f64 = SLOT_W + SLOT_GAP;
/// Inside a band: the cell is inset by `CELL_INSET` on each side, the slots start `LOG_PAD` in.
pub const CELL_INSET: f64 = 4.0;
pub const LOG_PAD: f64 = 8.0;
/// Offsets of the lines inside a band, from its top.
pub const BAND_HEADER_Y: f64 = 18.0;
pub const BAND_SLOTS_Y: f64 = 25.0;
pub const BAND_OFFSETS_Y: f64 = 60.0;
pub const BAND_MARKS_Y: f64 = 64.0;
/// Log slots per replica: at least this many (below, the picture grows wider than its frame) and at
/// most this many (a longer log is not easier to read).
pub const MIN_SLOTS: u64 = 4;
pub const MAX_SLOTS: u64 = 14;
/// A consumer's box: title and status lines, then one line per partition it owns.
pub const CONSUMER_HEAD_H: f64 = 38.0;
pub const CONSUMER_LINE_H: f64 = 15.0;
pub const CONSUMER_GAP_Y: f64 = 8.0;
/// A group's header: its name, state and generation, coordinator and strategy, unowned partitions.
pub const GROUP_HEADER_H: f64 = 64.0;
/// The stacked (phone) picture: margins, gap between blocks, room right of a log for HW/LEO.
pub const STACK_X: f64 = 4.0;
pub const STACK_GAP: f64 = 12.0;
pub const STACK_OFFSETS_W: f64 = 58.0;
pub const STACK_MIN_W: f64 = 300.0;
/// The fit zoom may enlarge the picture up to this to fill a tall frame (never below 1: that is the
/// readable size).
pub const MAX_FIT_ZOOM: f64 = 2.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Brokers left to right (top to bottom when stacked): grouped by rack when they have racks.
    pub brokers: Vec<BrokerId>,
    /// Per entry of `brokers`: its `broker.rack`, if any.
    pub broker_racks: Vec<Option<String>>,
    /// The KRaft controllers (the quorum's voters), left to right in the controller strip.
    pub controllers: Vec<u32>,
    pub rows: Vec<Tp>,
    /// Producers drawn, top to bottom (indices into `Sim::producers`; removed ones are not drawn).
    pub producers: Vec<u32>,
    /// Consumers in drawing order (grouped by group), each with its group's index.
    pub consumers: Vec<(u32, usize)>,
    /// Per entry of `consumers`: how many partition lines its box holds.
    pub consumer_lines: Vec<usize>,
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
    /// The longest partition name drawn, in glyphs (sizes the row labels).
    pub name_chars: usize,
    /// Wide screens: clients beside the brokers, or above and below them.
    pub flow: Flow,
    pub m: Metrics,
    /// The virtual time drawn (records appended just before it are outlined as new).
    pub now_ms: f64,
    /// The log cleaner's passes recent enough to be drawn passing over their logs (read once per
    /// frame from the journal).
    pub passes: Vec<kafkascope_sim::teaching::inspect::CleanerPass>,
    /// `height()` once computed for this sizing (`fit` forgets it): every broker column and
    /// every message's anchor asks for it, and it walks the consumer boxes.
    pub height_memo: HeightMemo,
}

/// The memo of `Layout::height`, for the arrangement it was computed in. Not part of what a
/// layout is: two layouts that differ only in it are equal.
#[derive(Clone, Debug, Default)]
pub struct HeightMemo(std::cell::Cell<Option<(Flow, bool, Metrics, f64)>>);

impl PartialEq for HeightMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// How the wide picture arranges clients around the broker grid: producers left and groups right
/// (`Sides`, for wide and short frames), or producers in a row above and groups in a row below
/// (`Rows`, when the frame has height to spare: the broker columns then get the whole width).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flow {
    #[default]
    Sides,
    Rows,
}

/// Sizes that depend on the width the picture is laid out for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Log slots per replica.
    pub slots: u64,
    /// A broker column's width (wide) or a block's (stacked).
    pub col_w: f64,
    /// The row labels' column (wide only).
    pub label_w: f64,
    /// The width the layout was made for (the frame's width divided by the fit zoom).
    pub avail_w: f64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics { slots: 10, col_w: Metrics::col_for(10), label_w: 96.0, avail_w: 1400.0 }
    }
}

impl Metrics {
    /// A broker column wide enough for `slots` slots.
    pub fn col_for(slots: u64) -> f64 {
        2.0 * CELL_INSET + 2.0 * LOG_PAD + slots as f64 * SLOT_PITCH - SLOT_GAP
    }
    /// How many slots a column of width `w` holds.
    pub fn slots_for(w: f64) -> u64 {
        (((w - 2.0 * CELL_INSET - 2.0 * LOG_PAD + SLOT_GAP) / SLOT_PITCH).floor().max(0.0) as u64)
            .clamp(MIN_SLOTS, MAX_SLOTS)
    }
}

/// A box: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxAt {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl BoxAt {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Layout {
    /// An empty layout (no brokers, nothing drawn) laid out for `avail_w`.
    pub fn empty() -> Layout {
        Layout {
            brokers: Vec::new(),
            broker_racks: Vec::new(),
            controllers: Vec::new(),
            rows: Vec::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            consumer_lines: Vec::new(),
            groups: 0,
            compact: false,
            committed: Vec::new(),
            lost: Default::default(),
            duplicated: Default::default(),
            stacked: false,
            hosted: Vec::new(),
            name_chars: 8,
            flow: Flow::Sides,
            m: Metrics::default(),
            now_ms: 0.0,
            passes: Vec::new(),
            height_memo: HeightMemo::default(),
        }
    }

    fn rows_flow(&self) -> bool {
        !self.stacked && self.flow == Flow::Rows
    }

    /// Rows flow: how many boxes of width `w` fit side by side in the picture.
    fn per_row(&self, w: f64) -> usize {
        (((self.m.avail_w.max(self.width_of_grid()) - 2.0 * MARGIN + 12.0) / (w + 12.0)).floor() as usize).max(1)
    }

    /// Rows flow: the right edge of the broker grid.
    fn width_of_grid(&self) -> f64 {
        self.brokers_right() - COL_GAP + MARGIN
    }

    /// Rows flow: how many rows of producers there are.
    fn producer_rows(&self) -> usize {
        self.producers.len().div_ceil(self.per_row(PRODUCER_W))
    }

    /// The top of the broker columns.
    pub fn broker_y(&self) -> f64 {
        if self.rows_flow() {
            let rows = self.producer_rows();
            CTRL_Y + CTRL_H + 10.0 + rows as f64 * (PRODUCER_H + 10.0)
        } else {
            BROKER_Y
        }
    }

    /// The top of the first partition row.
    pub fn rows_y(&self) -> f64 {
        self.broker_y() + (ROWS_Y - BROKER_Y)
    }

    /// Rows flow: the top of the groups' row, under the grid.
    fn groups_row_y(&self) -> f64 {
        self.rows_y() + self.rows.len().max(1) as f64 * ROW_H + 14.0
    }

    /// Rows flow: each group's column (index) and the groups per row of columns.
    fn group_slot(&self, group: usize) -> (usize, usize) {
        let per = self.per_row(CONSUMER_W);
        (group % per, group / per)
    }

    /// Rows flow: the height of group `g`'s column (header and its consumers).
    fn group_column_h(&self, g: usize) -> f64 {
        let mut h = GROUP_HEADER_H;
        for (i, c) in self.consumers.iter().enumerate() {
            if c.1 == g {
                h += self.consumer_h(i) + CONSUMER_GAP_Y;
            }
        }
        h
    }

    /// Rows flow: the top of row `r` of group columns.
    fn group_row_top(&self, r: usize) -> f64 {
        let per = self.per_row(CONSUMER_W);
        let mut y = self.groups_row_y();
        for row in 0..r {
            let tallest =
                (row * per..((row + 1) * per).min(self.groups)).map(|g| self.group_column_h(g)).fold(0.0, f64::max);
            y += tallest + 10.0;
        }
        y
    }

    /// Sizes the layout for a frame `avail_w` units wide: the broker columns share what the
    /// producers, row labels and consumers leave, each holding as many log slots as fit.
    pub fn fit(&mut self, avail_w: f64) {
        self.height_memo.0.set(None);
        let avail_w = avail_w.max(1.0);
        if self.stacked {
            let w = avail_w.max(STACK_MIN_W);
            let block = w - 2.0 * STACK_X;
            let log_w = block - 2.0 * CELL_INSET - 2.0 * LOG_PAD - STACK_OFFSETS_W;
            let slots = (((log_w + SLOT_GAP) / SLOT_PITCH).floor().max(0.0) as u64).clamp(MIN_SLOTS, MAX_SLOTS);
            self.m = Metrics { slots, col_w: block, label_w: 0.0, avail_w: w };
            return;
        }
        let label_w = text_w(self.name_chars, FS_BODY).max(text_w("preferred 10".len(), FS_SMALL)) + 10.0;
        let fixed = self.cols_x_with(label_w) + self.consumers_w() + MARGIN;
        let n = self.brokers.len().max(1) as f64;
        let col_w = ((avail_w - fixed) / n - COL_GAP).max(0.0);
        let slots = Metrics::slots_for(col_w);
        // The columns fill the frame when they can; at the minimum they are as narrow as it allows.
        let col_w = col_w.max(Metrics::col_for(slots)).min(Metrics::col_for(MAX_SLOTS) + 40.0);
        self.m = Metrics { slots, col_w, label_w, avail_w };
    }

    fn producers_w(&self) -> f64 {
        if self.producers.is_empty() || self.rows_flow() {
            0.0
        } else {
            PRODUCER_W + PRODUCER_GAP
        }
    }

    fn consumers_w(&self) -> f64 {
        if self.consumers.is_empty() || self.rows_flow() {
            0.0
        } else {
            CONSUMER_W + CONSUMER_GAP
        }
    }

    fn cols_x_with(&self, label_w: f64) -> f64 {
        MARGIN + self.producers_w() + label_w
    }

    /// Left edge of the row labels (wide).
    pub fn label_x(&self) -> f64 {
        MARGIN + self.producers_w()
    }

    /// Left edge of the first broker column (wide).
    pub fn cols_x(&self) -> f64 {
        self.cols_x_with(self.m.label_w)
    }

    fn brokers_right(&self) -> f64 {
        self.cols_x() + self.brokers.len().max(1) as f64 * (self.m.col_w + COL_GAP)
    }

    pub fn width(&self) -> f64 {
        if self.stacked {
            return self.m.avail_w;
        }
        if self.rows_flow() {
            let producers =
                self.producers.len().min(self.per_row(PRODUCER_W)) as f64 * (PRODUCER_W + 12.0) - 12.0 + 2.0 * MARGIN;
            let groups = self.groups.min(self.per_row(CONSUMER_W)) as f64 * (CONSUMER_W + 12.0) - 12.0 + 2.0 * MARGIN;
            return self.width_of_grid().max(producers).max(groups);
        }
        let consumers = if self.consumers.is_empty() { 0.0 } else { COL_GAP + CONSUMER_W };
        self.brokers_right() - COL_GAP + consumers + MARGIN
    }

    pub fn height(&self) -> f64 {
        let at = (self.flow, self.stacked, self.m);
        if let Some((flow, stacked, m, h)) = self.height_memo.0.get() {
            if (flow, stacked, m) == at {
                return h;
            }
        }
        let h = self.height_uncached();
        self.height_memo.0.set(Some((at.0, at.1, at.2, h)));
        h
    }

    fn height_uncached(&self) -> f64 {
        if self.stacked {
            let last = self.consumers.len().checked_sub(1).map(|i| self.consumer_box(i).bottom());
            return last.unwrap_or(self.groups_top()) + MARGIN;
        }
        if self.rows_flow() {
            let grid = self.rows_y() + self.rows.len().max(1) as f64 * ROW_H;
            if self.groups == 0 {
                return grid + MARGIN;
            }
            let per = self.per_row(CONSUMER_W);
            let last_row = (self.groups - 1) / per;
            let tallest = (last_row * per..self.groups).map(|g| self.group_column_h(g)).fold(0.0, f64::max);
            return self.group_row_top(last_row) + tallest + MARGIN;
        }
        let rows = ROWS_Y + self.rows.len().max(1) as f64 * ROW_H;
        let producers = self.producers.len().checked_sub(1).map_or(0.0, |i| self.producer_box(i).bottom());
        let consumers = self.consumers.len().checked_sub(1).map_or(0.0, |i| self.consumer_box(i).bottom());
        rows.max(producers).max(consumers) + MARGIN
    }

    /// Log slots per replica in this layout.
    pub fn slots(&self) -> u64 {
        self.m.slots
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

    /// Side by side only: per rack, the outline around its brokers' columns (consecutive in
    /// `brokers`), with the rack's name. Empty without racks.
    pub fn rack_boxes(&self) -> Vec<(String, BoxAt)> {
        if self.stacked {
            return Vec::new();
        }
        let mut out: Vec<(String, BoxAt)> = Vec::new();
        for (i, &b) in self.brokers.iter().enumerate() {
            let (Some(Some(rack)), Some(col)) = (self.broker_racks.get(i), self.broker_box(b)) else { continue };
            let pad = COL_GAP / 2.0 - 1.0;
            match out.last_mut() {
                Some((r, bx)) if r == rack => bx.w = col.x + col.w + pad - bx.x,
                _ => out.push((
                    rack.clone(),
                    BoxAt { x: col.x - pad, y: col.y - 3.0, w: col.w + 2.0 * pad, h: col.h + 6.0 },
                )),
            }
        }
        out
    }

    /// A broker's column (wide screens: full height, header on top) or block (stacked).
    pub fn broker_box(&self, b: BrokerId) -> Option<BoxAt> {
        let i = self.brokers.iter().position(|&x| x == b)?;
        if self.stacked {
            let y = self.stack_brokers_top() + (0..i).map(|j| self.stack_block_h(j) + STACK_GAP).sum::<f64>();
            return Some(BoxAt { x: STACK_X, y, w: self.m.col_w, h: self.stack_block_h(i) });
        }
        let x = self.cols_x() + i as f64 * (self.m.col_w + COL_GAP);
        let y = self.broker_y();
        let h = if self.rows_flow() {
            self.rows_y() + self.rows.len().max(1) as f64 * ROW_H + 4.0 - y
        } else {
            self.height() - y - MARGIN / 2.0
        };
        Some(BoxAt { x, y, w: self.m.col_w, h })
    }

    /// The i-th consumer's box (group headers interleaved above each group's first consumer).
    pub fn consumer_box(&self, i: usize) -> BoxAt {
        if self.rows_flow() {
            let g = self.consumers.get(i).map_or(self.groups.saturating_sub(1), |c| c.1);
            let (col, row) = self.group_slot(g);
            let x = MARGIN + col as f64 * (CONSUMER_W + 12.0);
            let mut y = self.group_row_top(row) + GROUP_HEADER_H;
            for (j, c) in self.consumers.iter().enumerate().take(i) {
                if c.1 == g {
                    y += self.consumer_h(j) + CONSUMER_GAP_Y;
                }
            }
            return BoxAt { x, y, w: CONSUMER_W, h: self.consumer_h(i) };
        }
        let (x, top) = if self.stacked { (STACK_X, self.groups_top()) } else { (self.brokers_right(), BROKER_Y) };
        let mut y = top;
        let mut group = None;
        for j in 0..=i.min(self.consumers.len().saturating_sub(1)) {
            let g = self.consumers.get(j).map(|c| c.1);
            if g != group {
                y += GROUP_HEADER_H;
                group = g;
            }
            if j == i {
                break;
            }
            y += self.consumer_h(j) + CONSUMER_GAP_Y;
        }
        if i >= self.consumers.len() {
            y += self.consumers.len().checked_sub(1).map_or(0.0, |j| self.consumer_h(j) + CONSUMER_GAP_Y);
        }
        BoxAt { x, y, w: self.consumer_w(), h: self.consumer_h(i) }
    }

    pub fn consumer_h(&self, i: usize) -> f64 {
        let lines = self.consumer_lines.get(i).copied().unwrap_or(0).max(1);
        CONSUMER_HEAD_H + lines as f64 * CONSUMER_LINE_H + 6.0
    }

    pub fn consumer_w(&self) -> f64 {
        if self.stacked {
            self.m.col_w
        } else {
            CONSUMER_W
        }
    }

    /// The i-th partition line of consumer slot `c`: where its text starts (baseline).
    pub fn consumer_line(&self, c: usize, i: usize) -> Pt {
        let b = self.consumer_box(c);
        Pt { x: b.x + 8.0, y: b.y + CONSUMER_HEAD_H + 11.0 + i as f64 * CONSUMER_LINE_H }
    }

    /// Where a group's header sits: just above its first consumer.
    pub fn group_header(&self, group: usize) -> Option<BoxAt> {
        let i = self.consumers.iter().position(|c| c.1 == group)?;
        let c = self.consumer_box(i);
        Some(BoxAt { x: c.x, y: c.y - GROUP_HEADER_H, w: c.w, h: GROUP_HEADER_H - 4.0 })
    }

    pub fn col_x(&self, b: BrokerId) -> Option<f64> {
        self.broker_box(b).map(|r| r.x)
    }

    /// Wide screens: the top of a partition's row.
    pub fn row_y(&self, tp: Tp) -> Option<f64> {
        let i = self.rows.iter().position(|&x| x == tp)?;
        Some(self.rows_y() + i as f64 * ROW_H)
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
        Some(BoxAt { x: col.x, y: self.row_y(tp)?, w: self.m.col_w, h: ROW_H })
    }

    /// The cell a replica draws inside its band.
    pub fn cell(band: BoxAt) -> BoxAt {
        BoxAt { x: band.x + CELL_INSET, y: band.y + 3.0, w: band.w - 2.0 * CELL_INSET, h: ROW_H - 6.0 }
    }

    pub fn controller_box(&self) -> BoxAt {
        let mid =
            if self.stacked { self.m.avail_w / 2.0 } else { (self.cols_x() + self.brokers_right() - COL_GAP) / 2.0 };
        let n = self.controllers.len().max(1) as f64;
        let w = (CTRL_PAD * 2.0 + n * CTRL_CELL_W).max(CTRL_W).min(self.width() - 2.0 * MARGIN);
        BoxAt { x: (mid - w / 2.0).max(MARGIN), y: CTRL_Y, w, h: CTRL_H }
    }

    /// The cell of the `i`th controller inside the controller strip.
    pub fn controller_cell(&self, i: usize) -> BoxAt {
        let b = self.controller_box();
        let n = self.controllers.len().max(1) as f64;
        let w = (b.w - 2.0 * CTRL_PAD) / n;
        BoxAt { x: b.x + CTRL_PAD + i as f64 * w, y: b.y + 2.0, w, h: b.h - 4.0 }
    }

    pub fn producer_box(&self, i: usize) -> BoxAt {
        if self.stacked {
            let y = CTRL_Y + CTRL_H + STACK_GAP + i as f64 * (PRODUCER_H + 8.0);
            return BoxAt { x: STACK_X, y, w: self.m.col_w, h: PRODUCER_H };
        }
        if self.rows_flow() {
            let per = self.per_row(PRODUCER_W);
            let (col, row) = (i % per, i / per);
            let y = CTRL_Y + CTRL_H + 10.0 + row as f64 * (PRODUCER_H + 10.0);
            return BoxAt { x: MARGIN + col as f64 * (PRODUCER_W + 12.0), y, w: PRODUCER_W, h: PRODUCER_H };
        }
        BoxAt { x: MARGIN, y: ROWS_Y + i as f64 * (PRODUCER_H + 12.0), w: PRODUCER_W, h: PRODUCER_H }
    }

    /// Where a message to or from `node` starts or ends; partition messages use the replica cell.
    pub fn anchor(&self, node: Node, tp: Option<Tp>, toward_controller: bool) -> Option<Pt> {
        match node {
            Node::Controller(id) => {
                let c = match self.controllers.iter().position(|&x| x == id) {
                    Some(i) => self.controller_cell(i),
                    None => self.controller_box(),
                };
                Some(Pt { x: c.x + c.w / 2.0, y: c.bottom() })
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
                Some(if self.stacked || self.rows_flow() {
                    Pt { x: r.x + r.w / 2.0, y: r.bottom() }
                } else {
                    Pt { x: r.right(), y: r.y + r.h / 2.0 }
                })
            }
            Node::Consumer(c) => {
                let i = self.consumers.iter().position(|x| x.0 == c)?;
                let b = self.consumer_box(i);
                Some(if self.stacked || self.rows_flow() {
                    Pt { x: b.x + b.w / 2.0, y: b.y }
                } else {
                    Pt { x: b.x, y: b.y + 20.0 }
                })
            }
        }
    }

    /// A point along a message's path at fraction `t` (`along`); stacked, the path's bow is kept
    /// inside the picture's width, so long vertical paths hug an edge instead of leaving it.
    pub fn along(&self, a: Pt, b: Pt, t: f64) -> Pt {
        if self.stacked {
            along_within(a, b, t, 6.0, self.width() - 6.0)
        } else {
            along(a, b, t)
        }
    }

    /// The first offset shown for a partition whose longest replica ends at `max_leo`: the last
    /// `slots - 1` offsets and the next free one.
    pub fn window_start(&self, max_leo: u64) -> u64 {
        max_leo.saturating_sub(self.m.slots - 1)
    }

    /// Left edge of the i-th slot of a log whose cell starts at `cell_x`.
    pub fn slot_x(cell_x: f64, i: u64) -> f64 {
        cell_x + LOG_PAD + i as f64 * SLOT_PITCH
    }

    /// Every `k`-th offset is labelled under the log so that the numbers never touch: `k` grows
    /// with the widest offset shown.
    pub fn offset_label_every(max_offset: u64) -> u64 {
        let digits = max_offset.max(1).to_string().len();
        let w = text_w(digits, FS_SMALL) + 3.0;
        (w / SLOT_PITCH).ceil().max(1.0) as u64
    }
}

/// The zoom that makes a picture laid out for `frame_w / zoom` fill a `frame_w` × `frame_h` frame:
/// 1 (the readable size) unless the frame is tall enough to enlarge it, up to `MAX_FIT_ZOOM`,
/// without losing log slots below `MIN_SLOTS + 4` that the unzoomed layout had. `relayout(w)` lays
/// the picture out for width `w` and returns (its width, its height, its slots).
pub fn fit_zoom(frame_w: f64, frame_h: f64, relayout: impl Fn(f64) -> (f64, f64, u64)) -> f64 {
    let (_, h1, slots1) = relayout(frame_w);
    if h1 <= 0.0 || frame_h <= h1 {
        return 1.0;
    }
    // Enlarging must not cost the log its length (nor the replicas' headers their full words).
    let want = slots1.min(MIN_SLOTS + 4);
    let mut z = (frame_h / h1).min(MAX_FIT_ZOOM);
    while z > 1.0 {
        let (w, h, slots) = relayout(frame_w / z);
        if slots >= want && w * z <= frame_w + 0.5 && h * z <= frame_h + 0.5 {
            return z;
        }
        z -= 0.05;
    }
    1.0
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

/// Linear interpolation between two points.
pub fn lerp(a: Pt, b: Pt, t: f64) -> Pt {
    let t = t.clamp(0.0, 1.0);
    Pt { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }
}

/// Ease in and out (smoothstep) for motion that starts and stops gently.
pub fn ease(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
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

    fn tp(partition: u32) -> Tp {
        Tp { topic: 0, partition }
    }

    /// Three brokers, three partitions, two producers, a group of two consumers.
    fn wide(avail: f64) -> Layout {
        let mut lay = Layout {
            brokers: vec![1, 2, 3],
            rows: vec![tp(0), tp(1), tp(2)],
            producers: vec![0, 1],
            consumers: vec![(0, 0), (1, 0)],
            consumer_lines: vec![2, 1],
            groups: 1,
            ..Layout::empty()
        };
        lay.fit(avail);
        lay
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn each_rack_is_one_outline_around_its_columns_and_outlines_do_not_touch() {
        let mut lay = wide(1256.0);
        lay.brokers = vec![1, 4, 2, 5, 3];
        lay.broker_racks = ["a", "a", "b", "b"].iter().map(|r| Some(r.to_string())).chain([None]).collect();
        lay.fit(1256.0);
        let racks = lay.rack_boxes();
        assert_eq!(racks.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["a", "b"], "broker 3 has no rack");
        for (i, (_, bx)) in racks.iter().enumerate() {
            for &b in &lay.brokers[2 * i..2 * i + 2] {
                let col = lay.broker_box(b).unwrap();
                assert!(bx.x < col.x && col.right() < bx.right() && bx.y < col.y && col.bottom() < bx.bottom());
            }
        }
        assert!(racks[0].1.right() < racks[1].1.x, "two racks' outlines leave a gap");
        lay.stacked = true;
        assert!(lay.rack_boxes().is_empty(), "stacked: the rack is in each broker's title only");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_wide_picture_fits_its_frame_with_as_many_slots_as_there_is_room_for() {
        for avail in [900.0, 1256.0, 1416.0, 1896.0] {
            let lay = wide(avail);
            assert!(lay.width() <= avail + 0.5, "{avail}: {} wide", lay.width());
            assert!(lay.slots() >= MIN_SLOTS);
            // Columns, labels, producers and consumers do not overlap.
            let cols: Vec<BoxAt> = lay.brokers.iter().map(|&b| lay.broker_box(b).unwrap()).collect();
            assert!(lay.producer_box(0).right() <= lay.label_x());
            assert!(lay.label_x() + lay.m.label_w <= cols[0].x + 0.01);
            for w in cols.windows(2) {
                assert!(w[0].right() < w[1].x);
            }
            assert!(cols[2].right() <= lay.consumer_box(0).x);
            // The log fits its cell.
            let band = lay.replica_band(1, tp(0)).unwrap();
            let cell = Layout::cell(band);
            assert!(Layout::slot_x(cell.x, lay.slots()) - SLOT_GAP + LOG_PAD <= cell.right() + 0.01);
        }
        assert!(wide(1416.0).slots() > wide(900.0).slots(), "a wider frame shows more of the log");
        // Too narrow for the minimum: the picture is wider than the frame, never squeezed.
        let lay = wide(500.0);
        assert_eq!(lay.slots(), MIN_SLOTS);
        assert!(lay.width() > 500.0);
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn consumer_boxes_grow_with_their_partitions_and_never_overlap() {
        let lay = wide(1400.0);
        let (a, b) = (lay.consumer_box(0), lay.consumer_box(1));
        assert!(a.h > b.h, "two partitions take more room than one");
        assert!(a.bottom() < b.y);
        let header = lay.group_header(0).unwrap();
        assert!(header.bottom() <= a.y);
        assert!(lay.height() >= b.bottom());
        let line = lay.consumer_line(0, 1);
        assert!(line.y < a.bottom());
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn texts_take_the_longest_form_that_fits() {
        assert_eq!(
            fit_text(&["★ leader · epoch 3", "★ leader e3", "★ e3"], text_w(12, FS_SMALL), FS_SMALL),
            "★ leader e3"
        );
        assert_eq!(fit_text(&["abcdef"], text_w(4, FS_SMALL), FS_SMALL), "abc…");
        assert_eq!(Layout::offset_label_every(9), 1);
        assert_eq!(Layout::offset_label_every(123), 1);
        assert!(Layout::offset_label_every(12345) >= 2, "five digits do not fit one slot");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn a_tall_frame_enlarges_the_picture_a_little_without_losing_the_log() {
        let relayout = |w: f64| {
            let l = wide(w);
            (l.width(), l.height(), l.slots())
        };
        let z = fit_zoom(1256.0, 620.0, relayout);
        assert!(z > 1.0 && z <= MAX_FIT_ZOOM, "{z}");
        let l = wide(1256.0 / z);
        assert!(l.width() * z <= 1256.5 && l.height() * z <= 620.5);
        assert_eq!(fit_zoom(1256.0, 200.0, relayout), 1.0, "a short frame: readable size, scroll");
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn window_shows_the_latest_offsets_and_the_next_slot() {
        let lay = wide(1400.0);
        let s = lay.slots();
        assert_eq!(lay.window_start(0), 0);
        assert_eq!(lay.window_start(s - 1), 0);
        assert_eq!(lay.window_start(s + 15), 16);
    }

    fn stacked_layout() -> Layout {
        let mut lay = Layout {
            stacked: true,
            hosted: vec![vec![tp(0), tp(2)], vec![tp(0), tp(1)], vec![tp(1), tp(2)]],
            ..wide(1400.0)
        };
        lay.fit(374.0);
        lay
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn stacked_brokers_are_one_column_between_producers_and_consumers() {
        let lay = stacked_layout();
        assert_eq!(lay.width(), 374.0);
        let boxes: Vec<BoxAt> = lay.brokers.iter().map(|&b| lay.broker_box(b).unwrap()).collect();
        for w in boxes.windows(2) {
            assert_eq!(w[0].x, w[1].x, "one column");
            assert!(w[0].bottom() < w[1].y, "blocks stack without overlapping: {w:?}");
        }
        for r in &boxes {
            assert!(r.x >= 0.0 && r.right() <= lay.width(), "inside the width: {r:?}");
        }
        assert!(lay.producer_box(1).bottom() < boxes[0].y, "producers above the brokers");
        assert!(lay.group_header(0).unwrap().y > boxes[2].bottom(), "groups below the last broker");
        assert!(lay.height() >= lay.consumer_box(1).bottom());
        for (i, &b) in lay.brokers.iter().enumerate() {
            let block = boxes[i];
            let bands: Vec<BoxAt> = lay.hosted[i].iter().map(|&t| lay.replica_band(b, t).unwrap()).collect();
            assert_eq!(bands[0].y, block.y + BROKER_H);
            assert_eq!(bands[1].y, bands[0].y + ROW_H);
            assert!(bands[1].bottom() <= block.bottom());
            let cell = Layout::cell(bands[0]);
            assert!(Layout::slot_x(cell.x, lay.slots()) + STACK_OFFSETS_W <= block.right(), "log and offsets fit");
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
    }
}
