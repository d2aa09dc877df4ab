//! The resources the end-to-end suite adds to full projects, shared with the test that
//! compiles every state plinth can produce.

/// The three resources every full project of these tests gets: posts referring to users,
/// comments referring to posts with a JSON API and an owner each, and events with every
/// other kind of field.
pub(crate) const E2E: &[&[&str]] = &[
    &[
        "Post",
        "title:string^",
        "body:text",
        "published:bool",
        "score:int?",
        "author:ref(users)",
    ],
    &[
        "Comment",
        "body:text",
        "post:ref(posts)",
        "rating:int?",
        "--api",
        "--owned",
    ],
    &[
        "Event",
        "name:string",
        "code:uuid^",
        "starts_on:date",
        "starts_at:datetime?",
        "price:money",
        "ratio:float?",
        "attendees:bigint",
        "notes:text?",
        "parent:ref(events)?",
    ],
];
