//! The step interpreter: one actor's steps, run in order over the [`World`] on whatever platform
//! the engine chose. Nothing here knows any particular scenario.

use super::threads::Threads;
use super::world::{Abandoned, Stop, World};
use crate::language::{ActorSpec, Step};
use crate::FindingKind;
use lifecycle_list::SpinGuard;
use lifecycle_slab::Handle;
use std::collections::HashMap;

/// How an actor ended early.
pub(crate) enum Halt {
    /// It found a problem: a finding.
    Stop(Stop),
    /// It proved it walks a cycle forever and has looped (std) until the watchdog ended the run.
    Looped,
    /// std only: it was waiting when the watchdog ended the run.
    Abandoned,
}

impl From<Stop> for Halt {
    fn from(stop: Stop) -> Self {
        Halt::Stop(stop)
    }
}

impl From<Abandoned> for Halt {
    fn from(_: Abandoned) -> Self {
        Halt::Abandoned
    }
}

/// One actor's running state: its locals and the locks it holds.
struct Actor<'w, P: Threads> {
    world: &'w World<P>,
    /// Each local's objects (one for `alloc`, none or one for `walk ... keep`, any for `reap`).
    locals: HashMap<String, Vec<Handle>>,
    /// The guard of every lock this actor holds, by lock index.
    guards: Vec<Option<SpinGuard<'w, (), P>>>,
}

impl<P: Threads> Actor<'_, P> {
    fn held(&self) -> Vec<bool> {
        self.guards.iter().map(Option::is_some).collect()
    }

    fn objects(&self, local: &str) -> Vec<Handle> {
        // Validation guarantees every used local is bound by an earlier step.
        self.locals.get(local).cloned().unwrap_or_default()
    }

    fn run(&mut self, step: &Step) -> Result<(), Halt> {
        let world = self.world;
        match step {
            Step::Alloc { object } => {
                let handle = world.alloc()?;
                self.locals.insert(object.clone(), vec![handle]);
            }
            Step::Free { object } => {
                for handle in self.objects(object) {
                    world.free(handle)?;
                }
            }
            Step::Lock { lock } => {
                let guard = world.lock(*lock)?;
                self.guards[*lock] = Some(guard);
            }
            Step::Unlock { lock } => {
                let guard = self.guards[*lock].take().ok_or_else(|| Stop {
                    kind: FindingKind::Assertion,
                    message: format!(
                        "unlock of the {} lock, which this actor does not hold",
                        world.lock_name(*lock)
                    ),
                })?;
                world.unlock(*lock, guard)?;
            }
            Step::ListAdd { object, list, tail } => {
                for handle in self.objects(object) {
                    world.add(handle, *list, *tail, &self.held())?;
                }
            }
            Step::ListDel { object, list, init } => {
                for handle in self.objects(object) {
                    world.del(handle, *list, *init, &self.held())?;
                }
            }
            Step::Walk { list, safe, keep } => match world.walk(*list, *safe) {
                Ok(visited) => {
                    if let Some(keep) = keep {
                        let first = visited.first().copied().into_iter().collect();
                        self.locals.insert(keep.clone(), first);
                    }
                }
                Err(stop) if stop.kind == FindingKind::LoopingReader => {
                    // Say why before looping: the watchdog's later report is a consequence.
                    world.trace.set_stop(&world.actor_name(), stop.clone());
                    world.loop_forever(*list);
                    return Err(Halt::Looped);
                }
                Err(stop) => return Err(stop.into()),
            },
            Step::Reap { list, safe, into } => {
                let reaped = world.reap(*list, *safe, &self.held())?;
                self.locals.insert(into.clone(), reaped);
            }
            Step::GetRef { object } => {
                for handle in self.objects(object) {
                    world.get_ref(handle)?;
                }
            }
            Step::PutRef { object } => {
                for handle in self.objects(object) {
                    world.put_ref(handle)?;
                }
            }
            Step::Read {
                object,
                expect,
                unchecked,
            } => {
                for handle in self.objects(object) {
                    let found = world.read(handle, *unchecked)?;
                    if let Some(expected) = expect.filter(|&e| e != found) {
                        return Err(Stop {
                            kind: FindingKind::UseAfterFree,
                            message: format!(
                                "slot#{}'s data changed under its owner ({expected} -> \
                                 {found}): a write after free",
                                handle.slot()
                            ),
                        }
                        .into());
                    }
                }
            }
            Step::Write {
                object,
                value,
                unchecked,
            } => {
                for handle in self.objects(object) {
                    world.write(handle, *value, *unchecked)?;
                }
            }
            Step::Signal { event } => world.signal(*event),
            Step::Wait { event } => world.wait(*event)?,
        }
        Ok(())
    }
}

/// Runs `spec`'s steps as the actor named `name`. A lock still held at the end stays held (the
/// actor forgot to unlock: whoever waits for it starves, and the engines say so).
pub(crate) fn run_actor<P: Threads>(world: &World<P>, spec: &ActorSpec) -> Result<(), Halt> {
    let mut actor = Actor {
        world,
        locals: HashMap::new(),
        guards: (0..world.lock_count()).map(|_| None).collect(),
    };
    let mut result = Ok(());
    for step in &spec.steps {
        result = actor.run(&step.value);
        if result.is_err() {
            break;
        }
    }
    // A guard dropped here would release the lock behind the scenario's back.
    for guard in actor.guards.drain(..).flatten() {
        if result.is_ok() {
            std::mem::forget(guard);
        } else if P::IS_CHECKER {
            // The execution is failing; its objects are abandoned with it.
            std::mem::forget(guard);
        } else {
            drop(guard);
        }
    }
    result
}
