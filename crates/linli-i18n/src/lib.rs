//! linli-i18n (being built).
