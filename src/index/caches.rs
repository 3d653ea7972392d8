//! Caches of what is derived from a snapshot's own data (encoded tiles, coverage
//! hexagons), keyed by the cache's type. The module that fills a cache owns its type, so the
//! snapshot holds them without knowing those modules: arrows point from `tiles` to `index`,
//! never back. A reload drops the caches with the snapshot they belong to.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One cache of each type, made empty (`Default`) the first time it is asked for.
#[derive(Default)]
pub struct Caches(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Caches {
    /// The cache of type `T`. Cheap: one lock and a reference count per call.
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut map = self.0.lock().expect("not poisoned");
        let slot = map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        Arc::clone(slot)
            .downcast::<T>()
            .expect("each slot holds the type it is keyed by")
    }
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "Caches({n})")
    }
}

#[cfg(test)]
mod tests {
    use super::Caches;
    use std::sync::Mutex;

    #[test]
    fn one_cache_per_type_kept_between_calls() {
        let caches = Caches::default();
        caches.get::<Mutex<Vec<u32>>>().lock().unwrap().push(7);
        assert_eq!(*caches.get::<Mutex<Vec<u32>>>().lock().unwrap(), vec![7]);
        assert!(caches.get::<Mutex<Vec<u8>>>().lock().unwrap().is_empty());
    }
}
