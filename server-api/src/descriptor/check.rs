//! Checks of a descriptor that serde cannot make (ids, the one source, colours, ranges, sizes)
//! and of its style against the features it draws.

use geojson::Feature;

use super::style::same_value;
use super::{Descriptor, Scaled, parse_colour};

fn err(e: &mut Vec<(String, String)>, field: &str, reason: String) {
    e.push((field.to_string(), reason));
}

impl Descriptor {
    /// The properties the style reads, with the field that names each.
    pub fn properties_used(&self) -> Vec<(String, &str)> {
        let s = &self.style;
        let mut out = Vec::new();
        if let Some(by) = &s.colour_by {
            out.push(("style.colour_by.property".to_string(), by.property.as_str()));
        }
        if let Some(p) = s.extrude.as_ref().and_then(|e| e.property.as_deref()) {
            out.push(("style.extrude.property".to_string(), p));
        }
        if let Some(p) = s
            .line
            .as_ref()
            .and_then(|l| l.width_by.as_ref())
            .and_then(|w| w.property.as_deref())
        {
            out.push(("style.line.width_by.property".to_string(), p));
        }
        if let Some(m) = &s.marker {
            for (field, scaled) in [("size_by", &m.size_by), ("height_by", &m.height_by)] {
                if let Some(p) = scaled.as_ref().and_then(|x| x.property.as_deref()) {
                    out.push((format!("style.marker.{field}.property"), p));
                }
            }
        }
        if let Some(p) = s.model.as_ref().and_then(|m| m.heading_by.as_deref()) {
            out.push(("style.model.heading_by".to_string(), p));
        }
        if let Some(l) = &s.label {
            out.push(("style.label.property".to_string(), l.property.as_str()));
            if let Some(p) = &l.property_zh {
                out.push(("style.label.property_zh".to_string(), p.as_str()));
            }
        }
        for (i, f) in self.identify.iter().enumerate() {
            out.push((format!("identify[{i}].property"), f.property.as_str()));
        }
        out
    }

    /// Checks what serde cannot: the id, the one source, colours, ranges, sizes. Each problem
    /// comes with the field that has it.
    pub fn check(&self) -> Vec<(String, String)> {
        let mut errs: Vec<(String, String)> = Vec::new();
        let e = &mut errs;
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            err(
                e,
                "id",
                format!(
                    "\"{}\" is not a layer id (lower-case letters, digits, _ and -)",
                    self.id
                ),
            );
        }
        if self.title.trim().is_empty() {
            err(e, "title", "the title is empty".into());
        }
        if !(0.0..=1.0).contains(&self.opacity) {
            err(e, "opacity", format!("{} is not between 0 and 1", self.opacity));
        }
        let src = &self.source;
        let given = [&src.file, &src.url, &src.endpoint]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if given != 1 {
            err(
                e,
                "source",
                format!("give exactly one of file, url or endpoint (found {given})"),
            );
        }
        if let Some(u) = &src.url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            err(e, "source.url", format!("\"{u}\" is not an http:// or https:// URL"));
        }
        if let Some(path) = &src.endpoint
            && !path.starts_with('/')
        {
            err(
                e,
                "source.endpoint",
                format!("\"{path}\" is not a path on the server (it starts with /)"),
            );
        }
        if let Some(r) = src.refresh_s
            && !(r.is_finite() && r >= 1.0)
        {
            err(
                e,
                "source.refresh_s",
                format!("{r} is not a refresh interval (1 s or more)"),
            );
        }
        let s = &self.style;
        fn colour(e: &mut Vec<(String, String)>, field: String, c: &str) {
            if let Err(reason) = parse_colour(c) {
                e.push((field, reason));
            }
        }
        if let Some(c) = &s.colour {
            colour(e, "style.colour".into(), c);
        }
        if let Some(by) = &s.colour_by {
            for (i, c) in by.categories.iter().enumerate() {
                colour(e, format!("style.colour_by.categories[{i}].colour"), &c.colour);
            }
            for (i, r) in by.ranges.iter().enumerate() {
                colour(e, format!("style.colour_by.ranges[{i}].colour"), &r.colour);
            }
            if let Some(d) = &by.default {
                colour(e, "style.colour_by.default".into(), d);
            }
        }
        if s.colour.is_some() && s.colour_by.is_some() {
            err(e, "style", "give colour or colour_by, not both".into());
        }
        if let Some(by) = &s.colour_by {
            if by.property.is_empty() {
                err(e, "style.colour_by.property", "the property is empty".into());
            }
            match (by.categories.is_empty(), by.ranges.is_empty()) {
                (true, true) => err(e, "style.colour_by", "give categories or ranges".into()),
                (false, false) => err(e, "style.colour_by", "give categories or ranges, not both".into()),
                _ => {}
            }
            let mut last: Option<f64> = None;
            for (i, r) in by.ranges.iter().enumerate() {
                let field = format!("style.colour_by.ranges[{i}].below");
                match r.below {
                    None if i + 1 < by.ranges.len() => {
                        err(e, &field, "only the last range may be open (no below)".into())
                    }
                    Some(b) if !b.is_finite() => err(e, &field, format!("{b} is not a number")),
                    Some(b) if last.is_some_and(|l| b <= l) => err(
                        e,
                        &field,
                        format!("{b} is not above the previous range's bound {}", last.unwrap_or(b)),
                    ),
                    _ => {}
                }
                last = r.below.or(last);
            }
            for (i, c) in by.categories.iter().enumerate() {
                if c.value.is_array() || c.value.is_object() || c.value.is_null() {
                    err(
                        e,
                        &format!("style.colour_by.categories[{i}].value"),
                        "a category is a string, a number or a boolean".into(),
                    );
                }
                if by.categories[..i].iter().any(|o| same_value(&o.value, &c.value)) {
                    err(
                        e,
                        &format!("style.colour_by.categories[{i}].value"),
                        format!("{} appears twice", c.value),
                    );
                }
            }
        }
        fn scaled(e: &mut Vec<(String, String)>, field: &str, sc: &Scaled) {
            if sc.property.is_none() && sc.height_m.is_none() {
                err(e, field, "give height_m or property".into());
            }
            if sc.property.is_some() && sc.height_m.is_some() {
                err(e, field, "give height_m or property, not both".into());
            }
            if !(sc.scale.is_finite() && sc.scale > 0.0) {
                err(
                    e,
                    &format!("{field}.scale"),
                    format!("{} is not a positive number", sc.scale),
                );
            }
            if sc.min_m < 0.0 {
                err(e, &format!("{field}.min_m"), format!("{} is negative", sc.min_m));
            }
            if let Some(m) = sc.max_m
                && m < sc.min_m
            {
                err(e, &format!("{field}.max_m"), format!("{m} is below min_m {}", sc.min_m));
            }
        }
        if let Some(x) = &s.extrude {
            scaled(e, "style.extrude", x);
        }
        if let Some(w) = s.line.as_ref().and_then(|l| l.width_by.as_ref()) {
            scaled(e, "style.line.width_by", w);
        }
        if let Some(m) = &s.marker {
            for (field, x) in [
                ("style.marker.size_by", &m.size_by),
                ("style.marker.height_by", &m.height_by),
            ] {
                if let Some(x) = x {
                    scaled(e, field, x);
                }
            }
            if !(m.size_m.is_finite() && m.size_m > 0.0) {
                err(e, "style.marker.size_m", format!("{} is not a positive size", m.size_m));
            }
            if let Some(h) = m.height_m
                && !(h.is_finite() && h > 0.0)
            {
                err(e, "style.marker.height_m", format!("{h} is not a positive height"));
            }
        }
        if let Some(m) = &s.model {
            if !(m.scale.is_finite() && m.scale > 0.0) {
                err(e, "style.model.scale", format!("{} is not a positive scale", m.scale));
            }
            if !m.heading_deg.is_finite() {
                err(
                    e,
                    "style.model.heading_deg",
                    format!("{} is not a number of degrees", m.heading_deg),
                );
            }
            let lower = m.file.to_ascii_lowercase();
            let path = lower.split(['?', '#']).next().unwrap_or("");
            if !(path.ends_with(".glb") || path.ends_with(".gltf")) {
                err(e, "style.model.file", format!("{} is not a .glb or .gltf file", m.file));
            }
            if s.marker.is_some() {
                err(
                    e,
                    "style.model",
                    "a layer draws its points as a model or as markers, not both".into(),
                );
            }
        }
        if let Some(l) = &s.line {
            if !(l.width_m.is_finite() && l.width_m > 0.0) {
                err(
                    e,
                    "style.line.width_m",
                    format!("{} is not a positive width", l.width_m),
                );
            }
            if !(l.arc_height_m.is_finite() && l.arc_height_m >= 0.0) {
                err(e, "style.line.arc_height_m", format!("{} is negative", l.arc_height_m));
            }
        }
        if let Some(r) = &s.visible_range
            && let Some(max) = r.max_m
            && max <= r.min_m
        {
            err(
                e,
                "style.visible_range.max_m",
                format!("{max} is not above min_m {}", r.min_m),
            );
        }
        errs
    }

    /// Checks the style against the features it draws: a property the style reads that no
    /// feature has is a typo until shown otherwise.
    pub fn check_features(&self, features: &[Feature]) -> Vec<(String, String)> {
        if features.is_empty() {
            return Vec::new();
        }
        self.properties_used()
            .into_iter()
            .filter(|(_, p)| {
                !features
                    .iter()
                    .any(|f| f.properties.as_ref().is_some_and(|m| m.contains_key(*p)))
            })
            .map(|(field, p)| (field, format!("no feature of the source has the property \"{p}\"")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::descriptor::parse_toml;

    /// Every error names the file, the line and the field, and says what is wrong.
    #[test]
    fn every_error_says_where_and_why() {
        let cases: &[(&str, &str, &str)] = &[
            (
                r##"id = "x"
title = "X"
group = "environment"
[source]
file = "a.geojson"
colr = "#fff"
"##,
                "o.toml:6: source.colr: unknown field `colr`, expected one of `file`, `url`, `endpoint`, `refresh_s`",
                "typo",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"enviroment\"\n[source]\nfile = \"a\"\n",
                "o.toml:3: group: unknown variant `enviroment`",
                "group",
            ),
            (
                "id = \"x\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n",
                "missing field `title`",
                "missing",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source\nfile = \"a\"\n",
                "o.toml:4: ",
                "syntax",
            ),
            (
                "id = \"Bad Id\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n",
                "o.toml:1: id: \"Bad Id\" is not a layer id",
                "id",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\nurl = \"http://h/x\"\n",
                "o.toml:4: source: give exactly one of file, url or endpoint (found 2)",
                "two sources",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nurl = \"ftp://h/x\"\n",
                "o.toml:5: source.url: \"ftp://h/x\" is not an http:// or https:// URL",
                "url",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nendpoint = \"api/x\"\n",
                "o.toml:5: source.endpoint: \"api/x\" is not a path on the server",
                "endpoint",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\nrefresh_s = 0\n",
                "o.toml:6: source.refresh_s: 0 is not a refresh interval",
                "refresh",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\nopacity = 1.5\n[source]\nfile = \"a\"\n",
                "o.toml:4: opacity: 1.5 is not between 0 and 1",
                "opacity",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style]\ncolour = \"orange\"\n",
                "o.toml:7: style.colour: \"orange\" is not a colour (#rrggbb or #rgb)",
                "colour",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\nranges = [\n { below = 10, colour = \"#fff\" },\n { below = 5, colour = \"#12\" },\n]\n",
                "o.toml:10: style.colour_by.ranges[1].colour: \"#12\" is not a colour",
                "range colour",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\nranges = [\n { below = 10, colour = \"#fff\" },\n { below = 5, colour = \"#000\" },\n]\n",
                "o.toml:10: style.colour_by.ranges[1].below: 5 is not above the previous range's bound 10",
                "range order",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\nranges = [\n { colour = \"#fff\" },\n { below = 5, colour = \"#000\" },\n]\n",
                "o.toml:9: style.colour_by.ranges[0].below: only the last range may be open",
                "open range",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\n",
                "o.toml:6: style.colour_by: give categories or ranges",
                "no rules",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style]\ncolour = \"#fff\"\n[style.colour_by]\nproperty = \"p\"\ncategories = [{ value = \"a\", colour = \"#000\" }]\n",
                "o.toml:6: style: give colour or colour_by, not both",
                "both colours",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.colour_by]\nproperty = \"p\"\ncategories = [{ value = \"a\", colour = \"#000\" }, { value = \"a\", colour = \"#fff\" }]\n",
                "o.toml:8: style.colour_by.categories[1].value: \"a\" appears twice",
                "duplicate category",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.extrude]\nscale = 2\n",
                "o.toml:6: style.extrude: give height_m or property",
                "extrude",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.extrude]\nproperty = \"p\"\nscale = -1\n",
                "o.toml:8: style.extrude.scale: -1 is not a positive number",
                "scale",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.marker]\nshape = \"star\"\n",
                "o.toml:7: style.marker.shape: unknown variant `star`, expected one of `box`, `cylinder`, `sphere`, `cone`",
                "shape",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.marker]\nsize_m = 0\n",
                "o.toml:7: style.marker.size_m: 0 is not a positive size",
                "size",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.model]\nfile = \"pump.obj\"\n",
                "o.toml:7: style.model.file: pump.obj is not a .glb or .gltf file",
                "model file",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.model]\nfile = \"pump.glb\"\nscale = -2\n",
                "o.toml:8: style.model.scale: -2 is not a positive scale",
                "model scale",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.marker]\nsize_m = 3\n[style.model]\nfile = \"pump.glb\"\n",
                "o.toml:8: style.model: a layer draws its points as a model or as markers, not both",
                "model and marker",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.line]\nwidth_m = -2\n",
                "o.toml:7: style.line.width_m: -2 is not a positive width",
                "width",
            ),
            (
                "id = \"x\"\ntitle = \"X\"\ngroup = \"energy\"\n[source]\nfile = \"a\"\n[style.visible_range]\nmin_m = 500\nmax_m = 100\n",
                "o.toml:8: style.visible_range.max_m: 100 is not above min_m 500",
                "range",
            ),
        ];
        for (src, want, what) in cases {
            let errs = parse_toml("o.toml", src).expect_err(what);
            let text = errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            assert!(text.contains(want), "{what}: wanted {want:?} in {text:?}");
        }
    }
}
