//! Reading and classifying in a thread of their own while the caller's thread correlates:
//! on a machine with two cores a capture is analysed in about the time the slower half takes.
//!
//! The reading thread hands over advertisements in batches, in the order it read them, and
//! the caller's thread takes each batch in turn: correlation sees exactly the sequence it sees
//! when one thread does everything, so the result is the same to the byte. A bounded number of
//! batches is in flight, and emptied ones go back to be filled again, so memory stays flat
//! however large the capture.

use std::ops::Range;
use std::sync::mpsc::{self, Receiver, SyncSender};

use crate::capture::{AdvertisementSource, CaptureError};
use crate::classify::{Classification, Classifier};
use crate::model::Advertisement;

/// Advertisements handed over at once: enough that handing over costs nothing per
/// advertisement, few enough to stay in the cache.
const BATCH: usize = 2048;
/// Batches read ahead of the correlation at most.
const IN_FLIGHT: usize = 4;

/// One advertisement as read, its bytes kept in the batch's buffer. Small: most are not
/// trackers, and only trackers' classifications are kept, apart.
struct Item {
    /// The advertisement, with no data: its data ends at `data_end` in the batch's bytes,
    /// where the previous one's ends.
    adv: Advertisement<'static>,
    data_end: u32,
    /// Its classification among the batch's, if it has one.
    class: Option<u32>,
}

/// A classification, with no identity: its identity is `identity` within the data.
struct Class {
    class: Classification<'static, 'static>,
    identity: Option<Range<usize>>,
}

/// Advertisements read in a row, and the position in the capture after the last of them.
#[derive(Default)]
struct Batch {
    items: Vec<Item>,
    classes: Vec<Class>,
    bytes: Vec<u8>,
    position: u64,
}

impl Batch {
    fn push(&mut self, adv: &Advertisement<'_>, class: Option<Classification<'static, '_>>) {
        let class = class.map(|c| {
            // The identity is a slice of the advertisement's data: where in it.
            let identity = c.identity.map(|id| {
                let from = id.as_ptr() as usize - adv.data.as_ptr() as usize;
                from..from + id.len()
            });
            let class = Classification { identity: None, ..c };
            self.classes.push(Class { class, identity });
            self.classes.len() as u32 - 1
        });
        self.bytes.extend_from_slice(adv.data);
        self.items.push(Item {
            adv: Advertisement { data: &[], ..*adv },
            data_end: self.bytes.len() as u32,
            class,
        });
    }

    /// Each advertisement with its classification, as they were read.
    fn each(&self, mut f: impl FnMut(&Advertisement<'_>, Option<Classification<'static, '_>>)) {
        let mut start = 0;
        for item in &self.items {
            let end = item.data_end as usize;
            let data = &self.bytes[start..end];
            start = end;
            let class = item.class.map(|i| {
                let Class { class, identity } = &self.classes[i as usize];
                let identity = identity.clone().map(|r| &data[r]);
                Classification { identity, ..*class }
            });
            f(&Advertisement { data, ..item.adv }, class)
        }
    }

    fn clear(&mut self) {
        self.items.clear();
        self.classes.clear();
        self.bytes.clear();
    }
}

/// Reads every advertisement of `source` and classifies it in a second thread, and hands
/// each to `add`, in the order read, in this one; `progress` receives the position reached.
/// Ends as reading ends: an error is returned after every advertisement read before it.
pub(super) fn feed(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    mut add: impl FnMut(&Advertisement<'_>, Option<Classification<'static, '_>>),
    mut progress: impl FnMut(u64),
) -> Result<(), CaptureError> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel(IN_FLIGHT);
        let (empty_tx, empty_rx) = mpsc::channel();
        let reader = scope.spawn(move || read(source, classifier, full_tx, empty_rx));
        for mut batch in full_rx {
            batch.each(&mut add);
            progress(batch.position);
            batch.clear();
            // The reader may have finished: then the batch is just dropped.
            let _ = empty_tx.send(batch);
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The reading thread: fills batches (reusing those handed back) and sends them on, the
/// last one when reading ends or fails.
fn read(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    full: SyncSender<Batch>,
    empty: Receiver<Batch>,
) -> Result<(), CaptureError> {
    let mut batch = Batch::default();
    loop {
        let read = source.next_record(&mut |adv| batch.push(adv, classifier.classify(adv.data)));
        let ended = !matches!(read, Ok(true));
        if ended || batch.items.len() >= BATCH {
            batch.position = source.position();
            let next = empty.try_recv().unwrap_or_default();
            // Nobody takes batches any more only when the other thread is unwinding.
            if full.send(std::mem::replace(&mut batch, next)).is_err() || ended {
                return read.map(drop);
            }
        }
    }
}
