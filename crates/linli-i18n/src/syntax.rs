//! What the messages' syntax says about them: the arguments each one takes.

use fluent_syntax::ast;
use std::collections::BTreeSet;

/// One message as its file writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageShape {
    /// Its id.
    pub id: String,
    /// The variables its value and attributes use (`$name` is `name`): the arguments a caller
    /// gives it.
    pub variables: BTreeSet<String>,
    /// Whether it has a value (a message with attributes only formats to nothing).
    pub has_value: bool,
}

/// Every message of one Fluent file, in order, with the arguments it takes: for tests and tools
/// that must format each message fully (the i18n tests, the Fluent fuzz target). A file with a
/// syntax error gives the messages that parsed.
pub fn message_shapes(text: &str) -> Vec<MessageShape> {
    let resource = fluent_syntax::parser::parse(text).unwrap_or_else(|(partial, _)| partial);
    let mut shapes = Vec::new();
    for entry in &resource.body {
        if let ast::Entry::Message(m) = entry {
            let mut variables = BTreeSet::new();
            let mut note = |i: &ast::InlineExpression<&str>| {
                if let ast::InlineExpression::VariableReference { id } = i {
                    variables.insert(id.name.to_string());
                }
            };
            if let Some(p) = &m.value {
                each_inline(p, &mut note);
            }
            for a in &m.attributes {
                each_inline(&a.value, &mut note);
            }
            shapes.push(MessageShape {
                id: m.id.name.to_string(),
                variables,
                has_value: m.value.is_some(),
            });
        }
    }
    shapes
}

/// Calls `visit` with every inline expression in a pattern, nested ones included (in
/// placeables, selectors, variants and function arguments).
pub(crate) fn each_inline<'s>(
    p: &ast::Pattern<&'s str>,
    visit: &mut impl FnMut(&ast::InlineExpression<&'s str>),
) {
    fn expression<'s>(
        e: &ast::Expression<&'s str>,
        visit: &mut impl FnMut(&ast::InlineExpression<&'s str>),
    ) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline(selector, visit);
                for v in variants {
                    each_inline(&v.value, visit);
                }
            }
            ast::Expression::Inline(i) => inline(i, visit),
        }
    }
    fn inline<'s>(
        i: &ast::InlineExpression<&'s str>,
        visit: &mut impl FnMut(&ast::InlineExpression<&'s str>),
    ) {
        visit(i);
        match i {
            ast::InlineExpression::Placeable { expression: e } => expression(e, visit),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, visit);
                }
                for a in &arguments.named {
                    inline(&a.value, visit);
                }
            }
            _ => {}
        }
    }
    for element in &p.elements {
        if let ast::PatternElement::Placeable { expression: e } = element {
            expression(e, visit);
        }
    }
}
