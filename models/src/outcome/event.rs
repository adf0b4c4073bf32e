//! The vocabulary of a trace: what happened at one step of an execution ([`Event`], [`What`]),
//! the list as drawn after an operation ([`ListPicture`]), and the questions a diagnosis asks of
//! a trace (who waits for a lock, who holds it). Recorded by the interpreter, read by diagnosis
//! and the report.

/// The links of one node at one moment, by name (`head`, `slot#0`, `POISON1`, `NULL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeLinks {
    /// The node's name.
    pub name: String,
    /// Where its `next` points.
    pub next: String,
    /// Where its `prev` points.
    pub prev: String,
    /// Whether its slot is allocated (the head always counts as allocated).
    pub allocated: bool,
}

/// Every node of a scenario (the head and each slot's link) with its links: the picture the
/// original write-up drew by hand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPicture {
    /// The head first, then the slots in order.
    pub nodes: Vec<NodeLinks>,
}

impl ListPicture {
    /// One line per node: `slot#0: next=slot#0 prev=head`.
    pub fn render_text(&self) -> String {
        let mut text = String::new();
        for node in &self.nodes {
            text.push_str(&format!(
                "    {:<11} next={:<11} prev={:<11}{}\n",
                node.name,
                node.next,
                node.prev,
                if node.allocated { "" } else { " (free)" }
            ));
        }
        text
    }

    /// The picture cut into one picture per list: each starts at a head (`head`,
    /// `NAME-head`) and holds that list's links.
    pub fn lists(&self) -> Vec<ListPicture> {
        let mut lists: Vec<ListPicture> = Vec::new();
        for node in &self.nodes {
            match lists.last_mut() {
                Some(list) if !is_head_name(&node.name) => list.nodes.push(node.clone()),
                _ => lists.push(ListPicture {
                    nodes: vec![node.clone()],
                }),
            }
        }
        lists
    }

    /// The walk from the head along `next`, as names, stopping at the head or at the first
    /// repeated node (shown once more, so a cycle reads `head -> slot#0 -> slot#0`).
    pub fn walk_from_head(&self) -> Vec<String> {
        self.walk_from("head")
    }

    /// As [`ListPicture::walk_from_head`], from the head named `head` (`hash-head`, say).
    pub fn walk_from(&self, head: &str) -> Vec<String> {
        let mut walk = vec![head.to_string()];
        let mut current = head.to_string();
        for _ in 0..=self.nodes.len() {
            let Some(node) = self.nodes.iter().find(|n| n.name == current) else {
                break;
            };
            current = node.next.clone();
            let repeated = walk.contains(&current);
            walk.push(current.clone());
            if repeated {
                break;
            }
        }
        walk
    }
}

/// Whether `name` is a list head's (`head`, `NAME-head`), not a slot's link (`slot#0.ahead`).
pub fn is_head_name(name: &str) -> bool {
    !name.starts_with("slot#") && (name == "head" || name.ends_with("-head"))
}

/// What happened at one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// The thread started (its platform thread id, for matching checker reports).
    Started {
        /// [`lifecycle_list::Platform::thread_id`] of the thread.
        thread_id: usize,
    },
    /// A slot was allocated.
    Alloc {
        /// The slot.
        slot: usize,
        /// Its generation.
        generation: u64,
        /// The key it was given (`alloc x key K`).
        key: Option<u32>,
    },
    /// `set_key`: an object's key was written.
    KeySet {
        /// The slot.
        slot: usize,
        /// The new key.
        key: u32,
    },
    /// `recheck`: a lookup compared the key of the object it holds with the one it wanted.
    Recheck {
        /// The slot.
        slot: usize,
        /// The key the object has.
        found: u32,
        /// The key looked up.
        wanted: u32,
    },
    /// `hlist_nulls_add_head_rcu`: a slot's node was hashed on a chain.
    Hashed {
        /// The slot.
        slot: usize,
        /// The table.
        table: String,
        /// The chain (its index in the table).
        chain: usize,
        /// The key that chose the chain.
        key: u32,
    },
    /// `hlist_nulls_del_rcu` / `hlist_nulls_del_init_rcu`: a slot's node left its chain.
    Unhashed {
        /// The slot.
        slot: usize,
        /// The table.
        table: String,
        /// The chain it was on.
        chain: usize,
    },
    /// A lookup's walk ended.
    LookupEnd {
        /// The table.
        table: String,
        /// The key looked up.
        key: u32,
        /// The chain the key hashes to.
        chain: usize,
        /// The slot found, if any.
        found: Option<usize>,
        /// The chain whose marker the walk ended on (`None`: another table's marker, or it
        /// stopped on the entry it found).
        ended_on: Option<usize>,
        /// The value of that marker.
        nulls: Option<usize>,
        /// The last entry the walk stood on.
        stood_on: Option<usize>,
        /// The slots with the key that stayed hashed on the chain for the whole lookup.
        stayed: Vec<usize>,
    },
    /// A restart: `nulls_restart` after a walk ended on another chain's marker, or `recheck ...
    /// restart` after a key mismatch.
    Restart {
        /// Why, in a few words.
        why: String,
    },
    /// A guarded step's condition was read (`... if x linked L`).
    Guard {
        /// The condition, as the file writes it.
        condition: String,
        /// Whether it held (the step ran) or not (the step was skipped).
        held: bool,
    },
    /// A slot was freed.
    Free {
        /// The slot.
        slot: usize,
        /// The generation freed.
        generation: u64,
        /// `true` if its link was still on some list: the lifecycle bug.
        still_linked: bool,
    },
    /// The thread asked for a lock.
    LockRequest {
        /// The lock's name.
        lock: String,
    },
    /// The thread got the lock.
    LockAcquired {
        /// The lock's name.
        lock: String,
    },
    /// `read` or `write`: the thread is about to access an object's data (a plain access, whose
    /// races loom judges).
    DataAccess {
        /// The slot.
        slot: usize,
        /// A write (else a read).
        write: bool,
    },
    /// The thread is about to read or write the links of a list (a change, a walk, a guard's
    /// `list_empty`): recorded just before, so a race loom reports on links can be told from
    /// the trace as races on data are.
    ListAccess {
        /// The list's name.
        list: String,
        /// The lock the file says protects it.
        lock: String,
        /// The step (or guard) that accesses it, as the file writes it.
        op: String,
        /// A change of its links (else a read).
        write: bool,
    },
    /// `signal`: the thread set an event (events stay set).
    Signalled {
        /// The event's name.
        event: String,
    },
    /// `wait`: the thread began waiting for an event (it returns at once if the event is set).
    Waiting {
        /// The event's name.
        event: String,
    },
    /// The thread released the lock.
    Unlock {
        /// The lock's name.
        lock: String,
    },
    /// `list_add(node, head)`.
    Add {
        /// The slot added.
        slot: usize,
        /// The list's name.
        list: String,
        /// The node added (`slot#0`, `slot#0.hash`).
        node: String,
        /// The head it was added after (`head`, `hash-head`).
        head: String,
    },
    /// `list_del(node)`.
    Del {
        /// The slot deleted.
        slot: usize,
        /// The list's name.
        list: String,
        /// The node deleted.
        node: String,
    },
    /// A reference was taken (`refs` is the count after).
    RefGet {
        /// The slot.
        slot: usize,
        /// The count after.
        refs: usize,
    },
    /// `get_ref_not_zero` found the count at 0 and took no reference.
    RefGetFailed {
        /// The slot.
        slot: usize,
    },
    /// A reference was dropped (`refs` is the count after).
    RefPut {
        /// The slot.
        slot: usize,
        /// The count after.
        refs: usize,
    },
    /// One step of a traversal, onto `node`.
    WalkStep {
        /// The node stepped onto.
        node: String,
    },
    /// A traversal proved it is in a cycle without the head.
    CycleProven {
        /// The head the walk started from (`head` or `hash-head`).
        head: String,
        /// The lock protecting that list.
        lock: String,
        /// The nodes of the cycle.
        cycle: Vec<String>,
        /// The message of the traversal's report.
        message: String,
    },
    /// The list after an operation.
    Picture(ListPicture),
    /// std only: the watchdog saw a lock held too long.
    SoftLockup {
        /// The holder's name.
        holder: String,
        /// The lock's name.
        lock: String,
        /// How long it had held the lock, in milliseconds.
        held_ms: u128,
        /// Threads waiting for the lock.
        waiting: Vec<String>,
    },
    /// std only: no actor recorded anything for too long, with no lock held too long to blame.
    Stalled {
        /// How long nothing happened, in milliseconds.
        idle_ms: u128,
        /// The actors not done.
        waiting: Vec<String>,
    },
    /// The thread opened a read-side section (`rcu_read_lock`; nested ones are not recorded).
    RcuReadLock,
    /// The thread closed its read-side section (the outermost `rcu_read_unlock`).
    RcuReadUnlock,
    /// `synchronize_rcu` (or the grace-period worker) started a grace period, which waits for
    /// the sections of these threads.
    GracePeriodStart {
        /// The threads inside a read-side section when it started.
        waits_for: Vec<String>,
    },
    /// That grace period ended.
    GracePeriodEnd,
    /// `call_rcu` or `kfree_rcu` queued a callback for the object.
    CallRcu {
        /// The slot.
        slot: usize,
        /// `kfree_rcu`: the callback frees it (else it drops a reference).
        free: bool,
    },
    /// `rcu_barrier` returned: every callback queued before it has run.
    Barrier,
    /// `destroy_cache`: the slab was destroyed.
    CacheDestroyed,
    /// A checked operation refused, or a check failed.
    Refused {
        /// The message.
        message: String,
    },
}

/// One event of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the execution, from 1.
    pub step: usize,
    /// The thread's name.
    pub thread: String,
    /// What happened.
    pub what: What,
}

/// Threads whose last event on lock `lock` is a request not yet granted, sorted: who is
/// waiting for it.
pub(crate) fn waiting_for_lock(events: &[Event], lock: &str) -> Vec<String> {
    let mut last: Vec<(&str, bool)> = Vec::new();
    for event in events {
        let waiting = match &event.what {
            What::LockRequest { lock: l } if l == lock => true,
            What::LockAcquired { lock: l } if l == lock => false,
            _ => continue,
        };
        match last.iter_mut().find(|(name, _)| *name == event.thread) {
            Some(entry) => entry.1 = waiting,
            None => last.push((&event.thread, waiting)),
        }
    }
    let mut names: Vec<String> = last
        .into_iter()
        .filter(|(_, waiting)| *waiting)
        .map(|(name, _)| name.to_string())
        .collect();
    names.sort();
    names
}

/// The thread holding lock `lock` at the end of `events`, if any.
pub(crate) fn lock_holder(events: &[Event], lock: &str) -> Option<String> {
    let mut holder = None;
    for event in events {
        match &event.what {
            What::LockAcquired { lock: l } if l == lock => holder = Some(event.thread.clone()),
            What::Unlock { lock: l }
                if l == lock && holder.as_deref() == Some(event.thread.as_str()) =>
            {
                holder = None
            }
            _ => {}
        }
    }
    holder
}

/// The locks named in `events`, in the order first seen.
pub(crate) fn locks(events: &[Event]) -> Vec<String> {
    let mut locks: Vec<String> = Vec::new();
    for event in events {
        if let What::LockRequest { lock } = &event.what {
            if !locks.contains(lock) {
                locks.push(lock.clone());
            }
        }
    }
    locks
}
