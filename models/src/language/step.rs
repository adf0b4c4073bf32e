//! `Step`: one action of an actor, in the kernel's vocabulary (`alloc`, `list_add`, `walk`,
//! `put_ref`, ...), as `step_parser` reads it from one string such as `"list_add s registry"`.

use super::names::Names;
use super::WorldSpec;

/// The step names, as a file writes them (listed in error messages).
pub const STEP_NAMES: [&str; 47] = [
    "alloc",
    "free",
    "lock",
    "unlock",
    "list_add",
    "list_add_tail",
    "list_del",
    "list_del_init",
    "list_move",
    "list_move_tail",
    "list_splice",
    "list_splice_init",
    "list_replace",
    "list_replace_init",
    "walk",
    "walk_safe",
    "walk_from",
    "walk_continue",
    "reap",
    "reap_safe",
    "get_ref",
    "get_ref_not_zero",
    "put_ref",
    "read",
    "write",
    "set_key",
    "recheck",
    "signal",
    "wait",
    "rcu_read_lock",
    "rcu_read_unlock",
    "synchronize_rcu",
    "rcu_barrier",
    "call_rcu",
    "kfree_rcu",
    "list_add_rcu",
    "list_add_tail_rcu",
    "list_del_rcu",
    "list_replace_rcu",
    "walk_rcu",
    "destroy_cache",
    "hlist_nulls_add_head_rcu",
    "hlist_nulls_del_rcu",
    "hlist_nulls_del_init_rcu",
    "lookup_rcu",
    "nulls_restart",
    "expect_found",
];

/// One step. Objects are an actor's local names (bound by `alloc`, `walk ... keep` or
/// `reap ... into`); lists, locks and events are indices into the world's declarations.
///
/// A local holds the objects its binding step gave it: one for `alloc`, zero or one for
/// `walk ... keep` (a lookup that found nothing holds none), any number for `reap`. A step on a
/// local acts on each object it holds, so a step on an empty lookup does nothing, like the
/// kernel's `if (sk) { ... }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `alloc x [key K]`: takes a slot from the slab (LIFO: the last freed), sets its data to
    /// 0 and its key to `K`, then its reference count to 1 (the actor's reference) with a
    /// release store, as `rculist_nulls.rst`'s insert sets the key before the count that lets a
    /// reader's `get_ref_not_zero` succeed. Without `key K` the key is what the slot's memory
    /// held (0 when new; the previous object's, reused: slab memory is not cleared).
    Alloc {
        /// The local it binds.
        object: String,
        /// The object's key (its identity: a socket's address and ports).
        key: Option<u32>,
    },
    /// `set_key x K`: writes the object's key (after publishing it, that is the
    /// keys-after-publish bug: a reader may take the object for another).
    SetKey {
        /// The object.
        object: String,
        /// The new key.
        key: u32,
    },
    /// `recheck x key K [restart]`: the identity check after a lockless lookup took its
    /// reference (`__inet_lookup_established`'s second `inet_match`): if the object's key is not
    /// `K` now (its slot was freed and reused for another object, in a `typesafe-by-rcu`
    /// cache), drops the reference taken and binds nothing; with `restart`, then goes back to
    /// the step that bound `x` (`sock_gen_put(sk); goto begin;`).
    Recheck {
        /// The object.
        object: String,
        /// The key looked up.
        key: u32,
        /// On a mismatch, run the lookup that bound `x` again.
        restart: bool,
    },
    /// `free x`: returns the object to the slab, whatever its reference count and lists.
    Free {
        /// The object.
        object: String,
    },
    /// `lock [L]`: takes a spinlock (the only one, if `L` is left out).
    Lock {
        /// The lock.
        lock: usize,
    },
    /// `unlock [L]`: releases it (checking the lists it protects, if the world says so).
    Unlock {
        /// The lock.
        lock: usize,
    },
    /// `list_add x L` (`list_add(&x->link, &L)`) or `list_add_tail x L`; `list_add_rcu` and
    /// `list_add_tail_rcu` publish the entry with `rcu_assign_pointer` (a release store) after
    /// writing its own links (`include/linux/rculist.h`).
    ListAdd {
        /// The object.
        object: String,
        /// The list.
        list: usize,
        /// `list_add_tail`.
        tail: bool,
        /// The `_rcu` form.
        rcu: bool,
    },
    /// `list_del x L` (poisons both links) or `list_del_init x L`; `list_del_rcu x L` unlinks
    /// but leaves `next` intact for readers standing on the entry and poisons only `prev`.
    ListDel {
        /// The object.
        object: String,
        /// The list.
        list: usize,
        /// `list_del_init`.
        init: bool,
        /// `list_del_rcu`.
        rcu: bool,
    },
    /// `list_move x L` (`list_move(&x->link, &L)`) or `list_move_tail x L`: unlinks the entry
    /// from the list it is on (any list sharing `L`'s link) and adds it to `L`, at the head or
    /// the tail. Both lists change: the kernel's callers hold both lists' locks.
    ListMove {
        /// The object.
        object: String,
        /// The list it moves to.
        list: usize,
        /// `list_move_tail`.
        tail: bool,
    },
    /// `list_splice FROM TO` (`list_splice(&FROM, &TO)`): joins every entry of `FROM` at the
    /// head of `TO`; `FROM`'s head is left as it was (stale: only `_init` makes it empty
    /// again). `list_splice_init FROM TO` reinitialises `FROM`. The lists share a link.
    ListSplice {
        /// The list whose entries move.
        from: usize,
        /// The list they join.
        to: usize,
        /// `list_splice_init`.
        init: bool,
    },
    /// `list_replace x y L` (`list_replace(&x->link, &y->link)`): `y` takes `x`'s place on `L`;
    /// `x`'s links are left as they were (stale), or made an empty list of their own with
    /// `list_replace_init`.
    ListReplace {
        /// The entry replaced.
        old: String,
        /// The entry that takes its place.
        new: String,
        /// The list.
        list: usize,
        /// `list_replace_init`.
        init: bool,
    },
    /// `walk_from x L [keep y [key K]]` (`list_for_each_entry_from`: from `x` itself) or
    /// `walk_continue x L [keep y [key K]]` (`list_for_each_entry_continue`: from the entry
    /// after `x`) to `L`'s head: a walk resumed from a cursor kept by an earlier step. If `x`
    /// is no longer on `L`, the walk follows whatever `x`'s link points to now.
    WalkFrom {
        /// The local holding the cursor entry.
        object: String,
        /// The list.
        list: usize,
        /// `walk_from`: the cursor entry is visited first.
        inclusive: bool,
        /// The local bound to the first entry visited (with key `key`, if any).
        keep: Option<String>,
        /// `keep y key K`: the first entry whose key is `K`.
        key: Option<u32>,
    },
    /// `STEP if CONDITION`: runs `step` only if the condition holds as the step begins, the
    /// guard kernel code puts on many unlinks (`if (!list_empty(&x->node))
    /// list_del_init(&x->node);`). A skipped step that binds a local binds it to nothing.
    Guarded {
        /// The condition.
        guard: Guard,
        /// The step it guards.
        step: Box<Step>,
    },
    /// `list_replace_rcu x y L`: `y` takes `x`'s place, published with `rcu_assign_pointer`;
    /// `x`'s `next` stays intact for readers standing on it.
    ListReplaceRcu {
        /// The entry replaced.
        old: String,
        /// The entry that takes its place.
        new: String,
        /// The list.
        list: usize,
    },
    /// `walk L [keep x]` (`list_for_each_entry`) or `walk_safe L [keep x]`: visits every entry;
    /// `keep x` binds the first entry found (none if the list is empty). `walk_rcu L [keep x]`
    /// (`list_for_each_entry_rcu`) walks without the lock, inside a read-side section, loading
    /// each `next` with `rcu_dereference` (an acquire load).
    Walk {
        /// The list.
        list: usize,
        /// The deletion-tolerant variant.
        safe: bool,
        /// The local bound to the first entry.
        keep: Option<String>,
        /// `walk_rcu`.
        rcu: bool,
        /// `keep x key K`: keep the first entry whose key is `K` (a lookup) rather than the first.
        key: Option<u32>,
    },
    /// `reap L into x` (a plain walk that `list_del`s each entry: the iterate-delete bug) or
    /// `reap_safe L into x` (`list_for_each_entry_safe`): binds `x` to every entry unlinked.
    Reap {
        /// The list.
        list: usize,
        /// The deletion-tolerant walk.
        safe: bool,
        /// The local bound to the unlinked entries.
        into: String,
    },
    /// `get_ref x` (`refcount_inc`, `kref_get`): takes a reference; on a count of 0 (the
    /// object's last reference is being dropped) a `refcount-from-zero` finding.
    /// `get_ref_not_zero x` (`refcount_inc_not_zero`, `kref_get_unless_zero`): takes one
    /// unless the count is 0, and then binds nothing: `x` holds no object afterwards.
    GetRef {
        /// The object.
        object: String,
        /// The `_not_zero` form, which fails at 0 instead of taking a reference.
        not_zero: bool,
    },
    /// `put_ref x`: drops a reference; the last one frees the object. `put_ref x kfree_rcu`:
    /// the last one queues the free past a grace period instead, as a `kref_put` whose release
    /// function ends in `kfree_rcu` (the count reaches 0 while RCU readers may still find the
    /// object: their get must be `get_ref_not_zero`).
    PutRef {
        /// The object.
        object: String,
        /// The release defers the free past a grace period (`kfree_rcu`).
        release_rcu: bool,
    },
    /// `read x [== N] [unchecked]`: reads the object's data (a use); `== N` asserts its value
    /// (another value is a write after free by someone else); `unchecked` reads through a
    /// pointer kept from earlier, without the KASAN-like check.
    Read {
        /// The object.
        object: String,
        /// The value it must hold.
        expect: Option<u32>,
        /// Skip the use-after-free check.
        unchecked: bool,
    },
    /// `write x N [unchecked]`: writes the object's data.
    Write {
        /// The object.
        object: String,
        /// The value written.
        value: u32,
        /// Skip the use-after-free check (a write through a pointer kept from earlier).
        unchecked: bool,
    },
    /// `signal E`: sets a one-shot event.
    Signal {
        /// The event.
        event: usize,
    },
    /// `wait E`: blocks until the event is set.
    Wait {
        /// The event.
        event: usize,
    },
    /// `rcu_read_lock`: opens a read-side section (sections nest).
    RcuReadLock,
    /// `rcu_read_unlock`: closes the innermost read-side section.
    RcuReadUnlock,
    /// `synchronize_rcu`: returns once every read-side section that began before it has ended.
    SynchronizeRcu,
    /// `rcu_barrier`: returns once every callback queued before it has run.
    RcuBarrier,
    /// `call_rcu x` (the callback drops the actor's reference to `x` after a grace period: the
    /// last reference frees it) or `kfree_rcu x` (the callback frees `x` after a grace period).
    /// Either hands the actor's reference to the callback.
    CallRcu {
        /// The object.
        object: String,
        /// `kfree_rcu`: free, whatever the count.
        free: bool,
    },
    /// `hlist_nulls_add_head_rcu x [T]`: hashes the object at the head of the chain of table `T`
    /// its key selects (`key % chains`, the key read as the step runs), publishing it with
    /// `rcu_assign_pointer` (include/linux/rculist_nulls.h). Taken under the table's lock.
    HashAdd {
        /// The object.
        object: String,
        /// The table.
        table: usize,
    },
    /// `hlist_nulls_del_rcu x [T]` (`pprev` poisoned, `next` left for readers standing on the
    /// node) or `hlist_nulls_del_init_rcu x [T]` (`pprev` cleared: the node reads as unhashed).
    HashDel {
        /// The object.
        object: String,
        /// The table.
        table: usize,
        /// `hlist_nulls_del_init_rcu`.
        init: bool,
    },
    /// `lookup_rcu [T] key K into x`: the lockless walk of `rculist_nulls.rst`'s lookup
    /// (`hlist_nulls_for_each_entry_rcu` over the chain `K` hashes to, `READ_ONCE` of each
    /// entry's key) binding `x` to the first entry whose key is `K`, or to nothing; it remembers
    /// the marker the walk ended on, for `nulls_restart x`. Inside a read-side section.
    Lookup {
        /// The table.
        table: usize,
        /// The key looked up.
        key: u32,
        /// The local bound to the entry found.
        into: String,
    },
    /// `nulls_restart x`: `if (get_nulls_value(node) != slot) goto begin;`: if the lookup that
    /// bound `x` found nothing and ended on another chain's marker (an entry it stood on was
    /// moved to another chain), goes back to that lookup.
    NullsRestart {
        /// The local a `lookup_rcu` bound.
        object: String,
    },
    /// `expect_found x`: asserts that the lookup that bound `x` found an object: a miss while
    /// an object with the key was hashed on its chain for the whole lookup is a
    /// `missed-lookup` finding (a miss when no such object stayed is the right answer).
    ExpectFound {
        /// The local a `lookup_rcu` bound.
        object: String,
    },
    /// `destroy_cache`: `kmem_cache_destroy` of the slab. An object still allocated is a leak
    /// (the kernel's "Objects remaining on __kmem_cache_shutdown()"); a free into the destroyed
    /// cache afterwards (a callback still queued) is a use after free of the cache.
    DestroyCache,
}

/// The condition of a guarded step (`STEP if CONDITION`), read as the step begins, with the
/// kernel's own reads: `list_empty` of a link or a head (one load of its `next`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// `if x linked L`: `!list_empty(&x->link)`, with `L` naming the link. A link poisoned by
    /// `list_del` reads as linked, as in the kernel.
    Linked {
        /// The object.
        object: String,
        /// A list using the link.
        list: usize,
    },
    /// `if x unlinked L`: `list_empty(&x->link)`.
    Unlinked {
        /// The object.
        object: String,
        /// A list using the link.
        list: usize,
    },
    /// `if L empty`: `list_empty(&L)`.
    Empty {
        /// The list.
        list: usize,
    },
    /// `if L nonempty`: `!list_empty(&L)`.
    Nonempty {
        /// The list.
        list: usize,
    },
    /// `if x found`: the step that bound `x` found an object (`if (sk)`).
    Found {
        /// The local.
        object: String,
    },
}

impl Guard {
    /// The local the condition reads, if any.
    pub fn uses(&self) -> Option<&str> {
        match self {
            Guard::Linked { object, .. }
            | Guard::Unlinked { object, .. }
            | Guard::Found { object } => Some(object),
            Guard::Empty { .. } | Guard::Nonempty { .. } => None,
        }
    }

    /// The list whose link or head the condition reads, if any.
    pub fn list(&self) -> Option<usize> {
        match self {
            Guard::Linked { list, .. }
            | Guard::Unlinked { list, .. }
            | Guard::Empty { list }
            | Guard::Nonempty { list } => Some(*list),
            Guard::Found { .. } => None,
        }
    }

    /// The condition as a file writes it (after `if `), with `lists` naming the lists.
    pub fn text(&self, lists: &[String]) -> String {
        let list = |l: &usize| lists[*l].as_str();
        match self {
            Guard::Linked { object, list: l } => format!("{object} linked {}", list(l)),
            Guard::Unlinked { object, list: l } => format!("{object} unlinked {}", list(l)),
            Guard::Empty { list: l } => format!("{} empty", list(l)),
            Guard::Nonempty { list: l } => format!("{} nonempty", list(l)),
            Guard::Found { object } => format!("{object} found"),
        }
    }
}

impl Step {
    /// The local this step binds, if any.
    pub fn binds(&self) -> Option<&str> {
        match self {
            Step::Alloc { object, .. } => Some(object),
            Step::Walk { keep, .. } => keep.as_deref(),
            Step::Reap { into, .. } => Some(into),
            Step::Lookup { into, .. } => Some(into),
            Step::WalkFrom { keep, .. } => keep.as_deref(),
            Step::Guarded { step, .. } => step.binds(),
            _ => None,
        }
    }

    /// The step a guard runs (the step itself if it has no guard), and its guard.
    pub fn unguarded(&self) -> (&Step, Option<&Guard>) {
        match self {
            Step::Guarded { guard, step } => (step, Some(guard)),
            step => (step, None),
        }
    }

    /// Every local this step reads: the one it acts on, a second one, its guard's.
    pub fn locals_used(&self) -> Vec<&str> {
        let (step, guard) = self.unguarded();
        step.uses()
            .into_iter()
            .chain(step.also_uses())
            .chain(guard.and_then(Guard::uses))
            .collect()
    }

    /// Whether this step changes a hash table's chains (under its lock, as the writers of
    /// `rculist_nulls.rst` do).
    pub fn changes_table(&self) -> Option<usize> {
        match self {
            Step::HashAdd { table, .. } | Step::HashDel { table, .. } => Some(*table),
            Step::Guarded { step, .. } => step.changes_table(),
            _ => None,
        }
    }

    /// Whether this step may go back to an earlier one (`nulls_restart`, `recheck ...
    /// restart`): to the step that bound its local.
    pub fn may_restart(&self) -> bool {
        match self {
            Step::Guarded { step, .. } => step.may_restart(),
            step => matches!(
                step,
                Step::NullsRestart { .. } | Step::Recheck { restart: true, .. }
            ),
        }
    }

    /// The second local this step uses (`list_replace[_rcu]`'s new entry), if any.
    pub fn also_uses(&self) -> Option<&str> {
        match self {
            Step::ListReplaceRcu { new, .. } | Step::ListReplace { new, .. } => Some(new),
            Step::Guarded { step, .. } => step.also_uses(),
            _ => None,
        }
    }

    /// Whether this step changes a list (under its lock, as the protocol's rule 1 asks).
    pub fn changes_list(&self) -> Option<usize> {
        match self {
            Step::ListAdd { list, .. }
            | Step::ListDel { list, .. }
            | Step::ListReplaceRcu { list, .. }
            | Step::ListMove { list, .. }
            | Step::ListReplace { list, .. }
            | Step::ListSplice { to: list, .. } => Some(*list),
            Step::Guarded { step, .. } => step.changes_list(),
            _ => None,
        }
    }

    /// Whether the step may queue an RCU callback (`call_rcu`, `kfree_rcu`, a release that
    /// ends in `kfree_rcu`), which a grace-period worker runs.
    pub fn queues_callback(&self) -> bool {
        match self {
            Step::Guarded { step, .. } => step.queues_callback(),
            step => matches!(
                step,
                Step::CallRcu { .. }
                    | Step::PutRef {
                        release_rcu: true,
                        ..
                    }
            ),
        }
    }

    /// The local this step uses, if any.
    pub fn uses(&self) -> Option<&str> {
        match self {
            Step::Free { object }
            | Step::ListAdd { object, .. }
            | Step::ListDel { object, .. }
            | Step::ListReplaceRcu { old: object, .. }
            | Step::ListMove { object, .. }
            | Step::ListReplace { old: object, .. }
            | Step::WalkFrom { object, .. }
            | Step::GetRef { object, .. }
            | Step::PutRef { object, .. }
            | Step::Read { object, .. }
            | Step::Write { object, .. }
            | Step::SetKey { object, .. }
            | Step::Recheck { object, .. }
            | Step::CallRcu { object, .. }
            | Step::HashAdd { object, .. }
            | Step::HashDel { object, .. }
            | Step::NullsRestart { object }
            | Step::ExpectFound { object } => Some(object),
            Step::Guarded { step, .. } => step.uses(),
            _ => None,
        }
    }

    /// The step as a file writes it, with its list, lock and event names.
    pub fn text(&self, world: &WorldSpec) -> String {
        let lists: Vec<String> = world.lists.iter().map(|l| l.name.clone()).collect();
        let locks: Vec<String> = world.locks.iter().map(|l| l.name.clone()).collect();
        let tables: Vec<String> = world.tables.iter().map(|t| t.name.clone()).collect();
        self.text_named(&Names {
            lists: &lists,
            locks: &locks,
            events: &world.events,
            tables: &tables,
        })
    }

    /// As [`Step::text`], with the declarations' names.
    pub(crate) fn text_named(&self, names: &Names<'_>) -> String {
        let list = |l: &usize| names.lists[*l].as_str();
        let lock = |l: &usize| names.locks[*l].as_str();
        let table = |t: &usize| names.tables[*t].as_str();
        match self {
            Step::Alloc { object, key: None } => format!("alloc {object}"),
            Step::Alloc {
                object,
                key: Some(key),
            } => format!("alloc {object} key {key}"),
            Step::SetKey { object, key } => format!("set_key {object} {key}"),
            Step::Recheck {
                object,
                key,
                restart,
            } => {
                let restart = if *restart { " restart" } else { "" };
                format!("recheck {object} key {key}{restart}")
            }
            Step::HashAdd { object, table: t } => {
                format!("hlist_nulls_add_head_rcu {object} {}", table(t))
            }
            Step::HashDel {
                object,
                table: t,
                init,
            } => {
                let verb = if *init {
                    "hlist_nulls_del_init_rcu"
                } else {
                    "hlist_nulls_del_rcu"
                };
                format!("{verb} {object} {}", table(t))
            }
            Step::Lookup {
                table: t,
                key,
                into,
            } => format!("lookup_rcu {} key {key} into {into}", table(t)),
            Step::NullsRestart { object } => format!("nulls_restart {object}"),
            Step::ExpectFound { object } => format!("expect_found {object}"),
            Step::Free { object } => format!("free {object}"),
            Step::Lock { lock: l } => format!("lock {}", lock(l)),
            Step::Unlock { lock: l } => format!("unlock {}", lock(l)),
            Step::ListAdd {
                object,
                list: l,
                tail,
                rcu,
            } => {
                let verb = if *tail { "list_add_tail" } else { "list_add" };
                let rcu = if *rcu { "_rcu" } else { "" };
                format!("{verb}{rcu} {object} {}", list(l))
            }
            Step::ListDel {
                object,
                list: l,
                init,
                rcu,
            } => {
                let verb = match (*init, *rcu) {
                    (_, true) => "list_del_rcu",
                    (true, false) => "list_del_init",
                    (false, false) => "list_del",
                };
                format!("{verb} {object} {}", list(l))
            }
            Step::ListReplaceRcu { old, new, list: l } => {
                format!("list_replace_rcu {old} {new} {}", list(l))
            }
            Step::ListMove {
                object,
                list: l,
                tail,
            } => {
                let verb = if *tail { "list_move_tail" } else { "list_move" };
                format!("{verb} {object} {}", list(l))
            }
            Step::ListSplice { from, to, init } => {
                let verb = if *init {
                    "list_splice_init"
                } else {
                    "list_splice"
                };
                format!("{verb} {} {}", list(from), list(to))
            }
            Step::ListReplace {
                old,
                new,
                list: l,
                init,
            } => {
                let verb = if *init {
                    "list_replace_init"
                } else {
                    "list_replace"
                };
                format!("{verb} {old} {new} {}", list(l))
            }
            Step::WalkFrom {
                object,
                list: l,
                inclusive,
                keep,
                key,
            } => {
                let verb = if *inclusive {
                    "walk_from"
                } else {
                    "walk_continue"
                };
                let mut text = format!("{verb} {object} {}", list(l));
                if let Some(keep) = keep {
                    text.push_str(&format!(" keep {keep}"));
                }
                if let Some(key) = key {
                    text.push_str(&format!(" key {key}"));
                }
                text
            }
            Step::Guarded { guard, step } => {
                format!("{} if {}", step.text_named(names), guard.text(names.lists))
            }
            Step::Walk {
                list: l,
                safe,
                keep,
                rcu,
                key,
            } => {
                let verb = match (*safe, *rcu) {
                    (_, true) => "walk_rcu",
                    (true, false) => "walk_safe",
                    (false, false) => "walk",
                };
                match (keep, key) {
                    (Some(keep), Some(key)) => format!("{verb} {} keep {keep} key {key}", list(l)),
                    (Some(keep), None) => format!("{verb} {} keep {keep}", list(l)),
                    (None, _) => format!("{verb} {}", list(l)),
                }
            }
            Step::Reap {
                list: l,
                safe,
                into,
            } => {
                let verb = if *safe { "reap_safe" } else { "reap" };
                format!("{verb} {} into {into}", list(l))
            }
            Step::GetRef {
                object,
                not_zero: false,
            } => format!("get_ref {object}"),
            Step::GetRef {
                object,
                not_zero: true,
            } => format!("get_ref_not_zero {object}"),
            Step::PutRef {
                object,
                release_rcu: false,
            } => format!("put_ref {object}"),
            Step::PutRef {
                object,
                release_rcu: true,
            } => format!("put_ref {object} kfree_rcu"),
            Step::Read {
                object,
                expect,
                unchecked,
            } => {
                let mut text = format!("read {object}");
                if let Some(value) = expect {
                    text.push_str(&format!(" == {value}"));
                }
                if *unchecked {
                    text.push_str(" unchecked");
                }
                text
            }
            Step::Write {
                object,
                value,
                unchecked,
            } => {
                let unchecked = if *unchecked { " unchecked" } else { "" };
                format!("write {object} {value}{unchecked}")
            }
            Step::Signal { event } => format!("signal {}", names.events[*event]),
            Step::Wait { event } => format!("wait {}", names.events[*event]),
            Step::RcuReadLock => "rcu_read_lock".to_string(),
            Step::RcuReadUnlock => "rcu_read_unlock".to_string(),
            Step::SynchronizeRcu => "synchronize_rcu".to_string(),
            Step::RcuBarrier => "rcu_barrier".to_string(),
            Step::CallRcu { object, free } => {
                format!("{} {object}", if *free { "kfree_rcu" } else { "call_rcu" })
            }
            Step::DestroyCache => "destroy_cache".to_string(),
        }
    }
}
