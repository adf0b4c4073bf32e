//! SARIF 2.1.0 output of the rule checker (built with the `serde-sarif` crate), so a CI's code
//! scanning shows each broken rule on the scenario file's line.

use super::Violation;
use crate::language::Rule;
use serde_sarif::sarif;

/// The violations of one lint run as one SARIF log: one run, the tool `lifecycle-check lint`
/// with every rule of the table, and one result per violation at its file and line.
pub fn to_sarif(violations: &[Violation]) -> sarif::Sarif {
    let rules: Vec<sarif::ReportingDescriptor> = Rule::ALL
        .iter()
        .map(|rule| {
            sarif::ReportingDescriptor::builder()
                .id(rule.name())
                .name(rule.name())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(rule.reason())
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = violations
        .iter()
        .map(|violation| {
            let region = sarif::Region::builder()
                .start_line(violation.line as i64)
                .start_column(violation.column as i64)
                .build();
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder()
                        .artifact_location(
                            sarif::ArtifactLocation::builder()
                                .uri(violation.path.clone())
                                .build(),
                        )
                        .region(region)
                        .build(),
                )
                .build();
            sarif::Result::builder()
                .rule_id(violation.rule.name())
                .rule_index(violation.rule as i64)
                .level(sarif::ResultLevel::Error)
                .message(
                    sarif::Message::builder()
                        .text(violation.message.clone())
                        .build(),
                )
                .locations(vec![location])
                .build()
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("lifecycle-check lint")
        .information_uri("https://example.invalid/lifecycle-check")
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .build();
    sarif::Sarif::builder()
        .version(sarif::Version::V2_1_0.to_string())
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .runs(vec![run])
        .build()
}
