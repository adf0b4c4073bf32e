//! What a file's RCU steps must get right before anything runs, read off one actor's steps in
//! order: a lockless walk (`walk_rcu`) is inside a read-side section or holds the list's lock,
//! of a list declared `rcu = true`; every `rcu_read_unlock` closes a section that is open; every
//! section is closed by the actor's last step; a lookup (`lookup_rcu`) is inside a section or
//! holds its table's lock; a restart (`nulls_restart x`, `recheck x ... restart`) and
//! `expect_found x` name a local a lookup bound, and a restart goes back over no lock, unlock or
//! section boundary (it runs those steps again). (Mistakes that only some interleavings turn into
//! a bug, such as a free without a grace period, are for the engines and the rule checker.)

use super::reader::Reader;
use super::step_parser::word_offset;
use super::{Located, ScenarioError, Step, WorldSpec};
use toml::Spanned;

/// Checks actor `name`'s parsed `steps` (written as `texts`) against the section rules.
///
/// # Errors
/// The first step that breaks one, at its `file:line:column`.
pub(super) fn check(
    reader: &Reader<'_>,
    world: &WorldSpec,
    name: &str,
    texts: &[Spanned<String>],
    steps: &[Located<Step>],
) -> Result<(), ScenarioError> {
    let mut open: Vec<usize> = Vec::new();
    let mut held = vec![false; world.locks.len()];
    // Each local's latest binding step, by index.
    let mut bound_by: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, (text, step)) in texts.iter().zip(steps).enumerate() {
        if let Some(object) = step.value.uses() {
            check_lookup_use(reader, world, name, text, object, &bound_by, steps, index)?;
        }
        match step.value.unguarded().0 {
            Step::Lookup { table, .. } => {
                let lock = world.tables[*table].lock;
                if open.is_empty() && !held[lock] {
                    return Err(outside_section(reader, world, name, text, lock, "lookup"));
                }
            }
            Step::Lock { lock } => held[*lock] = true,
            Step::Unlock { lock } => held[*lock] = false,
            Step::RcuReadLock => open.push(index),
            Step::RcuReadUnlock if open.pop().is_none() => {
                return Err(reader.error(
                    text,
                    format!(
                        "rcu_read_unlock without a matching rcu_read_lock in actor `{name}`: \
                         no read-side section is open here"
                    ),
                ));
            }
            Step::Walk {
                list, rcu: true, ..
            } => {
                let spec = &world.lists[*list];
                if !spec.rcu {
                    return Err(reader.error_in_string(
                        text,
                        word_offset(text.get_ref(), &spec.name),
                        format!(
                            "list `{}` is not walked under RCU: declare it with `rcu = true` in \
                             [world] lists (its links are then RCU links)",
                            spec.name
                        ),
                    ));
                }
                if open.is_empty() && !held[spec.lock] {
                    return Err(outside_section(
                        reader, world, name, text, spec.lock, "walk",
                    ));
                }
            }
            _ => {}
        }
        if let Some(object) = step.value.binds() {
            bound_by.insert(object, index);
        }
    }
    if let Some(&first) = open.first() {
        return Err(reader.error(
            &texts[first],
            format!(
                "this rcu_read_lock is never unlocked in actor `{name}`: every read-side section \
                 ends before the actor does"
            ),
        ));
    }
    Ok(())
}

/// The error of a lockless `walk` or `lookup` (named by `what`) written outside any read-side
/// section and without the lock that would stand in for one.
fn outside_section(
    reader: &Reader<'_>,
    world: &WorldSpec,
    name: &str,
    text: &Spanned<String>,
    lock: usize,
    what: &str,
) -> ScenarioError {
    let verb = text.get_ref().split_whitespace().next().unwrap_or_default();
    reader.error(
        text,
        format!(
            "{verb} outside a read-side section and without the {} lock in actor `{name}`: a \
             lockless {what} needs an earlier rcu_read_lock",
            world.locks[lock].name
        ),
    )
}

/// Whether a binding step is a lookup by key, which a restart may run again and whose result
/// `expect_found` may assert.
fn is_lookup(step: &Step) -> bool {
    matches!(
        step,
        Step::Lookup { .. }
            | Step::Walk {
                rcu: true,
                key: Some(_),
                ..
            }
    )
}

/// `nulls_restart x`, `recheck x key K restart` and `expect_found x` need `x` bound by a lookup;
/// a restart goes back over no step that takes or releases a lock or opens or closes a
/// read-side section.
#[allow(clippy::too_many_arguments)]
fn check_lookup_use(
    reader: &Reader<'_>,
    world: &WorldSpec,
    name: &str,
    text: &Spanned<String>,
    object: &str,
    bound_by: &std::collections::HashMap<&str, usize>,
    steps: &[Located<Step>],
    index: usize,
) -> Result<(), ScenarioError> {
    let step = &steps[index].value;
    let needs_lookup =
        step.may_restart() || matches!(step, Step::NullsRestart { .. } | Step::ExpectFound { .. });
    if !needs_lookup {
        return Ok(());
    }
    let verb = text.get_ref().split_whitespace().next().unwrap_or_default();
    let at = word_offset(text.get_ref(), object);
    let binder = bound_by.get(object).copied();
    let Some(binder) = binder.filter(|&b| is_lookup(&steps[b].value)) else {
        return Err(reader.error_in_string(
            text,
            at,
            format!(
                "`{verb}` needs `{object}` bound by a lookup (an earlier `lookup_rcu TABLE key K \
                 into {object}` or `walk_rcu LIST keep {object} key K` in actor `{name}`)"
            ),
        ));
    };
    // Only `lookup_rcu` keeps how its walk ended: the marker (`nulls_restart`) and what stayed
    // on its chain (`expect_found`).
    let why = match step {
        Step::NullsRestart { .. } => Some("only a walk of an hlist_nulls chain ends on a marker"),
        Step::ExpectFound { .. } => Some(
            "only a lookup of a hash table knows which entries stayed on its chain for the \
             whole lookup",
        ),
        _ => None,
    };
    if let Some(why) = why.filter(|_| !matches!(steps[binder].value, Step::Lookup { .. })) {
        return Err(reader.error_in_string(
            text,
            at,
            format!("`{verb}` needs `{object}` bound by `lookup_rcu`: {why}"),
        ));
    }
    if step.may_restart() {
        let crossed = steps[binder..index].iter().find(|s| {
            matches!(
                s.value,
                Step::Lock { .. }
                    | Step::Unlock { .. }
                    | Step::RcuReadLock
                    | Step::RcuReadUnlock
                    | Step::Alloc { .. }
            )
        });
        if let Some(crossed) = crossed {
            return Err(reader.error(
                text,
                format!(
                    "this restart goes back to `{}` (line {}) over `{}` (line {}), which takes \
                     or releases a lock, opens or closes a read-side section, or allocates: a \
                     restart runs every step from the lookup again, so keep such steps outside",
                    steps[binder].value.text(world),
                    steps[binder].line,
                    crossed.value.text(world),
                    crossed.line
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::language::Scenario;
    use crate::test_util::scenario_file;

    /// The error of a file whose one actor takes `steps`, on an RCU list if `rcu`.
    fn error(steps: &[&str], rcu: bool) -> String {
        let mut text = scenario_file(1, &[], &[("reader", steps)]);
        if rcu {
            text = text.replace(
                "{ name = \"registry\" }",
                "{ name = \"registry\", rcu = true }",
            );
        }
        Scenario::parse("unit.toml", &text)
            .map(|_| "valid".to_string())
            .unwrap_or_else(|error| error.to_string())
    }

    #[test]
    fn a_lockless_walk_needs_a_section_or_the_lock_and_an_rcu_list() {
        assert_eq!(
            error(&["walk_rcu registry"], true),
            "unit.toml:12:10: walk_rcu outside a read-side section and without the registry \
             lock in actor `reader`: a lockless walk needs an earlier rcu_read_lock"
        );
        assert_eq!(
            error(
                &["rcu_read_lock", "walk_rcu registry", "rcu_read_unlock"],
                true
            ),
            "valid"
        );
        assert_eq!(
            error(&["lock", "walk_rcu registry", "unlock"], true),
            "valid"
        );
        assert_eq!(
            error(
                &["rcu_read_lock", "walk_rcu registry", "rcu_read_unlock"],
                false
            ),
            "unit.toml:12:37: list `registry` is not walked under RCU: declare it with `rcu = \
             true` in [world] lists (its links are then RCU links)"
        );
    }

    #[test]
    fn sections_open_and_close_in_pairs_and_end_before_the_actor() {
        assert_eq!(
            error(&["rcu_read_unlock"], true),
            "unit.toml:12:10: rcu_read_unlock without a matching rcu_read_lock in actor \
             `reader`: no read-side section is open here"
        );
        assert_eq!(
            error(&["rcu_read_lock", "rcu_read_lock", "rcu_read_unlock"], true),
            "unit.toml:12:10: this rcu_read_lock is never unlocked in actor `reader`: every \
             read-side section ends before the actor does"
        );
    }

    /// The error of a file with one hash table whose one actor takes `steps`.
    fn table_error(steps: &[&str]) -> String {
        let steps: Vec<String> = steps.iter().map(|s| format!("\"{s}\"")).collect();
        let text = format!(
            "name = \"unit/t\"\nstory = \"x\"\n[world]\nobjects = 1\n\
             tables = [{{ name = \"ehash\", chains = 2 }}]\n[[actor]]\nname = \"reader\"\n\
             steps = [{}]\n[expect]\nall = \"pass\"\n",
            steps.join(", ")
        );
        Scenario::parse("unit.toml", &text)
            .map(|_| "valid".to_string())
            .unwrap_or_else(|error| error.to_string())
    }

    #[test]
    fn lookups_and_their_restarts_are_checked_before_anything_runs() {
        assert_eq!(
            table_error(&["lookup_rcu key 2 into s"]),
            "unit.toml:8:10: lookup_rcu outside a read-side section and without the ehash lock \
             in actor `reader`: a lockless lookup needs an earlier rcu_read_lock"
        );
        let lookup = [
            "rcu_read_lock",
            "lookup_rcu key 2 into s",
            "nulls_restart s",
            "get_ref_not_zero s",
            "recheck s key 2 restart",
            "rcu_read_unlock",
            "expect_found s",
            "put_ref s",
        ];
        assert_eq!(table_error(&lookup), "valid");
        assert_eq!(
            table_error(&["alloc s key 2", "nulls_restart s", "free s"]),
            "unit.toml:8:42: `nulls_restart` needs `s` bound by a lookup (an earlier \
             `lookup_rcu TABLE key K into s` or `walk_rcu LIST keep s key K` in actor `reader`)"
        );
        assert_eq!(
            error(
                &[
                    "rcu_read_lock",
                    "walk_rcu registry keep k key 1",
                    "rcu_read_unlock",
                    "expect_found k",
                ],
                true
            ),
            "unit.toml:12:94: `expect_found` needs `k` bound by `lookup_rcu`: only a lookup of a \
             hash table knows which entries stayed on its chain for the whole lookup"
        );
        assert_eq!(
            table_error(&[
                "rcu_read_lock",
                "lookup_rcu key 2 into s",
                "rcu_read_unlock",
                "rcu_read_lock",
                "nulls_restart s",
                "rcu_read_unlock",
            ]),
            "unit.toml:8:90: this restart goes back to `lookup_rcu ehash key 2 into s` (line 8) \
             over `rcu_read_unlock` (line 8), which takes or releases a lock, opens or closes a \
             read-side section, or allocates: a restart runs every step from the lookup again, \
             so keep such steps outside"
        );
    }
}
