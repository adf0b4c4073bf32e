//! Regression proofs: failing executions the suite relies on, kept as replayable schedules under
//! `tests/regressions/` (see the README there for each one's story), replayed by `cargo test` to
//! show the buggy scenarios still fail the same way.
//!
//! Regenerate after an intended change to a scenario with
//! `cargo test -p lifecycle-tests --test regressions -- --ignored regenerate`.

use lifecycle_models::{
    replay, run, Engine, Finding, FindingKind, Plan, SavedReplay, Scenario, Verdict,
};
use std::path::PathBuf;

/// A kept failing execution: the scenario, the engine that found it, and what it shows.
struct Proof {
    scenario: &'static str,
    engine: Engine,
    kind: FindingKind,
}

const PROOFS: [Proof; 5] = [
    Proof {
        scenario: "socket-lifecycle/buggy",
        engine: Engine::ShuttlePct,
        kind: FindingKind::LoopingReader,
    },
    Proof {
        scenario: "socket-lifecycle/buggy",
        engine: Engine::Loom,
        kind: FindingKind::LoopingReader,
    },
    Proof {
        scenario: "socket-lifecycle/debug-list",
        engine: Engine::ShuttlePct,
        kind: FindingKind::DoubleAdd,
    },
    Proof {
        scenario: "freelist/aba",
        engine: Engine::Loom,
        kind: FindingKind::SlotHandedOutTwice,
    },
    Proof {
        scenario: "freelist/aba",
        engine: Engine::ShuttlePct,
        kind: FindingKind::SlotHandedOutTwice,
    },
];

impl Proof {
    /// `regressions/socket-lifecycle-buggy--shuttle-pct.replay.toml`.
    fn path(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("regressions")
            .join(format!(
                "{}--{}.replay.toml",
                self.scenario.replace('/', "-"),
                self.engine.name()
            ))
    }

    fn scenario(&self) -> Scenario {
        Scenario::named(self.scenario).expect("a catalogue scenario")
    }
}

fn replay_proof(proof: &Proof) -> Finding {
    let file = proof.path();
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("regression proof {} missing: {e}", file.display()));
    let saved = SavedReplay::from_toml(&text)
        .unwrap_or_else(|e| panic!("{}: not a replay file: {e}", file.display()));
    let scenario = proof.scenario();
    if let Some(mismatch) = saved.mismatch(&scenario) {
        panic!("{}: {mismatch} (regenerate)", file.display());
    }
    match replay(&Plan::of(&scenario), &saved.replay) {
        Verdict::Found(finding) => *finding,
        other => panic!(
            "{}: the kept schedule no longer fails ({}): the bug is gone",
            file.display(),
            other.label()
        ),
    }
}

#[test]
fn every_kept_schedule_still_fails_the_same_way() {
    for proof in &PROOFS {
        let finding = replay_proof(proof);
        let file = proof.path().display().to_string();
        assert_eq!(finding.kind, proof.kind, "{file}: {}", finding.diagnosis);
        assert_eq!(
            finding.executions, 1,
            "{file}: a replay is exactly one execution"
        );
        if proof.kind == FindingKind::LoopingReader {
            assert_eq!(finding.holder.as_deref(), Some("reader"));
            assert_eq!(finding.cycle, ["head", "slot#0", "slot#0"]);
            assert_eq!(finding.starved, ["waiter-1", "waiter-2"]);
        }
    }
}

#[test]
#[ignore = "writes the regression proofs; run on purpose after changing a scenario"]
fn regenerate() {
    for proof in &PROOFS {
        let scenario = proof.scenario();
        let verdict = run(&Plan::of(&scenario), proof.engine);
        let finding = verdict.finding().expect("the buggy scenario is found");
        assert_eq!(finding.kind, proof.kind);
        let saved = SavedReplay::of(&scenario, finding).expect("replayable");
        std::fs::write(proof.path(), saved.to_toml()).expect("regressions/ is writable");
    }
}
