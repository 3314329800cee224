#include "foldfit/model/expression.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>

namespace foldfit::expr {

struct Node {
  enum class Kind { Int, Str, Sym, Add, Mul, Min, Max, Not, And, Or, Eq, Ne, Lt, Le, Gt, Ge };
  Kind kind;
  std::int64_t number = 0;
  std::string text;  // symbol name or string literal
  std::shared_ptr<const Node> lhs, rhs;
};

namespace {

using NodePtr = std::shared_ptr<const Node>;

NodePtr make(Node::Kind kind, NodePtr lhs = nullptr, NodePtr rhs = nullptr) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->lhs = std::move(lhs);
  n->rhs = std::move(rhs);
  return n;
}

// Recursive descent over the text; `pos` is the next unread character.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  NodePtr parse_all() {
    NodePtr n = parse_or();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(text_.substr(pos_)) + "'");
    return n;
  }

  std::vector<NodePtr> parse_shape() {
    expect("[");
    std::vector<NodePtr> dims;
    skip_space();
    if (!accept("]")) {
      do dims.push_back(parse_or());
      while (accept(","));
      expect("]");
    }
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(text_.substr(pos_)) + "' after the shape");
    return dims;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ExpressionError("in '" + std::string(text_) + "': " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  void expect(std::string_view token) {
    if (!accept(token)) fail("expected '" + std::string(token) + "'");
  }

  NodePtr parse_or() {
    NodePtr n = parse_and();
    while (accept("||")) n = make(Node::Kind::Or, n, parse_and());
    return n;
  }
  NodePtr parse_and() {
    NodePtr n = parse_not();
    while (accept("&&")) n = make(Node::Kind::And, n, parse_not());
    return n;
  }
  NodePtr parse_not() {
    skip_space();
    if (text_.substr(pos_, 2) != "!=" && accept("!")) return make(Node::Kind::Not, parse_not());
    return parse_compare();
  }
  NodePtr parse_compare() {
    NodePtr lhs = parse_sum();
    static const std::pair<std::string_view, Node::Kind> ops[] = {
        {"==", Node::Kind::Eq}, {"!=", Node::Kind::Ne}, {"<=", Node::Kind::Le},
        {">=", Node::Kind::Ge}, {"<", Node::Kind::Lt},  {">", Node::Kind::Gt}};
    for (const auto& [token, kind] : ops)
      if (accept(token)) return make(kind, lhs, parse_sum());
    return lhs;
  }
  NodePtr parse_sum() {
    NodePtr n = parse_product();
    while (accept("+")) n = make(Node::Kind::Add, n, parse_product());
    return n;
  }
  NodePtr parse_product() {
    NodePtr n = parse_atom();
    while (accept("*")) n = make(Node::Kind::Mul, n, parse_atom());
    return n;
  }
  NodePtr parse_atom() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    char c = text_[pos_];
    if (accept("(")) {
      NodePtr n = parse_or();
      expect(")");
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::Int;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (n->number > (INT64_MAX - 9) / 10) fail("integer too large");
        n->number = n->number * 10 + (text_[pos_++] - '0');
      }
      return n;
    }
    if (c == '\'') {
      std::size_t end = text_.find('\'', pos_ + 1);
      if (end == std::string_view::npos) fail("unterminated string");
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::Str;
      n->text = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = pos_;
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
      std::string name(text_.substr(start, pos_ - start));
      if ((name == "min" || name == "max") && accept("(")) {
        NodePtr a = parse_or();
        expect(",");
        NodePtr b = parse_or();
        expect(")");
        return make(name == "min" ? Node::Kind::Min : Node::Kind::Max, a, b);
      }
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::Sym;
      n->text = std::move(name);
      return n;
    }
    fail(std::string("unexpected '") + c + "'");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

const char* type_name(const Value& v) {
  if (std::holds_alternative<std::int64_t>(v)) return "integer";
  if (std::holds_alternative<bool>(v)) return "boolean";
  return "string";
}

std::int64_t as_int(const Value& v, const char* op) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw ExpressionError(std::string("'") + op + "' needs integers, got a " + type_name(v));
}

bool as_bool(const Value& v, const char* op) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  throw ExpressionError(std::string("'") + op + "' needs booleans, got a " + type_name(v));
}

// Both operands are always evaluated, so a type error cannot hide behind a short circuit.
Value eval(const Node& n, const Bindings& b) {
  using K = Node::Kind;
  switch (n.kind) {
    case K::Int: return n.number;
    case K::Str: return n.text;
    case K::Sym: {
      auto it = b.find(n.text);
      if (it == b.end()) throw ExpressionError("unknown symbol '" + n.text + "'");
      return it->second;
    }
    case K::Not: return !as_bool(eval(*n.lhs, b), "!");
    default: break;
  }
  Value l = eval(*n.lhs, b), r = eval(*n.rhs, b);
  std::int64_t out = 0;
  switch (n.kind) {
    case K::Add:
      if (__builtin_add_overflow(as_int(l, "+"), as_int(r, "+"), &out)) throw ExpressionError("integer overflow");
      return out;
    case K::Mul:
      if (__builtin_mul_overflow(as_int(l, "*"), as_int(r, "*"), &out)) throw ExpressionError("integer overflow");
      return out;
    case K::Min: return std::min(as_int(l, "min"), as_int(r, "min"));
    case K::Max: return std::max(as_int(l, "max"), as_int(r, "max"));
    case K::And: { bool x = as_bool(l, "&&"), y = as_bool(r, "&&"); return x && y; }
    case K::Or: { bool x = as_bool(l, "||"), y = as_bool(r, "||"); return x || y; }
    case K::Eq:
    case K::Ne:
      if (l.index() != r.index())
        throw ExpressionError(std::string("cannot compare a ") + type_name(l) + " with a " + type_name(r));
      return (l == r) == (n.kind == K::Eq);
    case K::Lt: return as_int(l, "<") < as_int(r, "<");
    case K::Le: return as_int(l, "<=") <= as_int(r, "<=");
    case K::Gt: return as_int(l, ">") > as_int(r, ">");
    case K::Ge: return as_int(l, ">=") >= as_int(r, ">=");
    default: throw ExpressionError("internal: bad node");
  }
}

void collect(const Node& n, std::set<std::string>& out) {
  if (n.kind == Node::Kind::Sym) out.insert(n.text);
  if (n.lhs) collect(*n.lhs, out);
  if (n.rhs) collect(*n.rhs, out);
}

}  // namespace

Expression Expression::parse(std::string_view text) { return Expression(Parser(text).parse_all()); }

Value Expression::evaluate(const Bindings& bindings) const { return eval(*root_, bindings); }

std::int64_t Expression::evaluate_int(const Bindings& bindings) const {
  Value v = evaluate(bindings);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  throw ExpressionError(std::string("expected an integer, got a ") + type_name(v));
}

bool Expression::evaluate_bool(const Bindings& bindings) const {
  Value v = evaluate(bindings);
  if (const auto* x = std::get_if<bool>(&v)) return *x;
  throw ExpressionError(std::string("expected a condition, got a ") + type_name(v));
}

std::set<std::string> Expression::symbols() const {
  std::set<std::string> out;
  collect(*root_, out);
  return out;
}

Shape Shape::parse(std::string_view text) {
  Shape s;
  for (auto& root : Parser(text).parse_shape()) s.dims_.push_back(Expression(std::move(root)));
  return s;
}

std::int64_t Shape::elements(const Bindings& bindings) const {
  std::int64_t n = 1;
  for (const Expression& d : dims_) {
    std::int64_t v = d.evaluate_int(bindings);
    if (v < 0) throw ExpressionError("negative dimension");
    if (__builtin_mul_overflow(n, v, &n)) throw ExpressionError("integer overflow");
  }
  return n;
}

std::set<std::string> Shape::symbols() const {
  std::set<std::string> out;
  for (const Expression& d : dims_) out.merge(d.symbols());
  return out;
}

}  // namespace foldfit::expr
