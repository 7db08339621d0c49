//! Names for generated entities: fictional states, plausible products.

/// First syllables of fictional state names; the upper-cased syllable is
/// the actor id.
const STATE_HEADS: &[&str] = &[
    "Val", "Nor", "Ost", "Kar", "Bel", "Sar", "Tor", "Lum", "Mir", "Dra", "Hel", "Ivo", "Zem",
    "Pol", "Ras", "Gal", "Fen", "Cor", "Esk", "Ard",
];
const STATE_TAILS: &[&str] = &[
    "oria", "avia", "enia", "istan", "mark", "onia", "land", "ava",
];

/// The id and name of the `i`-th generated state (unique for every i).
pub(crate) fn state(i: usize) -> (String, String) {
    let head = STATE_HEADS[i % STATE_HEADS.len()];
    let round = i / STATE_HEADS.len();
    let tail = STATE_TAILS[(i * 3 + round) % STATE_TAILS.len()];
    let id = if round == 0 {
        head.to_uppercase()
    } else {
        format!("{}{}", head.to_uppercase(), round + 1)
    };
    (id, format!("{head}{tail}"))
}

/// Product tiers of a two-level bill of materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tier {
    /// Bought-in or extracted material, made from nothing.
    Raw,
    /// Made from raw materials.
    Component,
    /// Made from components (and sometimes raw materials directly).
    Finished,
}

const RAW: &[(&str, &str, &str)] = &[
    ("steel", "Forging steel", "t"),
    ("tnt", "TNT", "t"),
    ("rdx", "RDX", "t"),
    ("nitrocellulose", "Nitrocellulose", "t"),
    ("brass", "Cartridge brass", "t"),
    ("copper", "Copper", "t"),
    ("tungsten", "Tungsten", "kg"),
    ("aluminium", "Aluminium", "t"),
    ("composite", "Composite fibre", "kg"),
    ("electronics", "Electronic parts", "kit"),
];

const COMPONENT: &[(&str, &str, &str)] = &[
    ("shell-body", "Shell body", "unit"),
    ("fuze", "Fuze", "unit"),
    ("propellant", "Propellant charge", "unit"),
    ("primer", "Primer", "unit"),
    ("casing", "Cartridge case", "unit"),
    ("rocket-motor", "Rocket motor", "unit"),
    ("warhead", "Warhead", "unit"),
    ("seeker", "Seeker head", "unit"),
    ("guidance-kit", "Guidance kit", "unit"),
    ("penetrator", "Penetrator", "unit"),
    ("airframe", "Airframe", "unit"),
    ("battery", "Thermal battery", "unit"),
];

const FINISHED: &[(&str, &str, &str)] = &[
    ("shell-155", "155 mm HE shell", "round"),
    ("shell-105", "105 mm HE shell", "round"),
    ("mortar-120", "120 mm mortar bomb", "round"),
    ("mortar-81", "81 mm mortar bomb", "round"),
    ("rocket-122", "122 mm rocket", "round"),
    ("rocket-227", "227 mm guided rocket", "round"),
    ("atgm", "Anti-tank guided missile", "missile"),
    ("sam-short", "Short-range interceptor", "missile"),
    ("tank-120", "120 mm tank round", "round"),
    ("round-30", "30 mm cannon round", "round"),
    ("round-762", "7.62 mm cartridge", "round"),
    ("drone-fpv", "FPV strike drone", "unit"),
    ("glide-bomb", "Guided glide bomb", "unit"),
    ("mine-at", "Anti-tank mine", "unit"),
];

/// The id, name and unit of the `i`-th product of a tier (unique within
/// and across tiers: each list's ids are distinct, and repeats get a
/// numeric suffix).
pub(crate) fn product(tier: Tier, i: usize) -> (String, String, String) {
    let list = match tier {
        Tier::Raw => RAW,
        Tier::Component => COMPONENT,
        Tier::Finished => FINISHED,
    };
    let (id, name, unit) = list[i % list.len()];
    let round = i / list.len();
    if round == 0 {
        (id.to_owned(), name.to_owned(), unit.to_owned())
    } else {
        (
            format!("{id}-{}", round + 1),
            format!("{name} (variant {})", round + 1),
            unit.to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique() {
        let states: HashSet<String> = (0..500).map(|i| state(i).0).collect();
        assert_eq!(states.len(), 500);
        let products: HashSet<String> = [Tier::Raw, Tier::Component, Tier::Finished]
            .iter()
            .flat_map(|&t| (0..100).map(move |i| product(t, i).0))
            .collect();
        assert_eq!(products.len(), 300);
    }
}
