//! Work done on a second thread beside the current one, and done in turn on
//! this one where the system gives no thread (a build sandbox with a thread
//! limit): `std::thread::spawn` would panic there, and the generator never
//! panics.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::thread::{self, ScopedJoinHandle};

/// The side work's result, taken once with [`Side::join`].
pub(crate) struct Side<'scope, A> {
    /// `None` once joined.
    state: Option<State<'scope, A>>,
}

enum State<'scope, A> {
    /// Running on a thread of its own.
    Thread(ScopedJoinHandle<'scope, Option<A>>),
    /// Done on this thread, because no thread could be made; a panic
    /// caught as a thread's would be.
    Done(thread::Result<Option<A>>),
}

impl<A> Side<'_, A> {
    /// The side work's result; `Err` if it panicked.
    pub(crate) fn join(mut self) -> thread::Result<A> {
        let value = match self.state.take() {
            Some(State::Done(value)) => value?,
            Some(State::Thread(handle)) => handle.join()?,
            None => None,
        };
        // `None` only if the work was taken twice, which `beside` never does.
        value.ok_or_else(|| Box::new("the side work never ran") as _)
    }
}

impl<A> Drop for Side<'_, A> {
    /// A side never joined (`main` returned early, on an error) is joined
    /// here, its panic ignored: `std::thread::scope` would otherwise
    /// re-raise it.
    fn drop(&mut self) {
        if let Some(State::Thread(handle)) = self.state.take() {
            let _ = handle.join();
        }
    }
}

/// Runs `side` on a thread named `name` while `main` runs here, and returns
/// what `main` returns; `main` takes the side's result when it needs it. If
/// no thread can be made, `side` runs first, here.
pub(crate) fn beside<A, B>(
    name: &str,
    side: impl FnOnce() -> A + Send,
    main: impl FnOnce(Side<'_, A>) -> B,
) -> B
where
    A: Send,
{
    beside_or_in_turn(Some(name), side, main)
}

/// [`beside`], on a thread named `name` or, with `None` (as when the
/// system refuses one), in turn on this one.
fn beside_or_in_turn<A, B>(
    name: Option<&str>,
    side: impl FnOnce() -> A + Send,
    main: impl FnOnce(Side<'_, A>) -> B,
) -> B
where
    A: Send,
{
    // The work stays reachable here if the thread is refused: spawning
    // would otherwise drop it.
    let slot = Mutex::new(Some(side));
    thread::scope(|scope| {
        let spawned = name.map(|name| {
            thread::Builder::new()
                .name(name.to_owned())
                .spawn_scoped(scope, || take(&slot).map(|work| work()))
        });
        let state = match spawned {
            Some(Ok(handle)) => State::Thread(handle),
            None | Some(Err(_)) => State::Done(panic::catch_unwind(AssertUnwindSafe(|| {
                take(&slot).map(|work| work())
            }))),
        };
        main(Side { state: Some(state) })
    })
}

/// The work in `slot`, taken out (a poisoned lock still holds it).
fn take<F>(slot: &Mutex<Option<F>>) -> Option<F> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_side_result_reaches_main() {
        let got = beside("test", || 6 * 7, |side| side.join().unwrap() + 1);
        assert_eq!(got, 43);
    }

    #[test]
    fn a_panicking_side_is_an_error_not_a_panic() {
        let got = beside(
            "test",
            || -> u8 { panic!("side") },
            |side| side.join().is_err(),
        );
        assert!(got);
    }

    #[test]
    fn without_a_thread_the_side_runs_first_here() {
        let here = thread::current().id();
        let got = beside_or_in_turn(None, || thread::current().id(), |side| side.join().unwrap());
        assert_eq!(got, here);
    }

    #[test]
    fn a_panicking_side_without_a_thread_is_an_error_not_a_panic() {
        let got = beside_or_in_turn(
            None,
            || -> u8 { panic!("side") },
            |side| side.join().is_err(),
        );
        assert!(got);
    }

    #[test]
    fn a_panicking_side_never_joined_is_no_panic() {
        let got = beside("test", || -> u8 { panic!("side") }, |_side| 7);
        assert_eq!(got, 7);
    }

    #[test]
    fn main_runs_while_the_side_runs() {
        let (tx, rx) = std::sync::mpsc::channel();
        let got = beside(
            "test",
            move || rx.recv().unwrap(),
            |side| {
                tx.send(5).unwrap();
                side.join().unwrap()
            },
        );
        assert_eq!(got, 5);
    }
}
