//! linli-e2e (being built).
