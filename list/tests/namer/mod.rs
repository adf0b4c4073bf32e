//! `namer`: names node addresses for `ListError::describe` in the list crate's tests
//! (`list_ops.rs`, `hlist_nulls.rs`), each address by the name the test gave it.

use std::collections::HashMap;

/// A function naming each of `names`' addresses by its name, any other address in hex.
pub fn namer(names: &[(&str, usize)]) -> impl Fn(usize) -> String {
    let map: HashMap<usize, String> = names
        .iter()
        .map(|(name, address)| (*address, name.to_string()))
        .collect();
    move |address| {
        map.get(&address)
            .cloned()
            .unwrap_or_else(|| format!("{address:#x}"))
    }
}
