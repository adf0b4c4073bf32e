//! Mutations: one rule of the protocol broken on purpose in a generated lifecycle, by editing
//! one actor's steps the way the catalogue's buggy twins differ from their fixed ones (a
//! forgotten `list_del`, a lookup without `get_ref`, a second free, a free with no grace
//! period after `list_del_rcu`, ...). World-level rules (the free list's tag, the lock's
//! defect) are set where the world is built.

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

/// The first step that links an object: onto a list, or into a socket world's table.
fn first_add(steps: &[String]) -> Option<usize> {
    position(steps, "list_add ").or_else(|| position(steps, "hlist_nulls_add_head_rcu "))
}

/// Breaks `rule` in one actor's steps (`salt` picks which).
pub fn apply(rule: Rule, salt: u8, roles: &[Role], actors: &mut [Vec<String>]) {
    let owners = actors_where(roles, |r| matches!(r, Role::Owner { .. }));
    let readers = actors_where(roles, |r| matches!(r, Role::Reader { .. }));
    // The owners that change the list walked under RCU (the first actor always does) and the
    // lockless readers (`generate::build` adds one whenever an RCU rule is to be broken).
    let rcu_owners: Vec<usize> = (0..actors.len())
        .filter(|&i| actors[i].iter().any(|s| s.starts_with("list_del_rcu ")))
        .collect();
    let rcu_owners = if rcu_owners.is_empty() {
        vec![0]
    } else {
        rcu_owners
    };
    let rcu_readers = actors_where(roles, |r| matches!(r, Role::RcuReader { .. }));
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
            if let Some(del) = position(steps, "list_del ")
                .or_else(|| position(steps, "list_del_init "))
                .or_else(|| position(steps, "hlist_nulls_del"))
            {
                steps.remove(del);
            } else if let Some(add) = first_add(steps) {
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
                steps[put] = steps[put]
                    .replacen("put_ref", "free", 1)
                    .replace(" kfree_rcu", "");
            }
        }
        Rule::WriteAfterPublish => {
            let steps = &mut actors[pick(&owners)];
            if let (Some(add), Some(_)) = (first_add(steps), position(steps, "unlock ")) {
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
        Rule::FreeWithoutGracePeriod => {
            // The owner releases what it removed with list_del_rcu at once.
            let steps = &mut actors[pick(&rcu_owners)];
            if let Some(sync) = position(steps, "synchronize_rcu") {
                steps.remove(sync);
            } else if let Some(deferred) = position(steps, "kfree_rcu ") {
                steps[deferred] = steps[deferred].replacen("kfree_rcu", "free", 1);
            } else if let Some(deferred) = position(steps, "call_rcu ") {
                steps[deferred] = steps[deferred].replacen("call_rcu", "put_ref", 1);
            } else if let Some(release) = steps.iter().position(|s| s.ends_with(" kfree_rcu")) {
                steps[release] = steps[release].replace(" kfree_rcu", "");
            }
        }
        Rule::PlainChangeOnRcuList => {
            // The plain form of one change: list_add publishes without a release, list_del
            // poisons the next a lockless reader follows.
            let steps = &mut actors[pick(&rcu_owners)];
            let verb = if salt % 2 == 0 {
                "list_add_rcu "
            } else {
                "list_del_rcu "
            };
            if let Some(at) = position(steps, verb) {
                steps[at] = steps[at].replacen("_rcu", "", 1);
            }
        }
        Rule::UseAfterRcuUnlock => {
            // What walk_rcu found, used after rcu_read_unlock without a reference.
            let steps = &mut actors[pick(&rcu_readers)];
            if let Some(get) = position(steps, "get_ref") {
                // A lookup's recheck needs the reference: it goes too.
                steps.remove(get);
                steps.retain(|s| !s.starts_with("put_ref ") && !s.starts_with("recheck "));
            } else if position(steps, "lookup_rcu ").is_some() {
                // `lookup_rcu ... into k` with nothing after the section: read k there.
                steps.push("read k".to_string());
            } else if let Some(walk) = position(steps, "walk_rcu ") {
                let list = steps[walk]
                    .split(" keep")
                    .next()
                    .unwrap_or("walk_rcu")
                    .to_string();
                steps[walk] = format!("{list} keep k");
                steps.retain(|s| s != "read k");
                steps.push("read k".to_string());
            }
        }
        Rule::SyncInReadSection => {
            let steps = &mut actors[pick(&rcu_readers)];
            if let Some(unlock) = position(steps, "rcu_read_unlock") {
                steps.insert(unlock, "synchronize_rcu".to_string());
            }
        }
        Rule::SyncUnderReaderLock => {
            // The owner waits for its grace period still holding the lock of its list_del_rcu,
            // and a reader takes that lock inside its section.
            let owner = pick(&rcu_owners);
            let steps = &mut actors[owner];
            let Some(del) = position(steps, "list_del_rcu ") else {
                return;
            };
            let Some(unlock) = steps[del..]
                .iter()
                .position(|s| s.starts_with("unlock "))
                .map(|i| del + i)
            else {
                return;
            };
            let lock = steps[unlock].replacen("unlock ", "", 1);
            steps.retain(|s| s != "synchronize_rcu");
            steps.insert(unlock, "synchronize_rcu".to_string());
            let steps = &mut actors[pick(&rcu_readers)];
            if let Some(section) = position(steps, "rcu_read_lock") {
                steps.insert(section + 1, format!("unlock {lock}"));
                steps.insert(section + 1, format!("lock {lock}"));
            }
        }
        Rule::PlainGetUnderRcu => {
            // A lockless reader's get that may meet a 0, written as a plain get_ref.
            for index in rcu_readers {
                let steps = &mut actors[index];
                if let Some(get) = position(steps, "get_ref_not_zero ") {
                    steps[get] = steps[get].replacen("get_ref_not_zero", "get_ref", 1);
                    return;
                }
            }
        }
        Rule::LookupWithoutRecheck => {
            // A socket lookup trusts the socket its reference is on without comparing the key.
            for steps in actors.iter_mut() {
                steps.retain(|s| !s.starts_with("recheck "));
            }
        }
        Rule::NullsWalkWithoutRestart => {
            // A socket lookup takes a miss at face value, wherever its walk ended.
            for steps in actors.iter_mut() {
                steps.retain(|s| !s.starts_with("nulls_restart "));
            }
        }
        Rule::DestroyWithPendingCallbacks => {
            // The cache destroyed right after a callback that frees into it was queued.
            let steps = &mut actors[pick(&rcu_owners)];
            if let Some(queued) = steps
                .iter()
                .rposition(|s| s.starts_with("kfree_rcu ") || s.starts_with("call_rcu "))
            {
                steps.insert(queued + 1, "destroy_cache".to_string());
            }
        }
    }
}
