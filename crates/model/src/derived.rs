//! Facts derived from a scenario that several consumers need.

use crate::{FacilityId, ProductId, Scenario};

/// Which products are *held* at which facility (spec section 4): made by one
/// of its lines, in its initial stock (even at 0), or an input of a product
/// one of its lines makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    products: usize,
    held: Vec<bool>,
    made: Vec<bool>,
    input_of_made: Vec<bool>,
}

impl Held {
    /// Computes the held, made and consumed sets of every facility.
    pub fn new(scenario: &Scenario) -> Self {
        let products = scenario.products.len();
        let cells = products * scenario.facilities.len();
        let mut held = Self {
            products,
            held: vec![false; cells],
            made: vec![false; cells],
            input_of_made: vec![false; cells],
        };
        for (f, facility) in scenario.facilities.iter().enumerate() {
            let base = f * products;
            for &(p, _) in &facility.stock {
                held.held[base + p.index()] = true;
            }
            for &l in &facility.lines {
                for lp in &scenario.lines[l.index()].products {
                    held.made[base + lp.product.index()] = true;
                    held.held[base + lp.product.index()] = true;
                    for &(input, _) in &scenario.products[lp.product.index()].inputs {
                        held.input_of_made[base + input.index()] = true;
                        held.held[base + input.index()] = true;
                    }
                }
            }
        }
        held
    }

    /// Whether `product` is held at `facility`.
    pub fn is_held(&self, facility: FacilityId, product: ProductId) -> bool {
        self.held[facility.index() * self.products + product.index()]
    }

    /// Whether a line of `facility` makes `product`.
    pub fn is_made(&self, facility: FacilityId, product: ProductId) -> bool {
        self.made[facility.index() * self.products + product.index()]
    }

    /// Whether `product` is an input of a product that a line of `facility` makes.
    pub fn is_input_at(&self, facility: FacilityId, product: ProductId) -> bool {
        self.input_of_made[facility.index() * self.products + product.index()]
    }

    /// The products held at `facility`, in product order.
    pub fn products_at(&self, facility: FacilityId) -> impl Iterator<Item = ProductId> + '_ {
        let base = facility.index() * self.products;
        (0..self.products)
            .filter(move |&p| self.held[base + p])
            .map(ProductId::new)
    }
}
