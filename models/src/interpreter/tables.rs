//! The hash-table side of [`World`]: `hlist_nulls_add_head_rcu` / `hlist_nulls_del[_init]_rcu`
//! of an object's node on a table's chains, and the lockless lookup of
//! Documentation/RCU/rculist_nulls.rst (walk the chain a key hashes to, compare each entry's key,
//! and remember the marker the walk ended on), whole or one node per action; with the harness's
//! record of which object stayed hashed for a whole lookup, which is what makes a miss a
//! `missed-lookup`.

use super::place::Place;
use super::threads::Threads;
use super::world::{Object, World};
use crate::outcome::{FindingKind, Stop, What};
use lifecycle_list::{AtomicOps, HlistNullsNode, NullsEnd, NullsIter};
use lifecycle_slab::Handle;
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

/// The harness's record of the tables (std locks, never a checker's: loom and shuttle neither
/// see nor schedule it). Whether an entry stayed hashed for a whole lookup is decided by the
/// slots' hash tickets, which checkers do see (see [`World::hash_ticket`]); this record only
/// says which tickets mean what, and narrows down which slots a lookup must read.
///
/// # Invariants
/// - `hashed[slot]` is `Some((table, chain))` from just before the step that hashes the slot's
///   node until just after the one that unhashes it: a superset of the time its ticket is live.
/// - Ticket `t > 0` stands for `tickets[t - 1]`, `(table, chain, key)`, written before the
///   ticket is stored in a slot and never changed.
/// - Every watch's candidates held their ticket, for the lookup's key on its chain, when the
///   lookup began.
#[derive(Debug)]
pub(crate) struct Hashing {
    hashed: Vec<Option<(usize, usize)>>,
    tickets: Vec<(usize, usize, u32)>,
    /// The lookups under way: the actor and its candidates, `(slot, ticket)`.
    watches: Vec<(String, Vec<(usize, usize)>)>,
}

// `clone_from` field by field: a restore of the state graph puts a saved record back into the
// world's at every transition, into vectors that already have the room. Both methods
// destructure their source, so a field added later does not compile until both take it.
impl Clone for Hashing {
    fn clone(&self) -> Self {
        let Hashing {
            hashed,
            tickets,
            watches,
        } = self;
        Hashing {
            hashed: hashed.clone(),
            tickets: tickets.clone(),
            watches: watches.clone(),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        let Hashing {
            hashed,
            tickets,
            watches,
        } = source;
        self.hashed.clone_from(hashed);
        self.tickets.clone_from(tickets);
        self.watches.clone_from(watches);
    }
}

impl Hashing {
    /// Nothing hashed.
    pub(crate) fn new(objects: usize) -> Self {
        Hashing {
            hashed: vec![None; objects],
            tickets: Vec::new(),
            watches: Vec::new(),
        }
    }
}

/// How a lookup ended, as the actor keeps it for `nulls_restart`, `expect_found` and the
/// state graph's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LookupRecord {
    /// The table.
    pub table: usize,
    /// The chain the key hashes to.
    pub chain: usize,
    /// The key looked up.
    pub key: u32,
    /// The slot found, if any.
    pub found: Option<usize>,
    /// The value of the marker the walk ended on (`None` if it found an entry).
    pub nulls: Option<usize>,
    /// The slot the walk stood on last before its end.
    pub stood_on: Option<usize>,
    /// The slots with the key that stayed hashed on the chain for the whole lookup.
    pub stayed: Vec<usize>,
}

impl LookupRecord {
    /// Whether the walk found nothing and ended on a marker that is not its chain's own: an
    /// entry it stood on moved (`get_nulls_value(node) != slot`).
    pub fn ended_elsewhere(&self, own_nulls: usize) -> bool {
        self.found.is_none() && self.nulls.is_some_and(|nulls| nulls != own_nulls)
    }
}

impl<P: lifecycle_list::Platform> LookupWalk<'_, P> {
    /// Where the walk stands, for a snapshot: `(table, chain, key, the address of the head or
    /// node it stands on)`.
    pub fn position(&self) -> (usize, usize, u32, usize) {
        (self.table, self.chain, self.key, self.walk.standing_on())
    }
}

/// A lookup under way, one node per action: the walk and the key.
pub(crate) struct LookupWalk<'w, P: lifecycle_list::Platform> {
    /// The walk of the chain.
    pub walk: NullsIter<'w, P>,
    /// The table.
    pub table: usize,
    /// The chain.
    pub chain: usize,
    /// The key looked up.
    pub key: u32,
    /// The slot stood on last.
    pub stood_on: Option<usize>,
}

/// The most times a lookup restarts on the engines that run whole steps before it is a soft
/// lockup: every restart of a correct lookup needs a writer to have moved or reused an entry
/// meanwhile, and no scenario has that many writer steps. (The state-graph engine needs no
/// bound: a lookup that restarts forever is a cycle of its graph.)
pub(crate) const MAX_RESTARTS: usize = 64;

impl<P: Threads> World<P> {
    /// The offset of the hash node inside an object.
    fn node_offset() -> usize {
        std::mem::offset_of!(Object<P>, node)
    }

    /// The slot whose hash node is at `address`.
    pub(super) fn slot_of_node(&self, address: usize) -> Option<usize> {
        let object = address.checked_sub(Self::node_offset())?;
        self.slab.slot_of_ptr(object as *const Object<P>).ok()
    }

    /// Slot `slot`'s hash node, projected from the slot pointer so that it keeps the object's
    /// provenance.
    fn node_ptr(&self, slot: usize) -> NonNull<HlistNullsNode<P>> {
        let object = self.slab.slot_ptr(slot).as_ptr();
        // SAFETY: `object` is a slot pointer of the slab, so the projection stays inside a live
        // `Object`; no reference is made.
        let node = unsafe { &raw mut (*object).node };
        NonNull::new(node).expect("a field of a slab object is never at address 0")
    }

    /// The name of chain `chain` of table `table`: `ehash[1]`.
    pub fn chain_name(&self, table: usize, chain: usize) -> String {
        format!("{}[{chain}]", self.table_names[table])
    }

    /// The name of a hash link's value: a node (`slot#N`), a marker (`ehash[1]'s marker`, or
    /// `nulls N` if no table's chain carries it), a head's `first` (`ehash[1]`, as a `pprev`
    /// names it), NULL or POISON2.
    pub fn hash_link_name(&self, word: usize) -> String {
        self.place_name(self.hash_place_of(word))
    }

    /// Visits every hash link by place: each chain's `first` (beside the chain), then each
    /// slot's node `(next, pprev)`. Call with no step under way.
    pub(crate) fn each_hash_link_place(&self, mut visit: impl FnMut(Place, Place)) {
        for (table, spec) in self.tables.iter().enumerate() {
            for (chain, head) in spec.heads().iter().enumerate() {
                visit(
                    Place::Chain { table, chain },
                    self.hash_place_of(head.first_ptr().addr()),
                );
            }
        }
        if self.tables.is_empty() {
            return;
        }
        for slot in 0..self.slab.capacity() {
            let node = &self.object(slot).node;
            visit(
                self.hash_place_of(node.next_ptr().addr()),
                self.hash_place_of(node.pprev_addr()),
            );
        }
    }

    pub(super) fn hashing(&self) -> std::sync::MutexGuard<'_, Hashing> {
        self.hashing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The table and chain slot `slot` is hashed on, by the harness's record.
    pub(super) fn hashed_on(&self, slot: usize) -> Option<(usize, usize)> {
        self.hashing().hashed[slot]
    }

    /// Before slot `slot`'s object gets key `key`: a hashed entry takes a new ticket, so no
    /// lookup under way for its old key counts on it, and none that starts now takes it for one.
    pub(super) fn note_key(&self, slot: usize, key: u32) {
        let Some((table, chain)) = self.hashed_on(slot) else {
            return;
        };
        if self.hash_ticket(slot) != 0 {
            self.store_ticket(slot, Some((table, chain, key)));
        }
    }

    /// Before slot `slot` is freed: a hashed entry (freed while hashed) is gone for lookups.
    pub(super) fn note_freed(&self, slot: usize) {
        if self.hashed_on(slot).is_some() {
            self.store_ticket(slot, None);
        }
    }

    /// Slot `slot`'s hash ticket: 0 while no lookup may count on its entry, else the number of
    /// the `(table, chain, key)` it is hashed with.
    ///
    /// Tickets are checker-visible atomics, stored with release and read with acquire here, at
    /// a lookup's start: an entry counts as there for the whole lookup only if the lookup is
    /// ordered after the add whose ticket it read (a relaxed read let a lookup read the ticket,
    /// then the chain's old first link, and be told it missed an entry nothing made it see:
    /// `tests/scenarios/found/review-lookup-after-add-stale-head.toml`). The order this adds
    /// is the one the add's own publication gives a reader that reaches the entry: it covers
    /// only what the writer did before the ticket's store. A hash stores a new ticket after its
    /// add, an unhash stores 0 before its unlink, a key write or a free of a hashed entry stores a new ticket (or 0) before it; a lookup reads the
    /// tickets of its chain's slots when it begins and again when it ends, and an entry whose
    /// ticket did not change stayed for the whole lookup. A record kept by the harness alone
    /// would be wrong both ways: written after the unlink, a lookup on real threads runs
    /// entirely in between and is told an entry stayed that it could not see (a false missed
    /// lookup); written before, loom's partial-order reduction, which cannot see the record,
    /// switches to the reader only just before the unlink's own stores, after the record, and
    /// never shows the reader the entry still there (a missed finding). As atomics the tickets
    /// conflict with the lookup's reads, so loom explores both orders, and on real threads a
    /// lookup that saw the unlink (through the walk's acquire loads) sees the 0 stored before it.
    fn hash_ticket(&self, slot: usize) -> usize {
        self.hash_tickets[slot].load(Ordering::Acquire)
    }

    /// Stores a new ticket for `meaning` in slot `slot` (0 for `None`).
    fn store_ticket(&self, slot: usize, meaning: Option<(usize, usize, u32)>) {
        let ticket = meaning.map_or(0, |meaning| {
            let mut hashing = self.hashing();
            hashing.tickets.push(meaning);
            hashing.tickets.len()
        });
        self.hash_tickets[slot].store(ticket, Ordering::Release);
    }

    /// The slots the lookup actor `actor` has under way still counts on (state-graph snapshots).
    pub(crate) fn watch_of(&self, actor: &str) -> Option<Vec<usize>> {
        let candidates = {
            let hashing = self.hashing();
            let watch = hashing.watches.iter().find(|(name, _)| name == actor);
            watch.map(|(_, candidates)| candidates.clone())
        }?;
        Some(self.stayed(&candidates))
    }

    /// The candidates whose slot still holds the ticket they were watched with.
    fn stayed(&self, candidates: &[(usize, usize)]) -> Vec<usize> {
        candidates
            .iter()
            .filter(|&&(slot, ticket)| self.newest_ticket(slot) == ticket)
            .map(|&(slot, _)| slot)
            .collect()
    }

    /// Slot `slot`'s newest ticket in the location's modification order, read by a
    /// compare-and-swap that always fails (no ticket is `usize::MAX`): a plain load may return a
    /// ticket the unhash has already replaced (nothing orders the reader after that store), and
    /// the lookup would be told an entry stayed that was gone (loom showed it at bound 3). Not a
    /// `fetch_add(0)`: that writes, and loom then counts the reader's own write as a store no
    /// newer than the unhash's, which the next read may return.
    fn newest_ticket(&self, slot: usize) -> usize {
        match self.hash_tickets[slot].compare_exchange(
            usize::MAX,
            usize::MAX,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => unreachable!("no slot holds ticket usize::MAX"),
            Err(newest) => newest,
        }
    }

    /// `hlist_nulls_add_head_rcu`: hashes `handle`'s node at the head of the chain of `table`
    /// its key selects.
    pub fn hash_add(&self, handle: Handle, table: usize) -> Result<(), Stop> {
        let object = self.checked(handle)?;
        // The writer reads its own object's key (it set it, or the slot's memory holds it).
        let key = object.key.load(Ordering::Relaxed) as u32;
        let chain = self.tables[table].chain_of(key as usize);
        let head = self.tables[table].head(chain);
        // The record before the add, the ticket after it (see `hash_ticket`).
        self.hashing().hashed[handle.slot()] = Some((table, chain));
        // SAFETY: the caller holds the table's lock (or models not holding it, which loom
        // reports); nodes live in the slab and heads in the table, as long as the world.
        let added = unsafe { head.add_head_rcu(self.node_ptr(handle.slot())) };
        self.list_result(added)?;
        self.store_ticket(handle.slot(), Some((table, chain, key)));
        self.record(|| What::Hashed {
            slot: handle.slot(),
            table: self.table_names[table].clone(),
            chain,
            key,
        });
        Ok(())
    }

    /// `hlist_nulls_del_rcu` (or `_init_rcu`) of `handle`'s node.
    pub fn hash_del(&self, handle: Handle, table: usize, init: bool) -> Result<(), Stop> {
        let object = self.checked(handle)?;
        // The ticket before the unlink, the record after it (see `hash_ticket`).
        self.store_ticket(handle.slot(), None);
        // SAFETY: as in `hash_add`.
        let deleted = unsafe {
            if init {
                object.node.del_init_rcu()
            } else {
                object.node.del_rcu()
            }
        };
        self.list_result(deleted)?;
        let was = self.hashing().hashed[handle.slot()].take();
        self.record(|| What::Unhashed {
            slot: handle.slot(),
            table: self.table_names[table].clone(),
            chain: was.map_or(0, |(_, chain)| chain),
        });
        Ok(())
    }

    /// The first action of a lookup: starts the walk of the chain `key` hashes to and the
    /// harness's watch of what stays hashed there.
    pub(crate) fn lookup_start(&self, table: usize, key: u32) -> LookupWalk<'_, P> {
        let chain = self.tables[table].chain_of(key as usize);
        // The record narrows the slots down to those that may hold a ticket for this chain (it
        // covers each ticket's whole life); each one's ticket, a checker-visible read taken
        // with no harness lock held, says whether it is there with the key.
        let slots: Vec<usize> = {
            let hashing = self.hashing();
            (0..self.slab.capacity())
                .filter(|&slot| hashing.hashed[slot] == Some((table, chain)))
                .collect()
        };
        let tickets: Vec<(usize, usize)> = slots
            .into_iter()
            .map(|slot| (slot, self.hash_ticket(slot)))
            .filter(|&(_, ticket)| ticket != 0)
            .collect();
        let candidates = {
            let hashing = self.hashing();
            tickets
                .into_iter()
                .filter(|&(_, ticket)| hashing.tickets[ticket - 1] == (table, chain, key))
                .collect()
        };
        let actor = self.actor_name();
        {
            let mut hashing = self.hashing();
            hashing.watches.retain(|(name, _)| *name != actor);
            hashing.watches.push((actor, candidates));
        }
        LookupWalk {
            // SAFETY: the caller is inside a read-side section (or holds the table's lock), as
            // validation requires; the chains are changed by the `_rcu` operations only, and
            // nodes live in the slab, whose memory stays an object of the type (a
            // `typesafe-by-rcu` cache) or is not reused before a grace period (else a use after
            // free the walk reports).
            walk: unsafe { self.tables[table].head(chain).iter_rcu(self.max_nodes()) },
            table,
            chain,
            key,
            stood_on: None,
        }
    }

    /// One node of a lookup: `Ok(None)` while it goes on, `Ok(Some(record))` once it has found
    /// its entry or ended on a marker.
    pub(crate) fn lookup_one(
        &self,
        lookup: &mut LookupWalk<'_, P>,
    ) -> Result<Option<(Option<Handle>, LookupRecord)>, Stop> {
        let Some(node) = lookup.walk.next() else {
            let nulls = match lookup.walk.end() {
                Some(NullsEnd::EndedOn { nulls }) => *nulls,
                Some(NullsEnd::Broken(error)) => {
                    return Err(self.nulls_walk_error(lookup.table, lookup.chain, error.clone()))
                }
                None => unreachable!("a walk that returned None has recorded its end"),
            };
            return Ok(Some((None, self.lookup_end(lookup, None, Some(nulls)))));
        };
        let slot = self
            .slot_of_node(node.as_ptr().addr())
            .expect("the entries of a chain are nodes of slab objects");
        self.record(|| What::WalkStep {
            node: format!("slot#{slot}"),
        });
        lookup.stood_on = Some(slot);
        let Some(handle) = self.visited_node(slot)? else {
            return Ok(None);
        };
        // READ_ONCE of the entry's key, as the lookup compares it on an object that may be
        // being reused.
        let key = self.object(slot).key.load(Ordering::Relaxed) as u32;
        if key != lookup.key {
            return Ok(None);
        }
        let record = self.lookup_end(lookup, Some(slot), None);
        Ok(Some((Some(handle), record)))
    }

    /// A whole lookup: [`World::lookup_start`], then [`World::lookup_one`] to its end.
    pub fn lookup(&self, table: usize, key: u32) -> Result<(Option<Handle>, LookupRecord), Stop> {
        let mut lookup = self.lookup_start(table, key);
        loop {
            if let Some(end) = self.lookup_one(&mut lookup)? {
                return Ok(end);
            }
        }
    }

    /// Ends the watch and records the lookup's end.
    fn lookup_end(
        &self,
        lookup: &LookupWalk<'_, P>,
        found: Option<usize>,
        nulls: Option<usize>,
    ) -> LookupRecord {
        let actor = self.actor_name();
        let candidates = {
            let mut hashing = self.hashing();
            let at = hashing.watches.iter().position(|(name, _)| *name == actor);
            at.map(|at| hashing.watches.remove(at).1)
                .unwrap_or_default()
        };
        let stayed = self.stayed(&candidates);
        let ended_on = nulls.and_then(|nulls| self.tables[lookup.table].chain_of_nulls(nulls));
        self.record(|| What::LookupEnd {
            table: self.table_names[lookup.table].clone(),
            key: lookup.key,
            chain: lookup.chain,
            found,
            ended_on,
            nulls,
            stood_on: lookup.stood_on,
            stayed: stayed.clone(),
        });
        LookupRecord {
            table: lookup.table,
            chain: lookup.chain,
            key: lookup.key,
            found,
            nulls,
            stood_on: lookup.stood_on,
            stayed,
        }
    }

    /// The nulls value of chain `chain` of table `table`'s own marker.
    pub(crate) fn own_nulls(&self, table: usize, chain: usize) -> usize {
        self.tables[table].head(chain).nulls()
    }

    /// The handle of the object whose node a lookup reached in slot `slot`: `None` for a free
    /// object of a `typesafe-by-rcu` cache (its count is 0; the walk passes over it), a use
    /// after free for a free object of any other cache (its memory may be anything now).
    fn visited_node(&self, slot: usize) -> Result<Option<Handle>, Stop> {
        match self.slab.handle_of(self.slab.slot_ptr(slot).as_ptr()) {
            Ok(handle) => Ok(Some(handle)),
            Err(_) if self.typesafe_by_rcu => Ok(None),
            Err(error) => {
                let message = format!(
                    "use after free: the lookup reached slot#{slot}, which is not allocated \
                     ({error}): a hashed object freed without a grace period, in a cache that \
                     is not typesafe-by-rcu"
                );
                self.record(|| What::Refused {
                    message: message.clone(),
                });
                Err(Stop {
                    kind: FindingKind::UseAfterFree,
                    message,
                })
            }
        }
    }

    /// A broken chain walk as a stop (a cycle is a looping reader, as on a list).
    fn nulls_walk_error(
        &self,
        table: usize,
        chain: usize,
        error: lifecycle_list::ListError,
    ) -> Stop {
        let message = format!(
            "the lookup of {}: {}",
            self.chain_name(table, chain),
            error.describe(&|address| self.hash_link_name(address))
        );
        self.record(|| What::Refused {
            message: message.clone(),
        });
        Stop {
            kind: FindingKind::from_list_error(&error),
            message,
        }
    }

    /// `expect_found`: a finding if `record`'s lookup found nothing while an object with its
    /// key stayed hashed on its chain for the whole lookup.
    pub fn expect_found(&self, record: &LookupRecord) -> Result<(), Stop> {
        let Some(&there) = record.stayed.first() else {
            return Ok(());
        };
        if record.found.is_some() {
            return Ok(());
        }
        let chain = self.chain_name(record.table, record.chain);
        let ended = match record.nulls {
            Some(nulls) => match self.tables[record.table].chain_of_nulls(nulls) {
                Some(end) => format!("{}'s marker", self.chain_name(record.table, end)),
                None => format!("marker {nulls}, another table's"),
            },
            None => "no marker".to_string(),
        };
        let own = self.own_nulls(record.table, record.chain);
        let moved = match record.stood_on {
            Some(slot) if record.ended_elsewhere(own) => format!(
                "the walk stood on slot#{slot} when it was unhashed and hashed again elsewhere, \
                 followed its next link into the other chain and ended on {ended}, not \
                 {chain}'s; a lookup that ends on another chain's marker must restart \
                 (nulls_restart)"
            ),
            _ => format!("the walk ended on {ended} without passing it"),
        };
        let message = format!(
            "missed lookup: lookup_rcu {} key {} found nothing, though slot#{there} (key {}) \
             was hashed on {chain} for the whole lookup: {moved}",
            self.table_names[record.table], record.key, record.key
        );
        self.record(|| What::Refused {
            message: message.clone(),
        });
        Err(Stop {
            kind: FindingKind::MissedLookup,
            message,
        })
    }
}
