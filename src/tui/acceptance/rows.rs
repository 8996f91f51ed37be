//! An open invoice flattened into screen rows (position, its details, boxes, stamps), so
//! that drawing touches only the visible window even with tens of thousands of stamps.

use crate::domain::invoice::Invoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// Name, quantity, price, amount.
    Position(u32),
    /// AlcCode, capacity, strength, справки А/Б.
    Details(u32),
    Box(u32, u32),
    Mark(u32, u32, u32),
}

impl Row {
    pub fn position(self) -> usize {
        match self {
            Row::Position(p) | Row::Details(p) | Row::Box(p, _) | Row::Mark(p, _, _) => p as usize,
        }
    }
}

/// The rows plus where each box starts, to jump to a scanned stamp.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub rows: Vec<Row>,
    box_start: Vec<Vec<usize>>,
    position_start: Vec<usize>,
}

impl Rows {
    pub fn of(invoice: &Invoice) -> Rows {
        let mut rows = Vec::new();
        let mut box_start = Vec::new();
        let mut position_start = Vec::new();
        for (pi, p) in invoice.positions().iter().enumerate() {
            let pi32 = pi as u32;
            position_start.push(rows.len());
            rows.push(Row::Position(pi32));
            rows.push(Row::Details(pi32));
            let mut starts = Vec::with_capacity(p.boxes.len());
            for (bi, b) in p.boxes.iter().enumerate() {
                starts.push(rows.len());
                rows.push(Row::Box(pi32, bi as u32));
                rows.extend((0..b.marks.len()).map(|m| Row::Mark(pi32, bi as u32, m as u32)));
            }
            box_start.push(starts);
        }
        Rows {
            rows,
            box_start,
            position_start,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<Row> {
        self.rows.get(i).copied()
    }

    pub fn mark_row(&self, line: usize, box_index: usize, mark: usize) -> Option<usize> {
        self.box_start
            .get(line)
            .and_then(|b| b.get(box_index))
            .map(|start| start + 1 + mark)
    }

    pub fn position_row(&self, line: usize) -> Option<usize> {
        self.position_start.get(line).copied()
    }
}

/// A cursor over a long list with a scroll offset that keeps it visible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub cursor: usize,
    pub offset: usize,
}

impl Scroll {
    pub fn clamp(&mut self, len: usize) {
        if len == 0 {
            *self = Scroll::default();
            return;
        }
        self.cursor = self.cursor.min(len - 1);
        self.offset = self.offset.min(self.cursor);
    }

    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            return;
        }
        let target = self.cursor as isize + delta;
        self.cursor = target.clamp(0, len as isize - 1) as usize;
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self, len: usize) {
        self.cursor = len.saturating_sub(1);
    }

    /// Adjusts the offset for a window of `height` rows; called when drawing.
    pub fn visible(&self, height: usize) -> Scroll {
        let mut s = *self;
        if height == 0 {
            return s;
        }
        if s.cursor < s.offset {
            s.offset = s.cursor;
        } else if s.cursor >= s.offset + height {
            s.offset = s.cursor + 1 - height;
        }
        s
    }

    /// Keeps the offset that drawing would use, so scrolling feels continuous.
    pub fn follow(&mut self, height: usize) {
        *self = self.visible(height);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::ready_invoice;

    #[test]
    fn rows_index_boxes_and_marks() {
        let inv = ready_invoice();
        let rows = Rows::of(&inv);
        // 3 positions × 2 rows + boxes (2 + 1) + 17 stamps.
        assert_eq!(rows.len(), 6 + 3 + 17);
        let r = rows.mark_row(1, 0, 2).unwrap();
        assert_eq!(rows.get(r), Some(Row::Mark(1, 0, 2)));
        assert_eq!(
            rows.get(rows.position_row(2).unwrap()),
            Some(Row::Position(2))
        );
    }

    #[test]
    fn scroll_keeps_cursor_visible() {
        let mut s = Scroll::default();
        s.move_by(30, 100);
        let v = s.visible(10);
        assert_eq!(v.offset, 21);
        s.follow(10);
        s.move_by(-5, 100);
        assert_eq!(s.visible(10).offset, 21);
        s.move_by(-100, 100);
        assert_eq!(s.visible(10).offset, 0);
        s.end(100);
        assert_eq!(s.cursor, 99);
    }
}
