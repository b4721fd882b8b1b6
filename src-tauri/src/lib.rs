//! linli-app (being built).
