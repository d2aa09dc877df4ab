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

/// Asks for the email (unless given) and the password twice, without echoing it.
pub(super) fn prompt_superuser(email: Option<String>) -> Result<(String, String), CommandError> {
    let io_error = |err: io::Error| CommandError(format!("cannot read from the terminal: {err}"));
    let email = match email {
        Some(email) => email,
        None => {
            print!("Email: ");
            io::stdout().flush().map_err(io_error)?;
            let mut line = String::new();
            io::stdin().lock().read_line(&mut line).map_err(io_error)?;
            line.trim().to_owned()
        }
    };
    let password = rpassword::prompt_password("Password: ").map_err(io_error)?;
    let again = rpassword::prompt_password("Password (again): ").map_err(io_error)?;
    if password != again {
        return Err(CommandError("the two passwords differ".to_owned()));
    }
    Ok((email, password))
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
                None => prompt_superuser(self.email)?,
            };
        let user = add_superuser(pool, &email, password).await?;
        println!("Superuser {} created.", user.email);
        Ok(())
    }
}
