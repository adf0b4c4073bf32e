//! The report of the story's finding: the page renders, its SVG diagrams are well-formed XML,
//! and the diagram after the second add draws the self loop.

use lifecycle_models::{finding_html, picture_svg, pictures, run, Engine, Finding, Plan, Scenario};

/// What loom finds in `scenario` (each scenario here is a buggy one).
fn loom_finding(scenario: &Scenario) -> Finding {
    run(&Plan::of(scenario), Engine::Loom)
        .finding()
        .unwrap_or_else(|| panic!("loom finds the bug of {}", scenario.name))
        .clone()
}

/// The catalogue's scenario `name`.
fn catalogue(name: &str) -> Scenario {
    Scenario::named(name).expect("in the catalogue")
}

#[test]
fn the_buggy_report_draws_the_self_loop_in_well_formed_svg() {
    let finding = &loom_finding(&catalogue("socket-lifecycle/buggy"));
    let pictures = pictures(finding);
    assert_eq!(pictures.len(), 2, "one picture after each list_add");
    let (caption, last) = pictures.last().unwrap();
    assert!(
        caption.contains("allocator list_add(slot#0, head)"),
        "{caption}"
    );
    let svg = picture_svg(last, caption);
    let document = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let self_loops: Vec<_> = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("edge next self-loop"))
        .collect();
    assert_eq!(
        self_loops.len(),
        1,
        "slot#0.next == slot#0 is drawn as a loop"
    );
    let before = picture_svg(&pictures[0].1, &pictures[0].0);
    roxmltree::Document::parse(&before).expect("well-formed");
    assert!(!before.contains("self-loop"), "no loop after the first add");

    let html = finding_html(&catalogue("socket-lifecycle/buggy"), finding);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg ").count(), 2);
    assert!(html.contains("looping reader: `reader` holds the registry lock"));
    assert!(html.contains("free slot#0 (gen 0) STILL LINKED"));
}

#[test]
fn a_longer_cycle_without_the_head_is_drawn_in_red_too() {
    let scenario = Scenario::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/scenarios/user/two-freed-linked/buggy.toml"
    ))
    .expect("the user set's file");
    let finding = &loom_finding(&scenario);
    let (caption, last) = pictures(finding).pop().expect("pictures");
    assert!(
        caption.contains("allocator list_add(slot#0, head)"),
        "{caption}"
    );
    let svg = picture_svg(&last, &caption);
    let document = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let red: Vec<&str> = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("edge next cycle"))
        .map(|n| n.attribute("stroke").unwrap_or_default())
        .collect();
    // slot#0 -> slot#1 and slot#1 -> slot#0; head -> slot#0 leads into it but is not on it.
    assert_eq!(red, ["#c0392b", "#c0392b"], "{svg}");
    let first = picture_svg(&pictures(finding)[0].1, "before");
    assert!(
        !first.contains("edge next cycle"),
        "no cycle before the re-add"
    );
}

#[test]
fn a_picture_of_two_lists_draws_each_from_its_own_head() {
    let finding = &loom_finding(&catalogue("two-lists/buggy"));
    let all = pictures(finding);
    let (caption, last) = all.last().expect("pictures");
    let svg = picture_svg(last, caption);
    let document = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let rows: Vec<_> = document
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("svg"))
        .collect();
    assert_eq!(rows.len(), 2, "one row per list: {svg}");
    assert!(svg.contains(": the list of head<") && svg.contains(">the list of hash-head<"));
    let class = |name: &str| {
        document
            .descendants()
            .filter(|n| n.attribute("class") == Some(name))
            .count()
    };
    assert_eq!(
        class("edge next self-loop"),
        1,
        "slot#0.hash.next == slot#0.hash"
    );
    // After the first add the hash chain is empty: its head links to itself, drawn plain.
    let first = picture_svg(&all[0].1, &all[0].0);
    assert!(first.contains(r#"class="edge next empty""#), "{first}");
    assert!(
        !first.contains("self-loop"),
        "an empty list is not the bug: {first}"
    );
}
