//! Secrets are wiped from memory before it is freed. This binary's global allocator, while
//! armed, looks into every block it is asked to free for a sentinel: a secret that reaches the
//! allocator still readable was not wiped, and may later be handed out in another allocation.
//!
//! One test only: the probe is global to the binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use enkash::SecretString;

const SENTINEL: &str = "SENTINEL-ZEROIZE-5d2c-9e1a";
/// The sentinel as a JSON string, static so that the test makes no heap copy of its own.
const SENTINEL_JSON: &str = "\"SENTINEL-ZEROIZE-5d2c-9e1a\"";

static ARMED: AtomicBool = AtomicBool::new(false);
static SIGHTINGS: AtomicUsize = AtomicUsize::new(0);

struct Probe;

// SAFETY: every call is forwarded to `System` unchanged; `dealloc` only reads the block it is
// about to free, which the caller still owns, through volatile byte reads.
unsafe impl GlobalAlloc for Probe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) && contains_sentinel(ptr, layout.size()) {
            SIGHTINGS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static PROBE: Probe = Probe;

fn contains_sentinel(ptr: *const u8, len: usize) -> bool {
    let needle = SENTINEL.as_bytes();
    (0..len.saturating_sub(needle.len() - 1)).any(|start| {
        needle
            .iter()
            .enumerate()
            // SAFETY: start + i < len, inside the block being freed.
            .all(|(i, b)| unsafe { std::ptr::read_volatile(ptr.add(start + i)) } == *b)
    })
}

/// Runs `f` with the probe armed; returns how many freed blocks still held the sentinel.
fn sightings(f: impl FnOnce()) -> usize {
    SIGHTINGS.store(0, Ordering::SeqCst);
    ARMED.store(true, Ordering::SeqCst);
    f();
    ARMED.store(false, Ordering::SeqCst);
    SIGHTINGS.load(Ordering::SeqCst)
}

#[test]
fn secret_strings_are_wiped_before_their_memory_is_freed() {
    // The probe itself: a plain String holding the sentinel is seen when freed.
    assert_eq!(
        sightings(|| drop(std::hint::black_box(SENTINEL.to_string()))),
        1
    );

    type Make = fn() -> SecretString;
    let cases: [(&str, Make); 3] = [
        ("from &str", || SecretString::from(SENTINEL)),
        ("from String", || SecretString::from(SENTINEL.to_string())),
        // Without escapes, so the parser keeps no scratch copy of its own.
        ("deserialized", || {
            serde_json::from_str(SENTINEL_JSON).unwrap()
        }),
    ];
    for (how, make) in cases {
        let seen = sightings(|| {
            let secret = make();
            let clone = secret.clone();
            drop(secret);
            assert!(clone.expose_secret().starts_with(SENTINEL), "{how}");
            drop(std::hint::black_box(clone));
        });
        assert_eq!(seen, 0, "{how}: a freed block still held the secret");
    }
}
