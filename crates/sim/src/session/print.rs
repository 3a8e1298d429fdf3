//! Layout helpers shared by the printers of Kafka's tools: Java's `%-Ns` padding, column widths
//! that grow with their longest value, `ToolsUtils.prettyPrintTable`, and how a line the tool
//! writes to stderr is shown.
//!
//! **stderr.** Kafka's tools print some lines on stderr (a group with no active members, the
//! console consumer's "Processed a total of N messages", a dry-run warning). The console and the
//! headless runner show them in the same stream as stdout, in the order printed, each marked with
//! [`STDERR_MARK`] and a space (an empty stderr line is the mark alone), so a learner sees which
//! stream a line goes to (`2>/dev/null` would hide it). Everything after the mark is byte for byte
//! what Kafka prints.

/// The mark in front of a line a tool printed on stderr.
pub const STDERR_MARK: &str = "[stderr]";

/// A line a tool printed on stderr, as the console and the runner show it.
pub fn stderr(text: &str) -> String {
    if text.is_empty() {
        STDERR_MARK.to_string()
    } else {
        format!("{STDERR_MARK} {text}")
    }
}

/// The text of a line shown by [`stderr`], or None for a stdout line.
pub fn stderr_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(STDERR_MARK)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix(' ')
    }
}

/// Java's `String.format("%-Ns", s)`: left-aligned and padded with spaces to `width` characters;
/// a longer value is not cut.
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// `max(min, longest value)`: how Kafka's tools size a column from its content.
pub fn fit<'a>(min: usize, values: impl IntoIterator<Item = &'a str>) -> usize {
    values.into_iter().map(|v| v.chars().count()).fold(min, usize::max)
}

/// A row format of `%-W1s %-W2s … %s` cells: each column has a width (`Some`, padded) or none (the
/// last, free column). Cells are separated by exactly one space.
#[derive(Clone, Debug)]
pub struct Columns(pub Vec<Option<usize>>);

impl Columns {
    pub fn row(&self, cells: &[&str]) -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| match self.0.get(i).copied().flatten() {
                Some(w) => pad(c, w),
                None => c.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `ToolsUtils.prettyPrintTable` (kafka-transactions): each column as wide as its longest cell
/// (the header's included), every cell padded and followed by a TAB, the header first.
pub fn pretty_print_table(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| cells.iter().enumerate().map(|(i, c)| format!("{}\t", pad(c, widths[i]))).collect();
    let mut out = vec![line(headers.to_vec())];
    for r in rows {
        out.push(line(r.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_pad_like_printf() {
        let c = Columns(vec![Some(5), Some(3), None]);
        assert_eq!(c.row(&["ab", "toolong", "x"]), "ab    toolong x");
        assert_eq!(fit(15, ["short", "a-rather-long-value-here"]), 24);
        assert_eq!(stderr(""), "[stderr]");
        assert_eq!(stderr_text("[stderr] hi"), Some("hi"));
        assert_eq!(stderr_text("[stderr]"), Some(""));
        assert_eq!(stderr_text("hi"), None);
    }

    #[test]
    fn pretty_table_ends_every_cell_with_a_tab() {
        let t = pretty_print_table(&["Id", "State"], &[vec!["pay-1".into(), "Ongoing".into()]]);
        assert_eq!(t, vec!["Id   \tState  \t", "pay-1\tOngoing\t"]);
    }
}
