//! Text in figures: [`Label`], how a piece of text looks and where it is anchored, and the
//! [`Canvas`] methods that measure, fit and draw text with it.
//!
//! A label is a small `Copy` value built from one of the size tiers of [`style::pt`]
//! ([`Label::TITLE`], [`Label::HEADING`], [`Label::LABEL`], [`Label::TICK`],
//! [`Label::CAPTION`]) and adjusted where a figure needs it:
//! `Label::TICK.muted().anchor(HAlign::Center, VAlign::Top)`. Unless adjusted, text is
//! regular, in the main text colour and anchored at its top left corner.

use plotters::backend::DrawingBackend;
use plotters::prelude::Text;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, TextStyle};

use super::{Canvas, ChartError, PxRect, draw_err, ipt, style};

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HAlign {
    Left,
    Center,
    Right,
}

/// Vertical text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VAlign {
    Top,
    Middle,
    Bottom,
}

/// How a piece of text is drawn: font size in points, weight, colour, and which point of
/// the text's box is placed at the coordinates it is drawn at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Label {
    /// Font size in points.
    pt: f64,
    /// Bold face.
    bold: bool,
    /// Text colour.
    color: RGBColor,
    /// Horizontal anchor.
    h: HAlign,
    /// Vertical anchor.
    v: VAlign,
}

impl Label {
    /// Figure titles (bold).
    pub(crate) const TITLE: Label = Label::new(style::pt::TITLE).bold();
    /// Panel titles, column headings and legend headings (bold).
    pub(crate) const HEADING: Label = Label::new(style::pt::HEADING).bold();
    /// Axis titles and labels.
    pub(crate) const LABEL: Label = Label::new(style::pt::LABEL);
    /// Tick labels and legend entries.
    pub(crate) const TICK: Label = Label::new(style::pt::TICK);
    /// The caption line, and the smallest labels where space is short.
    pub(crate) const CAPTION: Label = Label::new(style::pt::CAPTION);

    /// Regular text of `pt` points in the main text colour, anchored at its top left.
    pub(crate) const fn new(pt: f64) -> Label {
        Label { pt, bold: false, color: style::TEXT, h: HAlign::Left, v: VAlign::Top }
    }

    /// In the bold face.
    pub(crate) const fn bold(self) -> Label {
        self.bold_if(true)
    }

    /// In the bold face if `bold`, else in the regular one.
    pub(crate) const fn bold_if(self, bold: bool) -> Label {
        Label { bold, ..self }
    }

    /// In colour `color`.
    pub(crate) const fn color(self, color: RGBColor) -> Label {
        Label { color, ..self }
    }

    /// In the secondary text colour ([`style::TEXT_MUTED`]).
    pub(crate) const fn muted(self) -> Label {
        self.color(style::TEXT_MUTED)
    }

    /// Anchored at the point of its box that `h` and `v` name.
    pub(crate) const fn anchor(self, h: HAlign, v: VAlign) -> Label {
        Label { h, v, ..self }
    }

    /// The plotters anchor.
    fn pos(self) -> Pos {
        let h = match self.h {
            HAlign::Left => HPos::Left,
            HAlign::Center => HPos::Center,
            HAlign::Right => HPos::Right,
        };
        let v = match self.v {
            VAlign::Top => VPos::Top,
            VAlign::Middle => VPos::Center,
            VAlign::Bottom => VPos::Bottom,
        };
        Pos::new(h, v)
    }
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    /// The plotters style of `l` (font and colour; the default anchor).
    fn text_style(&self, l: Label) -> TextStyle<'static> {
        let font = FontDesc::new(
            FontFamily::Name(style::FONT_FAMILY),
            self.size.font_px(l.pt),
            if l.bold { FontStyle::Bold } else { FontStyle::Normal },
        );
        TextStyle { font, color: l.color.to_backend_color(), pos: Pos::default() }
    }

    /// Width and height in px of `s` in the size and weight of `l`.
    pub(crate) fn text_size(&self, s: &str, l: Label) -> Result<(f64, f64), ChartError> {
        if s.is_empty() {
            return Ok((0.0, self.size.font_px(l.pt) / 1.24));
        }
        let st = self.text_style(l.color(style::TEXT));
        let (w, h) = self.area.estimate_text_size(s, &st).map_err(draw_err)?;
        Ok((f64::from(w), f64::from(h)))
    }

    /// Draws `s` as `l` says, anchored at `(x, y)`; returns the bounding box actually
    /// covered.
    pub(crate) fn text(&self, s: &str, x: f64, y: f64, l: Label) -> Result<PxRect, ChartError> {
        let (tw, th) = self.text_size(s, l)?;
        if s.is_empty() {
            return Ok(PxRect { x0: x, y0: y, x1: x, y1: y });
        }
        let st = self.text_style(l).pos(l.pos());
        self.area.draw(&Text::new(s.to_string(), ipt((x, y)), st)).map_err(draw_err)?;
        let x0 = match l.h {
            HAlign::Left => x,
            HAlign::Center => x - tw / 2.0,
            HAlign::Right => x - tw,
        };
        let y0 = match l.v {
            VAlign::Top => y,
            VAlign::Middle => y - th / 2.0,
            VAlign::Bottom => y - th,
        };
        Ok(PxRect { x0, y0, x1: x0 + tw, y1: y0 + th })
    }

    /// Text rotated 90 degrees counter-clockwise (reads bottom to top), anchored at `(x, y)`
    /// as `l` says along its own (rotated) box: `HAlign::Center` centres it on `(x, y)`,
    /// `HAlign::Right` ends it there.
    pub(crate) fn text_vertical(
        &self,
        s: &str,
        x: f64,
        y: f64,
        l: Label,
    ) -> Result<(), ChartError> {
        if s.is_empty() {
            return Ok(());
        }
        let st = self.text_style(l).transform(FontTransform::Rotate270).pos(l.pos());
        self.area.draw(&Text::new(s.to_string(), ipt((x, y)), st)).map_err(draw_err)
    }

    /// Shortens `s` with a trailing ellipsis until it fits in `max_w` px in the size and
    /// weight of `l`. O(len^2) worst case.
    pub(crate) fn fit_text(&self, s: &str, l: Label, max_w: f64) -> Result<String, ChartError> {
        if self.text_size(s, l)?.0 <= max_w {
            return Ok(s.to_string());
        }
        let chars: Vec<char> = s.chars().collect();
        // Binary search over the kept prefix length.
        let (mut lo, mut hi) = (0usize, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let cand = ellipsize(&chars, mid);
            if self.text_size(&cand, l)?.0 <= max_w {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(ellipsize(&chars, lo))
    }
}

fn ellipsize(chars: &[char], keep: usize) -> String {
    let mut s: String = chars[..keep.min(chars.len())].iter().collect();
    s = s.trim_end().to_string();
    s.push('…');
    s
}
