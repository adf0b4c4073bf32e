//! alloc+free pair cost of `lifecycle_slab::Slab` against its peers, single-threaded and with 2
//! threads contending: `Box::new` + drop (the system allocator), `sharded_slab::Slab`
//! insert+remove, and tokio's `slab::Slab` behind a `parking_lot::Mutex`.
//!
//! Contended runs start their threads on a `Barrier` and time with `iter_custom`, reporting the
//! wall time for `iters` pairs on each thread (so per-pair numbers are comparable with the
//! single-threaded ones as "time per pair per thread").

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const CAPACITY: usize = 1024;

/// One peer: a shared cache and the pair of operations on it.
trait Peer: Send + Sync + 'static {
    const NAME: &'static str;
    fn new() -> Self;
    fn pair(&self);
}

struct LifecycleSlab(lifecycle_slab::Slab<u64>);
impl Peer for LifecycleSlab {
    const NAME: &'static str = "lifecycle_slab";
    fn new() -> Self {
        LifecycleSlab(lifecycle_slab::Slab::new(CAPACITY, |_| 0))
    }
    fn pair(&self) {
        let handle = self.0.alloc().expect("capacity suffices");
        self.0.free(black_box(handle)).expect("current handle");
    }
}

struct SystemBox;
impl Peer for SystemBox {
    const NAME: &'static str = "box";
    fn new() -> Self {
        SystemBox
    }
    fn pair(&self) {
        drop(black_box(Box::new(black_box(0u64))));
    }
}

struct ShardedSlab(sharded_slab::Slab<u64>);
impl Peer for ShardedSlab {
    const NAME: &'static str = "sharded_slab";
    fn new() -> Self {
        ShardedSlab(sharded_slab::Slab::new())
    }
    fn pair(&self) {
        let key = self.0.insert(0).expect("capacity suffices");
        black_box(self.0.remove(black_box(key)));
    }
}

struct MutexSlab(parking_lot::Mutex<slab::Slab<u64>>);
impl Peer for MutexSlab {
    const NAME: &'static str = "tokio_slab_mutex";
    fn new() -> Self {
        MutexSlab(parking_lot::Mutex::new(slab::Slab::with_capacity(CAPACITY)))
    }
    fn pair(&self) {
        let key = self.0.lock().insert(0);
        black_box(self.0.lock().remove(black_box(key)));
    }
}

fn single<P: Peer>(c: &mut Criterion) {
    let peer = P::new();
    c.benchmark_group("pair/1-thread")
        .bench_function(P::NAME, |b| b.iter(|| peer.pair()));
}

fn contended<P: Peer>(c: &mut Criterion) {
    const THREADS: usize = 2;
    let peer = Arc::new(P::new());
    c.benchmark_group("pair/2-threads")
        .bench_function(BenchmarkId::from_parameter(P::NAME), |b| {
            b.iter_custom(|iters| {
                let start = Arc::new(Barrier::new(THREADS + 1));
                let workers: Vec<_> = (0..THREADS)
                    .map(|_| {
                        let (peer, start) = (peer.clone(), start.clone());
                        thread::spawn(move || {
                            start.wait();
                            let begin = Instant::now();
                            for _ in 0..iters {
                                peer.pair();
                            }
                            begin.elapsed()
                        })
                    })
                    .collect();
                start.wait();
                workers
                    .into_iter()
                    .map(|w| w.join().expect("bench thread"))
                    .max()
                    .unwrap_or(Duration::ZERO)
            })
        });
}

fn all(c: &mut Criterion) {
    single::<LifecycleSlab>(c);
    single::<SystemBox>(c);
    single::<ShardedSlab>(c);
    single::<MutexSlab>(c);
    contended::<LifecycleSlab>(c);
    contended::<SystemBox>(c);
    contended::<ShardedSlab>(c);
    contended::<MutexSlab>(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = all
}
criterion_main!(benches);
