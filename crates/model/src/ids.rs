//! Typed indices into the vectors of a [`crate::Scenario`].

macro_rules! index_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            /// Wraps a vector position.
            ///
            /// # Panics
            /// If `index` does not fit in 32 bits (a scenario of four billion
            /// entities of one kind is not a use case).
            pub fn new(index: usize) -> Self {
                Self(u32::try_from(index).expect("entity index exceeds u32"))
            }

            /// The vector position.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

index_type! {
    /// Index into `Scenario::actors`.
    ActorId,
    /// Index into `Scenario::blocs`.
    BlocId,
    /// Index into `Scenario::products`.
    ProductId,
    /// Index into `Scenario::facilities`.
    FacilityId,
    /// Index into `Scenario::lines`.
    LineId,
    /// Index into `Scenario::expansions`.
    ExpansionId,
    /// Index into `Scenario::demands`.
    DemandId,
    /// Index into `Scenario::contracts`.
    ContractId,
    /// Index into `Scenario::policies`.
    PolicyId,
}
