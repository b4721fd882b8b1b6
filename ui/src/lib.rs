//! linli-ui (being built).
