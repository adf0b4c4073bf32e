//! The list drawn as an SVG diagram (head and nodes as boxes, `next` and `prev` as arrows, a self
//! loop visible as a loop) after each list operation: the pictures the original write-up of the
//! bug had. Hand-written SVG, no Graphviz.

use super::escape;
use crate::outcome::ListPicture;
use std::fmt::Write as _;

const BOX_WIDTH: i32 = 124;
const BOX_HEIGHT: i32 = 40;
const GAP: i32 = 84;
const TOP: i32 = 110;
/// One list's picture, boxes and the arrows above and below them.
const ROW_HEIGHT: i32 = TOP + BOX_HEIGHT + 110;

fn box_x(index: usize) -> i32 {
    20 + index as i32 * (BOX_WIDTH + GAP)
}

/// Draws `picture` as an SVG: one box per node (grey and dashed when free), `next` arrows above
/// the boxes, `prev` arrows below, a loop for a link to itself, and a label for a link that
/// points nowhere (`NULL`, `POISON1`). The self loop's path has the class `edge next self-loop`
/// (a head linked to itself is an empty list, drawn plain, `edge next empty`);
/// the `next` links of any longer cycle without the head are red too, with the class
/// `edge next cycle`.
///
/// A picture of several lists (each list whose lock was held) draws one row per list, each
/// from its own head, stacked in one SVG.
pub fn picture_svg(picture: &ListPicture, caption: &str) -> String {
    let lists = picture.lists();
    if lists.len() <= 1 {
        return list_svg(picture, caption);
    }
    let rows: Vec<String> = lists
        .iter()
        .enumerate()
        .map(|(i, list)| {
            let head = list.nodes.first().map_or("", |n| n.name.as_str());
            let title = if i == 0 {
                format!("{caption}: the list of {head}")
            } else {
                format!("the list of {head}")
            };
            list_svg(list, &title)
        })
        .collect();
    let width = lists
        .iter()
        .map(|list| box_x(list.nodes.len()) + 20)
        .max()
        .unwrap_or(0);
    let height = ROW_HEIGHT * rows.len() as i32;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
"##
    );
    for (i, row) in rows.iter().enumerate() {
        // A nested <svg> is placed by its own x and y.
        let placed = row.replacen(
            "<svg ",
            &format!("<svg x=\"0\" y=\"{}\" ", ROW_HEIGHT * i as i32),
            1,
        );
        svg.push_str(&placed);
    }
    svg.push_str("</svg>\n");
    svg
}

/// One list's row: its head and nodes as boxes, their links as arrows.
fn list_svg(picture: &ListPicture, caption: &str) -> String {
    let width = box_x(picture.nodes.len()) + 20;
    let height = ROW_HEIGHT;
    let index_of = |name: &str| picture.nodes.iter().position(|n| n.name == name);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="13">
<defs>
<marker id="next-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fbf"/></marker>
<marker id="prev-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b5651d"/></marker>
</defs>
<text x="20" y="22" font-size="14">{}</text>
"##,
        escape(caption)
    );
    for (i, node) in picture.nodes.iter().enumerate() {
        let x = box_x(i);
        let (fill, dash) = if node.allocated {
            ("#eef4ff", "")
        } else {
            ("#eeeeee", r#" stroke-dasharray="5,3""#)
        };
        let _ = writeln!(
            svg,
            r##"<g class="node" id="node-{name}"><rect x="{x}" y="{TOP}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="6" fill="{fill}" stroke="#333"{dash}/><text x="{tx}" y="{ty}" text-anchor="middle">{label}</text></g>"##,
            name = escape(&node.name),
            tx = x + BOX_WIDTH / 2,
            ty = TOP + BOX_HEIGHT / 2 + 5,
            label = escape(&format!(
                "{}{}",
                node.name,
                if node.allocated { "" } else { " (free)" }
            )),
        );
    }
    // The `next` links of a cycle without the head, whatever its length: drawn in red.
    let cycle: Vec<(String, String)> = picture
        .nodes
        .first()
        .map(|head| picture.walk_from(&head.name))
        .and_then(|walk| {
            let last = walk.last()?;
            let start = walk.iter().position(|n| n == last)?;
            (start + 1 < walk.len() && *last != walk[0]).then(|| {
                walk[start..]
                    .windows(2)
                    .map(|pair| (pair[0].clone(), pair[1].clone()))
                    .collect()
            })
        })
        .unwrap_or_default();
    for (i, node) in picture.nodes.iter().enumerate() {
        for (link, target, above) in [("next", &node.next, true), ("prev", &node.prev, false)] {
            let color = if above { "#1f5fbf" } else { "#b5651d" };
            let marker = if above { "next-arrow" } else { "prev-arrow" };
            let start_x = box_x(i) + BOX_WIDTH / 2 + if above { 12 } else { -12 };
            let edge_y = if above { TOP } else { TOP + BOX_HEIGHT };
            let bend = if above { -1 } else { 1 };
            match index_of(target) {
                Some(0) if i == 0 => {
                    // A head linked to itself is an empty list, not the bug.
                    let (x0, x1) = (box_x(i) + 20, box_x(i) + BOX_WIDTH - 20);
                    let peak = edge_y + bend * 40;
                    let _ = writeln!(
                        svg,
                        r##"<path class="edge {link} empty" d="M{x1},{edge_y} C{x1},{peak} {x0},{peak} {x0},{edge_y}" fill="none" stroke="{color}" stroke-width="1.6" marker-end="url(#{marker})"/><text x="{tx}" y="{ly}" fill="{color}" text-anchor="middle">{text}</text>"##,
                        tx = box_x(i) + BOX_WIDTH / 2,
                        ly = edge_y + bend * 46,
                        text = if above { "empty" } else { "" },
                    );
                }
                Some(j) if j == i => {
                    // The bug's picture: a node whose link points back at itself.
                    let (x0, x1) = (box_x(i) + 20, box_x(i) + BOX_WIDTH - 20);
                    let peak = edge_y + bend * 62;
                    let _ = writeln!(
                        svg,
                        r##"<path class="edge {link} self-loop" d="M{x1},{edge_y} C{x1},{peak} {x0},{peak} {x0},{edge_y}" fill="none" stroke="#c0392b" stroke-width="2.5" marker-end="url(#{marker})"/><text x="{tx}" y="{ly}" fill="#c0392b" text-anchor="middle">{link} = itself</text>"##,
                        tx = box_x(i) + BOX_WIDTH / 2,
                        ly = edge_y + bend * 50,
                    );
                }
                Some(j) => {
                    let end_x = box_x(j) + BOX_WIDTH / 2 + if above { -12 } else { 12 };
                    let distance = (j as i32 - i as i32).abs();
                    let peak = edge_y + bend * (22 + 16 * distance);
                    let on_cycle =
                        above && cycle.iter().any(|(a, b)| *a == node.name && b == target);
                    let (class, color, width) = if on_cycle {
                        (" cycle", "#c0392b", "2.5")
                    } else {
                        ("", color, "1.6")
                    };
                    let _ = writeln!(
                        svg,
                        r##"<path class="edge {link}{class}" d="M{start_x},{edge_y} C{start_x},{peak} {end_x},{peak} {end_x},{edge_y}" fill="none" stroke="{color}" stroke-width="{width}" marker-end="url(#{marker})"/>"##
                    );
                }
                None => {
                    let _ = writeln!(
                        svg,
                        r##"<text class="edge {link} dangling" x="{start_x}" y="{ly}" fill="{color}" text-anchor="middle">{link}: {target}</text>"##,
                        ly = edge_y + bend * 18,
                        target = escape(target),
                    );
                }
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}
