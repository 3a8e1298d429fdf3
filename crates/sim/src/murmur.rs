//! Kafka's hashing rules, bit-exact: `Utils.murmur2`, `Utils.toPositive`, `BuiltInPartitioner.partitionForKey`,
//! and the coordinator rule `Utils.abs(String.hashCode()) % n` (kafka-reference.md section 1).

/// `org.apache.kafka.common.utils.Utils.murmur2`: 32-bit MurmurHash2 with Kafka's seed.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h: u32 = SEED ^ (len as u32);
    let blocks = len / 4;
    for i in 0..blocks {
        let b = &data[4 * i..4 * i + 4];
        let mut k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let base = len & !3;
    let tail = len % 4;
    if tail == 3 {
        h ^= (data[base + 2] as u32) << 16;
    }
    if tail >= 2 {
        h ^= (data[base + 1] as u32) << 8;
    }
    if tail >= 1 {
        h ^= data[base] as u32;
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: masks the sign bit. Not `abs` (see reference Table 1e).
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// `BuiltInPartitioner.partitionForKey` for a String key serialized as UTF-8.
pub fn partition_for_key(key: &str, num_partitions: u32) -> u32 {
    assert!(num_partitions > 0, "a topic has at least one partition");
    (to_positive(murmur2(key.as_bytes())) as u32) % num_partitions
}

/// Java `String.hashCode` over UTF-16 code units, wrapping at 32 bits.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(unit as i32))
}

/// Kafka's `Utils.abs`: `abs`, except that `Integer.MIN_VALUE` maps to 0.
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The `__consumer_offsets` / `__transaction_state` partition that coordinates `id`.
pub fn coordinator_partition(id: &str, num_partitions: u32) -> u32 {
    (kafka_abs(java_string_hash(id)) as u32) % num_partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table 1a: Kafka's own `UtilsTest.testMurmur2` vectors and the partitions they give.
    #[test]
    fn murmur2_matches_kafka_utils_test_vectors() {
        let cases: [(&str, i32, [u32; 3]); 6] = [
            ("21", -973932308, [0, 0, 0]),
            ("foobar", -790332482, [0, 0, 6]),
            ("a-little-bit-long-string", -985981536, [2, 2, 8]),
            ("a-little-bit-longer-string", -1486304829, [2, 5, 11]),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, [2, 5, 5]),
            ("abc", 479470107, [0, 3, 3]),
        ];
        for (key, hash, parts) in cases {
            assert_eq!(murmur2(key.as_bytes()), hash, "murmur2({key})");
            for (n, expected) in [3, 6, 12].into_iter().zip(parts) {
                assert_eq!(partition_for_key(key, n), expected, "partition of {key} among {n}");
            }
        }
    }

    /// Table 1e: toPositive masks the sign bit; abs would put these keys elsewhere.
    #[test]
    fn to_positive_is_not_abs() {
        let cases: [(&str, i32, u32, u32, u32, u32); 6] = [
            ("21", -973932308, 0, 2, 0, 8),
            ("foobar", -790332482, 0, 2, 6, 2),
            ("key", -1079937367, 1, 1, 1, 7),
            ("user-2", -324981792, 2, 0, 8, 0),
            ("bob", -2048144690, 0, 2, 6, 2),
            ("eve", -1571261868, 2, 0, 8, 0),
        ];
        for (key, hash, p6, abs6, p12, abs12) in cases {
            assert_eq!(murmur2(key.as_bytes()), hash, "murmur2({key})");
            assert_eq!(partition_for_key(key, 6), p6);
            assert_eq!(partition_for_key(key, 12), p12);
            assert_eq!((hash.unsigned_abs()) % 6, abs6, "the wrong rule gives the table's value");
            assert_eq!((hash.unsigned_abs()) % 12, abs12);
        }
    }

    #[test]
    fn empty_key_is_hashed_not_sticky() {
        assert_eq!(murmur2(b""), 275646681);
    }

    #[test]
    fn coordinator_rule_uses_java_hash_and_kafka_abs() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99162322);
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE, which Utils.abs maps to 0.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(coordinator_partition("polygenelubricants", 50), 0);
        assert_eq!(kafka_abs(-5), 5);
    }
}
