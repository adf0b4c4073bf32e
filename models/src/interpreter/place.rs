//! `Place`: where a link word points, by what it is rather than by address (a list's head, a
//! slot's link, a hash chain's head or marker, a poison value): the state-graph engine hashes
//! worlds by places, and a picture names them. One classification serves both, so a state's
//! identity and what a person reads never disagree.

use super::threads::Threads;
use super::world::World;
use lifecycle_list::{get_nulls_value, is_a_nulls, LIST_POISON1, LIST_POISON2};

/// What a link word holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// `NULL`.
    Null,
    /// `LIST_POISON1`, what `list_del` leaves in `next`.
    Poison1,
    /// `LIST_POISON2`, what `list_del` leaves in `prev` (and `hlist_nulls_del` in `pprev`).
    Poison2,
    /// List `list`'s head.
    Head(usize),
    /// Slot `slot`'s link number `link` (the lists sharing a link share it).
    Link { slot: usize, link: usize },
    /// Chain `chain` of hash table `table` (its head's `first`, as a `pprev` points at it).
    Chain { table: usize, chain: usize },
    /// The nulls marker ending chain `chain` of table `table`.
    Marker { table: usize, chain: usize },
    /// A nulls marker no chain carries.
    Nulls(usize),
    /// Slot `slot`'s hash node.
    Node(usize),
    /// Anything else, by address.
    Address(usize),
}

impl<P: Threads> World<P> {
    /// Where a list link word `address` points.
    pub(crate) fn place_of(&self, address: usize) -> Place {
        if let Some(list) = self.heads.iter().position(|h| h.address() == address) {
            return Place::Head(list);
        }
        match address {
            0 => return Place::Null,
            LIST_POISON1 => return Place::Poison1,
            LIST_POISON2 => return Place::Poison2,
            _ => {}
        }
        for list in 0..self.heads.len() {
            if let Some(slot) = self.slot_of_link(address, list) {
                return Place::Link {
                    slot,
                    link: self.link_of[list],
                };
            }
        }
        Place::Address(address)
    }

    /// Where a hash link word `word` points (a node's `next` or `pprev`, a chain's `first`).
    pub(crate) fn hash_place_of(&self, word: usize) -> Place {
        if word == 0 {
            return Place::Null;
        }
        if word == LIST_POISON2 {
            return Place::Poison2;
        }
        if is_a_nulls(std::ptr::without_provenance::<u8>(word)) {
            let nulls = get_nulls_value(std::ptr::without_provenance::<u8>(word));
            for (table, spec) in self.tables.iter().enumerate() {
                if let Some(chain) = spec.chain_of_nulls(nulls) {
                    return Place::Marker { table, chain };
                }
            }
            return Place::Nulls(nulls);
        }
        for (table, spec) in self.tables.iter().enumerate() {
            if let Some(chain) = spec.heads().iter().position(|h| h.address() == word) {
                return Place::Chain { table, chain };
            }
        }
        match self.slot_of_node(word) {
            Some(slot) => Place::Node(slot),
            None => Place::Address(word),
        }
    }

    /// A place's name as pictures and traces show it: `head`, `NAME-head`, `slot#N`,
    /// `slot#N.NAME`, `ehash[1]`, `ehash[1]'s marker`, `nulls N`, `NULL`, `POISON1`, `POISON2`.
    pub(crate) fn place_name(&self, place: Place) -> String {
        match place {
            Place::Null => "NULL".to_string(),
            Place::Poison1 => "POISON1".to_string(),
            Place::Poison2 => "POISON2".to_string(),
            Place::Head(list) => self.head_name(list),
            // A link is named after the first list using it, whose index is the link's.
            Place::Link { slot, link } => self.link_name(slot, link),
            Place::Chain { table, chain } => self.chain_name(table, chain),
            Place::Marker { table, chain } => format!("{}'s marker", self.chain_name(table, chain)),
            Place::Nulls(nulls) => format!("nulls {nulls}"),
            Place::Node(slot) => format!("slot#{slot}"),
            Place::Address(address) => format!("{address:#x}"),
        }
    }
}
