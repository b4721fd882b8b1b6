//! One-time sign-in codes and session tokens: how they are made, what is kept of them (a hash
//! only) and when a presented code is accepted.

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Random bytes mixed into each code's hash, so a copy of the table cannot be reversed with
/// one precomputed list of the million possible codes.
pub type Salt = [u8; 16];

/// A fresh six-digit code, uniformly drawn from a cryptographic generator.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// A fresh salt.
pub fn new_salt() -> Salt {
    let mut salt = Salt::default();
    rand::rng().fill_bytes(&mut salt);
    salt
}

/// What is stored of a code.
pub fn hash_code(salt: &[u8], code: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(code.as_bytes());
    h.finalize().into()
}

/// A fresh session token: 32 random bytes, hex. Only its hash is ever stored.
pub fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored of a session token.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two hashes in time independent of where they differ.
pub fn same_hash(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the platform knows of the latest code sent to a phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeState {
    /// Its salt.
    pub salt: Vec<u8>,
    /// Salted hash of the code.
    pub code_hash: Vec<u8>,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// Wrong guesses so far.
    pub attempts: u32,
    /// Whether it was already used to sign in.
    pub used: bool,
}

/// Why a code no longer works: the person needs a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadCode {
    /// It was already used.
    Used,
    /// Its time ran out.
    Expired,
    /// Too many wrong guesses.
    TooManyAttempts,
}

/// The judgement on a presented code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The right code, in time: sign in.
    Accepted,
    /// The wrong code: count the attempt.
    Wrong,
    /// The code no longer works, whatever was typed.
    Dead(DeadCode),
}

/// Why the code can no longer be tried, whatever is typed; `None` while it may be tried.
pub fn dead(state: &CodeState, now: OffsetDateTime, max_attempts: u32) -> Option<DeadCode> {
    if state.used {
        Some(DeadCode::Used)
    } else if now >= state.expires_at {
        Some(DeadCode::Expired)
    } else if state.attempts >= max_attempts {
        Some(DeadCode::TooManyAttempts)
    } else {
        None
    }
}

/// Whether `presented` is the code. Compare only after the try was counted
/// ([`crate::store::Store::count_attempt`]), so racing guesses cannot exceed the limit.
pub fn matches(state: &CodeState, presented: &str) -> bool {
    same_hash(&hash_code(&state.salt, presented), &state.code_hash)
}

/// Judges `presented` against the latest code. A dead code stays dead even when the right
/// digits are typed, so a used or exhausted code can never be replayed.
pub fn judge(
    state: &CodeState,
    presented: &str,
    now: OffsetDateTime,
    max_attempts: u32,
) -> Verdict {
    match dead(state, now, max_attempts) {
        Some(why) => Verdict::Dead(why),
        None if matches(state, presented) => Verdict::Accepted,
        None => Verdict::Wrong,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-05-01 10:00 UTC);

    fn state(code: &str) -> CodeState {
        let salt = new_salt().to_vec();
        CodeState {
            code_hash: hash_code(&salt, code).to_vec(),
            salt,
            expires_at: NOW + Duration::minutes(5),
            attempts: 0,
            used: false,
        }
    }

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| new_code()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(
            distinct.len() > 40,
            "50 draws from a million should rarely repeat"
        );
    }

    #[test]
    fn the_same_code_hashes_differently_with_another_salt() {
        let a = hash_code(&new_salt(), "123456");
        let b = hash_code(&new_salt(), "123456");
        assert_ne!(a, b);
        assert!(!same_hash(&a, &b));
        assert!(same_hash(&a, &a));
    }

    #[test]
    fn tokens_are_long_random_and_only_their_hash_matches() {
        let t = new_session_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_session_token());
        assert_eq!(hash_token(&t), hash_token(&t));
        assert_ne!(hash_token(&t).to_vec(), t.as_bytes().to_vec());
    }

    #[rstest]
    #[case::right_and_in_time(state("123456"), "123456", NOW, Verdict::Accepted)]
    #[case::wrong_digits(state("123456"), "654321", NOW, Verdict::Wrong)]
    #[case::one_second_before_expiry(state("123456"), "123456", NOW + Duration::seconds(299), Verdict::Accepted)]
    #[case::at_expiry(state("123456"), "123456", NOW + Duration::minutes(5), Verdict::Dead(DeadCode::Expired))]
    #[case::used(CodeState { used: true, ..state("123456") }, "123456", NOW, Verdict::Dead(DeadCode::Used))]
    #[case::out_of_attempts(CodeState { attempts: 5, ..state("123456") }, "123456", NOW, Verdict::Dead(DeadCode::TooManyAttempts))]
    #[case::last_attempt_left(CodeState { attempts: 4, ..state("123456") }, "123456", NOW, Verdict::Accepted)]
    fn judges_codes(
        #[case] state: CodeState,
        #[case] presented: &str,
        #[case] now: OffsetDateTime,
        #[case] expected: Verdict,
    ) {
        assert_eq!(judge(&state, presented, now, 5), expected);
    }
}
