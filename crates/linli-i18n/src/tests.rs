use super::*;
use fluent_syntax::ast;
use linli_api::ipc::Delivery;
use linli_api::{ErrorCode, FieldErrorCode, Party, ReportStatus, Urgency};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Message id -> the variables it uses, for one language, from the syntax tree.
fn messages(language: Language) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for source in sources(language) {
        for shape in message_shapes(source.text) {
            let previous = out.insert(shape.id.clone(), shape.variables);
            assert!(
                previous.is_none(),
                "{}: message {} is defined twice",
                language.tag(),
                shape.id
            );
        }
    }
    out
}

#[test]
fn a_messages_shape_names_its_variables_and_whether_it_has_a_value() {
    let shapes = message_shapes(
        "a = x { $n } { $n ->\n    [one] { NUMBER($k) }\n   *[other] y\n}\nb =\n    .title = t { $m }\n",
    );
    let seen: Vec<(&str, Vec<&str>, bool)> = shapes
        .iter()
        .map(|s| {
            let vars = s.variables.iter().map(String::as_str).collect();
            (s.id.as_str(), vars, s.has_value)
        })
        .collect();
    assert_eq!(seen, [("a", vec!["k", "n"], true), ("b", vec!["m"], false)]);
}

#[test]
fn every_ftl_file_parses_without_errors() {
    for language in Language::ALL {
        for source in sources(language) {
            if let Err((_, errors)) = FluentResource::try_new(source.text.to_string()) {
                panic!(
                    "{}/{} does not parse: {errors:?}",
                    language.tag(),
                    source.file
                );
            }
        }
    }
}

#[test]
fn every_file_on_disk_is_embedded_and_every_language_has_a_folder() {
    let locales = repo_root().join("locales");
    let folders: BTreeSet<String> = std::fs::read_dir(&locales)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let tags: BTreeSet<String> = Language::ALL.iter().map(|l| l.tag().to_string()).collect();
    assert_eq!(
        folders, tags,
        "folders under locales/ and Language::ALL differ"
    );
    for language in Language::ALL {
        let on_disk: BTreeSet<String> = std::fs::read_dir(locales.join(language.tag()))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ftl"))
            .collect();
        let embedded: BTreeSet<String> = sources(language)
            .iter()
            .map(|s| s.file.to_string())
            .collect();
        assert_eq!(on_disk, embedded, "{}: files not embedded", language.tag());
    }
}

#[test]
fn every_language_has_the_same_messages_with_the_same_variables() {
    let reference = messages(Language::ZhCn);
    assert!(
        reference.len() > 50,
        "too few messages: {}",
        reference.len()
    );
    for language in Language::ALL {
        let other = messages(language);
        let missing: Vec<_> = reference
            .keys()
            .filter(|k| !other.contains_key(*k))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|k| !reference.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:?}, not in zh-CN {extra:?}",
            language.tag()
        );
        for (id, vars) in &reference {
            assert_eq!(
                vars,
                &other[id],
                "{}: message {id} uses different variables than zh-CN",
                language.tag()
            );
        }
    }
}

#[test]
fn every_message_formats_cleanly_with_its_variables() {
    for language in Language::ALL {
        let l10n = Localizer::new(language);
        for (id, vars) in messages(language) {
            // Numbers for every variable: plural selectors need them and text accepts them.
            for n in [0.0, 1.0, 2.0, 45.0] {
                let args: Vec<(&str, Arg)> =
                    vars.iter().map(|v| (v.as_str(), Arg::Num(n))).collect();
                let (text, errors) = l10n.format_checked(&id, &args).unwrap_or_else(|| {
                    panic!("{}: {id} has no value", language.tag());
                });
                assert_eq!(errors, 0, "{}: {id} formats with errors", language.tag());
                assert!(!text.trim().is_empty(), "{}: {id} is empty", language.tag());
                assert!(
                    !text.contains('\u{2068}') && !text.contains('\u{2069}'),
                    "{}: {id} has isolation marks",
                    language.tag()
                );
            }
        }
    }
}

#[test]
fn every_error_code_reads_in_every_language() {
    for language in Language::ALL {
        let l10n = Localizer::new(language);
        for code in ErrorCode::ALL {
            assert!(
                l10n.has(&code.message_id()),
                "{}: no {}",
                language.tag(),
                code.message_id()
            );
        }
        for code in FieldErrorCode::ALL {
            assert!(
                l10n.has(&code.message_id()),
                "{}: no {}",
                language.tag(),
                code.message_id()
            );
        }
    }
}

#[test]
fn limits_appear_in_the_field_errors_that_have_one() {
    let vars = messages(Language::ZhCn);
    for code in [
        FieldErrorCode::TooShort,
        FieldErrorCode::TooLong,
        FieldErrorCode::TooMany,
    ] {
        assert!(
            vars[&code.message_id()].contains("limit"),
            "{} does not say the limit",
            code.message_id()
        );
    }
    for language in Language::ALL {
        let text = Localizer::new(language).field_error(&FieldError::with_limit(
            "description",
            FieldErrorCode::TooLong,
            1000,
        ));
        assert!(text.contains("1000"), "{}: {text}", language.tag());
    }
}

#[test]
fn the_contracts_enums_have_words_in_every_language() {
    let deliveries = [
        Delivery::Draft,
        Delivery::Queued {
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
        },
        Delivery::Sending {
            sent_bytes: 1,
            total_bytes: 2,
        },
        Delivery::Delivered { number: 12 },
        Delivery::Rejected {
            error: ApiError::new(ErrorCode::Forbidden, ""),
        },
    ];
    for language in Language::ALL {
        let l10n = Localizer::new(language);
        let mut wanted: Vec<String> = Vec::new();
        wanted.extend(Urgency::ALL.iter().map(|u| ids::urgency(*u)));
        wanted.extend(Urgency::ALL.iter().map(|u| ids::urgency_hint(*u)));
        wanted.extend(ReportStatus::ALL.iter().map(|s| ids::status(*s)));
        wanted.extend(Party::ALL.iter().map(|p| ids::party(*p)));
        wanted.extend(deliveries.iter().map(|d| ids::delivery(d).to_string()));
        wanted.extend(Language::ALL.iter().map(|l| ids::language_name(*l)));
        wanted.extend(
            ids::NEXT_STEPS
                .iter()
                .map(|n| ids::next_step(*n).to_string()),
        );
        wanted.extend(ids::TIMELINE_KINDS.iter().map(|k| ids::timeline(*k)));
        wanted.extend(
            ids::EMERGENCY_SERVICES
                .iter()
                .map(|e| ids::emergency(*e).to_string()),
        );
        for id in wanted {
            assert!(l10n.has(&id), "{}: no {id}", language.tag());
        }
    }
}

/// Message ids written literally in the UI's source as `t("id")`, `tr("id")` or
/// `tr_with("id", ...)`.
fn ids_used_in_ui() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&repo_root().join("ui/src"), &mut files);
    let mut ids = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        ids.extend(literal_ids(&text));
    }
    ids
}

fn literal_ids(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in ["t(", "tr(", "tr_with("] {
        let mut rest = source;
        while let Some(at) = rest.find(call) {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + call.len()..];
            let is_call = !before.is_some_and(|c| c.is_alphanumeric() || c == '_');
            // rustfmt may put the id on the next line.
            let literal = after.trim_start().strip_prefix('"');
            if is_call
                && let Some(literal) = literal
                && let Some(end) = literal.find('"')
            {
                found.push(literal[..end].to_string());
            }
            rest = after;
        }
    }
    found
}

#[test]
fn the_scanner_finds_calls_and_ignores_lookalikes() {
    let found = literal_ids(
        r#"t("a-b") tr("c") tr_with("d", &[]) format("x") at("y") tr_with(
            "e",
        ) t(id) tr(&ids::status(s))"#,
    );
    assert_eq!(found, ["a-b", "c", "d", "e"]);
}

#[test]
fn every_message_the_ui_names_exists_in_every_language() {
    let used = ids_used_in_ui();
    assert!(used.len() > 40, "the scan found only {} ids", used.len());
    for language in Language::ALL {
        let l10n = Localizer::new(language);
        let missing: Vec<_> = used.iter().filter(|id| !l10n.has(id)).collect();
        assert!(
            missing.is_empty(),
            "{}: missing {missing:?}",
            language.tag()
        );
    }
}

/// The UI's sources that start-up runs: the frame, the gate, the components on the first
/// screens, and the first screens (sign-in and home).
const START_SCREENS: [&str; 6] = [
    "ui/src/lib.rs",
    "ui/src/state.rs",
    "ui/src/components.rs",
    "ui/src/pages/mod.rs",
    "ui/src/pages/sign_in.rs",
    "ui/src/pages/home.rs",
];

/// How many of a language's files start-up may parse (see [`Localizer`]): app, sign-in, home.
const START_FILES: usize = 3;

#[test]
fn the_first_screens_find_their_words_in_the_first_files() {
    let mut used = Vec::new();
    for file in START_SCREENS {
        let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
        used.extend(literal_ids(&text));
    }
    assert!(used.len() > 40, "the scan found only {} ids", used.len());
    for language in Language::ALL {
        assert_eq!(sources(language)[START_FILES - 1].file, "home.ftl");
        let l10n = Localizer::new(language);
        for id in &used {
            assert!(l10n.has(id), "{}: {id} is missing", language.tag());
            assert!(
                l10n.files_parsed() <= START_FILES,
                "{}: {id} is not in the first {START_FILES} files, so start-up parses more",
                language.tag()
            );
        }
    }
}

/// Messages and terms referred to in a Fluent file's messages, and the terms it defines
/// (as `term -name`).
fn references(source: &str) -> Vec<String> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(partial, _)| partial);
    let mut found = Vec::new();
    let mut refer = |i: &ast::InlineExpression<&str>| match i {
        ast::InlineExpression::MessageReference { id, .. } => found.push(id.name.to_string()),
        ast::InlineExpression::TermReference { id, .. } => found.push(format!("-{}", id.name)),
        _ => {}
    };
    let mut terms = Vec::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(m) => {
                if let Some(p) = &m.value {
                    syntax::each_inline(p, &mut refer);
                }
                for a in &m.attributes {
                    syntax::each_inline(&a.value, &mut refer);
                }
            }
            ast::Entry::Term(t) => terms.push(format!("term -{}", t.id.name)),
            _ => {}
        }
    }
    found.extend(terms);
    found
}

#[test]
fn messages_never_refer_to_other_messages_or_terms() {
    // Lazy parsing finds a message's own file only; a reference to a message or term in a
    // file not parsed yet would be formatted as an error.
    for language in Language::ALL {
        for source in sources(language) {
            let found = references(source.text);
            assert!(
                found.is_empty(),
                "{}/{}: references or terms {found:?}",
                language.tag(),
                source.file
            );
        }
    }
}

#[test]
fn the_reference_check_sees_references_and_terms() {
    let found = references(
        "a = x\nb = { a } and { -t }\nc = { $n ->\n    [one] { a }\n   *[other] y\n}\n-t = z\n",
    );
    assert_eq!(found, ["a", "-t", "a", "term -t"]);
}

#[test]
fn a_missing_id_comes_back_as_itself() {
    let l10n = Localizer::new(Language::En);
    assert_eq!(l10n.text("no-such-message"), "no-such-message");
    assert_eq!(l10n.format("no-such-message", &[]), None);
}

#[test]
fn files_are_parsed_only_as_far_as_the_messages_asked_for() {
    for language in Language::ALL {
        let l10n = Localizer::new(language);
        let files = sources(language);
        assert_eq!(
            l10n.files_parsed(),
            0,
            "{language:?}: nothing parsed before it is asked"
        );
        // The frame's words are in the first file, the home screen's in the third.
        assert_ne!(l10n.text("app-name"), "app-name");
        assert_eq!(l10n.files_parsed(), 1, "{language:?}");
        assert_ne!(
            l10n.text_with("home-greeting", &[("name", "X".into())]),
            "home-greeting"
        );
        assert_eq!(l10n.files_parsed(), 3, "{language:?}");
        // Asking again for a known message parses nothing more.
        assert_ne!(l10n.text("app-name"), "app-name");
        assert_eq!(l10n.files_parsed(), 3, "{language:?}");
        // The last file's messages are found, and an unknown id parses everything once.
        assert_ne!(l10n.text("board-no-data"), "board-no-data");
        assert_eq!(l10n.text("no-such-message"), "no-such-message");
        assert_eq!(l10n.files_parsed(), files.len(), "{language:?}");
        assert!(!l10n.has("no-such-message"));
    }
}

#[test]
fn plural_forms_follow_the_count() {
    let en = Localizer::new(Language::En);
    let one = en.text_with("sync-pending", &[("count", 1.into())]);
    let many = en.text_with("sync-pending", &[("count", 3.into())]);
    assert!(one.contains('1') && many.contains('3'), "{one} / {many}");
    assert_ne!(
        one.replace('1', ""),
        many.replace('3', ""),
        "English should say one item and items differently"
    );
    let zh = Localizer::new(Language::ZhCn);
    assert!(
        zh.text_with("sync-pending", &[("count", 3.into())])
            .contains('3')
    );
}

#[test]
fn errors_read_in_the_chosen_language_with_the_wait() {
    let mut e = ApiError::new(ErrorCode::RateLimited, "slow down");
    e.retry_after_seconds = Some(30);
    let zh = Localizer::new(Language::ZhCn).error(&e);
    let en = Localizer::new(Language::En).error(&e);
    assert!(zh.contains("30") && en.contains("30"), "{zh} / {en}");
    assert_ne!(zh, en);
    assert!(
        !zh.contains("slow down"),
        "the developer detail is not UI text"
    );
}

#[test]
fn date_times_use_the_local_offset() {
    let at = time::macros::datetime!(2025-11-29 10:04 UTC);
    let beijing = time::macros::offset!(+8);
    let zh = Localizer::new(Language::ZhCn).date_time(at, beijing);
    assert!(
        zh.contains("2025") && zh.contains("29") && zh.contains("18:04"),
        "{zh}"
    );
    let en = Localizer::new(Language::En).date_time(at, beijing);
    assert!(en.contains("Nov") && en.contains("18:04"), "{en}");
}

/// Found by fuzzing (`fuzz/`, target `fluent_arguments`): a moment at the very end of the
/// calendar, moved to the person's offset, fell outside it and panicked.
#[test]
fn moments_at_the_ends_of_the_calendar_show_without_a_panic() {
    let zh = Localizer::new(Language::ZhCn);
    let last = time::macros::datetime!(9999-12-31 23:58:59.999 UTC);
    let shown = zh.date_time(last, time::macros::offset!(+0:04:16));
    assert!(shown.contains("9999") && shown.contains("23:58"), "{shown}");
    let shown = zh.date_time(last, time::macros::offset!(+8));
    assert!(shown.contains("9999") && shown.contains("23:58"), "{shown}");
    // Where the offset works, it is used.
    let shown = zh.date_time(last, time::macros::offset!(-8));
    assert!(shown.contains("15:58"), "{shown}");
}

/// Characters that exist only in simplified writing, each common in our messages; their
/// traditional forms are 這報請設錄長輩發門為們過還東間動時沒頁網號碼數處寫個說對應開關選擇
/// 認證簡體轉讀. (里 is not among them: it is also the traditional 里 of 鄰里.)
const SIMPLIFIED_ONLY: &str =
    "这报请设录长辈发门为们过还东间动时没页网号码数处写个说对应开关选择认证简体转读";

#[test]
fn traditional_chinese_is_written_in_traditional_characters() {
    let zh_tw = messages(Language::ZhTw);
    let l10n = Localizer::new(Language::ZhTw);
    let mut offending = Vec::new();
    for (id, vars) in &zh_tw {
        // Each language is named in its own words: 简体中文 stays simplified everywhere.
        if id == &ids::language_name(Language::ZhCn) {
            continue;
        }
        let args: Vec<(&str, Arg)> = vars.iter().map(|v| (v.as_str(), Arg::Num(2.0))).collect();
        let text = l10n.text_with(id, &args);
        let found: String = text
            .chars()
            .filter(|c| SIMPLIFIED_ONLY.contains(*c))
            .collect();
        if !found.is_empty() {
            offending.push(format!("{id}: {found}"));
        }
    }
    assert!(
        offending.is_empty(),
        "simplified characters in zh-TW: {offending:?}"
    );
    // The check itself: the simplified files do use these characters.
    let zh_cn = Localizer::new(Language::ZhCn);
    assert!(
        zh_cn
            .text("settings-elderly-label")
            .chars()
            .any(|c| SIMPLIFIED_ONLY.contains(c)),
        "the simplified-only list no longer catches 长辈版"
    );
    assert_eq!(l10n.text("settings-elderly-label"), "長輩版");
}

#[test]
fn every_language_is_named_the_same_in_every_language() {
    for language in Language::ALL {
        let id = ids::language_name(language);
        let names: BTreeSet<String> = Language::ALL
            .iter()
            .map(|l| Localizer::new(*l).text(&id))
            .collect();
        assert_eq!(names.len(), 1, "{id} differs between languages: {names:?}");
    }
}

#[test]
fn traditional_chinese_has_its_own_words_and_plural_forms() {
    let zh_tw = Localizer::new(Language::ZhTw);
    let zh_cn = Localizer::new(Language::ZhCn);
    assert_eq!(zh_tw.language(), Language::ZhTw);
    assert_ne!(zh_tw.text("tile-report"), zh_cn.text("tile-report"));
    assert_eq!(
        zh_tw.text_with("delivery-delivered", &[("number", 12.into())]),
        "已收到，編號 #12"
    );
    assert_eq!(
        zh_tw.text_with("sync-pending", &[("count", 0.into())]),
        "全部已送出"
    );
    assert!(
        zh_tw
            .text_with("sync-pending", &[("count", 3.into())])
            .contains('3')
    );
    let at = time::macros::datetime!(2025-11-29 10:04 UTC);
    let taipei = time::macros::offset!(+8);
    assert_eq!(zh_tw.date_time(at, taipei), "2025年11月29日 18:04");
}
