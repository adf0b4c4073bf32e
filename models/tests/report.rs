//! The report of the story's finding: the page renders, its SVG diagrams are well-formed XML,
//! and the diagram after the second add draws the self loop.

use lifecycle_models::{finding_html, picture_svg, pictures, run, Engine, Plan, Scenario};

#[test]
fn the_buggy_report_draws_the_self_loop_in_well_formed_svg() {
    let verdict = run(
        &Plan::of(&Scenario::named("socket-lifecycle/buggy").expect("in the catalogue")),
        Engine::Loom,
    );
    let finding = verdict.finding().expect("the story is found");
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

    let html = finding_html(
        &Scenario::named("socket-lifecycle/buggy").expect("in the catalogue"),
        finding,
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg ").count(), 2);
    assert!(html.contains("looping reader: `reader` holds the registry lock"));
    assert!(html.contains("free slot#0 (gen 0) STILL LINKED"));
}
