//! A lock-free slab cache: fixed-size objects at stable addresses, a LIFO free list.
