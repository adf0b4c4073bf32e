//! The list side of [`World`]: `list_add`/`list_del` of an object's link, the bounded walks
//! (plain, `_safe`, reaping), the looping reader, the well-formedness check at unlock, and the
//! pictures of the lists a finding shows.

use super::place::Place;
use super::threads::Threads;
use super::world::{Object, World};
use crate::outcome::{FindingKind, ListPicture, NodeLinks, Stop, What};
use lifecycle_list::{ListError, ListHead, LIST_POISON1, LIST_POISON2};
use lifecycle_slab::Handle;
use std::sync::atomic::Ordering;

impl<P: Threads> World<P> {
    /// Visits every node of the lists `drawn(list)` picks, list by list: the head (`slot` is
    /// `None`), then each slot's link on that list.
    fn each_node(
        &self,
        drawn: impl Fn(usize) -> bool,
        mut visit: impl FnMut(usize, Option<usize>, &ListHead<P>),
    ) {
        for (list, head) in self
            .heads
            .iter()
            .enumerate()
            .filter(|&(list, _)| drawn(list))
        {
            visit(list, None, head);
            for slot in 0..self.slab.capacity() {
                visit(list, Some(slot), self.link(slot, list));
            }
        }
    }

    /// Every node of the lists whose locks are marked in `held[lock]`, with its links.
    fn picture(&self, held: &[bool]) -> ListPicture {
        let mut nodes = Vec::new();
        self.each_node(
            |list| held[self.list_locks[list]],
            |list, slot, link| {
                // Peeked, unseen by loom: there a load would be a scheduling point (and an
                // acquire one would order this thread after the write it reads), so a recording
                // run would explore other executions than a quiet one.
                let (name, allocated) = match slot {
                    None => (self.head_name(list), true),
                    Some(slot) => (self.link_name(slot, list), self.slab.peek_allocated(slot)),
                };
                let (next, prev) = link.peek_links();
                let (next, prev) = (next as usize, prev as usize);
                nodes.push(NodeLinks {
                    name,
                    next: self.name_of(next),
                    prev: self.name_of(prev),
                    allocated,
                });
            },
        );
        ListPicture { nodes }
    }

    /// Visits every list node's `(next, prev)` by place: each head, then each slot's link,
    /// list by list (the nodes of a picture of every list). Call with no step under way.
    pub(crate) fn each_link_place(&self, mut visit: impl FnMut(Place, Place)) {
        self.each_node(
            |_| true,
            |_, _, link| {
                // SAFETY: no step is under way (the caller's contract), so nothing writes the
                // links these loads read; they are turned into places, never followed.
                let (next, prev) = unsafe { (link.next_ptr() as usize, link.prev_ptr() as usize) };
                visit(self.place_of(next), self.place_of(prev));
            },
        );
    }

    /// Records a picture after a list operation of a caller holding a lock: of every list of
    /// the world where the harness's reads are invisible to the run (real threads and the state
    /// graph: plain atomic loads no checker watches), else of the lists whose locks it holds
    /// (under loom a read of another list would be a race it reports, under shuttle a
    /// scheduling point that changes what it explores).
    pub(super) fn record_picture(&self, held: &[bool]) {
        if self.trace.is_recording() && held.iter().any(|&h| h) {
            let every = vec![true; held.len()];
            let drawn = if P::IS_CHECKER { held } else { &every };
            self.record(|| What::Picture(self.picture(drawn)));
        }
    }

    /// `list_add` (or `list_add_tail`) of `handle`'s link on `list`, then a picture of what the
    /// caller may read (`held[lock]`: the locks it holds).
    ///
    /// Without the list's lock held this breaks the list discipline on purpose: the links stay
    /// valid memory (objects live in the slab) and loom reports the race.
    pub fn add(
        &self,
        handle: Handle,
        list: usize,
        (tail, rcu): (bool, bool),
        held: &[bool],
    ) -> Result<(), Stop> {
        // The handle check first (a use-after-free stop if stale), then the link projected from
        // the slot pointer, so the list stores a pointer with the object's provenance.
        self.checked(handle)?;
        let head = &self.heads[list];
        let link = self.link_ptr(handle.slot(), list);
        // SAFETY: the caller holds the list's lock, or models breaking the discipline (see
        // above); objects and heads live as long as the world.
        let added = unsafe {
            match (tail, rcu) {
                (false, false) => head.add(link),
                (true, false) => head.add_tail(link),
                (false, true) => head.add_rcu(link),
                (true, true) => head.add_tail_rcu(link),
            }
        };
        self.list_result(added)?;
        self.set_linked(handle.slot(), list, true);
        self.record(|| What::Add {
            slot: handle.slot(),
            list: self.list_names[list].clone(),
            node: self.link_name(handle.slot(), list),
            head: self.head_name(list),
        });
        self.record_picture(held);
        Ok(())
    }

    /// `list_del` (or `list_del_init`, or `list_del_rcu`) of `handle`'s link on `list`, then a
    /// picture.
    pub fn del(
        &self,
        handle: Handle,
        list: usize,
        (init, rcu): (bool, bool),
        held: &[bool],
    ) -> Result<(), Stop> {
        self.checked(handle)?;
        let how = match (init, rcu) {
            (_, true) => Unlink::Rcu,
            (true, false) => Unlink::Init,
            (false, false) => Unlink::Poison,
        };
        self.unlink(handle.slot(), self.link(handle.slot(), list), list, how)?;
        self.record_picture(held);
        Ok(())
    }

    /// `list_move` (or `list_move_tail`) of `handle`'s link to `list`, from whichever list
    /// sharing the link it is on, then a picture. A link never added reads as one
    /// `INIT_LIST_HEAD` made (the model's objects need no init), so it moves as an entry on no
    /// list.
    pub fn move_to(
        &self,
        handle: Handle,
        list: usize,
        tail: bool,
        held: &[bool],
    ) -> Result<(), Stop> {
        self.checked(handle)?;
        let slot = handle.slot();
        let from = self.list_holding(slot, list);
        let link = self.link_ptr(slot, list);
        let head: &ListHead<P> = &self.heads[list];
        // SAFETY: the caller holds both lists' locks (or models not holding them); objects and
        // heads live as long as the world, and `link` carries the object's provenance.
        let moved = unsafe {
            if link.as_ref().next_ptr().is_null() {
                link.as_ref().init();
            }
            if tail {
                ListHead::move_to_tail(link, head)
            } else {
                ListHead::move_to(link, head)
            }
        };
        self.list_result(moved)?;
        if let Some(from) = from {
            self.set_linked(slot, from, false);
            self.record(|| What::Del {
                slot,
                list: self.list_names[from].clone(),
                node: self.link_name(slot, from),
            });
        }
        self.set_linked(slot, list, true);
        self.record(|| What::Add {
            slot,
            list: self.list_names[list].clone(),
            node: self.link_name(slot, list),
            head: self.head_name(list),
        });
        self.record_picture(held);
        Ok(())
    }

    /// The list sharing `list`'s link that slot `slot`'s link is on (harness bookkeeping).
    pub(crate) fn list_holding(&self, slot: usize, list: usize) -> Option<usize> {
        (0..self.heads.len())
            .find(|&l| self.link_of[l] == self.link_of[list] && self.is_linked(slot, l))
    }

    /// `list_splice` (or `list_splice_init`) of `from`'s entries onto the front of `to`, then a
    /// picture. Without `_init`, `from`'s head keeps pointing at the entries that moved.
    pub fn splice(&self, from: usize, to: usize, init: bool, held: &[bool]) -> Result<(), Stop> {
        let moving: Vec<usize> = (0..self.slab.capacity())
            .filter(|&slot| self.is_linked(slot, from))
            .collect();
        let (source, target): (&ListHead<P>, &ListHead<P>) = (&self.heads[from], &self.heads[to]);
        // SAFETY: the caller holds both lists' locks (or models not holding them); the lists
        // are distinct (validation) and their nodes live in the slab.
        let spliced = unsafe {
            if init {
                target.splice_init(source)
            } else {
                target.splice(source)
            }
        };
        self.list_result(spliced)?;
        // A plain splice leaves `from`'s head stale; `_init` makes it a list again.
        self.stale_heads.lock().unwrap_or_else(|p| p.into_inner())[from] = !init;
        for slot in moving {
            self.set_linked(slot, from, false);
            self.set_linked(slot, to, true);
            self.record(|| What::Add {
                slot,
                list: self.list_names[to].clone(),
                node: self.link_name(slot, to),
                head: self.head_name(to),
            });
        }
        self.record_picture(held);
        Ok(())
    }

    /// `list_replace` (`Replace::Plain`), `list_replace_init` or `list_replace_rcu` of `old`'s
    /// link by `new`'s on `list`, then a picture.
    pub(crate) fn replace(
        &self,
        (old, new): (Handle, Handle),
        list: usize,
        how: Replace,
        held: &[bool],
    ) -> Result<(), Stop> {
        self.checked(old)?;
        self.checked(new)?;
        if old.slot() == new.slot() && how != Replace::Rcu {
            // `list_replace(old, old)` rewrites every link to what it was: nothing changes.
            return Ok(());
        }
        let link = self.link_ptr(new.slot(), list);
        let old_link = self.link(old.slot(), list);
        // SAFETY: the caller holds the list's lock (or models not holding it); objects live in
        // the slab as long as the world, and `link` carries the new object's provenance. A `new`
        // already on the list breaks the crate's precondition as a scenario may on purpose:
        // every link written still points into the slab's objects or the world's heads, so the
        // walks that follow stay within the world's memory and report what they meet.
        let replaced = unsafe {
            match how {
                Replace::Plain => old_link.replace(link),
                Replace::Init => old_link.replace_init(link),
                Replace::Rcu => old_link.replace_rcu(link),
            }
        };
        self.list_result(replaced)?;
        let on = self.list_holding(old.slot(), list).unwrap_or(list);
        self.set_linked(old.slot(), on, false);
        self.set_linked(new.slot(), on, true);
        self.record(|| What::Del {
            slot: old.slot(),
            list: self.list_names[on].clone(),
            node: self.link_name(old.slot(), on),
        });
        self.record(|| What::Add {
            slot: new.slot(),
            list: self.list_names[on].clone(),
            node: self.link_name(new.slot(), on),
            head: self.link_name(old.slot(), on),
        });
        self.record_picture(held);
        Ok(())
    }

    /// Whether `handle`'s link on `list` is on a list: `!list_empty(&link)`, one load of its
    /// `next` (a link poisoned by `list_del` reads as linked, as in the kernel). A link never
    /// added reads as unlinked, as one `INIT_LIST_HEAD` made.
    pub fn link_is_linked(&self, handle: Handle, list: usize) -> Result<bool, Stop> {
        self.checked(handle)?;
        let link = self.link(handle.slot(), list);
        // SAFETY: one load of the link's `next`, under the list's lock or racing as the
        // scenario models (the word is the platform's, so a checker sees the access).
        let next = unsafe { link.next_ptr() };
        Ok(!next.is_null() && !std::ptr::eq(next, link))
    }

    /// `list_empty(&head)` of `list`: one load of the head's `next`.
    pub fn list_is_empty(&self, list: usize) -> bool {
        // SAFETY: one load of the head's `next`, as in `link_is_linked`.
        unsafe { self.heads[list].is_empty() }
    }

    /// `walk_from` (`inclusive`: `list_for_each_entry_from`) or `walk_continue`
    /// (`list_for_each_entry_continue`) over `list` from `start`'s link, bounded: more steps
    /// than nodes is a cycle that misses the head, recorded as proven. Returns the objects
    /// visited.
    pub fn walk_from(
        &self,
        start: Handle,
        list: usize,
        inclusive: bool,
    ) -> Result<Vec<Handle>, Stop> {
        let mut cursor = self.cursor_at(start, list, inclusive)?;
        let started_at = cursor.current;
        let mut visited = Vec::new();
        for _ in 0..=self.max_nodes() + 1 {
            match self.walk_one(&mut cursor, WalkKind::Visit, &[])? {
                None => return Ok(visited),
                Some(handle) => visited.extend(handle),
            }
        }
        // More steps than nodes: `cursor.current` is on a cycle without the head, which comes
        // back to it within as many steps as there are nodes (bounded all the same: a writer
        // breaking the lock discipline could change the links under this walk).
        let mut cycle = vec![cursor.current];
        for _ in 0..=self.max_nodes() {
            let next = self.step_from(*cycle.last().expect("one node"), list, false)?;
            if std::ptr::eq(next, cursor.current) {
                break;
            }
            cycle.push(next);
        }
        let cycle = cycle.into_iter().map(|node| node as usize).collect();
        // The walk is told from where it started: the cursor, not the list's head.
        Err(self.walk_error(
            list,
            ListError::Cycle {
                head: started_at as usize,
                max_nodes: self.max_nodes(),
                cycle,
            },
        ))
    }

    /// Unlinks `link` (slot `slot`'s link on `list`), recorded.
    fn unlink(
        &self,
        slot: usize,
        link: &ListHead<P>,
        list: usize,
        how: Unlink,
    ) -> Result<(), Stop> {
        // SAFETY: as in `add`: the list's lock, or a modelled breach of the discipline.
        let deleted = unsafe {
            match how {
                Unlink::Poison => link.del(),
                Unlink::Init => link.del_init(),
                Unlink::Rcu => link.del_rcu(),
            }
        };
        self.list_result(deleted)?;
        // `list_del` needs no head: the entry leaves whichever list sharing the link it is on.
        let on = self.list_holding(slot, list).unwrap_or(list);
        self.set_linked(slot, on, false);
        self.record(|| What::Del {
            slot,
            list: self.list_names[on].clone(),
            node: self.link_name(slot, on),
        });
        Ok(())
    }

    /// The object behind `handle`, or a use-after-free stop if the handle is stale.
    pub(super) fn checked(&self, handle: Handle) -> Result<&Object<P>, Stop> {
        self.slab.get(handle).map_err(Stop::from)
    }

    /// Turns a refused list operation into a stop, recording the message with node names.
    pub(super) fn list_result(&self, result: Result<(), ListError>) -> Result<(), Stop> {
        result.map_err(|error| {
            let message = error.describe(&|address| self.name_of(address));
            self.record(|| What::Refused {
                message: message.clone(),
            });
            Stop {
                kind: FindingKind::from_list_error(&error),
                message,
            }
        })
    }

    /// `list_for_each` (or `_safe`) over `list`, bounded by the slab's capacity.
    ///
    /// # Safety
    /// The list discipline while the iterator is used: the caller holds the list's lock (or
    /// models breaking it, which loom reports), and changes no entry but the one just yielded.
    unsafe fn bounded_walk(&self, list: usize, safe: bool) -> lifecycle_list::Iter<'_, P> {
        let head = &self.heads[list];
        // SAFETY: forwarded from the caller.
        unsafe {
            if safe {
                head.iter_safe(self.max_nodes())
            } else {
                head.iter(self.max_nodes())
            }
        }
    }

    /// A reaping walk of `list` reached `address`, another list's head, which it would unlink
    /// as an entry: a corruption stop.
    fn reached_other_head(&self, address: usize, list: usize) -> Stop {
        let message = format!(
            "list corruption: the walk of {} reached {}, another list's head, and would unlink it \
             as an entry",
            self.list_names[list],
            self.name_of(address)
        );
        self.record(|| What::Refused {
            message: message.clone(),
        });
        Stop {
            kind: FindingKind::ListCorruption,
            message,
        }
    }

    /// The handle of the object whose link on `list` a walk just reached at `address`: `None`
    /// for a free object, or, with the use-after-free check on (or `strict`), a use-after-free
    /// stop. A lockless walk (`rcu`) of a `typesafe-by-rcu` cache stands in memory that stays
    /// an object of the type: a free entry is passed over (its count is 0, so a get on it
    /// would fail), not a use after free.
    pub(super) fn visited(
        &self,
        address: usize,
        list: usize,
        strict: bool,
        rcu: bool,
    ) -> Result<Option<Handle>, Stop> {
        // Another list's head, reached through a stale head or a moved cursor: no object.
        if self.heads.iter().any(|head| head.address() == address) {
            return Ok(None);
        }
        let slot = self
            .slot_of_link(address, list)
            .expect("the entries of a list are links of slab objects");
        match self.slab.handle_of(self.slab.slot_ptr(slot).as_ptr()) {
            Ok(handle) => Ok(Some(handle)),
            Err(_) if rcu && self.typesafe_by_rcu => Ok(None),
            Err(error) if self.checks.use_after_free || strict => {
                let message = format!(
                    "use after free: the walk reached {}, which is not allocated ({error})",
                    self.name_of(address)
                );
                self.record(|| What::Refused {
                    message: message.clone(),
                });
                Err(Stop {
                    kind: FindingKind::UseAfterFree,
                    message,
                })
            }
            Err(_) => Ok(None),
        }
    }

    /// Walks `list` (the `_safe` variant if `safe`), recording each step. Returns the objects
    /// visited, or the stop that ended the walk; a proven cycle is recorded, and the caller
    /// decides what a looping reader does next ([`World::loop_forever`]).
    pub fn walk(&self, list: usize, safe: bool) -> Result<Vec<Handle>, Stop> {
        // SAFETY: the caller holds the list's lock (or models not holding it); the walk changes
        // nothing.
        let walk = unsafe { self.bounded_walk(list, safe) };
        self.visit_all(list, walk, false, false)
    }

    /// Takes every step of `walk` over `list`, recording each, and returns the objects visited
    /// (`strict`: a free entry is a use after free whatever the world's checks).
    pub(super) fn visit_all(
        &self,
        list: usize,
        walk: lifecycle_list::Iter<'_, P>,
        strict: bool,
        rcu: bool,
    ) -> Result<Vec<Handle>, Stop> {
        let mut visited = Vec::new();
        for step in walk {
            let link = step.map_err(|error| self.walk_error(list, error))?;
            let address = link.as_ptr() as usize;
            self.record(|| What::WalkStep {
                node: self.name_of(address),
            });
            if let Some(handle) = self.visited(address, list, strict, rcu)? {
                visited.push(handle);
            }
        }
        Ok(visited)
    }

    /// A walk's error as a stop; a cycle is recorded as proven.
    pub(super) fn walk_error(&self, list: usize, error: ListError) -> Stop {
        let ListError::Cycle { cycle, head, .. } = &error else {
            return self.list_result(Err(error)).unwrap_err();
        };
        let message = error.describe(&|address| self.name_of(address));
        self.record(|| What::CycleProven {
            // Where the walk began: the list's head, or a resumed walk's cursor.
            head: self.name_of(*head),
            lock: self.lock_names[self.list_locks[list]].clone(),
            cycle: cycle.iter().map(|&a| self.name_of(a)).collect(),
            message: message.clone(),
        });
        Stop {
            kind: FindingKind::LoopingReader,
            message,
        }
    }

    /// A reaping walk of `list`: unlinks every entry as it goes, with the plain iterator (the
    /// bug: the next step follows the deleted entry's poisoned link) or the `_safe` one.
    /// Returns the objects unlinked.
    pub fn reap(&self, list: usize, safe: bool, held: &[bool]) -> Result<Vec<Handle>, Stop> {
        let mut reaped = Vec::new();
        // SAFETY: the caller holds the list's lock; only the entry just yielded is deleted.
        let walk = unsafe { self.bounded_walk(list, safe) };
        for step in walk {
            let link = step.map_err(|error| self.walk_error(list, error))?;
            let Some(slot) = self.slot_of_link(link.as_ptr() as usize, list) else {
                return Err(self.reached_other_head(link.as_ptr() as usize, list));
            };
            let handle = self.slab.handle_of(self.slab.slot_ptr(slot).as_ptr())?;
            // SAFETY: `link` was just yielded by a walk of a list whose lock the caller holds.
            self.unlink(slot, unsafe { link.as_ref() }, list, Unlink::Poison)?;
            self.record_picture(held);
            reaped.push(handle);
        }
        Ok(reaped)
    }

    /// A reader that has proven it is in a cycle without the head: under a checker it blocks
    /// for good (still holding the lock), so the checker can prove nobody else proceeds; on real
    /// threads it really follows the cycle, spinning, until the watchdog sets `stop`.
    pub fn loop_forever(&self, list: usize) {
        if P::IS_CHECKER {
            P::block_forever();
        }
        // SAFETY: the lock is held; the cycle's nodes live in the slab.
        let mut node = unsafe { self.heads[list].next_ptr() };
        while !self.stop.load(Ordering::Relaxed) {
            // SAFETY: as above; the walk already proved every link on the cycle followable.
            node = unsafe { (*node).next_ptr() };
            std::hint::spin_loop();
        }
    }

    /// As [`World::loop_forever`] for a walk resumed from a cursor, whose cycle need not be
    /// reachable from the list's head: on real threads it spins in place, holding what it
    /// holds, without following links it did not walk.
    pub(crate) fn spin_forever(&self) {
        if P::IS_CHECKER {
            P::block_forever();
        }
        while !self.stop.load(Ordering::Relaxed) {
            std::hint::spin_loop();
        }
    }

    /// Checks `next.prev == node` all round `list` (bounded). Call with its lock held.
    pub(super) fn check_well_formed(&self, list: usize) -> Result<(), Stop> {
        let head: &ListHead<P> = &self.heads[list];
        let mut node: *const ListHead<P> = head;
        let broken = |message: String| {
            self.record(|| What::Refused {
                message: message.clone(),
            });
            Stop {
                kind: FindingKind::ListCorruption,
                message,
            }
        };
        for _ in 0..=self.max_nodes() {
            // SAFETY: the lock is held; links of a list are followable or reported.
            let next = unsafe { (*node).next_ptr() };
            let bad = matches!(next as usize, 0 | LIST_POISON1 | LIST_POISON2);
            // SAFETY: as above; `next` was checked followable.
            if bad || unsafe { (*next).prev_ptr() } != node {
                return Err(broken(format!(
                    "list invariant broken at unlock: {}.next = {}, whose prev is not {}",
                    self.name_of(node as usize),
                    self.name_of(next as usize),
                    self.name_of(node as usize)
                )));
            }
            if std::ptr::eq(next, head) {
                return Ok(());
            }
            node = next;
        }
        Err(broken(format!(
            "list invariant broken at unlock: {} does not return to its head",
            self.list_names[list]
        )))
    }
}

/// How `list_replace` leaves the entry replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replace {
    /// `list_replace`: its links stale.
    Plain,
    /// `list_replace_init`: an empty list of its own.
    Init,
    /// `list_replace_rcu`: `next` left for readers standing on it, published with
    /// `rcu_assign_pointer`.
    Rcu,
}

/// How an entry is unlinked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unlink {
    /// `list_del`: both links poisoned.
    Poison,
    /// `list_del_init`: an empty list of its own.
    Init,
    /// `list_del_rcu`: `next` left for readers, `prev` poisoned.
    Rcu,
}

/// Where a walk taken one node per action stands (the state-graph engine's walks): the node it
/// is on and, for a `_safe` walk, the link it read ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor<P: lifecycle_list::Platform> {
    /// The list walked.
    pub list: usize,
    /// The node the walk is on (the head before the first step).
    pub current: *const ListHead<P>,
    /// A `_safe` walk's next node, read before the current one was handed out.
    pub ahead: Option<*const ListHead<P>>,
}

/// What a walk does with each entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WalkKind {
    /// `list_for_each_entry`: visit.
    Visit,
    /// `list_for_each_entry_safe`: visit, reading the next link first.
    VisitSafe,
    /// A plain walk that `list_del`s each entry (the iterate-delete bug).
    Reap,
    /// `list_for_each_entry_safe` with `list_del`.
    ReapSafe,
    /// `list_for_each_entry_rcu`: visit without the lock, loading `next` with
    /// `rcu_dereference`; an entry not allocated is a use after free.
    Rcu,
}

impl<P: Threads> World<P> {
    /// A cursor on `start`'s link on `list`, for a walk resumed from a kept entry: `inclusive`
    /// visits `start` first (`list_for_each_entry_from`), otherwise the walk begins after it
    /// (`_continue`). A stale `start` is a use after free of the cursor.
    pub(crate) fn cursor_at(
        &self,
        start: Handle,
        list: usize,
        inclusive: bool,
    ) -> Result<Cursor<P>, Stop> {
        self.checked(start)?;
        let link: &ListHead<P> = self.link(start.slot(), list);
        // SAFETY: one load of the cursor's own link, as in `link_is_linked`; a link never added
        // (null) is made an empty list of its own, as `INIT_LIST_HEAD` would have (the model's
        // objects need no init), so the walk reads it as guards and `list_move` do.
        unsafe {
            if link.next_ptr().is_null() {
                link.init();
            }
        }
        let link: *const ListHead<P> = link;
        Ok(Cursor {
            list,
            current: link,
            ahead: inclusive.then_some(link),
        })
    }

    /// A cursor on `list`'s head, before the first step of a walk.
    pub(crate) fn cursor(&self, list: usize) -> Cursor<P> {
        let head: &ListHead<P> = &self.heads[list];
        Cursor {
            list,
            current: head,
            ahead: None,
        }
    }

    /// The node after `node` on `list`, refusing a null or poisoned link and, in checked mode, a
    /// broken back link (as the walks of `Iter` do).
    fn step_from(
        &self,
        node: *const ListHead<P>,
        list: usize,
        rcu: bool,
    ) -> Result<*const ListHead<P>, Stop> {
        // SAFETY: `node` is the head or a node a walk reached through followable links; the
        // caller holds the list's lock (or models not holding it, or walks an RCU list inside a
        // read-side section), and nodes live in the slab.
        let next = unsafe {
            if rcu {
                (*node).next_rcu()
            } else {
                (*node).next_ptr()
            }
        };
        if matches!(next as usize, 0 | LIST_POISON1 | LIST_POISON2) {
            return Err(self.walk_error(
                list,
                ListError::BadLink {
                    node: node as usize,
                    link: lifecycle_list::Link::Next,
                    value: next as usize,
                },
            ));
        }
        if !rcu && self.heads[list].checks().validates_walks() {
            // SAFETY: `next` is followable and points to a live node, as above.
            let back = unsafe { (*next).prev_ptr() };
            if back != node {
                return Err(self.walk_error(
                    list,
                    ListError::Corruption {
                        node: node as usize,
                        next: next as usize,
                        actual: back as usize,
                    },
                ));
            }
        }
        Ok(next)
    }

    /// One step of a walk taken one node per action: `Ok(None)` when it is back at the head,
    /// `Ok(Some(entry))` after moving onto (and, reaping, unlinking) the next entry, whose handle
    /// is `None` if it is free and the use-after-free check is off. A list whose cycle misses
    /// the head makes the cursor come back to a node it was on: the state graph sees the loop.
    pub(crate) fn walk_one(
        &self,
        cursor: &mut Cursor<P>,
        kind: WalkKind,
        held: &[bool],
    ) -> Result<Option<Option<Handle>>, Stop> {
        let list = cursor.list;
        let next = match cursor.ahead.take() {
            Some(ahead) => ahead,
            None => self.step_from(cursor.current, list, kind == WalkKind::Rcu)?,
        };
        let head: &ListHead<P> = &self.heads[list];
        if std::ptr::eq(next, head) {
            return Ok(None);
        }
        self.record(|| What::WalkStep {
            node: self.name_of(next as usize),
        });
        let reaping = matches!(kind, WalkKind::Reap | WalkKind::ReapSafe);
        let rcu = kind == WalkKind::Rcu;
        let handle = self.visited(next as usize, list, reaping || rcu, rcu)?;
        if matches!(kind, WalkKind::VisitSafe | WalkKind::ReapSafe) {
            cursor.ahead = Some(self.step_from(next, list, false)?);
        }
        if reaping {
            let Some(handle) = handle else {
                return Err(self.reached_other_head(next as usize, list));
            };
            let slot = handle.slot();
            // SAFETY: `next` is a live entry of a list whose lock the caller holds.
            self.unlink(slot, unsafe { &*next }, list, Unlink::Poison)?;
            self.record_picture(held);
        }
        cursor.current = next;
        Ok(Some(handle))
    }
}
