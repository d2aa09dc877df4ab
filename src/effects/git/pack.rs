//! A new repository's first objects written as one pack file instead of loose ones.
//!
//! A loose object is a file of its own in a folder of its own: for a full project's first
//! commit, about 140 of them, each a `mkdir`, a temporary file, a `link` and an `unlink`
//! in libgit2, which on a disk slow to create small files cost more than writing the
//! project itself. A pack is one file and its index (libgit2's indexer writes the index).
//! libgit2's own pack builder first searches every pair of similar objects for deltas,
//! which on a first commit costs more than the loose files it saves (both measured in
//! bench/RESULTS.md), so the pack is written here, without deltas: `PACK`, version 2 and
//! the number of objects; each object as a header (its type and size) and its deflated
//! contents; then the SHA-1 of everything before (gitformat-pack(5)).

use std::collections::HashSet;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use git2::{ObjectType, Odb, Oid};

/// Writes the objects `ids`, which `odb` holds (in memory, say), into its packs. An id
/// may come twice (two files with the same contents): a pack holds it once, or libgit2's
/// indexer refuses the pack.
pub(super) fn write(odb: &Odb<'_>, ids: &[Oid]) -> Result<(), git2::Error> {
    let mut seen = HashSet::new();
    let ids: Vec<Oid> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let count = u32::try_from(ids.len())
        .map_err(|_| git2::Error::from_str("too many objects for one pack"))?;
    let mut pack = Vec::new();
    pack.extend_from_slice(b"PACK");
    pack.extend_from_slice(&2_u32.to_be_bytes());
    pack.extend_from_slice(&count.to_be_bytes());
    for id in ids {
        let object = odb.read(id)?;
        header(&mut pack, object.kind(), object.data().len())?;
        // The speed libgit2 deflates loose objects with.
        let mut deflate = ZlibEncoder::new(&mut pack, Compression::fast());
        deflate
            .write_all(object.data())
            .and_then(|()| deflate.finish().map(drop))
            .map_err(|err| io_error(&err))?;
    }
    let checksum = sha1_smol::Sha1::from(&pack).digest().bytes();
    pack.extend_from_slice(&checksum);
    let mut writer = odb.packwriter()?;
    writer.write_all(&pack).map_err(|err| io_error(&err))?;
    writer.commit()?;
    Ok(())
}

/// An object's header: its type in bits 4 to 6 of the first byte and the low four bits of
/// its size below them, then the rest of the size seven bits a byte, lowest first; the top
/// bit of each byte says whether another follows.
fn header(pack: &mut Vec<u8>, kind: ObjectType, size: usize) -> Result<(), git2::Error> {
    let code: u8 = match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Blob => 3,
        ObjectType::Tag => 4,
        ObjectType::Any => return Err(git2::Error::from_str("an object of no type")),
    };
    let mut byte = code << 4 | low_bits(size, 0x0f);
    let mut rest = size >> 4;
    while rest > 0 {
        pack.push(byte | 0x80);
        byte = low_bits(rest, 0x7f);
        rest >>= 7;
    }
    pack.push(byte);
    Ok(())
}

/// `value`'s bits under `mask` (at most eight).
fn low_bits(value: usize, mask: u8) -> u8 {
    u8::try_from(value & usize::from(mask)).unwrap_or(mask)
}

fn io_error(err: &std::io::Error) -> git2::Error {
    git2::Error::from_str(&format!("cannot write the pack: {err}"))
}

#[cfg(test)]
mod tests {
    use super::header;
    use git2::ObjectType;

    fn encoded(kind: ObjectType, size: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        header(&mut bytes, kind, size).expect("a known type");
        bytes
    }

    #[test]
    fn headers_carry_the_type_and_the_size_seven_bits_a_byte() {
        assert_eq!(encoded(ObjectType::Blob, 5), [0x35]);
        assert_eq!(encoded(ObjectType::Tree, 15), [0x2f]);
        // 16 = 0b1_0000: low four bits 0, then 1.
        assert_eq!(encoded(ObjectType::Commit, 16), [0x90, 0x01]);
        // 2,000 = 0b111_1101_0000: 0, then 0b111_1101 (0x7d).
        assert_eq!(encoded(ObjectType::Blob, 2000), [0xb0, 0x7d]);
        // 300,000 = 18,750 × 16: 0, then 18,750 seven bits at a time: 62, 18, 1.
        assert_eq!(encoded(ObjectType::Blob, 300_000), [0xb0, 0xbe, 0x92, 0x01]);
        assert!(header(&mut Vec::new(), ObjectType::Any, 1).is_err());
    }
}
