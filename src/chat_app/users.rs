//! The members a chat server admits: each a name and the token that
//! authenticates it (`--user NAME=TOKEN` on the example's command line).

use std::collections::HashMap;

/// Names by token.
#[derive(Debug, Clone, Default)]
pub struct Users {
    by_token: HashMap<String, String>,
}

/// Why a `NAME=TOKEN` argument was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsersError {
    /// It has no `=`, or an empty name or token.
    #[error("`{0}` is not NAME=TOKEN (both non-empty)")]
    Shape(String),
    /// The name is no valid member name (the document's `User`: 1 to 64
    /// characters).
    #[error("`{0}` is no member name: {1}")]
    Name(String, String),
    /// Two members with one token.
    #[error("the token of `{0}` is already the token of `{1}`")]
    SharedToken(String, String),
}

impl Users {
    /// No members.
    pub fn new() -> Self {
        Users::default()
    }

    /// Three demo members: `alice`, `bob` and `carol`, whose tokens are
    /// `token-alice`, `token-bob` and `token-carol`.
    pub fn demo() -> Self {
        let mut users = Users::new();
        for name in ["alice", "bob", "carol"] {
            users
                .add(name, &format!("token-{name}"))
                .expect("the demo users are valid");
        }
        users
    }

    /// Adds a member.
    pub fn add(&mut self, name: &str, token: &str) -> Result<(), UsersError> {
        if name.is_empty() || token.is_empty() {
            return Err(UsersError::Shape(format!("{name}={token}")));
        }
        if let Err(e) = crate::chat::types::User::try_from(name) {
            return Err(UsersError::Name(name.to_owned(), e.to_string()));
        }
        if let Some(other) = self.by_token.get(token) {
            return Err(UsersError::SharedToken(name.to_owned(), other.clone()));
        }
        self.by_token.insert(token.to_owned(), name.to_owned());
        Ok(())
    }

    /// Adds a member from `NAME=TOKEN`.
    pub fn add_arg(&mut self, arg: &str) -> Result<(), UsersError> {
        let (name, token) = arg
            .split_once('=')
            .ok_or_else(|| UsersError::Shape(arg.to_owned()))?;
        self.add(name, token)
    }

    /// The member a token names.
    pub fn name_of(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(String::as_str)
    }

    /// Every member as `(name, token)`, by name.
    pub fn list(&self) -> Vec<(&str, &str)> {
        let mut list: Vec<_> = self
            .by_token
            .iter()
            .map(|(token, name)| (name.as_str(), token.as_str()))
            .collect();
        list.sort();
        list
    }

    /// Whether it admits nobody.
    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_read_and_bad_ones_refused() {
        let mut users = Users::new();
        users.add_arg("alice=token-a").unwrap();
        assert_eq!(users.name_of("token-a"), Some("alice"));
        assert_eq!(users.name_of("token-b"), None);
        assert_eq!(users.add_arg("bob"), Err(UsersError::Shape("bob".into())));
        assert_eq!(users.add_arg("=x"), Err(UsersError::Shape("=x".into())));
        assert_eq!(
            users.add_arg("bob=token-a"),
            Err(UsersError::SharedToken("bob".into(), "alice".into()))
        );
        assert!(matches!(
            users.add(&"x".repeat(65), "token-x"),
            Err(UsersError::Name(..))
        ));
        assert_eq!(Users::demo().list()[0], ("alice", "token-alice"));
    }
}
