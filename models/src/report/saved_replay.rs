//! `SavedReplay`: a failing execution kept as a file (a loom checkpoint or a shuttle schedule),
//! labelled with the scenario it belongs to and a hash of that scenario's text, so it is never
//! replayed against a scenario that changed since.

use crate::language::Scenario;
use crate::outcome::{Finding, Replay};
use serde::{Deserialize, Serialize};

/// A replay file's contents (TOML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedReplay {
    /// The scenario's name.
    pub scenario: String,
    /// [`crate::language::Source::hash`] of the scenario's text when it was saved.
    pub hash: String,
    /// The engine that found it.
    pub engine: String,
    /// The schedule or checkpoint.
    pub replay: Replay,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    scenario: String,
    hash: String,
    engine: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    shuttle_schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loom_checkpoint: Option<String>,
}

impl SavedReplay {
    /// The replay of `finding`, if its engine can replay (std cannot).
    pub fn of(scenario: &Scenario, finding: &Finding) -> Option<SavedReplay> {
        let replay = finding.replay.clone()?;
        if matches!(replay, Replay::StdIteration(_)) {
            return None;
        }
        Some(SavedReplay {
            scenario: scenario.name.clone(),
            hash: scenario.source.hash(),
            engine: finding.engine.name().to_string(),
            replay,
        })
    }

    /// The file's text.
    pub fn to_toml(&self) -> String {
        let (shuttle_schedule, loom_checkpoint) = match &self.replay {
            Replay::ShuttleSchedule(schedule) => (Some(schedule.clone()), None),
            Replay::LoomCheckpoint(json) => (None, Some(json.clone())),
            Replay::StdIteration(_) => (None, None),
        };
        let shape = FileShape {
            scenario: self.scenario.clone(),
            hash: self.hash.clone(),
            engine: self.engine.clone(),
            shuttle_schedule,
            loom_checkpoint,
        };
        format!(
            "# A failing execution kept by lifecycle-check: replay it with\n\
             #   lifecycle-check -s {} --replay THIS_FILE\n{}",
            self.scenario,
            toml::to_string(&shape).expect("a replay file serializes")
        )
    }

    /// Reads a replay file's text.
    ///
    /// # Errors
    /// Malformed TOML, or neither (or both) of `shuttle_schedule` and `loom_checkpoint`.
    pub fn from_toml(text: &str) -> Result<SavedReplay, String> {
        let shape: FileShape = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let replay = match (shape.shuttle_schedule, shape.loom_checkpoint) {
            (Some(schedule), None) => {
                let schedule: String = schedule.split_whitespace().collect();
                if schedule.is_empty() || !schedule.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err("shuttle_schedule is not hexadecimal digits".to_string());
                }
                Replay::ShuttleSchedule(schedule)
            }
            (None, Some(json)) => {
                if !(json.contains("\"branches\"") && json.contains("\"preemption_bound\"")) {
                    return Err("loom_checkpoint is not loom's JSON execution path (with \
                                \"preemption_bound\" and \"branches\")"
                        .to_string());
                }
                Replay::LoomCheckpoint(json)
            }
            _ => {
                return Err(
                    "expected exactly one of `shuttle_schedule` and `loom_checkpoint`".to_string(),
                )
            }
        };
        Ok(SavedReplay {
            scenario: shape.scenario,
            hash: shape.hash,
            engine: shape.engine,
            replay,
        })
    }

    /// Why this replay must not run against `scenario`, if it must not: another scenario, or
    /// the same one changed since the replay was saved.
    pub fn mismatch(&self, scenario: &Scenario) -> Option<String> {
        if self.scenario != scenario.name {
            return Some(format!(
                "the replay was saved from scenario {}, not {}",
                self.scenario, scenario.name
            ));
        }
        let now = scenario.source.hash();
        (self.hash != now).then(|| {
            format!(
                "scenario {} changed since the replay was saved (its text hashed {} then, {} \
                 now): a schedule only replays the scenario it came from; find it again and \
                 save the new one",
                scenario.name, self.hash, now
            )
        })
    }
}
