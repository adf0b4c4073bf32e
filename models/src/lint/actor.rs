//! `ActorCheck`: one actor's steps read in order, without running them, against the protocol's
//! rules: which locks it holds, and for each local the references it holds, the lists it linked
//! it to, and whether it is shared with other actors. Each step breaks at most one rule (the
//! first that applies, in the order below); a rule already reported on a local is not reported
//! on it again, another rule is (it may cause findings the first cannot).

use super::local::{Local, Origin};
use super::sharing::Sharing;
use super::Violation;
use crate::language::{ActorSpec, Guard, Located, Rule, Scenario, Step};
use std::collections::{BTreeSet, HashMap};

/// One actor's steps against the rules.
pub(super) struct ActorCheck<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) sharing: &'a Sharing,
    actor: &'a ActorSpec,
    /// For each lock held, the `lock` step that took it.
    pub(super) held: Vec<Option<&'a Located<Step>>>,
    pub(super) locals: HashMap<String, Local>,
    found: Vec<Violation>,
    /// Read-side sections open (they nest).
    pub(super) sections: usize,
    /// A callback (`call_rcu`, `kfree_rcu`) queued and no `rcu_barrier` since.
    pub(super) callbacks_queued: bool,
}

/// A broken rule and its one-line message.
pub(super) type Broken = Option<(Rule, String)>;

impl<'a> ActorCheck<'a> {
    pub(super) fn new(
        scenario: &'a Scenario,
        sharing: &'a Sharing,
        actor: &'a ActorSpec,
    ) -> ActorCheck<'a> {
        ActorCheck {
            scenario,
            sharing,
            actor,
            held: vec![None; scenario.world.locks.len()],
            locals: HashMap::new(),
            found: Vec::new(),
            sections: 0,
            callbacks_queued: false,
        }
    }

    /// Reads every step, then the actor's end; returns the rules broken.
    pub(super) fn run(mut self) -> Vec<Violation> {
        for step in &self.actor.steps {
            let object = step.value.uses().map(str::to_string);
            if let Some((rule, message)) = self.step(step) {
                let first_time = match object.and_then(|o| self.locals.get_mut(&o)) {
                    Some(local) => local.flagged.insert(rule),
                    None => true,
                };
                if first_time {
                    self.report(step, rule, message);
                }
            }
        }
        for lock in 0..self.held.len() {
            if let Some(taken) = self.held[lock] {
                let message = format!(
                    "`{}` takes the {} lock and the actor ends without releasing it: every \
                     other actor that wants it starves",
                    taken.value.text(&self.scenario.world),
                    self.lock_name(lock)
                );
                self.report(taken, Rule::LockMisuse, message);
            }
        }
        self.found
    }

    fn report(&mut self, step: &Located<Step>, rule: Rule, message: String) {
        self.found.push(Violation {
            rule,
            path: self.scenario.source.path.clone(),
            line: step.line,
            column: step.column,
            actor: Some(self.actor.name.clone()),
            message: format!("{message} ({})", rule.reason()),
        });
    }

    pub(super) fn lock_name(&self, lock: usize) -> &str {
        &self.scenario.world.locks[lock].name
    }

    pub(super) fn list_name(&self, list: usize) -> &str {
        &self.scenario.world.lists[list].name
    }

    pub(super) fn table_name(&self, table: usize) -> &str {
        &self.scenario.world.tables[table].name
    }

    pub(super) fn lock_of(&self, list: usize) -> usize {
        self.scenario.world.lists[list].lock
    }

    fn names(&self, lists: &BTreeSet<usize>) -> String {
        lists
            .iter()
            .map(|&l| format!("`{}`", self.list_name(l)))
            .collect::<Vec<_>>()
            .join(" and ")
    }

    pub(super) fn local(&mut self, object: &str) -> &mut Local {
        // Validation guarantees every used local is bound by an earlier step of the actor.
        self.locals
            .entry(object.to_string())
            .or_insert_with(|| Local::new(Origin::Alloc, 0))
    }

    /// The rule a use of `object` breaks if the actor holds no reference and no lock it was
    /// borrowed under.
    pub(super) fn unusable(&mut self, text: &str, object: &str) -> Broken {
        let held = self.held.clone();
        let local = self.local(object);
        if local.refs > 0
            || local.in_section
            || local.borrowed.is_some_and(|lock| held[lock].is_some())
        {
            return None;
        }
        if local.section_ended {
            return Some((
                Rule::UseAfterRcuUnlock,
                format!(
                    "`{text}` uses {object}, which walk_rcu found, after its read-side section \
                     ended with no reference taken inside it: a grace period may have ended and \
                     freed it"
                ),
            ));
        }
        if local.dropped {
            return Some((
                Rule::UseAfterPut,
                format!(
                    "`{text}` uses {object} after this actor dropped its reference: the drop may \
                     have freed it"
                ),
            ));
        }
        let why = match local.origin {
            Origin::Found(list) | Origin::FoundRcu(list) => {
                format!("found on `{}`", self.list_name(list))
            }
            Origin::Reaped(list) => format!("reaped from `{}`", self.list_name(list)),
            Origin::LookedUp(table) => format!("looked up in `{}`", self.table_name(table)),
            Origin::Alloc => "whose reference went to the list it was added to".to_string(),
        };
        Some((
            Rule::UseWithoutRef,
            format!(
                "`{text}` uses {object} ({why}) without its list's lock held and without a \
                 reference taken under that lock"
            ),
        ))
    }

    fn unlocked(&self, text: &str, list: usize, what: &str) -> Broken {
        let doing = format!("{what} list `{}`", self.list_name(list));
        self.without_lock(text, self.lock_of(list), &doing)
    }

    /// `unlocked-list` if the actor does not hold `lock` for what `text` is `doing`.
    fn without_lock(&self, text: &str, lock: usize, doing: &str) -> Broken {
        self.held[lock].is_none().then(|| {
            (
                Rule::UnlockedList,
                format!(
                    "`{text}` {doing} without the {} lock held",
                    self.lock_name(lock)
                ),
            )
        })
    }

    /// Reads one step: the rule it breaks, if any, and what it changes. A guarded step is read
    /// as if it runs (its guard may hold): what it would break, it may.
    fn step(&mut self, step: &'a Located<Step>) -> Broken {
        let text = step.value.text(&self.scenario.world);
        let (unguarded, guard) = step.value.unguarded();
        // `list_del x L if x linked L`: the unlink runs only while x is on a list of L's link,
        // wherever the actor last knew it: a guarded unlink of an entry that may have left is
        // the guard's purpose, not a link mismatch.
        let guarded_unlink =
            |object: &str| matches!(unguarded, Step::ListDel { object: o, .. } if o == object);
        if let Some(Guard::Linked { object, list }) = guard.filter(|g| match g {
            Guard::Linked { object, .. } => guarded_unlink(object),
            _ => false,
        }) {
            let link = self.scenario.world.lists[*list].link;
            let lists: Vec<usize> = (0..self.scenario.world.lists.len())
                .filter(|&l| self.scenario.world.lists[l].link == link)
                .collect();
            self.local(object).maybe_linked.extend(lists);
        }
        match unguarded {
            Step::ListMove { object, list, .. } => self.list_move(&text, object, *list),
            Step::ListSplice { from, to, .. } => self.list_splice(&text, *from, *to),
            Step::ListReplace { old, new, list, .. } => self
                .list_del(&text, old, *list)
                .or_else(|| self.list_add(&text, new, *list)),
            Step::WalkFrom {
                object, list, keep, ..
            } => {
                let broken = self
                    .unlocked(&text, *list, "walks")
                    .or_else(|| self.unusable(&text, object));
                if let Some(keep) = keep {
                    self.keep_found(keep, *list);
                }
                broken
            }
            Step::Guarded { .. } => unreachable!("`unguarded` takes the guard off"),
            Step::Alloc { object, .. } => {
                self.locals
                    .insert(object.clone(), Local::new(Origin::Alloc, 1));
                None
            }
            Step::Free { object } => self
                .without_grace_period(&text, object, "frees")
                .or_else(|| self.free(&text, object)),
            Step::PutRef {
                object,
                release_rcu: false,
            } => self
                .without_grace_period(&text, object, "drops a reference to")
                .or_else(|| self.put_ref(&text, object)),
            // The release defers the free past a grace period: as `call_rcu` of a drop.
            Step::PutRef {
                object,
                release_rcu: true,
            } => self.call_rcu(&text, object, false),
            Step::Lock { lock } => self.lock(&text, step, *lock),
            Step::Unlock { lock } => {
                if self.held[*lock].take().is_none() {
                    return Some((
                        Rule::LockMisuse,
                        format!("`{text}` releases a lock this actor does not hold"),
                    ));
                }
                let lists: Vec<usize> = (0..self.scenario.world.lists.len())
                    .filter(|&l| self.lock_of(l) == *lock)
                    .collect();
                for local in self.locals.values_mut() {
                    if local.borrowed == Some(*lock) {
                        local.borrowed = None;
                    }
                    if local.publishing_under == Some(*lock) {
                        local.publishing_under = None;
                    }
                    local.on_while_held.retain(|l| !lists.contains(l));
                }
                None
            }
            Step::ListAdd {
                object, list, rcu, ..
            } => self
                .list_add(&text, object, *list)
                .or_else(|| self.plain_change(&text, *list, *rcu)),
            Step::ListDel {
                object, list, rcu, ..
            } => {
                let broken = self
                    .list_del(&text, object, *list)
                    .or_else(|| self.plain_change(&text, *list, *rcu));
                // A reader of an RCU list may stand on an entry however it was removed.
                let rcu_list = self.scenario.world.lists[*list].rcu;
                self.local(object).readers_may_stand_on |= *rcu || rcu_list;
                broken
            }
            Step::ListReplaceRcu { old, new, list } => {
                let broken = self
                    .list_del(&text, old, *list)
                    .or_else(|| self.list_add(&text, new, *list));
                self.local(old).readers_may_stand_on = true;
                broken
            }
            Step::Walk {
                list,
                keep,
                rcu: true,
                ..
            } => {
                self.walk_rcu(*list, keep.as_deref());
                None
            }
            Step::RcuReadLock => {
                self.sections += 1;
                None
            }
            Step::RcuReadUnlock => {
                self.rcu_read_unlock();
                None
            }
            Step::SynchronizeRcu => self.synchronize_rcu(&text),
            Step::RcuBarrier => {
                self.callbacks_queued = false;
                None
            }
            Step::CallRcu { object, free } => self.call_rcu(&text, object, *free),
            Step::DestroyCache => self.destroy_cache(&text),
            Step::HashAdd { object, table } => self.hash_change(&text, object, *table, true),
            Step::HashDel { object, table, .. } => self.hash_change(&text, object, *table, false),
            Step::Lookup { into, table, .. } => self.lookup(step, into, *table),
            Step::NullsRestart { .. } | Step::ExpectFound { .. } => None,
            Step::Walk { list, keep, .. } => {
                let broken = self.unlocked(&text, *list, "walks");
                if let Some(keep) = keep {
                    self.keep_found(keep, *list);
                }
                broken
            }
            Step::Reap { list, safe, into } => {
                let broken = self
                    .unlocked(&text, *list, "unlinks entries of")
                    .or_else(|| {
                        (!safe).then(|| {
                            (
                                Rule::DeleteInPlainWalk,
                                format!(
                                    "`{text}` unlinks entries of `{}` during a plain walk \
                                 (list_for_each_entry): the walk's next step follows the deleted \
                                 entry's poisoned link",
                                    self.list_name(*list)
                                ),
                            )
                        })
                    });
                let mut local = Local::new(Origin::Reaped(*list), 1);
                local.maybe_linked = self.sharing.co_lists[*list].clone();
                local.shared = Some(*list);
                self.locals.insert(into.clone(), local);
                broken
            }
            Step::GetRef { object, not_zero } => {
                let broken = self.unusable(&text, object).or_else(|| {
                    let local = self.locals.get(object.as_str())?;
                    let typesafe = self.scenario.world.typesafe_by_rcu;
                    let why = if typesafe {
                        "in a typesafe-by-rcu cache, whose slots are freed with no grace period"
                    } else {
                        "whose last reference another actor drops while readers can still find it"
                    };
                    let (place, zero_while_reachable) = match local.origin {
                        Origin::FoundRcu(list) => (
                            self.list_name(list),
                            self.sharing.zero_while_reachable[list] || typesafe,
                        ),
                        // A hashed object's last put comes before its unhash
                        // (rculist_nulls.rst's delete): a lookup can always meet a 0.
                        Origin::LookedUp(table) => (self.table_name(table), true),
                        _ => return None,
                    };
                    (!not_zero && zero_while_reachable).then(|| {
                        (
                            Rule::PlainGetUnderRcu,
                            format!(
                                "`{text}` on an entry found under RCU on `{place}`, {why}: the \
                                 count may be 0 (get_ref_not_zero)"
                            ),
                        )
                    })
                });
                let typesafe = self.scenario.world.typesafe_by_rcu;
                let local = self.local(object);
                local.refs += 1;
                local.needs_recheck |=
                    typesafe && matches!(local.origin, Origin::FoundRcu(_) | Origin::LookedUp(_));
                broken
            }
            Step::Read { object, .. } => self
                .unusable(&text, object)
                .or_else(|| self.unrechecked(&text, object)),
            Step::Recheck { object, .. } => {
                let broken = self.unusable(&text, object);
                self.local(object).needs_recheck = false;
                broken
            }
            Step::SetKey { object, .. } if self.key_after_count(object) => Some((
                Rule::WriteAfterPublish,
                format!(
                    "`{text}` writes {object}'s key after `alloc` set its count: in a \
                     typesafe-by-rcu cache a lookup may stand on the reused slot, and its \
                     get_ref_not_zero and recheck see the count and the previous object's key \
                     (alloc {object} key K writes the key before the count)"
                ),
            )),
            Step::Write { object, .. } if self.key_after_count(object) => Some((
                Rule::WriteAfterPublish,
                format!(
                    "`{text}` writes {object}'s data after `alloc` set its count: in a \
                     typesafe-by-rcu cache a lookup may stand on the slot from its previous \
                     life, take a reference (get_ref_not_zero sees the count) and pass its \
                     recheck, and its reads race with this write (rculist_nulls.rst's insert \
                     algorithm initialises the object before it sets the count with release)"
                ),
            )),
            Step::Write { object, .. } | Step::SetKey { object, .. } => self
                .unusable(&text, object)
                .or_else(|| self.unrechecked(&text, object))
                .or_else(|| {
                    let local = self.local(object);
                    if local.publishing_under.is_some() {
                        return None;
                    }
                    let shared = local.shared?;
                    Some((
                        Rule::WriteAfterPublish,
                        format!(
                        "`{text}` writes {object}'s data after it was published on `{}`, where \
                         other actors keep its entries: their reads race with the write",
                        self.list_name(shared)
                    ),
                    ))
                }),
            Step::Signal { .. } => None,
            Step::Wait { .. } => {
                let lock = self.held.iter().position(Option::is_some)?;
                Some((
                    Rule::LockMisuse,
                    format!(
                        "`{text}` waits while holding the {} lock: the signaller may need it",
                        self.lock_name(lock)
                    ),
                ))
            }
        }
    }

    fn lock(&mut self, text: &str, step: &'a Located<Step>, lock: usize) -> Broken {
        if self.held[lock].is_some() {
            return Some((
                Rule::LockMisuse,
                format!("`{text}` takes a lock this actor already holds: it waits for itself"),
            ));
        }
        // Against every lock held, not only the first: `a, b, d` against `c, d, b` deadlocks on
        // b and d.
        let reversed = (0..self.held.len())
            .filter(|&outer| self.held[outer].is_some())
            .find_map(|outer| {
                let actors = self.sharing.nestings.get(&(lock, outer))?;
                // The other order in this actor alone deadlocks only with a copy of it running.
                let other = actors
                    .iter()
                    .find(|a| **a != self.actor.name || self.actor.count.is_some_and(|n| n > 1))?;
                Some((outer, other.clone()))
            });
        self.held[lock] = Some(step);
        let (outer, other) = reversed?;
        Some((
            Rule::LockMisuse,
            format!(
                "`{text}` takes the {} lock while holding the {} lock, and actor `{other}` takes \
                 them in the other order: a deadlock",
                self.lock_name(lock),
                self.lock_name(outer)
            ),
        ))
    }

    pub(super) fn free(&mut self, text: &str, object: &str) -> Broken {
        let local = self.local(object).clone();
        // Every list it may be on, including one that holds the adder's reference: freeing an
        // object a list still links is `linked-at-free` whoever's reference it was (found by
        // the fuzzing: `tests/scenarios/found/necessity-20261125.toml`), so it is tested first.
        let on = local.may_be_on();
        let broken = if let Some(table) = local.hashed {
            Some((
                Rule::LinkedAtFree,
                format!(
                    "`{text}` frees {object} while it is still hashed on `{}`",
                    self.table_name(table)
                ),
            ))
        } else if !on.is_empty() {
            Some((
                Rule::LinkedAtFree,
                format!(
                    "`{text}` frees {object} while it is still linked on {}",
                    self.names(&on)
                ),
            ))
        } else if local.refs == 0 {
            Some((
                Rule::DoubleFree,
                if local.dropped {
                    format!(
                        "`{text}` frees {object} after this actor already dropped its reference"
                    )
                } else {
                    format!("`{text}` frees {object}, to which this actor holds no reference")
                },
            ))
        } else if let Some(table) = local.shared_by_table {
            Some((
                Rule::FreeWhileShared,
                format!(
                    "`{text}` frees {object}, which other actors may hold a reference to (it was \
                     hashed on `{}`, whose lookups take references): only the last put_ref may \
                     free it",
                    self.table_name(table)
                ),
            ))
        } else {
            let shared = local
                .shared
                .filter(|&list| !self.freed_after_readers(&local, list));
            shared.map(|list| {
                (
                    Rule::FreeWhileShared,
                    format!(
                        "`{text}` frees {object}, which other actors may hold a reference to (it \
                         was on `{}`): only the last put_ref may free it",
                        self.list_name(list)
                    ),
                )
            })
        };
        let local = self.local(object);
        local.refs = 0;
        local.dropped = true;
        broken
    }

    pub(super) fn put_ref(&mut self, text: &str, object: &str) -> Broken {
        let local = self.local(object).clone();
        let on: BTreeSet<usize> = local.linked.union(&local.maybe_linked).copied().collect();
        let broken = if local.refs == 0 {
            Some((
                Rule::DoubleFree,
                if local.dropped {
                    format!("`{text}` drops a reference to {object} after this actor dropped its last one (past zero)")
                } else {
                    format!("`{text}` drops a reference to {object} that this actor never took")
                },
            ))
        } else if local.refs == 1 && !on.is_empty() {
            Some((
                Rule::LinkedAtFree,
                format!(
                    "`{text}` drops this actor's last reference to {object} while it is still \
                     linked on {}",
                    self.names(&on)
                ),
            ))
        } else {
            local.hashed.filter(|_| local.refs == 1).map(|table| {
                (
                    Rule::LinkedAtFree,
                    format!(
                        "`{text}` drops this actor's last reference to {object} while it is \
                         still hashed on `{}`",
                        self.table_name(table)
                    ),
                )
            })
        };
        let local = self.local(object);
        local.refs = local.refs.saturating_sub(1);
        local.dropped |= local.refs == 0;
        broken
    }

    /// Whether `object` is this actor's own allocation in a `typesafe-by-rcu` cache: its count
    /// is visible to lookups that stand on the slot from the `alloc` on.
    fn key_after_count(&self, object: &str) -> bool {
        self.scenario.world.typesafe_by_rcu
            && self
                .locals
                .get(object)
                .is_some_and(|local| local.origin == Origin::Alloc && !local.dropped)
    }

    /// `hlist_nulls_add_head_rcu` (`add`) or `hlist_nulls_del[_init]_rcu` of `object` on
    /// `table`: under the table's lock, on an object this actor may use.
    fn hash_change(&mut self, text: &str, object: &str, table: usize, add: bool) -> Broken {
        let lock = self.scenario.world.tables[table].lock;
        let doing = format!("changes table `{}`", self.table_name(table));
        let broken = self
            .without_lock(text, lock, &doing)
            .or_else(|| self.unusable(text, object));
        let referenced = self.sharing.refs_taken_on_table[table];
        let local = self.local(object);
        if add {
            local.hashed = Some(table);
            if referenced {
                local.shared_by_table = Some(table);
            }
        } else {
            local.hashed = None;
            // A lockless lookup may stand on it until a grace period ends.
            local.readers_may_stand_on = true;
        }
        broken
    }

    /// `lookup_rcu TABLE key K into x`: `x` is usable without a reference until the section
    /// ends; the lookup restarts when its walk ends on another chain's marker.
    fn lookup(&mut self, step: &Located<Step>, into: &str, table: usize) -> Broken {
        let mut local = Local::new(Origin::LookedUp(table), 0);
        local.in_section = self.sections > 0;
        if !local.in_section {
            // Under the table's lock instead (the parser allows that): nothing moves meanwhile.
            local.borrowed = Some(self.scenario.world.tables[table].lock);
        }
        let lockless = local.in_section;
        self.locals.insert(into.to_string(), local);
        let at = self
            .actor
            .steps
            .iter()
            .position(|s| std::ptr::eq(s, step))
            .expect("the step is one of the actor's");
        let restarts = self.actor.steps[at + 1..]
            .iter()
            .take_while(|s| s.value.binds() != Some(into))
            .any(|s| matches!(&s.value, Step::NullsRestart { object } if object == into));
        (lockless && !restarts).then(|| {
            (
                Rule::NullsWalkWithoutRestart,
                format!(
                    "`{}` is never followed by `nulls_restart {into}`: when an entry the walk \
                     stands on moves to another chain, the walk ends on that chain's marker and \
                     the lookup misses what is on its own",
                    step.value.text(&self.scenario.world)
                ),
            )
        })
    }

    /// `keep` is bound to an entry found on `list` under its lock.
    fn keep_found(&mut self, keep: &str, list: usize) {
        let mut local = Local::new(Origin::Found(list), 0);
        local.borrowed = Some(self.lock_of(list));
        local.on_while_held.insert(list);
        local.found_on.insert(list);
        local.shared = Some(list);
        self.locals.insert(keep.to_string(), local);
    }

    /// `list_move`: an unlink from the list sharing the link it may be on, under that list's
    /// lock, then an add to `list`, under its lock.
    fn list_move(&mut self, text: &str, object: &str, list: usize) -> Broken {
        let link = self.scenario.world.lists[list].link;
        let sources: Vec<usize> = self
            .local(object)
            .may_be_on()
            .into_iter()
            .filter(|&l| self.scenario.world.lists[l].link == link)
            .collect();
        let unlocked_source = sources
            .iter()
            .find_map(|&source| self.unlocked(text, source, "unlinks an entry of"));
        for &source in &sources {
            // Its other rules are the add's (the lock was just checked).
            let _ = self.list_del(text, object, source);
        }
        unlocked_source.or_else(|| self.list_add(text, object, list))
    }

    /// `list_splice`: both lists change, under both locks; every entry that may be on `from`
    /// moves to `to`.
    fn list_splice(&mut self, text: &str, from: usize, to: usize) -> Broken {
        let broken = self
            .unlocked(text, from, "moves the entries of")
            .or_else(|| self.unlocked(text, to, "changes"));
        for local in self.locals.values_mut() {
            for set in [
                &mut local.linked,
                &mut local.maybe_linked,
                &mut local.on_while_held,
                &mut local.found_on,
            ] {
                if set.remove(&from) {
                    set.insert(to);
                }
            }
        }
        broken
    }

    fn list_add(&mut self, text: &str, object: &str, list: usize) -> Broken {
        let broken = self
            .unlocked(text, list, "changes")
            .or_else(|| self.unusable(text, object))
            .or_else(|| {
                let local = self.locals.get(object)?;
                // The more specific rule first: adding an object to a list it is already on is
                // a double add whatever references the actor holds (found by the fuzzing:
                // `tests/scenarios/found/necessity-99537358.toml`).
                if local.linked.contains(&list) || local.on_while_held.contains(&list) {
                    return Some((
                        Rule::LinkMismatch,
                        format!(
                            "`{text}` adds {object} to `{}`, which it is already on",
                            self.list_name(list)
                        ),
                    ));
                }
                (local.refs == 0).then(|| {
                    (
                        Rule::UseWithoutRef,
                        format!(
                            "`{text}` links {object}, to which this actor holds no reference: \
                             nothing keeps it alive while it is linked"
                        ),
                    )
                })
            });
        let published = self.sharing.bound_from[list].then_some(list);
        let handed_off = self.sharing.handed_off[list];
        let lock = self.lock_of(list);
        let local = self.local(object);
        if published.is_some() && local.shared.is_none() {
            local.publishing_under = Some(lock);
        }
        local.shared = local.shared.or(published);
        if handed_off {
            // The list holds the adder's reference: whoever unlinks the entry gets it.
            local.refs = local.refs.saturating_sub(1);
            local.on_while_held.insert(list);
            if local.refs == 0 {
                local.borrowed = Some(lock);
            }
        } else {
            local.linked.insert(list);
        }
        broken
    }

    /// The lists sharing `list`'s link (itself included).
    fn link_group(&self, list: usize) -> Vec<usize> {
        let lists = &self.scenario.world.lists;
        (0..lists.len())
            .filter(|&l| lists[l].link == lists[list].link)
            .collect()
    }

    fn list_del(&mut self, text: &str, object: &str, list: usize) -> Broken {
        // `list_del` needs no head: it changes whichever list sharing the link the entry is
        // on, under that list's lock.
        let group = self.link_group(list);
        let may_be_on = self.local(object).may_be_on();
        let other_lists: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&l| l != list && may_be_on.contains(&l))
            .collect();
        let broken = self
            .unlocked(text, list, "changes")
            .or_else(|| {
                other_lists
                    .iter()
                    .find_map(|&l| self.unlocked(text, l, "changes"))
            })
            .or_else(|| self.unusable(text, object))
            .or_else(|| {
                let local = self.locals.get(object)?;
                (!local.may_be_on().contains(&list)).then(|| {
                    (
                        Rule::LinkMismatch,
                        format!(
                            "`{text}` deletes {object} from `{}`, which this actor does not \
                             know it to be on (never added by it, or already deleted)",
                            self.list_name(list)
                        ),
                    )
                })
            });
        let local = self.local(object);
        for l in group {
            local.maybe_linked.remove(&l);
            local.found_on.remove(&l);
            if !local.linked.remove(&l) && local.on_while_held.remove(&l) {
                // Unlinking an entry the list held a reference for: the reference comes along.
                local.refs += 1;
            }
        }
        broken
    }
}

#[cfg(test)]
#[path = "actor_tests.rs"]
mod tests;
