//! The Merkle tree of RFC 9162 section 2.1 over the ledger's leaf hashes:
//! tree heads (2.1.1), inclusion proofs (2.1.3) and consistency proofs
//! (2.1.4), generation and verification.
//!
//! The leaves come from a [`LeafStore`] (the server's database, or
//! [`MemoryStore`]); nothing is cached, so every answer is recomputed from
//! the stored leaf hashes and cannot drift from them.

use serde::{Deserialize, Serialize};

use crate::hash::Hash;

/// Where the tree's leaf hashes live: the ledger's entries in index order.
pub trait LeafStore {
    /// The storage's own error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The number of entries (the current tree size).
    fn size(&self) -> Result<u64, Self::Error>;

    /// The leaf hashes of entries `start..end`, in index order (`end <=
    /// size()`).
    fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<Hash>, Self::Error>;
}

/// Leaf hashes held in memory: the reference [`LeafStore`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    leaves: Vec<Hash>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one leaf hash; returns its index.
    pub fn push(&mut self, leaf: Hash) -> u64 {
        self.leaves.push(leaf);
        self.leaves.len() as u64 - 1
    }

    /// Every leaf hash in index order.
    pub fn leaves(&self) -> &[Hash] {
        &self.leaves
    }
}

impl FromIterator<Hash> for MemoryStore {
    fn from_iter<I: IntoIterator<Item = Hash>>(iter: I) -> Self {
        Self {
            leaves: iter.into_iter().collect(),
        }
    }
}

/// The in-memory store cannot fail.
#[derive(Debug, thiserror::Error)]
#[error("in-memory store error")]
pub enum Never {}

impl LeafStore for MemoryStore {
    type Error = Never;

    fn size(&self) -> Result<u64, Never> {
        Ok(self.leaves.len() as u64)
    }

    fn leaf_hashes(&self, start: u64, end: u64) -> Result<Vec<Hash>, Never> {
        let start = usize::try_from(start)
            .unwrap_or(usize::MAX)
            .min(self.leaves.len());
        let end = usize::try_from(end)
            .unwrap_or(usize::MAX)
            .min(self.leaves.len());
        Ok(self.leaves[start..end.max(start)].to_vec())
    }
}

/// A proof request the spec answers with 400 (section 5): the server maps
/// every variant to that status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofRequestError {
    /// An inclusion proof for an index at or beyond the tree size asked.
    #[error("index {index} is not below size {size}")]
    IndexNotBelowSize {
        /// The requested index.
        index: u64,
        /// The requested size.
        size: u64,
    },
    /// A consistency proof from size 0.
    #[error("a consistency proof starts at a size of at least 1")]
    FromZero,
    /// A consistency proof from a larger to a smaller tree.
    #[error("from {from} is greater than to {to}")]
    FromAfterTo {
        /// The requested older size.
        from: u64,
        /// The requested newer size.
        to: u64,
    },
    /// A size the tree has not reached.
    #[error("size {size} is beyond the tree's size {tree_size}")]
    SizeBeyondTree {
        /// The requested size.
        size: u64,
        /// The tree's current size.
        tree_size: u64,
    },
}

/// A failure to compute a root or proof.
#[derive(Debug, thiserror::Error)]
pub enum TreeError<E: std::error::Error + 'static> {
    /// The request itself is invalid (400).
    #[error(transparent)]
    Request(#[from] ProofRequestError),
    /// The store failed.
    #[error("leaf store: {0}")]
    Store(#[source] E),
    /// The store returned a different number of leaves than asked for.
    #[error("leaf store returned {found} leaf hashes for {expected}")]
    ShortRead {
        /// Leaves asked for.
        expected: u64,
        /// Leaves returned.
        found: usize,
    },
}

/// An inclusion proof in the spec's format (section 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// The entry's index.
    pub index: u64,
    /// The tree size the proof is for.
    pub size: u64,
    /// The entry's leaf hash.
    pub leaf_hash: Hash,
    /// The audit path, from the leaf upwards (RFC 9162 section 2.1.3.1).
    pub path: Vec<Hash>,
}

/// A consistency proof in the spec's format (section 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
    /// The consistency path (RFC 9162 section 2.1.4.1).
    pub path: Vec<Hash>,
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The proof's sizes are not a valid request.
    #[error(transparent)]
    Request(#[from] ProofRequestError),
    /// The path has the wrong number of hashes for the sizes.
    #[error("the path has the wrong length for index {index} and size {size}")]
    PathLength {
        /// The index (or older size) of the proof.
        index: u64,
        /// The tree size of the proof.
        size: u64,
    },
    /// The recomputed root differs from the expected one.
    #[error("the recomputed root {computed} differs from {expected}")]
    RootMismatch {
        /// The root the proof leads to.
        computed: Hash,
        /// The root it should lead to.
        expected: Hash,
    },
    /// The recomputed older root differs from the expected one.
    #[error("the recomputed older root {computed} differs from {expected}")]
    OldRootMismatch {
        /// The older root the proof leads to.
        computed: Hash,
        /// The older root it should lead to.
        expected: Hash,
    },
    /// A consistency proof between equal sizes must have an empty path and
    /// equal roots.
    #[error("equal sizes need an empty path and equal roots")]
    EqualSizes,
}

/// The right edge of the tree: the roots of its perfect subtrees, largest
/// first, so that appending a leaf and computing the new root take
/// O(log n) hashes instead of rehashing every leaf (for a server that signs
/// a checkpoint after every append).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (number of leaves, root) of each perfect subtree, left to right.
    subtrees: Vec<(u64, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frontier of the tree of `leaves`.
    pub fn from_leaves(leaves: &[Hash]) -> Self {
        let mut frontier = Self::new();
        for leaf in leaves {
            frontier.push(*leaf);
        }
        frontier
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        self.size += 1;
        let mut node = (1, leaf);
        // Two perfect subtrees of equal size merge into one twice as big.
        while let Some(&(size, left)) = self.subtrees.last() {
            if size != node.0 {
                break;
            }
            self.subtrees.pop();
            node = (size * 2, Hash::node(&left, &node.1));
        }
        self.subtrees.push(node);
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the tree (RFC 9162 section 2.1.1).
    pub fn root(&self) -> Hash {
        let mut nodes = self.subtrees.iter().rev();
        let Some(&(_, last)) = nodes.next() else {
            return Hash::empty();
        };
        nodes.fold(last, |right, (_, left)| Hash::node(left, &right))
    }
}

/// The largest power of two smaller than `n` (`n >= 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// MTH of RFC 9162 section 2.1.1 over `leaves`.
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash::empty(),
        1 => leaves[0],
        n => {
            let k = split(n);
            Hash::node(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// `PATH(m, D[n])` of RFC 9162 section 2.1.3.1 (`m < leaves.len()`).
pub fn inclusion_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let mut path = Vec::new();
    inclusion_path_into(m, leaves, &mut path);
    path
}

fn inclusion_path_into(m: usize, leaves: &[Hash], path: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    // The recursion yields the deeper hashes first, so the sibling subtree's
    // root goes after them: the path runs from the leaf to the root.
    if m < k {
        inclusion_path_into(m, &leaves[..k], path);
        path.push(root_of(&leaves[k..]));
    } else {
        inclusion_path_into(m - k, &leaves[k..], path);
        path.push(root_of(&leaves[..k]));
    }
}

/// `PROOF(m, D[n])` of RFC 9162 section 2.1.4.1 (`0 < m <= leaves.len()`;
/// empty when `m == n`).
pub fn consistency_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let mut path = Vec::new();
    if m > 0 && m < leaves.len() {
        subproof(m, leaves, true, &mut path);
    }
    path
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, path: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            path.push(root_of(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, path);
        path.push(root_of(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, path);
        path.push(root_of(&leaves[..k]));
    }
}

fn load<S: LeafStore>(store: &S, size: u64) -> Result<Vec<Hash>, TreeError<S::Error>> {
    let tree_size = store.size().map_err(TreeError::Store)?;
    if size > tree_size {
        return Err(ProofRequestError::SizeBeyondTree { size, tree_size }.into());
    }
    let leaves = store.leaf_hashes(0, size).map_err(TreeError::Store)?;
    if leaves.len() as u64 != size {
        return Err(TreeError::ShortRead {
            expected: size,
            found: leaves.len(),
        });
    }
    Ok(leaves)
}

/// The root of the tree of the first `size` entries.
pub fn root<S: LeafStore>(store: &S, size: u64) -> Result<Hash, TreeError<S::Error>> {
    Ok(root_of(&load(store, size)?))
}

/// Checks an inclusion-proof request (section 5: 400 when `index >= size`).
pub fn check_inclusion_request(index: u64, size: u64) -> Result<(), ProofRequestError> {
    if index >= size {
        return Err(ProofRequestError::IndexNotBelowSize { index, size });
    }
    Ok(())
}

/// Checks a consistency-proof request (section 5: 400 when `from = 0` or
/// `from > to`).
pub fn check_consistency_request(from: u64, to: u64) -> Result<(), ProofRequestError> {
    if from == 0 {
        return Err(ProofRequestError::FromZero);
    }
    if from > to {
        return Err(ProofRequestError::FromAfterTo { from, to });
    }
    Ok(())
}

/// The inclusion proof of entry `index` in the tree of size `size`.
pub fn inclusion_proof<S: LeafStore>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<InclusionProof, TreeError<S::Error>> {
    check_inclusion_request(index, size)?;
    let leaves = load(store, size)?;
    // `index < size <= leaves.len()`, so both conversions hold.
    let m = usize::try_from(index).unwrap_or(usize::MAX);
    Ok(InclusionProof {
        index,
        size,
        leaf_hash: leaves[m],
        path: inclusion_path(m, &leaves),
    })
}

/// The consistency proof between the trees of sizes `from` and `to`.
pub fn consistency_proof<S: LeafStore>(
    store: &S,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, TreeError<S::Error>> {
    check_consistency_request(from, to)?;
    let leaves = load(store, to)?;
    let m = usize::try_from(from).unwrap_or(usize::MAX);
    Ok(ConsistencyProof {
        from,
        to,
        path: consistency_path(m, &leaves),
    })
}

/// The root an inclusion proof leads to (RFC 9162 section 2.1.3.2).
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    path: &[Hash],
) -> Result<Hash, ProofError> {
    check_inclusion_request(index, size)?;
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in path {
        if s == 0 {
            return Err(ProofError::PathLength { index, size });
        }
        if f & 1 == 1 || f == s {
            r = Hash::node(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = Hash::node(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::PathLength { index, size });
    }
    Ok(r)
}

impl InclusionProof {
    /// Verifies the proof against the root of the tree of `self.size`.
    pub fn verify(&self, root: &Hash) -> Result<(), ProofError> {
        let computed = root_from_inclusion(self.index, self.size, &self.leaf_hash, &self.path)?;
        if computed != *root {
            return Err(ProofError::RootMismatch {
                computed,
                expected: *root,
            });
        }
        Ok(())
    }
}

/// Verifies a consistency proof (RFC 9162 section 2.1.4.2) between the
/// tree of size `from` with root `old_root` and the tree of size `to` with
/// root `new_root`.
pub fn verify_consistency(
    from: u64,
    to: u64,
    old_root: &Hash,
    new_root: &Hash,
    path: &[Hash],
) -> Result<(), ProofError> {
    check_consistency_request(from, to)?;
    if from == to {
        if path.is_empty() && old_root == new_root {
            return Ok(());
        }
        return Err(ProofError::EqualSizes);
    }
    if path.is_empty() {
        return Err(ProofError::PathLength {
            index: from,
            size: to,
        });
    }
    let mut path: Vec<Hash> = path.to_vec();
    if from.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let (mut f, mut s) = (from - 1, to - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return Err(ProofError::PathLength {
                index: from,
                size: to,
            });
        }
        if f & 1 == 1 || f == s {
            fr = Hash::node(c, &fr);
            sr = Hash::node(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = Hash::node(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::PathLength {
            index: from,
            size: to,
        });
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch {
            computed: fr,
            expected: *old_root,
        });
    }
    if sr != *new_root {
        return Err(ProofError::RootMismatch {
            computed: sr,
            expected: *new_root,
        });
    }
    Ok(())
}

impl ConsistencyProof {
    /// Verifies the proof between two roots.
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<(), ProofError> {
        verify_consistency(self.from, self.to, old_root, new_root, &self.path)
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if !crate::hash::is_lower_hex(&text, 32) {
            return Err(serde::de::Error::custom(
                "a hash is 64 lowercase hex digits",
            ));
        }
        Hash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}
