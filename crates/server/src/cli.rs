//! The platform's subcommands (`serve`, `worker`, `admin`): their clap
//! arguments and `run` functions, registered by the `caisson` binary and
//! by `caisson-server`.

use std::sync::Arc;
use std::time::Duration;

use caisson_platform::{OrgKind, Organisation, Role};

use crate::auth::AuthConfig;
use crate::db::{format_time, Db};
use crate::jobs::{self, WorkerConfig};
use crate::ratelimit::{AuthLimits, Limit};
use crate::serve::{self, ServeConfig};
use crate::session::SessionConfig;
use crate::store;

/// The embedded database of `caisson serve` in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://caisson.db";

/// The ledger's key file when `--ledger-key` is not given and the database
/// is not an SQLite file (then it lies beside that file).
pub const DEFAULT_LEDGER_KEY: &str = "caisson-ledger.key";

/// The key file beside an SQLite database file, or in the working directory.
pub fn default_ledger_key(database: &str) -> std::path::PathBuf {
    let file = database
        .strip_prefix("sqlite://")
        .or_else(|| database.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.starts_with(':'));
    match file.and_then(|f| std::path::Path::new(f).parent()) {
        Some(dir) => dir.join(DEFAULT_LEDGER_KEY),
        None => std::path::PathBuf::from(DEFAULT_LEDGER_KEY),
    }
}

/// Arguments of `caisson serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Database URL: `sqlite://PATH` (created if missing) or `postgres://...`.
    #[arg(long, value_name = "URL", default_value = DEFAULT_DATABASE)]
    pub database: String,
    /// Runs executed inside this process at once (0: only `caisson worker`
    /// processes execute runs).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub workers: usize,
    /// Seconds a worker's claim on a run lasts without renewal.
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub lease_seconds: u64,
    /// Seconds a request may take before it answers 503 `timeout`.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub timeout_seconds: u64,
    /// Seed an example round once serving (on an empty database): `europe`
    /// makes every organisation of the European example, each contributing
    /// its part over HTTP, and prints each party's sign-in.
    #[arg(long, value_name = "NAME", value_parser = ["europe"])]
    pub example: Option<String>,
    /// With `--example`: only the organisations and their users (each
    /// sign-in printed), no round, for a coordinator to start it.
    #[arg(long, requires = "example")]
    pub empty: bool,
    /// The ledger's signing key file, outside the database (created with a
    /// new key, mode 0600, when missing; servers sharing a database share
    /// it). Default: `caisson-ledger.key` beside the SQLite file, or in the
    /// working directory.
    #[arg(long, value_name = "FILE")]
    pub ledger_key: Option<std::path::PathBuf>,
    /// Sign-in attempts allowed per client address: COUNT/SECONDS. The
    /// address is the connection's peer (behind a proxy, the proxy's).
    #[arg(long, value_name = "N/S", default_value = "20/60")]
    pub sign_in_limit_ip: Limit,
    /// Sign-in attempts allowed per organisation and user: COUNT/SECONDS.
    #[arg(long, value_name = "N/S", default_value = "10/900")]
    pub sign_in_limit_user: Limit,
    /// Requests with an invalid token or session cookie allowed per client
    /// address: COUNT/SECONDS (then 429 for any credentials from it).
    #[arg(long, value_name = "N/S", default_value = "100/60")]
    pub failed_auth_limit_ip: Limit,
    /// Minutes without a request after which a browser session ends.
    #[arg(long, value_name = "MIN", default_value_t = 120)]
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a browser session ends, however used.
    #[arg(long, value_name = "H", default_value_t = 12)]
    pub session_hours: u64,
    /// Mark the session cookie `Secure`: the server is reached over https
    /// (through a TLS-terminating proxy).
    #[arg(long)]
    pub secure_cookie: bool,
}

/// Arguments of `caisson worker`.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Database URL shared with `caisson serve`.
    #[arg(long, value_name = "URL", default_value = DEFAULT_DATABASE)]
    pub database: String,
    /// Runs executed at once by this process.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Seconds a claim on a run lasts without renewal.
    #[arg(long, value_name = "S", default_value_t = 30)]
    pub lease_seconds: u64,
    /// Fault injection for tests: hold each claimed run this many
    /// milliseconds (renewing its lease) before computing it.
    #[arg(long, value_name = "MS", hide = true)]
    pub hold_after_claim_ms: Option<u64>,
}

/// Arguments of `caisson admin`.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// Database URL (the server's).
    #[arg(long, value_name = "URL", default_value = DEFAULT_DATABASE, global = true)]
    pub database: String,
    /// What to manage.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// `caisson admin` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `caisson admin org` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum OrgCommand {
    /// Add an organisation.
    Add {
        /// Its id (letters, digits, `_`, `.`, `-`).
        id: String,
        /// state, producer, coordinator or observer.
        #[arg(long)]
        kind: String,
        /// Its model actor (states and producers).
        #[arg(long)]
        actor: Option<String>,
        /// Actors a coordinator buys for.
        #[arg(long, value_delimiter = ',')]
        buys_for: Vec<String>,
        /// Blocs a coordinator speaks for.
        #[arg(long, value_delimiter = ',')]
        blocs: Vec<String>,
        /// A producer's group.
        #[arg(long)]
        group: Option<String>,
        /// Display name (default: the id).
        #[arg(long)]
        name: Option<String>,
    },
    /// List organisations.
    List,
}

/// `caisson admin user` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user; prints its one-time password.
    Add {
        /// Its organisation.
        org: String,
        /// Its name.
        user: String,
        /// admin, editor or viewer.
        #[arg(long)]
        role: String,
    },
    /// List users (of one organisation).
    List {
        /// Only this organisation's.
        org: Option<String>,
    },
}

/// `caisson admin token` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token for a user; prints the token and nothing else.
    Add {
        /// The user's organisation.
        org: String,
        /// The user.
        user: String,
    },
    /// Revoke a token, by its id (see `token list`) or the token itself.
    Revoke {
        /// The token's id, or the token.
        token: String,
    },
    /// List tokens (never the tokens themselves).
    List {
        /// Only this organisation's.
        org: Option<String>,
    },
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Logs to stderr (`RUST_LOG` overrides the `info` default). The server's
/// log is not terminal output of a command: it goes to stderr directly,
/// where operators and log collectors expect it, not through a reporter.
#[allow(clippy::disallowed_methods)]
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours only on a terminal: a log file or collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Where the platform commands write their results (the URL once serving,
/// the example's sign-ins): the caller's reporter, so that these commands
/// print like every other (`caisson` passes its shell).
pub type Out<'a> = &'a mut dyn FnMut(&str) -> anyhow::Result<()>;

/// Runs `caisson serve` until SIGINT or SIGTERM; gives `out` the URL when
/// ready (then the example's sign-ins, when seeding one).
pub fn serve(args: &ServeArgs, out: Out<'_>) -> anyhow::Result<()> {
    init_tracing();
    let config = ServeConfig {
        listen: args.listen.clone(),
        database: args.database.clone(),
        workers: args.workers,
        lease: Duration::from_secs(args.lease_seconds.max(1)),
        handler_timeout: Duration::from_secs(args.timeout_seconds.max(1)),
        ledger_key: args
            .ledger_key
            .clone()
            .unwrap_or_else(|| default_ledger_key(&args.database)),
        auth: AuthConfig {
            limits: AuthLimits {
                sign_in_per_ip: args.sign_in_limit_ip,
                sign_in_per_user: args.sign_in_limit_user,
                failed_auth_per_ip: args.failed_auth_limit_ip,
            },
            session: SessionConfig {
                idle: Duration::from_secs(args.session_idle_minutes.max(1) * 60),
                lifetime: Duration::from_secs(args.session_hours.max(1) * 3600),
                secure_cookie: args.secure_cookie,
            },
        },
    };
    runtime()?.block_on(async {
        let running = serve::start(&config).await?;
        out(&format!("{}\n", running.url))?;
        tracing::info!(url = %running.url, "serving");
        if args.example.is_some() && args.empty {
            match crate::example::register_europe(&running.db).await {
                Ok(registered) => out(&registered.describe(&running.url))?,
                Err(error) => {
                    let _ = running.stop().await;
                    return Err(error.context("registering the example's parties"));
                }
            }
        } else if args.example.is_some() {
            match crate::example::seed_europe(&running.db, &running.url).await {
                Ok(seeded) => out(&seeded.describe(&running.url))?,
                Err(error) => {
                    let _ = running.stop().await;
                    return Err(error.context("seeding the example"));
                }
            }
        }
        serve::signal().await;
        tracing::info!("shutting down");
        running.stop().await
    })
}

/// Runs `caisson worker` until SIGINT or SIGTERM; gives `out` one line
/// once its workers are running.
pub fn worker(args: &WorkerArgs, out: Out<'_>) -> anyhow::Result<()> {
    init_tracing();
    runtime()?.block_on(async {
        let db = Db::open(&args.database).await?;
        let (shutdown, receiver) = tokio::sync::watch::channel(false);
        let wake = Arc::new(tokio::sync::Notify::new());
        let handles: Vec<_> = (0..args.workers.max(1))
            .map(|_| {
                let mut config = WorkerConfig::new(Duration::from_secs(args.lease_seconds.max(1)));
                config.hold_after_claim = args.hold_after_claim_ms.map(Duration::from_millis);
                tokio::spawn(jobs::worker(
                    db.clone(),
                    config,
                    receiver.clone(),
                    Arc::clone(&wake),
                ))
            })
            .collect();
        out("worker ready\n")?;
        serve::signal().await;
        let _ = shutdown.send(true);
        for handle in handles {
            handle.await?;
        }
        db.pool.close().await;
        Ok(())
    })
}

/// Runs `caisson admin`; returns what to print on stdout.
pub fn admin(args: &AdminArgs) -> anyhow::Result<String> {
    runtime()?.block_on(async {
        let db = Db::open(&args.database).await?;
        let out = admin_on(&db, &args.command).await;
        db.pool.close().await;
        out
    })
}

/// `caisson admin` on an open database.
pub async fn admin_on(db: &Db, command: &AdminCommand) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    match command {
        AdminCommand::Org(OrgCommand::Add {
            id,
            kind,
            actor,
            buys_for,
            blocs,
            group,
            name,
        }) => {
            let org = Organisation {
                id: id.clone(),
                name: name.clone().unwrap_or_else(|| id.clone()),
                kind: kind.parse::<OrgKind>()?,
                actor: actor.clone(),
                buys_for: buys_for.clone(),
                blocs: blocs.clone(),
                group: group.clone(),
            };
            store::org_add(db, &org).await?;
            writeln!(out, "added organisation {id} ({kind})")?;
        }
        AdminCommand::Org(OrgCommand::List) => {
            for row in store::org_list(db).await? {
                let org = row.organisation()?;
                let mut detail = Vec::new();
                if let Some(actor) = &org.actor {
                    detail.push(format!("actor {actor}"));
                }
                if !org.buys_for.is_empty() {
                    detail.push(format!("buys for {}", org.buys_for.join(",")));
                }
                if !org.blocs.is_empty() {
                    detail.push(format!("blocs {}", org.blocs.join(",")));
                }
                if let Some(group) = &org.group {
                    detail.push(format!("group {group}"));
                }
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    org.id,
                    org.kind,
                    org.name,
                    detail.join("; ")
                )?;
            }
        }
        AdminCommand::User(UserCommand::Add { org, user, role }) => {
            let role = role.parse::<Role>()?;
            let password = store::user_add(db, org, user, role).await?;
            writeln!(out, "{password}")?;
        }
        AdminCommand::User(UserCommand::List { org }) => {
            for user in store::user_list(db, org.as_deref()).await? {
                writeln!(out, "{}\t{}\t{}", user.organisation, user.name, user.role)?;
            }
        }
        AdminCommand::Token(TokenCommand::Add { org, user }) => {
            let (_, token) = store::token_add(db, org, user).await?;
            writeln!(out, "{token}")?;
        }
        AdminCommand::Token(TokenCommand::Revoke { token }) => {
            store::token_revoke(db, token).await?;
            writeln!(out, "revoked")?;
        }
        AdminCommand::Token(TokenCommand::List { org }) => {
            for token in store::token_list(db, org.as_deref()).await? {
                let state = token.revoked_at.map_or_else(
                    || "active".to_owned(),
                    |t| format!("revoked {}", format_time(t)),
                );
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    token.id,
                    token.organisation,
                    token.user_name,
                    format_time(token.created_at),
                    state
                )?;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn serve_flags_default_to_the_servers_defaults_and_set_the_limits() {
        let cli = Cli::try_parse_from(["serve"]).expect("defaults");
        let defaults = AuthConfig::default();
        assert_eq!(cli.serve.sign_in_limit_ip, defaults.limits.sign_in_per_ip);
        assert_eq!(
            cli.serve.sign_in_limit_user,
            defaults.limits.sign_in_per_user
        );
        assert_eq!(
            cli.serve.failed_auth_limit_ip,
            defaults.limits.failed_auth_per_ip
        );
        assert_eq!(
            Duration::from_secs(cli.serve.session_idle_minutes * 60),
            defaults.session.idle
        );
        assert_eq!(
            Duration::from_secs(cli.serve.session_hours * 3600),
            defaults.session.lifetime
        );
        assert!(!cli.serve.secure_cookie);
        let cli = Cli::try_parse_from(["serve", "--sign-in-limit-ip", "5/30", "--secure-cookie"])
            .expect("flags");
        assert_eq!(
            cli.serve.sign_in_limit_ip,
            Limit::per_seconds(5, 30).expect("limit")
        );
        assert!(cli.serve.secure_cookie);
        assert!(Cli::try_parse_from(["serve", "--sign-in-limit-ip", "5"]).is_err());
    }

    #[test]
    fn the_default_ledger_key_lies_beside_the_sqlite_file() {
        let cases = [
            (
                "sqlite:///srv/caisson/platform.db",
                "/srv/caisson/caisson-ledger.key",
            ),
            ("sqlite://data/p.db?mode=rwc", "data/caisson-ledger.key"),
            ("sqlite://caisson.db", "caisson-ledger.key"),
            ("sqlite::memory:", "caisson-ledger.key"),
            ("postgres://u@h/db", "caisson-ledger.key"),
        ];
        for (database, expected) in cases {
            assert_eq!(
                default_ledger_key(database),
                PathBuf::from(expected),
                "{database}"
            );
        }
    }
}
