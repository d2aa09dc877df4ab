//! The handlers of the site's own pages, one module per area. Accounts are in
//! `src/auth/` and the admin in `src/admin/`.

pub mod home;
// plinth:views
