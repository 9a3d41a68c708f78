//! The order of a table's devices (S13, S17 "sort by any heading"), shared by the screens
//! and the CSV export, so that a file lists its rows as the screen did.

use std::cmp::Ordering;
use std::collections::HashMap;

use meterport_store::counters::CounterDevice;

fn param<'a>(params: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    params.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// Values of a table kept for sorting and paging: one number per device and column, with
/// `i64::MIN` for "-" (half the memory of `Option<i64>`).
pub struct Grid {
    pub cols: usize,
    pub values: Vec<i64>,
}

pub const NONE: i64 = i64::MIN;

impl Grid {
    pub fn new(rows: usize, cols: usize) -> Grid {
        Grid {
            cols,
            values: vec![NONE; rows * cols],
        }
    }

    pub fn set(&mut self, row: usize, col: usize, v: Option<i64>) {
        self.values[row * self.cols + col] = v.unwrap_or(NONE);
    }

    pub fn get(&self, row: usize, col: usize) -> Option<i64> {
        Some(self.values[row * self.cols + col]).filter(|v| *v != NONE)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Location,
    Group,
    /// A column of the grid.
    Col(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub by: SortBy,
    pub desc: bool,
}

impl Sort {
    pub fn parse(params: &HashMap<String, String>, col: impl Fn(&str) -> Option<usize>) -> Sort {
        let by = match param(params, "sort") {
            Some("name") | None => SortBy::Name,
            Some("location") => SortBy::Location,
            Some("group") => SortBy::Group,
            Some(other) => col(other).map_or(SortBy::Name, SortBy::Col),
        };
        Sort {
            by,
            desc: param(params, "dir") == Some("desc"),
        }
    }
}

/// Missing values ("-", an empty location) come last in either direction: the reader looks
/// for the largest or the smallest real values, never for the blanks.
pub fn missing_last<T: Ord>(a: Option<T>, b: Option<T>, desc: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if desc => b.cmp(&a),
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

pub fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// The devices' order: by the column, then by name and id (the CSV's order), so that equal
/// values keep one order on every page and every reload.
pub fn device_order(devices: &[CounterDevice], grid: &Grid, sort: Sort) -> Vec<usize> {
    let mut order: Vec<usize> = (0..devices.len()).collect();
    order.sort_by(|&a, &b| {
        let (da, db) = (&devices[a], &devices[b]);
        let by_name = || da.name.cmp(&db.name).then(da.id.cmp(&db.id));
        let primary = match sort.by {
            SortBy::Name if sort.desc => db.name.cmp(&da.name).then(da.id.cmp(&db.id)),
            SortBy::Name => Ordering::Equal,
            SortBy::Location => missing_last(
                nonempty(da.location.as_deref()),
                nonempty(db.location.as_deref()),
                sort.desc,
            ),
            SortBy::Group => missing_last(
                da.group.as_ref().map(|g| g.1.as_str()),
                db.group.as_ref().map(|g| g.1.as_str()),
                sort.desc,
            ),
            SortBy::Col(c) => missing_last(grid.get(a, c), grid.get(b, c), sort.desc),
        };
        primary.then_with(by_name)
    });
    order
}
