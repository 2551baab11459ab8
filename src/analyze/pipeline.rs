//! Reading, decoding and classifying in a thread of their own while the caller's thread
//! correlates: on a machine with two cores a capture is analysed in about the time the slower
//! half takes.
//!
//! The reading thread hands over batches in the order it read them and the caller's thread
//! takes each in turn, so correlation sees exactly the sequence one thread sees: the result is
//! the same to the byte. Only classified advertisements cross, with their bytes; the rest are
//! only counted (correlation does nothing else with them), where they are read. A bounded
//! number of batches is in flight and emptied ones go back to be filled again, so memory stays
//! flat however large the capture.

use std::sync::mpsc::{self, Receiver, SyncSender};

use crate::capture::{AdvertisementSource, CaptureError};
use crate::classify::{Classification, Classifier, Match};
use crate::correlate::{Sighted, Trackers};
use crate::coverage::Coverage;
use crate::model::Advertisement;

/// Records read into one batch: enough that handing over (which may wake the other thread,
/// costly in a virtual machine) is rare, few enough that progress still moves.
const RECORDS_PER_BATCH: u64 = 16_384;
/// Batches read ahead of the correlation at most.
const IN_FLIGHT: usize = 4;

/// A classified advertisement as read. Its bytes end at `data_end` in the batch's bytes,
/// where the previous item's end; the pattern it matched is read out in the correlating
/// thread, which so takes a part of the classifying.
struct Item {
    adv: Advertisement<'static>,
    data_end: usize,
    found: Match,
}

/// Advertisements read in a row: what was heard, the classified ones, how many others, and
/// the position in the capture after the last record.
#[derive(Default)]
struct Batch {
    heard: Coverage,
    items: Vec<Item>,
    bytes: Vec<u8>,
    others: u64,
    position: u64,
}

impl Batch {
    fn add(&mut self, adv: &Advertisement<'_>, classifier: &'static Classifier) {
        if !super::heard(adv.time_us, &mut self.heard) {
            return;
        }
        let Some(found) = classifier.find(adv.data) else {
            self.others += 1;
            return;
        };
        self.bytes.extend_from_slice(adv.data);
        self.items.push(Item {
            adv: Advertisement { data: &[], ..*adv },
            data_end: self.bytes.len(),
            found,
        });
    }

    /// Each classified advertisement, as it was read, and its classification.
    fn each(
        &self,
        classifier: &'static Classifier,
        mut f: impl FnMut(&Advertisement<'_>, &Classification<'static, '_>),
    ) {
        let mut start = 0;
        for item in &self.items {
            let data = &self.bytes[start..item.data_end];
            start = item.data_end;
            f(
                &Advertisement { data, ..item.adv },
                &classifier.extract(&item.found, data),
            );
        }
    }

    fn clear(&mut self) {
        self.heard = Coverage::default();
        self.items.clear();
        self.bytes.clear();
        self.others = 0;
    }
}

/// [`super::feed_with`] with reading and classifying in a second thread: the same calls of
/// `on_tracker`, the same `trackers` and `coverage` in the end; `progress` after each batch.
pub(super) fn feed(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    trackers: &mut Trackers<'_>,
    coverage: &mut Coverage,
    mut progress: impl FnMut(u64),
    mut on_tracker: impl FnMut(&Advertisement<'_>, &Classification<'static, '_>, Sighted<'_>),
) -> Result<(), CaptureError> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel(IN_FLIGHT);
        let (empty_tx, empty_rx) = mpsc::channel();
        let reader = scope.spawn(move || read(source, classifier, full_tx, empty_rx));
        for mut batch in full_rx {
            coverage.add_heard(&batch.heard);
            trackers.other_advertisements += batch.others;
            batch.each(classifier, |adv, class| {
                super::correlate(adv, Some(class), trackers, coverage, &mut on_tracker)
            });
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

/// The reading thread: fills batches (reusing those handed back) and sends them on, the last
/// one when reading ends or fails.
fn read(
    source: &mut dyn AdvertisementSource,
    classifier: &'static Classifier,
    full: SyncSender<Batch>,
    empty: Receiver<Batch>,
) -> Result<(), CaptureError> {
    let mut batch = Batch::default();
    let mut records = 0;
    loop {
        let read = source.next_record(&mut |adv| batch.add(adv, classifier));
        records += 1;
        let ended = match read {
            Ok(true) if records % RECORDS_PER_BATCH != 0 => continue,
            Ok(true) => false,
            _ => true,
        };
        batch.position = source.position();
        let next = empty.try_recv().unwrap_or_default();
        // Nobody takes batches any more only when the other thread is unwinding.
        if full.send(std::mem::replace(&mut batch, next)).is_err() || ended {
            return read.map(drop);
        }
    }
}
