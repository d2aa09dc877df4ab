//! The web machinery under the app's pages: what every request passes through and every
//! page is drawn with (the CSRF check, sessions, templates, forms, static files). It is
//! code one rarely edits, kept apart from the app's own (its pages, accounts, admin and
//! resources); `plinth add` declares each module at the `plinth:` comment.

// plinth:web-modules
