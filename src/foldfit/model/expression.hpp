// expression.hpp - the tiny expression language of memory profiles (shapes, conditions).
//
// Integer expressions: integers, symbols, '+', '*', min(a, b), max(a, b), parentheses.
// Conditions add string literals ('xla'), comparisons (== != < <= > >=), '!', '&&', '||'.
// A shape is a bracketed list of integer expressions, "[N, N, 2*pair]"; its element count
// is their product. Nothing else: a profile stays readable as a table of formulas.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace foldfit::expr {

using Value = std::variant<std::int64_t, bool, std::string>;
using Bindings = std::map<std::string, Value, std::less<>>;

// Bad syntax, unknown symbol, wrong type or overflow; the caller adds where.
class ExpressionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Node;

class Expression {
 public:
  static Expression parse(std::string_view text);  // integer or condition
  Value evaluate(const Bindings& bindings) const;
  std::int64_t evaluate_int(const Bindings& bindings) const;
  bool evaluate_bool(const Bindings& bindings) const;
  // Every symbol the expression names (min and max are not symbols).
  std::set<std::string> symbols() const;

 private:
  friend class Shape;
  explicit Expression(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

class Shape {
 public:
  static Shape parse(std::string_view text);  // "[N, N, pair]"
  std::int64_t elements(const Bindings& bindings) const;
  std::set<std::string> symbols() const;

 private:
  std::vector<Expression> dims_;
};

}  // namespace foldfit::expr
