//! `cargo run -- createsuperuser`: adds a staff user, asking at a terminal or taking the flags and `SUPERUSER_PASSWORD`.

use super::*;

/// A `createsuperuser` failure, worded for the person running it.
pub struct CommandError(String);

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// `main` prints the `Debug` form of the error it returns: make that the plain message.
impl fmt::Debug for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CommandError {}

/// `cargo run -- createsuperuser [--email EMAIL] [--no-input]`: adds a staff user. The
/// command line (`src/cli.rs`) parses its flags.
#[derive(Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Createsuperuser {
    /// The new user's email.
    #[arg(long)]
    pub email: Option<String>,
    /// Ask nothing: the password comes from the SUPERUSER_PASSWORD variable.
    #[arg(long, alias = "noinput")]
    pub no_input: bool,
}

/// The email and password to use without asking: `--no-input` needs `--email` and
/// `SUPERUSER_PASSWORD`; without `--no-input` there must be a terminal to ask at.
pub(super) fn superuser_without_prompts(
    args: &Createsuperuser,
    password_env: Option<String>,
    terminal: bool,
) -> Result<Option<(String, String)>, CommandError> {
    if !args.no_input {
        if terminal {
            return Ok(None);
        }
        return Err(CommandError(
            "createsuperuser asks for the password at a terminal, and there is none\n\
             help: run `createsuperuser --email EMAIL --no-input` with the password in \
             SUPERUSER_PASSWORD"
                .to_owned(),
        ));
    }
    let Some(email) = args.email.clone() else {
        return Err(CommandError(
            "createsuperuser --no-input needs --email EMAIL".to_owned(),
        ));
    };
    match password_env {
        Some(password) if !password.is_empty() => Ok(Some((email, password))),
        _ => Err(CommandError(
            "createsuperuser --no-input takes the password from SUPERUSER_PASSWORD, which is \
             not set"
                .to_owned(),
        )),
    }
}

/// How `createsuperuser` asks: the question and whether to hide the answer, which is
/// `None` when the input has ended.
pub(super) type Ask<'a> = dyn FnMut(&str, bool) -> io::Result<Option<String>> + 'a;

/// Asks at the terminal: the email on stdin, a password without echoing it.
fn ask_at_terminal(question: &str, hidden: bool) -> io::Result<Option<String>> {
    if hidden {
        return rpassword::prompt_password(question).map(Some);
    }
    print!("{question}");
    io::stdout().flush()?;
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim().to_owned()))
}

/// Asks for the email (unless given) until it is one, and for the password twice until
/// both agree and the password rules accept it, saying each time what was wrong.
pub(super) fn prompt_superuser(
    email: Option<String>,
    ask: &mut Ask<'_>,
) -> Result<(String, String), CommandError> {
    let mut answer = |question: &str, hidden: bool| {
        ask(question, hidden)
            .map_err(|err| CommandError(format!("cannot read from the terminal: {err}")))?
            .ok_or_else(|| CommandError("no answer: the input ended".to_owned()))
    };
    let email = match email {
        Some(email) => email,
        None => loop {
            let email = normalize_email(&answer("Email: ", false)?);
            if looks_like_email(&email) {
                break email;
            }
            eprintln!("{email:?} is not an email address.");
        },
    };
    loop {
        let password = answer("Password: ", true)?;
        if password != answer("Password (again): ", true)? {
            eprintln!("The two passwords differ.");
            continue;
        }
        match check_password_rules(&password, &normalize_email(&email)) {
            Ok(()) => return Ok((email, password)),
            Err(problems) => eprintln!("Password refused: {}", problems.join(" ")),
        }
    }
}

/// Checks the email and the password rules, then adds a staff user.
pub(super) async fn add_superuser(
    pool: &db::Pool,
    email: &str,
    password: String,
) -> Result<User, CommandError> {
    let email = normalize_email(email);
    if !looks_like_email(&email) {
        return Err(CommandError(format!("{email:?} is not an email address")));
    }
    if let Err(problems) = check_password_rules(&password, &email) {
        return Err(CommandError(format!(
            "password refused: {}",
            problems.join(" ")
        )));
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|err| CommandError(err.to_string()))?
        .map_err(CommandError)?;
    create_user(pool, &email, &hash, true)
        .await
        .map_err(|err| CommandError(format!("cannot add the user: {err}")))?
        .ok_or_else(|| CommandError(format!("a user with the email {email} exists already")))
}

impl Createsuperuser {
    /// Asks for what the flags do not give (at a terminal only), then adds the user.
    pub async fn run(self, pool: &db::Pool) -> Result<(), CommandError> {
        let password_env = std::env::var("SUPERUSER_PASSWORD").ok();
        let (email, password) =
            match superuser_without_prompts(&self, password_env, io::stdin().is_terminal())? {
                Some(given) => given,
                None => prompt_superuser(self.email, &mut ask_at_terminal)?,
            };
        let user = add_superuser(pool, &email, password).await?;
        println!("Superuser {} created.", user.email);
        Ok(())
    }
}
