//! Only here to make a package of the union manifest.
