//! The walk that runs every security test over a module, and bandit's plugin tests: B101
//! assert, B102 exec, B103 chmod, B104 bind all interfaces, B108 /tmp, B110/B112 try-except-
//! pass/continue, B113 requests without timeout, B201 flask debug, B324 weak hashlib hashes,
//! B502–B504 SSL/TLS versions (`tls`), B505 weak keys (`crypto_keys`), B610/B611 Django SQL (`django`), B506 yaml.load, B202/B507/B612/B614/B704 (`library_calls`),
//! B602–B607 processes and shells. Severities, confidences, CWEs and texts are bandit 1.9's.

use std::collections::HashSet;

use ruff_text_size::{Ranged, TextSize};

use super::blacklist;
use super::context::{self, Aliases};
use super::crypto_keys;
use super::django;
use super::django_xss;
use super::library_calls;
use super::passwords;
use super::sql;
use super::tls;
use crate::analyze::parse::ast::{self, visitor, Expr, Stmt};
use crate::analyze::parse::ParsedModule;
use crate::analyze::report::{Finding, Level};

/// Every plugin test loupe implements: (id, bandit's test name, CWE).
pub const PLUGIN_TESTS: &[(&str, &str, u32)] = &[
    ("B101", "assert_used", 703),
    ("B102", "exec_used", 78),
    ("B103", "set_bad_file_permissions", 732),
    ("B104", "hardcoded_bind_all_interfaces", 605),
    ("B105", "hardcoded_password_string", 259),
    ("B106", "hardcoded_password_funcarg", 259),
    ("B107", "hardcoded_password_default", 259),
    ("B108", "hardcoded_tmp_directory", 377),
    ("B110", "try_except_pass", 703),
    ("B112", "try_except_continue", 703),
    ("B113", "request_without_timeout", 400),
    ("B201", "flask_debug_true", 94),
    ("B202", "tarfile_unsafe_members", 22),
    ("B324", "hashlib", 327),
    ("B501", "request_with_no_cert_validation", 295),
    ("B502", "ssl_with_bad_version", 327),
    ("B503", "ssl_with_bad_defaults", 327),
    ("B504", "ssl_with_no_version", 327),
    ("B505", "weak_cryptographic_key", 326),
    ("B506", "yaml_load", 20),
    ("B507", "ssh_no_host_key_verification", 295),
    ("B602", "subprocess_popen_with_shell_equals_true", 78),
    ("B603", "subprocess_without_shell_equals_true", 78),
    ("B604", "any_other_function_with_shell_equals_true", 78),
    ("B605", "start_process_with_a_shell", 78),
    ("B606", "start_process_with_no_shell", 78),
    ("B607", "start_process_with_partial_path", 78),
    ("B608", "hardcoded_sql_expressions", 89),
    ("B609", "linux_commands_wildcard_injection", 155),
    ("B610", "django_extra_used", 89),
    ("B611", "django_rawsql_used", 89),
    ("B612", "logging_config_insecure_listen", 94),
    ("B613", "trojansource", 838),
    ("B614", "pytorch_load", 502),
    ("B701", "jinja2_autoescape_false", 94),
    ("B702", "use_of_mako_templates", 80),
    ("B703", "django_mark_safe", 80),
    ("B704", "markupsafe_markup_xss", 79),
];

const SUBPROCESS: &[&str] =
    &["subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"];
const SHELL: &[&str] = &[
    "os.system",
    "os.popen",
    "os.popen2",
    "os.popen3",
    "os.popen4",
    "popen2.popen2",
    "popen2.popen3",
    "popen2.popen4",
    "popen2.Popen3",
    "popen2.Popen4",
    "commands.getoutput",
    "commands.getstatusoutput",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
];
const NO_SHELL: &[&str] = &[
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execlpe",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.execvpe",
    "os.spawnl",
    "os.spawnle",
    "os.spawnlp",
    "os.spawnlpe",
    "os.spawnv",
    "os.spawnve",
    "os.spawnvp",
    "os.spawnvpe",
    "os.startfile",
];

struct Walker<'p, 's> {
    parsed: &'p ParsedModule<'s>,
    aliases: Aliases,
    findings: Vec<Finding>,
    /// B608 needs parents, which the visitor does not give: nodes (by address) that are
    /// operands of a binary operator, positional arguments of an `execute` call, and
    /// `"...".format` attributes already checked as part of their call.
    binop_operands: HashSet<usize>,
    execute_arguments: HashSet<usize>,
    checked_format_attributes: HashSet<usize>,
    /// The (non-async) functions around the node being visited: B703 looks back through the
    /// innermost one, or the module, as bandit does.
    functions: Vec<&'p ast::StmtFunctionDef>,
}

fn address(expr: &Expr) -> usize {
    expr as *const Expr as usize
}

/// Runs every test over the module.
pub fn run(parsed: &ParsedModule<'_>) -> Vec<Finding> {
    let mut walker = Walker {
        parsed,
        aliases: Aliases::default(),
        findings: Vec::new(),
        binop_operands: HashSet::new(),
        execute_arguments: HashSet::new(),
        checked_format_attributes: HashSet::new(),
        functions: Vec::new(),
    };
    for stmt in &parsed.module.body {
        visitor::Visitor::visit_stmt(&mut walker, stmt);
    }
    walker.findings
}

/// Which bandit test a finding is, as bandit states it: id, name, severity, confidence, CWE.
#[derive(Debug, Clone, Copy)]
pub(super) struct Test(pub &'static str, pub &'static str, pub Level, pub Level, pub u32);

impl Walker<'_, '_> {
    fn position(&self, offset: TextSize) -> (usize, usize) {
        let (line, column) = self.parsed.lines.line_column(self.parsed.source, offset.to_usize());
        (line, column - 1)
    }

    fn report(&mut self, at: TextSize, test: Test, message: String) {
        self.report_split(at, at, test, message);
    }

    /// Reports an import of a blacklisted module (`module`, named `shown` in the message, as
    /// bandit does); bandit reports one per statement, so the caller stops at the first.
    fn blacklisted_import(&mut self, at: TextSize, module: &str, shown: &str) -> bool {
        let Some(rule) = blacklist::import_rule(module) else { return false };
        self.report(at, Test(rule.id, rule.name, rule.severity, Level::High, rule.cwe), rule.message_for(shown));
        true
    }

    /// bandit reports some call findings on the line of an argument but the call's column.
    fn report_split(&mut self, line_at: TextSize, at: TextSize, test: Test, message: String) {
        let (line, _) = self.position(line_at);
        let (_, column) = self.position(at);
        let Test(test_id, test_name, severity, confidence, cwe) = test;
        self.findings.push(Finding { test_id, test_name, line, column, severity, confidence, cwe, message });
    }

    fn string_constant(&mut self, value: &str, at: TextSize) {
        if value == "0.0.0.0" {
            self.report(
                at,
                Test("B104", "hardcoded_bind_all_interfaces", Level::Medium, Level::Medium, 605),
                "Possible binding to all interfaces.".into(),
            );
        }
        if ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|d| value.starts_with(d)) {
            self.report(
                at,
                Test("B108", "hardcoded_tmp_directory", Level::Medium, Level::Medium, 377),
                "Probable insecure usage of temp file/directory.".into(),
            );
        }
    }

    fn call(&mut self, call: &ast::ExprCall) {
        let at = call.start();
        let qualified = self.aliases.call_name(call);
        let short = context::short_call_name(call);
        // Blacklists: `__import__('x')` and `importlib.import_module('x')` are checked by module.
        let blacklist_name = if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "__import__") {
            Some(match call.arguments.args.first() {
                Some(Expr::StringLiteral(s)) => s.value.to_str().to_string(),
                Some(_) => "UNKNOWN".to_string(),
                None => String::new(),
            })
        } else if qualified == "importlib.import_module" || qualified == "importlib.__import__" {
            call.arguments.args.first().or_else(|| context::keyword(call, "name")).and_then(context::literal)
        } else {
            Some(qualified.clone())
        };
        if let Some(rule) = blacklist_name.as_deref().and_then(blacklist::call_rule) {
            let name = blacklist_name.clone().unwrap_or_default();
            self.report(at, Test(rule.id, rule.name, rule.severity, Level::High, rule.cwe), rule.message_for(&name));
        }
        for keyword in &call.arguments.keywords {
            let named = keyword.arg.as_ref().is_some_and(|a| passwords::is_candidate(a.id.as_str()));
            if let (true, Expr::StringLiteral(s)) = (named, &keyword.value) {
                let message = passwords::message(s.value.to_str());
                self.report_split(
                    s.start(),
                    at,
                    Test("B106", "hardcoded_password_funcarg", Level::Low, Level::Medium, 259),
                    message,
                );
                break;
            }
        }
        if qualified == "exec" {
            self.report(at, Test("B102", "exec_used", Level::Medium, Level::High, 78), "Use of exec detected.".into());
        }
        self.chmod(call, short);
        self.requests_timeout(call, &qualified, short);
        self.hashlib(call, &qualified);
        self.templates(call, &qualified);
        self.yaml_load(call, &qualified);
        self.processes(call, &qualified);
        let tls = tls::call(call, &qualified).map(|(line_at, test, message)| (line_at, test, message.to_string()));
        for (line_at, test, message) in
            tls.into_iter().chain(library_calls::check(call, &qualified, short, &self.aliases))
        {
            self.report_split(line_at, at, test, message);
        }
        self.flask_debug(call, &qualified);
        if let Some((test, message)) = crypto_keys::check(call, &qualified) {
            self.report(at, test, message);
        }
        if let Some((test, message)) = django::check(call, short, &self.aliases) {
            self.report(at, test, message.into());
        }
        self.mark_safe(call, &qualified);
    }

    /// B703, in the innermost function (or the module) around the call.
    fn mark_safe(&mut self, call: &ast::ExprCall, qualified: &str) {
        let short = qualified.rsplit('.').next().unwrap_or_default();
        let imported = self.aliases.imported.iter().any(|m| m.contains("django.utils.safestring"));
        let scope = match self.functions.last() {
            Some(def) => django_xss::Scope::Function(def),
            None => django_xss::Scope::Module(&self.parsed.module.body),
        };
        let line_of = |at: TextSize| self.position(at).0;
        let lines = django_xss::Lines { line_of: &line_of };
        if let Some((test, message)) = django_xss::check(call, short, imported, scope, &lines) {
            self.report(call.start(), test, message.into());
        }
    }

    /// B201: `app.run(debug=True)` in a module that imports flask.
    fn flask_debug(&mut self, call: &ast::ExprCall, qualified: &str) {
        if !qualified.ends_with(".run") || !self.aliases.imported.iter().any(|m| m.contains("flask")) {
            return;
        }
        let Some(debug) = context::keyword(call, "debug") else { return };
        if context::literal(debug).as_deref() == Some("True") {
            let message = "A Flask app appears to be run with debug=True, which exposes the Werkzeug debugger and \
                           allows the execution of arbitrary code.";
            self.report_split(
                debug.start(),
                call.start(),
                Test("B201", "flask_debug_true", Level::High, Level::Medium, 94),
                message.into(),
            );
        }
    }

    fn chmod(&mut self, call: &ast::ExprCall, short: &str) {
        if !short.contains("chmod") || call.arguments.args.len() + call.arguments.keywords.len() != 2 {
            return;
        }
        let Some(mode) = call.arguments.args.get(1).and_then(context::int_value) else { return };
        let dangerous = mode & 0o002 != 0 || mode & 0o020 != 0 || mode & 0o010 != 0 || mode & 0o001 != 0;
        if !dangerous {
            return;
        }
        let severity = if mode & 0o002 != 0 { Level::High } else { Level::Medium };
        let file = call.arguments.args.first().and_then(context::literal).unwrap_or_else(|| "NOT PARSED".into());
        self.report(
            call.start(),
            Test("B103", "set_bad_file_permissions", severity, Level::High, 732),
            format!("Chmod setting a permissive mask 0o{mode:o} on file ({file})."),
        );
    }

    fn requests_timeout(&mut self, call: &ast::ExprCall, qualified: &str, short: &str) {
        const VERBS: &[&str] = &["get", "options", "head", "post", "put", "patch", "delete"];
        const HTTPX: &[&str] = &["request", "stream", "Client", "AsyncClient"];
        let module = qualified.split('.').next().unwrap_or("");
        let timeout = context::keyword(call, "timeout");
        let requests_verb = module == "requests" && VERBS.contains(&short);
        if requests_verb && timeout.is_none() {
            let message = format!("Call to {module} without timeout");
            self.report(call.start(), Test("B113", "request_without_timeout", Level::Medium, Level::Low, 400), message);
            return;
        }
        let httpx = module == "httpx" && (VERBS.contains(&short) || HTTPX.contains(&short));
        if let (true, Some(Expr::BooleanLiteral(verify))) = (requests_verb || httpx, context::keyword(call, "verify")) {
            if !verify.value {
                let message =
                    format!("Call to {module} with verify=False disabling SSL certificate checks, security issue.");
                let at = verify.start();
                self.report_split(
                    at,
                    call.start(),
                    Test("B501", "request_with_no_cert_validation", Level::High, Level::High, 295),
                    message,
                );
            }
        }
        if (requests_verb || httpx) && timeout.is_some_and(|t| matches!(t, Expr::NoneLiteral(_))) {
            let message = format!("Call to {module} with timeout set to None");
            self.report(call.start(), Test("B113", "request_without_timeout", Level::Medium, Level::Low, 400), message);
        }
    }

    fn hashlib(&mut self, call: &ast::ExprCall, qualified: &str) {
        const WEAK: &[&str] = &["md4", "md5", "sha", "sha1"];
        let parts: Vec<&str> = qualified.split('.').collect();
        if !parts.contains(&"hashlib") {
            if parts.contains(&"crypt") {
                self.weak_crypt(call, parts.last().copied().unwrap_or(""));
            }
            return;
        }
        let for_security =
            context::keyword(call, "usedforsecurity").and_then(context::literal).is_none_or(|v| v == "True");
        let func = parts.last().copied().unwrap_or("");
        let weak = if WEAK.contains(&func) {
            Some(func.to_string())
        } else if func == "new" {
            let name = call.arguments.args.first().or_else(|| context::keyword(call, "name"));
            match name {
                Some(Expr::StringLiteral(s)) if WEAK.contains(&s.value.to_str().to_lowercase().as_str()) => {
                    Some(s.value.to_str().to_string())
                }
                _ => None,
            }
        } else {
            None
        };
        if let (Some(name), true) = (weak, for_security) {
            let message =
                format!("Use of weak {} hash for security. Consider usedforsecurity=False", name.to_uppercase());
            self.report(call.start(), Test("B324", "hashlib", Level::High, Level::High, 327), message);
        }
    }

    /// B701 (jinja2 `Environment` without autoescaping) and B702 (any mako `Template`). Only
    /// the call's own keywords are read (bandit walks nested calls' keywords too).
    fn templates(&mut self, call: &ast::ExprCall, qualified: &str) {
        let parts: Vec<&str> = qualified.split('.').collect();
        let func = parts.last().copied().unwrap_or("");
        if parts.contains(&"mako") && func == "Template" {
            let message = "Mako templates allow HTML/JS rendering by default and are inherently open to XSS attacks. Ensure variables in all templates are properly sanitized via the 'n', 'h' or 'x' flags (depending on context). For example, to HTML escape the variable 'data' do ${ data |h }.";
            self.report(
                call.start(),
                Test("B702", "use_of_mako_templates", Level::Medium, Level::High, 80),
                message.into(),
            );
        }
        if !(parts.contains(&"jinja2") && func == "Environment") {
            return;
        }
        let (confidence, message) = match context::keyword(call, "autoescape") {
            Some(Expr::BooleanLiteral(b)) if b.value => return,
            Some(Expr::Name(n)) if n.id.as_str() == "True" => return,
            Some(Expr::Call(c)) if context::short_call_name(c) == "select_autoescape" => return,
            Some(Expr::BooleanLiteral(_)) => (Level::High, "Using jinja2 templates with autoescape=False is dangerous and can lead to XSS. Use autoescape=True or use the select_autoescape function to mitigate XSS vulnerabilities."),
            Some(_) => (Level::Medium, "Using jinja2 templates with autoescape=False is dangerous and can lead to XSS. Ensure autoescape=True or use the select_autoescape function to mitigate XSS vulnerabilities."),
            None => (Level::High, "By default, jinja2 sets autoescape to False. Consider using autoescape=True or use the select_autoescape function to mitigate XSS vulnerabilities."),
        };
        self.report(call.start(), Test("B701", "jinja2_autoescape_false", Level::High, confidence, 94), message.into());
    }

    /// B324's `crypt` half: `crypt.crypt(word, salt)` and `crypt.mksalt(method)` with a weak
    /// method constant (bandit reads an attribute argument as its attribute name).
    fn weak_crypt(&mut self, call: &ast::ExprCall, func: &str) {
        const WEAK: &[&str] = &["METHOD_CRYPT", "METHOD_MD5", "METHOD_BLOWFISH"];
        let argument = match func {
            "crypt" => call.arguments.args.get(1).or_else(|| context::keyword(call, "salt")),
            "mksalt" => call.arguments.args.first().or_else(|| context::keyword(call, "method")),
            _ => return,
        };
        let name = match argument {
            Some(Expr::Attribute(a)) => a.attr.id.to_string(),
            Some(other) => context::literal(other).unwrap_or_default(),
            None => return,
        };
        if WEAK.contains(&name.as_str()) {
            let message = format!("Use of insecure crypt.{} hash function.", name.to_uppercase());
            self.report(call.start(), Test("B324", "hashlib", Level::Medium, Level::High, 327), message);
        }
    }

    fn yaml_load(&mut self, call: &ast::ExprCall, qualified: &str) {
        let parts: Vec<&str> = qualified.split('.').collect();
        if !self.aliases.imported.contains("yaml") || !parts.contains(&"yaml") || parts.last() != Some(&"load") {
            return;
        }
        let safe = |e: Option<&Expr>| {
            e.and_then(context::literal).is_some_and(|v| v == "SafeLoader" || v == "CSafeLoader")
                || matches!(e, Some(Expr::Attribute(a)) if matches!(a.attr.id.as_str(), "SafeLoader" | "CSafeLoader"))
        };
        if safe(context::keyword(call, "Loader")) || safe(call.arguments.args.get(1)) {
            return;
        }
        let message = "Use of unsafe yaml load. Allows instantiation of arbitrary objects. Consider yaml.safe_load().";
        self.report(call.start(), Test("B506", "yaml_load", Level::Medium, Level::High, 20), message.into());
    }

    fn processes(&mut self, call: &ast::ExprCall, qualified: &str) {
        let q = qualified;
        let shell_keyword =
            call.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "shell"));
        let shell_at = shell_keyword.map(|k| k.value.start()).unwrap_or(call.start());
        let has_shell = shell_keyword.is_some_and(|k| shell_is_true(&k.value));
        let first_is_literal = matches!(call.arguments.args.first(), Some(Expr::StringLiteral(_)));
        let has_args = !call.arguments.args.is_empty();
        if SUBPROCESS.contains(&q) {
            if has_shell && has_args {
                // A literal command is bandit's "seems safe": same test, low severity.
                let (severity, message) = if first_is_literal {
                    (Level::Low, "subprocess call with shell=True seems safe, but may be changed in the future, consider rewriting without shell")
                } else {
                    (Level::High, "subprocess call with shell=True identified, security issue.")
                };
                self.report_split(
                    shell_at,
                    call.start(),
                    Test("B602", "subprocess_popen_with_shell_equals_true", severity, Level::High, 78),
                    message.into(),
                );
            } else if !has_shell {
                let message = "subprocess call - check for execution of untrusted input.";
                self.report_split(
                    shell_at,
                    call.start(),
                    Test("B603", "subprocess_without_shell_equals_true", Level::Low, Level::High, 78),
                    message.into(),
                );
            }
        } else if has_shell {
            let message = "Function call with shell=True parameter identified, possible security issue.";
            self.report_split(
                shell_at,
                call.start(),
                Test("B604", "any_other_function_with_shell_equals_true", Level::Medium, Level::Low, 78),
                message.into(),
            );
        }
        if SHELL.contains(&q) && has_args {
            let (severity, message) = if first_is_literal {
                (Level::Low, "Starting a process with a shell: Seems safe, but may be changed in the future, consider rewriting without shell")
            } else {
                (Level::High, "Starting a process with a shell, possible injection detected, security issue.")
            };
            self.report(
                call.start(),
                Test("B605", "start_process_with_a_shell", severity, Level::High, 78),
                message.into(),
            );
        }
        let shell_true = matches!(shell_keyword.map(|k| &k.value), Some(Expr::BooleanLiteral(b)) if b.value);
        if (SHELL.contains(&q) || (SUBPROCESS.contains(&q) && shell_true)) && has_args {
            let command = match &call.arguments.args[0] {
                Expr::StringLiteral(s) => s.value.to_str().to_string(),
                Expr::List(list) => list
                    .elts
                    .iter()
                    .map(|e| {
                        format!(
                            " {}",
                            context::literal(e)
                                .filter(|_| !matches!(e, Expr::Name(_)))
                                .unwrap_or_else(|| "None".into())
                        )
                    })
                    .collect(),
                _ => String::new(),
            };
            let wildcard =
                command.contains('*') && ["chown", "chmod", "tar", "rsync"].iter().any(|f| command.contains(f));
            if wildcard {
                let message = format!("Possible wildcard injection in call: {q}");
                self.report_split(
                    shell_at,
                    call.start(),
                    Test("B609", "linux_commands_wildcard_injection", Level::High, Level::Medium, 155),
                    message,
                );
            }
        }
        if NO_SHELL.contains(&q) {
            let message = "Starting a process without a shell.";
            self.report(
                call.start(),
                Test("B606", "start_process_with_no_shell", Level::Low, Level::Medium, 78),
                message.into(),
            );
        }
        if has_args && (SUBPROCESS.contains(&q) || SHELL.contains(&q) || NO_SHELL.contains(&q)) {
            let mut first = &call.arguments.args[0];
            if let Expr::List(list) = first {
                if let Some(element) = list.elts.first() {
                    first = element;
                }
            }
            if let Expr::StringLiteral(s) = first {
                let value = s.value.to_str();
                let full_path = value.starts_with(['\\', '/', '.'])
                    || (value.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && value[1..].starts_with(':'));
                if !full_path {
                    let message = "Starting a process with a partial executable path";
                    self.report(
                        call.start(),
                        Test("B607", "start_process_with_partial_path", Level::Low, Level::High, 78),
                        message.into(),
                    );
                }
            }
        }
    }

    fn sql(&mut self, at: TextSize, statement: &str, execute_call: bool, str_replace: bool) {
        if sql::looks_like_sql(statement) {
            let confidence = if execute_call && !str_replace { Level::Medium } else { Level::Low };
            let message = "Possible SQL injection vector through string-based query construction.";
            self.report(at, Test("B608", "hardcoded_sql_expressions", Level::Medium, confidence, 89), message.into());
        }
    }

    /// B608 for the expressions whose parent bandit looks at.
    fn sql_expression(&mut self, expr: &Expr) {
        match expr {
            Expr::BinOp(binop) => {
                if !self.binop_operands.contains(&address(expr)) {
                    let wrapped = self.execute_arguments.contains(&address(expr));
                    for (literal, statement) in sql::binop_statements(expr) {
                        self.sql(literal.start(), &statement, wrapped, false);
                    }
                }
                for operand in [binop.left.as_ref(), binop.right.as_ref()] {
                    self.binop_operands.insert(address(operand));
                }
            }
            Expr::Call(call) => {
                if matches!(context::short_call_name(call), "execute" | "executemany") {
                    for argument in call.arguments.args.iter() {
                        self.execute_arguments.insert(address(argument));
                    }
                }
                if let Expr::Attribute(attribute) = call.func.as_ref() {
                    if let (Expr::StringLiteral(s), "format" | "replace") =
                        (attribute.value.as_ref(), attribute.attr.id.as_str())
                    {
                        self.checked_format_attributes.insert(address(&call.func));
                        let wrapped = self.execute_arguments.contains(&address(expr));
                        self.sql(s.start(), s.value.to_str(), wrapped, attribute.attr.id.as_str() == "replace");
                    }
                }
            }
            Expr::Attribute(attribute) if !self.checked_format_attributes.contains(&address(expr)) => {
                if let (Expr::StringLiteral(s), "format" | "replace") =
                    (attribute.value.as_ref(), attribute.attr.id.as_str())
                {
                    self.sql(s.start(), s.value.to_str(), false, attribute.attr.id.as_str() == "replace");
                }
            }
            Expr::FString(fstring) => {
                if let Some(statement) = sql::fstring_literals(fstring) {
                    let wrapped = self.execute_arguments.contains(&address(expr));
                    self.sql(fstring.start(), &statement, wrapped, false);
                }
            }
            _ => {}
        }
    }

    fn password_string(&mut self, at: TextSize, value: String) {
        self.report(
            at,
            Test("B105", "hardcoded_password_string", Level::Low, Level::Medium, 259),
            passwords::message(&value),
        );
    }

    /// B105 seen from the parent of the string: assignments, dict keys, subscript keys and
    /// comparisons.
    fn password_parents(&mut self, stmt: &Stmt) {
        let Stmt::Assign(assign) = stmt else { return };
        if let Expr::StringLiteral(value) = assign.value.as_ref() {
            let named = assign.targets.iter().any(|t| match t {
                Expr::Name(n) => passwords::is_candidate(n.id.as_str()),
                Expr::Attribute(a) => passwords::is_candidate(a.attr.id.as_str()),
                _ => false,
            });
            if named {
                self.password_string(value.start(), value.value.to_str().to_string());
            }
            for target in &assign.targets {
                if let Expr::Subscript(subscript) = target {
                    if let Expr::StringLiteral(key) = subscript.slice.as_ref() {
                        if passwords::is_candidate(key.value.to_str()) {
                            self.password_string(key.start(), value.value.to_str().to_string());
                        }
                    }
                }
            }
        }
    }

    /// Where bandit places a finding on a function: the `def` line's first column.
    fn def_position(&self, def: &ast::StmtFunctionDef) -> TextSize {
        let line_start = self.parsed.lines.line_start(self.parsed.lines.line(def.name.start().to_usize()));
        let indent = self.parsed.source[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').count();
        TextSize::try_from(line_start + indent).unwrap_or(def.name.start())
    }

    fn password_default(&mut self, def: &ast::StmtFunctionDef) {
        if def.is_async {
            return; // bandit checks FunctionDef nodes only
        }
        for (name, default) in passwords::defaults_of(&def.parameters) {
            if let (true, Expr::StringLiteral(s)) = (passwords::is_candidate(name), default) {
                let at = self.def_position(def);
                let message = passwords::message(s.value.to_str());
                self.report(at, Test("B107", "hardcoded_password_default", Level::Low, Level::Medium, 259), message);
                return;
            }
        }
    }

    fn except_handler(&mut self, handler: &ast::ExceptHandlerExceptHandler) {
        if handler.body.len() != 1 {
            return;
        }
        let typed_other = match handler.type_.as_deref() {
            None => false,
            Some(Expr::Name(name)) => name.id.as_str() != "Exception",
            Some(_) => true,
        };
        if typed_other {
            return;
        }
        let at = handler.start();
        match &handler.body[0] {
            Stmt::Pass(_) => self.report(
                at,
                Test("B110", "try_except_pass", Level::Low, Level::High, 703),
                "Try, Except, Pass detected.".into(),
            ),
            Stmt::Continue(_) => self.report(
                at,
                Test("B112", "try_except_continue", Level::Low, Level::High, 703),
                "Try, Except, Continue detected.".into(),
            ),
            _ => {}
        }
    }
}

/// bandit's `has_shell`: a literal false value, an empty list or dict, `False`/`None` are
/// false; anything else (a variable, a call) counts as true.
fn shell_is_true(value: &Expr) -> bool {
    match value {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64() != Some(0),
            ast::Number::Float(f) => *f != 0.0,
            ast::Number::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        },
        Expr::BooleanLiteral(b) => b.value,
        Expr::List(list) => !list.elts.is_empty(),
        Expr::Dict(dict) => !dict.items.is_empty(),
        Expr::NoneLiteral(_) => false,
        Expr::StringLiteral(s) => !s.value.to_str().is_empty(),
        Expr::BytesLiteral(b) => b.value.bytes().next().is_some(),
        _ => true,
    }
}

impl<'p> visitor::Visitor<'p> for Walker<'p, '_> {
    fn visit_stmt(&mut self, stmt: &'p Stmt) {
        match stmt {
            Stmt::Assert(_) => {
                let message =
                    "Use of assert detected. The enclosed code will be removed when compiling to optimised byte code.";
                self.report(stmt.start(), Test("B101", "assert_used", Level::Low, Level::High, 703), message.into());
            }
            Stmt::Import(import) => {
                self.aliases.record_import(import);
                for alias in &import.names {
                    if self.blacklisted_import(stmt.start(), alias.name.id.as_str(), alias.name.id.as_str()) {
                        break;
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                self.aliases.record_import_from(import);
                let prefix = import.module.as_ref().map(|m| format!("{}.", m.id)).unwrap_or_default();
                for alias in &import.names {
                    let module = format!("{prefix}{}", alias.name.id);
                    if self.blacklisted_import(stmt.start(), &module, alias.name.id.as_str()) {
                        break;
                    }
                }
            }
            Stmt::FunctionDef(def) => {
                self.password_default(def);
                // bandit checks FunctionDef nodes only, not async ones.
                if let (false, Some((test, message))) = (def.is_async, tls::bad_default(def)) {
                    self.report(self.def_position(def), test, message.into());
                }
            }
            _ => {}
        }
        self.password_parents(stmt);
        match stmt {
            Stmt::FunctionDef(def) if !def.is_async => {
                self.functions.push(def);
                visitor::walk_stmt(self, stmt);
                self.functions.pop();
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_except_handler(&mut self, handler: &'p ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(inner) = handler;
        self.except_handler(inner);
        visitor::walk_except_handler(self, handler);
    }

    fn visit_expr(&mut self, expr: &'p Expr) {
        self.sql_expression(expr);
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::Dict(dict) => {
                for item in &dict.items {
                    if let Some(Expr::StringLiteral(key)) = &item.key {
                        if passwords::is_candidate(key.value.to_str()) {
                            if let Some(value) = passwords::shown(&item.value) {
                                self.password_string(key.start(), value);
                            }
                        }
                    }
                }
            }
            Expr::Compare(compare) => {
                let named = match compare.left.as_ref() {
                    Expr::Name(n) => passwords::is_candidate(n.id.as_str()),
                    Expr::Attribute(a) => passwords::is_candidate(a.attr.id.as_str()),
                    _ => false,
                };
                if let (true, Some(Expr::StringLiteral(first))) = (named, compare.comparators.first()) {
                    for comparator in compare.comparators.iter() {
                        if matches!(comparator, Expr::StringLiteral(_)) {
                            self.password_string(comparator.start(), first.value.to_str().to_string());
                        }
                    }
                }
            }
            Expr::StringLiteral(s) => self.string_constant(s.value.to_str(), s.start()),
            Expr::FString(f) => {
                for part in f.value.iter() {
                    if let ast::FStringPart::Literal(literal) = part {
                        self.string_constant(&literal.value, f.start());
                    }
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
