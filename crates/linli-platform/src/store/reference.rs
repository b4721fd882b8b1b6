//! Reference data kept in memory: categories, service targets, estates, buildings and common
//! areas are written only when seeding, and read for every report filed. Each store keeps what
//! it read until it seeds again; another instance's seeding happens before any instance
//! serves (see `Store::seed_if_empty`), so a change to this data takes effect at a restart.

use super::{Estate, StoreResult, TargetRow};
use linli_api::platform::{BuildingRef, CommonAreaRef};
use linli_api::{Category, EstateId};
use std::collections::HashMap;
use std::sync::RwLock;

/// Reference data read once: written only when seeding, read for every report filed.
#[derive(Debug, Default)]
pub(crate) struct Reference {
    pub(crate) categories: RwLock<Option<Vec<Category>>>,
    pub(crate) targets: RwLock<Option<Vec<TargetRow>>>,
    pub(crate) buildings: RwLock<HashMap<EstateId, Vec<BuildingRef>>>,
    pub(crate) common_areas: RwLock<HashMap<EstateId, Vec<CommonAreaRef>>>,
    pub(crate) estates: RwLock<HashMap<EstateId, Option<Estate>>>,
}

impl Reference {
    /// Forgets everything kept (before seeding).
    pub(crate) fn forget(&self) {
        *self.categories.write().unwrap_or_else(|e| e.into_inner()) = None;
        *self.targets.write().unwrap_or_else(|e| e.into_inner()) = None;
        self.buildings
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.common_areas
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.estates
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The kept copy, or `load`'s answer kept for next time.
pub(crate) fn kept<T: Clone>(
    slot: &RwLock<Option<T>>,
    load: impl FnOnce() -> StoreResult<T>,
) -> StoreResult<T> {
    if let Some(value) = slot.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return Ok(value.clone());
    }
    let value = load()?;
    *slot.write().unwrap_or_else(|e| e.into_inner()) = Some(value.clone());
    Ok(value)
}

/// The same, per estate.
pub(crate) fn kept_for<T: Clone>(
    map: &RwLock<HashMap<EstateId, T>>,
    estate: EstateId,
    load: impl FnOnce() -> StoreResult<T>,
) -> StoreResult<T> {
    if let Some(value) = map.read().unwrap_or_else(|e| e.into_inner()).get(&estate) {
        return Ok(value.clone());
    }
    let value = load()?;
    map.write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(estate, value.clone());
    Ok(value)
}
