//! The tests each feature brings about the whole site, inserted by `plinth add` at the
//! marker below, as they are in a micro project's `src/main.rs`.

use super::*;

// plinth:tests
