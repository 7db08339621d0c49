//! Which products would qualify for a transfer between two facilities
//! (spec section 4, variable w), lead times and compliance aside.

use caisson_model::{ActorId, FacilityId, Held, ProductId, Scenario};

/// Why a product does or does not qualify for a transfer from facility g to
/// facility h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualification {
    /// A component to a plant: the product is an input of a product made at
    /// h (across borders too).
    InputAtReceiver,
    /// Finished goods to a domestic depot: g and h belong to the same actor
    /// and the product is held at h.
    HeldAtDomesticReceiver,
    /// g and h are the same facility: there is no transfer.
    SameFacility,
    /// The product is not held at g.
    NotHeldAtSender,
    /// g and h belong to the same actor but the product is not held at h.
    NotHeldAtReceiver,
    /// h is abroad and makes nothing from the product: finished goods cross
    /// borders only as shipments to demands.
    NotAnInputAbroad,
}

impl Qualification {
    /// Whether a transfer variable may exist for the product.
    pub fn qualifies(self) -> bool {
        matches!(
            self,
            Qualification::InputAtReceiver | Qualification::HeldAtDomesticReceiver
        )
    }

    /// A sentence explaining the qualification, without the ids.
    pub fn describe(self) -> &'static str {
        match self {
            Qualification::InputAtReceiver => {
                "qualifies: it is an input of a product made at the receiver"
            }
            Qualification::HeldAtDomesticReceiver => {
                "qualifies: same actor, and the receiver holds it"
            }
            Qualification::SameFacility => "does not qualify: sender and receiver are the same",
            Qualification::NotHeldAtSender => "does not qualify: the sender does not hold it",
            Qualification::NotHeldAtReceiver => {
                "does not qualify: same actor, but the receiver neither holds nor uses it"
            }
            Qualification::NotAnInputAbroad => {
                "does not qualify: the receiver is abroad and makes nothing from it \
                 (finished goods cross borders only as shipments to demands)"
            }
        }
    }
}

/// Decides whether `product` would qualify for a transfer `from -> to`.
pub fn qualify(
    scenario: &Scenario,
    held: &Held,
    from: FacilityId,
    to: FacilityId,
    product: ProductId,
) -> Qualification {
    let same_actor =
        scenario.facilities[from.index()].actor == scenario.facilities[to.index()].actor;
    if from == to {
        Qualification::SameFacility
    } else if !held.is_held(from, product) {
        Qualification::NotHeldAtSender
    } else if held.is_input_at(to, product) {
        Qualification::InputAtReceiver
    } else if !same_actor {
        Qualification::NotAnInputAbroad
    } else if held.is_held(to, product) {
        Qualification::HeldAtDomesticReceiver
    } else {
        Qualification::NotHeldAtReceiver
    }
}

/// Product sets of every facility as bitsets, to find the facility pairs
/// between which some product qualifies without a product loop per pair.
#[derive(Debug, Clone)]
pub struct TransferCandidates {
    words: usize,
    held: Vec<u64>,
    input: Vec<u64>,
    actor: Vec<ActorId>,
}

impl TransferCandidates {
    /// Collects the held and input sets of every facility.
    pub fn new(scenario: &Scenario, held: &Held) -> Self {
        let words = scenario.products.len().div_ceil(64);
        let facilities = scenario.facilities.len();
        let mut sets = Self {
            words,
            held: vec![0; words * facilities],
            input: vec![0; words * facilities],
            actor: scenario.facilities.iter().map(|f| f.actor).collect(),
        };
        for f in (0..facilities).map(FacilityId::new) {
            for p in held.products_at(f) {
                let (word, bit) = (f.index() * words + p.index() / 64, p.index() % 64);
                sets.held[word] |= 1 << bit;
                if held.is_input_at(f, p) {
                    sets.input[word] |= 1 << bit;
                }
            }
        }
        sets
    }

    fn row(set: &[u64], words: usize, f: FacilityId) -> &[u64] {
        &set[f.index() * words..(f.index() + 1) * words]
    }

    /// Whether some product qualifies for a transfer `from -> to`.
    pub fn pair_qualifies(&self, from: FacilityId, to: FacilityId) -> bool {
        if from == to {
            return false;
        }
        let sent = Self::row(&self.held, self.words, from);
        // Abroad only components count; at home anything the receiver holds
        // (which includes its inputs).
        let wanted = if self.actor[from.index()] == self.actor[to.index()] {
            Self::row(&self.held, self.words, to)
        } else {
            Self::row(&self.input, self.words, to)
        };
        sent.iter().zip(wanted).any(|(a, b)| a & b != 0)
    }

    /// The products that qualify for a transfer `from -> to`, in product
    /// order.
    pub fn products(&self, from: FacilityId, to: FacilityId) -> Vec<ProductId> {
        if from == to {
            return Vec::new();
        }
        let sent = Self::row(&self.held, self.words, from);
        let wanted = if self.actor[from.index()] == self.actor[to.index()] {
            Self::row(&self.held, self.words, to)
        } else {
            Self::row(&self.input, self.words, to)
        };
        let mut products = Vec::new();
        for (w, (a, b)) in sent.iter().zip(wanted).enumerate() {
            let mut bits = a & b;
            while bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                products.push(ProductId::new(w * 64 + bit));
                bits &= bits - 1;
            }
        }
        products
    }

    /// Every ordered pair (g, h), g != h, between which some product
    /// qualifies, in (g, h) order: the pairs that `transfer_compliance`
    /// records cover (spec section 6).
    pub fn pairs(&self) -> impl Iterator<Item = (FacilityId, FacilityId)> + '_ {
        let n = self.actor.len();
        (0..n).flat_map(move |g| {
            (0..n)
                .map(move |h| (FacilityId::new(g), FacilityId::new(h)))
                .filter(|&(g, h)| self.pair_qualifies(g, h))
        })
    }
}

#[cfg(test)]
mod tests {
    use caisson_model::{FacilityId, Held};

    use super::*;
    use crate::testkit::{example, fac, Kit};

    #[test]
    fn example_transfer_qualifications() {
        let s = example();
        let held = Held::new(&s);
        let q = |g: &str, h: &str, p: &str| {
            qualify(
                &s,
                &held,
                fac(&s, g),
                fac(&s, h),
                s.product_id(p).expect("product"),
            )
        };
        // TNT is an input of shells made in Germany: a component may cross.
        assert_eq!(
            q("cze-tnt", "deu-plant", "tnt"),
            Qualification::InputAtReceiver
        );
        // Finished shells to a domestic depot.
        assert_eq!(
            q("deu-plant", "deu-depot", "shell-155"),
            Qualification::HeldAtDomesticReceiver
        );
        // Finished shells never go to a plant abroad as a transfer.
        assert_eq!(
            q("srb-plant", "deu-plant", "shell-155"),
            Qualification::NotAnInputAbroad
        );
        assert_eq!(
            q("deu-depot", "deu-plant", "tnt"),
            Qualification::NotHeldAtSender
        );
        assert_eq!(
            q("deu-plant", "deu-depot", "tnt"),
            Qualification::NotHeldAtReceiver
        );
        assert_eq!(
            q("deu-plant", "deu-plant", "shell-155"),
            Qualification::SameFacility
        );
        assert!(Qualification::InputAtReceiver.qualifies());
        assert!(!Qualification::NotAnInputAbroad.qualifies());
    }

    #[test]
    fn candidates_agree_with_qualify_for_every_pair_and_product() {
        let mut kit = Kit::new().actor("A", &[], false).actor("B", &[], false);
        // More than 64 products, to cross a bitset word.
        for i in 0..70 {
            kit = kit.product(&format!("raw{i}"), &[]);
        }
        let s = kit
            .product("mid", &["raw3", "raw66"])
            .product("end", &["mid", "raw69"])
            .facility("a-raw", "A", &["raw3", "raw66", "raw69"], &[])
            .facility("a-mid", "A", &["mid"], &[])
            .facility("b-end", "B", &["end"], &["raw66"])
            .facility("b-depot", "B", &[], &["end", "raw1"])
            .facility("a-depot", "A", &[], &["raw66"])
            .build();
        let held = Held::new(&s);
        let c = TransferCandidates::new(&s, &held);
        let n = s.facilities.len();
        let mut pairs = Vec::new();
        for g in (0..n).map(FacilityId::new) {
            for h in (0..n).map(FacilityId::new) {
                let expected: Vec<_> = (0..s.products.len())
                    .map(ProductId::new)
                    .filter(|&p| qualify(&s, &held, g, h, p).qualifies())
                    .collect();
                assert_eq!(c.products(g, h), expected, "{g:?} -> {h:?}");
                assert_eq!(c.pair_qualifies(g, h), !expected.is_empty());
                if !expected.is_empty() {
                    pairs.push((g, h));
                }
            }
        }
        assert_eq!(c.pairs().collect::<Vec<_>>(), pairs);
        let names = |g: &str, h: &str| -> Vec<String> {
            c.products(fac(&s, g), fac(&s, h))
                .into_iter()
                .map(|p| s.products[p.index()].id.clone())
                .collect()
        };
        assert_eq!(names("a-raw", "a-mid"), ["raw3", "raw66"]);
        assert_eq!(names("a-raw", "b-end"), ["raw69"]);
        assert_eq!(names("b-end", "b-depot"), ["end"]);
        assert_eq!(names("a-raw", "a-depot"), ["raw66"]);
        assert!(names("b-depot", "a-mid").is_empty());
    }
}
