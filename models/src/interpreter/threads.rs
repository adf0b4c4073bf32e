//! `Threads`: spawning and joining named threads on each platform, the one thing the list and
//! slab code never needs but every scenario does.

use lifecycle_list::{Loom, Platform, Shuttle, Std};

/// A platform whose threads the harness can spawn by name and join.
pub trait Threads: Platform {
    /// A joinable thread.
    type Handle: Send;

    /// Spawns `body` on a thread named `name`.
    fn spawn_named(name: String, body: Box<dyn FnOnce() + Send + 'static>) -> Self::Handle;

    /// Waits for the thread; `Err` carries its panic message.
    fn join(handle: Self::Handle) -> Result<(), String>;
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic with a non-text payload".to_string())
}

impl Threads for Std {
    type Handle = std::thread::JoinHandle<()>;

    fn spawn_named(name: String, body: Box<dyn FnOnce() + Send + 'static>) -> Self::Handle {
        std::thread::Builder::new()
            .name(name)
            .spawn(body)
            .expect("the OS refused to start a thread")
    }

    fn join(handle: Self::Handle) -> Result<(), String> {
        handle.join().map_err(|p| panic_message(&*p))
    }
}

impl Threads for Loom {
    type Handle = loom::thread::JoinHandle<()>;

    fn spawn_named(name: String, body: Box<dyn FnOnce() + Send + 'static>) -> Self::Handle {
        loom::thread::Builder::new()
            .name(name)
            .spawn(body)
            .expect("loom refused to start a thread")
    }

    fn join(handle: Self::Handle) -> Result<(), String> {
        handle.join().map_err(|p| panic_message(&*p))
    }
}

impl Threads for Shuttle {
    type Handle = shuttle::thread::JoinHandle<()>;

    fn spawn_named(name: String, body: Box<dyn FnOnce() + Send + 'static>) -> Self::Handle {
        shuttle::thread::Builder::new()
            .name(name)
            .spawn(body)
            .expect("shuttle refused to start a thread")
    }

    fn join(handle: Self::Handle) -> Result<(), String> {
        handle.join().map_err(|p| panic_message(&*p))
    }
}
