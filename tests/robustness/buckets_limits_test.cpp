// Hostile --buckets values: refused with the element named, never an overflow later.
#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"
#include "foldfit/sizes/buckets.hpp"

namespace foldfit {
namespace {

std::string error_of(std::string_view text) {
  try {
    Buckets::parse(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "ok";
}

TEST(BucketsLimits, HugeBucketsAreRefused) {
  // 24 x 9223372036854775807 flat atoms would overflow int64.
  EXPECT_EQ(error_of("128,9223372036854775807"), "--buckets: bucket 9223372036854775807 is larger than 2147483647 tokens");
  EXPECT_EQ(error_of("99999999999999999999"), "--buckets: element 1 ('99999999999999999999') is not an integer");
  EXPECT_EQ(error_of("2147483647"), "ok");
  EXPECT_EQ(flat_atoms(Buckets::parse("2147483647").pad(5)), 51539607552);  // 24 x (2^31-1), rounded up to 32
}

TEST(BucketsLimits, MalformedLists) {
  EXPECT_EQ(error_of(""), "--buckets: element 1 ('') is not an integer");
  EXPECT_EQ(error_of("128,,256"), "--buckets: element 2 ('') is not an integer");
  EXPECT_EQ(error_of("128,"), "--buckets: element 2 ('') is not an integer");
  EXPECT_EQ(error_of("256,128"), "--buckets: buckets must be strictly increasing: 128 follows 256");
  EXPECT_EQ(error_of("-5"), "--buckets: bucket -5 is not a positive size");
  EXPECT_EQ(error_of("1e3"), "--buckets: element 1 ('1e3') is not an integer");
}

}  // namespace
}  // namespace foldfit
