//! `parse_step`: one step's text (`"list_add s registry"`) into a [`Step`], resolving list,
//! lock and event names against the world's declarations, with the character offset of any
//! error so a file's error points inside the string.

pub(crate) use super::names::Names;
use super::step::{Guard, Step, STEP_NAMES};

/// A word of a step and its character offset in the step's text.
#[derive(Clone, Copy)]
struct Word<'t> {
    text: &'t str,
    offset: usize,
}

/// A parse error: the character offset in the step's text and the message.
pub(crate) type StepError = (usize, String);

/// Parses one step's text.
pub(crate) fn parse_step(text: &str, names: &Names<'_>) -> Result<Step, StepError> {
    let owned = split_words(text);
    let words: Vec<Word<'_>> = owned
        .iter()
        .map(|(text, offset)| Word {
            text,
            offset: *offset,
        })
        .collect();
    let Some((verb, args)) = words.split_first() else {
        return Err((
            0,
            format!("empty step (expected one of: {})", STEP_NAMES.join(", ")),
        ));
    };
    let end = text.chars().count();
    // `STEP if CONDITION`: the condition is the words after the last `if`.
    let (args, guard, step_end) = match args.iter().rposition(|word| word.text == "if") {
        None => (args, None, end),
        Some(at) => {
            let condition = &args[at + 1..];
            let guard = parse_guard(args[at], condition, end, names)?;
            (&args[..at], Some(guard), args[at].offset)
        }
    };
    let parser = Args {
        verb: *verb,
        args,
        end: step_end,
        names,
    };
    let step = parser.parse()?;
    if guard.is_some() && (BLOCKING_OR_STRUCTURAL.contains(&verb.text) || step.may_restart()) {
        return Err((
            verb.offset,
            format!(
                "`{}` cannot be guarded: a guard goes on a step that acts on lists, objects or \
                 references, not on one that takes or releases a lock or section, waits, or \
                 restarts (its pairing would depend on the condition)",
                verb.text
            ),
        ));
    }
    Ok(match guard {
        None => step,
        Some(guard) => Step::Guarded {
            guard,
            step: Box::new(step),
        },
    })
}

/// The steps a guard may not go on: they block, restart, or open or close what a later step
/// must close.
const BLOCKING_OR_STRUCTURAL: [&str; 7] = [
    "lock",
    "unlock",
    "wait",
    "rcu_read_lock",
    "rcu_read_unlock",
    "synchronize_rcu",
    "rcu_barrier",
];

/// Parses a guard's condition: `x linked L`, `x unlinked L`, `L empty`, `L nonempty`,
/// `x found` (`if_word` is the `if`).
fn parse_guard(
    if_word: Word<'_>,
    condition: &[Word<'_>],
    end: usize,
    names: &Names<'_>,
) -> Result<Guard, StepError> {
    const FORMS: &str = "`if OBJECT linked LIST`, `if OBJECT unlinked LIST`, `if LIST empty`, \
                         `if LIST nonempty` or `if OBJECT found`";
    let args = Args {
        verb: if_word,
        args: condition,
        end,
        names,
    };
    match condition {
        [object, how, list] if how.text == "linked" || how.text == "unlinked" => {
            let object = args.object(*object)?;
            let list = args.list(Some(*list))?;
            Ok(if how.text == "linked" {
                Guard::Linked { object, list }
            } else {
                Guard::Unlinked { object, list }
            })
        }
        [list, how] if how.text == "empty" || how.text == "nonempty" => {
            let list = args.list(Some(*list))?;
            Ok(if how.text == "empty" {
                Guard::Empty { list }
            } else {
                Guard::Nonempty { list }
            })
        }
        [object, how] if how.text == "found" => Ok(Guard::Found {
            object: args.object(*object)?,
        }),
        [] => Err((end, format!("`if` needs a condition (expected {FORMS})"))),
        [first, ..] => Err((
            first.offset,
            format!("unknown condition (expected {FORMS})"),
        )),
    }
}

struct Args<'w, 'n> {
    verb: Word<'w>,
    args: &'w [Word<'w>],
    end: usize,
    names: &'w Names<'n>,
}

impl Args<'_, '_> {
    fn parse(&self) -> Result<Step, StepError> {
        let verb = self.verb.text;
        let a = self.args;
        let step = match verb {
            "put_ref" => {
                self.arity(1, 2, "OBJECT [kfree_rcu]")?;
                let object = self.object(a[0])?;
                let release_rcu = match a.get(1) {
                    None => false,
                    Some(word) if word.text == "kfree_rcu" => true,
                    Some(other) => {
                        return Err((
                            other.offset,
                            format!(
                                "unexpected `{}` (expected `put_ref OBJECT [kfree_rcu]`: \
                                 `kfree_rcu` defers the last reference's free past a grace \
                                 period)",
                                other.text
                            ),
                        ))
                    }
                };
                Step::PutRef {
                    object,
                    release_rcu,
                }
            }
            "alloc" => {
                self.arity(1, 3, "OBJECT [key K]")?;
                let object = self.object(a[0])?;
                let key = match &a[1..] {
                    [] => None,
                    [keyword, key] if keyword.text == "key" => Some(self.number(*key)?),
                    [other, ..] => {
                        return Err((
                            other.offset,
                            format!(
                                "unexpected `{}` (expected `alloc OBJECT [key K]`)",
                                other.text
                            ),
                        ))
                    }
                };
                Step::Alloc { object, key }
            }
            "set_key" => {
                self.arity(2, 2, "OBJECT K")?;
                Step::SetKey {
                    object: self.object(a[0])?,
                    key: self.number(a[1])?,
                }
            }
            "recheck" => {
                self.arity(3, 4, "OBJECT key K [restart]")?;
                if a[1].text != "key" {
                    return Err((
                        a[1].offset,
                        format!(
                            "unexpected `{}` (expected `recheck OBJECT key K [restart]`)",
                            a[1].text
                        ),
                    ));
                }
                let restart = match a.get(3) {
                    None => false,
                    Some(word) if word.text == "restart" => true,
                    Some(other) => {
                        return Err((
                            other.offset,
                            format!(
                                "unexpected `{}` (expected `recheck OBJECT key K [restart]`: \
                                 `restart` runs the lookup again on a mismatch)",
                                other.text
                            ),
                        ))
                    }
                };
                Step::Recheck {
                    object: self.object(a[0])?,
                    key: self.number(a[2])?,
                    restart,
                }
            }
            "hlist_nulls_add_head_rcu" | "hlist_nulls_del_rcu" | "hlist_nulls_del_init_rcu" => {
                self.arity(1, 2, "OBJECT [TABLE]")?;
                let object = self.object(a[0])?;
                let table = self.table(a.get(1).copied())?;
                match verb {
                    "hlist_nulls_add_head_rcu" => Step::HashAdd { object, table },
                    _ => Step::HashDel {
                        object,
                        table,
                        init: verb == "hlist_nulls_del_init_rcu",
                    },
                }
            }
            "lookup_rcu" => {
                let (table, rest) = match a.split_first() {
                    Some((first, rest)) if first.text != "key" => (self.table(Some(*first))?, rest),
                    _ => (self.table(None)?, a),
                };
                match rest {
                    [key_word, key, into_word, into]
                        if key_word.text == "key" && into_word.text == "into" =>
                    {
                        Step::Lookup {
                            table,
                            key: self.number(*key)?,
                            into: self.object(*into)?,
                        }
                    }
                    [.., last] if rest.len() > 4 => {
                        return Err((
                            last.offset,
                            format!(
                                "unexpected `{}` (expected `lookup_rcu [TABLE] key K into \
                                 OBJECT`)",
                                last.text
                            ),
                        ))
                    }
                    _ => {
                        let at = rest
                            .iter()
                            .zip(["key", "", "into", ""])
                            .find(|(word, expected)| !expected.is_empty() && word.text != *expected)
                            .map_or(self.end, |(word, _)| word.offset);
                        return Err((
                            at,
                            "expected `lookup_rcu [TABLE] key K into OBJECT`".to_string(),
                        ));
                    }
                }
            }
            "nulls_restart" | "expect_found" => {
                self.arity(1, 1, "OBJECT")?;
                let object = self.object(a[0])?;
                if verb == "nulls_restart" {
                    Step::NullsRestart { object }
                } else {
                    Step::ExpectFound { object }
                }
            }
            "free" | "get_ref" | "get_ref_not_zero" => {
                self.arity(1, 1, "OBJECT")?;
                let object = self.object(a[0])?;
                match verb {
                    "free" => Step::Free { object },
                    _ => Step::GetRef {
                        object,
                        not_zero: verb == "get_ref_not_zero",
                    },
                }
            }
            "lock" | "unlock" => {
                self.arity(0, 1, "[LOCK]")?;
                let lock = self.lock(a.first().copied())?;
                if verb == "lock" {
                    Step::Lock { lock }
                } else {
                    Step::Unlock { lock }
                }
            }
            "list_add" | "list_add_tail" | "list_del" | "list_del_init" | "list_add_rcu"
            | "list_add_tail_rcu" | "list_del_rcu" => {
                self.arity(1, 2, "OBJECT [LIST]")?;
                let object = self.object(a[0])?;
                let list = self.list(a.get(1).copied())?;
                let rcu = verb.ends_with("_rcu");
                match verb.trim_end_matches("_rcu") {
                    "list_add" | "list_add_tail" => Step::ListAdd {
                        object,
                        list,
                        tail: verb.starts_with("list_add_tail"),
                        rcu,
                    },
                    _ => Step::ListDel {
                        object,
                        list,
                        init: verb == "list_del_init",
                        rcu,
                    },
                }
            }
            "list_replace_rcu" => {
                self.arity(2, 3, "OLD NEW [LIST]")?;
                let old = self.object(a[0])?;
                let new = self.object(a[1])?;
                if old == new {
                    return Err((
                        a[1].offset,
                        format!("`list_replace_rcu` replaces `{old}` with itself (expected another object)"),
                    ));
                }
                let list = self.list(a.get(2).copied())?;
                Step::ListReplaceRcu { old, new, list }
            }
            "list_move" | "list_move_tail" => {
                self.arity(2, 2, "OBJECT LIST")?;
                Step::ListMove {
                    object: self.object(a[0])?,
                    list: self.list(Some(a[1]))?,
                    tail: verb == "list_move_tail",
                }
            }
            "list_splice" | "list_splice_init" => {
                self.arity(2, 2, "FROM TO")?;
                let from = self.list(Some(a[0]))?;
                let to = self.list(Some(a[1]))?;
                if from == to {
                    return Err((
                        a[1].offset,
                        format!(
                            "`{verb}` joins `{}` to itself (expected another list)",
                            a[1].text
                        ),
                    ));
                }
                Step::ListSplice {
                    from,
                    to,
                    init: verb == "list_splice_init",
                }
            }
            "list_replace" | "list_replace_init" => {
                self.arity(3, 3, "OLD NEW LIST")?;
                let old = self.object(a[0])?;
                let new = self.object(a[1])?;
                if old == new {
                    return Err((
                        a[1].offset,
                        format!("`{verb}` replaces `{old}` with itself (expected another object)"),
                    ));
                }
                Step::ListReplace {
                    old,
                    new,
                    list: self.list(Some(a[2]))?,
                    init: verb == "list_replace_init",
                }
            }
            "walk_from" | "walk_continue" => {
                let usage = format!("`{verb} OBJECT LIST [keep OBJECT [key K]]`");
                let (object, list, rest) = match a {
                    [object, list, rest @ ..] => {
                        (self.object(*object)?, self.list(Some(*list))?, rest)
                    }
                    _ => return Err((self.end, format!("`{verb}` needs more (expected {usage})"))),
                };
                let (keep, key) = match rest {
                    [] => (None, None),
                    [keyword, kept] if keyword.text == "keep" => (Some(self.object(*kept)?), None),
                    [keyword, kept, key_word, key]
                        if keyword.text == "keep" && key_word.text == "key" =>
                    {
                        (Some(self.object(*kept)?), Some(self.number(*key)?))
                    }
                    [other, ..] => {
                        return Err((
                            other.offset,
                            format!("unexpected `{}` in `{verb}` (expected {usage})", other.text),
                        ))
                    }
                };
                Step::WalkFrom {
                    object,
                    list,
                    inclusive: verb == "walk_from",
                    keep,
                    key,
                }
            }
            "rcu_read_lock" | "rcu_read_unlock" | "synchronize_rcu" | "rcu_barrier"
            | "destroy_cache" => {
                self.arity(0, 0, "")?;
                match verb {
                    "rcu_read_lock" => Step::RcuReadLock,
                    "rcu_read_unlock" => Step::RcuReadUnlock,
                    "synchronize_rcu" => Step::SynchronizeRcu,
                    "rcu_barrier" => Step::RcuBarrier,
                    _ => Step::DestroyCache,
                }
            }
            "call_rcu" | "kfree_rcu" => {
                self.arity(1, 1, "OBJECT")?;
                Step::CallRcu {
                    object: self.object(a[0])?,
                    free: verb == "kfree_rcu",
                }
            }
            "walk" | "walk_safe" | "walk_rcu" => {
                let (list, rest) = self.optional_list()?;
                let (keep, key) = match rest {
                    [] => (None, None),
                    [keyword, object] if keyword.text == "keep" => {
                        (Some(self.object(*object)?), None)
                    }
                    [keyword, object, key_word, key]
                        if keyword.text == "keep" && key_word.text == "key" =>
                    {
                        (Some(self.object(*object)?), Some(self.number(*key)?))
                    }
                    [other, ..] => {
                        return Err((
                            other.offset,
                            format!(
                                "unexpected `{}` in `{verb}` (expected `{verb} [LIST] [keep \
                                 OBJECT [key K]]`)",
                                other.text
                            ),
                        ))
                    }
                };
                Step::Walk {
                    list,
                    safe: verb == "walk_safe",
                    keep,
                    rcu: verb == "walk_rcu",
                    key,
                }
            }
            "reap" | "reap_safe" => {
                let (list, rest) = self.optional_list()?;
                let into = match rest {
                    [keyword, object] if keyword.text == "into" => self.object(*object)?,
                    [other, ..] if other.text != "into" => {
                        return Err((
                            other.offset,
                            format!(
                                "unexpected `{}` in `{verb}` (expected `{verb} [LIST] into \
                                 OBJECT`)",
                                other.text
                            ),
                        ))
                    }
                    _ => {
                        return Err((
                            self.end,
                            format!("`{verb}` needs `into OBJECT`: the local that gets the unlinked entries"),
                        ))
                    }
                };
                Step::Reap {
                    list,
                    safe: verb == "reap_safe",
                    into,
                }
            }
            "read" => {
                let Some((object, rest)) = a.split_first() else {
                    return Err((
                        self.end,
                        "`read` needs an OBJECT (expected `read OBJECT [== N] [unchecked]`)"
                            .to_string(),
                    ));
                };
                let object = self.object(*object)?;
                let (expect, rest) = match rest {
                    [equals, value, rest @ ..] if equals.text == "==" => {
                        (Some(self.number(*value)?), rest)
                    }
                    rest => (None, rest),
                };
                let unchecked = self.unchecked(rest, "read OBJECT [== N] [unchecked]")?;
                Step::Read {
                    object,
                    expect,
                    unchecked,
                }
            }
            "write" => {
                let [object, value, rest @ ..] = a else {
                    return Err((
                        self.end,
                        "`write` needs an OBJECT and a value (expected `write OBJECT N \
                         [unchecked]`)"
                            .to_string(),
                    ));
                };
                let object = self.object(*object)?;
                let value = self.number(*value)?;
                let unchecked = self.unchecked(rest, "write OBJECT N [unchecked]")?;
                Step::Write {
                    object,
                    value,
                    unchecked,
                }
            }
            "signal" | "wait" => {
                self.arity(1, 1, "EVENT")?;
                let event = self.event(a[0])?;
                if verb == "signal" {
                    Step::Signal { event }
                } else {
                    Step::Wait { event }
                }
            }
            unknown => {
                return Err((
                    self.verb.offset,
                    format!(
                        "unknown step `{unknown}` (expected one of: {})",
                        STEP_NAMES.join(", ")
                    ),
                ))
            }
        };
        Ok(step)
    }

    fn arity(&self, min: usize, max: usize, usage: &str) -> Result<(), StepError> {
        let verb = self.verb.text;
        let form = if usage.is_empty() {
            verb.to_string()
        } else {
            format!("{verb} {usage}")
        };
        if self.args.len() < min {
            return Err((self.end, format!("`{verb}` needs more (expected `{form}`)")));
        }
        if self.args.len() > max {
            let extra = self.args[max];
            return Err((
                extra.offset,
                format!(
                    "unexpected `{}` after `{verb}` (expected `{form}`)",
                    extra.text
                ),
            ));
        }
        Ok(())
    }

    fn object(&self, word: Word<'_>) -> Result<String, StepError> {
        let valid = word
            .text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && word
                .text
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        if !valid || ["keep", "into", "unchecked", "key", "restart", "if"].contains(&word.text) {
            return Err((
                word.offset,
                format!(
                    "`{}` is not an object name (expected a name such as `s` or `sock_2`)",
                    word.text
                ),
            ));
        }
        Ok(word.text.to_string())
    }

    fn number(&self, word: Word<'_>) -> Result<u32, StepError> {
        word.text.parse().map_err(|_| {
            (
                word.offset,
                format!("`{}` is not a number from 0 to {}", word.text, u32::MAX),
            )
        })
    }

    fn unchecked(&self, rest: &[Word<'_>], usage: &str) -> Result<bool, StepError> {
        match rest {
            [] => Ok(false),
            [word] if word.text == "unchecked" => Ok(true),
            [other, ..] => Err((
                other.offset,
                format!("unexpected `{}` (expected `{usage}`)", other.text),
            )),
        }
    }

    /// A list named by `word`, or the only list if `word` is `None`.
    fn list(&self, word: Option<Word<'_>>) -> Result<usize, StepError> {
        resolve(word, self.names.lists, "list", self.verb, self.end)
    }

    fn lock(&self, word: Option<Word<'_>>) -> Result<usize, StepError> {
        resolve(word, self.names.locks, "lock", self.verb, self.end)
    }

    fn table(&self, word: Option<Word<'_>>) -> Result<usize, StepError> {
        resolve(word, self.names.tables, "table", self.verb, self.end)
    }

    fn event(&self, word: Word<'_>) -> Result<usize, StepError> {
        resolve(Some(word), self.names.events, "event", self.verb, self.end)
    }

    /// `walk`/`reap`'s optional list: the first argument if it is not a keyword.
    fn optional_list(&self) -> Result<(usize, &[Word<'_>]), StepError> {
        match self.args.split_first() {
            Some((first, rest)) if !["keep", "into"].contains(&first.text) => {
                Ok((self.list(Some(*first))?, rest))
            }
            _ => Ok((self.list(None)?, self.args)),
        }
    }
}

/// The index of the `what` named by `word` among `declared`; with no word, the only one.
fn resolve(
    word: Option<Word<'_>>,
    declared: &[String],
    what: &str,
    verb: Word<'_>,
    end: usize,
) -> Result<usize, StepError> {
    let known = || {
        if declared.is_empty() {
            format!("the world declares no {what}s")
        } else {
            format!("declared {what}s: {}", declared.join(", "))
        }
    };
    match word {
        Some(word) => declared
            .iter()
            .position(|name| name == word.text)
            .ok_or_else(|| {
                (
                    word.offset,
                    format!("unknown {what} `{}` ({})", word.text, known()),
                )
            }),
        None if declared.len() == 1 => Ok(0),
        None => Err((
            end,
            format!(
                "`{}` must name its {what}: there is not exactly one ({})",
                verb.text,
                known()
            ),
        )),
    }
}

/// The whitespace-separated words of a step's text, each with its character offset.
fn split_words(text: &str) -> Vec<(String, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (index, c) in text.chars().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(index),
            (true, Some(begin)) => {
                words.push((begin, index));
                start = None;
            }
            _ => {}
        }
    }
    let chars: Vec<char> = text.chars().collect();
    if let Some(begin) = start {
        words.push((begin, chars.len()));
    }
    words
        .iter()
        .map(|&(begin, end)| (chars[begin..end].iter().collect(), begin))
        .collect()
}

/// The character offset of the first argument of `step` (after its verb) that is `word`.
pub(crate) fn word_offset(step: &str, word: &str) -> usize {
    split_words(step)
        .into_iter()
        .skip(1)
        .find(|(text, _)| text == word)
        .map_or(0, |(_, offset)| offset)
}

#[cfg(test)]
#[path = "step_parser_tests.rs"]
mod tests;
