//! linli-core (being built).
