//! A cursor over a long list of which only a window of rows is in memory. Moving the cursor
//! outside the loaded window asks for another page; nothing ever loads a whole table.

use crate::tui::read_model::Page;

/// Rows fetched per request.
pub const PAGE: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListWindow<T> {
    /// `None` until the first page arrives.
    pub total: Option<usize>,
    pub offset: usize,
    pub rows: Vec<T>,
    /// Absolute index of the cursor.
    pub selected: usize,
    /// Absolute index of the first visible row.
    pub top: usize,
    /// The offset of a page being loaded.
    pub pending: Option<usize>,
    pub error: Option<String>,
}

impl<T> Default for ListWindow<T> {
    fn default() -> Self {
        ListWindow {
            total: None,
            offset: 0,
            rows: Vec::new(),
            selected: 0,
            top: 0,
            pending: None,
            error: None,
        }
    }
}

impl<T: Clone> ListWindow<T> {
    pub fn is_loaded(&self) -> bool {
        self.total.is_some()
    }

    pub fn len(&self) -> usize {
        self.total.unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything; the next `needed_page` asks again from the cursor.
    pub fn invalidate(&mut self) {
        self.total = None;
        self.rows.clear();
        self.pending = None;
    }

    /// Moves the cursor by `delta` rows with `height` rows visible. Returns a page offset
    /// to load when the view leaves the loaded window.
    pub fn move_by(&mut self, delta: isize, height: usize) -> Option<usize> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        let target = (self.selected as isize + delta).clamp(0, len as isize - 1) as usize;
        self.select(target, height)
    }

    pub fn select(&mut self, index: usize, height: usize) -> Option<usize> {
        let height = height.max(1);
        self.selected = index.min(self.len().saturating_sub(1));
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + height {
            self.top = self.selected + 1 - height;
        }
        self.needed_page(height)
    }

    /// The page to load so that the visible rows are in memory, if any is missing.
    pub fn needed_page(&mut self, height: usize) -> Option<usize> {
        let want_end = match self.total {
            Some(t) => (self.top + height).min(t),
            None => self.top + height,
        };
        let have_end = self.offset + self.rows.len();
        let covered = self.total.is_some() && self.top >= self.offset && want_end <= have_end;
        if covered {
            return None;
        }
        let offset = self.top.saturating_sub(PAGE / 4);
        if self.pending == Some(offset) {
            return None;
        }
        self.pending = Some(offset);
        Some(offset)
    }

    pub fn apply(&mut self, page: Page<T>) {
        if self.pending.is_some_and(|p| p != page.offset) {
            // A newer request is on its way; this answer is for a view we left.
            return;
        }
        self.pending = None;
        self.error = None;
        self.total = Some(page.total);
        self.offset = page.offset;
        self.rows = page.rows;
        if page.total == 0 {
            self.selected = 0;
            self.top = 0;
        } else if self.selected >= page.total {
            self.selected = page.total - 1;
        }
    }

    pub fn fail(&mut self, error: String) {
        self.pending = None;
        self.error = Some(error);
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        index
            .checked_sub(self.offset)
            .and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.get(self.selected)
    }

    /// The visible rows from `top`: `None` for a row not loaded yet.
    pub fn visible(&self, height: usize) -> Vec<(usize, Option<&T>)> {
        let end = (self.top + height).min(self.len());
        (self.top..end).map(|i| (i, self.get(i))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(offset: usize, total: usize) -> Page<usize> {
        Page {
            offset,
            total,
            rows: (offset..(offset + PAGE).min(total)).collect(),
        }
    }

    #[test]
    fn scrolling_loads_only_what_is_needed() {
        let mut w: ListWindow<usize> = ListWindow::default();
        assert_eq!(w.needed_page(20), Some(0));
        w.apply(page(0, 100_000));
        assert_eq!(w.move_by(1, 20), None);
        assert_eq!(w.selected_row(), Some(&1));
        // PageDown far beyond the window asks for the page around the new view.
        let want = w.move_by(5_000, 20).expect("needs a page");
        assert!(want <= w.top && w.top < want + PAGE);
        assert_eq!(w.selected_row(), None, "not loaded yet");
        w.apply(page(want, 100_000));
        assert_eq!(w.selected_row(), Some(&5_001));
        assert_eq!(
            w.move_by(isize::MAX / 2, 20).map(|o| o > 99_000),
            Some(true)
        );
    }

    #[test]
    fn stale_pages_are_ignored() {
        let mut w: ListWindow<usize> = ListWindow::default();
        w.needed_page(10);
        w.apply(page(0, 1000));
        let p = w.move_by(900, 10).unwrap();
        w.apply(page(0, 1000));
        assert_eq!(w.pending, Some(p));
        w.apply(page(p, 1000));
        assert_eq!(w.selected_row(), Some(&900));
    }

    #[test]
    fn empty_list_has_no_cursor() {
        let mut w: ListWindow<usize> = ListWindow::default();
        w.needed_page(10);
        w.apply(page(0, 0));
        assert!(w.is_loaded() && w.is_empty());
        assert_eq!(w.move_by(1, 10), None);
        assert!(w.visible(10).is_empty());
    }
}
