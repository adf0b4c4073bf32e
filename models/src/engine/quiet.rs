//! Keeping a checker's own output off the terminal while it runs: the failures it reports are the
//! harness's to explain. Two mechanisms, one place: a panic hook that is silent on threads running
//! a model (loom and shuttle run every model thread on the caller's OS thread), and file
//! descriptor 2 pointed at /dev/null while any run is under way (shuttle prints each failing
//! schedule itself).

use std::cell::Cell;
use std::sync::{Mutex, Once};

thread_local! {
    /// Set while a harness run is under way on this thread: its expected panics stay quiet.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs under way in this process, and where fd 2 pointed before the first of them began.
///
/// # Invariants
/// `saved` is `Some` exactly while `runs > 0` and the redirection succeeded; only the last run
/// to finish restores it, so overlapping runs on several threads never restore /dev/null.
struct Redirect {
    runs: usize,
    saved: Option<i32>,
}

static REDIRECT: Mutex<Redirect> = Mutex::new(Redirect {
    runs: 0,
    saved: None,
});

/// Installs (once) a panic hook that is silent on threads marked quiet, and defers to the
/// previous hook everywhere else.
fn install_quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // shuttle installs its own hook (which prints every panic with its task) on its first
        // run; run it once now so that ours wraps it and can keep model threads quiet.
        shuttle::check_random(|| {}, 1);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Points fd 2 at /dev/null for the first run to begin.
fn silence_stderr() {
    let mut redirect = REDIRECT.lock().unwrap_or_else(|p| p.into_inner());
    redirect.runs += 1;
    if redirect.runs > 1 {
        return;
    }
    // SAFETY: plain POSIX calls on file descriptors this process owns; the saved descriptor is
    // kept in `REDIRECT` and restored by the last run to finish.
    unsafe {
        let saved = libc::dup(2);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if saved >= 0 && null >= 0 {
            libc::dup2(null, 2);
            redirect.saved = Some(saved);
        } else if saved >= 0 {
            libc::close(saved);
        }
        if null >= 0 {
            libc::close(null);
        }
    }
}

/// Restores fd 2 when the last run finishes.
fn restore_stderr() {
    let mut redirect = REDIRECT.lock().unwrap_or_else(|p| p.into_inner());
    redirect.runs -= 1;
    if redirect.runs > 0 {
        return;
    }
    if let Some(saved) = redirect.saved.take() {
        // SAFETY: `saved` is the duplicate of the original fd 2 made by `silence_stderr`, still
        // open (only this function closes it).
        unsafe {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
    }
}

/// Writes `line` and a newline to standard error as it was before any run silenced it: a
/// progress line printed while runs on other threads are under way still reaches the terminal
/// or the log.
pub fn eprintln_unsilenced(line: &str) {
    let redirect = REDIRECT.lock().unwrap_or_else(|p| p.into_inner());
    let fd = redirect.saved.unwrap_or(2);
    let text = format!("{line}\n");
    // SAFETY: `fd` is fd 2 or the open duplicate `silence_stderr` saved (closed only by
    // `restore_stderr`, which takes the same lock held here); `text` outlives the call.
    unsafe {
        libc::write(fd, text.as_ptr().cast(), text.len());
    }
}

/// Runs `body` with this thread's panics quiet and fd 2 silenced, restoring both after (also
/// when `body` panics).
pub(super) fn quietly<R>(body: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(self.0));
            restore_stderr();
        }
    }
    install_quiet_hook();
    silence_stderr();
    let _restore = Restore(QUIET.with(|q| q.replace(true)));
    body()
}
