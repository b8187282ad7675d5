//! Halstead metrics exactly as radon 6 computes them (`radon.visitors.HalsteadVisitor`).
//!
//! radon's operators are binary, unary, boolean, augmented-assignment and comparison
//! operators; their operands are the nodes directly under them. Two operands are "the same"
//! when Python's `==` says so after radon maps a node to a value: a name to its identifier, an
//! attribute to its attribute name, a constant to its value (so `x`, `obj.x` and `'x'` are one
//! operand, and `1`, `1.0` and `True` are one operand); any other node is distinct from every
//! other. Operands are also keyed by the enclosing function's name (radon's "context").
//! Function decorators, defaults and annotations are not visited.

use std::collections::HashSet;

use crate::analyze::parse::ast::{visitor, Expr, Number, Stmt};
use crate::analyze::report::Halstead;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum OperandValue {
    Text(String),
    Bytes(Vec<u8>),
    /// An int, a bool, or a float with an integral value, written in decimal.
    Integer(String),
    Float(u64),
    Complex(u64, u64),
    None,
    Ellipsis,
    /// A node radon cannot map to a value: equal only to itself.
    Node(usize),
}

#[derive(Default)]
struct Counter {
    context: Option<String>,
    operators_seen: HashSet<String>,
    operands_seen: HashSet<(Option<String>, OperandValue)>,
    operators: usize,
    operands: usize,
    next_node_id: usize,
}

impl Counter {
    fn operand(&mut self, expr: &Expr) {
        self.operands += 1;
        let value = match expr {
            Expr::Name(name) => OperandValue::Text(name.id.to_string()),
            Expr::Attribute(attribute) => OperandValue::Text(attribute.attr.id.to_string()),
            Expr::StringLiteral(s) => OperandValue::Text(s.value.to_str().to_string()),
            Expr::BytesLiteral(b) => OperandValue::Bytes(b.value.bytes().collect()),
            Expr::BooleanLiteral(b) => OperandValue::Integer(if b.value { "1" } else { "0" }.into()),
            Expr::NoneLiteral(_) => OperandValue::None,
            Expr::EllipsisLiteral(_) => OperandValue::Ellipsis,
            Expr::NumberLiteral(n) => number_value(&n.value),
            _ => {
                self.next_node_id += 1;
                OperandValue::Node(self.next_node_id)
            }
        };
        self.operands_seen.insert((self.context.clone(), value));
    }

    fn operator(&mut self, name: String) {
        self.operators += 1;
        self.operators_seen.insert(name);
    }
}

fn number_value(number: &Number) -> OperandValue {
    match number {
        Number::Int(int) => OperandValue::Integer(match int.as_u64() {
            Some(v) => v.to_string(),
            None => int.to_string(),
        }),
        Number::Float(f) => float_value(*f),
        Number::Complex { real, imag } if *imag == 0.0 => float_value(*real),
        Number::Complex { real, imag } => OperandValue::Complex(real.to_bits(), imag.to_bits()),
    }
}

fn float_value(f: f64) -> OperandValue {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e18 {
        OperandValue::Integer((f as i64).to_string())
    } else {
        OperandValue::Float(f.to_bits())
    }
}

impl<'a> visitor::Visitor<'a> for Counter {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                let outer = self.context.replace(def.name.id.to_string());
                for child in &def.body {
                    self.visit_stmt(child);
                }
                self.context = outer;
                return;
            }
            Stmt::AugAssign(node) => {
                self.operator(format!("{:?}", node.op));
                self.operand(&node.target);
                self.operand(&node.value);
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::BinOp(node) => {
                self.operator(format!("{:?}", node.op));
                self.operand(&node.left);
                self.operand(&node.right);
            }
            Expr::UnaryOp(node) => {
                self.operator(format!("{:?}", node.op));
                self.operand(&node.operand);
            }
            Expr::BoolOp(node) => {
                self.operator(format!("{:?}", node.op));
                for value in &node.values {
                    self.operand(value);
                }
            }
            Expr::Compare(node) => {
                for op in node.ops.iter() {
                    self.operator(format!("{op:?}"));
                }
                for comparator in node.comparators.iter() {
                    self.operand(comparator);
                }
                self.operand(&node.left);
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Halstead figures of a module.
pub fn module(body: &[Stmt]) -> Halstead {
    let mut counter = Counter::default();
    for stmt in body {
        visitor::Visitor::visit_stmt(&mut counter, stmt);
    }
    report(counter.operators_seen.len(), counter.operands_seen.len(), counter.operators, counter.operands)
}

/// radon's `halstead_visitor_report`.
#[allow(non_snake_case)]
fn report(h1: usize, h2: usize, N1: usize, N2: usize) -> Halstead {
    let (fh1, fh2) = (h1 as f64, h2 as f64);
    let vocabulary = h1 + h2;
    let length = N1 + N2;
    let calculated_length = if h1 > 0 && h2 > 0 { fh1 * log2(fh1) + fh2 * log2(fh2) } else { 0.0 };
    let volume = if vocabulary > 0 { length as f64 * log2(vocabulary as f64) } else { 0.0 };
    let difficulty = if h2 > 0 { (fh1 * N2 as f64) / (2.0 * fh2) } else { 0.0 };
    let effort = difficulty * volume;
    Halstead {
        h1,
        h2,
        N1,
        N2,
        vocabulary,
        length,
        calculated_length,
        volume,
        difficulty,
        effort,
        time: effort / 18.0,
        bugs: volume / 3000.0,
    }
}

/// Python's `math.log(x, 2)` is `ln(x) / ln(2)`, which can differ from a true log2 in the last
/// bit; radon uses the former.
fn log2(x: f64) -> f64 {
    x.ln() / std::f64::consts::LN_2
}
