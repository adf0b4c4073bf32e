//! Mutations: one rule of the protocol broken on purpose in a generated lifecycle, by editing
//! one actor's steps the way the catalogue's buggy twins differ from their fixed ones (a
//! forgotten `list_del`, a lookup without `get_ref`, a second free, ...). World-level rules (the
//! free list's tag, the lock's defect) are set where the world is built.

use crate::generate::Role;
use lifecycle_models::Rule;

/// The indices of the actors with role `pick`, or every actor if none has it.
fn actors_where(roles: &[Role], pick: impl Fn(&Role) -> bool) -> Vec<usize> {
    let found: Vec<usize> = (0..roles.len()).filter(|&i| pick(&roles[i])).collect();
    if found.is_empty() {
        (0..roles.len()).collect()
    } else {
        found
    }
}

fn position(steps: &[String], prefix: &str) -> Option<usize> {
    steps.iter().position(|s| s.starts_with(prefix))
}

/// Breaks `rule` in one actor's steps (`salt` picks which).
pub fn apply(rule: Rule, salt: u8, roles: &[Role], actors: &mut [Vec<String>]) {
    let owners = actors_where(roles, |r| matches!(r, Role::Owner { .. }));
    let readers = actors_where(roles, |r| matches!(r, Role::Reader { .. }));
    let pick = |among: &[usize]| among[usize::from(salt) % among.len()];
    match rule {
        Rule::UnlockedList => {
            // Drop one critical section's lock and unlock (the last one of the actor).
            let steps = &mut actors[pick(&(0..roles.len()).collect::<Vec<_>>())];
            if let Some(unlock) = steps.iter().rposition(|s| s.starts_with("unlock ")) {
                let lock = steps[unlock].replacen("unlock", "lock", 1);
                let taken = steps[..unlock].iter().rposition(|s| *s == lock);
                steps.remove(unlock);
                if let Some(taken) = taken {
                    steps.remove(taken);
                }
            }
        }
        Rule::LinkedAtFree => {
            // The owner forgets one list_del (or frees instead of unlinking).
            let steps = &mut actors[pick(&owners)];
            if let Some(del) = position(steps, "list_del ") {
                steps.remove(del);
            } else if let Some(add) = position(steps, "list_add ") {
                let object = steps[add].split(' ').nth(1).unwrap_or("s0").to_string();
                steps.push(format!("free {object}"));
            }
        }
        Rule::UseWithoutRef => {
            // A lookup that uses its entry after the unlock without a reference.
            let index = pick(&readers);
            let steps = &mut actors[index];
            if let Some(get) = position(steps, "get_ref ") {
                steps.remove(get);
                if let Some(put) = position(steps, "put_ref ") {
                    steps.remove(put);
                }
            } else if let Some(walk) = position(steps, "walk") {
                // `lock; walk L keep k; unlock; read k`: the entry used after the unlock.
                let list = steps[walk]
                    .split(" keep")
                    .next()
                    .unwrap_or("walk")
                    .to_string();
                steps[walk] = format!("{list} keep k");
                steps.retain(|s| s != "read k");
                if let Some(unlock) = position(steps, "unlock ") {
                    steps.insert(unlock + 1, "read k".to_string());
                }
            }
        }
        Rule::UseAfterPut => {
            let steps = &mut actors[pick(&owners)];
            if let Some(put) = steps.iter().rposition(|s| s.starts_with("put_ref ")) {
                let object = steps[put].split(' ').nth(1).unwrap_or("s0").to_string();
                let use_ = if salt % 2 == 0 { "read" } else { "write" };
                let value = if use_ == "write" { " 3" } else { "" };
                steps.push(format!("{use_} {object}{value}"));
            }
        }
        Rule::DoubleFree => {
            let steps = &mut actors[pick(&owners)];
            if let Some(put) = steps.iter().rposition(|s| s.starts_with("put_ref ")) {
                let object = steps[put].split(' ').nth(1).unwrap_or("s0").to_string();
                let again = if salt % 2 == 0 { "free" } else { "put_ref" };
                steps.push(format!("{again} {object}"));
            }
        }
        Rule::FreeWhileShared => {
            let steps = &mut actors[pick(&owners)];
            if let Some(put) = steps.iter().rposition(|s| s.starts_with("put_ref ")) {
                steps[put] = steps[put].replacen("put_ref", "free", 1);
            }
        }
        Rule::WriteAfterPublish => {
            let steps = &mut actors[pick(&owners)];
            if let (Some(add), Some(_)) = (position(steps, "list_add "), position(steps, "unlock "))
            {
                let object = steps[add].split(' ').nth(1).unwrap_or("s0").to_string();
                let unlock = steps[add..]
                    .iter()
                    .position(|s| s.starts_with("unlock "))
                    .map_or(steps.len(), |i| add + i + 1);
                steps.insert(unlock, format!("write {object} 7"));
            }
        }
        Rule::DeleteInPlainWalk => {
            for steps in actors.iter_mut() {
                for step in steps.iter_mut().filter(|s| s.starts_with("reap_safe ")) {
                    *step = step.replacen("reap_safe", "reap", 1);
                }
            }
        }
        Rule::LinkMismatch => {
            let steps = &mut actors[pick(&owners)];
            let verb = if salt % 2 == 0 {
                "list_add "
            } else {
                "list_del "
            };
            if let Some(at) = position(steps, verb).or_else(|| position(steps, "list_add ")) {
                let again = steps[at].clone();
                steps.insert(at + 1, again);
            }
        }
        Rule::LockMisuse => {
            let steps = &mut actors[pick(&(0..roles.len()).collect::<Vec<_>>())];
            if let Some(unlock) = steps.iter().rposition(|s| s.starts_with("unlock ")) {
                steps.remove(unlock);
            }
        }
        Rule::WaitCycle => {
            // The signaller of `ready` waits for `ready` first (with no events, nothing to break).
            let steps = &mut actors[0];
            if let Some(signal) = steps.iter().position(|s| s == "signal ready") {
                steps.insert(signal, "wait ready".to_string());
            }
        }
        Rule::UntaggedFreeList | Rule::DefectiveLock => {}
        // The generator builds no RCU lifecycle yet: these rules are not drawn (`breakable`).
        Rule::FreeWithoutGracePeriod
        | Rule::PlainChangeOnRcuList
        | Rule::UseAfterRcuUnlock
        | Rule::SyncInReadSection
        | Rule::SyncUnderReaderLock
        | Rule::DestroyWithPendingCallbacks => {}
    }
}

/// The rules a generated lifecycle can be mutated to break, in the rule table's order: every
/// rule but the RCU ones, whose lifecycles the generator does not build yet (the catalogue's
/// `rcu/` family covers them).
pub fn breakable() -> Vec<Rule> {
    Rule::ALL
        .into_iter()
        .filter(|rule| !rule.is_rcu())
        .collect()
}
