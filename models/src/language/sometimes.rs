//! `Sometimes`: a state a proof must reach for it not to be vacuous (stateright's `sometimes`
//! property; a proof over orders that never happen proves nothing). Written in a scenario file
//! as `[[sometimes]]` with a name and a conjunction of conditions on the actors' positions, their
//! objects and the locks, each true of *some* copy of a replicated actor.

use super::error::ScenarioError;
use super::reader::Reader;
use super::step_parser::{parse_step, Names};
use super::{ActorSpec, Located, WorldSpec};
use serde::Deserialize;
use toml::Spanned;

/// The most `[[sometimes]]` a scenario may declare (a run records them in one 64-bit mask).
pub const MAX_SOMETIMES: usize = 64;

/// One property: every condition holds at once in some state of some run.
#[derive(Debug, Clone, PartialEq)]
pub struct Sometimes {
    /// What the state is, in words (`the reader walks while the owner's object is linked`).
    pub name: String,
    /// The conditions, all of which hold in that state.
    pub when: Vec<Located<Condition>>,
}

/// One condition, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `not ...`: no copy of the actor makes the atom true.
    pub negated: bool,
    /// What is asked.
    pub atom: Atom,
}

/// What a condition asks of a state. Actors are indices into the scenario's actors; a
/// replicated actor's atom holds when it holds for one of its copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// `ACTOR at STEP`: the actor's next step (or the one under way) is `step`.
    At {
        /// The actor.
        actor: usize,
        /// The step's index in the actor's steps.
        step: usize,
    },
    /// `ACTOR past STEP`: the actor has finished `step`.
    Past {
        /// The actor.
        actor: usize,
        /// The step's index in the actor's steps.
        step: usize,
    },
    /// `ACTOR.LOCAL linked [LIST]`: an object the local holds is on the list (on any list if
    /// none is named), by the harness's record of adds and deletes.
    Linked {
        /// The actor.
        actor: usize,
        /// Its local.
        local: String,
        /// The list, or any.
        list: Option<usize>,
    },
    /// `ACTOR.LOCAL is OTHER.LOCAL`: the two locals hold an object in the same slab slot (the
    /// slot came back: LIFO reuse).
    SameSlot {
        /// The first actor.
        actor: usize,
        /// Its local.
        local: String,
        /// The second actor (a different copy, if it is the same replicated actor).
        other: usize,
        /// Its local.
        other_local: String,
    },
    /// `ACTOR.LOCAL empty`: the local is bound and holds no object (a lookup found nothing, a
    /// `get_ref_not_zero` met a 0, a `recheck` dropped another object).
    Empty {
        /// The actor.
        actor: usize,
        /// Its local.
        local: String,
    },
    /// `ACTOR.LOCAL found`: the lookup (`lookup_rcu`) that bound the local found an object,
    /// whatever the local holds now (with `empty`: a get or a recheck let it go).
    Found {
        /// The actor.
        actor: usize,
        /// Its local.
        local: String,
    },
    /// `ACTOR restarted by STEP`: the restart step `STEP` (`nulls_restart x`, `recheck x key K
    /// restart`) has sent the actor back to its lookup at least once.
    Restarted {
        /// The actor.
        actor: usize,
        /// The restart step's index in the actor's steps.
        step: usize,
    },
    /// `ACTOR holds [LOCK]`: the actor holds the lock (the only one, if none is named).
    Holds {
        /// The actor.
        actor: usize,
        /// The lock.
        lock: usize,
    },
}

/// A `[[sometimes]]` table as the file writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SometimesShape {
    name: Spanned<String>,
    when: Spanned<Vec<Spanned<String>>>,
}

/// Reads and validates the `[[sometimes]]` tables against the world and the actors.
pub(super) fn sometimes(
    reader: &Reader<'_>,
    shapes: &[Spanned<SometimesShape>],
    world: &WorldSpec,
    actors: &[ActorSpec],
) -> Result<Vec<Sometimes>, ScenarioError> {
    if let Some(extra) = shapes.get(MAX_SOMETIMES) {
        return Err(reader.error(
            extra,
            format!("more than {MAX_SOMETIMES} [[sometimes]] properties"),
        ));
    }
    let mut properties: Vec<Sometimes> = Vec::new();
    for shape in shapes {
        let shape = shape.get_ref();
        let name = shape.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(reader.error(&shape.name, "a [[sometimes]] needs a name saying the state"));
        }
        if properties.iter().any(|p| p.name == name) {
            return Err(reader.error(
                &shape.name,
                format!("[[sometimes]] `{name}` is declared twice"),
            ));
        }
        if shape.when.get_ref().is_empty() {
            return Err(reader.error(
                &shape.when,
                "`when` is empty: list the conditions that hold together in the state",
            ));
        }
        let mut when = Vec::new();
        for text in shape.when.get_ref() {
            let condition = condition(text.get_ref(), world, actors)
                .map_err(|message| reader.error(text, message))?;
            let (line, column) = reader.line_column(text);
            when.push(Located {
                value: condition,
                line,
                column,
            });
        }
        properties.push(Sometimes { name, when });
    }
    Ok(properties)
}

/// The grammar, for error messages.
const FORMS: &str = "`ACTOR at STEP`, `ACTOR past STEP`, `ACTOR restarted by STEP`, `ACTOR \
                     holds [LOCK]`, `ACTOR.LOCAL linked [LIST]`, `ACTOR.LOCAL empty`, `ACTOR.LOCAL found` or \
                     `ACTOR.LOCAL is ACTOR.LOCAL`, each may start with `not`";

fn condition(text: &str, world: &WorldSpec, actors: &[ActorSpec]) -> Result<Condition, String> {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let negated = words.first() == Some(&"not");
    if negated {
        words.remove(0);
    }
    let (Some(&subject), Some(&verb)) = (words.first(), words.get(1)) else {
        return Err(format!("condition `{text}` is not one of: {FORMS}"));
    };
    let rest = &words[2..];
    let atom = match subject.split_once('.') {
        Some((actor, local)) => {
            let actor = actor_named(actor, actors)?;
            let local = local_of(actor, local, actors)?;
            match (verb, rest) {
                ("linked", []) => Atom::Linked {
                    actor,
                    local,
                    list: None,
                },
                ("linked", [list]) => Atom::Linked {
                    actor,
                    local,
                    list: Some(named(list, "list", world.lists.iter().map(|l| &l.name))?),
                },
                ("empty", []) => Atom::Empty { actor, local },
                ("found", []) => Atom::Found { actor, local },
                ("is", [other]) => {
                    let Some((other, other_local)) = other.split_once('.') else {
                        return Err(format!("`{other}` is not `ACTOR.LOCAL`"));
                    };
                    let other = actor_named(other, actors)?;
                    let other_local = local_of(other, other_local, actors)?;
                    if other == actor && actors[actor].count.is_none() && other_local == local {
                        return Err(format!("`{subject} is {subject}` always holds"));
                    }
                    Atom::SameSlot {
                        actor,
                        local,
                        other,
                        other_local,
                    }
                }
                _ => return Err(format!("condition `{text}` is not one of: {FORMS}")),
            }
        }
        None => {
            let actor = actor_named(subject, actors)?;
            match (verb, rest) {
                ("at", [_, ..]) => Atom::At {
                    actor,
                    step: step_of(actor, rest, world, actors)?,
                },
                ("past", [_, ..]) => Atom::Past {
                    actor,
                    step: step_of(actor, rest, world, actors)?,
                },
                ("restarted", ["by", step @ ..]) if !step.is_empty() => {
                    let step = step_of(actor, step, world, actors)?;
                    if !actors[actor].steps[step].value.may_restart() {
                        return Err(format!(
                            "`{}` never restarts (a restart is `nulls_restart x` or `recheck x \
                             key K restart`)",
                            rest[1..].join(" ")
                        ));
                    }
                    Atom::Restarted { actor, step }
                }
                ("holds", []) if world.locks.len() == 1 => Atom::Holds { actor, lock: 0 },
                ("holds", []) => {
                    return Err(format!(
                        "`{subject} holds` must name the lock: the world has {} locks",
                        world.locks.len()
                    ))
                }
                ("holds", [lock]) => Atom::Holds {
                    actor,
                    lock: named(lock, "lock", world.locks.iter().map(|l| &l.name))?,
                },
                _ => return Err(format!("condition `{text}` is not one of: {FORMS}")),
            }
        }
    };
    Ok(Condition { negated, atom })
}

fn named<'n>(
    name: &str,
    what: &str,
    names: impl Iterator<Item = &'n String> + Clone,
) -> Result<usize, String> {
    names.clone().position(|n| n == name).ok_or_else(|| {
        format!(
            "unknown {what} `{name}` (declared: {})",
            names.map(String::as_str).collect::<Vec<_>>().join(", ")
        )
    })
}

fn actor_named(name: &str, actors: &[ActorSpec]) -> Result<usize, String> {
    named(name, "actor", actors.iter().map(|a| &a.name))
}

/// The local `local` of `actor`, which one of its steps must bind.
fn local_of(actor: usize, local: &str, actors: &[ActorSpec]) -> Result<String, String> {
    let spec = &actors[actor];
    let bound: Vec<&str> = spec.steps.iter().filter_map(|s| s.value.binds()).collect();
    if bound.contains(&local) {
        return Ok(local.to_string());
    }
    Err(format!(
        "actor `{}` binds no local `{local}` (its locals: {})",
        spec.name,
        if bound.is_empty() {
            "none".to_string()
        } else {
            bound.join(", ")
        }
    ))
}

/// The index of the step written `words` (with an optional `#N`: its Nth occurrence) among
/// `actor`'s steps; steps compare as parsed, so `lock` is `lock registry` in a one-lock world.
fn step_of(
    actor: usize,
    words: &[&str],
    world: &WorldSpec,
    actors: &[ActorSpec],
) -> Result<usize, String> {
    let spec = &actors[actor];
    let (words, occurrence) = match words.split_last() {
        Some((last, before)) if last.starts_with('#') && !before.is_empty() => {
            let n = last[1..]
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("`{last}` is not an occurrence such as `#2`"))?;
            (before, Some(n))
        }
        _ => (words, None),
    };
    let text = words.join(" ");
    let lists: Vec<String> = world.lists.iter().map(|l| l.name.clone()).collect();
    let locks: Vec<String> = world.locks.iter().map(|l| l.name.clone()).collect();
    let tables: Vec<String> = world.tables.iter().map(|t| t.name.clone()).collect();
    let names = Names {
        lists: &lists,
        locks: &locks,
        events: &world.events,
        tables: &tables,
    };
    let step = parse_step(&text, &names).map_err(|(_, message)| format!("`{text}`: {message}"))?;
    let matches: Vec<usize> = (0..spec.steps.len())
        .filter(|&i| spec.steps[i].value == step)
        .collect();
    let lines = || {
        matches
            .iter()
            .map(|&i| spec.steps[i].line.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (occurrence, matches.len()) {
        (_, 0) => Err(format!(
            "actor `{}` has no step `{text}`",
            actors[actor].name
        )),
        (None, 1) => Ok(matches[0]),
        (None, n) => Err(format!(
            "actor `{}` has {n} steps `{text}` (lines {}): say which with `#1` to `#{n}`",
            spec.name,
            lines()
        )),
        (Some(k), n) if k <= n => Ok(matches[k - 1]),
        (Some(k), n) => Err(format!(
            "actor `{}` has {n} steps `{text}` (lines {}), not {k}",
            spec.name,
            lines()
        )),
    }
}
