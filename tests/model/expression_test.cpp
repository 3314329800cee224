// The profile expression language: arithmetic, conditions and the errors a profile author sees.
#include <gtest/gtest.h>

#include "foldfit/model/expression.hpp"

namespace foldfit::expr {
namespace {

Bindings sample() {
  return {{"N", std::int64_t{1024}}, {"pair", std::int64_t{128}}, {"flash", std::string("xla")},
          {"save_distogram", false}};
}

TEST(Expression, ProductsSumsMinMax) {
  EXPECT_EQ(Expression::parse("N*N*pair").evaluate_int(sample()), 1024LL * 1024 * 128);
  EXPECT_EQ(Expression::parse("2*pair + 11").evaluate_int(sample()), 267);
  EXPECT_EQ(Expression::parse("(pair + 11) * 2").evaluate_int(sample()), 278);
  EXPECT_EQ(Expression::parse("min(N, 512) + max(pair, 7)").evaluate_int(sample()), 640);
}

TEST(Expression, ShapeIsTheProductOfItsDimensions) {
  EXPECT_EQ(Shape::parse("[N, N, 2*pair]").elements(sample()), 1024LL * 1024 * 256);
  EXPECT_EQ(Shape::parse("[]").elements(sample()), 1);
  EXPECT_EQ(Shape::parse("[N, pair]").symbols(), (std::set<std::string>{"N", "pair"}));
}

TEST(Expression, Conditions) {
  EXPECT_TRUE(Expression::parse("flash == 'xla'").evaluate_bool(sample()));
  EXPECT_FALSE(Expression::parse("flash != 'xla'").evaluate_bool(sample()));
  EXPECT_TRUE(Expression::parse("!save_distogram && N > 512").evaluate_bool(sample()));
  EXPECT_TRUE(Expression::parse("save_distogram || N <= 1024").evaluate_bool(sample()));
  EXPECT_FALSE(Expression::parse("N < 1024 || N >= 2048").evaluate_bool(sample()));
}

TEST(Expression, Errors) {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const ExpressionError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] { Shape::parse("[N, Q]").elements(sample()); }), "unknown symbol 'Q'");
  EXPECT_EQ(message([] { Expression::parse("flash * 2").evaluate_int(sample()); }),
            "'*' needs integers, got a string");
  EXPECT_EQ(message([] { Expression::parse("flash == 3").evaluate_bool(sample()); }),
            "cannot compare a string with a integer");
  EXPECT_EQ(message([] { Expression::parse("N").evaluate_bool(sample()); }), "expected a condition, got a integer");
  EXPECT_EQ(message([] { Expression::parse("N *"); }), "in 'N *': unexpected end");
  EXPECT_EQ(message([] { Shape::parse("[N, N"); }), "in '[N, N': expected ']'");
  EXPECT_EQ(message([] { Expression::parse("N - 1"); }), "in 'N - 1': unexpected '- 1'");
  EXPECT_EQ(message([] { Expression::parse("N*N*N*N*N*N*N").evaluate_int({{"N", std::int64_t{1} << 20}}); }),
            "integer overflow");
}

}  // namespace
}  // namespace foldfit::expr
