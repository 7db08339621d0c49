//! The Merkle tree against the RFC 6962 / Certificate Transparency test
//! vectors, and a property test over random trees.
//!
//! The vectors are those of the 8-leaf reference tree used by
//! certificate-transparency and trillian: leaf inputs and roots from
//! transparency-dev/merkle `testonly/constants.go`; inclusion and
//! consistency paths from google/trillian `merkle/logverifier/log_verifier_test.go`
//! (the same values as transparency-dev/merkle `proof/verify_test.go`).
//! Their leaf numbers are 1-based; ours are 0-based indices.

use caisson_ledger::merkle::{
    self, consistency_proof, inclusion_proof, root, verify_consistency, MemoryStore,
    ProofRequestError, TreeError,
};
use caisson_ledger::Hash;
use proptest::prelude::*;

const LEAF_INPUTS: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the trees of sizes 0..=8.
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (index, size, path); trillian's `inclusionProofs` with leaf - 1.
const INCLUSION: [(u64, u64, &[&str]); 4] = [
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (from, to, path); trillian's `consistencyProofs`.
const CONSISTENCY: [(u64, u64, &[&str]); 4] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

fn h(hex: &str) -> Hash {
    Hash::from_hex(hex).expect("test vector hex")
}

fn hashes(path: &[&str]) -> Vec<Hash> {
    path.iter().map(|p| h(p)).collect()
}

fn reference_store() -> MemoryStore {
    LEAF_INPUTS
        .iter()
        .map(|input| {
            let bytes: Vec<u8> = (0..input.len() / 2)
                .map(|i| u8::from_str_radix(&input[2 * i..2 * i + 2], 16).expect("hex"))
                .collect();
            Hash::leaf(&bytes)
        })
        .collect()
}

#[test]
fn roots_of_every_prefix_match_the_reference() {
    let store = reference_store();
    for (size, expected) in ROOTS.iter().enumerate() {
        assert_eq!(
            root(&store, size as u64).expect("root"),
            h(expected),
            "size {size}"
        );
    }
}

#[test]
fn the_frontier_gives_the_reference_roots() {
    let store = reference_store();
    let mut frontier = merkle::Frontier::new();
    assert_eq!(frontier.root(), h(ROOTS[0]));
    for (size, leaf) in store.leaves().iter().enumerate() {
        frontier.push(*leaf);
        assert_eq!(frontier.root(), h(ROOTS[size + 1]), "size {}", size + 1);
    }
    assert_eq!(merkle::Frontier::from_leaves(store.leaves()), frontier);
}

#[test]
fn inclusion_proofs_match_and_verify() {
    let store = reference_store();
    for (index, size, path) in INCLUSION {
        let proof = inclusion_proof(&store, index, size).expect("proof");
        assert_eq!(proof.path, hashes(path), "index {index} size {size}");
        proof.verify(&h(ROOTS[size as usize])).expect("verifies");
        // Against another tree's root it fails.
        assert!(proof.verify(&h(ROOTS[size as usize - 1])).is_err());
    }
}

#[test]
fn consistency_proofs_match_and_verify() {
    let store = reference_store();
    for (from, to, path) in CONSISTENCY {
        let proof = consistency_proof(&store, from, to).expect("proof");
        assert_eq!(proof.path, hashes(path), "{from} -> {to}");
        proof
            .verify(&h(ROOTS[from as usize]), &h(ROOTS[to as usize]))
            .expect("verifies");
        if from != to {
            // Swapped roots, a truncated or an extended path all fail.
            assert!(proof
                .verify(&h(ROOTS[to as usize]), &h(ROOTS[from as usize]))
                .is_err());
            let short = &proof.path[..proof.path.len() - 1];
            assert!(verify_consistency(
                from,
                to,
                &h(ROOTS[from as usize]),
                &h(ROOTS[to as usize]),
                short
            )
            .is_err());
            let mut long = proof.path.clone();
            long.push(h(ROOTS[to as usize]));
            assert!(verify_consistency(
                from,
                to,
                &h(ROOTS[from as usize]),
                &h(ROOTS[to as usize]),
                &long
            )
            .is_err());
        }
    }
}

#[test]
fn invalid_requests_are_typed_errors() {
    let store = reference_store();
    let request = |e| match e {
        TreeError::Request(r) => r,
        other => panic!("not a request error: {other}"),
    };
    assert_eq!(
        request(inclusion_proof(&store, 8, 8).expect_err("index = size")),
        ProofRequestError::IndexNotBelowSize { index: 8, size: 8 }
    );
    assert_eq!(
        request(inclusion_proof(&store, 0, 9).expect_err("beyond")),
        ProofRequestError::SizeBeyondTree {
            size: 9,
            tree_size: 8
        }
    );
    assert_eq!(
        request(consistency_proof(&store, 0, 3).expect_err("from 0")),
        ProofRequestError::FromZero
    );
    assert_eq!(
        request(consistency_proof(&store, 4, 3).expect_err("from > to")),
        ProofRequestError::FromAfterTo { from: 4, to: 3 }
    );
    assert_eq!(
        request(consistency_proof(&store, 3, 9).expect_err("beyond")),
        ProofRequestError::SizeBeyondTree {
            size: 9,
            tree_size: 8
        }
    );
    assert!(root(&store, 9).is_err());
}

fn flip(hash: &Hash, byte: usize) -> Hash {
    let mut bytes = hash.0;
    bytes[byte % 32] ^= 0x01;
    Hash(bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every inclusion and consistency proof of a random tree verifies, and
    /// flipping one byte anywhere (leaf, path, either root) makes it fail.
    #[test]
    fn every_generated_proof_verifies_and_a_flipped_byte_fails(
        seeds in proptest::collection::vec(any::<u64>(), 1..40),
        byte in 0usize..32,
        pick in any::<usize>(),
    ) {
        let store: MemoryStore = seeds.iter().map(|s| Hash::leaf(&s.to_le_bytes())).collect();
        let n = seeds.len() as u64;
        let roots: Vec<Hash> = (0..=n).map(|s| root(&store, s).expect("root")).collect();
        for size in 1..=n {
            for index in 0..size {
                let proof = inclusion_proof(&store, index, size).expect("proof");
                prop_assert!(proof.verify(&roots[size as usize]).is_ok());
                let mut bad = proof.clone();
                bad.leaf_hash = flip(&bad.leaf_hash, byte);
                prop_assert!(bad.verify(&roots[size as usize]).is_err());
                if !proof.path.is_empty() {
                    let mut bad = proof.clone();
                    let i = pick % bad.path.len();
                    bad.path[i] = flip(&bad.path[i], byte);
                    prop_assert!(bad.verify(&roots[size as usize]).is_err());
                }
                prop_assert!(proof.verify(&flip(&roots[size as usize], byte)).is_err());
            }
            for from in 1..=size {
                let proof = consistency_proof(&store, from, size).expect("proof");
                let (old, new) = (roots[from as usize], roots[size as usize]);
                prop_assert!(proof.verify(&old, &new).is_ok());
                prop_assert!(proof.verify(&flip(&old, byte), &new).is_err());
                prop_assert!(proof.verify(&old, &flip(&new, byte)).is_err());
                if !proof.path.is_empty() {
                    let mut bad = proof.clone();
                    let i = pick % bad.path.len();
                    bad.path[i] = flip(&bad.path[i], byte);
                    prop_assert!(bad.verify(&old, &new).is_err());
                }
            }
        }
        // The slice functions agree with the store, and so does the
        // incremental frontier at every size.
        prop_assert_eq!(merkle::root_of(store.leaves()), roots[n as usize]);
        let mut frontier = merkle::Frontier::new();
        prop_assert_eq!(frontier.root(), roots[0]);
        for (i, leaf) in store.leaves().iter().enumerate() {
            frontier.push(*leaf);
            prop_assert_eq!(frontier.size(), i as u64 + 1);
            prop_assert_eq!(frontier.root(), roots[i + 1]);
        }
    }
}
