//! linli-platform (being built).
