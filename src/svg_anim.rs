//! The self-playing SVG export: the frames of a range (drawn as for the GIF, `gif_export`) put in
//! one SVG document that plays itself wherever SVG is shown (an `<img>`, a README), with no
//! script. Each frame's picture is cut into its parts (the children of its top-level groups);
//! a part that is the same in many frames is stored once, and a CSS animation (`step-end`,
//! `visibility`) shows it during exactly the frames that had it. Most of the picture (broker
//! boxes, labels, records that stay) is stored once; what moves is stored per frame.

use std::collections::{BTreeMap, HashMap};
use wasm_bindgen::prelude::*;

/// One part of the picture and the frames that show it.
struct Part {
    markup: String,
    shown: Vec<bool>,
    /// Paint order: the top-level group, the part's place in it, the frame it first appeared in.
    order: (usize, usize, usize),
}

#[derive(Default)]
pub struct SvgAnimation {
    parts: Vec<Part>,
    index: HashMap<String, usize>,
    frames: usize,
    style: Option<String>,
    root: Option<String>,
    w: f64,
    h: f64,
}

fn serialize(node: &web_sys::Node) -> Result<String, JsValue> {
    web_sys::XmlSerializer::new()?.serialize_to_string(node)
}

/// `<g a="b">` of an element, without its children.
fn open_tag(el: &web_sys::Element) -> Result<String, JsValue> {
    let shallow = serialize(&el.clone_node()?)?;
    let tag = el.tag_name();
    Ok(match shallow.strip_suffix("/>") {
        Some(open) => format!("{open}>"),
        None => shallow.strip_suffix(&format!("</{tag}>")).unwrap_or(&shallow).to_string(),
    })
}

impl SvgAnimation {
    /// Adds the picture as it is now (`export::svg_element`) as the next frame.
    pub fn add_frame(&mut self, svg: &web_sys::Element, w: f64, h: f64) -> Result<(), JsValue> {
        let frame = self.frames;
        self.frames += 1;
        self.w = self.w.max(w);
        self.h = self.h.max(h);
        if self.root.is_none() {
            // The root's attributes but its size (set at the end from every frame's) and id.
            let attrs = svg.attributes();
            let mut root = String::new();
            for i in 0..attrs.length() {
                let Some(a) = attrs.item(i) else { continue };
                if !["viewBox", "width", "height", "xmlns", "id"].contains(&a.name().as_str()) {
                    let v = a.value().replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
                    root.push_str(&format!(" {}=\"{v}\"", a.name()));
                }
            }
            self.root = Some(root);
        }
        let top = svg.children();
        for i in 0..top.length() {
            let Some(child) = top.item(i) else { continue };
            if child.tag_name() == "style" {
                if self.style.is_none() {
                    self.style = child.text_content();
                }
                continue;
            }
            let pieces = child.children();
            if child.tag_name() == "g" && pieces.length() > 0 {
                let open = open_tag(&child)?;
                for j in 0..pieces.length() {
                    if let Some(p) = pieces.item(j) {
                        self.add_part(format!("{open}{}</g>", serialize(&p)?), frame, (i as usize, j as usize, frame));
                    }
                }
            } else {
                self.add_part(serialize(&child)?, frame, (i as usize, 0, frame));
            }
        }
        Ok(())
    }

    fn add_part(&mut self, markup: String, frame: usize, order: (usize, usize, usize)) {
        let id = match self.index.get(&markup) {
            Some(&id) => id,
            None => {
                self.parts.push(Part { markup: markup.clone(), shown: Vec::new(), order });
                self.index.insert(markup, self.parts.len() - 1);
                self.parts.len() - 1
            }
        };
        let shown = &mut self.parts[id].shown;
        shown.resize(frame + 1, false);
        shown[frame] = true;
    }

    /// The document: `width` pixels wide, each frame `1 / fps` seconds, looping.
    pub fn finish(mut self, fps: u32, width: u32) -> String {
        let n = self.frames.max(1);
        let period = n as f64 / fps.max(1) as f64;
        for p in &mut self.parts {
            p.shown.resize(n, false);
        }
        self.parts.sort_by_key(|p| p.order);
        // One class per pattern of frames shown.
        let mut classes: BTreeMap<Vec<bool>, usize> = BTreeMap::new();
        for p in &self.parts {
            if !p.shown.iter().all(|s| *s) {
                let next = classes.len();
                classes.entry(p.shown.clone()).or_insert(next);
            }
        }
        let mut css = self.style.take().unwrap_or_default();
        for (shown, k) in &classes {
            css.push_str(&format!("@keyframes ksa{k} {{"));
            for (i, s) in shown.iter().enumerate() {
                if i == 0 || shown[i - 1] != *s {
                    let v = if *s { "visible" } else { "hidden" };
                    css.push_str(&format!(" {:.4}% {{ visibility: {v}; }}", i as f64 * 100.0 / n as f64));
                }
            }
            css.push_str(&format!(
                " }}\n.ksa{k} {{ visibility: hidden; animation: ksa{k} {period:.3}s step-end infinite !important; }}\n"
            ));
        }
        let height = (self.h / self.w * width as f64).round();
        let root = self.root.take().unwrap_or_default();
        // The size: the largest frame's, drawn `width` wide.
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"{root} viewBox=\"0 0 {:.0} {:.0}\" width=\"{width}\" height=\"{height:.0}\"><style><![CDATA[{}]]></style>",
            self.w,
            self.h,
            css.replace("]]>", "]]]]><![CDATA[>")
        );
        for p in &self.parts {
            match classes.get(&p.shown) {
                Some(k) => out.push_str(&format!("<g class=\"ksa{k}\">{}</g>", p.markup)),
                None => out.push_str(&p.markup),
            }
        }
        out.push_str("</svg>");
        out
    }
}
