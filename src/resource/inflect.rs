//! English plurals and singulars for resource names (`post` → `posts`,
//! `category` → `categories`, `person` → `people`). heck changes case but
//! not number; these rules cover the words people name tables after, and a
//! word they get wrong can always be given in its singular form.

/// Words whose plural follows no rule, singular first.
const IRREGULAR: &[(&str, &str)] = &[
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("goose", "geese"),
    ("tooth", "teeth"),
    ("foot", "feet"),
    ("ox", "oxen"),
    ("quiz", "quizzes"),
    ("knife", "knives"),
    ("wife", "wives"),
    ("life", "lives"),
    ("leaf", "leaves"),
    ("wolf", "wolves"),
    ("half", "halves"),
    ("shelf", "shelves"),
    ("loaf", "loaves"),
    ("thief", "thieves"),
    ("calf", "calves"),
    ("analysis", "analyses"),
    ("crisis", "crises"),
    ("thesis", "theses"),
    ("diagnosis", "diagnoses"),
    ("axis", "axes"),
    ("criterion", "criteria"),
    ("phenomenon", "phenomena"),
    ("datum", "data"),
    ("medium", "media"),
    ("hero", "heroes"),
    ("potato", "potatoes"),
    ("tomato", "tomatoes"),
    ("echo", "echoes"),
    ("status", "statuses"),
    ("bus", "buses"),
    ("campus", "campuses"),
    ("virus", "viruses"),
    ("bonus", "bonuses"),
    ("census", "censuses"),
    ("alias", "aliases"),
    ("canvas", "canvases"),
];

/// Words that are their own plural.
const UNCOUNTABLE: &[&str] = &[
    "sheep",
    "fish",
    "deer",
    "series",
    "species",
    "news",
    "equipment",
    "information",
    "rice",
    "money",
    "feedback",
    "software",
    "metadata",
];

/// The plural of a snake_case name: its last word changes (`blog_post` →
/// `blog_posts`).
#[must_use]
pub fn pluralize(name: &str) -> String {
    let (head, word) = split_last_word(name);
    format!("{head}{}", plural_word(word))
}

/// The singular of a snake_case name; a name that is not a plural comes back
/// as it is (`posts` → `post`, `post` → `post`).
#[must_use]
pub fn singularize(name: &str) -> String {
    let (head, word) = split_last_word(name);
    format!("{head}{}", singular_word(word))
}

fn split_last_word(name: &str) -> (&str, &str) {
    match name.rfind('_') {
        Some(index) => name.split_at(index + 1),
        None => ("", name),
    }
}

fn plural_word(word: &str) -> String {
    if UNCOUNTABLE.contains(&word) {
        return word.to_owned();
    }
    if let Some((_, plural)) = IRREGULAR.iter().find(|(singular, _)| *singular == word) {
        return (*plural).to_owned();
    }
    if IRREGULAR.iter().any(|(_, plural)| *plural == word) {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix('y')
        && stem.ends_with(|c: char| !is_vowel(c))
    {
        return format!("{stem}ies");
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|ending| word.ends_with(ending))
    {
        return format!("{word}es");
    }
    format!("{word}s")
}

fn singular_word(word: &str) -> String {
    if UNCOUNTABLE.contains(&word) {
        return word.to_owned();
    }
    if let Some((singular, _)) = IRREGULAR.iter().find(|(_, plural)| *plural == word) {
        return (*singular).to_owned();
    }
    if IRREGULAR.iter().any(|(singular, _)| *singular == word) {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies")
        && stem.len() > 1
        && stem.ends_with(|c: char| !is_vowel(c))
    {
        return format!("{stem}y");
    }
    for ending in ["sses", "xes", "zes", "ches", "shes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_owned();
        }
    }
    // `class`, `status`, `analysis` are singular already.
    if ["ss", "us", "is"]
        .iter()
        .any(|ending| word.ends_with(ending))
    {
        return word.to_owned();
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => word.to_owned(),
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

#[cfg(test)]
mod tests {
    use super::{pluralize, singularize};

    const PAIRS: &[(&str, &str)] = &[
        ("post", "posts"),
        ("blog_post", "blog_posts"),
        ("category", "categories"),
        ("day", "days"),
        ("box", "boxes"),
        ("address", "addresses"),
        ("match", "matches"),
        ("wish", "wishes"),
        ("status", "statuses"),
        ("person", "people"),
        ("sales_person", "sales_people"),
        ("child", "children"),
        ("news", "news"),
        ("sheep", "sheep"),
        ("hero", "heroes"),
        ("photo", "photos"),
        ("leaf", "leaves"),
        ("roof", "roofs"),
        ("analysis", "analyses"),
        ("quiz", "quizzes"),
        ("house", "houses"),
        ("invoice_line", "invoice_lines"),
    ];

    #[test]
    fn singulars_become_plurals() {
        for (singular, plural) in PAIRS {
            assert_eq!(pluralize(singular), *plural, "{singular}");
        }
    }

    #[test]
    fn plurals_become_singulars() {
        for (singular, plural) in PAIRS {
            assert_eq!(singularize(plural), *singular, "{plural}");
        }
    }

    #[test]
    fn a_singular_stays_singular() {
        for (singular, _) in PAIRS {
            assert_eq!(singularize(singular), *singular, "{singular}");
        }
    }
}
