//! Call names as bandit sees them: `a.b.c` resolved through the import aliases seen so far
//! (`import subprocess as sp` makes `sp.call` into `subprocess.call`; `from os import system`
//! makes `system` into `os.system`), and literal arguments.

use std::collections::HashMap;

use crate::analyze::parse::ast::{self, Expr};

/// Import aliases, updated as the walk meets import statements (bandit's `import_aliases`).
#[derive(Debug, Default)]
pub struct Aliases {
    map: HashMap<String, String>,
    /// Modules imported exactly (bandit's `imports`), for rules that need the module present.
    pub imported: std::collections::HashSet<String>,
}

impl Aliases {
    pub fn record_import(&mut self, import: &ast::StmtImport) {
        for alias in &import.names {
            if let Some(asname) = &alias.asname {
                self.map.insert(asname.id.to_string(), alias.name.id.to_string());
            }
            self.imported.insert(alias.name.id.to_string());
        }
    }

    pub fn record_import_from(&mut self, import: &ast::StmtImportFrom) {
        let Some(module) = &import.module else {
            for alias in &import.names {
                if let Some(asname) = &alias.asname {
                    self.map.insert(asname.id.to_string(), alias.name.id.to_string());
                }
                self.imported.insert(alias.name.id.to_string());
            }
            return;
        };
        for alias in &import.names {
            let full = format!("{}.{}", module.id, alias.name.id);
            let key = alias.asname.as_ref().unwrap_or(&alias.name).id.to_string();
            self.map.insert(key, full.clone());
            self.imported.insert(full);
        }
    }

    /// bandit's `get_call_name`: the qualified name of what a call calls ("" when it is not a
    /// name or attribute chain).
    pub fn call_name(&self, call: &ast::ExprCall) -> String {
        match call.func.as_ref() {
            Expr::Name(name) => self.map.get(name.id.as_str()).cloned().unwrap_or_else(|| name.id.to_string()),
            Expr::Attribute(_) => self.attribute_name(&call.func),
            _ => String::new(),
        }
    }

    fn attribute_name(&self, expr: &Expr) -> String {
        match expr {
            Expr::Name(name) => self.map.get(name.id.as_str()).cloned().unwrap_or_else(|| name.id.to_string()),
            Expr::Attribute(attribute) => {
                let name = format!("{}.{}", self.attribute_name(&attribute.value), attribute.attr.id);
                self.map.get(&name).cloned().unwrap_or(name)
            }
            _ => String::new(),
        }
    }
}

/// The last component of what is called (bandit's `call_function_name`).
pub fn short_call_name(call: &ast::ExprCall) -> &str {
    match call.func.as_ref() {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.id.as_str(),
        _ => "",
    }
}

/// A keyword argument's value expression.
pub fn keyword<'a>(call: &'a ast::ExprCall, name: &str) -> Option<&'a Expr> {
    call.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == name)).map(|k| &k.value)
}

/// A literal as bandit's `_get_literal_value` renders it for comparisons: strings as
/// themselves, `True`/`False`/`None` by name, numbers as Python prints them.
pub fn literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::BooleanLiteral(b) => Some(if b.value { "True" } else { "False" }.to_string()),
        Expr::NoneLiteral(_) => Some("None".to_string()),
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => Some(i.to_string()),
            ast::Number::Float(f) => Some(f.to_string()),
            _ => None,
        },
        Expr::Name(name) => Some(name.id.to_string()),
        _ => None,
    }
}

/// An integer literal's value.
pub fn int_value(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::NumberLiteral(ast::ExprNumberLiteral { value: ast::Number::Int(i), .. }) => i.as_i64(),
        _ => None,
    }
}
