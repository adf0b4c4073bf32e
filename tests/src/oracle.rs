//! The oracle: a generated case run through the rule checker and the engines (loom at the
//! case's preemption bound, the state graph, shuttle's PCT as a third opinion), and the
//! statistics a fuzz run prints: how many cases followed the rules, and per rule how many
//! rule-breaking cases each engine turned into a finding within its bounds.

use crate::generate::Case;
use lifecycle_models::{
    check, Bounds, Engine, Finding, FindingKind, Rule, Scenario, Verdict, What,
};
use lifecycle_models::{lint, Violation};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The engines every case runs on.
pub const ENGINES: [Engine; 3] = [Engine::Loom, Engine::States, Engine::ShuttlePct];

/// What the rule checker and each engine concluded about one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The rules the checker found broken.
    pub violations: Vec<Violation>,
    /// Each engine's finding kind (`None`: it passed; engines that cannot run it are left out).
    pub verdicts: Vec<(Engine, Option<FindingKind>, String)>,
    /// Each engine's time and executions on the case.
    pub costs: Vec<(Engine, f64, usize)>,
    /// Where an engine's finding explains itself with steps, slots or names its own trace and
    /// scenario do not have ([`root_cause_problems`], [`diagnosis_problems`]).
    pub misread: Vec<String>,
}

impl Outcome {
    /// Whether the checker passed the case.
    pub fn follows_the_rules(&self) -> bool {
        self.violations.is_empty()
    }

    /// The rules broken, each once.
    pub fn rules(&self) -> Vec<Rule> {
        let mut rules: Vec<Rule> = self.violations.iter().map(|v| v.rule).collect();
        rules.sort();
        rules.dedup();
        rules
    }

    /// An engine finding that no broken rule explains (a rule broken whose kinds include it).
    pub fn unexplained(&self) -> Option<String> {
        self.verdicts.iter().find_map(|(engine, kind, message)| {
            let kind = (*kind)?;
            let explained = self.violations.iter().any(|v| v.rule.can_cause(kind));
            (!explained).then(|| {
                format!(
                    "{} found {kind} ({message}), which no broken rule explains (rules broken: \
                     {:?})",
                    engine.name(),
                    self.rules().iter().map(|r| r.name()).collect::<Vec<_>>()
                )
            })
        })
    }
}

/// The bounds a case runs with: loom at `preemption_bound`, PCT 200 schedules; no replay is
/// saved (a kept case is a file every engine explores again).
pub fn bounds(preemption_bound: usize) -> Bounds {
    Bounds {
        preemption_bound: Some(preemption_bound),
        iterations: 200,
        max_states: 200_000,
        save_replay: false,
        ..Bounds::quick()
    }
}

/// Runs `case` through the rule checker and every engine of [`ENGINES`] that can run it.
pub fn run(case: &Case) -> Outcome {
    let violations = lint(&case.scenario).violations;
    let mut verdicts = Vec::new();
    let mut costs = Vec::new();
    let mut misread = Vec::new();
    for engine in ENGINES {
        let ran = check(&case.scenario)
            .engine(engine)
            .bounds(bounds(case.preemption_bound))
            .run();
        for (engine, verdict) in ran {
            costs.push((
                engine,
                verdict.elapsed().as_secs_f64(),
                verdict.executions(),
            ));
            match verdict {
                Verdict::Found(finding) => {
                    misread.extend(
                        root_cause_problems(&finding)
                            .into_iter()
                            .chain(diagnosis_problems(&finding, &case.scenario))
                            .map(|problem| format!("{}: {problem}", engine.name())),
                    );
                    verdicts.push((engine, Some(finding.kind), finding.message.clone()))
                }
                Verdict::Pass { .. } | Verdict::Vacuous { .. } => {
                    verdicts.push((engine, None, String::new()))
                }
                // A state graph past its budget proves nothing either way: no verdict.
                Verdict::NotRun { .. } | Verdict::Incomplete { .. } => {}
            }
        }
    }
    Outcome {
        violations,
        verdicts,
        costs,
        misread,
    }
}

/// Where `finding`'s diagnosis names what its scenario and trace do not have: every `step N`
/// must be a step of the trace, every `slot#N` a slot of the world, and every name in
/// backquotes that is one word an actor of the trace or a lock, list, table or event of the
/// world (or a step's verb: `free`, `lookup_rcu`). The engine's own message, which the
/// diagnosis quotes, is left out.
pub fn diagnosis_problems(finding: &Finding, scenario: &Scenario) -> Vec<String> {
    // The engine's own words (loom's `UnsafeCell`) are quoted, not the diagnosis's claims.
    let text = &finding.diagnosis.replace(finding.message.trim_end(), "");
    let last_step = finding.trace.iter().map(|e| e.step).max().unwrap_or(0);
    let world = &scenario.world;
    let mut known: Vec<&str> = finding.trace.iter().map(|e| e.thread.as_str()).collect();
    known.extend(world.locks.iter().map(|l| l.name.as_str()));
    known.extend(world.lists.iter().map(|l| l.name.as_str()));
    known.extend(world.tables.iter().map(|t| t.name.as_str()));
    known.extend(world.events.iter().map(String::as_str));
    let step_texts: Vec<String> = scenario
        .actors
        .iter()
        .flat_map(|a| &a.steps)
        .map(|s| s.value.text(world))
        .collect();
    known.extend(step_texts.iter().filter_map(|t| t.split(' ').next()));
    // The numbers that follow `prefix` in the text.
    let numbers_after = |prefix: &str| -> Vec<usize> {
        text.match_indices(prefix)
            .filter_map(|(at, _)| {
                let digits: String = text[at + prefix.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse().ok()
            })
            .collect()
    };
    let mut problems = Vec::new();
    for step in numbers_after("step ") {
        if step == 0 || step > last_step {
            problems.push(format!(
                "the diagnosis names step {step}; the trace has steps 1 to {last_step}: {text}"
            ));
        }
    }
    for slot in numbers_after("slot#") {
        if slot >= world.objects {
            problems.push(format!(
                "the diagnosis names slot#{slot}; the world has {} slots: {text}",
                world.objects
            ));
        }
    }
    for quoted in text.split('`').skip(1).step_by(2) {
        if !quoted.contains(' ') && !quoted.is_empty() && !known.contains(&quoted) {
            problems.push(format!(
                "the diagnosis names `{quoted}`, which is no actor, lock, list, table, event or \
                 step of the scenario: {text}"
            ));
        }
    }
    problems
}

/// Where `finding`'s root cause does not match its own trace: each step it names must be an
/// event of the actor it names doing what it says (the free of the slot while linked, its
/// allocation, its add), and a looping reader's re-added link must be on the cycle drawn.
pub fn root_cause_problems(finding: &Finding) -> Vec<String> {
    let Some(cause) = &finding.root_cause else {
        return Vec::new();
    };
    // Each claim: the step, the actor, the slot, and what the event there must be.
    let mut claims = vec![
        (
            cause.freed_at_step,
            &cause.freed_by,
            cause.slot,
            "free while linked",
        ),
        (
            cause.reallocated_at_step,
            &cause.reallocated_by,
            cause.slot,
            "reallocation",
        ),
        (
            cause.added_again_at_step,
            &cause.added_again_by,
            cause.slot,
            "second add",
        ),
    ];
    claims.extend(cause.also_freed_while_linked.iter().map(|other| {
        (
            other.freed_at_step,
            &other.freed_by,
            other.slot,
            "free while linked",
        )
    }));
    let mut problems = Vec::new();
    for (step, actor, slot, what) in claims {
        let event = finding.trace.iter().find(|e| e.step == step);
        let done = event.is_some_and(|e| {
            &e.thread == actor
                && match (&e.what, what) {
                    (
                        What::Free {
                            slot: s,
                            still_linked: true,
                            ..
                        },
                        "free while linked",
                    )
                    | (What::Alloc { slot: s, .. }, "reallocation")
                    | (What::Add { slot: s, .. }, "second add") => *s == slot,
                    _ => false,
                }
        });
        if !done {
            problems.push(format!(
                "the root cause says `{actor}` did the {what} of slot#{slot} at step {step}, the \
                 trace has {event:?}"
            ));
        }
    }
    // (The walk right after the add always passes the added link: only the drawn cycle can
    // tell a root cause that names the wrong slot.)
    if finding.kind == FindingKind::LoopingReader
        && !finding.cycle.is_empty()
        && !finding.cycle.contains(&cause.node)
    {
        problems.push(format!(
            "the root cause's link {} is not on the drawn cycle {:?}",
            cause.node, finding.cycle
        ));
    }
    problems
}

/// Counts over a fuzz run, or over the shards of a campaign merged ([`Stats::merge`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Cases run.
    pub cases: usize,
    /// Cases the rule checker passed.
    pub followed: usize,
    /// Cases meant to break a rule that the checker passed.
    pub intended_but_clean: usize,
    /// Per rule broken: cases, and per engine the cases it turned into a finding.
    pub per_rule: BTreeMap<Rule, (usize, BTreeMap<&'static str, usize>)>,
    /// Per engine: findings on cases that followed the rules (each one a broken property).
    pub findings_on_clean: BTreeMap<&'static str, usize>,
    /// Per engine: seconds and executions spent, and the slowest case's seconds.
    pub cost: BTreeMap<&'static str, (f64, usize, f64)>,
    /// The slowest case's text and seconds, over every engine.
    pub slowest: (f64, String),
    /// Wall-clock seconds of the run (of the longest shard, merged: shards run side by side).
    pub wall: f64,
}

/// An engine of [`ENGINES`] by name.
fn engine_named(name: &str) -> Result<&'static str, String> {
    ENGINES
        .iter()
        .map(|engine| engine.name())
        .find(|known| *known == name)
        .ok_or_else(|| format!("unknown engine `{name}` (expected one of {ENGINES:?})"))
}

impl Stats {
    /// Adds one case.
    pub fn add(&mut self, case: &Case, outcome: &Outcome) {
        self.cases += 1;
        let total: f64 = outcome.costs.iter().map(|c| c.1).sum();
        if total > self.slowest.0 {
            self.slowest = (total, case.text.clone());
        }
        for (engine, seconds, executions) in &outcome.costs {
            let cost = self.cost.entry(engine.name()).or_default();
            cost.0 += seconds;
            cost.1 += executions;
            cost.2 = cost.2.max(*seconds);
        }
        if outcome.follows_the_rules() {
            self.followed += 1;
            if case.intended.is_some() {
                self.intended_but_clean += 1;
            }
            for (engine, kind, _) in &outcome.verdicts {
                if kind.is_some() {
                    *self.findings_on_clean.entry(engine.name()).or_default() += 1;
                }
            }
        }
        for rule in outcome.rules() {
            let (cases, found) = self.per_rule.entry(rule).or_default();
            *cases += 1;
            for (engine, kind, _) in &outcome.verdicts {
                let entry = found.entry(engine.name()).or_default();
                if kind.is_some() {
                    *entry += 1;
                }
            }
        }
    }

    /// Adds another run's counts: the statistics of shards of one campaign merge into the
    /// campaign's (counts add up; the wall time is the longest shard's).
    pub fn merge(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.followed += other.followed;
        self.intended_but_clean += other.intended_but_clean;
        for (rule, (cases, found)) in &other.per_rule {
            let (total, totals) = self.per_rule.entry(*rule).or_default();
            *total += cases;
            for (engine, n) in found {
                *totals.entry(engine).or_default() += n;
            }
        }
        for (engine, n) in &other.findings_on_clean {
            *self.findings_on_clean.entry(engine).or_default() += n;
        }
        for (engine, (seconds, executions, slowest)) in &other.cost {
            let cost = self.cost.entry(engine).or_default();
            cost.0 += seconds;
            cost.1 += executions;
            cost.2 = cost.2.max(*slowest);
        }
        if other.slowest.0 > self.slowest.0 {
            self.slowest = other.slowest.clone();
        }
        self.wall = self.wall.max(other.wall);
    }

    /// The counts as text, one fact a line (`cases 300`, `found RULE ENGINE 12`, ...), for a
    /// shard to write (`FUZZ_STATS_DIR`) and [`Stats::read`] to read back; the slowest case's
    /// text is left out.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "cases {}", self.cases);
        let _ = writeln!(out, "followed {}", self.followed);
        let _ = writeln!(out, "intended-but-clean {}", self.intended_but_clean);
        let _ = writeln!(out, "wall {}", self.wall);
        for (rule, (cases, found)) in &self.per_rule {
            let _ = writeln!(out, "rule {rule} {cases}");
            for (engine, n) in found {
                let _ = writeln!(out, "found {rule} {engine} {n}");
            }
        }
        for (engine, n) in &self.findings_on_clean {
            let _ = writeln!(out, "clean {engine} {n}");
        }
        for (engine, (seconds, executions, slowest)) in &self.cost {
            let _ = writeln!(out, "cost {engine} {seconds} {executions} {slowest}");
        }
        out
    }

    /// Reads what [`Stats::to_text`] wrote; an error names the line.
    pub fn read(text: &str) -> Result<Stats, String> {
        let mut stats = Stats::default();
        for (number, line) in text.lines().enumerate() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let bad = |why: &str| format!("line {}: `{line}`: {why}", number + 1);
            let count = |word: &str| word.parse::<usize>().map_err(|_| bad("not a count"));
            let seconds = |word: &str| word.parse::<f64>().map_err(|_| bad("not seconds"));
            let rule = |word: &str| Rule::from_name(word).ok_or_else(|| bad("unknown rule"));
            match words[..] {
                [] => {}
                ["cases", n] => stats.cases = count(n)?,
                ["followed", n] => stats.followed = count(n)?,
                ["intended-but-clean", n] => stats.intended_but_clean = count(n)?,
                ["wall", s] => stats.wall = seconds(s)?,
                ["rule", r, n] => stats.per_rule.entry(rule(r)?).or_default().0 = count(n)?,
                ["found", r, e, n] => {
                    let engine = engine_named(e).map_err(|why| bad(&why))?;
                    let found = &mut stats.per_rule.entry(rule(r)?).or_default().1;
                    found.insert(engine, count(n)?);
                }
                ["clean", e, n] => {
                    let engine = engine_named(e).map_err(|why| bad(&why))?;
                    stats.findings_on_clean.insert(engine, count(n)?);
                }
                ["cost", e, s, n, slowest] => {
                    let engine = engine_named(e).map_err(|why| bad(&why))?;
                    stats
                        .cost
                        .insert(engine, (seconds(s)?, count(n)?, seconds(slowest)?));
                }
                _ => return Err(bad("unknown line")),
            }
        }
        Ok(stats)
    }

    /// The statistics as a Markdown table, with the totals above it.
    pub fn table(&self, seconds: f64) -> String {
        let mut out = String::new();
        let rate = self.cases as f64 / seconds.max(1e-9);
        let _ = writeln!(
            out,
            "{} cases in {seconds:.1} s ({rate:.1} cases/s); {} followed the rules ({} of them \
             meant to break one); findings on rule-following cases: {:?}",
            self.cases, self.followed, self.intended_but_clean, self.findings_on_clean
        );
        for (engine, (seconds, executions, slowest)) in &self.cost {
            let _ = writeln!(
                out,
                "{engine}: {seconds:.1} s, {executions} executions (slowest case {slowest:.2} s)"
            );
        }
        let _ = writeln!(
            out,
            "\n| rule broken | cases | {} |",
            ENGINES.map(Engine::name).join(" | ")
        );
        let _ = writeln!(out, "| --- | ---: |{}", " ---: |".repeat(ENGINES.len()));
        for (rule, (cases, found)) in &self.per_rule {
            let cells: Vec<String> = ENGINES
                .iter()
                .map(|engine| {
                    let n = found.get(engine.name()).copied().unwrap_or(0);
                    format!("{n} ({:.0}%)", 100.0 * n as f64 / (*cases).max(1) as f64)
                })
                .collect();
            let _ = writeln!(out, "| {rule} | {cases} | {} |", cells.join(" | "));
        }
        out
    }
}
