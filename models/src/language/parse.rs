//! Reading a scenario file: TOML (serde + toml, which give every value's position) into the
//! file's raw shape, then validated into a [`Scenario`] with `file:line:column` errors.

use super::error::{line_column, ScenarioError};
use super::limits::{CHAINS, COPIES, MAX_LISTS, MAX_TABLES, OBJECTS};
use super::reader::Reader;
use super::sometimes::SometimesShape;
use super::step::Step;
use super::step_parser::{parse_step, word_offset, Names};
use super::{
    ActorSpec, Checks, ListSpec, Located, LockSpec, Scenario, Source, TableSpec, WorldSpec,
};
use lifecycle_list::{CheckMode, LockDefect};
use lifecycle_slab::Tagging;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    name: Spanned<String>,
    #[serde(default)]
    story: String,
    twin: Option<Spanned<String>>,
    world: WorldShape,
    actor: Spanned<Vec<Spanned<ActorShape>>>,
    expect: Spanned<BTreeMap<Spanned<String>, Spanned<String>>>,
    #[serde(default)]
    diagnosis: Vec<Spanned<String>>,
    #[serde(default)]
    sometimes: Vec<Spanned<SometimesShape>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WorldShape {
    objects: Spanned<i64>,
    free_list: Option<Spanned<String>>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    #[serde(default)]
    locks: Vec<Spanned<LockShape>>,
    #[serde(default)]
    lists: Vec<Spanned<ListShape>>,
    #[serde(default)]
    tables: Vec<Spanned<TableShape>>,
    #[serde(default)]
    events: Vec<Spanned<String>>,
    #[serde(default)]
    typesafe_by_rcu: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TableShape {
    name: Spanned<String>,
    chains: Spanned<i64>,
    lock: Option<Spanned<String>>,
    nulls_base: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockShape {
    name: Spanned<String>,
    defect: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListShape {
    name: Spanned<String>,
    mode: Option<Spanned<String>>,
    lock: Option<Spanned<String>>,
    rcu: Option<bool>,
    link: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorShape {
    name: Spanned<String>,
    count: Option<Spanned<i64>>,
    steps: Vec<Spanned<String>>,
}

/// Parses and validates a scenario file.
pub(crate) fn parse(path: &str, text: &str) -> Result<Scenario, ScenarioError> {
    parse_with_rust_actors(path, text, false)
}

/// As [`parse`]; `rust_actors`: some actors are Rust closures (added by the builder), whose
/// signals cannot be read off the file, so an awaited event need not be signalled by a step.
pub(crate) fn parse_with_rust_actors(
    path: &str,
    text: &str,
    rust_actors: bool,
) -> Result<Scenario, ScenarioError> {
    let reader = Reader { path, text };
    let file: FileShape = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        reader.error_at(offset, error.message().trim_end().to_string())
    })?;
    let name = file.name.get_ref().clone();
    let valid_name = name.split_once('/').is_some_and(|(family, variant)| {
        !family.is_empty()
            && !variant.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c))
    });
    if !valid_name {
        return Err(reader.error(
            &file.name,
            format!(
                "scenario name `{name}` is not `family/variant` (letters, digits, `-`, `_`, one \
                 `/`), such as `socket-lifecycle/buggy`"
            ),
        ));
    }
    let world = world(&reader, &file.world)?;
    let actors = actors(&reader, &file.actor, &world, rust_actors)?;
    let mut expect = super::expect::expectations(&reader, &file.expect)?;
    for piece in &file.diagnosis {
        if piece.get_ref().trim().is_empty() {
            return Err(reader.error(
                piece,
                "an empty piece in `diagnosis`: each is text a finding's diagnosis must contain",
            ));
        }
        expect.diagnosis.push(piece.get_ref().clone());
    }
    let sometimes = super::sometimes::sometimes(&reader, &file.sometimes, &world, &actors)?;
    Ok(Scenario {
        name,
        story: file.story.trim().to_string(),
        twin: file.twin.map(Spanned::into_inner),
        world,
        actors,
        expect,
        sometimes,
        source: Source {
            path: path.to_string(),
            text: text.to_string(),
        },
    })
}

fn unique<'s>(
    reader: &Reader<'_>,
    names: impl IntoIterator<Item = &'s Spanned<String>>,
    what: &str,
) -> Result<Vec<String>, ScenarioError> {
    let mut seen: Vec<String> = Vec::new();
    for name in names {
        let text = name.get_ref();
        let valid = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(reader.error(
                name,
                format!("`{text}` is not a {what} name (letters, digits, `-` and `_`)"),
            ));
        }
        if seen.contains(text) {
            return Err(reader.error(name, format!("{what} `{text}` is declared twice")));
        }
        seen.push(text.clone());
    }
    Ok(seen)
}

fn world(reader: &Reader<'_>, shape: &WorldShape) -> Result<WorldSpec, ScenarioError> {
    let objects = *shape.objects.get_ref();
    let Some(objects) = usize::try_from(objects)
        .ok()
        .filter(|n| OBJECTS.contains(n))
    else {
        return Err(reader.error(
            &shape.objects,
            format!(
                "objects = {objects}: expected {} to {} slab slots",
                OBJECTS.start(),
                OBJECTS.end()
            ),
        ));
    };
    let tagging_at = shape.free_list.as_ref().map(|v| reader.line_column(v));
    let tagging = match &shape.free_list {
        None => Tagging::Tagged,
        Some(value) => reader.choice(
            value,
            "free list",
            &[("tagged", Tagging::Tagged), ("untagged", Tagging::Untagged)],
        )?,
    };
    let mut checks = Checks::default();
    for check in &shape.checks {
        let flag = reader.choice(
            check,
            "check",
            &[
                ("use-after-free", 0),
                ("invariants-at-unlock", 1),
                ("leak", 2),
                ("walk-validation", 3),
            ],
        )?;
        match flag {
            0 => checks.use_after_free = true,
            1 => checks.invariants_at_unlock = true,
            2 => checks.leak = true,
            _ => checks.walk_validation = true,
        }
    }
    if shape.lists.len() > MAX_LISTS {
        return Err(reader.error(
            &shape.lists[MAX_LISTS],
            format!("more than {MAX_LISTS} lists (every object embeds one link per list)"),
        ));
    }
    let list_names = unique(
        reader,
        shape.lists.iter().map(|l| &l.get_ref().name),
        "list",
    )?;
    let mut locks = Vec::new();
    let lock_names = unique(
        reader,
        shape.locks.iter().map(|l| &l.get_ref().name),
        "lock",
    )?;
    for (lock, name) in shape.locks.iter().zip(&lock_names) {
        let defect = match &lock.get_ref().defect {
            None => LockDefect::None,
            Some(value) => reader.choice(
                value,
                "lock defect",
                &[
                    ("none", LockDefect::None),
                    ("relaxed-unlock", LockDefect::RelaxedUnlock),
                    ("load-then-store", LockDefect::LoadThenStoreAcquire),
                ],
            )?,
        };
        locks.push(LockSpec {
            name: name.clone(),
            defect,
            defect_at: lock
                .get_ref()
                .defect
                .as_ref()
                .map(|v| reader.line_column(v)),
        });
    }
    if locks.is_empty() {
        // One correct lock, named after the first list (or table) it protects ("the registry
        // lock").
        let first_table = shape
            .tables
            .first()
            .map(|t| t.get_ref().name.get_ref().clone());
        locks.push(LockSpec {
            name: list_names
                .first()
                .cloned()
                .or(first_table)
                .unwrap_or_else(|| "lock".into()),
            defect: LockDefect::None,
            defect_at: None,
        });
    }
    if checks.walk_validation
        && !shape.lists.iter().any(|l| {
            l.get_ref()
                .mode
                .as_ref()
                .is_some_and(|m| m.get_ref() == "debug")
        })
    {
        let at = shape
            .checks
            .iter()
            .find(|c| c.get_ref() == "walk-validation")
            .expect("the check was read from the list");
        return Err(reader.error(
            at,
            "check `walk-validation` validates the walks of `debug` lists, and no list has \
             mode = \"debug\"",
        ));
    }
    let mut lists = Vec::new();
    for (list, name) in shape.lists.iter().zip(&list_names) {
        let list = list.get_ref();
        let mode = match &list.mode {
            None => CheckMode::Raw,
            Some(value) => reader.choice(
                value,
                "list mode",
                &[("raw", CheckMode::Raw), ("debug", CheckMode::DebugList)],
            )?,
        };
        // Walk validation is beyond CONFIG_DEBUG_LIST: declared on its own, for debug lists.
        let mode = if checks.walk_validation && mode == CheckMode::DebugList {
            CheckMode::Checked
        } else {
            mode
        };
        let lock = lock_of(reader, &locks, &list.lock, &list.name, "list")?;
        let rcu = list.rcu.unwrap_or(false);
        // Lists that name one link share it: the link of the first list that names it.
        let link = match &list.link {
            None => lists.len(),
            Some(link_name) => {
                let shared = shape.lists[..lists.len()].iter().position(|earlier| {
                    earlier
                        .get_ref()
                        .link
                        .as_ref()
                        .is_some_and(|l| l.get_ref() == link_name.get_ref())
                });
                match shared {
                    None => lists.len(),
                    Some(first) => {
                        let first_spec: &ListSpec = &lists[first];
                        if first_spec.mode != mode || first_spec.rcu != rcu {
                            return Err(reader.error(
                                link_name,
                                format!(
                                    "list `{name}` shares link `{}` with list `{}`, whose mode \
                                     or rcu differs: one link has one kind of node",
                                    link_name.get_ref(),
                                    first_spec.name
                                ),
                            ));
                        }
                        first
                    }
                }
            }
        };
        lists.push(ListSpec {
            name: name.clone(),
            mode,
            lock,
            rcu,
            link,
        });
    }
    let tables = tables(reader, &shape.tables, &locks)?;
    let events = unique(reader, &shape.events, "event")?;
    Ok(WorldSpec {
        objects,
        tagging,
        tagging_at,
        locks,
        lists,
        tables,
        checks,
        events,
        typesafe_by_rcu: shape.typesafe_by_rcu,
    })
}

/// The lock a list or table names (`lock = "..."`), or the only lock if it names none.
fn lock_of(
    reader: &Reader<'_>,
    locks: &[LockSpec],
    named: &Option<Spanned<String>>,
    name: &Spanned<String>,
    what: &str,
) -> Result<usize, ScenarioError> {
    match named {
        None if locks.len() == 1 => Ok(0),
        None => Err(reader.error(
            name,
            format!(
                "{what} `{}` must name its lock (`lock = \"...\"`): the world has {} locks",
                name.get_ref(),
                locks.len()
            ),
        )),
        Some(lock) => locks
            .iter()
            .position(|l| &l.name == lock.get_ref())
            .ok_or_else(|| {
                reader.error(
                    lock,
                    format!(
                        "unknown lock `{}` (declared locks: {})",
                        lock.get_ref(),
                        locks
                            .iter()
                            .map(|l| l.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            }),
    }
}

/// The world's hash tables: each with its chains, lock and nulls base.
fn tables(
    reader: &Reader<'_>,
    shapes: &[Spanned<TableShape>],
    locks: &[LockSpec],
) -> Result<Vec<TableSpec>, ScenarioError> {
    if shapes.len() > MAX_TABLES {
        return Err(reader.error(
            &shapes[MAX_TABLES],
            format!("more than {MAX_TABLES} tables"),
        ));
    }
    let names = unique(reader, shapes.iter().map(|t| &t.get_ref().name), "table")?;
    let mut tables: Vec<TableSpec> = Vec::new();
    for (shape, name) in shapes.iter().zip(names) {
        let shape = shape.get_ref();
        let chains = *shape.chains.get_ref();
        let chains = usize::try_from(chains)
            .ok()
            .filter(|n| CHAINS.contains(n))
            .ok_or_else(|| {
                reader.error(
                    &shape.chains,
                    format!(
                        "chains = {chains}: expected {} to {} chains",
                        CHAINS.start(),
                        CHAINS.end()
                    ),
                )
            })?;
        let nulls_base = match &shape.nulls_base {
            // Past every earlier table's markers: a reader carried into another table ends on
            // a marker that is not its own.
            None => tables.last().map_or(0, |t| t.nulls_base + t.chains),
            Some(base) => usize::try_from(*base.get_ref())
                .ok()
                .filter(|&b| b <= 1 << 30)
                .ok_or_else(|| {
                    reader.error(
                        base,
                        format!("nulls-base = {}: expected 0 to {}", base.get_ref(), 1 << 30),
                    )
                })?,
        };
        tables.push(TableSpec {
            lock: lock_of(reader, locks, &shape.lock, &shape.name, "table")?,
            name,
            chains,
            nulls_base,
        });
    }
    Ok(tables)
}

fn actors(
    reader: &Reader<'_>,
    shape: &Spanned<Vec<Spanned<ActorShape>>>,
    world: &WorldSpec,
    rust_actors: bool,
) -> Result<Vec<ActorSpec>, ScenarioError> {
    if shape.get_ref().is_empty() {
        return Err(reader.error(shape, "a scenario needs at least one [[actor]]"));
    }
    let names = unique(
        reader,
        shape.get_ref().iter().map(|a| &a.get_ref().name),
        "actor",
    )?;
    let list_names: Vec<String> = world.lists.iter().map(|l| l.name.clone()).collect();
    let lock_names: Vec<String> = world.locks.iter().map(|l| l.name.clone()).collect();
    let table_names: Vec<String> = world.tables.iter().map(|t| t.name.clone()).collect();
    let step_names = Names {
        lists: &list_names,
        locks: &lock_names,
        events: &world.events,
        tables: &table_names,
    };
    let mut actors = Vec::new();
    let mut signalled = vec![false; world.events.len()];
    let mut awaited: Vec<(usize, &Spanned<String>)> = Vec::new();
    for (actor, name) in shape.get_ref().iter().zip(names) {
        let (line, column) = line_column(reader.text, actor.span().start);
        let actor = actor.get_ref();
        let count = match &actor.count {
            None => None,
            Some(count) if usize::try_from(*count.get_ref()).is_ok_and(|n| COPIES.contains(&n)) => {
                Some(*count.get_ref() as usize)
            }
            Some(count) => {
                return Err(reader.error(
                    count,
                    format!(
                        "count = {}: expected {} to {} copies",
                        count.get_ref(),
                        COPIES.start(),
                        COPIES.end()
                    ),
                ))
            }
        };
        let mut bound: Vec<String> = Vec::new();
        let mut steps = Vec::new();
        for text in &actor.steps {
            let step = parse_step(text.get_ref(), &step_names)
                .map_err(|(offset, message)| reader.error_in_string(text, offset, message))?;
            for object in step.locals_used() {
                if !bound.iter().any(|b| b == object) {
                    return Err(reader.error_in_string(
                        text,
                        word_offset(text.get_ref(), object),
                        format!(
                            "object `{object}` is used before this actor binds it (expected an \
                             earlier `alloc {object}`, `walk LIST keep {object}` or `reap LIST \
                             into {object}` in actor `{name}`)"
                        ),
                    ));
                }
            }
            if let Step::ListSplice { from, to, .. } = step.unguarded().0 {
                let (from, to) = (&world.lists[*from], &world.lists[*to]);
                if from.link != to.link {
                    return Err(reader.error(
                        text,
                        format!(
                            "`list_splice` moves the entries of `{}` onto `{}`, whose entries use \
                             another link: declare both lists with one `link = \"NAME\"`",
                            from.name, to.name
                        ),
                    ));
                }
            }
            match &step {
                Step::Signal { event } => signalled[*event] = true,
                Step::Wait { event } => awaited.push((*event, text)),
                _ => {}
            }
            if let Some(object) = step.binds() {
                bound.push(object.to_string());
            }
            let (line, column) = line_column(reader.text, text.span().start);
            steps.push(Located {
                value: step,
                line,
                column,
            });
        }
        super::rcu_sections::check(reader, world, &name, &actor.steps, &steps)?;
        actors.push(ActorSpec {
            name,
            count,
            steps,
            rust: None,
            line,
            column,
        });
    }
    let unsignalled = awaited.iter().find(|(event, _)| !signalled[*event]);
    if let Some((event, text)) = unsignalled.filter(|_| !rust_actors) {
        return Err(reader.error(
            text,
            format!(
                "event `{}` is waited for but no actor signals it (expected a `signal {}` \
                 step): the wait would block forever",
                world.events[*event], world.events[*event]
            ),
        ));
    }
    Ok(actors)
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::language::Expected;
    use crate::test_util::scenario_file;

    #[test]
    fn a_file_becomes_its_world_actors_and_expectations() {
        let text = scenario_file(
            2,
            &["go"],
            &[
                ("owner", &["alloc s", "signal go", "free s"]),
                ("reader", &["wait go"]),
            ],
        );
        let scenario = parse("unit.toml", &text).expect("valid");
        assert_eq!(scenario.world.objects, 2);
        assert_eq!(scenario.world.lists[0].name, "registry");
        let names: Vec<&str> = scenario.actors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["owner", "reader"]);
        assert_eq!(scenario.actors[0].steps.len(), 3);
        assert_eq!(scenario.expect.all, Expected::Pass);
        assert!(scenario.world.checks.use_after_free && scenario.world.checks.leak);
    }

    #[test]
    fn numbers_out_of_their_range_are_errors_at_their_value() {
        let text = scenario_file(65, &[], &[("owner", &["alloc s", "free s"])]);
        assert_eq!(
            parse("unit.toml", &text).unwrap_err().to_string(),
            "unit.toml:5:11: objects = 65: expected 1 to 64 slab slots"
        );
        let text = scenario_file(1, &[], &[("owner", &["alloc s", "free s"])])
            .replace("name = \"owner\"", "name = \"owner\"\ncount = 65");
        assert_eq!(
            parse("unit.toml", &text).unwrap_err().to_string(),
            "unit.toml:12:9: count = 65: expected 1 to 64 copies"
        );
    }

    #[test]
    fn an_awaited_event_nobody_signals_is_refused() {
        let text = scenario_file(1, &["go"], &[("reader", &["wait go"])]);
        let error = parse("unit.toml", &text).unwrap_err().to_string();
        assert_eq!(
            error,
            "unit.toml:12:10: event `go` is waited for but no actor signals it (expected a \
             `signal go` step): the wait would block forever"
        );
    }

    #[test]
    fn debug_is_the_kernel_s_checks_and_walk_validation_is_declared_on_its_own() {
        let file = |mode: &str, checks: &str| {
            format!(
                "name = \"unit/w\"\nstory = \"x\"\n[world]\nobjects = 1\nchecks = [{checks}]\n\
                 lists = [{{ name = \"registry\", mode = \"{mode}\" }}]\n[[actor]]\n\
                 name = \"a\"\nsteps = [\"alloc s\", \"free s\"]\n[expect]\nall = \"pass\"\n"
            )
        };
        let mode = |text: &str| parse("unit.toml", text).expect("valid").world.lists[0].mode;
        use lifecycle_list::CheckMode;
        assert_eq!(mode(&file("debug", "")), CheckMode::DebugList);
        assert_eq!(
            mode(&file("debug", "\"walk-validation\"")),
            CheckMode::Checked
        );
        assert_eq!(
            parse("unit.toml", &file("raw", "\"walk-validation\""))
                .unwrap_err()
                .to_string(),
            "unit.toml:5:11: check `walk-validation` validates the walks of `debug` lists, and \
             no list has mode = \"debug\""
        );
    }

    #[test]
    fn diagnosis_pieces_are_kept_and_an_empty_one_is_refused() {
        let file = |pieces: &str| {
            format!(
                "name = \"unit/d\"\nstory = \"x\"\ndiagnosis = [{pieces}]\n[world]\nobjects = 1\n\
                 [[actor]]\nname = \"a\"\nsteps = [\"alloc s\", \"free s\"]\n[expect]\n\
                 all = \"pass\"\n"
            )
        };
        let scenario = parse("unit.toml", &file("\"the waits close\", \"step 4\"")).expect("valid");
        assert_eq!(scenario.expect.diagnosis, ["the waits close", "step 4"]);
        assert_eq!(
            parse("unit.toml", &file("\"ok\", \" \""))
                .unwrap_err()
                .to_string(),
            "unit.toml:3:20: an empty piece in `diagnosis`: each is text a finding's diagnosis \
             must contain"
        );
    }

    #[test]
    fn tables_get_their_chains_lock_and_markers_of_their_own() {
        let file = |tables: &str| {
            format!(
                "name = \"unit/t\"\nstory = \"x\"\n[world]\nobjects = 1\ntables = [{tables}]\n\
                 [[actor]]\nname = \"a\"\nsteps = [\"alloc s\", \"free s\"]\n[expect]\n\
                 all = \"pass\"\n"
            )
        };
        let scenario = parse(
            "unit.toml",
            &file("{ name = \"ehash\", chains = 4 }, { name = \"tw\", chains = 2 }"),
        )
        .expect("valid");
        let bases: Vec<(usize, usize)> = scenario
            .world
            .tables
            .iter()
            .map(|t| (t.chains, t.nulls_base))
            .collect();
        assert_eq!(bases, [(4, 0), (2, 4)], "tw's markers start past ehash's");
        assert_eq!(
            scenario.world.locks[0].name, "ehash",
            "the default lock is the table's"
        );
        assert_eq!(
            parse("unit.toml", &file("{ name = \"ehash\", chains = 0 }"))
                .unwrap_err()
                .to_string(),
            "unit.toml:5:38: chains = 0: expected 1 to 64 chains"
        );
        assert_eq!(
            parse(
                "unit.toml",
                &file("{ name = \"ehash\", chains = 2, lock = \"bucket\" }")
            )
            .unwrap_err()
            .to_string(),
            "unit.toml:5:48: unknown lock `bucket` (declared locks: ehash)"
        );
    }
}
