//! Synthetic captures, for what the real captures lack (Tile, Chipolo, Pebblebee, Google
//! FMDN, DULT, extended advertising) and for load tests. Written in real formats (btsnoop,
//! pcap with a radio header, pcap as the nRF Sniffer writes it in each header version);
//! every file made here is synthetic and is named so (`*-synthetic.*`).

pub mod labelled;
pub mod payload;
pub mod scenario;

/// splitmix64: a tiny generator whose sequence never changes, so a scenario written
/// today is byte-identical tomorrow (library RNGs may change their streams between versions).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly distributed value in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        for chunk in out.chunks_mut(8) {
            let r = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
        out
    }
}
