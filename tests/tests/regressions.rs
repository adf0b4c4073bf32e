//! Regression proofs: failing executions the suite relies on, kept as replayable schedules under
//! `tests/regressions/` (see the README there for each one's story), replayed by `cargo test` to
//! show the buggy scenarios still fail the same way.
//!
//! Regenerate after an intended change to a scenario with
//! `cargo test -p lifecycle-tests --test regressions -- --ignored regenerate`.

use lifecycle_models::{
    replay, run, Bounds, Engine, Finding, FindingKind, Replay, Scenario, ScenarioConfig, Verdict,
};
use std::path::PathBuf;

/// A kept failing execution: the scenario, the file, how to replay it, and what it shows.
struct Proof {
    scenario: Scenario,
    engine: Engine,
    file: &'static str,
    kind: FindingKind,
}

const PROOFS: [Proof; 5] = [
    Proof {
        scenario: Scenario::SocketBuggy,
        engine: Engine::ShuttlePct,
        file: "socket-lifecycle-buggy.shuttle-pct.schedule",
        kind: FindingKind::LoopingReader,
    },
    Proof {
        scenario: Scenario::SocketBuggy,
        engine: Engine::Loom,
        file: "socket-lifecycle-buggy.loom-checkpoint.json",
        kind: FindingKind::LoopingReader,
    },
    Proof {
        scenario: Scenario::SocketDebugList,
        engine: Engine::ShuttlePct,
        file: "socket-lifecycle-debug-list.shuttle-pct.schedule",
        kind: FindingKind::DoubleAdd,
    },
    Proof {
        scenario: Scenario::FreelistAba,
        engine: Engine::Loom,
        file: "freelist-aba.loom-checkpoint.json",
        kind: FindingKind::SlotHandedOutTwice,
    },
    Proof {
        scenario: Scenario::FreelistAba,
        engine: Engine::ShuttlePct,
        file: "freelist-aba.shuttle-pct.schedule",
        kind: FindingKind::SlotHandedOutTwice,
    },
];

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(file)
}

fn replay_proof(proof: &Proof) -> Finding {
    let text = std::fs::read_to_string(path(proof.file))
        .unwrap_or_else(|e| panic!("regression proof {} missing: {e}", proof.file));
    let saved = match proof.engine {
        Engine::Loom => Replay::LoomCheckpoint(text),
        _ => Replay::ShuttleSchedule(text.split_whitespace().collect()),
    };
    match replay(proof.scenario, &saved, &ScenarioConfig::default()) {
        Verdict::Found(finding) => *finding,
        Verdict::Pass { .. } => panic!(
            "{}: the kept schedule no longer fails: the scenario changed (regenerate) or the \
             bug is gone",
            proof.file
        ),
    }
}

#[test]
fn every_kept_schedule_still_fails_the_same_way() {
    for proof in &PROOFS {
        let finding = replay_proof(proof);
        assert_eq!(
            finding.kind, proof.kind,
            "{}: {}",
            proof.file, finding.diagnosis
        );
        assert_eq!(
            finding.executions, 1,
            "{}: a replay is exactly one execution",
            proof.file
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
        let verdict = run(
            proof.scenario,
            proof.engine,
            &ScenarioConfig::default(),
            &Bounds::quick(),
        );
        let finding = verdict.finding().expect("the buggy scenario is found");
        assert_eq!(finding.kind, proof.kind);
        let text = match finding.replay.as_ref().expect("replayable") {
            Replay::ShuttleSchedule(schedule) => format!("{schedule}\n"),
            Replay::LoomCheckpoint(json) => json.clone(),
            Replay::StdIteration(_) => unreachable!("std proofs are not kept"),
        };
        std::fs::write(path(proof.file), text).expect("regressions/ is writable");
    }
}
