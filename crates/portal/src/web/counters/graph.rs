//! The stacked bar charts of the detail tabs (S18), laid out on the server.
//!
//! The page must work without script and under a CSP that forbids inline styles, so the chart
//! is inline SVG written by a template from the plain numbers computed here: every colour is a
//! `fill` attribute, never a `style`. One horizontal bar per period (S16) or device (S17),
//! one segment per category; the Total 1 of the bar is a black tick with its number after the
//! bar, because the drawn categories need not add up to it (paper sizes that are not listed,
//! scans that are not part of Total 1). The legend is part of the SVG so that it prints with
//! the bars (browsers drop CSS backgrounds when printing, not SVG fills).
//!
//! Text widths are estimated (a Latin character about 0.6 em, a Japanese one 1 em); that is
//! enough to place labels and to decide whether a value fits inside its segment.

use meterport_domain::counters::DeviceClass;

use super::format;

/// Overall width of the drawing in SVG units; the element scales to its container.
const WIDTH: i32 = 960;
const FONT: i32 = 13;
const LEGEND_ROW: i32 = 20;
const SWATCH: i32 = 12;

/// A category of the chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub fill: &'static str,
}

/// One bar's data: a value per series ("-" is `None` and is not drawn) and its Total 1.
#[derive(Debug, Clone)]
pub struct BarData {
    pub label: String,
    pub values: Vec<Option<i64>>,
    pub total1: Option<i64>,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct ChartData {
    pub title: String,
    pub series: Vec<Series>,
    pub bars: Vec<BarData>,
    /// The name of the Total 1 tick in the legend and the tooltips.
    pub total1_label: String,
}

/// The drawing, in SVG units, ready for the template.
#[derive(Debug, Clone)]
pub struct Chart {
    pub width: i32,
    pub height: i32,
    pub title: String,
    pub desc: String,
    pub legend: Vec<LegendItem>,
    pub grid: Vec<Tick>,
    pub grid_top: i32,
    pub grid_bottom: i32,
    /// Tick labels above the bars, and below them when the chart is tall.
    pub tick_label_y: Vec<i32>,
    pub label_x: i32,
    /// The Total 1 column on the right: its heading and where its numbers end.
    pub value_header: String,
    pub value_x: i32,
    pub value_header_y: i32,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone)]
pub struct LegendItem {
    pub x: i32,
    pub y: i32,
    pub text_x: i32,
    pub text_y: i32,
    pub fill: &'static str,
    /// The Total 1 tick rather than a colour.
    pub tick: bool,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Tick {
    pub x: i32,
    pub label: String,
    /// `end` for the last one, which would otherwise run into the Total 1 column.
    pub anchor: &'static str,
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub y: i32,
    pub h: i32,
    pub text_y: i32,
    /// The label as drawn (shortened when long) and in full for the tooltip.
    pub label: String,
    pub full_label: String,
    pub segments: Vec<Segment>,
    pub tick: Option<TotalTick>,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Segment {
    pub x: i32,
    pub w: i32,
    pub fill: &'static str,
    /// "2021/08 – A4: 421": what a pointer over the segment shows.
    pub title: String,
    /// The value written inside the segment when it fits.
    pub text: Option<SegmentText>,
}

#[derive(Debug, Clone)]
pub struct SegmentText {
    pub x: i32,
    pub text: String,
    /// Text colour chosen against the segment's fill.
    pub fill: &'static str,
}

#[derive(Debug, Clone)]
pub struct TotalTick {
    pub x: i32,
    pub y1: i32,
    pub y2: i32,
    pub title: String,
}

/// The estimated width of a text at the chart's font size.
pub fn text_width(s: &str) -> i32 {
    let em: f64 = s
        .chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum();
    (em * FONT as f64).ceil() as i32
}

/// The text cut to a width, with an ellipsis when cut.
fn shorten(s: &str, max: i32) -> String {
    if text_width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&out) + text_width(&c.to_string()) + FONT > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A round step near `raw`: 1, 2 or 5 times a power of ten.
fn nice_step(raw: f64) -> i64 {
    if raw <= 1.0 {
        return 1;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice * magnitude).round() as i64
}

/// Dark text on light fills, white on dark ones.
fn text_on(fill: &str) -> &'static str {
    let hex = fill.trim_start_matches('#');
    let channel = |i: usize| {
        u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0) as f64 / 255.0
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    if luminance > 0.5 {
        "#1f2328"
    } else {
        "#ffffff"
    }
}

/// Lays out a chart. Sheet counts only: large-format printers have no categories to stack.
pub fn layout(data: &ChartData) -> Chart {
    let class = DeviceClass::Mfp;
    let fmt = |v: i64| format::number(v, class);

    // Legend: the categories, then the Total 1 tick, wrapped into rows.
    let mut legend = Vec::new();
    let (mut x, mut y) = (0, 4);
    let entries = data
        .series
        .iter()
        .map(|s| (s.label.as_str(), s.fill, false))
        .chain(std::iter::once((
            data.total1_label.as_str(),
            "#1f2328",
            true,
        )));
    for (label, fill, tick) in entries {
        let w = SWATCH + 6 + text_width(label) + 18;
        if x > 0 && x + w > WIDTH {
            x = 0;
            y += LEGEND_ROW;
        }
        legend.push(LegendItem {
            x,
            y,
            text_x: x + SWATCH + 6,
            text_y: y + SWATCH - 1,
            fill,
            tick,
            label: label.to_string(),
        });
        x += w;
    }
    let legend_bottom = y + LEGEND_ROW;

    // Columns: labels on the left, the bars, the Total 1 values on the right.
    let label_w = data
        .bars
        .iter()
        .map(|b| text_width(&b.label))
        .max()
        .unwrap_or(0)
        .clamp(60, 220);
    let plot_x = label_w + 12;
    let values: Vec<String> = data
        .bars
        .iter()
        .map(|b| b.total1.map_or_else(|| "-".to_string(), fmt))
        .collect();
    // The numbers stand in a column of their own, right-aligned under a heading, as in a
    // table: written at the end of each bar they would read as the bar's length, which
    // Total 1 is not.
    let value_w = values
        .iter()
        .map(|v| text_width(v))
        .chain(std::iter::once(text_width(&data.total1_label)))
        .max()
        .unwrap_or(0)
        + 20;
    let plot_w = (WIDTH - plot_x - value_w).max(100);

    let max = data
        .bars
        .iter()
        .map(|b| {
            let drawn: i64 = b.values.iter().flatten().sum();
            drawn.max(b.total1.unwrap_or(0))
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let step = nice_step(max as f64 / 5.0);
    // Both are positive: the ceiling of the division, in whole steps.
    let axis_max = (max + step - 1) / step * step;
    let scale = plot_w as f64 / axis_max as f64;
    let at = |v: i64| plot_x + (v as f64 * scale).round() as i32;

    let (bar_h, gap) = if data.bars.len() > 40 {
        (14, 4)
    } else {
        (20, 8)
    };
    let tick_top_y = legend_bottom + 10;
    let grid_top = tick_top_y + 8;
    let mut bars = Vec::with_capacity(data.bars.len());
    let mut by = grid_top + gap / 2;
    for (b, value) in data.bars.iter().zip(values) {
        let mut segments = Vec::new();
        let mut sum = 0i64;
        for (s, v) in data.series.iter().zip(&b.values) {
            let Some(v) = *v else { continue };
            let (x0, x1) = (at(sum), at(sum + v));
            sum += v;
            let text = fmt(v);
            let fits = x1 - x0 >= text_width(&text) + 8 && bar_h >= FONT + 2;
            segments.push(Segment {
                x: x0,
                w: x1 - x0,
                fill: s.fill,
                title: format!("{} – {}: {}", b.label, s.label, text),
                text: fits.then(|| SegmentText {
                    x: (x0 + x1) / 2,
                    text,
                    fill: text_on(s.fill),
                }),
            });
        }
        let tick = b.total1.map(|t| TotalTick {
            x: at(t),
            y1: by - 3,
            y2: by + bar_h + 3,
            title: format!("{} – {}: {}", b.label, data.total1_label, fmt(t)),
        });
        bars.push(Bar {
            y: by,
            h: bar_h,
            text_y: by + bar_h / 2 + FONT / 2 - 2,
            label: shorten(&b.label, label_w),
            full_label: b.label.clone(),
            segments,
            tick,
            value,
        });
        by += bar_h + gap;
    }
    let grid_bottom = by - gap / 2;
    let mut tick_label_y = vec![tick_top_y];
    let mut height = grid_bottom + 6;
    if data.bars.len() > 12 {
        tick_label_y.push(grid_bottom + 16);
        height = grid_bottom + 24;
    }
    let last = axis_max / step;
    let ticks = (0..=last)
        .map(|i| Tick {
            x: at(i * step),
            label: fmt(i * step),
            anchor: if i == last && i > 0 { "end" } else { "middle" },
        })
        .collect();
    Chart {
        width: WIDTH,
        height,
        title: data.title.clone(),
        desc: String::new(),
        legend,
        grid: ticks,
        grid_top,
        grid_bottom,
        tick_label_y,
        label_x: plot_x - 8,
        value_header: data.total1_label.clone(),
        value_x: WIDTH - 2,
        value_header_y: tick_top_y,
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> ChartData {
        ChartData {
            title: "Paper size".into(),
            series: vec![
                Series {
                    label: "A3".into(),
                    fill: "#4e79a7",
                },
                Series {
                    label: "A4".into(),
                    fill: "#edc948",
                },
            ],
            bars: vec![
                BarData {
                    label: "2021/08".into(),
                    values: vec![Some(34), Some(421)],
                    total1: Some(455),
                },
                BarData {
                    label: "2021/09".into(),
                    values: vec![None, None],
                    total1: None,
                },
            ],
            total1_label: "Total 1".into(),
        }
    }

    #[test]
    fn each_known_value_is_one_segment_with_its_number_in_the_tooltip() {
        let c = layout(&chart());
        let first = &c.bars[0];
        assert_eq!(first.segments.len(), 2);
        assert_eq!(first.segments[0].title, "2021/08 – A3: 34");
        assert_eq!(first.segments[1].title, "2021/08 – A4: 421");
        // Segments follow each other without gaps or overlaps.
        assert_eq!(
            first.segments[0].x + first.segments[0].w,
            first.segments[1].x
        );
        assert_eq!(first.tick.as_ref().unwrap().title, "2021/08 – Total 1: 455");
        assert_eq!(first.value, "455");
        // A period without data is a label and a "-", nothing drawn.
        assert!(c.bars[1].segments.is_empty());
        assert!(c.bars[1].tick.is_none());
        assert_eq!(c.bars[1].value, "-");
        assert_eq!(c.legend.len(), 3);
        assert!(c.legend[2].tick);
    }

    #[test]
    fn the_axis_has_round_steps_and_everything_fits_the_width() {
        let c = layout(&chart());
        let labels: Vec<&str> = c.grid.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "100", "200", "300", "400", "500"]);
        for b in &c.bars {
            let end = b.segments.last().map_or(0, |s| s.x + s.w);
            assert!(end + text_width(&b.value) < c.value_x, "{b:?}");
        }
        assert!(c.value_x <= c.width);
        assert_eq!(nice_step(0.2), 1);
        assert_eq!(nice_step(91.0), 100);
        assert_eq!(nice_step(130.0), 200);
        assert_eq!(nice_step(4100.0), 5000);
    }

    #[test]
    fn long_labels_are_shortened_but_kept_whole_in_the_tooltip() {
        let mut data = chart();
        data.bars[0].label = "経理部 複合機 3階 東側 コピーコーナー 2号機".into();
        let c = layout(&data);
        assert!(c.bars[0].label.ends_with('…'));
        assert!(text_width(&c.bars[0].label) <= 220);
        assert_eq!(c.bars[0].full_label, data.bars[0].label);
    }

    #[test]
    fn text_is_white_on_dark_fills_and_dark_on_light_ones() {
        assert_eq!(text_on("#1f2328"), "#ffffff");
        assert_eq!(text_on("#edc948"), "#1f2328");
    }
}
